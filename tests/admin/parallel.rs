//! Duplicates sent at the same moment.

use super::*;

/// Sends `body` to `path` eight times at once: exactly one is created (one row more in
/// `table`) and the others are refused with 409 `code`.
async fn exactly_one(
    app: &TestApp,
    what: &str,
    path: &str,
    token: &str,
    body: &Value,
    table: &str,
    code: &str,
) {
    let before = app.count(table);
    let sends = (0..8).map(|_| app.post(path, Some(token), body.clone()));
    let answers = futures_util::future::join_all(sends).await;
    let statuses: Vec<u16> = answers.iter().map(|r| r.status.as_u16()).collect();
    let created = statuses.iter().filter(|s| **s == 201).count();
    assert_eq!(created, 1, "{what}: one is created: {statuses:?}");
    for r in answers.iter().filter(|r| r.status != StatusCode::CREATED) {
        assert_problem(what, r, StatusCode::CONFLICT, code, None);
    }
    assert_eq!(
        app.count(table) - before,
        1,
        "{what}: exactly one row ({statuses:?})"
    );
}

/// The demo city and an installation-wide admin's token.
async fn race() -> (TestApp, Demo, String) {
    let app = TestApp::spawn().await;
    let d = demo(&app).await;
    let admin = app
        .user_token("root@race.test", None, &[(Role::Admin, None, None)])
        .await;
    (app, d, admin)
}

#[actix_rt::test]
async fn identical_grants_at_the_same_moment_make_one_grant() -> TestResult {
    let (app, d, admin) = race().await;
    for round in 0..10 {
        let target = plain_user(&app, &format!("race-{round}@race.test"), Some(d.xingfu));
        let path = format!("/api/v1/users/{target}/roles");
        let body = json!({"role": "community_staff", "place_id": d.xingfu});
        let what = format!("round {round}: identical grants");
        exactly_one(
            &app,
            &what,
            &path,
            &admin,
            &body,
            "role_grants",
            "resource.conflict",
        )
        .await;
    }
    app.stop().await;
    Ok(())
}

#[actix_rt::test]
async fn places_with_one_code_at_the_same_moment_make_one_place() -> TestResult {
    let (app, d, admin) = race().await;
    for round in 0..10 {
        let body = json!({
            "parent_id": d.xingfu,
            "kind": "grid",
            "name": "同时提交的网格",
            "code": format!("race-{round}"),
        });
        let what = format!("round {round}: places with the same code");
        exactly_one(
            &app,
            &what,
            "/api/v1/places",
            &admin,
            &body,
            "places",
            "place.code_taken",
        )
        .await;
    }
    app.stop().await;
    Ok(())
}
