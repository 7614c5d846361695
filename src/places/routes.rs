//! Handlers for /api/v1/places and /api/v1/organizations: parse, call one action of
//! `places::actions` (where the permission checks live), serialise.

use actix_web::{HttpResponse, get, patch, post, web};

use super::actions;
use super::model::*;
use crate::api::extract::{Body, Query};
use crate::api::paging::List;
use crate::api::respond;
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::state::AppState;

/// Lists places: children of `parent_id`, a subtree (`within`), by kind or name.
#[utoipa::path(tag = "places", security(()), params(PlaceFilter), responses((status = 200, body = List<PlaceOut>)))]
#[get("/places")]
pub async fn list_places(
    state: web::Data<AppState>,
    Query(f): Query<PlaceFilter>,
) -> ApiResult<web::Json<List<PlaceOut>>> {
    respond::ok(&state, move |conn, _| actions::list_places(conn, &f)).await
}

/// One place.
#[utoipa::path(tag = "places", security(()), responses((status = 200, body = PlaceOut)))]
#[get("/places/{id}")]
pub async fn get_place(
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> ApiResult<web::Json<PlaceOut>> {
    respond::ok(&state, move |conn, _| actions::get_place(conn, *id)).await
}

/// Creates a place. Admin at the parent; a city (no parent) needs an installation-wide admin.
#[utoipa::path(tag = "places", request_body = NewPlace, responses((status = 201, body = PlaceOut)))]
#[post("/places")]
pub async fn create_place(
    state: web::Data<AppState>,
    caller: Caller,
    Body(body): Body<NewPlace>,
) -> ApiResult<HttpResponse> {
    respond::created(&state, move |conn, _| {
        actions::create_place(conn, &caller, &body)
    })
    .await
}

/// Renames or recodes a place (admin at the place). Places do not move.
#[utoipa::path(tag = "places", request_body = PlacePatch, responses((status = 200, body = PlaceOut)))]
#[patch("/places/{id}")]
pub async fn update_place(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
    Body(body): Body<PlacePatch>,
) -> ApiResult<web::Json<PlaceOut>> {
    respond::ok(&state, move |conn, _| {
        actions::update_place(conn, &caller, *id, &body)
    })
    .await
}

/// Lists organisations by kind or served place.
#[utoipa::path(tag = "organizations", security(()), params(OrganizationFilter), responses((status = 200, body = List<OrganizationOut>)))]
#[get("/organizations")]
pub async fn list_organizations(
    state: web::Data<AppState>,
    Query(f): Query<OrganizationFilter>,
) -> ApiResult<web::Json<List<OrganizationOut>>> {
    respond::ok(&state, move |conn, _| actions::list_organizations(conn, &f)).await
}

/// One organisation.
#[utoipa::path(tag = "organizations", security(()), responses((status = 200, body = OrganizationOut)))]
#[get("/organizations/{id}")]
pub async fn get_organization(
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> ApiResult<web::Json<OrganizationOut>> {
    respond::ok(&state, move |conn, _| actions::get_organization(conn, *id)).await
}

/// Creates an organisation; the caller must be admin at every place it serves.
#[utoipa::path(tag = "organizations", request_body = NewOrganization, responses((status = 201, body = OrganizationOut)))]
#[post("/organizations")]
pub async fn create_organization(
    state: web::Data<AppState>,
    caller: Caller,
    Body(body): Body<NewOrganization>,
) -> ApiResult<HttpResponse> {
    respond::created(&state, move |conn, _| {
        actions::create_organization(conn, &caller, &body)
    })
    .await
}

/// Renames an organisation or changes its places; admin at every old and new place.
#[utoipa::path(tag = "organizations", request_body = OrganizationPatch, responses((status = 200, body = OrganizationOut)))]
#[patch("/organizations/{id}")]
pub async fn update_organization(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
    Body(body): Body<OrganizationPatch>,
) -> ApiResult<web::Json<OrganizationOut>> {
    respond::ok(&state, move |conn, _| {
        actions::update_organization(conn, &caller, *id, &body)
    })
    .await
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
