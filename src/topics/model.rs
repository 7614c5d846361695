//! Request and response types of the topic endpoints (separate from database rows).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use super::rules::{Action, Category, Resolution, Source, Stage, Stance};

/// A topic (议题) as callers see it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TopicOut {
    pub id: i64,
    pub place_id: i64,
    pub title: String,
    pub body: String,
    pub category: Category,
    pub source: Source,
    pub author_id: i64,
    /// The resident a grid worker or staff member raised it for.
    pub on_behalf_of: Option<i64>,
    pub stage: Stage,
    pub resolution: Option<Resolution>,
    /// 议事目录 number, e.g. `2026-0001`, once accepted.
    pub catalog_no: Option<String>,
    pub escalated: bool,
    pub major: bool,
    pub hot: bool,
    pub supporters_count: i32,
    /// The recorded decision (议) once decided.
    pub decision: Option<String>,
    pub merged_into: Option<i64>,
    /// Send it back as `expected_version` with a transition.
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub discuss_at: Option<DateTime<Utc>>,
    pub plan_at: Option<DateTime<Utc>>,
    pub act_at: Option<DateTime<Utc>>,
    pub evaluate_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    /// End of the evaluation window, while in evaluate.
    pub eval_closes_at: Option<DateTime<Utc>>,
}

/// POST /api/v1/topics
#[derive(Debug, Clone, Deserialize, Serialize, Validate, ToSchema)]
pub struct NewTopic {
    /// A community, grid or building.
    pub place_id: i64,
    #[validate(
        custom(function = "crate::api::text::title"),
        length(min = 2, max = 120)
    )]
    #[schema(
        pattern = r"^[^\x00-\x1F\x7F-\x9F\u2028\u2029]*[^\s\x00-\x1F\x7F-\x9F\u2028\u2029\u200B-\u200D\u2060\uFEFF][^\x00-\x1F\x7F-\x9F\u2028\u2029]*$",
        min_length = 2,
        max_length = 120,
        example = "3号楼电梯经常故障"
    )]
    pub title: String,
    #[validate(
        custom(function = "crate::api::text::text"),
        length(min = 1, max = 5000)
    )]
    #[schema(
        pattern = r"^(?:[^\x00-\x08\x0B-\x1F\x7F-\x9F\u2028\u2029]|\r\n)*[^\s\x00-\x1F\x7F-\x9F\u2028\u2029\u200B-\u200D\u2060\uFEFF](?:[^\x00-\x08\x0B-\x1F\x7F-\x9F\u2028\u2029]|\r\n)*$",
        min_length = 1,
        max_length = 5000
    )]
    pub body: String,
    pub category: Category,
    /// Major or specialist matters need a hearing before a decision.
    pub major: Option<bool>,
    /// A resident of the place the topic is raised for (grid workers and staff only).
    pub on_behalf_of: Option<i64>,
}

/// GET /api/v1/topics filters.
#[derive(Debug, Deserialize, Validate, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TopicFilter {
    /// Topics at this place or beneath it.
    pub place_id: Option<i64>,
    pub stage: Option<Stage>,
    pub category: Option<Category>,
    pub escalated: Option<bool>,
    /// With `escalated=true`: only topics not yet on the agenda of a meeting (the CPPCC
    /// members' queue, 请你来协商).
    pub unscheduled: Option<bool>,
    /// Only topics within the caller's role places (the subtrees of their grants): with
    /// `escalated=true&unscheduled=true` the CPPCC member's 请你来协商 queue, for staff their
    /// worklist.
    pub mine: Option<bool>,
    pub author_id: Option<i64>,
    /// Text in title or body (Chinese works: substring match).
    #[validate(
        custom(function = "crate::api::text::line"),
        length(min = 1, max = 100)
    )]
    #[param(pattern = r"^[^\x00-\x1F\x7F-\x9F\u2028\u2029]*$")]
    pub q: Option<String>,
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// POST /api/v1/topics/{id}/transitions
#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct TransitionRequest {
    pub action: Action,
    /// The topic `version` the caller saw; a stale one gets 409.
    pub expected_version: i32,
    #[validate(custom(function = "crate::api::text::prose"), length(max = 2000))]
    #[schema(
        pattern = r"^(?:[^\x00-\x08\x0B-\x1F\x7F-\x9F\u2028\u2029]|\r\n)*$",
        max_length = 2000
    )]
    pub note: Option<String>,
    /// Required for reject.
    #[validate(custom(function = "crate::api::text::prose"), length(max = 2000))]
    #[schema(
        pattern = r"^(?:[^\x00-\x08\x0B-\x1F\x7F-\x9F\u2028\u2029]|\r\n)*$",
        max_length = 2000
    )]
    pub reason: Option<String>,
    /// Required for merge: an open topic of the same community.
    pub target_topic_id: Option<i64>,
    /// Required for decide.
    #[validate(custom(function = "crate::api::text::prose"), length(max = 5000))]
    #[schema(
        pattern = r"^(?:[^\x00-\x08\x0B-\x1F\x7F-\x9F\u2028\u2029]|\r\n)*$",
        max_length = 5000
    )]
    pub decision: Option<String>,
}

