//! Admin handlers for /api/v1/users: list, read, disable, grant and revoke roles. An admin
//! sees users homed within their places (an installation-wide admin sees everyone) and
//! grants roles only at places within their scope; users outside it are 404.

use actix_web::{HttpResponse, delete, get, patch, post, web};

use super::model::*;
use super::queries::{self, UserRow};
use crate::api::extract::{Body, Query};
use crate::api::paging::{List, Page};
use crate::auth::roles::covers;
use crate::auth::{Caller, Role};
use crate::db::{self, DbConn};
use crate::error::{ApiError, ApiResult};
use crate::places::queries as places;
use crate::state::AppState;

fn to_out(conn: &mut DbConn, rows: Vec<UserRow>) -> ApiResult<Vec<UserOut>> {
    let ids: Vec<i64> = rows.iter().map(|u| u.id).collect();
    let grants = queries::grants_of(conn, &ids)?;
    Ok(rows
        .into_iter()
        .map(|u| UserOut {
            roles: grants
                .iter()
                .filter(|(uid, _)| *uid == u.id)
                .map(|(_, g)| g.clone())
                .collect(),
            id: u.id,
            email: u.email,
            display_name: u.display_name,
            home_place_id: u.home_place_id,
            email_verified: u.email_verified_at.is_some(),
            disabled: u.disabled,
            created_at: u.created_at.and_utc(),
        })
        .collect())
}

/// The user, if the caller administers their home place; 404 otherwise.
fn visible_user(conn: &mut DbConn, caller: &Caller, user_id: i64) -> ApiResult<UserRow> {
    let user = queries::user_by_id(conn, user_id)?.ok_or(ApiError::NotFound("user.not_found"))?;
    if let Some(scopes) = caller.admin_scopes() {
        let home = queries::home_path(conn, user_id)?;
        let inside = home.is_some_and(|h| scopes.iter().any(|s| covers(s, &h)));
        if !inside {
            return Err(ApiError::NotFound("user.not_found"));
        }
    }
    Ok(user)
}

/// Lists users (admin).
#[utoipa::path(
    tag = "users",
    params(UserFilter),
    responses(
        (status = 200, body = List<UserOut>),
    )
)]
#[get("/users")]
pub async fn list_users(
    state: web::Data<AppState>,
    caller: Caller,
    Query(f): Query<UserFilter>,
) -> ApiResult<web::Json<List<UserOut>>> {
    caller.require_any_admin()?;
    let page = Page::new(f.limit, f.cursor.as_deref())?;
    let list = db::run(&state.pool, move |conn| {
        let within = match f.place_id {
            Some(id) => Some(places::place_ref(conn, id, Some("place_id"))?.0.path),
            None => None,
        };
        let scopes = caller.admin_scopes();
        let rows = queries::list_users(
            conn,
            scopes.as_deref(),
            within.as_deref(),
            f.q.as_deref(),
            f.role,
            page.after,
            page.fetch(),
        )?;
        let rows = to_out(conn, rows)?;
        Ok(page.finish(rows, |u| u.id))
    })
    .await?;
    Ok(web::Json(list))
}

/// One user (admin).
#[utoipa::path(
    tag = "users",
    responses(
        (status = 200, body = UserOut),
    )
)]
#[get("/users/{id}")]
pub async fn get_user(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
) -> ApiResult<web::Json<UserOut>> {
    caller.require_any_admin()?;
    let id = id.into_inner();
    let user = db::run(&state.pool, move |conn| {
        let user = visible_user(conn, &caller, id)?;
        to_out(conn, vec![user])?
            .pop()
            .ok_or(ApiError::NotFound("user.not_found"))
    })
    .await?;
    Ok(web::Json(user))
}

/// Disables or enables a user, or renames them (admin). A disabled user is refused on their
/// very next request.
#[utoipa::path(
    tag = "users",
    request_body = UserPatch,
    responses(
        (status = 200, body = UserOut),
    )
)]
#[patch("/users/{id}")]
pub async fn update_user(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
    Body(body): Body<UserPatch>,
) -> ApiResult<web::Json<UserOut>> {
    caller.require_any_admin()?;
    let id = id.into_inner();
    if id == caller.user_id && body.disabled == Some(true) {
        return Err(ApiError::invalid(
            "disabled",
            "validation.invalid",
            "you cannot disable yourself",
        ));
    }
    let user = db::run(&state.pool, move |conn| {
        db::write_tx(conn, |conn| {
            visible_user(conn, &caller, id)?;
            let target_is_global_admin = queries::grants_of(conn, &[id])?
                .iter()
                .any(|(_, g)| g.role == Role::Admin && g.place_id.is_none());
            if target_is_global_admin && !caller.is_global_admin() {
                return Err(ApiError::Forbidden("permission.denied"));
            }
            queries::update_user(conn, id, body.disabled, body.display_name.as_deref())?;
            let user =
                queries::user_by_id(conn, id)?.ok_or(ApiError::NotFound("user.not_found"))?;
            to_out(conn, vec![user])?
                .pop()
                .ok_or(ApiError::NotFound("user.not_found"))
        })
    })
    .await?;
    Ok(web::Json(user))
}

