//! Invitations, attendance, mail recipients and minutes sign-offs.

use diesel::prelude::*;

use crate::auth::Role;
use crate::consultations::rules::{Category, Response};
use crate::db::schema::{invitations, minutes_signoffs, places, role_grants, users};
use crate::db::{self, DbConn};
use crate::error::ApiResult;

/// An invitation row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = invitations)]
pub struct InvitationRow {
    pub id: i64,
    pub consultation_id: i64,
    pub user_id: Option<i64>,
    pub organization_id: Option<i64>,
    pub category: Category,
    pub response: Response,
    pub attended: bool,
}

/// Invitations of a meeting.
pub fn invitations_of(conn: &mut DbConn, consultation_id: i64) -> ApiResult<Vec<InvitationRow>> {
    invitations_of_many(conn, &[consultation_id])
}

/// Invitations of several meetings in one query (the list), in meeting then id order.
pub fn invitations_of_many(conn: &mut DbConn, ids: &[i64]) -> ApiResult<Vec<InvitationRow>> {
    Ok(invitations::table
        .filter(invitations::consultation_id.eq_any(ids))
        .order((invitations::consultation_id, invitations::id))
        .select(InvitationRow::as_select())
        .load(conn)?)
}

/// Adds an invitation (pending). A second invitation of the same user or organisation to the
/// same meeting breaks a unique index (see the integrity migration).
pub fn invite(
    conn: &mut DbConn,
    consultation_id: i64,
    user_id: Option<i64>,
    organization_id: Option<i64>,
    category: Category,
) -> ApiResult<i64> {
    Ok(diesel::insert_into(invitations::table)
        .values((
            invitations::consultation_id.eq(consultation_id),
            invitations::user_id.eq(user_id),
            invitations::organization_id.eq(organization_id),
            invitations::category.eq(category),
            invitations::response.eq(Response::Pending),
            invitations::attended.eq(false),
            invitations::created_at.eq(db::now()),
        ))
        .returning(invitations::id)
        .get_result(conn)?)
}

/// Records a response.
pub fn respond(conn: &mut DbConn, invitation_id: i64, response: Response) -> ApiResult<()> {
    diesel::update(invitations::table.find(invitation_id))
        .set(invitations::response.eq(response))
        .execute(conn)?;
    Ok(())
}

/// Records attendance for every invitation of a meeting.
pub fn set_attendance(conn: &mut DbConn, consultation_id: i64, attended: &[i64]) -> ApiResult<()> {
    diesel::update(invitations::table.filter(invitations::consultation_id.eq(consultation_id)))
        .set(invitations::attended.eq(false))
        .execute(conn)?;
    diesel::update(
        invitations::table
            .filter(invitations::consultation_id.eq(consultation_id))
            .filter(invitations::id.eq_any(attended)),
    )
    .set(invitations::attended.eq(true))
    .execute(conn)?;
    Ok(())
}

/// The enabled users among `users_` and the members of `orgs`, with their addresses (each
/// once), so a mail can respect each one's preferences.
pub fn people_of(conn: &mut DbConn, users_: &[i64], orgs: &[i64]) -> ApiResult<Vec<(i64, String)>> {
    let mut ids = users_.to_vec();
    if !orgs.is_empty() {
        let members: Vec<i64> = role_grants::table
            .filter(role_grants::organization_id.eq_any(orgs))
            .filter(role_grants::role.eq_any([Role::PropertyFirm, Role::Department]))
            .select(role_grants::user_id)
            .load(conn)?;
        ids.extend(members);
    }
    Ok(users::table
        .filter(users::id.eq_any(&ids))
        .filter(users::disabled.eq(false))
        .select((users::id, users::email))
        .order(users::id)
        .load(conn)?)
}

/// A sign-off row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = minutes_signoffs)]
pub struct SignoffRow {
    pub user_id: i64,
    pub confirmed: bool,
    pub dissent: Option<String>,
}

/// Sign-offs of a meeting.
pub fn signoffs(conn: &mut DbConn, consultation_id: i64) -> ApiResult<Vec<SignoffRow>> {
    Ok(minutes_signoffs::table
        .filter(minutes_signoffs::consultation_id.eq(consultation_id))
        .order(minutes_signoffs::id)
        .select(SignoffRow::as_select())
        .load(conn)?)
}

/// Records a sign-off once per attendee; false when already recorded.
pub fn sign_off(
    conn: &mut DbConn,
    consultation_id: i64,
    user_id: i64,
    dissent: Option<&str>,
) -> ApiResult<bool> {
    let existing: Option<i64> = minutes_signoffs::table
        .filter(minutes_signoffs::consultation_id.eq(consultation_id))
        .filter(minutes_signoffs::user_id.eq(user_id))
        .select(minutes_signoffs::id)
        .first(conn)
        .optional()?;
    if existing.is_some() {
        return Ok(false);
    }
    diesel::insert_into(minutes_signoffs::table)
        .values((
            minutes_signoffs::consultation_id.eq(consultation_id),
            minutes_signoffs::user_id.eq(user_id),
            minutes_signoffs::confirmed.eq(dissent.is_none()),
            minutes_signoffs::dissent.eq(dissent),
            minutes_signoffs::created_at.eq(db::now()),
        ))
        .execute(conn)?;
    Ok(true)
}

/// The place paths of `user`: their home place and the place of every grant they hold.
pub fn places_of_user(conn: &mut DbConn, user: i64) -> ApiResult<Vec<String>> {
    let mut paths: Vec<String> = users::table
        .inner_join(places::table.on(users::home_place_id.eq(places::id.nullable())))
        .filter(users::id.eq(user))
        .select(places::path)
        .load(conn)?;
    let granted: Vec<String> = role_grants::table
        .inner_join(places::table.on(role_grants::place_id.eq(places::id.nullable())))
        .filter(role_grants::user_id.eq(user))
        .select(places::path)
        .load(conn)?;
    paths.extend(granted);
    Ok(paths)
}
