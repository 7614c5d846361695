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

/// What failed logins lead to, from settings. Per account (email) they only slow logins down:
/// after `free_failures` within `window`, each further attempt waits a delay that doubles per
/// failure up to `max_delay_secs`, so the owner can always get in. Per account and client
/// address, `max_failures` within `window` lock that address out of that account for `lockout`.
#[derive(Debug, Clone, Copy)]
pub struct LoginPolicy {
    pub window: Duration,
    pub free_failures: i32,
    pub max_delay_secs: i64,
    pub max_failures: i32,
    pub lockout: Duration,
}

/// The failed-login state of one counter (an email, or an email from one address): failures
/// in the current window, and until when the next attempt must wait (a delay or a lock).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Throttle {
    pub failures: i32,
    pub window_started_at: NaiveDateTime,
    pub until: Option<NaiveDateTime>,
}

/// Whole seconds (at least 1) until the counter lets the next attempt through, if it is waiting.
pub fn wait_secs(t: Option<&Throttle>, now: NaiveDateTime) -> Option<u64> {
    let until = t?.until?;
    let ms = (until - now).num_milliseconds();
    (ms > 0).then(|| u64::try_from((ms + 999) / 1000).unwrap_or(1).max(1))
}

/// The failures in the window after one more at `now` (a lapsed window starts over).
fn counted(t: Option<&Throttle>, now: NaiveDateTime, window: Duration) -> (i32, NaiveDateTime) {
    match t {
        Some(t) if now - t.window_started_at <= window => {
            (t.failures.saturating_add(1), t.window_started_at)
        }
        _ => (1, now),
    }
}

/// Seconds the account waits after its `failures`-th failure in the window: none for the free
/// ones, then 1, 2, 4, … capped at `max_delay_secs`.
pub fn delay_after(failures: i32, p: LoginPolicy) -> i64 {
    let over = failures - p.free_failures;
    if over < 0 || p.max_delay_secs <= 0 {
        return 0;
    }
    let doubled = 1_i64.checked_shl(over.unsigned_abs()).filter(|d| *d > 0);
    doubled.map_or(p.max_delay_secs, |d| d.min(p.max_delay_secs))
}

/// The account's state after one more failure: counted in the window, delayed when past the
/// free failures.
pub fn account_failure(t: Option<Throttle>, now: NaiveDateTime, p: LoginPolicy) -> Throttle {
    let (failures, window_started_at) = counted(t.as_ref(), now, p.window);
    let delay = delay_after(failures, p);
    Throttle {
        failures,
        window_started_at,
        until: (delay > 0).then(|| now + Duration::seconds(delay)),
    }
}

/// The (account, address) state after one more failure, and whether a lock starts with it (the
/// owner is mailed once per lock). Reaching the maximum locks and starts a fresh count; a
/// failure that raced past a running lock leaves the lock as it is.
pub fn address_failure(
    t: Option<Throttle>,
    now: NaiveDateTime,
    p: LoginPolicy,
) -> (Throttle, bool) {
    if let Some(t) = t.as_ref().filter(|t| wait_secs(Some(t), now).is_some()) {
        return (t.clone(), false);
    }
    let (failures, window_started_at) = counted(t.as_ref(), now, p.window);
    if failures >= p.max_failures {
        let locked = Throttle {
            failures: 0,
            window_started_at: now,
            until: Some(now + p.lockout),
        };
        (locked, true)
    } else {
        let counting = Throttle {
            failures,
            window_started_at,
            until: None,
        };
        (counting, false)
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

    fn policy() -> LoginPolicy {
        LoginPolicy {
            window: Duration::minutes(15),
            free_failures: 3,
            max_delay_secs: 30,
            max_failures: 3,
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
    fn account_delays_double_after_the_free_failures_up_to_the_cap() {
        // (failures in the window, free failures, cap, delay in seconds)
        let cases = [
            (1, 3, 30, 0),
            (2, 3, 30, 0),
            (3, 3, 30, 1),
            (4, 3, 30, 2),
            (5, 3, 30, 4),
            (8, 3, 30, 30),
            (500, 3, 30, 30),
            (i32::MAX, 3, 30, 30),
            (1, 0, 1, 1),
            (9, 3, 0, 0),
        ];
        for (failures, free, cap, want) in cases {
            let p = LoginPolicy {
                free_failures: free,
                max_delay_secs: cap,
                ..policy()
            };
            assert_eq!(
                delay_after(failures, p),
                want,
                "{failures} over {free}, cap {cap}"
            );
        }
    }

    #[test]
    fn account_failures_count_in_a_window_and_delay() {
        let now = t0();
        let mut t = None;
        for i in 0..3 {
            t = Some(account_failure(t, now + Duration::seconds(i), policy()));
        }
        let third = t.clone().unwrap();
        assert_eq!(third.failures, 3);
        assert_eq!(third.until, Some(now + Duration::seconds(3)));
        assert_eq!(wait_secs(Some(&third), now + Duration::seconds(2)), Some(1));
        assert_eq!(
            wait_secs(Some(&third), now + Duration::milliseconds(2001)),
            Some(1)
        );
        assert_eq!(wait_secs(Some(&third), now + Duration::seconds(3)), None);
        let fourth = account_failure(t, now + Duration::seconds(10), policy());
        assert_eq!(fourth.until, Some(now + Duration::seconds(12)));
        // A lapsed window starts over, with no delay.
        let later = account_failure(Some(fourth), now + Duration::minutes(30), policy());
        assert_eq!((later.failures, later.until), (1, None));
    }

    #[test]
    fn an_address_is_locked_once_at_the_limit() {
        let now = t0();
        let at = |m| now + Duration::minutes(m);
        // (minute of the failure, failures after, locked until (minute), lock starts)
        let cases: [(i64, i32, Option<i64>, bool); 6] = [
            (0, 1, None, false),
            (1, 2, None, false),
            (2, 0, Some(12), true),
            // Raced past the lock: nothing changes, no second mail.
            (3, 0, Some(12), false),
            // After the lock, counting starts over.
            (13, 1, None, false),
            // Outside the window, too.
            (40, 1, None, false),
        ];
        let mut t = None;
        for (minute, failures, until, starts) in cases {
            let (next, started) = address_failure(t, at(minute), policy());
            assert_eq!(next.failures, failures, "minute {minute}");
            assert_eq!(next.until, until.map(at), "minute {minute}");
            assert_eq!(started, starts, "minute {minute}");
            t = Some(next);
        }
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
