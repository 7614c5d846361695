#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Input hygiene (issue 8, findings 4 and 6), on SQLite and PostgreSQL: one case table holds
//! every text field of every create/update body with the rule it follows. Each field is
//! tried with NUL, another control character, and, by its rule, a newline, whitespace only
//! or bad URLs: the answer is a 422 naming the field and nothing is written. Query strings
//! with `%00` are a 4xx (a 500 on PostgreSQL before), prose keeps its newlines, and an
//! injected `online_url` never becomes its own calendar line.

mod common;

use awc::http::{Method, StatusCode};
use chrono::{Duration, Utc};
use common::{Body, TestApp, monday_at};
use serde_json::{Value, json};
use yishi::auth::Role;

/// The rule a field follows (see `src/api/text.rs`).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Rule {
    /// One line: names, codes, emails, tokens.
    Line,
    /// One line with a visible character.
    Title,
    /// Newlines and tabs allowed.
    Prose,
    /// Prose with a visible character.
    Text,
    /// http(s) with a host, no whitespace.
    Url,
    /// Secrets: only NUL and the other controls are refused (by the body guard).
    Secret,
}

/// One row of the table: a request with a valid body, a field of it, the field's rule and
/// what must not change when the field is bad.
struct Case {
    method: Method,
    path: String,
    token: Option<String>,
    body: Value,
    field: &'static str,
    rule: Rule,
    /// Row count that must not move.
    table: &'static str,
    /// A GET whose answer must not move (for updates).
    probe: Option<String>,
}

/// Bad values for a rule, each with the code it must get.
fn bad_values(rule: Rule) -> Vec<(&'static str, &'static str)> {
    let mut v = vec![
        ("a\u{0}b", "validation.control_chars"),
        ("a\u{7}b", "validation.control_chars"),
        ("a\u{1b}[31mb", "validation.control_chars"),
        ("a\u{85}b", "validation.control_chars"),
    ];
    match rule {
        Rule::Line | Rule::Title => {
            v.push(("a\nb", "validation.control_chars"));
            v.push(("a\r\nb", "validation.control_chars"));
            v.push(("a\tb", "validation.control_chars"));
        }
        Rule::Prose | Rule::Text => v.push(("a\rb", "validation.control_chars")),
        Rule::Url => {
            v.push(("javascript:alert(1)", "validation.url"));
            v.push(("data:text/html,<script>alert(1)</script>", "validation.url"));
            v.push(("file:///etc/passwd", "validation.url"));
            v.push(("https://x.example/a b", "validation.url"));
            v.push((
                "https://x.example/a\r\nORGANIZER:mailto:evil@x",
                "validation.url",
            ));
            v.push(("https:///no-host", "validation.url"));
        }
        Rule::Secret => {}
    }
    if matches!(rule, Rule::Title | Rule::Text) {
        v.push(("   ", "validation.blank"));
        v.push(("\u{3000}\u{3000}\u{200B}", "validation.blank"));
    }
    if rule == Rule::Text {
        v.push(("\n \r\n ", "validation.blank"));
    }
    v
}

/// Sets `field` (`a`, `a.b` or `a[0].b`) of a JSON body.
fn set(body: &mut Value, field: &str, value: &str) {
    let mut at = body;
    for part in field.split('.') {
        at = match part.split_once('[') {
            Some((name, idx)) => {
                let i: usize = idx.trim_end_matches(']').parse().unwrap();
                &mut at[name][i]
            }
            None => &mut at[part],
        };
    }
    *at = Value::String(value.to_string());
}

struct World {
    admin: String,
    staff: String,
    resident: String,
    cppcc: String,
    community: i64,
    resident_id: i64,
    topic: Value,
    meeting: Value,
    org: i64,
}

