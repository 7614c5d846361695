//! Pure account rules: email normalisation, password policy, lockout arithmetic, refresh
//! token verdicts, and which users an admin manages. No HTTP, no database.

use chrono::{Duration, NaiveDateTime};

use crate::auth::roles::covers;

/// Emails compare case-insensitively and without surrounding space.
pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// Shortest password accepted (characters, not bytes; OWASP ASVS asks for 8+, we ask 10).
pub const MIN_PASSWORD_CHARS: usize = 10;
/// Longest password accepted (argon2 input is bounded to keep hashing cost flat).
pub const MAX_PASSWORD_CHARS: usize = 256;

/// Why a password is refused, if it is. Registration, password reset and `admin create` all
/// ask this with the account's email: a password that is (or contains) the email is refused.
pub fn password_problem(password: &str, email: &str) -> Option<&'static str> {
    let n = password.chars().count();
    if n < MIN_PASSWORD_CHARS {
        return Some("weak_password");
    }
    if n > MAX_PASSWORD_CHARS {
        return Some("length");
    }
    let email = normalize_email(email);
    if !email.is_empty() && normalize_email(password).contains(&email) {
        return Some("weak_password");
    }
    None
}

/// Does an admin whose scopes are `scopes` (None = installation-wide) manage a user whose grants
/// hold at `grant_paths` (None = a grant without a place)? Only when every grant lies within one
/// of the scopes: a scoped admin never changes someone whose reach is wider than their own.
pub fn manages(scopes: Option<&[String]>, grant_paths: &[Option<String>]) -> bool {
    let Some(scopes) = scopes else {
        return true;
    };
    grant_paths.iter().all(|path| match path {
        None => false,
        Some(path) => scopes.iter().any(|s| covers(s, path)),
    })
}

/// Is a home place at `home_path` within one of `scopes` (None = installation-wide)? Users are
/// scoped by their home; a user without one is seen by installation-wide admins only.
pub fn homed_within(scopes: Option<&[String]>, home_path: Option<&str>) -> bool {
    match scopes {
        None => true,
        Some(scopes) => home_path.is_some_and(|h| scopes.iter().any(|s| covers(s, h))),
    }
}

/// Does an organisation serving the places at `served_paths` fit a grant at `grant_path`? Only
/// when one of its places overlaps the grant's place: the place itself, a place within it, or
/// a place above it. Otherwise a district admin could hand out a department of another
/// district, whose staff would then act for it here.
pub fn serves_grant_place(grant_path: &str, served_paths: &[String]) -> bool {
    served_paths
        .iter()
        .any(|p| covers(grant_path, p) || covers(p, grant_path))
}

/// Lockout policy from settings.
#[derive(Debug, Clone, Copy)]
pub struct LockoutPolicy {
    pub max_failures: i32,
    pub window: Duration,
    pub lockout: Duration,
}

/// The failed-login state of one email.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Throttle {
    pub failures: i32,
    pub window_started_at: NaiveDateTime,
    pub locked_until: Option<NaiveDateTime>,
}

/// Seconds until the email may try again, when it is locked.
pub fn locked_for(t: Option<&Throttle>, now: NaiveDateTime) -> Option<i64> {
    let until = t?.locked_until?;
    (until > now).then(|| (until - now).num_seconds().max(1))
}

/// The state after one more failure: failures count within a window; reaching the maximum
/// locks the email and starts a fresh count.
pub fn record_failure(t: Option<Throttle>, now: NaiveDateTime, p: LockoutPolicy) -> Throttle {
    let (failures, window_started_at) = match t {
        Some(t) if now - t.window_started_at <= p.window && locked_for(Some(&t), now).is_none() => {
            (t.failures + 1, t.window_started_at)
        }
        _ => (1, now),
    };
    if failures >= p.max_failures {
        Throttle {
            failures: 0,
            window_started_at: now,
            locked_until: Some(now + p.lockout),
        }
    } else {
        Throttle {
            failures,
            window_started_at,
            locked_until: None,
        }
    }
}

/// What presenting a refresh token leads to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefreshVerdict {
    /// Valid: spend it and issue the next one in the same family.
    Rotate,
    /// Already spent: someone replayed it, so the whole family is revoked.
    Reused,
    Expired,
    /// The session ended (logout, reuse, password reset, disabled user).
    Revoked,
}

