//! Supports (附议), comments and moderation.

use super::*;

#[actix_rt::test]
async fn supports_one_per_resident_while_open_and_the_hot_flag() -> TestResult {
    let w = World::new(&[("workflow.hot_threshold", "3")]).await;
    let app = &w.app;
    let id = w.raise("小区路灯不亮").await;
    let path = format!("/api/v1/topics/{id}/supports");
    let support = |who: &User| {
        let token = who.token.clone();
        let path = path.clone();
        async move { app.post(&path, Some(&token), json!({})).await }
    };
    let undo = |who: &User| {
        let token = who.token.clone();
        let path = path.clone();
        async move { app.delete(&path, Some(&token)).await }
    };

    let outsider = w.outsider().await;
    #[rustfmt::skip]
    let table = [
        (&w.staff, "community staff (not a resident)"),
        (&w.sub, "sub-district staff"),
        (&outsider, "a resident of another community"),
    ];
    for (who, name) in table {
        deny(app, name, support(who), DENIED).await;
    }
    let firm_user = w.firm_user().await;
    deny(app, "a property firm", support(&firm_user), DENIED).await;

    let r = support(&w.r2).await;
    assert_eq!(r.status.as_u16(), 200, "{:?}", r.body);
    assert_eq!(
        (
            &r.body["supporters_count"],
            &r.body["supported"],
            &r.body["hot"]
        ),
        (&json!(1), &json!(true), &json!(false))
    );
    deny(
        app,
        "a second support",
        support(&w.r2),
        Expect(409, "topic.already_supported", None),
    )
    .await;
    let r = undo(&w.r2).await;
    assert_eq!(r.status.as_u16(), 200, "{:?}", r.body);
    assert_eq!(r.body["supporters_count"], 0);
    assert_eq!(r.body["supported"], false);
    assert_eq!(app.count("supports"), 0);
    #[rustfmt::skip]
    let cases = [
        ("undo twice", undo(&w.r2), Expect(404, "support.not_found", None)),
        ("undo by one who never supported", undo(&w.r3), Expect(404, "support.not_found", None)),
    ];
    deny_all(app, cases).await;

    // The hot flag flips at the threshold, both ways.
    let r4 = w.resident("r4").await;
    for (who, count, hot) in [(&w.r2, 1, false), (&w.r3, 2, false), (&r4, 3, true)] {
        let r = support(who).await;
        assert_eq!(r.status.as_u16(), 200, "{:?}", r.body);
        assert_eq!(r.body["supporters_count"], count);
        assert_eq!(r.body["hot"], hot, "at {count}");
        assert_eq!(w.topic(id).await["hot"], hot, "topic at {count}");
    }
    let r = undo(&r4).await;
    assert_eq!(
        (&r.body["supporters_count"], &r.body["hot"]),
        (&json!(2), &json!(false))
    );
    assert_eq!(w.topic(id).await["hot"], false);
    let r = support(&r4).await;
    assert_eq!(r.body["hot"], true);

    // Still open in discuss; closed once decided.
    w.drive(id, "discuss").await;
    let r = support(&w.author).await;
    assert_eq!(r.status.as_u16(), 200, "{:?}", r.body);
    assert_eq!(r.body["supporters_count"], 4);
    w.drive(id, "plan").await;
    let r5 = w.resident("r5").await;
    deny(
        app,
        "support in plan",
        support(&r5),
        Expect(409, "topic.support_closed", None),
    )
    .await;
    deny(
        app,
        "undo in plan",
        undo(&w.r2),
        Expect(409, "topic.support_closed", None),
    )
    .await;
    assert_eq!(w.topic(id).await["supporters_count"], 4);
    w.finish().await
}

/// Supports by different residents at the same moment: `supporters_count` must equal the
/// number of support rows (no lost update between concurrent recounts).
#[actix_rt::test]
async fn parallel_supports_by_different_residents_are_each_counted() -> TestResult {
    let w = World::new(&[]).await;
    let app = &w.app;
    let id = w.raise("小区路灯不亮").await;
    let mut residents = Vec::new();
    for i in 0..8 {
        residents.push(w.resident(&format!("p{i}")).await);
    }
    let path = format!("/api/v1/topics/{id}/supports");
    let answers = futures_util::future::join_all(
        residents
            .iter()
            .map(|r| app.post(&path, Some(&r.token), json!({}))),
    )
    .await;
    for r in &answers {
        assert_eq!(r.status.as_u16(), 200, "{:?}", r.body);
    }
    assert_eq!(app.count("supports"), 8);
    assert_eq!(
        w.topic(id).await["supporters_count"],
        8,
        "supporters_count matches the support rows after parallel supports"
    );
    // And back down: six undo at once.
    let answers = futures_util::future::join_all(
        residents
            .iter()
            .take(6)
            .map(|r| app.delete(&path, Some(&r.token))),
    )
    .await;
    for r in &answers {
        assert_eq!(r.status.as_u16(), 200, "{:?}", r.body);
    }
    assert_eq!(app.count("supports"), 2);
    assert_eq!(
        w.topic(id).await["supporters_count"],
        2,
        "supporters_count matches the support rows after parallel undos"
    );
    w.finish().await
}

// Comments and moderation.

