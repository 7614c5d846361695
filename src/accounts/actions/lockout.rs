//! Failed logins that cannot be turned against the owner (OWASP ASVS V2.2.1, NIST 800-63B
//! 5.2.2). Per account (email, registered or not, so nothing is revealed) failures only slow
//! logins down: a delay that doubles per failure past the free ones, capped, so the owner can
//! always get in. Per account and client address they lock: that address may not sign in to
//! that account for a while, while every other address may. When such a lock starts the owner
//! is mailed, once, with a single-use link that lifts every lock and delay of the account.

use chrono::{Duration, NaiveDateTime};

use super::registration::invalid_email_token;
use super::sessions::ClientAddr;
use crate::accounts::queries::{self, TokenPurpose};
use crate::accounts::rules::{self, LoginPolicy};
use crate::auth::tokens::{hash_token, random_token};
use crate::config::{AuthSettings, Settings};
use crate::db::{self, DbConn};
use crate::error::{ApiError, ApiResult};
use crate::notifications::outbox;
use crate::notifications::templates::Template;
use crate::state::AppState;

/// The key a client address is counted under ("unknown" when the transport gave none, so
/// unknown addresses share one lock).
pub fn addr_key(addr: ClientAddr) -> String {
    addr.map_or_else(|| "unknown".to_string(), |ip| ip.to_string())
}

/// The failed-login policy of the settings.
pub fn policy(auth: &AuthSettings) -> LoginPolicy {
    LoginPolicy {
        window: Duration::minutes(auth.failure_window_minutes),
        free_failures: auth.free_failed_logins,
        max_delay_secs: auth.max_login_delay_seconds,
        max_failures: auth.max_failed_logins,
        lockout: Duration::minutes(auth.lockout_minutes),
    }
}

/// Before a password is checked: 429 `auth.account_locked` when this address is locked out of
/// the account, 429 `auth.login_delayed` while the account waits out its delay; both with
/// Retry-After. Neither attempt is counted, and no password is verified.
pub fn check_gate(conn: &mut DbConn, email_key: &str, addr: &str) -> ApiResult<()> {
    let now = db::now();
    let lock = queries::address_lock_of(conn, email_key, addr)?;
    if let Some(secs) = rules::wait_secs(lock.as_ref(), now) {
        return Err(ApiError::TooManyRequests {
            code: "auth.account_locked",
            retry_after_secs: secs,
        });
    }
    let delay = queries::throttle_of(conn, email_key)?;
    if let Some(secs) = rules::wait_secs(delay.as_ref(), now) {
        return Err(ApiError::TooManyRequests {
            code: "auth.login_delayed",
            retry_after_secs: secs,
        });
    }
    Ok(())
}

/// Counts one failed login against the account (its delay) and against the account from this
/// address (its lock); when the lock starts, mails the owner of a registered, active account.
pub async fn record_failure(state: &AppState, email_key: String, addr: String) -> ApiResult<()> {
    let settings = state.settings.clone();
    let mailed = db::run(&state.pool, move |conn| {
        db::write_tx(conn, |conn| {
            queries::lock_login_key(conn, &email_key)?;
            let now = db::now();
            let p = policy(&settings.auth);
            let delay = queries::throttle_of(conn, &email_key)?;
            queries::save_throttle(conn, &email_key, &rules::account_failure(delay, now, p))?;
            let lock = queries::address_lock_of(conn, &email_key, &addr)?;
            let (lock, started) = rules::address_failure(lock, now, p);
            queries::save_address_lock(conn, &email_key, &addr, &lock)?;
            if started {
                tracing::warn!(address = %addr, "login lock started for an account and address");
                return mail_owner(conn, &settings, &email_key, &addr, now);
            }
            Ok(false)
        })
    })
    .await?;
    if mailed {
        state.mail_wakeup.notify_one();
    }
    Ok(())
}

/// Queues the "repeated failed sign-ins" mail with a fresh unlock token; false when the email
/// belongs to no active account.
fn mail_owner(
    conn: &mut DbConn,
    settings: &Settings,
    email_key: &str,
    addr: &str,
    now: NaiveDateTime,
) -> ApiResult<bool> {
    let Some(user) = queries::user_by_email(conn, email_key)? else {
        return Ok(false);
    };
    if user.disabled {
        return Ok(false);
    }
    let auth = &settings.auth;
    let token = random_token()?;
    let expires = now + Duration::hours(auth.unlock_token_hours);
    queries::insert_email_token(
        conn,
        user.id,
        TokenPurpose::UnlockLogin,
        &hash_token(&token),
        expires,
    )?;
    let time = now
        .and_utc()
        .with_timezone(&settings.locale.time_zone)
        .format("%Y-%m-%d %H:%M %Z")
        .to_string();
    let link = format!("{}/unlock?token={token}", settings.server.public_url);
    let mail = Template::LoginLocked.render(&[
        ("name", &user.display_name),
        ("address", addr),
        ("time", &time),
        ("minutes", &auth.lockout_minutes.to_string()),
        ("hours", &auth.unlock_token_hours.to_string()),
        ("link", &link),
        ("token", &token),
    ]);
    outbox::enqueue(conn, &user.email, &mail)?;
    Ok(true)
}

/// Lifts every login lock and delay of the account the mailed unlock token belongs to. The
/// token works once; every other unlock token of the account is spent with it. 422
/// `auth.invalid_email_token` for an unknown, used or expired token.
pub fn unlock_account(conn: &mut DbConn, token: &str) -> ApiResult<()> {
    let token_hash = hash_token(token);
    db::write_tx(conn, |conn| {
        let user_id = queries::take_email_token(conn, &token_hash, TokenPurpose::UnlockLogin)?
            .ok_or_else(invalid_email_token)?;
        let user = queries::user_by_id(conn, user_id)?.ok_or_else(invalid_email_token)?;
        queries::lock_login_key(conn, &user.email)?;
        queries::clear_login_locks(conn, &user.email)?;
        queries::spend_email_tokens(conn, user_id, TokenPurpose::UnlockLogin)
    })
}
