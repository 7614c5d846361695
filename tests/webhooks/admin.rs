//! Managing endpoints: who may, what is checked (URL, kinds, place, private addresses), the
//! secret shown once.

use base64::Engine;
use serde_json::{Value, json};
use yishi::auth::Role;

use crate::common::{TestApp, TestResult, assert_problem, id_of};
use awc::http::StatusCode;

fn new_hook(url: &str, place: i64) -> Value {
    json!({"url": url, "event_kinds": ["topic_accepted", "task_assigned"], "place_id": place})
}

#[actix_rt::test]
async fn the_secret_is_shown_once_and_only_admins_of_the_place_manage() -> TestResult {
    let app = TestApp::builder().demo().build().await;
    let city = app.demo_city().await;
    let admin = app.user_with(Role::Admin, city.district).await;
    let far_admin = app.user_with(Role::Admin, city.other_district).await;
    let resident = app.user_with(Role::Resident, city.community).await;

    let r = app
        .post(
            "/api/v1/webhooks",
            admin.tok(),
            new_hook("http://127.0.0.1:9/hook", city.community),
        )
        .await;
    assert_eq!(r.status.as_u16(), 201, "{:?}", r.body);
    let id = id_of(&r.body);
    let secret = r.body["secret"].as_str().unwrap();
    let key = base64::engine::general_purpose::STANDARD
        .decode(secret.strip_prefix("whsec_").unwrap())
        .unwrap();
    assert!(key.len() >= 24, "{} random bytes", key.len());
    assert_eq!(r.body["disabled"], false);
    assert_eq!(r.body["place_id"], city.community);

    // Never again: not in GET, not in the list.
    let one = app
        .get(&format!("/api/v1/webhooks/{id}"), admin.tok())
        .await;
    assert_eq!(one.status.as_u16(), 200);
    assert!(one.body.get("secret").is_none(), "{:?}", one.body);
    assert!(!one.body.to_string().contains(secret));
    let list = app.get("/api/v1/webhooks", admin.tok()).await;
    assert_eq!(list.body["items"].as_array().unwrap().len(), 1);
    assert!(!list.body.to_string().contains(secret));

    // A non-admin is refused; an admin of another district neither sees nor makes one here.
    let refused = app
        .post(
            "/api/v1/webhooks",
            resident.tok(),
            new_hook("http://127.0.0.1:9/x", city.community),
        )
        .await;
    assert_problem(
        "resident creates",
        &refused,
        StatusCode::FORBIDDEN,
        "permission.denied",
        None,
    );
    let refused = app.get("/api/v1/webhooks", resident.tok()).await;
    assert_problem(
        "resident lists",
        &refused,
        StatusCode::FORBIDDEN,
        "permission.denied",
        None,
    );
    let elsewhere = app
        .post(
            "/api/v1/webhooks",
            far_admin.tok(),
            new_hook("http://127.0.0.1:9/x", city.community),
        )
        .await;
    assert_problem(
        "far admin creates",
        &elsewhere,
        StatusCode::FORBIDDEN,
        "permission.denied",
        None,
    );
    let hidden = app
        .get(&format!("/api/v1/webhooks/{id}"), far_admin.tok())
        .await;
    assert_problem(
        "far admin reads",
        &hidden,
        StatusCode::NOT_FOUND,
        "webhook.not_found",
        None,
    );
    let far_list = app.get("/api/v1/webhooks", far_admin.tok()).await;
    assert_eq!(far_list.body["items"], json!([]));

    // PATCH changes what it names; DELETE removes it.
    let r = app
        .patch(
            &format!("/api/v1/webhooks/{id}"),
            admin.tok(),
            json!({"event_kinds": ["topic_closed"], "disabled": true}),
        )
        .await;
    assert_eq!(r.status.as_u16(), 200, "{:?}", r.body);
    assert_eq!(r.body["event_kinds"], json!(["topic_closed"]));
    assert_eq!(r.body["disabled"], true);
    assert_eq!(r.body["url"], "http://127.0.0.1:9/hook");
    let gone = app
        .delete(&format!("/api/v1/webhooks/{id}"), admin.tok())
        .await;
    assert_eq!(gone.status.as_u16(), 204);
    let after = app
        .get(&format!("/api/v1/webhooks/{id}"), admin.tok())
        .await;
    assert_eq!(after.status.as_u16(), 404);
    app.done().await
}

