//! Balanced participation, minutes sign-off and the proposal lifecycle.

use chrono::{NaiveDateTime, TimeDelta};

use super::{Category, ProposalStatus, Status};

/// Required participant categories that no invitation covers, in `required` order (each once),
/// for the balanced-participation warning on scheduling.
pub fn missing_categories(required: &[Category], invited: &[Category]) -> Vec<Category> {
    let mut missing = Vec::new();
    for &c in required {
        if !invited.contains(&c) && !missing.contains(&c) {
            missing.push(c);
        }
    }
    missing
}

/// May an attendee confirm or dissent from the minutes (纪要确认): the meeting is concluded,
/// the caller attended, and `now < concluded_at + days`. A window of zero or fewer days never
/// opens; one too long to represent never closes.
pub fn may_sign_off(
    status: Status,
    concluded_at: Option<NaiveDateTime>,
    now: NaiveDateTime,
    days: i64,
    attended: bool,
) -> bool {
    let Some(concluded_at) = concluded_at else {
        return false;
    };
    if status != Status::Concluded || !attended || days <= 0 {
        return false;
    }
    match TimeDelta::try_days(days).and_then(|d| concluded_at.checked_add_signed(d)) {
        Some(deadline) => now < deadline,
        None => true,
    }
}

/// Proposal (提案/社情民意) lifecycle: is `current → to` a step of draft→submitted (by its
/// author), submitted→accepted (by staff or the answering organisation), accepted→answered
/// (answer text required)? Who may take the step and the answer text are the handler's checks;
/// this only says whether the step exists, so nothing skips or goes back.
pub fn next_proposal_status(current: ProposalStatus, to: ProposalStatus) -> bool {
    matches!(
        (current, to),
        (ProposalStatus::Draft, ProposalStatus::Submitted)
            | (ProposalStatus::Submitted, ProposalStatus::Accepted)
            | (ProposalStatus::Accepted, ProposalStatus::Answered)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dt(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    #[test]
    fn missing_categories_in_required_order() {
        use Category::*;
        let hearing: &[Category] = &[ResidentRep, PropertyFirm, Department];
        // (required, invited, missing)
        let cases: [(&[Category], &[Category], &[Category]); 8] = [
            (hearing, &[], &[ResidentRep, PropertyFirm, Department]),
            (hearing, &[Department, Expert, ResidentRep], &[PropertyFirm]),
            (hearing, &[PropertyFirm], &[ResidentRep, Department]),
            (
                hearing,
                &[Department, PropertyFirm, ResidentRep, ResidentRep],
                &[],
            ),
            (&[], &[Expert], &[]),
            // Order follows `required`, not `invited` or declaration order.
            (
                &[SocialOrg, Expert, ResidentRep],
                &[Expert],
                &[SocialOrg, ResidentRep],
            ),
            // A category required twice is reported once.
            (&[Expert, ResidentRep, Expert], &[], &[Expert, ResidentRep]),
            (&Category::ALL, &Category::ALL, &[]),
        ];
        for (required, invited, want) in cases {
            assert_eq!(
                missing_categories(required, invited),
                want.to_vec(),
                "{required:?} / {invited:?}"
            );
        }
    }

    #[test]
    fn sign_off_window() {
        let concluded = dt("2026-03-02 11:00");
        let deadline = dt("2026-03-09 11:00");
        let just_before = deadline - TimeDelta::seconds(1);
        let c = Some(concluded);
        assert!(may_sign_off(Status::Concluded, c, concluded, 7, true));
        assert!(may_sign_off(Status::Concluded, c, just_before, 7, true));
        // The deadline itself is too late.
        assert!(!may_sign_off(Status::Concluded, c, deadline, 7, true));
        assert!(!may_sign_off(
            Status::Concluded,
            c,
            deadline + TimeDelta::days(1),
            7,
            true
        ));
        // Only attendees.
        assert!(!may_sign_off(Status::Concluded, c, just_before, 7, false));
        // Only concluded meetings, and only with a conclusion time.
        for status in Status::ALL {
            assert_eq!(
                may_sign_off(status, c, concluded, 7, true),
                status == Status::Concluded,
                "{status:?}"
            );
        }
        assert!(!may_sign_off(Status::Concluded, None, concluded, 7, true));
        // A window of zero or fewer days never opens.
        assert!(!may_sign_off(Status::Concluded, c, concluded, 0, true));
        assert!(!may_sign_off(Status::Concluded, c, concluded, -1, true));
        // One too long to represent never closes.
        assert!(may_sign_off(
            Status::Concluded,
            c,
            dt("2999-01-01 00:00"),
            i64::MAX,
            true
        ));
    }

    #[test]
    fn proposal_steps() {
        use ProposalStatus::*;
        let allowed = [
            (Draft, Submitted),
            (Submitted, Accepted),
            (Accepted, Answered),
        ];
        for from in ProposalStatus::ALL {
            for to in ProposalStatus::ALL {
                assert_eq!(
                    next_proposal_status(from, to),
                    allowed.contains(&(from, to)),
                    "{from:?} -> {to:?}"
                );
            }
        }
        // Spot checks: no skipping, no going back, no staying.
        assert!(!next_proposal_status(Draft, Accepted));
        assert!(!next_proposal_status(Draft, Answered));
        assert!(!next_proposal_status(Answered, Draft));
        assert!(!next_proposal_status(Submitted, Submitted));
    }
}

/// Free/busy reach: may a convener whose convening grants sit at `convening` (place paths)
/// see the times of a person placed at `person` (their home place and every grant place)?
/// Only when one of the person's places lies within one of the convener's.
pub fn within_reach(convening: &[String], person: &[String]) -> bool {
    person
        .iter()
        .any(|p| convening.iter().any(|c| crate::auth::roles::covers(c, p)))
}

#[cfg(test)]
mod reach_tests {
    use super::within_reach;

    #[test]
    fn a_person_is_within_reach_when_one_of_their_places_is_inside_a_convening_place() {
        let s = |v: &[&str]| v.iter().map(|p| p.to_string()).collect::<Vec<_>>();
        // (convening places, the person's places, within)
        let cases = [
            (s(&["/1/2/"]), s(&["/1/2/3/"]), true),
            (s(&["/1/2/"]), s(&["/1/2/"]), true),
            (s(&["/1/2/"]), s(&["/1/"]), false),
            (s(&["/1/2/"]), s(&["/1/4/", "/1/2/9/"]), true),
            (s(&["/1/2/"]), s(&["/1/20/"]), false),
            (s(&[]), s(&["/1/2/3/"]), false),
            (s(&["/1/2/"]), s(&[]), false),
        ];
        for (convening, person, want) in cases {
            assert_eq!(
                within_reach(&convening, &person),
                want,
                "{convening:?} {person:?}"
            );
        }
    }
}
