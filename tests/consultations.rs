#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Consultations over HTTP: a CPPCC member takes an escalated topic from the queue into a
//! micro-consultation, double-booking and overruns are refused, the meeting is held and its
//! outcome becomes a plan task; a major topic waits for a hearing; calendars are valid
//! iCalendar (checked by Python's `icalendar` when ICS_PYTHON names an interpreter with it).

mod common;

use awc::http::StatusCode;
use chrono::{Datelike, Duration, TimeZone, Utc, Weekday};
use common::{Resp, TestApp};
use serde_json::{Value, json};
use yishi::auth::Role;

/// Next Monday (at least two days ahead) at `hour:minute` Shanghai time, in UTC.
fn monday_at(hour: u32, minute: u32) -> chrono::DateTime<Utc> {
    let tz = chrono_tz::Asia::Shanghai;
    let mut day = (Utc::now() + Duration::days(2))
        .with_timezone(&tz)
        .date_naive();
    while day.weekday() != Weekday::Mon {
        day = day.succ_opt().unwrap();
    }
    tz.from_local_datetime(&day.and_hms_opt(hour, minute, 0).unwrap())
        .single()
        .unwrap()
        .with_timezone(&Utc)
}

async fn raw_get(app: &TestApp, path: &str, token: Option<&str>) -> (StatusCode, String, String) {
    let mut req = app.client.get(format!("{}{path}", app.base));
    if let Some(t) = token {
        req = req.insert_header(("Authorization", format!("Bearer {t}")));
    }
    let mut res = req.send().await.unwrap();
    let ct = res
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let body = res.body().await.unwrap();
    (
        res.status(),
        ct,
        String::from_utf8_lossy(&body).into_owned(),
    )
}

