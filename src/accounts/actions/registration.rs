//! Becoming and proving an account holder: registration, email verification, password reset,
//! and the CLI's `admin create`. Every new password passes the same rule with the account's
//! email ([`rules::password_problem`]).

use chrono::Duration;

use super::sessions::{ClientAddr, throttle};
use crate::accounts::model::{RegisterRequest, ResetConfirm};
use crate::accounts::queries::TokenPurpose;
use crate::accounts::{queries, rules};
use crate::auth::Role;
use crate::auth::password::Hasher;
use crate::auth::tokens::{hash_token, random_token};
use crate::config::Settings;
use crate::db::{self, DbConn};
use crate::error::{ApiError, ApiResult};
use crate::notifications::outbox;
use crate::notifications::templates::Template;
use crate::places::queries as places;
use crate::state::AppState;

/// 422 naming `field` when `password` breaks the policy for an account with `email`.
fn check_password(password: &str, email: &str, field: &str) -> ApiResult<()> {
    match rules::password_problem(password, email) {
        None => Ok(()),
        Some("length") => Err(ApiError::invalid(
            field,
            "validation.length",
            "at most 256 characters",
        )),
        Some(_) => Err(ApiError::invalid(
            field,
            "validation.weak_password",
            "at least 10 characters, not containing the email",
        )),
    }
}

/// 422 `auth.invalid_email_token` on `token`: a mailed token unknown, used or expired.
pub(super) fn invalid_email_token() -> ApiError {
    ApiError::invalid(
        "token",
        "auth.invalid_email_token",
        "unknown, used or expired",
    )
}

/// Registers an account and mails a verification link. Succeeds whether or not the email is
/// taken (the owner of a taken email gets a notice instead), so nothing is revealed. The
/// password is hashed before the database is touched, always, so both cases take as long.
pub async fn register_account(
    state: &AppState,
    addr: ClientAddr,
    input: RegisterRequest,
) -> ApiResult<()> {
    throttle(state, addr)?;
    check_password(&input.password, &input.email, "password")?;
    let email = rules::normalize_email(&input.email);
    let hash = state.hasher.hash(input.password.clone()).await?;
    let token = random_token()?;
    let public_url = state.settings.server.public_url.clone();
    let hours = state.settings.auth.verify_token_hours;
    db::run(&state.pool, move |conn| {
        db::write_tx(conn, |conn| {
            let (_, kind) = places::place_ref(conn, input.home_place_id, Some("home_place_id"))?;
            if !kind.is_home() {
                return Err(ApiError::invalid(
                    "home_place_id",
                    "place.invalid_parent",
                    "a community, grid or building",
                ));
            }
            if let Some(existing) = queries::user_by_email(conn, &email)? {
                let mail = Template::AlreadyRegistered.render(&[
                    ("name", &existing.display_name),
                    ("link", &format!("{public_url}/password-reset")),
                ]);
                outbox::enqueue(conn, &email, &mail)?;
                return Ok(());
            }
            let user_id = queries::insert_user(
                conn,
                &email,
                &hash,
                &input.display_name,
                Some(input.home_place_id),
                false,
            )?;
            let expires = db::now() + Duration::hours(hours);
            queries::insert_email_token(
                conn,
                user_id,
                TokenPurpose::VerifyEmail,
                &hash_token(&token),
                expires,
            )?;
            let mail = Template::VerifyEmail.render(&[
                ("name", &input.display_name),
                ("token", &token),
                ("link", &format!("{public_url}/verify-email?token={token}")),
                ("hours", &hours.to_string()),
            ]);
            outbox::enqueue(conn, &email, &mail)?;
            Ok(())
        })
    })
    .await?;
    state.mail_wakeup.notify_one();
    Ok(())
}

/// Verifies an email with the mailed token and makes the user a resident of their home.
pub fn verify_email(conn: &mut DbConn, token: &str) -> ApiResult<()> {
    let token_hash = hash_token(token);
    db::write_tx(conn, |conn| {
        let user_id = queries::take_email_token(conn, &token_hash, TokenPurpose::VerifyEmail)?
            .ok_or_else(invalid_email_token)?;
        mark_verified(conn, user_id)
    })
}

