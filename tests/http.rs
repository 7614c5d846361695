#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Conventions every endpoint shares: the OpenAPI document, Swagger UI, health, readiness,
//! metrics, request ids, and problem+json in the caller's language.

mod common;

use awc::http::StatusCode;
use common::{TestApp, TestResult};

#[actix_rt::test]
async fn openapi_documents_every_endpoint_and_docs_are_served() -> TestResult {
    let app = TestApp::spawn().await;
    let doc = app.get("/api/openapi.json", None).await;
    assert_eq!(doc.status, StatusCode::OK);
    assert_eq!(doc.body["openapi"], "3.1.0");
    // Every schema reference resolves (a parameter's enum must be a component or inline).
    let text = doc.body.to_string();
    let schemas = doc.body["components"]["schemas"].as_object().unwrap();
    for name in regex::Regex::new(r##""\$ref":"#/components/schemas/([^"]+)""##)?
        .captures_iter(&text)
        .map(|c| c[1].to_string())
    {
        assert!(schemas.contains_key(&name), "unresolved $ref {name}");
    }
    let paths = doc.body["paths"].as_object().unwrap();
    #[rustfmt::skip]
    let expected = [
        ("post", "/api/v1/auth/register"),
        ("post", "/api/v1/auth/verify-email"),
        ("post", "/api/v1/auth/login"),
        ("post", "/api/v1/auth/refresh"),
        ("post", "/api/v1/auth/logout"),
        ("post", "/api/v1/auth/password-reset/request"),
        ("post", "/api/v1/auth/password-reset/confirm"),
        ("post", "/api/v1/auth/unlock"),
        ("get", "/api/v1/me"),
        ("patch", "/api/v1/me"),
        ("get", "/api/v1/places"),
        ("post", "/api/v1/places"),
        ("get", "/api/v1/places/{id}"),
        ("patch", "/api/v1/places/{id}"),
        ("get", "/api/v1/organizations"),
        ("post", "/api/v1/organizations"),
        ("get", "/api/v1/organizations/{id}"),
        ("patch", "/api/v1/organizations/{id}"),
        ("get", "/api/v1/users"),
        ("get", "/api/v1/users/{id}"),
        ("patch", "/api/v1/users/{id}"),
        ("post", "/api/v1/users/{id}/roles"),
        ("delete", "/api/v1/users/{id}/roles/{grant_id}"),
        ("post", "/api/v1/topics"),
        ("get", "/api/v1/topics"),
        ("get", "/api/v1/topics/{id}"),
        ("post", "/api/v1/topics/{id}/transitions"),
        ("post", "/api/v1/topics/{id}/supports"),
        ("delete", "/api/v1/topics/{id}/supports"),
        ("get", "/api/v1/topics/{id}/comments"),
        ("post", "/api/v1/topics/{id}/comments"),
        ("post", "/api/v1/comments/{id}/hide"),
        ("get", "/api/v1/topics/{id}/timeline"),
        ("get", "/api/v1/topics/{id}/plan"),
        ("put", "/api/v1/topics/{id}/plan"),
        ("get", "/api/v1/topics/{id}/tasks"),
        ("post", "/api/v1/topics/{id}/tasks"),
        ("patch", "/api/v1/tasks/{id}"),
        ("get", "/api/v1/tasks"),
        ("get", "/api/v1/topics/{id}/objections"),
        ("post", "/api/v1/topics/{id}/objections"),
        ("post", "/api/v1/objections/{id}/answer"),
        ("get", "/api/v1/topics/{id}/evaluations"),
        ("post", "/api/v1/topics/{id}/evaluations"),
        ("get", "/api/v1/public/places/{id}/catalog"),
        ("get", "/api/v1/public/topics/{id}"),
        ("get", "/api/v1/stats"),
        ("get", "/api/v1/open-data/topics.json"),
        ("get", "/api/v1/open-data/topics.csv"),
        ("get", "/api/v1/open-data/consultations.json"),
        ("get", "/api/v1/open-data/consultations.csv"),
        ("get", "/api/v1/consultations/free-slots"),
        ("post", "/api/v1/consultations"),
        ("get", "/api/v1/consultations"),
        ("get", "/api/v1/consultations/{id}"),
        ("patch", "/api/v1/consultations/{id}"),
        ("post", "/api/v1/consultations/{id}/transitions"),
        ("get", "/api/v1/consultations/{id}/agenda-items"),
        ("post", "/api/v1/consultations/{id}/agenda-items"),
        ("post", "/api/v1/consultations/{id}/agenda-items/reorder"),
        ("get", "/api/v1/consultations/{id}/invitations"),
        ("post", "/api/v1/consultations/{id}/invitations"),
        ("post", "/api/v1/consultations/{id}/rsvp"),
        ("post", "/api/v1/consultations/{id}/attendance"),
        ("get", "/api/v1/consultations/{id}/outcomes"),
        ("post", "/api/v1/consultations/{id}/outcomes"),
        ("get", "/api/v1/consultations/{id}/minutes"),
        ("post", "/api/v1/consultations/{id}/minutes/confirm"),
        ("post", "/api/v1/consultations/{id}/minutes/dissent"),
        ("get", "/api/v1/consultations/{id}/calendar.ics"),
        ("post", "/api/v1/me/calendar-feed"),
        ("delete", "/api/v1/me/calendar-feed"),
        ("get", "/api/v1/me/calendar.ics"),
        ("get", "/api/v1/proposals/{id}"),
        ("post", "/api/v1/proposals/{id}/transitions"),
        ("post", "/api/v1/topics/{id}/attachments"),
        ("get", "/api/v1/topics/{id}/attachments"),
        ("post", "/api/v1/tasks/{id}/attachments"),
        ("get", "/api/v1/tasks/{id}/attachments"),
        ("post", "/api/v1/consultations/{id}/attachments"),
        ("get", "/api/v1/consultations/{id}/attachments"),
        ("get", "/api/v1/attachments/{id}"),
        ("get", "/api/v1/attachments/{id}/thumbnail"),
        ("get", "/api/v1/notifications"),
        ("get", "/api/v1/notifications/stream"),
        ("get", "/api/v1/notifications/unread-count"),
        ("post", "/api/v1/notifications/{id}/read"),
        ("post", "/api/v1/notifications/read-all"),
        ("put", "/api/v1/topics/{id}/follow"),
        ("delete", "/api/v1/topics/{id}/follow"),
        ("get", "/api/v1/me/follows"),
        ("get", "/api/v1/me/notification-settings"),
        ("put", "/api/v1/me/notification-settings"),
        ("post", "/api/v1/webhooks"),
        ("get", "/api/v1/webhooks"),
        ("get", "/api/v1/webhooks/{id}"),
        ("patch", "/api/v1/webhooks/{id}"),
        ("delete", "/api/v1/webhooks/{id}"),
        ("get", "/api/v1/webhooks/{id}/deliveries"),
        ("post", "/api/v1/open311-clients"),
        ("get", "/api/v1/open311-clients"),
        ("delete", "/api/v1/open311-clients/{id}"),
        ("get", "/open311/v2/discovery.json"),
        ("get", "/open311/v2/services.json"),
        ("get", "/open311/v2/services/{service_code}.json"),
        ("get", "/open311/v2/requests.json"),
        ("post", "/open311/v2/requests.json"),
        ("get", "/open311/v2/requests/{id}.json"),
        ("get", "/open311/v2/tokens/{token}.json"),
        ("get", "/healthz"),
        ("get", "/readyz"),
        ("get", "/metrics"),
    ];
    for (method, path) in expected {
        assert!(
            paths.get(path).and_then(|p| p.get(method)).is_some(),
            "{method} {path} missing from OpenAPI"
        );
    }
    let operations: usize = paths.values().map(|p| p.as_object().unwrap().len()).sum();
    assert_eq!(
        operations,
        expected.len(),
        "every documented operation is listed here"
    );
    assert!(doc.body["components"]["securitySchemes"]["bearer"].is_object());
    // Types with the same Rust name in two areas keep distinct schemas.
    let schemas = &doc.body["components"]["schemas"];
    let has = |schema: &str, value: &str| {
        schemas[schema]["enum"]
            .as_array()
            .is_some_and(|v| v.iter().any(|x| x == value))
    };
    assert!(has("TopicCategory", "facilities"));
    assert!(has("ParticipantCategory", "resident_rep"));
    assert!(has("TopicAction", "publish_plan"));
    assert!(has("ConsultationAction", "conclude"));

    let ui = app.get("/docs/", None).await;
    assert_eq!(ui.status, StatusCode::OK);
    assert!(ui.content_type.starts_with("text/html"));
    let bare = app.get("/docs", None).await;
    assert_eq!(
        (bare.status, bare.content_type.starts_with("text/html")),
        (StatusCode::OK, true),
        "/docs leads to the UI at /docs/"
    );
    let ui_js = app.get("/docs/swagger-ui.css", None).await;
    assert_eq!(
        ui_js.status,
        StatusCode::OK,
        "Swagger UI assets are vendored, no internet needed"
    );
    app.stop().await;
    Ok(())
}

#[actix_rt::test]
async fn health_readiness_metrics_and_request_ids() -> TestResult {
    let app = TestApp::spawn().await;
    let h = app.get("/healthz", None).await;
    assert_eq!(
        (h.status, h.body["status"].as_str()),
        (StatusCode::OK, Some("ok"))
    );
    let r = app.get("/readyz", None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.headers.get("x-request-id").is_some());
    app.get("/api/v1/places", None).await;
    let m = app.get("/metrics", None).await;
    assert_eq!(m.status, StatusCode::OK);
    let text = m.body.as_str().unwrap();
    assert!(
        text.contains(
            r#"yishi_http_requests_total{method="GET",route="/api/v1/places",status="200"} 1"#
        ),
        "{text}"
    );
    assert!(text.contains("yishi_http_request_duration_seconds_bucket"));
    app.stop().await;
    Ok(())
}

#[actix_rt::test]
async fn problems_are_localised_and_well_formed() -> TestResult {
    let app = TestApp::spawn().await;
    let zh = app.get("/api/v1/nowhere", None).await;
    assert_eq!(zh.status, StatusCode::NOT_FOUND);
    assert_eq!(zh.content_type, "application/problem+json");
    assert_eq!(zh.code(), "route.not_found");
    assert_eq!(zh.body["status"], 404);
    assert_eq!(zh.body["title"], "接口不存在");
    assert!(
        zh.body["type"]
            .as_str()
            .unwrap()
            .ends_with("/route/not_found")
    );
    let en = app
        .get_with("/api/v1/nowhere", &[("Accept-Language", "en-GB,en;q=0.9")])
        .await;
    assert_eq!(en.body["title"], "No such endpoint");
    assert_eq!(en.code(), zh.code());
    let me = app
        .get_with("/api/v1/me", &[("Accept-Language", "en")])
        .await;
    assert_eq!(me.status, StatusCode::UNAUTHORIZED);
    assert_eq!(me.body["title"], "Authentication required");
    assert_eq!(me.headers.get("www-authenticate").unwrap(), "Bearer");
    let bad_id = app.get("/api/v1/places/not-a-number", None).await;
    assert_eq!(bad_id.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad_id.code(), "request.invalid_path");
    let bad_query = app.get("/api/v1/places?kind=village", None).await;
    assert_eq!(bad_query.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad_query.body["field"], "kind");
    app.stop().await;
    Ok(())
}

/// What schemathesis found outside the document: a known path asked with another method is
/// 405 with `Allow`; a body must be a JSON object (an array is not read as a struct); a whole
/// float is the integer it spells.
#[actix_rt::test]
async fn methods_and_body_shapes_answer_as_http_and_json_schema_say() -> TestResult {
    use common::{Body, Method};
    let app = TestApp::builder().demo().build().await;
    let cases: &[(Method, &str, &str)] = &[
        (Method::TRACE, "/healthz", "GET"),
        (Method::DELETE, "/api/v1/topics", "GET, POST"),
        (Method::PUT, "/api/v1/topics/1", "GET"),
    ];
    for (method, path, allow) in cases {
        let r = app.send(method.clone(), path, None, &[], Body::Empty).await;
        assert_eq!(
            (
                r.status,
                r.code(),
                r.headers.get("allow").and_then(|v| v.to_str().ok())
            ),
            (
                StatusCode::METHOD_NOT_ALLOWED,
                "request.method_not_allowed",
                Some(*allow)
            ),
            "{method} {path}"
        );
    }
    let unknown = app
        .send(Method::TRACE, "/api/v1/nowhere", None, &[], Body::Empty)
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);

    let place = app.demo_city().await.community;
    let admin = app.user_with(yishi::auth::Role::Admin, place).await.token;
    // A literal segment where a sibling route takes an id (`/consultations/{id}` has PATCH):
    // still that path's methods, once the caller is known.
    let r = app
        .send(
            Method::PATCH,
            "/api/v1/consultations/free-slots",
            Some(&admin),
            &[],
            Body::Json(serde_json::json!({})),
        )
        .await;
    assert_eq!(
        (
            r.status,
            r.headers.get("allow").and_then(|v| v.to_str().ok())
        ),
        (StatusCode::METHOD_NOT_ALLOWED, Some("GET"))
    );
    let before = app.get(&format!("/api/v1/places/{place}"), None).await.body;
    for body in ["[null, null]", "[\"新名字\"]", "null", "\"name\""] {
        let r = app
            .raw(
                Method::PATCH,
                &format!("/api/v1/places/{place}"),
                Some(&admin),
                "application/json",
                body.as_bytes().to_vec(),
            )
            .await;
        assert_eq!(
            (r.status, r.code()),
            (StatusCode::BAD_REQUEST, "request.invalid_body"),
            "{body}"
        );
    }
    let after = app.get(&format!("/api/v1/places/{place}"), None).await.body;
    assert_eq!(before, after, "a refused body changes nothing");

    let grid = app
        .raw(
            Method::POST,
            "/api/v1/places",
            Some(&admin),
            "application/json",
            format!(r#"{{"parent_id": {place}.0, "kind": "grid", "name": "九号网格", "code": "float-grid"}}"#)
                .into_bytes(),
        )
        .await;
    assert_eq!(grid.status, StatusCode::CREATED, "{:?}", grid.body);
    assert_eq!(grid.body["parent_id"], place);
    app.stop().await;
    Ok(())
}

/// With `server.metrics_token` set, only the scraper that sends it reads /metrics.
#[actix_rt::test]
async fn metrics_can_be_kept_for_the_scraper() -> TestResult {
    let app = TestApp::builder()
        .setting("server.metrics_token", "scraper-secret-0123456789")
        .build()
        .await;
    for (auth, want) in [
        (None, StatusCode::UNAUTHORIZED),
        (Some("Bearer wrong"), StatusCode::UNAUTHORIZED),
        (Some("Bearer scraper-secret-0123456789"), StatusCode::OK),
    ] {
        let headers: Vec<(&str, &str)> = auth.map(|a| ("Authorization", a)).into_iter().collect();
        let r = app.get_with("/metrics", &headers).await;
        assert_eq!(r.status, want, "{auth:?}");
    }
    app.stop().await;
    Ok(())
}
