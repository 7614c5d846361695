//! Handlers for /api/v1/public: no account needed; parse, call one action, serialise.

use actix_web::{get, web};

use super::actions;
use super::model::{CatalogEntry, PublicTopic};
use crate::api::extract::Query;
use crate::api::paging::List;
use crate::api::respond;
use crate::error::ApiResult;
use crate::state::AppState;
use crate::topics::model::PageParams;

/// The deliberation catalog 议事目录 of a place (a community, or everything beneath a higher
/// place): accepted topics with their numbers, stage and supporters.
#[utoipa::path(tag = "public", security(()), params(PageParams), responses((status = 200, body = List<CatalogEntry>)))]
#[get("/public/places/{id}/catalog")]
pub async fn get_catalog(
    state: web::Data<AppState>,
    id: web::Path<i64>,
    Query(p): Query<PageParams>,
) -> ApiResult<web::Json<List<CatalogEntry>>> {
    respond::ok(&state, move |conn, s| actions::catalog(conn, s, *id, &p)).await
}

/// A public topic page: catalog topics only (a topic not yet accepted is not public).
#[utoipa::path(tag = "public", security(()), responses((status = 200, body = PublicTopic)))]
#[get("/public/topics/{id}")]
pub async fn get_public_topic(
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> ApiResult<web::Json<PublicTopic>> {
    respond::ok(&state, move |conn, s| actions::public_topic(conn, s, *id)).await
}

/// Registers this area's handlers.
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(get_catalog).service(get_public_topic);
}
