//! The admin and write endpoints over HTTP: a role × place matrix over every admin endpoint,
//! public reads and pagination of the place tree and organisations, the rules of places and
//! grants, and bad input on every write endpoint (answered with problem+json, in zh-CN or en,
//! and leaving the database unchanged).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::HashSet;

use awc::http::{Method, StatusCode};
use common::{Resp, TestApp};
use serde_json::{Value, json};
use yishi::auth::Role;
use yishi::places::model::OrganizationKind;

const PROBLEM_JSON: &str = "application/problem+json";
/// The tables a refused request must leave alone.
const TABLES: [&str; 4] = ["places", "organizations", "role_grants", "users"];

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

/// The demo places and organisations the tests act on.
struct Demo {
    city: i64,
    /// 海曙区, the district of the scoped admin.
    haishu: i64,
    /// 江北区, the other district.
    jiangbei: i64,
    /// 南门街道 (海曙区).
    nanmen: i64,
    /// 孔浦街道 (江北区).
    kongpu: i64,
    /// 幸福社区 (南门街道, 海曙区).
    xingfu: i64,
    xingfu_g1: i64,
    /// 桃源社区 (白沙街道, 江北区).
    taoyuan: i64,
    taoyuan_g1: i64,
    /// 甬城红色物业, a property firm serving 幸福社区.
    firm: i64,
    /// 海曙区住房和城乡建设局, a department.
    dept: i64,
}

/// Seeds the demo city and looks up the places and organisations used below.
async fn demo(app: &TestApp) -> Demo {
    app.seed_demo();
    let xingfu = app.place("demo-330200-0-0-0");
    let haishu = app.place("demo-330200-0");
    let firms = app
        .get("/api/v1/organizations?kind=property_firm&limit=100", None)
        .await;
    assert_eq!(firms.status, StatusCode::OK, "{:?}", firms.body);
    let firm = org_serving(&firms.body, xingfu).expect("a property firm serves 幸福社区");
    let depts = app
        .get("/api/v1/organizations?kind=department&limit=100", None)
        .await;
    assert_eq!(depts.status, StatusCode::OK, "{:?}", depts.body);
    let dept = org_serving(&depts.body, haishu).expect("a department serves 海曙区");
    Demo {
        city: app.place("demo-330200"),
        haishu,
        jiangbei: app.place("demo-330200-1"),
        nanmen: app.place("demo-330200-0-0"),
        kongpu: app.place("demo-330200-1-1"),
        xingfu,
        xingfu_g1: app.place("demo-330200-0-0-0-g1"),
        taoyuan: app.place("demo-330200-1-0-0"),
        taoyuan_g1: app.place("demo-330200-1-0-0-g1"),
        firm,
        dept,
    }
}

/// The id of the first organisation in a list answer that serves `place`.
fn org_serving(list: &Value, place: i64) -> Option<i64> {
    list["items"].as_array()?.iter().find_map(|o| {
        o["place_ids"]
            .as_array()?
            .iter()
            .any(|p| p.as_i64() == Some(place))
            .then(|| o["id"].as_i64())
            .flatten()
    })
}

/// Row counts of the tables a refused request must not touch.
fn counts(app: &TestApp) -> Vec<i64> {
    TABLES.iter().map(|t| app.count(t)).collect()
}

/// A verified user inserted directly, without a usable password (a target, not a caller).
fn plain_user(app: &TestApp, email: &str, home: Option<i64>) -> i64 {
    app.with_db(|c| {
        yishi::accounts::queries::insert_user(c, email, "not-a-password-hash", email, home, true)
            .expect("insert user")
    })
}

/// A role grant inserted directly; returns its id.
fn grant_in_db(app: &TestApp, user: i64, role: Role, place: Option<i64>, org: Option<i64>) -> i64 {
    app.with_db(|c| {
        yishi::accounts::queries::insert_grant(c, user, role, place, org, None)
            .expect("insert grant")
    })
}

/// An organisation inserted directly; returns its id.
fn org_in_db(app: &TestApp, kind: OrganizationKind, name: &str, places: &[i64]) -> i64 {
    app.with_db(|c| {
        yishi::places::queries::insert_organization(c, kind, name, places)
            .expect("insert organization")
    })
}

/// A user's display name, read from the database.
fn display_name(app: &TestApp, id: i64) -> String {
    use diesel::prelude::*;
    use yishi::db::schema::users;
    app.with_db(|c| {
        users::table
            .find(id)
            .select(users::display_name)
            .first::<String>(c)
            .expect("user")
    })
}

/// What can be renamed by a PATCH, to prove a refused one changed nothing.
#[derive(Debug, Clone, Copy)]
enum Named {
    Place,
    Organization,
    User,
}

/// The current name of a place, organisation or user.
async fn current_name(app: &TestApp, what: Named, id: i64) -> String {
    let path = match what {
        Named::Place => format!("/api/v1/places/{id}"),
        Named::Organization => format!("/api/v1/organizations/{id}"),
        Named::User => return display_name(app, id),
    };
    let r = app.get(&path, None).await;
    assert_eq!(r.status, StatusCode::OK, "{path}: {:?}", r.body);
    r.body["name"].as_str().expect("name").to_string()
}

