//! Request and response types of the consultation endpoints.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use super::rules::{
    Action, Category, Consensus, FollowUpKind, Format, Kind, ProposalStatus, Response, Status,
};

/// A consultation meeting (协商会).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ConsultationOut {
    pub id: i64,
    pub place_id: i64,
    pub title: String,
    pub kind: Kind,
    pub format: Format,
    pub venue: Option<String>,
    pub online_url: Option<String>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub convener_id: i64,
    pub status: Status,
    pub minutes: Option<String>,
    pub cancel_reason: Option<String>,
    /// Send back as `expected_version` with transitions and edits.
    pub version: i32,
    pub concluded_at: Option<DateTime<Utc>>,
    /// When the meeting was really started (the `start` transition).
    pub started_at: Option<DateTime<Utc>>,
    /// Balanced participation: required categories that no invitation covers yet.
    pub missing_categories: Vec<Category>,
}

/// POST /api/v1/consultations
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
pub struct NewConsultation {
    pub place_id: i64,
    #[validate(
        custom(function = "crate::api::text::title"),
        length(min = 2, max = 200)
    )]
    #[schema(
        pattern = r"^[^\x00-\x1F\x7F-\x9F\u2028\u2029]*[^\s\x00-\x1F\x7F-\x9F\u2028\u2029\u200B-\u200D\u2060\uFEFF][^\x00-\x1F\x7F-\x9F\u2028\u2029]*$",
        min_length = 2,
        max_length = 200,
        example = "3号楼电梯改造微协商"
    )]
    pub title: String,
    pub kind: Kind,
    pub format: Format,
    #[validate(
        custom(function = "crate::api::text::title"),
        length(min = 1, max = 200)
    )]
    #[schema(
        pattern = r"^[^\x00-\x1F\x7F-\x9F\u2028\u2029]*[^\s\x00-\x1F\x7F-\x9F\u2028\u2029\u200B-\u200D\u2060\uFEFF][^\x00-\x1F\x7F-\x9F\u2028\u2029]*$",
        min_length = 1,
        max_length = 200,
        example = "幸福社区议事厅"
    )]
    pub venue: Option<String>,
    #[validate(custom(function = "crate::api::text::url"), length(max = 500))]
    #[schema(
        pattern = r"^[Hh][Tt][Tt][Pp][Ss]?://(?:[A-Za-z0-9-]+\.)*[A-Za-z][A-Za-z0-9-]*(?::(?:[0-9]{1,4}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5]))?(?:[/?#][^\s\x00-\x1F\x7F-\x9F\u2028\u2029]*)?$",
        max_length = 500
    )]
    pub online_url: Option<String>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// A catalog topic of the place (typically one from the escalation queue): it becomes
    /// the first agenda item.
    pub from_topic_id: Option<i64>,
}

/// PATCH /api/v1/consultations/{id}: edit or move (clashes are checked again).
#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct ConsultationPatch {
    #[validate(
        custom(function = "crate::api::text::title"),
        length(min = 2, max = 200)
    )]
    #[schema(
        pattern = r"^[^\x00-\x1F\x7F-\x9F\u2028\u2029]*[^\s\x00-\x1F\x7F-\x9F\u2028\u2029\u200B-\u200D\u2060\uFEFF][^\x00-\x1F\x7F-\x9F\u2028\u2029]*$",
        min_length = 2,
        max_length = 200
    )]
    pub title: Option<String>,
    #[validate(
        custom(function = "crate::api::text::title"),
        length(min = 1, max = 200)
    )]
    #[schema(
        pattern = r"^[^\x00-\x1F\x7F-\x9F\u2028\u2029]*[^\s\x00-\x1F\x7F-\x9F\u2028\u2029\u200B-\u200D\u2060\uFEFF][^\x00-\x1F\x7F-\x9F\u2028\u2029]*$",
        min_length = 1,
        max_length = 200
    )]
    pub venue: Option<String>,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub expected_version: i32,
}

/// POST /api/v1/consultations/{id}/transitions
#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct ConsultationTransition {
    pub action: Action,
    pub expected_version: i32,
    /// Required to conclude.
    #[validate(custom(function = "crate::api::text::prose"), length(max = 20000))]
    #[schema(
        pattern = r"^(?:[^\x00-\x08\x0B-\x1F\x7F-\x9F\u2028\u2029]|\r\n)*$",
        max_length = 20000
    )]
    pub minutes: Option<String>,
    /// Required to cancel.
    #[validate(custom(function = "crate::api::text::prose"), length(max = 2000))]
    #[schema(
        pattern = r"^(?:[^\x00-\x08\x0B-\x1F\x7F-\x9F\u2028\u2029]|\r\n)*$",
        max_length = 2000
    )]
    pub reason: Option<String>,
}

/// The answer to scheduling or moving: the meeting plus warnings (e.g. missing categories).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ScheduledOut {
    #[serde(flatten)]
    pub consultation: ConsultationOut,
    pub warnings: Vec<String>,
}

