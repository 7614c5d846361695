//! Transitions, stage by stage: 说 and 议 (accept, reject, merge, withdraw, escalate, decide).

use super::*;

#[actix_rt::test]
async fn say_refuses_what_the_table_role_place_version_and_input_forbid() -> TestResult {
    let w = World::new(&[]).await;
    let app = &w.app;
    let id = w.raise("小区路灯不亮").await;
    let v = w.version(id).await;
    w.invalid_elsewhere(id, &["accept", "reject", "merge", "withdraw"])
        .await;

    for action in ["accept", "reject", "merge"] {
        deny(
            app,
            &format!("a resident tries {action}"),
            w.act_v(&w.r2, id, v, action, json!({"reason": "理由"})),
            DENIED,
        )
        .await;
    }
    deny(
        app,
        "the author tries accept",
        w.act_v(&w.author, id, v, "accept", json!({})),
        DENIED,
    )
    .await;
    let sibling_staff = w.sibling_staff().await;
    deny(
        app,
        "staff of another community",
        w.act_v(&sibling_staff, id, v, "accept", json!({})),
        DENIED,
    )
    .await;
    let other_sub = w
        .user(
            "other-sub",
            &[(
                Role::SubdistrictStaff,
                Some(app.place("demo-330200-0-1")),
                None,
            )],
        )
        .await;
    deny(
        app,
        "staff of another sub-district",
        w.act_v(&other_sub, id, v, "reject", json!({"reason": "不属实"})),
        DENIED,
    )
    .await;
    let firm_user = w
        .user(
            "firm",
            &[(Role::PropertyFirm, Some(w.community), Some(w.firm))],
        )
        .await;
    deny(
        app,
        "a property firm",
        w.act_v(&firm_user, id, v, "accept", json!({})),
        DENIED,
    )
    .await;
    for stale in [v - 1, v + 1, 0] {
        deny(
            app,
            &format!("expected_version {stale}"),
            w.act_v(&w.staff, id, stale, "accept", json!({})),
            Expect(409, "topic.stale_version", None),
        )
        .await;
    }
    #[rustfmt::skip]
    let cases = [
        ("reject without reason", w.act_v(&w.staff, id, v, "reject", json!({})), Expect(422, "topic.reason_required", Some("reason"))),
        ("reject with a blank reason", w.act_v(&w.staff, id, v, "reject", json!({"reason": "  "})), Expect(422, "topic.reason_required", Some("reason"))),
        ("merge without target", w.act_v(&w.staff, id, v, "merge", json!({})), Expect(422, "topic.target_required", Some("target_topic_id"))),
    ];
    deny_all(app, cases).await;
    let outsider = w.outsider().await;
    let foreign = id_of(
        &w.create(&outsider, w.new_topic(w.sibling, "和义社区的路灯"))
            .await,
    );
    #[rustfmt::skip]
    let cases = [
        ("merge into a topic of another community", w.act_v(&w.sub, id, v, "merge", json!({"target_topic_id": foreign})), Expect(422, "topic.invalid_merge_target", Some("target_topic_id"))),
        ("merge into itself", w.act_v(&w.staff, id, v, "merge", json!({"target_topic_id": id})), Expect(422, "topic.invalid_merge_target", Some("target_topic_id"))),
        ("merge into no topic", w.act_v(&w.staff, id, v, "merge", json!({"target_topic_id": 987_654_321})), Expect(422, "topic.invalid_merge_target", Some("target_topic_id"))),
    ];
    deny_all(app, cases).await;
    for who in [&w.r2, &w.staff, &w.sub] {
        deny(
            app,
            "withdraw by someone other than the author",
            w.act_v(who, id, v, "withdraw", json!({})),
            DENIED,
        )
        .await;
    }

    // The author withdraws; the closed topic then refuses every action.
    let out = w
        .ok(&w.author, id, "withdraw", json!({"note": "已自行解决"}))
        .await;
    assert_eq!(out["stage"], "closed");
    assert_eq!(out["resolution"], "withdrawn");
    assert_eq!(out["version"], v + 1);
    w.invalid_elsewhere(id, &[]).await;

    // A closed topic is no merge target; a rejection closes with a reason.
    let second = w.raise("垃圾分类点太远").await;
    let v2 = w.version(second).await;
    deny(
        app,
        "merge into a closed topic",
        w.act_v(
            &w.staff,
            second,
            v2,
            "merge",
            json!({"target_topic_id": id}),
        ),
        Expect(422, "topic.invalid_merge_target", Some("target_topic_id")),
    )
    .await;
    let out = w
        .ok(
            &w.staff,
            second,
            "reject",
            json!({"reason": "不属于社区事务"}),
        )
        .await;
    assert_eq!(
        (out["stage"].as_str(), out["resolution"].as_str()),
        (Some("closed"), Some("rejected"))
    );
    assert_eq!(out["catalog_no"], Value::Null);
    w.invalid_elsewhere(second, &[]).await;
    w.verify_chains();
    w.app.stop().await;
    Ok(())
}

