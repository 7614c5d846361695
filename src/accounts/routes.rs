//! Handlers for /api/v1/auth/* and /api/v1/me: anyone may call the auth endpoints; /me needs
//! a valid access token. Answers never reveal whether an email is registered.

use std::net::IpAddr;

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::Duration;
use governor::clock::{Clock, DefaultClock};

use super::model::*;
use super::queries;
use super::rules::{self, LockoutPolicy, RefreshVerdict};
use crate::api::extract::Body;
use crate::auth::tokens::{hash_token, random_token};
use crate::auth::{Caller, Role};
use crate::db::{self, DbConn};
use crate::error::{ApiError, ApiResult};
use crate::notifications::outbox;
use crate::notifications::templates::Template;
use crate::places::queries as places;
use crate::state::AppState;

const VERIFY: &str = "verify_email";
const RESET: &str = "password_reset";

fn accepted() -> HttpResponse {
    HttpResponse::Accepted().json(Accepted {
        status: "accepted".into(),
    })
}

/// The client address used for throttling.
fn client_ip(req: &HttpRequest, state: &AppState) -> Option<IpAddr> {
    let info = req.connection_info();
    let addr = if state.settings.server.trust_forwarded_for {
        info.realip_remote_addr().map(str::to_string)
    } else {
        req.peer_addr().map(|a| a.ip().to_string())
    }?;
    addr.parse::<IpAddr>()
        .ok()
        .or_else(|| addr.parse::<std::net::SocketAddr>().ok().map(|a| a.ip()))
}

/// Per-address limit on login-like requests (login, register, reset request).
fn throttle_ip(req: &HttpRequest, state: &AppState) -> ApiResult<()> {
    let Some(ip) = client_ip(req, state) else {
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
            "at least 10 characters, not the email",
        )),
    }
}

