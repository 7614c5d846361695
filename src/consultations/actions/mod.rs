//! The use cases of consultations, one plain function each: permission, rules, queries and
//! timeline events, taking the caller and a typed input and returning a typed output. The
//! JSON handlers (and the web pages to come) only parse, call one of these and serialise.
//! Every write is one `db::write_tx` that also appends events to the timelines of the topics
//! on the agenda.

mod agenda;
mod calendar;
mod mail;
mod meetings;
mod outcomes;
mod page;
mod participation;
mod schedule;

pub use agenda::*;
pub use calendar::*;
pub use meetings::*;
pub use outcomes::*;
pub use page::*;
pub use participation::*;
pub use schedule::free_slots;
use schedule::require_reach;

use crate::topics::events::EventKind;
use std::collections::HashSet;

use serde_json::json;

use super::queries::{self as q, ConsultationRow};
use crate::auth::{Caller, PlaceRef};
use crate::db::DbConn;
use crate::error::{ApiError, ApiResult};
use crate::places::queries as places;
use crate::topics::events::{self, NewEvent};

/// The meeting and its place.
pub fn meeting_at(conn: &mut DbConn, id: i64) -> ApiResult<(ConsultationRow, PlaceRef)> {
    let c = q::consultation(conn, id)?;
    let (place, _) = places::place_ref(conn, c.place_id, None)?;
    Ok((c, place))
}

/// The meeting and its place, its row locked for the rest of the write (PostgreSQL), so the
/// checks made on it hold until the transaction commits.
fn locked_meeting(conn: &mut DbConn, id: i64) -> ApiResult<(ConsultationRow, PlaceRef)> {
    q::lock_meeting(conn, id)?;
    meeting_at(conn, id)
}

/// The convener or sub-district staff at the meeting's place may manage it. The convener
/// must still hold a convening role there now: a revoked grant ends their control.
fn require_manager(caller: &Caller, c: &ConsultationRow, place: &PlaceRef) -> ApiResult<()> {
    if super::rules::may_manage(c.convener_id == caller.user_id, &caller.roles_at(place)) {
        Ok(())
    } else {
        Err(ApiError::Forbidden("permission.denied"))
    }
}

/// Agenda and invitations change only while the meeting is ahead (draft or scheduled).
fn require_editable(c: &ConsultationRow) -> ApiResult<()> {
    if super::rules::is_editable(c.status) {
        Ok(())
    } else {
        Err(ApiError::conflict("consultation.not_editable"))
    }
}

/// 409 with the current version when the caller saw another one.
fn require_version(c: &ConsultationRow, expected: i32) -> ApiResult<()> {
    if expected == c.version {
        Ok(())
    } else {
        Err(ApiError::Conflict {
            code: "consultation.stale_version",
            detail: Some(format!("current version is {}", c.version)),
        })
    }
}

/// Appends an event to the timeline of every topic on the meeting's agenda.
fn tell_topics(
    conn: &mut DbConn,
    c: &ConsultationRow,
    kind: EventKind,
    actor: i64,
    note: Option<&str>,
) -> ApiResult<()> {
    let mut seen = HashSet::new();
    for topic_id in q::topics_on_agenda(conn, c.id)? {
        if seen.insert(topic_id) {
            let mut ev = NewEvent::new(kind, actor);
            ev.note = note;
            ev.payload = json!({"consultation_id": c.id, "kind": c.kind, "starts_at": c.starts_at.and_utc()});
            events::append(conn, topic_id, ev)?;
        }
    }
    Ok(())
}

/// 422 naming the overrun when the agenda (`allotted` minutes) does not fit the meeting.
fn require_fit(
    starts: chrono::NaiveDateTime,
    ends: chrono::NaiveDateTime,
    allotted: &[i32],
    field: &str,
    what: &str,
) -> ApiResult<()> {
    match super::rules::agenda_overrun(starts, ends, allotted) {
        Some(over) => Err(ApiError::invalid(
            field,
            "consultation.agenda_overrun",
            format!("the agenda overruns {what}by {over} minutes"),
        )),
        None => Ok(()),
    }
}
