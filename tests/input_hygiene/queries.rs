//! NUL and other controls in query strings and in the reported requests: a 4xx naming the parameter, never a 500.

use super::*;

/// Query strings with NUL (a 500 on PostgreSQL before, anonymously) or another control
/// character are a 4xx naming the parameter.
#[actix_rt::test]
async fn query_strings_with_nul_are_refused_not_500() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    let from = Utc::now().format("%Y-%m-%dT%H:%M:%SZ");
    let to = (Utc::now() + Duration::days(3)).format("%Y-%m-%dT%H:%M:%SZ");
    let cases: Vec<(String, Option<&str>, &str)> = vec![
        ("/api/v1/places?q=a%00b".into(), None, "q"),
        ("/api/v1/places?q=%00".into(), None, "q"),
        ("/api/v1/places?q=a%0Ab".into(), None, "q"),
        ("/api/v1/places?q=a%07b".into(), None, "q"),
        ("/api/v1/topics?q=a%00b".into(), Some(&w.staff), "q"),
        ("/api/v1/users?q=a%00b".into(), Some(&w.admin), "q"),
        ("/api/v1/places?cursor=a%00b".into(), None, "cursor"),
        ("/api/v1/topics?cursor=%00".into(), Some(&w.staff), "cursor"),
        ("/api/v1/me/calendar.ics?token=a%00b".into(), None, "token"),
        (
            format!("/api/v1/consultations/free-slots?users=1%00&from={from}&to={to}&minutes=60"),
            Some(&w.cppcc),
            "users",
        ),
        (
            format!("/api/v1/consultations?place_id={}&cursor=%00", w.community),
            Some(&w.cppcc),
            "cursor",
        ),
    ];
    for (path, token, field) in cases {
        let r = app.get(&path, token).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{path}: {:?}",
            r.body
        );
        assert_eq!(r.code(), "validation.control_chars", "{path}");
        assert_eq!(r.body["field"], field, "{path}");
    }
    // Ordinary Chinese text still searches.
    let ok = app.get("/api/v1/places?q=%E5%B9%B8%E7%A6%8F", None).await;
    assert_eq!(ok.status, StatusCode::OK, "{:?}", ok.body);
    app.stop().await;
}

/// Login, reset request, topic and comment create with a NUL: 422, never a 500.
#[actix_rt::test]
async fn the_reported_nul_requests_are_422() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    let topics = app.count("topics");
    let comments = app.count("comments");
    for (path, token, body, field) in [
        (
            "/api/v1/auth/login".to_string(),
            None,
            json!({"email": "r1@example.com\u{0}", "password": "x"}),
            "email",
        ),
        (
            "/api/v1/auth/password-reset/request".to_string(),
            None,
            json!({"email": "r1\u{0}@example.com"}),
            "email",
        ),
        (
            "/api/v1/topics".to_string(),
            Some(w.resident.as_str()),
            json!({"place_id": w.community, "title": "路灯\u{0}", "body": "黑", "category": "environment"}),
            "title",
        ),
        (
            format!("/api/v1/topics/{}/comments", w.topic["id"]),
            Some(w.resident.as_str()),
            json!({"body": "同意\u{0}"}),
            "body",
        ),
    ] {
        let r = app.post(&path, token, body).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{path}: {:?}",
            r.body
        );
        assert_eq!(r.body["field"], field, "{path}");
        assert_eq!(r.code(), "validation.control_chars", "{path}");
    }
    // A whitespace-only title was accepted before.
    let r = app
        .post(
            "/api/v1/topics",
            Some(&w.resident),
            json!({"place_id": w.community, "title": " \u{3000} ", "body": "黑", "category": "environment"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    assert_eq!(r.code(), "validation.blank");
    assert_eq!(r.body["field"], "title");
    assert_eq!(app.count("topics"), topics);
    assert_eq!(app.count("comments"), comments);
    app.stop().await;
}
