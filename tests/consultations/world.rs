//! The fixtures every case of this binary starts from.

use super::*;

/// Settings for stories whose meetings lie days ahead and are started at once: a start margin
/// of a year, since timing is not their subject (tests/held_hearing.rs is about it).
pub const UNTIMED: &[(&str, &str)] = &[("consultations.start_margin_minutes", "525600")];

/// Parses an iCalendar text with an independent parser when one is available and returns
/// (METHOD, [(UID, SEQUENCE, STATUS, DTSTART as RFC 3339)]).
pub fn parse_ics(text: &str) -> (String, Vec<(String, i64, String, String)>) {
    let python = std::env::var("ICS_PYTHON").unwrap_or_default();
    if !python.is_empty() {
        let script = r#"
import sys, json, icalendar
cal = icalendar.Calendar.from_ical(sys.stdin.read())
events = [[str(e.get('UID')), int(e.get('SEQUENCE', 0)), str(e.get('STATUS')), e.decoded('DTSTART').isoformat()] for e in cal.walk('VEVENT')]
print(json.dumps([str(cal.get('METHOD')), events]))
"#;
        let mut child = std::process::Command::new(&python)
            .args(["-c", script])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("run ICS_PYTHON");
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "icalendar could not parse:\n{text}");
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        let events = v[1]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                let start = chrono::DateTime::parse_from_rfc3339(e[3].as_str().unwrap())
                    .unwrap()
                    .with_timezone(&Utc)
                    .to_rfc3339();
                (
                    e[0].as_str().unwrap().to_string(),
                    e[1].as_i64().unwrap(),
                    e[2].as_str().unwrap().to_string(),
                    start,
                )
            })
            .collect();
        return (v[0].as_str().unwrap().to_string(), events);
    }
    // Without Python: a strict reading of the lines we rely on (unfolded per RFC 5545).
    let unfolded = text.replace("\r\n ", "").replace("\r\n\t", "");
    assert!(
        unfolded.starts_with("BEGIN:VCALENDAR\r\n"),
        "CRLF line ends and a VCALENDAR"
    );
    assert!(unfolded.trim_end().ends_with("END:VCALENDAR"));
    let mut method = String::new();
    let mut events = Vec::new();
    let mut cur: Option<(String, i64, String, String)> = None;
    for line in unfolded.split("\r\n") {
        let (name, value) = line.split_once(':').unwrap_or((line, ""));
        let name = name.split(';').next().unwrap();
        match (name, cur.as_mut()) {
            ("METHOD", _) => method = value.to_string(),
            ("BEGIN", None) if value == "VEVENT" => cur = Some(Default::default()),
            ("UID", Some(e)) => e.0 = value.to_string(),
            ("SEQUENCE", Some(e)) => e.1 = value.parse().unwrap(),
            ("STATUS", Some(e)) => e.2 = value.to_string(),
            ("DTSTART", Some(e)) => {
                let t = chrono::NaiveDateTime::parse_from_str(value, "%Y%m%dT%H%M%SZ")
                    .expect("UTC DTSTART");
                e.3 = t.and_utc().to_rfc3339();
            }
            ("END", Some(_)) if value == "VEVENT" => events.push(cur.take().unwrap()),
            _ => {}
        }
    }
    (method, events)
}

