//! Reading a multipart/form-data body: the one file field and any short text fields, within
//! the attachment limits. The JSON handlers use it for `file`; a page handler whose form has
//! a photo beside text fields (a new topic with 照片) reads its body with [`read_form`] too
//! and passes [`Form::file`] to `attachments::actions::upload`.

use std::collections::HashMap;

use actix_multipart::{Multipart, MultipartError};
use futures_util::StreamExt;

use super::model::Upload;
use crate::error::{ApiError, ApiResult};

/// Room for the envelope and the text fields beside the file.
pub const ENVELOPE_BYTES: usize = 64 * 1024;
/// The longest text field kept.
const MAX_TEXT: usize = 16 * 1024;

/// A read form: the file sent under the file field's name (if any) and the text fields.
#[derive(Debug, Default)]
pub struct Form {
    pub file: Option<Upload>,
    pub fields: HashMap<String, String>,
}

impl Form {
    /// The file, or 422 `validation.required` naming `field`.
    pub fn require_file(self, field: &str) -> ApiResult<Upload> {
        self.file.ok_or_else(|| {
            ApiError::invalid(field, "validation.required", "send the file in this field")
        })
    }
}

/// Reads `body`: the first field named `file_field` (at most `max_file` bytes, else 413)
/// and text fields (16 KiB each); the whole body may be `max_file` plus
/// [`ENVELOPE_BYTES`]. Not multipart: 400 `attachment.not_multipart`; broken: 400.
pub async fn read_form(mut body: Multipart, file_field: &str, max_file: usize) -> ApiResult<Form> {
    let mut form = Form::default();
    let mut total = 0usize;
    let budget = max_file.saturating_add(ENVELOPE_BYTES);
    while let Some(field) = body.next().await {
        let mut field = field.map_err(|e| multipart_error(e, file_field))?;
        let name = field.name().unwrap_or_default().to_string();
        let is_file = name == file_field && form.file.is_none();
        let filename = field
            .content_disposition()
            .and_then(|d| d.get_filename())
            .map(str::to_string);
        let limit = if is_file { max_file } else { MAX_TEXT };
        let mut buf = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(|e| multipart_error(e, file_field))?;
            total = total.saturating_add(chunk.len());
            if total > budget || buf.len() + chunk.len() > limit {
                return Err(ApiError::PayloadTooLarge);
            }
            buf.extend_from_slice(&chunk);
        }
        if is_file {
            form.file = Some(Upload {
                bytes: buf,
                filename,
            });
        } else if let Ok(text) = String::from_utf8(buf) {
            form.fields.entry(name).or_insert(text);
        }
    }
    Ok(form)
}

fn multipart_error(e: MultipartError, file_field: &str) -> ApiError {
    let not_multipart = matches!(
        e,
        MultipartError::ContentTypeMissing
            | MultipartError::ContentTypeParse
            | MultipartError::ContentTypeIncompatible
            | MultipartError::BoundaryMissing
    );
    if let MultipartError::Payload(actix_web::error::PayloadError::Overflow) = e {
        return ApiError::PayloadTooLarge;
    }
    ApiError::BadRequest {
        code: if not_multipart {
            "attachment.not_multipart"
        } else {
            "request.malformed_multipart"
        },
        field: Some(file_field.to_string()),
        detail: e.to_string(),
    }
}
