//! The role × place matrix over every admin endpoint.

use super::*;

/// Which side of the scoped admin's boundary a request acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    /// 海曙区 (幸福社区 and below).
    Inside,
    /// 江北区 (桃源社区 and below).
    Outside,
}

/// The kinds of caller in the matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Anonymous,
    NonAdmin,
    ScopedAdmin,
    GlobalAdmin,
}

/// What a cell must answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    /// 401 auth.missing_token.
    Unauthorized,
    /// 403 permission.denied.
    Denied,
    /// 404 user.not_found: the user is outside the caller's scope.
    Hidden,
    /// 200, but the list leaves out every user outside the caller's scope.
    Filtered,
    /// The endpoint's success status.
    Allowed,
}

/// Every admin and write endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Endpoint {
    CreatePlace,
    UpdatePlace,
    CreateOrganization,
    UpdateOrganization,
    ListUsers,
    GetUser,
    UpdateUser,
    GrantRole,
    RevokeRole,
}

impl Endpoint {
    fn success(self) -> StatusCode {
        match self {
            Endpoint::CreatePlace | Endpoint::CreateOrganization | Endpoint::GrantRole => {
                StatusCode::CREATED
            }
            Endpoint::RevokeRole => StatusCode::NO_CONTENT,
            _ => StatusCode::OK,
        }
    }

    /// How a successful call changes the row counts of [`TABLES`].
    fn delta(self) -> [i64; 4] {
        match self {
            Endpoint::CreatePlace => [1, 0, 0, 0],
            Endpoint::CreateOrganization => [0, 1, 0, 0],
            Endpoint::GrantRole => [0, 0, 1, 0],
            Endpoint::RevokeRole => [0, 0, -1, 0],
            _ => [0, 0, 0, 0],
        }
    }

    /// What the 海曙区 admin gets when acting on 江北区.
    fn outside_scope(self) -> Outcome {
        match self {
            Endpoint::GetUser
            | Endpoint::UpdateUser
            | Endpoint::GrantRole
            | Endpoint::RevokeRole => Outcome::Hidden,
            Endpoint::ListUsers => Outcome::Filtered,
            _ => Outcome::Denied,
        }
    }

    fn expected(self, who: Who, side: Side) -> Outcome {
        match (who, side) {
            (Who::Anonymous, _) => Outcome::Unauthorized,
            (Who::NonAdmin, _) => Outcome::Denied,
            (Who::ScopedAdmin, Side::Outside) => self.outside_scope(),
            (Who::ScopedAdmin, Side::Inside) | (Who::GlobalAdmin, _) => Outcome::Allowed,
        }
    }
}

/// The fixtures the matrix acts on, one per side.
struct Fixtures {
    d: Demo,
    org_in: i64,
    org_out: i64,
    user_in: i64,
    user_out: i64,
}

impl Fixtures {
    fn pick(side: Side, inside: i64, outside: i64) -> i64 {
        match side {
            Side::Inside => inside,
            Side::Outside => outside,
        }
    }
}

/// One request of the matrix, built fresh for its cell.
struct Prepared {
    method: Method,
    path: String,
    body: Option<Value>,
    /// The resource a PATCH renames, and the new name.
    rename: Option<(Named, i64, String)>,
    /// The user a read must return or a list must show (or, filtered, leave out).
    subject: Option<i64>,
    /// The place a created place, organisation or grant must sit at.
    place: Option<i64>,
}

impl Prepared {
    fn new(method: Method, path: String, body: Option<Value>) -> Prepared {
        Prepared {
            method,
            path,
            body,
            rename: None,
            subject: None,
            place: None,
        }
    }
}

