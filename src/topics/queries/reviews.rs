//! What residents send back: objections during the public notice (公示) and ratings (评).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::super::model::ObjectionDecision;
use crate::db::schema::{evaluations, objections};
use crate::db::{self, DbConn};
use crate::error::{ApiError, ApiResult};

/// An objection row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = objections)]
pub struct ObjectionRow {
    pub id: i64,
    pub topic_id: i64,
    pub author_id: i64,
    pub plan_revision: i32,
    pub body: String,
    pub decision: Option<ObjectionDecision>,
    pub reason: Option<String>,
    pub answered_by: Option<i64>,
    pub answered_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

/// Files an objection against a plan revision.
pub fn insert_objection(
    conn: &mut DbConn,
    topic_id: i64,
    author_id: i64,
    revision: i32,
    body: &str,
) -> ApiResult<ObjectionRow> {
    let id: i64 = diesel::insert_into(objections::table)
        .values((
            objections::topic_id.eq(topic_id),
            objections::author_id.eq(author_id),
            objections::plan_revision.eq(revision),
            objections::body.eq(body),
            objections::created_at.eq(db::now()),
        ))
        .returning(objections::id)
        .get_result(conn)?;
    objection(conn, id)
}

/// An objection, or 404.
pub fn objection(conn: &mut DbConn, id: i64) -> ApiResult<ObjectionRow> {
    objections::table
        .find(id)
        .select(ObjectionRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(ApiError::NotFound("objection.not_found"))
}

/// Objections of a topic.
pub fn topic_objections(conn: &mut DbConn, topic_id: i64) -> ApiResult<Vec<ObjectionRow>> {
    Ok(objections::table
        .filter(objections::topic_id.eq(topic_id))
        .order(objections::id)
        .select(ObjectionRow::as_select())
        .load(conn)?)
}

/// How many of the topic's objections wait for an answer.
pub fn unanswered_objections(conn: &mut DbConn, topic_id: i64) -> ApiResult<usize> {
    let n: i64 = objections::table
        .filter(objections::topic_id.eq(topic_id))
        .filter(objections::decision.is_null())
        .count()
        .get_result(conn)?;
    Ok(usize::try_from(n).unwrap_or(0))
}

/// Answers an objection once; false when it was already answered.
pub fn answer_objection(
    conn: &mut DbConn,
    id: i64,
    by: i64,
    decision: ObjectionDecision,
    reason: &str,
) -> ApiResult<bool> {
    let n = diesel::update(
        objections::table
            .filter(objections::id.eq(id))
            .filter(objections::decision.is_null()),
    )
    .set((
        objections::decision.eq(decision),
        objections::reason.eq(reason),
        objections::answered_by.eq(by),
        objections::answered_at.eq(db::now()),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// Scores of a topic's evaluation round.
pub fn scores(conn: &mut DbConn, topic_id: i64, round: i32) -> ApiResult<Vec<i32>> {
    Ok(evaluations::table
        .filter(evaluations::topic_id.eq(topic_id))
        .filter(evaluations::round.eq(round))
        .select(evaluations::score)
        .load(conn)?)
}

/// Records or edits the user's rating of the round; returns true when it was new.
pub fn upsert_evaluation(
    conn: &mut DbConn,
    topic_id: i64,
    user_id: i64,
    round: i32,
    score: i32,
    comment: &str,
) -> ApiResult<bool> {
    let now = db::now();
    let n = diesel::update(
        evaluations::table
            .filter(evaluations::topic_id.eq(topic_id))
            .filter(evaluations::user_id.eq(user_id))
            .filter(evaluations::round.eq(round)),
    )
    .set((
        evaluations::score.eq(score),
        evaluations::comment.eq(comment),
        evaluations::updated_at.eq(now),
    ))
    .execute(conn)?;
    if n == 1 {
        return Ok(false);
    }
    diesel::insert_into(evaluations::table)
        .values((
            evaluations::topic_id.eq(topic_id),
            evaluations::user_id.eq(user_id),
            evaluations::round.eq(round),
            evaluations::score.eq(score),
            evaluations::comment.eq(comment),
            evaluations::created_at.eq(now),
            evaluations::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(true)
}
