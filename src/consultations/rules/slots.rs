//! Scheduling: half-open overlap, agenda fit, which answers book time, and the free-slot
//! search in local working hours.

use chrono::{Datelike, NaiveDateTime, NaiveTime, TimeDelta, TimeZone, Weekday};

use super::Response;

/// Half-open intervals [start, end) overlap? Touching intervals (one ends when the other
/// starts) do not, so back-to-back meetings are not a double booking; an empty or inverted
/// interval overlaps nothing.
pub fn overlaps(
    a_start: NaiveDateTime,
    a_end: NaiveDateTime,
    b_start: NaiveDateTime,
    b_end: NaiveDateTime,
) -> bool {
    a_start < a_end && b_start < b_end && a_start < b_end && b_start < a_end
}

/// Minutes by which the agenda overruns the meeting (None when it fits), so the handler can
/// refuse an agenda that does not fit. `allotted` are the items' minutes; negative allowances
/// (which the handler refuses anyway) count as zero, and an inverted meeting has no time.
/// A partial minute of overrun counts as a whole one.
pub fn agenda_overrun(
    starts_at: NaiveDateTime,
    ends_at: NaiveDateTime,
    allotted: &[i32],
) -> Option<i64> {
    let available = ends_at
        .signed_duration_since(starts_at)
        .num_seconds()
        .max(0);
    let needed: i64 = allotted.iter().map(|&m| i64::from(m.max(0)) * 60).sum();
    let over = needed - available;
    // Round a partial minute up: 30 seconds over is still an overrun.
    (over > 0).then(|| (over + 59) / 60)
}

/// Does a response keep the invitee's time booked (accepted, tentative and pending do;
/// declined does not)? Clash checks count only booked invitations.
pub fn books_time(response: Response) -> bool {
    match response {
        Response::Pending | Response::Accepted | Response::Tentative => true,
        Response::Declined => false,
    }
}

/// Working hours for free-slot search, in the installation's time zone.
#[derive(Debug, Clone)]
pub struct WorkingHours {
    /// The installation's time zone; the grid and the hours are local to it.
    pub tz: chrono_tz::Tz,
    /// Start of the working day, minutes after local midnight (540 = 09:00).
    pub start_minute: u32,
    /// End of the working day, minutes after local midnight (1050 = 17:30); at most 1440.
    pub end_minute: u32,
    /// Only Monday to Friday are working days.
    pub weekdays_only: bool,
}

/// The grid free slots start on, in minutes after local midnight.
const GRID_MINUTES: i64 = 30;

/// Minutes in a (wall-clock) day; working hours cannot end later.
const MINUTES_PER_DAY: i64 = 24 * 60;

/// The UTC time of a local wall-clock time, None when it is ambiguous or does not exist
/// (daylight-saving changes).
fn local_to_utc(tz: chrono_tz::Tz, local: NaiveDateTime) -> Option<NaiveDateTime> {
    tz.from_local_datetime(&local)
        .single()
        .map(|t| t.naive_utc())
}

/// The slot starting `offset` minutes after local `midnight`, in UTC, lasting exactly
/// `length`; None when either end is not a unique local time or a clock change falls inside.
fn candidate(
    tz: chrono_tz::Tz,
    midnight: NaiveDateTime,
    offset: i64,
    length: TimeDelta,
) -> Option<(NaiveDateTime, NaiveDateTime)> {
    let local_start = midnight.checked_add_signed(TimeDelta::try_minutes(offset)?)?;
    let local_end = local_start.checked_add_signed(length)?;
    let start = local_to_utc(tz, local_start)?;
    let end = local_to_utc(tz, local_end)?;
    (end.signed_duration_since(start) == length).then_some((start, end))
}

