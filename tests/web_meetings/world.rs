//! The people and the escalated topic every case starts from.

pub use crate::common::{Browser, Page, StatusCode, TestApp, TestResult, monday_at};
use serde_json::{Value, json};
use yishi::auth::Role;

/// Meetings lie days ahead and are started at once: timing is not the subject here.
pub const UNTIMED: (&str, &str) = ("consultations.start_margin_minutes", "525600");

/// The people of the stories (emails; the password is the harness's).
pub struct Cast {
    pub community: i64,
    pub cppcc: &'static str,
    pub staff: &'static str,
    pub resident: &'static str,
    pub outsider: &'static str,
}

/// A demo city with a CPPCC member of the district, community staff, an invited resident
/// and a resident who is not invited.
pub async fn cast() -> (TestApp, Cast) {
    let app = TestApp::builder()
        .setting(UNTIMED.0, UNTIMED.1)
        .demo()
        .build()
        .await;
    let city = app.demo_city().await;
    let resident = [(Role::Resident, Some(city.community), None)];
    app.user(
        "cppcc@example.com",
        None,
        &[(Role::CppccMember, Some(city.district), None)],
    );
    app.user(
        "staff@example.com",
        Some(city.community),
        &[(Role::CommunityStaff, Some(city.community), None)],
    );
    app.user("resident@example.com", Some(city.community), &resident);
    app.user("outsider@example.com", Some(city.community), &resident);
    let cast = Cast {
        community: city.community,
        cppcc: "cppcc@example.com",
        staff: "staff@example.com",
        resident: "resident@example.com",
        outsider: "outsider@example.com",
    };
    (app, cast)
}

/// A topic raised by the resident, accepted and escalated (请你来协商) by staff, over the API.
pub async fn escalated_topic(app: &TestApp, c: &Cast, title: &str) -> i64 {
    let author = app.login(c.resident).await;
    let staff = app.login(c.staff).await;
    let t = app
        .post(
            "/api/v1/topics",
            Some(&author),
            json!({"place_id": c.community, "title": title, "body": "需要大家协商", "category": "environment"}),
        )
        .await;
    assert_eq!(t.status, StatusCode::CREATED, "{:?}", t.body);
    let mut t: Value = t.body;
    for action in ["accept", "escalate"] {
        let r = app
            .post(
                &format!("/api/v1/topics/{}/transitions", t["id"]),
                Some(&staff),
                json!({"action": action, "expected_version": t["version"]}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{action}: {:?}", r.body);
        t = r.body;
    }
    t["id"].as_i64().unwrap()
}

/// A `datetime-local` value for a Monday ahead at `hour:minute` Shanghai time (the test
/// installation's zone).
pub fn local_input(hour: u32, minute: u32) -> String {
    monday_at(hour, minute)
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

/// The create form's fields for a micro-consultation with `title`, Monday 10:00–11:30.
pub fn meeting_fields(community: i64, title: &str) -> Vec<(&'static str, String)> {
    vec![
        ("place_id", community.to_string()),
        ("title", title.to_string()),
        ("kind", "micro_consultation".into()),
        ("format", "in_person".into()),
        ("venue", "幸福社区议事厅".into()),
        ("online_url", String::new()),
        ("starts_at", local_input(10, 0)),
        ("ends_at", local_input(11, 30)),
    ]
}

/// Submits `fields` (owned values) as a form.
pub async fn submit(b: &mut Browser<'_>, path: &str, fields: &[(&str, String)]) -> Page {
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    b.submit(path, &pairs).await
}

/// The value of the first hidden or text input named `name` on the page.
pub fn input_value(page: &Page, name: &str) -> Option<String> {
    let re = regex::Regex::new(&format!(
        r#"name="{}" value="([^"]*)""#,
        regex::escape(name)
    ))
    .unwrap();
    re.captures(&page.html).map(|c| c[1].to_string())
}

/// The meeting id a 303 after creating points at.
pub fn meeting_id(created: &Page) -> i64 {
    let to = created.location.clone().expect("a redirect");
    to.trim_start_matches("/consultations/")
        .parse()
        .unwrap_or_else(|_| panic!("not a meeting page: {to}"))
}

/// The meeting as the API shows it to `email`.
pub async fn meeting_json(app: &TestApp, email: &str, id: i64) -> Value {
    let token = app.login(email).await;
    let r = app
        .get(&format!("/api/v1/consultations/{id}"), Some(&token))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    r.body
}

/// A meeting convened by the CPPCC member with an escalated topic, made through the pages;
/// returns (meeting id, topic id).
pub async fn convened(app: &TestApp, c: &Cast, cppcc: &mut Browser<'_>) -> (i64, i64) {
    let tid = escalated_topic(app, c, "小区垃圾房异味严重").await;
    let mut fields = meeting_fields(c.community, "垃圾房改造微协商");
    fields.push(("from_topic_id", tid.to_string()));
    let created = submit(cppcc, "/consultations", &fields).await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.text());
    (meeting_id(&created), tid)
}
