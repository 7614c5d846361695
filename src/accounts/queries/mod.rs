//! Account storage: users here; mailed tokens, sessions and the login throttle in `tokens`;
//! role grants in `grants`. Everything is re-exported, so callers write `queries::user_by_id`.

mod grants;
mod tokens;

pub use grants::*;
pub use tokens::*;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::auth::Role;
use crate::db::schema::{places, role_grants, users};
use crate::db::{self, DbConn};
use crate::error::ApiResult;

/// A user row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct UserRow {
    pub id: i64,
    pub email: String,
    pub password_hash: String,
    pub display_name: String,
    pub home_place_id: Option<i64>,
    pub email_verified_at: Option<NaiveDateTime>,
    pub disabled: bool,
    pub created_at: NaiveDateTime,
    pub show_name_publicly: bool,
}

/// Looks a user up by normalised email.
pub fn user_by_email(conn: &mut DbConn, email: &str) -> ApiResult<Option<UserRow>> {
    Ok(users::table
        .filter(users::email.eq(email))
        .select(UserRow::as_select())
        .first(conn)
        .optional()?)
}

/// Looks a user up by id.
pub fn user_by_id(conn: &mut DbConn, id: i64) -> ApiResult<Option<UserRow>> {
    Ok(users::table
        .find(id)
        .select(UserRow::as_select())
        .first(conn)
        .optional()?)
}

/// Display names of the users `ids` (missing ids are left out): one query for a page of names.
pub fn display_names(conn: &mut DbConn, ids: &[i64]) -> ApiResult<Vec<(i64, String)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(users::table
        .filter(users::id.eq_any(ids))
        .select((users::id, users::display_name))
        .load(conn)?)
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

/// The user's own choice to show their display name in open data.
pub fn set_show_name_publicly(conn: &mut DbConn, user_id: i64, show: bool) -> ApiResult<()> {
    diesel::update(users::table.find(user_id))
        .set((
            users::show_name_publicly.eq(show),
            users::updated_at.eq(db::now()),
        ))
        .execute(conn)?;
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
        .select(UserRow::as_select())
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
            .filter(role_grants::role.eq(role))
            .select(role_grants::user_id);
        query = query.filter(users::id.eq_any(holders));
    }
    if let Some(after) = after {
        query = query.filter(users::id.gt(after));
    }
    Ok(query.order(users::id).limit(fetch).load(conn)?)
}