/// The earliest `max` slots of `minutes` length inside [from, to) (UTC), within working hours
/// (local time in `hours.tz`, Monday-Friday when `weekdays_only`), on a 30-minute grid in
/// local time, that overlap no busy interval (UTC, half-open), so a convener can be offered
/// times when everyone is free. Slots never cross a working-day end. Local times that are
/// ambiguous or do not exist (daylight-saving changes) are skipped, as are slots with a clock
/// change inside them, so every slot lasts exactly `minutes`.
pub fn free_slots(
    busy: &[(NaiveDateTime, NaiveDateTime)],
    from: NaiveDateTime,
    to: NaiveDateTime,
    minutes: i64,
    hours: &WorkingHours,
    max: usize,
) -> Vec<(NaiveDateTime, NaiveDateTime)> {
    let mut slots = Vec::new();
    let day_start = i64::from(hours.start_minute);
    let day_end = i64::from(hours.end_minute).min(MINUTES_PER_DAY);
    if max == 0 || minutes <= 0 || from >= to || minutes > day_end - day_start {
        return slots;
    }
    let Some(length) = TimeDelta::try_minutes(minutes) else {
        return slots;
    };
    // The first grid point at or after the start of the working day.
    let first = (day_start + GRID_MINUTES - 1) / GRID_MINUTES * GRID_MINUTES;
    let tz = hours.tz;
    // Unique local times map to UTC in order, so walking local days and grid points in order
    // yields slots in UTC order and the first `max` found are the earliest.
    let mut date = tz.from_utc_datetime(&from).date_naive();
    let last = tz.from_utc_datetime(&to).date_naive();
    while date <= last && slots.len() < max {
        let weekend = matches!(date.weekday(), Weekday::Sat | Weekday::Sun);
        if !(hours.weekdays_only && weekend) {
            let midnight = date.and_time(NaiveTime::MIN);
            let mut offset = first;
            while offset + minutes <= day_end && slots.len() < max {
                if let Some((start, end)) = candidate(tz, midnight, offset, length) {
                    let inside = from <= start && end <= to;
                    if inside && !busy.iter().any(|&(bs, be)| overlaps(start, end, bs, be)) {
                        slots.push((start, end));
                    }
                }
                offset += GRID_MINUTES;
            }
        }
        let Some(next) = date.succ_opt() else { break };
        date = next;
    }
    slots
}

#[cfg(test)]
mod tests {
    use super::*;

    use chrono::{NaiveDate, Utc};