/// Parses an iCalendar text with an independent parser when one is available and returns
/// (METHOD, [(UID, SEQUENCE, STATUS, DTSTART as RFC 3339)]).
fn parse_ics(text: &str) -> (String, Vec<(String, i64, String, String)>) {
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
async fn mailed_calendars(app: &TestApp, to: &str, at_least: usize) -> Vec<String> {
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

struct Cast {
    cppcc: String,
    staff: String,
    sub: String,
    r1: String,
    r2: String,
    firm_user: String,
    r1_id: i64,
    r2_id: i64,
    cppcc_id: i64,
    firm: i64,
    dept: i64,
    community: i64,
}

async fn cast(app: &TestApp) -> Cast {
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

async fn topic_in_discuss(
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

async fn meeting_act(app: &TestApp, token: &str, m: &Value, action: &str, extra: Value) -> Resp {
    let mut body = json!({"action": action, "expected_version": m["version"]});
    body.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    app.post(
        &format!("/api/v1/consultations/{}/transitions", m["id"]),
        Some(token),
        body,
    )
    .await
}

#[actix_rt::test]
async fn a_cppcc_member_takes_an_escalated_topic_to_a_micro_consultation() {
    let app = TestApp::spawn().await;
    let c = cast(&app).await;
    let topic = topic_in_discuss(&app, &c, "垃圾房异味严重，需要改造", false, true).await;
    let tid = topic["id"].as_i64().unwrap();

    // The queue 请你来协商: escalated topics not yet on any meeting's agenda.
    let queue = format!(
        "/api/v1/topics?escalated=true&unscheduled=true&place_id={}",
        c.community
    );
    let q = app.get(&queue, Some(&c.cppcc)).await;
    assert_eq!(q.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(q.body["items"][0]["id"], tid);

    // One call: a micro-consultation with the topic as its first agenda item.
    let (start, end) = (monday_at(10, 0), monday_at(11, 30));
    let m = app
        .post(
            "/api/v1/consultations",
            Some(&c.cppcc),
            json!({"place_id": c.community, "title": "垃圾房改造微协商", "kind": "micro_consultation", "format": "in_person",
                   "venue": "幸福社区议事厅", "starts_at": start, "ends_at": end, "from_topic_id": tid}),
        )
        .await;
    assert_eq!(m.status, StatusCode::CREATED, "{:?}", m.body);
    let mid = m.body["id"].as_i64().unwrap();
    assert_eq!(m.body["status"], "draft");
    let agenda = app
        .get(
            &format!("/api/v1/consultations/{mid}/agenda-items"),
            Some(&c.cppcc),
        )
        .await;
    assert_eq!(agenda.body["items"][0]["topic_id"], tid);
    assert_eq!(
        app.get(&queue, Some(&c.cppcc)).await.body["items"]
            .as_array()
            .unwrap()
            .len(),
        0
    );

    // Invitations: the property firm, two residents, a department; answers.
    for (body, expect) in [
        (
            json!({"organization_id": c.firm, "category": "property_firm"}),
            StatusCode::CREATED,
        ),
        (
            json!({"user_id": c.r1_id, "category": "resident_rep"}),
            StatusCode::CREATED,
        ),
        (
            json!({"user_id": c.r2_id, "category": "resident_rep"}),
            StatusCode::CREATED,
        ),
        (
            json!({"organization_id": c.dept, "category": "department"}),
            StatusCode::CREATED,
        ),
        (
            json!({"user_id": c.r1_id, "category": "resident_rep"}),
            StatusCode::CONFLICT,
        ),
    ] {
        let r = app
            .post(
                &format!("/api/v1/consultations/{mid}/invitations"),
                Some(&c.cppcc),
                body,
            )
            .await;
        assert_eq!(r.status, expect, "{:?}", r.body);
    }
    for (who, response) in [
        (&c.r1, "accepted"),
        (&c.r2, "tentative"),
        (&c.firm_user, "accepted"),
    ] {
        let r = app
            .post(
                &format!("/api/v1/consultations/{mid}/rsvp"),
                Some(who),
                json!({"response": response}),
            )
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
    }
    let not_invited = app
        .post(
            &format!("/api/v1/consultations/{mid}/rsvp"),
            Some(&c.staff),
            json!({"response": "accepted"}),
        )
        .await;
    assert_eq!(not_invited.status, StatusCode::FORBIDDEN);

    // An agenda that overruns the meeting is refused, naming the overrun.
    let over = app
        .post(
            &format!("/api/v1/consultations/{mid}/agenda-items"),
            Some(&c.cppcc),
            json!({"title": "其他事项", "minutes": 45}),
        )
        .await;
    assert_eq!(
        (over.status, over.code()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "consultation.agenda_overrun"
        )
    );
    assert_eq!(over.body["field"], "minutes");
    assert!(
        over.body["detail"].as_str().unwrap().contains("15"),
        "{:?}",
        over.body
    );

    let m = app
        .get(&format!("/api/v1/consultations/{mid}"), Some(&c.cppcc))
        .await
        .body;
    let scheduled = meeting_act(&app, &c.cppcc, &m, "schedule", json!({})).await;
    assert_eq!(scheduled.status, StatusCode::OK, "{:?}", scheduled.body);
    assert_eq!(scheduled.body["status"], "scheduled");
    assert_eq!(scheduled.body["warnings"], json!([]));
    // Invitees are mailed an iCalendar REQUEST.
    let invite_ics = mailed_calendars(&app, "r1@example.com", 1).await;
    let (method, events) = parse_ics(&invite_ics[0]);
    assert_eq!(method, "REQUEST");
    assert!(events[0].0.starts_with(&format!("consultation-{mid}@")));
    assert!(invite_ics[0].contains("ORGANIZER:mailto:cppcc@example.com"));

    // A second meeting that would double-book the accepted resident is refused with the
    // first meeting's id.
    let other = app
        .post(
            "/api/v1/consultations",
            Some(&c.staff),
            json!({"place_id": c.community, "title": "停车问题院坝协商", "kind": "courtyard", "format": "in_person",
                   "venue": "3号楼院坝", "starts_at": monday_at(11, 0), "ends_at": monday_at(12, 0)}),
        )
        .await;
    let oid = other.body["id"].as_i64().unwrap();
    let r = app
        .post(
            &format!("/api/v1/consultations/{oid}/invitations"),
            Some(&c.staff),
            json!({"user_id": c.r1_id, "category": "resident_rep"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let clash = meeting_act(&app, &c.staff, &other.body, "schedule", json!({})).await;
    assert_eq!(
        (clash.status, clash.code()),
        (StatusCode::CONFLICT, "consultation.clash")
    );
    assert!(
        clash.body["detail"]
            .as_str()
            .unwrap()
            .contains(&format!("consultation {mid}")),
        "{:?}",
        clash.body
    );
    let still: Value = app
        .get(&format!("/api/v1/consultations/{oid}"), Some(&c.staff))
        .await
        .body;
    assert_eq!(still["status"], "draft");

    // Free slots for the resident and the CPPCC member avoid the booked meeting.
    let from = monday_at(9, 0);
    let slots = app
        .get(
            &format!(
                "/api/v1/consultations/free-slots?users={},{}&from={}&to={}&minutes=60",
                c.r1_id,
                c.cppcc_id,
                from.format("%Y-%m-%dT%H:%M:%SZ"),
                (from + Duration::days(1)).format("%Y-%m-%dT%H:%M:%SZ")
            ),
            Some(&c.staff),
        )
        .await;
    assert_eq!(slots.status, StatusCode::OK, "{:?}", slots.body);
    let first: Vec<(String, String)> = slots
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["starts_at"].as_str().unwrap().to_string(),
                s["ends_at"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        first[0].0,
        monday_at(9, 0).to_rfc3339().replace("+00:00", "Z")
    );
    for (s, e) in &first {
        let (s, e) = (
            s.parse::<chrono::DateTime<Utc>>().unwrap(),
            e.parse::<chrono::DateTime<Utc>>().unwrap(),
        );
        assert!(e <= start || s >= end, "slot {s}–{e} overlaps the meeting");
    }

    // The calendar: parseable, stable UID; a move raises SEQUENCE.
    let (status, ct, ics) = raw_get(
        &app,
        &format!("/api/v1/consultations/{mid}/calendar.ics"),
        Some(&c.r1),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(ct.starts_with("text/calendar"));
    let (method, events) = parse_ics(&ics);
    assert_eq!(method, "PUBLISH");
    assert_eq!(events.len(), 1);
    let (uid, seq, st, dtstart) = events[0].clone();
    assert!(uid.starts_with(&format!("consultation-{mid}@")));
    assert_eq!(st, "CONFIRMED");
    assert_eq!(dtstart, start.to_rfc3339());
    let m = app
        .get(&format!("/api/v1/consultations/{mid}"), Some(&c.cppcc))
        .await
        .body;
    let moved = app
        .patch(
            &format!("/api/v1/consultations/{mid}"),
            Some(&c.cppcc),
            json!({"starts_at": monday_at(14, 0), "ends_at": monday_at(15, 30), "expected_version": m["version"]}),
        )
        .await;
    assert_eq!(moved.status, StatusCode::OK, "{:?}", moved.body);
    let (_, _, ics2) = raw_get(
        &app,
        &format!("/api/v1/consultations/{mid}/calendar.ics"),
        Some(&c.r1),
    )
    .await;
    let (_, events2) = parse_ics(&ics2);
    assert_eq!(events2[0].0, uid, "UID is stable");
    assert!(events2[0].1 > seq, "SEQUENCE rises on a move");
    assert_eq!(events2[0].3, monday_at(14, 0).to_rfc3339());
    // The move is mailed as an update with the higher SEQUENCE.
    let mailed = mailed_calendars(&app, "r1@example.com", 2).await;
    let (_, update) = parse_ics(mailed.last().unwrap());
    assert_eq!(
        (update[0].0.as_str(), update[0].1),
        (uid.as_str(), events2[0].1)
    );

    // The meeting is held: attendance, conclusion with minutes.
    let m = app
        .get(&format!("/api/v1/consultations/{mid}"), Some(&c.cppcc))
        .await
        .body;
    let started = meeting_act(&app, &c.cppcc, &m, "start", json!({})).await;
    assert_eq!(started.status, StatusCode::OK);
    let invs = app
        .get(
            &format!("/api/v1/consultations/{mid}/invitations"),
            Some(&c.cppcc),
        )
        .await
        .body;
    let attended: Vec<i64> = invs["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| {
            i["user_id"] == c.r1_id || i["user_id"] == c.r2_id || i["organization_id"] == c.firm
        })
        .map(|i| i["id"].as_i64().unwrap())
        .collect();
    let r = app
        .post(
            &format!("/api/v1/consultations/{mid}/attendance"),
            Some(&c.cppcc),
            json!({"attended_invitation_ids": attended}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let no_minutes = meeting_act(&app, &c.cppcc, &started.body, "conclude", json!({})).await;
    assert_eq!(
        (no_minutes.status, no_minutes.body["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("minutes"))
    );
    let concluded = meeting_act(
        &app,
        &c.cppcc,
        &started.body,
        "conclude",
        json!({"minutes": "议定：物业负责改造垃圾房，街道督办。"}),
    )
    .await;
    assert_eq!(concluded.status, StatusCode::OK, "{:?}", concluded.body);

    // The topic is decided; sub-district staff record the outcome with a follow-up task.
    let topic = app
        .get(&format!("/api/v1/topics/{tid}"), Some(&c.staff))
        .await
        .body;
    let decided = app
        .post(&format!("/api/v1/topics/{tid}/transitions"), Some(&c.staff), json!({"action": "decide", "expected_version": topic["version"], "decision": "按协商结果改造"}))
        .await;
    assert_eq!(decided.status, StatusCode::OK);
    let item = agenda.body["items"][0]["id"].as_i64().unwrap();
    let due = (Utc::now() + Duration::days(30)).to_rfc3339();
    let outcome = app
        .post(
            &format!("/api/v1/consultations/{mid}/outcomes"),
            Some(&c.sub),
            json!({"agenda_item_id": item, "decision": "物业负责改造垃圾房", "consensus": "majority",
                   "follow_ups": [{"kind": "task", "title": "垃圾房密闭化改造", "organization_id": c.firm, "due_at": due},
                                  {"kind": "opinion_report", "title": "关于老旧小区垃圾房改造资金的社情民意", "organization_id": c.dept}]}),
        )
        .await;
    assert_eq!(outcome.status, StatusCode::CREATED, "{:?}", outcome.body);
    let task_id = outcome.body["follow_ups"][0]["task_id"].as_i64().unwrap();
    let tasks = app
        .get(&format!("/api/v1/topics/{tid}/tasks"), Some(&c.staff))
        .await;
    assert!(
        tasks.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["id"] == task_id && t["title"] == "垃圾房密闭化改造")
    );
    let pid = outcome.body["follow_ups"][1]["proposal_id"]
        .as_i64()
        .unwrap();
    let p = app
        .get(&format!("/api/v1/proposals/{pid}"), Some(&c.cppcc))
        .await;
    assert_eq!(
        (p.body["status"].as_str(), p.body["kind"].as_str()),
        (Some("draft"), Some("opinion_report"))
    );
    let again = app
        .post(
            &format!("/api/v1/consultations/{mid}/outcomes"),
            Some(&c.sub),
            json!({"agenda_item_id": item, "decision": "重复", "consensus": "none"}),
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);

    // Minutes sign-off: attendees confirm or dissent, once; others may not.
    assert_eq!(
        app.post(
            &format!("/api/v1/consultations/{mid}/minutes/confirm"),
            Some(&c.r1),
            json!({})
        )
        .await
        .status,
        StatusCode::OK
    );
    assert_eq!(
        app.post(
            &format!("/api/v1/consultations/{mid}/minutes/confirm"),
            Some(&c.r1),
            json!({})
        )
        .await
        .status,
        StatusCode::CONFLICT
    );
    let d = app
        .post(
            &format!("/api/v1/consultations/{mid}/minutes/dissent"),
            Some(&c.r2),
            json!({"text": "费用分摊未写入纪要"}),
        )
        .await;
    assert_eq!(d.status, StatusCode::OK);
    assert_eq!(d.body["confirmed_by"], json!([c.r1_id]));
    assert_eq!(d.body["dissents"][0]["text"], "费用分摊未写入纪要");
    let mut cats: Vec<String> = d.body["attended_categories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    cats.sort();
    assert_eq!(cats, vec!["property_firm", "resident_rep"]);
    assert_eq!(
        app.post(
            &format!("/api/v1/consultations/{mid}/minutes/confirm"),
            Some(&c.staff),
            json!({})
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );

    // The topic's timeline shows the meeting.
    let tl = app
        .get(
            &format!("/api/v1/topics/{tid}/timeline?limit=100"),
            Some(&c.staff),
        )
        .await;
    let kinds: Vec<&str> = tl.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    for k in [
        "meeting_planned",
        "meeting_scheduled",
        "meeting_moved",
        "meeting_concluded",
        "meeting_outcome",
    ] {
        assert!(kinds.contains(&k), "{k} in {kinds:?}");
    }

    // The per-user feed: by token, revocable; a cancelled meeting is CANCELLED.
    let other = app
        .get(&format!("/api/v1/consultations/{oid}"), Some(&c.staff))
        .await
        .body;
    let cancelled = meeting_act(
        &app,
        &c.staff,
        &other,
        "cancel",
        json!({"reason": "与微协商时间冲突"}),
    )
    .await;
    assert_eq!(cancelled.status, StatusCode::OK);
    let (_, _, cics) = raw_get(
        &app,
        &format!("/api/v1/consultations/{oid}/calendar.ics"),
        Some(&c.r1),
    )
    .await;
    let (cmethod, cevents) = parse_ics(&cics);
    assert_eq!(
        (cmethod.as_str(), cevents[0].2.as_str()),
        ("CANCEL", "CANCELLED")
    );
    let feed = app
        .post("/api/v1/me/calendar-feed", Some(&c.r1), json!({}))
        .await;
    assert_eq!(feed.status, StatusCode::CREATED);
    let url = feed.body["url"].as_str().unwrap();
    let path = &url[url.find("/api/").unwrap()..];
    let (status, _, fics) = raw_get(&app, path, None).await;
    assert_eq!(status, StatusCode::OK);
    let (_, fevents) = parse_ics(&fics);
    assert!(fevents.iter().any(|e| e.0 == uid));
    assert_eq!(
        app.delete("/api/v1/me/calendar-feed", Some(&c.r1))
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(raw_get(&app, path, None).await.0, StatusCode::UNAUTHORIZED);
    app.stop().await;
}

#[actix_rt::test]
async fn a_major_topic_waits_for_a_hearing_outcome() {
    let app = TestApp::spawn().await;
    let c = cast(&app).await;
    let topic = topic_in_discuss(&app, &c, "小区东侧空地改建停车场", true, false).await;
    let tid = topic["id"].as_i64().unwrap();
    let decide = |v: &Value| json!({"action": "decide", "expected_version": v["version"], "decision": "改建为停车场"});
    let refused = app
        .post(
            &format!("/api/v1/topics/{tid}/transitions"),
            Some(&c.staff),
            decide(&topic),
        )
        .await;
    assert_eq!(
        (refused.status, refused.code()),
        (StatusCode::CONFLICT, "topic.hearing_required")
    );

    let h = app
        .post(
            "/api/v1/consultations",
            Some(&c.sub),
            json!({"place_id": c.community, "title": "空地改建停车场听证会", "kind": "hearing", "format": "hybrid",
                   "venue": "街道会议室", "online_url": "https://meeting.example/room/1",
                   "starts_at": monday_at(15, 0), "ends_at": monday_at(17, 0), "from_topic_id": tid}),
        )
        .await;
    assert_eq!(h.status, StatusCode::CREATED, "{:?}", h.body);
    let hid = h.body["id"].as_i64().unwrap();
    assert_eq!(
        h.body["missing_categories"],
        json!(["resident_rep", "property_firm", "department"])
    );
    let r = app
        .post(
            &format!("/api/v1/consultations/{hid}/invitations"),
            Some(&c.sub),
            json!({"user_id": c.r1_id, "category": "resident_rep"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let s = meeting_act(&app, &c.sub, &h.body, "schedule", json!({})).await;
    assert_eq!(s.status, StatusCode::OK, "{:?}", s.body);
    let warning = s.body["warnings"][0].as_str().unwrap();
    assert!(
        warning.contains("property_firm")
            && warning.contains("department")
            && !warning.contains("resident_rep"),
        "{warning}"
    );

    // Concluded without an outcome: still refused. With the outcome: allowed.
    let started = meeting_act(&app, &c.sub, &s.body, "start", json!({})).await;
    let done = meeting_act(
        &app,
        &c.sub,
        &started.body,
        "conclude",
        json!({"minutes": "听证意见已记录"}),
    )
    .await;
    assert_eq!(done.status, StatusCode::OK);
    let topic = app
        .get(&format!("/api/v1/topics/{tid}"), Some(&c.staff))
        .await
        .body;
    let still = app
        .post(
            &format!("/api/v1/topics/{tid}/transitions"),
            Some(&c.staff),
            decide(&topic),
        )
        .await;
    assert_eq!(still.code(), "topic.hearing_required");
    let item = app
        .get(
            &format!("/api/v1/consultations/{hid}/agenda-items"),
            Some(&c.sub),
        )
        .await
        .body["items"][0]["id"]
        .clone();
    let o = app
        .post(&format!("/api/v1/consultations/{hid}/outcomes"), Some(&c.sub), json!({"agenda_item_id": item, "decision": "多数居民同意改建", "consensus": "majority"}))
        .await;
    assert_eq!(o.status, StatusCode::CREATED, "{:?}", o.body);
    let topic = app
        .get(&format!("/api/v1/topics/{tid}"), Some(&c.staff))
        .await
        .body;
    let ok = app
        .post(
            &format!("/api/v1/topics/{tid}/transitions"),
            Some(&c.staff),
            decide(&topic),
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{:?}", ok.body);
    assert_eq!(ok.body["stage"], "plan");
    app.stop().await;
}

#[actix_rt::test]
async fn scheduling_edges_rsvp_venues_links_and_organisation_sign_off() {
    let app = TestApp::spawn().await;
    let c = cast(&app).await;
    let sibling = app.place("demo-330200-0-0-1");
    let staff2 = app
        .user_token(
            "staff2@example.com",
            None,
            &[(Role::CommunityStaff, Some(sibling), None)],
        )
        .await;
    let new = |place: i64, venue: &str, format: &str| {
        json!({"place_id": place, "title": "议事会", "kind": "courtyard", "format": format, "venue": venue,
               "starts_at": monday_at(10, 0), "ends_at": monday_at(11, 0)})
    };
    // Same room name in two communities: two rooms, no clash.
    let a = app
        .post(
            "/api/v1/consultations",
            Some(&c.staff),
            new(c.community, "议事厅", "in_person"),
        )
        .await
        .body;
    let b = app
        .post(
            "/api/v1/consultations",
            Some(&staff2),
            new(sibling, "议事厅", "in_person"),
        )
        .await
        .body;
    assert_eq!(
        meeting_act(&app, &c.staff, &a, "schedule", json!({}))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        meeting_act(&app, &staff2, &b, "schedule", json!({}))
            .await
            .status,
        StatusCode::OK
    );

    // An online meeting without a link names online_url.
    let online = app
        .post(
            "/api/v1/consultations",
            Some(&c.staff),
            new(c.community, "线上", "online"),
        )
        .await
        .body;
    let r = meeting_act(&app, &c.staff, &online, "schedule", json!({})).await;
    assert_eq!(
        (r.status, r.body["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("online_url"))
    );

    // Declining frees the time; accepting again while booked elsewhere is refused.
    let invite = |m: &Value, token: &str, body: Value| {
        let path = format!("/api/v1/consultations/{}/invitations", m["id"]);
        let app = &app;
        let token = token.to_string();
        async move { app.post(&path, Some(&token), body).await }
    };
    let resident_rep = json!({"user_id": c.r1_id, "category": "resident_rep"});
    assert_eq!(
        invite(&a, &c.staff, resident_rep.clone()).await.status,
        StatusCode::CREATED
    );
    let rsvp = |m: &Value, response: &str| {
        let path = format!("/api/v1/consultations/{}/rsvp", m["id"]);
        let body = json!({"response": response});
        let app = &app;
        let token = c.r1.clone();
        async move { app.post(&path, Some(&token), body).await }
    };
    assert_eq!(rsvp(&a, "declined").await.status, StatusCode::NO_CONTENT);
    let other = app
        .post(
            "/api/v1/consultations",
            Some(&c.cppcc),
            new(c.community, "3号楼院坝", "in_person"),
        )
        .await
        .body;
    assert_eq!(
        invite(&other, &c.cppcc, resident_rep).await.status,
        StatusCode::CREATED
    );
    let scheduled = meeting_act(&app, &c.cppcc, &other, "schedule", json!({})).await;
    assert_eq!(scheduled.status, StatusCode::OK, "{:?}", scheduled.body);
    let back = rsvp(&a, "accepted").await;
    assert_eq!(
        (back.status, back.code()),
        (StatusCode::CONFLICT, "consultation.clash")
    );
    assert!(
        back.body["detail"]
            .as_str()
            .unwrap()
            .contains(&format!("consultation {}", other["id"]))
    );

    // Someone who attended for an organisation signs off the minutes.
    let firm_inv = invite(
        &a,
        &c.staff,
        json!({"organization_id": c.firm, "category": "property_firm"}),
    )
    .await;
    let a = app
        .get(
            &format!("/api/v1/consultations/{}", a["id"]),
            Some(&c.staff),
        )
        .await
        .body;
    let started = meeting_act(&app, &c.staff, &a, "start", json!({}))
        .await
        .body;
    let r = app
        .post(
            &format!("/api/v1/consultations/{}/attendance", a["id"]),
            Some(&c.staff),
            json!({"attended_invitation_ids": [firm_inv.body["id"]]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    meeting_act(
        &app,
        &c.staff,
        &started,
        "conclude",
        json!({"minutes": "纪要"}),
    )
    .await;
    let signed = app
        .post(
            &format!("/api/v1/consultations/{}/minutes/confirm", a["id"]),
            Some(&c.firm_user),
            json!({}),
        )
        .await;
    assert_eq!(signed.status, StatusCode::OK, "{:?}", signed.body);

    // Cancelling a scheduled meeting mails its invitees a CANCEL (after the two REQUESTs
    // r1 got: the late invitation to `a` and the scheduling of `other`).
    let other = app
        .get(
            &format!("/api/v1/consultations/{}", other["id"]),
            Some(&c.cppcc),
        )
        .await
        .body;
    let cancelled = meeting_act(&app, &c.cppcc, &other, "cancel", json!({"reason": "改期"})).await;
    assert_eq!(cancelled.status, StatusCode::OK);
    let mails = mailed_calendars(&app, "r1@example.com", 3).await;
    let methods: Vec<String> = mails.iter().map(|m| parse_ics(m).0).collect();
    assert_eq!(methods, vec!["REQUEST", "REQUEST", "CANCEL"]);
    let (_, events) = parse_ics(&mails[2]);
    assert_eq!(events[0].2, "CANCELLED");
    app.stop().await;
}