/// GET /api/v1/consultations filters.
#[derive(Debug, Deserialize, Validate, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ConsultationFilter {
    /// Meetings at this place or beneath it.
    pub place_id: Option<i64>,
    pub status: Option<Status>,
    /// Meetings ending after this instant.
    pub from: Option<DateTime<Utc>>,
    /// Meetings starting before this instant.
    pub to: Option<DateTime<Utc>>,
    /// Meetings this user convenes or is invited to.
    pub participant_id: Option<i64>,
    /// Only meetings within the caller's role places (the subtrees of their grants): the
    /// staff worklist.
    pub mine: Option<bool>,
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// An agenda item.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AgendaItemOut {
    pub id: i64,
    pub position: i32,
    pub title: String,
    pub topic_id: Option<i64>,
    pub presenter_id: Option<i64>,
    pub minutes: i32,
}

/// POST /api/v1/consultations/{id}/agenda-items
#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct NewAgendaItem {
    #[validate(
        custom(function = "crate::api::text::title"),
        length(min = 1, max = 200)
    )]
    #[schema(
        pattern = r"^[^\x00-\x1F\x7F-\x9F\u2028\u2029]*[^\s\x00-\x1F\x7F-\x9F\u2028\u2029\u200B-\u200D\u2060\uFEFF][^\x00-\x1F\x7F-\x9F\u2028\u2029]*$",
        min_length = 1,
        max_length = 200
    )]
    pub title: String,
    /// A catalog topic in discuss or later, within the meeting's place.
    pub topic_id: Option<i64>,
    pub presenter_id: Option<i64>,
    #[validate(range(min = 1, max = 1440))]
    #[schema(minimum = 1, maximum = 1440)]
    pub minutes: i32,
}

/// POST /api/v1/consultations/{id}/agenda-items/reorder
#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct Reorder {
    /// Every agenda item id, in the new order.
    #[validate(length(min = 1, max = 100))]
    #[schema(min_items = 1, max_items = 100)]
    pub item_ids: Vec<i64>,
}

/// An invitation.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct InvitationOut {
    pub id: i64,
    pub user_id: Option<i64>,
    pub organization_id: Option<i64>,
    pub category: Category,
    pub response: Response,
    pub attended: bool,
}

/// GET /api/v1/consultations/{id}/invitations: the named list for the meeting's participants
/// (invitees, users acting for an invited organisation at the meeting's place) and its staff
/// (the convener, conveners and admins at the place); everyone else gets `items` empty,
/// `named` false and only the `counts`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct InvitationsOut {
    pub items: Vec<InvitationOut>,
    /// Always null: the list is never paged.
    pub next_cursor: Option<String>,
    /// Whether `items` names the invitees (false: counts only).
    pub named: bool,
    /// Invitations by participant category (category name → number), for everyone.
    pub counts: std::collections::BTreeMap<String, i64>,
}

/// POST /api/v1/consultations/{id}/invitations
#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct NewInvitation {
    /// A user, or an organisation (one of the two).
    pub user_id: Option<i64>,
    pub organization_id: Option<i64>,
    pub category: Category,
}

/// POST /api/v1/consultations/{id}/rsvp
#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct Rsvp {
    pub response: Response,
}

/// POST /api/v1/consultations/{id}/attendance
#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct Attendance {
    /// Invitation ids of those who attended; the others are recorded absent.
    #[validate(length(max = 500))]
    #[schema(max_items = 500)]
    pub attended_invitation_ids: Vec<i64>,
}

/// A follow-up to create with an outcome.
#[derive(Debug, Clone, Deserialize, Serialize, Validate, ToSchema)]
pub struct FollowUp {
    pub kind: FollowUpKind,
    #[validate(
        custom(function = "crate::api::text::title"),
        length(min = 1, max = 200)
    )]
    #[schema(
        pattern = r"^[^\x00-\x1F\x7F-\x9F\u2028\u2029]*[^\s\x00-\x1F\x7F-\x9F\u2028\u2029\u200B-\u200D\u2060\uFEFF][^\x00-\x1F\x7F-\x9F\u2028\u2029]*$",
        min_length = 1,
        max_length = 200
    )]
    pub title: String,
    /// For a task: the responsible organisation; for a proposal: the answering organisation.
    pub organization_id: Option<i64>,
    /// For a task.
    pub due_at: Option<DateTime<Utc>>,
}

