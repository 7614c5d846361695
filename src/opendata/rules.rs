//! Pure rules of the export: how a person is named, which meetings are public, the period.

use chrono::NaiveDateTime;

use crate::consultations::rules::Status;

/// How open data names a person who did not opt in: a resident, whatever their role.
pub const ANONYMOUS: &str = "居民";

/// How many rows one page (one database round trip, one chunk of the body) holds.
pub const PAGE: i64 = 500;

/// The meeting statuses the public sees: announced (scheduled), running and concluded.
/// Drafts are the convener's work in progress; cancelled meetings never took place.
pub const PUBLIC_STATUSES: [Status; 3] = [Status::Scheduled, Status::InProgress, Status::Concluded];

/// The name open data shows for a person: their display name only if they opted in.
pub fn public_name(display_name: &str, show_name_publicly: bool) -> String {
    if show_name_publicly {
        display_name.to_string()
    } else {
        ANONYMOUS.to_string()
    }
}

/// The period `[from, to)` is usable unless it ends before it starts.
pub fn period_ok(from: Option<NaiveDateTime>, to: Option<NaiveDateTime>) -> bool {
    match (from, to) {
        (Some(f), Some(t)) => f <= t,
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_opted_in_names_are_shown() {
        assert_eq!(public_name("张阿姨", true), "张阿姨");
        assert_eq!(public_name("张阿姨", false), "居民");
    }

    #[test]
    fn a_period_may_be_open_or_empty_but_not_reversed() {
        let t = |s: &str| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap_or_default();
        assert!(period_ok(None, None));
        assert!(period_ok(Some(t("2026-01-01 00:00")), None));
        assert!(period_ok(None, Some(t("2026-01-01 00:00"))));
        assert!(period_ok(
            Some(t("2026-01-01 00:00")),
            Some(t("2026-01-01 00:00"))
        ));
        assert!(!period_ok(
            Some(t("2026-01-02 00:00")),
            Some(t("2026-01-01 00:00"))
        ));
    }
}
