//! Handlers for /api/v1/places and /api/v1/organizations: parse, call one action of
//! `places::actions` (where the permission checks live), serialise.

use actix_web::{HttpResponse, get, patch, post, web};

use super::actions;
use super::model::*;
use crate::api::extract::{Body, Query};
use crate::api::paging::List;
use crate::auth::Caller;
use crate::db;
use crate::error::ApiResult;
use crate::state::AppState;

/// Lists places: children of `parent_id`, a subtree (`within`), by kind or name.
#[utoipa::path(
    tag = "places",
    security(()),
    params(PlaceFilter),
    responses(
        (status = 200, body = List<PlaceOut>),
    )
)]
#[get("/places")]
pub async fn list_places(
    state: web::Data<AppState>,
    Query(f): Query<PlaceFilter>,
) -> ApiResult<web::Json<List<PlaceOut>>> {
    let list = db::run(&state.pool, move |conn| actions::list_places(conn, &f)).await?;
    Ok(web::Json(list))
}

/// One place.
#[utoipa::path(
    tag = "places",
    security(()),
    responses(
        (status = 200, body = PlaceOut),
    )
)]
#[get("/places/{id}")]
pub async fn get_place(
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> ApiResult<web::Json<PlaceOut>> {
    let id = id.into_inner();
    let place = db::run(&state.pool, move |conn| actions::get_place(conn, id)).await?;
    Ok(web::Json(place))
}

/// Creates a place. Admin at the parent; a city (no parent) needs an installation-wide admin.
#[utoipa::path(
    tag = "places",
    request_body = NewPlace,
    responses(
        (status = 201, body = PlaceOut),
    )
)]
#[post("/places")]
pub async fn create_place(
    state: web::Data<AppState>,
    caller: Caller,
    Body(body): Body<NewPlace>,
) -> ApiResult<HttpResponse> {
    let place = db::run(&state.pool, move |conn| {
        actions::create_place(conn, &caller, &body)
    })
    .await?;
    Ok(HttpResponse::Created().json(place))
}

/// Renames or recodes a place (admin at the place). Places do not move.
#[utoipa::path(
    tag = "places",
    request_body = PlacePatch,
    responses(
        (status = 200, body = PlaceOut),
    )
)]
#[patch("/places/{id}")]
pub async fn update_place(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
    Body(body): Body<PlacePatch>,
) -> ApiResult<web::Json<PlaceOut>> {
    let id = id.into_inner();
    let place = db::run(&state.pool, move |conn| {
        actions::update_place(conn, &caller, id, &body)
    })
    .await?;
    Ok(web::Json(place))
}

/// Lists organisations by kind or served place.
#[utoipa::path(
    tag = "organizations",
    security(()),
    params(OrganizationFilter),
    responses(
        (status = 200, body = List<OrganizationOut>),
    )
)]
#[get("/organizations")]
pub async fn list_organizations(
    state: web::Data<AppState>,
    Query(f): Query<OrganizationFilter>,
) -> ApiResult<web::Json<List<OrganizationOut>>> {
    let list = db::run(&state.pool, move |conn| {
        actions::list_organizations(conn, &f)
    })
    .await?;
    Ok(web::Json(list))
}

/// One organisation.
#[utoipa::path(
    tag = "organizations",
    security(()),
    responses(
        (status = 200, body = OrganizationOut),
    )
)]
#[get("/organizations/{id}")]
pub async fn get_organization(
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> ApiResult<web::Json<OrganizationOut>> {
    let id = id.into_inner();
    let org = db::run(&state.pool, move |conn| actions::get_organization(conn, id)).await?;
    Ok(web::Json(org))
}

/// Creates an organisation; the caller must be admin at every place it serves.
#[utoipa::path(
    tag = "organizations",
    request_body = NewOrganization,
    responses(
        (status = 201, body = OrganizationOut),
    )
)]
#[post("/organizations")]
pub async fn create_organization(
    state: web::Data<AppState>,
    caller: Caller,
    Body(body): Body<NewOrganization>,
) -> ApiResult<HttpResponse> {
    let org = db::run(&state.pool, move |conn| {
        actions::create_organization(conn, &caller, &body)
    })
    .await?;
    Ok(HttpResponse::Created().json(org))
}

/// Renames an organisation or changes its places; admin at every old and new place.
#[utoipa::path(
    tag = "organizations",
    request_body = OrganizationPatch,
    responses(
        (status = 200, body = OrganizationOut),
    )
)]
#[patch("/organizations/{id}")]
pub async fn update_organization(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
    Body(body): Body<OrganizationPatch>,
) -> ApiResult<web::Json<OrganizationOut>> {
    let id = id.into_inner();
    let org = db::run(&state.pool, move |conn| {
        actions::update_organization(conn, &caller, id, &body)
    })
    .await?;
    Ok(web::Json(org))
}

/// Registers this area's handlers.
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_places)
        .service(get_place)
        .service(create_place)
        .service(update_place)
        .service(list_organizations)
        .service(get_organization)
        .service(create_organization)
        .service(update_organization);
}