    fn dt(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    fn shanghai() -> WorkingHours {
        WorkingHours {
            tz: chrono_tz::Asia::Shanghai,
            start_minute: 540,
            end_minute: 1050,
            weekdays_only: true,
        }
    }

    /// UTC naive time of a local wall-clock time in `tz` (unique local times only).
    fn utc(tz: chrono_tz::Tz, local: &str) -> NaiveDateTime {
        tz.from_local_datetime(&dt(local))
            .single()
            .unwrap()
            .with_timezone(&Utc)
            .naive_utc()
    }

    /// Local wall-clock text of a UTC naive time in `tz`.
    fn local(tz: chrono_tz::Tz, t: NaiveDateTime) -> String {
        tz.from_utc_datetime(&t)
            .format("%Y-%m-%d %H:%M")
            .to_string()
    }

    fn local_slots(tz: chrono_tz::Tz, slots: &[(NaiveDateTime, NaiveDateTime)]) -> Vec<String> {
        slots
            .iter()
            .map(|&(s, e)| format!("{}-{}", local(tz, s), &local(tz, e)[11..]))
            .collect()
    }

    #[test]
    fn overlaps_half_open() {
        let t = |hm: &str| dt(&format!("2026-03-02 {hm}"));
        // (a start, a end, b start, b end, overlap?)
        let cases = [
            // Touching edges do not overlap, either way round.
            ("09:00", "10:00", "10:00", "11:00", false),
            ("10:00", "11:00", "09:00", "10:00", false),
            // Apart.
            ("09:00", "10:00", "11:00", "12:00", false),
            ("11:00", "12:00", "09:00", "10:00", false),
            // Partial, containing, contained, identical.
            ("09:00", "11:00", "10:00", "12:00", true),
            ("10:00", "12:00", "09:00", "11:00", true),
            ("09:00", "12:00", "10:00", "11:00", true),
            ("10:00", "11:00", "09:00", "12:00", true),
            ("09:00", "10:00", "09:00", "10:00", true),
            // One minute of overlap is enough.
            ("09:00", "10:01", "10:00", "11:00", true),
            // Empty or inverted intervals overlap nothing.
            ("10:00", "10:00", "09:00", "11:00", false),
            ("09:00", "11:00", "10:00", "10:00", false),
            ("11:00", "09:00", "09:00", "11:00", false),
        ];
        for (a0, a1, b0, b1, want) in cases {
            assert_eq!(
                overlaps(t(a0), t(a1), t(b0), t(b1)),
                want,
                "{a0}-{a1} / {b0}-{b1}"
            );
        }
    }

    #[test]
    fn agenda_fits_or_overruns() {
        let s = dt("2026-03-02 09:00");
        let e = dt("2026-03-02 10:30");
        let e2 = NaiveDateTime::new(e.date(), NaiveTime::from_hms_opt(10, 29, 30).unwrap());
        // (start, end, allotted minutes, overrun)
        let cases: [(NaiveDateTime, NaiveDateTime, &[i32], Option<i64>); 14] = [
            // Fits exactly.
            (s, e, &[30, 30, 30], None),
            (s, e, &[90], None),
            // Fits with time to spare.
            (s, e, &[20, 30], None),
            // Overruns by N.
            (s, e, &[30, 30, 31], Some(1)),
            (s, e, &[60, 45], Some(15)),
            // Empty agenda always fits, even a zero-length meeting.
            (s, e, &[], None),
            (s, s, &[], None),
            // A zero-length or inverted meeting has no time for anything.
            (s, s, &[10], Some(10)),
            (e, s, &[10], Some(10)),
            // Negative allowances count as zero; zero ones take no time.
            (s, e, &[-60, 100], Some(10)),
            (s, e, &[0, 90, 0], None),
            // Seconds in the meeting times: a partial minute short is a minute of overrun.
            (s, e2, &[90], Some(1)),
            (s, e2, &[89], None),
            // Large agendas do not overflow.
            (
                s,
                e,
                &[i32::MAX, i32::MAX],
                Some(2 * i64::from(i32::MAX) - 90),
            ),
        ];
        for (start, end, allotted, want) in cases {
            assert_eq!(
                agenda_overrun(start, end, allotted),
                want,
                "{start}-{end} {allotted:?}"
            );
        }
    }

    #[test]
    fn booked_responses() {
        // (response, books time?)
        let cases = [
            (Response::Pending, true),
            (Response::Accepted, true),
            (Response::Tentative, true),
            (Response::Declined, false),
        ];
        for (r, want) in cases {
            assert_eq!(books_time(r), want, "{r:?}");
        }
    }

    #[test]
    fn free_slots_earliest_and_on_the_grid() {
        let h = shanghai();
        let tz = h.tz;
        // 2026-03-02 is a Monday.
        assert_eq!(
            NaiveDate::from_ymd_opt(2026, 3, 2).unwrap().weekday(),
            Weekday::Mon
        );
        let from = utc(tz, "2026-03-02 00:00");
        let to = utc(tz, "2026-03-07 00:00");
        let slots = free_slots(&[], from, to, 60, &h, 1);
        assert_eq!(
            slots,
            vec![(utc(tz, "2026-03-02 09:00"), utc(tz, "2026-03-02 10:00"))]
        );
        // 09:00 Shanghai is 01:00 UTC.
        assert_eq!(slots[0].0, dt("2026-03-02 01:00"));
        // Starting mid-slot moves to the next grid point.
        let from = utc(tz, "2026-03-02 09:10");
        assert_eq!(
            local_slots(tz, &free_slots(&[], from, to, 60, &h, 2)),
            ["2026-03-02 09:30-10:30", "2026-03-02 10:00-11:00"]
        );
        // Exactly on a grid point is allowed.
        let from = utc(tz, "2026-03-02 09:30");
        assert_eq!(
            local_slots(tz, &free_slots(&[], from, to, 45, &h, 1)),
            ["2026-03-02 09:30-10:15"]
        );
        // Working hours that start off the grid begin at the next grid point.
        let odd = WorkingHours {
            start_minute: 545,
            ..shanghai()
        };
        let from = utc(tz, "2026-03-02 00:00");
        assert_eq!(
            local_slots(tz, &free_slots(&[], from, to, 30, &odd, 1)),
            ["2026-03-02 09:30-10:00"]
        );
    }

    #[test]
    fn free_slots_skip_busy() {
        let h = shanghai();
        let tz = h.tz;
        let from = utc(tz, "2026-03-02 00:00");
        let to = utc(tz, "2026-03-07 00:00");
        let busy = [
            (utc(tz, "2026-03-02 09:00"), utc(tz, "2026-03-02 10:00")),
            (utc(tz, "2026-03-02 10:45"), utc(tz, "2026-03-02 11:15")),
        ];
        // 10:00 touches the first busy block's end (allowed) but 10:00-11:00 overlaps the
        // second; 10:30 and 11:00 overlap it too; 11:30 is free.
        assert_eq!(
            local_slots(tz, &free_slots(&busy, from, to, 60, &h, 2)),
            ["2026-03-02 11:30-12:30", "2026-03-02 12:00-13:00"]
        );
        // 30 minutes fit between them (10:00-10:30); 10:30-11:00 and 11:00-11:30 overlap.
        assert_eq!(
            local_slots(tz, &free_slots(&busy, from, to, 30, &h, 2)),
            ["2026-03-02 10:00-10:30", "2026-03-02 11:30-12:00"]
        );
        // A busy block ending exactly at a slot start leaves the slot free.
        let busy = [(utc(tz, "2026-03-02 08:00"), utc(tz, "2026-03-02 09:00"))];
        assert_eq!(
            local_slots(tz, &free_slots(&busy, from, to, 60, &h, 1)),
            ["2026-03-02 09:00-10:00"]
        );
        // A whole busy day moves to the next working day; empty busy intervals block nothing.
        let busy = [
            (utc(tz, "2026-03-02 00:00"), utc(tz, "2026-03-03 00:00")),
            (utc(tz, "2026-03-03 09:00"), utc(tz, "2026-03-03 09:00")),
        ];
        assert_eq!(
            local_slots(tz, &free_slots(&busy, from, to, 60, &h, 1)),
            ["2026-03-03 09:00-10:00"]
        );
    }

    #[test]
    fn free_slots_respect_working_hours_and_weekends() {
        let h = shanghai();
        let tz = h.tz;
        // Friday afternoon to the next Tuesday: the weekend is skipped.
        let from = utc(tz, "2026-03-06 16:00");
        let to = utc(tz, "2026-03-10 00:00");
        assert_eq!(
            local_slots(tz, &free_slots(&[], from, to, 60, &h, 4)),
            [
                "2026-03-06 16:00-17:00",
                "2026-03-06 16:30-17:30",
                "2026-03-09 09:00-10:00",
                "2026-03-09 09:30-10:30",
            ]
        );
        // 17:00-18:00 would cross 17:30 and is skipped; so is everything before 09:00.
        let from = utc(tz, "2026-03-02 00:00");
        let to = utc(tz, "2026-03-03 00:00");
        let day = free_slots(&[], from, to, 60, &h, 100);
        let texts = local_slots(tz, &day);
        assert_eq!(texts.len(), 16, "{texts:?}");
        assert_eq!(texts.first().unwrap(), "2026-03-02 09:00-10:00");
        assert_eq!(texts.last().unwrap(), "2026-03-02 16:30-17:30");
        assert!(!texts.iter().any(|t| t.contains("17:00-18:00")));
        // A 90-minute slot ends exactly at 17:30 at the latest.
        let texts = local_slots(tz, &free_slots(&[], from, to, 90, &h, 100));
        assert_eq!(texts.last().unwrap(), "2026-03-02 16:00-17:30");
        // Busy until 16:45: 16:30 overlaps, 17:00 would cross 17:30, so the next day.
        let busy = [(utc(tz, "2026-03-02 09:00"), utc(tz, "2026-03-02 16:45"))];
        let to = utc(tz, "2026-03-07 00:00");
        assert_eq!(
            local_slots(tz, &free_slots(&busy, from, to, 60, &h, 1)),
            ["2026-03-03 09:00-10:00"]
        );
        // With weekends allowed, Saturday is offered.
        let any_day = WorkingHours {
            weekdays_only: false,
            ..shanghai()
        };
        let from = utc(tz, "2026-03-07 00:00");
        let to = utc(tz, "2026-03-09 00:00");
        assert_eq!(
            local_slots(tz, &free_slots(&[], from, to, 60, &any_day, 1)),
            ["2026-03-07 09:00-10:00"]
        );
        assert!(free_slots(&[], from, to, 60, &h, 10).is_empty());
        // A meeting longer than the working day never fits.
        let from = utc(tz, "2026-03-02 00:00");
        let to = utc(tz, "2026-03-07 00:00");
        assert!(free_slots(&[], from, to, 511, &h, 10).is_empty());
        assert_eq!(free_slots(&[], from, to, 510, &h, 10).len(), 5);
    }

    #[test]
    fn free_slots_bounds_and_max() {
        let h = shanghai();
        let tz = h.tz;
        let from = utc(tz, "2026-03-02 00:00");
        let to = utc(tz, "2026-03-07 00:00");
        assert_eq!(free_slots(&[], from, to, 60, &h, 3).len(), 3);
        assert_eq!(
            local_slots(tz, &free_slots(&[], from, to, 60, &h, 3)),
            [
                "2026-03-02 09:00-10:00",
                "2026-03-02 09:30-10:30",
                "2026-03-02 10:00-11:00",
            ]
        );
        // Five working days of 16 one-hour slots.
        assert_eq!(free_slots(&[], from, to, 60, &h, 1000).len(), 80);
        assert!(free_slots(&[], from, to, 60, &h, 0).is_empty());
        // Nonsense lengths and ranges give nothing.
        assert!(free_slots(&[], from, to, 0, &h, 5).is_empty());
        assert!(free_slots(&[], from, to, -30, &h, 5).is_empty());
        assert!(free_slots(&[], from, to, i64::MAX, &h, 5).is_empty());
        assert!(free_slots(&[], to, from, 60, &h, 5).is_empty());
        assert!(free_slots(&[], from, from, 60, &h, 5).is_empty());
        // A slot must end by `to`.
        let to = utc(tz, "2026-03-02 10:59");
        assert_eq!(
            local_slots(tz, &free_slots(&[], from, to, 60, &h, 10)),
            ["2026-03-02 09:00-10:00", "2026-03-02 09:30-10:30"]
        );
        let to = utc(tz, "2026-03-02 11:00");
        assert_eq!(free_slots(&[], from, to, 60, &h, 10).len(), 3);
        // Inverted working hours give nothing; an end past midnight is clamped to 24:00.
        let inverted = WorkingHours {
            start_minute: 1050,
            end_minute: 540,
            ..shanghai()
        };
        let to = utc(tz, "2026-03-07 00:00");
        assert!(free_slots(&[], from, to, 30, &inverted, 5).is_empty());
        let late = WorkingHours {
            start_minute: 1380,
            end_minute: 5000,
            ..shanghai()
        };
        assert_eq!(
            local_slots(tz, &free_slots(&[], from, to, 30, &late, 3)),
            [
                "2026-03-02 23:00-23:30",
                "2026-03-02 23:30-00:00",
                "2026-03-03 23:00-23:30",
            ]
        );
    }

    #[test]
    fn free_slots_across_daylight_saving() {
        let tz = chrono_tz::America::New_York;
        let h = WorkingHours {
            tz,
            start_minute: 540,
            end_minute: 1050,
            weekdays_only: true,
        };
        // 2026-03-08 (Sunday) clocks go forward: 09:00 is 14:00 UTC before and 13:00 after.
        let from = dt("2026-03-06 00:00");
        let to = dt("2026-03-11 00:00");
        let slots = free_slots(&[], from, to, 60, &h, 1000);
        let firsts: Vec<NaiveDateTime> = slots
            .iter()
            .map(|s| s.0)
            .filter(|s| local(tz, *s).ends_with("09:00"))
            .collect();
        assert_eq!(
            firsts,
            [
                dt("2026-03-06 14:00"),
                dt("2026-03-09 13:00"),
                dt("2026-03-10 13:00"),
            ]
        );
        for &(s, e) in &slots {
            assert_eq!(e - s, TimeDelta::minutes(60));
        }
        // Busy time given in UTC is compared in UTC: 13:00-14:00 UTC Monday is 09:00 local.
        let busy = [(dt("2026-03-09 13:00"), dt("2026-03-09 14:00"))];
        let from = dt("2026-03-09 00:00");
        assert_eq!(
            local_slots(tz, &free_slots(&busy, from, to, 60, &h, 1)),
            ["2026-03-09 10:00-11:00"]
        );

        // Around the clock, the missing hour (02:00-03:00) yields no slot and no slot spans it.
        let all_day = WorkingHours {
            tz,
            start_minute: 0,
            end_minute: 1440,
            weekdays_only: false,
        };
        let from = dt("2026-03-08 05:00"); // 00:00 EST
        let to = dt("2026-03-08 09:00"); // 05:00 EDT
        assert_eq!(
            local_slots(tz, &free_slots(&[], from, to, 60, &all_day, 100)),
            [
                "2026-03-08 00:00-01:00",
                "2026-03-08 00:30-01:30",
                "2026-03-08 03:00-04:00",
                "2026-03-08 03:30-04:30",
                "2026-03-08 04:00-05:00",
            ]
        );
        // 01:00-03:00 on the wall clock is only one real hour: not a two-hour slot.
        assert_eq!(
            local_slots(tz, &free_slots(&[], from, to, 120, &all_day, 100)),
            ["2026-03-08 03:00-05:00"]
        );
        // 2026-11-01 clocks go back: 01:00-02:00 happens twice, so no slot starts or ends in it.
        let from = dt("2026-11-01 04:00"); // 00:00 EDT
        let to = dt("2026-11-01 09:00"); // 04:00 EST
        assert_eq!(
            local_slots(tz, &free_slots(&[], from, to, 30, &all_day, 100)),
            [
                "2026-11-01 00:00-00:30",
                "2026-11-01 02:00-02:30",
                "2026-11-01 02:30-03:00",
                "2026-11-01 03:00-03:30",
                "2026-11-01 03:30-04:00",
            ]
        );
    }
}
