//! Calendar feed tokens.

use diesel::prelude::*;

use crate::db::schema::{calendar_tokens, invitations, users};
use crate::db::{self, DbConn};
use crate::error::ApiResult;

/// The enabled user holding a calendar feed token hash: a disabled user's feed answers like
/// an unknown token.
pub fn feed_user(conn: &mut DbConn, token_hash: &str) -> ApiResult<Option<i64>> {
    Ok(calendar_tokens::table
        .inner_join(users::table.on(users::id.eq(calendar_tokens::user_id)))
        .filter(calendar_tokens::token_hash.eq(token_hash))
        .filter(users::disabled.eq(false))
        .select(calendar_tokens::user_id)
        .first(conn)
        .optional()?)
}

/// Sets (replaces) a user's feed token.
pub fn set_feed_token(conn: &mut DbConn, user_id: i64, token_hash: &str) -> ApiResult<()> {
    diesel::delete(calendar_tokens::table.find(user_id)).execute(conn)?;
    diesel::insert_into(calendar_tokens::table)
        .values((
            calendar_tokens::user_id.eq(user_id),
            calendar_tokens::token_hash.eq(token_hash),
            calendar_tokens::created_at.eq(db::now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Revokes a user's feed token; false when there was none.
pub fn revoke_feed_token(conn: &mut DbConn, user_id: i64) -> ApiResult<bool> {
    Ok(diesel::delete(calendar_tokens::table.find(user_id)).execute(conn)? == 1)
}

/// Meetings the user declined (left out of their feed unless they convene them).
pub fn declined_by(conn: &mut DbConn, user_id: i64) -> ApiResult<Vec<i64>> {
    Ok(invitations::table
        .filter(invitations::user_id.eq(user_id))
        .filter(invitations::response.eq(crate::consultations::rules::Response::Declined))
        .select(invitations::consultation_id)
        .load(conn)?)
}

/// When the user's current feed token was made, if they have one.
pub fn feed_created_at(
    conn: &mut DbConn,
    user_id: i64,
) -> ApiResult<Option<chrono::NaiveDateTime>> {
    Ok(calendar_tokens::table
        .find(user_id)
        .select(calendar_tokens::created_at)
        .first(conn)
        .optional()?)
}
