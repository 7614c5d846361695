//! Public reads of places and organisations, and pagination.

use super::*;

#[actix_rt::test]
async fn places_and_organizations_are_public_reads() -> TestResult {
    let app = TestApp::spawn().await;
    let d = demo(&app).await;

    // Anonymous reads of the tree.
    let list = app.get("/api/v1/places", None).await;
    assert_eq!(list.status, StatusCode::OK, "{:?}", list.body);
    assert_eq!(
        list.body["items"].as_array().unwrap().len(),
        20,
        "default page size"
    );
    let one = app.get(&format!("/api/v1/places/{}", d.xingfu), None).await;
    assert_eq!(one.status, StatusCode::OK, "{:?}", one.body);
    assert_eq!(one.body["id"], d.xingfu);
    assert_eq!(one.body["name"], "幸福社区");
    assert_eq!(one.body["kind"], "community");
    assert_eq!(one.body["code"], "demo-330200-0-0-0");
    assert_eq!(one.body["parent_id"], d.nanmen);
    assert_eq!(one.body["depth"], 3);
    let city = app.get(&format!("/api/v1/places/{}", d.city), None).await;
    assert_eq!(city.status, StatusCode::OK);
    assert!(city.body["parent_id"].is_null());
    assert_eq!(city.body["depth"], 0);
    problem(
        "missing place",
        app.get("/api/v1/places/999999", None),
        Expect(404, "place.not_found", None),
    )
    .await;

    // Anonymous reads of organisations.
    let orgs = app.get("/api/v1/organizations", None).await;
    assert_eq!(orgs.status, StatusCode::OK, "{:?}", orgs.body);
    assert_eq!(orgs.body["items"].as_array().unwrap().len(), 7);
    let firm = app
        .get(&format!("/api/v1/organizations/{}", d.firm), None)
        .await;
    assert_eq!(firm.status, StatusCode::OK, "{:?}", firm.body);
    assert_eq!(firm.body["kind"], "property_firm");
    assert_eq!(firm.body["name"], "甬城红色物业服务有限公司");
    let served: Vec<i64> = firm.body["place_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_i64().unwrap())
        .collect();
    assert_eq!(served.len(), 6);
    assert!(served.contains(&d.xingfu));
    let by_place = app
        .get(
            &format!("/api/v1/organizations?place_id={}", d.jiangbei),
            None,
        )
        .await;
    assert_eq!(by_place.status, StatusCode::OK);
    let names: Vec<&str> = by_place.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["江北区民政局"]);
    let departments = walk(&app, "/api/v1/organizations?kind=department", None).await;
    assert_eq!(departments.len(), 3);
    assert!(departments.iter().all(|o| o["kind"] == "department"));
    problem(
        "missing organisation",
        app.get("/api/v1/organizations/999999", None),
        Expect(404, "organization.not_found", None),
    )
    .await;

    // within: the sub-district itself, 3 communities, 6 grids and 6 buildings.
    let subtree = walk(
        &app,
        &format!("/api/v1/places?within={}&limit=7", d.nanmen),
        None,
    )
    .await;
    let subtree_ids = ids(&subtree);
    assert_eq!(subtree.len(), 16, "{subtree:?}");
    assert_eq!(
        subtree_ids.iter().collect::<HashSet<_>>().len(),
        16,
        "no duplicates"
    );
    assert!(subtree_ids.contains(&d.nanmen));
    assert!(subtree_ids.contains(&d.xingfu));
    assert!(!subtree_ids.contains(&d.haishu));
    assert!(!subtree_ids.contains(&d.taoyuan));
    for p in &subtree {
        let code = p["code"].as_str().unwrap();
        assert!(
            code == "demo-330200-0-0" || code.starts_with("demo-330200-0-0-"),
            "{code} is not beneath 南门街道"
        );
    }
    let kinds = |k: &str| subtree.iter().filter(|p| p["kind"] == k).count();
    assert_eq!(
        (
            kinds("subdistrict"),
            kinds("community"),
            kinds("grid"),
            kinds("building")
        ),
        (1, 3, 6, 6)
    );
    let within_kind = walk(
        &app,
        &format!("/api/v1/places?within={}&kind=grid", d.nanmen),
        None,
    )
    .await;
    assert_eq!(within_kind.len(), 6);
    problem(
        "within an unknown place",
        app.get("/api/v1/places?within=999999", None),
        Expect(422, "place.not_found", Some("within")),
    )
    .await;

    // parent_id: direct children only.
    let children = walk(
        &app,
        &format!("/api/v1/places?parent_id={}", d.nanmen),
        None,
    )
    .await;
    assert_eq!(children.len(), 3, "{children:?}");
    for c in &children {
        assert_eq!(c["parent_id"], d.nanmen);
        assert_eq!(c["kind"], "community");
    }
    let districts = walk(&app, &format!("/api/v1/places?parent_id={}", d.city), None).await;
    assert_eq!(ids(&districts), vec![d.haishu, d.jiangbei]);

    // kind: the 12 communities.
    let communities = walk(&app, "/api/v1/places?kind=community", None).await;
    assert_eq!(communities.len(), 12);
    assert!(communities.iter().all(|c| c["kind"] == "community"));
    let named = walk(&app, "/api/v1/places?q=%E5%B9%B8%E7%A6%8F", None).await;
    assert!(
        named
            .iter()
            .all(|p| p["name"].as_str().unwrap().contains("幸福"))
    );
    assert_eq!(named.len(), 5, "幸福社区, its 2 grids and 2 buildings");

    // Pagination: limit=5 walks every place once, in id order.
    let total = app.count("places");
    assert_eq!(total, 67);
    let mut seen: Vec<i64> = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let url = match &cursor {
            None => "/api/v1/places?limit=5".to_string(),
            Some(c) => format!("/api/v1/places?limit=5&cursor={c}"),
        };
        let r = app.get(&url, None).await;
        assert_eq!(r.status, StatusCode::OK, "{url}: {:?}", r.body);
        let items = r.body["items"].as_array().unwrap();
        assert!(items.len() <= 5, "{url}: {} items", items.len());
        seen.extend(ids(items));
        pages += 1;
        assert!(pages <= 100, "pagination does not end");
        match r.body["next_cursor"].as_str() {
            Some(c) => {
                assert_eq!(items.len(), 5, "{url}: only the last page is short");
                cursor = Some(c.to_string());
            }
            None => break,
        }
    }
    assert_eq!(pages, 14);
    assert_eq!(seen.len() as i64, total);
    assert_eq!(seen.iter().collect::<HashSet<_>>().len(), seen.len());
    assert!(seen.windows(2).all(|w| w[0] < w[1]), "ordered by id");

    // Bad limits and cursors, on both lists.
    for list in ["/api/v1/places", "/api/v1/organizations"] {
        for limit in ["0", "101"] {
            problem(
                &format!("{list} limit={limit}"),
                app.get(&format!("{list}?limit={limit}"), None),
                Expect(422, "validation.range", Some("limit")),
            )
            .await;
        }
        let r = app.get(&format!("{list}?limit=100"), None).await;
        assert_eq!(r.status, StatusCode::OK, "{list} limit=100");
        for cursor in ["garbage", "aWQ6eHl6", "%21%21%21"] {
            problem(
                &format!("{list} cursor={cursor}"),
                app.get(&format!("{list}?cursor={cursor}"), None),
                Expect(422, "request.invalid_cursor", Some("cursor")),
            )
            .await;
        }
        problem(
            &format!("{list} limit=many"),
            app.get(&format!("{list}?limit=many"), None),
            Expect(400, "request.invalid_query", Some("limit")),
        )
        .await;
        problem(
            &format!("{list} kind=village"),
            app.get(&format!("{list}?kind=village"), None),
            Expect(400, "request.invalid_query", Some("kind")),
        )
        .await;
    }
    app.stop().await;
    Ok(())
}
