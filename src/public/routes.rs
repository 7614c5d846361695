//! Handlers for /api/v1/public: no account needed; parse, call one action, serialise.

use actix_web::{HttpRequest, HttpResponse, get, web};

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
/// Cached: `ETag` and `Cache-Control`; `If-None-Match` with the current ETag answers 304.
#[utoipa::path(tag = "public", security(()), params(PageParams), responses((status = 200, body = List<CatalogEntry>), (status = 304, description = "Not modified: the ETag in If-None-Match is current")))]
#[get("/public/places/{id}/catalog")]
pub async fn get_catalog(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    Query(p): Query<PageParams>,
) -> ApiResult<HttpResponse> {
    respond::public(&req, &state, move |conn, s| {
        actions::catalog(conn, s, *id, &p)
    })
    .await
}

/// A public topic page: catalog topics only (a topic not yet accepted is not public).
/// Cached like the catalog.
#[utoipa::path(tag = "public", security(()), responses((status = 200, body = PublicTopic), (status = 304, description = "Not modified: the ETag in If-None-Match is current")))]
#[get("/public/topics/{id}")]
pub async fn get_public_topic(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    respond::public(&req, &state, move |conn, s| {
        actions::public_topic(conn, s, *id)
    })
    .await
}

/// Registers this area's handlers.
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(get_catalog).service(get_public_topic);
}