#[actix_rt::test]
async fn comment_rules_and_moderation() -> TestResult {
    let w = World::new(&[]).await;
    let app = &w.app;
    let id = w.raise("小区路灯不亮").await;
    let other = w.raise("垃圾分类点太远").await;
    let comment = |who: &User, topic: i64, body: Value| {
        let token = who.token.clone();
        async move {
            app.post(
                &format!("/api/v1/topics/{topic}/comments"),
                Some(&token),
                body,
            )
            .await
        }
    };
    for stance in ["for", "against"] {
        deny(
            app,
            &format!("stance {stance} in say"),
            comment(&w.r2, id, json!({"body": "同意", "stance": stance})),
            Expect(422, "comment.stance_not_allowed", Some("stance")),
        )
        .await;
    }
    let c1 = comment(
        &w.r2,
        id,
        json!({"body": "路灯坏了很久了", "stance": "neutral"}),
    )
    .await;
    assert_eq!(c1.status.as_u16(), 201, "{:?}", c1.body);
    let c1 = id_of(&c1.body);
    let elsewhere = comment(&w.r3, other, json!({"body": "确实太远"})).await;
    assert_eq!(elsewhere.status.as_u16(), 201, "{:?}", elsewhere.body);
    #[rustfmt::skip]
    let cases = [
        ("a parent on another topic", comment(&w.r3, id, json!({"body": "回复", "parent_id": id_of(&elsewhere.body)})), Expect(422, "comment.invalid_parent", Some("parent_id"))),
        ("a parent that does not exist", comment(&w.r3, id, json!({"body": "回复", "parent_id": 987_654_321})), Expect(422, "comment.invalid_parent", Some("parent_id"))),
    ];
    deny_all(app, cases).await;
    let outsider = w.outsider().await;
    deny(
        app,
        "a user with no role at the place",
        comment(&outsider, id, json!({"body": "路过"})),
        DENIED,
    )
    .await;
    let nobody = w.user("nobody", &[]).await;
    #[rustfmt::skip]
    let cases = [
        ("a user with no role at all", comment(&nobody, id, json!({"body": "路过"})), DENIED),
        ("an empty comment", comment(&w.r3, id, json!({"body": ""})), Expect(422, "validation.length", Some("body"))),
        ("an unknown stance", comment(&w.r3, id, json!({"body": "嗯", "stance": "maybe"})), Expect(400, "request.invalid_field", Some("stance"))),
    ];
    deny_all(app, cases).await;
    let reply = comment(&w.r3, id, json!({"body": "同感", "parent_id": c1})).await;
    assert_eq!(reply.status.as_u16(), 201, "{:?}", reply.body);

    // Moderation.
    let hide_path = format!("/api/v1/comments/{c1}/hide");
    let hide = |who: &User, body: Value| {
        let token = who.token.clone();
        let path = hide_path.clone();
        async move { app.post(&path, Some(&token), body).await }
    };
    for (who, name) in [(&w.author, "a resident"), (&w.r2, "the comment's author")] {
        deny(
            app,
            &format!("hide by {name}"),
            hide(who, json!({"reason": "不文明"})),
            DENIED,
        )
        .await;
    }
    let sibling_staff = w.sibling_staff().await;
    #[rustfmt::skip]
    let cases = [
        ("hide by staff of another community", hide(&sibling_staff, json!({"reason": "不文明"})), DENIED),
        ("hide without reason", hide(&w.staff, json!({})), Expect(400, "request.missing_field", Some("reason"))),
        ("hide with an empty reason", hide(&w.staff, json!({"reason": ""})), Expect(422, "validation.length", Some("reason"))),
    ];
    deny_all(app, cases).await;
    let hidden = hide(&w.staff, json!({"reason": "含有个人信息"})).await;
    assert_eq!(hidden.status.as_u16(), 200, "{:?}", hidden.body);
    assert_eq!(hidden.body["hidden"], true);
    assert_eq!(hidden.body["hidden_reason"], "含有个人信息");
    deny(
        app,
        "hide twice",
        hide(&w.sub, json!({"reason": "再次"})),
        Expect(409, "comment.already_hidden", None),
    )
    .await;
    let seen_by = |list: Vec<Value>| {
        list.into_iter()
            .find(|c| c["id"] == c1)
            .expect("the hidden comment is listed")
    };
    let as_other = seen_by(w.comments_as(&w.r3, id).await);
    assert_eq!(as_other["hidden"], true);
    assert_eq!(as_other["body"], "", "another resident sees no body");
    let as_author = seen_by(w.comments_as(&w.r2, id).await);
    assert_eq!(as_author["body"], "路灯坏了很久了");
    let as_staff = seen_by(w.comments_as(&w.staff, id).await);
    assert_eq!(as_staff["body"], "路灯坏了很久了");
    let as_sub = seen_by(w.comments_as(&w.sub, id).await);
    assert_eq!(as_sub["body"], "路灯坏了很久了");

    // A side may be taken during discuss; nothing once closed.
    w.drive(other, "discuss").await;
    let r = comment(&w.r2, other, json!({"body": "支持", "stance": "for"})).await;
    assert_eq!(r.status.as_u16(), 201, "{:?}", r.body);
    w.ok(&w.staff, id, "reject", json!({"reason": "重复"}))
        .await;
    #[rustfmt::skip]
    let cases = [
        ("a comment on a closed topic", comment(&w.r3, id, json!({"body": "还有人管吗"})), Expect(409, "topic.comments_closed", None)),
        ("staff comment on a closed topic", comment(&w.staff, id, json!({"body": "已处理"})), Expect(409, "topic.comments_closed", None)),
    ];
    deny_all(app, cases).await;
    w.finish().await
}
