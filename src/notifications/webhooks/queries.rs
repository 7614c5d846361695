//! The SQL of webhooks: endpoints and their kinds, the delivery queue (claimed with a lease,
//! SKIP LOCKED on PostgreSQL) and the attempt log.

use std::collections::HashMap;

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use super::model::DeliveryStatus;
use crate::db::schema::{
    notification_events as ne, places, webhook_attempts as wa, webhook_deliveries as wd,
    webhook_kinds as wk, webhooks as w,
};
use crate::db::{self, DbConn};
use crate::error::ApiResult;
use crate::notifications::kinds::NotificationKind;

/// An endpoint row with the path of its place.
#[derive(Debug, Clone, Queryable)]
pub struct WebhookRow {
    pub id: i64,
    pub url: String,
    pub place_id: i64,
    pub disabled: bool,
    pub disabled_reason: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub place_path: String,
}

const ROW: (
    w::id,
    w::url,
    w::place_id,
    w::disabled,
    w::disabled_reason,
    w::created_at,
    w::updated_at,
    places::path,
) = (
    w::id,
    w::url,
    w::place_id,
    w::disabled,
    w::disabled_reason,
    w::created_at,
    w::updated_at,
    places::path,
);

/// Inserts an endpoint and its kinds.
pub fn insert(
    conn: &mut DbConn,
    url: &str,
    secret: &str,
    place_id: i64,
    kinds: &[NotificationKind],
    created_by: i64,
) -> ApiResult<i64> {
    let now = db::now();
    let id: i64 = diesel::insert_into(w::table)
        .values((
            w::url.eq(url),
            w::secret.eq(secret),
            w::place_id.eq(place_id),
            w::disabled.eq(false),
            w::created_by.eq(created_by),
            w::created_at.eq(now),
            w::updated_at.eq(now),
        ))
        .returning(w::id)
        .get_result(conn)?;
    set_kinds(conn, id, kinds)?;
    Ok(id)
}

/// Replaces the endpoint's kinds (one statement each way).
pub fn set_kinds(conn: &mut DbConn, id: i64, kinds: &[NotificationKind]) -> ApiResult<()> {
    diesel::delete(wk::table.filter(wk::webhook_id.eq(id))).execute(conn)?;
    let mut kinds = kinds.to_vec();
    kinds.sort_by_key(|k| k.as_str());
    kinds.dedup();
    let rows: Vec<_> = kinds
        .iter()
        .map(|k| (wk::webhook_id.eq(id), wk::kind.eq(k.as_str())))
        .collect();
    // Multi-row VALUES compiles only on the concrete connections.
    let insert = diesel::insert_into(wk::table).values(rows);
    match conn {
        DbConn::Postgres(pg) => insert.execute(pg)?,
        DbConn::Sqlite(sqlite) => insert.execute(sqlite)?,
    };
    Ok(())
}

/// One endpoint.
pub fn find(conn: &mut DbConn, id: i64) -> ApiResult<Option<WebhookRow>> {
    Ok(w::table
        .inner_join(places::table)
        .filter(w::id.eq(id))
        .select(ROW)
        .first(conn)
        .optional()?)
}

/// Endpoints in the subtrees of `scopes` (None: everywhere), by id, one page.
pub fn list(
    conn: &mut DbConn,
    scopes: Option<&[String]>,
    place_id: Option<i64>,
    after: Option<i64>,
    fetch: i64,
) -> ApiResult<Vec<WebhookRow>> {
    let mut q = w::table.inner_join(places::table).select(ROW).into_boxed();
    if let Some(paths) = scopes {
        q = q.filter(crate::places::queries::in_any_subtree(paths));
    }
    if let Some(p) = place_id {
        q = q.filter(w::place_id.eq(p));
    }
    if let Some(a) = after {
        q = q.filter(w::id.gt(a));
    }
    Ok(q.order(w::id).limit(fetch).load(conn)?)
}

/// The kinds of these endpoints.
pub fn kinds_of(conn: &mut DbConn, ids: &[i64]) -> ApiResult<HashMap<i64, Vec<NotificationKind>>> {
    let rows: Vec<(i64, NotificationKind)> = wk::table
        .filter(wk::webhook_id.eq_any(ids))
        .select((wk::webhook_id, wk::kind))
        .order((wk::webhook_id, wk::kind))
        .load(conn)?;
    let mut out: HashMap<i64, Vec<NotificationKind>> = HashMap::new();
    for (id, kind) in rows {
        out.entry(id).or_default().push(kind);
    }
    Ok(out)
}

/// Changes the URL.
pub fn set_url(conn: &mut DbConn, id: i64, url: &str) -> ApiResult<()> {
    diesel::update(w::table.find(id))
        .set((w::url.eq(url), w::updated_at.eq(db::now())))
        .execute(conn)?;
    Ok(())
}

