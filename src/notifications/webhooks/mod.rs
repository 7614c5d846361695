//! Signed webhooks for integrators (Standard Webhooks v1; docs/notifications.md "Webhooks").
//!
//! Admins register endpoints for a place and a set of kinds ([`routes`], [`actions`]). The
//! fan-out queues one delivery per subscribed endpoint in the event's own transaction
//! ([`queue_for_event`]); the worker delivers them ([`tick`], [`deliver`]) with retries, and
//! every attempt is logged. Pure rules (SSRF, signature, backoff) in [`rules`].

pub mod actions;
pub mod deliver;
pub mod model;
pub mod queries;
pub mod routes;
pub mod rules;
pub mod target;

use super::fanout::EventRow;
use crate::auth::roles::covers;
use crate::config::Settings;
use crate::db::{self, DbConn};
use crate::error::ApiResult;

pub use deliver::tick;

/// Queues one delivery per enabled endpoint whose place covers the event's place and whose
/// kinds include the event's kind (inside the fan-out's transaction; three statements
/// whatever the number of endpoints). An event without a place reaches no endpoint.
pub fn queue_for_event(conn: &mut DbConn, _settings: &Settings, event: &EventRow) -> ApiResult<()> {
    let Some(place) = event.place_id else {
        return Ok(());
    };
    let Some(path) = queries::place_path(conn, place)? else {
        return Ok(());
    };
    let ancestors = crate::places::rules::path_ids(&path);
    let targets: Vec<(i64, String)> = queries::subscribed(conn, event.kind, &ancestors)?
        .into_iter()
        .filter(|(_, scope)| covers(scope, &path))
        .map(|(id, _)| (id, rules::message_id(id, event.id)))
        .collect();
    queries::queue(conn, event.id, &targets, db::now())
}
