//! The agenda: read, add (the agenda must fit the meeting), reorder.

use super::super::model::*;
use super::super::queries::{self as q, AgendaRow};
use super::meetings::agenda_topic;
use super::{locked_meeting, require_editable, require_fit, require_manager, tell_topics};
use crate::api::paging::List;
use crate::auth::Caller;
use crate::db::{self, DbConn};
use crate::error::{ApiError, ApiResult};
use crate::topics::events::EventKind;

fn item_out(a: AgendaRow) -> AgendaItemOut {
    AgendaItemOut {
        id: a.id,
        position: a.position,
        title: a.title,
        topic_id: a.topic_id,
        presenter_id: a.presenter_id,
        minutes: a.minutes,
    }
}

fn agenda_out(conn: &mut DbConn, id: i64) -> ApiResult<Vec<AgendaItemOut>> {
    Ok(q::agenda(conn, id)?.into_iter().map(item_out).collect())
}

/// The agenda in order.
pub fn list_agenda(conn: &mut DbConn, id: i64) -> ApiResult<List<AgendaItemOut>> {
    q::consultation(conn, id)?;
    Ok(List {
        items: agenda_out(conn, id)?,
        next_cursor: None,
    })
}

/// Adds an agenda item; the agenda must still fit the meeting. The meeting row is locked
/// first (PostgreSQL), so two additions cannot both pass the fit check.
pub fn add_agenda_item(
    conn: &mut DbConn,
    caller: &Caller,
    id: i64,
    req: &NewAgendaItem,
) -> ApiResult<AgendaItemOut> {
    db::write_tx(conn, |conn| {
        let (c, place) = locked_meeting(conn, id)?;
        require_manager(caller, &c, &place)?;
        require_editable(&c)?;
        if let Some(tid) = req.topic_id {
            agenda_topic(conn, tid, &place, "topic_id")?;
        }
        if let Some(p) = req.presenter_id
            && crate::accounts::queries::user_by_id(conn, p)?.is_none()
        {
            return Err(ApiError::invalid(
                "presenter_id",
                "user.not_found",
                format!("no user {p}"),
            ));
        }
        let mut allotted: Vec<i32> = q::agenda(conn, id)?.iter().map(|a| a.minutes).collect();
        allotted.push(req.minutes);
        require_fit(c.starts_at, c.ends_at, &allotted, "minutes", "the meeting ")?;
        let item = q::add_agenda_item(
            conn,
            id,
            &req.title,
            req.topic_id,
            req.presenter_id,
            req.minutes,
        )?;
        if req.topic_id.is_some() {
            tell_topics(
                conn,
                &c,
                EventKind::MeetingPlanned,
                caller.user_id,
                Some(&c.title),
            )?;
        }
        agenda_out(conn, id)?
            .into_iter()
            .find(|a| a.id == item)
            .ok_or(ApiError::NotFound("agenda_item.not_found"))
    })
}

/// Puts the agenda in a new order (every item exactly once).
pub fn reorder(
    conn: &mut DbConn,
    caller: &Caller,
    id: i64,
    req: &Reorder,
) -> ApiResult<List<AgendaItemOut>> {
    db::write_tx(conn, |conn| {
        let (c, place) = locked_meeting(conn, id)?;
        require_manager(caller, &c, &place)?;
        require_editable(&c)?;
        let mut have: Vec<i64> = q::agenda(conn, id)?.iter().map(|a| a.id).collect();
        let mut want = req.item_ids.clone();
        have.sort_unstable();
        want.sort_unstable();
        if have != want {
            return Err(ApiError::invalid(
                "item_ids",
                "consultation.invalid_order",
                "list every agenda item of this meeting exactly once",
            ));
        }
        q::reorder(conn, &req.item_ids)?;
        Ok(List {
            items: agenda_out(conn, id)?,
            next_cursor: None,
        })
    })
}
