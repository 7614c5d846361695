//! When a meeting may start or conclude (against its scheduled times and the wall clock the
//! action passes in), and when a hearing counts as held for the `major` rule of decide. A
//! meeting started and concluded weeks ahead of its time with nobody present is a sham; these
//! rules are what tells it from a real one.

use chrono::{Duration, NaiveDateTime};

use super::{Action, Category};

/// The timing bounds of the `[consultations]` settings.
#[derive(Debug, Clone, Copy)]
pub struct Timing {
    /// How long before the scheduled start the meeting may be started.
    pub start_margin: Duration,
    /// How long after the scheduled end a late start is still accepted.
    pub conclude_grace: Duration,
}

/// Why a start or conclusion is refused at this moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TooSoonOrLate {
    /// Before `starts_at − margin`.
    TooEarly,
    /// After `ends_at + grace` (start only: a meeting that ran may always be closed).
    TooLate,
}

impl TooSoonOrLate {
    /// The stable problem+json code (409, field `action`).
    pub fn code(self) -> &'static str {
        match self {
            TooSoonOrLate::TooEarly => "consultation.too_early",
            TooSoonOrLate::TooLate => "consultation.too_late",
        }
    }
}

/// May `action` happen `now` for a meeting scheduled over [starts, ends)? Start: from
/// `starts − margin` up to `ends + grace`. Conclude: from `starts − margin` on (a meeting may
/// begin within the margin, so a short one may also end there; the bound matters for meetings
/// started before start times were checked), never refused as late (a meeting that was held
/// may be closed late; it stays in progress otherwise). Schedule and cancel have no bound.
pub fn may_happen_now(
    action: Action,
    now: NaiveDateTime,
    starts: NaiveDateTime,
    ends: NaiveDateTime,
    t: Timing,
) -> Result<(), TooSoonOrLate> {
    match action {
        Action::Start if now < starts - t.start_margin => Err(TooSoonOrLate::TooEarly),
        Action::Start if now > ends + t.conclude_grace => Err(TooSoonOrLate::TooLate),
        Action::Conclude if now < starts - t.start_margin => Err(TooSoonOrLate::TooEarly),
        _ => Ok(()),
    }
}

/// What the action layer knows about one concluded hearing (or opinion solicitation) that
/// had the topic on its agenda.
#[derive(Debug, Clone)]
pub struct HeldFacts<'a> {
    /// When `start` really happened (None: never, or before it was recorded).
    pub started_at: Option<NaiveDateTime>,
    pub starts_at: NaiveDateTime,
    pub start_margin: Duration,
    /// Categories of the invitations recorded as attended.
    pub attended: &'a [Category],
    /// The categories the meeting's kind requires (`consultations.required_categories`).
    pub required: &'a [Category],
    /// An outcome was recorded for the topic's agenda item.
    pub has_outcome: bool,
}

/// One thing a hearing lacks to count as held.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotHeld {
    /// No recorded start.
    NotStarted,
    /// Started before `starts_at − margin`.
    StartedEarly,
    /// Required categories nobody attended for.
    Absent(Vec<Category>),
    /// No outcome for the topic's agenda item.
    NoOutcome,
}

impl NotHeld {
    /// English words for a refusal's detail.
    pub fn describe(&self) -> String {
        match self {
            NotHeld::NotStarted => "no recorded start".into(),
            NotHeld::StartedEarly => "started before its scheduled time".into(),
            NotHeld::Absent(c) => {
                let names: Vec<&str> = c.iter().map(|c| c.as_str()).collect();
                format!("no attendance of {}", names.join(", "))
            }
            NotHeld::NoOutcome => "no outcome for the topic".into(),
        }
    }
}

