//! The live stream: an event arrives as it is fanned out (`id:` the notification id, `event:`
//! its kind, `data:` its JSON); a reconnect with `Last-Event-ID` gets exactly what was missed;
//! the page session's cookie opens it too.

use serde_json::json;
use yishi::auth::Role;

use super::kit::{Stream, parse};
use crate::common::{TestApp, TestResult, id_of, make_user};

#[actix_rt::test]
async fn the_stream_sends_new_items_and_replays_what_was_missed() -> TestResult {
    let app = TestApp::builder().demo().build().await;
    let c = app.demo_city().await.community;
    let author = make_user(&app, "reader", Some(c), &[(Role::Resident, Some(c), None)]).await;
    let staff = app.user_with(Role::CommunityStaff, c).await;
    let topic = id_of(&app.raise_topic(&author.token, c, "楼道灯坏了").await);
    app.fanned_out().await;

    // Opened now: only what comes from now on.
    let mut s = Stream::open(&app, &author.token, &[]).await;
    assert!(
        s.content_type.starts_with("text/event-stream"),
        "{}",
        s.content_type
    );
    app.topic_action(&staff.token, topic, "accept", json!({}))
        .await;
    let got = s.next(1).await;
    assert_eq!(got.len(), 1, "{got:?}");
    let inbox = app.inbox(&author.token).await;
    assert_eq!(got[0].event, "topic_accepted");
    assert_eq!(got[0].id, inbox[0]["id"].to_string());
    assert_eq!(got[0].data["id"], inbox[0]["id"]);
    assert_eq!(got[0].data["topic_id"], topic);
    assert_eq!(got[0].data["url"], inbox[0]["url"]);
    let last = got[0].id.clone();
    drop(s);

    // Two comments while away (the author watches the topic they raised).
    for body in ["已派人查看", "明天更换"] {
        let r = app
            .post(
                &format!("/api/v1/topics/{topic}/comments"),
                staff.tok(),
                json!({ "body": body }),
            )
            .await;
        assert_eq!(r.status.as_u16(), 201, "{:?}", r.body);
    }
    app.fanned_out().await;
    let inbox = app.inbox(&author.token).await;
    assert_eq!(inbox.len(), 3);

    // Back with Last-Event-ID: exactly the two missed, oldest first; then live again.
    let mut s = Stream::open(&app, &author.token, &[("Last-Event-ID", &last)]).await;
    let got = s.next(2).await;
    let ids: Vec<String> = got.iter().map(|e| e.id.clone()).collect();
    assert_eq!(
        ids,
        [inbox[1]["id"].to_string(), inbox[0]["id"].to_string()]
    );
    assert!(got.iter().all(|e| e.event == "comment_added"));
    let r = app
        .post(
            &format!("/api/v1/topics/{topic}/comments"),
            staff.tok(),
            json!({"body": "已更换"}),
        )
        .await;
    assert_eq!(r.status.as_u16(), 201);
    let more = s.next(1).await;
    assert_eq!(more.len(), 1, "no item twice: {more:?}");
    assert_eq!(
        more[0].data["body"],
        app.inbox(&author.token).await[0]["body"]
    );
    drop(s);

    // The query parameter does the same; max_seconds=0 returns at once.
    let r = app
        .get(
            &format!("/api/v1/notifications/stream?last_event_id={last}&max_seconds=0"),
            author.tok(),
        )
        .await;
    assert_eq!(r.status.as_u16(), 200);
    let text = r.body.as_str().unwrap_or_default().to_string();
    assert_eq!(parse(&text).len(), 3, "{text}");

    // Nobody else's items; bad ids are refused, naming the field.
    let other = app.user_with(Role::Resident, c).await;
    let r = app
        .get(
            "/api/v1/notifications/stream?last_event_id=0&max_seconds=0",
            other.tok(),
        )
        .await;
    assert_eq!(parse(r.body.as_str().unwrap_or_default()).len(), 0);
    let r = app
        .send(
            crate::common::Method::GET,
            "/api/v1/notifications/stream?max_seconds=0",
            author.tok(),
            &[("Last-Event-ID", "abc")],
            crate::common::Body::Empty,
        )
        .await;
    assert_eq!(r.status.as_u16(), 422, "{:?}", r.body);
    assert!(r.body.to_string().contains("Last-Event-ID"), "{:?}", r.body);
    let r = app
        .get("/api/v1/notifications/stream?max_seconds=0", None)
        .await;
    assert_eq!(r.status.as_u16(), 401);
    app.done().await
}

#[actix_rt::test]
async fn a_page_session_opens_the_stream_without_a_token() -> TestResult {
    let app = TestApp::builder().demo().build().await;
    let c = app.demo_city().await.community;
    let author = make_user(&app, "cookie", Some(c), &[(Role::Resident, Some(c), None)]).await;
    let staff = app.user_with(Role::CommunityStaff, c).await;
    let topic = id_of(&app.raise_topic(&author.token, c, "电梯异响").await);
    app.topic_action(&staff.token, topic, "accept", json!({}))
        .await;
    let inbox = app.inbox(&author.token).await;

    let mut b = app.browser_as("cookie@example.com").await;
    let p = b
        .get("/api/v1/notifications/stream?last_event_id=0&max_seconds=0")
        .await;
    assert_eq!(p.status.as_u16(), 200, "{}", p.html);
    let got = parse(&p.html);
    assert_eq!(got.len(), 1, "{}", p.html);
    assert_eq!(got[0].id, inbox[0]["id"].to_string());

    let mut anonymous = app.browser();
    let p = anonymous
        .get("/api/v1/notifications/stream?max_seconds=0")
        .await;
    assert_eq!(p.status.as_u16(), 401);
    app.done().await
}

#[actix_rt::test]
async fn another_node_hears_the_fan_out_through_postgres_notify() -> TestResult {
    let app = TestApp::builder().demo().build().await;
    if !app.db.is_postgres() {
        eprintln!("note: LISTEN/NOTIFY between nodes is PostgreSQL's; skipped on SQLite");
        return app.done().await;
    }
    // A second node on the same database, without a worker: its streams can only learn of
    // the first node's fan-out through NOTIFY.
    let mut settings = (*app.running.as_ref().expect("running").state.settings).clone();
    settings.server.bind = "127.0.0.1:0".into();
    settings.database.migrate_on_start = false;
    settings.notifications.worker_enabled = false;
    settings.mail.sender_enabled = false;
    let other = yishi::server::start(settings).expect("second node");
    let other_base = format!("http://{}", other.addr);

    let c = app.demo_city().await.community;
    let author = app.user_with(Role::Resident, c).await;
    let staff = app.user_with(Role::CommunityStaff, c).await;
    let topic = id_of(&app.raise_topic(&author.token, c, "健身器材损坏").await);
    app.fanned_out().await;
    let mut s = Stream::open_at(&other_base, &author.token, &[]).await;
    app.topic_action(&staff.token, topic, "accept", json!({}))
        .await;
    let got = s.next(1).await;
    assert_eq!(got[0].event, "topic_accepted");
    drop(s);
    other.stop().await;
    app.done().await
}
