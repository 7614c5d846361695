//! Pure rules of the statistics: reading a period bound, the percentile method and rounding.
//! No database, no clock, no HTTP.

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};

/// Seconds in a day: step durations are reported in days.
pub const DAY_SECS: i64 = 86_400;

/// Which end of the period a bound is: a bare date means the start of that local day for
/// `from`, and the start of the *next* local day for `to` (so `to=2026-12-31` includes the
/// 31st: the period is `[from, to)` either way).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    From,
    To,
}

/// Why a bound is not accepted; the action turns it into a 400 naming the field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadBound(pub String);

/// Reads a period bound: an RFC 3339 instant (`2026-03-01T08:00:00+08:00`, `…Z`) or a date
/// (`2026-03-01`) taken in the installation's time zone `tz`. Returns the UTC instant.
pub fn parse_bound(s: &str, end: End, tz: chrono_tz::Tz) -> Result<NaiveDateTime, BadBound> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc).naive_utc());
    }
    let date = NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| {
        BadBound(format!(
            "{s:?} is neither an RFC 3339 time nor a date YYYY-MM-DD"
        ))
    })?;
    let day = match end {
        End::From => Some(date),
        End::To => date.succ_opt(),
    }
    .ok_or_else(|| BadBound(format!("{s:?} is out of range")))?;
    let midnight = day.and_time(chrono::NaiveTime::MIN);
    tz.from_local_datetime(&midnight)
        .earliest()
        .map(|t| t.with_timezone(&Utc).naive_utc())
        .ok_or_else(|| BadBound(format!("{s:?} has no midnight in {tz}")))
}

/// Does `s` begin as the documented pattern does (`YYYY-MM-DD`, then nothing or a time)? Such
/// a value is allowed by the schema, so refusing it is a rule (422), not unreadable input.
pub fn date_shaped(s: &str) -> bool {
    let b = s.trim().as_bytes();
    b.len() >= 10
        && b[..10].iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        })
        && b.get(10).is_none_or(|c| matches!(c, b'T' | b't' | b' '))
}

/// Is the period `[from, to)` well formed (from not after to)? An empty period (from = to)
/// is allowed and counts nothing.
pub fn period_ok(from: Option<NaiveDateTime>, to: Option<NaiveDateTime>) -> bool {
    match (from, to) {
        (Some(f), Some(t)) => f <= t,
        _ => true,
    }
}

/// A percentile as the fraction `num / den` (median 1/2, p90 9/10).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fraction {
    pub num: i64,
    pub den: i64,
}

/// The median.
pub const MEDIAN: Fraction = Fraction { num: 1, den: 2 };
/// The 90th percentile.
pub const P90: Fraction = Fraction { num: 9, den: 10 };

impl Fraction {
    /// For `n` sorted samples (0-based), the lower neighbour's index and the remainder `r`:
    /// the percentile sits at `lo + r/den` (percentile_cont: position `p·(n−1)`). Pure
    /// integer arithmetic, the same expression the SQL uses to pick the two samples.
    pub fn rank(self, n: i64) -> (i64, i64) {
        let pos = self.num * (n - 1);
        (pos / self.den, pos % self.den)
    }
}

/// The percentile of `n` samples whose order statistics at the lower index and the next one
/// (`hi`, absent when `lo` is the last) are given, in seconds, as days rounded to 2 decimals
/// (half away from zero). Linear interpolation between neighbours: PostgreSQL's
/// `percentile_cont`, computed exactly on integers so both databases give the same number.
pub fn percentile_days(f: Fraction, n: i64, lo: Option<i64>, hi: Option<i64>) -> Option<f64> {
    if n <= 0 {
        return None;
    }
    let lo = lo?;
    let (_, r) = f.rank(n);
    let hi = if r == 0 { lo } else { hi? };
    // The value in seconds is lo + r·(hi − lo)/den; scaled by den it is an integer.
    let scaled = i128::from(lo) * i128::from(f.den) + i128::from(r) * i128::from(hi - lo);
    Some(round_hundredths(
        scaled,
        i128::from(f.den) * i128::from(DAY_SECS),
    ))
}

/// `num / den` rounded to 2 decimals, half away from zero, computed on integers.
pub fn round_hundredths(num: i128, den: i128) -> f64 {
    if den == 0 {
        return 0.0;
    }
    let neg = (num < 0) != (den < 0);
    let (n, d) = (num.abs(), den.abs());
    let h = (200 * n + d) / (2 * d);
    let h = if neg { -h } else { h };
    h as f64 / 100.0
}

/// The mean score from the sum and count of ratings, 2 decimals; None without ratings.
pub fn mean(sum: i64, count: i64) -> Option<f64> {
    (count > 0).then(|| round_hundredths(i128::from(sum), i128::from(count)))
}

