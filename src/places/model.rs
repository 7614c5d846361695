//! Request and response types for places and organisations.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use super::rules::PlaceKind;

/// A place in the tree.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PlaceOut {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub kind: PlaceKind,
    pub name: String,
    pub code: String,
    /// Depth in the tree: 0 for a city.
    pub depth: i32,
    /// The place's point (WGS-84 degrees), if set: Open311 reports find their community by it.
    pub lat: Option<f64>,
    pub lng: Option<f64>,
    /// The place's bounding box, if set: an Open311 report inside it belongs here.
    pub bbox: Option<BBox>,
}

/// A bounding box in WGS-84 degrees (south-west and north-east corners), so an Open311
/// report's `lat`/`long` can be matched to the community that contains it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BBox {
    #[schema(minimum = -90, maximum = 90)]
    pub min_lat: f64,
    #[schema(minimum = -180, maximum = 180)]
    pub min_lng: f64,
    #[schema(minimum = -90, maximum = 90)]
    pub max_lat: f64,
    #[schema(minimum = -180, maximum = 180)]
    pub max_lng: f64,
}

/// POST /api/v1/places
#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct NewPlace {
    /// Null only for a city (a root), which only an installation-wide admin may create.
    pub parent_id: Option<i64>,
    pub kind: PlaceKind,
    #[validate(
        custom(function = "crate::api::text::title"),
        length(min = 1, max = 100)
    )]
    #[schema(
        pattern = r"^[^\x00-\x1F\x7F-\x9F\u2028\u2029]*[^\s\x00-\x1F\x7F-\x9F\u2028\u2029\u200B-\u200D\u2060\uFEFF][^\x00-\x1F\x7F-\x9F\u2028\u2029]*$",
        min_length = 1,
        max_length = 100,
        example = "幸福社区"
    )]
    pub name: String,
    /// Unique code, e.g. the statistical division code.
    #[validate(
        custom(function = "crate::api::text::title"),
        length(min = 1, max = 64)
    )]
    #[schema(
        pattern = r"^[^\x00-\x1F\x7F-\x9F\u2028\u2029]*[^\s\x00-\x1F\x7F-\x9F\u2028\u2029\u200B-\u200D\u2060\uFEFF][^\x00-\x1F\x7F-\x9F\u2028\u2029]*$",
        min_length = 1,
        max_length = 64,
        example = "330203001001"
    )]
    pub code: String,
    /// The place's point, WGS-84 degrees; `lat` and `lng` come together.
    #[schema(minimum = -90, maximum = 90)]
    pub lat: Option<f64>,
    #[schema(minimum = -180, maximum = 180)]
    pub lng: Option<f64>,
    /// The place's bounding box (min ≤ max on both axes).
    pub bbox: Option<BBox>,
}

/// PATCH /api/v1/places/{id}; a place cannot move to another parent.
#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct PlacePatch {
    #[validate(
        custom(function = "crate::api::text::title"),
        length(min = 1, max = 100)
    )]
    #[schema(
        pattern = r"^[^\x00-\x1F\x7F-\x9F\u2028\u2029]*[^\s\x00-\x1F\x7F-\x9F\u2028\u2029\u200B-\u200D\u2060\uFEFF][^\x00-\x1F\x7F-\x9F\u2028\u2029]*$",
        min_length = 1,
        max_length = 100
    )]
    pub name: Option<String>,
    #[validate(
        custom(function = "crate::api::text::title"),
        length(min = 1, max = 64)
    )]
    #[schema(
        pattern = r"^[^\x00-\x1F\x7F-\x9F\u2028\u2029]*[^\s\x00-\x1F\x7F-\x9F\u2028\u2029\u200B-\u200D\u2060\uFEFF][^\x00-\x1F\x7F-\x9F\u2028\u2029]*$",
        min_length = 1,
        max_length = 64
    )]
    pub code: Option<String>,
    /// The place's point, WGS-84 degrees; `lat` and `lng` come together.
    #[schema(minimum = -90, maximum = 90)]
    pub lat: Option<f64>,
    #[schema(minimum = -180, maximum = 180)]
    pub lng: Option<f64>,
    /// The place's bounding box (min ≤ max on both axes).
    pub bbox: Option<BBox>,
}

/// GET /api/v1/places filters.
#[derive(Debug, Default, Deserialize, Validate, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PlaceFilter {
    /// Direct children of this place.
    pub parent_id: Option<i64>,
    /// Every place beneath this one (and itself).
    pub within: Option<i64>,
    pub kind: Option<PlaceKind>,
    /// Substring of the name.
    #[validate(
        custom(function = "crate::api::text::line"),
        length(min = 1, max = 100)
    )]
    #[param(pattern = r"^[^\x00-\x1F\x7F-\x9F\u2028\u2029]*$")]
    pub q: Option<String>,
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

crate::wire_enum! {
    /// Kinds of organisation.
    pub enum OrganizationKind {
        PropertyFirm = "property_firm",
        Department = "department",
        OwnersCommittee = "owners_committee",
        SocialOrg = "social_org",
    }
}

/// An organisation and the places it serves.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OrganizationOut {
    pub id: i64,
    pub kind: OrganizationKind,
    pub name: String,
    pub place_ids: Vec<i64>,
}

/// POST /api/v1/organizations
#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct NewOrganization {
    pub kind: OrganizationKind,
    #[validate(
        custom(function = "crate::api::text::title"),
        length(min = 1, max = 100)
    )]
    #[schema(
        pattern = r"^[^\x00-\x1F\x7F-\x9F\u2028\u2029]*[^\s\x00-\x1F\x7F-\x9F\u2028\u2029\u200B-\u200D\u2060\uFEFF][^\x00-\x1F\x7F-\x9F\u2028\u2029]*$",
        min_length = 1,
        max_length = 100,
        example = "绿城物业"
    )]
    pub name: String,
    /// Places served; at least one, each within the caller's admin scope.
    #[validate(length(min = 1, max = 200))]
    #[schema(min_items = 1, max_items = 200)]
    pub place_ids: Vec<i64>,
}

/// PATCH /api/v1/organizations/{id}
#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct OrganizationPatch {
    #[validate(
        custom(function = "crate::api::text::title"),
        length(min = 1, max = 100)
    )]
    #[schema(
        pattern = r"^[^\x00-\x1F\x7F-\x9F\u2028\u2029]*[^\s\x00-\x1F\x7F-\x9F\u2028\u2029\u200B-\u200D\u2060\uFEFF][^\x00-\x1F\x7F-\x9F\u2028\u2029]*$",
        min_length = 1,
        max_length = 100
    )]
    pub name: Option<String>,
    #[validate(length(min = 1, max = 200))]
    #[schema(min_items = 1, max_items = 200)]
    pub place_ids: Option<Vec<i64>>,
}

/// GET /api/v1/organizations filters.
#[derive(Debug, Deserialize, Validate, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OrganizationFilter {
    pub kind: Option<OrganizationKind>,
    /// Organisations serving this place.
    pub place_id: Option<i64>,
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}
