//! What the `Caller` extractor reads on every request: the user's and session's live state and
//! the role grants with their place paths.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::caller::CallerGrant;
use crate::db::DbConn;
use crate::db::schema::{places, role_grants, sessions, users};
use crate::error::ApiResult;

/// Whether the user is disabled and when the session was revoked; None when either is unknown.
pub fn live_state(
    conn: &mut DbConn,
    user_id: i64,
    session_id: i64,
) -> ApiResult<Option<(bool, Option<NaiveDateTime>)>> {
    Ok(users::table
        .inner_join(sessions::table)
        .filter(users::id.eq(user_id))
        .filter(sessions::id.eq(session_id))
        .select((users::disabled, sessions::revoked_at))
        .first(conn)
        .optional()?)
}

/// The user's grants with each place's path, in id order. An unknown stored role fails the
/// query (a 500 with the cause logged), never a silently missing grant.
pub fn caller_grants(conn: &mut DbConn, user_id: i64) -> ApiResult<Vec<CallerGrant>> {
    Ok(role_grants::table
        .left_join(places::table)
        .filter(role_grants::user_id.eq(user_id))
        .select((
            role_grants::id,
            role_grants::role,
            role_grants::place_id,
            places::path.nullable(),
            role_grants::organization_id,
        ))
        .order(role_grants::id)
        .load(conn)?)
}