/// Builds the request of `ep` acting on `side`; `n` keeps names and codes unique.
fn prepare(app: &TestApp, fx: &Fixtures, ep: Endpoint, side: Side, n: usize) -> Prepared {
    let community = Fixtures::pick(side, fx.d.xingfu, fx.d.taoyuan);
    let grid = Fixtures::pick(side, fx.d.xingfu_g1, fx.d.taoyuan_g1);
    let org = Fixtures::pick(side, fx.org_in, fx.org_out);
    let user = Fixtures::pick(side, fx.user_in, fx.user_out);
    match ep {
        Endpoint::CreatePlace => Prepared {
            place: Some(community),
            ..Prepared::new(
                Method::POST,
                "/api/v1/places".into(),
                Some(json!({
                    "parent_id": community,
                    "kind": "grid",
                    "name": format!("矩阵第{n}网格"),
                    "code": format!("matrix-{n}"),
                })),
            )
        },
        Endpoint::UpdatePlace => {
            let name = format!("改名网格{n}");
            Prepared {
                rename: Some((Named::Place, grid, name.clone())),
                ..Prepared::new(
                    Method::PATCH,
                    format!("/api/v1/places/{grid}"),
                    Some(json!({ "name": name })),
                )
            }
        }
        Endpoint::CreateOrganization => Prepared {
            place: Some(community),
            ..Prepared::new(
                Method::POST,
                "/api/v1/organizations".into(),
                Some(json!({
                    "kind": "social_org",
                    "name": format!("矩阵志愿服务队{n}"),
                    "place_ids": [community],
                })),
            )
        },
        Endpoint::UpdateOrganization => {
            let name = format!("改名组织{n}");
            Prepared {
                rename: Some((Named::Organization, org, name.clone())),
                ..Prepared::new(
                    Method::PATCH,
                    format!("/api/v1/organizations/{org}"),
                    Some(json!({ "name": name })),
                )
            }
        }
        Endpoint::ListUsers => Prepared {
            subject: Some(user),
            ..Prepared::new(
                Method::GET,
                format!("/api/v1/users?place_id={community}&limit=100"),
                None,
            )
        },
        Endpoint::GetUser => Prepared {
            subject: Some(user),
            ..Prepared::new(Method::GET, format!("/api/v1/users/{user}"), None)
        },
        Endpoint::UpdateUser => {
            let name = format!("改名用户{n}");
            Prepared {
                rename: Some((Named::User, user, name.clone())),
                subject: Some(user),
                ..Prepared::new(
                    Method::PATCH,
                    format!("/api/v1/users/{user}"),
                    Some(json!({ "display_name": name })),
                )
            }
        }
        Endpoint::GrantRole => {
            let grantee = plain_user(app, &format!("grantee-{n}@matrix.test"), Some(community));
            Prepared {
                place: Some(community),
                subject: Some(grantee),
                ..Prepared::new(
                    Method::POST,
                    format!("/api/v1/users/{grantee}/roles"),
                    Some(json!({"role": "community_staff", "place_id": community})),
                )
            }
        }
        Endpoint::RevokeRole => {
            let grant = grant_in_db(app, user, Role::CommunityStaff, Some(community), None);
            Prepared::new(
                Method::DELETE,
                format!("/api/v1/users/{user}/roles/{grant}"),
                None,
            )
        }
    }
}

/// Sends a prepared request as `token`.
async fn call(app: &TestApp, p: &Prepared, token: Option<&str>) -> Resp {
    let body = || p.body.clone().expect("a body");
    if p.method == Method::GET {
        app.get(&p.path, token).await
    } else if p.method == Method::POST {
        app.post(&p.path, token, body()).await
    } else if p.method == Method::PATCH {
        app.patch(&p.path, token, body()).await
    } else if p.method == Method::DELETE {
        app.delete(&p.path, token).await
    } else {
        panic!("no {} in the matrix", p.method)
    }
}

