//! Wire types of the export: the filter and one record per topic or meeting. The JSON element
//! and the CSV row carry the same fields under the same names (docs/open-data.md defines each).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::consultations::rules::{Consensus, Format, Kind, Status};
use crate::topics::rules::{Category, Resolution, Source, Stage};

/// `?place_id=&from=&to=` of every export.
#[derive(Debug, Clone, Deserialize, Validate, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportFilter {
    /// Only this place and everything beneath it (404 if there is no such place).
    pub place_id: Option<i64>,
    /// From this instant, inclusive: topics by `created_at`, meetings by `starts_at`.
    pub from: Option<DateTime<Utc>>,
    /// Before this instant, exclusive (422 `open_data.invalid_period` if before `from`).
    pub to: Option<DateTime<Utc>>,
}

/// One public topic (a topic of the deliberation catalog 议事目录) in open data.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OpenDataTopic {
    pub id: i64,
    /// The catalog number given on acceptance (`2026-0003`: the year and the sequence within the community).
    pub catalog_no: String,
    pub place_id: i64,
    pub place_name: String,
    /// The community 社区 the place belongs to.
    pub community_id: i64,
    pub title: String,
    pub body: String,
    pub category: Category,
    pub source: Source,
    pub stage: Stage,
    pub resolution: Option<Resolution>,
    pub escalated: bool,
    pub major: bool,
    /// The decision of the discuss step 议, once taken.
    pub decision: Option<String>,
    pub supporters_count: i32,
    /// Comments that are not hidden by moderation.
    pub comments_count: i64,
    /// Ratings of the current evaluation round.
    pub satisfaction_count: i64,
    /// Mean of those ratings (1-5, two decimals); null without ratings.
    pub satisfaction_mean: Option<f64>,
    /// `居民`, or the author's display name if they chose to show it publicly.
    pub author: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub discuss_at: Option<DateTime<Utc>>,
    pub plan_at: Option<DateTime<Utc>>,
    pub act_at: Option<DateTime<Utc>>,
    pub evaluate_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
}

/// The CSV columns of [`OpenDataTopic`], in order (stable: add at the end, never rename).
pub const TOPIC_COLUMNS: &[&str] = &[
    "id",
    "catalog_no",
    "place_id",
    "place_name",
    "community_id",
    "title",
    "body",
    "category",
    "source",
    "stage",
    "resolution",
    "escalated",
    "major",
    "decision",
    "supporters_count",
    "comments_count",
    "satisfaction_count",
    "satisfaction_mean",
    "author",
    "created_at",
    "updated_at",
    "discuss_at",
    "plan_at",
    "act_at",
    "evaluate_at",
    "closed_at",
];

/// An outcome of a public meeting: the agenda item's title and what was decided.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OpenDataOutcome {
    pub agenda_title: String,
    pub decision: String,
    pub consensus: Consensus,
}

/// One public consultation 协商会 (scheduled, in progress or concluded) in open data.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OpenDataConsultation {
    pub id: i64,
    pub place_id: i64,
    pub place_name: String,
    pub title: String,
    pub kind: Kind,
    pub format: Format,
    /// The venue of an in-person or hybrid meeting (the online link is never exported).
    pub venue: Option<String>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub status: Status,
    pub concluded_at: Option<DateTime<Utc>>,
    /// Agenda item titles in agenda order.
    pub agenda: Vec<String>,
    /// Ids of the catalog topics on the agenda, in agenda order.
    pub topic_ids: Vec<i64>,
    /// Recorded outcomes, in the order they were recorded.
    pub outcomes: Vec<OpenDataOutcome>,
    /// `居民`, or the convener's display name if they chose to show it publicly.
    pub convener: String,
}

/// The CSV columns of [`OpenDataConsultation`], in order (stable: add at the end). `agenda`,
/// `topic_ids` and `outcomes` hold the same JSON array text as the JSON export.
pub const CONSULTATION_COLUMNS: &[&str] = &[
    "id",
    "place_id",
    "place_name",
    "title",
    "kind",
    "format",
    "venue",
    "starts_at",
    "ends_at",
    "status",
    "concluded_at",
    "agenda",
    "topic_ids",
    "outcomes",
    "convener",
];
