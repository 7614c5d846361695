//! Storage of what proves a caller: mailed one-time tokens, login sessions with their refresh
//! tokens, and the failed-login delays (per email) and locks (per email and address).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::accounts::rules::Throttle;
use crate::db::schema::{
    email_tokens, login_address_locks, login_throttle, refresh_tokens, sessions, users,
};
use crate::db::{self, DbConn};
use crate::error::ApiResult;

crate::wire_enum! {
    /// What a mailed one-time token is for: a token of one purpose never serves another.
    pub enum TokenPurpose {
        VerifyEmail = "verify_email",
        PasswordReset = "password_reset",
        UnlockLogin = "unlock_login",
    }
}

crate::wire_enum! {
    /// Why a session ended, kept on the row for the audit trail.
    pub enum RevokeReason {
        Logout = "logout",
        RefreshReused = "refresh_reused",
        PasswordReset = "password_reset",
    }
}

/// Stores a mailed token's hash.
pub fn insert_email_token(
    conn: &mut DbConn,
    user_id: i64,
    purpose: TokenPurpose,
    token_hash: &str,
    expires_at: NaiveDateTime,
) -> ApiResult<()> {
    diesel::insert_into(email_tokens::table)
        .values((
            email_tokens::user_id.eq(user_id),
            email_tokens::purpose.eq(purpose),
            email_tokens::token_hash.eq(token_hash),
            email_tokens::created_at.eq(db::now()),
            email_tokens::expires_at.eq(expires_at),
        ))
        .execute(conn)?;
    Ok(())
}

/// The id and user of a valid, unused mailed token.
fn valid_email_token(
    conn: &mut DbConn,
    token_hash: &str,
    purpose: TokenPurpose,
    now: NaiveDateTime,
) -> ApiResult<Option<(i64, i64)>> {
    Ok(email_tokens::table
        .filter(email_tokens::token_hash.eq(token_hash))
        .filter(email_tokens::purpose.eq(purpose))
        .filter(email_tokens::used_at.is_null())
        .filter(email_tokens::expires_at.gt(now))
        .select((email_tokens::id, email_tokens::user_id))
        .first(conn)
        .optional()?)
}

/// The user of a valid, unused mailed token, without spending it (a reset reads the account's
/// email to check the new password before hashing; `take_email_token` spends it afterwards).
pub fn peek_email_token(
    conn: &mut DbConn,
    token_hash: &str,
    purpose: TokenPurpose,
) -> ApiResult<Option<i64>> {
    Ok(valid_email_token(conn, token_hash, purpose, db::now())?.map(|(_, user_id)| user_id))
}

/// Spends a mailed token: returns its user when it was valid and unused (at most once,
/// even when two requests race).
pub fn take_email_token(
    conn: &mut DbConn,
    token_hash: &str,
    purpose: TokenPurpose,
) -> ApiResult<Option<i64>> {
    let now = db::now();
    let Some((id, user_id)) = valid_email_token(conn, token_hash, purpose, now)? else {
        return Ok(None);
    };
    let spent = diesel::update(
        email_tokens::table
            .filter(email_tokens::id.eq(id))
            .filter(email_tokens::used_at.is_null()),
    )
    .set(email_tokens::used_at.eq(now))
    .execute(conn)?;
    Ok((spent == 1).then_some(user_id))
}

/// Spends every outstanding token of a user for `purpose` (a successful reset ends the
/// other reset links mailed before it).
pub fn spend_email_tokens(conn: &mut DbConn, user_id: i64, purpose: TokenPurpose) -> ApiResult<()> {
    diesel::update(
        email_tokens::table
            .filter(email_tokens::user_id.eq(user_id))
            .filter(email_tokens::purpose.eq(purpose))
            .filter(email_tokens::used_at.is_null()),
    )
    .set(email_tokens::used_at.eq(db::now()))
    .execute(conn)?;
    Ok(())
}

/// Opens a login session (a refresh-token family) and its first refresh token.
pub fn open_session(
    conn: &mut DbConn,
    user_id: i64,
    refresh_hash: &str,
    expires_at: NaiveDateTime,
) -> ApiResult<i64> {
    let session_id = diesel::insert_into(sessions::table)
        .values((
            sessions::user_id.eq(user_id),
            sessions::created_at.eq(db::now()),
        ))
        .returning(sessions::id)
        .get_result(conn)?;
    insert_refresh(conn, session_id, refresh_hash, expires_at)?;
    Ok(session_id)
}

