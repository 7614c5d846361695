//! Admin use cases over role grants. Granting or revoking a user's roles needs the same reach
//! as changing the user: the user is homed within the admin's scope (else 404) and every grant
//! they hold lies within it (else 403), see [`managed_user`]. A grant is given by an admin at
//! its place (an installation-wide admin for a grant without a place); a revoke needs the
//! admin at the grant's place. A property_firm or department grant names an organisation that
//! serves a place overlapping the grant's place.

use super::users::managed_user;
use crate::accounts::model::{GrantOut, GrantRequest};
use crate::accounts::{queries, rules};
use crate::auth::{Caller, PlaceRef, Role};
use crate::db::{self, DbConn};
use crate::error::{ApiError, ApiResult};
use crate::places::queries as places;

/// Grants a role at a place (admin at that place) to a user within the caller's scope.
/// property_firm and department grants name an organisation of that kind; an admin grant
/// without a place needs an installation-wide admin.
pub fn grant_role(
    conn: &mut DbConn,
    caller: &Caller,
    user_id: i64,
    input: &GrantRequest,
) -> ApiResult<GrantOut> {
    caller.require_any_admin()?;
    db::write_tx(conn, |conn| {
        managed_user(conn, caller, user_id)?;
        let grant_path = may_grant_at(conn, caller, input)?;
        check_organization(conn, input, grant_path.as_deref())?;
        if queries::has_grant(
            conn,
            user_id,
            input.role,
            input.place_id,
            input.organization_id,
        )? {
            return Err(ApiError::Conflict {
                code: "resource.conflict",
                detail: Some("the user already holds this role here".into()),
            });
        }
        let id = queries::insert_grant(
            conn,
            user_id,
            input.role,
            input.place_id,
            input.organization_id,
            Some(caller.user_id),
        )?;
        Ok(GrantOut {
            id,
            role: input.role,
            place_id: input.place_id,
            organization_id: input.organization_id,
        })
    })
}

/// 403 unless the caller is admin at the grant's place (installation-wide for a placeless
/// admin grant); 422 for an unknown place or a placeless grant of another role. Returns the
/// place's path (None for a placeless grant).
fn may_grant_at(
    conn: &mut DbConn,
    caller: &Caller,
    input: &GrantRequest,
) -> ApiResult<Option<String>> {
    match input.place_id {
        Some(pid) => {
            let (place, _) = places::place_ref(conn, pid, Some("place_id"))?;
            caller.require(&[Role::Admin], &place)?;
            Ok(Some(place.path))
        }
        None if input.role == Role::Admin => {
            if caller.is_global_admin() {
                Ok(None)
            } else {
                Err(ApiError::Forbidden("permission.denied"))
            }
        }
        None => Err(ApiError::invalid(
            "place_id",
            "grant.place_required",
            "this role needs a place",
        )),
    }
}

/// property_firm and department grants name an existing organisation of their kind that
/// serves a place overlapping the grant's place (422 `grant.organization_out_of_scope`
/// otherwise); other roles name none.
fn check_organization(
    conn: &mut DbConn,
    input: &GrantRequest,
    grant_path: Option<&str>,
) -> ApiResult<()> {
    match (input.role.organization_kind(), input.organization_id) {
        (Some(_), None) => Err(ApiError::invalid(
            "organization_id",
            "grant.organization_required",
            "property_firm and department grants name their organisation",
        )),
        (None, Some(_)) => Err(ApiError::invalid(
            "organization_id",
            "grant.organization_not_allowed",
            "only property_firm and department grants name an organisation",
        )),
        (Some(kind), Some(org_id)) => {
            let org = places::organization(conn, org_id)?.ok_or_else(|| {
                ApiError::invalid(
                    "organization_id",
                    "organization.not_found",
                    format!("no organisation {org_id}"),
                )
            })?;
            if org.kind != kind {
                return Err(ApiError::invalid(
                    "organization_id",
                    "grant.organization_kind_mismatch",
                    format!("{} is a {}", org.name, org.kind.as_str()),
                ));
            }
            let served: Vec<String> = places::place_paths(conn, &org.place_ids, "organization_id")?
                .into_iter()
                .map(|p| p.path)
                .collect();
            // Both roles need a place (`may_grant_at`), so a path is always there.
            if !grant_path.is_some_and(|g| rules::serves_grant_place(g, &served)) {
                return Err(ApiError::invalid(
                    "organization_id",
                    "grant.organization_out_of_scope",
                    format!("{} serves no place here", org.name),
                ));
            }
            Ok(())
        }
        (None, None) => Ok(()),
    }
}

/// Revokes a grant (admin at its place; installation-wide for a grant without a place) of a
/// user the caller manages ([`managed_user`]); the user loses it on their next request.
/// Nobody revokes their own admin grant.
pub fn revoke_role(
    conn: &mut DbConn,
    caller: &Caller,
    user_id: i64,
    grant_id: i64,
) -> ApiResult<()> {
    caller.require_any_admin()?;
    db::write_tx(conn, |conn| {
        managed_user(conn, caller, user_id)?;
        let (role, place_path) = queries::grant_with_path(conn, user_id, grant_id)?
            .ok_or(ApiError::NotFound("grant.not_found"))?;
        let allowed = match place_path {
            None => caller.is_global_admin(),
            Some(path) => caller.holds(&[Role::Admin], &PlaceRef { id: 0, path }),
        };
        if !allowed {
            return Err(ApiError::Forbidden("permission.denied"));
        }
        if user_id == caller.user_id && role == Role::Admin {
            return Err(ApiError::Conflict {
                code: "resource.conflict",
                detail: Some("an admin cannot revoke their own admin grant".into()),
            });
        }
        queries::delete_grant(conn, grant_id)
    })
}

/// One of the caller's own roles, with where it holds and for whom.
#[derive(Debug, Clone)]
pub struct MyRole {
    pub role: Role,
    /// None for an installation-wide admin.
    pub place: Option<String>,
    pub organization: Option<String>,
}

/// The caller's own roles and places (what /me shows).
pub fn my_roles(conn: &mut DbConn, caller: &Caller) -> ApiResult<Vec<MyRole>> {
    Ok(queries::named_grants_of(conn, caller.user_id)?
        .into_iter()
        .map(|(role, place, organization)| MyRole {
            role,
            place,
            organization,
        })
        .collect())
}
