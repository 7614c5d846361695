//! The in-app inbox: every notification is recorded here whatever the mail preferences say.
//! Newest first; the unread view shows one item per topic (the newest), and reading it reads
//! the ones it stands for. Marking read never deletes anything.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::dsl::{exists, not};
use diesel::prelude::*;

use super::kinds::NotificationKind;
use super::model::{InboxParams, Marked, NotificationOut, UnreadCount};
use crate::api::paging::{List, Page};
use crate::auth::Caller;
use crate::db::schema::notifications as n;
use crate::db::{self, Backend, DbConn};
use crate::error::{ApiError, ApiResult};

diesel::alias!(n as newer: NewerUnread);

type Row = (
    i64,
    NotificationKind,
    Option<i64>,
    Option<i64>,
    String,
    String,
    String,
    NaiveDateTime,
    Option<NaiveDateTime>,
);

const COLUMNS: (
    n::id,
    n::kind,
    n::topic_id,
    n::consultation_id,
    n::title,
    n::body,
    n::url,
    n::created_at,
    n::read_at,
) = (
    n::id,
    n::kind,
    n::topic_id,
    n::consultation_id,
    n::title,
    n::body,
    n::url,
    n::created_at,
    n::read_at,
);

/// The caller's unread items, one per topic: no newer unread item of the same topic exists.
fn unread_collapsed(user: i64) -> n::BoxedQuery<'static, Backend> {
    let newer_unread = newer
        .filter(newer.field(n::user_id).eq(user))
        .filter(newer.field(n::read_at).is_null())
        .filter(newer.field(n::topic_id).eq(n::topic_id))
        .filter(newer.field(n::id).gt(n::id));
    n::table
        .filter(n::user_id.eq(user))
        .filter(n::read_at.is_null())
        .filter(n::topic_id.is_null().or(not(exists(newer_unread))))
        .into_boxed()
}

/// `GET /notifications`: newest first, keyset pages.
pub fn list(
    conn: &mut DbConn,
    caller: &Caller,
    params: &InboxParams,
) -> ApiResult<List<NotificationOut>> {
    let page = Page::new(params.limit, params.cursor.as_deref())?;
    let unread = params.unread.unwrap_or(false);
    let mut q = if unread {
        unread_collapsed(caller.user_id)
    } else {
        n::table.filter(n::user_id.eq(caller.user_id)).into_boxed()
    };
    if let Some(before) = page.after {
        q = q.filter(n::id.lt(before));
    }
    let rows: Vec<Row> = q
        .select(COLUMNS)
        .order(n::id.desc())
        .limit(page.fetch())
        .load(conn)?;
    let counts = if unread {
        unread_per_topic(conn, caller.user_id, &rows)?
    } else {
        HashMap::new()
    };
    let items = rows
        .into_iter()
        .map(|r| {
            let count = r.2.and_then(|t| counts.get(&t).copied()).unwrap_or(1);
            out(r, count)
        })
        .collect();
    Ok(page.finish(items, |i: &NotificationOut| i.id))
}

/// How many unread items each listed topic has, in one grouped query.
fn unread_per_topic(conn: &mut DbConn, user: i64, rows: &[Row]) -> ApiResult<HashMap<i64, i64>> {
    let topics: Vec<i64> = rows.iter().filter_map(|r| r.2).collect();
    if topics.is_empty() {
        return Ok(HashMap::new());
    }
    let counts: Vec<(Option<i64>, i64)> = n::table
        .filter(n::user_id.eq(user))
        .filter(n::read_at.is_null())
        .filter(n::topic_id.eq_any(&topics))
        .group_by(n::topic_id)
        .select((n::topic_id, diesel::dsl::count_star()))
        .load(conn)?;
    Ok(counts
        .into_iter()
        .filter_map(|(t, c)| t.map(|t| (t, c)))
        .collect())
}

fn out(r: Row, unread_in_topic: i64) -> NotificationOut {
    NotificationOut {
        id: r.0,
        kind: r.1,
        topic_id: r.2,
        consultation_id: r.3,
        title: r.4,
        body: r.5,
        url: r.6,
        created_at: r.7.and_utc(),
        read_at: r.8.map(|t| t.and_utc()),
        unread_in_topic: if r.8.is_none() { unread_in_topic } else { 1 },
    }
}

/// `GET /notifications/unread-count`: as many as the unread list shows.
pub fn unread_count(conn: &mut DbConn, caller: &Caller) -> ApiResult<UnreadCount> {
    let count = unread_collapsed(caller.user_id).count().get_result(conn)?;
    Ok(UnreadCount { count })
}

/// `POST /notifications/{id}/read`: reads the item and the older unread items of its topic
/// (those it stood for in the unread list). Someone else's item is not found.
pub fn mark_read(conn: &mut DbConn, caller: &Caller, id: i64) -> ApiResult<NotificationOut> {
    db::write_tx(conn, |conn| {
        let row: Row = n::table
            .filter(n::id.eq(id))
            .filter(n::user_id.eq(caller.user_id))
            .select(COLUMNS)
            .first(conn)
            .optional()?
            .ok_or(ApiError::NotFound("notification.not_found"))?;
        let now = db::now();
        let same = n::table
            .filter(n::user_id.eq(caller.user_id))
            .filter(n::read_at.is_null());
        match row.2 {
            Some(topic) => {
                diesel::update(same.filter(n::topic_id.eq(topic)).filter(n::id.le(id)))
                    .set(n::read_at.eq(now))
                    .execute(conn)?;
            }
            None => {
                diesel::update(same.filter(n::id.eq(id)))
                    .set(n::read_at.eq(now))
                    .execute(conn)?;
            }
        }
        let row: Row = n::table.find(id).select(COLUMNS).first(conn)?;
        Ok(out(row, 1))
    })
}

/// `POST /notifications/read-all`: marks every unread item read (none is deleted).
pub fn mark_all_read(conn: &mut DbConn, caller: &Caller) -> ApiResult<Marked> {
    let marked = diesel::update(
        n::table
            .filter(n::user_id.eq(caller.user_id))
            .filter(n::read_at.is_null()),
    )
    .set(n::read_at.eq(db::now()))
    .execute(conn)?;
    Ok(Marked {
        marked: marked as i64,
    })
}

/// Items newer than `after` for a live stream (oldest first), at most `limit`.
pub fn newer_than(
    conn: &mut DbConn,
    user: i64,
    after: i64,
    limit: i64,
) -> ApiResult<Vec<NotificationOut>> {
    let rows: Vec<Row> = n::table
        .filter(n::user_id.eq(user))
        .filter(n::id.gt(after))
        .select(COLUMNS)
        .order(n::id)
        .limit(limit)
        .load(conn)?;
    Ok(rows.into_iter().map(|r| out(r, 1)).collect())
}
