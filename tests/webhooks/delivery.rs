//! Deliveries: signed, retried with the same `webhook-id`, filtered by place and kind; 410
//! disables the endpoint.

use chrono::Duration;
use serde_json::{Value, json};
use yishi::auth::Role;
use yishi::clock::Clock;

use super::receiver::Receiver;
use crate::common::{TestApp, TestResult, User, id_of};

/// Registers an endpoint at `path` of the receiver and tells the receiver its secret.
async fn endpoint(
    app: &TestApp,
    admin: &User,
    rx: &mut Receiver,
    path: &str,
    place: i64,
    kinds: &[&str],
) -> i64 {
    let r = app
        .post(
            "/api/v1/webhooks",
            admin.tok(),
            json!({"url": rx.url(path), "event_kinds": kinds, "place_id": place}),
        )
        .await;
    assert_eq!(r.status.as_u16(), 201, "create {path}: {:?}", r.body);
    rx.set_secret(path, r.body["secret"].as_str().unwrap());
    id_of(&r.body)
}

/// The endpoint's delivery log.
async fn deliveries(app: &TestApp, admin: &User, id: i64) -> Vec<Value> {
    let r = app
        .get(&format!("/api/v1/webhooks/{id}/deliveries"), admin.tok())
        .await;
    assert_eq!(r.status.as_u16(), 200, "deliveries: {:?}", r.body);
    r.body["items"].as_array().cloned().unwrap()
}

