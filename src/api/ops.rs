//! Operations endpoints: liveness, readiness (database reachable) and Prometheus metrics.

use actix_web::{HttpResponse, get, web};
use diesel::connection::SimpleConnection;
use serde::Serialize;
use utoipa::ToSchema;

use secrecy::ExposeSecret;

use crate::auth::tokens::hash_token;
use crate::db;
use crate::error::{ApiError, ApiResult, Problem};
use crate::state::AppState;

/// Health answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok`
    pub status: String,
}

/// The process is up.
#[utoipa::path(tag = "ops", security(()), responses((status = 200, body = Health)))]
#[get("/healthz")]
pub async fn get_health() -> web::Json<Health> {
    web::Json(Health {
        status: "ok".into(),
    })
}

/// The database answers.
#[utoipa::path(
    tag = "ops",
    security(()),
    responses(
        (status = 200, body = Health),
        (status = 503, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/readyz")]
pub async fn get_readiness(state: web::Data<AppState>) -> ApiResult<web::Json<Health>> {
    db::run(&state.pool, |conn| Ok(conn.batch_execute("SELECT 1")?)).await?;
    Ok(web::Json(Health {
        status: "ok".into(),
    }))
}

/// Prometheus text exposition; with `server.metrics_token` set, only for the scraper that
/// sends it (401 otherwise).
#[utoipa::path(tag = "ops", security(()), responses((status = 200, content_type = "text/plain", body = String)))]
#[get("/metrics")]
pub async fn get_metrics(
    req: actix_web::HttpRequest,
    state: web::Data<AppState>,
) -> ApiResult<HttpResponse> {
    let expected = state.settings.server.metrics_token.expose_secret();
    if !expected.is_empty() {
        let sent = req
            .headers()
            .get(actix_web::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or("");
        // Compared as hashes, so the time taken says nothing about the secret.
        if hash_token(sent) != hash_token(expected) {
            return Err(ApiError::Unauthorized("auth.invalid_token"));
        }
    }
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(state.metrics.render()?))
}