#[actix_rt::test]
async fn merge_carries_supporters_over_without_counting_anyone_twice() -> TestResult {
    let w = World::new(&[]).await;
    let app = &w.app;
    let r4 = w.resident("r4").await;
    let source = w.raise("3号楼前路灯不亮").await;
    let target = id_of(
        &w.create(&w.r2, w.new_topic(w.community, "小区路灯普遍不亮"))
            .await,
    );
    let support = |who: &User, id: i64| {
        let token = who.token.clone();
        async move {
            let r = app
                .post(
                    &format!("/api/v1/topics/{id}/supports"),
                    Some(&token),
                    json!({}),
                )
                .await;
            assert_eq!(r.status.as_u16(), 200, "{:?}", r.body);
        }
    };
    // r3 supports both; r4 only the source; the author only the target.
    support(&w.r3, source).await;
    support(&r4, source).await;
    support(&w.r3, target).await;
    support(&w.author, target).await;
    assert_eq!(w.topic(target).await["supporters_count"], 2);
    assert_eq!(app.count("supports"), 4);

    let v = w.version(source).await;
    let r = w
        .act_v(
            &w.staff,
            source,
            v,
            "merge",
            json!({"target_topic_id": target, "note": "同一问题"}),
        )
        .await;
    assert_eq!(r.status.as_u16(), 200, "{:?}", r.body);
    assert_eq!(r.body["stage"], "closed");
    assert_eq!(r.body["resolution"], "merged");
    assert_eq!(r.body["merged_into"], target);
    let t = w.topic(target).await;
    assert_eq!(t["supporters_count"], 3, "r3 counted once: {t:?}");
    assert_eq!(t["stage"], "say");
    assert_eq!(app.count("supports"), 5);
    // The carried supporter really supports the target now: a second support is a duplicate.
    let dup = app
        .post(
            &format!("/api/v1/topics/{target}/supports"),
            Some(&r4.token),
            json!({}),
        )
        .await;
    assert_eq!(
        (dup.status.as_u16(), dup.code()),
        (409, "topic.already_supported")
    );
    let tl = app
        .get(
            &format!("/api/v1/topics/{target}/timeline?limit=100"),
            Some(&w.staff.token),
        )
        .await;
    assert!(
        tl.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "merged_in"),
        "{:?}",
        tl.body
    );
    w.invalid_elsewhere(source, &[]).await;
    w.verify_chains();
    w.app.stop().await;
    Ok(())
}

/// docs/api.md: transitions check the version, then a merge's `target_topic_id`, then the
/// table, the role, the input and the state. (SPEC's "any action not in the table gets 409"
/// is read with that exception; see the report.)
#[actix_rt::test]
async fn a_merge_target_is_judged_after_the_table_and_the_role() -> TestResult {
    let w = World::new(&[]).await;
    let app = &w.app;
    let outsider = w.outsider().await;
    let foreign = id_of(
        &w.create(&outsider, w.new_topic(w.sibling, "和义社区的路灯"))
            .await,
    );
    let in_say = w.raise("小区路灯不亮").await;
    let valid_target = w.raise("路灯不亮（重复）").await;
    let v = w.version(in_say).await;
    #[rustfmt::skip]
    let cases = [
        ("a resident asks to merge into another community's topic", w.act_v(&w.r2, in_say, v, "merge", json!({"target_topic_id": foreign})), DENIED),
        ("a resident asks to merge into a valid target", w.act_v(&w.r2, in_say, v, "merge", json!({"target_topic_id": valid_target})), DENIED),
        ("a stale merge with a bad target", w.act_v(&w.staff, in_say, v + 1, "merge", json!({"target_topic_id": foreign})), Expect(409, "topic.stale_version", None)),
    ];
    deny_all(app, cases).await;
    let in_discuss = w.raise("垃圾分类点太远").await;
    w.drive(in_discuss, "discuss").await;
    let v = w.version(in_discuss).await;
    #[rustfmt::skip]
    let cases = [
        ("merge in discuss into another community's topic", w.act_v(&w.staff, in_discuss, v, "merge", json!({"target_topic_id": foreign})), Expect(409, "topic.invalid_transition", None)),
        ("merge in discuss into a valid target", w.act_v(&w.staff, in_discuss, v, "merge", json!({"target_topic_id": valid_target})), Expect(409, "topic.invalid_transition", None)),
    ];
    deny_all(app, cases).await;
    w.app.stop().await;
    Ok(())
}