/// Polls the delivery log (up to 20 s) until its newest delivery has `status`.
async fn wait_status(app: &TestApp, admin: &User, id: i64, status: &str) -> Value {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let log = deliveries(app, admin, id).await;
        if let Some(d) = log.first().filter(|d| d["status"] == status) {
            return d.clone();
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no {status} delivery: {log:?}"
        );
        actix_rt::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

#[actix_rt::test]
async fn accepted_topic_reaches_the_subscribed_endpoint_signed_and_retried() -> TestResult {
    let Some(mut rx) = Receiver::start() else {
        return Ok(());
    };
    // The worker's clock stands an hour ahead, so whatever is queued is due at once and a
    // retry (30 s later) comes when the test moves it.
    let clock = Clock::manual(chrono::Utc::now().naive_utc() + Duration::hours(1));
    let app = TestApp::builder().demo().clock(clock.clone()).build().await;
    let city = app.demo_city().await;
    let admin = app.user_with(Role::Admin, city.district).await;
    let far_admin = app.user_with(Role::Admin, city.other_district).await;
    // Loopback is allowed in the test profile (webhooks.allow_private_targets = true).
    let ours = endpoint(
        &app,
        &admin,
        &mut rx,
        "/ours",
        city.community,
        &["topic_accepted"],
    )
    .await;
    let far = endpoint(
        &app,
        &far_admin,
        &mut rx,
        "/far",
        city.far,
        &["topic_accepted"],
    )
    .await;
    let other_kind = endpoint(
        &app,
        &admin,
        &mut rx,
        "/rejected",
        city.community,
        &["topic_rejected"],
    )
    .await;
    // Always 503: retried until the retry window closes, then given up.
    let down = endpoint(
        &app,
        &admin,
        &mut rx,
        "/down",
        city.subdistrict,
        &["topic_accepted"],
    )
    .await;

    let author = app.user_with(Role::Resident, city.community).await;
    let staff = app.user_with(Role::CommunityStaff, city.community).await;
    let topic = app
        .raise_topic(&author.token, city.community, "小区门口路灯坏了")
        .await;
    let topic_id = id_of(&topic);
    app.topic_action(&staff.token, topic_id, "accept", json!({"note": "受理"}))
        .await;
    app.fanned_out().await;

    // First attempt: the receiver answers 500; the delivery waits for its retry.
    let first = rx.wait_for("/ours", 1).await;
    let pending = wait_status(&app, &admin, ours, "pending").await;
    assert_eq!(pending["attempts"], 1, "{pending:?}");
    assert_eq!(pending["last_status_code"], 500, "{pending:?}");
    assert_eq!(pending["kind"], "topic_accepted");

    // 30 s later by the worker's clock: the retry, delivered.
    clock.advance(Duration::seconds(31));
    let both = rx.wait_for("/ours", 2).await;
    let delivered = wait_status(&app, &admin, ours, "delivered").await;
    assert_eq!(both.len(), 2, "{both:?}");
    for got in &both {
        assert_eq!(got["verified"], true, "signature did not verify: {got:?}");
        assert_eq!(got["id"], first[0]["id"], "the retry keeps its webhook-id");
    }
    assert_eq!(
        both.iter()
            .map(|g| g["answered"].as_i64().unwrap())
            .collect::<Vec<_>>(),
        [500, 200]
    );
    let body = &both[1]["body"];
    assert_eq!(body["type"], "topic_accepted", "{body:?}");
    assert_eq!(body["data"]["topic_id"], topic_id, "{body:?}");
    assert_eq!(body["data"]["place_id"], city.community, "{body:?}");
    assert!(
        body["data"]["url"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/topics/{topic_id}"))
    );
    assert_eq!(delivered["message_id"], first[0]["id"]);
    assert_eq!(delivered["attempts"], 2);
    let log: Vec<_> = delivered["attempt_log"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["status_code"].clone())
        .collect();
    assert_eq!(log, [json!(500), json!(200)]);

    // The endpoint that is down (at the sub-district: the community's events reach it) was
    // tried at once and after 30 s; a day later its third try fails and it is given up.
    rx.wait_for("/down", 2).await;
    clock.advance(Duration::hours(25));
    let given_up = wait_status(&app, &admin, down, "failed").await;
    assert_eq!(given_up["attempts"], 3, "{given_up:?}");
    assert_eq!(given_up["last_status_code"], 503);
    assert_eq!(given_up["next_attempt_at"], Value::Null);
    assert_eq!(given_up["attempt_log"].as_array().unwrap().len(), 3);
    let tries = rx.log_of("/down");
    assert_eq!(tries.len(), 3, "{tries:?}");
    assert!(
        tries
            .iter()
            .all(|t| t["verified"] == true && t["id"] == tries[0]["id"])
    );

    // Another place, another kind: nothing queued, nothing received.
    assert!(deliveries(&app, &far_admin, far).await.is_empty());
    assert!(deliveries(&app, &admin, other_kind).await.is_empty());
    assert!(rx.log_of("/far").is_empty() && rx.log_of("/rejected").is_empty());
    app.done().await
}

#[actix_rt::test]
async fn gone_disables_the_endpoint_and_later_events_are_not_delivered() -> TestResult {
    let Some(mut rx) = Receiver::start() else {
        return Ok(());
    };
    let app = TestApp::builder().demo().build().await;
    let city = app.demo_city().await;
    let admin = app.user_with(Role::Admin, city.district).await;
    let id = endpoint(
        &app,
        &admin,
        &mut rx,
        "/gone",
        city.community,
        &["topic_raised"],
    )
    .await;
    let author = app.user_with(Role::Resident, city.community).await;
    app.raise_topic(&author.token, city.community, "电梯异响")
        .await;

    let got = rx.wait_for("/gone", 1).await;
    assert_eq!(got[0]["verified"], true, "{got:?}");
    let failed = wait_status(&app, &admin, id, "failed").await;
    assert_eq!(failed["last_status_code"], 410);
    let hook = app
        .get(&format!("/api/v1/webhooks/{id}"), admin.tok())
        .await;
    assert_eq!(hook.body["disabled"], true, "{:?}", hook.body);
    assert!(
        hook.body["disabled_reason"]
            .as_str()
            .unwrap()
            .contains("410")
    );

    // A later event of the kind queues nothing for the disabled endpoint (the fan-out has
    // run once every event is fanned out).
    app.raise_topic(&author.token, city.community, "垃圾清运不及时")
        .await;
    app.fanned_out().await;
    assert_eq!(deliveries(&app, &admin, id).await.len(), 1);
    assert_eq!(rx.log_of("/gone").len(), 1);

    // Re-enabling clears the reason.
    let r = app
        .patch(
            &format!("/api/v1/webhooks/{id}"),
            admin.tok(),
            json!({"disabled": false}),
        )
        .await;
    assert_eq!(r.status.as_u16(), 200, "{:?}", r.body);
    assert_eq!(r.body["disabled"], false);
    assert_eq!(r.body["disabled_reason"], Value::Null);
    app.done().await
}
