//! The wire types of Open311 GeoReport v2 (field names as the specification has them) and of
//! the admin API of its clients (`/api/v1/open311-clients`).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use super::rules::Status;

/// One entry of the spec's error list: `[{"code": 400, "description": "..."}]`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Open311Error {
    /// The HTTP status, repeated.
    pub code: u16,
    pub description: String,
}

/// An Open311 refusal: the HTTP status and what the error list says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub status: u16,
    pub description: String,
}

impl Refusal {
    /// 400 with `description`.
    pub fn bad(description: impl Into<String>) -> Self {
        Refusal {
            status: 400,
            description: description.into(),
        }
    }

    /// 404 with `description`.
    pub fn not_found(description: impl Into<String>) -> Self {
        Refusal {
            status: 404,
            description: description.into(),
        }
    }

    /// 403 for a missing, unknown or revoked `api_key`.
    pub fn bad_key() -> Self {
        Refusal {
            status: 403,
            description: "api_key is missing, invalid or revoked".to_string(),
        }
    }
}

/// One service (a topic category) of `GET services`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Service {
    /// The category's wire name, e.g. `facilities`.
    pub service_code: String,
    pub service_name: String,
    pub description: String,
    /// Whether the service has attributes (`GET services/{service_code}` lists them).
    pub metadata: bool,
    /// Always `realtime`: a request becomes a topic at once.
    #[serde(rename = "type")]
    pub r#type: String,
    pub keywords: String,
    pub group: String,
}

/// One attribute of a service definition.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Attribute {
    /// true: a question for the reporter (false would be information only).
    pub variable: bool,
    pub code: String,
    /// `string` for all of ours.
    pub datatype: String,
    pub required: bool,
    pub datatype_description: Option<String>,
    pub order: i32,
    pub description: String,
}

/// `GET services/{service_code}`: the attributes a request of this service may carry.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ServiceDefinition {
    pub service_code: String,
    pub attributes: Vec<Attribute>,
}

/// A service request as GET answers it: never the reporter's email, name, phone, device or
/// account.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ServiceRequest {
    /// The topic's id.
    pub service_request_id: String,
    pub status: Status,
    /// The latest note of the topic's timeline, else its decision.
    pub status_notes: Option<String>,
    pub service_name: String,
    pub service_code: String,
    pub description: Option<String>,
    /// The organisations of the topic's tasks, comma-separated.
    pub agency_responsible: Option<String>,
    pub service_notice: Option<String>,
    pub requested_datetime: DateTime<Utc>,
    pub updated_datetime: DateTime<Utc>,
    /// The latest due date of the topic's open tasks.
    pub expected_datetime: Option<DateTime<Utc>>,
    /// The address the reporter gave, else the place's name.
    pub address: Option<String>,
    pub address_id: Option<String>,
    pub zipcode: Option<String>,
    /// The reported point, else the place's point.
    pub lat: Option<f64>,
    pub long: Option<f64>,
    pub media_url: Option<String>,
}

/// The answer to a POST: the new request's id and its token.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PostedRequest {
    pub service_request_id: String,
    pub token: String,
    pub service_notice: Option<String>,
}

/// `GET tokens/{token}`: which request a token stands for.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TokenAnswer {
    pub service_request_id: String,
    pub token: String,
}

/// One endpoint of the discovery document.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DiscoveryEndpoint {
    pub specification: String,
    pub url: String,
    pub changeset: String,
    #[serde(rename = "type")]
    pub r#type: String,
    pub formats: Vec<String>,
}

/// `GET discovery`: where the GeoReport v2 endpoint is and how to get a key.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Discovery {
    pub changeset: String,
    pub contact: String,
    pub key_service: String,
    pub endpoints: Vec<DiscoveryEndpoint>,
}

/// The form of `POST requests` (application/x-www-form-urlencoded), as the spec names it.
/// `attribute[code]` fields carry the service definition's attributes.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RequestForm {
    /// The key an admin issued for this client.
    pub api_key: String,
    pub service_code: String,
    /// Accepted and ignored: this installation is one jurisdiction.
    pub jurisdiction_id: Option<String>,
    pub lat: Option<f64>,
    pub long: Option<f64>,
    /// A place name or code within the client's place (or text containing one).
    pub address_string: Option<String>,
    pub address_id: Option<String>,
    /// Private: kept for staff, never in a GET answer.
    pub email: Option<String>,
    pub device_id: Option<String>,
    pub account_id: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub phone: Option<String>,
    pub description: Option<String>,
    pub media_url: Option<String>,
}

/// An Open311 client as admins see it (never its key).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Open311ClientOut {
    pub id: i64,
    pub name: String,
    /// Requests of this client land in communities within this place.
    pub place_id: i64,
    pub created_at: DateTime<Utc>,
}

/// The answer to a create: the client and, this once, its API key.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CreatedOpen311Client {
    #[serde(flatten)]
    pub client: Open311ClientOut,
    /// Shown only here (stored as its SHA-256): hand it to the client's operator.
    pub api_key: String,
}

/// `POST /api/v1/open311-clients`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct NewOpen311Client {
    #[validate(
        custom(function = "crate::api::text::title"),
        length(min = 1, max = 100)
    )]
    #[schema(
        pattern = r"^[^\x00-\x1F\x7F-\x9F\u2028\u2029]*[^\s\x00-\x1F\x7F-\x9F\u2028\u2029\u200B-\u200D\u2060\uFEFF][^\x00-\x1F\x7F-\x9F\u2028\u2029]*$",
        min_length = 1,
        max_length = 100,
        example = "随手拍App"
    )]
    pub name: String,
    pub place_id: i64,
}