#[actix_rt::test]
async fn bad_input_is_refused_naming_the_field() -> TestResult {
    let app = TestApp::builder().demo().build().await;
    let city = app.demo_city().await;
    let admin = app.user_with(Role::Admin, city.district).await;
    let ok_url = "http://127.0.0.1:9/hook";
    let long = format!("http://127.0.0.1/{}", "a".repeat(2100));
    #[rustfmt::skip]
    let cases: Vec<(Value, u16, &str, &str)> = vec![
        (json!({"url": "ftp://x", "event_kinds": ["topic_accepted"], "place_id": city.community}), 422, "validation.url", "url"),
        (json!({"url": "not a url", "event_kinds": ["topic_accepted"], "place_id": city.community}), 422, "validation.url", "url"),
        (json!({"url": long, "event_kinds": ["topic_accepted"], "place_id": city.community}), 422, "validation.url", "url"),
        (json!({"url": ok_url, "event_kinds": [], "place_id": city.community}), 422, "validation.required", "event_kinds"),
        (json!({"url": ok_url, "event_kinds": ["no_such_kind"], "place_id": city.community}), 400, "", "event_kinds[0]"),
        (json!({"url": ok_url, "event_kinds": ["topic_accepted"], "place_id": 999999}), 422, "place.not_found", "place_id"),
    ];
    for (body, status, code, field) in cases {
        let r = app
            .post("/api/v1/webhooks", admin.tok(), body.clone())
            .await;
        assert_eq!(r.status.as_u16(), status, "{body}: {:?}", r.body);
        if !code.is_empty() {
            assert_eq!(r.code(), code, "{body}: {:?}", r.body);
        }
        assert!(
            r.body["field"]
                .as_str()
                .unwrap_or("")
                .starts_with(field.split('[').next().unwrap()),
            "{body}: {:?}",
            r.body
        );
    }
    assert_eq!(app.count("webhooks"), 0);
    app.done().await
}

#[actix_rt::test]
async fn private_targets_are_refused_unless_allowed() -> TestResult {
    let app = TestApp::builder()
        .setting("webhooks.allow_private_targets", "false")
        .demo()
        .build()
        .await;
    let city = app.demo_city().await;
    let admin = app.user_with(Role::Admin, city.district).await;
    for url in [
        "http://127.0.0.1/",
        "http://10.0.0.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://[::ffff:192.168.1.1]/",
        "http://100.64.0.1/",
        "http://0.0.0.0:8080/",
    ] {
        let r = app
            .post(
                "/api/v1/webhooks",
                admin.tok(),
                new_hook(url, city.community),
            )
            .await;
        assert_problem(
            url,
            &r,
            StatusCode::UNPROCESSABLE_ENTITY,
            "webhook.private_target",
            Some("url"),
        );
    }
    let r = app
        .post(
            "/api/v1/webhooks",
            admin.tok(),
            new_hook("ftp://x", city.community),
        )
        .await;
    assert_problem(
        "ftp",
        &r,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation.url",
        Some("url"),
    );
    assert_eq!(app.count("webhooks"), 0);

    // A public address is accepted (an IP literal: no lookup); moving it inside is refused.
    let r = app
        .post(
            "/api/v1/webhooks",
            admin.tok(),
            new_hook("https://93.184.215.14/hook", city.community),
        )
        .await;
    assert_eq!(r.status.as_u16(), 201, "{:?}", r.body);
    let id = id_of(&r.body);
    let moved = app
        .patch(
            &format!("/api/v1/webhooks/{id}"),
            admin.tok(),
            json!({"url": "http://192.168.0.10/"}),
        )
        .await;
    assert_problem(
        "patch",
        &moved,
        StatusCode::UNPROCESSABLE_ENTITY,
        "webhook.private_target",
        Some("url"),
    );
    let still = app
        .get(&format!("/api/v1/webhooks/{id}"), admin.tok())
        .await;
    assert_eq!(still.body["url"], "https://93.184.215.14/hook");
    app.done().await
}
