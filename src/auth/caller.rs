//! The `Caller` extractor: a verified access token plus the user's live state and role
//! grants, read from the database on every request so disabling a user, revoking a role or
//! logging out takes effect at once.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header::AUTHORIZATION;
use actix_web::{FromRequest, HttpRequest, web};

use super::queries;
use super::roles::{Role, covers};
use crate::db::{self, DbConn};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// One role grant of the caller, with the path of its place.
#[derive(Debug, Clone, diesel::Queryable)]
pub struct CallerGrant {
    pub id: i64,
    pub role: Role,
    pub place_id: Option<i64>,
    /// Materialised path of the place; None for an installation-wide admin.
    pub place_path: Option<String>,
    pub organization_id: Option<i64>,
}

/// A place as permission checks see it.
#[derive(Debug, Clone)]
pub struct PlaceRef {
    pub id: i64,
    pub path: String,
}

/// An authenticated user making this request.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user_id: i64,
    pub session_id: i64,
    pub grants: Vec<CallerGrant>,
}

impl Caller {
    /// Does the caller hold one of `roles` at `place` or an ancestor of it?
    pub fn holds(&self, roles: &[Role], place: &PlaceRef) -> bool {
        self.grants_for(roles, place).next().is_some()
    }

    /// The caller's grants among `roles` that hold at `place`.
    pub fn grants_for<'a>(
        &'a self,
        roles: &'a [Role],
        place: &'a PlaceRef,
    ) -> impl Iterator<Item = &'a CallerGrant> + 'a {
        self.grants.iter().filter(move |g| {
            roles.contains(&g.role)
                && match &g.place_path {
                    None => g.role == Role::Admin,
                    Some(path) => covers(path, &place.path),
                }
        })
    }

    /// The distinct roles the caller holds at `place` (there or above).
    pub fn roles_at(&self, place: &PlaceRef) -> Vec<Role> {
        let mut roles: Vec<Role> = self.grants_for(&Role::ALL, place).map(|g| g.role).collect();
        roles.sort_by_key(|r| r.as_str());
        roles.dedup();
        roles
    }

    /// Organisations for which the caller acts (property_firm or department) at `place`.
    pub fn organizations_at(&self, place: &PlaceRef) -> Vec<i64> {
        self.grants_for(&[Role::PropertyFirm, Role::Department], place)
            .filter_map(|g| g.organization_id)
            .collect()
    }

    /// 403 `permission.denied` unless [`Caller::holds`].
    pub fn require(&self, roles: &[Role], place: &PlaceRef) -> ApiResult<()> {
        if self.holds(roles, place) {
            Ok(())
        } else {
            Err(ApiError::Forbidden("permission.denied"))
        }
    }

    /// The places `mine=true` lists stand for: the subtrees of the caller's grants, or None
    /// (no limit) for an installation-wide admin.
    pub fn role_subtrees(&self) -> Option<Vec<String>> {
        if self.is_global_admin() {
            return None;
        }
        let mut paths: Vec<String> = self
            .grants
            .iter()
            .filter_map(|g| g.place_path.clone())
            .collect();
        paths.sort();
        paths.dedup();
        Some(paths)
    }

    /// An admin for the whole installation (a grant with no place).
    pub fn is_global_admin(&self) -> bool {
        self.grants
            .iter()
            .any(|g| g.role == Role::Admin && g.place_path.is_none())
    }

    /// 403 unless the caller is an admin somewhere: the gate of the admin endpoints before
    /// the per-place check.
    pub fn require_any_admin(&self) -> ApiResult<()> {
        if self.grants.iter().any(|g| g.role == Role::Admin) {
            Ok(())
        } else {
            Err(ApiError::Forbidden("permission.denied"))
        }
    }

    /// Paths of the places where the caller is admin (None inside means everywhere).
    pub fn admin_scopes(&self) -> Option<Vec<String>> {
        if self.is_global_admin() {
            return None;
        }
        Some(
            self.grants
                .iter()
                .filter(|g| g.role == Role::Admin)
                .filter_map(|g| g.place_path.clone())
                .collect(),
        )
    }
}

