//! The use cases of places and organisations: reading is open to anyone (registration and the
//! public catalog need the tree); every write needs `admin` at each place it touches. JSON
//! handlers and web pages call these, never the queries directly.

use super::model::*;
use super::queries;
use crate::api::paging::{List, Page};
use crate::auth::{Caller, Role};
use crate::db::{self, DbConn};
use crate::error::{ApiError, ApiResult};

/// Places: children of `parent_id`, a subtree (`within`), by kind or name, one page.
pub fn list_places(conn: &mut DbConn, f: &PlaceFilter) -> ApiResult<List<PlaceOut>> {
    let page = Page::new(f.limit, f.cursor.as_deref())?;
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
}

/// One place; 404 `place.not_found`.
pub fn get_place(conn: &mut DbConn, id: i64) -> ApiResult<PlaceOut> {
    queries::place(conn, id)?
        .map(|(p, _)| p)
        .ok_or(ApiError::NotFound("place.not_found"))
}

/// Creates a place: admin at the parent; a city (no parent) needs an installation-wide admin.
pub fn create_place(conn: &mut DbConn, caller: &Caller, input: &NewPlace) -> ApiResult<PlaceOut> {
    caller.require_any_admin()?;
    db::write_tx(conn, |conn| {
        let parent = match input.parent_id {
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
        if !input.kind.fits_under(parent.as_ref().map(|p| p.1)) {
            return Err(ApiError::invalid(
                "kind",
                "place.invalid_parent",
                format!("{} cannot sit there", input.kind.as_str()),
            ));
        }
        let point = checked_geo(input.lat, input.lng, input.bbox)?;
        let place = queries::insert_place(
            conn,
            parent.as_ref().map(|(p, _)| (p.id, p.path.as_str())),
            input.kind,
            &input.name,
            &input.code,
        )?;
        if point.is_none() && input.bbox.is_none() {
            return Ok(place);
        }
        queries::set_geo(conn, place.id, point, input.bbox)?;
        get_place(conn, place.id)
    })
}

/// Renames or recodes a place (admin at the place). Places do not move.
pub fn update_place(
    conn: &mut DbConn,
    caller: &Caller,
    id: i64,
    input: &PlacePatch,
) -> ApiResult<PlaceOut> {
    caller.require_any_admin()?;
    db::write_tx(conn, |conn| {
        let (place, _) = queries::place_ref(conn, id, None)?;
        caller.require(&[Role::Admin], &place)?;
        let point = checked_geo(input.lat, input.lng, input.bbox)?;
        queries::update_place(conn, id, input.name.as_deref(), input.code.as_deref())?;
        queries::set_geo(conn, id, point, input.bbox)?;
        get_place(conn, id)
    })
}

/// Organisations by kind or served place, one page.
pub fn list_organizations(
    conn: &mut DbConn,
    f: &OrganizationFilter,
) -> ApiResult<List<OrganizationOut>> {
    let page = Page::new(f.limit, f.cursor.as_deref())?;
    let rows = queries::list_organizations(conn, f.kind, f.place_id, page.after, page.fetch())?;
    Ok(page.finish(rows, |o| o.id))
}

/// One organisation; 404 `organization.not_found`.
pub fn get_organization(conn: &mut DbConn, id: i64) -> ApiResult<OrganizationOut> {
    queries::organization(conn, id)?.ok_or(ApiError::NotFound("organization.not_found"))
}

/// Creates an organisation; the caller must be admin at every place it serves.
pub fn create_organization(
    conn: &mut DbConn,
    caller: &Caller,
    input: &NewOrganization,
) -> ApiResult<OrganizationOut> {
    caller.require_any_admin()?;
    db::write_tx(conn, |conn| {
        require_admin_at_all(conn, caller, &input.place_ids)?;
        let id = queries::insert_organization(conn, input.kind, &input.name, &input.place_ids)?;
        get_organization(conn, id)
    })
}

/// Renames an organisation or changes its places; admin at every old and new place.
pub fn update_organization(
    conn: &mut DbConn,
    caller: &Caller,
    id: i64,
    input: &OrganizationPatch,
) -> ApiResult<OrganizationOut> {
    caller.require_any_admin()?;
    db::write_tx(conn, |conn| {
        let current = get_organization(conn, id)?;
        let mut touched = current.place_ids;
        touched.extend(input.place_ids.iter().flatten());
        require_admin_at_all(conn, caller, &touched)?;
        if let Some(name) = &input.name {
            queries::rename_organization(conn, id, name)?;
        }
        if let Some(place_ids) = &input.place_ids {
            queries::set_organization_places(conn, id, place_ids)?;
        }
        get_organization(conn, id)
    })
}

/// 422 naming `place_ids` for an unknown place, 403 unless admin at every one.
fn require_admin_at_all(conn: &mut DbConn, caller: &Caller, place_ids: &[i64]) -> ApiResult<()> {
    for place in queries::place_paths(conn, place_ids, "place_ids")? {
        caller.require(&[Role::Admin], &place)?;
    }
    Ok(())
}

/// The point of a create or patch (None when neither coordinate is given); 422 naming the field
/// for half a point, a coordinate out of range or an inverted bounding box.
fn checked_geo(
    lat: Option<f64>,
    lng: Option<f64>,
    bbox: Option<BBox>,
) -> ApiResult<Option<(f64, f64)>> {
    let lat_ok = |v: f64| (-90.0..=90.0).contains(&v);
    let lng_ok = |v: f64| (-180.0..=180.0).contains(&v);
    if let Some(b) = bbox
        && !(lat_ok(b.min_lat)
            && lat_ok(b.max_lat)
            && lng_ok(b.min_lng)
            && lng_ok(b.max_lng)
            && b.min_lat <= b.max_lat
            && b.min_lng <= b.max_lng)
    {
        return Err(ApiError::invalid(
            "bbox",
            "place.invalid_bbox",
            "degrees in range, min ≤ max on both axes",
        ));
    }
    match (lat, lng) {
        (None, None) => Ok(None),
        (Some(la), Some(lo)) if lat_ok(la) && lng_ok(lo) => Ok(Some((la, lo))),
        (Some(_), Some(_)) => Err(ApiError::invalid(
            "lat",
            "place.invalid_point",
            "lat in [-90, 90], lng in [-180, 180]",
        )),
        (None, Some(_)) => Err(ApiError::invalid(
            "lat",
            "validation.required",
            "lat and lng come together",
        )),
        (Some(_), None) => Err(ApiError::invalid(
            "lng",
            "validation.required",
            "lat and lng come together",
        )),
    }
}