async fn world(app: &TestApp) -> World {
    app.seed_demo();
    let community = app.place("demo-330200-0-0-0");
    let district = app.place("demo-330200-0");
    let admin = app
        .user_token("root@example.com", None, &[(Role::Admin, None, None)])
        .await;
    let staff = app
        .user_token(
            "staff@example.com",
            Some(community),
            &[
                (Role::CommunityStaff, Some(community), None),
                (Role::Resident, Some(community), None),
            ],
        )
        .await;
    let resident_id = app.user(
        "r1@example.com",
        Some(community),
        &[(Role::Resident, Some(community), None)],
    );
    let resident = app.login("r1@example.com").await;
    let cppcc = app
        .user_token(
            "cppcc@example.com",
            None,
            &[(Role::CppccMember, Some(district), None)],
        )
        .await;
    let t = app
        .post(
            "/api/v1/topics",
            Some(&resident),
            json!({"place_id": community, "title": "路灯不亮", "body": "晚上很黑", "category": "environment"}),
        )
        .await;
    assert_eq!(t.status, StatusCode::CREATED, "{:?}", t.body);
    let accepted = app
        .post(
            &format!("/api/v1/topics/{}/transitions", t.body["id"]),
            Some(&staff),
            json!({"action": "accept", "expected_version": t.body["version"]}),
        )
        .await;
    assert_eq!(accepted.status, StatusCode::OK, "{:?}", accepted.body);
    let start = monday_at(10, 0);
    let m = app
        .post(
            "/api/v1/consultations",
            Some(&cppcc),
            json!({"place_id": community, "title": "路灯协商", "kind": "micro_consultation",
                   "format": "online", "online_url": "https://meet.example.org/r/1",
                   "starts_at": start, "ends_at": start + Duration::hours(1)}),
        )
        .await;
    assert_eq!(m.status, StatusCode::CREATED, "{:?}", m.body);
    let org = app
        .get("/api/v1/organizations?kind=property_firm", None)
        .await
        .body["items"][0]["id"]
        .as_i64()
        .unwrap();
    World {
        admin,
        staff,
        resident,
        cppcc,
        community,
        resident_id,
        topic: accepted.body,
        meeting: m.body,
        org,
    }
}

