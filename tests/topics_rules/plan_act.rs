//! Transitions, stage by stage: 筹, 办 and 评 (publish and approve the plan, complete, close,
//! rework).

use super::*;

#[actix_rt::test]
async fn plan_refusals_while_the_notice_period_runs() -> TestResult {
    // Default notice period: 7 days.
    let w = World::new(&[]).await;
    let app = &w.app;
    let id = w.raise("小区路灯不亮").await;
    w.drive(id, "plan").await;
    w.invalid_elsewhere(id, &["publish_plan", "approve_plan"])
        .await;
    let v = w.version(id).await;
    deny(
        app,
        "publish without tasks",
        w.act_v(&w.staff, id, v, "publish_plan", json!({})),
        Expect(409, "topic.plan_has_no_tasks", None),
    )
    .await;
    let saved = app
        .put_json(
            &format!("/api/v1/topics/{id}/plan"),
            &w.staff.token,
            json!({"summary": "更换路灯", "resources": []}),
        )
        .await;
    assert_eq!(saved.status.as_u16(), 200, "{:?}", saved.body);
    #[rustfmt::skip]
    w.deny_acts(id, &[
        ("publish a plan with a summary but no tasks", &w.staff, v, "publish_plan", json!({}), Expect(409, "topic.plan_has_no_tasks", None)),
        ("approve an unpublished plan", &w.sub, v, "approve_plan", json!({}), Expect(409, "topic.plan_not_published", None)),
    ])
    .await;
    w.add_task(id, w.city.firm, 30).await;
    for who in [&w.author, &w.r2] {
        deny(
            app,
            "a resident publishes",
            w.act_v(who, id, v, "publish_plan", json!({})),
            DENIED,
        )
        .await;
    }
    let sibling_staff = w.sibling_staff().await;
    deny(
        app,
        "staff of another community publish",
        w.act_v(&sibling_staff, id, v, "publish_plan", json!({})),
        DENIED,
    )
    .await;
    let published = w.ok(&w.staff, id, "publish_plan", json!({})).await;
    assert_eq!(published["stage"], "plan");
    let plan = w.plan(id).await;
    assert_eq!(plan["status"], "published");
    assert_eq!(plan["revision"], 1);
    let ends = chrono::DateTime::parse_from_rfc3339(plan["notice_ends_at"].as_str().unwrap())?
        .with_timezone(&chrono::Utc);
    let days = (ends - chrono::Utc::now()).num_hours();
    assert!((167..=168).contains(&days), "7-day notice: {ends}");

    let v = published["version"].as_i64().unwrap();
    #[rustfmt::skip]
    w.deny_acts(id, &[
        ("publish twice", &w.staff, v, "publish_plan", json!({}), Expect(409, "topic.plan_already_published", None)),
        ("community staff approve", &w.staff, v, "approve_plan", json!({}), DENIED),
    ])
    .await;
    let other_sub = w.other_sub().await;
    #[rustfmt::skip]
    w.deny_acts(id, &[
        ("sub-district staff of another sub-district approve", &other_sub, v, "approve_plan", json!({}), DENIED),
        ("approve while the notice period runs", &w.sub, v, "approve_plan", json!({}), Expect(409, "topic.notice_period_running", None)),
        ("stale approve", &w.sub, v - 1, "approve_plan", json!({}), Expect(409, "topic.stale_version", None)),
    ])
    .await;
    w.stop().await
}

#[actix_rt::test]
async fn an_upheld_objection_sends_the_plan_back_until_it_is_published_again() -> TestResult {
    let w = World::new(&[("workflow.notice_days", "0")]).await;
    let app = &w.app;
    let id = w.raise("小区路灯不亮").await;
    w.drive(id, "plan").await;
    w.add_task(id, w.city.firm, 30).await;
    w.ok(&w.staff, id, "publish_plan", json!({})).await;
    let objection = app
        .post(
            &format!("/api/v1/topics/{id}/objections"),
            Some(&w.r2.token),
            json!({"body": "路灯位置应改到路口"}),
        )
        .await;
    assert_eq!(objection.status.as_u16(), 201, "{:?}", objection.body);
    let v = w.version(id).await;
    deny(
        app,
        "approve with an unanswered objection",
        w.act_v(&w.sub, id, v, "approve_plan", json!({})),
        Expect(409, "topic.objections_unanswered", None),
    )
    .await;
    let answer = app
        .post(
            &format!("/api/v1/objections/{}/answer", objection.body["id"]),
            Some(&w.staff.token),
            json!({"decision": "upheld", "reason": "采纳，调整位置"}),
        )
        .await;
    assert_eq!(answer.status.as_u16(), 200, "{:?}", answer.body);
    assert_eq!(answer.body["decision"], "upheld");
    let plan = w.plan(id).await;
    assert_eq!(plan["status"], "draft");
    assert_eq!(plan["published_at"], Value::Null);
    deny(
        app,
        "approve a plan sent back",
        w.act_v(&w.sub, id, v, "approve_plan", json!({})),
        Expect(409, "topic.plan_not_published", None),
    )
    .await;
    // Revised, published again, approved.
    let saved = app
        .put_json(
            &format!("/api/v1/topics/{id}/plan"),
            &w.staff.token,
            json!({"summary": "路灯改装在路口", "resources": []}),
        )
        .await;
    assert_eq!(saved.status.as_u16(), 200, "{:?}", saved.body);
    w.ok(&w.staff, id, "publish_plan", json!({})).await;
    let plan = w.plan(id).await;
    assert_eq!(plan["status"], "published");
    assert_eq!(plan["revision"], 2);
    let approved = w.ok(&w.sub, id, "approve_plan", json!({})).await;
    assert_eq!(approved["stage"], "act");
    assert_eq!(w.plan(id).await["status"], "approved");
    w.finish().await
}

