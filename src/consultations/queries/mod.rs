//! Storage of consultations, agendas, invitations, outcomes, proposals, sign-offs and calendar
//! feed tokens: all diesel of the area, by concern. The topics area calls the three functions
//! of this file for the `major` rule (`held_hearing`), evaluation eligibility and the
//! unscheduled filter.

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

use chrono::NaiveDateTime;

use super::rules::{Category, DECIDES_MAJOR, HeldFacts, Kind, Status, held};
use crate::config::ConsultationSettings;
use crate::db::DbConn;
use crate::db::schema::outcomes as outcome_rows;
use crate::db::schema::{agenda_items, consultations, invitations};
use crate::error::ApiResult;

/// Was a hearing or opinion-solicitation meeting ([`DECIDES_MAJOR`]) about the topic held
/// (see [`held`])? The `major` rule of decide. Gathers, for every concluded meeting of those
/// kinds with the topic on its agenda, its real start, the categories that attended and
/// whether the topic's item has an outcome. `Err` says what the latest such meeting lacks
/// (or that there is none), for the refusal's detail.
pub fn held_hearing(
    conn: &mut DbConn,
    settings: &ConsultationSettings,
    topic_id: i64,
) -> ApiResult<Result<(), String>> {
    let meetings: Vec<(i64, Kind, NaiveDateTime, Option<NaiveDateTime>, i64)> =
        consultations::table
            .inner_join(agenda_items::table.on(agenda_items::consultation_id.eq(consultations::id)))
            .filter(agenda_items::topic_id.eq(topic_id))
            .filter(consultations::status.eq(Status::Concluded))
            .filter(consultations::kind.eq_any(DECIDES_MAJOR))
            .order((consultations::starts_at.desc(), consultations::id.desc()))
            .select((
                consultations::id,
                consultations::kind,
                consultations::starts_at,
                consultations::started_at,
                agenda_items::id,
            ))
            .load(conn)?;
    if meetings.is_empty() {
        return Ok(Err(
            "no concluded hearing or opinion solicitation had the topic on its agenda".into(),
        ));
    }
    let ids: Vec<i64> = meetings.iter().map(|m| m.0).collect();
    let attended: Vec<(i64, Category)> = invitations::table
        .filter(invitations::consultation_id.eq_any(&ids))
        .filter(invitations::attended.eq(true))
        .select((invitations::consultation_id, invitations::category))
        .load(conn)?;
    let items: Vec<i64> = meetings.iter().map(|m| m.4).collect();
    let with_outcome: Vec<i64> = outcome_rows::table
        .filter(outcome_rows::agenda_item_id.eq_any(&items))
        .select(outcome_rows::agenda_item_id)
        .load(conn)?;
    let mut first_lacks = None;
    for (id, kind, starts_at, started_at, item) in meetings {
        let came: Vec<Category> = attended
            .iter()
            .filter(|(m, _)| *m == id)
            .map(|(_, c)| *c)
            .collect();
        let verdict = held(&HeldFacts {
            started_at,
            starts_at,
            start_margin: settings.timing().start_margin,
            attended: &came,
            required: settings.required_for(kind),
            has_outcome: with_outcome.contains(&item),
        });
        match verdict {
            Ok(()) => return Ok(Ok(())),
            Err(lacks) => {
                first_lacks.get_or_insert((id, lacks));
            }
        }
    }
    let (id, lacks) = first_lacks.unwrap_or_default();
    let words: Vec<String> = lacks.iter().map(|l| l.describe()).collect();
    Ok(Err(format!(
        "consultation {id} does not count as held: {}",
        words.join("; ")
    )))
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
