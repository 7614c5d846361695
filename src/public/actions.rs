//! The anonymous reads behind /api/v1/public: the catalog 议事目录 of a place and the public
//! topic page, without author, actor or assignee ids.

use crate::api::paging::{List, Page};
use crate::config::Settings;
use crate::db::DbConn;
use crate::error::{ApiError, ApiResult};
use crate::places::queries as places;
use crate::topics::model::PageParams;
use crate::topics::queries::{self as q, TopicRow};
use crate::topics::{plan, reads};

use super::model::{CatalogEntry, PublicComment, PublicEvent, PublicTopic};

/// A catalog entry; None for a topic without a catalog number (not public).
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

/// The catalog of a place (a community, or everything beneath a higher place).
pub fn catalog(
    conn: &mut DbConn,
    settings: &Settings,
    place_id: i64,
    p: &PageParams,
) -> ApiResult<List<CatalogEntry>> {
    let page = Page::new(p.limit, p.cursor.as_deref())?;
    let (place, _) = places::place_ref(conn, place_id, None)?;
    let rows = q::list_topics(
        conn,
        &q::TopicQuery {
            within: Some(&place.path),
            catalog_only: true,
            after: page.after,
            fetch: page.fetch(),
            ..Default::default()
        },
    )?;
    let hot = settings.workflow.hot_threshold;
    let entries = rows.iter().filter_map(|t| entry(t, hot)).collect();
    Ok(page.finish(entries, |e: &CatalogEntry| e.id))
}

/// The newest catalog topics of the whole installation, for the home page.
pub fn latest(conn: &mut DbConn, settings: &Settings, limit: i64) -> ApiResult<Vec<CatalogEntry>> {
    let rows = q::list_topics(
        conn,
        &q::TopicQuery {
            catalog_only: true,
            fetch: limit,
            newest_first: true,
            ..Default::default()
        },
    )?;
    let hot = settings.workflow.hot_threshold;
    Ok(rows.iter().filter_map(|t| entry(t, hot)).collect())
}

/// A public topic page: catalog topics only (a topic not yet accepted is not public).
pub fn public_topic(conn: &mut DbConn, settings: &Settings, id: i64) -> ApiResult<PublicTopic> {
    let t = q::topic(conn, id)?;
    let topic =
        entry(&t, settings.workflow.hot_threshold).ok_or(ApiError::NotFound("topic.not_found"))?;
    let timeline = q::timeline(conn, id)?
        .into_iter()
        .map(|e| PublicEvent {
            seq: e.seq,
            kind: e.kind,
            from_stage: e.from_stage,
            to_stage: e.to_stage,
            note: e.note,
            created_at: e.created_at.and_utc(),
            hash: e.hash,
        })
        .collect();
    let mut plan_view = reads::plan_view(conn, id, None)?;
    for task in &mut plan_view.tasks {
        task.assignee_id = None;
    }
    let comments = q::list_comments(conn, id, None, 100)?
        .iter()
        .map(|c| {
            let c = crate::topics::views::comment_out(c, false);
            PublicComment {
                id: c.id,
                body: c.body,
                stance: c.stance,
                hidden: c.hidden,
                created_at: c.created_at,
            }
        })
        .collect();
    Ok(PublicTopic {
        topic,
        comments,
        body: t.body.clone(),
        decision: t.decision.clone(),
        timeline,
        plan: plan_view,
        evaluation: plan::summary(conn, settings, &t)?,
    })
}
