//! The status table of a meeting: who may take which action, and what input it needs.

use super::{Action, Status};
use crate::auth::Role;

/// Everything [`apply`] needs to know; the handler gathers it from the meeting and request.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    /// The caller is the meeting's convener (the convening role is checked in `roles`).
    pub is_convener: bool,
    /// Roles the caller holds at the meeting's place (grant at the place or an ancestor).
    pub roles: Vec<Role>,
    /// Non-empty `minutes` in the request.
    pub has_minutes: bool,
    /// Non-empty `reason` in the request.
    pub has_reason: bool,
    /// `starts_at` and `ends_at` are set and `starts_at < ends_at`.
    pub has_time: bool,
    /// In-person/hybrid meetings have a venue and online/hybrid ones an `online_url`.
    pub venue_or_link: bool,
}

/// A named refusal; each maps to an HTTP status and a stable code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    InvalidTransition,
    Forbidden,
    MinutesRequired,
    ReasonRequired,
    TimeRequired,
    VenueRequired,
}

impl crate::error::RuleRefusal for Refusal {
    fn code(self) -> &'static str {
        Refusal::code(self)
    }

    fn status(self) -> u16 {
        Refusal::status(self)
    }

    fn field(self) -> Option<&'static str> {
        Refusal::field(self)
    }
}

impl Refusal {
    /// Every refusal, so callers can list the codes (messages, API docs).
    pub const ALL: [Refusal; 6] = [
        Refusal::InvalidTransition,
        Refusal::Forbidden,
        Refusal::MinutesRequired,
        Refusal::ReasonRequired,
        Refusal::TimeRequired,
        Refusal::VenueRequired,
    ];

    /// The stable problem+json `code`.
    pub fn code(self) -> &'static str {
        match self {
            Refusal::InvalidTransition => "consultation.invalid_transition",
            Refusal::Forbidden => "permission.denied",
            Refusal::MinutesRequired => "consultation.minutes_required",
            Refusal::ReasonRequired => "consultation.reason_required",
            Refusal::TimeRequired => "consultation.time_required",
            Refusal::VenueRequired => "consultation.venue_required",
        }
    }

    /// The HTTP status: 409 for a state conflict, 403 for a missing role, 422 for missing input.
    pub fn status(self) -> u16 {
        match self {
            Refusal::InvalidTransition => 409,
            Refusal::Forbidden => 403,
            Refusal::MinutesRequired
            | Refusal::ReasonRequired
            | Refusal::TimeRequired
            | Refusal::VenueRequired => 422,
        }
    }

    /// The request field a 422 names, so the client can point at it.
    pub fn field(self) -> Option<&'static str> {
        match self {
            Refusal::MinutesRequired => Some("minutes"),
            Refusal::ReasonRequired => Some("reason"),
            Refusal::TimeRequired => Some("starts_at"),
            Refusal::VenueRequired => Some("venue"),
            Refusal::InvalidTransition | Refusal::Forbidden => None,
        }
    }
}

/// The action table: which actions exist for a status (drives `allowed_actions` in responses).
pub fn actions_for(status: Status) -> &'static [Action] {
    match status {
        Status::Draft => &[Action::Schedule, Action::Cancel],
        Status::Scheduled => &[Action::Start, Action::Cancel],
        Status::InProgress => &[Action::Conclude, Action::Cancel],
        Status::Concluded | Status::Cancelled => &[],
    }
}

/// Where an action in the table leads.
fn target(action: Action) -> Status {
    match action {
        Action::Schedule => Status::Scheduled,
        Action::Start => Status::InProgress,
        Action::Conclude => Status::Concluded,
        Action::Cancel => Status::Cancelled,
    }
}

/// Every action belongs to the convener while they still hold a convening role at the place,
/// or to sub-district staff at the place (who record outcomes and run meetings when the
/// convener cannot).
fn permitted(f: &Facts) -> bool {
    super::may_manage(f.is_convener, &f.roles)
}