/// A comment; hidden comments show their body only to their author and staff.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CommentOut {
    pub id: i64,
    pub topic_id: i64,
    pub author_id: i64,
    pub parent_id: Option<i64>,
    /// Empty when hidden and the caller is neither the author nor staff.
    pub body: String,
    pub stance: Stance,
    pub hidden: bool,
    pub hidden_reason: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// POST /api/v1/topics/{id}/comments
#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct NewComment {
    #[validate(
        custom(function = "crate::api::text::text"),
        length(min = 1, max = 2000)
    )]
    #[schema(
        pattern = r"^(?:[^\x00-\x08\x0B-\x1F\x7F-\x9F\u2028\u2029]|\r\n)*[^\s\x00-\x1F\x7F-\x9F\u2028\u2029\u200B-\u200D\u2060\uFEFF](?:[^\x00-\x08\x0B-\x1F\x7F-\x9F\u2028\u2029]|\r\n)*$",
        min_length = 1,
        max_length = 2000
    )]
    pub body: String,
    /// for / against / neutral; a side only during discuss.
    pub stance: Option<Stance>,
    pub parent_id: Option<i64>,
}

/// POST /api/v1/comments/{id}/hide
#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct HideRequest {
    #[validate(
        custom(function = "crate::api::text::text"),
        length(min = 1, max = 500)
    )]
    #[schema(
        pattern = r"^(?:[^\x00-\x08\x0B-\x1F\x7F-\x9F\u2028\u2029]|\r\n)*[^\s\x00-\x1F\x7F-\x9F\u2028\u2029\u200B-\u200D\u2060\uFEFF](?:[^\x00-\x08\x0B-\x1F\x7F-\x9F\u2028\u2029]|\r\n)*$",
        min_length = 1,
        max_length = 500
    )]
    pub reason: String,
}

/// Supporters after a support or its undo.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SupportOut {
    pub topic_id: i64,
    pub supporters_count: i32,
    pub supported: bool,
    pub hot: bool,
}

/// One timeline event; `hash` chains to `prev_hash`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct EventOut {
    pub id: i64,
    pub seq: i32,
    pub kind: crate::topics::events::EventKind,
    pub actor_id: Option<i64>,
    pub from_stage: Option<Stage>,
    pub to_stage: Option<Stage>,
    pub note: Option<String>,
    pub created_at: DateTime<Utc>,
    pub hash: String,
    pub prev_hash: String,
}

