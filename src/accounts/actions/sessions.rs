//! Login sessions: log in, refresh with rotation, log out, and who am I. Answers never reveal
//! whether an email is registered.

use std::net::IpAddr;

use chrono::Duration;
use governor::clock::{Clock, DefaultClock};

use super::lockout;
use crate::accounts::model::{LoginRequest, Me, MePatch, TokenPair};
use crate::accounts::queries::{self, UserRow};
use crate::accounts::rules::{self, RefreshVerdict};
use crate::auth::tokens::{hash_token, random_token};
use crate::auth::{Caller, account_disabled};
use crate::db::{self, DbConn};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// The address a request came from, as the transport saw it (None when unknown).
pub type ClientAddr = Option<IpAddr>;

/// Per-address limit on login-like requests (login, register, reset request): 429
/// `auth.too_many_attempts` with the wait. An unknown address is not limited.
pub fn throttle(state: &AppState, addr: ClientAddr) -> ApiResult<()> {
    let Some(ip) = addr else {
        return Ok(());
    };
    if state.login_limiter.len() > 100_000 {
        state.login_limiter.retain_recent();
    }
    state.login_limiter.check_key(&ip).map_err(|not_until| {
        let wait = not_until.wait_time_from(DefaultClock::default().now());
        ApiError::TooManyRequests {
            code: "auth.too_many_attempts",
            retry_after_secs: wait.as_secs().max(1),
        }
    })
}

/// A session opened in the database, before its access token is signed.
struct Opened {
    user_id: i64,
    session_id: i64,
    refresh_token: String,
}

impl Opened {
    fn sign(self, state: &AppState) -> ApiResult<TokenPair> {
        Ok(TokenPair {
            access_token: state.jwt.issue(self.user_id, self.session_id)?,
            refresh_token: self.refresh_token,
            token_type: "Bearer".into(),
            expires_in: state.jwt.ttl_seconds,
        })
    }
}

/// Stores a fresh refresh token: in `session`, or in a new session when None.
fn store_refresh(
    conn: &mut DbConn,
    user_id: i64,
    session: Option<i64>,
    ttl_days: i64,
) -> ApiResult<Opened> {
    let refresh_token = random_token()?;
    let expires = db::now() + Duration::days(ttl_days);
    let hash = hash_token(&refresh_token);
    let session_id = match session {
        Some(s) => {
            queries::insert_refresh(conn, s, &hash, expires)?;
            s
        }
        None => queries::open_session(conn, user_id, &hash, expires)?,
    };
    Ok(Opened {
        user_id,
        session_id,
        refresh_token,
    })
}

/// Logs in with email and password and opens an API session (a refresh-token family).
pub async fn create_session(
    state: &AppState,
    addr: ClientAddr,
    input: LoginRequest,
) -> ApiResult<TokenPair> {
    let ttl_days = state.settings.auth.refresh_ttl_days;
    let opened = log_in(state, addr, input, move |conn, user_id| {
        store_refresh(conn, user_id, None, ttl_days)
    })
    .await?;
    opened.sign(state)
}

/// Logs in with email and password and opens a browser session; returns the cookie's token
/// (only its hash is stored) and the user id. The session ends after `days` unless used.
pub async fn create_browser_session(
    state: &AppState,
    addr: ClientAddr,
    input: LoginRequest,
    days: i64,
) -> ApiResult<(String, i64)> {
    let token = random_token()?;
    let hash = hash_token(&token);
    let expires = db::now() + Duration::days(days);
    log_in(state, addr, input, move |conn, user_id| {
        queries::open_browser_session(conn, user_id, &hash, expires)?;
        Ok(user_id)
    })
    .await
    .map(|user_id| (token, user_id))
}

/// The shared part of every login. Failures slow the account down and lock it for the
/// client address they come from ([`lockout`](super::lockout)); a success clears that
/// address's failures and runs `open` in the same transaction. A disabled account gets
/// [`account_disabled`], an unverified one 403 `auth.email_not_verified` when required.
///
/// Three short database steps around the password check, so no pooled connection is held
/// while argon2 runs: (1) the lock and delay gate and the user, (2) verify on the hasher's
/// pool (a dummy hash for an unknown email, so both take as long), (3) count the failure, or
/// clear this address's failures and open the session.
async fn log_in<T, F>(
    state: &AppState,
    addr: ClientAddr,
    input: LoginRequest,
    open: F,
) -> ApiResult<T>
where
    T: Send + 'static,
    F: FnOnce(&mut DbConn, i64) -> ApiResult<T> + Send + 'static,
{
    throttle(state, addr)?;
    let email = rules::normalize_email(&input.email);
    let addr = lockout::addr_key(addr);
    let (lookup, at) = (email.clone(), addr.clone());
    let user = db::run(&state.pool, move |conn| {
        lockout::check_gate(conn, &lookup, &at)?;
        queries::user_by_email(conn, &lookup)
    })
    .await?;
    let Some(user) = verified_user(state, user, input.password).await? else {
        lockout::record_failure(state, email, addr).await?;
        return Err(ApiError::Unauthorized("auth.invalid_credentials"));
    };
    if user.disabled {
        return Err(account_disabled());
    }
    if state.settings.auth.require_verified_email && user.email_verified_at.is_none() {
        return Err(ApiError::Forbidden("auth.email_not_verified"));
    }
    db::run(&state.pool, move |conn| {
        db::write_tx(conn, |conn| {
            queries::clear_address_lock(conn, &user.email, &addr)?;
            open(conn, user.id)
        })
    })
    .await
}