#[actix_rt::test]
async fn discuss_refusals_escalation_and_the_decision() -> TestResult {
    let w = World::new(&[]).await;
    let app = &w.app;
    let id = w.raise("小区路灯不亮").await;
    let accepted = w
        .ok(&w.staff, id, "accept", json!({"note": "纳入议事目录"}))
        .await;
    assert_eq!(accepted["stage"], "discuss");
    assert_eq!(accepted["catalog_no"], format!("{}-0001", w.year));
    let v = accepted["version"].as_i64().unwrap();
    w.invalid_elsewhere(id, &["withdraw", "escalate", "decide"])
        .await;

    for (who, name) in [(&w.r2, "a resident"), (&w.author, "the author")] {
        for action in ["escalate", "decide"] {
            deny(
                app,
                &format!("{name} tries {action}"),
                w.act_v(who, id, v, action, json!({"decision": "决定"})),
                DENIED,
            )
            .await;
        }
    }
    let sibling_staff = w.sibling_staff().await;
    for action in ["escalate", "decide"] {
        deny(
            app,
            &format!("staff of another community try {action}"),
            w.act_v(&sibling_staff, id, v, action, json!({"decision": "决定"})),
            DENIED,
        )
        .await;
    }
    #[rustfmt::skip]
    let cases = [
        ("stale escalate", w.act_v(&w.staff, id, v - 1, "escalate", json!({})), Expect(409, "topic.stale_version", None)),
        ("decide without decision", w.act_v(&w.staff, id, v, "decide", json!({})), Expect(422, "topic.decision_required", Some("decision"))),
        ("decide with a blank decision", w.act_v(&w.staff, id, v, "decide", json!({"decision": " \n "})), Expect(422, "topic.decision_required", Some("decision"))),
    ];
    deny_all(app, cases).await;
    for who in [&w.r2, &w.staff] {
        deny(
            app,
            "withdraw by a non-author in discuss",
            w.act_v(who, id, v, "withdraw", json!({})),
            DENIED,
        )
        .await;
    }

    let escalated = w.ok(&w.staff, id, "escalate", json!({})).await;
    assert_eq!(escalated["escalated"], true);
    assert_eq!(escalated["stage"], "discuss");
    let v = escalated["version"].as_i64().unwrap();
    deny(
        app,
        "escalate twice",
        w.act_v(&w.sub, id, v, "escalate", json!({})),
        Expect(409, "topic.already_escalated", None),
    )
    .await;
    let decided = w
        .ok(
            &w.staff,
            id,
            "decide",
            json!({"decision": "由物业更换路灯"}),
        )
        .await;
    assert_eq!(decided["stage"], "plan");
    assert_eq!(decided["decision"], "由物业更换路灯");
    assert_eq!(decided["escalated"], true);

    // The author may still withdraw in discuss.
    let other = w.raise("垃圾分类点太远").await;
    w.drive(other, "discuss").await;
    let out = w.ok(&w.author, other, "withdraw", json!({})).await;
    assert_eq!(out["resolution"], "withdrawn");
    w.verify_chains();
    w.app.stop().await;
    Ok(())
}

#[actix_rt::test]
async fn a_major_topic_needs_a_hearing_before_a_decision() -> TestResult {
    let w = World::new(&[]).await;
    let app = &w.app;
    let mut body = w.new_topic(w.community, "加装电梯费用分摊");
    body["major"] = json!(true);
    let t = w.create(&w.staff, body).await;
    assert_eq!(t["major"], true);
    let id = id_of(&t);
    w.ok(&w.staff, id, "accept", json!({})).await;
    let v = w.version(id).await;
    #[rustfmt::skip]
    let cases = [
        ("decide a major topic without a hearing", w.act_v(&w.staff, id, v, "decide", json!({"decision": "按面积分摊"})), Expect(409, "topic.hearing_required", None)),
        ("the missing decision is named before the missing hearing", w.act_v(&w.sub, id, v, "decide", json!({})), Expect(422, "topic.decision_required", Some("decision"))),
        ("a resident is refused for the role first", w.act_v(&w.r2, id, v, "decide", json!({"decision": "按面积分摊"})), DENIED),
    ];
    deny_all(app, cases).await;
    w.app.stop().await;
    Ok(())
}