/// Cursor-less list of comments or events (bounded per page).
#[derive(Debug, Deserialize, Validate, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// A plan resource (筹: funds, labour, materials, venue).
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
pub struct Resource {
    pub kind: ResourceKind,
    /// Where it comes from: property maintenance fund, community fund, donation 乡贤, volunteers...
    #[validate(
        custom(function = "crate::api::text::title"),
        length(min = 1, max = 100)
    )]
    #[schema(
        pattern = r"^[^\x00-\x1F\x7F-\x9F\u2028\u2029]*[^\s\x00-\x1F\x7F-\x9F\u2028\u2029\u200B-\u200D\u2060\uFEFF][^\x00-\x1F\x7F-\x9F\u2028\u2029]*$",
        min_length = 1,
        max_length = 100,
        example = "住宅专项维修资金"
    )]
    pub source: String,
    #[validate(range(min = 0.0, max = 1.0e12))]
    #[schema(minimum = 0, maximum = 1.0e12)]
    pub amount: f64,
    #[validate(
        custom(function = "crate::api::text::title"),
        length(min = 1, max = 20)
    )]
    #[schema(
        pattern = r"^[^\x00-\x1F\x7F-\x9F\u2028\u2029]*[^\s\x00-\x1F\x7F-\x9F\u2028\u2029\u200B-\u200D\u2060\uFEFF][^\x00-\x1F\x7F-\x9F\u2028\u2029]*$",
        min_length = 1,
        max_length = 20,
        example = "元"
    )]
    pub unit: String,
}

crate::wire_enum! {
    /// Kinds of resource.
    pub enum ResourceKind {
        Funds = "funds",
        Labour = "labour",
        Materials = "materials",
        Venue = "venue",
    }
}

/// PUT /api/v1/topics/{id}/plan
#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct PlanRequest {
    #[validate(
        custom(function = "crate::api::text::text"),
        length(min = 1, max = 5000)
    )]
    #[schema(
        pattern = r"^(?:[^\x00-\x08\x0B-\x1F\x7F-\x9F\u2028\u2029]|\r\n)*[^\s\x00-\x1F\x7F-\x9F\u2028\u2029\u200B-\u200D\u2060\uFEFF](?:[^\x00-\x08\x0B-\x1F\x7F-\x9F\u2028\u2029]|\r\n)*$",
        min_length = 1,
        max_length = 5000
    )]
    pub summary: String,
    #[validate(length(max = 50), nested)]
    #[schema(max_items = 50)]
    #[serde(default)]
    pub resources: Vec<Resource>,
}

/// Where a plan stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PlanStatus {
    Draft,
    Published,
    Approved,
}

/// The plan (筹) with its resources and tasks.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PlanOut {
    pub topic_id: i64,
    pub summary: String,
    pub status: PlanStatus,
    /// Bumped on each publication.
    pub revision: i32,
    pub published_at: Option<DateTime<Utc>>,
    /// End of the public notice period 公示期.
    pub notice_ends_at: Option<DateTime<Utc>>,
    pub approved_at: Option<DateTime<Utc>>,
    pub resources: Vec<Resource>,
    pub tasks: Vec<TaskOut>,
}

crate::wire_enum! {
    /// Task states.
    pub enum TaskStatus {
        Todo = "todo",
        InProgress = "in_progress",
        Done = "done",
        Blocked = "blocked",
    }
}

/// A task of a plan.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TaskOut {
    pub id: i64,
    pub topic_id: i64,
    pub title: String,
    pub organization_id: Option<i64>,
    pub assignee_id: Option<i64>,
    pub due_at: DateTime<Utc>,
    pub status: TaskStatus,
    /// Past due and not done (督办).
    pub overdue: bool,
    pub version: i32,
    pub done_at: Option<DateTime<Utc>>,
}

/// POST /api/v1/topics/{id}/tasks
#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct NewTask {
    #[validate(
        custom(function = "crate::api::text::title"),
        length(min = 1, max = 200)
    )]
    #[schema(
        pattern = r"^[^\x00-\x1F\x7F-\x9F\u2028\u2029]*[^\s\x00-\x1F\x7F-\x9F\u2028\u2029\u200B-\u200D\u2060\uFEFF][^\x00-\x1F\x7F-\x9F\u2028\u2029]*$",
        min_length = 1,
        max_length = 200,
        example = "更换3号楼电梯控制柜"
    )]
    pub title: String,
    /// The responsible organisation (property firm, department...).
    pub organization_id: Option<i64>,
    /// Or a responsible user.
    pub assignee_id: Option<i64>,
    pub due_at: DateTime<Utc>,
}

