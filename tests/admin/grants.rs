//! Grant rules and user scoping.

use super::*;

/// A refused grant: what, by whom ("global" or "scoped"), the body, and the problem expected.
type Refusal = (
    &'static str,
    &'static str,
    Value,
    StatusCode,
    &'static str,
    Option<&'static str>,
);

#[actix_rt::test]
async fn grant_rules_and_user_scope_hold() -> TestResult {
    let app = TestApp::spawn().await;
    let d = demo(&app).await;
    let global_id = app.user("root@grants.test", None, &[(Role::Admin, None, None)]);
    let global = app.login("root@grants.test").await;
    let scoped_id = app.user(
        "haishu@grants.test",
        Some(d.xingfu),
        &[(Role::Admin, Some(d.haishu), None)],
    );
    let scoped = app.login("haishu@grants.test").await;
    let target = plain_user(&app, "target@grants.test", Some(d.xingfu));
    let roles = format!("/api/v1/users/{target}/roles");
    let before = counts(&app);

    #[rustfmt::skip]
    let refused: Vec<Refusal> = vec![
        ("property_firm without organisation", "global", json!({"role": "property_firm", "place_id": d.xingfu}), StatusCode::UNPROCESSABLE_ENTITY, "grant.organization_required", Some("organization_id")),
        ("department without organisation", "scoped", json!({"role": "department", "place_id": d.haishu}), StatusCode::UNPROCESSABLE_ENTITY, "grant.organization_required", Some("organization_id")),
        ("resident with an organisation", "global", json!({"role": "resident", "place_id": d.xingfu, "organization_id": d.firm}), StatusCode::UNPROCESSABLE_ENTITY, "grant.organization_not_allowed", Some("organization_id")),
        ("admin with an organisation", "global", json!({"role": "admin", "place_id": d.xingfu, "organization_id": d.dept}), StatusCode::UNPROCESSABLE_ENTITY, "grant.organization_not_allowed", Some("organization_id")),
        ("property_firm naming a department", "global", json!({"role": "property_firm", "place_id": d.xingfu, "organization_id": d.dept}), StatusCode::UNPROCESSABLE_ENTITY, "grant.organization_kind_mismatch", Some("organization_id")),
        ("department naming a property firm", "scoped", json!({"role": "department", "place_id": d.haishu, "organization_id": d.firm}), StatusCode::UNPROCESSABLE_ENTITY, "grant.organization_kind_mismatch", Some("organization_id")),
        ("property_firm naming an unknown organisation", "global", json!({"role": "property_firm", "place_id": d.xingfu, "organization_id": 999999}), StatusCode::UNPROCESSABLE_ENTITY, "organization.not_found", Some("organization_id")),
        ("unknown place", "global", json!({"role": "community_staff", "place_id": 999999}), StatusCode::UNPROCESSABLE_ENTITY, "place.not_found", Some("place_id")),
        ("no place for a non-admin role", "global", json!({"role": "community_staff"}), StatusCode::UNPROCESSABLE_ENTITY, "grant.place_required", Some("place_id")),
        ("installation-wide admin by a scoped admin", "scoped", json!({"role": "admin", "place_id": null}), StatusCode::FORBIDDEN, "permission.denied", None),
        ("admin at the city by a scoped admin", "scoped", json!({"role": "admin", "place_id": d.city}), StatusCode::FORBIDDEN, "permission.denied", None),
    ];
    for (what, who, body, status, code, field) in refused {
        let token = if who == "global" { &global } else { &scoped };
        let r = app.post(&roles, Some(token), body).await;
        assert_problem(&format!("{what} ({who})"), &r, status, code, field);
    }
    problem(
        "grant to an unknown user",
        app.post(
            "/api/v1/users/999999/roles",
            Some(&global),
            json!({"role": "community_staff", "place_id": d.xingfu}),
        ),
        Expect(404, "user.not_found", None),
    )
    .await;
    assert_eq!(counts(&app), before, "refused grants wrote nothing");

    // Good grants, then the same grant again is a conflict.
    let staff = json!({"role": "community_staff", "place_id": d.xingfu});
    let r = app.post(&roles, Some(&scoped), staff.clone()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let staff_grant = r.body["id"].as_i64().unwrap();
    problem(
        "duplicate grant",
        app.post(&roles, Some(&global), staff),
        Expect(409, "resource.conflict", None),
    )
    .await;
    let firm = json!({"role": "property_firm", "place_id": d.xingfu, "organization_id": d.firm});
    let r = app.post(&roles, Some(&scoped), firm.clone()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert_eq!(r.body["organization_id"], d.firm);
    problem(
        "duplicate property_firm grant",
        app.post(&roles, Some(&scoped), firm),
        Expect(409, "resource.conflict", None),
    )
    .await;
    // The same role at another place is not a duplicate; a scoped admin may grant admin inside.
    let r = app
        .post(
            &roles,
            Some(&scoped),
            json!({"role": "admin", "place_id": d.nanmen}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let r = app
        .post(&roles, Some(&global), json!({"role": "admin"}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert!(r.body["place_id"].is_null());
    let mut want = before.clone();
    want[2] += 4;
    assert_eq!(counts(&app), want);
    let user = app
        .get(&format!("/api/v1/users/{target}"), Some(&global))
        .await;
    assert_eq!(user.body["roles"].as_array().unwrap().len(), 4);

    // Revoking: unknown grant, a grant of another user, another's placeless admin grant.
    #[rustfmt::skip]
    let cases = [
        ("revoke an unknown grant", call::delete(format!("{roles}/999999"), Some(&global)), Expect(404, "grant.not_found", None)),
        ("revoke through the wrong user", call::delete(format!("/api/v1/users/{scoped_id}/roles/{staff_grant}"), Some(&global)), Expect(404, "grant.not_found", None)),
    ];
    problem_all(&app, cases).await;
    let me = app.get("/api/v1/me", Some(&global)).await;
    let global_grant = me.body["roles"][0]["id"].as_i64().unwrap();
    #[rustfmt::skip]
    let cases = [
        // The installation-wide admin has no home: outside every scope, so hidden.
        ("scoped admin revoking an installation-wide grant", call::delete(format!("/api/v1/users/{global_id}/roles/{global_grant}"), Some(&scoped)), Expect(404, "user.not_found", None)),
        // Nobody revokes their own admin grant.
        ("revoking your own installation-wide admin grant", call::delete(format!("/api/v1/users/{global_id}/roles/{global_grant}"), Some(&global)), Expect(409, "resource.conflict", None)),
    ];
    problem_all(&app, cases).await;
    let me = app.get("/api/v1/me", Some(&scoped)).await;
    let scoped_grant = me.body["roles"][0]["id"].as_i64().unwrap();
    problem(
        "revoking your own scoped admin grant",
        app.delete(
            &format!("/api/v1/users/{scoped_id}/roles/{scoped_grant}"),
            Some(&scoped),
        ),
        Expect(409, "resource.conflict", None),
    )
    .await;
    assert_eq!(counts(&app), want, "refused revokes deleted nothing");
    assert_eq!(
        app.get("/api/v1/users", Some(&global)).await.status,
        StatusCode::OK,
        "the global admin is still admin"
    );
    assert_eq!(
        app.get("/api/v1/users", Some(&scoped)).await.status,
        StatusCode::OK,
        "the scoped admin is still admin"
    );
    // The target now holds an installation-wide admin grant, beyond the scoped admin's
    // reach: the scoped admin may no longer revoke their grants; the global admin may.
    deny(
        &app,
        "scoped admin revoking from a user with a wider reach",
        app.delete(&format!("{roles}/{staff_grant}"), Some(&scoped)),
        DENIED,
    )
    .await;
    let r = app
        .delete(&format!("{roles}/{staff_grant}"), Some(&global))
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
    want[2] -= 1;
    assert_eq!(counts(&app), want);

    // ?role= lists exactly the holders of the role: the demo has one 政协委员.
    let r = app
        .get("/api/v1/users?role=cppcc_member&limit=100", Some(&global))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let items = r.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{items:?}");
    assert_eq!(items[0]["email"], "cppcc@yishi.demo");
    assert!(
        items[0]["roles"]
            .as_array()
            .unwrap()
            .iter()
            .any(|g| g["role"] == "cppcc_member")
    );
    problem(
        "unknown role filter",
        app.get("/api/v1/users?role=superuser", Some(&global)),
        Expect(400, "request.invalid_query", Some("role")),
    )
    .await;

    // A scoped admin lists only users homed inside the scope.
    let jiangbei_user = plain_user(&app, "jiangbei@grants.test", Some(d.taoyuan));
    let haishu_places: HashSet<i64> = ids(&walk(
        &app,
        &format!("/api/v1/places?within={}&limit=100", d.haishu),
        None,
    )
    .await)
    .into_iter()
    .collect();
    assert_eq!(haishu_places.len(), 33);
    let scoped_list = walk(&app, "/api/v1/users?limit=3", Some(&scoped)).await;
    let scoped_ids = ids(&scoped_list);
    assert!(!scoped_ids.contains(&jiangbei_user), "{scoped_list:?}");
    assert!(!scoped_ids.contains(&global_id), "a user with no home");
    assert!(scoped_ids.contains(&target));
    assert!(scoped_ids.contains(&scoped_id));
    for u in &scoped_list {
        let home = u["home_place_id"].as_i64();
        assert!(
            home.is_some_and(|h| haishu_places.contains(&h)),
            "{} is homed outside 海曙区",
            u["email"]
        );
    }
    // Every demo user lives in 幸福社区, plus target and the scoped admin.
    assert_eq!(scoped_list.len(), 12);
    let global_list = walk(&app, "/api/v1/users?limit=3", Some(&global)).await;
    let global_ids = ids(&global_list);
    assert!(global_ids.contains(&jiangbei_user));
    assert!(global_ids.contains(&global_id));
    assert_eq!(global_list.len() as i64, app.count("users"));
    assert_eq!(
        global_ids.iter().collect::<HashSet<_>>().len(),
        global_ids.len()
    );
    let r = app
        .get(
            &format!("/api/v1/users?place_id={}", d.jiangbei),
            Some(&scoped),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["items"], json!([]));
    let r = app
        .get(
            &format!("/api/v1/users?place_id={}", d.jiangbei),
            Some(&global),
        )
        .await;
    assert_eq!(
        ids(r.body["items"].as_array().unwrap()),
        vec![jiangbei_user]
    );
    let r = app
        .get("/api/v1/users?q=JIANGBEI%40grants", Some(&global))
        .await;
    assert_eq!(
        ids(r.body["items"].as_array().unwrap()),
        vec![jiangbei_user]
    );
    let r = app.get("/api/v1/users?q=jiangbei", Some(&scoped)).await;
    assert_eq!(r.body["items"], json!([]));
    for path in [
        format!("/api/v1/users/{jiangbei_user}"),
        format!("/api/v1/users/{global_id}"),
        "/api/v1/users/999999".to_string(),
    ] {
        problem(
            &format!("scoped GET {path}"),
            app.get(&path, Some(&scoped)),
            Expect(404, "user.not_found", None),
        )
        .await;
    }
    let r = app
        .get(&format!("/api/v1/users/{jiangbei_user}"), Some(&global))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["email"], "jiangbei@grants.test");

    // An admin of two sub-districts sees the users of both and nobody else.
    let kongpu_user = plain_user(
        &app,
        "kongpu@grants.test",
        Some(app.place("demo-330200-1-1-0")),
    );
    let two = app
        .user_token(
            "two@grants.test",
            None,
            &[
                (Role::Admin, Some(d.nanmen), None),
                (Role::Admin, Some(d.kongpu), None),
            ],
        )
        .await;
    let listed = ids(&walk(&app, "/api/v1/users?limit=100", Some(&two)).await);
    assert!(listed.contains(&kongpu_user));
    assert!(listed.contains(&target));
    assert!(!listed.contains(&jiangbei_user), "桃源社区 is in 白沙街道");
    let residents = ids(&walk(&app, "/api/v1/users?role=resident", Some(&two)).await);
    assert!(!residents.contains(&jiangbei_user));
    assert!(!residents.contains(&kongpu_user), "no resident grant");
    assert_eq!(residents.len(), 5, "the demo users holding resident");

    // Disabling yourself is refused; disabling another works and bites at once.
    #[rustfmt::skip]
    let cases = [
        ("disabling yourself", call::patch(format!("/api/v1/users/{scoped_id}"), Some(&scoped), json!({"disabled": true})), Expect(422, "validation.invalid", Some("disabled"))),
        ("scoped admin disabling a user outside", call::patch(format!("/api/v1/users/{jiangbei_user}"), Some(&scoped), json!({"disabled": true})), Expect(404, "user.not_found", None)),
    ];
    problem_all(&app, cases).await;
    let r = app
        .get(&format!("/api/v1/users/{jiangbei_user}"), Some(&global))
        .await;
    assert_eq!(r.body["disabled"], false);
    app.stop().await;
    Ok(())
}
