//! Delivery: claims due deliveries, POSTs each signed body to its endpoint (the target checked
//! again and pinned, no redirects, no proxy, a timeout), logs the attempt and decides what comes
//! next: delivered, retried with backoff, given up, or the endpoint disabled (410).

use std::net::SocketAddr;
use std::time::{Duration as StdDuration, Instant};

use chrono::{Duration, NaiveDateTime};
use serde_json::{Value, json};

use super::model::DeliveryStatus;
use super::queries::{self, Claimed};
use super::rules::{self, Outcome};
use super::target;
use crate::config::Settings;
use crate::db;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// Deliveries attempted at once in one pass.
const BATCH: i64 = 20;

/// Delivers what is due by the state's clock, all attempts of a batch at once (so one slow
/// endpoint costs a pass at most one timeout).
pub async fn tick(state: &AppState) {
    let now = state.clock.now();
    let lease =
        Duration::milliseconds(state.settings.webhooks.timeout_ms as i64) + Duration::seconds(60);
    let claimed = match db::run(&state.pool, move |c| {
        queries::claim_due(c, now, lease, BATCH)
    })
    .await
    {
        Ok(c) => c,
        Err(e) => {
            tracing::warn!(error = %e, "webhook claim failed");
            return;
        }
    };
    let attempts = claimed.into_iter().map(|d| async move {
        let id = d.id;
        if let Err(e) = attempt(state, d).await {
            tracing::warn!(delivery = id, error = %e, "webhook delivery bookkeeping failed");
        }
    });
    futures_util::future::join_all(attempts).await;
}

/// What one attempt got: a status, or why there was none.
struct Answer {
    status: Option<u16>,
    error: Option<String>,
    duration_ms: i32,
}

/// One attempt of one claimed delivery, and its bookkeeping.
async fn attempt(state: &AppState, d: Claimed) -> ApiResult<()> {
    let settings = state.settings.clone();
    let event_id = d.event_id;
    let body = db::run(&state.pool, move |c| body_of(c, &settings, event_id)).await?;
    let attempted_at = state.clock.now();
    let answer = post(state, &d, body).await;
    let settings = state.settings.clone();
    db::run(&state.pool, move |c| {
        record(c, &settings, &d, attempted_at, &answer)
    })
    .await
}

/// Sends the signed body; never follows a redirect.
async fn post(state: &AppState, d: &Claimed, body: Vec<u8>) -> Answer {
    let started = Instant::now();
    let done = |status: Option<u16>, error: Option<String>| Answer {
        status,
        error,
        duration_ms: i32::try_from(started.elapsed().as_millis()).unwrap_or(i32::MAX),
    };
    let url = match rules::parse_url(&d.url) {
        Ok(u) => u,
        Err(_) => return done(None, Some("invalid URL".into())),
    };
    let allow = state.settings.webhooks.allow_private_targets;
    let check = url.clone();
    let pinned: Vec<SocketAddr> =
        match tokio::task::spawn_blocking(move || target::resolve(&check, allow)).await {
            Ok(Ok(addrs)) => addrs,
            Ok(Err(problem)) => return done(None, Some(problem.to_string())),
            Err(e) => return done(None, Some(format!("resolver: {e}"))),
        };
    let mut builder = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .timeout(StdDuration::from_millis(state.settings.webhooks.timeout_ms));
    if let (Some(url::Host::Domain(name)), false) = (url.host(), pinned.is_empty()) {
        // Connect to the addresses just checked, not to whatever a second lookup says.
        builder = builder.resolve_to_addrs(name, &pinned);
    }
    let client = match builder.build() {
        Ok(c) => c,
        Err(e) => return done(None, Some(format!("client: {e}"))),
    };
    // Receivers compare the timestamp with their own clock: the real time, always.
    let timestamp = db::now().and_utc().timestamp();
    let key = rules::secret_key(&d.secret).unwrap_or_default();
    let signature = rules::signature(&key, &d.message_id, timestamp, &body);
    let sent = client
        .post(url)
        .header("content-type", "application/json")
        .header("user-agent", "yishi-webhooks/1")
        .header("webhook-id", &d.message_id)
        .header("webhook-timestamp", timestamp.to_string())
        .header("webhook-signature", signature)
        .body(body)
        .send()
        .await;
    match sent {
        Ok(res) => {
            let status = res.status().as_u16();
            let error = (!res.status().is_success()).then(|| format!("HTTP {status}"));
            done(Some(status), error)
        }
        Err(e) => done(None, Some(short(&e.to_string()))),
    }
}

/// Logs the attempt and moves the delivery on.
fn record(
    conn: &mut db::DbConn,
    settings: &Settings,
    d: &Claimed,
    at: NaiveDateTime,
    a: &Answer,
) -> ApiResult<()> {
    let code = a.status.map(i32::from);
    db::write_tx(conn, |conn| {
        queries::record_attempt(conn, d.id, at, code, a.error.as_deref(), a.duration_ms)?;
        match rules::outcome(a.status) {
            Outcome::Delivered => queries::finish(
                conn,
                d.id,
                DeliveryStatus::Delivered,
                at,
                code,
                None,
                Some(at),
            ),
            Outcome::Gone => {
                queries::finish(
                    conn,
                    d.id,
                    DeliveryStatus::Failed,
                    at,
                    code,
                    a.error.as_deref(),
                    None,
                )?;
                queries::disable_gone(conn, d.webhook_id, "the receiver answered 410 Gone")
            }
            Outcome::Retry => {
                let first = queries::first_attempt(conn, d.id)?.unwrap_or(at);
                let next = rules::next_retry(first, at, d.attempts, settings.webhooks.retry_hours);
                let status = if next.is_some() {
                    DeliveryStatus::Pending
                } else {
                    DeliveryStatus::Failed
                };
                queries::finish(
                    conn,
                    d.id,
                    status,
                    next.unwrap_or(at),
                    code,
                    a.error.as_deref(),
                    None,
                )
            }
        }
    })
}

/// The body of an event's deliveries: `{type, id, created_at, data}` (docs/notifications.md).
fn body_of(conn: &mut db::DbConn, settings: &Settings, event_id: i64) -> ApiResult<Vec<u8>> {
    let (id, kind, place_id, topic_id, consultation_id, task_id, payload, created_at) =
        queries::event(conn, event_id)?;
    let base = settings.server.public_url.trim_end_matches('/');
    let url = match (topic_id, consultation_id) {
        (Some(t), _) => Some(format!("{base}/topics/{t}")),
        (None, Some(c)) => Some(format!("{base}/consultations/{c}")),
        (None, None) => None,
    };
    let payload: Value = serde_json::from_str(&payload).unwrap_or(Value::Null);
    let body = json!({
        "type": kind,
        "id": id,
        "created_at": created_at.and_utc(),
        "data": {
            "place_id": place_id,
            "topic_id": topic_id,
            "consultation_id": consultation_id,
            "task_id": task_id,
            "payload": payload,
            "url": url,
        },
    });
    serde_json::to_vec(&body).map_err(|e| ApiError::internal(format!("webhook body: {e}")))
}

/// An error message short enough for the log.
fn short(s: &str) -> String {
    s.chars().take(500).collect()
}