/// Input the request must carry for `action` (422 refusals); time before venue on schedule.
fn check_input(action: Action, f: &Facts) -> Result<(), Refusal> {
    match action {
        Action::Schedule if !f.has_time => Err(Refusal::TimeRequired),
        Action::Schedule if !f.venue_or_link => Err(Refusal::VenueRequired),
        Action::Conclude if !f.has_minutes => Err(Refusal::MinutesRequired),
        Action::Cancel if !f.has_reason => Err(Refusal::ReasonRequired),
        _ => Ok(()),
    }
}

/// Applies `action` to a meeting in `status`, so the handler only stores the result. Table:
/// draft --schedule--> scheduled (needs time and venue/link); scheduled --start--> in_progress;
/// in_progress --conclude--> concluded (minutes required); draft|scheduled|in_progress
/// --cancel--> cancelled (reason required). Check order: (1) not in the table →
/// InvalidTransition; (2) neither convener nor sub-district staff → Forbidden; (3) missing
/// input → the 422 refusal; else Ok(next status).
pub fn apply(status: Status, action: Action, f: &Facts) -> Result<Status, Refusal> {
    if !actions_for(status).contains(&action) {
        return Err(Refusal::InvalidTransition);
    }
    if !permitted(f) {
        return Err(Refusal::Forbidden);
    }
    check_input(action, f)?;
    Ok(target(action))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every (status, action) cell written out by hand: the expected next status, or None when
    /// the action is not in the table for the status.
    const CELLS: [(Status, Action, Option<Status>); 20] = [
        (Status::Draft, Action::Schedule, Some(Status::Scheduled)),
        (Status::Draft, Action::Start, None),
        (Status::Draft, Action::Conclude, None),
        (Status::Draft, Action::Cancel, Some(Status::Cancelled)),
        (Status::Scheduled, Action::Schedule, None),
        (Status::Scheduled, Action::Start, Some(Status::InProgress)),
        (Status::Scheduled, Action::Conclude, None),
        (Status::Scheduled, Action::Cancel, Some(Status::Cancelled)),
        (Status::InProgress, Action::Schedule, None),
        (Status::InProgress, Action::Start, None),
        (
            Status::InProgress,
            Action::Conclude,
            Some(Status::Concluded),
        ),
        (Status::InProgress, Action::Cancel, Some(Status::Cancelled)),
        (Status::Concluded, Action::Schedule, None),
        (Status::Concluded, Action::Start, None),
        (Status::Concluded, Action::Conclude, None),
        (Status::Concluded, Action::Cancel, None),
        (Status::Cancelled, Action::Schedule, None),
        (Status::Cancelled, Action::Start, None),
        (Status::Cancelled, Action::Conclude, None),
        (Status::Cancelled, Action::Cancel, None),
    ];

    /// Facts with every input present, for a caller who is convener or not, with `roles`.
    fn full(is_convener: bool, roles: Vec<Role>) -> Facts {
        Facts {
            is_convener,
            roles,
            has_minutes: true,
            has_reason: true,
            has_time: true,
            venue_or_link: true,
        }
    }

    /// Facts with no input at all, for a caller who is convener or not, with `roles`.
    fn empty(is_convener: bool, roles: Vec<Role>) -> Facts {
        Facts {
            is_convener,
            roles,
            ..Facts::default()
        }
    }

    #[test]
    fn every_cell_with_every_input() {
        for (status, action, want) in CELLS {
            let got = apply(status, action, &full(true, vec![Role::CppccMember]));
            match want {
                Some(next) => assert_eq!(got, Ok(next), "{status:?} {action:?}"),
                None => assert_eq!(
                    got,
                    Err(Refusal::InvalidTransition),
                    "{status:?} {action:?}"
                ),
            }
        }
        // The hand-written cells cover every pair exactly once.
        for status in Status::ALL {
            for action in Action::ALL {
                let n = CELLS
                    .iter()
                    .filter(|c| c.0 == status && c.1 == action)
                    .count();
                assert_eq!(n, 1, "{status:?} {action:?}");
            }
        }
    }

    #[test]
    fn actions_for_matches_the_cells() {
        assert_eq!(
            actions_for(Status::Draft),
            &[Action::Schedule, Action::Cancel]
        );
        assert_eq!(
            actions_for(Status::Scheduled),
            &[Action::Start, Action::Cancel]
        );
        assert_eq!(
            actions_for(Status::InProgress),
            &[Action::Conclude, Action::Cancel]
        );
        assert!(actions_for(Status::Concluded).is_empty());
        assert!(actions_for(Status::Cancelled).is_empty());
        for (status, action, want) in CELLS {
            assert_eq!(
                actions_for(status).contains(&action),
                want.is_some(),
                "{status:?} {action:?}"
            );
        }
    }

    #[test]
    fn who_may_act() {
        for (status, action, want) in CELLS {
            let Some(next) = want else { continue };
            // The convener flag alone no longer suffices: a revoked convener loses control.
            assert_eq!(
                apply(status, action, &full(true, vec![])),
                Err(Refusal::Forbidden)
            );
            for role in Role::ALL {
                // A convener keeps the right only while holding a convening role (or staff).
                let got = apply(status, action, &full(true, vec![role]));
                if crate::consultations::rules::CONVENERS.contains(&role) {
                    assert_eq!(got, Ok(next), "{status:?} {action:?} convener+{role:?}");
                } else {
                    assert_eq!(
                        got,
                        Err(Refusal::Forbidden),
                        "{status:?} {action:?} convener+{role:?}"
                    );
                }
                // Without it, only sub-district staff may act.
                let got = apply(status, action, &full(false, vec![role]));
                if role == Role::SubdistrictStaff {
                    assert_eq!(got, Ok(next), "{status:?} {action:?} {role:?}");
                } else {
                    assert_eq!(
                        got,
                        Err(Refusal::Forbidden),
                        "{status:?} {action:?} {role:?}"
                    );
                }
            }
            // Every other role together still does not suffice.
            let others: Vec<Role> = Role::ALL
                .into_iter()
                .filter(|&r| r != Role::SubdistrictStaff)
                .collect();
            assert_eq!(
                apply(status, action, &full(false, others)),
                Err(Refusal::Forbidden)
            );
            assert_eq!(
                apply(status, action, &full(false, Role::ALL.to_vec())),
                Ok(next)
            );
            assert_eq!(
                apply(status, action, &full(false, vec![])),
                Err(Refusal::Forbidden)
            );
        }
    }

    #[test]
    fn required_input() {
        /// Facts of a convener with every input present except the ones `unset` clears.
        fn without(unset: fn(&mut Facts)) -> Facts {
            let mut f = full(true, vec![Role::CppccMember]);
            unset(&mut f);
            f
        }
        /// Facts of a convener with no input except the ones `set` gives.
        fn only(set: fn(&mut Facts)) -> Facts {
            let mut f = empty(true, vec![Role::CppccMember]);
            set(&mut f);
            f
        }
        use Action::*;
        // (status, action, facts, answer)
        let cases = [
            // Schedule: time, then venue or link.
            (
                Status::Draft,
                Schedule,
                without(|f| f.has_time = false),
                Err(Refusal::TimeRequired),
            ),
            (
                Status::Draft,
                Schedule,
                without(|f| f.venue_or_link = false),
                Err(Refusal::VenueRequired),
            ),
            (
                Status::Draft,
                Schedule,
                without(|f| {
                    f.has_time = false;
                    f.venue_or_link = false;
                }),
                Err(Refusal::TimeRequired),
            ),
            // Conclude: minutes.
            (
                Status::InProgress,
                Conclude,
                without(|f| f.has_minutes = false),
                Err(Refusal::MinutesRequired),
            ),
            // Cancel: a reason, from every cancellable status.
            (
                Status::Draft,
                Cancel,
                without(|f| f.has_reason = false),
                Err(Refusal::ReasonRequired),
            ),
            (
                Status::Scheduled,
                Cancel,
                without(|f| f.has_reason = false),
                Err(Refusal::ReasonRequired),
            ),
            (
                Status::InProgress,
                Cancel,
                without(|f| f.has_reason = false),
                Err(Refusal::ReasonRequired),
            ),
            // Start needs no input at all.
            (
                Status::Scheduled,
                Start,
                empty(true, vec![Role::CommunityStaff]),
                Ok(Status::InProgress),
            ),
            // Each action only asks for its own input.
            (
                Status::Draft,
                Schedule,
                only(|f| {
                    f.has_time = true;
                    f.venue_or_link = true;
                }),
                Ok(Status::Scheduled),
            ),
            (
                Status::InProgress,
                Conclude,
                only(|f| f.has_minutes = true),
                Ok(Status::Concluded),
            ),
            (
                Status::InProgress,
                Cancel,
                only(|f| f.has_reason = true),
                Ok(Status::Cancelled),
            ),
        ];
        for (status, action, facts, want) in cases {
            assert_eq!(
                apply(status, action, &facts),
                want,
                "{status:?} {action:?} {facts:?}"
            );
        }
    }

    #[test]
    fn check_order_table_then_role_then_input() {
        // Not in the table beats a missing role and missing input.
        for (status, action, want) in CELLS {
            if want.is_none() {
                assert_eq!(
                    apply(status, action, &empty(false, vec![Role::Resident])),
                    Err(Refusal::InvalidTransition),
                    "{status:?} {action:?}"
                );
            }
        }
        // A missing role beats missing input.
        for (status, action, want) in CELLS {
            if want.is_some() {
                assert_eq!(
                    apply(status, action, &empty(false, vec![Role::CommunityStaff])),
                    Err(Refusal::Forbidden),
                    "{status:?} {action:?}"
                );
            }
        }
        // With the role, the missing input is named.
        let staff = empty(false, vec![Role::SubdistrictStaff]);
        let named = [
            (Status::Draft, Action::Schedule, Refusal::TimeRequired),
            (
                Status::InProgress,
                Action::Conclude,
                Refusal::MinutesRequired,
            ),
            (Status::Scheduled, Action::Cancel, Refusal::ReasonRequired),
        ];
        for (status, action, refusal) in named {
            assert_eq!(
                apply(status, action, &staff),
                Err(refusal),
                "{status:?} {action:?}"
            );
        }
    }

    #[test]
    fn refusal_mapping() {
        let table: [(Refusal, &str, u16, Option<&str>); 6] = [
            (
                Refusal::InvalidTransition,
                "consultation.invalid_transition",
                409,
                None,
            ),
            (Refusal::Forbidden, "permission.denied", 403, None),
            (
                Refusal::MinutesRequired,
                "consultation.minutes_required",
                422,
                Some("minutes"),
            ),
            (
                Refusal::ReasonRequired,
                "consultation.reason_required",
                422,
                Some("reason"),
            ),
            (
                Refusal::TimeRequired,
                "consultation.time_required",
                422,
                Some("starts_at"),
            ),
            (
                Refusal::VenueRequired,
                "consultation.venue_required",
                422,
                Some("venue"),
            ),
        ];
        for (r, code, status, field) in table {
            assert_eq!(r.code(), code, "{r:?}");
            assert_eq!(r.status(), status, "{r:?}");
            assert_eq!(r.field(), field, "{r:?}");
        }
        let listed: Vec<Refusal> = table.iter().map(|t| t.0).collect();
        assert_eq!(listed, Refusal::ALL.to_vec());
    }
}
