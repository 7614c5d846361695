//! Account storage: users, sessions and refresh tokens, mailed tokens, throttling, grants.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::model::GrantOut;
use super::rules::Throttle;
use crate::auth::Role;
use crate::db::schema::{
    email_tokens, login_throttle, places, refresh_tokens, role_grants, sessions, users,
};
use crate::db::{self, DbConn};
use crate::error::ApiResult;

/// A user row.
#[derive(Debug, Clone, Queryable)]
pub struct UserRow {
    pub id: i64,
    pub email: String,
    pub password_hash: String,
    pub display_name: String,
    pub home_place_id: Option<i64>,
    pub email_verified_at: Option<NaiveDateTime>,
    pub disabled: bool,
    pub created_at: NaiveDateTime,
}

type UserColumns = (
    users::id,
    users::email,
    users::password_hash,
    users::display_name,
    users::home_place_id,
    users::email_verified_at,
    users::disabled,
    users::created_at,
);

/// The columns of [`UserRow`], for selects.
pub const USER_COLUMNS: UserColumns = (
    users::id,
    users::email,
    users::password_hash,
    users::display_name,
    users::home_place_id,
    users::email_verified_at,
    users::disabled,
    users::created_at,
);

/// Looks a user up by normalised email.
pub fn user_by_email(conn: &mut DbConn, email: &str) -> ApiResult<Option<UserRow>> {
    Ok(users::table
        .filter(users::email.eq(email))
        .select(USER_COLUMNS)
        .first(conn)
        .optional()?)
}

/// Looks a user up by id.
pub fn user_by_id(conn: &mut DbConn, id: i64) -> ApiResult<Option<UserRow>> {
    Ok(users::table
        .find(id)
        .select(USER_COLUMNS)
        .first(conn)
        .optional()?)
}

/// Inserts a user; `verified` marks the email as verified now (admin and demo accounts).
pub fn insert_user(
    conn: &mut DbConn,
    email: &str,
    password_hash: &str,
    display_name: &str,
    home_place_id: Option<i64>,
    verified: bool,
) -> ApiResult<i64> {
    let now = db::now();
    Ok(diesel::insert_into(users::table)
        .values((
            users::email.eq(email),
            users::password_hash.eq(password_hash),
            users::display_name.eq(display_name),
            users::home_place_id.eq(home_place_id),
            users::email_verified_at.eq(verified.then_some(now)),
            users::disabled.eq(false),
            users::created_at.eq(now),
            users::updated_at.eq(now),
        ))
        .returning(users::id)
        .get_result(conn)?)
}

