//! Uploads and reads follow the owner: the author in say and staff for topic photos, the
//! organisation for its task's evidence, the convener and staff for meeting documents; reads
//! as the owner reads, with public topics' photos public and meetings' documents never.

use super::world::{World, fetch, jpeg, pdf, png, upload};
use crate::common::TestResult;

#[actix_rt::test]
async fn topic_photos_by_the_author_in_say_and_by_staff() -> TestResult {
    let w = World::new().await;
    let p = w.topic_path();
    let photo = png(32, 32);
    for (who, status) in [
        (&w.stranger, 403),
        (&w.neighbour, 403),
        (&w.firm, 403),
        (&w.author, 201),
        (&w.staff, 201),
    ] {
        let r = upload(&w.app, &p, Some(who), "p.png", "image/png", &photo).await;
        assert_eq!(r.status.as_u16(), status, "user {}: {:?}", who.id, r.body);
    }
    let r = upload(&w.app, &p, None, "p.png", "image/png", &photo).await;
    assert_eq!(r.status.as_u16(), 401);
    let r = upload(
        &w.app,
        "/api/v1/topics/999999/attachments",
        Some(&w.staff),
        "p.png",
        "image/png",
        &photo,
    )
    .await;
    assert_eq!(r.status.as_u16(), 404);
    // Past say the author may no longer add photos; staff still may.
    w.act(w.topic, "accept", serde_json::json!({})).await;
    let r = upload(&w.app, &p, Some(&w.author), "p.png", "image/png", &photo).await;
    assert_eq!(
        (r.status.as_u16(), r.code()),
        (409, "attachment.topic_not_in_say")
    );
    let r = upload(&w.app, &p, Some(&w.sub), "p.png", "image/png", &photo).await;
    assert_eq!(r.status.as_u16(), 201);
    assert_eq!(w.app.count("attachments"), 3);
    w.app.done().await
}

#[actix_rt::test]
async fn public_topics_photos_are_public() -> TestResult {
    let w = World::new().await;
    let r = upload(
        &w.app,
        &w.topic_path(),
        Some(&w.author),
        "p.jpg",
        "image/jpeg",
        &jpeg(50, 40),
    )
    .await;
    let url = r.body["url"].as_str().unwrap().to_string();
    let thumb = r.body["thumbnail_url"].as_str().unwrap().to_string();
    // In say the topic is not in the public catalog: anonymous callers are asked to sign in.
    assert_eq!(fetch(&w.app, &url, None).await.0, 401);
    assert_eq!(w.app.get(&w.topic_path(), None).await.status.as_u16(), 401);
    assert_eq!(
        fetch(&w.app, &url, Some(&w.stranger)).await.0,
        200,
        "any account reads topics"
    );
    w.act(w.topic, "accept", serde_json::json!({})).await;
    let (status, ct, _) = fetch(&w.app, &url, None).await;
    assert_eq!((status, ct.as_str()), (200, "image/jpeg"));
    assert_eq!(fetch(&w.app, &thumb, None).await.0, 200);
    let list = w.app.get(&w.topic_path(), None).await;
    assert_eq!(list.status.as_u16(), 200);
    assert_eq!(list.body["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(
        fetch(&w.app, "/api/v1/attachments/999999", None).await.0,
        404
    );
    w.app.done().await
}

#[actix_rt::test]
async fn task_evidence_by_its_organisation() -> TestResult {
    let w = World::new().await;
    let task = w.task_in_act().await;
    let p = format!("/api/v1/tasks/{task}/attachments");
    let photo = jpeg(120, 90);
    // Another organisation does not learn of the task (404), residents may not (403).
    for (who, status) in [
        (&w.dept, 404),
        (&w.author, 403),
        (&w.stranger, 403),
        (&w.firm, 201),
        (&w.staff, 201),
    ] {
        let r = upload(&w.app, &p, Some(who), "done.jpg", "image/jpeg", &photo).await;
        assert_eq!(r.status.as_u16(), status, "user {}: {:?}", who.id, r.body);
    }
    let r = upload(
        &w.app,
        &p,
        Some(&w.firm),
        "report.pdf",
        "application/pdf",
        &pdf(),
    )
    .await;
    assert_eq!(
        (r.status.as_u16(), r.code()),
        (422, "attachment.type_not_allowed")
    );
    let list = w.app.get(&p, w.firm.tok()).await;
    assert_eq!(list.body["items"].as_array().map(Vec::len), Some(2));
    let url = list.body["items"][0]["url"].as_str().unwrap().to_string();
    assert_eq!(
        fetch(&w.app, &url, Some(&w.dept)).await.0,
        404,
        "another organisation's task"
    );
    assert_eq!(fetch(&w.app, &url, Some(&w.author)).await.0, 200);
    // Progress of a catalog topic is public (as on the public topic page).
    assert_eq!(fetch(&w.app, &url, None).await.0, 200);
    w.app.done().await
}

#[actix_rt::test]
async fn meeting_documents_for_participants_and_staff_only() -> TestResult {
    let w = World::new().await;
    let m = w.meeting().await;
    let p = format!("/api/v1/consultations/{m}/attachments");
    for (who, status) in [
        (&w.author, 403),
        (&w.firm, 403),
        (&w.cppcc, 201),
        (&w.staff, 201),
    ] {
        let r = upload(
            &w.app,
            &p,
            Some(who),
            "sheet.pdf",
            "application/pdf",
            &pdf(),
        )
        .await;
        assert_eq!(r.status.as_u16(), status, "user {}: {:?}", who.id, r.body);
    }
    let list = w.app.get(&p, w.staff.tok()).await;
    let url = list.body["items"][0]["url"].as_str().unwrap().to_string();
    // A sign-in sheet carries names: never anonymous, not for residents who were not invited.
    assert_eq!(fetch(&w.app, &url, None).await.0, 401);
    assert_eq!(fetch(&w.app, &url, Some(&w.author)).await.0, 403);
    assert_eq!(w.app.get(&p, w.author.tok()).await.status.as_u16(), 403);
    let inv = w
        .app
        .post(
            &format!("/api/v1/consultations/{m}/invitations"),
            w.cppcc.tok(),
            serde_json::json!({"user_id": w.author.id, "category": "resident_rep"}),
        )
        .await;
    assert_eq!(inv.status.as_u16(), 201, "{:?}", inv.body);
    assert_eq!(
        fetch(&w.app, &url, Some(&w.author)).await.0,
        200,
        "an invitee reads them"
    );
    assert_eq!(fetch(&w.app, &url, Some(&w.sub)).await.0, 200);
    w.app.done().await
}
