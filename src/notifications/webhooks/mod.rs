//! Signed webhooks for integrators (Standard Webhooks v1).

use super::fanout::EventRow;
use crate::config::Settings;
use crate::db::DbConn;
use crate::error::ApiResult;
use crate::state::AppState;

/// Queues one delivery per subscribed endpoint (inside the fan-out's transaction).
pub fn queue_for_event(
    _conn: &mut DbConn,
    _settings: &Settings,
    _event: &EventRow,
) -> ApiResult<()> {
    Ok(())
}

/// Delivers what is due.
pub async fn tick(_state: &AppState) {}