/// The user when the password matches; None otherwise (an unknown email costs a dummy check).
async fn verified_user(
    state: &AppState,
    user: Option<UserRow>,
    password: String,
) -> ApiResult<Option<UserRow>> {
    match user {
        Some(u) => {
            let ok = state
                .hasher
                .verify(password, u.password_hash.clone())
                .await?;
            Ok(ok.then_some(u))
        }
        None => {
            state.hasher.verify_dummy(password).await?;
            Ok(None)
        }
    }
}

/// What presenting a refresh token came to, decided inside the transaction.
enum Refreshed {
    Rotated(Opened),
    Refused(ApiError),
}

/// Trades a refresh token for a new pair. Each refresh token works once; presenting a spent
/// one revokes its whole session (someone else has it). A disabled account gets
/// [`account_disabled`].
pub async fn refresh_session(state: &AppState, refresh_token: &str) -> ApiResult<TokenPair> {
    let token_hash = hash_token(refresh_token);
    let ttl_days = state.settings.auth.refresh_ttl_days;
    let outcome = db::run(&state.pool, move |conn| {
        db::write_tx(conn, |conn| rotate(conn, &token_hash, ttl_days))
    })
    .await?;
    // A refusal commits too: a detected reuse must stay revoked.
    match outcome {
        Refreshed::Rotated(opened) => opened.sign(state),
        Refreshed::Refused(e) => Err(e),
    }
}

fn rotate(conn: &mut DbConn, token_hash: &str, ttl_days: i64) -> ApiResult<Refreshed> {
    let Some(row) = queries::refresh_by_hash(conn, token_hash)? else {
        return Ok(Refreshed::Refused(ApiError::Unauthorized(
            "auth.refresh_invalid",
        )));
    };
    if row.disabled {
        return Ok(Refreshed::Refused(account_disabled()));
    }
    let verdict = rules::judge_refresh(
        row.used_at,
        row.expires_at,
        row.revoked_at.is_some(),
        db::now(),
    );
    match verdict {
        RefreshVerdict::Rotate if queries::spend_refresh(conn, row.id)? => Ok(Refreshed::Rotated(
            store_refresh(conn, row.user_id, Some(row.session_id), ttl_days)?,
        )),
        RefreshVerdict::Rotate | RefreshVerdict::Reused => {
            queries::revoke_session(conn, row.session_id, queries::RevokeReason::RefreshReused)?;
            tracing::warn!(
                session = row.session_id,
                user = row.user_id,
                "refresh token reuse: session revoked"
            );
            Ok(Refreshed::Refused(ApiError::Unauthorized(
                "auth.refresh_reused",
            )))
        }
        RefreshVerdict::Expired | RefreshVerdict::Revoked => Ok(Refreshed::Refused(
            ApiError::Unauthorized("auth.refresh_invalid"),
        )),
    }
}

/// Ends a browser session (logout); its cookie stops working at once.
pub fn end_browser_session(conn: &mut DbConn, session_id: i64) -> ApiResult<()> {
    queries::revoke_session(conn, session_id, queries::RevokeReason::Logout)
}

/// Ends the session the refresh token belongs to; its access tokens stop working at once.
/// An unknown token is no error (the session is gone either way).
pub fn end_session(conn: &mut DbConn, refresh_token: &str) -> ApiResult<()> {
    let token_hash = hash_token(refresh_token);
    db::write_tx(conn, |conn| {
        if let Some(row) = queries::refresh_by_hash(conn, &token_hash)? {
            queries::revoke_session(conn, row.session_id, queries::RevokeReason::Logout)?;
        }
        Ok(())
    })
}

/// The caller's account and roles.
pub fn get_me(conn: &mut DbConn, caller: &Caller) -> ApiResult<Me> {
    let user = queries::user_by_id(conn, caller.user_id)?
        .ok_or(ApiError::Unauthorized("auth.invalid_token"))?;
    let roles = queries::grants_of(conn, &[user.id])?
        .into_iter()
        .map(Into::into)
        .collect();
    Ok(Me {
        id: user.id,
        email: user.email,
        display_name: user.display_name,
        home_place_id: user.home_place_id,
        email_verified: user.email_verified_at.is_some(),
        show_name_publicly: user.show_name_publicly,
        roles,
    })
}

/// The caller changes their own choices: whether open data shows their display name, and
/// the display name itself. Any signed-in user, for their own account only.
pub fn update_me(conn: &mut DbConn, caller: &Caller, patch: &MePatch) -> ApiResult<Me> {
    db::write_tx(conn, |conn| {
        queries::user_by_id(conn, caller.user_id)?
            .ok_or(ApiError::Unauthorized("auth.invalid_token"))?;
        if let Some(show) = patch.show_name_publicly {
            queries::set_show_name_publicly(conn, caller.user_id, show)?;
        }
        if let Some(name) = patch.display_name.as_deref() {
            queries::update_user(conn, caller.user_id, None, Some(name.trim()))?;
        }
        Ok(())
    })?;
    get_me(conn, caller)
}
