//! Agenda items.

use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::schema::agenda_items;
use crate::error::ApiResult;

/// An agenda item row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = agenda_items)]
pub struct AgendaRow {
    pub id: i64,
    pub position: i32,
    pub title: String,
    pub topic_id: Option<i64>,
    pub presenter_id: Option<i64>,
    pub minutes: i32,
}

/// The agenda in order.
pub fn agenda(conn: &mut DbConn, consultation_id: i64) -> ApiResult<Vec<AgendaRow>> {
    Ok(agenda_items::table
        .filter(agenda_items::consultation_id.eq(consultation_id))
        .order((agenda_items::position, agenda_items::id))
        .select(AgendaRow::as_select())
        .load(conn)?)
}

/// Appends an agenda item at the end.
pub fn add_agenda_item(
    conn: &mut DbConn,
    consultation_id: i64,
    title: &str,
    topic_id: Option<i64>,
    presenter_id: Option<i64>,
    minutes: i32,
) -> ApiResult<i64> {
    let last: Option<i32> = agenda_items::table
        .filter(agenda_items::consultation_id.eq(consultation_id))
        .select(diesel::dsl::max(agenda_items::position))
        .first(conn)?;
    Ok(diesel::insert_into(agenda_items::table)
        .values((
            agenda_items::consultation_id.eq(consultation_id),
            agenda_items::position.eq(last.unwrap_or(0) + 1),
            agenda_items::title.eq(title),
            agenda_items::topic_id.eq(topic_id),
            agenda_items::presenter_id.eq(presenter_id),
            agenda_items::minutes.eq(minutes),
        ))
        .returning(agenda_items::id)
        .get_result(conn)?)
}

/// Sets positions 1..n in the given order.
pub fn reorder(conn: &mut DbConn, ids: &[i64]) -> ApiResult<()> {
    for (i, id) in ids.iter().enumerate() {
        diesel::update(agenda_items::table.find(id))
            .set(agenda_items::position.eq(i as i32 + 1))
            .execute(conn)?;
    }
    Ok(())
}

/// Topics on the meeting's agenda (for timeline events).
pub fn topics_on_agenda(conn: &mut DbConn, consultation_id: i64) -> ApiResult<Vec<i64>> {
    Ok(agenda_items::table
        .filter(agenda_items::consultation_id.eq(consultation_id))
        .filter(agenda_items::topic_id.is_not_null())
        .select(agenda_items::topic_id.assume_not_null())
        .load(conn)?)
}
