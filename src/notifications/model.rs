//! The JSON of notifications, follows and mail preferences (SPEC "Notifications" wire names).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use super::kinds::{EmailMode, FollowChoice, FollowLevel, Language, NotificationKind};

/// One item of the in-app inbox.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct NotificationOut {
    pub id: i64,
    pub kind: NotificationKind,
    pub topic_id: Option<i64>,
    pub consultation_id: Option<i64>,
    pub title: String,
    pub body: String,
    /// The page to open.
    pub url: String,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
    /// In the unread list, how many unread items of the same topic this one stands for
    /// (itself included); marking it read marks them all. 1 everywhere else.
    pub unread_in_topic: i64,
}

/// `GET /notifications` filters.
#[derive(Debug, Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InboxParams {
    /// Only unread items, one per topic (the newest).
    pub unread: Option<bool>,
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// `{count}` of unread items, counted as the unread list shows them (one per topic).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct UnreadCount {
    pub count: i64,
}

/// How many items a mark-read changed.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Marked {
    pub marked: i64,
}

/// `PUT /topics/{id}/follow`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct FollowRequest {
    /// watching: every change and comment; normal: changes of step; muted: nothing unless
    /// you must act.
    pub level: FollowChoice,
}

/// A followed topic.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct FollowOut {
    pub topic_id: i64,
    pub title: String,
    pub level: FollowLevel,
    pub updated_at: DateTime<Utc>,
}

/// Mail preferences: a general mode, the digest's local hour, and a mode per kind that
/// overrides the general one. Notifications are always recorded in the inbox.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct NotificationSettings {
    pub email: EmailMode,
    /// 0..=23, in the installation's time zone.
    #[schema(minimum = 0, maximum = 23)]
    pub digest_hour: i32,
    /// The language of mails and notification texts.
    pub language: Language,
    /// Per-kind overrides; kinds not named follow `email`.
    #[schema(schema_with = kind_modes)]
    pub kinds: BTreeMap<NotificationKind, EmailMode>,
}

/// `PUT /me/notification-settings`: any subset of the fields; the rest stay as they are.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct SettingsPatch {
    pub email: Option<EmailMode>,
    #[schema(minimum = 0, maximum = 23)]
    pub digest_hour: Option<i64>,
    pub language: Option<Language>,
    /// Replaces the per-kind overrides named here; a kind set to null follows `email` again.
    #[schema(schema_with = kind_modes_patch)]
    pub kinds: Option<BTreeMap<NotificationKind, Option<EmailMode>>>,
}

/// `{KIND: mode}`: the names are notification kinds, the values mail modes (null in a PUT:
/// back to the general mode). Spelled out so that clients and fuzzers know both.
fn kind_modes_schema(nullable: bool) -> utoipa::openapi::schema::Object {
    use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
    let ty = |t: Type| {
        if nullable {
            SchemaType::from_iter([t, Type::Null])
        } else {
            SchemaType::new(t)
        }
    };
    let mut modes: Vec<serde_json::Value> =
        EmailMode::ALL.iter().map(|m| m.as_str().into()).collect();
    if nullable {
        modes.push(serde_json::Value::Null);
    }
    let names = ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(NotificationKind::ALL.iter().map(|k| k.as_str())));
    ObjectBuilder::new()
        .schema_type(ty(Type::Object))
        .property_names(Some(names))
        .additional_properties(Some(
            ObjectBuilder::new()
                .schema_type(ty(Type::String))
                .enum_values(Some(modes)),
        ))
        .build()
}

fn kind_modes() -> utoipa::openapi::schema::Object {
    kind_modes_schema(false)
}

fn kind_modes_patch() -> utoipa::openapi::schema::Object {
    kind_modes_schema(true)
}
