//! Following topics: the automatic follow when someone acts on a topic, and the explicit
//! follow, mute and unfollow. An explicit choice is never overwritten by an automatic one.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::kinds::FollowLevel;
use super::model::{FollowOut, FollowRequest};
use crate::api::paging::{List, Page};
use crate::auth::Caller;
use crate::db::schema::{follows, topics};
use crate::db::{self, DbConn};
use crate::error::{ApiError, ApiResult};

/// Follows the topic at `level` unless the user already has a follow row of any level.
pub fn follow_if_new(
    conn: &mut DbConn,
    user_id: i64,
    topic_id: i64,
    level: FollowLevel,
) -> ApiResult<()> {
    let now = db::now();
    let insert = diesel::insert_into(follows::table).values((
        follows::user_id.eq(user_id),
        follows::topic_id.eq(topic_id),
        follows::level.eq(level),
        follows::created_at.eq(now),
        follows::updated_at.eq(now),
    ));
    match conn {
        DbConn::Postgres(pg) => insert.on_conflict_do_nothing().execute(pg)?,
        DbConn::Sqlite(sqlite) => insert.on_conflict_do_nothing().execute(sqlite)?,
    };
    Ok(())
}

/// Sets the caller's level on a topic they can see (an explicit choice, kept from now on).
pub fn set_level(
    conn: &mut DbConn,
    caller: &Caller,
    topic_id: i64,
    level: FollowLevel,
) -> ApiResult<FollowOut> {
    db::write_tx(conn, |conn| {
        let title = topic_title(conn, topic_id)?;
        follow_if_new(conn, caller.user_id, topic_id, level)?;
        let now = db::now();
        diesel::update(follows::table.find((caller.user_id, topic_id)))
            .set((follows::level.eq(level), follows::updated_at.eq(now)))
            .execute(conn)?;
        Ok(FollowOut {
            topic_id,
            title,
            level,
            updated_at: now.and_utc(),
        })
    })
}

/// `PUT /topics/{id}/follow`: watching, normal or muted.
pub fn follow(
    conn: &mut DbConn,
    caller: &Caller,
    topic_id: i64,
    req: &FollowRequest,
) -> ApiResult<FollowOut> {
    set_level(conn, caller, topic_id, req.level.level())
}

/// `DELETE /topics/{id}/follow`: unfollows, and stays unfollowed after later comments.
pub fn unfollow(conn: &mut DbConn, caller: &Caller, topic_id: i64) -> ApiResult<()> {
    set_level(conn, caller, topic_id, FollowLevel::Unfollowed).map(|_| ())
}

/// The caller's level on one topic (None: no row, or unfollowed).
pub fn level_of(conn: &mut DbConn, user_id: i64, topic_id: i64) -> ApiResult<Option<FollowLevel>> {
    Ok(follows::table
        .find((user_id, topic_id))
        .select(follows::level)
        .first::<FollowLevel>(conn)
        .optional()?
        .filter(|l| *l != FollowLevel::Unfollowed))
}

/// `GET /me/follows`: the caller's followed (and muted) topics, by topic id.
pub fn my_follows(conn: &mut DbConn, caller: &Caller, page: Page) -> ApiResult<List<FollowOut>> {
    let mut q = follows::table
        .inner_join(topics::table.on(topics::id.eq(follows::topic_id)))
        .filter(follows::user_id.eq(caller.user_id))
        .filter(follows::level.ne(FollowLevel::Unfollowed))
        .select((
            follows::topic_id,
            topics::title,
            follows::level,
            follows::updated_at,
        ))
        .order(follows::topic_id)
        .limit(page.fetch())
        .into_boxed();
    if let Some(after) = page.after {
        q = q.filter(follows::topic_id.gt(after));
    }
    let rows: Vec<(i64, String, FollowLevel, NaiveDateTime)> = q.load(conn)?;
    let items = rows
        .into_iter()
        .map(|(topic_id, title, level, at)| FollowOut {
            topic_id,
            title,
            level,
            updated_at: at.and_utc(),
        })
        .collect();
    Ok(page.finish(items, |f: &FollowOut| f.topic_id))
}

fn topic_title(conn: &mut DbConn, topic_id: i64) -> ApiResult<String> {
    topics::table
        .find(topic_id)
        .select(topics::title)
        .first(conn)
        .optional()?
        .ok_or(ApiError::NotFound("topic.not_found"))
}
