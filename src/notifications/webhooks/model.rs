//! The JSON of webhooks (SPEC "Notifications": `{id, url, event_kinds, place_id, secret (shown
//! once), disabled}`) and of their delivery log.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::notifications::kinds::NotificationKind;

crate::wire_enum! {
    /// Where one delivery stands: waiting (or leased, or backing off), delivered, or given up.
    pub enum DeliveryStatus {
        Pending = "pending",
        Delivered = "delivered",
        Failed = "failed",
    }
}

/// An endpoint as admins read it (never with its secret).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct WebhookOut {
    pub id: i64,
    pub url: String,
    /// The kinds delivered; each event of these kinds at a place within `place_id`.
    pub event_kinds: Vec<NotificationKind>,
    pub place_id: i64,
    pub disabled: bool,
    /// Why it was disabled by the service (the receiver answered 410), if it was.
    pub disabled_reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The answer to a create: the endpoint and, this once, its signing secret.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CreatedWebhook {
    #[serde(flatten)]
    pub webhook: WebhookOut,
    /// `whsec_` and base64 of 32 random bytes. Shown only here: keep it.
    pub secret: String,
}

/// `POST /webhooks`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct NewWebhook {
    /// http or https; on a public address unless `webhooks.allow_private_targets`. IP
    /// literals are allowed (the address rule, not the name, decides).
    #[validate(custom(function = "crate::api::text::line"))]
    #[schema(pattern = r"^[^\x00-\x1F\x7F-\x9F\u2028\u2029]*$", max_length = 2000)]
    pub url: String,
    /// At least one kind.
    #[schema(min_items = 1)]
    pub event_kinds: Vec<NotificationKind>,
    /// The place whose events (and those of the places beneath it) are delivered.
    pub place_id: i64,
}

/// `PATCH /webhooks/{id}`: the fields given change. Re-enabling clears the disabled reason.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct WebhookPatch {
    #[validate(custom(function = "crate::api::text::line"))]
    #[schema(pattern = r"^[^\x00-\x1F\x7F-\x9F\u2028\u2029]*$", max_length = 2000)]
    pub url: Option<String>,
    #[schema(min_items = 1)]
    pub event_kinds: Option<Vec<NotificationKind>>,
    pub disabled: Option<bool>,
}

/// `GET /webhooks` filters.
#[derive(Debug, Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WebhookParams {
    /// Only endpoints of this place.
    pub place_id: Option<i64>,
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// One attempt of a delivery.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AttemptOut {
    pub attempted_at: DateTime<Utc>,
    /// The receiver's HTTP status; null when it never answered.
    pub status_code: Option<i32>,
    /// What went wrong, when something did (timeout, refused, a non-2xx status).
    pub error: Option<String>,
    pub duration_ms: i32,
}

/// One delivery of one event to the endpoint, with its attempts (oldest first).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DeliveryOut {
    pub id: i64,
    pub event_id: i64,
    pub kind: NotificationKind,
    /// The `webhook-id` header, the same on every attempt.
    pub message_id: String,
    pub status: DeliveryStatus,
    pub attempts: i32,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub last_status_code: Option<i32>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub attempt_log: Vec<AttemptOut>,
}
