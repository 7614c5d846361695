//! Words of the working pages: /me, /staff (工作台) and /tasks (我的任务).

/// Texts of these pages.
pub struct Work {
    pub title: &'static str,
}

pub const ZH: Work = Work { title: "" };

pub const EN: Work = Work { title: "" };