/// PATCH /api/v1/tasks/{id}
#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct TaskPatch {
    pub status: Option<TaskStatus>,
    #[validate(
        custom(function = "crate::api::text::text"),
        length(min = 1, max = 2000)
    )]
    #[schema(
        pattern = r"^(?:[^\x00-\x08\x0B-\x1F\x7F-\x9F\u2028\u2029]|\r\n)*[^\s\x00-\x1F\x7F-\x9F\u2028\u2029\u200B-\u200D\u2060\uFEFF](?:[^\x00-\x08\x0B-\x1F\x7F-\x9F\u2028\u2029]|\r\n)*$",
        min_length = 1,
        max_length = 2000
    )]
    pub progress_note: Option<String>,
    pub expected_version: i32,
}

/// GET /api/v1/tasks filters.
#[derive(Debug, Deserialize, Validate, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TaskFilter {
    /// Tasks of topics at this place or beneath (staff, CPPCC members and admins there).
    pub place_id: Option<i64>,
    /// Tasks of this topic; without `place_id`, judged at the topic's place.
    pub topic_id: Option<i64>,
    pub organization_id: Option<i64>,
    /// Only past-due tasks that are not done (督办).
    pub overdue: Option<bool>,
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// POST /api/v1/topics/{id}/objections
#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct NewObjection {
    #[validate(
        custom(function = "crate::api::text::text"),
        length(min = 1, max = 2000)
    )]
    #[schema(
        pattern = r"^(?:[^\x00-\x08\x0B-\x1F\x7F-\x9F\u2028\u2029]|\r\n)*[^\s\x00-\x1F\x7F-\x9F\u2028\u2029\u200B-\u200D\u2060\uFEFF](?:[^\x00-\x08\x0B-\x1F\x7F-\x9F\u2028\u2029]|\r\n)*$",
        min_length = 1,
        max_length = 2000
    )]
    pub body: String,
}

crate::wire_enum! {
    /// How staff answer an objection.
    pub enum ObjectionDecision {
        /// The plan goes back for revision and publication again.
        Upheld = "upheld",
        Dismissed = "dismissed",
    }
}

/// POST /api/v1/objections/{id}/answer
#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct ObjectionAnswer {
    pub decision: ObjectionDecision,
    #[validate(
        custom(function = "crate::api::text::text"),
        length(min = 1, max = 2000)
    )]
    #[schema(
        pattern = r"^(?:[^\x00-\x08\x0B-\x1F\x7F-\x9F\u2028\u2029]|\r\n)*[^\s\x00-\x1F\x7F-\x9F\u2028\u2029\u200B-\u200D\u2060\uFEFF](?:[^\x00-\x08\x0B-\x1F\x7F-\x9F\u2028\u2029]|\r\n)*$",
        min_length = 1,
        max_length = 2000
    )]
    pub reason: String,
}

/// An objection filed during the public notice.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ObjectionOut {
    pub id: i64,
    pub topic_id: i64,
    pub author_id: i64,
    pub plan_revision: i32,
    pub body: String,
    pub decision: Option<ObjectionDecision>,
    pub reason: Option<String>,
    pub answered_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// POST /api/v1/topics/{id}/evaluations
#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct NewEvaluation {
    #[validate(range(min = 1, max = 5))]
    #[schema(minimum = 1, maximum = 5)]
    pub score: i32,
    #[validate(custom(function = "crate::api::text::prose"), length(max = 2000))]
    #[schema(
        pattern = r"^(?:[^\x00-\x08\x0B-\x1F\x7F-\x9F\u2028\u2029]|\r\n)*$",
        max_length = 2000
    )]
    #[serde(default)]
    pub comment: String,
}

/// The evaluation (评) summary of the current round.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct EvaluationSummary {
    pub count: usize,
    pub mean: Option<f64>,
    /// Ratings of 1, 2, 3, 4 and 5.
    pub distribution: [usize; 5],
    /// 1 for the first evaluation, 2 after one rework, ...
    pub round: i32,
    pub window_closes_at: Option<DateTime<Utc>>,
    pub threshold: f64,
}
