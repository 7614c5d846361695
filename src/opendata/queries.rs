//! All diesel of the export: one keyset page of public topics or meetings (`id > after`,
//! ordered by id, within a place's subtree and a period), and the grouped look-ups that fill
//! a page's names and counts in one query each, whatever the page's size.

use chrono::NaiveDateTime;
use diesel::dsl::count_star;
use diesel::prelude::*;

use crate::consultations::queries::ConsultationRow;
use crate::consultations::rules::Consensus;
use crate::db::DbConn;
use crate::db::schema::{
    agenda_items, comments, consultations, evaluations, outcomes, places, topics, users,
};
use crate::error::ApiResult;
use crate::topics::queries::TopicRow;

use super::rules::PUBLIC_STATUSES;

/// What an export covers, resolved: a subtree range of place paths and a period `[from, to)`.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    /// `(lo, hi)` of `places::rules::subtree_range`.
    pub paths: Option<(String, String)>,
    pub from: Option<NaiveDateTime>,
    pub to: Option<NaiveDateTime>,
}

/// The next page of catalog topics (with a catalog number) after `after`, by id.
pub fn topic_page(
    conn: &mut DbConn,
    scope: &Scope,
    after: i64,
    fetch: i64,
) -> ApiResult<Vec<TopicRow>> {
    let mut q = topics::table
        .inner_join(places::table.on(places::id.eq(topics::place_id)))
        .filter(topics::catalog_no.is_not_null())
        .filter(topics::id.gt(after))
        .select(TopicRow::as_select())
        .into_boxed();
    if let Some((lo, hi)) = &scope.paths {
        q = q
            .filter(places::path.ge(lo.clone()))
            .filter(places::path.lt(hi.clone()));
    }
    if let Some(from) = scope.from {
        q = q.filter(topics::created_at.ge(from));
    }
    if let Some(to) = scope.to {
        q = q.filter(topics::created_at.lt(to));
    }
    Ok(q.order(topics::id).limit(fetch).load(conn)?)
}

/// The next page of public meetings after `after`, by id.
pub fn consultation_page(
    conn: &mut DbConn,
    scope: &Scope,
    after: i64,
    fetch: i64,
) -> ApiResult<Vec<ConsultationRow>> {
    let mut q = consultations::table
        .inner_join(places::table.on(places::id.eq(consultations::place_id)))
        .filter(consultations::status.eq_any(PUBLIC_STATUSES))
        .filter(consultations::id.gt(after))
        .select(ConsultationRow::as_select())
        .into_boxed();
    if let Some((lo, hi)) = &scope.paths {
        q = q
            .filter(places::path.ge(lo.clone()))
            .filter(places::path.lt(hi.clone()));
    }
    if let Some(from) = scope.from {
        q = q.filter(consultations::starts_at.ge(from));
    }
    if let Some(to) = scope.to {
        q = q.filter(consultations::starts_at.lt(to));
    }
    Ok(q.order(consultations::id).limit(fetch).load(conn)?)
}

/// `(id, name)` of the places.
pub fn place_names(conn: &mut DbConn, ids: &[i64]) -> ApiResult<Vec<(i64, String)>> {
    Ok(places::table
        .filter(places::id.eq_any(ids))
        .select((places::id, places::name))
        .load(conn)?)
}

/// `(id, display_name, show_name_publicly)` of the users: nothing else of them is read.
pub fn people(conn: &mut DbConn, ids: &[i64]) -> ApiResult<Vec<(i64, String, bool)>> {
    Ok(users::table
        .filter(users::id.eq_any(ids))
        .select((users::id, users::display_name, users::show_name_publicly))
        .load(conn)?)
}

/// `(topic_id, count)` of the comments not hidden by moderation.
pub fn visible_comment_counts(conn: &mut DbConn, topic_ids: &[i64]) -> ApiResult<Vec<(i64, i64)>> {
    Ok(comments::table
        .filter(comments::topic_id.eq_any(topic_ids))
        .filter(comments::hidden.eq(false))
        .group_by(comments::topic_id)
        .select((comments::topic_id, count_star()))
        .load(conn)?)
}

/// `(topic_id, round, score, count)` of the ratings of the topics.
pub fn score_counts(conn: &mut DbConn, topic_ids: &[i64]) -> ApiResult<Vec<(i64, i32, i32, i64)>> {
    Ok(evaluations::table
        .filter(evaluations::topic_id.eq_any(topic_ids))
        .group_by((
            evaluations::topic_id,
            evaluations::round,
            evaluations::score,
        ))
        .select((
            evaluations::topic_id,
            evaluations::round,
            evaluations::score,
            count_star(),
        ))
        .load(conn)?)
}

/// An agenda item of an exported meeting.
pub type AgendaLine = (i64, i64, String, Option<i64>);

/// `(consultation_id, item_id, title, topic_id)` of the meetings' agendas, in agenda order.
pub fn agendas(conn: &mut DbConn, consultation_ids: &[i64]) -> ApiResult<Vec<AgendaLine>> {
    Ok(agenda_items::table
        .filter(agenda_items::consultation_id.eq_any(consultation_ids))
        .order((
            agenda_items::consultation_id,
            agenda_items::position,
            agenda_items::id,
        ))
        .select((
            agenda_items::consultation_id,
            agenda_items::id,
            agenda_items::title,
            agenda_items::topic_id,
        ))
        .load(conn)?)
}

/// `(consultation_id, agenda_item_id, decision, consensus)` of the meetings' outcomes, in the
/// order they were recorded.
pub fn outcome_lines(
    conn: &mut DbConn,
    consultation_ids: &[i64],
) -> ApiResult<Vec<(i64, i64, String, Consensus)>> {
    Ok(outcomes::table
        .filter(outcomes::consultation_id.eq_any(consultation_ids))
        .order(outcomes::id)
        .select((
            outcomes::consultation_id,
            outcomes::agenda_item_id,
            outcomes::decision,
            outcomes::consensus,
        ))
        .load(conn)?)
}
