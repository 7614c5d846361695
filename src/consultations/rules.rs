//! Pure rules of consultations 协商会: the meeting workflow of SPEC.md ("Consultations (协商会)
//! and agendas"), clashes, agenda length, balanced participation, free-slot search, minutes
//! sign-off and the proposal lifecycle, as plain functions. No HTTP, no database, no clock: the
//! handlers gather the [`Facts`] and the times and turn a [`Refusal`] into a problem response,
//! so every rule can be tested exhaustively here.

use chrono::{Datelike, NaiveDateTime, NaiveTime, TimeDelta, TimeZone, Weekday};

use crate::auth::Role;

crate::wire_enum! {
    /// The kind of meeting, as seen in the reports of DOMAIN.md ("Meetings"); drives which
    /// participant categories are required and whether the outcome satisfies the `major` rule.
    pub enum Kind {
        /// 微协商: small, in a community, often convened by a CPPCC member.
        MicroConsultation = "micro_consultation",
        /// 院坝协商: courtyard meeting.
        Courtyard = "courtyard",
        /// 意见征询会: opinion-solicitation meeting.
        OpinionSolicitation = "opinion_solicitation",
        /// 听证会: hearing.
        Hearing = "hearing",
        /// 对口协商: counterpart consultation.
        Counterpart = "counterpart",
        /// 界别协商: sector consultation.
        Sector = "sector",
        /// 政情通报会: government briefing.
        Briefing = "briefing",
        /// 调研: field research visit.
        ResearchVisit = "research_visit",
    }
}

impl Kind {
    /// Hearings and opinion solicitations are the meetings whose outcomes let a `major` topic
    /// be decided (the topic workflow's hearing requirement).
    pub fn decides_major(self) -> bool {
        matches!(self, Kind::Hearing | Kind::OpinionSolicitation)
    }

    /// Participant categories this kind needs for balanced participation, so scheduling can
    /// warn when one is missing: a hearing needs residents, the property firm and the
    /// responsible department (SPEC.md); other kinds require none.
    pub fn required_categories(self) -> &'static [Category] {
        match self {
            Kind::Hearing => &[
                Category::ResidentRep,
                Category::PropertyFirm,
                Category::Department,
            ],
            Kind::MicroConsultation
            | Kind::Courtyard
            | Kind::OpinionSolicitation
            | Kind::Counterpart
            | Kind::Sector
            | Kind::Briefing
            | Kind::ResearchVisit => &[],
        }
    }
}

crate::wire_enum! {
    /// Where a meeting happens; decides whether it needs a venue, an online link, or both.
    pub enum Format {
        InPerson = "in_person",
        Online = "online",
        Hybrid = "hybrid",
    }
}

impl Format {
    /// In-person and hybrid meetings need a venue (and can double-book it).
    pub fn needs_venue(self) -> bool {
        matches!(self, Format::InPerson | Format::Hybrid)
    }

    /// Online and hybrid meetings need an online link.
    pub fn needs_link(self) -> bool {
        matches!(self, Format::Online | Format::Hybrid)
    }
}

crate::wire_enum! {
    /// Where a meeting is in its life; only the table of [`apply`] moves it.
    pub enum Status {
        Draft = "draft",
        Scheduled = "scheduled",
        InProgress = "in_progress",
        Concluded = "concluded",
        Cancelled = "cancelled",
    }
}

crate::wire_enum! {
    /// A transition request's verb (`POST /consultations/{id}/transitions {action}`).
    #[schema(as = ConsultationAction)]
    pub enum Action {
        Schedule = "schedule",
        Start = "start",
        Conclude = "conclude",
        Cancel = "cancel",
    }
}

crate::wire_enum! {
    /// The participant category of an invitation, for balanced participation (界别/身份).
    #[schema(as = ParticipantCategory)]
    pub enum Category {
        ResidentRep = "resident_rep",
        PropertyFirm = "property_firm",
        OwnersCommittee = "owners_committee",
        CppccMember = "cppcc_member",
        NpcDeputy = "npc_deputy",
        Department = "department",
        Expert = "expert",
        RespectedLocal = "respected_local",
        SocialOrg = "social_org",
    }
}

crate::wire_enum! {
    /// An invitee's RSVP; pending until they answer.
    pub enum Response {
        Pending = "pending",
        Accepted = "accepted",
        Declined = "declined",
        Tentative = "tentative",
    }
}

