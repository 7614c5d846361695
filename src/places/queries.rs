//! Storage of places and organisations.

use diesel::expression::BoxableExpression;
use diesel::prelude::*;
use diesel::sql_types::Bool;

use super::model::{BBox, OrganizationKind, OrganizationOut, PlaceOut};
use super::rules::{PlaceKind, child_path, escape_like, subtree_range};
use crate::auth::PlaceRef;
use crate::db::schema::{organization_places, organizations, places};
use crate::db::{self, DbConn};
use crate::error::{ApiError, ApiResult};

/// A place row; `kind` is typed, so an unknown stored kind fails the query instead of hiding
/// the place.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = places)]
pub struct PlaceRow {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub kind: PlaceKind,
    pub name: String,
    pub code: String,
    pub path: String,
    pub depth: i32,
    pub lat: Option<f64>,
    pub lng: Option<f64>,
    pub bbox_min_lat: Option<f64>,
    pub bbox_min_lng: Option<f64>,
    pub bbox_max_lat: Option<f64>,
    pub bbox_max_lng: Option<f64>,
}

impl PlaceRow {
    /// The wire form and the path.
    fn split(self) -> (PlaceOut, String) {
        (
            PlaceOut {
                id: self.id,
                parent_id: self.parent_id,
                kind: self.kind,
                name: self.name,
                code: self.code,
                depth: self.depth,
                lat: self.lat,
                lng: self.lng,
                bbox: match (
                    self.bbox_min_lat,
                    self.bbox_min_lng,
                    self.bbox_max_lat,
                    self.bbox_max_lng,
                ) {
                    (Some(min_lat), Some(min_lng), Some(max_lat), Some(max_lng)) => Some(BBox {
                        min_lat,
                        min_lng,
                        max_lat,
                        max_lng,
                    }),
                    _ => None,
                },
            },
            self.path,
        )
    }
}

/// An organisation row without its places.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = organizations)]
struct OrganizationRow {
    id: i64,
    kind: OrganizationKind,
    name: String,
}

/// A place with its path, or None.
pub fn place(conn: &mut DbConn, id: i64) -> ApiResult<Option<(PlaceOut, String)>> {
    let row: Option<PlaceRow> = places::table
        .find(id)
        .select(PlaceRow::as_select())
        .first(conn)
        .optional()?;
    Ok(row.map(PlaceRow::split))
}

/// The place as permission checks see it; 404 `place.not_found` (or 422 naming `field`).
pub fn place_ref(
    conn: &mut DbConn,
    id: i64,
    field: Option<&str>,
) -> ApiResult<(PlaceRef, PlaceKind)> {
    match place(conn, id)? {
        Some((p, path)) => Ok((PlaceRef { id: p.id, path }, p.kind)),
        None => Err(match field {
            Some(f) => ApiError::invalid(f, "place.not_found", format!("no place {id}")),
            None => ApiError::NotFound("place.not_found"),
        }),
    }
}

/// A unique violation here means another request took the code in the meantime.
fn code_taken_on_conflict(e: diesel::result::Error, code: &str) -> ApiError {
    use diesel::result::{DatabaseErrorKind, Error};
    match e {
        Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => ApiError::Conflict {
            code: "place.code_taken",
            detail: Some(format!("code {code}")),
        },
        other => other.into(),
    }
}

/// Inserts a place under `parent` (id and path), computing its path.
pub fn insert_place(
    conn: &mut DbConn,
    parent: Option<(i64, &str)>,
    kind: PlaceKind,
    name: &str,
    code: &str,
) -> ApiResult<PlaceOut> {
    let parent_path = parent.map(|(_, p)| p);
    let depth = parent_path
        .map(|p| super::rules::path_ids(p).len() as i32)
        .unwrap_or(0);
    // The path needs the id: insert with a unique placeholder, then set it.
    let placeholder = format!("#{code}");
    let id: i64 = diesel::insert_into(places::table)
        .values((
            places::parent_id.eq(parent.map(|(id, _)| id)),
            places::kind.eq(kind),
            places::name.eq(name),
            places::code.eq(code),
            places::path.eq(&placeholder),
            places::depth.eq(depth),
            places::created_at.eq(db::now()),
        ))
        .returning(places::id)
        .get_result(conn)
        .map_err(|e| code_taken_on_conflict(e, code))?;
    diesel::update(places::table.find(id))
        .set(places::path.eq(child_path(parent_path, id)))
        .execute(conn)?;
    Ok(PlaceOut {
        id,
        parent_id: parent.map(|(id, _)| id),
        kind,
        name: name.to_string(),
        code: code.to_string(),
        depth,
        lat: None,
        lng: None,
        bbox: None,
    })
}

