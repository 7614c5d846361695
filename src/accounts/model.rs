//! Request and response types of the account endpoints (separate from database rows).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::auth::Role;

/// POST /api/v1/auth/register
#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct RegisterRequest {
    #[validate(custom(function = "crate::api::text::line"), email, length(max = 254))]
    #[schema(
        pattern = r"^[^\x00-\x1F\x7F-\x9F\u2028\u2029]*$",
        format = "email",
        max_length = 254,
        example = "zhang.san@example.com"
    )]
    pub email: String,
    /// At least 10 characters.
    #[schema(
        pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F\u2028\u2029]*$",
        min_length = 10,
        max_length = 256
    )]
    pub password: String,
    #[validate(
        custom(function = "crate::api::text::title"),
        length(min = 1, max = 64)
    )]
    #[schema(
        pattern = r"^[^\x00-\x1F\x7F-\x9F\u2028\u2029]*[^\s\x00-\x1F\x7F-\x9F\u2028\u2029\u200B-\u200D\u2060\uFEFF][^\x00-\x1F\x7F-\x9F\u2028\u2029]*$",
        min_length = 1,
        max_length = 64,
        example = "张三"
    )]
    pub display_name: String,
    /// The community (or grid or building) the resident lives in.
    pub home_place_id: i64,
}

/// The same answer whether or not the email was already registered.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Accepted {
    /// Always `accepted`: check your mailbox.
    pub status: String,
}

/// POST /api/v1/auth/verify-email
#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct TokenRequest {
    #[validate(
        custom(function = "crate::api::text::line"),
        length(min = 1, max = 128)
    )]
    #[schema(pattern = r"^[^\x00-\x1F\x7F-\x9F\u2028\u2029]*$", max_length = 128)]
    pub token: String,
}

/// Result of verifying an email.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Verified {
    pub verified: bool,
}

/// POST /api/v1/auth/login
#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct LoginRequest {
    #[validate(
        custom(function = "crate::api::text::line"),
        length(min = 1, max = 254)
    )]
    #[schema(pattern = r"^[^\x00-\x1F\x7F-\x9F\u2028\u2029]*$", max_length = 254)]
    pub email: String,
    #[validate(length(min = 1, max = 256))]
    #[schema(
        pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F\u2028\u2029]*$",
        max_length = 256
    )]
    pub password: String,
}

/// Tokens from login and refresh.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TokenPair {
    pub access_token: String,
    pub refresh_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until the access token expires.
    pub expires_in: i64,
}

/// POST /api/v1/auth/refresh and /logout
#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct RefreshRequest {
    #[validate(
        custom(function = "crate::api::text::line"),
        length(min = 1, max = 128)
    )]
    #[schema(pattern = r"^[^\x00-\x1F\x7F-\x9F\u2028\u2029]*$", max_length = 128)]
    pub refresh_token: String,
}

/// POST /api/v1/auth/password-reset/request
#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct ResetRequest {
    #[validate(
        custom(function = "crate::api::text::line"),
        length(min = 1, max = 254)
    )]
    #[schema(pattern = r"^[^\x00-\x1F\x7F-\x9F\u2028\u2029]*$", max_length = 254)]
    pub email: String,
}

/// POST /api/v1/auth/password-reset/confirm
#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct ResetConfirm {
    #[validate(
        custom(function = "crate::api::text::line"),
        length(min = 1, max = 128)
    )]
    #[schema(pattern = r"^[^\x00-\x1F\x7F-\x9F\u2028\u2029]*$", max_length = 128)]
    pub token: String,
    #[schema(
        pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F\u2028\u2029]*$",
        min_length = 10,
        max_length = 256
    )]
    pub new_password: String,
}

/// A role grant as users and admins see it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct GrantOut {
    pub id: i64,
    pub role: Role,
    /// Null only for an installation-wide admin.
    pub place_id: Option<i64>,
    pub organization_id: Option<i64>,
}

/// GET /api/v1/me
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Me {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    pub home_place_id: Option<i64>,
    pub email_verified: bool,
    /// Whether open data shows this user's display name as author or convener (otherwise
    /// `居民`); off until the user turns it on.
    pub show_name_publicly: bool,
    pub roles: Vec<GrantOut>,
}

/// PATCH /api/v1/me: the user's own choices. Absent fields stay as they are.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MePatch {
    /// Show the display name in open data (docs/open-data.md) instead of `居民`.
    pub show_name_publicly: Option<bool>,
    #[validate(
        custom(function = "crate::api::text::title"),
        length(min = 1, max = 64)
    )]
    #[schema(
        pattern = r"^[^\x00-\x1F\x7F-\x9F\u2028\u2029]*[^\s\x00-\x1F\x7F-\x9F\u2028\u2029\u200B-\u200D\u2060\uFEFF][^\x00-\x1F\x7F-\x9F\u2028\u2029]*$",
        min_length = 1,
        max_length = 64
    )]
    pub display_name: Option<String>,
}

/// A user as admins see it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct UserOut {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    pub home_place_id: Option<i64>,
    pub email_verified: bool,
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
    pub roles: Vec<GrantOut>,
}

/// GET /api/v1/users filters.
#[derive(Debug, Deserialize, Validate, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserFilter {
    /// Users whose home is this place or beneath it.
    pub place_id: Option<i64>,
    /// Substring of email or display name.
    #[validate(
        custom(function = "crate::api::text::line"),
        length(min = 1, max = 100)
    )]
    #[param(pattern = r"^[^\x00-\x1F\x7F-\x9F\u2028\u2029]*$")]
    pub q: Option<String>,
    /// Users holding this role.
    pub role: Option<Role>,
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// PATCH /api/v1/users/{id}
#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct UserPatch {
    pub disabled: Option<bool>,
    #[validate(
        custom(function = "crate::api::text::title"),
        length(min = 1, max = 64)
    )]
    #[schema(
        pattern = r"^[^\x00-\x1F\x7F-\x9F\u2028\u2029]*[^\s\x00-\x1F\x7F-\x9F\u2028\u2029\u200B-\u200D\u2060\uFEFF][^\x00-\x1F\x7F-\x9F\u2028\u2029]*$",
        min_length = 1,
        max_length = 64
    )]
    pub display_name: Option<String>,
}

/// POST /api/v1/users/{id}/roles
#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct GrantRequest {
    pub role: Role,
    /// Required except for an installation-wide admin grant.
    pub place_id: Option<i64>,
    /// Required for property_firm and department, refused otherwise.
    pub organization_id: Option<i64>,
}
