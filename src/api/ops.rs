//! Operations endpoints: liveness, readiness (database reachable) and Prometheus metrics.

use actix_web::{HttpResponse, get, web};
use diesel::connection::SimpleConnection;
use serde::Serialize;
use utoipa::ToSchema;

use crate::db;
use crate::error::{ApiResult, Problem};
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

/// Prometheus text exposition.
#[utoipa::path(tag = "ops", security(()), responses((status = 200, content_type = "text/plain", body = String)))]
#[get("/metrics")]
pub async fn get_metrics(state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(state.metrics.render()?))
}
