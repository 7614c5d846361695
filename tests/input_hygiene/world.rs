//! The case table: every text field with its rule, and the world its requests need.

use super::*;

/// The rule a field follows (see `src/api/text.rs`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Rule {
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
pub struct Case {
    pub method: Method,
    pub path: String,
    pub token: Option<String>,
    pub body: Value,
    pub field: &'static str,
    pub rule: Rule,
    /// Row count that must not move.
    pub table: &'static str,
    /// A GET whose answer must not move (for updates).
    pub probe: Option<String>,
}

impl Case {
    /// Sends the case's request with its body's `field` set to `value`.
    pub async fn send_with(&self, app: &TestApp, value: &str) -> common::Resp {
        let mut body = self.body.clone();
        set(&mut body, self.field, value);
        app.send(
            self.method.clone(),
            &self.path,
            self.token.as_deref(),
            &[],
            Body::Json(body),
        )
        .await
    }
}

/// Bad values for a rule, each with the code it must get.
pub fn bad_values(rule: Rule) -> Vec<(&'static str, &'static str)> {
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
pub fn set(body: &mut Value, field: &str, value: &str) {
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

pub struct World {
    pub admin: String,
    pub staff: String,
    pub resident: String,
    pub cppcc: String,
    pub community: i64,
    pub resident_id: i64,
    pub topic: Value,
    pub meeting: Value,
    pub org: i64,
}

pub async fn world(app: &TestApp) -> World {
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
pub fn cases(w: &World) -> Vec<Case> {
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
