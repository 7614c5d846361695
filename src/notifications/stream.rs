//! The live stream (`GET /notifications/stream`, Server-Sent Events): each new notification of
//! the caller as one event (`id:` its id, `event:` its kind, `data:` its JSON).
//!
//! A stream first replays what is newer than `Last-Event-ID` (so a reconnecting client misses
//! nothing), then sleeps on `state.live`, the broadcast of fanned-out event ids (this node's
//! fan-outs, and the other nodes' through PostgreSQL `LISTEN`, see [`listen`]). A wake only
//! means "look again": the stream reads the caller's items newer than the last it sent, so a
//! lagged broadcast loses nothing.

use std::time::Duration;

use actix_web_lab::sse;
use serde::Deserialize;
use tokio::sync::{broadcast, mpsc};
use utoipa::IntoParams;
use validator::Validate;

use super::inbox;
use super::model::NotificationOut;
use crate::auth::Caller;
use crate::db;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// Items read per query while catching up.
const CATCH_UP: i64 = 100;

/// `GET /notifications/stream` parameters.
#[derive(Debug, Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StreamParams {
    /// Replay items newer than this id first (what `Last-Event-ID` says; the header wins).
    pub last_event_id: Option<i64>,
    /// End the stream after this many seconds (for proxies that cut long responses, or `0`
    /// to fetch what is new and return). The client reconnects with `Last-Event-ID`.
    pub max_seconds: Option<u64>,
}

/// Opens the caller's stream: replays from `after` (or starts from now when None), then
/// follows the broadcast until the client goes or `max_seconds` pass.
pub async fn open(
    state: actix_web::web::Data<AppState>,
    caller: Caller,
    after: Option<i64>,
    max_seconds: Option<u64>,
) -> ApiResult<impl actix_web::Responder + use<>> {
    if after.is_some_and(|a| a < 0) {
        return Err(ApiError::invalid(
            "last_event_id",
            "validation.range",
            "a notification id",
        ));
    }
    // Subscribe before reading, so nothing fanned out in between is missed.
    let live = state.live.subscribe();
    let user = caller.user_id;
    let last = match after {
        Some(a) => a,
        None => db::run(&state.pool, move |conn| newest_id(conn, user)).await?,
    };
    let keep_alive =
        Duration::from_secs(state.settings.notifications.stream_keepalive_seconds.max(1));
    let (tx, rx) = mpsc::channel::<sse::Event>(16);
    let deadline = max_seconds.map(|s| tokio::time::Instant::now() + Duration::from_secs(s));
    actix_web::rt::spawn(follow(state, user, last, live, tx, deadline));
    Ok(sse::Sse::from_infallible_receiver(rx).with_keep_alive(keep_alive))
}

/// The id of the caller's newest item (0 when none): a fresh stream starts after it.
fn newest_id(conn: &mut db::DbConn, user: i64) -> ApiResult<i64> {
    use crate::db::schema::notifications as n;
    use diesel::prelude::*;
    Ok(n::table
        .filter(n::user_id.eq(user))
        .select(diesel::dsl::max(n::id))
        .first::<Option<i64>>(conn)?
        .unwrap_or(0))
}

/// Sends what is newer than `last`, then again on every wake, until the client is gone.
async fn follow(
    state: actix_web::web::Data<AppState>,
    user: i64,
    mut last: i64,
    mut live: broadcast::Receiver<i64>,
    tx: mpsc::Sender<sse::Event>,
    deadline: Option<tokio::time::Instant>,
) {
    loop {
        match send_newer(&state, &tx, user, &mut last).await {
            Ok(true) => {}
            // The client went away, or the database failed: end (the client reconnects).
            Ok(false) | Err(_) => return,
        }
        if deadline.is_some_and(|d| d <= tokio::time::Instant::now()) {
            return;
        }
        let until = deadline.unwrap_or_else(|| tokio::time::Instant::now() + FAR);
        tokio::select! {
            woke = live.recv() => match woke {
                Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => {}
                Err(broadcast::error::RecvError::Closed) => return,
            },
            _ = tx.closed() => return,
            _ = tokio::time::sleep_until(until) => return,
        }
    }
}

/// Far enough to mean "no deadline".
const FAR: Duration = Duration::from_secs(365 * 24 * 3600);

/// Sends every item newer than `last`; false when the client has gone.
async fn send_newer(
    state: &AppState,
    tx: &mpsc::Sender<sse::Event>,
    user: i64,
    last: &mut i64,
) -> ApiResult<bool> {
    loop {
        let after = *last;
        let items: Vec<NotificationOut> = db::run(&state.pool, move |conn| {
            inbox::newer_than(conn, user, after, CATCH_UP)
        })
        .await?;
        let full = items.len() as i64 == CATCH_UP;
        for item in items {
            let id = item.id;
            let data = sse::Data::new_json(&item)
                .map_err(|e| ApiError::internal(format!("stream item: {e}")))?
                .id(id.to_string())
                .event(item.kind.as_str());
            if tx.send(data.into()).await.is_err() {
                return Ok(false);
            }
            *last = id;
        }
        if !full {
            return Ok(true);
        }
    }
}

/// On PostgreSQL, forwards `NOTIFY yishi_notifications` from every node into `state.live`,
/// so streams on this node hear other nodes' fan-outs. One dedicated connection on its own
/// thread; when it drops, reconnects with a growing pause (up to 30 s). Ends when the server's
/// state is gone.
pub fn listen(state: &actix_web::web::Data<AppState>, database_url: String) {
    if !database_url.starts_with("postgres") {
        return;
    }
    let weak = std::sync::Arc::downgrade(&state.clone().into_inner());
    let run = move || {
        let mut pause = Duration::from_millis(250);
        // Stops once the server's state is gone, connected or not.
        while weak.strong_count() > 0 {
            match listen_once(&weak, &database_url) {
                Ok(()) => return,
                Err(e) => {
                    tracing::warn!(error = %e, "notification LISTEN connection lost; reconnecting");
                    std::thread::sleep(pause);
                    pause = (pause * 2).min(Duration::from_secs(30));
                }
            }
        }
    };
    if let Err(e) = std::thread::Builder::new()
        .name("yishi-listen".into())
        .spawn(run)
    {
        tracing::warn!(error = %e, "could not start the notification listener");
    }
}

/// Polls of the socket between two liveness checks of the connection.
const POLLS_PER_CHECK: u32 = 50;

/// One connection's life: LISTEN, then forward payloads until the connection fails. Returns
/// Ok only when the state is gone (the server stopped).
fn listen_once(state: &std::sync::Weak<AppState>, url: &str) -> Result<(), String> {
    use diesel::{Connection, PgConnection, RunQueryDsl};
    let mut conn = PgConnection::establish(url).map_err(|e| e.to_string())?;
    diesel::sql_query("LISTEN yishi_notifications")
        .execute(&mut conn)
        .map_err(|e| e.to_string())?;
    tracing::debug!("listening for the notifications of every node");
    let mut polls = 0u32;
    loop {
        let Some(state) = state.upgrade() else {
            return Ok(());
        };
        // Reads what has arrived on the socket without blocking.
        for n in conn.notifications_iter() {
            let n = n.map_err(|e| e.to_string())?;
            if let Ok(id) = n.payload.parse::<i64>() {
                // No stream listening is not an error.
                let _ = state.live.send(id);
            }
        }
        drop(state);
        polls += 1;
        if polls >= POLLS_PER_CHECK {
            polls = 0;
            // A dropped connection shows here, and the loop reconnects.
            diesel::sql_query("SELECT 1")
                .execute(&mut conn)
                .map_err(|e| e.to_string())?;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}
