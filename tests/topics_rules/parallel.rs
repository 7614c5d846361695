//! Concurrency (SQLite and PostgreSQL): parallel accepts and transitions.

use super::*;

#[actix_rt::test]
async fn parallel_accepts_number_the_catalog_without_gaps_or_duplicates() -> TestResult {
    let w = World::new(&[]).await;
    let app = &w.app;
    let mut topics = Vec::new();
    for i in 0..8 {
        topics.push(w.raise(&format!("议题{i}")).await);
    }
    let answers = futures_util::future::join_all(
        topics
            .iter()
            .map(|id| w.act_v(&w.staff, *id, 1, "accept", json!({"note": "纳入议事目录"}))),
    )
    .await;
    let mut numbers = BTreeSet::new();
    for r in &answers {
        assert_eq!(r.status.as_u16(), 200, "{:?}", r.body);
        assert_eq!(r.body["stage"], "discuss");
        numbers.insert(r.body["catalog_no"].as_str().unwrap().to_string());
    }
    let expected: BTreeSet<String> = (1..=8).map(|n| format!("{}-{n:04}", w.year)).collect();
    assert_eq!(numbers, expected);
    // A community of its own starts at 0001.
    let outsider = w.outsider().await;
    let there = id_of(
        &w.create(&outsider, w.new_topic(w.city.sibling, "和义社区的路灯"))
            .await,
    );
    let r = w.ok(&w.sub, there, "accept", json!({})).await;
    assert_eq!(r["catalog_no"], format!("{}-0001", w.year));
    let catalog = app
        .get(
            &format!(
                "/api/v1/public/places/{}/catalog?limit=100",
                w.city.community
            ),
            None,
        )
        .await;
    assert_eq!(catalog.body["items"].as_array().unwrap().len(), 8);
    w.finish().await
}

#[actix_rt::test]
async fn parallel_transitions_on_one_version_let_exactly_one_through() -> TestResult {
    let w = World::new(&[]).await;
    let app = &w.app;
    let id = w.raise("小区路灯不亮").await;
    w.drive(id, "discuss").await;
    let v = w.version(id).await;
    let answers = futures_util::future::join_all(
        (0..6).map(|_| w.act_v(&w.staff, id, v, "escalate", json!({}))),
    )
    .await;
    let won: Vec<&Resp> = answers
        .iter()
        .filter(|r| r.status.as_u16() == 200)
        .collect();
    assert_eq!(won.len(), 1, "{answers:?}");
    for r in answers.iter().filter(|r| r.status.as_u16() != 200) {
        assert_eq!(
            (r.status.as_u16(), r.code()),
            (409, "topic.stale_version"),
            "{:?}",
            r.body
        );
    }
    let t = w.topic(id).await;
    assert_eq!(t["version"], v + 1);
    assert_eq!(t["escalated"], true);
    let tl = app
        .get(
            &format!("/api/v1/topics/{id}/timeline?limit=100"),
            Some(&w.staff.token),
        )
        .await;
    let escalations = tl.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "transition" && e["from_stage"] == "discuss")
        .filter(|e| e["to_stage"] == "discuss")
        .count();
    assert_eq!(escalations, 1, "{:?}", tl.body);

    // Mixed actions on one version: still exactly one winner.
    let v = w.version(id).await;
    let mixed = futures_util::future::join_all([
        w.act_v(&w.staff, id, v, "decide", json!({"decision": "更换路灯"})),
        w.act_v(&w.sub, id, v, "decide", json!({"decision": "加装路灯"})),
        w.act_v(&w.author, id, v, "withdraw", json!({})),
        w.act_v(&w.sub, id, v, "decide", json!({"decision": "维修路灯"})),
    ])
    .await;
    assert_eq!(
        mixed.iter().filter(|r| r.status.as_u16() == 200).count(),
        1,
        "{mixed:?}"
    );
    assert!(
        mixed
            .iter()
            .filter(|r| r.status.as_u16() != 200)
            .all(|r| r.status.as_u16() == 409 && r.code() == "topic.stale_version"),
        "{mixed:?}"
    );
    assert_eq!(w.version(id).await, v + 1);
    w.finish().await
}