/// Every text field of every create/update body (one row per field).
fn cases(w: &World) -> Vec<Case> {
    let none = 999_999;
    let tid = w.topic["id"].as_i64().unwrap();
    let mid = w.meeting["id"].as_i64().unwrap();
    let start = monday_at(10, 0) + Duration::days(7);
    let mut rows = Vec::new();
    let mut row = |method: Method,
                   path: String,
                   token: Option<&str>,
                   body: Value,
                   fields: &[(&'static str, Rule)],
                   table: &'static str,
                   probe: Option<String>| {
        for &(field, rule) in fields {
            rows.push(Case {
                method: method.clone(),
                path: path.clone(),
                token: token.map(str::to_string),
                body: body.clone(),
                field,
                rule,
                table,
                probe: probe.clone(),
            });
        }
    };
    let (admin, resident, cppcc) = (
        Some(w.admin.as_str()),
        Some(w.resident.as_str()),
        Some(w.cppcc.as_str()),
    );
    // accounts
    row(
        Method::POST,
        "/api/v1/auth/register".into(),
        None,
        json!({"email": "new@example.com", "password": "a long enough password", "display_name": "新人", "home_place_id": w.community}),
        &[
            ("email", Rule::Line),
            ("display_name", Rule::Title),
            ("password", Rule::Secret),
        ],
        "users",
        None,
    );
    row(
        Method::POST,
        "/api/v1/auth/verify-email".into(),
        None,
        json!({"token": "abc"}),
        &[("token", Rule::Line)],
        "users",
        None,
    );
    row(
        Method::POST,
        "/api/v1/auth/login".into(),
        None,
        json!({"email": "r1@example.com", "password": "wrong password"}),
        &[("email", Rule::Line), ("password", Rule::Secret)],
        "sessions",
        None,
    );
    for path in ["/api/v1/auth/refresh", "/api/v1/auth/logout"] {
        row(
            Method::POST,
            path.into(),
            None,
            json!({"refresh_token": "abc"}),
            &[("refresh_token", Rule::Line)],
            "sessions",
            None,
        );
    }
    row(
        Method::POST,
        "/api/v1/auth/password-reset/request".into(),
        None,
        json!({"email": "r1@example.com"}),
        &[("email", Rule::Line)],
        "email_tokens",
        None,
    );
    row(
        Method::POST,
        "/api/v1/auth/password-reset/confirm".into(),
        None,
        json!({"token": "abc", "new_password": "a long enough password"}),
        &[("token", Rule::Line), ("new_password", Rule::Secret)],
        "sessions",
        None,
    );
    row(
        Method::PATCH,
        format!("/api/v1/users/{}", w.resident_id),
        admin,
        json!({"display_name": "张三"}),
        &[("display_name", Rule::Title)],
        "users",
        Some(format!("/api/v1/users/{}", w.resident_id)),
    );
    // places and organisations
    row(
        Method::POST,
        "/api/v1/places".into(),
        admin,
        json!({"parent_id": w.community, "kind": "grid", "name": "一网格", "code": "hyg-1"}),
        &[("name", Rule::Title), ("code", Rule::Title)],
        "places",
        None,
    );
    row(
        Method::PATCH,
        format!("/api/v1/places/{}", w.community),
        admin,
        json!({"name": "幸福社区", "code": "hyg-2"}),
        &[("name", Rule::Title), ("code", Rule::Title)],
        "places",
        Some(format!("/api/v1/places/{}", w.community)),
    );
    row(
        Method::POST,
        "/api/v1/organizations".into(),
        admin,
        json!({"kind": "social_org", "name": "志愿者协会", "place_ids": [w.community]}),
        &[("name", Rule::Title)],
        "organizations",
        None,
    );
    row(
        Method::PATCH,
        format!("/api/v1/organizations/{}", w.org),
        admin,
        json!({"name": "绿城物业"}),
        &[("name", Rule::Title)],
        "organizations",
        Some(format!("/api/v1/organizations/{}", w.org)),
    );
    // topics
    row(
        Method::POST,
        "/api/v1/topics".into(),
        resident,
        json!({"place_id": w.community, "title": "井盖松动", "body": "很危险", "category": "facilities"}),
        &[("title", Rule::Title), ("body", Rule::Text)],
        "topics",
        None,
    );
    row(
        Method::POST,
        format!("/api/v1/topics/{none}/transitions"),
        admin,
        json!({"action": "reject", "expected_version": 1, "note": "n", "reason": "r", "decision": "d"}),
        &[
            ("note", Rule::Prose),
            ("reason", Rule::Prose),
            ("decision", Rule::Prose),
        ],
        "topic_events",
        None,
    );
    row(
        Method::POST,
        format!("/api/v1/topics/{tid}/comments"),
        resident,
        json!({"body": "同意"}),
        &[("body", Rule::Text)],
        "comments",
        None,
    );
    row(
        Method::POST,
        format!("/api/v1/comments/{none}/hide"),
        admin,
        json!({"reason": "广告"}),
        &[("reason", Rule::Text)],
        "comments",
        None,
    );
    row(
        Method::PUT,
        format!("/api/v1/topics/{none}/plan"),
        admin,
        json!({"summary": "方案", "resources": [{"kind": "funds", "source": "维修资金", "amount": 1.0, "unit": "元"}]}),
        &[
            ("summary", Rule::Text),
            ("resources[0].source", Rule::Title),
            ("resources[0].unit", Rule::Title),
        ],
        "plans",
        None,
    );
    row(
        Method::POST,
        format!("/api/v1/topics/{none}/tasks"),
        admin,
        json!({"title": "修路灯", "due_at": start}),
        &[("title", Rule::Title)],
        "tasks",
        None,
    );
    row(
        Method::PATCH,
        format!("/api/v1/tasks/{none}"),
        admin,
        json!({"progress_note": "进行中", "expected_version": 1}),
        &[("progress_note", Rule::Text)],
        "tasks",
        None,
    );
    row(
        Method::POST,
        format!("/api/v1/topics/{none}/objections"),
        admin,
        json!({"body": "反对"}),
        &[("body", Rule::Text)],
        "objections",
        None,
    );
    row(
        Method::POST,
        format!("/api/v1/objections/{none}/answer"),
        admin,
        json!({"decision": "dismissed", "reason": "理由"}),
        &[("reason", Rule::Text)],
        "objections",
        None,
    );
    row(
        Method::POST,
        format!("/api/v1/topics/{none}/evaluations"),
        admin,
        json!({"score": 4, "comment": "好"}),
        &[("comment", Rule::Prose)],
        "evaluations",
        None,
    );
    // consultations
    row(
        Method::POST,
        "/api/v1/consultations".into(),
        cppcc,
        json!({"place_id": w.community, "title": "井盖协商", "kind": "micro_consultation", "format": "hybrid",
               "venue": "议事厅", "online_url": "https://meet.example.org/r/2",
               "starts_at": start, "ends_at": start + Duration::hours(1)}),
        &[
            ("title", Rule::Title),
            ("venue", Rule::Title),
            ("online_url", Rule::Url),
        ],
        "consultations",
        None,
    );
    row(
        Method::PATCH,
        format!("/api/v1/consultations/{mid}"),
        cppcc,
        json!({"title": "路灯协商会", "venue": "议事厅", "expected_version": w.meeting["version"]}),
        &[("title", Rule::Title), ("venue", Rule::Title)],
        "consultations",
        Some(format!("/api/v1/consultations/{mid}")),
    );
    row(
        Method::POST,
        format!("/api/v1/consultations/{none}/transitions"),
        cppcc,
        json!({"action": "cancel", "expected_version": 1, "minutes": "纪要", "reason": "改期"}),
        &[("minutes", Rule::Prose), ("reason", Rule::Prose)],
        "consultations",
        None,
    );
    row(
        Method::POST,
        format!("/api/v1/consultations/{mid}/agenda-items"),
        cppcc,
        json!({"title": "路灯维修", "minutes": 30}),
        &[("title", Rule::Title)],
        "agenda_items",
        None,
    );
    row(
        Method::POST,
        format!("/api/v1/consultations/{none}/outcomes"),
        cppcc,
        json!({"agenda_item_id": 1, "decision": "同意", "consensus": "unanimous",
               "follow_ups": [{"kind": "task", "title": "修路灯"}]}),
        &[
            ("decision", Rule::Text),
            ("follow_ups[0].title", Rule::Title),
        ],
        "outcomes",
        None,
    );
    row(
        Method::POST,
        format!("/api/v1/proposals/{none}/transitions"),
        admin,
        json!({"to": "answered", "answer": "已办理"}),
        &[("answer", Rule::Text)],
        "proposals",
        None,
    );
    row(
        Method::POST,
        format!("/api/v1/consultations/{none}/minutes/dissent"),
        resident,
        json!({"text": "不同意"}),
        &[("text", Rule::Text)],
        "minutes_signoffs",
        None,
    );
    rows
}

#[actix_rt::test]
async fn every_text_field_refuses_controls_blanks_and_bad_urls() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    let table = cases(&w);
    assert!(table.len() >= 45, "{} rows", table.len());
    let mut tried = 0;
    for case in &table {
        let probe = match &case.probe {
            Some(p) => Some(app.get(p, Some(&w.admin)).await.body),
            None => None,
        };
        let before = app.count(case.table);
        for (value, code) in bad_values(case.rule) {
            let mut body = case.body.clone();
            set(&mut body, case.field, value);
            let r = app
                .send(
                    case.method.clone(),
                    &case.path,
                    case.token.as_deref(),
                    &[],
                    Body::Json(body),
                )
                .await;
            let what = format!("{} {} {}={value:?}", case.method, case.path, case.field);
            assert_eq!(
                r.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{what}: {:?}",
                r.body
            );
            assert_eq!(r.body["field"], case.field, "{what}: {:?}", r.body);
            assert_eq!(r.code(), code, "{what}: {:?}", r.body);
            assert_eq!(app.count(case.table), before, "{what} wrote a row");
            tried += 1;
        }
        if let (Some(p), Some(was)) = (&case.probe, probe) {
            assert_eq!(app.get(p, Some(&w.admin)).await.body, was, "{}", case.path);
        }
        // Prose keeps its newlines and tabs: the field's rule lets them through.
        if matches!(case.rule, Rule::Prose | Rule::Text) {
            let mut body = case.body.clone();
            set(&mut body, case.field, "第一行\n第二行\r\n\t第三行");
            let r = app
                .send(
                    case.method.clone(),
                    &case.path,
                    case.token.as_deref(),
                    &[],
                    Body::Json(body),
                )
                .await;
            assert!(
                r.status != StatusCode::UNPROCESSABLE_ENTITY && !r.status.is_server_error(),
                "{} {} prose: {} {:?}",
                case.method,
                case.path,
                r.status,
                r.body
            );
        }
    }
    assert!(tried > 300, "{tried} tries");
    app.stop().await;
}

#[actix_rt::test]
async fn prose_with_newlines_is_stored_as_written() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    let body = "第一段\n\n第二段：\r\n\t- 路灯\n\t- 井盖";
    let t = app
        .post(
            "/api/v1/topics",
            Some(&w.resident),
            json!({"place_id": w.community, "title": "  路灯和井盖  ", "body": body, "category": "facilities"}),
        )
        .await;
    assert_eq!(t.status, StatusCode::CREATED, "{:?}", t.body);
    assert_eq!(t.body["body"], body);
    let c = app
        .post(
            &format!("/api/v1/topics/{}/comments", w.topic["id"]),
            Some(&w.resident),
            json!({"body": "同意。\n补充：晚上十点后最黑。"}),
        )
        .await;
    assert_eq!(c.status, StatusCode::CREATED, "{:?}", c.body);
    assert_eq!(c.body["body"], "同意。\n补充：晚上十点后最黑。");
    app.stop().await;
}

