#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The topic fixes of the review (issue 7), each over HTTP on SQLite and, with
//! TEST_DATABASE_URL, on PostgreSQL: crossed merges never deadlock, the task list by topic for
//! the topic's staff, `mine=true` on the topic list, the keyset-paged timeline, and typed rows
//! that fail loudly on an unknown stored name.

mod common;

use std::collections::BTreeSet;

use chrono::{Duration, Utc};
use common::{
    DENIED, DemoCity, Expect, Resp, StatusCode, TestApp, TestResult, User, call, id_of, id_set,
    merged, monday_at, problem, problem_all,
};
use serde_json::{Value, json};
use yishi::auth::Role;

/// 500 `server.internal`: what a row the code cannot read answers.
const INTERNAL: Expect<'static> = Expect(500, "server.internal", None);

/// A server over the seeded demo city with `settings`, and the city.
async fn seeded(settings: &[(&str, &str)]) -> (TestApp, DemoCity) {
    let app = TestApp::builder().settings(settings).demo().build().await;
    let city = app.demo_city().await;
    (app, city)
}

/// [`seeded`], with the city's community and a community staff member of it.
async fn staffed(settings: &[(&str, &str)]) -> (TestApp, i64, User) {
    let (app, city) = seeded(settings).await;
    let staff = app.user_with(Role::CommunityStaff, city.community).await;
    (app, city.community, staff)
}

