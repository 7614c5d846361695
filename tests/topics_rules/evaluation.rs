//! Evaluation (评).

use super::*;

#[actix_rt::test]
async fn evaluation_eligibility_scores_window_and_edits() -> TestResult {
    let w = World::new(&[("workflow.notice_days", "0")]).await;
    let app = &w.app;
    let id = w.raise("小区路灯不亮").await;
    let r4 = w.resident("r4").await;
    // r2 supports, r3 comments, r4 does neither.
    let s = app
        .post(
            &format!("/api/v1/topics/{id}/supports"),
            Some(&w.r2.token),
            json!({}),
        )
        .await;
    assert_eq!(s.status.as_u16(), 200);
    let c = app
        .post(
            &format!("/api/v1/topics/{id}/comments"),
            Some(&w.r3.token),
            json!({"body": "我家门口也不亮"}),
        )
        .await;
    assert_eq!(c.status.as_u16(), 201);
    let rate = |who: &User, body: Value| {
        let token = who.token.clone();
        async move {
            app.post(
                &format!("/api/v1/topics/{id}/evaluations"),
                Some(&token),
                body,
            )
            .await
        }
    };
    for stage in ["say", "discuss", "plan", "act"] {
        w.drive(id, stage).await;
        deny(
            app,
            &format!("a rating in {stage}"),
            rate(&w.author, json!({"score": 4})),
            Expect(409, "topic.evaluation_closed", None),
        )
        .await;
    }
    w.drive(id, "evaluate").await;
    let outsider = w.outsider().await;
    #[rustfmt::skip]
    let table = [
        (&r4, "a resident who took no part"),
        (&outsider, "a resident of another community"),
        (&w.staff, "staff"),
    ];
    for (who, name) in table {
        deny(
            app,
            name,
            rate(who, json!({"score": 4})),
            Expect(403, "evaluation.not_eligible", None),
        )
        .await;
    }
    for score in [0, 6, -1] {
        deny(
            app,
            &format!("score {score}"),
            rate(&w.author, json!({"score": score})),
            Expect(422, "validation.range", Some("score")),
        )
        .await;
    }
    deny(
        app,
        "score not a number",
        rate(&w.author, json!({"score": "five"})),
        Expect(400, "request.invalid_field", Some("score")),
    )
    .await;

    let r = rate(&w.author, json!({"score": 2, "comment": "亮度不够"})).await;
    assert_eq!(r.status.as_u16(), 200, "{:?}", r.body);
    assert_eq!(
        (&r.body["count"], &r.body["mean"]),
        (&json!(1), &json!(2.0))
    );
    let r = rate(&w.author, json!({"score": 4, "comment": "调亮了"})).await;
    assert_eq!(r.status.as_u16(), 200, "{:?}", r.body);
    assert_eq!(
        (&r.body["count"], &r.body["mean"]),
        (&json!(1), &json!(4.0))
    );
    assert_eq!(app.count("evaluations"), 1, "an edit, not a second rating");
    // The supporter and the commenter may rate too.
    let r = rate(&w.r2, json!({"score": 5})).await;
    assert_eq!(r.status.as_u16(), 200, "{:?}", r.body);
    let r = rate(&w.r3, json!({"score": 3})).await;
    assert_eq!(r.status.as_u16(), 200, "{:?}", r.body);
    let summary = app
        .get(
            &format!("/api/v1/topics/{id}/evaluations"),
            Some(&w.staff.token),
        )
        .await;
    assert_eq!(summary.body["count"], 3);
    assert_eq!(summary.body["mean"], 4.0);
    assert_eq!(summary.body["distribution"], json!([0, 0, 1, 1, 1]));
    assert_eq!(app.count("evaluations"), 3);
    w.finish().await
}

/// SPEC: "residents who raised, supported, commented on or attended a meeting about the topic
/// rate 1-5". Staff or the responsible firm who commented are not residents and must not rate
/// their own work.
#[actix_rt::test]
async fn only_residents_rate_even_when_others_commented() -> TestResult {
    let w = World::new(&[("workflow.notice_days", "0")]).await;
    let app = &w.app;
    let id = w.raise("小区路灯不亮").await;
    let firm_user = w.firm_user().await;
    for who in [&firm_user, &w.staff] {
        let c = app
            .post(
                &format!("/api/v1/topics/{id}/comments"),
                Some(&who.token),
                json!({"body": "我们会尽快处理"}),
            )
            .await;
        assert_eq!(c.status.as_u16(), 201, "{:?}", c.body);
    }
    w.drive(id, "evaluate").await;
    for (who, name) in [(&firm_user, "the responsible firm"), (&w.staff, "staff")] {
        deny(
            app,
            &format!("{name}, who commented, rates"),
            app.post(
                &format!("/api/v1/topics/{id}/evaluations"),
                Some(&who.token),
                json!({"score": 5}),
            ),
            Expect(403, "evaluation.not_eligible", None),
        )
        .await;
    }
    w.stop().await
}
