//! Admin handlers for /api/v1/users: list, read, disable, grant and revoke roles. Each parses,
//! calls one action of `accounts::actions` (where scope and permission are checked) and
//! serialises.

use actix_web::{HttpResponse, delete, get, patch, post, web};

use super::actions;
use super::model::*;
use crate::api::extract::{Body, Query};
use crate::api::paging::List;
use crate::api::respond;
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::state::AppState;

/// Lists users (admin).
#[utoipa::path(tag = "users", params(UserFilter), responses((status = 200, body = List<UserOut>)))]
#[get("/users")]
pub async fn list_users(
    state: web::Data<AppState>,
    caller: Caller,
    Query(f): Query<UserFilter>,
) -> ApiResult<web::Json<List<UserOut>>> {
    respond::ok(&state, move |conn, _| {
        actions::list_users(conn, &caller, &f)
    })
    .await
}

/// One user (admin).
#[utoipa::path(tag = "users", responses((status = 200, body = UserOut)))]
#[get("/users/{id}")]
pub async fn get_user(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
) -> ApiResult<web::Json<UserOut>> {
    respond::ok(&state, move |conn, _| actions::get_user(conn, &caller, *id)).await
}

/// Disables or enables a user, or renames them (admin). A disabled user is refused on their
/// very next request.
#[utoipa::path(tag = "users", request_body = UserPatch, responses((status = 200, body = UserOut)))]
#[patch("/users/{id}")]
pub async fn update_user(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
    Body(body): Body<UserPatch>,
) -> ApiResult<web::Json<UserOut>> {
    respond::ok(&state, move |conn, _| {
        actions::update_user(conn, &caller, *id, &body)
    })
    .await
}

/// Grants a role at a place (admin at that place). property_firm and department grants name
/// an organisation of that kind; an admin grant without a place needs an installation-wide admin.
#[utoipa::path(tag = "users", request_body = GrantRequest, responses((status = 201, body = GrantOut)))]
#[post("/users/{id}/roles")]
pub async fn grant_role(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
    Body(body): Body<GrantRequest>,
) -> ApiResult<HttpResponse> {
    respond::created(&state, move |conn, _| {
        actions::grant_role(conn, &caller, *id, &body)
    })
    .await
}

/// Revokes a grant (admin at its place); the user loses it on their next request.
#[utoipa::path(tag = "users", responses((status = 204)))]
#[delete("/users/{id}/roles/{grant_id}")]
pub async fn revoke_role(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(i64, i64)>,
) -> ApiResult<HttpResponse> {
    respond::no_content(&state, move |conn, _| {
        actions::revoke_role(conn, &caller, path.0, path.1)
    })
    .await
}

/// Registers this area's handlers.
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_users)
        .service(get_user)
        .service(update_user)
        .service(grant_role)
        .service(revoke_role);
}
