//! Handlers for /api/v1/auth/* and /api/v1/me: anyone may call the auth endpoints; /me needs
//! a valid access token. Each parses, calls one action of `accounts::actions`, serialises.

use std::net::IpAddr;

use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};

use super::actions::{self, ClientAddr};
use super::model::*;
use crate::api::extract::Body;
use crate::api::respond;
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::state::AppState;

fn accepted() -> HttpResponse {
    HttpResponse::Accepted().json(Accepted {
        status: "accepted".into(),
    })
}

/// The client address used for throttling: the peer, or the forwarded address when the
/// deployment says a trusted proxy sets it.
pub fn client_addr(req: &HttpRequest, state: &AppState) -> ClientAddr {
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

/// Registers an account and mails a verification link. The answer is 202 whether or not
/// the email is taken; the owner of a taken email gets a notice instead.
#[utoipa::path(tag = "auth", security(()), request_body = RegisterRequest, responses((status = 202, body = Accepted)))]
#[post("/auth/register")]
pub async fn register_account(
    req: HttpRequest,
    state: web::Data<AppState>,
    Body(body): Body<RegisterRequest>,
) -> ApiResult<HttpResponse> {
    actions::register_account(&state, client_addr(&req, &state), body).await?;
    Ok(accepted())
}

/// Verifies an email with the mailed token and makes the user a resident of their home place.
#[utoipa::path(tag = "auth", security(()), request_body = TokenRequest, responses((status = 200, body = Verified)))]
#[post("/auth/verify-email")]
pub async fn verify_email(
    state: web::Data<AppState>,
    Body(body): Body<TokenRequest>,
) -> ApiResult<web::Json<Verified>> {
    respond::ok(&state, move |conn, _| {
        actions::verify_email(conn, &body.token).map(|()| Verified { verified: true })
    })
    .await
}

/// Logs in with email and password. Failures slow the account down (429
/// `auth.login_delayed`) and lock it for the client address they come from (429
/// `auth.account_locked`); the owner is mailed an unlock link when a lock starts.
#[utoipa::path(tag = "auth", security(()), request_body = LoginRequest, responses((status = 200, body = TokenPair)))]
#[post("/auth/login")]
pub async fn create_session(
    req: HttpRequest,
    state: web::Data<AppState>,
    Body(body): Body<LoginRequest>,
) -> ApiResult<web::Json<TokenPair>> {
    let pair = actions::create_session(&state, client_addr(&req, &state), body).await?;
    Ok(web::Json(pair))
}

/// Trades a refresh token for a new pair. Each refresh token works once; presenting a spent
/// one revokes its whole session (someone else has it).
#[utoipa::path(tag = "auth", security(()), request_body = RefreshRequest, responses((status = 200, body = TokenPair)))]
#[post("/auth/refresh")]
pub async fn refresh_session(
    state: web::Data<AppState>,
    Body(body): Body<RefreshRequest>,
) -> ApiResult<web::Json<TokenPair>> {
    let pair = actions::refresh_session(&state, &body.refresh_token).await?;
    Ok(web::Json(pair))
}

/// Ends the session the refresh token belongs to; its access tokens stop working at once.
#[utoipa::path(tag = "auth", security(()), request_body = RefreshRequest, responses((status = 204)))]
#[post("/auth/logout")]
pub async fn end_session(
    state: web::Data<AppState>,
    Body(body): Body<RefreshRequest>,
) -> ApiResult<HttpResponse> {
    respond::no_content(&state, move |conn, _| {
        actions::end_session(conn, &body.refresh_token)
    })
    .await
}

/// Mails a password-reset link when the email belongs to an active account; 202 either way.
#[utoipa::path(tag = "auth", security(()), request_body = ResetRequest, responses((status = 202, body = Accepted)))]
#[post("/auth/password-reset/request")]
pub async fn request_password_reset(
    req: HttpRequest,
    state: web::Data<AppState>,
    Body(body): Body<ResetRequest>,
) -> ApiResult<HttpResponse> {
    actions::request_password_reset(&state, client_addr(&req, &state), &body.email).await?;
    Ok(accepted())
}

/// Sets a new password with the mailed token; every session of the account ends.
#[utoipa::path(tag = "auth", security(()), request_body = ResetConfirm, responses((status = 204)))]
#[post("/auth/password-reset/confirm")]
pub async fn confirm_password_reset(
    state: web::Data<AppState>,
    Body(body): Body<ResetConfirm>,
) -> ApiResult<HttpResponse> {
    actions::confirm_password_reset(&state, body).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Lifts every login lock and delay of an account with the token mailed when a lock started
/// ("repeated failed sign-ins"); the token works once. 422 `auth.invalid_email_token` for an
/// unknown, used or expired token.
#[utoipa::path(tag = "auth", security(()), request_body = TokenRequest, responses((status = 204)))]
#[post("/auth/unlock")]
pub async fn unlock_account(
    state: web::Data<AppState>,
    Body(body): Body<TokenRequest>,
) -> ApiResult<HttpResponse> {
    respond::no_content(&state, move |conn, _| {
        actions::unlock_account(conn, &body.token)
    })
    .await
}

/// The caller's account and roles.
#[utoipa::path(tag = "auth", responses((status = 200, body = Me)))]
#[get("/me")]
pub async fn get_me(state: web::Data<AppState>, caller: Caller) -> ApiResult<web::Json<Me>> {
    respond::ok(&state, move |conn, _| actions::get_me(conn, &caller)).await
}

/// The caller changes their own account: `show_name_publicly` (open data shows the display
/// name as author or convener instead of `居民`) and `display_name`.
#[utoipa::path(tag = "auth", request_body = MePatch, responses((status = 200, body = Me)))]
#[patch("/me")]
pub async fn update_me(
    state: web::Data<AppState>,
    caller: Caller,
    Body(body): Body<MePatch>,
) -> ApiResult<web::Json<Me>> {
    respond::ok(&state, move |conn, _| {
        actions::update_me(conn, &caller, &body)
    })
    .await
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
        .service(unlock_account)
        .service(get_me)
        .service(update_me);
}
