#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Anonymous callers never see personal data: on the whole demo city (topics in every step,
//! meetings, a report filed over Open311 with its reporter's details, one author who opted in
//! to show their name), every public JSON read, statistic, open-data export, Open311 answer
//! (JSON and XML) and public page is scanned for every user's email and for the display names
//! of everyone who did not opt in. The opted-in author's name must appear (so the scan can see
//! a name when there is one).

mod common;

use std::collections::BTreeSet;

use awc::http::Method;
use common::{Body, TestApp, TestResult};
use diesel::prelude::*;
use serde_json::{Value, json};
use yishi::auth::Role;

/// Every user's email, display name and opt-in, straight from the database.
fn people(app: &TestApp) -> Vec<(String, String, bool)> {
    use yishi::db::schema::users::dsl::*;
    app.with_db(|c| {
        users
            .select((email, display_name, show_name_publicly))
            .load::<(String, String, bool)>(c)
            .unwrap()
    })
}

/// The ids of every place, and of every topic with a catalog number and meeting.
fn ids(app: &TestApp, sql_table: &str) -> Vec<i64> {
    #[derive(QueryableByName)]
    struct Id {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        id: i64,
    }
    let q = match sql_table {
        "topics" => "SELECT id FROM topics WHERE catalog_no IS NOT NULL ORDER BY id",
        "consultations" => "SELECT id FROM consultations ORDER BY id",
        _ => "SELECT id FROM places ORDER BY id",
    };
    app.with_db(|c| {
        diesel::sql_query(q)
            .load::<Id>(c)
            .unwrap()
            .into_iter()
            .map(|r| r.id)
            .collect()
    })
}

#[actix_rt::test]
async fn anonymous_readers_never_see_personal_data() -> TestResult {
    let app = TestApp::spawn().await;
    let settings = app.running.as_ref().unwrap().state.settings.clone();
    app.with_db(|c| yishi::demo::seed(c, &settings).unwrap());
    let city = app.demo_city().await;

    // One author opts in; their catalog topic must then show their name.
    let proud = common::make_user(
        &app,
        "proud-author",
        Some(city.community),
        &[(Role::Resident, Some(city.community), None)],
    )
    .await;
    let r = app
        .patch(
            "/api/v1/me",
            proud.tok(),
            json!({"show_name_publicly": true, "display_name": "热心的陈师傅"}),
        )
        .await;
    assert_eq!(r.status.as_u16(), 200, "{:?}", r.body);
    let staff = app.user_with(Role::CommunityStaff, city.community).await;
    let t = app
        .post(
            "/api/v1/topics",
            proud.tok(),
            json!({"place_id": city.community, "title": "小区门口的共享单车太乱",
                   "body": "希望划出停放区域", "category": "traffic_parking"}),
        )
        .await;
    assert_eq!(t.status.as_u16(), 201, "{:?}", t.body);
    let t = t.body["id"].as_i64().unwrap();
    app.topic_action(&staff.token, t, "accept", json!({})).await;

    // A report filed over Open311, with everything personal a reporter may send.
    let admin = app.user_with_grants(&[(Role::Admin, None, None)]).await;
    let r = app
        .post(
            "/api/v1/open311-clients",
            admin.tok(),
            json!({"name": "随手拍", "place_id": city.community}),
        )
        .await;
    assert_eq!(r.status.as_u16(), 201, "{:?}", r.body);
    let key = r.body["api_key"].as_str().unwrap().to_string();
    let form = serde_urlencoded::to_string([
        ("api_key", key.as_str()),
        ("service_code", "facilities"),
        ("address_string", "幸福社区"),
        ("email", "reporter.zhou@example.org"),
        ("first_name", "海燕"),
        ("last_name", "周"),
        ("phone", "13912345678"),
        ("device_id", "device-secret-1"),
        ("account_id", "account-secret-2"),
        ("description", "路灯不亮了"),
    ])?;
    let r = app
        .send(
            Method::POST,
            "/open311/v2/requests.json",
            None,
            &[],
            Body::Raw(
                "application/x-www-form-urlencoded".into(),
                form.into_bytes(),
            ),
        )
        .await;
    assert_eq!(r.status.as_u16(), 200, "{:?}", r.body);
    let request_id = r.body[0]["service_request_id"]
        .as_str()
        .unwrap()
        .to_string();
    let token = r.body[0]["token"].as_str().unwrap_or_default().to_string();
    let open311_topic: i64 = request_id.parse()?;
    app.topic_action(&staff.token, open311_topic, "accept", json!({}))
        .await;

    // Every public address there is.
    let mut paths: Vec<String> = vec![
        "/".into(),
        "/api/v1/stats".into(),
        "/api/v1/open-data/topics.json".into(),
        "/api/v1/open-data/topics.csv".into(),
        "/api/v1/open-data/consultations.json".into(),
        "/api/v1/open-data/consultations.csv".into(),
        "/open311/v2/discovery.json".into(),
        "/open311/v2/services.json".into(),
        "/open311/v2/services.xml".into(),
        "/open311/v2/requests.json".into(),
        "/open311/v2/requests.xml".into(),
        format!("/open311/v2/requests/{request_id}.json"),
        format!("/open311/v2/requests/{request_id}.xml"),
    ];
    if !token.is_empty() {
        paths.push(format!("/open311/v2/tokens/{token}.json"));
    }
    for p in ids(&app, "places") {
        paths.push(format!("/api/v1/public/places/{p}/catalog?limit=100"));
        paths.push(format!("/api/v1/stats?place_id={p}&group_by=child"));
        paths.push(format!("/places/{p}"));
    }
    for t in ids(&app, "topics") {
        paths.push(format!("/api/v1/public/topics/{t}"));
        paths.push(format!("/topics/{t}"));
    }
    for m in ids(&app, "consultations") {
        paths.push(format!("/consultations/{m}"));
    }

    let people = people(&app);
    let emails: BTreeSet<&str> = people.iter().map(|p| p.0.as_str()).collect();
    let hidden_names: BTreeSet<&str> = people
        .iter()
        .filter(|p| !p.2)
        .map(|p| p.1.as_str())
        // The demo admin is called by their role, which Open311's discovery names as a contact.
        .filter(|n| *n != "系统管理员")
        .collect();
    assert!(
        emails.len() > 10 && hidden_names.len() > 10,
        "the demo's people"
    );
    let secrets = [
        "reporter.zhou@example.org",
        "海燕",
        "13912345678",
        "device-secret-1",
        "account-secret-2",
    ];
    let mut seen_proud = false;
    let mut served = 0;
    for path in &paths {
        let r = app.get(path, None).await;
        let status = r.status.as_u16();
        // Pages of meetings that are not public answer 404 or send a stranger to sign in.
        if [302, 303, 404].contains(&status) && path.starts_with("/consultations/") {
            continue;
        }
        assert_eq!(status, 200, "{path}");
        served += 1;
        let text = match &r.body {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        for e in &emails {
            assert!(!text.contains(e), "{path} shows the email {e}");
        }
        for n in &hidden_names {
            assert!(!text.contains(n), "{path} shows the name {n}");
        }
        for s in secrets {
            assert!(!text.contains(s), "{path} shows {s}");
        }
        seen_proud |= text.contains("热心的陈师傅");
    }
    assert!(served > 30, "only {served} public answers");
    assert!(seen_proud, "the opted-in author's name shows somewhere");
    app.done().await
}
