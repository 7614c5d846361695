//! The public catalog and pages.

use super::*;

/// What the public must never see: who raised or acted on a topic, and their addresses.
const LEAKS: [&str; 5] = [
    "author_id",
    "actor_id",
    "on_behalf_of",
    "email",
    "@example.com",
];

#[actix_rt::test]
async fn the_public_sees_accepted_topics_of_the_subtree_without_personal_data() -> TestResult {
    let w = World::new(&[]).await;
    let app = &w.app;
    // A: 幸福社区, accepted. E: a grid of 幸福社区, raised by a grid worker, accepted.
    // B: the sibling community, accepted. C: the other district, accepted.
    // D: 幸福社区, still in say. F: 幸福社区, rejected.
    let a = w.raise("小区路灯不亮").await;
    w.drive(a, "discuss").await;
    let gw = w
        .user(
            "grid-worker",
            &[(Role::GridWorker, Some(w.city.grid), None)],
        )
        .await;
    let mut at_grid = w.new_topic(w.city.grid, "网格内井盖缺失");
    at_grid["on_behalf_of"] = json!(w.author.id);
    let e = id_of(&w.create(&gw, at_grid).await);
    w.drive(e, "discuss").await;
    let outsider = w.outsider().await;
    let b = id_of(
        &w.create(&outsider, w.new_topic(w.city.sibling, "和义社区的路灯"))
            .await,
    );
    w.drive(b, "discuss").await;
    let far_resident = w
        .user("far-resident", &[(Role::Resident, Some(w.city.far), None)])
        .await;
    let far_staff = w
        .user(
            "far-staff",
            &[(Role::CommunityStaff, Some(w.city.far), None)],
        )
        .await;
    let c = id_of(
        &w.create(&far_resident, w.new_topic(w.city.far, "桃源社区停车难"))
            .await,
    );
    w.ok(&far_staff, c, "accept", json!({})).await;
    let d = w.raise("垃圾分类点太远").await;
    let f = w.raise("广场舞噪音").await;
    w.ok(&w.staff, f, "reject", json!({"reason": "已有同类议题"}))
        .await;

    for (id, name) in [(d, "in say"), (f, "rejected")] {
        deny(
            app,
            &format!("the public page of a topic {name}"),
            app.get(&format!("/api/v1/public/topics/{id}"), None),
            Expect(404, "topic.not_found", None),
        )
        .await;
    }
    let page = app.get(&format!("/api/v1/public/topics/{a}"), None).await;
    assert_eq!(page.status.as_u16(), 200, "{:?}", page.body);
    assert_eq!(page.body["topic"]["catalog_no"], format!("{}-0001", w.year));

    let catalog = |place: i64| async move {
        let r = app
            .get(
                &format!("/api/v1/public/places/{place}/catalog?limit=100"),
                None,
            )
            .await;
        assert_eq!(r.status.as_u16(), 200, "{:?}", r.body);
        r
    };
    let city = app.place("demo-330200");
    #[rustfmt::skip]
    let table = [
        (w.city.community, "幸福社区", vec![a, e]),
        (w.city.grid, "幸福社区第1网格", vec![e]),
        (w.city.sibling, "the sibling community", vec![b]),
        (w.city.subdistrict, "the sub-district", vec![a, e, b]),
        (w.city.district, "the district", vec![a, e, b]),
        (w.city.other_district, "the other district", vec![c]),
        (w.city.far, "the far community", vec![c]),
        (city, "the city", vec![a, e, b, c]),
    ];
    for (place, name, want) in table {
        let r = catalog(place).await;
        assert_eq!(
            ids(&r.body),
            want.into_iter().collect::<BTreeSet<i64>>(),
            "catalog of {name}"
        );
        let text = r.body.to_string();
        for leak in LEAKS {
            assert!(!text.contains(leak), "{leak} in the catalog of {name}");
        }
    }
    assert_eq!(
        catalog(app.place("demo-330200-0-1")).await.body["items"],
        json!([])
    );
    let unknown = app
        .get("/api/v1/public/places/987654321/catalog", None)
        .await;
    assert_eq!(
        (unknown.status.as_u16(), unknown.code()),
        (404, "place.not_found")
    );

    for id in [a, e, b, c] {
        let page = app.get(&format!("/api/v1/public/topics/{id}"), None).await;
        assert_eq!(page.status.as_u16(), 200, "{:?}", page.body);
        let text = page.body.to_string();
        for leak in LEAKS {
            assert!(!text.contains(leak), "{leak} in the public page of {id}");
        }
    }
    w.stop().await
}