/// Registers an account and mails a verification link. The answer is 202 whether or not
/// the email is taken; the owner of a taken email gets a notice instead.
#[utoipa::path(
    tag = "auth",
    security(()),
    request_body = RegisterRequest,
    responses(
        (status = 202, body = Accepted),
    )
)]
#[post("/auth/register")]
pub async fn register_account(
    req: HttpRequest,
    state: web::Data<AppState>,
    Body(body): Body<RegisterRequest>,
) -> ApiResult<HttpResponse> {
    throttle_ip(&req, &state)?;
    check_password(&body.password, &body.email, "password")?;
    let email = rules::normalize_email(&body.email);
    let hash = state.hasher.hash(body.password).await?;
    let token = random_token()?;
    let public_url = state.settings.server.public_url.clone();
    let hours = state.settings.auth.verify_token_hours;
    db::run(&state.pool, move |conn| {
        db::write_tx(conn, |conn| {
            let (_, kind) = places::place_ref(conn, body.home_place_id, Some("home_place_id"))?;
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
                    ("link", &format!("{public_url}/reset-password")),
                ]);
                outbox::enqueue(conn, &email, &mail)?;
                return Ok(());
            }
            let user_id = queries::insert_user(
                conn,
                &email,
                &hash,
                &body.display_name,
                Some(body.home_place_id),
                false,
            )?;
            let expires = db::now() + Duration::hours(hours);
            queries::insert_email_token(conn, user_id, VERIFY, &hash_token(&token), expires)?;
            let mail = Template::VerifyEmail.render(&[
                ("name", &body.display_name),
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
    Ok(accepted())
}

/// Verifies an email with the mailed token and makes the user a resident of their home place.
#[utoipa::path(
    tag = "auth",
    security(()),
    request_body = TokenRequest,
    responses(
        (status = 200, body = Verified),
    )
)]
#[post("/auth/verify-email")]
pub async fn verify_email(
    state: web::Data<AppState>,
    Body(body): Body<TokenRequest>,
) -> ApiResult<web::Json<Verified>> {
    let token_hash = hash_token(&body.token);
    db::run(&state.pool, move |conn| {
        db::write_tx(conn, |conn| {
            let user_id =
                queries::take_email_token(conn, &token_hash, VERIFY)?.ok_or_else(|| {
                    ApiError::invalid(
                        "token",
                        "auth.invalid_email_token",
                        "unknown, used or expired",
                    )
                })?;
            mark_verified(conn, user_id)
        })
    })
    .await?;
    Ok(web::Json(Verified { verified: true }))
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

fn issue_pair(
    state: &AppState,
    conn: &mut DbConn,
    user_id: i64,
    session: Option<i64>,
) -> ApiResult<TokenPair> {
    let refresh_token = random_token()?;
    let expires = db::now() + Duration::days(state.settings.auth.refresh_ttl_days);
    let session_id = match session {
        Some(s) => {
            queries::insert_refresh(conn, s, &hash_token(&refresh_token), expires)?;
            s
        }
        None => queries::open_session(conn, user_id, &hash_token(&refresh_token), expires)?,
    };
    Ok(TokenPair {
        access_token: state.jwt.issue(user_id, session_id)?,
        refresh_token,
        token_type: "Bearer".into(),
        expires_in: state.jwt.ttl_seconds,
    })
}

/// Logs in with email and password. Failures are counted per email (registered or not) and
/// per client address; too many lock the email for a while.
#[utoipa::path(
    tag = "auth",
    security(()),
    request_body = LoginRequest,
    responses(
        (status = 200, body = TokenPair),
    )
)]
#[post("/auth/login")]
pub async fn create_session(
    req: HttpRequest,
    state: web::Data<AppState>,
    Body(body): Body<LoginRequest>,
) -> ApiResult<web::Json<TokenPair>> {
    throttle_ip(&req, &state)?;
    let email = rules::normalize_email(&body.email);
    let lookup_email = email.clone();
    let (locked, user) = db::run(&state.pool, move |conn| {
        let throttle = queries::throttle_of(conn, &lookup_email)?;
        let locked = rules::locked_for(throttle.as_ref(), db::now());
        Ok((locked, queries::user_by_email(conn, &lookup_email)?))
    })
    .await?;
    if let Some(secs) = locked {
        return Err(ApiError::TooManyRequests {
            code: "auth.account_locked",
            retry_after_secs: secs as u64,
        });
    }
    let ok = match &user {
        Some(u) => {
            state
                .hasher
                .verify(body.password, u.password_hash.clone())
                .await?
        }
        None => {
            state.hasher.verify_dummy(body.password).await?;
            false
        }
    };
    let auth = &state.settings.auth;
    let policy = LockoutPolicy {
        max_failures: auth.max_failed_logins,
        window: Duration::minutes(auth.failure_window_minutes),
        lockout: Duration::minutes(auth.lockout_minutes),
    };
    let (user, require_verified) = match (ok, user) {
        (true, Some(u)) => (u, auth.require_verified_email),
        _ => {
            db::run(&state.pool, move |conn| {
                db::write_tx(conn, |conn| {
                    let current = queries::throttle_of(conn, &email)?;
                    let next = rules::record_failure(current, db::now(), policy);
                    queries::save_throttle(conn, &email, &next)
                })
            })
            .await?;
            return Err(ApiError::Unauthorized("auth.invalid_credentials"));
        }
    };
    if user.disabled {
        return Err(ApiError::Forbidden("auth.account_disabled"));
    }
    if require_verified && user.email_verified_at.is_none() {
        return Err(ApiError::Forbidden("auth.email_not_verified"));
    }
    let st = state.clone();
    let pair = db::run(&state.pool, move |conn| {
        db::write_tx(conn, |conn| {
            queries::clear_throttle(conn, &user.email)?;
            issue_pair(&st, conn, user.id, None)
        })
    })
    .await?;
    Ok(web::Json(pair))
}

/// Trades a refresh token for a new pair. Each refresh token works once; presenting a spent
/// one revokes its whole session (someone else has it).
#[utoipa::path(
    tag = "auth",
    security(()),
    request_body = RefreshRequest,
    responses(
        (status = 200, body = TokenPair),
    )
)]
#[post("/auth/refresh")]
pub async fn refresh_session(
    state: web::Data<AppState>,
    Body(body): Body<RefreshRequest>,
) -> ApiResult<web::Json<TokenPair>> {
    let token_hash = hash_token(&body.refresh_token);
    let st = state.clone();
    let outcome = db::run(&state.pool, move |conn| {
        db::write_tx(conn, |conn| {
            let Some(row) = queries::refresh_by_hash(conn, &token_hash)? else {
                return Ok(Err("auth.refresh_invalid"));
            };
            if row.disabled {
                return Ok(Err("auth.account_disabled"));
            }
            let verdict = rules::judge_refresh(
                row.used_at,
                row.expires_at,
                row.revoked_at.is_some(),
                db::now(),
            );
            match verdict {
                RefreshVerdict::Rotate if queries::spend_refresh(conn, row.id)? => Ok(Ok(
                    issue_pair(&st, conn, row.user_id, Some(row.session_id))?,
                )),
                RefreshVerdict::Rotate | RefreshVerdict::Reused => {
                    queries::revoke_session(conn, row.session_id, "refresh_reused")?;
                    tracing::warn!(
                        session = row.session_id,
                        user = row.user_id,
                        "refresh token reuse: session revoked"
                    );
                    Ok(Err("auth.refresh_reused"))
                }
                RefreshVerdict::Expired | RefreshVerdict::Revoked => {
                    Ok(Err("auth.refresh_invalid"))
                }
            }
        })
    })
    .await?;
    outcome.map(web::Json).map_err(ApiError::Unauthorized)
}