/// Ids of the items of a list answer.
fn ids(items: &[Value]) -> Vec<i64> {
    items
        .iter()
        .map(|i| i["id"].as_i64().expect("item id"))
        .collect()
}

/// Every item of a list, following `next_cursor` to the last page.
async fn walk(app: &TestApp, path: &str, token: Option<&str>) -> Vec<Value> {
    let sep = if path.contains('?') { '&' } else { '?' };
    let mut items = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..1000 {
        let url = match &cursor {
            None => path.to_string(),
            Some(c) => format!("{path}{sep}cursor={c}"),
        };
        let r = app.get(&url, token).await;
        assert_eq!(r.status, StatusCode::OK, "{url}: {:?}", r.body);
        items.extend(r.body["items"].as_array().expect("items").iter().cloned());
        match r.body["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => return items,
        }
    }
    panic!("{path}: more than 1000 pages");
}

/// Sends any method with raw bytes, a content type and optionally a language.
async fn send(
    app: &TestApp,
    method: Method,
    path: &str,
    token: Option<&str>,
    content_type: &str,
    body: Vec<u8>,
    lang: Option<&str>,
) -> Resp {
    let mut req = app
        .client
        .request(method, format!("{}{path}", app.base))
        .insert_header(("Content-Type", content_type));
    if let Some(t) = token {
        req = req.insert_header(("Authorization", format!("Bearer {t}")));
    }
    if let Some(l) = lang {
        req = req.insert_header(("Accept-Language", l));
    }
    let mut res = req.send_body(body).await.expect("request sent");
    let status = res.status();
    let headers = res.headers().clone();
    let content_type = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let bytes = res.body().limit(1 << 20).await.expect("body");
    let body = serde_json::from_slice(&bytes)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
    Resp {
        status,
        body,
        content_type,
        headers,
    }
}

/// Asserts a problem+json answer with `status`, `code` and (when given) `field`.
fn assert_problem(what: &str, r: &Resp, status: StatusCode, code: &str, field: Option<&str>) {
    assert_eq!(r.status, status, "{what}: status; body {:?}", r.body);
    assert_eq!(r.code(), code, "{what}: code; body {:?}", r.body);
    assert!(
        r.content_type.starts_with(PROBLEM_JSON),
        "{what}: content type {:?}",
        r.content_type
    );
    assert_eq!(
        r.body["status"].as_u64(),
        Some(u64::from(status.as_u16())),
        "{what}: status member; body {:?}",
        r.body
    );
    if let Some(f) = field {
        assert_eq!(r.body["field"], f, "{what}: field; body {:?}", r.body);
    }
}

// ---------------------------------------------------------------------------------------
// 1. The role × place matrix over every admin endpoint
// ---------------------------------------------------------------------------------------

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
            Endpoint::GetUser | Endpoint::UpdateUser | Endpoint::GrantRole => Outcome::Hidden,
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
async fn every_admin_endpoint_checks_role_and_place() {
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

    let endpoints: Vec<(&str, Endpoint)> = vec![
        ("POST /api/v1/places", Endpoint::CreatePlace),
        ("PATCH /api/v1/places/{id}", Endpoint::UpdatePlace),
        ("POST /api/v1/organizations", Endpoint::CreateOrganization),
        (
            "PATCH /api/v1/organizations/{id}",
            Endpoint::UpdateOrganization,
        ),
        ("GET /api/v1/users", Endpoint::ListUsers),
        ("GET /api/v1/users/{id}", Endpoint::GetUser),
        ("PATCH /api/v1/users/{id}", Endpoint::UpdateUser),
        ("POST /api/v1/users/{id}/roles", Endpoint::GrantRole),
        (
            "DELETE /api/v1/users/{id}/roles/{grant_id}",
            Endpoint::RevokeRole,
        ),
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
}

// ---------------------------------------------------------------------------------------
// 2. Public reads and pagination
// ---------------------------------------------------------------------------------------

#[actix_rt::test]
async fn places_and_organizations_are_public_reads() {
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
    let missing = app.get("/api/v1/places/999999", None).await;
    assert_problem(
        "missing place",
        &missing,
        StatusCode::NOT_FOUND,
        "place.not_found",
        None,
    );

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
    let missing = app.get("/api/v1/organizations/999999", None).await;
    assert_problem(
        "missing organisation",
        &missing,
        StatusCode::NOT_FOUND,
        "organization.not_found",
        None,
    );

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
    let bad_within = app.get("/api/v1/places?within=999999", None).await;
    assert_problem(
        "within an unknown place",
        &bad_within,
        StatusCode::UNPROCESSABLE_ENTITY,
        "place.not_found",
        Some("within"),
    );

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
            let r = app.get(&format!("{list}?limit={limit}"), None).await;
            assert_problem(
                &format!("{list} limit={limit}"),
                &r,
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation.range",
                Some("limit"),
            );
        }
        let r = app.get(&format!("{list}?limit=100"), None).await;
        assert_eq!(r.status, StatusCode::OK, "{list} limit=100");
        for cursor in ["garbage", "aWQ6eHl6", "%21%21%21"] {
            let r = app.get(&format!("{list}?cursor={cursor}"), None).await;
            assert_problem(
                &format!("{list} cursor={cursor}"),
                &r,
                StatusCode::BAD_REQUEST,
                "request.invalid_cursor",
                Some("cursor"),
            );
        }
        let r = app.get(&format!("{list}?limit=many"), None).await;
        assert_problem(
            &format!("{list} limit=many"),
            &r,
            StatusCode::BAD_REQUEST,
            "request.invalid_query",
            Some("limit"),
        );
        let r = app.get(&format!("{list}?kind=village"), None).await;
        assert_problem(
            &format!("{list} kind=village"),
            &r,
            StatusCode::BAD_REQUEST,
            "request.invalid_query",
            Some("kind"),
        );
    }
    app.stop().await;
}