/// Was the meeting held? It started no earlier than `starts_at − margin`, attendance covers
/// every required category, and the topic's item has an outcome. `Err` lists every lack.
pub fn held(f: &HeldFacts<'_>) -> Result<(), Vec<NotHeld>> {
    let mut lacks = Vec::new();
    match f.started_at {
        None => lacks.push(NotHeld::NotStarted),
        Some(at) if at < f.starts_at - f.start_margin => lacks.push(NotHeld::StartedEarly),
        Some(_) => {}
    }
    let absent = super::missing_categories(f.required, f.attended);
    if !absent.is_empty() {
        lacks.push(NotHeld::Absent(absent));
    }
    if !f.has_outcome {
        lacks.push(NotHeld::NoOutcome);
    }
    if lacks.is_empty() { Ok(()) } else { Err(lacks) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Category::*;

    fn at(h: i64) -> NaiveDateTime {
        chrono::DateTime::from_timestamp(1_800_000_000, 0)
            .expect("a time")
            .naive_utc()
            + Duration::minutes(h)
    }

    #[test]
    fn start_and_conclude_windows() {
        let t = Timing {
            start_margin: Duration::minutes(60),
            conclude_grace: Duration::minutes(24 * 60),
        };
        // Scheduled [0, 120) minutes. (action, now in minutes, verdict)
        let (early, late) = (Err(TooSoonOrLate::TooEarly), Err(TooSoonOrLate::TooLate));
        let cases = [
            (Action::Start, -60 * 24 * 21, early),
            (Action::Start, -61, early),
            (Action::Start, -60, Ok(())),
            (Action::Start, 0, Ok(())),
            (Action::Start, 120 + 24 * 60, Ok(())),
            (Action::Start, 121 + 24 * 60, late),
            (Action::Conclude, -60 * 24 * 21, early),
            (Action::Conclude, -61, early),
            (Action::Conclude, -60, Ok(())),
            (Action::Conclude, 0, Ok(())),
            (Action::Conclude, 60 * 24 * 30, Ok(())),
            (Action::Schedule, -60 * 24 * 30, Ok(())),
            (Action::Cancel, 60 * 24 * 30, Ok(())),
        ];
        for (action, now, want) in cases {
            assert_eq!(
                may_happen_now(action, at(now), at(0), at(120), t),
                want,
                "{action:?} at {now}"
            );
        }
        assert_eq!(TooSoonOrLate::TooEarly.code(), "consultation.too_early");
        assert_eq!(TooSoonOrLate::TooLate.code(), "consultation.too_late");
    }

    #[test]
    fn held_needs_a_timely_start_the_required_categories_and_an_outcome() {
        let required = [ResidentRep, PropertyFirm, Department];
        let all = [Department, ResidentRep, PropertyFirm, Expert];
        let two = [ResidentRep, PropertyFirm];
        // (started, attended, required, outcome, lacks)
        type Case<'a> = (
            Option<i64>,
            &'a [Category],
            &'a [Category],
            bool,
            Vec<NotHeld>,
        );
        let cases: [Case<'_>; 9] = [
            (Some(0), &all, &required, true, vec![]),
            (Some(-60), &all, &required, true, vec![]),
            (Some(500), &all, &required, true, vec![]),
            (
                Some(-61),
                &all,
                &required,
                true,
                vec![NotHeld::StartedEarly],
            ),
            (None, &all, &required, true, vec![NotHeld::NotStarted]),
            (
                Some(0),
                &two,
                &required,
                true,
                vec![NotHeld::Absent(vec![Department])],
            ),
            (Some(0), &all, &required, false, vec![NotHeld::NoOutcome]),
            (Some(0), &[], &[], true, vec![]),
            (
                Some(-60 * 24 * 21),
                &[],
                &[ResidentRep],
                true,
                vec![NotHeld::StartedEarly, NotHeld::Absent(vec![ResidentRep])],
            ),
        ];
        for (started, attended, required, has_outcome, want) in cases {
            let f = HeldFacts {
                started_at: started.map(at),
                starts_at: at(0),
                start_margin: Duration::minutes(60),
                attended,
                required,
                has_outcome,
            };
            let got = held(&f).err().unwrap_or_default();
            assert_eq!(got, want, "{started:?} {attended:?} {has_outcome}");
        }
        assert_eq!(
            NotHeld::Absent(vec![Department, ResidentRep]).describe(),
            "no attendance of department, resident_rep"
        );
    }
}