/// POST /api/v1/consultations/{id}/outcomes
#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct NewOutcome {
    pub agenda_item_id: i64,
    #[validate(
        custom(function = "crate::api::text::text"),
        length(min = 1, max = 5000)
    )]
    #[schema(
        pattern = r"^(?:[^\x00-\x08\x0B-\x1F\x7F-\x9F\u2028\u2029]|\r\n)*[^\s\x00-\x1F\x7F-\x9F\u2028\u2029\u200B-\u200D\u2060\uFEFF](?:[^\x00-\x08\x0B-\x1F\x7F-\x9F\u2028\u2029]|\r\n)*$",
        min_length = 1,
        max_length = 5000
    )]
    pub decision: String,
    pub consensus: Consensus,
    #[validate(length(max = 20), nested)]
    #[schema(max_items = 20)]
    #[serde(default)]
    pub follow_ups: Vec<FollowUp>,
}

/// A recorded follow-up and what it became.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct FollowUpOut {
    pub kind: FollowUpKind,
    pub title: String,
    pub task_id: Option<i64>,
    pub proposal_id: Option<i64>,
}

/// An outcome of one agenda item.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OutcomeOut {
    pub id: i64,
    pub agenda_item_id: i64,
    pub decision: String,
    pub consensus: Consensus,
    pub recorded_by: i64,
    pub follow_ups: Vec<FollowUpOut>,
    pub created_at: DateTime<Utc>,
}

/// A CPPCC proposal 提案 or public-opinion report 社情民意.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ProposalOut {
    pub id: i64,
    pub kind: FollowUpKind,
    pub title: String,
    pub outcome_id: Option<i64>,
    pub topic_id: Option<i64>,
    pub author_id: i64,
    pub organization_id: Option<i64>,
    pub status: ProposalStatus,
    pub answer: Option<String>,
}

/// POST /api/v1/proposals/{id}/transitions
#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct ProposalTransition {
    pub to: ProposalStatus,
    #[validate(
        custom(function = "crate::api::text::text"),
        length(min = 1, max = 5000)
    )]
    #[schema(
        pattern = r"^(?:[^\x00-\x08\x0B-\x1F\x7F-\x9F\u2028\u2029]|\r\n)*[^\s\x00-\x1F\x7F-\x9F\u2028\u2029\u200B-\u200D\u2060\uFEFF](?:[^\x00-\x08\x0B-\x1F\x7F-\x9F\u2028\u2029]|\r\n)*$",
        min_length = 1,
        max_length = 5000
    )]
    pub answer: Option<String>,
}

/// POST /api/v1/consultations/{id}/minutes/dissent
#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct Dissent {
    #[validate(
        custom(function = "crate::api::text::text"),
        length(min = 1, max = 2000)
    )]
    #[schema(
        pattern = r"^(?:[^\x00-\x08\x0B-\x1F\x7F-\x9F\u2028\u2029]|\r\n)*[^\s\x00-\x1F\x7F-\x9F\u2028\u2029\u200B-\u200D\u2060\uFEFF](?:[^\x00-\x08\x0B-\x1F\x7F-\x9F\u2028\u2029]|\r\n)*$",
        min_length = 1,
        max_length = 2000
    )]
    pub text: String,
}

/// The minutes sign-off record 纪要确认. Who signed is named for the meeting's participants
/// and staff only (`named`); everyone else sees the counts and the dissent texts without
/// their authors.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SignoffOut {
    /// Whether `confirmed_by` and the dissents' `user_id` name the signers.
    pub named: bool,
    /// Users who confirmed (empty when not `named`).
    pub confirmed_by: Vec<i64>,
    /// How many confirmed.
    pub confirmed_count: i64,
    pub dissents: Vec<DissentOut>,
    /// Last moment to confirm or dissent.
    pub deadline: Option<DateTime<Utc>>,
    /// Categories of the invitations whose invitees attended.
    pub attended_categories: Vec<Category>,
}

/// One dissent.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DissentOut {
    /// The dissenter (null when the caller may not see names).
    pub user_id: Option<i64>,
    pub text: String,
}

/// GET /api/v1/consultations/free-slots
#[derive(Debug, Deserialize, Validate, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FreeSlotQuery {
    /// Comma-separated user ids who must all be free (at most 50).
    #[validate(
        custom(function = "crate::api::text::line"),
        length(min = 1, max = 500)
    )]
    #[param(pattern = r"^ *-?[0-9]{1,18} *(?:, *-?[0-9]{1,18} *)*$")]
    pub users: String,
    /// A venue's place (its meetings also block it).
    pub place: Option<i64>,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    #[validate(range(min = 15, max = 480))]
    #[param(minimum = 15, maximum = 480)]
    pub minutes: i64,
}

/// A proposed slot.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Slot {
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

/// The per-user calendar feed address (token in the URL, as feeds need).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct FeedOut {
    pub url: String,
}

/// Calendar feed query.
#[derive(Debug, Deserialize, Validate, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FeedQuery {
    /// The token from POST /api/v1/me/calendar-feed.
    #[validate(
        custom(function = "crate::api::text::line"),
        length(min = 1, max = 128)
    )]
    #[param(pattern = r"^[^\x00-\x1F\x7F-\x9F\u2028\u2029]*$")]
    pub token: String,
}