// ---------------------------------------------------------------------------------------
// 3. Place and organisation rules
// ---------------------------------------------------------------------------------------

#[actix_rt::test]
async fn place_rules_hold() {
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
        let r = app
            .post(
                "/api/v1/places",
                Some(token),
                json!({"parent_id": d.haishu, "kind": "community", "name": "跳级社区", "code": "skip-1"}),
            )
            .await;
        assert_problem(
            "community under a district",
            &r,
            StatusCode::UNPROCESSABLE_ENTITY,
            "place.invalid_parent",
            Some("kind"),
        );
    }
    for (parent, kind) in [
        (d.xingfu_g1, "grid"),
        (d.city, "city"),
        (d.nanmen, "building"),
    ] {
        let r = app
            .post(
                "/api/v1/places",
                Some(&global),
                json!({"parent_id": parent, "kind": kind, "name": "错位", "code": format!("misplaced-{kind}")}),
            )
            .await;
        assert_problem(
            &format!("{kind} under {parent}"),
            &r,
            StatusCode::UNPROCESSABLE_ENTITY,
            "place.invalid_parent",
            Some("kind"),
        );
    }
    let r = app
        .post(
            "/api/v1/places",
            Some(&global),
            json!({"parent_id": null, "kind": "district", "name": "无根区", "code": "rootless"}),
        )
        .await;
    assert_problem(
        "district as a root",
        &r,
        StatusCode::UNPROCESSABLE_ENTITY,
        "place.invalid_parent",
        Some("kind"),
    );

    // An unknown parent names the field.
    let r = app
        .post(
            "/api/v1/places",
            Some(&global),
            json!({"parent_id": 999999, "kind": "grid", "name": "孤儿", "code": "orphan"}),
        )
        .await;
    assert_problem(
        "unknown parent",
        &r,
        StatusCode::UNPROCESSABLE_ENTITY,
        "place.not_found",
        Some("parent_id"),
    );

    // Codes are unique installation-wide, on create and on patch.
    let r = app
        .post(
            "/api/v1/places",
            Some(&global),
            json!({"parent_id": d.xingfu, "kind": "grid", "name": "重复", "code": "demo-330200-1-0-0"}),
        )
        .await;
    assert_problem(
        "duplicate code",
        &r,
        StatusCode::CONFLICT,
        "place.code_taken",
        None,
    );
    let r = app
        .patch(
            &format!("/api/v1/places/{}", d.xingfu_g1),
            Some(&scoped),
            json!({"code": "demo-330200-0-0-0"}),
        )
        .await;
    assert_problem(
        "patch to a taken code",
        &r,
        StatusCode::CONFLICT,
        "place.code_taken",
        None,
    );
    let g1 = app
        .get(&format!("/api/v1/places/{}", d.xingfu_g1), None)
        .await;
    assert_eq!(g1.body["code"], "demo-330200-0-0-0-g1");
    let r = app
        .patch(
            "/api/v1/places/999999",
            Some(&global),
            json!({"name": "无"}),
        )
        .await;
    assert_problem(
        "patch an unknown place",
        &r,
        StatusCode::NOT_FOUND,
        "place.not_found",
        None,
    );

    // A root city needs an installation-wide admin.
    let city = json!({"parent_id": null, "kind": "city", "name": "杭州市（测试）", "code": "hz"});
    let r = app
        .post("/api/v1/places", Some(&scoped), city.clone())
        .await;
    assert_problem(
        "city by a scoped admin",
        &r,
        StatusCode::FORBIDDEN,
        "permission.denied",
        None,
    );
    let r = app
        .post(
            "/api/v1/places",
            Some(&scoped),
            json!({"kind": "city", "name": "杭州市（测试）", "code": "hz"}),
        )
        .await;
    assert_problem(
        "city by a scoped admin, parent_id omitted",
        &r,
        StatusCode::FORBIDDEN,
        "permission.denied",
        None,
    );
    // And a scoped admin cannot add a district to its own city.
    let r = app
        .post(
            "/api/v1/places",
            Some(&scoped),
            json!({"parent_id": d.city, "kind": "district", "name": "新区", "code": "new-district"}),
        )
        .await;
    assert_problem(
        "district beside the scope",
        &r,
        StatusCode::FORBIDDEN,
        "permission.denied",
        None,
    );
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
    let r = app
        .post(
            "/api/v1/places",
            Some(&scoped),
            json!({"parent_id": hz, "kind": "district", "name": "西湖区", "code": "hz-1"}),
        )
        .await;
    assert_problem(
        "district in another city",
        &r,
        StatusCode::FORBIDDEN,
        "permission.denied",
        None,
    );
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
    let r = app
        .post(
            "/api/v1/organizations",
            Some(&scoped),
            json!({"kind": "property_firm", "name": "跨区物业", "place_ids": [d.xingfu, d.taoyuan]}),
        )
        .await;
    assert_problem(
        "organisation across the boundary",
        &r,
        StatusCode::FORBIDDEN,
        "permission.denied",
        None,
    );
    let r = app
        .post(
            "/api/v1/organizations",
            Some(&global),
            json!({"kind": "property_firm", "name": "无处物业", "place_ids": [999999]}),
        )
        .await;
    assert_problem(
        "organisation at an unknown place",
        &r,
        StatusCode::UNPROCESSABLE_ENTITY,
        "place.not_found",
        Some("place_ids"),
    );
    let r = app
        .post(
            "/api/v1/organizations",
            Some(&global),
            json!({"kind": "property_firm", "name": "无处物业", "place_ids": []}),
        )
        .await;
    assert_problem(
        "organisation serving nothing",
        &r,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation.length",
        Some("place_ids"),
    );
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
    let r = app
        .patch(
            &format!("/api/v1/organizations/{org}"),
            Some(&scoped),
            json!({"place_ids": [d.xingfu, d.taoyuan]}),
        )
        .await;
    assert_problem(
        "moving an organisation across the boundary",
        &r,
        StatusCode::FORBIDDEN,
        "permission.denied",
        None,
    );
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
    let r = app
        .patch(
            &format!("/api/v1/organizations/{org}"),
            Some(&scoped),
            json!({"name": "改名"}),
        )
        .await;
    assert_problem(
        "renaming an organisation that moved away",
        &r,
        StatusCode::FORBIDDEN,
        "permission.denied",
        None,
    );
    let r = app
        .patch(
            "/api/v1/organizations/999999",
            Some(&global),
            json!({"name": "无"}),
        )
        .await;
    assert_problem(
        "patch an unknown organisation",
        &r,
        StatusCode::NOT_FOUND,
        "organization.not_found",
        None,
    );
    app.stop().await;
}