#[actix_rt::test]
async fn act_and_evaluate_refusals() -> TestResult {
    let w = World::new(&[("workflow.notice_days", "0")]).await;
    let app = &w.app;
    let id = w.raise("小区路灯不亮").await;
    w.drive(id, "act").await;
    w.invalid_elsewhere(id, &["complete"]).await;
    let v = w.version(id).await;
    #[rustfmt::skip]
    w.deny_acts(id, &[
        ("complete with a task not done", &w.staff, v, "complete", json!({}), Expect(409, "topic.tasks_not_done", None)),
        ("the author completes", &w.author, v, "complete", json!({}), DENIED),
    ])
    .await;
    let sibling_staff = w.sibling_staff().await;
    deny(
        app,
        "staff of another community complete",
        w.act_v(&sibling_staff, id, v, "complete", json!({})),
        DENIED,
    )
    .await;
    let firm_user = w.firm_user().await;
    deny(
        app,
        "the responsible firm completes",
        w.act_v(&firm_user, id, v, "complete", json!({})),
        DENIED,
    )
    .await;
    // A second task: one done is not enough.
    let t1 = w.plan(id).await["tasks"][0].clone();
    w.add_task(id, w.city.firm, 10).await;
    let r = app
        .patch(
            &format!("/api/v1/tasks/{}", t1["id"]),
            Some(&firm_user.token),
            json!({"status": "done", "expected_version": t1["version"]}),
        )
        .await;
    assert_eq!(r.status.as_u16(), 200, "{:?}", r.body);
    let v = w.version(id).await;
    deny(
        app,
        "complete with one of two tasks done",
        w.act_v(&w.staff, id, v, "complete", json!({})),
        Expect(409, "topic.tasks_not_done", None),
    )
    .await;
    w.drive(id, "evaluate").await;

    w.invalid_elsewhere(id, &["close", "rework"]).await;
    let v = w.version(id).await;
    #[rustfmt::skip]
    w.deny_acts(id, &[
        ("close with the window open and no ratings", &w.staff, v, "close", json!({}), Expect(409, "topic.evaluation_open", None)),
        ("rework without ratings", &w.staff, v, "rework", json!({}), Expect(409, "topic.no_ratings", None)),
    ])
    .await;
    let rated = app
        .post(
            &format!("/api/v1/topics/{id}/evaluations"),
            Some(&w.author.token),
            json!({"score": 5, "comment": "修好了"}),
        )
        .await;
    assert_eq!(rated.status.as_u16(), 200, "{:?}", rated.body);
    #[rustfmt::skip]
    w.deny_acts(id, &[
        ("close with one of five ratings and the window open", &w.staff, v, "close", json!({}), Expect(409, "topic.evaluation_open", None)),
        ("rework a satisfying result", &w.staff, v, "rework", json!({}), Expect(409, "topic.satisfied", None)),
    ])
    .await;
    for action in ["close", "rework"] {
        deny(
            app,
            &format!("the author tries {action}"),
            w.act_v(&w.author, id, v, action, json!({})),
            DENIED,
        )
        .await;
        deny(
            app,
            &format!("staff of another community try {action}"),
            w.act_v(&sibling_staff, id, v, action, json!({})),
            DENIED,
        )
        .await;
    }
    deny(
        app,
        "stale close",
        w.act_v(&w.staff, id, v + 1, "close", json!({})),
        Expect(409, "topic.stale_version", None),
    )
    .await;
    w.finish().await
}

/// docs/api.md: "A window that passes with no rating closes the topic"; rework still needs a
/// rating, and nobody rates after the window.
#[actix_rt::test]
async fn after_the_window_no_rating_or_rework_but_close_without_ratings() -> TestResult {
    let w = World::new(&[
        ("workflow.notice_days", "0"),
        ("workflow.evaluation_days", "0"),
    ])
    .await;
    let app = &w.app;
    let id = w.raise("小区路灯不亮").await;
    w.drive(id, "evaluate").await;
    let v = w.version(id).await;
    deny(
        app,
        "a rating after the window",
        app.post(
            &format!("/api/v1/topics/{id}/evaluations"),
            Some(&w.author.token),
            json!({"score": 4}),
        ),
        Expect(409, "topic.evaluation_closed", None),
    )
    .await;
    #[rustfmt::skip]
    w.deny_acts(id, &[
        ("rework with no ratings after the window", &w.staff, v, "rework", json!({}), Expect(409, "topic.no_ratings", None)),
        ("the author closes", &w.author, v, "close", json!({}), DENIED),
    ])
    .await;
    let closed = w.ok(&w.staff, id, "close", json!({})).await;
    assert_eq!(
        (closed["stage"].as_str(), closed["resolution"].as_str()),
        (Some("closed"), Some("resolved"))
    );
    w.invalid_elsewhere(id, &[]).await;
    w.finish().await
}