crate::wire_enum! {
    /// How far an agenda item's outcome was agreed.
    pub enum Consensus {
        Unanimous = "unanimous",
        Majority = "majority",
        None = "none",
    }
}

crate::wire_enum! {
    /// What an outcome's follow-up becomes: a plan task of the topic, a CPPCC proposal 提案, or a
    /// public-opinion report 社情民意.
    pub enum FollowUpKind {
        Task = "task",
        Proposal = "proposal",
        OpinionReport = "opinion_report",
    }
}

crate::wire_enum! {
    /// Where a proposal (提案/社情民意) drafted from an outcome is; see [`next_proposal_status`].
    pub enum ProposalStatus {
        Draft = "draft",
        Submitted = "submitted",
        Accepted = "accepted",
        Answered = "answered",
    }
}

/// Roles that convene meetings (SPEC: cppcc_member, community_staff, subdistrict_staff).
pub const CONVENERS: [Role; 3] = [
    Role::CppccMember,
    Role::CommunityStaff,
    Role::SubdistrictStaff,
];

/// May a caller with `roles` at the place create (convene) a meeting there?
pub fn may_convene(roles: &[Role]) -> bool {
    roles.iter().any(|r| CONVENERS.contains(r))
}

/// Everything [`apply`] needs to know; the handler gathers it from the meeting and request.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    /// The caller is the meeting's convener.
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

