//! The fixtures every case of this binary starts from.

use super::*;

/// The tables a refused request must leave alone.
pub const TABLES: [&str; 4] = ["places", "organizations", "role_grants", "users"];

/// The demo places and organisations the tests act on.
pub struct Demo {
    pub city: i64,
    /// 海曙区, the district of the scoped admin.
    pub haishu: i64,
    /// 江北区, the other district.
    pub jiangbei: i64,
    /// 南门街道 (海曙区).
    pub nanmen: i64,
    /// 孔浦街道 (江北区).
    pub kongpu: i64,
    /// 幸福社区 (南门街道, 海曙区).
    pub xingfu: i64,
    pub xingfu_g1: i64,
    /// 桃源社区 (白沙街道, 江北区).
    pub taoyuan: i64,
    pub taoyuan_g1: i64,
    /// 甬城红色物业, a property firm serving 幸福社区.
    pub firm: i64,
    /// 海曙区住房和城乡建设局, a department.
    pub dept: i64,
}

/// Seeds the demo city and looks up the places and organisations used below.
pub async fn demo(app: &TestApp) -> Demo {
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
pub fn org_serving(list: &Value, place: i64) -> Option<i64> {
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
pub fn counts(app: &TestApp) -> Vec<i64> {
    TABLES.iter().map(|t| app.count(t)).collect()
}

/// A verified user inserted directly, without a usable password (a target, not a caller).
pub fn plain_user(app: &TestApp, email: &str, home: Option<i64>) -> i64 {
    app.with_db(|c| {
        yishi::accounts::queries::insert_user(c, email, "not-a-password-hash", email, home, true)
            .expect("insert user")
    })
}

/// A role grant inserted directly; returns its id.
pub fn grant_in_db(
    app: &TestApp,
    user: i64,
    role: Role,
    place: Option<i64>,
    org: Option<i64>,
) -> i64 {
    app.with_db(|c| {
        yishi::accounts::queries::insert_grant(c, user, role, place, org, None)
            .expect("insert grant")
    })
}

/// An organisation inserted directly; returns its id.
pub fn org_in_db(app: &TestApp, kind: OrganizationKind, name: &str, places: &[i64]) -> i64 {
    app.with_db(|c| {
        yishi::places::queries::insert_organization(c, kind, name, places)
            .expect("insert organization")
    })
}

/// A user's display name, read from the database.
pub fn display_name(app: &TestApp, id: i64) -> String {
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
pub enum Named {
    Place,
    Organization,
    User,
}

/// The current name of a place, organisation or user.
pub async fn current_name(app: &TestApp, what: Named, id: i64) -> String {
    let path = match what {
        Named::Place => format!("/api/v1/places/{id}"),
        Named::Organization => format!("/api/v1/organizations/{id}"),
        Named::User => return display_name(app, id),
    };
    let r = app.get(&path, None).await;
    assert_eq!(r.status, StatusCode::OK, "{path}: {:?}", r.body);
    r.body["name"].as_str().expect("name").to_string()
}

/// Every item of a list, following `next_cursor` to the last page.
pub async fn walk(app: &TestApp, path: &str, token: Option<&str>) -> Vec<Value> {
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
pub async fn send(
    app: &TestApp,
    method: Method,
    path: &str,
    token: Option<&str>,
    content_type: &str,
    body: Vec<u8>,
    lang: Option<&str>,
) -> Resp {
    let headers: Vec<(&str, &str)> = lang.map(|l| ("Accept-Language", l)).into_iter().collect();
    let body = Body::Raw(content_type.to_string(), body);
    app.send(method, path, token, &headers, body).await
}
