//! The same upload and read through the S3 store, against a local S3-compatible server named
//! by TEST_S3_ENDPOINT (CI starts moto there). Without it the test is skipped, except in CI
//! (`CI` set), where a missing server is a failure.

use super::world::{World, contains, fetch, jpeg_with_gps, upload};
use crate::common::TestResult;

#[actix_rt::test]
async fn uploads_and_reads_through_s3() -> TestResult {
    let Ok(endpoint) = std::env::var("TEST_S3_ENDPOINT") else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must set TEST_S3_ENDPOINT (a moto_server) for the S3 attachment test"
        );
        eprintln!("skipped: set TEST_S3_ENDPOINT to run the S3 attachment test");
        return Ok(());
    };
    let endpoint = endpoint.trim_end_matches('/').to_string();
    let bucket = format!(
        "yishi-test-{}-{}",
        std::process::id(),
        chrono::Utc::now().timestamp_subsec_nanos()
    );
    let client = awc::Client::default();
    let made = client
        .put(format!("{endpoint}/{bucket}"))
        .send()
        .await
        .map_err(|e| format!("create bucket at {endpoint}: {e}"))?;
    assert!(
        made.status().is_success(),
        "create bucket: {}",
        made.status()
    );

    let w = World::with(&[
        ("attachments.store", "s3"),
        ("attachments.s3_endpoint", &endpoint),
        ("attachments.s3_bucket", &bucket),
        ("attachments.s3_region", "us-east-1"),
        ("attachments.s3_access_key_id", "test"),
        ("attachments.s3_secret_access_key", "test"),
        ("attachments.s3_allow_http", "true"),
    ])
    .await;
    let r = upload(
        &w.app,
        &w.topic_path(),
        Some(&w.author),
        "p.jpg",
        "image/jpeg",
        &jpeg_with_gps(320, 200),
    )
    .await;
    assert_eq!(r.status.as_u16(), 201, "{:?}", r.body);
    let (status, ct, bytes) = fetch(&w.app, r.body["url"].as_str().unwrap(), Some(&w.author)).await;
    assert_eq!((status, ct.as_str()), (200, "image/jpeg"));
    assert_eq!(bytes.len() as i64, r.body["bytes"].as_i64().unwrap());
    assert!(!contains(&bytes, b"Exif\0\0"));
    let (status, _, thumb) = fetch(
        &w.app,
        r.body["thumbnail_url"].as_str().unwrap(),
        Some(&w.author),
    )
    .await;
    assert_eq!(status, 200);
    assert!(!thumb.is_empty());
    // Both objects are in the bucket, not on this node's disk.
    let mut listing = client
        .get(format!("{endpoint}/{bucket}?list-type=2"))
        .send()
        .await
        .map_err(|e| format!("list bucket: {e}"))?;
    let xml = String::from_utf8_lossy(&listing.body().await?).into_owned();
    assert_eq!(xml.matches("<Key>").count(), 2, "{xml}");
    assert!(xml.contains("-thumb.jpg"), "{xml}");
    w.app.done().await
}
