//! Storage of consultations, agendas, invitations, outcomes, proposals, sign-offs and calendar
//! feed tokens: all diesel of the area, by concern. The topics area calls the three functions
//! of this file for the `major` rule, evaluation eligibility and the unscheduled filter.

mod agenda;
mod feed;
mod meetings;
mod outcomes;
mod participation;

pub use agenda::*;
pub use feed::*;
pub use meetings::*;
pub use outcomes::*;
pub use participation::*;

use diesel::prelude::*;

use super::rules::{DECIDES_MAJOR, Status};
use crate::db::DbConn;
use crate::db::schema::outcomes as outcome_rows;
use crate::db::schema::{agenda_items, consultations, invitations};
use crate::error::ApiResult;

/// Does a concluded hearing or opinion-solicitation meeting have an outcome for the topic?
/// (The `major` rule of decide; the kinds are [`DECIDES_MAJOR`].)
pub fn has_hearing_outcome(conn: &mut DbConn, topic_id: i64) -> ApiResult<bool> {
    let n: i64 = outcome_rows::table
        .inner_join(agenda_items::table.on(agenda_items::id.eq(outcome_rows::agenda_item_id)))
        .inner_join(consultations::table.on(consultations::id.eq(outcome_rows::consultation_id)))
        .filter(agenda_items::topic_id.eq(topic_id))
        .filter(consultations::status.eq(Status::Concluded))
        .filter(consultations::kind.eq_any(DECIDES_MAJOR))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// Did the user attend a meeting that had the topic on its agenda? (Evaluation eligibility.)
pub fn attended_meeting_about(conn: &mut DbConn, topic_id: i64, user_id: i64) -> ApiResult<bool> {
    let meetings = agenda_items::table
        .filter(agenda_items::topic_id.eq(topic_id))
        .select(agenda_items::consultation_id);
    let n: i64 = invitations::table
        .filter(invitations::user_id.eq(user_id))
        .filter(invitations::attended.eq(true))
        .filter(invitations::consultation_id.eq_any(meetings))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}
