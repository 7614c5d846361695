//! "May this caller do X" for a meeting: the same rules the actions enforce, as pure
//! functions, so pages show only the buttons whose action would be allowed.

use super::{Action, CONVENERS, Status, actions_for};
use crate::auth::Role;

/// Manage a meeting (edit, invite, agenda, transitions, attendance, outcomes): its convener
/// while still holding a convening role at the place, or sub-district staff there. `roles`
/// are the roles the caller holds at the meeting's place.
pub fn may_manage(is_convener: bool, roles: &[Role]) -> bool {
    let convener = is_convener && roles.iter().any(|r| CONVENERS.contains(r));
    convener || roles.contains(&Role::SubdistrictStaff)
}

/// Agenda, invitations, edits and answers (RSVP) change only while the meeting is ahead.
pub fn is_editable(status: Status) -> bool {
    matches!(status, Status::Draft | Status::Scheduled)
}

/// Attendance is recorded once the meeting has started (also after it concluded).
pub fn attendance_open(status: Status) -> bool {
    matches!(status, Status::InProgress | Status::Concluded)
}

/// The transitions a caller may offer: those of the status table, for a manager only.
pub fn transitions_offered(status: Status, manages: bool) -> Vec<Action> {
    if manages {
        actions_for(status).to_vec()
    } else {
        Vec::new()
    }
}

/// Record an outcome for an agenda item: a manager, after conclusion, once per item.
pub fn may_record_outcome(manages: bool, status: Status, item_has_outcome: bool) -> bool {
    manages && status == Status::Concluded && !item_has_outcome
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn managers() {
        // (is convener, roles, may manage)
        #[rustfmt::skip]
        let cases: [(bool, &[Role], bool); 7] = [
            (true, &[Role::CppccMember], true),
            (true, &[Role::CommunityStaff], true),
            (true, &[], false),
            (true, &[Role::Resident], false),
            (false, &[Role::CppccMember], false),
            (false, &[Role::SubdistrictStaff], true),
            (false, &[Role::Admin, Role::Resident], false),
        ];
        for (convener, roles, want) in cases {
            assert_eq!(may_manage(convener, roles), want, "{convener} {roles:?}");
        }
    }

    #[test]
    fn by_status() {
        for s in Status::ALL {
            assert_eq!(
                is_editable(s),
                matches!(s, Status::Draft | Status::Scheduled)
            );
            assert_eq!(
                attendance_open(s),
                matches!(s, Status::InProgress | Status::Concluded)
            );
            assert_eq!(transitions_offered(s, true), actions_for(s).to_vec());
            assert!(transitions_offered(s, false).is_empty());
            assert_eq!(may_record_outcome(true, s, false), s == Status::Concluded);
            assert!(!may_record_outcome(true, s, true));
            assert!(!may_record_outcome(false, s, false));
        }
    }
}
