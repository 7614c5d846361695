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

    let sibling_staff = w.sibling_staff().await;
    let other_sub = w.other_sub().await;
    let firm_user = w.firm_user().await;
    let outsider = w.outsider().await;
    let foreign = id_of(
        &w.create(&outsider, w.new_topic(w.city.sibling, "和义社区的路灯"))
            .await,
    );
    let stale = Expect(409, "topic.stale_version", None);
    let no_reason = Expect(422, "topic.reason_required", Some("reason"));
    let no_target = Expect(422, "topic.target_required", Some("target_topic_id"));
    let bad_target = Expect(422, "topic.invalid_merge_target", Some("target_topic_id"));
    let reason = json!({"reason": "理由"});
    #[rustfmt::skip]
    w.deny_acts(id, &[
        ("a resident tries accept", &w.r2, v, "accept", reason.clone(), DENIED),
        ("a resident tries reject", &w.r2, v, "reject", reason.clone(), DENIED),
        ("a resident tries merge", &w.r2, v, "merge", reason.clone(), DENIED),
        ("the author tries accept", &w.author, v, "accept", json!({}), DENIED),
        ("staff of another community", &sibling_staff, v, "accept", json!({}), DENIED),
        ("staff of another sub-district", &other_sub, v, "reject", json!({"reason": "不属实"}), DENIED),
        ("a property firm", &firm_user, v, "accept", json!({}), DENIED),
        ("expected_version one behind", &w.staff, v - 1, "accept", json!({}), stale),
        ("expected_version one ahead", &w.staff, v + 1, "accept", json!({}), stale),
        ("expected_version 0", &w.staff, 0, "accept", json!({}), stale),
        ("reject without reason", &w.staff, v, "reject", json!({}), no_reason),
        ("reject with a blank reason", &w.staff, v, "reject", json!({"reason": "  "}), no_reason),
        ("merge without target", &w.staff, v, "merge", json!({}), no_target),
        ("merge into a topic of another community", &w.sub, v, "merge", json!({"target_topic_id": foreign}), bad_target),
        ("merge into itself", &w.staff, v, "merge", json!({"target_topic_id": id}), bad_target),
        ("merge into no topic", &w.staff, v, "merge", json!({"target_topic_id": 987_654_321}), bad_target),
        ("withdraw by a resident", &w.r2, v, "withdraw", json!({}), DENIED),
        ("withdraw by community staff", &w.staff, v, "withdraw", json!({}), DENIED),
        ("withdraw by sub-district staff", &w.sub, v, "withdraw", json!({}), DENIED),
    ])
    .await;

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
    w.finish().await
}

#[actix_rt::test]
async fn merge_carries_supporters_over_without_counting_anyone_twice() -> TestResult {
    let w = World::new(&[]).await;
    let app = &w.app;
    let r4 = w.resident("r4").await;
    let source = w.raise("3号楼前路灯不亮").await;
    let target = id_of(
        &w.create(&w.r2, w.new_topic(w.city.community, "小区路灯普遍不亮"))
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
    w.finish().await
}

/// docs/api.md: transitions check the version, then a merge's `target_topic_id`, then the
/// table, the role, the input and the state. (SPEC's "any action not in the table gets 409"
/// is read with that exception; see the report.)
#[actix_rt::test]
async fn a_merge_target_is_judged_after_the_table_and_the_role() -> TestResult {
    let w = World::new(&[]).await;
    let outsider = w.outsider().await;
    let foreign = id_of(
        &w.create(&outsider, w.new_topic(w.city.sibling, "和义社区的路灯"))
            .await,
    );
    let in_say = w.raise("小区路灯不亮").await;
    let valid_target = w.raise("路灯不亮（重复）").await;
    let v = w.version(in_say).await;
    #[rustfmt::skip]
    w.deny_acts(in_say, &[
        ("a resident asks to merge into another community's topic", &w.r2, v, "merge", json!({"target_topic_id": foreign}), DENIED),
        ("a resident asks to merge into a valid target", &w.r2, v, "merge", json!({"target_topic_id": valid_target}), DENIED),
        ("a stale merge with a bad target", &w.staff, v + 1, "merge", json!({"target_topic_id": foreign}), Expect(409, "topic.stale_version", None)),
    ])
    .await;
    let in_discuss = w.raise("垃圾分类点太远").await;
    w.drive(in_discuss, "discuss").await;
    let v = w.version(in_discuss).await;
    #[rustfmt::skip]
    w.deny_acts(in_discuss, &[
        ("merge in discuss into another community's topic", &w.staff, v, "merge", json!({"target_topic_id": foreign}), Expect(409, "topic.invalid_transition", None)),
        ("merge in discuss into a valid target", &w.staff, v, "merge", json!({"target_topic_id": valid_target}), Expect(409, "topic.invalid_transition", None)),
    ])
    .await;
    w.stop().await
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
    w.deny_acts(id, &[
        ("stale escalate", &w.staff, v - 1, "escalate", json!({}), Expect(409, "topic.stale_version", None)),
        ("decide without decision", &w.staff, v, "decide", json!({}), Expect(422, "topic.decision_required", Some("decision"))),
        ("decide with a blank decision", &w.staff, v, "decide", json!({"decision": " \n "}), Expect(422, "topic.decision_required", Some("decision"))),
    ])
    .await;
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
    w.finish().await
}

#[actix_rt::test]
async fn a_major_topic_needs_a_hearing_before_a_decision() -> TestResult {
    let w = World::new(&[]).await;
    let mut body = w.new_topic(w.city.community, "加装电梯费用分摊");
    body["major"] = json!(true);
    let t = w.create(&w.staff, body).await;
    assert_eq!(t["major"], true);
    let id = id_of(&t);
    w.ok(&w.staff, id, "accept", json!({})).await;
    let v = w.version(id).await;
    #[rustfmt::skip]
    w.deny_acts(id, &[
        ("decide a major topic without a hearing", &w.staff, v, "decide", json!({"decision": "按面积分摊"}), Expect(409, "topic.hearing_required", None)),
        ("the missing decision is named before the missing hearing", &w.sub, v, "decide", json!({}), Expect(422, "topic.decision_required", Some("decision"))),
        ("a resident is refused for the role first", &w.r2, v, "decide", json!({"decision": "按面积分摊"}), DENIED),
    ])
    .await;
    w.stop().await
}