/// Disables or re-enables; re-enabling clears the reason, disabling by hand records none.
pub fn set_disabled(conn: &mut DbConn, id: i64, disabled: bool) -> ApiResult<()> {
    diesel::update(w::table.find(id))
        .set((
            w::disabled.eq(disabled),
            w::disabled_reason.eq(None::<String>),
            w::updated_at.eq(db::now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Touches `updated_at`.
pub fn touch(conn: &mut DbConn, id: i64) -> ApiResult<()> {
    diesel::update(w::table.find(id))
        .set(w::updated_at.eq(db::now()))
        .execute(conn)?;
    Ok(())
}

/// Deletes an endpoint; its kinds, deliveries and attempts go with it (ON DELETE CASCADE,
/// spelled out for SQLite connections without foreign keys enforced).
pub fn delete(conn: &mut DbConn, id: i64) -> ApiResult<()> {
    let deliveries = wd::table.filter(wd::webhook_id.eq(id)).select(wd::id);
    diesel::delete(wa::table.filter(wa::delivery_id.eq_any(deliveries))).execute(conn)?;
    diesel::delete(wd::table.filter(wd::webhook_id.eq(id))).execute(conn)?;
    diesel::delete(wk::table.filter(wk::webhook_id.eq(id))).execute(conn)?;
    diesel::delete(w::table.find(id)).execute(conn)?;
    Ok(())
}

/// A delivery row of the log.
pub type DeliveryRow = (
    i64,
    i64,
    NotificationKind,
    String,
    DeliveryStatus,
    i32,
    NaiveDateTime,
    Option<i32>,
    Option<String>,
    NaiveDateTime,
    Option<NaiveDateTime>,
);

/// The endpoint's deliveries, newest first, one page (`after`: ids below it).
pub fn deliveries(
    conn: &mut DbConn,
    webhook_id: i64,
    before: Option<i64>,
    fetch: i64,
) -> ApiResult<Vec<DeliveryRow>> {
    let mut q = wd::table
        .inner_join(ne::table)
        .filter(wd::webhook_id.eq(webhook_id))
        .select((
            wd::id,
            wd::event_id,
            ne::kind,
            wd::message_id,
            wd::status,
            wd::attempts,
            wd::next_attempt_at,
            wd::last_status_code,
            wd::last_error,
            wd::created_at,
            wd::delivered_at,
        ))
        .into_boxed();
    if let Some(b) = before {
        q = q.filter(wd::id.lt(b));
    }
    Ok(q.order(wd::id.desc()).limit(fetch).load(conn)?)
}

/// An attempt row: delivery, time, status, error, duration.
pub type AttemptRow = (i64, NaiveDateTime, Option<i32>, Option<String>, i32);

/// The attempts of these deliveries, oldest first.
pub fn attempts_of(conn: &mut DbConn, delivery_ids: &[i64]) -> ApiResult<Vec<AttemptRow>> {
    Ok(wa::table
        .filter(wa::delivery_id.eq_any(delivery_ids))
        .select((
            wa::delivery_id,
            wa::attempted_at,
            wa::status_code,
            wa::error,
            wa::duration_ms,
        ))
        .order((wa::delivery_id, wa::id))
        .load(conn)?)
}

/// Enabled endpoints subscribed to `kind` at one of `place_ids` (the event's place and its
/// ancestors), with their places' paths.
pub fn subscribed(
    conn: &mut DbConn,
    kind: NotificationKind,
    place_ids: &[i64],
) -> ApiResult<Vec<(i64, String)>> {
    Ok(w::table
        .inner_join(places::table)
        .inner_join(wk::table)
        .filter(w::disabled.eq(false))
        .filter(wk::kind.eq(kind.as_str()))
        .filter(w::place_id.eq_any(place_ids))
        .select((w::id, places::path))
        .order(w::id)
        .load(conn)?)
}

/// Queues one pending delivery per (endpoint, message id) of the event, due at `due`; one
/// statement, a repeat is ignored by the unique keys.
pub fn queue(
    conn: &mut DbConn,
    event_id: i64,
    targets: &[(i64, String)],
    due: NaiveDateTime,
) -> ApiResult<()> {
    if targets.is_empty() {
        return Ok(());
    }
    let now = db::now();
    let rows: Vec<_> = targets
        .iter()
        .map(|(webhook, msg)| {
            (
                wd::webhook_id.eq(*webhook),
                wd::event_id.eq(event_id),
                wd::message_id.eq(msg.as_str()),
                wd::status.eq(DeliveryStatus::Pending),
                wd::attempts.eq(0),
                wd::next_attempt_at.eq(due),
                wd::created_at.eq(now),
            )
        })
        .collect();
    let insert = diesel::insert_into(wd::table).values(rows);
    match conn {
        DbConn::Postgres(pg) => insert.on_conflict_do_nothing().execute(pg)?,
        DbConn::Sqlite(sqlite) => insert.on_conflict_do_nothing().execute(sqlite)?,
    };
    Ok(())
}

/// A delivery claimed for an attempt, with what the attempt needs.
#[derive(Debug, Clone, Queryable)]
pub struct Claimed {
    pub id: i64,
    pub webhook_id: i64,
    pub event_id: i64,
    pub message_id: String,
    /// Attempts so far, this one included.
    pub attempts: i32,
    pub url: String,
    pub secret: String,
}

/// Claims up to `limit` due deliveries of enabled endpoints: counts the attempt and pushes the
/// next one past `lease`, so another node (or a crash) only delays them.
pub fn claim_due(
    conn: &mut DbConn,
    now: NaiveDateTime,
    lease: Duration,
    limit: i64,
) -> ApiResult<Vec<Claimed>> {
    db::write_tx(conn, |conn| {
        let enabled = w::table.filter(w::disabled.eq(false)).select(w::id);
        let due = wd::table
            .select(wd::id)
            .filter(wd::status.eq(DeliveryStatus::Pending))
            .filter(wd::next_attempt_at.le(now))
            .filter(wd::webhook_id.eq_any(enabled))
            .order(wd::id)
            .limit(limit);
        let ids: Vec<i64> = match conn {
            DbConn::Postgres(pg) => due.for_update().skip_locked().load(pg)?,
            DbConn::Sqlite(sqlite) => due.load(sqlite)?,
        };
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        diesel::update(wd::table.filter(wd::id.eq_any(&ids)))
            .set((
                wd::attempts.eq(wd::attempts + 1),
                wd::next_attempt_at.eq(now + lease),
            ))
            .execute(conn)?;
        Ok(wd::table
            .inner_join(w::table)
            .filter(wd::id.eq_any(&ids))
            .select((
                wd::id,
                wd::webhook_id,
                wd::event_id,
                wd::message_id,
                wd::attempts,
                w::url,
                w::secret,
            ))
            .order(wd::id)
            .load(conn)?)
    })
}

/// Logs one attempt.
pub fn record_attempt(
    conn: &mut DbConn,
    delivery_id: i64,
    at: NaiveDateTime,
    status: Option<i32>,
    error: Option<&str>,
    duration_ms: i32,
) -> ApiResult<()> {
    diesel::insert_into(wa::table)
        .values((
            wa::delivery_id.eq(delivery_id),
            wa::attempted_at.eq(at),
            wa::status_code.eq(status),
            wa::error.eq(error),
            wa::duration_ms.eq(duration_ms),
        ))
        .execute(conn)?;
    Ok(())
}

/// When the delivery was first attempted (its retry window starts there).
pub fn first_attempt(conn: &mut DbConn, delivery_id: i64) -> ApiResult<Option<NaiveDateTime>> {
    Ok(wa::table
        .filter(wa::delivery_id.eq(delivery_id))
        .select(diesel::dsl::min(wa::attempted_at))
        .first(conn)?)
}

/// Sets the delivery's state after an attempt.
pub fn finish(
    conn: &mut DbConn,
    delivery_id: i64,
    status: DeliveryStatus,
    next_attempt_at: NaiveDateTime,
    code: Option<i32>,
    error: Option<&str>,
    delivered_at: Option<NaiveDateTime>,
) -> ApiResult<()> {
    diesel::update(wd::table.find(delivery_id))
        .set((
            wd::status.eq(status),
            wd::next_attempt_at.eq(next_attempt_at),
            wd::last_status_code.eq(code),
            wd::last_error.eq(error),
            wd::delivered_at.eq(delivered_at),
        ))
        .execute(conn)?;
    Ok(())
}

/// Disables the endpoint with a reason and gives up its pending deliveries.
pub fn disable_gone(conn: &mut DbConn, webhook_id: i64, reason: &str) -> ApiResult<()> {
    db::write_tx(conn, |conn| {
        diesel::update(w::table.find(webhook_id))
            .set((
                w::disabled.eq(true),
                w::disabled_reason.eq(reason),
                w::updated_at.eq(db::now()),
            ))
            .execute(conn)?;
        diesel::update(
            wd::table
                .filter(wd::webhook_id.eq(webhook_id))
                .filter(wd::status.eq(DeliveryStatus::Pending)),
        )
        .set((
            wd::status.eq(DeliveryStatus::Failed),
            wd::last_error.eq(reason),
        ))
        .execute(conn)?;
        Ok(())
    })
}

/// The event as a delivery's body tells it.
pub type EventBody = (
    i64,
    NotificationKind,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    String,
    NaiveDateTime,
);

/// One event, for a body.
pub fn event(conn: &mut DbConn, id: i64) -> ApiResult<EventBody> {
    Ok(ne::table
        .find(id)
        .select((
            ne::id,
            ne::kind,
            ne::place_id,
            ne::topic_id,
            ne::consultation_id,
            ne::task_id,
            ne::payload,
            ne::created_at,
        ))
        .first(conn)?)
}

/// The path of a place.
pub fn place_path(conn: &mut DbConn, id: i64) -> ApiResult<Option<String>> {
    Ok(places::table
        .find(id)
        .select(places::path)
        .first(conn)
        .optional()?)
}