/// Raises a topic at `place` as `who`.
async fn raise(app: &TestApp, who: &User, place: i64, title: &str) -> Value {
    let r = app
        .post(
            "/api/v1/topics",
            who.tok(),
            json!({"place_id": place, "title": title, "body": "请大家议一议", "category": "facilities"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{title}: {:?}", r.body);
    r.body
}

/// Sends a transition with the version `topic` shows.
async fn act(app: &TestApp, who: &User, topic: &Value, action: &str, extra: Value) -> Resp {
    let body = merged(
        json!({"action": action, "expected_version": topic["version"]}),
        extra,
    );
    app.post(
        &format!("/api/v1/topics/{}/transitions", topic["id"]),
        who.tok(),
        body,
    )
    .await
}

/// Takes the actions in turn, each expected to succeed; returns the topic after the last.
async fn walk(app: &TestApp, who: &User, mut topic: Value, steps: &[(&str, Value)]) -> Value {
    for (action, extra) in steps {
        let r = act(app, who, &topic, action, extra.clone()).await;
        assert_eq!(r.status, StatusCode::OK, "{action}: {:?}", r.body);
        topic = r.body;
    }
    topic
}

/// Raises a topic at `place` as `who` and takes `steps` on it.
async fn raised(
    app: &TestApp,
    who: &User,
    place: i64,
    title: &str,
    steps: &[(&str, Value)],
) -> Value {
    let topic = raise(app, who, place, title).await;
    walk(app, who, topic, steps).await
}

#[actix_rt::test]
async fn crossed_merges_never_deadlock() -> TestResult {
    let (app, community, staff) = staffed(&[("database.pool_size", "8")]).await;
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
        // The winner is closed as merged into the other, which stays open.
        let (loser, gone, kept) = if ab.status == StatusCode::OK {
            (&ba, &a, &b)
        } else {
            (&ab, &b, &a)
        };
        assert!(
            ["topic.invalid_merge_target", "topic.stale_version"].contains(&loser.code()),
            "round {round}: {:?}",
            loser.body
        );
        let gone = app
            .get(&format!("/api/v1/topics/{}", gone["id"]), staff.tok())
            .await;
        assert_eq!(gone.body["resolution"], "merged", "round {round}");
        assert_eq!(gone.body["merged_into"], kept["id"], "round {round}");
        let kept = app
            .get(&format!("/api/v1/topics/{}", kept["id"]), staff.tok())
            .await;
        assert_eq!(kept.body["stage"], "say", "round {round}");
    }
    let verified = app.with_db(yishi::topics::events::verify_all)?;
    assert_eq!(verified, Ok(usize::try_from(app.count("topic_events"))?));
    app.done().await
}

#[actix_rt::test]
async fn the_topics_staff_list_its_tasks_without_a_place() -> TestResult {
    let (app, city) = seeded(&[]).await;
    let (community, firm) = (city.community, city.firm);
    let staff = app.user_with(Role::CommunityStaff, community).await;
    let elsewhere = app.user_with(Role::CommunityStaff, city.sibling).await;
    let firm_user = app
        .user_with_grants(&[(Role::PropertyFirm, Some(community), Some(firm))])
        .await;
    let to_plan = |decision: &str| {
        [
            ("accept", json!({})),
            ("decide", json!({ "decision": decision })),
        ]
    };
    let topic = raised(
        &app,
        &staff,
        community,
        "小区路灯不亮",
        &to_plan("更换路灯"),
    )
    .await;
    assert_eq!(topic["stage"], "plan");
    // A second topic's task must not show up in the first topic's list.
    let other = raised(
        &app,
        &staff,
        community,
        "健身器材损坏",
        &to_plan("维修器材"),
    )
    .await;
    let due = Utc::now() + Duration::days(30);
    for (on, title) in [
        (&topic, "采购灯具"),
        (&topic, "安装灯具"),
        (&other, "维修器材"),
    ] {
        let t = app
            .post(
                &format!("/api/v1/topics/{}/tasks", on["id"]),
                staff.tok(),
                json!({"title": title, "organization_id": firm, "due_at": due}),
            )
            .await;
        assert_eq!(t.status, StatusCode::CREATED, "{title}: {:?}", t.body);
    }

    let by_topic = format!("/api/v1/tasks?topic_id={}", topic["id"]);
    // The topic's staff, and the responsible organisation's user through the topic, see the
    // topic's two tasks and no other.
    for (what, who) in [
        ("the topic's staff", &staff),
        ("the firm's user", &firm_user),
    ] {
        let r = app.get(&by_topic, who.tok()).await;
        assert_eq!(r.status, StatusCode::OK, "{what}: {:?}", r.body);
        let items = r.body["items"].as_array().ok_or("items")?;
        assert_eq!(items.len(), 2, "{what}: {items:?}");
        assert!(
            items.iter().all(|t| t["topic_id"] == topic["id"]),
            "{what}: {items:?}"
        );
    }
    #[rustfmt::skip]
    let cases = [
        ("staff of another community", call::get(&by_topic, elsewhere.tok()), DENIED),
        ("an unknown topic", call::get("/api/v1/tasks?topic_id=999999", staff.tok()), Expect(404, "topic.not_found", None)),
        // Without topic or place, staff still get the old answer.
        ("neither topic nor place", call::get("/api/v1/tasks", staff.tok()), Expect(422, "validation.required", None)),
    ];
    problem_all(&app, cases).await;
    app.done().await
}

#[actix_rt::test]
async fn mine_keeps_the_topics_of_the_callers_places() -> TestResult {
    let (app, city) = seeded(&[]).await;
    let (a, subdistrict) = (city.community, city.subdistrict);
    // A community of the other sub-district.
    let b = app.place("demo-330200-0-1-0");
    let staff_a = app.user_with(Role::CommunityStaff, a).await;
    let staff_b = app.user_with(Role::CommunityStaff, b).await;
    let cppcc = app.user_with(Role::CppccMember, subdistrict).await;
    let nobody = app.user_with_grants(&[]).await;
    let escalate = [("accept", json!({})), ("escalate", json!({}))];
    let a1 = id_of(&raised(&app, &staff_a, a, "甲一", &escalate).await);
    let a2 = id_of(&raised(&app, &staff_a, a, "甲二", &escalate).await);
    let a3 = id_of(&raised(&app, &staff_a, a, "甲三", &[]).await);
    let b1 = id_of(&raised(&app, &staff_b, b, "乙一", &escalate).await);

    // a2 goes on the agenda of a meeting: it is scheduled.
    let m = app
        .post(
            "/api/v1/consultations",
            cppcc.tok(),
            json!({"place_id": a, "title": "甲二微协商", "kind": "micro_consultation", "format": "in_person",
                   "venue": "幸福社区议事厅", "starts_at": monday_at(10, 0), "ends_at": monday_at(11, 30),
                   "from_topic_id": a2}),
        )
        .await;
    assert_eq!(m.status, StatusCode::CREATED, "{:?}", m.body);

    let queue = "/api/v1/topics?escalated=true&unscheduled=true";
    let mine_queue = format!("{queue}&mine=true");
    #[rustfmt::skip]
    let cases: [(&str, &str, &User, &[i64]); 7] = [
        ("without mine: every escalated, unscheduled topic", queue, &cppcc, &[a1, b1]),
        ("the CPPCC member's 请你来协商 queue: within the sub-district only", &mine_queue, &cppcc, &[a1]),
        ("staff worklists: their community's topics, whatever the stage", "/api/v1/topics?mine=true", &staff_a, &[a1, a2, a3]),
        ("the other community's staff", "/api/v1/topics?mine=true", &staff_b, &[b1]),
        ("mine combines with the other filters", "/api/v1/topics?mine=true&stage=say", &staff_a, &[a3]),
        ("no role place, no topics", "/api/v1/topics?mine=true", &nobody, &[]),
        ("mine=false is the plain list", "/api/v1/topics?mine=false", &staff_b, &[a1, a2, a3, b1]),
    ];
    for (what, path, who, want) in cases {
        let r = app.get(path, who.tok()).await;
        assert_eq!(r.status, StatusCode::OK, "{what}: {:?}", r.body);
        let want: BTreeSet<i64> = want.iter().copied().collect();
        assert_eq!(id_set(&r.body), want, "{what}");
    }
    app.done().await
}

#[actix_rt::test]
async fn the_timeline_pages_by_keyset() -> TestResult {
    let (app, community, staff) = staffed(&[]).await;
    let topic = raise(&app, &staff, community, "垃圾分类点位调整").await;
    // Interleave another topic's events, so ids of one topic are not consecutive.
    let other = raise(&app, &staff, community, "另一议题").await;
    for n in 0..4 {
        for (on, body) in [(&topic, format!("意见{n}")), (&other, "别的".to_string())] {
            let c = app
                .post(
                    &format!("/api/v1/topics/{}/comments", on["id"]),
                    staff.tok(),
                    json!({ "body": body }),
                )
                .await;
            assert_eq!(c.status, StatusCode::CREATED, "{body}: {:?}", c.body);
        }
    }
    let t = walk(&app, &staff, topic.clone(), &[("accept", json!({}))]).await;
    assert_eq!(t["stage"], "discuss");

    let path = format!("/api/v1/topics/{}/timeline", topic["id"]);
    let whole = app.get(&format!("{path}?limit=100"), staff.tok()).await;
    assert_eq!(whole.status, StatusCode::OK, "{:?}", whole.body);
    let all = whole.body["items"]
        .as_array()
        .ok_or("items")?
        .iter()
        .map(|e| e["seq"].as_i64().ok_or("seq"))
        .collect::<Result<Vec<i64>, _>>()?;
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
        let r = app.get(&url, staff.tok()).await;
        assert_eq!(r.status, StatusCode::OK, "page {pages}: {:?}", r.body);
        for e in r.body["items"].as_array().ok_or("items")? {
            assert_eq!(e["hash"].as_str().ok_or("hash")?.len(), 64, "{e:?}");
            seen.push(e["seq"].as_i64().ok_or("seq")?);
        }
        pages += 1;
        match r.body["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    assert_eq!((seen, pages), (all, 2));
    #[rustfmt::skip]
    let cases = [
        // A bad cursor is still a 400, an unknown topic a 404.
        ("a bad cursor", call::get(format!("{path}?cursor=not-a-cursor"), staff.tok()), Expect(422, "request.invalid_cursor", Some("cursor"))),
        ("an unknown topic", call::get("/api/v1/topics/999999/timeline", staff.tok()), Expect(404, "topic.not_found", None)),
    ];
    problem_all(&app, cases).await;
    app.done().await
}

#[actix_rt::test]
async fn an_unknown_stored_name_is_an_error_not_a_fallback() -> TestResult {
    use diesel::prelude::*;
    let (app, community, staff) = staffed(&[]).await;
    let topic = raise(&app, &staff, community, "存储值被改坏").await;
    let comments = format!("/api/v1/topics/{}/comments", topic["id"]);
    let c = app
        .post(&comments, staff.tok(), json!({"body": "一条意见"}))
        .await;
    assert_eq!(c.status, StatusCode::CREATED, "{:?}", c.body);
    let path = format!("/api/v1/topics/{}", topic["id"]);
    // (what, the corruption, the read it breaks, what that read showed before)
    #[rustfmt::skip]
    let cases = [
        // A stance nobody knows: the list fails loudly instead of calling it neutral.
        ("a stance nobody knows", "UPDATE comments SET stance = 'sideways'", &comments, ("/items/0/body", "一条意见")),
        // A stage nobody knows: the topic is not shown as closed.
        ("a stage nobody knows", "UPDATE topics SET stage = 'limbo'", &path, ("/stage", "say")),
    ];
    for (what, corrupt, read, (pointer, was)) in cases {
        let r = app.get(read, staff.tok()).await;
        assert_eq!(r.status, StatusCode::OK, "{what}, before: {:?}", r.body);
        assert_eq!(r.body.pointer(pointer), Some(&json!(was)), "{what}, before");
        app.with_db(|c| diesel::sql_query(corrupt).execute(c))?;
        problem(what, app.get(read, staff.tok()), INTERNAL).await;
    }
    // Nor can a transition take it anywhere.
    problem(
        "a transition from an unknown stage",
        act(&app, &staff, &topic, "accept", json!({})),
        INTERNAL,
    )
    .await;
    app.done().await
}