/// The child place a grouping key (a path prefix such as `/1/5/23/`) stands for: its last id.
pub fn key_place(key: &str) -> Option<i64> {
    crate::places::rules::path_ids(key).last().copied()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::Asia::Shanghai;

    #[test]
    fn date_shaped_follows_the_documented_pattern() {
        for s in [
            "2026-02-30",
            "2026-01-01T25:00:00Z",
            "9999-99-99",
            "2026-01-01 x",
        ] {
            assert!(date_shaped(s), "{s}");
        }
        for s in ["yesterday", "2026-1-01", "20260101", "2026-01-01X", ""] {
            assert!(!date_shaped(s), "{s}");
        }
    }

    fn t(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap_or_default()
    }

    #[test]
    fn bounds_read_instants_and_local_dates() {
        let cases: &[(&str, End, Option<&str>)] = &[
            (
                "2026-03-01T08:00:00+08:00",
                End::From,
                Some("2026-03-01 00:00:00"),
            ),
            ("2026-03-01T00:00:00Z", End::To, Some("2026-03-01 00:00:00")),
            (
                "2026-03-01t00:00:00z",
                End::From,
                Some("2026-03-01 00:00:00"),
            ),
            // A date is a Shanghai day: it starts at 16:00 UTC the day before.
            ("2026-03-01", End::From, Some("2026-02-28 16:00:00")),
            // `to` as a date includes that day: the period ends when the next one starts.
            ("2026-03-01", End::To, Some("2026-03-01 16:00:00")),
            ("2026-02-30", End::From, None),
            ("2026-3-1x", End::From, None),
            ("yesterday", End::To, None),
            ("", End::To, None),
            ("2026-03-01T25:00:00Z", End::From, None),
        ];
        for (input, end, want) in cases {
            let got = parse_bound(input, *end, Shanghai).ok();
            assert_eq!(got, want.map(t), "{input} as {end:?}");
        }
    }

    #[test]
    fn bad_bound_says_what_was_expected() {
        let e = parse_bound("soon", End::From, Shanghai)
            .err()
            .unwrap_or(BadBound(String::new()));
        assert!(e.0.contains("RFC 3339"), "{e:?}");
    }

    #[test]
    fn period_must_not_run_backwards() {
        let a = t("2026-01-01 00:00:00");
        let b = t("2026-02-01 00:00:00");
        assert!(period_ok(Some(a), Some(b)));
        assert!(period_ok(Some(a), Some(a)));
        assert!(!period_ok(Some(b), Some(a)));
        assert!(period_ok(None, Some(a)));
        assert!(period_ok(Some(b), None));
        assert!(period_ok(None, None));
    }

    #[test]
    fn ranks_are_percentile_cont_positions() {
        // n = 1: the only sample; n = 4: median between #1 and #2 (0-based) halfway,
        // p90 at 0.9·3 = 2.7; n = 5: median exactly #2, p90 at 3.6.
        assert_eq!(MEDIAN.rank(1), (0, 0));
        assert_eq!(P90.rank(1), (0, 0));
        assert_eq!(MEDIAN.rank(4), (1, 1));
        assert_eq!(P90.rank(4), (2, 7));
        assert_eq!(MEDIAN.rank(5), (2, 0));
        assert_eq!(P90.rank(5), (3, 6));
        assert_eq!(P90.rank(11), (9, 0));
    }

    #[test]
    fn percentiles_interpolate_between_neighbours() {
        let d = DAY_SECS;
        // Samples 1, 2, 4, 10 days: median = 2 + (4−2)/2 = 3; p90 at 2.7 = 4 + 0.7·6 = 8.2.
        assert_eq!(
            percentile_days(MEDIAN, 4, Some(2 * d), Some(4 * d)),
            Some(3.0)
        );
        assert_eq!(
            percentile_days(P90, 4, Some(4 * d), Some(10 * d)),
            Some(8.2)
        );
        // Odd count, exact rank: the neighbour does not matter (and may be absent).
        assert_eq!(percentile_days(MEDIAN, 5, Some(3 * d), None), Some(3.0));
        assert_eq!(percentile_days(MEDIAN, 1, Some(d / 2), None), Some(0.5));
        // Half-hundredths round away from zero: 1 h = 0.041666… d → 0.04; 18 min = 0.0125 d → 0.01.
        assert_eq!(percentile_days(MEDIAN, 1, Some(3600), None), Some(0.04));
        assert_eq!(percentile_days(MEDIAN, 1, Some(1080), None), Some(0.01));
        assert_eq!(percentile_days(MEDIAN, 1, Some(1296), None), Some(0.02));
        // No samples, or a needed neighbour missing: no number rather than a wrong one.
        assert_eq!(percentile_days(MEDIAN, 0, None, None), None);
        assert_eq!(percentile_days(MEDIAN, 2, Some(d), None), None);
    }

    #[test]
    fn means_round_half_away_from_zero() {
        assert_eq!(mean(0, 0), None);
        assert_eq!(mean(13, 3), Some(4.33));
        assert_eq!(mean(14, 3), Some(4.67));
        assert_eq!(mean(9, 2), Some(4.5));
        assert_eq!(round_hundredths(2345, 1000), 2.35);
        assert_eq!(round_hundredths(-2345, 1000), -2.35);
    }

    #[test]
    fn group_by_speaks_its_names() {
        crate::public::stats::model::GroupBy::assert_wire_names();
    }

    #[test]
    fn keys_name_their_place() {
        assert_eq!(key_place("/1/5/23/"), Some(23));
        assert_eq!(key_place("/7/"), Some(7));
        assert_eq!(key_place(""), None);
    }
}
