//! The inbox: unread collapsed per topic, mark read, read-all never deletes, keyset pages.

use serde_json::json;
use yishi::auth::Role;

use crate::common::{TestApp, TestResult, id_of, ids};

#[actix_rt::test]
async fn unread_items_collapse_per_topic_and_reading_never_deletes() -> TestResult {
    let app = TestApp::builder().demo().build().await;
    let c = app.demo_city().await.community;
    let author = app.user_with(Role::Resident, c).await;
    let neighbour = app.user_with(Role::Resident, c).await;
    let stranger = app.user_with(Role::Resident, c).await;
    let lift = id_of(&app.raise_topic(&author.token, c, "电梯异响").await);
    let lamp = id_of(&app.raise_topic(&author.token, c, "路灯不亮").await);
    // Three comments on the lift and one on the lamp reach the author (raising watches).
    for (t, text) in [(lift, "一"), (lift, "二"), (lift, "三"), (lamp, "四")] {
        let r = app
            .post(
                &format!("/api/v1/topics/{t}/comments"),
                neighbour.tok(),
                json!({"body": text}),
            )
            .await;
        assert_eq!(r.status.as_u16(), 201);
    }
    let all = app.inbox(&author.token).await;
    assert_eq!(all.len(), 4);

    let list = app
        .get("/api/v1/notifications?unread=true", author.tok())
        .await;
    let items = list.body["items"].as_array().unwrap().clone();
    // One item per topic, the newest, standing for the topic's unread ones.
    assert_eq!(items.len(), 2, "{items:?}");
    assert_eq!(items[0]["topic_id"], lamp);
    assert_eq!(items[0]["unread_in_topic"], 1);
    assert_eq!(items[1]["topic_id"], lift);
    assert_eq!(items[1]["unread_in_topic"], 3);
    assert_eq!(
        items[1]["id"], all[1]["id"],
        "the newest of the lift's items"
    );
    let count = |tok: String| {
        let app = &app;
        async move {
            let r = app
                .get("/api/v1/notifications/unread-count", Some(&tok))
                .await;
            assert_eq!(r.status.as_u16(), 200);
            r.body["count"].as_i64().unwrap()
        }
    };
    assert_eq!(count(author.token.clone()).await, 2);

    // Reading the lift's item reads the three it stood for.
    let r = app
        .post(
            &format!("/api/v1/notifications/{}/read", items[1]["id"]),
            author.tok(),
            json!({}),
        )
        .await;
    assert_eq!(r.status.as_u16(), 200, "{:?}", r.body);
    assert!(r.body["read_at"].is_string());
    assert_eq!(count(author.token.clone()).await, 1);

    // Nobody reads another's item: not found.
    let r = app
        .post(
            &format!("/api/v1/notifications/{}/read", items[0]["id"]),
            stranger.tok(),
            json!({}),
        )
        .await;
    assert_eq!(r.status.as_u16(), 404);

    // Mark all read: nothing is deleted, everything is read.
    let r = app
        .post("/api/v1/notifications/read-all", author.tok(), json!({}))
        .await;
    assert_eq!(r.status.as_u16(), 200);
    assert_eq!(r.body["marked"], 1);
    assert_eq!(count(author.token.clone()).await, 0);
    let after = app.inbox(&author.token).await;
    assert_eq!(ids(&after), ids(&all));
    assert!(after.iter().all(|n| n["read_at"].is_string()));
    let r = app
        .get("/api/v1/notifications?unread=true", author.tok())
        .await;
    assert_eq!(r.body["items"], json!([]));
    app.done().await
}

#[actix_rt::test]
async fn pages_are_keyset_newest_first_without_overlap() -> TestResult {
    let app = TestApp::builder().demo().build().await;
    let c = app.demo_city().await.community;
    let author = app.user_with(Role::Resident, c).await;
    let neighbour = app.user_with(Role::Resident, c).await;
    let t = id_of(&app.raise_topic(&author.token, c, "噪音扰民").await);
    for i in 0..5 {
        let r = app
            .post(
                &format!("/api/v1/topics/{t}/comments"),
                neighbour.tok(),
                json!({"body": format!("第{i}条")}),
            )
            .await;
        assert_eq!(r.status.as_u16(), 201);
    }
    let all = ids(&app.inbox(&author.token).await);
    assert_eq!(all.len(), 5);
    assert!(all.windows(2).all(|w| w[0] > w[1]), "newest first: {all:?}");
    let mut seen = Vec::new();
    let mut cursor = String::new();
    for _ in 0..3 {
        let r = app
            .get(
                &format!("/api/v1/notifications?limit=2&cursor={cursor}"),
                author.tok(),
            )
            .await;
        assert_eq!(r.status.as_u16(), 200);
        seen.extend(ids(r.body["items"].as_array().unwrap()));
        match r.body["next_cursor"].as_str() {
            Some(c) => cursor = c.to_string(),
            None => break,
        }
    }
    assert_eq!(seen, all);
    let r = app.get("/api/v1/notifications?limit=0", author.tok()).await;
    assert_eq!(
        (r.status.as_u16(), r.body["field"].as_str()),
        (422, Some("limit"))
    );
    let r = app
        .get("/api/v1/notifications?cursor=zz!", author.tok())
        .await;
    assert_eq!(
        (r.status.as_u16(), r.body["field"].as_str()),
        (422, Some("cursor"))
    );
    let r = app.get("/api/v1/notifications", None).await;
    assert_eq!(r.status.as_u16(), 401);
    app.done().await
}