/// Marks the email verified and makes the user a resident of their home community.
fn mark_verified(conn: &mut DbConn, user_id: i64) -> ApiResult<()> {
    queries::mark_verified(conn, user_id)?;
    let user = queries::user_by_id(conn, user_id)?.ok_or(ApiError::NotFound("user.not_found"))?;
    // A resident of a grid or building lives in its community: the role is held there.
    let Some(home) = user.home_place_id else {
        return Ok(());
    };
    let (place, _) = places::place_ref(conn, home, None)?;
    let community = crate::topics::queries::community_of(conn, &place.path)?.unwrap_or(home);
    if !queries::has_grant(conn, user_id, Role::Resident, Some(community), None)? {
        queries::insert_grant(conn, user_id, Role::Resident, Some(community), None, None)?;
    }
    Ok(())
}

/// Mails a password-reset link when the email belongs to an active account; succeeds
/// either way, so nothing is revealed.
pub async fn request_password_reset(
    state: &AppState,
    addr: ClientAddr,
    email: &str,
) -> ApiResult<()> {
    throttle(state, addr)?;
    let email = rules::normalize_email(email);
    let token = random_token()?;
    let public_url = state.settings.server.public_url.clone();
    let minutes = state.settings.auth.reset_token_minutes;
    db::run(&state.pool, move |conn| {
        db::write_tx(conn, |conn| {
            let Some(user) = queries::user_by_email(conn, &email)? else {
                return Ok(());
            };
            if user.disabled {
                return Ok(());
            }
            let expires = db::now() + Duration::minutes(minutes);
            queries::insert_email_token(
                conn,
                user.id,
                TokenPurpose::PasswordReset,
                &hash_token(&token),
                expires,
            )?;
            let link = format!("{public_url}/password-reset/confirm?token={token}");
            let mail = Template::PasswordReset.render(&[
                ("name", &user.display_name),
                ("token", &token),
                ("link", &link),
                ("minutes", &minutes.to_string()),
            ]);
            outbox::enqueue(conn, &email, &mail)?;
            Ok(())
        })
    })
    .await?;
    state.mail_wakeup.notify_one();
    Ok(())
}

/// Sets a new password with the mailed token; every session of the account ends, and so
/// does every other reset link mailed before (none may set a password again).
///
/// The new password passes the same rule as at registration, with the account's email:
/// (1) the rules that need no email, (2) a read of the token's account (the token is not
/// spent, so a refused password can be retried), (3) the rule with that email, (4) the hash,
/// off any connection, (5) one transaction that spends the token and stores the hash.
pub async fn confirm_password_reset(state: &AppState, input: ResetConfirm) -> ApiResult<()> {
    check_password(&input.new_password, "", "new_password")?;
    let token_hash = hash_token(&input.token);
    let peek = token_hash.clone();
    let email = db::run(&state.pool, move |conn| {
        let user_id = queries::peek_email_token(conn, &peek, TokenPurpose::PasswordReset)?
            .ok_or_else(invalid_email_token)?;
        let user = queries::user_by_id(conn, user_id)?.ok_or_else(invalid_email_token)?;
        Ok(user.email)
    })
    .await?;
    check_password(&input.new_password, &email, "new_password")?;
    let hash = state.hasher.hash(input.new_password).await?;
    db::run(&state.pool, move |conn| {
        db::write_tx(conn, |conn| {
            let user_id =
                queries::take_email_token(conn, &token_hash, TokenPurpose::PasswordReset)?
                    .ok_or_else(invalid_email_token)?;
            let user =
                queries::user_by_id(conn, user_id)?.ok_or(ApiError::NotFound("user.not_found"))?;
            queries::set_password(conn, user_id, &hash)?;
            queries::spend_email_tokens(conn, user_id, TokenPurpose::PasswordReset)?;
            queries::revoke_all_sessions(conn, user_id, queries::RevokeReason::PasswordReset)?;
            queries::clear_login_locks(conn, &user.email)?;
            // Reading the mailed token proves the address, too.
            mark_verified(conn, user_id)
        })
    })
    .await
}

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
