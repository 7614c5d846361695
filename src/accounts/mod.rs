//! Accounts: registration, email verification, login, refresh rotation, logout, password
//! reset, /me, and the admin endpoints over users and their role grants.

pub mod model;
pub mod queries;
pub mod routes;
pub mod rules;
pub mod users;

use crate::auth::Role;
use crate::auth::password::Hasher;
use crate::config::Settings;
use crate::db::{self, DbConn};
use crate::error::{ApiError, ApiResult};

/// Creates a verified installation-wide admin (the `yishi admin create` command).
pub fn admin_create(
    conn: &mut DbConn,
    settings: &Settings,
    email: &str,
    display_name: &str,
    password: &str,
) -> ApiResult<i64> {
    let email = rules::normalize_email(email);
    if !validator::ValidateEmail::validate_email(&email) {
        return Err(ApiError::invalid(
            "email",
            "validation.email",
            "not an email address",
        ));
    }
    if rules::password_problem(password, &email).is_some() {
        return Err(ApiError::invalid(
            "password",
            "validation.weak_password",
            "at least 10 characters",
        ));
    }
    let hash = Hasher::new(&settings.auth)?.hash_blocking(password)?;
    db::write_tx(conn, |conn| {
        if queries::user_by_email(conn, &email)?.is_some() {
            return Err(ApiError::conflict("resource.conflict"));
        }
        let id = queries::insert_user(conn, &email, &hash, display_name, None, true)?;
        queries::insert_grant(conn, id, Role::Admin, None, None, None)?;
        Ok(id)
    })
}
