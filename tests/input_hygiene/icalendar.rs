//! An injected `online_url` never becomes its own calendar line (finding 4).

use super::*;

/// Finding 4: the injected address is refused, and no calendar (the meeting's file, the
/// feed) has a line of its own from any field; a row stored before the rules stays inside
/// its property too.
#[actix_rt::test]
async fn online_url_cannot_inject_an_icalendar_property() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    let start = monday_at(10, 0) + Duration::days(14);
    let evil = "https://x.example/a\r\nORGANIZER:mailto:evil@x";
    let r = app
        .post(
            "/api/v1/consultations",
            Some(&w.cppcc),
            json!({"place_id": w.community, "title": "注入", "kind": "micro_consultation", "format": "online",
                   "online_url": evil, "starts_at": start, "ends_at": start + Duration::hours(1)}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    assert_eq!(r.code(), "validation.url");
    assert_eq!(r.body["field"], "online_url");

    // A row written before the rules (or by hand): the writer still keeps it on its line.
    let mid = w.meeting["id"].as_i64().unwrap();
    app.with_db(|c| {
        use diesel::prelude::*;
        use yishi::db::schema::consultations as k;
        diesel::update(k::table.filter(k::id.eq(mid)))
            .set((
                k::online_url.eq(evil),
                k::title.eq("会\r\nATTENDEE:mailto:evil@x"),
            ))
            .execute(c)
            .unwrap();
    });
    let feed = app
        .post("/api/v1/me/calendar-feed", Some(&w.cppcc), json!({}))
        .await;
    assert!(feed.status.is_success(), "{:?}", feed.body);
    let feed_path = feed.body["url"]
        .as_str()
        .unwrap()
        .split_once("/api/v1")
        .map(|(_, p)| format!("/api/v1{p}"))
        .unwrap();
    for path in [
        format!("/api/v1/consultations/{mid}/calendar.ics"),
        feed_path,
    ] {
        let ics = app.get(&path, Some(&w.cppcc)).await;
        assert_eq!(ics.status, StatusCode::OK, "{path}: {:?}", ics.body);
        let text = ics.body.as_str().unwrap().to_string();
        assert!(
            text.contains("URL:https://x.example/a%0D%0AORGANIZER"),
            "{text}"
        );
        for line in text.split("\r\n") {
            assert!(!line.contains(['\r', '\n']), "{path}: {line:?}");
            assert!(!line.starts_with("ORGANIZER"), "{path}: {text}");
            assert!(!line.starts_with("ATTENDEE"), "{path}: {text}");
        }
    }
    app.stop().await;
}
