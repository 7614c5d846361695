//! The type comes from the bytes; every file that is not an acceptable image (or a PDF on a
//! meeting) is refused naming the field `file`, and a refused upload leaves no row.

use super::world::{World, fetch, jpeg, pdf, png, png_claiming, upload, upload_as};
use crate::common::{Body, Method, TestResult};

#[actix_rt::test]
async fn a_png_named_jpg_is_stored_as_png() -> TestResult {
    let w = World::new().await;
    let r = upload(
        &w.app,
        &w.topic_path(),
        Some(&w.author),
        "x.jpg",
        "image/jpeg",
        &png(64, 48),
    )
    .await;
    assert_eq!(r.status.as_u16(), 201, "{:?}", r.body);
    assert_eq!(r.body["content_type"], "image/png");
    assert_eq!(
        (r.body["width"].as_i64(), r.body["height"].as_i64()),
        (Some(64), Some(48))
    );
    let (status, ct, bytes) = fetch(&w.app, r.body["url"].as_str().unwrap(), Some(&w.author)).await;
    assert_eq!((status, ct.as_str()), (200, "image/png"));
    assert!(bytes.starts_with(b"\x89PNG"));
    w.app.done().await
}

#[actix_rt::test]
async fn bad_files_are_refused_naming_file() -> TestResult {
    let w = World::new().await;
    let good = jpeg(200, 100);
    let truncated = good[..good.len() / 2].to_vec();
    #[rustfmt::skip]
    let cases: Vec<(&str, Vec<u8>, u16, &str)> = vec![
        ("a text file", b"just some words, not a photo".to_vec(), 422, "attachment.unsupported_type"),
        ("an SVG", b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>".to_vec(), 422, "attachment.unsupported_type"),
        ("a truncated JPEG", truncated, 422, "attachment.unreadable"),
        ("a PNG claiming 100000 x 100000", png_claiming(100_000, 100_000), 422, "attachment.too_many_pixels"),
        ("a PNG claiming 60000 x 60000", png_claiming(60_000, 60_000), 422, "attachment.too_many_pixels"),
        ("an empty file", Vec::new(), 422, "attachment.empty"),
        ("a PDF on a topic", pdf(), 422, "attachment.type_not_allowed"),
    ];
    for (what, bytes, status, code) in cases {
        let r = upload(
            &w.app,
            &w.topic_path(),
            Some(&w.author),
            "photo.jpg",
            "image/jpeg",
            &bytes,
        )
        .await;
        assert_eq!(r.status.as_u16(), status, "{what}: {:?}", r.body);
        assert_eq!(r.code(), code, "{what}");
        assert_eq!(r.body["field"], "file", "{what}");
        assert_eq!(r.content_type, "application/problem+json", "{what}");
    }
    let r = upload_as(
        &w.app,
        &w.topic_path(),
        Some(&w.author),
        "photo",
        "a.png",
        "image/png",
        &png(8, 8),
    )
    .await;
    assert_eq!(
        (r.status.as_u16(), r.code()),
        (422, "validation.required"),
        "{:?}",
        r.body
    );
    assert_eq!(r.body["field"], "file");
    // A part beside the file is refused, naming it.
    let mut body = Vec::new();
    super::world::multipart_part(&mut body, "note", "", "text/plain", b"hi");
    super::world::multipart_part(&mut body, "file", "a.png", "image/png", &png(8, 8));
    body.extend(format!("--{}--\r\n", super::world::BOUNDARY).into_bytes());
    let ct = format!("multipart/form-data; boundary={}", super::world::BOUNDARY);
    let r = w
        .app
        .send(
            Method::POST,
            &w.topic_path(),
            w.author.tok(),
            &[],
            Body::Raw(ct, body),
        )
        .await;
    assert_eq!(
        (r.status.as_u16(), r.code()),
        (400, "request.invalid_field"),
        "{:?}",
        r.body
    );
    assert_eq!(r.body["field"], "note");
    let r = w
        .app
        .post(
            &w.topic_path(),
            w.author.tok(),
            serde_json::json!({"file": "x"}),
        )
        .await;
    assert_eq!(
        (r.status.as_u16(), r.code()),
        (400, "attachment.not_multipart"),
        "{:?}",
        r.body
    );
    let (ct, mut body) = super::world::multipart("file", "a.png", "image/png", &png(8, 8));
    body.truncate(body.len() - 10);
    let r = w
        .app
        .send(
            Method::POST,
            &w.topic_path(),
            w.author.tok(),
            &[],
            Body::Raw(ct, body),
        )
        .await;
    assert_eq!(r.status.as_u16(), 400, "a cut multipart body: {:?}", r.body);
    assert_eq!(w.app.count("attachments"), 0);
    w.app.done().await
}

#[actix_rt::test]
async fn an_oversize_upload_is_refused() -> TestResult {
    let w = World::with(&[("attachments.max_bytes", "20000")]).await;
    let mut big = jpeg(64, 64);
    big.resize(30_000, 0);
    let r = upload(
        &w.app,
        &w.topic_path(),
        Some(&w.author),
        "big.jpg",
        "image/jpeg",
        &big,
    )
    .await;
    assert_eq!(
        (r.status.as_u16(), r.code()),
        (413, "request.body_too_large"),
        "{:?}",
        r.body
    );
    let r = upload(
        &w.app,
        &w.topic_path(),
        Some(&w.author),
        "ok.png",
        "image/png",
        &png(16, 16),
    )
    .await;
    assert_eq!(r.status.as_u16(), 201, "under the limit: {:?}", r.body);
    assert_eq!(w.app.count("attachments"), 1);
    w.app.done().await
}

#[actix_rt::test]
async fn a_pdf_goes_on_a_meeting() -> TestResult {
    let w = World::new().await;
    let m = w.meeting().await;
    let path = format!("/api/v1/consultations/{m}/attachments");
    let r = upload(
        &w.app,
        &path,
        Some(&w.cppcc),
        "签到表.pdf",
        "application/octet-stream",
        &pdf(),
    )
    .await;
    assert_eq!(r.status.as_u16(), 201, "{:?}", r.body);
    assert_eq!(r.body["kind"], "document");
    assert_eq!(r.body["content_type"], "application/pdf");
    assert!(r.body["thumbnail_url"].is_null() && r.body["width"].is_null());
    let id = r.body["id"].as_i64().unwrap();
    let (status, ct, bytes) =
        fetch(&w.app, &format!("/api/v1/attachments/{id}"), Some(&w.staff)).await;
    assert_eq!(
        (status, ct.as_str(), bytes),
        (200, "application/pdf", pdf())
    );
    let (status, _, _) = fetch(
        &w.app,
        &format!("/api/v1/attachments/{id}/thumbnail"),
        Some(&w.staff),
    )
    .await;
    assert_eq!(status, 404, "a document has no thumbnail");
    // Photos go on meetings too.
    let r = upload(
        &w.app,
        &path,
        Some(&w.staff),
        "现场.jpg",
        "image/jpeg",
        &jpeg(40, 30),
    )
    .await;
    assert_eq!(
        (r.status.as_u16(), &r.body["kind"]),
        (201, &serde_json::json!("photo"))
    );
    let list = w.app.get(&path, w.cppcc.tok()).await;
    assert_eq!(list.body["items"].as_array().map(Vec::len), Some(2));
    w.app.done().await
}
