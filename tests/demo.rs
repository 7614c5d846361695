#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The demo city a new user meets: every demo login works, topics stand in every stage,
//! their timelines verify, and seeding twice changes nothing.

mod common;

use awc::http::StatusCode;
use common::{TestApp, TestResult};
use serde_json::json;

#[actix_rt::test]
async fn the_demo_city_shows_the_whole_flow() -> TestResult {
    let app = TestApp::spawn().await;
    let settings = app.running.as_ref().unwrap().state.settings.clone();
    let (created, logins) = app.with_db(|c| yishi::demo::seed(c, &settings).unwrap());
    assert!(created);
    let topics = app.count("topics");
    let (again, _) = app.with_db(|c| yishi::demo::seed(c, &settings).unwrap());
    assert!(!again);
    assert_eq!(app.count("topics"), topics, "seeding twice adds nothing");

    for login in &logins {
        let r = app
            .post(
                "/api/v1/auth/login",
                None,
                json!({"email": login.email, "password": settings.demo.password}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", login.email);
    }
    let token = app
        .login_with("staff@yishi.demo", &settings.demo.password)
        .await;
    let list = app.get("/api/v1/topics?limit=100", Some(&token)).await;
    let stages: std::collections::BTreeSet<String> = list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["stage"].as_str().unwrap().to_string())
        .collect();
    for stage in ["say", "discuss", "plan", "act", "evaluate", "closed"] {
        assert!(
            stages.contains(stage),
            "a demo topic in {stage}: {stages:?}"
        );
    }
    assert!(
        app.with_db(|c| yishi::topics::events::verify_all(c).unwrap())
            .unwrap()
            > 0
    );

    let community = app.place("demo-330200-0-0-0");
    let catalog = app
        .get(&format!("/api/v1/public/places/{community}/catalog"), None)
        .await;
    let numbers: Vec<&str> = catalog.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["catalog_no"].as_str().unwrap())
        .collect();
    assert_eq!(numbers.len(), 5, "{numbers:?}");
    assert!(numbers.iter().all(|n| n.ends_with(&format!(
        "-000{}",
        numbers.iter().position(|m| m == n).unwrap() + 1
    ))));
    app.stop().await;
    Ok(())
}