/// Checks a successful answer says what was asked.
fn check_allowed(cell: &str, ep: Endpoint, p: &Prepared, r: &Resp) {
    assert_eq!(r.status, ep.success(), "{cell}: {:?}", r.body);
    let b = &r.body;
    match ep {
        Endpoint::CreatePlace => {
            assert_eq!(b["parent_id"].as_i64(), p.place, "{cell}: {b:?}");
            assert_eq!(b["kind"], "grid", "{cell}: {b:?}");
            assert_eq!(b["depth"], 4, "{cell}: {b:?}");
        }
        Endpoint::UpdatePlace | Endpoint::UpdateOrganization => {
            let (_, id, name) = p.rename.as_ref().expect("rename");
            assert_eq!(b["id"], *id, "{cell}: {b:?}");
            assert_eq!(b["name"], name.as_str(), "{cell}: {b:?}");
        }
        Endpoint::CreateOrganization => {
            assert_eq!(b["kind"], "social_org", "{cell}: {b:?}");
            assert_eq!(b["place_ids"], json!([p.place]), "{cell}: {b:?}");
        }
        Endpoint::ListUsers => {
            let items = b["items"].as_array().expect("items");
            assert!(
                ids(items).contains(&p.subject.expect("subject")),
                "{cell}: the user homed there is listed: {b:?}"
            );
        }
        Endpoint::GetUser => {
            assert_eq!(b["id"].as_i64(), p.subject, "{cell}: {b:?}");
            assert!(b["roles"].is_array(), "{cell}: {b:?}");
        }
        Endpoint::UpdateUser => {
            let (_, _, name) = p.rename.as_ref().expect("rename");
            assert_eq!(b["id"].as_i64(), p.subject, "{cell}: {b:?}");
            assert_eq!(b["display_name"], name.as_str(), "{cell}: {b:?}");
        }
        Endpoint::GrantRole => {
            assert_eq!(b["role"], "community_staff", "{cell}: {b:?}");
            assert_eq!(b["place_id"].as_i64(), p.place, "{cell}: {b:?}");
            assert!(b["organization_id"].is_null(), "{cell}: {b:?}");
            assert!(b["id"].as_i64().is_some(), "{cell}: {b:?}");
        }
        Endpoint::RevokeRole => {}
    }
}

