#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The five steps 说议筹办评 told as one story over HTTP, with distinct users, from a broken
//! lift to a resolved, rated and audited topic.

mod common;

use awc::http::StatusCode;
use chrono::Datelike;
use common::{Body, Method, Resp, TestApp, TestResult, merged};
use serde_json::{Value, json};
use yishi::auth::Role;

async fn act(app: &TestApp, token: &str, topic: &Value, action: &str, extra: Value) -> Resp {
    let body = merged(
        json!({"action": action, "expected_version": topic["version"]}),
        extra,
    );
    app.post(
        &format!("/api/v1/topics/{}/transitions", topic["id"]),
        Some(token),
        body,
    )
    .await
}

async fn ok(app: &TestApp, token: &str, topic: &Value, action: &str, extra: Value) -> Value {
    let r = act(app, token, topic, action, extra).await;
    assert_eq!(r.status, StatusCode::OK, "{action}: {:?}", r.body);
    r.body
}

#[actix_rt::test]
async fn a_broken_lift_goes_through_all_five_steps() -> TestResult {
    let app = TestApp::builder()
        .setting("workflow.notice_days", "0")
        .setting("workflow.min_ratings", "3")
        .setting("workflow.hot_threshold", "3")
        .demo()
        .build()
        .await;
    let city = app.demo_city().await;
    let (community, firm, dept) = (city.community, city.firm, city.dept);

    let resident = (Role::Resident, Some(community), None);
    #[rustfmt::skip]
    let people = [
        ("zhang", Some(community), resident),
        ("li", Some(community), resident),
        ("wang", Some(community), resident),
        ("zhao", Some(community), resident),
        ("qian", Some(community), resident),
        ("staff", Some(community), (Role::CommunityStaff, Some(community), None)),
        ("sub", None, (Role::SubdistrictStaff, Some(city.subdistrict), None)),
        ("firm", None, (Role::PropertyFirm, Some(community), Some(firm))),
        ("other-firm", None, (Role::PropertyFirm, Some(community), Some(city.other_firm))),
        ("dept", None, (Role::Department, Some(community), Some(dept))),
    ];
    let mut tokens = std::collections::HashMap::new();
    for (name, home, grant) in people {
        let email = format!("{name}@example.com");
        tokens.insert(name, app.user_token(&email, home, &[grant]).await);
    }
    let [staff, sub, firm_user, other_firm_user, dept_user] =
        ["staff", "sub", "firm", "other-firm", "dept"].map(|n| tokens[n].clone());

    // 说: a resident raises it; a retried POST with the same key makes one topic.
    let new = json!({"place_id": community, "title": "3号楼电梯经常故障", "body": "3号楼电梯一周停了三次，老人上下楼很困难。", "category": "facilities"});
    let (zhang, new, api) = (&tokens["zhang"], &new, &app);
    let create = |key: &'static str| async move {
        let headers = [("Idempotency-Key", key)];
        let body = Body::Json(new.clone());
        api.send(Method::POST, "/api/v1/topics", Some(zhang), &headers, body)
            .await
    };
    let first = create("lift-1").await;
    assert_eq!(first.status, StatusCode::CREATED);
    let topic: Value = first.body;
    let again = create("lift-1").await;
    assert_eq!(again.status, StatusCode::CREATED);
    let again: Value = again.body;
    assert_eq!(again["id"], topic["id"]);
    assert_eq!(app.count("topics"), 1);
    assert_eq!(topic["stage"], "say");
    assert_eq!(topic["source"], "resident");
    let id = topic["id"].as_i64().unwrap();

    // Three neighbours support (附议); a second support by one of them is refused.
    for n in ["li", "wang", "zhao"] {
        let r = app
            .post(
                &format!("/api/v1/topics/{id}/supports"),
                Some(&tokens[n]),
                json!({}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    }
    let dup = app
        .post(
            &format!("/api/v1/topics/{id}/supports"),
            Some(&tokens["li"]),
            json!({}),
        )
        .await;
    assert_eq!(
        (dup.status, dup.code()),
        (StatusCode::CONFLICT, "topic.already_supported")
    );
    let topic = app
        .get(&format!("/api/v1/topics/{id}"), Some(&staff))
        .await
        .body;
    assert_eq!(topic["supporters_count"], 3);
    assert_eq!(topic["hot"], true);

    // Community staff accept it into the catalog: number YEAR-0001.
    let topic = ok(
        &app,
        &staff,
        &topic,
        "accept",
        json!({"note": "纳入议事目录"}),
    )
    .await;
    let year = chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .year();
    assert_eq!(topic["catalog_no"], format!("{year}-0001"));
    assert_eq!(topic["stage"], "discuss");

    // 议: residents comment for and against; staff escalate and decide.
    let c1 = app
        .post(
            &format!("/api/v1/topics/{id}/comments"),
            Some(&tokens["li"]),
            json!({"body": "支持加装新电梯", "stance": "for"}),
        )
        .await;
    assert_eq!(c1.status, StatusCode::CREATED);
    let c2 = app
        .post(
            &format!("/api/v1/topics/{id}/comments"),
            Some(&tokens["qian"]),
            json!({"body": "一楼住户不需要，反对分摊费用", "stance": "against", "parent_id": c1.body["id"]}),
        )
        .await;
    assert_eq!(c2.status, StatusCode::CREATED, "{:?}", c2.body);
    let topic = ok(&app, &staff, &topic, "escalate", json!({})).await;
    assert_eq!(topic["escalated"], true);
    let topic = ok(
        &app,
        &staff,
        &topic,
        "decide",
        json!({"decision": "由物业更换控制柜，维修资金列支"}),
    )
    .await;
    assert_eq!(topic["stage"], "plan");

    // 筹: a plan with resources and two tasks, published for public notice.
    let plan = app
        .put_json(
            &format!("/api/v1/topics/{id}/plan"),
            &staff,
            json!({"summary": "更换3号楼电梯控制柜并加装监控", "resources": [{"kind": "funds", "source": "住宅专项维修资金", "amount": 86000.0, "unit": "元"}]}),
        )
        .await;
    assert_eq!(plan.status, StatusCode::OK, "{:?}", plan.body);
    let due = (chrono::Utc::now() + chrono::Duration::days(30)).to_rfc3339();
    let firm_task = app
        .post(
            &format!("/api/v1/topics/{id}/tasks"),
            Some(&staff),
            json!({"title": "更换电梯控制柜", "organization_id": firm, "due_at": due}),
        )
        .await;
    assert_eq!(
        firm_task.status,
        StatusCode::CREATED,
        "{:?}",
        firm_task.body
    );
    let dept_task = app
        .post(
            &format!("/api/v1/topics/{id}/tasks"),
            Some(&staff),
            json!({"title": "电梯安全检验", "organization_id": dept, "due_at": due}),
        )
        .await;
    let topic = ok(&app, &staff, &topic, "publish_plan", json!({})).await;

    // 公示: a resident objects; staff dismiss it with a reason; only sub-district staff approve.
    let objection = app
        .post(
            &format!("/api/v1/topics/{id}/objections"),
            Some(&tokens["qian"]),
            json!({"body": "费用分摊方案不公平"}),
        )
        .await;
    assert_eq!(objection.status, StatusCode::CREATED);
    let early = act(&app, &sub, &topic, "approve_plan", json!({})).await;
    assert_eq!(
        (early.status, early.code()),
        (StatusCode::CONFLICT, "topic.objections_unanswered")
    );
    let answer = app
        .post(
            &format!("/api/v1/objections/{}/answer", objection.body["id"]),
            Some(&staff),
            json!({"decision": "dismissed", "reason": "一楼住户按规定不分摊"}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK);
    let by_staff = act(&app, &staff, &topic, "approve_plan", json!({})).await;
    assert_eq!(by_staff.status, StatusCode::FORBIDDEN);
    let topic = ok(&app, &sub, &topic, "approve_plan", json!({})).await;
    assert_eq!(topic["stage"], "act");

    // 办: each organisation updates only its own task.
    let path = |t: &Resp| format!("/api/v1/tasks/{}", t.body["id"]);
    let other = app
        .patch(
            &path(&firm_task),
            Some(&other_firm_user),
            json!({"status": "done", "expected_version": 1}),
        )
        .await;
    assert!(
        matches!(other.status.as_u16(), 403 | 404),
        "{:?}",
        other.body
    );
    let r = app
        .patch(
            &path(&dept_task),
            Some(&firm_user),
            json!({"status": "done", "expected_version": 1}),
        )
        .await;
    assert!(matches!(r.status.as_u16(), 403 | 404));
    let seen = app
        .get(&format!("/api/v1/topics/{id}/tasks"), Some(&firm_user))
        .await;
    assert_eq!(
        seen.body["items"].as_array().unwrap().len(),
        1,
        "a firm sees only its tasks"
    );
    let r = app
        .patch(&path(&firm_task), Some(&firm_user), json!({"status": "in_progress", "progress_note": "已订购控制柜", "expected_version": 1}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let stale = app
        .patch(
            &path(&firm_task),
            Some(&firm_user),
            json!({"status": "done", "expected_version": 1}),
        )
        .await;
    assert_eq!(
        (stale.status, stale.code()),
        (StatusCode::CONFLICT, "task.stale_version")
    );
    let r = app
        .patch(
            &path(&firm_task),
            Some(&firm_user),
            json!({"status": "done", "expected_version": 2}),
        )
        .await;
    assert_eq!(r.body["status"], "done");
    let early = act(&app, &staff, &topic, "complete", json!({})).await;
    assert_eq!(early.code(), "topic.tasks_not_done");
    let r = app
        .patch(
            &path(&dept_task),
            Some(&dept_user),
            json!({"status": "done", "expected_version": 1}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let topic = ok(&app, &staff, &topic, "complete", json!({})).await;
    assert_eq!(topic["stage"], "evaluate");

    // 评: a low mean forces rework; after rework a good mean closes it.
    let eval_path = format!("/api/v1/topics/{id}/evaluations");
    let rate = |who: &'static str, score: i32| {
        app.post(
            &eval_path,
            Some(&tokens[who]),
            json!({"score": score, "comment": "评价"}),
        )
    };
    for (who, s) in [("zhang", 2), ("li", 2), ("qian", 3)] {
        assert_eq!(rate(who, s).await.status, StatusCode::OK);
    }
    let refused = act(&app, &staff, &topic, "close", json!({})).await;
    assert_eq!(
        (refused.status, refused.code()),
        (StatusCode::CONFLICT, "topic.unsatisfied")
    );
    let topic = ok(
        &app,
        &staff,
        &topic,
        "rework",
        json!({"note": "居民不满意，重新整改"}),
    )
    .await;
    assert_eq!(topic["stage"], "act");
    let topic = ok(&app, &staff, &topic, "complete", json!({})).await;
    for (who, s) in [("zhang", 5), ("li", 4), ("wang", 4)] {
        assert_eq!(rate(who, s).await.status, StatusCode::OK);
    }
    let summary = app
        .get(&format!("/api/v1/topics/{id}/evaluations"), Some(&staff))
        .await;
    assert_eq!(summary.body["count"], 3);
    assert_eq!(summary.body["round"], 2);
    assert_eq!(summary.body["distribution"], json!([0, 0, 0, 2, 1]));
    let topic = ok(&app, &staff, &topic, "close", json!({})).await;
    assert_eq!(
        (topic["stage"].as_str(), topic["resolution"].as_str()),
        (Some("closed"), Some("resolved"))
    );

    // The timeline shows every step in order, and its chain verifies.
    let tl = app
        .get(
            &format!("/api/v1/topics/{id}/timeline?limit=100"),
            Some(&staff),
        )
        .await;
    let kinds: Vec<String> = tl.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(
            |e| match (e["kind"].as_str().unwrap(), e["to_stage"].as_str()) {
                ("transition", Some(to)) => format!("→{to}"),
                (k, _) => k.to_string(),
            },
        )
        .collect();
    let expected = [
        "created",
        "supported",
        "supported",
        "supported",
        "→discuss",
        "commented",
        "commented",
        "→discuss",
        "→plan",
        "plan_saved",
        "task_created",
        "task_created",
        "→plan",
        "objection_filed",
        "objection_dismissed",
        "→act",
        "task_progress",
        "task_progress",
        "task_progress",
        "→evaluate",
        "rated",
        "rated",
        "rated",
        "→act",
        "→evaluate",
        "rated",
        "rated",
        "rated",
        "→closed",
    ];
    let mut at = 0;
    for k in &kinds {
        if at < expected.len() && k == expected[at] {
            at += 1;
        }
    }
    assert_eq!(at, expected.len(), "timeline in order: {kinds:?}");
    let first_two: Vec<&Value> = tl.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .take(2)
        .collect();
    assert_eq!(first_two[1]["prev_hash"], first_two[0]["hash"]);
    assert!(
        app.with_db(|c| yishi::topics::events::verify_all(c).unwrap())
            .is_ok()
    );

    // The public sees the catalog and the page, without personal data.
    let catalog = app
        .get(&format!("/api/v1/public/places/{community}/catalog"), None)
        .await;
    assert_eq!(catalog.status, StatusCode::OK);
    assert_eq!(
        catalog.body["items"][0]["catalog_no"],
        format!("{year}-0001")
    );
    let page = app.get(&format!("/api/v1/public/topics/{id}"), None).await;
    assert_eq!(page.status, StatusCode::OK);
    let text = page.body.to_string();
    assert!(
        !text.contains("author_id") && !text.contains("actor_id") && !text.contains("@example.com")
    );
    assert_eq!(page.body["evaluation"]["count"], 3);
    assert_eq!(page.body["plan"]["status"], "approved");

    // Editing one event row in the database is detected, naming the event.
    let event_id: i64 = tl.body["items"][5]["id"].as_i64().unwrap();
    app.with_db(|c| {
        use diesel::prelude::*;
        use yishi::db::schema::topic_events;
        diesel::update(topic_events::table.find(event_id))
            .set(topic_events::note.eq("篡改"))
            .execute(c)
            .unwrap();
    });
    let broken = app
        .with_db(|c| yishi::topics::events::verify_all(c).unwrap())
        .unwrap_err();
    assert_eq!(broken.event_id, event_id);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_yishi"))
        .args([
            "--config-dir",
            concat!(env!("CARGO_MANIFEST_DIR"), "/config"),
            "--profile",
            "test",
            "audit",
            "verify",
        ])
        .env("YISHI_DATABASE__URL", &app.db.url)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains(&format!("event {event_id}")));
    app.stop().await;
    Ok(())
}
