//! The mail channel of notifications (immediate mails, the daily digest, unsubscribe).

use super::fanout::EventRow;
use crate::config::Settings;
use crate::db::DbConn;
use crate::error::ApiResult;
use crate::state::AppState;

/// Schedules the mails of one event's notifications (inside the fan-out's transaction).
pub fn queue_for_event(
    _conn: &mut DbConn,
    _settings: &Settings,
    _event: &EventRow,
) -> ApiResult<()> {
    Ok(())
}

/// Builds the digests that are due.
pub async fn tick(_state: &AppState) {}