/// Every action belongs to the convener, or to sub-district staff at the place (who record
/// outcomes and run meetings when the convener cannot).
fn permitted(f: &Facts) -> bool {
    f.is_convener || f.roles.contains(&Role::SubdistrictStaff)
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

    use chrono::{NaiveDate, Utc};

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
    fn every_cell_with_every_input() {
        for (status, action, want) in CELLS {
            let got = apply(status, action, &full(true, vec![]));
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
            // The convener flag alone suffices.
            assert_eq!(apply(status, action, &full(true, vec![])), Ok(next));
            for role in Role::ALL {
                // A convener keeps the right whatever else they hold.
                assert_eq!(
                    apply(status, action, &full(true, vec![role])),
                    Ok(next),
                    "{status:?} {action:?} convener+{role:?}"
                );
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
        let base = full(true, vec![]);
        // Schedule: time, then venue or link.
        let f = Facts {
            has_time: false,
            ..base.clone()
        };
        assert_eq!(
            apply(Status::Draft, Action::Schedule, &f),
            Err(Refusal::TimeRequired)
        );
        let f = Facts {
            venue_or_link: false,
            ..base.clone()
        };
        assert_eq!(
            apply(Status::Draft, Action::Schedule, &f),
            Err(Refusal::VenueRequired)
        );
        let f = Facts {
            has_time: false,
            venue_or_link: false,
            ..base.clone()
        };
        assert_eq!(
            apply(Status::Draft, Action::Schedule, &f),
            Err(Refusal::TimeRequired)
        );
        // Conclude: minutes.
        let f = Facts {
            has_minutes: false,
            ..base.clone()
        };
        assert_eq!(
            apply(Status::InProgress, Action::Conclude, &f),
            Err(Refusal::MinutesRequired)
        );
        // Cancel: a reason, from every cancellable status.
        let f = Facts {
            has_reason: false,
            ..base.clone()
        };
        for status in [Status::Draft, Status::Scheduled, Status::InProgress] {
            assert_eq!(
                apply(status, Action::Cancel, &f),
                Err(Refusal::ReasonRequired),
                "{status:?}"
            );
        }
        // Start needs no input at all.
        assert_eq!(
            apply(Status::Scheduled, Action::Start, &empty(true, vec![])),
            Ok(Status::InProgress)
        );
        // Each action only asks for its own input.
        let only = |set: fn(&mut Facts)| {
            let mut f = empty(true, vec![]);
            set(&mut f);
            f
        };
        assert_eq!(
            apply(
                Status::Draft,
                Action::Schedule,
                &only(|f| {
                    f.has_time = true;
                    f.venue_or_link = true;
                })
            ),
            Ok(Status::Scheduled)
        );
        assert_eq!(
            apply(
                Status::InProgress,
                Action::Conclude,
                &only(|f| f.has_minutes = true)
            ),
            Ok(Status::Concluded)
        );
        assert_eq!(
            apply(
                Status::InProgress,
                Action::Cancel,
                &only(|f| f.has_reason = true)
            ),
            Ok(Status::Cancelled)
        );
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
        assert_eq!(
            apply(Status::Draft, Action::Schedule, &staff),
            Err(Refusal::TimeRequired)
        );
        assert_eq!(
            apply(Status::InProgress, Action::Conclude, &staff),
            Err(Refusal::MinutesRequired)
        );
        assert_eq!(
            apply(Status::Scheduled, Action::Cancel, &staff),
            Err(Refusal::ReasonRequired)
        );
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

    #[test]
    fn conveners_and_kinds() {
        assert_eq!(
            CONVENERS,
            [
                Role::CppccMember,
                Role::CommunityStaff,
                Role::SubdistrictStaff
            ]
        );
        for role in Role::ALL {
            assert_eq!(
                may_convene(&[role]),
                matches!(
                    role,
                    Role::CppccMember | Role::CommunityStaff | Role::SubdistrictStaff
                ),
                "{role:?}"
            );
        }
        assert!(may_convene(&[Role::Resident, Role::CppccMember]));
        assert!(!may_convene(&[]));

        for kind in Kind::ALL {
            assert_eq!(
                kind.decides_major(),
                matches!(kind, Kind::Hearing | Kind::OpinionSolicitation),
                "{kind:?}"
            );
            if kind != Kind::Hearing {
                assert!(kind.required_categories().is_empty(), "{kind:?}");
            }
        }
        assert_eq!(
            Kind::Hearing.required_categories(),
            &[
                Category::ResidentRep,
                Category::PropertyFirm,
                Category::Department
            ]
        );

        assert!(Format::InPerson.needs_venue() && !Format::InPerson.needs_link());
        assert!(!Format::Online.needs_venue() && Format::Online.needs_link());
        assert!(Format::Hybrid.needs_venue() && Format::Hybrid.needs_link());
    }

    #[test]
    fn overlaps_half_open() {
        let t = |h: u32| dt(&format!("2026-03-02 {h:02}:00"));
        // Touching edges do not overlap, either way round.
        assert!(!overlaps(t(9), t(10), t(10), t(11)));
        assert!(!overlaps(t(10), t(11), t(9), t(10)));
        // Apart.
        assert!(!overlaps(t(9), t(10), t(11), t(12)));
        assert!(!overlaps(t(11), t(12), t(9), t(10)));
        // Partial, containing, contained, identical.
        assert!(overlaps(t(9), t(11), t(10), t(12)));
        assert!(overlaps(t(10), t(12), t(9), t(11)));
        assert!(overlaps(t(9), t(12), t(10), t(11)));
        assert!(overlaps(t(10), t(11), t(9), t(12)));
        assert!(overlaps(t(9), t(10), t(9), t(10)));
        // One minute of overlap is enough.
        assert!(overlaps(t(9), dt("2026-03-02 10:01"), t(10), t(11)));
        // Empty or inverted intervals overlap nothing.
        assert!(!overlaps(t(10), t(10), t(9), t(11)));
        assert!(!overlaps(t(9), t(11), t(10), t(10)));
        assert!(!overlaps(t(11), t(9), t(9), t(11)));
    }

    #[test]
    fn agenda_fits_or_overruns() {
        let s = dt("2026-03-02 09:00");
        let e = dt("2026-03-02 10:30");
        // Fits exactly.
        assert_eq!(agenda_overrun(s, e, &[30, 30, 30]), None);
        assert_eq!(agenda_overrun(s, e, &[90]), None);
        // Fits with time to spare.
        assert_eq!(agenda_overrun(s, e, &[20, 30]), None);
        // Overruns by N.
        assert_eq!(agenda_overrun(s, e, &[30, 30, 31]), Some(1));
        assert_eq!(agenda_overrun(s, e, &[60, 45]), Some(15));
        // Empty agenda always fits, even a zero-length meeting.
        assert_eq!(agenda_overrun(s, e, &[]), None);
        assert_eq!(agenda_overrun(s, s, &[]), None);
        // A zero-length or inverted meeting has no time for anything.
        assert_eq!(agenda_overrun(s, s, &[10]), Some(10));
        assert_eq!(agenda_overrun(e, s, &[10]), Some(10));
        // Negative allowances count as zero; zero ones take no time.
        assert_eq!(agenda_overrun(s, e, &[-60, 100]), Some(10));
        assert_eq!(agenda_overrun(s, e, &[0, 90, 0]), None);
        // Seconds in the meeting times: a partial minute short is a minute of overrun.
        let e2 = NaiveDateTime::new(e.date(), NaiveTime::from_hms_opt(10, 29, 30).unwrap());
        assert_eq!(agenda_overrun(s, e2, &[90]), Some(1));
        assert_eq!(agenda_overrun(s, e2, &[89]), None);
        // Large agendas do not overflow.
        assert_eq!(
            agenda_overrun(s, e, &[i32::MAX, i32::MAX]),
            Some(2 * i64::from(i32::MAX) - 90)
        );
    }

    #[test]
    fn booked_responses() {
        assert!(books_time(Response::Pending));
        assert!(books_time(Response::Accepted));
        assert!(books_time(Response::Tentative));
        assert!(!books_time(Response::Declined));
    }

    #[test]
    fn missing_categories_in_required_order() {
        use Category::*;
        let hearing = [ResidentRep, PropertyFirm, Department];
        assert_eq!(
            missing_categories(&hearing, &[]),
            vec![ResidentRep, PropertyFirm, Department]
        );
        assert_eq!(
            missing_categories(&hearing, &[Department, Expert, ResidentRep]),
            vec![PropertyFirm]
        );
        assert_eq!(
            missing_categories(&hearing, &[PropertyFirm]),
            vec![ResidentRep, Department]
        );
        assert_eq!(
            missing_categories(
                &hearing,
                &[Department, PropertyFirm, ResidentRep, ResidentRep]
            ),
            Vec::<Category>::new()
        );
        assert_eq!(missing_categories(&[], &[Expert]), Vec::<Category>::new());
        // Order follows `required`, not `invited` or declaration order.
        assert_eq!(
            missing_categories(&[SocialOrg, Expert, ResidentRep], &[Expert]),
            vec![SocialOrg, ResidentRep]
        );
        // A category required twice is reported once.
        assert_eq!(
            missing_categories(&[Expert, ResidentRep, Expert], &[]),
            vec![Expert, ResidentRep]
        );
        assert_eq!(
            missing_categories(&Category::ALL, &Category::ALL),
            Vec::<Category>::new()
        );
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

    #[test]
    fn names_round_trip() {
        fn check<T>(all: &[T], as_str: fn(T) -> &'static str, parse: fn(&str) -> Option<T>)
        where
            T: Copy + PartialEq + std::fmt::Debug + serde::Serialize + serde::de::DeserializeOwned,
        {
            let mut seen = std::collections::HashSet::new();
            for &v in all {
                let name = as_str(v);
                assert!(seen.insert(name), "duplicate name {name}");
                assert_eq!(parse(name), Some(v));
                // The serde wire name is the same as the stored name.
                let json = serde_json::to_string(&v).unwrap();
                assert_eq!(json, format!("\"{name}\""));
                let back: T = serde_json::from_str(&json).unwrap();
                assert_eq!(back, v);
            }
            assert_eq!(parse("nonsense"), None);
            assert_eq!(parse(""), None);
        }
        check(&Kind::ALL, Kind::as_str, Kind::parse);
        check(&Format::ALL, Format::as_str, Format::parse);
        check(&Status::ALL, Status::as_str, Status::parse);
        check(&Action::ALL, Action::as_str, Action::parse);
        check(&Category::ALL, Category::as_str, Category::parse);
        check(&Response::ALL, Response::as_str, Response::parse);
        check(&Consensus::ALL, Consensus::as_str, Consensus::parse);
        check(
            &FollowUpKind::ALL,
            FollowUpKind::as_str,
            FollowUpKind::parse,
        );
        check(
            &ProposalStatus::ALL,
            ProposalStatus::as_str,
            ProposalStatus::parse,
        );
        assert_eq!(Kind::MicroConsultation.as_str(), "micro_consultation");
        assert_eq!(Kind::ResearchVisit.as_str(), "research_visit");
        assert_eq!(Format::InPerson.as_str(), "in_person");
        assert_eq!(Status::InProgress.as_str(), "in_progress");
        assert_eq!(Category::NpcDeputy.as_str(), "npc_deputy");
        assert_eq!(Consensus::None.as_str(), "none");
        assert_eq!(FollowUpKind::OpinionReport.as_str(), "opinion_report");
        // Case matters on the wire.
        assert_eq!(Status::parse("Draft"), None);
        assert!(serde_json::from_str::<Status>("\"Draft\"").is_err());
    }
}
