//! Finding 2 (accounts half): a property_firm or department grant names an organisation that
//! serves a place overlapping the grant's place; and granting or revoking needs the same
//! reach over the user as changing them.

use super::*;

/// An organisation of `kind` serving `places`, inserted directly.
fn org(app: &TestApp, kind: OrganizationKind, name: &str, places: &[i64]) -> i64 {
    app.with_db(|c| yishi::places::queries::insert_organization(c, kind, name, places))
        .expect("organisation")
}

#[actix_rt::test]
async fn organisation_grants_stay_within_the_places_they_serve() -> TestResult {
    let app = TestApp::builder().demo().build().await;
    let d = app.demo_city().await;
    let admin = app
        .user_token(
            "district-admin@scope.test",
            Some(d.community),
            &[(Role::Admin, Some(d.district), None)],
        )
        .await;
    let global = app
        .user_token("root@scope.test", None, &[(Role::Admin, None, None)])
        .await;
    let target = app.user("target@scope.test", Some(d.community), &[]);
    let roles = format!("/api/v1/users/{target}/roles");
    let dept = OrganizationKind::Department;
    let firm = OrganizationKind::PropertyFirm;
    let other_district = org(&app, dept, "B 区住建局", &[d.other_district]);
    let far_community = org(&app, firm, "B 区物业", &[d.far]);
    let sibling = org(&app, firm, "和义物业", &[d.sibling]);
    let this_district = org(&app, dept, "A 区住建局", &[d.district]);
    let below = org(&app, dept, "A 区南门办", &[d.subdistrict]);
    let out = |what| {
        (
            what,
            Expect(
                422,
                "grant.organization_out_of_scope",
                Some("organization_id"),
            ),
        )
    };

    // (what, caller, body) refused: nothing written.
    #[rustfmt::skip]
    let refused = [
        (out("a department serving only the other district"), &admin, json!({"role": "department", "place_id": d.district, "organization_id": other_district})),
        (out("the same, granted at a community of this district"), &admin, json!({"role": "department", "place_id": d.community, "organization_id": other_district})),
        (out("a firm serving a community elsewhere"), &admin, json!({"role": "property_firm", "place_id": d.community, "organization_id": far_community})),
        (out("a firm serving the neighbouring community"), &admin, json!({"role": "property_firm", "place_id": d.community, "organization_id": sibling})),
        (out("even an installation-wide admin"), &global, json!({"role": "department", "place_id": d.district, "organization_id": other_district})),
    ];
    for ((what, expect), token, body) in refused {
        deny(&app, what, app.post(&roles, Some(token), body), expect).await;
    }

    // The place itself, a place within it, a place above it.
    #[rustfmt::skip]
    let granted = [
        ("a department serving this district", json!({"role": "department", "place_id": d.district, "organization_id": this_district})),
        ("a department serving a sub-district within", json!({"role": "department", "place_id": d.district, "organization_id": below})),
        ("a department serving the district, at a community", json!({"role": "department", "place_id": d.community, "organization_id": this_district})),
        ("a firm serving the community", json!({"role": "property_firm", "place_id": d.sibling, "organization_id": sibling})),
    ];
    for (what, body) in granted {
        let r = app.post(&roles, Some(&admin), body.clone()).await;
        assert_eq!(r.status, StatusCode::CREATED, "{what}: {:?}", r.body);
        assert_eq!(r.body["organization_id"], body["organization_id"], "{what}");
    }
    // The same organisation, once it serves this district too, may be granted here.
    app.with_db(|c| {
        yishi::places::queries::set_organization_places(
            c,
            other_district,
            &[d.other_district, d.district],
        )
    })?;
    let r = app
        .post(
            &roles,
            Some(&admin),
            json!({"role": "department", "place_id": d.district, "organization_id": other_district}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    app.done().await
}

#[actix_rt::test]
async fn grant_and_revoke_need_reach_over_every_grant_of_the_user() -> TestResult {
    let app = TestApp::builder().demo().build().await;
    let d = app.demo_city().await;
    let admin = app
        .user_token(
            "district-admin@reach.test",
            Some(d.community),
            &[(Role::Admin, Some(d.district), None)],
        )
        .await;
    // Homed here, but also staff of the other district: wider than the admin's reach.
    let wide = app.user(
        "wide@reach.test",
        Some(d.community),
        &[
            (Role::CommunityStaff, Some(d.community), None),
            (Role::SubdistrictStaff, Some(d.other_subdistrict), None),
            (Role::GridWorker, Some(d.far), None),
        ],
    );
    // Homed in the other district, holding a grant here.
    let away = app.user(
        "away@reach.test",
        Some(d.far),
        &[(Role::GridWorker, Some(d.grid), None)],
    );
    let grant_of = |user: i64, role: &str| {
        let role = Role::parse(role).unwrap();
        app.with_db(|c| yishi::accounts::queries::grants_of(c, &[user]))
            .unwrap()
            .into_iter()
            .find(|g| g.role == role)
            .unwrap()
            .id
    };
    let wide_here = grant_of(wide, "community_staff");
    let away_here = grant_of(away, "grid_worker");
    let staff = json!({"role": "community_staff", "place_id": d.sibling});
    let not_found = Expect(404, "user.not_found", None);
    let global = app
        .user_token("root@reach.test", None, &[(Role::Admin, None, None)])
        .await;

    // `wide` holds a grant at the far community, outside; `away` lives outside.
    #[rustfmt::skip]
    let cases = [
        ("grant to a user with a grant beyond the scope", call::post(format!("/api/v1/users/{wide}/roles"), Some(&admin), staff.clone()), DENIED),
        ("revoke from a user with a grant beyond the scope", call::delete(format!("/api/v1/users/{wide}/roles/{wide_here}"), Some(&admin)), DENIED),
        ("change a user with a grant beyond the scope", call::patch(format!("/api/v1/users/{wide}"), Some(&admin), json!({"disabled": true})), DENIED),
        ("grant to a user homed elsewhere", call::post(format!("/api/v1/users/{away}/roles"), Some(&admin), staff.clone()), not_found),
        ("revoke from a user homed elsewhere, at a place in scope", call::delete(format!("/api/v1/users/{away}/roles/{away_here}"), Some(&admin)), not_found),
        ("change a user homed elsewhere", call::patch(format!("/api/v1/users/{away}"), Some(&admin), json!({"disabled": true})), not_found),
    ];
    for (what, c, expect) in cases {
        deny(&app, what, app.call(&c), expect).await;
    }
    for user in [wide, away] {
        let r = app
            .get(&format!("/api/v1/users/{user}"), Some(&global))
            .await;
        assert_eq!(r.body["disabled"], false, "refused changes wrote nothing");
    }
    // An installation-wide admin reaches both.
    let r = app
        .delete(
            &format!("/api/v1/users/{away}/roles/{away_here}"),
            Some(&global),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
    let r = app
        .post(&format!("/api/v1/users/{wide}/roles"), Some(&global), staff)
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    app.done().await
}
