//! Words of the consultation pages and /cppcc.

/// Texts of these pages.
pub struct Meetings {
    pub title: &'static str,
}

pub const ZH: Meetings = Meetings { title: "" };

pub const EN: Meetings = Meetings { title: "" };
