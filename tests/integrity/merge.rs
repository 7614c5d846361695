//! A merge target must be open and in say or discuss (finding 7).

use super::*;

#[actix_rt::test]
async fn a_merge_target_must_be_open_and_in_say_or_discuss() {
    let w = World::new(&[]).await;
    let app = &w.app;
    let source = w.raise("路灯不亮（重复）").await;
    let s = app
        .post(
            &format!("/api/v1/topics/{source}/supports"),
            Some(&w.r2),
            json!({}),
        )
        .await;
    assert_eq!(s.status, StatusCode::OK, "{:?}", s.body);

    // A target in plan, reached over HTTP; act and evaluate set directly; one closed.
    let in_plan = w.raise("小区路灯不亮").await;
    w.ok(&w.sub, in_plan, "accept", json!({})).await;
    w.ok(
        &w.sub,
        in_plan,
        "decide",
        json!({"decision": "由物业更换路灯"}),
    )
    .await;
    assert_eq!(w.topic(in_plan).await["stage"], "plan");
    let in_act = w.raise("路灯坏了").await;
    w.force_stage(in_act, Stage::Act);
    let in_evaluate = w.raise("路灯太暗").await;
    w.force_stage(in_evaluate, Stage::Evaluate);
    let closed = w.raise("路灯闪烁").await;
    w.ok(&w.r1, closed, "withdraw", json!({})).await;

    let supports_before = w.app.count("supports");
    for (target, stage) in [
        (in_plan, "plan"),
        (in_act, "act"),
        (in_evaluate, "evaluate"),
        (closed, "closed"),
    ] {
        let r = w
            .act(
                &w.staff,
                source,
                "merge",
                json!({"target_topic_id": target}),
            )
            .await;
        assert_eq!(
            (r.status, r.code()),
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                "topic.invalid_merge_target"
            ),
            "merge into a topic in {stage}: {:?}",
            r.body
        );
        assert_eq!(r.body["field"], "target_topic_id");
    }
    assert_eq!(w.topic(source).await["stage"], "say");
    assert_eq!(
        w.app.count("supports"),
        supports_before,
        "no support carried"
    );

    // Into a topic in discuss it goes through, and the supports are carried.
    let in_discuss = w.raise("路灯需要维修").await;
    w.ok(&w.sub, in_discuss, "accept", json!({})).await;
    w.ok(
        &w.staff,
        source,
        "merge",
        json!({"target_topic_id": in_discuss}),
    )
    .await;
    let merged = w.topic(source).await;
    assert_eq!(
        (&merged["stage"], &merged["resolution"]),
        (&json!("closed"), &json!("merged"))
    );
    w.app.stop().await;
}
