//! Admin use cases over users: list, read, disable or rename. An admin sees the users homed
//! within their places (an installation-wide admin sees everyone); anyone else is 404, so
//! nothing is revealed about them. Changing a user also needs every grant the user holds to
//! lie within the admin's scope: a scoped admin never changes an admin with a wider reach.

use crate::accounts::model::{GrantOut, UserFilter, UserOut, UserPatch};
use crate::accounts::queries::{self, GrantRow, UserRow};
use crate::accounts::rules;
use crate::api::paging::{List, Page};
use crate::auth::Caller;
use crate::db::{self, DbConn};
use crate::error::{ApiError, ApiResult};
use crate::places::queries as places;

impl From<GrantRow> for GrantOut {
    fn from(g: GrantRow) -> Self {
        GrantOut {
            id: g.id,
            role: g.role,
            place_id: g.place_id,
            organization_id: g.organization_id,
        }
    }
}

/// The users with their grants (one query for all grants).
fn with_grants(conn: &mut DbConn, rows: Vec<UserRow>) -> ApiResult<Vec<UserOut>> {
    let ids: Vec<i64> = rows.iter().map(|u| u.id).collect();
    let grants = queries::grants_of(conn, &ids)?;
    Ok(rows
        .into_iter()
        .map(|u| UserOut {
            roles: grants
                .iter()
                .filter(|g| g.user_id == u.id)
                .cloned()
                .map(GrantOut::from)
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

fn one_with_grants(conn: &mut DbConn, user: UserRow) -> ApiResult<UserOut> {
    with_grants(conn, vec![user])?
        .pop()
        .ok_or(ApiError::NotFound("user.not_found"))
}

/// The user, if the caller administers their home place; 404 `user.not_found` otherwise.
pub(crate) fn visible_user(conn: &mut DbConn, caller: &Caller, user_id: i64) -> ApiResult<UserRow> {
    let user = queries::user_by_id(conn, user_id)?.ok_or(ApiError::NotFound("user.not_found"))?;
    let scopes = caller.admin_scopes();
    if scopes.is_some() {
        let home = queries::home_path(conn, user_id)?;
        if !rules::homed_within(scopes.as_deref(), home.as_deref()) {
            return Err(ApiError::NotFound("user.not_found"));
        }
    }
    Ok(user)
}

/// The user, locked for this transaction, when the caller may change them or their grants:
/// 404 `user.not_found` unless homed within the caller's scope, 403 `permission.denied` when
/// they hold a grant beyond it (a scoped admin never changes someone with a wider reach).
/// The one gate of `update_user`, `grant_role` and `revoke_role`.
pub(crate) fn managed_user(conn: &mut DbConn, caller: &Caller, user_id: i64) -> ApiResult<UserRow> {
    queries::lock_user(conn, user_id)?;
    let user = visible_user(conn, caller, user_id)?;
    let reach = queries::grant_paths_of(conn, user_id)?;
    if !rules::manages(caller.admin_scopes().as_deref(), &reach) {
        return Err(ApiError::Forbidden("permission.denied"));
    }
    Ok(user)
}

/// Lists users (admin): those homed within the caller's scope, filtered, one page.
pub fn list_users(conn: &mut DbConn, caller: &Caller, f: &UserFilter) -> ApiResult<List<UserOut>> {
    caller.require_any_admin()?;
    let page = Page::new(f.limit, f.cursor.as_deref())?;
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
    let rows = with_grants(conn, rows)?;
    Ok(page.finish(rows, |u| u.id))
}

/// One user (admin); 404 outside the caller's scope.
pub fn get_user(conn: &mut DbConn, caller: &Caller, id: i64) -> ApiResult<UserOut> {
    caller.require_any_admin()?;
    let user = visible_user(conn, caller, id)?;
    one_with_grants(conn, user)
}

/// Disables or enables a user, or renames them (admin). 404 for a user homed outside the
/// caller's scope; 403 when the user holds a grant beyond it (an admin of a wider place, an
/// installation-wide admin). A disabled user is refused on their very next request.
pub fn update_user(
    conn: &mut DbConn,
    caller: &Caller,
    id: i64,
    input: &UserPatch,
) -> ApiResult<UserOut> {
    caller.require_any_admin()?;
    if id == caller.user_id && input.disabled == Some(true) {
        return Err(ApiError::invalid(
            "disabled",
            "validation.invalid",
            "you cannot disable yourself",
        ));
    }
    db::write_tx(conn, |conn| {
        managed_user(conn, caller, id)?;
        queries::update_user(conn, id, input.disabled, input.display_name.as_deref())?;
        let user = queries::user_by_id(conn, id)?.ok_or(ApiError::NotFound("user.not_found"))?;
        one_with_grants(conn, user)
    })
}
