//! Recording what someone should hear about: one `notification_events` row per change, written
//! in the change's own transaction under a unique dedupe key. The topic timeline calls
//! [`from_timeline`] for every event it appends, so no topic action can forget to notify.

use diesel::prelude::*;
use serde_json::{Value, json};

use super::follows;
use super::kinds::NotificationKind;
use super::rules;
use crate::db::schema::{notification_events as ne, topics};
use crate::db::{self, DbConn};
use crate::error::ApiResult;
use crate::topics::events::NewEvent;
use crate::topics::rules::Action;

/// An event to record.
#[derive(Debug, Clone)]
pub struct Notice {
    pub kind: NotificationKind,
    /// Unique per real-world event (`topic:7:12`, `meeting:3:reminder:1440`): a second
    /// emit with the same key records nothing.
    pub dedupe_key: String,
    pub place_id: Option<i64>,
    pub topic_id: Option<i64>,
    pub consultation_id: Option<i64>,
    pub task_id: Option<i64>,
    pub actor_id: Option<i64>,
    pub payload: Value,
}

impl Notice {
    /// A notice of `kind` under `dedupe_key`, about nothing yet.
    pub fn new(kind: NotificationKind, dedupe_key: String) -> Self {
        Notice {
            kind,
            dedupe_key,
            place_id: None,
            topic_id: None,
            consultation_id: None,
            task_id: None,
            actor_id: None,
            payload: json!({}),
        }
    }
}

/// Records the event unless its dedupe key already exists; true when it was new.
pub fn emit(conn: &mut DbConn, n: &Notice) -> ApiResult<bool> {
    let values = (
        ne::kind.eq(n.kind),
        ne::dedupe_key.eq(&n.dedupe_key),
        ne::place_id.eq(n.place_id),
        ne::topic_id.eq(n.topic_id),
        ne::consultation_id.eq(n.consultation_id),
        ne::task_id.eq(n.task_id),
        ne::actor_id.eq(n.actor_id),
        ne::payload.eq(n.payload.to_string()),
        ne::created_at.eq(db::now()),
    );
    let insert = diesel::insert_into(ne::table).values(values);
    let inserted = match conn {
        DbConn::Postgres(pg) => insert.on_conflict_do_nothing().execute(pg)?,
        DbConn::Sqlite(sqlite) => insert.on_conflict_do_nothing().execute(sqlite)?,
    };
    Ok(inserted == 1)
}

/// The timeline's hook: follows the topic for whoever acted (raising, supporting, commenting,
/// rating, objecting), and records the notification event the timeline event makes, keyed by
/// the timeline's own (topic, seq) so it exists exactly once.
pub fn from_timeline(
    conn: &mut DbConn,
    topic_id: i64,
    seq: i32,
    ev: &NewEvent<'_>,
) -> ApiResult<()> {
    if let (Some(level), Some(actor)) = (rules::auto_follow(ev.kind), ev.actor_id) {
        follows::follow_if_new(conn, actor, topic_id, level)?;
        // A topic raised for a resident is theirs too.
        if let Some(resident) = ev.payload.get("on_behalf_of").and_then(Value::as_i64) {
            follows::follow_if_new(conn, resident, topic_id, level)?;
        }
    }
    let action = ev
        .payload
        .get("action")
        .and_then(Value::as_str)
        .and_then(Action::parse);
    let task_done = ev.payload.get("to").and_then(Value::as_str) == Some("done")
        && ev.payload.get("from").and_then(Value::as_str) != Some("done");
    let Some(kind) = rules::kind_of_timeline(ev.kind, action, task_done) else {
        return Ok(());
    };
    let place_id: i64 = topics::table
        .find(topic_id)
        .select(topics::place_id)
        .first(conn)?;
    let mut payload = ev.payload.clone();
    if let (Value::Object(map), Some(note)) = (&mut payload, ev.note) {
        map.insert("note".into(), json!(note));
    }
    emit(
        conn,
        &Notice {
            kind,
            dedupe_key: format!("topic:{topic_id}:{seq}"),
            place_id: Some(place_id),
            topic_id: Some(topic_id),
            consultation_id: None,
            task_id: payload.get("task_id").and_then(Value::as_i64),
            actor_id: ev.actor_id,
            payload,
        },
    )?;
    Ok(())
}