// ---------------------------------------------------------------------------------------
// 4. Grant rules and user scoping
// ---------------------------------------------------------------------------------------

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
async fn grant_rules_and_user_scope_hold() {
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

    let refused: Vec<Refusal> = vec![
        (
            "property_firm without organisation",
            "global",
            json!({"role": "property_firm", "place_id": d.xingfu}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "grant.organization_required",
            Some("organization_id"),
        ),
        (
            "department without organisation",
            "scoped",
            json!({"role": "department", "place_id": d.haishu}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "grant.organization_required",
            Some("organization_id"),
        ),
        (
            "resident with an organisation",
            "global",
            json!({"role": "resident", "place_id": d.xingfu, "organization_id": d.firm}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "grant.organization_not_allowed",
            Some("organization_id"),
        ),
        (
            "admin with an organisation",
            "global",
            json!({"role": "admin", "place_id": d.xingfu, "organization_id": d.dept}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "grant.organization_not_allowed",
            Some("organization_id"),
        ),
        (
            "property_firm naming a department",
            "global",
            json!({"role": "property_firm", "place_id": d.xingfu, "organization_id": d.dept}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "grant.organization_kind_mismatch",
            Some("organization_id"),
        ),
        (
            "department naming a property firm",
            "scoped",
            json!({"role": "department", "place_id": d.haishu, "organization_id": d.firm}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "grant.organization_kind_mismatch",
            Some("organization_id"),
        ),
        (
            "property_firm naming an unknown organisation",
            "global",
            json!({"role": "property_firm", "place_id": d.xingfu, "organization_id": 999999}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "organization.not_found",
            Some("organization_id"),
        ),
        (
            "unknown place",
            "global",
            json!({"role": "community_staff", "place_id": 999999}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "place.not_found",
            Some("place_id"),
        ),
        (
            "no place for a non-admin role",
            "global",
            json!({"role": "community_staff"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "grant.place_required",
            Some("place_id"),
        ),
        (
            "installation-wide admin by a scoped admin",
            "scoped",
            json!({"role": "admin", "place_id": null}),
            StatusCode::FORBIDDEN,
            "permission.denied",
            None,
        ),
        (
            "admin at the city by a scoped admin",
            "scoped",
            json!({"role": "admin", "place_id": d.city}),
            StatusCode::FORBIDDEN,
            "permission.denied",
            None,
        ),
    ];
    for (what, who, body, status, code, field) in refused {
        let token = if who == "global" { &global } else { &scoped };
        let r = app.post(&roles, Some(token), body).await;
        assert_problem(&format!("{what} ({who})"), &r, status, code, field);
    }
    let r = app
        .post(
            "/api/v1/users/999999/roles",
            Some(&global),
            json!({"role": "community_staff", "place_id": d.xingfu}),
        )
        .await;
    assert_problem(
        "grant to an unknown user",
        &r,
        StatusCode::NOT_FOUND,
        "user.not_found",
        None,
    );
    assert_eq!(counts(&app), before, "refused grants wrote nothing");

    // Good grants, then the same grant again is a conflict.
    let staff = json!({"role": "community_staff", "place_id": d.xingfu});
    let r = app.post(&roles, Some(&scoped), staff.clone()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let staff_grant = r.body["id"].as_i64().unwrap();
    let r = app.post(&roles, Some(&global), staff).await;
    assert_problem(
        "duplicate grant",
        &r,
        StatusCode::CONFLICT,
        "resource.conflict",
        None,
    );
    let firm = json!({"role": "property_firm", "place_id": d.xingfu, "organization_id": d.firm});
    let r = app.post(&roles, Some(&scoped), firm.clone()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert_eq!(r.body["organization_id"], d.firm);
    let r = app.post(&roles, Some(&scoped), firm).await;
    assert_problem(
        "duplicate property_firm grant",
        &r,
        StatusCode::CONFLICT,
        "resource.conflict",
        None,
    );
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
    let r = app.delete(&format!("{roles}/999999"), Some(&global)).await;
    assert_problem(
        "revoke an unknown grant",
        &r,
        StatusCode::NOT_FOUND,
        "grant.not_found",
        None,
    );
    let r = app
        .delete(
            &format!("/api/v1/users/{scoped_id}/roles/{staff_grant}"),
            Some(&global),
        )
        .await;
    assert_problem(
        "revoke through the wrong user",
        &r,
        StatusCode::NOT_FOUND,
        "grant.not_found",
        None,
    );
    let me = app.get("/api/v1/me", Some(&global)).await;
    let global_grant = me.body["roles"][0]["id"].as_i64().unwrap();
    let r = app
        .delete(
            &format!("/api/v1/users/{global_id}/roles/{global_grant}"),
            Some(&scoped),
        )
        .await;
    assert_problem(
        "scoped admin revoking an installation-wide grant",
        &r,
        StatusCode::FORBIDDEN,
        "permission.denied",
        None,
    );

    // Nobody revokes their own admin grant.
    let r = app
        .delete(
            &format!("/api/v1/users/{global_id}/roles/{global_grant}"),
            Some(&global),
        )
        .await;
    assert_problem(
        "revoking your own installation-wide admin grant",
        &r,
        StatusCode::CONFLICT,
        "resource.conflict",
        None,
    );
    let me = app.get("/api/v1/me", Some(&scoped)).await;
    let scoped_grant = me.body["roles"][0]["id"].as_i64().unwrap();
    let r = app
        .delete(
            &format!("/api/v1/users/{scoped_id}/roles/{scoped_grant}"),
            Some(&scoped),
        )
        .await;
    assert_problem(
        "revoking your own scoped admin grant",
        &r,
        StatusCode::CONFLICT,
        "resource.conflict",
        None,
    );
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
    // Revoking someone else's grant works.
    let r = app
        .delete(&format!("{roles}/{staff_grant}"), Some(&scoped))
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
    let r = app.get("/api/v1/users?role=superuser", Some(&global)).await;
    assert_problem(
        "unknown role filter",
        &r,
        StatusCode::BAD_REQUEST,
        "request.invalid_query",
        Some("role"),
    );

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
        let r = app.get(&path, Some(&scoped)).await;
        assert_problem(
            &format!("scoped GET {path}"),
            &r,
            StatusCode::NOT_FOUND,
            "user.not_found",
            None,
        );
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
    let r = app
        .patch(
            &format!("/api/v1/users/{scoped_id}"),
            Some(&scoped),
            json!({"disabled": true}),
        )
        .await;
    assert_problem(
        "disabling yourself",
        &r,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation.invalid",
        Some("disabled"),
    );
    let r = app
        .patch(
            &format!("/api/v1/users/{jiangbei_user}"),
            Some(&scoped),
            json!({"disabled": true}),
        )
        .await;
    assert_problem(
        "scoped admin disabling a user outside",
        &r,
        StatusCode::NOT_FOUND,
        "user.not_found",
        None,
    );
    let r = app
        .get(&format!("/api/v1/users/{jiangbei_user}"), Some(&global))
        .await;
    assert_eq!(r.body["disabled"], false);
    app.stop().await;
}

// ---------------------------------------------------------------------------------------
// 5. Bad input on every write endpoint
// ---------------------------------------------------------------------------------------

/// One malformed request and the problem it must get.
struct Bad {
    name: String,
    method: Method,
    path: String,
    content_type: &'static str,
    body: Vec<u8>,
    status: StatusCode,
    code: &'static str,
    field: Option<String>,
}

/// A write endpoint with a valid body, and which of its fields the bad inputs aim at.
struct WriteTarget {
    name: &'static str,
    method: Method,
    path: String,
    valid: Value,
    /// A field and the value of the wrong JSON type for it.
    wrong_type: (&'static str, Value),
    /// A snake_case enum field, if the body has one.
    enum_field: Option<&'static str>,
    /// A required field, if the body has one.
    required: Option<&'static str>,
    /// A length-limited text field and its limit in characters, if the body has one.
    text: Option<(&'static str, usize)>,
}

fn with(valid: &Value, field: &str, value: Value) -> Vec<u8> {
    let mut v = valid.clone();
    v[field] = value;
    serde_json::to_vec(&v).unwrap()
}

fn bad_cases(t: &WriteTarget) -> Vec<Bad> {
    let json = "application/json";
    let valid = serde_json::to_vec(&t.valid).unwrap();
    let case = |what: &str, ct, body, status, code, field: Option<&str>| Bad {
        name: format!("{} {}: {what}", t.name, t.method),
        method: t.method.clone(),
        path: t.path.clone(),
        content_type: ct,
        body,
        status,
        code,
        field: field.map(str::to_string),
    };
    let mut cases = vec![
        case(
            "truncated JSON",
            json,
            valid[..valid.len() - 1].to_vec(),
            StatusCode::BAD_REQUEST,
            "request.malformed_json",
            None,
        ),
        case(
            "not JSON at all",
            json,
            b"name=x&kind=grid".to_vec(),
            StatusCode::BAD_REQUEST,
            "request.malformed_json",
            None,
        ),
        case(
            "trailing garbage",
            json,
            [valid.as_slice(), b" }"].concat(),
            StatusCode::BAD_REQUEST,
            "request.malformed_json",
            None,
        ),
        case(
            "wrong type",
            json,
            with(&t.valid, t.wrong_type.0, t.wrong_type.1.clone()),
            StatusCode::BAD_REQUEST,
            "request.invalid_field",
            Some(t.wrong_type.0),
        ),
        case(
            "body over 64 KiB",
            json,
            with(&t.valid, "padding", json!("x".repeat(70 * 1024))),
            StatusCode::PAYLOAD_TOO_LARGE,
            "request.body_too_large",
            None,
        ),
        case(
            "text/plain",
            "text/plain; charset=utf-8",
            valid.clone(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "request.unsupported_media_type",
            None,
        ),
        case(
            "form content type",
            "application/x-www-form-urlencoded",
            valid.clone(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "request.unsupported_media_type",
            None,
        ),
    ];
    if let Some(f) = t.enum_field {
        cases.push(case(
            "unknown enum value",
            json,
            with(&t.valid, f, json!("village")),
            StatusCode::BAD_REQUEST,
            "request.invalid_field",
            Some(f),
        ));
    }
    if let Some(f) = t.required {
        let mut v = t.valid.clone();
        v.as_object_mut().unwrap().remove(f);
        cases.push(case(
            "missing field",
            json,
            serde_json::to_vec(&v).unwrap(),
            StatusCode::BAD_REQUEST,
            "request.missing_field",
            Some(f),
        ));
    }
    if let Some((f, max)) = t.text {
        cases.push(case(
            "over-long text",
            json,
            with(&t.valid, f, json!("议".repeat(max + 1))),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation.length",
            Some(f),
        ));
        cases.push(case(
            "empty text",
            json,
            with(&t.valid, f, json!("")),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation.length",
            Some(f),
        ));
    }
    cases
}

/// The names a bad PATCH could change, and whether the user is disabled.
async fn snapshot(
    app: &TestApp,
    d: &Demo,
    org: i64,
    user: i64,
    admin: &str,
) -> (String, String, String, Value) {
    let u = app.get(&format!("/api/v1/users/{user}"), Some(admin)).await;
    assert_eq!(u.status, StatusCode::OK, "{:?}", u.body);
    (
        current_name(app, Named::Place, d.xingfu_g1).await,
        current_name(app, Named::Organization, org).await,
        display_name(app, user),
        u.body["disabled"].clone(),
    )
}

#[actix_rt::test]
async fn bad_input_is_refused_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let d = demo(&app).await;
    let admin = app
        .user_token("root@bad.test", None, &[(Role::Admin, None, None)])
        .await;
    let org = org_in_db(
        &app,
        OrganizationKind::SocialOrg,
        "坏输入志愿队",
        &[d.xingfu],
    );
    let user = plain_user(&app, "victim@bad.test", Some(d.xingfu));
    let grant = grant_in_db(&app, user, Role::Resident, Some(d.xingfu), None);

    let targets = vec![
        WriteTarget {
            name: "POST /api/v1/places",
            method: Method::POST,
            path: "/api/v1/places".into(),
            valid: json!({"parent_id": d.xingfu, "kind": "grid", "name": "坏输入网格", "code": "bad-1"}),
            wrong_type: ("name", json!(5)),
            enum_field: Some("kind"),
            required: Some("code"),
            text: Some(("name", 100)),
        },
        WriteTarget {
            name: "PATCH /api/v1/places/{id}",
            method: Method::PATCH,
            path: format!("/api/v1/places/{}", d.xingfu_g1),
            valid: json!({"name": "坏输入改名", "code": "bad-2"}),
            wrong_type: ("name", json!(5)),
            enum_field: None,
            required: None,
            text: Some(("name", 100)),
        },
        WriteTarget {
            name: "POST /api/v1/organizations",
            method: Method::POST,
            path: "/api/v1/organizations".into(),
            valid: json!({"kind": "social_org", "name": "坏输入组织", "place_ids": [d.xingfu]}),
            wrong_type: ("name", json!(5)),
            enum_field: Some("kind"),
            required: Some("place_ids"),
            text: Some(("name", 100)),
        },
        WriteTarget {
            name: "PATCH /api/v1/organizations/{id}",
            method: Method::PATCH,
            path: format!("/api/v1/organizations/{org}"),
            valid: json!({"name": "坏输入组织改名"}),
            wrong_type: ("name", json!(5)),
            enum_field: None,
            required: None,
            text: Some(("name", 100)),
        },
        WriteTarget {
            name: "PATCH /api/v1/users/{id}",
            method: Method::PATCH,
            path: format!("/api/v1/users/{user}"),
            valid: json!({"display_name": "坏输入用户", "disabled": true}),
            wrong_type: ("disabled", json!("yes")),
            enum_field: None,
            required: None,
            text: Some(("display_name", 64)),
        },
        WriteTarget {
            name: "POST /api/v1/users/{id}/roles",
            method: Method::POST,
            path: format!("/api/v1/users/{user}/roles"),
            valid: json!({"role": "community_staff", "place_id": d.xingfu}),
            wrong_type: ("place_id", json!("幸福社区")),
            enum_field: Some("role"),
            required: Some("role"),
            text: None,
        },
    ];
    let mut cases: Vec<Bad> = targets.iter().flat_map(bad_cases).collect();
    // A few more by hand: the name of a missing field on POST /places, kind as a number.
    let place = &targets[0].valid;
    let mut no_name = place.clone();
    no_name.as_object_mut().unwrap().remove("name");
    cases.push(Bad {
        name: "POST /api/v1/places: missing name".into(),
        method: Method::POST,
        path: "/api/v1/places".into(),
        content_type: "application/json",
        body: serde_json::to_vec(&no_name).unwrap(),
        status: StatusCode::BAD_REQUEST,
        code: "request.missing_field",
        field: Some("name".into()),
    });
    cases.push(Bad {
        name: "POST /api/v1/places: missing content type".into(),
        method: Method::POST,
        path: "/api/v1/places".into(),
        content_type: "",
        body: serde_json::to_vec(place).unwrap(),
        status: StatusCode::UNSUPPORTED_MEDIA_TYPE,
        code: "request.unsupported_media_type",
        field: None,
    });
    cases.push(Bad {
        name: "POST /api/v1/organizations: place_ids of strings".into(),
        method: Method::POST,
        path: "/api/v1/organizations".into(),
        content_type: "application/json",
        body: serde_json::to_vec(&json!({"kind": "social_org", "name": "x", "place_ids": ["a"]}))
            .unwrap(),
        status: StatusCode::BAD_REQUEST,
        code: "request.invalid_field",
        field: Some("place_ids[0]".into()),
    });
    // Non-numeric path ids: 400, not 404 and not 500.
    let place_body = serde_json::to_vec(&json!({"name": "x"})).unwrap();
    for (method, path) in [
        (Method::GET, "/api/v1/places/abc".to_string()),
        (Method::PATCH, "/api/v1/places/abc".to_string()),
        (Method::GET, "/api/v1/organizations/abc".to_string()),
        (Method::PATCH, "/api/v1/organizations/abc".to_string()),
        (Method::GET, "/api/v1/users/abc".to_string()),
        (Method::PATCH, "/api/v1/users/abc".to_string()),
        (Method::POST, "/api/v1/users/abc/roles".to_string()),
        (Method::DELETE, format!("/api/v1/users/{user}/roles/abc")),
        (Method::DELETE, format!("/api/v1/users/abc/roles/{grant}")),
        (
            Method::GET,
            "/api/v1/places/99999999999999999999".to_string(),
        ),
    ] {
        cases.push(Bad {
            name: format!("{method} {path}"),
            method,
            path,
            content_type: "application/json",
            body: place_body.clone(),
            status: StatusCode::BAD_REQUEST,
            code: "request.invalid_path",
            field: None,
        });
    }
    // Unknown routes.
    for (method, path) in [
        (Method::GET, "/api/v1/nowhere"),
        (Method::POST, "/api/v1/place"),
        (Method::GET, "/api/v2/places"),
        (Method::PATCH, "/api/v1/places"),
    ] {
        cases.push(Bad {
            name: format!("{method} {path}"),
            method,
            path: path.into(),
            content_type: "application/json",
            body: place_body.clone(),
            status: StatusCode::NOT_FOUND,
            code: "route.not_found",
            field: None,
        });
    }

    let names_before = snapshot(&app, &d, org, user, &admin).await;
    let before = counts(&app);
    for c in &cases {
        let zh = send(
            &app,
            c.method.clone(),
            &c.path,
            Some(&admin),
            c.content_type,
            c.body.clone(),
            None,
        )
        .await;
        assert_problem(&c.name, &zh, c.status, c.code, c.field.as_deref());
        if c.field.is_none() && c.status == StatusCode::PAYLOAD_TOO_LARGE {
            assert!(zh.body["field"].is_null(), "{}: {:?}", c.name, zh.body);
        }
        let en = send(
            &app,
            c.method.clone(),
            &c.path,
            Some(&admin),
            c.content_type,
            c.body.clone(),
            Some("en"),
        )
        .await;
        assert_problem(
            &format!("{} (en)", c.name),
            &en,
            c.status,
            c.code,
            c.field.as_deref(),
        );
        let zh_title = zh.body["title"].as_str().unwrap_or_default();
        let en_title = en.body["title"].as_str().unwrap_or_default();
        assert!(!en_title.is_empty(), "{}: en title", c.name);
        assert_ne!(zh_title, en_title, "{}: titles differ by language", c.name);
        assert!(
            en_title.is_ascii(),
            "{}: English title {en_title:?}",
            c.name
        );
        assert!(
            !zh_title.is_ascii(),
            "{}: the default title is Chinese, got {zh_title:?}",
            c.name
        );
        assert_eq!(
            counts(&app),
            before,
            "{}: the database is unchanged",
            c.name
        );
    }
    assert_eq!(
        snapshot(&app, &d, org, user, &admin).await,
        names_before,
        "nothing was renamed or disabled"
    );
    assert!(cases.len() > 60, "{} cases", cases.len());

    // The same bodies, well-formed, do go through (the cases above failed for their fault).
    for t in &targets {
        let r = send(
            &app,
            t.method.clone(),
            &t.path,
            Some(&admin),
            "application/json; charset=utf-8",
            serde_json::to_vec(&t.valid).unwrap(),
            None,
        )
        .await;
        assert!(
            r.status.is_success(),
            "{} with a valid body: {} {:?}",
            t.name,
            r.status,
            r.body
        );
    }
    app.stop().await;
}

// ---------------------------------------------------------------------------------------
// 6. Duplicates sent at the same moment
// ---------------------------------------------------------------------------------------

/// Sends `body` to `path` eight times at once and returns the answers.
async fn burst(app: &TestApp, path: &str, token: &str, body: &Value) -> Vec<Resp> {
    let sends = (0..8).map(|_| app.post(path, Some(token), body.clone()));
    futures_util::future::join_all(sends).await
}

#[actix_rt::test]
async fn identical_grants_at_the_same_moment_make_one_grant() {
    let app = TestApp::spawn().await;
    let d = demo(&app).await;
    let admin = app
        .user_token("root@race.test", None, &[(Role::Admin, None, None)])
        .await;
    for round in 0..10 {
        let target = plain_user(&app, &format!("race-{round}@race.test"), Some(d.xingfu));
        let path = format!("/api/v1/users/{target}/roles");
        let body = json!({"role": "community_staff", "place_id": d.xingfu});
        let before = app.count("role_grants");
        let answers = burst(&app, &path, &admin, &body).await;
        let statuses: Vec<u16> = answers.iter().map(|r| r.status.as_u16()).collect();
        let created = statuses.iter().filter(|s| **s == 201).count();
        assert_eq!(
            created, 1,
            "round {round}: one grant is created: {statuses:?}"
        );
        for r in answers.iter().filter(|r| r.status != StatusCode::CREATED) {
            assert_problem(
                &format!("round {round}: the other identical grants"),
                r,
                StatusCode::CONFLICT,
                "resource.conflict",
                None,
            );
        }
        assert_eq!(
            app.count("role_grants") - before,
            1,
            "round {round}: exactly one row per identical grant ({statuses:?})"
        );
    }
    app.stop().await;
}

#[actix_rt::test]
async fn places_with_one_code_at_the_same_moment_make_one_place() {
    let app = TestApp::spawn().await;
    let d = demo(&app).await;
    let admin = app
        .user_token("root@race.test", None, &[(Role::Admin, None, None)])
        .await;
    for round in 0..10 {
        let body = json!({
            "parent_id": d.xingfu,
            "kind": "grid",
            "name": "同时提交的网格",
            "code": format!("race-{round}"),
        });
        let before = app.count("places");
        let answers = burst(&app, "/api/v1/places", &admin, &body).await;
        let statuses: Vec<u16> = answers.iter().map(|r| r.status.as_u16()).collect();
        let created = statuses.iter().filter(|s| **s == 201).count();
        assert_eq!(
            created, 1,
            "round {round}: one place is created: {statuses:?}"
        );
        for r in answers.iter().filter(|r| r.status != StatusCode::CREATED) {
            assert_problem(
                &format!("round {round}: the other places with the same code"),
                r,
                StatusCode::CONFLICT,
                "place.code_taken",
                None,
            );
        }
        assert_eq!(app.count("places") - before, 1, "round {round}");
    }
    app.stop().await;
}
