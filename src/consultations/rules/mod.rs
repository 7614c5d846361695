//! Pure rules of consultations 协商会: the meeting workflow of SPEC.md ("Consultations (协商会)
//! and agendas"), clashes, agenda length, balanced participation, free-slot search, minutes
//! sign-off and the proposal lifecycle, as plain functions. No HTTP, no database, no clock: the
//! actions gather the [`Facts`] and the times and turn a [`Refusal`] into a problem response,
//! so every rule can be tested exhaustively here.
//!
//! `table` holds the status table, `slots` scheduling (overlap, agenda fit, free slots),
//! `participation` categories, sign-off and proposal steps, `held` when a meeting may start
//! or conclude and when a hearing counts as held.

mod held;
mod may;
mod participation;
mod slots;
mod table;

pub use held::*;
pub use may::*;
pub use participation::*;
pub use slots::*;
pub use table::*;

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

crate::wire_enum! {
    /// Where a meeting happens; decides whether it needs a venue, an online link, or both.
    pub enum Format {
        InPerson = "in_person",
        Online = "online",
        Hybrid = "hybrid",
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

/// Kinds whose concluded meetings, when [`held`], let a `major` topic be decided (the topic
/// workflow's hearing requirement); `queries::held_hearing` filters on exactly these.
pub const DECIDES_MAJOR: [Kind; 2] = [Kind::Hearing, Kind::OpinionSolicitation];

impl Format {
    /// In-person and hybrid meetings need a venue (and can double-book it).
    pub fn needs_venue(self) -> bool {
        matches!(self, Format::InPerson | Format::Hybrid)
    }

    /// Online and hybrid meetings need an online link.
    pub fn needs_link(self) -> bool {
        matches!(self, Format::Online | Format::Hybrid)
    }

    /// Formats that occupy a venue, for the venue clash check in SQL.
    pub fn with_venue() -> Vec<Format> {
        Format::ALL
            .into_iter()
            .filter(|f| f.needs_venue())
            .collect()
    }
}

/// Does a meeting of `format` have what it needs to be scheduled (a venue and/or a link)?
/// `Err` names the missing field: `venue`, or `online_url` when only the link is missing.
pub fn venue_or_link(format: Format, has_venue: bool, has_link: bool) -> Result<(), &'static str> {
    if format.needs_venue() && !has_venue {
        Err("venue")
    } else if format.needs_link() && !has_link {
        Err("online_url")
    } else {
        Ok(())
    }
}

/// Roles that convene meetings (SPEC: cppcc_member, community_staff, subdistrict_staff).
pub const CONVENERS: [Role; 3] = [
    Role::CppccMember,
    Role::CommunityStaff,
    Role::SubdistrictStaff,
];

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(DECIDES_MAJOR, [Kind::Hearing, Kind::OpinionSolicitation]);
        // (format, needs venue, needs link)
        for (format, venue, link) in [
            (Format::InPerson, true, false),
            (Format::Online, false, true),
            (Format::Hybrid, true, true),
        ] {
            assert_eq!(format.needs_venue(), venue, "{format:?}");
            assert_eq!(format.needs_link(), link, "{format:?}");
        }
        assert_eq!(Format::with_venue(), [Format::InPerson, Format::Hybrid]);
        // (format, has venue, has link, missing field)
        let cases = [
            (Format::InPerson, true, false, None),
            (Format::InPerson, false, true, Some("venue")),
            (Format::Online, false, true, None),
            (Format::Online, true, false, Some("online_url")),
            (Format::Hybrid, true, true, None),
            (Format::Hybrid, false, true, Some("venue")),
            (Format::Hybrid, true, false, Some("online_url")),
            (Format::Hybrid, false, false, Some("venue")),
        ];
        for (format, v, l, want) in cases {
            assert_eq!(
                venue_or_link(format, v, l).err(),
                want,
                "{format:?} {v} {l}"
            );
        }
    }

    #[test]
    fn names_are_pinned() {
        // Every value's round trip is checked once for all wire enums (wire.rs); these pin names.
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
