//! The background worker inside `serve`: fans out new events, then lets each channel do what
//! is due (reminders, digests); webhook deliveries run beside it in their own loop, so a slow
//! endpoint never holds up the fan-out. Every node runs one; their claims never overlap and
//! every row they write has a unique key.

use std::time::Duration;

use actix_web::web;

use super::{email, fanout, reminders, webhooks};
use crate::db;
use crate::state::AppState;

/// One pass: fan out what waits, then the channels' due work. Returns the events fanned out.
pub async fn pass(state: &AppState) -> usize {
    let settings = state.settings.clone();
    let batch = settings.notifications.batch_size;
    let done = match db::run(&state.pool, move |c| {
        fanout::fan_out_due(c, &settings, batch)
    })
    .await
    {
        Ok(done) => done,
        Err(e) => {
            tracing::warn!(error = %e, "notification fan-out failed");
            Vec::new()
        }
    };
    for f in &done {
        tracing::debug!(event = f.event_id, recipients = f.recipients, "fanned out");
        // No live stream listening is not an error.
        let _ = state.live.send(f.event_id);
    }
    if !done.is_empty() {
        state.mail_wakeup.notify_one();
    }
    reminders::tick(state).await;
    email::tick(state).await;
    done.len()
}

/// Runs until the server stops: passes at once when woken, else every poll interval; and,
/// concurrently in the same task, the webhook deliveries every poll interval (an attempt may
/// wait up to `webhooks.timeout_ms` for a slow endpoint).
pub async fn run(state: web::Data<AppState>) {
    let interval = Duration::from_millis(state.settings.notifications.poll_interval_ms.max(10));
    let passes = async {
        loop {
            while pass(&state).await > 0 {}
            tokio::select! {
                _ = tokio::time::sleep(interval) => {}
                _ = state.notify_wakeup.notified() => {}
            }
        }
    };
    let deliveries = async {
        loop {
            webhooks::tick(&state).await;
            tokio::time::sleep(interval).await;
        }
    };
    tokio::join!(passes, deliveries);
}
