//! Place and organisation rules.

use super::*;

#[actix_rt::test]
async fn place_rules_hold() -> TestResult {
    let app = TestApp::spawn().await;
    let d = demo(&app).await;
    let global = app
        .user_token("root@rules.test", None, &[(Role::Admin, None, None)])
        .await;
    let scoped = app
        .user_token(
            "haishu@rules.test",
            Some(d.xingfu),
            &[(Role::Admin, Some(d.haishu), None)],
        )
        .await;
    let before = counts(&app);

    // The tree is strict: a community does not sit under a district.
    for token in [&global, &scoped] {
        let body = json!({"parent_id": d.haishu, "kind": "community", "name": "跳级社区", "code": "skip-1"});
        let req = app.post("/api/v1/places", Some(token), body);
        problem(
            "community under a district",
            req,
            Expect(422, "place.invalid_parent", Some("kind")),
        )
        .await;
    }
    #[rustfmt::skip]
    let table = [
        (d.xingfu_g1, "grid"),
        (d.city, "city"),
        (d.nanmen, "building"),
    ];
    for (parent, kind) in table {
        let body = json!({"parent_id": parent, "kind": kind, "name": "错位", "code": format!("misplaced-{kind}")});
        let req = app.post("/api/v1/places", Some(&global), body);
        let what = format!("{kind} under {parent}");
        problem(
            &what,
            req,
            Expect(422, "place.invalid_parent", Some("kind")),
        )
        .await;
    }
    #[rustfmt::skip]
    let cases = [
        ("district as a root", call::post("/api/v1/places", Some(&global), json!({"parent_id": null, "kind": "district", "name": "无根区", "code": "rootless"})), Expect(422, "place.invalid_parent", Some("kind"))),
        // An unknown parent names the field.
        ("unknown parent", call::post("/api/v1/places", Some(&global), json!({"parent_id": 999999, "kind": "grid", "name": "孤儿", "code": "orphan"})), Expect(422, "place.not_found", Some("parent_id"))),
        // Codes are unique installation-wide, on create and on patch.
        ("duplicate code", call::post("/api/v1/places", Some(&global), json!({"parent_id": d.xingfu, "kind": "grid", "name": "重复", "code": "demo-330200-1-0-0"})), Expect(409, "place.code_taken", None)),
        ("patch to a taken code", call::patch(format!("/api/v1/places/{}", d.xingfu_g1), Some(&scoped), json!({"code": "demo-330200-0-0-0"})), Expect(409, "place.code_taken", None)),
    ];
    problem_all(&app, cases).await;
    let g1 = app
        .get(&format!("/api/v1/places/{}", d.xingfu_g1), None)
        .await;
    assert_eq!(g1.body["code"], "demo-330200-0-0-0-g1");
    problem(
        "patch an unknown place",
        app.patch(
            "/api/v1/places/999999",
            Some(&global),
            json!({"name": "无"}),
        ),
        Expect(404, "place.not_found", None),
    )
    .await;

    // A root city needs an installation-wide admin.
    let city = json!({"parent_id": null, "kind": "city", "name": "杭州市（测试）", "code": "hz"});
    #[rustfmt::skip]
    let cases = [
        ("city by a scoped admin", call::post("/api/v1/places", Some(&scoped), city.clone()), Expect(403, "permission.denied", None)),
        ("city by a scoped admin, parent_id omitted", call::post("/api/v1/places", Some(&scoped), json!({"kind": "city", "name": "杭州市（测试）", "code": "hz"})), Expect(403, "permission.denied", None)),
        // And a scoped admin cannot add a district to its own city.
        ("district beside the scope", call::post("/api/v1/places", Some(&scoped), json!({"parent_id": d.city, "kind": "district", "name": "新区", "code": "new-district"})), Expect(403, "permission.denied", None)),
    ];
    problem_all(&app, cases).await;
    assert_eq!(counts(&app), before, "refused place writes changed nothing");

    let r = app.post("/api/v1/places", Some(&global), city).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert!(r.body["parent_id"].is_null());
    assert_eq!(r.body["kind"], "city");
    assert_eq!(r.body["depth"], 0);
    assert_eq!(r.body["code"], "hz");
    let hz = r.body["id"].as_i64().unwrap();
    let got = app.get(&format!("/api/v1/places/{hz}"), None).await;
    assert_eq!(got.body["name"], "杭州市（测试）");
    // The new root is outside the 海曙区 admin's reach.
    problem(
        "district in another city",
        app.post(
            "/api/v1/places",
            Some(&scoped),
            json!({"parent_id": hz, "kind": "district", "name": "西湖区", "code": "hz-1"}),
        ),
        Expect(403, "permission.denied", None),
    )
    .await;
    let r = app
        .post(
            "/api/v1/places",
            Some(&global),
            json!({"parent_id": hz, "kind": "district", "name": "西湖区", "code": "hz-1"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert_eq!(r.body["depth"], 1);
    assert_eq!(r.body["parent_id"], hz);
    let mut want = before.clone();
    want[0] += 2;
    assert_eq!(counts(&app), want);

    // A building may sit directly under a community; the scoped admin may add it.
    let r = app
        .post(
            "/api/v1/places",
            Some(&scoped),
            json!({"parent_id": d.xingfu, "kind": "building", "name": "幸福社区9号楼", "code": "xf-b9"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert_eq!(r.body["depth"], 4);

    // Organisations need admin at every place they serve, old and new.
    let before = counts(&app);
    #[rustfmt::skip]
    let cases = [
        ("organisation across the boundary", call::post("/api/v1/organizations", Some(&scoped), json!({"kind": "property_firm", "name": "跨区物业", "place_ids": [d.xingfu, d.taoyuan]})), Expect(403, "permission.denied", None)),
        ("organisation at an unknown place", call::post("/api/v1/organizations", Some(&global), json!({"kind": "property_firm", "name": "无处物业", "place_ids": [999999]})), Expect(422, "place.not_found", Some("place_ids"))),
        ("organisation serving nothing", call::post("/api/v1/organizations", Some(&global), json!({"kind": "property_firm", "name": "无处物业", "place_ids": []})), Expect(422, "validation.length", Some("place_ids"))),
    ];
    problem_all(&app, cases).await;
    assert_eq!(counts(&app), before);
    let r = app
        .post(
            "/api/v1/organizations",
            Some(&scoped),
            json!({"kind": "owners_committee", "name": "和义社区业委会", "place_ids": [d.xingfu]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let org = r.body["id"].as_i64().unwrap();
    problem(
        "moving an organisation across the boundary",
        app.patch(
            &format!("/api/v1/organizations/{org}"),
            Some(&scoped),
            json!({"place_ids": [d.xingfu, d.taoyuan]}),
        ),
        Expect(403, "permission.denied", None),
    )
    .await;
    let r = app
        .patch(
            &format!("/api/v1/organizations/{org}"),
            Some(&global),
            json!({"place_ids": [d.taoyuan]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["place_ids"], json!([d.taoyuan]));
    // Now it serves only 江北区: the scoped admin may no longer touch it.
    #[rustfmt::skip]
    let cases = [
        ("renaming an organisation that moved away", call::patch(format!("/api/v1/organizations/{org}"), Some(&scoped), json!({"name": "改名"})), Expect(403, "permission.denied", None)),
        ("patch an unknown organisation", call::patch("/api/v1/organizations/999999", Some(&global), json!({"name": "无"})), Expect(404, "organization.not_found", None)),
    ];
    problem_all(&app, cases).await;
    app.stop().await;
    Ok(())
}