fn bearer(req: &HttpRequest) -> Option<Result<String, ApiError>> {
    let value = req.headers().get(AUTHORIZATION)?;
    let parsed = value
        .to_str()
        .ok()
        .and_then(|v| {
            let (scheme, token) = v.split_once(' ')?;
            scheme
                .eq_ignore_ascii_case("bearer")
                .then(|| token.trim().to_string())
        })
        .filter(|t| !t.is_empty())
        .ok_or(ApiError::Unauthorized("auth.invalid_token"));
    Some(parsed)
}

async fn authenticate(state: web::Data<AppState>, token: String) -> ApiResult<Caller> {
    let (user_id, session_id) = state.jwt.verify(&token)?;
    db::run(&state.pool, move |conn| {
        load_caller(conn, user_id, session_id)
    })
    .await
}

/// 403 `auth.account_disabled`: the one answer, wherever a disabled account shows valid
/// credentials (a password, a refresh token, an access token). The credentials were understood
/// and are genuine; the account may not act (RFC 9110 §15.5.4), so this is not a 401.
pub fn account_disabled() -> ApiError {
    ApiError::Forbidden("auth.account_disabled")
}

/// Reads the caller's live state: refuses disabled users and ended sessions.
pub fn load_caller(conn: &mut DbConn, user_id: i64, session_id: i64) -> ApiResult<Caller> {
    match queries::live_state(conn, user_id, session_id)? {
        None => return Err(ApiError::Unauthorized("auth.invalid_token")),
        Some((true, _)) => return Err(account_disabled()),
        Some((false, Some(_))) => return Err(ApiError::Unauthorized("auth.session_revoked")),
        Some((false, None)) => {}
    }
    Ok(Caller {
        user_id,
        session_id,
        grants: queries::caller_grants(conn, user_id)?,
    })
}

/// A caller for work done on a user's behalf outside a request (demo seeding, CLI):
/// their grants, no session.
pub fn acting_as(conn: &mut DbConn, user_id: i64) -> ApiResult<Caller> {
    Ok(Caller {
        user_id,
        session_id: 0,
        grants: queries::caller_grants(conn, user_id)?,
    })
}

fn state_of(req: &HttpRequest) -> ApiResult<web::Data<AppState>> {
    req.app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| ApiError::internal("app state missing"))
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = ApiResult<Caller>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let token = bearer(req);
        let state = state_of(req);
        Box::pin(async move {
            let token = token.ok_or(ApiError::Unauthorized("auth.missing_token"))??;
            authenticate(state?, token).await
        })
    }
}

/// The caller when a token is sent, None when none is; a bad token is still a 401.
pub struct OptionalCaller(pub Option<Caller>);

impl FromRequest for OptionalCaller {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = ApiResult<OptionalCaller>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let token = bearer(req);
        let state = state_of(req);
        Box::pin(async move {
            match token {
                None => Ok(OptionalCaller(None)),
                Some(token) => Ok(OptionalCaller(Some(authenticate(state?, token?).await?))),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grant(role: Role, path: Option<&str>) -> CallerGrant {
        CallerGrant {
            id: 1,
            role,
            place_id: path.map(|_| 1),
            place_path: path.map(str::to_string),
            organization_id: None,
        }
    }

    fn place(path: &str) -> PlaceRef {
        PlaceRef {
            id: 9,
            path: path.into(),
        }
    }

    #[test]
    fn role_at_ancestor_holds_below() {
        let c = Caller {
            user_id: 1,
            session_id: 1,
            grants: vec![grant(Role::SubdistrictStaff, Some("/1/2/"))],
        };
        assert!(c.holds(&[Role::SubdistrictStaff], &place("/1/2/7/")));
        assert!(!c.holds(&[Role::CommunityStaff], &place("/1/2/7/")));
        assert!(!c.holds(&[Role::SubdistrictStaff], &place("/1/3/")));
        assert!(c.require(&[Role::SubdistrictStaff], &place("/1/")).is_err());
    }

    #[test]
    fn only_admin_may_be_global() {
        let admin = Caller {
            user_id: 1,
            session_id: 1,
            grants: vec![grant(Role::Admin, None)],
        };
        assert!(admin.is_global_admin());
        assert!(admin.holds(&[Role::Admin], &place("/4/")));
        assert!(!admin.holds(&[Role::CommunityStaff], &place("/4/")));
        let odd = Caller {
            user_id: 1,
            session_id: 1,
            grants: vec![grant(Role::Resident, None)],
        };
        assert!(!odd.holds(&[Role::Resident], &place("/4/")));
    }
}