/// Judges a presented refresh token.
pub fn judge_refresh(
    used_at: Option<NaiveDateTime>,
    expires_at: NaiveDateTime,
    session_revoked: bool,
    now: NaiveDateTime,
) -> RefreshVerdict {
    if session_revoked {
        RefreshVerdict::Revoked
    } else if used_at.is_some() {
        RefreshVerdict::Reused
    } else if expires_at <= now {
        RefreshVerdict::Expired
    } else {
        RefreshVerdict::Rotate
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t0() -> NaiveDateTime {
        chrono::DateTime::from_timestamp(1_800_000_000, 0)
            .unwrap()
            .naive_utc()
    }

    fn policy() -> LockoutPolicy {
        LockoutPolicy {
            max_failures: 3,
            window: Duration::minutes(15),
            lockout: Duration::minutes(10),
        }
    }

    #[test]
    fn emails_normalise() {
        assert_eq!(
            normalize_email("  Zhang.San@Example.COM "),
            "zhang.san@example.com"
        );
    }

    #[test]
    fn password_policy() {
        assert_eq!(password_problem("short", "a@b.c"), Some("weak_password"));
        assert_eq!(
            password_problem("a@b.cdefghij", "A@B.CDEFGHIJ"),
            Some("weak_password")
        );
        assert_eq!(password_problem(&"x".repeat(257), "a@b.c"), Some("length"));
        assert_eq!(password_problem("电梯维修基金共同商议", "a@b.c"), None);
        assert_eq!(
            password_problem("my Zhang@Example.com pw", "zhang@example.com"),
            Some("weak_password"),
            "containing the email"
        );
        assert_eq!(password_problem("zhang@example", "zhang@example.com"), None);
    }

    #[test]
    fn admins_manage_users_whose_grants_lie_within() {
        let s = |v: &[&str]| v.iter().map(|p| p.to_string()).collect::<Vec<_>>();
        let p = |v: &[Option<&str>]| v.iter().map(|p| p.map(str::to_string)).collect::<Vec<_>>();
        let district = s(&["/1/2/"]);
        type Case<'a> = (Option<&'a [String]>, Vec<Option<String>>, bool);
        let cases: [Case; 7] = [
            (None, p(&[None, Some("/1/")]), true),
            (Some(&district), p(&[]), true),
            (Some(&district), p(&[Some("/1/2/5/"), Some("/1/2/")]), true),
            (Some(&district), p(&[Some("/1/2/5/"), Some("/1/")]), false),
            (Some(&district), p(&[None]), false),
            (Some(&district), p(&[Some("/1/20/")]), false),
            (
                Some(&s(&["/1/2/", "/1/3/"])),
                p(&[Some("/1/2/"), Some("/1/3/9/")]),
                true,
            ),
        ];
        for (scopes, paths, want) in cases {
            assert_eq!(manages(scopes, &paths), want, "{scopes:?} over {paths:?}");
        }
        assert!(homed_within(None, None));
        assert!(homed_within(Some(&district), Some("/1/2/5/")));
        assert!(!homed_within(Some(&district), Some("/1/3/")));
        assert!(!homed_within(Some(&district), None));
    }

    #[test]
    fn organisations_fit_grants_at_overlapping_places() {
        let s = |v: &[&str]| v.iter().map(|p| p.to_string()).collect::<Vec<_>>();
        // (grant place, the organisation's places, fits)
        let cases: [(&str, Vec<String>, bool); 8] = [
            ("/1/2/", s(&["/1/2/"]), true),
            ("/1/2/", s(&["/1/2/7/"]), true),
            ("/1/2/7/", s(&["/1/2/"]), true),
            ("/1/2/7/", s(&["/1/"]), true),
            ("/1/2/", s(&["/1/3/"]), false),
            ("/1/2/", s(&["/1/20/"]), false),
            ("/1/2/", s(&[]), false),
            ("/1/2/", s(&["/1/3/", "/1/2/9/"]), true),
        ];
        for (grant, served, want) in cases {
            assert_eq!(
                serves_grant_place(grant, &served),
                want,
                "{grant} by {served:?}"
            );
        }
    }

    #[test]
    fn locks_after_max_failures_in_window() {
        let now = t0();
        let t1 = record_failure(None, now, policy());
        let t2 = record_failure(Some(t1), now + Duration::minutes(1), policy());
        assert_eq!(t2.failures, 2);
        assert!(locked_for(Some(&t2), now).is_none());
        let t3 = record_failure(Some(t2), now + Duration::minutes(2), policy());
        assert_eq!(locked_for(Some(&t3), now + Duration::minutes(2)), Some(600));
        assert!(locked_for(Some(&t3), now + Duration::minutes(13)).is_none());
    }

    #[test]
    fn failures_outside_window_start_over() {
        let now = t0();
        let t1 = record_failure(None, now, policy());
        let t2 = record_failure(Some(t1), now + Duration::minutes(1), policy());
        let t3 = record_failure(Some(t2), now + Duration::minutes(30), policy());
        assert_eq!(t3.failures, 1);
        assert!(t3.locked_until.is_none());
    }

    #[test]
    fn refresh_verdicts() {
        let now = t0();
        let later = now + Duration::days(1);
        assert_eq!(
            judge_refresh(None, later, false, now),
            RefreshVerdict::Rotate
        );
        assert_eq!(
            judge_refresh(Some(now), later, false, now),
            RefreshVerdict::Reused
        );
        assert_eq!(
            judge_refresh(None, now, false, now),
            RefreshVerdict::Expired
        );
        assert_eq!(
            judge_refresh(None, later, true, now),
            RefreshVerdict::Revoked
        );
    }
}