#[actix_rt::test]
async fn every_admin_endpoint_checks_role_and_place() -> TestResult {
    let app = TestApp::spawn().await;
    let d = demo(&app).await;

    // Targets on both sides of the 海曙区 boundary.
    let fx = Fixtures {
        org_in: org_in_db(
            &app,
            OrganizationKind::SocialOrg,
            "幸福社区志愿队",
            &[d.xingfu],
        ),
        org_out: org_in_db(
            &app,
            OrganizationKind::SocialOrg,
            "桃源社区志愿队",
            &[d.taoyuan],
        ),
        user_in: plain_user(&app, "lives-in-haishu@matrix.test", Some(d.xingfu)),
        user_out: plain_user(&app, "lives-in-jiangbei@matrix.test", Some(d.taoyuan)),
        d,
    };
    let d = &fx.d;

    // Callers: every non-admin role at (or above) the very places acted on, a 海曙区 admin and
    // an installation-wide admin.
    let mut callers: Vec<(String, Option<String>, Who)> =
        vec![("anonymous".into(), None, Who::Anonymous)];
    let non_admins: [(&str, Role, i64, Option<i64>); 7] = [
        ("resident", Role::Resident, d.xingfu, None),
        ("grid_worker", Role::GridWorker, d.xingfu_g1, None),
        ("community_staff", Role::CommunityStaff, d.xingfu, None),
        ("subdistrict_staff", Role::SubdistrictStaff, d.nanmen, None),
        ("cppcc_member", Role::CppccMember, d.haishu, None),
        ("property_firm", Role::PropertyFirm, d.xingfu, Some(d.firm)),
        ("department", Role::Department, d.haishu, Some(d.dept)),
    ];
    for (name, role, place, org) in non_admins {
        let token = app
            .user_token(
                &format!("{name}@matrix.test"),
                Some(d.xingfu),
                &[(role, Some(place), org)],
            )
            .await;
        callers.push((name.into(), Some(token), Who::NonAdmin));
    }
    let scoped = app
        .user_token(
            "haishu-admin@matrix.test",
            Some(d.xingfu),
            &[(Role::Admin, Some(d.haishu), None)],
        )
        .await;
    callers.push(("admin@海曙区".into(), Some(scoped), Who::ScopedAdmin));
    let global = app
        .user_token("root@matrix.test", None, &[(Role::Admin, None, None)])
        .await;
    callers.push(("admin@installation".into(), Some(global), Who::GlobalAdmin));

    #[rustfmt::skip]
    let endpoints: Vec<(&str, Endpoint)> = vec![
        ("POST /api/v1/places", Endpoint::CreatePlace),
        ("PATCH /api/v1/places/{id}", Endpoint::UpdatePlace),
        ("POST /api/v1/organizations", Endpoint::CreateOrganization),
        ("PATCH /api/v1/organizations/{id}", Endpoint::UpdateOrganization),
        ("GET /api/v1/users", Endpoint::ListUsers),
        ("GET /api/v1/users/{id}", Endpoint::GetUser),
        ("PATCH /api/v1/users/{id}", Endpoint::UpdateUser),
        ("POST /api/v1/users/{id}/roles", Endpoint::GrantRole),
        ("DELETE /api/v1/users/{id}/roles/{grant_id}", Endpoint::RevokeRole),
    ];

    let mut n = 0;
    let mut cells = 0;
    for (ep_name, ep) in &endpoints {
        for (caller, token, who) in &callers {
            // Admins act on both sides; everyone else on the places they themselves serve.
            let sides: &[Side] = match who {
                Who::ScopedAdmin | Who::GlobalAdmin => &[Side::Inside, Side::Outside],
                _ => &[Side::Inside],
            };
            for side in sides {
                n += 1;
                let cell = format!("[{ep_name} | {caller} | {side:?}]");
                let p = prepare(&app, &fx, *ep, *side, n);
                let before = counts(&app);
                let r = call(&app, &p, token.as_deref()).await;
                let outcome = ep.expected(*who, *side);
                match outcome {
                    Outcome::Unauthorized => {
                        assert_problem(
                            &cell,
                            &r,
                            StatusCode::UNAUTHORIZED,
                            "auth.missing_token",
                            None,
                        );
                        assert!(
                            r.headers.contains_key("www-authenticate"),
                            "{cell}: WWW-Authenticate"
                        );
                    }
                    Outcome::Denied => {
                        assert_problem(&cell, &r, StatusCode::FORBIDDEN, "permission.denied", None)
                    }
                    Outcome::Hidden => {
                        assert_problem(&cell, &r, StatusCode::NOT_FOUND, "user.not_found", None)
                    }
                    Outcome::Filtered => {
                        assert_eq!(r.status, StatusCode::OK, "{cell}: {:?}", r.body);
                        let items = r.body["items"].as_array().expect("items");
                        assert!(
                            items.is_empty(),
                            "{cell}: no user homed outside the scope is listed: {:?}",
                            r.body
                        );
                    }
                    Outcome::Allowed => check_allowed(&cell, *ep, &p, &r),
                }
                let after = counts(&app);
                let want: Vec<i64> = if outcome == Outcome::Allowed {
                    before
                        .iter()
                        .zip(ep.delta())
                        .map(|(count, delta)| count + delta)
                        .collect()
                } else {
                    before.clone()
                };
                assert_eq!(
                    after, want,
                    "{cell}: rows of {TABLES:?} (expected {outcome:?})"
                );
                if let Some((what, id, name)) = &p.rename {
                    let now = current_name(&app, *what, *id).await;
                    if outcome == Outcome::Allowed {
                        assert_eq!(&now, name, "{cell}: renamed");
                    } else {
                        assert_ne!(&now, name, "{cell}: a refused PATCH renamed {what:?} {id}");
                    }
                }
                cells += 1;
            }
        }
    }
    // 9 endpoints × (anonymous + 7 roles + 2 sides × 2 admins).
    assert_eq!(cells, 9 * 12);
    app.stop().await;
    Ok(())
}