/// Query strings with NUL (a 500 on PostgreSQL before, anonymously) or another control
/// character are a 4xx naming the parameter.
#[actix_rt::test]
async fn query_strings_with_nul_are_refused_not_500() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    let from = Utc::now().format("%Y-%m-%dT%H:%M:%SZ");
    let to = (Utc::now() + Duration::days(3)).format("%Y-%m-%dT%H:%M:%SZ");
    let cases: Vec<(String, Option<&str>, &str)> = vec![
        ("/api/v1/places?q=a%00b".into(), None, "q"),
        ("/api/v1/places?q=%00".into(), None, "q"),
        ("/api/v1/places?q=a%0Ab".into(), None, "q"),
        ("/api/v1/places?q=a%07b".into(), None, "q"),
        ("/api/v1/topics?q=a%00b".into(), Some(&w.staff), "q"),
        ("/api/v1/users?q=a%00b".into(), Some(&w.admin), "q"),
        ("/api/v1/places?cursor=a%00b".into(), None, "cursor"),
        ("/api/v1/topics?cursor=%00".into(), Some(&w.staff), "cursor"),
        ("/api/v1/me/calendar.ics?token=a%00b".into(), None, "token"),
        (
            format!("/api/v1/consultations/free-slots?users=1%00&from={from}&to={to}&minutes=60"),
            Some(&w.cppcc),
            "users",
        ),
        (
            format!("/api/v1/consultations?place_id={}&cursor=%00", w.community),
            Some(&w.cppcc),
            "cursor",
        ),
    ];
    for (path, token, field) in cases {
        let r = app.get(&path, token).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{path}: {:?}",
            r.body
        );
        assert_eq!(r.code(), "validation.control_chars", "{path}");
        assert_eq!(r.body["field"], field, "{path}");
    }
    // Ordinary Chinese text still searches.
    let ok = app.get("/api/v1/places?q=%E5%B9%B8%E7%A6%8F", None).await;
    assert_eq!(ok.status, StatusCode::OK, "{:?}", ok.body);
    app.stop().await;
}

