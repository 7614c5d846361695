//! The use cases of the export: resolve the filter (the place must exist, the period must not
//! be reversed), then build one page of records at a time. Anonymous and public: only catalog
//! topics and public meetings, and of people only the names they chose to show.

use std::collections::HashMap;

use chrono::NaiveDateTime;

use super::model::{ExportFilter, OpenDataConsultation, OpenDataOutcome, OpenDataTopic};
use super::queries::{self as q, Scope};
use super::rules;
use crate::db::DbConn;
use crate::error::{ApiError, ApiResult};
use crate::places::queries as places;
use crate::places::rules::subtree_range;
use crate::topics::rules::summarize;

/// Checks the filter and resolves the place to its subtree: 404 `place.not_found` for an
/// unknown place, 422 `open_data.invalid_period` (field `to`) when `to` is before `from`.
pub fn scope(conn: &mut DbConn, f: &ExportFilter) -> ApiResult<Scope> {
    let from = f.from.map(|t| t.naive_utc());
    let to = f.to.map(|t| t.naive_utc());
    if !rules::period_ok(from, to) {
        return Err(ApiError::invalid(
            "to",
            "open_data.invalid_period",
            "to is before from",
        ));
    }
    let paths = match f.place_id {
        Some(id) => Some(subtree_range(&places::place_ref(conn, id, None)?.0.path)),
        None => None,
    };
    Ok(Scope { paths, from, to })
}

fn utc(t: NaiveDateTime) -> chrono::DateTime<chrono::Utc> {
    t.and_utc()
}

/// Names as open data shows them, by user id.
fn public_names(conn: &mut DbConn, ids: Vec<i64>) -> ApiResult<HashMap<i64, String>> {
    let mut ids = ids;
    ids.sort_unstable();
    ids.dedup();
    Ok(q::people(conn, &ids)?
        .into_iter()
        .map(|(id, name, show)| (id, rules::public_name(&name, show)))
        .collect())
}

fn place_names(conn: &mut DbConn, ids: Vec<i64>) -> ApiResult<HashMap<i64, String>> {
    let mut ids = ids;
    ids.sort_unstable();
    ids.dedup();
    Ok(q::place_names(conn, &ids)?.into_iter().collect())
}

/// The page of catalog topics after `after` (at most `fetch`), with place names, visible
/// comment counts, the current round's satisfaction and the authors' public names: five
/// queries whatever the page's size.
pub fn topics_page(
    conn: &mut DbConn,
    scope: &Scope,
    after: i64,
    fetch: i64,
) -> ApiResult<Vec<OpenDataTopic>> {
    let rows = q::topic_page(conn, scope, after, fetch)?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i64> = rows.iter().map(|t| t.id).collect();
    let place = place_names(conn, rows.iter().map(|t| t.place_id).collect())?;
    let author = public_names(conn, rows.iter().map(|t| t.author_id).collect())?;
    let comments: HashMap<i64, i64> = q::visible_comment_counts(conn, &ids)?.into_iter().collect();
    let mut scores: HashMap<(i64, i32), Vec<i32>> = HashMap::new();
    for (topic, round, score, n) in q::score_counts(conn, &ids)? {
        let list = scores.entry((topic, round)).or_default();
        list.extend(std::iter::repeat_n(score, usize::try_from(n).unwrap_or(0)));
    }
    Ok(rows
        .into_iter()
        .filter_map(|t| {
            let (count, mean, _) = summarize(
                scores
                    .get(&(t.id, t.eval_round))
                    .map_or(&[][..], Vec::as_slice),
            );
            Some(OpenDataTopic {
                id: t.id,
                catalog_no: t.catalog_no?,
                place_id: t.place_id,
                place_name: place.get(&t.place_id).cloned().unwrap_or_default(),
                community_id: t.community_id,
                title: t.title,
                body: t.body,
                category: t.category,
                source: t.source,
                stage: t.stage,
                resolution: t.resolution,
                escalated: t.escalated,
                major: t.major,
                decision: t.decision,
                supporters_count: t.supporters_count,
                comments_count: comments.get(&t.id).copied().unwrap_or(0),
                satisfaction_count: i64::try_from(count).unwrap_or(i64::MAX),
                satisfaction_mean: mean,
                author: author
                    .get(&t.author_id)
                    .cloned()
                    .unwrap_or_else(|| rules::ANONYMOUS.to_string()),
                created_at: utc(t.created_at),
                updated_at: utc(t.updated_at),
                discuss_at: t.discuss_at.map(utc),
                plan_at: t.plan_at.map(utc),
                act_at: t.act_at.map(utc),
                evaluate_at: t.evaluate_at.map(utc),
                closed_at: t.closed_at.map(utc),
            })
        })
        .collect())
}

/// The page of public meetings after `after` (at most `fetch`), with place names, agendas,
/// outcomes and the conveners' public names: five queries whatever the page's size.
pub fn consultations_page(
    conn: &mut DbConn,
    scope: &Scope,
    after: i64,
    fetch: i64,
) -> ApiResult<Vec<OpenDataConsultation>> {
    let rows = q::consultation_page(conn, scope, after, fetch)?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i64> = rows.iter().map(|c| c.id).collect();
    let place = place_names(conn, rows.iter().map(|c| c.place_id).collect())?;
    let convener = public_names(conn, rows.iter().map(|c| c.convener_id).collect())?;
    let mut agenda: HashMap<i64, Vec<(i64, String, Option<i64>)>> = HashMap::new();
    let mut item_titles: HashMap<i64, String> = HashMap::new();
    for (meeting, item, title, topic) in q::agendas(conn, &ids)? {
        item_titles.insert(item, title.clone());
        agenda
            .entry(meeting)
            .or_default()
            .push((item, title, topic));
    }
    let mut outcomes: HashMap<i64, Vec<OpenDataOutcome>> = HashMap::new();
    for (meeting, item, decision, consensus) in q::outcome_lines(conn, &ids)? {
        outcomes.entry(meeting).or_default().push(OpenDataOutcome {
            agenda_title: item_titles.get(&item).cloned().unwrap_or_default(),
            decision,
            consensus,
        });
    }
    Ok(rows
        .into_iter()
        .map(|c| {
            let items = agenda.remove(&c.id).unwrap_or_default();
            OpenDataConsultation {
                id: c.id,
                place_id: c.place_id,
                place_name: place.get(&c.place_id).cloned().unwrap_or_default(),
                title: c.title,
                kind: c.kind,
                format: c.format,
                venue: c.venue,
                starts_at: utc(c.starts_at),
                ends_at: utc(c.ends_at),
                status: c.status,
                concluded_at: c.concluded_at.map(utc),
                topic_ids: items.iter().filter_map(|(_, _, t)| *t).collect(),
                agenda: items.into_iter().map(|(_, title, _)| title).collect(),
                outcomes: outcomes.remove(&c.id).unwrap_or_default(),
                convener: convener
                    .get(&c.convener_id)
                    .cloned()
                    .unwrap_or_else(|| rules::ANONYMOUS.to_string()),
            }
        })
        .collect())
}
