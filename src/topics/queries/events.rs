//! The timeline rows: the last link of a chain, appends, keyset pages and whole chains.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::super::rules::Stage;
use crate::db::DbConn;
use crate::db::schema::{topic_events, topic_step_stays, topics};
use crate::error::ApiResult;
use crate::topics::events::EventKind;

/// A stored event: the fields its hash covers, in a fixed order.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = topic_events)]
pub struct EventRow {
    pub id: i64,
    pub topic_id: i64,
    pub seq: i32,
    pub kind: EventKind,
    pub actor_id: Option<i64>,
    pub from_stage: Option<Stage>,
    pub to_stage: Option<Stage>,
    pub note: Option<String>,
    pub payload: String,
    pub created_at: NaiveDateTime,
    pub prev_hash: String,
    pub hash: String,
}

/// The values of an event to insert; `seq` and the hashes are computed by `events::append`.
pub struct EventInsert<'a> {
    pub topic_id: i64,
    pub seq: i32,
    pub kind: EventKind,
    pub actor_id: Option<i64>,
    pub from_stage: Option<Stage>,
    pub to_stage: Option<Stage>,
    pub note: Option<&'a str>,
    pub payload: &'a str,
    pub created_at: NaiveDateTime,
    pub prev_hash: &'a str,
    pub hash: &'a str,
}

/// The topic's last (seq, hash), if it has events.
pub fn last_event(conn: &mut DbConn, topic_id: i64) -> ApiResult<Option<(i32, String)>> {
    Ok(topic_events::table
        .filter(topic_events::topic_id.eq(topic_id))
        .order(topic_events::seq.desc())
        .select((topic_events::seq, topic_events::hash))
        .first(conn)
        .optional()?)
}

/// Inserts one event row.
pub fn insert_event(conn: &mut DbConn, e: &EventInsert<'_>) -> ApiResult<()> {
    diesel::insert_into(topic_events::table)
        .values((
            topic_events::topic_id.eq(e.topic_id),
            topic_events::seq.eq(e.seq),
            topic_events::kind.eq(e.kind),
            topic_events::actor_id.eq(e.actor_id),
            topic_events::from_stage.eq(e.from_stage),
            topic_events::to_stage.eq(e.to_stage),
            topic_events::note.eq(e.note),
            topic_events::payload.eq(e.payload),
            topic_events::created_at.eq(e.created_at),
            topic_events::prev_hash.eq(e.prev_hash),
            topic_events::hash.eq(e.hash),
        ))
        .execute(conn)?;
    Ok(())
}

/// When the topic entered its current stage: the time of its last stage-changing transition
/// (`from_stage` ≠ `to_stage`, by seq), or its creation when it has none. The start of the
/// stay the next stage change ends (docs/open-data.md, "Days in a step").
pub fn stage_entered_at(conn: &mut DbConn, topic_id: i64) -> ApiResult<NaiveDateTime> {
    let last: Option<NaiveDateTime> = topic_events::table
        .filter(topic_events::topic_id.eq(topic_id))
        .filter(topic_events::kind.eq(EventKind::Transition))
        .filter(topic_events::from_stage.is_not_null())
        .filter(topic_events::to_stage.is_not_null())
        .filter(topic_events::from_stage.ne(topic_events::to_stage))
        .order(topic_events::seq.desc())
        .select(topic_events::created_at)
        .first(conn)
        .optional()?;
    match last {
        Some(t) => Ok(t),
        None => Ok(topics::table
            .find(topic_id)
            .select(topics::created_at)
            .first(conn)?),
    }
}

/// Stores one completed stay of a topic in a step (`seconds` already computed).
pub fn insert_stay(
    conn: &mut DbConn,
    topic_id: i64,
    step: Stage,
    entered_at: NaiveDateTime,
    left_at: NaiveDateTime,
    seconds: i64,
) -> ApiResult<()> {
    diesel::insert_into(topic_step_stays::table)
        .values((
            topic_step_stays::topic_id.eq(topic_id),
            topic_step_stays::step.eq(step),
            topic_step_stays::entered_at.eq(entered_at),
            topic_step_stays::left_at.eq(left_at),
            topic_step_stays::seconds.eq(seconds),
        ))
        .execute(conn)?;
    Ok(())
}

/// A page of a topic's events in order: those after `after_seq`, at most `fetch`, read by
/// keyset on the `(topic_id, seq)` unique index.
pub fn timeline_page(
    conn: &mut DbConn,
    topic_id: i64,
    after_seq: Option<i64>,
    fetch: i64,
) -> ApiResult<Vec<EventRow>> {
    let mut q = topic_events::table
        .filter(topic_events::topic_id.eq(topic_id))
        .select(EventRow::as_select())
        .into_boxed();
    if let Some(after) = after_seq {
        // A cursor beyond any i32 seq simply ends the list.
        let after = i32::try_from(after).unwrap_or(i32::MAX);
        q = q.filter(topic_events::seq.gt(after));
    }
    Ok(q.order(topic_events::seq).limit(fetch).load(conn)?)
}

/// A topic's whole chain in order (audit, public page).
pub fn timeline(conn: &mut DbConn, topic_id: i64) -> ApiResult<Vec<EventRow>> {
    Ok(topic_events::table
        .filter(topic_events::topic_id.eq(topic_id))
        .order(topic_events::seq)
        .select(EventRow::as_select())
        .load(conn)?)
}