/// Stores a mailed token's hash.
pub fn insert_email_token(
    conn: &mut DbConn,
    user_id: i64,
    purpose: &str,
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

/// Spends a mailed token: returns its user when it was valid and unused (at most once,
/// even when two requests race).
pub fn take_email_token(
    conn: &mut DbConn,
    token_hash: &str,
    purpose: &str,
) -> ApiResult<Option<i64>> {
    let now = db::now();
    let found: Option<(i64, i64)> = email_tokens::table
        .filter(email_tokens::token_hash.eq(token_hash))
        .filter(email_tokens::purpose.eq(purpose))
        .filter(email_tokens::used_at.is_null())
        .filter(email_tokens::expires_at.gt(now))
        .select((email_tokens::id, email_tokens::user_id))
        .first(conn)
        .optional()?;
    let Some((id, user_id)) = found else {
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
pub fn revoke_session(conn: &mut DbConn, session_id: i64, reason: &str) -> ApiResult<()> {
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
pub fn revoke_all_sessions(conn: &mut DbConn, user_id: i64, reason: &str) -> ApiResult<()> {
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

/// The failed-login state of an email.
pub fn throttle_of(conn: &mut DbConn, email_key: &str) -> ApiResult<Option<Throttle>> {
    let row: Option<(i32, NaiveDateTime, Option<NaiveDateTime>)> = login_throttle::table
        .find(email_key)
        .select((
            login_throttle::failures,
            login_throttle::window_started_at,
            login_throttle::locked_until,
        ))
        .first(conn)
        .optional()?;
    Ok(
        row.map(|(failures, window_started_at, locked_until)| Throttle {
            failures,
            window_started_at,
            locked_until,
        }),
    )
}

/// Stores the failed-login state of an email (update, else insert).
pub fn save_throttle(conn: &mut DbConn, email_key: &str, t: &Throttle) -> ApiResult<()> {
    let n = diesel::update(login_throttle::table.find(email_key))
        .set((
            login_throttle::failures.eq(t.failures),
            login_throttle::window_started_at.eq(t.window_started_at),
            login_throttle::locked_until.eq(t.locked_until),
        ))
        .execute(conn)?;
    if n == 0 {
        diesel::insert_into(login_throttle::table)
            .values((
                login_throttle::email_key.eq(email_key),
                login_throttle::failures.eq(t.failures),
                login_throttle::window_started_at.eq(t.window_started_at),
                login_throttle::locked_until.eq(t.locked_until),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Forgets failures after a successful login or a password reset.
pub fn clear_throttle(conn: &mut DbConn, email_key: &str) -> ApiResult<()> {
    diesel::delete(login_throttle::table.find(email_key)).execute(conn)?;
    Ok(())
}

/// Grants of the given users, in id order.
pub fn grants_of(conn: &mut DbConn, user_ids: &[i64]) -> ApiResult<Vec<(i64, GrantOut)>> {
    type Row = (i64, i64, String, Option<i64>, Option<i64>);
    let rows: Vec<Row> = role_grants::table
        .filter(role_grants::user_id.eq_any(user_ids))
        .select((
            role_grants::user_id,
            role_grants::id,
            role_grants::role,
            role_grants::place_id,
            role_grants::organization_id,
        ))
        .order(role_grants::id)
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(user_id, id, role, place_id, organization_id)| {
            Some((
                user_id,
                GrantOut {
                    id,
                    role: Role::parse(&role)?,
                    place_id,
                    organization_id,
                },
            ))
        })
        .collect())
}

/// Locks the user's row until the transaction ends, so concurrent grant changes for one user
/// run one after another on PostgreSQL (SQLite's write transactions are serial already).
pub fn lock_user(conn: &mut DbConn, user_id: i64) -> ApiResult<()> {
    if let DbConn::Postgres(pg) = conn {
        users::table
            .find(user_id)
            .select(users::id)
            .for_update()
            .first::<i64>(pg)
            .optional()?;
    }
    Ok(())
}

/// Adds a grant.
pub fn insert_grant(
    conn: &mut DbConn,
    user_id: i64,
    role: Role,
    place_id: Option<i64>,
    organization_id: Option<i64>,
    granted_by: Option<i64>,
) -> ApiResult<i64> {
    Ok(diesel::insert_into(role_grants::table)
        .values((
            role_grants::user_id.eq(user_id),
            role_grants::role.eq(role.as_str()),
            role_grants::place_id.eq(place_id),
            role_grants::organization_id.eq(organization_id),
            role_grants::granted_by.eq(granted_by),
            role_grants::created_at.eq(db::now()),
        ))
        .returning(role_grants::id)
        .get_result(conn)?)
}

/// Whether the user already holds exactly this grant.
pub fn has_grant(
    conn: &mut DbConn,
    user_id: i64,
    role: Role,
    place_id: Option<i64>,
    organization_id: Option<i64>,
) -> ApiResult<bool> {
    let mut q = role_grants::table
        .filter(role_grants::user_id.eq(user_id))
        .filter(role_grants::role.eq(role.as_str()))
        .select(role_grants::id)
        .into_boxed();
    q = match place_id {
        Some(p) => q.filter(role_grants::place_id.eq(p)),
        None => q.filter(role_grants::place_id.is_null()),
    };
    q = match organization_id {
        Some(o) => q.filter(role_grants::organization_id.eq(o)),
        None => q.filter(role_grants::organization_id.is_null()),
    };
    Ok(q.first::<i64>(conn).optional()?.is_some())
}

/// A grant with its place path (None for a global grant).
pub fn grant_with_path(
    conn: &mut DbConn,
    user_id: i64,
    grant_id: i64,
) -> ApiResult<Option<(String, Option<String>)>> {
    Ok(role_grants::table
        .left_join(places::table)
        .filter(role_grants::id.eq(grant_id))
        .filter(role_grants::user_id.eq(user_id))
        .select((role_grants::role, places::path.nullable()))
        .first(conn)
        .optional()?)
}

/// Removes a grant.
pub fn delete_grant(conn: &mut DbConn, grant_id: i64) -> ApiResult<()> {
    diesel::delete(role_grants::table.find(grant_id)).execute(conn)?;
    Ok(())
}

/// Sets a user's password.
pub fn set_password(conn: &mut DbConn, user_id: i64, password_hash: &str) -> ApiResult<()> {
    diesel::update(users::table.find(user_id))
        .set((
            users::password_hash.eq(password_hash),
            users::updated_at.eq(db::now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Marks the email verified (first time only).
pub fn mark_verified(conn: &mut DbConn, user_id: i64) -> ApiResult<()> {
    diesel::update(
        users::table
            .filter(users::id.eq(user_id))
            .filter(users::email_verified_at.is_null()),
    )
    .set(users::email_verified_at.eq(db::now()))
    .execute(conn)?;
    Ok(())
}

/// Admin changes to a user.
pub fn update_user(
    conn: &mut DbConn,
    user_id: i64,
    disabled: Option<bool>,
    display_name: Option<&str>,
) -> ApiResult<()> {
    let now = db::now();
    if let Some(d) = disabled {
        diesel::update(users::table.find(user_id))
            .set((users::disabled.eq(d), users::updated_at.eq(now)))
            .execute(conn)?;
    }
    if let Some(name) = display_name {
        diesel::update(users::table.find(user_id))
            .set((users::display_name.eq(name), users::updated_at.eq(now)))
            .execute(conn)?;
    }
    Ok(())
}

/// The home place path of a user (None when the user has no home place).
pub fn home_path(conn: &mut DbConn, user_id: i64) -> ApiResult<Option<String>> {
    Ok(users::table
        .inner_join(places::table.on(users::home_place_id.eq(places::id.nullable())))
        .filter(users::id.eq(user_id))
        .select(places::path)
        .first(conn)
        .optional()?)
}

/// Users for the admin list: homed within any of `scopes` (None = everywhere), optionally
/// under `within` (a place path), matching `q`, holding `role`, after the cursor.
pub fn list_users(
    conn: &mut DbConn,
    scopes: Option<&[String]>,
    within: Option<&str>,
    q: Option<&str>,
    role: Option<Role>,
    after: Option<i64>,
    fetch: i64,
) -> ApiResult<Vec<UserRow>> {
    use crate::places::rules::{escape_like, subtree_range};
    let mut query = users::table
        .left_join(places::table.on(users::home_place_id.eq(places::id.nullable())))
        .select(USER_COLUMNS)
        .into_boxed();
    // The scope goes first: `or_filter` ORs with everything filtered before it.
    if let Some(scopes) = scopes {
        if scopes.is_empty() {
            return Ok(Vec::new());
        }
        for (i, path) in scopes.iter().enumerate() {
            let (lo, hi) = subtree_range(path);
            let inside = places::path.ge(lo).and(places::path.lt(hi));
            query = if i == 0 {
                query.filter(inside)
            } else {
                query.or_filter(inside)
            };
        }
    }
    if let Some(path) = within {
        let (lo, hi) = subtree_range(path);
        query = query
            .filter(places::path.ge(lo))
            .filter(places::path.lt(hi));
    }
    if let Some(q) = q {
        let pattern = format!("%{}%", escape_like(&q.to_lowercase()));
        query = query.filter(
            db::lower(users::email)
                .like(pattern.clone())
                .escape('\\')
                .or(db::lower(users::display_name).like(pattern).escape('\\')),
        );
    }
    if let Some(role) = role {
        let holders = role_grants::table
            .filter(role_grants::role.eq(role.as_str()))
            .select(role_grants::user_id);
        query = query.filter(users::id.eq_any(holders));
    }
    if let Some(after) = after {
        query = query.filter(users::id.gt(after));
    }
    Ok(query.order(users::id).limit(fetch).load(conn)?)
}
