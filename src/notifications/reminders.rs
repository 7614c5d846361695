//! Reminders: meetings, tasks due and overdue, evaluation windows closing.

use crate::state::AppState;

/// Records the reminders that are due by the state's clock.
pub async fn tick(_state: &AppState) {}