/// Ends the session the refresh token belongs to; its access tokens stop working at once.
#[utoipa::path(
    tag = "auth",
    security(()),
    request_body = RefreshRequest,
    responses(
        (status = 204),
    )
)]
#[post("/auth/logout")]
pub async fn end_session(
    state: web::Data<AppState>,
    Body(body): Body<RefreshRequest>,
) -> ApiResult<HttpResponse> {
    let token_hash = hash_token(&body.refresh_token);
    db::run(&state.pool, move |conn| {
        db::write_tx(conn, |conn| {
            if let Some(row) = queries::refresh_by_hash(conn, &token_hash)? {
                queries::revoke_session(conn, row.session_id, "logout")?;
            }
            Ok(())
        })
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Mails a password-reset link when the email belongs to an active account; 202 either way.
#[utoipa::path(
    tag = "auth",
    security(()),
    request_body = ResetRequest,
    responses(
        (status = 202, body = Accepted),
    )
)]
#[post("/auth/password-reset/request")]
pub async fn request_password_reset(
    req: HttpRequest,
    state: web::Data<AppState>,
    Body(body): Body<ResetRequest>,
) -> ApiResult<HttpResponse> {
    throttle_ip(&req, &state)?;
    let email = rules::normalize_email(&body.email);
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
            queries::insert_email_token(conn, user.id, RESET, &hash_token(&token), expires)?;
            let mail = Template::PasswordReset.render(&[
                ("name", &user.display_name),
                ("token", &token),
                (
                    "link",
                    &format!("{public_url}/reset-password?token={token}"),
                ),
                ("minutes", &minutes.to_string()),
            ]);
            outbox::enqueue(conn, &email, &mail)?;
            Ok(())
        })
    })
    .await?;
    state.mail_wakeup.notify_one();
    Ok(accepted())
}

/// Sets a new password with the mailed token; every session of the account ends.
#[utoipa::path(
    tag = "auth",
    security(()),
    request_body = ResetConfirm,
    responses(
        (status = 204),
    )
)]
#[post("/auth/password-reset/confirm")]
pub async fn confirm_password_reset(
    state: web::Data<AppState>,
    Body(body): Body<ResetConfirm>,
) -> ApiResult<HttpResponse> {
    check_password(&body.new_password, "", "new_password")?;
    let hash = state.hasher.hash(body.new_password).await?;
    let token_hash = hash_token(&body.token);
    db::run(&state.pool, move |conn| {
        db::write_tx(conn, |conn| {
            let user_id =
                queries::take_email_token(conn, &token_hash, RESET)?.ok_or_else(|| {
                    ApiError::invalid(
                        "token",
                        "auth.invalid_email_token",
                        "unknown, used or expired",
                    )
                })?;
            let user =
                queries::user_by_id(conn, user_id)?.ok_or(ApiError::NotFound("user.not_found"))?;
            queries::set_password(conn, user_id, &hash)?;
            queries::revoke_all_sessions(conn, user_id, "password_reset")?;
            queries::clear_throttle(conn, &user.email)?;
            // Reading the mailed token proves the address, too.
            mark_verified(conn, user_id)
        })
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The caller's account and roles.
#[utoipa::path(
    tag = "auth",
    responses(
        (status = 200, body = Me),
    )
)]
#[get("/me")]
pub async fn get_me(state: web::Data<AppState>, caller: Caller) -> ApiResult<web::Json<Me>> {
    let me = db::run(&state.pool, move |conn| {
        let user = queries::user_by_id(conn, caller.user_id)?
            .ok_or(ApiError::Unauthorized("auth.invalid_token"))?;
        let roles = queries::grants_of(conn, &[user.id])?
            .into_iter()
            .map(|(_, g)| g)
            .collect();
        Ok(Me {
            id: user.id,
            email: user.email,
            display_name: user.display_name,
            home_place_id: user.home_place_id,
            email_verified: user.email_verified_at.is_some(),
            roles,
        })
    })
    .await?;
    Ok(web::Json(me))
}

/// Registers this area's handlers.
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(register_account)
        .service(verify_email)
        .service(create_session)
        .service(refresh_session)
        .service(end_session)
        .service(request_password_reset)
        .service(confirm_password_reset)
        .service(get_me);
}
