//! Handlers for /api/v1/public: no account needed; actor and author ids are left out.

use actix_web::{get, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::extract::Query;
use crate::api::paging::{List, Page};
use crate::db;
use crate::error::{ApiError, ApiResult};
use crate::places::queries as places;
use crate::state::AppState;
use crate::topics::model::{EvaluationSummary, PageParams, PlanOut};
use crate::topics::queries::{self as q, TopicRow};
use crate::topics::rules::{Category, Resolution, Stage};
use crate::topics::{events, plan};

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

/// A timeline event without the actor.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PublicEvent {
    pub seq: i32,
    pub kind: String,
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
    pub body: String,
    pub decision: Option<String>,
    pub timeline: Vec<PublicEvent>,
    pub plan: PlanOut,
    pub evaluation: EvaluationSummary,
}

fn entry(t: &TopicRow, hot: i32) -> Option<CatalogEntry> {
    let out = t.out(hot);
    Some(CatalogEntry {
        id: t.id,
        place_id: t.place_id,
        catalog_no: t.catalog_no.clone()?,
        title: out.title,
        category: out.category,
        stage: out.stage,
        resolution: out.resolution,
        supporters_count: out.supporters_count,
        hot: out.hot,
        escalated: out.escalated,
        created_at: out.created_at,
    })
}

/// The deliberation catalog 议事目录 of a place (a community, or everything beneath a higher
/// place): accepted topics with their numbers, stage and supporters.
#[utoipa::path(
    tag = "public",
    security(()),
    params(PageParams),
    responses(
        (status = 200, body = List<CatalogEntry>),
    )
)]
#[get("/public/places/{id}/catalog")]
pub async fn get_catalog(
    state: web::Data<AppState>,
    id: web::Path<i64>,
    Query(p): Query<PageParams>,
) -> ApiResult<web::Json<List<CatalogEntry>>> {
    let id = id.into_inner();
    let page = Page::new(p.limit, p.cursor.as_deref())?;
    let hot = state.settings.workflow.hot_threshold;
    let list = db::run(&state.pool, move |conn| {
        let (place, _) = places::place_ref(conn, id, None)?;
        let rows = q::list_topics(
            conn,
            &q::TopicQuery {
                within: Some(&place.path),
                stage: None,
                category: None,
                escalated: None,
                author_id: None,
                q: None,
                catalog_only: true,
                exclude: Vec::new(),
                after: page.after,
                fetch: page.fetch(),
            },
        )?;
        Ok(
            page.finish(rows.iter().filter_map(|t| entry(t, hot)).collect(), |e| {
                e.id
            }),
        )
    })
    .await?;
    Ok(web::Json(list))
}

/// A public topic page: catalog topics only (a topic not yet accepted is not public).
#[utoipa::path(
    tag = "public",
    security(()),
    responses(
        (status = 200, body = PublicTopic),
    )
)]
#[get("/public/topics/{id}")]
pub async fn get_public_topic(
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> ApiResult<web::Json<PublicTopic>> {
    let id = id.into_inner();
    let st = state.clone();
    let page = db::run(&state.pool, move |conn| {
        let t = q::topic(conn, id)?;
        let topic = entry(&t, st.settings.workflow.hot_threshold)
            .ok_or(ApiError::NotFound("topic.not_found"))?;
        let timeline = events::timeline(conn, id)?
            .into_iter()
            .map(|e| PublicEvent {
                seq: e.seq,
                kind: e.kind,
                from_stage: e.from_stage.as_deref().and_then(Stage::parse),
                to_stage: e.to_stage.as_deref().and_then(Stage::parse),
                note: e.note,
                created_at: e.created_at.and_utc(),
                hash: e.hash,
            })
            .collect();
        let mut plan_view = plan::plan_out(conn, id, None)?;
        for task in &mut plan_view.tasks {
            task.assignee_id = None;
        }
        Ok(PublicTopic {
            topic,
            body: t.body.clone(),
            decision: t.decision.clone(),
            timeline,
            plan: plan_view,
            evaluation: plan::summary(conn, &st.settings, &t)?,
        })
    })
    .await?;
    Ok(web::Json(page))
}

/// Registers this area's handlers.
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(get_catalog).service(get_public_topic);
}
