//! Wire types of the attachment endpoints, and the typed inputs of the upload action.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::rules::{Kind, OwnerKind};

/// An attachment as callers see it; `url` and `thumbnail_url` are API paths that serve the
/// bytes with the permission of the owner.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AttachmentOut {
    pub id: i64,
    pub kind: Kind,
    pub owner_kind: OwnerKind,
    pub owner_id: i64,
    /// The stored type, sniffed from the bytes (a PNG named x.jpg is image/png).
    pub content_type: String,
    /// Size of the stored file (after re-encoding, for photos).
    pub bytes: i64,
    /// Pixels, for photos (upright: after the EXIF orientation was applied).
    pub width: Option<i32>,
    pub height: Option<i32>,
    pub url: String,
    /// A small JPEG for lists; null for documents.
    pub thumbnail_url: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// The multipart form of an upload (for the OpenAPI document; the handler streams the body).
/// It has no other fields: any other part is refused (400 `request.invalid_field`).
#[derive(Debug, serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UploadForm {
    /// The file: JPEG, PNG or WebP (and PDF on meetings), recognised by its bytes.
    #[schema(value_type = String, format = Binary, content_media_type = "application/octet-stream")]
    pub file: Vec<u8>,
}

/// What an attachment belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Owner {
    pub kind: OwnerKind,
    pub id: i64,
}

impl Owner {
    pub fn topic(id: i64) -> Owner {
        Owner {
            kind: OwnerKind::Topic,
            id,
        }
    }

    pub fn task(id: i64) -> Owner {
        Owner {
            kind: OwnerKind::Task,
            id,
        }
    }

    pub fn consultation(id: i64) -> Owner {
        Owner {
            kind: OwnerKind::Consultation,
            id,
        }
    }
}

/// One uploaded file as a form delivered it. The name is not trusted (the type comes from the
/// bytes) and not stored (it may name a person or a home).
#[derive(Debug, Clone, Default)]
pub struct Upload {
    pub bytes: Vec<u8>,
    pub filename: Option<String>,
}
