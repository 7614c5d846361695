//! Supports (附议) and comments.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::super::rules::Stance;
use crate::db::schema::{comments, supports, topics};
use crate::db::{self, DbConn};
use crate::error::{ApiError, ApiResult};

/// Whether `user` supports `topic`.
pub fn supports(conn: &mut DbConn, topic_id: i64, user_id: i64) -> ApiResult<bool> {
    Ok(supports::table
        .find((topic_id, user_id))
        .select(supports::user_id)
        .first::<i64>(conn)
        .optional()?
        .is_some())
}

/// Adds a support and recounts; false when it already existed.
pub fn add_support(conn: &mut DbConn, topic_id: i64, user_id: i64) -> ApiResult<bool> {
    if supports(conn, topic_id, user_id)? {
        return Ok(false);
    }
    diesel::insert_into(supports::table)
        .values((
            supports::topic_id.eq(topic_id),
            supports::user_id.eq(user_id),
            supports::created_at.eq(db::now()),
        ))
        .execute(conn)?;
    recount_supports(conn, topic_id)?;
    Ok(true)
}

/// Removes a support and recounts; false when there was none.
pub fn remove_support(conn: &mut DbConn, topic_id: i64, user_id: i64) -> ApiResult<bool> {
    let n = diesel::delete(supports::table.find((topic_id, user_id))).execute(conn)?;
    recount_supports(conn, topic_id)?;
    Ok(n == 1)
}

fn recount_supports(conn: &mut DbConn, topic_id: i64) -> ApiResult<i32> {
    let n: i64 = supports::table
        .filter(supports::topic_id.eq(topic_id))
        .count()
        .get_result(conn)?;
    diesel::update(topics::table.find(topic_id))
        .set(topics::supporters_count.eq(n as i32))
        .execute(conn)?;
    Ok(n as i32)
}

/// Moves the supports of `from` to `to` (merge): supporters carried over, none counted twice.
pub fn carry_supports(conn: &mut DbConn, from: i64, to: i64) -> ApiResult<()> {
    let users: Vec<i64> = supports::table
        .filter(supports::topic_id.eq(from))
        .select(supports::user_id)
        .load(conn)?;
    for u in users {
        add_support(conn, to, u)?;
    }
    Ok(())
}

/// A comment row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = comments)]
pub struct CommentRow {
    pub id: i64,
    pub topic_id: i64,
    pub author_id: i64,
    pub parent_id: Option<i64>,
    pub body: String,
    pub stance: Stance,
    pub hidden: bool,
    pub hidden_reason: Option<String>,
    pub hidden_by: Option<i64>,
    pub created_at: NaiveDateTime,
}

/// Inserts a comment.
pub fn insert_comment(
    conn: &mut DbConn,
    topic_id: i64,
    author_id: i64,
    parent_id: Option<i64>,
    body: &str,
    stance: Stance,
) -> ApiResult<CommentRow> {
    let id: i64 = diesel::insert_into(comments::table)
        .values((
            comments::topic_id.eq(topic_id),
            comments::author_id.eq(author_id),
            comments::parent_id.eq(parent_id),
            comments::body.eq(body),
            comments::stance.eq(stance),
            comments::hidden.eq(false),
            comments::created_at.eq(db::now()),
        ))
        .returning(comments::id)
        .get_result(conn)?;
    comment(conn, id)
}

/// A comment, or 404.
pub fn comment(conn: &mut DbConn, id: i64) -> ApiResult<CommentRow> {
    comments::table
        .find(id)
        .select(CommentRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(ApiError::NotFound("comment.not_found"))
}

/// A page of a topic's comments in order.
pub fn list_comments(
    conn: &mut DbConn,
    topic_id: i64,
    after: Option<i64>,
    fetch: i64,
) -> ApiResult<Vec<CommentRow>> {
    let mut q = comments::table
        .filter(comments::topic_id.eq(topic_id))
        .select(CommentRow::as_select())
        .into_boxed();
    if let Some(a) = after {
        q = q.filter(comments::id.gt(a));
    }
    Ok(q.order(comments::id).limit(fetch).load(conn)?)
}

/// Hides a comment with a reason.
pub fn hide_comment(conn: &mut DbConn, id: i64, by: i64, reason: &str) -> ApiResult<()> {
    diesel::update(comments::table.find(id))
        .set((
            comments::hidden.eq(true),
            comments::hidden_reason.eq(reason),
            comments::hidden_by.eq(by),
        ))
        .execute(conn)?;
    Ok(())
}

/// Did the user comment on the topic?
pub fn has_commented(conn: &mut DbConn, topic_id: i64, user_id: i64) -> ApiResult<bool> {
    let n: i64 = comments::table
        .filter(comments::topic_id.eq(topic_id))
        .filter(comments::author_id.eq(user_id))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}