/// Opens a browser session: the cookie token's hash, ending at `expires_at` unless used.
pub fn open_browser_session(
    conn: &mut DbConn,
    user_id: i64,
    cookie_hash: &str,
    expires_at: NaiveDateTime,
) -> ApiResult<i64> {
    Ok(diesel::insert_into(sessions::table)
        .values((
            sessions::user_id.eq(user_id),
            sessions::created_at.eq(db::now()),
            sessions::cookie_hash.eq(cookie_hash),
            sessions::expires_at.eq(expires_at),
        ))
        .returning(sessions::id)
        .get_result(conn)?)
}

/// A browser session found by its cookie's hash: live, not yet expired.
#[derive(Debug, Queryable)]
pub struct BrowserSession {
    pub session_id: i64,
    pub user_id: i64,
    pub expires_at: Option<NaiveDateTime>,
    pub display_name: String,
}

/// The live browser session whose cookie hashes to `cookie_hash`.
pub fn browser_session(
    conn: &mut DbConn,
    cookie_hash: &str,
    now: NaiveDateTime,
) -> ApiResult<Option<BrowserSession>> {
    Ok(sessions::table
        .inner_join(users::table)
        .filter(sessions::cookie_hash.eq(cookie_hash))
        .filter(sessions::revoked_at.is_null())
        .filter(sessions::expires_at.gt(now))
        .filter(users::disabled.eq(false))
        .select((
            sessions::id,
            sessions::user_id,
            sessions::expires_at,
            users::display_name,
        ))
        .first(conn)
        .optional()?)
}

/// Moves a browser session's end on (it is renewed on use).
pub fn renew_browser_session(
    conn: &mut DbConn,
    session_id: i64,
    expires_at: NaiveDateTime,
) -> ApiResult<()> {
    diesel::update(sessions::table.filter(sessions::id.eq(session_id)))
        .set(sessions::expires_at.eq(expires_at))
        .execute(conn)?;
    Ok(())
}

/// Adds a refresh token to a session.
pub fn insert_refresh(
    conn: &mut DbConn,
    session_id: i64,
    refresh_hash: &str,
    expires_at: NaiveDateTime,
) -> ApiResult<()> {
    diesel::insert_into(refresh_tokens::table)
        .values((
            refresh_tokens::session_id.eq(session_id),
            refresh_tokens::token_hash.eq(refresh_hash),
            refresh_tokens::created_at.eq(db::now()),
            refresh_tokens::expires_at.eq(expires_at),
        ))
        .execute(conn)?;
    Ok(())
}

/// A presented refresh token with its session and user state.
#[derive(Debug, Queryable)]
pub struct RefreshRow {
    pub id: i64,
    pub session_id: i64,
    pub used_at: Option<NaiveDateTime>,
    pub expires_at: NaiveDateTime,
    pub revoked_at: Option<NaiveDateTime>,
    pub user_id: i64,
    pub disabled: bool,
}

/// Finds a refresh token by hash.
pub fn refresh_by_hash(conn: &mut DbConn, token_hash: &str) -> ApiResult<Option<RefreshRow>> {
    Ok(refresh_tokens::table
        .inner_join(sessions::table.inner_join(users::table))
        .filter(refresh_tokens::token_hash.eq(token_hash))
        .select((
            refresh_tokens::id,
            refresh_tokens::session_id,
            refresh_tokens::used_at,
            refresh_tokens::expires_at,
            sessions::revoked_at,
            users::id,
            users::disabled,
        ))
        .first(conn)
        .optional()?)
}

/// Marks a refresh token spent; false when another request spent it first.
pub fn spend_refresh(conn: &mut DbConn, id: i64) -> ApiResult<bool> {
    let n = diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::id.eq(id))
            .filter(refresh_tokens::used_at.is_null()),
    )
    .set(refresh_tokens::used_at.eq(db::now()))
    .execute(conn)?;
    Ok(n == 1)
}

/// Ends one session (logout, detected reuse).
pub fn revoke_session(conn: &mut DbConn, session_id: i64, reason: RevokeReason) -> ApiResult<()> {
    diesel::update(
        sessions::table
            .filter(sessions::id.eq(session_id))
            .filter(sessions::revoked_at.is_null()),
    )
    .set((
        sessions::revoked_at.eq(db::now()),
        sessions::revoke_reason.eq(reason),
    ))
    .execute(conn)?;
    Ok(())
}

