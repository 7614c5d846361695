//! The timeline: an append-only, hash-chained event log per topic. Each event's hash covers
//! its own fields and the previous event's hash, so editing or deleting a row breaks the
//! chain from there on; `yishi audit verify` walks every chain.

use chrono::NaiveDateTime;
use sha2::{Digest, Sha256};

use super::queries::{self as q, EventInsert};
use super::rules::Stage;
use crate::db::{self, DbConn};
use crate::error::ApiResult;

pub use super::queries::EventRow;

/// The hash before the first event of a topic.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

crate::wire_enum! {
    /// What happened on a topic's timeline: the closed set of event kinds, stored by name and
    /// hashed by name, so the chain stays verifiable and clients can switch on it.
    pub enum EventKind {
        Created = "created",
        Transition = "transition",
        MergedIn = "merged_in",
        Supported = "supported",
        Unsupported = "unsupported",
        Commented = "commented",
        CommentHidden = "comment_hidden",
        PlanSaved = "plan_saved",
        TaskCreated = "task_created",
        TaskProgress = "task_progress",
        ObjectionFiled = "objection_filed",
        ObjectionUpheld = "objection_upheld",
        ObjectionDismissed = "objection_dismissed",
        Rated = "rated",
        RatingChanged = "rating_changed",
        MeetingPlanned = "meeting_planned",
        MeetingMoved = "meeting_moved",
        MeetingScheduled = "meeting_scheduled",
        MeetingStarted = "meeting_started",
        MeetingConcluded = "meeting_concluded",
        MeetingCancelled = "meeting_cancelled",
        MeetingOutcome = "meeting_outcome",
    }
}

/// An event to append.
#[derive(Debug, Clone)]
pub struct NewEvent<'a> {
    pub kind: EventKind,
    pub actor_id: Option<i64>,
    pub from: Option<Stage>,
    pub to: Option<Stage>,
    pub note: Option<&'a str>,
    pub payload: serde_json::Value,
}

impl<'a> NewEvent<'a> {
    /// An event of `kind` by `actor` with no stage change.
    pub fn new(kind: EventKind, actor_id: i64) -> Self {
        NewEvent {
            kind,
            actor_id: Some(actor_id),
            from: None,
            to: None,
            note: None,
            payload: serde_json::Value::Object(Default::default()),
        }
    }
}

/// SHA-256 over a canonical JSON array of the event's fields and the previous hash.
#[allow(clippy::too_many_arguments)]
pub fn event_hash(
    topic_id: i64,
    seq: i32,
    kind: &str,
    actor_id: Option<i64>,
    from_stage: Option<&str>,
    to_stage: Option<&str>,
    note: Option<&str>,
    payload: &str,
    created_at: NaiveDateTime,
    prev_hash: &str,
) -> String {
    let canonical = serde_json::json!([
        topic_id,
        seq,
        kind,
        actor_id,
        from_stage,
        to_stage,
        note,
        payload,
        created_at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string(),
        prev_hash
    ]);
    hex::encode(Sha256::digest(canonical.to_string().as_bytes()))
}

/// The hash a stored row should have.
pub fn expected_hash(row: &EventRow) -> String {
    event_hash(
        row.topic_id,
        row.seq,
        row.kind.as_str(),
        row.actor_id,
        row.from_stage.map(Stage::as_str),
        row.to_stage.map(Stage::as_str),
        row.note.as_deref(),
        &row.payload,
        row.created_at,
        &row.prev_hash,
    )
}

/// Appends an event; first locks the topic row (PostgreSQL) so appends to one topic queue up.
/// Records the notification event it makes in the same transaction.
pub fn append(conn: &mut DbConn, topic_id: i64, ev: NewEvent<'_>) -> ApiResult<()> {
    let now = db::now();
    q::lock_topic(conn, topic_id)?;
    let (seq, prev) = match q::last_event(conn, topic_id)? {
        Some((s, h)) => (s + 1, h),
        None => (1, GENESIS.to_string()),
    };
    if ev.kind == EventKind::Transition
        && let (Some(from), Some(to)) = (ev.from, ev.to)
    {
        record_stay(conn, topic_id, from, to, now)?;
    }
    let payload = ev.payload.to_string();
    let hash = event_hash(
        topic_id,
        seq,
        ev.kind.as_str(),
        ev.actor_id,
        ev.from.map(Stage::as_str),
        ev.to.map(Stage::as_str),
        ev.note,
        &payload,
        now,
        &prev,
    );
    q::insert_event(
        conn,
        &EventInsert {
            topic_id,
            seq,
            kind: ev.kind,
            actor_id: ev.actor_id,
            from_stage: ev.from,
            to_stage: ev.to,
            note: ev.note,
            payload: &payload,
            created_at: now,
            prev_hash: &prev,
            hash: &hash,
        },
    )?;
    // Whoever should hear of it will: the notification event is part of this transaction.
    crate::notifications::events::from_timeline(conn, topic_id, seq, &ev)
}