/// The iCalendar parts of the mails sent to `to`, oldest first (decoded).
pub async fn mailed_calendars(app: &TestApp, to: &str, at_least: usize) -> Vec<String> {
    use base64::Engine;
    for _ in 0..200 {
        let mut found: Vec<(std::time::SystemTime, String)> = std::fs::read_dir(&app.mail_dir)
            .unwrap()
            .filter_map(Result::ok)
            .filter_map(|e| {
                let raw = std::fs::read_to_string(e.path()).ok()?;
                if !raw.contains(&format!("To: {to}")) {
                    return None;
                }
                let at = raw.find("Content-Type: text/calendar")?;
                let part = &raw[at..];
                let (head, body) = part.split_once("\r\n\r\n")?;
                let body = body.split("\r\n--").next()?;
                let text = if head.contains("Content-Transfer-Encoding: base64") {
                    let compact: String = body.split_whitespace().collect();
                    String::from_utf8(
                        base64::engine::general_purpose::STANDARD
                            .decode(compact)
                            .ok()?,
                    )
                    .ok()?
                } else {
                    body.to_string()
                };
                Some((e.metadata().ok()?.modified().ok()?, text))
            })
            .collect();
        if found.len() >= at_least {
            found.sort_by_key(|(t, _)| *t);
            return found.into_iter().map(|(_, t)| t).collect();
        }
        actix_rt::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("no {at_least} calendar mail(s) to {to}");
}

pub struct Cast {
    pub cppcc: String,
    pub staff: String,
    pub sub: String,
    pub r1: String,
    pub r2: String,
    pub firm_user: String,
    pub r1_id: i64,
    pub r2_id: i64,
    pub cppcc_id: i64,
    pub firm: i64,
    pub dept: i64,
    pub community: i64,
}

pub async fn cast(app: &TestApp) -> Cast {
    app.seed_demo();
    let community = app.place("demo-330200-0-0-0");
    let subdistrict = app.place("demo-330200-0-0");
    let district = app.place("demo-330200-0");
    let firm = app
        .get("/api/v1/organizations?kind=property_firm", None)
        .await
        .body["items"][0]["id"]
        .as_i64()
        .unwrap();
    let dept = app
        .get("/api/v1/organizations?kind=department", None)
        .await
        .body["items"][0]["id"]
        .as_i64()
        .unwrap();
    let resident = [(Role::Resident, Some(community), None)];
    let r1_id = app.user("r1@example.com", Some(community), &resident);
    let r2_id = app.user("r2@example.com", Some(community), &resident);
    let cppcc_id = app.user(
        "cppcc@example.com",
        None,
        &[(Role::CppccMember, Some(district), None)],
    );
    Cast {
        cppcc: app.login("cppcc@example.com").await,
        staff: app
            .user_token(
                "staff@example.com",
                Some(community),
                &[(Role::CommunityStaff, Some(community), None)],
            )
            .await,
        sub: app
            .user_token(
                "sub@example.com",
                None,
                &[(Role::SubdistrictStaff, Some(subdistrict), None)],
            )
            .await,
        r1: app.login("r1@example.com").await,
        r2: app.login("r2@example.com").await,
        firm_user: app
            .user_token(
                "firm@example.com",
                None,
                &[(Role::PropertyFirm, Some(community), Some(firm))],
            )
            .await,
        r1_id,
        r2_id,
        cppcc_id,
        firm,
        dept,
        community,
    }
}

pub async fn topic_in_discuss(
    app: &TestApp,
    c: &Cast,
    title: &str,
    major: bool,
    escalate: bool,
) -> Value {
    let author = if major { &c.staff } else { &c.r1 };
    let t = app
        .post("/api/v1/topics", Some(author), json!({"place_id": c.community, "title": title, "body": "需要协商", "category": "environment", "major": major}))
        .await;
    assert_eq!(t.status, StatusCode::CREATED, "{:?}", t.body);
    let mut t = t.body;
    let mut actions = vec!["accept"];
    if escalate {
        actions.push("escalate");
    }
    for action in actions {
        let r = app
            .post(
                &format!("/api/v1/topics/{}/transitions", t["id"]),
                Some(&c.staff),
                json!({"action": action, "expected_version": t["version"]}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{action}: {:?}", r.body);
        t = r.body;
    }
    t
}

pub async fn meeting_act(
    app: &TestApp,
    token: &str,
    m: &Value,
    action: &str,
    extra: Value,
) -> Resp {
    let body = merged(
        json!({"action": action, "expected_version": m["version"]}),
        extra,
    );
    app.post(
        &format!("/api/v1/consultations/{}/transitions", m["id"]),
        Some(token),
        body,
    )
    .await
}