/// Sets the point and/or the bounding box of a place (each only when given).
pub fn set_geo(
    conn: &mut DbConn,
    id: i64,
    point: Option<(f64, f64)>,
    bbox: Option<BBox>,
) -> ApiResult<()> {
    if let Some((lat, lng)) = point {
        diesel::update(places::table.find(id))
            .set((places::lat.eq(lat), places::lng.eq(lng)))
            .execute(conn)?;
    }
    if let Some(b) = bbox {
        diesel::update(places::table.find(id))
            .set((
                places::bbox_min_lat.eq(b.min_lat),
                places::bbox_min_lng.eq(b.min_lng),
                places::bbox_max_lat.eq(b.max_lat),
                places::bbox_max_lng.eq(b.max_lng),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// How many places exist at all; zero means an empty installation.
pub fn count_places(conn: &mut DbConn) -> ApiResult<i64> {
    Ok(places::table.count().get_result(conn)?)
}

/// The id of the place with `code`, if any (codes are unique, so seeders can find their own
/// places again).
pub fn place_id_by_code(conn: &mut DbConn, code: &str) -> ApiResult<Option<i64>> {
    Ok(places::table
        .filter(places::code.eq(code))
        .select(places::id)
        .first(conn)
        .optional()?)
}

/// Renames or recodes a place.
pub fn update_place(
    conn: &mut DbConn,
    id: i64,
    name: Option<&str>,
    code: Option<&str>,
) -> ApiResult<()> {
    if let Some(code) = code {
        diesel::update(places::table.find(id))
            .set(places::code.eq(code))
            .execute(conn)
            .map_err(|e| code_taken_on_conflict(e, code))?;
    }
    if let Some(name) = name {
        diesel::update(places::table.find(id))
            .set(places::name.eq(name))
            .execute(conn)?;
    }
    Ok(())
}

/// Lists places: children of `parent`, or the subtree at `within` (a path), by kind and name.
pub fn list_places(
    conn: &mut DbConn,
    parent: Option<i64>,
    within: Option<&str>,
    kind: Option<PlaceKind>,
    q: Option<&str>,
    after: Option<i64>,
    fetch: i64,
) -> ApiResult<Vec<PlaceOut>> {
    let mut query = places::table.select(PlaceRow::as_select()).into_boxed();
    if let Some(p) = parent {
        query = query.filter(places::parent_id.eq(p));
    }
    if let Some(path) = within {
        let (lo, hi) = subtree_range(path);
        query = query
            .filter(places::path.ge(lo))
            .filter(places::path.lt(hi));
    }
    if let Some(k) = kind {
        query = query.filter(places::kind.eq(k));
    }
    if let Some(q) = q {
        let pattern = format!("%{}%", escape_like(&q.to_lowercase()));
        query = query.filter(db::lower(places::name).like(pattern).escape('\\'));
    }
    if let Some(after) = after {
        query = query.filter(places::id.gt(after));
    }
    let rows: Vec<PlaceRow> = query.order(places::id).limit(fetch).load(conn)?;
    Ok(rows.into_iter().map(|r| r.split().0).collect())
}

/// Paths of the given places; 422 naming `field` for any that does not exist.
pub fn place_paths(conn: &mut DbConn, ids: &[i64], field: &str) -> ApiResult<Vec<PlaceRef>> {
    let rows: Vec<(i64, String)> = places::table
        .filter(places::id.eq_any(ids))
        .select((places::id, places::path))
        .load(conn)?;
    for id in ids {
        if !rows.iter().any(|(r, _)| r == id) {
            return Err(ApiError::invalid(
                field,
                "place.not_found",
                format!("no place {id}"),
            ));
        }
    }
    Ok(rows
        .into_iter()
        .map(|(id, path)| PlaceRef { id, path })
        .collect())
}

/// An organisation with its places.
pub fn organization(conn: &mut DbConn, id: i64) -> ApiResult<Option<OrganizationOut>> {
    let row: Option<OrganizationRow> = organizations::table
        .find(id)
        .select(OrganizationRow::as_select())
        .first(conn)
        .optional()?;
    let Some(row) = row else { return Ok(None) };
    Ok(with_places(conn, vec![row])?.pop())
}

/// Names of the organisations `ids` (missing ids are left out), in one query.
pub fn organization_names(conn: &mut DbConn, ids: &[i64]) -> ApiResult<Vec<(i64, String)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(organizations::table
        .filter(organizations::id.eq_any(ids))
        .select((organizations::id, organizations::name))
        .load(conn)?)
}

fn with_places(conn: &mut DbConn, rows: Vec<OrganizationRow>) -> ApiResult<Vec<OrganizationOut>> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let links: Vec<(i64, i64)> = organization_places::table
        .filter(organization_places::organization_id.eq_any(&ids))
        .select((
            organization_places::organization_id,
            organization_places::place_id,
        ))
        .order((
            organization_places::organization_id,
            organization_places::place_id,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| OrganizationOut {
            place_ids: links.iter().filter(|l| l.0 == r.id).map(|l| l.1).collect(),
            id: r.id,
            kind: r.kind,
            name: r.name,
        })
        .collect())
}

/// Lists organisations by kind and served place.
pub fn list_organizations(
    conn: &mut DbConn,
    kind: Option<OrganizationKind>,
    place_id: Option<i64>,
    after: Option<i64>,
    fetch: i64,
) -> ApiResult<Vec<OrganizationOut>> {
    let mut query = organizations::table
        .select(OrganizationRow::as_select())
        .into_boxed();
    if let Some(k) = kind {
        query = query.filter(organizations::kind.eq(k));
    }
    if let Some(p) = place_id {
        let serving = organization_places::table
            .filter(organization_places::place_id.eq(p))
            .select(organization_places::organization_id);
        query = query.filter(organizations::id.eq_any(serving));
    }
    if let Some(after) = after {
        query = query.filter(organizations::id.gt(after));
    }
    let rows = query.order(organizations::id).limit(fetch).load(conn)?;
    with_places(conn, rows)
}

/// Inserts an organisation with its places.
pub fn insert_organization(
    conn: &mut DbConn,
    kind: OrganizationKind,
    name: &str,
    place_ids: &[i64],
) -> ApiResult<i64> {
    let id: i64 = diesel::insert_into(organizations::table)
        .values((
            organizations::kind.eq(kind),
            organizations::name.eq(name),
            organizations::created_at.eq(db::now()),
        ))
        .returning(organizations::id)
        .get_result(conn)?;
    set_organization_places(conn, id, place_ids)?;
    Ok(id)
}

/// Replaces the places an organisation serves.
pub fn set_organization_places(conn: &mut DbConn, id: i64, place_ids: &[i64]) -> ApiResult<()> {
    let mut unique = place_ids.to_vec();
    unique.sort_unstable();
    unique.dedup();
    diesel::delete(organization_places::table.filter(organization_places::organization_id.eq(id)))
        .execute(conn)?;
    for place_id in unique {
        diesel::insert_into(organization_places::table)
            .values((
                organization_places::organization_id.eq(id),
                organization_places::place_id.eq(place_id),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Renames an organisation.
pub fn rename_organization(conn: &mut DbConn, id: i64, name: &str) -> ApiResult<()> {
    diesel::update(organizations::table.find(id))
        .set(organizations::name.eq(name))
        .execute(conn)?;
    Ok(())
}

/// `places.path` lies in one of the subtrees of `paths` (a small list: a caller's grants), as
/// one grouped OR for any query joined to `places`; an empty list matches nothing.
pub fn in_any_subtree<QS: 'static>(
    paths: &[String],
) -> Box<dyn BoxableExpression<QS, db::Backend, SqlType = Bool>>
where
    places::path: SelectableExpression<QS>,
{
    let mut cond: Box<dyn BoxableExpression<QS, db::Backend, SqlType = Bool>> =
        Box::new(false.into_sql::<Bool>());
    for path in paths {
        let (lo, hi) = subtree_range(path);
        cond = Box::new(cond.or(places::path.ge(lo).and(places::path.lt(hi))));
    }
    cond
}