/// Whole seconds between two instants as the statistics count them: whole seconds since 1970
/// of the end minus those of the start (fractions dropped on each, as `strftime('%s')` and
/// `FLOOR(EXTRACT(EPOCH …))` do), so live rows equal the migration's backfill.
pub fn stay_seconds(entered_at: NaiveDateTime, left_at: NaiveDateTime) -> i64 {
    left_at.and_utc().timestamp() - entered_at.and_utc().timestamp()
}

/// Stores the stay a transition `from` → `to` at `left_at` completes, before the transition's
/// own event is appended: a stage change (`from` ≠ `to`) ends the stay in `from` begun at the
/// previous stage change (or the topic's creation). No stay for an escalation inside a step,
/// nor for leaving `closed` (not one of the five steps). Called by [`append`]; public so
/// tests that write timelines by hand store stays the same way.
pub fn record_stay(
    conn: &mut DbConn,
    topic_id: i64,
    from: Stage,
    to: Stage,
    left_at: NaiveDateTime,
) -> ApiResult<()> {
    if from == to || from == Stage::Closed {
        return Ok(());
    }
    let entered_at = q::stage_entered_at(conn, topic_id)?;
    q::insert_stay(
        conn,
        topic_id,
        from,
        entered_at,
        left_at,
        stay_seconds(entered_at, left_at),
    )
}

/// The first event that breaks its topic's chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokenEvent {
    pub topic_id: i64,
    pub event_id: i64,
    pub seq: i32,
    pub why: &'static str,
}

/// Checks one topic's events in order; the pure core of `yishi audit verify`.
pub fn verify_chain(rows: &[EventRow]) -> Result<(), BrokenEvent> {
    let mut prev = GENESIS.to_string();
    for (i, row) in rows.iter().enumerate() {
        let broken = |why| BrokenEvent {
            topic_id: row.topic_id,
            event_id: row.id,
            seq: row.seq,
            why,
        };
        if row.seq != i as i32 + 1 {
            return Err(broken("sequence gap: an event was deleted or renumbered"));
        }
        if row.prev_hash != prev {
            return Err(broken("prev_hash does not match the previous event"));
        }
        if expected_hash(row) != row.hash {
            return Err(broken("hash does not match the event's fields"));
        }
        prev = row.hash.clone();
    }
    Ok(())
}

/// Verifies every topic's chain; returns how many events were checked, or the first break.
pub fn verify_all(conn: &mut DbConn) -> ApiResult<Result<usize, BrokenEvent>> {
    let mut checked = 0;
    for id in q::topic_ids(conn)? {
        let rows = q::timeline(conn, id)?;
        if let Err(b) = verify_chain(&rows) {
            return Ok(Err(b));
        }
        checked += rows.len();
    }
    Ok(Ok(checked))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(seq: i32, prev: &str) -> EventRow {
        let created_at = chrono::DateTime::from_timestamp(1_800_000_000 + seq as i64, 0)
            .unwrap()
            .naive_utc();
        let mut r = EventRow {
            id: seq as i64 * 10,
            topic_id: 7,
            seq,
            kind: EventKind::Transition,
            actor_id: Some(3),
            from_stage: Some(Stage::Say),
            to_stage: Some(Stage::Discuss),
            note: Some("受理".into()),
            payload: "{}".into(),
            created_at,
            prev_hash: prev.into(),
            hash: String::new(),
        };
        r.hash = expected_hash(&r);
        r
    }

    fn chain(n: i32) -> Vec<EventRow> {
        let mut rows: Vec<EventRow> = Vec::new();
        for s in 1..=n {
            let prev = rows
                .last()
                .map(|r| r.hash.clone())
                .unwrap_or(GENESIS.into());
            rows.push(row(s, &prev));
        }
        rows
    }

    #[test]
    fn an_intact_chain_verifies() {
        assert_eq!(verify_chain(&chain(4)), Ok(()));
        assert_eq!(verify_chain(&[]), Ok(()));
    }

    #[test]
    fn edits_deletions_and_rehashing_are_detected() {
        let mut edited = chain(4);
        edited[1].note = Some("改过的".into());
        assert_eq!(verify_chain(&edited).unwrap_err().seq, 2);

        let mut deleted = chain(4);
        deleted.remove(2);
        assert_eq!(verify_chain(&deleted).unwrap_err().seq, 4);

        // Rewriting one event with a fresh hash still breaks the next link.
        let mut rehashed = chain(4);
        rehashed[1].note = Some("改过的".into());
        rehashed[1].hash = expected_hash(&rehashed[1]);
        let broken = verify_chain(&rehashed).unwrap_err();
        assert_eq!(
            (broken.seq, broken.why),
            (3, "prev_hash does not match the previous event")
        );
    }
}