/// Grants a role at a place (admin at that place). property_firm and department grants name
/// an organisation of that kind; an admin grant without a place needs an installation-wide admin.
#[utoipa::path(
    tag = "users",
    request_body = GrantRequest,
    responses(
        (status = 201, body = GrantOut),
    )
)]
#[post("/users/{id}/roles")]
pub async fn grant_role(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
    Body(body): Body<GrantRequest>,
) -> ApiResult<HttpResponse> {
    caller.require_any_admin()?;
    let user_id = id.into_inner();
    let grant = db::run(&state.pool, move |conn| {
        db::write_tx(conn, |conn| {
            queries::lock_user(conn, user_id)?;
            queries::user_by_id(conn, user_id)?.ok_or(ApiError::NotFound("user.not_found"))?;
            match body.place_id {
                Some(pid) => {
                    let (place, _) = places::place_ref(conn, pid, Some("place_id"))?;
                    caller.require(&[Role::Admin], &place)?;
                }
                None if body.role == Role::Admin => {
                    if !caller.is_global_admin() {
                        return Err(ApiError::Forbidden("permission.denied"));
                    }
                }
                None => {
                    return Err(ApiError::invalid(
                        "place_id",
                        "grant.place_required",
                        "this role needs a place",
                    ));
                }
            }
            match (body.role.organization_kind(), body.organization_id) {
                (Some(_), None) => {
                    return Err(ApiError::invalid(
                        "organization_id",
                        "grant.organization_required",
                        "property_firm and department grants name their organisation",
                    ));
                }
                (None, Some(_)) => {
                    return Err(ApiError::invalid(
                        "organization_id",
                        "grant.organization_not_allowed",
                        "only property_firm and department grants name an organisation",
                    ));
                }
                (Some(kind), Some(org_id)) => {
                    let org = places::organization(conn, org_id)?.ok_or_else(|| {
                        ApiError::invalid(
                            "organization_id",
                            "organization.not_found",
                            format!("no organisation {org_id}"),
                        )
                    })?;
                    if org.kind.as_str() != kind {
                        return Err(ApiError::invalid(
                            "organization_id",
                            "grant.organization_kind_mismatch",
                            format!("{} is a {}", org.name, org.kind.as_str()),
                        ));
                    }
                }
                (None, None) => {}
            }
            if queries::has_grant(
                conn,
                user_id,
                body.role,
                body.place_id,
                body.organization_id,
            )? {
                return Err(ApiError::Conflict {
                    code: "resource.conflict",
                    detail: Some("the user already holds this role here".into()),
                });
            }
            let id = queries::insert_grant(
                conn,
                user_id,
                body.role,
                body.place_id,
                body.organization_id,
                Some(caller.user_id),
            )?;
            Ok(GrantOut {
                id,
                role: body.role,
                place_id: body.place_id,
                organization_id: body.organization_id,
            })
        })
    })
    .await?;
    Ok(HttpResponse::Created().json(grant))
}

/// Revokes a grant (admin at its place); the user loses it on their next request.
#[utoipa::path(
    tag = "users",
    responses(
        (status = 204),
    )
)]
#[delete("/users/{id}/roles/{grant_id}")]
pub async fn revoke_role(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(i64, i64)>,
) -> ApiResult<HttpResponse> {
    caller.require_any_admin()?;
    let (user_id, grant_id) = path.into_inner();
    db::run(&state.pool, move |conn| {
        db::write_tx(conn, |conn| {
            let (role, place_path) = queries::grant_with_path(conn, user_id, grant_id)?
                .ok_or(ApiError::NotFound("grant.not_found"))?;
            let allowed = match &place_path {
                None => caller.is_global_admin(),
                Some(path) => caller.holds(
                    &[Role::Admin],
                    &crate::auth::PlaceRef {
                        id: 0,
                        path: path.clone(),
                    },
                ),
            };
            if !allowed {
                return Err(ApiError::Forbidden("permission.denied"));
            }
            if user_id == caller.user_id && role == Role::Admin.as_str() {
                return Err(ApiError::Conflict {
                    code: "resource.conflict",
                    detail: Some("an admin cannot revoke their own admin grant".into()),
                });
            }
            queries::delete_grant(conn, grant_id)
        })
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Registers this area's handlers.
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_users)
        .service(get_user)
        .service(update_user)
        .service(grant_role)
        .service(revoke_role);
}
