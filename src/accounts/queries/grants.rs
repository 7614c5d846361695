//! Storage of role grants. Rows carry their [`Role`]: an unknown stored role fails the query
//! (logged, 500) instead of silently dropping the grant.

use diesel::prelude::*;

use crate::auth::Role;
use crate::db::schema::{places, role_grants};
use crate::db::{self, DbConn};
use crate::error::ApiResult;

/// A role grant row.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = role_grants)]
pub struct GrantRow {
    pub id: i64,
    pub user_id: i64,
    pub role: Role,
    pub place_id: Option<i64>,
    pub organization_id: Option<i64>,
}

/// Grants of the given users, in id order.
pub fn grants_of(conn: &mut DbConn, user_ids: &[i64]) -> ApiResult<Vec<GrantRow>> {
    Ok(role_grants::table
        .filter(role_grants::user_id.eq_any(user_ids))
        .select(GrantRow::as_select())
        .order(role_grants::id)
        .load(conn)?)
}

/// Where a user's grants hold: each grant's place path, None for a grant without a place.
pub fn grant_paths_of(conn: &mut DbConn, user_id: i64) -> ApiResult<Vec<Option<String>>> {
    Ok(role_grants::table
        .left_join(places::table)
        .filter(role_grants::user_id.eq(user_id))
        .select(places::path.nullable())
        .order(role_grants::id)
        .load(conn)?)
}

/// Adds a grant.
pub fn insert_grant(
    conn: &mut DbConn,
    user_id: i64,
    role: Role,
    place_id: Option<i64>,
    organization_id: Option<i64>,
    granted_by: Option<i64>,
) -> ApiResult<i64> {
    Ok(diesel::insert_into(role_grants::table)
        .values((
            role_grants::user_id.eq(user_id),
            role_grants::role.eq(role),
            role_grants::place_id.eq(place_id),
            role_grants::organization_id.eq(organization_id),
            role_grants::granted_by.eq(granted_by),
            role_grants::created_at.eq(db::now()),
        ))
        .returning(role_grants::id)
        .get_result(conn)?)
}

/// Whether the user already holds exactly this grant.
pub fn has_grant(
    conn: &mut DbConn,
    user_id: i64,
    role: Role,
    place_id: Option<i64>,
    organization_id: Option<i64>,
) -> ApiResult<bool> {
    let mut q = role_grants::table
        .filter(role_grants::user_id.eq(user_id))
        .filter(role_grants::role.eq(role))
        .select(role_grants::id)
        .into_boxed();
    q = match place_id {
        Some(p) => q.filter(role_grants::place_id.eq(p)),
        None => q.filter(role_grants::place_id.is_null()),
    };
    q = match organization_id {
        Some(o) => q.filter(role_grants::organization_id.eq(o)),
        None => q.filter(role_grants::organization_id.is_null()),
    };
    Ok(q.first::<i64>(conn).optional()?.is_some())
}

/// A user's grant with its place path (None for a grant without a place).
pub fn grant_with_path(
    conn: &mut DbConn,
    user_id: i64,
    grant_id: i64,
) -> ApiResult<Option<(Role, Option<String>)>> {
    Ok(role_grants::table
        .left_join(places::table)
        .filter(role_grants::id.eq(grant_id))
        .filter(role_grants::user_id.eq(user_id))
        .select((role_grants::role, places::path.nullable()))
        .first(conn)
        .optional()?)
}

/// Removes a grant.
pub fn delete_grant(conn: &mut DbConn, grant_id: i64) -> ApiResult<()> {
    diesel::delete(role_grants::table.find(grant_id)).execute(conn)?;
    Ok(())
}

/// A grant as its holder reads it: (role, place name, organisation name).
pub type NamedGrant = (Role, Option<String>, Option<String>);

/// A user's grants with the names of their place and organisation, for their own page.
pub fn named_grants_of(conn: &mut DbConn, user_id: i64) -> ApiResult<Vec<NamedGrant>> {
    use crate::db::schema::organizations;
    Ok(role_grants::table
        .left_join(places::table)
        .left_join(
            organizations::table.on(organizations::id
                .nullable()
                .eq(role_grants::organization_id)),
        )
        .filter(role_grants::user_id.eq(user_id))
        .select((
            role_grants::role,
            places::name.nullable(),
            organizations::name.nullable(),
        ))
        .order(role_grants::id)
        .load(conn)?)
}
