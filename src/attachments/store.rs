//! The one storage interface for attachment files: an `object_store` trait object in the app
//! state, a local folder by default, an S3-compatible bucket when several nodes must see the
//! same files. Objects are written under random keys before their row exists, so a reader can
//! never find a row whose file is half-written.

use std::sync::Arc;

use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};
use secrecy::ExposeSecret;

use crate::config::{AttachmentSettings, StoreKind};
use crate::error::{ApiError, ApiResult};

/// The store every node uses for attachment files.
pub type Files = Arc<dyn ObjectStore>;

/// Builds the configured store; the local folder is created if missing.
pub fn build(s: &AttachmentSettings) -> Result<Files, String> {
    match s.store {
        StoreKind::Local => {
            std::fs::create_dir_all(&s.local_dir)
                .map_err(|e| format!("attachments.local_dir {}: {e}", s.local_dir))?;
            let fs = LocalFileSystem::new_with_prefix(&s.local_dir)
                .map_err(|e| format!("attachments.local_dir {}: {e}", s.local_dir))?;
            Ok(Arc::new(fs))
        }
        StoreKind::S3 => {
            let mut b = AmazonS3Builder::new()
                .with_bucket_name(&s.s3_bucket)
                .with_region(&s.s3_region)
                .with_allow_http(s.s3_allow_http);
            if !s.s3_endpoint.is_empty() {
                b = b.with_endpoint(&s.s3_endpoint);
            }
            if !s.s3_access_key_id.is_empty() {
                b = b
                    .with_access_key_id(&s.s3_access_key_id)
                    .with_secret_access_key(s.s3_secret_access_key.expose_secret());
            }
            let s3 = b.build().map_err(|e| format!("attachments (s3): {e}"))?;
            Ok(Arc::new(s3))
        }
    }
}

/// A fresh object key: `<year>/<32 random hex digits>`; the thumbnail adds `-thumb`.
pub fn new_key(extension: &str) -> ApiResult<(String, String)> {
    let mut buf = [0u8; 16];
    getrandom::fill(&mut buf).map_err(|e| ApiError::internal(format!("getrandom: {e}")))?;
    let year = chrono::Utc::now().format("%Y");
    let stem = format!("{year}/{}", hex::encode(buf));
    Ok((format!("{stem}.{extension}"), format!("{stem}-thumb.jpg")))
}

/// Writes one object.
pub async fn put(files: &Files, key: &str, bytes: Vec<u8>) -> ApiResult<()> {
    files
        .put(&Path::from(key), PutPayload::from(bytes))
        .await
        .map(|_| ())
        .map_err(|e| ApiError::Unavailable(format!("attachment store: put {key}: {e}")))
}

/// Reads one object whole (attachments are at most `max_bytes`).
pub async fn get(files: &Files, key: &str) -> ApiResult<bytes::Bytes> {
    let result = files.get(&Path::from(key)).await.map_err(|e| match e {
        object_store::Error::NotFound { .. } => {
            ApiError::internal(format!("attachment store: {key} is missing"))
        }
        e => ApiError::Unavailable(format!("attachment store: get {key}: {e}")),
    })?;
    result
        .bytes()
        .await
        .map_err(|e| ApiError::Unavailable(format!("attachment store: read {key}: {e}")))
}

/// Deletes objects, best effort: a failure is logged (an orphan file, never a visible row).
pub async fn delete_quietly(files: &Files, keys: &[&str]) {
    for key in keys {
        if let Err(e) = files.delete(&Path::from(*key)).await {
            tracing::warn!(%key, error = %e, "could not delete an orphaned attachment object");
        }
    }
}