/// Login, reset request, topic and comment create with a NUL: 422, never a 500.
#[actix_rt::test]
async fn the_reported_nul_requests_are_422() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    let topics = app.count("topics");
    let comments = app.count("comments");
    for (path, token, body, field) in [
        (
            "/api/v1/auth/login".to_string(),
            None,
            json!({"email": "r1@example.com\u{0}", "password": "x"}),
            "email",
        ),
        (
            "/api/v1/auth/password-reset/request".to_string(),
            None,
            json!({"email": "r1\u{0}@example.com"}),
            "email",
        ),
        (
            "/api/v1/topics".to_string(),
            Some(w.resident.as_str()),
            json!({"place_id": w.community, "title": "路灯\u{0}", "body": "黑", "category": "environment"}),
            "title",
        ),
        (
            format!("/api/v1/topics/{}/comments", w.topic["id"]),
            Some(w.resident.as_str()),
            json!({"body": "同意\u{0}"}),
            "body",
        ),
    ] {
        let r = app.post(&path, token, body).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{path}: {:?}",
            r.body
        );
        assert_eq!(r.body["field"], field, "{path}");
        assert_eq!(r.code(), "validation.control_chars", "{path}");
    }
    // A whitespace-only title was accepted before.
    let r = app
        .post(
            "/api/v1/topics",
            Some(&w.resident),
            json!({"place_id": w.community, "title": " \u{3000} ", "body": "黑", "category": "environment"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    assert_eq!(r.code(), "validation.blank");
    assert_eq!(r.body["field"], "title");
    assert_eq!(app.count("topics"), topics);
    assert_eq!(app.count("comments"), comments);
    app.stop().await;
}

/// Finding 4: the injected address is refused, and no calendar (the meeting's file, the
/// feed) has a line of its own from any field; a row stored before the rules stays inside
/// its property too.
#[actix_rt::test]
async fn online_url_cannot_inject_an_icalendar_property() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    let start = monday_at(10, 0) + Duration::days(14);
    let evil = "https://x.example/a\r\nORGANIZER:mailto:evil@x";
    let r = app
        .post(
            "/api/v1/consultations",
            Some(&w.cppcc),
            json!({"place_id": w.community, "title": "注入", "kind": "micro_consultation", "format": "online",
                   "online_url": evil, "starts_at": start, "ends_at": start + Duration::hours(1)}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    assert_eq!(r.code(), "validation.url");
    assert_eq!(r.body["field"], "online_url");

    // A row written before the rules (or by hand): the writer still keeps it on its line.
    let mid = w.meeting["id"].as_i64().unwrap();
    app.with_db(|c| {
        use diesel::prelude::*;
        use yishi::db::schema::consultations as k;
        diesel::update(k::table.filter(k::id.eq(mid)))
            .set((
                k::online_url.eq(evil),
                k::title.eq("会\r\nATTENDEE:mailto:evil@x"),
            ))
            .execute(c)
            .unwrap();
    });
    let feed = app
        .post("/api/v1/me/calendar-feed", Some(&w.cppcc), json!({}))
        .await;
    assert!(feed.status.is_success(), "{:?}", feed.body);
    let feed_path = feed.body["url"]
        .as_str()
        .unwrap()
        .split_once("/api/v1")
        .map(|(_, p)| format!("/api/v1{p}"))
        .unwrap();
    for path in [
        format!("/api/v1/consultations/{mid}/calendar.ics"),
        feed_path,
    ] {
        let ics = app.get(&path, Some(&w.cppcc)).await;
        assert_eq!(ics.status, StatusCode::OK, "{path}: {:?}", ics.body);
        let text = ics.body.as_str().unwrap().to_string();
        assert!(
            text.contains("URL:https://x.example/a%0D%0AORGANIZER"),
            "{text}"
        );
        for line in text.split("\r\n") {
            assert!(!line.contains(['\r', '\n']), "{path}: {line:?}");
            assert!(!line.starts_with("ORGANIZER"), "{path}: {text}");
            assert!(!line.starts_with("ATTENDEE"), "{path}: {text}");
        }
    }
    app.stop().await;
}

/// The rules are in the OpenAPI document too: every free-text string of every request body
/// and query carries the `pattern` of its rule, so clients and fuzzers know them.
#[actix_rt::test]
async fn every_request_string_has_its_pattern_in_openapi() {
    use yishi::api::text::patterns;
    let doc = serde_json::to_value(yishi::api::openapi()).unwrap();
    let schemas = &doc["components"]["schemas"];
    let known = [
        patterns::LINE,
        patterns::TITLE,
        patterns::PROSE,
        patterns::TEXT,
        patterns::URL,
        patterns::SECRET,
        patterns::ID_LIST,
    ];
    fn is_free_string(p: &Value) -> bool {
        let ty = &p["type"];
        let string = ty == "string" || ty.as_array().is_some_and(|a| a.contains(&json!("string")));
        string && p.get("format").is_none() && p.get("enum").is_none()
    }
    fn check(schemas: &Value, name: &str, known: &[&str], seen: &mut Vec<String>) {
        if seen.iter().any(|s| s == name) {
            return;
        }
        seen.push(name.to_string());
        let Some(props) = schemas[name]["properties"].as_object() else {
            return;
        };
        for (field, p) in props {
            if is_free_string(p) {
                let pattern = p["pattern"].as_str().unwrap_or("");
                assert!(
                    known.contains(&pattern),
                    "{name}.{field} has no rule pattern: {p}"
                );
            }
            let nested = p["items"]["$ref"].as_str().or(p["$ref"].as_str());
            if let Some(r) = nested {
                check(schemas, r.rsplit('/').next().unwrap(), known, seen);
            }
        }
    }
    let mut seen = Vec::new();
    let mut queries = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if let Some(r) =
                op["requestBody"]["content"]["application/json"]["schema"]["$ref"].as_str()
            {
                check(schemas, r.rsplit('/').next().unwrap(), &known, &mut seen);
            }
            for param in op["parameters"].as_array().into_iter().flatten() {
                let name = param["name"].as_str().unwrap();
                if param["in"] == "query" && is_free_string(&param["schema"]) && name != "cursor" {
                    let pattern = param["schema"]["pattern"].as_str().unwrap_or("");
                    assert!(known.contains(&pattern), "{method} {path} ?{name}: {param}");
                    queries += 1;
                }
            }
        }
    }
    assert!(seen.len() >= 30, "{seen:?}");
    assert!(queries >= 5, "{queries} query parameters");
    assert_eq!(
        schemas["NewConsultation"]["properties"]["online_url"]["pattern"],
        patterns::URL
    );
}
