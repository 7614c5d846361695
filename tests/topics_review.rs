#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The topic fixes of the review (issue 7), each over HTTP on SQLite and, with
//! TEST_DATABASE_URL, on PostgreSQL: crossed merges never deadlock, the task list by topic for
//! the topic's staff, `mine=true` on the topic list, the keyset-paged timeline, and typed rows
//! that fail loudly on an unknown stored name.

mod common;

use std::collections::BTreeSet;

use awc::http::StatusCode;
use chrono::{Datelike, Duration, TimeZone, Utc, Weekday};
use common::{Resp, TestApp};
use serde_json::{Value, json};
use yishi::auth::Role;

/// Raises a topic at `place` as `token`.
async fn raise(app: &TestApp, token: &str, place: i64, title: &str) -> Value {
    let r = app
        .post(
            "/api/v1/topics",
            Some(token),
            json!({"place_id": place, "title": title, "body": "请大家议一议", "category": "facilities"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    r.body
}

/// Sends a transition with the version `topic` shows.
async fn act(app: &TestApp, token: &str, topic: &Value, action: &str, extra: Value) -> Resp {
    let mut body = json!({"action": action, "expected_version": topic["version"]});
    body.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    app.post(
        &format!("/api/v1/topics/{}/transitions", topic["id"]),
        Some(token),
        body,
    )
    .await
}

/// Takes the actions in turn, each expected to succeed; returns the topic after the last.
async fn walk(app: &TestApp, token: &str, mut topic: Value, steps: &[(&str, Value)]) -> Value {
    for (action, extra) in steps {
        let r = act(app, token, &topic, action, extra.clone()).await;
        assert_eq!(r.status, StatusCode::OK, "{action}: {:?}", r.body);
        topic = r.body;
    }
    topic
}

fn ids(r: &Resp) -> BTreeSet<i64> {
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_i64().unwrap())
        .collect()
}

fn id(v: &Value) -> i64 {
    v["id"].as_i64().unwrap()
}

fn monday_at(hour: u32, minute: u32) -> chrono::DateTime<Utc> {
    let tz = chrono_tz::Asia::Shanghai;
    let mut day = (Utc::now() + Duration::days(2))
        .with_timezone(&tz)
        .date_naive();
    while day.weekday() != Weekday::Mon {
        day = day.succ_opt().unwrap();
    }
    tz.from_local_datetime(&day.and_hms_opt(hour, minute, 0).unwrap())
        .single()
        .unwrap()
        .with_timezone(&Utc)
}

#[actix_rt::test]
async fn crossed_merges_never_deadlock() {
    let app = TestApp::spawn_with(&[("database.pool_size", "8")]).await;
    app.seed_demo();
    let community = app.place("demo-330200-0-0-0");
    let staff = app
        .user_token(
            "staff@example.com",
            Some(community),
            &[(Role::CommunityStaff, Some(community), None)],
        )
        .await;
    for round in 0..8 {
        let a = raise(&app, &staff, community, &format!("第{round}轮议题甲")).await;
        let b = raise(&app, &staff, community, &format!("第{round}轮议题乙")).await;
        // A into B and B into A at the same moment.
        let (ab, ba) = futures_util::future::join(
            act(
                &app,
                &staff,
                &a,
                "merge",
                json!({"target_topic_id": b["id"]}),
            ),
            act(
                &app,
                &staff,
                &b,
                "merge",
                json!({"target_topic_id": a["id"]}),
            ),
        )
        .await;
        let statuses = [ab.status.as_u16(), ba.status.as_u16()];
        assert!(
            statuses.contains(&200) && statuses.iter().any(|s| (400..500).contains(s)),
            "round {round}: exactly one merge wins, the other gets a 4xx, never a 500: {:?} {:?}",
            (ab.status, &ab.body),
            (ba.status, &ba.body)
        );
        let loser = if ab.status == StatusCode::OK {
            &ba
        } else {
            &ab
        };
        assert!(
            ["topic.invalid_merge_target", "topic.stale_version"].contains(&loser.code()),
            "round {round}: {:?}",
            loser.body
        );
        // The winner is closed as merged into the other, which stays open.
        let (gone, kept) = if ab.status == StatusCode::OK {
            (&a, &b)
        } else {
            (&b, &a)
        };
        let gone = app
            .get(&format!("/api/v1/topics/{}", gone["id"]), Some(&staff))
            .await;
        assert_eq!(gone.body["resolution"], "merged");
        assert_eq!(gone.body["merged_into"], kept["id"]);
        let kept = app
            .get(&format!("/api/v1/topics/{}", kept["id"]), Some(&staff))
            .await;
        assert_eq!(kept.body["stage"], "say");
    }
    assert_eq!(
        app.with_db(|c| yishi::topics::events::verify_all(c).unwrap()),
        Ok(app.count("topic_events") as usize)
    );
}

#[actix_rt::test]
async fn the_topics_staff_list_its_tasks_without_a_place() {
    let app = TestApp::spawn().await;
    app.seed_demo();
    let community = app.place("demo-330200-0-0-0");
    let sibling = app.place("demo-330200-0-0-1");
    let firm = app
        .get("/api/v1/organizations?kind=property_firm", None)
        .await
        .body["items"][0]["id"]
        .as_i64()
        .unwrap();
    let staff = app
        .user_token(
            "staff@example.com",
            Some(community),
            &[(Role::CommunityStaff, Some(community), None)],
        )
        .await;
    let elsewhere = app
        .user_token(
            "elsewhere@example.com",
            Some(sibling),
            &[(Role::CommunityStaff, Some(sibling), None)],
        )
        .await;
    let firm_user = app
        .user_token(
            "firm@example.com",
            None,
            &[(Role::PropertyFirm, Some(community), Some(firm))],
        )
        .await;
    let topic = raise(&app, &staff, community, "小区路灯不亮").await;
    let topic = walk(
        &app,
        &staff,
        topic,
        &[
            ("accept", json!({})),
            ("decide", json!({"decision": "更换路灯"})),
        ],
    )
    .await;
    assert_eq!(topic["stage"], "plan");
    let due = Utc::now() + Duration::days(30);
    for title in ["采购灯具", "安装灯具"] {
        let t = app
            .post(
                &format!("/api/v1/topics/{}/tasks", topic["id"]),
                Some(&staff),
                json!({"title": title, "organization_id": firm, "due_at": due}),
            )
            .await;
        assert_eq!(t.status, StatusCode::CREATED, "{:?}", t.body);
    }
    // A second topic's task must not show up in the first topic's list.
    let other = raise(&app, &staff, community, "健身器材损坏").await;
    let other = walk(
        &app,
        &staff,
        other,
        &[
            ("accept", json!({})),
            ("decide", json!({"decision": "维修器材"})),
        ],
    )
    .await;
    let t = app
        .post(
            &format!("/api/v1/topics/{}/tasks", other["id"]),
            Some(&staff),
            json!({"title": "维修器材", "organization_id": firm, "due_at": due}),
        )
        .await;
    assert_eq!(t.status, StatusCode::CREATED, "{:?}", t.body);

    let by_topic = format!("/api/v1/tasks?topic_id={}", topic["id"]);
    let r = app.get(&by_topic, Some(&staff)).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let items = r.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert!(items.iter().all(|t| t["topic_id"] == topic["id"]));
    // The responsible organisation's user sees the same tasks through the topic.
    let r = app.get(&by_topic, Some(&firm_user)).await;
    assert_eq!(ids(&r).len(), 2);
    // Staff of another community do not.
    let r = app.get(&by_topic, Some(&elsewhere)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{:?}", r.body);
    assert_eq!(r.code(), "permission.denied");
    // An unknown topic is a 404.
    let r = app.get("/api/v1/tasks?topic_id=999999", Some(&staff)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{:?}", r.body);
    // Without topic or place, staff still get the old answer.
    let r = app.get("/api/v1/tasks", Some(&staff)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    assert_eq!(r.code(), "validation.required");
}

#[actix_rt::test]
async fn mine_keeps_the_topics_of_the_callers_places() {
    let app = TestApp::spawn().await;
    app.seed_demo();
    let a = app.place("demo-330200-0-0-0");
    let subdistrict = app.place("demo-330200-0-0");
    let b = app.place("demo-330200-0-1-0");
    let staff_a = app
        .user_token(
            "staff-a@example.com",
            Some(a),
            &[(Role::CommunityStaff, Some(a), None)],
        )
        .await;
    let staff_b = app
        .user_token(
            "staff-b@example.com",
            Some(b),
            &[(Role::CommunityStaff, Some(b), None)],
        )
        .await;
    let cppcc = app
        .user_token(
            "cppcc@example.com",
            None,
            &[(Role::CppccMember, Some(subdistrict), None)],
        )
        .await;
    let nobody = app.user_token("nobody@example.com", None, &[]).await;
    let escalate = [("accept", json!({})), ("escalate", json!({}))];
    let a1 = walk(
        &app,
        &staff_a,
        raise(&app, &staff_a, a, "甲一").await,
        &escalate,
    )
    .await;
    let a2 = walk(
        &app,
        &staff_a,
        raise(&app, &staff_a, a, "甲二").await,
        &escalate,
    )
    .await;
    let a3 = raise(&app, &staff_a, a, "甲三").await;
    let b1 = walk(
        &app,
        &staff_b,
        raise(&app, &staff_b, b, "乙一").await,
        &escalate,
    )
    .await;

    // a2 goes on the agenda of a meeting: it is scheduled.
    let m = app
        .post(
            "/api/v1/consultations",
            Some(&cppcc),
            json!({"place_id": a, "title": "甲二微协商", "kind": "micro_consultation", "format": "in_person",
                   "venue": "幸福社区议事厅", "starts_at": monday_at(10, 0), "ends_at": monday_at(11, 30),
                   "from_topic_id": a2["id"]}),
        )
        .await;
    assert_eq!(m.status, StatusCode::CREATED, "{:?}", m.body);

    let queue = "/api/v1/topics?escalated=true&unscheduled=true";
    // Without mine: every escalated, unscheduled topic.
    assert_eq!(
        ids(&app.get(queue, Some(&cppcc)).await),
        BTreeSet::from([id(&a1), id(&b1)])
    );
    // The CPPCC member's 请你来协商 queue: within the sub-district only.
    let mine_queue = format!("{queue}&mine=true");
    assert_eq!(
        ids(&app.get(&mine_queue, Some(&cppcc)).await),
        BTreeSet::from([id(&a1)])
    );
    // Staff worklists: their community's topics, whatever the stage.
    assert_eq!(
        ids(&app.get("/api/v1/topics?mine=true", Some(&staff_a)).await),
        BTreeSet::from([id(&a1), id(&a2), id(&a3)])
    );
    assert_eq!(
        ids(&app.get("/api/v1/topics?mine=true", Some(&staff_b)).await),
        BTreeSet::from([id(&b1)])
    );
    // mine combines with the other filters.
    assert_eq!(
        ids(&app
            .get("/api/v1/topics?mine=true&stage=say", Some(&staff_a))
            .await),
        BTreeSet::from([id(&a3)])
    );
    // No role place, no topics.
    assert!(ids(&app.get("/api/v1/topics?mine=true", Some(&nobody)).await).is_empty());
    // mine=false is the plain list.
    assert_eq!(
        ids(&app.get("/api/v1/topics?mine=false", Some(&staff_b)).await).len(),
        4
    );
}

#[actix_rt::test]
async fn the_timeline_pages_by_keyset() {
    let app = TestApp::spawn().await;
    app.seed_demo();
    let community = app.place("demo-330200-0-0-0");
    let staff = app
        .user_token(
            "staff@example.com",
            Some(community),
            &[(Role::CommunityStaff, Some(community), None)],
        )
        .await;
    let topic = raise(&app, &staff, community, "垃圾分类点位调整").await;
    // Interleave another topic's events, so ids of one topic are not consecutive.
    let other = raise(&app, &staff, community, "另一议题").await;
    let mut t = topic.clone();
    for n in 0..4 {
        let c = app
            .post(
                &format!("/api/v1/topics/{}/comments", t["id"]),
                Some(&staff),
                json!({"body": format!("意见{n}")}),
            )
            .await;
        assert_eq!(c.status, StatusCode::CREATED, "{:?}", c.body);
        let c = app
            .post(
                &format!("/api/v1/topics/{}/comments", other["id"]),
                Some(&staff),
                json!({"body": "别的"}),
            )
            .await;
        assert_eq!(c.status, StatusCode::CREATED, "{:?}", c.body);
    }
    t = walk(&app, &staff, t, &[("accept", json!({}))]).await;
    assert_eq!(t["stage"], "discuss");

    let path = format!("/api/v1/topics/{}/timeline", topic["id"]);
    let whole = app.get(&format!("{path}?limit=100"), Some(&staff)).await;
    assert_eq!(whole.status, StatusCode::OK, "{:?}", whole.body);
    let all: Vec<i64> = whole.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["seq"].as_i64().unwrap())
        .collect();
    assert_eq!(all, (1..=6).collect::<Vec<_>>());
    assert!(whole.body["next_cursor"].is_null());

    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let url = match &cursor {
            Some(c) => format!("{path}?limit=4&cursor={c}"),
            None => format!("{path}?limit=4"),
        };
        let r = app.get(&url, Some(&staff)).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        for e in r.body["items"].as_array().unwrap() {
            assert_eq!(e["hash"].as_str().unwrap().len(), 64);
            seen.push(e["seq"].as_i64().unwrap());
        }
        pages += 1;
        match r.body["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    assert_eq!((seen, pages), (all, 2));
    // A bad cursor is still a 400, an unknown topic a 404.
    let r = app
        .get(&format!("{path}?cursor=not-a-cursor"), Some(&staff))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{:?}", r.body);
    let r = app
        .get("/api/v1/topics/999999/timeline", Some(&staff))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{:?}", r.body);
}

#[actix_rt::test]
async fn an_unknown_stored_name_is_an_error_not_a_fallback() {
    let app = TestApp::spawn().await;
    app.seed_demo();
    let community = app.place("demo-330200-0-0-0");
    let staff = app
        .user_token(
            "staff@example.com",
            Some(community),
            &[(Role::CommunityStaff, Some(community), None)],
        )
        .await;
    let topic = raise(&app, &staff, community, "存储值被改坏").await;
    let c = app
        .post(
            &format!("/api/v1/topics/{}/comments", topic["id"]),
            Some(&staff),
            json!({"body": "一条意见"}),
        )
        .await;
    assert_eq!(c.status, StatusCode::CREATED, "{:?}", c.body);
    let comments = format!("/api/v1/topics/{}/comments", topic["id"]);
    assert_eq!(
        app.get(&comments, Some(&staff)).await.status,
        StatusCode::OK
    );
    // A stance nobody knows: the list fails loudly instead of calling it neutral.
    app.with_db(|c| {
        use diesel::prelude::*;
        diesel::sql_query("UPDATE comments SET stance = 'sideways'")
            .execute(c)
            .unwrap();
    });
    let r = app.get(&comments, Some(&staff)).await;
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR, "{:?}", r.body);
    assert_eq!(r.code(), "server.internal");
    // A stage nobody knows: the topic is not shown as closed.
    let path = format!("/api/v1/topics/{}", topic["id"]);
    assert_eq!(app.get(&path, Some(&staff)).await.body["stage"], "say");
    app.with_db(|c| {
        use diesel::prelude::*;
        diesel::sql_query("UPDATE topics SET stage = 'limbo'")
            .execute(c)
            .unwrap();
    });
    let r = app.get(&path, Some(&staff)).await;
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR, "{:?}", r.body);
    assert_eq!(r.code(), "server.internal");
    // Nor can a transition take it anywhere.
    let r = act(&app, &staff, &topic, "accept", json!({})).await;
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR, "{:?}", r.body);
}
