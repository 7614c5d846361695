//! Wire types of the public pages.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::topics::model::{EvaluationSummary, PlanOut};
use crate::topics::rules::{Category, Resolution, Stage};

/// A catalog entry.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CatalogEntry {
    pub id: i64,
    pub place_id: i64,
    pub catalog_no: String,
    pub title: String,
    pub category: Category,
    pub stage: Stage,
    pub resolution: Option<Resolution>,
    pub supporters_count: i32,
    pub hot: bool,
    pub escalated: bool,
    pub created_at: DateTime<Utc>,
}

/// A comment without its author.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PublicComment {
    pub id: i64,
    /// Empty when hidden.
    pub body: String,
    pub stance: crate::topics::rules::Stance,
    pub hidden: bool,
    pub created_at: DateTime<Utc>,
}

/// A timeline event without the actor.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PublicEvent {
    pub seq: i32,
    pub kind: crate::topics::events::EventKind,
    pub from_stage: Option<Stage>,
    pub to_stage: Option<Stage>,
    pub note: Option<String>,
    pub created_at: DateTime<Utc>,
    pub hash: String,
}

/// A public topic page.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PublicTopic {
    pub topic: CatalogEntry,
    /// The first 100 comments, without their authors; a hidden comment's body is empty.
    pub comments: Vec<PublicComment>,
    pub body: String,
    pub decision: Option<String>,
    pub timeline: Vec<PublicEvent>,
    pub plan: PlanOut,
    pub evaluation: EvaluationSummary,
}