/// Ends every session of a user (password reset).
pub fn revoke_all_sessions(conn: &mut DbConn, user_id: i64, reason: RevokeReason) -> ApiResult<()> {
    diesel::update(
        sessions::table
            .filter(sessions::user_id.eq(user_id))
            .filter(sessions::revoked_at.is_null()),
    )
    .set((
        sessions::revoked_at.eq(db::now()),
        sessions::revoke_reason.eq(reason),
    ))
    .execute(conn)?;
    Ok(())
}

/// Serialises the failed-login bookkeeping of one email for this transaction, so parallel
/// failures are all counted. PostgreSQL: a transaction-scoped advisory lock on the email's
/// hash; SQLite: nothing, `write_tx` already holds the write lock.
pub fn lock_login_key(conn: &mut DbConn, email_key: &str) -> ApiResult<()> {
    match conn {
        DbConn::Postgres(pg) => {
            diesel::sql_query("SELECT pg_advisory_xact_lock(7391002, hashtext($1))")
                .bind::<diesel::sql_types::Text, _>(email_key)
                .execute(pg)?;
        }
        DbConn::Sqlite(_) => {}
    }
    Ok(())
}

/// The failed-login state of an email (its delay).
pub fn throttle_of(conn: &mut DbConn, email_key: &str) -> ApiResult<Option<Throttle>> {
    let row: Option<(i32, NaiveDateTime, Option<NaiveDateTime>)> = login_throttle::table
        .find(email_key)
        .select((
            login_throttle::failures,
            login_throttle::window_started_at,
            login_throttle::delayed_until,
        ))
        .first(conn)
        .optional()?;
    Ok(row.map(|(failures, window_started_at, until)| Throttle {
        failures,
        window_started_at,
        until,
    }))
}

/// Stores the failed-login state of an email (update, else insert; under [`lock_login_key`]).
pub fn save_throttle(conn: &mut DbConn, email_key: &str, t: &Throttle) -> ApiResult<()> {
    let n = diesel::update(login_throttle::table.find(email_key))
        .set((
            login_throttle::failures.eq(t.failures),
            login_throttle::window_started_at.eq(t.window_started_at),
            login_throttle::delayed_until.eq(t.until),
        ))
        .execute(conn)?;
    if n == 0 {
        diesel::insert_into(login_throttle::table)
            .values((
                login_throttle::email_key.eq(email_key),
                login_throttle::failures.eq(t.failures),
                login_throttle::window_started_at.eq(t.window_started_at),
                login_throttle::delayed_until.eq(t.until),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// The failed-login state of an email from one client address (its lock).
pub fn address_lock_of(
    conn: &mut DbConn,
    email_key: &str,
    addr: &str,
) -> ApiResult<Option<Throttle>> {
    let row: Option<(i32, NaiveDateTime, Option<NaiveDateTime>)> = login_address_locks::table
        .find((email_key, addr))
        .select((
            login_address_locks::failures,
            login_address_locks::window_started_at,
            login_address_locks::locked_until,
        ))
        .first(conn)
        .optional()?;
    Ok(row.map(|(failures, window_started_at, until)| Throttle {
        failures,
        window_started_at,
        until,
    }))
}

/// Stores the failed-login state of an email from one address (under [`lock_login_key`]).
pub fn save_address_lock(
    conn: &mut DbConn,
    email_key: &str,
    addr: &str,
    t: &Throttle,
) -> ApiResult<()> {
    let n = diesel::update(login_address_locks::table.find((email_key, addr)))
        .set((
            login_address_locks::failures.eq(t.failures),
            login_address_locks::window_started_at.eq(t.window_started_at),
            login_address_locks::locked_until.eq(t.until),
        ))
        .execute(conn)?;
    if n == 0 {
        diesel::insert_into(login_address_locks::table)
            .values((
                login_address_locks::email_key.eq(email_key),
                login_address_locks::client_addr.eq(addr),
                login_address_locks::failures.eq(t.failures),
                login_address_locks::window_started_at.eq(t.window_started_at),
                login_address_locks::locked_until.eq(t.until),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Forgets the failures of an email from one address (a successful login from there).
pub fn clear_address_lock(conn: &mut DbConn, email_key: &str, addr: &str) -> ApiResult<()> {
    diesel::delete(login_address_locks::table.find((email_key, addr))).execute(conn)?;
    Ok(())
}

/// Forgets every failure, delay and lock of an email (unlock link, password reset).
pub fn clear_login_locks(conn: &mut DbConn, email_key: &str) -> ApiResult<()> {
    diesel::delete(login_throttle::table.find(email_key)).execute(conn)?;
    diesel::delete(login_address_locks::table.filter(login_address_locks::email_key.eq(email_key)))
        .execute(conn)?;
    Ok(())
}
