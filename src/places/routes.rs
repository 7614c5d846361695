//! Handlers for /api/v1/places and /api/v1/organizations. Reading is public (registration
//! and the public catalog need the tree); writing needs `admin` at the place concerned.

use actix_web::{HttpResponse, get, patch, post, web};

use super::model::*;
use super::queries;
use crate::api::extract::{Body, Query};
use crate::api::paging::{List, Page};
use crate::auth::{Caller, Role};
use crate::db;
use crate::error::{ApiError, ApiResult};
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
    let page = Page::new(f.limit, f.cursor.as_deref())?;
    let list = db::run(&state.pool, move |conn| {
        let within = match f.within {
            Some(id) => Some(queries::place_ref(conn, id, Some("within"))?.0.path),
            None => None,
        };
        let rows = queries::list_places(
            conn,
            f.parent_id,
            within.as_deref(),
            f.kind,
            f.q.as_deref(),
            page.after,
            page.fetch(),
        )?;
        Ok(page.finish(rows, |p| p.id))
    })
    .await?;
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
    let place = db::run(&state.pool, move |conn| queries::place(conn, id)).await?;
    place
        .map(|(p, _)| web::Json(p))
        .ok_or(ApiError::NotFound("place.not_found"))
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
    caller.require_any_admin()?;
    let place = db::run(&state.pool, move |conn| {
        db::write_tx(conn, |conn| {
            let parent = match body.parent_id {
                None => {
                    if !caller.is_global_admin() {
                        return Err(ApiError::Forbidden("permission.denied"));
                    }
                    None
                }
                Some(pid) => {
                    let (parent, kind) = queries::place_ref(conn, pid, Some("parent_id"))?;
                    caller.require(&[Role::Admin], &parent)?;
                    Some((parent, kind))
                }
            };
            if !body.kind.fits_under(parent.as_ref().map(|p| p.1)) {
                return Err(ApiError::invalid(
                    "kind",
                    "place.invalid_parent",
                    format!("{} cannot sit there", body.kind.as_str()),
                ));
            }
            queries::insert_place(
                conn,
                parent.as_ref().map(|(p, _)| (p.id, p.path.as_str())),
                body.kind,
                &body.name,
                &body.code,
            )
        })
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
    caller.require_any_admin()?;
    let id = id.into_inner();
    let place = db::run(&state.pool, move |conn| {
        db::write_tx(conn, |conn| {
            let (place, _) = queries::place_ref(conn, id, None)?;
            caller.require(&[Role::Admin], &place)?;
            queries::update_place(conn, id, body.name.as_deref(), body.code.as_deref())?;
            queries::place(conn, id)?.ok_or(ApiError::NotFound("place.not_found"))
        })
    })
    .await?;
    Ok(web::Json(place.0))
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
    let page = Page::new(f.limit, f.cursor.as_deref())?;
    let list = db::run(&state.pool, move |conn| {
        let rows = queries::list_organizations(conn, f.kind, f.place_id, page.after, page.fetch())?;
        Ok(page.finish(rows, |o| o.id))
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
    db::run(&state.pool, move |conn| queries::organization(conn, id))
        .await?
        .map(web::Json)
        .ok_or(ApiError::NotFound("organization.not_found"))
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
    caller.require_any_admin()?;
    let org = db::run(&state.pool, move |conn| {
        db::write_tx(conn, |conn| {
            for place in queries::place_paths(conn, &body.place_ids, "place_ids")? {
                caller.require(&[Role::Admin], &place)?;
            }
            let id = queries::insert_organization(conn, body.kind, &body.name, &body.place_ids)?;
            queries::organization(conn, id)?.ok_or(ApiError::NotFound("organization.not_found"))
        })
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
    caller.require_any_admin()?;
    let id = id.into_inner();
    let org = db::run(&state.pool, move |conn| {
        db::write_tx(conn, |conn| {
            let current = queries::organization(conn, id)?
                .ok_or(ApiError::NotFound("organization.not_found"))?;
            let mut touched = current.place_ids.clone();
            touched.extend(body.place_ids.iter().flatten());
            for place in queries::place_paths(conn, &touched, "place_ids")? {
                caller.require(&[Role::Admin], &place)?;
            }
            if let Some(name) = &body.name {
                queries::rename_organization(conn, id, name)?;
            }
            if let Some(place_ids) = &body.place_ids {
                queries::set_organization_places(conn, id, place_ids)?;
            }
            queries::organization(conn, id)?.ok_or(ApiError::NotFound("organization.not_found"))
        })
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
