#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Every refusal of consultations 协商会 over HTTP: who may call each endpoint and where, what
//! input each write needs, which actions each status allows, the scheduling guard against
//! double-booking, free slots, calendars and the proposal lifecycle. Each refusal is checked
//! for its status, its problem `code` (and `field` for 400/422), and for having changed
//! nothing. Runs on PostgreSQL too (TEST_DATABASE_URL).
//!
//! Three tests assert behaviour the code does not have yet (see their doc comments):
//! `a_wrong_type_for_a_named_value_is_an_invalid_field_not_malformed_json`,
//! `a_task_follow_up_refused_for_its_organisation_names_the_follow_up` and, on PostgreSQL,
//! `parallel_schedules_do_not_double_book`.

mod common;

use std::cell::Cell;
use std::collections::BTreeMap;
use std::future::Future;

use awc::http::Method;
use chrono::{DateTime, Datelike, Duration, NaiveDateTime, TimeZone, Timelike, Utc, Weekday};
use common::{Resp, TestApp};
use serde_json::{Value, json};
use yishi::auth::Role;

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

/// Next Monday (at least two days ahead) at `hour:minute` Shanghai time, in UTC.
fn monday_at(hour: u32, minute: u32) -> DateTime<Utc> {
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

/// `day` days after that Monday, at `hour:minute` Shanghai time.
fn day_at(day: i64, hour: u32, minute: u32) -> DateTime<Utc> {
    monday_at(hour, minute) + Duration::days(day)
}

/// RFC 3339 in UTC with a `Z`, safe in a query string.
fn z(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Tables a refused request must leave as they were.
const TABLES: [&str; 11] = [
    "consultations",
    "agenda_items",
    "invitations",
    "outcomes",
    "follow_ups",
    "proposals",
    "minutes_signoffs",
    "topic_events",
    "topics",
    "tasks",
    "calendar_tokens",
];

/// id, version, status, iCalendar sequence, title, venue, starts, ends, minutes, cancel
/// reason, updated.
type MeetingState = (
    i64,
    i32,
    String,
    i32,
    String,
    Option<String>,
    NaiveDateTime,
    NaiveDateTime,
    Option<String>,
    Option<String>,
    NaiveDateTime,
);

/// What a refused request must not change.
#[derive(Debug, PartialEq)]
struct Snapshot {
    counts: Vec<(&'static str, i64)>,
    meetings: Vec<MeetingState>,
    agenda: Vec<(i64, i32, i32)>,
    invitations: Vec<(i64, String, bool)>,
    proposals: Vec<(i64, String, Option<String>)>,
    feeds: Vec<(i64, String)>,
}

fn snapshot(app: &TestApp) -> Snapshot {
    use diesel::prelude::*;
    use yishi::db::schema::{agenda_items, calendar_tokens, consultations, invitations, proposals};
    let counts = TABLES.iter().map(|t| (*t, app.count(t))).collect();
    app.with_db(|c| Snapshot {
        counts,
        meetings: consultations::table
            .order(consultations::id)
            .select((
                consultations::id,
                consultations::version,
                consultations::status,
                consultations::ical_sequence,
                consultations::title,
                consultations::venue,
                consultations::starts_at,
                consultations::ends_at,
                consultations::minutes,
                consultations::cancel_reason,
                consultations::updated_at,
            ))
            .load(c)
            .unwrap(),
        agenda: agenda_items::table
            .order(agenda_items::id)
            .select((
                agenda_items::id,
                agenda_items::position,
                agenda_items::minutes,
            ))
            .load(c)
            .unwrap(),
        invitations: invitations::table
            .order(invitations::id)
            .select((
                invitations::id,
                invitations::response,
                invitations::attended,
            ))
            .load(c)
            .unwrap(),
        proposals: proposals::table
            .order(proposals::id)
            .select((proposals::id, proposals::status, proposals::answer))
            .load(c)
            .unwrap(),
        feeds: calendar_tokens::table
            .order(calendar_tokens::user_id)
            .select((calendar_tokens::user_id, calendar_tokens::token_hash))
            .load(c)
            .unwrap(),
    })
}

/// Sends `req` and checks it is refused with `status`, `code` (and `field`), changing nothing.
async fn deny(
    app: &TestApp,
    what: &str,
    req: impl Future<Output = Resp>,
    status: u16,
    code: &str,
    field: Option<&str>,
) -> Resp {
    let before = snapshot(app);
    let r = req.await;
    assert_eq!(r.status.as_u16(), status, "{what}: {:?}", r.body);
    assert_eq!(r.code(), code, "{what}: {:?}", r.body);
    if let Some(f) = field {
        assert_eq!(r.body["field"].as_str(), Some(f), "{what}: {:?}", r.body);
    }
    assert_eq!(
        snapshot(app),
        before,
        "{what}: a refused request changes nothing"
    );
    r
}

fn id_of(v: &Value) -> i64 {
    v["id"].as_i64().unwrap_or_else(|| panic!("no id in {v:?}"))
}

/// Parses an iCalendar text (unfolding lines per RFC 5545) into its METHOD and the
/// properties of each VEVENT.
fn ics(text: &str) -> (String, Vec<BTreeMap<String, String>>) {
    assert!(
        text.starts_with("BEGIN:VCALENDAR\r\n"),
        "a VCALENDAR with CRLF lines:\n{text}"
    );
    let unfolded = text.replace("\r\n ", "").replace("\r\n\t", "");
    let mut method = String::new();
    let mut events = Vec::new();
    let mut cur: Option<BTreeMap<String, String>> = None;
    for line in unfolded.split("\r\n") {
        let (name, value) = line.split_once(':').unwrap_or((line, ""));
        let name = name.split(';').next().unwrap().to_string();
        match (name.as_str(), cur.as_mut()) {
            ("METHOD", None) => method = value.to_string(),
            ("BEGIN", None) if value == "VEVENT" => cur = Some(BTreeMap::new()),
            ("END", Some(_)) if value == "VEVENT" => events.push(cur.take().unwrap()),
            (_, Some(e)) => {
                e.insert(name, value.to_string());
            }
            _ => {}
        }
    }
    (method, events)
}

/// A logged-in user.
#[derive(Clone)]
struct User {
    id: i64,
    token: String,
}

async fn make_user(
    app: &TestApp,
    name: &str,
    home: Option<i64>,
    grants: &[(Role, Option<i64>, Option<i64>)],
) -> User {
    let email = format!("{name}@example.com");
    let id = app.user(&email, home, grants);
    let token = app.login(&email).await;
    User { id, token }
}

/// How far a fixture meeting is taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Upto {
    Draft,
    Scheduled,
    InProgress,
    Concluded,
    /// Started, attendance recorded, then cancelled.
    Cancelled,
}

/// A fixture meeting convened by the CPPCC member: two plain agenda items (after the topic's,
/// when made from a topic), invitations to `invitee`, `absentee` and the property firm; once
/// held, only `invitee` is recorded as attending.
#[derive(Debug, Clone, Default)]
struct Fix {
    id: i64,
    version: i64,
    items: Vec<i64>,
    inv_invitee: i64,
    inv_absentee: i64,
    inv_firm: i64,
    proposal: i64,
}

/// Every caller of the matrix, by name.
const PEOPLE: [&str; 19] = [
    "cppcc",
    "cppcc_peer",
    "cppcc_far",
    "staff",
    "staff_grid",
    "staff_sibling",
    "sub",
    "sub_other",
    "invitee",
    "absentee",
    "resident",
    "sibling_resident",
    "grid_worker",
    "firm",
    "firm_other",
    "dept",
    "dept_other",
    "admin",
    "district_admin",
];

/// The demo city, one user for every cell of the matrix, and fixture builders.
struct World {
    app: TestApp,
    /// Next free two-hour fixture slot (fixtures never overlap one another).
    slot: Cell<i64>,
    community: i64,
    sibling: i64,
    firm: i64,
    dept: i64,
    people: Vec<(&'static str, User)>,
}

impl World {
    async fn new(extra: &[(&str, &str)]) -> World {
        let app = TestApp::spawn_with(extra).await;
        app.seed_demo();
        let community = app.place("demo-330200-0-0-0");
        let sibling = app.place("demo-330200-0-0-1");
        let far = app.place("demo-330200-1-0-0");
        let subdistrict = app.place("demo-330200-0-0");
        let other_subdistrict = app.place("demo-330200-0-1");
        let district = app.place("demo-330200-0");
        let other_district = app.place("demo-330200-1");
        let grid = app.place("demo-330200-0-0-0-g1");
        let firms = app
            .get("/api/v1/organizations?kind=property_firm", None)
            .await;
        let firm = firms.body["items"][0]["id"].as_i64().unwrap();
        let other_firm = firms.body["items"][1]["id"].as_i64().unwrap();
        let depts = app.get("/api/v1/organizations?kind=department", None).await;
        let dept = depts.body["items"][0]["id"].as_i64().unwrap();
        let other_dept = depts.body["items"][1]["id"].as_i64().unwrap();
        type Grants = Vec<(Role, Option<i64>, Option<i64>)>;
        let resident: Grants = vec![(Role::Resident, Some(community), None)];
        let specs: Vec<(&'static str, Option<i64>, Grants)> = vec![
            (
                "cppcc",
                None,
                vec![(Role::CppccMember, Some(district), None)],
            ),
            (
                "cppcc_peer",
                None,
                vec![(Role::CppccMember, Some(district), None)],
            ),
            (
                "cppcc_far",
                None,
                vec![(Role::CppccMember, Some(other_district), None)],
            ),
            (
                "staff",
                None,
                vec![(Role::CommunityStaff, Some(community), None)],
            ),
            (
                "staff_grid",
                None,
                vec![(Role::CommunityStaff, Some(grid), None)],
            ),
            (
                "staff_sibling",
                None,
                vec![(Role::CommunityStaff, Some(sibling), None)],
            ),
            (
                "sub",
                None,
                vec![(Role::SubdistrictStaff, Some(subdistrict), None)],
            ),
            (
                "sub_other",
                None,
                vec![(Role::SubdistrictStaff, Some(other_subdistrict), None)],
            ),
            ("invitee", Some(community), resident.clone()),
            ("absentee", Some(community), resident.clone()),
            ("resident", Some(community), resident.clone()),
            (
                "sibling_resident",
                Some(sibling),
                vec![(Role::Resident, Some(sibling), None)],
            ),
            (
                "grid_worker",
                None,
                vec![(Role::GridWorker, Some(grid), None)],
            ),
            (
                "firm",
                None,
                vec![(Role::PropertyFirm, Some(community), Some(firm))],
            ),
            (
                "firm_other",
                None,
                vec![(Role::PropertyFirm, Some(far), Some(other_firm))],
            ),
            (
                "dept",
                None,
                vec![(Role::Department, Some(district), Some(dept))],
            ),
            (
                "dept_other",
                None,
                vec![(Role::Department, Some(district), Some(other_dept))],
            ),
            ("admin", None, vec![(Role::Admin, None, None)]),
            (
                "district_admin",
                None,
                vec![(Role::Admin, Some(district), None)],
            ),
        ];
        let mut people = Vec::new();
        for (name, home, grants) in specs {
            people.push((name, make_user(&app, name, home, &grants).await));
        }
        assert_eq!(
            people.iter().map(|p| p.0).collect::<Vec<_>>(),
            PEOPLE.to_vec()
        );
        World {
            app,
            slot: Cell::new(0),
            community,
            sibling,
            firm,
            dept,
            people,
        }
    }

    fn who(&self, name: &str) -> &User {
        &self
            .people
            .iter()
            .find(|p| p.0 == name)
            .unwrap_or_else(|| panic!("no user {name}"))
            .1
    }

    fn tok(&self, name: &str) -> Option<&str> {
        Some(self.who(name).token.as_str())
    }

    fn uid(&self, name: &str) -> i64 {
        self.who(name).id
    }

    /// A fresh two-hour interval two weeks out, after every earlier fixture's.
    fn next_slot(&self) -> (DateTime<Utc>, DateTime<Utc>) {
        let n = self.slot.get();
        self.slot.set(n + 1);
        let start = day_at(14, 0, 0) + Duration::hours(3 * n);
        (start, start + Duration::hours(2))
    }

    /// A draft body at the community, in the next free slot.
    fn draft_body(&self, title: &str) -> Value {
        let (start, end) = self.next_slot();
        json!({"place_id": self.community, "title": title, "kind": "courtyard",
               "format": "in_person", "venue": "幸福社区议事厅", "starts_at": start, "ends_at": end})
    }

    /// A draft body with explicit times and venue.
    fn body_at(&self, title: &str, start: DateTime<Utc>, end: DateTime<Utc>, venue: &str) -> Value {
        json!({"place_id": self.community, "title": format!("协商会{title}"), "kind": "courtyard",
               "format": "in_person", "venue": venue, "starts_at": start, "ends_at": end})
    }

    async fn create(&self, who: &str, body: Value) -> Value {
        let r = self
            .app
            .post("/api/v1/consultations", self.tok(who), body)
            .await;
        assert_eq!(r.status.as_u16(), 201, "create as {who}: {:?}", r.body);
        r.body
    }

    async fn meeting(&self, id: i64) -> Value {
        let r = self
            .app
            .get(&format!("/api/v1/consultations/{id}"), self.tok("sub"))
            .await;
        assert_eq!(r.status.as_u16(), 200, "{:?}", r.body);
        r.body
    }

    async fn version(&self, id: i64) -> i64 {
        self.meeting(id).await["version"].as_i64().unwrap()
    }

    /// A transition with a given version (for refusals).
    async fn act_v(&self, who: &str, id: i64, version: i64, action: &str, extra: Value) -> Resp {
        let mut body = json!({"action": action, "expected_version": version});
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        self.app
            .post(
                &format!("/api/v1/consultations/{id}/transitions"),
                self.tok(who),
                body,
            )
            .await
    }

    /// A transition with the current version, expected to succeed.
    async fn act(&self, who: &str, id: i64, action: &str, extra: Value) -> Value {
        let v = self.version(id).await;
        let r = self.act_v(who, id, v, action, extra).await;
        assert_eq!(
            r.status.as_u16(),
            200,
            "{action} {id} as {who}: {:?}",
            r.body
        );
        r.body
    }

    async fn add_item(&self, id: i64, title: &str, minutes: i32) -> i64 {
        let r = self
            .app
            .post(
                &format!("/api/v1/consultations/{id}/agenda-items"),
                self.tok("sub"),
                json!({"title": title, "minutes": minutes}),
            )
            .await;
        assert_eq!(r.status.as_u16(), 201, "agenda item: {:?}", r.body);
        id_of(&r.body)
    }

    async fn agenda(&self, id: i64) -> Vec<i64> {
        let r = self
            .app
            .get(
                &format!("/api/v1/consultations/{id}/agenda-items"),
                self.tok("sub"),
            )
            .await;
        r.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(id_of)
            .collect()
    }

    async fn invite(&self, id: i64, body: Value) -> i64 {
        let r = self
            .app
            .post(
                &format!("/api/v1/consultations/{id}/invitations"),
                self.tok("sub"),
                body,
            )
            .await;
        assert_eq!(r.status.as_u16(), 201, "invite to {id}: {:?}", r.body);
        id_of(&r.body)
    }

    async fn invite_user(&self, id: i64, who: &str) -> i64 {
        self.invite(
            id,
            json!({"user_id": self.uid(who), "category": "resident_rep"}),
        )
        .await
    }

    async fn rsvp(&self, id: i64, who: &str, response: &str) {
        let r = self
            .app
            .post(
                &format!("/api/v1/consultations/{id}/rsvp"),
                self.tok(who),
                json!({"response": response}),
            )
            .await;
        assert_eq!(
            r.status.as_u16(),
            204,
            "rsvp {who} {response}: {:?}",
            r.body
        );
    }

    async fn attendance(&self, id: i64, ids: &[i64]) {
        let r = self
            .app
            .post(
                &format!("/api/v1/consultations/{id}/attendance"),
                self.tok("sub"),
                json!({"attended_invitation_ids": ids}),
            )
            .await;
        assert_eq!(r.status.as_u16(), 200, "attendance: {:?}", r.body);
    }

    /// A fixture meeting (see [`Fix`]), optionally opened with a topic via `from_topic_id`.
    async fn build(&self, upto: Upto, topic: Option<i64>) -> Fix {
        let mut body = self.draft_body("加装电梯协商会");
        if let Some(t) = topic {
            body["from_topic_id"] = json!(t);
        }
        let id = id_of(&self.create("cppcc", body).await);
        let mut items = self.agenda(id).await;
        items.push(self.add_item(id, "议题一", 20).await);
        items.push(self.add_item(id, "议题二", 20).await);
        let inv_invitee = self.invite_user(id, "invitee").await;
        let inv_absentee = self.invite_user(id, "absentee").await;
        let inv_firm = self
            .invite(
                id,
                json!({"organization_id": self.firm, "category": "property_firm"}),
            )
            .await;
        if upto >= Upto::Scheduled {
            self.act("cppcc", id, "schedule", json!({})).await;
        }
        if upto >= Upto::InProgress {
            self.act("cppcc", id, "start", json!({})).await;
        }
        if upto >= Upto::Concluded {
            self.attendance(id, &[inv_invitee]).await;
        }
        if upto == Upto::Concluded {
            self.act(
                "cppcc",
                id,
                "conclude",
                json!({"minutes": "议定：加装电梯。"}),
            )
            .await;
        }
        if upto == Upto::Cancelled {
            self.act("cppcc", id, "cancel", json!({"reason": "台风停会"}))
                .await;
        }
        let m = self.meeting(id).await;
        let status = match upto {
            Upto::Draft => "draft",
            Upto::Scheduled => "scheduled",
            Upto::InProgress => "in_progress",
            Upto::Concluded => "concluded",
            Upto::Cancelled => "cancelled",
        };
        assert_eq!(m["status"], status);
        Fix {
            id,
            version: m["version"].as_i64().unwrap(),
            items,
            inv_invitee,
            inv_absentee,
            inv_firm,
            proposal: 0,
        }
    }

    /// Records an outcome on `item` as `who` with one proposal follow-up for `org`; returns
    /// the proposal id.
    async fn proposal_from(&self, who: &str, f: &Fix, item: i64, org: Option<i64>) -> i64 {
        let r = self
            .app
            .post(
                &format!("/api/v1/consultations/{}/outcomes", f.id),
                self.tok(who),
                json!({"agenda_item_id": item, "decision": "建议财政补贴加装电梯", "consensus": "majority",
                       "follow_ups": [{"kind": "proposal", "title": "关于老旧小区加装电梯补贴的提案", "organization_id": org}]}),
            )
            .await;
        assert_eq!(r.status.as_u16(), 201, "outcome: {:?}", r.body);
        r.body["follow_ups"][0]["proposal_id"].as_i64().unwrap()
    }

    async fn move_proposal(&self, who: &str, id: i64, body: Value) -> Resp {
        self.app
            .post(
                &format!("/api/v1/proposals/{id}/transitions"),
                self.tok(who),
                body,
            )
            .await
    }

    async fn step(&self, who: &str, id: i64, body: Value) -> Value {
        let r = self.move_proposal(who, id, body.clone()).await;
        assert_eq!(r.status.as_u16(), 200, "{body} as {who}: {:?}", r.body);
        r.body
    }

    /// Raises a topic at `place` as `author` and takes it to `stage` (say, discuss or plan)
    /// as sub-district staff; returns its id.
    async fn topic(&self, author: &str, place: i64, stage: &str) -> i64 {
        let r = self
            .app
            .post(
                "/api/v1/topics",
                self.tok(author),
                json!({"place_id": place, "title": "楼道堆物影响消防通道", "body": "需要协商清理。", "category": "environment"}),
            )
            .await;
        assert_eq!(r.status.as_u16(), 201, "topic: {:?}", r.body);
        let id = id_of(&r.body);
        let steps: &[(&str, Value)] = match stage {
            "say" => &[],
            "discuss" => &[("accept", json!({}))],
            "plan" => &[
                ("accept", json!({})),
                ("decide", json!({"decision": "由物业清理"})),
            ],
            other => panic!("no stage {other}"),
        };
        for (action, extra) in steps {
            let t = self
                .app
                .get(&format!("/api/v1/topics/{id}"), self.tok("sub"))
                .await;
            let mut body = json!({"action": action, "expected_version": t.body["version"]});
            body.as_object_mut()
                .unwrap()
                .extend(extra.as_object().unwrap().clone());
            let r = self
                .app
                .post(
                    &format!("/api/v1/topics/{id}/transitions"),
                    self.tok("sub"),
                    body,
                )
                .await;
            assert_eq!(r.status.as_u16(), 200, "{action}: {:?}", r.body);
        }
        id
    }

    /// Sends `body` with `method` to `path` as `who`.
    async fn send(&self, who: &str, method: Method, path: String, body: Value) -> Resp {
        if method == Method::PATCH {
            self.app.patch(&path, self.tok(who), body).await
        } else {
            self.app.post(&path, self.tok(who), body).await
        }
    }
}

// ---------------------------------------------------------------------------------------
// 1. Who may call each endpoint, and where
// ---------------------------------------------------------------------------------------

/// The write endpoints of consultations, proposals and the calendar feed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ep {
    Create,
    Patch,
    Transition,
    AddItem,
    Reorder,
    Invite,
    Rsvp,
    Attendance,
    Outcome,
    Confirm,
    Dissent,
    Submit,
    Accept,
    Answer,
    FeedCreate,
    FeedRevoke,
}

impl Ep {
    const ALL: [Ep; 16] = [
        Ep::Create,
        Ep::Patch,
        Ep::Transition,
        Ep::AddItem,
        Ep::Reorder,
        Ep::Invite,
        Ep::Rsvp,
        Ep::Attendance,
        Ep::Outcome,
        Ep::Confirm,
        Ep::Dissent,
        Ep::Submit,
        Ep::Accept,
        Ep::Answer,
        Ep::FeedCreate,
        Ep::FeedRevoke,
    ];

    /// Who may call it (everyone else is refused).
    fn allowed(self) -> Vec<&'static str> {
        match self {
            Ep::Create => vec!["cppcc", "cppcc_peer", "staff", "sub"],
            Ep::Patch
            | Ep::Transition
            | Ep::AddItem
            | Ep::Reorder
            | Ep::Invite
            | Ep::Attendance
            | Ep::Outcome => vec!["cppcc", "sub"],
            Ep::Rsvp => vec!["invitee", "absentee", "firm"],
            Ep::Confirm | Ep::Dissent => vec!["invitee"],
            Ep::Submit => vec!["cppcc"],
            Ep::Accept | Ep::Answer => vec!["dept", "sub"],
            Ep::FeedCreate | Ep::FeedRevoke => PEOPLE.to_vec(),
        }
    }

    /// How the others are refused.
    fn refusal(self) -> (u16, &'static str) {
        match self {
            Ep::Rsvp => (403, "invitation.not_invited"),
            Ep::Confirm | Ep::Dissent => (403, "minutes.not_an_attendee"),
            _ => (403, "permission.denied"),
        }
    }

    fn success(self) -> u16 {
        match self {
            Ep::Create | Ep::AddItem | Ep::Invite | Ep::Outcome | Ep::FeedCreate => 201,
            Ep::Rsvp | Ep::FeedRevoke => 204,
            _ => 200,
        }
    }

    /// The 404 of an unknown meeting or proposal, for endpoints with an id in the path.
    fn not_found(self) -> Option<&'static str> {
        match self {
            Ep::Create | Ep::FeedCreate | Ep::FeedRevoke => None,
            Ep::Submit | Ep::Accept | Ep::Answer => Some("proposal.not_found"),
            _ => Some("consultation.not_found"),
        }
    }

    /// A fresh fixture the endpoint can act on (for `who`, when it matters).
    async fn prepare(self, w: &World, who: Option<&str>) -> Fix {
        match self {
            Ep::Create | Ep::FeedCreate => Fix::default(),
            Ep::FeedRevoke => {
                if let Some(who) = who {
                    let r = w
                        .app
                        .post("/api/v1/me/calendar-feed", w.tok(who), json!({}))
                        .await;
                    assert_eq!(r.status.as_u16(), 201, "{:?}", r.body);
                }
                Fix::default()
            }
            Ep::Patch | Ep::Transition | Ep::AddItem | Ep::Reorder | Ep::Invite | Ep::Rsvp => {
                w.build(Upto::Draft, None).await
            }
            Ep::Attendance => w.build(Upto::InProgress, None).await,
            Ep::Outcome | Ep::Confirm | Ep::Dissent => w.build(Upto::Concluded, None).await,
            Ep::Submit | Ep::Accept | Ep::Answer => {
                let mut f = w.build(Upto::Concluded, None).await;
                f.proposal = w.proposal_from("cppcc", &f, f.items[0], Some(w.dept)).await;
                if self != Ep::Submit {
                    w.step("cppcc", f.proposal, json!({"to": "submitted"}))
                        .await;
                }
                if self == Ep::Answer {
                    w.step("sub", f.proposal, json!({"to": "accepted"})).await;
                }
                f
            }
        }
    }

    async fn call(self, w: &World, f: &Fix, token: Option<&str>) -> Resp {
        let app = &w.app;
        let at = |p: &str| format!("/api/v1/consultations/{}{p}", f.id);
        let proposal = format!("/api/v1/proposals/{}/transitions", f.proposal);
        match self {
            Ep::Create => {
                app.post("/api/v1/consultations", token, w.draft_body("楼道堆物协商会"))
                    .await
            }
            Ep::Patch => {
                app.patch(
                    &at(""),
                    token,
                    json!({"title": "加装电梯协商会（改期）", "expected_version": f.version}),
                )
                .await
            }
            Ep::Transition => {
                app.post(
                    &at("/transitions"),
                    token,
                    json!({"action": "schedule", "expected_version": f.version}),
                )
                .await
            }
            Ep::AddItem => {
                app.post(
                    &at("/agenda-items"),
                    token,
                    json!({"title": "其他事项", "minutes": 10}),
                )
                .await
            }
            Ep::Reorder => {
                let ids: Vec<i64> = f.items.iter().rev().copied().collect();
                app.post(
                    &at("/agenda-items/reorder"),
                    token,
                    json!({"item_ids": ids}),
                )
                .await
            }
            Ep::Invite => {
                app.post(
                    &at("/invitations"),
                    token,
                    json!({"organization_id": w.dept, "category": "department"}),
                )
                .await
            }
            Ep::Rsvp => {
                app.post(&at("/rsvp"), token, json!({"response": "accepted"}))
                    .await
            }
            Ep::Attendance => {
                app.post(
                    &at("/attendance"),
                    token,
                    json!({"attended_invitation_ids": [f.inv_invitee, f.inv_firm]}),
                )
                .await
            }
            Ep::Outcome => {
                app.post(
                    &at("/outcomes"),
                    token,
                    json!({"agenda_item_id": f.items[0], "decision": "同意加装", "consensus": "unanimous"}),
                )
                .await
            }
            Ep::Confirm => app.post(&at("/minutes/confirm"), token, json!({})).await,
            Ep::Dissent => {
                app.post(
                    &at("/minutes/dissent"),
                    token,
                    json!({"text": "纪要遗漏了费用分摊"}),
                )
                .await
            }
            Ep::Submit => app.post(&proposal, token, json!({"to": "submitted"})).await,
            Ep::Accept => app.post(&proposal, token, json!({"to": "accepted"})).await,
            Ep::Answer => {
                app.post(
                    &proposal,
                    token,
                    json!({"to": "answered", "answer": "已列入明年民生实事项目"}),
                )
                .await
            }
            Ep::FeedCreate => app.post("/api/v1/me/calendar-feed", token, json!({})).await,
            Ep::FeedRevoke => app.delete("/api/v1/me/calendar-feed", token).await,
        }
    }
}

/// Endpoints for the convener and the sub-district.
const MANAGING: [Ep; 8] = [
    Ep::Create,
    Ep::Patch,
    Ep::Transition,
    Ep::AddItem,
    Ep::Reorder,
    Ep::Invite,
    Ep::Attendance,
    Ep::Outcome,
];

/// Endpoints for invitees, attendees, proposal authors and answerers, and every user.
const PERSONAL: [Ep; 8] = [
    Ep::Rsvp,
    Ep::Confirm,
    Ep::Dissent,
    Ep::Submit,
    Ep::Accept,
    Ep::Answer,
    Ep::FeedCreate,
    Ep::FeedRevoke,
];

/// Every endpoint of `eps`: anonymous 401; everyone not allowed refused, changing nothing; an
/// unknown id 404; each allowed caller succeeds on a fresh fixture.
async fn matrix(eps: &[Ep]) {
    let w = World::new(&[]).await;
    let app = &w.app;
    for &ep in eps {
        let shared = ep.prepare(&w, None).await;
        deny(
            app,
            &format!("{ep:?} as anonymous"),
            ep.call(&w, &shared, None),
            401,
            "auth.missing_token",
            None,
        )
        .await;
        let allowed = ep.allowed();
        let (status, code) = ep.refusal();
        for who in PEOPLE.iter().filter(|p| !allowed.contains(*p)) {
            deny(
                app,
                &format!("{ep:?} as {who}"),
                ep.call(&w, &shared, w.tok(who)),
                status,
                code,
                None,
            )
            .await;
        }
        if let Some(code) = ep.not_found() {
            let mut gone = shared.clone();
            gone.id = 987_654_321;
            gone.proposal = 987_654_321;
            let who = allowed[0];
            deny(
                app,
                &format!("{ep:?} on an unknown id as {who}"),
                ep.call(&w, &gone, w.tok(who)),
                404,
                code,
                None,
            )
            .await;
        }
        for who in allowed {
            let f = ep.prepare(&w, Some(who)).await;
            let r = ep.call(&w, &f, w.tok(who)).await;
            assert_eq!(
                r.status.as_u16(),
                ep.success(),
                "{ep:?} as {who} is allowed: {:?}",
                r.body
            );
        }
    }
    w.app.stop().await;
}

#[actix_rt::test]
async fn managing_a_meeting_takes_a_convener_role_at_the_place_or_its_management() {
    assert!(
        Ep::ALL
            .iter()
            .all(|e| MANAGING.contains(e) || PERSONAL.contains(e)),
        "the two matrices cover every write endpoint"
    );
    matrix(&MANAGING).await;
}

#[actix_rt::test]
async fn answering_signing_proposals_and_feeds_belong_to_their_people() {
    matrix(&PERSONAL).await;
}

#[actix_rt::test]
async fn the_allowed_callers_changes_are_what_they_asked_for() {
    let w = World::new(&[]).await;
    let app = &w.app;
    // Conveners at the place or above create drafts they convene.
    for who in ["cppcc", "cppcc_peer", "staff", "sub"] {
        let m = w.create(who, w.draft_body("院坝协商会")).await;
        assert_eq!(m["convener_id"], w.uid(who), "{who}");
        assert_eq!(m["status"], "draft", "{who}");
        assert_eq!(m["version"], 1, "{who}");
    }
    // Sub-district staff manage a meeting a CPPCC member convenes.
    let f = w.build(Upto::Draft, None).await;
    let r = w
        .app
        .post(
            &format!("/api/v1/consultations/{}/agenda-items/reorder", f.id),
            w.tok("sub"),
            json!({"item_ids": [f.items[1], f.items[0]]}),
        )
        .await;
    assert_eq!(r.status.as_u16(), 200, "{:?}", r.body);
    let order: Vec<i64> = r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(id_of)
        .collect();
    assert_eq!(order, vec![f.items[1], f.items[0]]);
    assert_eq!(r.body["items"][0]["position"], 1);
    // The firm answers for its organisation's invitation; the answer is on the invitation.
    w.rsvp(f.id, "firm", "tentative").await;
    w.rsvp(f.id, "invitee", "declined").await;
    let invs = app
        .get(
            &format!("/api/v1/consultations/{}/invitations", f.id),
            w.tok("resident"),
        )
        .await;
    let by_id = |id: i64| {
        invs.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["id"] == id)
            .unwrap()
            .clone()
    };
    assert_eq!(by_id(f.inv_firm)["response"], "tentative");
    assert_eq!(by_id(f.inv_invitee)["response"], "declined");
    assert_eq!(by_id(f.inv_absentee)["response"], "pending");
    // Attendance replaces the whole list.
    let held = w.build(Upto::InProgress, None).await;
    w.attendance(held.id, &[held.inv_invitee, held.inv_firm])
        .await;
    let r = app
        .post(
            &format!("/api/v1/consultations/{}/attendance", held.id),
            w.tok("cppcc"),
            json!({"attended_invitation_ids": [held.inv_absentee]}),
        )
        .await;
    assert_eq!(r.status.as_u16(), 200, "{:?}", r.body);
    let attended: Vec<i64> = r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["attended"] == true)
        .map(id_of)
        .collect();
    assert_eq!(attended, vec![held.inv_absentee]);
    // Sign-off: the record shows who confirmed and who dissented.
    let done = w.build(Upto::Concluded, None).await;
    let r = app
        .post(
            &format!("/api/v1/consultations/{}/minutes/dissent", done.id),
            w.tok("invitee"),
            json!({"text": "费用分摊未写入纪要"}),
        )
        .await;
    assert_eq!(r.status.as_u16(), 200, "{:?}", r.body);
    assert_eq!(r.body["confirmed_by"], json!([]));
    assert_eq!(
        r.body["dissents"],
        json!([{"user_id": w.uid("invitee"), "text": "费用分摊未写入纪要"}])
    );
    assert_eq!(r.body["attended_categories"], json!(["resident_rep"]));
    assert_eq!(app.count("minutes_signoffs"), 1);
    w.app.stop().await;
}

#[actix_rt::test]
async fn reads_need_an_account_and_nothing_more() {
    let w = World::new(&[]).await;
    let app = &w.app;
    let mut f = w.build(Upto::Concluded, None).await;
    f.proposal = w.proposal_from("sub", &f, f.items[0], Some(w.dept)).await;
    let (from, to) = (day_at(0, 0, 0), day_at(1, 0, 0));
    let paths = |id: i64, p: i64| {
        vec![
            format!("/api/v1/consultations?place_id={}", w.community),
            format!("/api/v1/consultations/{id}"),
            format!("/api/v1/consultations/{id}/agenda-items"),
            format!("/api/v1/consultations/{id}/invitations"),
            format!("/api/v1/consultations/{id}/outcomes"),
            format!("/api/v1/consultations/{id}/minutes"),
            format!("/api/v1/consultations/{id}/calendar.ics"),
            format!(
                "/api/v1/consultations/free-slots?users={}&from={}&to={}&minutes=60",
                w.uid("invitee"),
                z(from),
                z(to)
            ),
            format!("/api/v1/proposals/{p}"),
        ]
    };
    for path in paths(f.id, f.proposal) {
        deny(
            app,
            &format!("GET {path} anonymously"),
            app.get(&path, None),
            401,
            "auth.missing_token",
            None,
        )
        .await;
        for who in PEOPLE {
            let before = snapshot(app);
            let r = app.get(&path, w.tok(who)).await;
            assert_eq!(r.status.as_u16(), 200, "GET {path} as {who}: {:?}", r.body);
            assert_eq!(snapshot(app), before, "GET {path} as {who} changes nothing");
        }
    }
    let gone = paths(987_654_321, 987_654_321);
    for (path, code) in [
        (&gone[1], "consultation.not_found"),
        (&gone[2], "consultation.not_found"),
        (&gone[3], "consultation.not_found"),
        (&gone[4], "consultation.not_found"),
        (&gone[5], "consultation.not_found"),
        (&gone[6], "consultation.not_found"),
        (&gone[8], "proposal.not_found"),
    ] {
        deny(
            app,
            &format!("GET {path}"),
            app.get(path, w.tok("resident")),
            404,
            code,
            None,
        )
        .await;
    }
    w.app.stop().await;
}

// ---------------------------------------------------------------------------------------
// 2. Bad input on every write endpoint
// ---------------------------------------------------------------------------------------

#[actix_rt::test]
async fn unreadable_input_is_a_400_naming_the_field() {
    let w = World::new(&[]).await;
    let app = &w.app;
    let d = w.build(Upto::Draft, None).await;
    let p = w.build(Upto::InProgress, None).await;
    let mut c = w.build(Upto::Concluded, None).await;
    c.proposal = w.proposal_from("cppcc", &c, c.items[1], Some(w.dept)).await;
    let m = |id: i64, s: &str| format!("/api/v1/consultations/{id}{s}");
    let prop = format!("/api/v1/proposals/{}/transitions", c.proposal);
    // (endpoint, caller, method, path)
    let endpoints: Vec<(&str, &str, Method, String)> = vec![
        (
            "create",
            "sub",
            Method::POST,
            "/api/v1/consultations".into(),
        ),
        ("patch", "sub", Method::PATCH, m(d.id, "")),
        ("transition", "sub", Method::POST, m(d.id, "/transitions")),
        ("agenda item", "sub", Method::POST, m(d.id, "/agenda-items")),
        (
            "reorder",
            "sub",
            Method::POST,
            m(d.id, "/agenda-items/reorder"),
        ),
        ("invitation", "sub", Method::POST, m(d.id, "/invitations")),
        ("rsvp", "invitee", Method::POST, m(d.id, "/rsvp")),
        ("attendance", "sub", Method::POST, m(p.id, "/attendance")),
        ("outcome", "sub", Method::POST, m(c.id, "/outcomes")),
        (
            "dissent",
            "invitee",
            Method::POST,
            m(c.id, "/minutes/dissent"),
        ),
        ("proposal", "cppcc", Method::POST, prop),
    ];
    for (what, who, method, path) in &endpoints {
        for raw in [
            &b"{\"title\": "[..],
            &b"{\"title\": \"x\",}"[..],
            &b""[..],
            &b"not json"[..],
        ] {
            deny(
                app,
                &format!("{what}: malformed JSON {:?}", String::from_utf8_lossy(raw)),
                app.raw(
                    method.clone(),
                    path,
                    w.tok(who),
                    "application/json",
                    raw.to_vec(),
                ),
                400,
                "request.malformed_json",
                None,
            )
            .await;
        }
    }
    let (start, end) = w.next_slot();
    let create = |extra: Value| {
        let mut b = json!({"place_id": w.community, "title": "楼道堆物协商会", "kind": "courtyard",
                           "format": "in_person", "venue": "议事厅", "starts_at": start, "ends_at": end});
        b.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        b
    };
    let outcome = |extra: Value| {
        let mut b =
            json!({"agenda_item_id": c.items[0], "decision": "同意", "consensus": "majority"});
        b.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        b
    };
    let ep = |name: &str| {
        endpoints
            .iter()
            .find(|e| e.0 == name)
            .map(|e| (e.1, e.2.clone(), e.3.clone()))
            .unwrap()
    };
    // (what, endpoint, body, code, field)
    let rows: Vec<(&str, &str, Value, &str, &str)> = vec![
        (
            "a numeric title",
            "create",
            create(json!({"title": 5})),
            "request.invalid_field",
            "title",
        ),
        (
            "a start that is no time",
            "create",
            create(json!({"starts_at": "next monday"})),
            "request.invalid_field",
            "starts_at",
        ),
        (
            "a place id as text",
            "create",
            create(json!({"place_id": "幸福社区"})),
            "request.invalid_field",
            "place_id",
        ),
        (
            "kind party",
            "create",
            create(json!({"kind": "party"})),
            "request.invalid_field",
            "kind",
        ),
        (
            "format tv",
            "create",
            create(json!({"format": "tv"})),
            "request.invalid_field",
            "format",
        ),
        (
            "no start",
            "create",
            {
                let mut b = create(json!({}));
                b.as_object_mut().unwrap().remove("starts_at");
                b
            },
            "request.missing_field",
            "starts_at",
        ),
        (
            "a version as text",
            "patch",
            json!({"title": "新标题", "expected_version": "seven"}),
            "request.invalid_field",
            "expected_version",
        ),
        (
            "no version",
            "patch",
            json!({"title": "新标题"}),
            "request.missing_field",
            "expected_version",
        ),
        (
            "a version as a string",
            "transition",
            json!({"action": "schedule", "expected_version": "1"}),
            "request.invalid_field",
            "expected_version",
        ),
        (
            "action postpone",
            "transition",
            json!({"action": "postpone", "expected_version": d.version}),
            "request.invalid_field",
            "action",
        ),
        (
            "minutes as words",
            "agenda item",
            json!({"title": "议题", "minutes": "ten"}),
            "request.invalid_field",
            "minutes",
        ),
        (
            "item ids as text",
            "reorder",
            json!({"item_ids": "1,2"}),
            "request.invalid_field",
            "item_ids",
        ),
        (
            "a user id as text",
            "invitation",
            json!({"user_id": "r1", "category": "resident_rep"}),
            "request.invalid_field",
            "user_id",
        ),
        (
            "category friend",
            "invitation",
            json!({"user_id": w.uid("resident"), "category": "friend"}),
            "request.invalid_field",
            "category",
        ),
        (
            "response maybe",
            "rsvp",
            json!({"response": "maybe"}),
            "request.invalid_field",
            "response",
        ),
        (
            "an invitation id as text",
            "attendance",
            json!({"attended_invitation_ids": ["x"]}),
            "request.invalid_field",
            "attended_invitation_ids[0]",
        ),
        (
            "an agenda item id as text",
            "outcome",
            outcome(json!({"agenda_item_id": "first"})),
            "request.invalid_field",
            "agenda_item_id",
        ),
        (
            "consensus some",
            "outcome",
            outcome(json!({"consensus": "some"})),
            "request.invalid_field",
            "consensus",
        ),
        (
            "follow-ups as an object",
            "outcome",
            outcome(json!({"follow_ups": {"kind": "task"}})),
            "request.invalid_field",
            "follow_ups",
        ),
        (
            "follow-up kind memo",
            "outcome",
            outcome(json!({"follow_ups": [{"kind": "memo", "title": "备忘"}]})),
            "request.invalid_field",
            "follow_ups[0].kind",
        ),
        (
            "a numeric dissent",
            "dissent",
            json!({"text": 42}),
            "request.invalid_field",
            "text",
        ),
        (
            "status rejected",
            "proposal",
            json!({"to": "rejected"}),
            "request.invalid_field",
            "to",
        ),
    ];
    for (what, name, body, code, field) in rows {
        let (who, method, path) = ep(name);
        deny(
            app,
            &format!("{name}: {what}"),
            w.send(who, method, path, body),
            400,
            code,
            Some(field),
        )
        .await;
    }
    w.app.stop().await;
}

/// A number, a boolean or a list where a named value (an enum) is expected is well-formed
/// JSON of the wrong type: 400 `request.invalid_field` naming the field, as for a number where
/// a text is expected, not `request.malformed_json`.
#[actix_rt::test]
async fn a_wrong_type_for_a_named_value_is_an_invalid_field_not_malformed_json() {
    let w = World::new(&[]).await;
    let app = &w.app;
    let d = w.build(Upto::Draft, None).await;
    let mut c = w.build(Upto::Concluded, None).await;
    c.proposal = w.proposal_from("cppcc", &c, c.items[0], Some(w.dept)).await;
    let mut create = w.draft_body("楼道堆物协商会");
    create["kind"] = json!(5);
    let rows: Vec<(&str, &str, String, Value, &str)> = vec![
        (
            "a numeric kind",
            "sub",
            "/api/v1/consultations".into(),
            create,
            "kind",
        ),
        (
            "a numeric response",
            "invitee",
            format!("/api/v1/consultations/{}/rsvp", d.id),
            json!({"response": 1}),
            "response",
        ),
        (
            "a boolean action",
            "sub",
            format!("/api/v1/consultations/{}/transitions", d.id),
            json!({"action": true, "expected_version": d.version}),
            "action",
        ),
        (
            "a list for a category",
            "sub",
            format!("/api/v1/consultations/{}/invitations", d.id),
            json!({"organization_id": w.dept, "category": ["department"]}),
            "category",
        ),
        (
            "a numeric status",
            "cppcc",
            format!("/api/v1/proposals/{}/transitions", c.proposal),
            json!({"to": 2}),
            "to",
        ),
    ];
    for (what, who, path, body, field) in rows {
        deny(
            app,
            &format!("{path}: {what}"),
            app.post(&path, w.tok(who), body),
            400,
            "request.invalid_field",
            Some(field),
        )
        .await;
    }
    w.app.stop().await;
}

#[actix_rt::test]
async fn values_that_break_a_rule_are_a_422_naming_the_field() {
    let w = World::new(&[]).await;
    let app = &w.app;
    let say = w.topic("resident", w.community, "say").await;
    let discuss = w.topic("resident", w.community, "discuss").await;
    let planned = w.topic("resident", w.community, "plan").await;
    let elsewhere = w.topic("sibling_resident", w.sibling, "discuss").await;
    let d = w.build(Upto::Draft, None).await;
    let other = w.build(Upto::Draft, None).await;
    let p = w.build(Upto::InProgress, None).await;
    let c = w.build(Upto::Concluded, Some(discuss)).await;
    let cp = w.build(Upto::Concluded, Some(planned)).await;
    let (start, end) = w.next_slot();
    let create = |extra: Value| {
        let mut b = json!({"place_id": w.community, "title": "楼道堆物协商会", "kind": "courtyard",
                           "format": "in_person", "venue": "议事厅", "starts_at": start, "ends_at": end});
        b.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        b
    };
    let m = |id: i64, s: &str| format!("/api/v1/consultations/{id}{s}");
    let task = |extra: Value| {
        let mut f = json!({"kind": "task", "title": "清理楼道堆物", "organization_id": w.firm,
                           "due_at": Utc::now() + Duration::days(30)});
        f.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        f
    };
    let outcome = |item: i64, follow: Value| {
        json!({"agenda_item_id": item, "decision": "限期清理", "consensus": "majority",
               "follow_ups": [follow]})
    };
    let post = Method::POST;
    let patch = Method::PATCH;
    let create_path = || "/api/v1/consultations".to_string();
    // (what, caller, method, path, body, code, field)
    type Row<'a> = (&'a str, &'a str, Method, String, Value, &'a str, &'a str);
    let rows: Vec<Row> = vec![
        (
            "a title of 201 characters",
            "sub",
            post.clone(),
            create_path(),
            create(json!({"title": "议".repeat(201)})),
            "validation.length",
            "title",
        ),
        (
            "a title of one character",
            "sub",
            post.clone(),
            create_path(),
            create(json!({"title": "议"})),
            "validation.length",
            "title",
        ),
        (
            "an empty venue",
            "sub",
            post.clone(),
            create_path(),
            create(json!({"venue": ""})),
            "validation.length",
            "venue",
        ),
        (
            "an end before the start",
            "sub",
            post.clone(),
            create_path(),
            create(json!({"starts_at": end, "ends_at": start})),
            "consultation.invalid_time",
            "ends_at",
        ),
        (
            "an end at the start",
            "sub",
            post.clone(),
            create_path(),
            create(json!({"ends_at": start})),
            "consultation.invalid_time",
            "ends_at",
        ),
        (
            "a meeting of 24 hours and a minute",
            "sub",
            post.clone(),
            create_path(),
            create(json!({"ends_at": start + Duration::hours(24) + Duration::minutes(1)})),
            "consultation.invalid_time",
            "ends_at",
        ),
        (
            "an online link that is no URL",
            "sub",
            post.clone(),
            create_path(),
            create(json!({"format": "online", "online_url": "zoom room 5"})),
            // Its own code since issue 8 (was validation.invalid).
            "validation.url",
            "online_url",
        ),
        (
            "an unknown place",
            "sub",
            post.clone(),
            create_path(),
            create(json!({"place_id": 987_654_321})),
            "place.not_found",
            "place_id",
        ),
        (
            "from a topic still in say",
            "sub",
            post.clone(),
            create_path(),
            create(json!({"from_topic_id": say})),
            "consultation.invalid_topic",
            "from_topic_id",
        ),
        (
            "from a topic of another community",
            "sub",
            post.clone(),
            create_path(),
            create(json!({"from_topic_id": elsewhere})),
            "consultation.invalid_topic",
            "from_topic_id",
        ),
        (
            "from an unknown topic",
            "sub",
            post.clone(),
            create_path(),
            create(json!({"from_topic_id": 987_654_321})),
            "topic.not_found",
            "from_topic_id",
        ),
        (
            "a title of 201 characters",
            "sub",
            patch.clone(),
            m(d.id, ""),
            json!({"title": "议".repeat(201), "expected_version": d.version}),
            "validation.length",
            "title",
        ),
        (
            "an end before the start",
            "sub",
            patch.clone(),
            m(d.id, ""),
            json!({"ends_at": day_at(0, 9, 0), "expected_version": d.version}),
            "consultation.invalid_time",
            "ends_at",
        ),
        (
            "a move to 25 hours",
            "sub",
            patch.clone(),
            m(d.id, ""),
            json!({"ends_at": start + Duration::hours(25), "starts_at": start, "expected_version": d.version}),
            "consultation.invalid_time",
            "ends_at",
        ),
        (
            "a meeting too short for its agenda",
            "sub",
            patch.clone(),
            m(d.id, ""),
            json!({"starts_at": start, "ends_at": start + Duration::minutes(30), "expected_version": d.version}),
            "consultation.agenda_overrun",
            "ends_at",
        ),
        (
            "minutes 0",
            "sub",
            post.clone(),
            m(d.id, "/agenda-items"),
            json!({"title": "议题", "minutes": 0}),
            "validation.range",
            "minutes",
        ),
        (
            "minutes 1441",
            "sub",
            post.clone(),
            m(d.id, "/agenda-items"),
            json!({"title": "议题", "minutes": 1441}),
            "validation.range",
            "minutes",
        ),
        (
            "an empty title",
            "sub",
            post.clone(),
            m(d.id, "/agenda-items"),
            json!({"title": "", "minutes": 10}),
            "validation.length",
            "title",
        ),
        (
            "more minutes than the meeting has",
            "sub",
            post.clone(),
            m(d.id, "/agenda-items"),
            json!({"title": "议题", "minutes": 81}),
            "consultation.agenda_overrun",
            "minutes",
        ),
        (
            "a topic of another community",
            "sub",
            post.clone(),
            m(d.id, "/agenda-items"),
            json!({"title": "议题", "minutes": 10, "topic_id": elsewhere}),
            "consultation.invalid_topic",
            "topic_id",
        ),
        (
            "a topic still in say",
            "sub",
            post.clone(),
            m(d.id, "/agenda-items"),
            json!({"title": "议题", "minutes": 10, "topic_id": say}),
            "consultation.invalid_topic",
            "topic_id",
        ),
        (
            "an unknown topic",
            "sub",
            post.clone(),
            m(d.id, "/agenda-items"),
            json!({"title": "议题", "minutes": 10, "topic_id": 987_654_321}),
            "topic.not_found",
            "topic_id",
        ),
        (
            "an unknown presenter",
            "sub",
            post.clone(),
            m(d.id, "/agenda-items"),
            json!({"title": "议题", "minutes": 10, "presenter_id": 987_654_321}),
            "user.not_found",
            "presenter_id",
        ),
        (
            "an order missing an item",
            "sub",
            post.clone(),
            m(d.id, "/agenda-items/reorder"),
            json!({"item_ids": [d.items[1]]}),
            "consultation.invalid_order",
            "item_ids",
        ),
        (
            "an order with an item twice",
            "sub",
            post.clone(),
            m(d.id, "/agenda-items/reorder"),
            json!({"item_ids": [d.items[1], d.items[0], d.items[0]]}),
            "consultation.invalid_order",
            "item_ids",
        ),
        (
            "an order with another meeting's item",
            "sub",
            post.clone(),
            m(d.id, "/agenda-items/reorder"),
            json!({"item_ids": [d.items[1], other.items[0]]}),
            "consultation.invalid_order",
            "item_ids",
        ),
        (
            "an empty order",
            "sub",
            post.clone(),
            m(d.id, "/agenda-items/reorder"),
            json!({"item_ids": []}),
            "validation.length",
            "item_ids",
        ),
        (
            "both a user and an organisation",
            "sub",
            post.clone(),
            m(d.id, "/invitations"),
            json!({"user_id": w.uid("resident"), "organization_id": w.dept, "category": "department"}),
            "invitation.invitee_required",
            "user_id",
        ),
        (
            "neither a user nor an organisation",
            "sub",
            post.clone(),
            m(d.id, "/invitations"),
            json!({"category": "expert"}),
            "invitation.invitee_required",
            "user_id",
        ),
        (
            "an unknown user",
            "sub",
            post.clone(),
            m(d.id, "/invitations"),
            json!({"user_id": 987_654_321, "category": "resident_rep"}),
            "user.not_found",
            "user_id",
        ),
        (
            "an unknown organisation",
            "sub",
            post.clone(),
            m(d.id, "/invitations"),
            json!({"organization_id": 987_654_321, "category": "department"}),
            "organization.not_found",
            "organization_id",
        ),
        (
            "pending",
            "invitee",
            post.clone(),
            m(d.id, "/rsvp"),
            json!({"response": "pending"}),
            "validation.invalid",
            "response",
        ),
        (
            "another meeting's invitation",
            "sub",
            post.clone(),
            m(p.id, "/attendance"),
            json!({"attended_invitation_ids": [p.inv_invitee, other.inv_invitee]}),
            "invitation.not_found",
            "attended_invitation_ids",
        ),
        (
            "another meeting's agenda item",
            "sub",
            post.clone(),
            m(c.id, "/outcomes"),
            json!({"agenda_item_id": other.items[0], "decision": "同意", "consensus": "none"}),
            "agenda_item.not_found",
            "agenda_item_id",
        ),
        (
            "an empty decision",
            "sub",
            post.clone(),
            m(c.id, "/outcomes"),
            json!({"agenda_item_id": c.items[0], "decision": "", "consensus": "none"}),
            "validation.length",
            "decision",
        ),
        (
            "a task without a due date",
            "sub",
            post.clone(),
            m(cp.id, "/outcomes"),
            outcome(cp.items[0], {
                let mut t = task(json!({}));
                t.as_object_mut().unwrap().remove("due_at");
                t
            }),
            "validation.required",
            "follow_ups[0].due_at",
        ),
        (
            "a task whose topic is not in plan",
            "sub",
            post.clone(),
            m(c.id, "/outcomes"),
            outcome(c.items[0], task(json!({}))),
            "topic.not_in_plan",
            "follow_ups[0].kind",
        ),
        (
            "a task for an item without a topic",
            "sub",
            post.clone(),
            m(c.id, "/outcomes"),
            outcome(c.items[1], task(json!({}))),
            "outcome.task_needs_topic",
            "follow_ups[0].kind",
        ),
        (
            "a follow-up with an empty title",
            "sub",
            post.clone(),
            m(cp.id, "/outcomes"),
            outcome(cp.items[0], task(json!({"title": ""}))),
            "validation.length",
            "follow_ups[0].title",
        ),
        (
            "a proposal for an unknown organisation",
            "sub",
            post.clone(),
            m(c.id, "/outcomes"),
            outcome(
                c.items[1],
                json!({"kind": "proposal", "title": "提案", "organization_id": 987_654_321}),
            ),
            "organization.not_found",
            "follow_ups[0].organization_id",
        ),
        (
            "an empty dissent",
            "invitee",
            post.clone(),
            m(c.id, "/minutes/dissent"),
            json!({"text": ""}),
            "validation.length",
            "text",
        ),
        (
            "minutes over 20000 characters",
            "sub",
            post.clone(),
            m(p.id, "/transitions"),
            json!({"action": "conclude", "expected_version": p.version, "minutes": "纪".repeat(20001)}),
            "validation.length",
            "minutes",
        ),
    ];
    for (what, who, method, path, body, code, field) in rows {
        deny(
            app,
            &format!("{method} {path}: {what}"),
            w.send(who, method, path, body),
            422,
            code,
            Some(field),
        )
        .await;
    }
    // The follow-ups that pass are created with the outcome.
    let r = app
        .post(
            &m(cp.id, "/outcomes"),
            w.tok("sub"),
            outcome(cp.items[0], task(json!({}))),
        )
        .await;
    assert_eq!(r.status.as_u16(), 201, "{:?}", r.body);
    assert!(r.body["follow_ups"][0]["task_id"].as_i64().is_some());

    // Free slots.
    let slots = |users: &str, from: DateTime<Utc>, to: DateTime<Utc>, minutes: &str| {
        format!(
            "/api/v1/consultations/free-slots?users={users}&from={}&to={}&minutes={minutes}",
            z(from),
            z(to)
        )
    };
    let u = w.uid("invitee").to_string();
    let (mon, tue) = (day_at(0, 0, 0), day_at(1, 0, 0));
    for (what, path, status, code, field) in [
        (
            "to before from",
            slots(&u, tue, mon, "60"),
            422,
            "consultation.invalid_time",
            "to",
        ),
        (
            "to at from",
            slots(&u, mon, mon, "60"),
            422,
            "consultation.invalid_time",
            "to",
        ),
        (
            "a range of 63 days",
            slots(&u, mon, mon + Duration::days(63), "60"),
            422,
            "consultation.invalid_time",
            "to",
        ),
        (
            "10 minutes",
            slots(&u, mon, tue, "10"),
            422,
            "validation.range",
            "minutes",
        ),
        (
            "481 minutes",
            slots(&u, mon, tue, "481"),
            422,
            "validation.range",
            "minutes",
        ),
        (
            "users=abc",
            slots("abc", mon, tue, "60"),
            400,
            "request.invalid_query",
            "users",
        ),
        (
            "users=1,,2",
            slots("1,,2", mon, tue, "60"),
            400,
            "request.invalid_query",
            "users",
        ),
        (
            "minutes=ten",
            slots(&u, mon, tue, "ten"),
            400,
            "request.invalid_query",
            "minutes",
        ),
        (
            "no from",
            format!(
                "/api/v1/consultations/free-slots?users={u}&to={}&minutes=60",
                z(tue)
            ),
            400,
            "request.invalid_query",
            "from",
        ),
    ] {
        deny(
            app,
            &format!("free slots: {what}"),
            app.get(&path, w.tok("staff")),
            status,
            code,
            Some(field),
        )
        .await;
    }
    let ok = app
        .get(
            &slots(&u, mon, mon + Duration::days(62), "480"),
            w.tok("staff"),
        )
        .await;
    assert_eq!(
        ok.status.as_u16(),
        200,
        "62 days and 480 minutes: {:?}",
        ok.body
    );
    w.app.stop().await;
}

/// A task follow-up refused for its organisation names the follow-up's field, as every other
/// follow-up refusal does (`follow_ups[0].kind`, `.due_at`, `.title`, and a proposal's
/// `.organization_id`); there is no top-level `organization_id` in an outcome.
#[actix_rt::test]
async fn a_task_follow_up_refused_for_its_organisation_names_the_follow_up() {
    let w = World::new(&[]).await;
    let app = &w.app;
    let planned = w.topic("resident", w.community, "plan").await;
    let cp = w.build(Upto::Concluded, Some(planned)).await;
    let path = format!("/api/v1/consultations/{}/outcomes", cp.id);
    for (what, org, code) in [
        (
            "a task for an unknown organisation",
            json!(987_654_321),
            "organization.not_found",
        ),
        (
            "a task with nobody responsible",
            Value::Null,
            "task.responsible_required",
        ),
    ] {
        deny(
            app,
            what,
            app.post(
                &path,
                w.tok("sub"),
                json!({"agenda_item_id": cp.items[0], "decision": "限期清理", "consensus": "majority",
                       "follow_ups": [{"kind": "task", "title": "清理楼道堆物", "organization_id": org,
                                       "due_at": Utc::now() + Duration::days(30)}]}),
            ),
            422,
            code,
            Some("follow_ups[0].organization_id"),
        )
        .await;
    }
    w.app.stop().await;
}

// ---------------------------------------------------------------------------------------
// 3. What each status allows
// ---------------------------------------------------------------------------------------

#[actix_rt::test]
async fn every_status_refuses_the_actions_it_does_not_have() {
    let w = World::new(&[]).await;
    let app = &w.app;
    let all = ["schedule", "start", "conclude", "cancel"];
    for (upto, allowed) in [
        (Upto::Draft, &["schedule", "cancel"][..]),
        (Upto::Scheduled, &["start", "cancel"][..]),
        (Upto::InProgress, &["conclude", "cancel"][..]),
        (Upto::Concluded, &[][..]),
        (Upto::Cancelled, &[][..]),
    ] {
        let f = w.build(upto, None).await;
        for action in all.iter().filter(|a| !allowed.contains(a)) {
            for who in ["cppcc", "sub", "resident"] {
                deny(
                    app,
                    &format!("{action} a {upto:?} meeting as {who}"),
                    w.act_v(
                        who,
                        f.id,
                        f.version,
                        action,
                        json!({"minutes": "纪要", "reason": "理由"}),
                    ),
                    409,
                    "consultation.invalid_transition",
                    None,
                )
                .await;
            }
        }
        // A stale version is refused before anything else.
        for action in all {
            deny(
                app,
                &format!("{action} a {upto:?} meeting with a stale version"),
                w.act_v(
                    "sub",
                    f.id,
                    f.version - 1,
                    action,
                    json!({"minutes": "纪要", "reason": "理由"}),
                ),
                409,
                "consultation.stale_version",
                None,
            )
            .await;
        }
    }
    w.app.stop().await;
}

#[actix_rt::test]
async fn actions_need_their_input_and_edits_need_an_editable_meeting() {
    let w = World::new(&[]).await;
    let app = &w.app;
    // Schedule needs a venue and/or a link, by format.
    for (what, extra, field) in [
        (
            "in person without a venue",
            json!({"venue": null}),
            Some("venue"),
        ),
        // A whitespace-only venue is now refused at input (validation.blank, see
        // tests/input_hygiene.rs), so it never reaches scheduling.
        (
            "online without a link",
            json!({"format": "online", "venue": null}),
            None,
        ),
        (
            "hybrid without a link",
            json!({"format": "hybrid", "venue": "议事厅"}),
            None,
        ),
        (
            "hybrid without a venue",
            json!({"format": "hybrid", "venue": null, "online_url": "https://meet.example/r/1"}),
            None,
        ),
    ] {
        let mut body = w.draft_body("线上协商会");
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        let m = w.create("cppcc", body).await;
        deny(
            app,
            &format!("schedule {what}"),
            w.act_v("cppcc", id_of(&m), 1, "schedule", json!({})),
            422,
            "consultation.venue_required",
            field,
        )
        .await;
    }
    let mut online = w.draft_body("线上协商会");
    online["format"] = json!("online");
    online["venue"] = Value::Null;
    online["online_url"] = json!("https://meet.example/r/2");
    let m = w.create("cppcc", online).await;
    w.act("cppcc", id_of(&m), "schedule", json!({})).await;

    // Conclude needs minutes, cancel a reason.
    let p = w.build(Upto::InProgress, None).await;
    for (what, extra) in [
        ("no minutes", json!({})),
        ("blank minutes", json!({"minutes": "  "})),
    ] {
        deny(
            app,
            &format!("conclude with {what}"),
            w.act_v("cppcc", p.id, p.version, "conclude", extra),
            422,
            "consultation.minutes_required",
            Some("minutes"),
        )
        .await;
    }
    let d = w.build(Upto::Draft, None).await;
    for (what, extra) in [
        ("no reason", json!({})),
        ("a blank reason", json!({"reason": " "})),
    ] {
        deny(
            app,
            &format!("cancel with {what}"),
            w.act_v("cppcc", d.id, d.version, "cancel", extra),
            422,
            "consultation.reason_required",
            Some("reason"),
        )
        .await;
    }
    deny(
        app,
        "a stale PATCH",
        app.patch(
            &format!("/api/v1/consultations/{}", d.id),
            w.tok("cppcc"),
            json!({"title": "新标题", "expected_version": d.version + 1}),
        ),
        409,
        "consultation.stale_version",
        None,
    )
    .await;

    // Editing, answering, attendance and outcomes by status.
    let s = w.build(Upto::Scheduled, None).await;
    let c = w.build(Upto::Concluded, None).await;
    let x = w.build(Upto::Cancelled, None).await;
    let edits = |f: &Fix| {
        let m = |s: &str| format!("/api/v1/consultations/{}{s}", f.id);
        vec![
            (
                "PATCH",
                "cppcc",
                Method::PATCH,
                m(""),
                json!({"title": "新标题", "expected_version": f.version}),
            ),
            (
                "agenda item",
                "cppcc",
                Method::POST,
                m("/agenda-items"),
                json!({"title": "议题", "minutes": 5}),
            ),
            (
                "reorder",
                "cppcc",
                Method::POST,
                m("/agenda-items/reorder"),
                json!({"item_ids": [f.items[1], f.items[0]]}),
            ),
            (
                "invitation",
                "cppcc",
                Method::POST,
                m("/invitations"),
                json!({"organization_id": w.dept, "category": "department"}),
            ),
            (
                "rsvp",
                "invitee",
                Method::POST,
                m("/rsvp"),
                json!({"response": "declined"}),
            ),
        ]
    };
    for (f, status) in [(&p, "in progress"), (&c, "concluded"), (&x, "cancelled")] {
        for (what, who, method, path, body) in edits(f) {
            deny(
                app,
                &format!("{what} on a {status} meeting"),
                w.send(who, method, path, body),
                409,
                "consultation.not_editable",
                None,
            )
            .await;
        }
    }
    for (f, status) in [(&d, "draft"), (&s, "scheduled")] {
        deny(
            app,
            &format!("attendance at a {status} meeting"),
            app.post(
                &format!("/api/v1/consultations/{}/attendance", f.id),
                w.tok("cppcc"),
                json!({"attended_invitation_ids": [f.inv_invitee]}),
            ),
            409,
            "consultation.not_started",
            None,
        )
        .await;
    }
    deny(
        app,
        "attendance at a cancelled meeting",
        app.post(
            &format!("/api/v1/consultations/{}/attendance", x.id),
            w.tok("sub"),
            json!({"attended_invitation_ids": []}),
        ),
        409,
        "consultation.not_started",
        None,
    )
    .await;
    for (f, status) in [
        (&d, "draft"),
        (&s, "scheduled"),
        (&p, "in progress"),
        (&x, "cancelled"),
    ] {
        deny(
            app,
            &format!("an outcome of a {status} meeting"),
            app.post(
                &format!("/api/v1/consultations/{}/outcomes", f.id),
                w.tok("sub"),
                json!({"agenda_item_id": f.items[0], "decision": "同意", "consensus": "unanimous"}),
            ),
            409,
            "consultation.not_concluded",
            None,
        )
        .await;
    }
    let outcome =
        json!({"agenda_item_id": c.items[0], "decision": "同意", "consensus": "unanimous"});
    let path = format!("/api/v1/consultations/{}/outcomes", c.id);
    let first = app.post(&path, w.tok("sub"), outcome.clone()).await;
    assert_eq!(first.status.as_u16(), 201, "{:?}", first.body);
    deny(
        app,
        "a second outcome for the same item",
        app.post(&path, w.tok("cppcc"), outcome),
        409,
        "outcome.exists",
        None,
    )
    .await;

    // Sign-off: attendees only, once, and only after the meeting concluded.
    let confirm = |f: &Fix| format!("/api/v1/consultations/{}/minutes/confirm", f.id);
    let dissent = |f: &Fix| format!("/api/v1/consultations/{}/minutes/dissent", f.id);
    deny(
        app,
        "a sign-off by an invitee who did not attend",
        app.post(&confirm(&c), w.tok("absentee"), json!({})),
        403,
        "minutes.not_an_attendee",
        None,
    )
    .await;
    let held = w.build(Upto::InProgress, None).await;
    w.attendance(held.id, &[held.inv_invitee]).await;
    for (f, status) in [(&held, "an in-progress"), (&x, "a cancelled")] {
        deny(
            app,
            &format!("a sign-off of {status} meeting by an attendee"),
            app.post(&confirm(f), w.tok("invitee"), json!({})),
            409,
            "minutes.signoff_closed",
            None,
        )
        .await;
    }
    let r = app.post(&confirm(&c), w.tok("invitee"), json!({})).await;
    assert_eq!(r.status.as_u16(), 200, "{:?}", r.body);
    assert_eq!(r.body["confirmed_by"], json!([w.uid("invitee")]));
    deny(
        app,
        "a second confirmation",
        app.post(&confirm(&c), w.tok("invitee"), json!({})),
        409,
        "minutes.already_signed",
        None,
    )
    .await;
    deny(
        app,
        "a dissent after confirming",
        app.post(&dissent(&c), w.tok("invitee"), json!({"text": "改主意了"})),
        409,
        "minutes.already_signed",
        None,
    )
    .await;
    w.app.stop().await;
}

#[actix_rt::test]
async fn the_sign_off_window_closes() {
    let w = World::new(&[("consultations.signoff_days", "0")]).await;
    let app = &w.app;
    let c = w.build(Upto::Concluded, None).await;
    for (what, path, body) in [
        ("confirm", "confirm", json!({})),
        ("dissent", "dissent", json!({"text": "有异议"})),
    ] {
        deny(
            app,
            &format!("{what} after the window"),
            app.post(
                &format!("/api/v1/consultations/{}/minutes/{path}", c.id),
                w.tok("invitee"),
                body,
            ),
            409,
            "minutes.signoff_closed",
            None,
        )
        .await;
    }
    let record = app
        .get(
            &format!("/api/v1/consultations/{}/minutes", c.id),
            w.tok("invitee"),
        )
        .await;
    let m = w.meeting(c.id).await;
    assert_eq!(
        record.body["deadline"]
            .as_str()
            .map(|s| s.parse::<DateTime<Utc>>().unwrap()),
        m["concluded_at"]
            .as_str()
            .map(|s| s.parse::<DateTime<Utc>>().unwrap()),
        "a zero-day window ends when the meeting concludes"
    );
    w.app.stop().await;
}

// ---------------------------------------------------------------------------------------
// 4. The scheduling guard
// ---------------------------------------------------------------------------------------

#[actix_rt::test]
async fn scheduling_refuses_double_bookings_of_conveners_and_venues() {
    let world = World::new(&[]).await;
    let w = &world;
    let app = &w.app;
    let new = |who: &'static str,
               title: &'static str,
               s: DateTime<Utc>,
               e: DateTime<Utc>,
               venue: &'static str| {
        let body = w.body_at(title, s, e, venue);
        async move { id_of(&w.create(who, body).await) }
    };
    let a = new(
        "cppcc",
        "A",
        day_at(0, 10, 0),
        day_at(0, 11, 0),
        "Hall A 议事厅",
    )
    .await;
    w.act("cppcc", a, "schedule", json!({})).await;

    // The convener is booked in A.
    let b = new("cppcc", "B", day_at(0, 10, 30), day_at(0, 11, 30), "Hall B").await;
    let r = deny(
        app,
        "the convener double-booked",
        w.act_v("cppcc", b, 1, "schedule", json!({})),
        409,
        "consultation.clash",
        None,
    )
    .await;
    let detail = r.body["detail"].as_str().unwrap_or_default();
    assert!(detail.contains(&format!("consultation {a}")), "{detail}");
    assert!(
        detail.contains(&format!("user {}", w.uid("cppcc"))),
        "{detail}"
    );

    // The venue, written in another case with spaces around it, is booked in A.
    let c = new(
        "staff",
        "C",
        day_at(0, 10, 30),
        day_at(0, 11, 30),
        "  hall a 议事厅 ",
    )
    .await;
    let r = deny(
        app,
        "the venue double-booked",
        w.act_v("staff", c, 1, "schedule", json!({})),
        409,
        "consultation.clash",
        None,
    )
    .await;
    let detail = r.body["detail"].as_str().unwrap_or_default();
    assert!(detail.contains(&format!("consultation {a}")), "{detail}");
    assert!(detail.contains("venue"), "{detail}");

    // Drafts hold no time: a draft over A is neither blocked nor blocking.
    let draft = new(
        "cppcc",
        "draft",
        day_at(0, 10, 0),
        day_at(0, 11, 0),
        "Hall A 议事厅",
    )
    .await;
    assert_eq!(w.meeting(draft).await["status"], "draft");

    // Once A is cancelled, B and C are free to go.
    w.act("cppcc", a, "cancel", json!({"reason": "改期"})).await;
    w.act("cppcc", b, "schedule", json!({})).await;
    w.act("staff", c, "schedule", json!({})).await;

    // Back to back is no clash, on either side, for the convener and the venue.
    let a2 = new("cppcc", "A2", day_at(1, 10, 0), day_at(1, 11, 0), "议事厅").await;
    w.act("cppcc", a2, "schedule", json!({})).await;
    let after = new(
        "cppcc",
        "after",
        day_at(1, 11, 0),
        day_at(1, 12, 0),
        "议事厅",
    )
    .await;
    w.act("cppcc", after, "schedule", json!({})).await;
    let before = new(
        "sub",
        "before",
        day_at(1, 9, 0),
        day_at(1, 10, 0),
        " 议事厅",
    )
    .await;
    w.act("sub", before, "schedule", json!({})).await;

    // Moving a scheduled meeting onto A2 is refused and leaves it as it was.
    let v = w.version(after).await;
    let r = deny(
        app,
        "a scheduled meeting moved onto a clash",
        app.patch(
            &format!("/api/v1/consultations/{after}"),
            w.tok("cppcc"),
            json!({"starts_at": day_at(1, 10, 30), "ends_at": day_at(1, 11, 30), "expected_version": v}),
        ),
        409,
        "consultation.clash",
        None,
    )
    .await;
    assert!(
        r.body["detail"]
            .as_str()
            .unwrap_or_default()
            .contains(&format!("consultation {a2}")),
        "{:?}",
        r.body
    );
    // …and so is moving its venue onto a booked one at the same time.
    let elsewhere = new(
        "sub",
        "elsewhere",
        day_at(1, 10, 0),
        day_at(1, 11, 0),
        "街道会议室",
    )
    .await;
    w.act("sub", elsewhere, "schedule", json!({})).await;
    let v = w.version(elsewhere).await;
    deny(
        app,
        "a scheduled meeting moved into a booked venue",
        app.patch(
            &format!("/api/v1/consultations/{elsewhere}"),
            w.tok("sub"),
            json!({"venue": "议事厅 ", "expected_version": v}),
        ),
        409,
        "consultation.clash",
        None,
    )
    .await;
    // A move into free time is accepted and raises the version.
    let va = w.version(after).await;
    let r = app
        .patch(
            &format!("/api/v1/consultations/{after}"),
            w.tok("cppcc"),
            json!({"starts_at": day_at(1, 14, 0), "ends_at": day_at(1, 15, 0), "expected_version": va}),
        )
        .await;
    assert_eq!(r.status.as_u16(), 200, "{:?}", r.body);
    assert_eq!(r.body["version"], va + 1);
    world.app.stop().await;
}

#[actix_rt::test]
async fn invitees_who_hold_the_time_block_and_those_who_declined_do_not() {
    let world = World::new(&[]).await;
    let w = &world;
    let app = &w.app;
    let new = |who: &'static str,
               title: &'static str,
               s: DateTime<Utc>,
               e: DateTime<Utc>,
               venue: &'static str| {
        let body = w.body_at(title, s, e, venue);
        async move { id_of(&w.create(who, body).await) }
    };
    let a = new("cppcc", "A", day_at(2, 10, 0), day_at(2, 11, 0), "A厅").await;
    for who in ["invitee", "absentee", "resident"] {
        w.invite_user(a, who).await;
    }
    w.act("cppcc", a, "schedule", json!({})).await;
    w.rsvp(a, "invitee", "declined").await;
    w.rsvp(a, "absentee", "tentative").await;
    // `resident` stays pending.

    // A declined invitee does not block.
    let d = new("staff", "D", day_at(2, 10, 0), day_at(2, 11, 0), "D厅").await;
    w.invite_user(d, "invitee").await;
    w.act("staff", d, "schedule", json!({})).await;

    // Tentative and pending invitees do.
    for (who, convener, title, venue) in [
        ("absentee", "sub", "E", "E厅"),
        ("resident", "cppcc_peer", "F", "F厅"),
    ] {
        let m = new(convener, title, day_at(2, 10, 30), day_at(2, 11, 30), venue).await;
        w.invite_user(m, who).await;
        let r = deny(
            app,
            &format!("scheduling over {who}'s time"),
            w.act_v(convener, m, 1, "schedule", json!({})),
            409,
            "consultation.clash",
            None,
        )
        .await;
        let detail = r.body["detail"].as_str().unwrap_or_default();
        assert!(
            detail.contains(&format!("user {}", w.uid(who)))
                && detail.contains(&format!("consultation {a}")),
            "{detail}"
        );
    }

    // Inviting a busy user to a scheduled meeting is refused.
    for who in ["absentee", "resident"] {
        deny(
            app,
            &format!("inviting {who}, booked elsewhere, to a scheduled meeting"),
            app.post(
                &format!("/api/v1/consultations/{d}/invitations"),
                w.tok("staff"),
                json!({"user_id": w.uid(who), "category": "resident_rep"}),
            ),
            409,
            "consultation.clash",
            None,
        )
        .await;
    }
    // …but not to a draft, which holds no time yet.
    let g = new("cppcc_peer", "G", day_at(2, 10, 0), day_at(2, 11, 0), "G厅").await;
    w.invite_user(g, "resident").await;

    // Once A is cancelled it blocks no one.
    w.act("cppcc", a, "cancel", json!({"reason": "改期"})).await;
    let r = app
        .post(
            &format!("/api/v1/consultations/{d}/invitations"),
            w.tok("staff"),
            json!({"user_id": w.uid("absentee"), "category": "resident_rep"}),
        )
        .await;
    assert_eq!(r.status.as_u16(), 201, "{:?}", r.body);
    w.act("cppcc_peer", g, "schedule", json!({})).await;
    world.app.stop().await;
}

/// Two overlapping meetings scheduled at the same moment, by one convener or in one venue:
/// exactly one is scheduled, the other is refused as a clash (no check-then-act race). SQLite
/// write transactions are serial; on PostgreSQL the clash check must lock what it reads.
#[actix_rt::test]
async fn parallel_schedules_do_not_double_book() {
    let world = World::new(&[]).await;
    let w = &world;
    for n in 0..8 {
        let s = day_at(30, 8, 0) + Duration::hours(3 * n);
        // Even pairs share the convener, odd pairs the venue.
        let (first, second, venue_a, venue_b) = if n % 2 == 0 {
            ("cppcc", "cppcc", format!("甲厅{n}"), format!("乙厅{n}"))
        } else {
            ("cppcc", "sub", format!("同一厅{n}"), format!("同一厅{n}"))
        };
        let a = id_of(
            &w.create(
                first,
                w.body_at(&format!("并发{n}甲"), s, s + Duration::hours(1), &venue_a),
            )
            .await,
        );
        let b = id_of(
            &w.create(
                second,
                w.body_at(
                    &format!("并发{n}乙"),
                    s + Duration::minutes(30),
                    s + Duration::minutes(90),
                    &venue_b,
                ),
            )
            .await,
        );
        let (ra, rb) = futures_util::future::join(
            w.act_v(first, a, 1, "schedule", json!({})),
            w.act_v(second, b, 1, "schedule", json!({})),
        )
        .await;
        let mut got = [
            (ra.status.as_u16(), ra.code().to_string()),
            (rb.status.as_u16(), rb.code().to_string()),
        ];
        got.sort();
        let what = if n % 2 == 0 { "convener" } else { "venue" };
        assert_eq!(
            got,
            [
                (200, String::new()),
                (409, "consultation.clash".to_string())
            ],
            "pair {n} ({what}): exactly one of two overlapping meetings is scheduled"
        );
    }
    world.app.stop().await;
}

// ---------------------------------------------------------------------------------------
// 5. Free slots
// ---------------------------------------------------------------------------------------

#[actix_rt::test]
async fn free_slots_are_working_hours_on_weekdays_around_busy_time() {
    let world = World::new(&[]).await;
    let w = &world;
    let app = &w.app;
    let tz = chrono_tz::Asia::Shanghai;
    let slots = |users: Vec<i64>, from: DateTime<Utc>, to: DateTime<Utc>, minutes: i64| {
        let users: Vec<String> = users.iter().map(|u| u.to_string()).collect();
        let path = format!(
            "/api/v1/consultations/free-slots?users={}&from={}&to={}&minutes={minutes}",
            users.join(","),
            z(from),
            z(to)
        );
        async move {
            let r = app.get(&path, w.tok("staff")).await;
            assert_eq!(r.status.as_u16(), 200, "{path}: {:?}", r.body);
            r.body
                .as_array()
                .unwrap()
                .iter()
                .map(|s| {
                    (
                        s["starts_at"]
                            .as_str()
                            .unwrap()
                            .parse::<DateTime<Utc>>()
                            .unwrap(),
                        s["ends_at"]
                            .as_str()
                            .unwrap()
                            .parse::<DateTime<Utc>>()
                            .unwrap(),
                    )
                })
                .collect::<Vec<_>>()
        }
    };
    let r = w.uid("resident");
    let a = w.uid("absentee");

    // The day starts at 09:00 Shanghai (01:00 UTC); at most five slots, on a 30-minute grid.
    let day = slots(vec![r], day_at(0, 0, 0), day_at(1, 0, 0), 60).await;
    assert_eq!(day.len(), 5, "{day:?}");
    assert_eq!(day[0], (day_at(0, 9, 0), day_at(0, 10, 0)));
    assert_eq!(day[0].0.with_timezone(&Utc).hour(), 1);
    for (i, s) in day.iter().enumerate() {
        assert_eq!(s.0, day_at(0, 9, 0) + Duration::minutes(30 * i as i64));
    }
    // Even over two weeks, five.
    assert_eq!(
        slots(vec![r, a], day_at(0, 0, 0), day_at(14, 0, 0), 60)
            .await
            .len(),
        5
    );

    // From a Saturday the first slot is Monday 09:00.
    let weekend = slots(vec![r], day_at(-2, 0, 0), day_at(0, 12, 0), 60).await;
    assert_eq!(weekend[0], (day_at(0, 9, 0), day_at(0, 10, 0)));

    // A 60-minute slot never ends after 17:30; nor does a 90-minute one.
    let late = slots(vec![r], day_at(0, 16, 0), day_at(1, 9, 0), 60).await;
    assert_eq!(
        late,
        vec![
            (day_at(0, 16, 0), day_at(0, 17, 0)),
            (day_at(0, 16, 30), day_at(0, 17, 30)),
        ]
    );
    let late = slots(vec![r], day_at(0, 15, 30), day_at(1, 0, 0), 90).await;
    assert_eq!(late.last().unwrap().1, day_at(0, 17, 30), "{late:?}");
    // Eight-hour slots from a Saturday: two a weekday, the last ending at 17:30.
    let week = slots(vec![r], day_at(-2, 0, 0), day_at(12, 0, 0), 480).await;
    assert_eq!(
        week,
        vec![
            (day_at(0, 9, 0), day_at(0, 17, 0)),
            (day_at(0, 9, 30), day_at(0, 17, 30)),
            (day_at(1, 9, 0), day_at(1, 17, 0)),
            (day_at(1, 9, 30), day_at(1, 17, 30)),
            (day_at(2, 9, 0), day_at(2, 17, 0)),
        ]
    );
    // Friday afternoon runs on to Monday morning.
    let friday = slots(vec![r], day_at(4, 16, 0), day_at(7, 12, 0), 60).await;
    assert_eq!(
        friday.iter().map(|s| s.0).collect::<Vec<_>>(),
        vec![
            day_at(4, 16, 0),
            day_at(4, 16, 30),
            day_at(7, 9, 0),
            day_at(7, 9, 30),
            day_at(7, 10, 0),
        ]
    );
    for (s, e) in week.iter().chain(&friday) {
        let (ls, le) = (s.with_timezone(&tz), e.with_timezone(&tz));
        assert!(!matches!(ls.weekday(), Weekday::Sat | Weekday::Sun), "{ls}");
        assert!(
            ls.time() >= chrono::NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
            "{ls}"
        );
        assert!(
            le.time() <= chrono::NaiveTime::from_hms_opt(17, 30, 0).unwrap(),
            "{le}"
        );
        assert_eq!(ls.date_naive(), le.date_naive());
    }

    // A meeting the resident accepted pushes the first slot after it; the absentee declined
    // it and stays free; the convener is busy too.
    let m = id_of(
        &w.create(
            "cppcc",
            w.body_at("早会", day_at(0, 9, 0), day_at(0, 10, 30), "议事厅"),
        )
        .await,
    );
    w.invite_user(m, "resident").await;
    w.invite_user(m, "absentee").await;
    w.act("cppcc", m, "schedule", json!({})).await;
    w.rsvp(m, "resident", "accepted").await;
    w.rsvp(m, "absentee", "declined").await;
    let busy = slots(vec![r], day_at(0, 0, 0), day_at(1, 0, 0), 60).await;
    assert_eq!(busy[0], (day_at(0, 10, 30), day_at(0, 11, 30)), "{busy:?}");
    let convener = slots(vec![w.uid("cppcc")], day_at(0, 0, 0), day_at(1, 0, 0), 60).await;
    assert_eq!(convener[0].0, day_at(0, 10, 30));
    let declined = slots(vec![a], day_at(0, 0, 0), day_at(1, 0, 0), 60).await;
    assert_eq!(declined[0].0, day_at(0, 9, 0));
    let both = slots(vec![a, r], day_at(0, 0, 0), day_at(1, 0, 0), 30).await;
    assert_eq!(both[0], (day_at(0, 10, 30), day_at(0, 11, 0)));
    world.app.stop().await;
}

// ---------------------------------------------------------------------------------------
// 6. Calendars
// ---------------------------------------------------------------------------------------

async fn ics_of(app: &TestApp, path: &str, token: Option<&str>) -> (u16, String, String) {
    let r = app.get(path, token).await;
    let text = match &r.body {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    (r.status.as_u16(), r.content_type.clone(), text)
}

/// METHOD, STATUS and SEQUENCE of a meeting's calendar, as a resident reads it.
async fn read_ics(w: &World, id: i64) -> (String, String, i64) {
    let path = format!("/api/v1/consultations/{id}/calendar.ics");
    let (status, ct, text) = ics_of(&w.app, &path, w.tok("resident")).await;
    assert_eq!(status, 200, "{text}");
    assert!(ct.starts_with("text/calendar"), "{ct}");
    let (method, events) = ics(&text);
    assert_eq!(events.len(), 1, "{text}");
    let e = &events[0];
    assert!(
        e["UID"].starts_with(&format!("consultation-{id}@")),
        "{e:?}"
    );
    let seq: i64 = e.get("SEQUENCE").map_or(0, |s| s.parse().unwrap());
    (method, e["STATUS"].clone(), seq)
}

#[actix_rt::test]
async fn a_meetings_calendar_follows_its_status_and_sequence() {
    let w = World::new(&[]).await;
    let id = id_of(&w.create("cppcc", w.draft_body("日历协商会")).await);
    let (method, status, seq0) = read_ics(&w, id).await;
    assert_eq!((method.as_str(), status.as_str()), ("PUBLISH", "TENTATIVE"));
    w.act("cppcc", id, "schedule", json!({})).await;
    let (method, status, seq1) = read_ics(&w, id).await;
    assert_eq!((method.as_str(), status.as_str()), ("PUBLISH", "CONFIRMED"));
    assert!(seq1 > seq0, "SEQUENCE rises on schedule: {seq0} → {seq1}");
    w.act("cppcc", id, "cancel", json!({"reason": "暴雨"}))
        .await;
    let (method, status, seq2) = read_ics(&w, id).await;
    assert_eq!((method.as_str(), status.as_str()), ("CANCEL", "CANCELLED"));
    assert!(seq2 > seq1, "SEQUENCE rises on cancel: {seq1} → {seq2}");
    w.app.stop().await;
}

#[actix_rt::test]
async fn the_feed_shows_what_the_user_convenes_or_has_not_declined() {
    let w = World::new(&[]).await;
    let app = &w.app;
    let convened = id_of(&w.create("staff", w.draft_body("社区召集")).await);
    let mut invited = Vec::new();
    for response in ["accepted", "declined", "tentative", "pending"] {
        let id = id_of(&w.create("cppcc", w.draft_body(response)).await);
        w.invite(id, json!({"user_id": w.uid("staff"), "category": "expert"}))
            .await;
        if response != "pending" {
            w.rsvp(id, "staff", response).await;
        }
        invited.push((response, id));
    }
    let unrelated = id_of(&w.create("cppcc", w.draft_body("无关")).await);

    let feed = app
        .post("/api/v1/me/calendar-feed", w.tok("staff"), json!({}))
        .await;
    assert_eq!(feed.status.as_u16(), 201, "{:?}", feed.body);
    let url = feed.body["url"].as_str().unwrap().to_string();
    let path = url[url.find("/api/").unwrap()..].to_string();
    let (status, ct, text) = ics_of(app, &path, None).await;
    assert_eq!(status, 200, "{text}");
    assert!(ct.starts_with("text/calendar"), "{ct}");
    let (_, events) = ics(&text);
    let has = |id: i64| {
        events
            .iter()
            .any(|e| e["UID"].starts_with(&format!("consultation-{id}@")))
    };
    assert!(has(convened), "the meeting the user convenes");
    for (response, id) in &invited {
        assert_eq!(
            has(*id),
            *response != "declined",
            "an invitation {response}"
        );
    }
    assert!(!has(unrelated), "a meeting the user has nothing to do with");

    // Wrong, missing, replaced and revoked tokens.
    let wrong = format!("{}x", &path);
    deny(
        app,
        "a wrong feed token",
        app.get(&wrong, None),
        401,
        "auth.invalid_token",
        None,
    )
    .await;
    deny(
        app,
        "no feed token",
        app.get("/api/v1/me/calendar.ics", None),
        400,
        "request.invalid_query",
        Some("token"),
    )
    .await;
    let again = app
        .post("/api/v1/me/calendar-feed", w.tok("staff"), json!({}))
        .await;
    assert_eq!(again.status.as_u16(), 201);
    assert_ne!(again.body["url"], feed.body["url"]);
    assert_eq!(
        ics_of(app, &path, None).await.0,
        401,
        "the old address is revoked"
    );
    let r = app.delete("/api/v1/me/calendar-feed", w.tok("staff")).await;
    assert_eq!(r.status.as_u16(), 204);
    let new_url = again.body["url"].as_str().unwrap();
    let new_path = &new_url[new_url.find("/api/").unwrap()..];
    assert_eq!(ics_of(app, new_path, None).await.0, 401);
    deny(
        app,
        "revoking a feed twice",
        app.delete("/api/v1/me/calendar-feed", w.tok("staff")),
        404,
        "calendar.no_feed",
        None,
    )
    .await;
    w.app.stop().await;
}

// ---------------------------------------------------------------------------------------
// 7. Proposals
// ---------------------------------------------------------------------------------------

#[actix_rt::test]
async fn proposals_move_one_step_at_a_time_by_the_right_people() {
    let world = World::new(&[]).await;
    let w = &world;
    let app = &w.app;
    let c = w.build(Upto::Concluded, None).await;
    let p = w.proposal_from("cppcc", &c, c.items[0], Some(w.dept)).await;
    let got = app
        .get(&format!("/api/v1/proposals/{p}"), w.tok("resident"))
        .await;
    assert_eq!(got.status.as_u16(), 200);
    assert_eq!(got.body["status"], "draft");
    assert_eq!(got.body["kind"], "proposal");
    assert_eq!(got.body["author_id"], w.uid("cppcc"));
    assert_eq!(got.body["organization_id"], w.dept);

    let refuse = |who: &'static str,
                  body: Value,
                  status: u16,
                  code: &'static str,
                  field: Option<&'static str>| {
        let what = format!("{body} as {who}");
        async move {
            deny(
                app,
                &what,
                w.move_proposal(who, p, body),
                status,
                code,
                field,
            )
            .await;
        }
    };
    // Draft: no skipping, only the author submits.
    for to in ["draft", "accepted", "answered"] {
        refuse(
            "sub",
            json!({"to": to, "answer": "答复"}),
            409,
            "proposal.invalid_transition",
            None,
        )
        .await;
    }
    for who in ["sub", "dept", "staff", "resident", "admin"] {
        refuse(
            who,
            json!({"to": "submitted"}),
            403,
            "permission.denied",
            None,
        )
        .await;
    }
    let s = w.step("cppcc", p, json!({"to": "submitted"})).await;
    assert_eq!(s["status"], "submitted");

    // Submitted: accepted by the answering organisation (or sub-district staff) only.
    for to in ["draft", "submitted", "answered"] {
        refuse(
            "dept",
            json!({"to": to, "answer": "答复"}),
            409,
            "proposal.invalid_transition",
            None,
        )
        .await;
    }
    for who in [
        "cppcc",
        "dept_other",
        "firm",
        "firm_other",
        "sub_other",
        "staff",
        "resident",
        "admin",
    ] {
        refuse(
            who,
            json!({"to": "accepted"}),
            403,
            "permission.denied",
            None,
        )
        .await;
    }
    let s = w.step("dept", p, json!({"to": "accepted"})).await;
    assert_eq!(s["status"], "accepted");

    // Accepted: answered, with an answer.
    refuse(
        "dept",
        json!({"to": "answered"}),
        422,
        "validation.required",
        Some("answer"),
    )
    .await;
    refuse(
        "dept",
        json!({"to": "answered", "answer": "   "}),
        422,
        // Refused at input since issue 8 (was validation.required from the rules).
        "validation.blank",
        Some("answer"),
    )
    .await;
    refuse(
        "dept",
        json!({"to": "answered", "answer": ""}),
        422,
        "validation.length",
        Some("answer"),
    )
    .await;
    refuse(
        "dept_other",
        json!({"to": "answered", "answer": "答复"}),
        403,
        "permission.denied",
        None,
    )
    .await;
    refuse(
        "cppcc",
        json!({"to": "answered", "answer": "答复"}),
        403,
        "permission.denied",
        None,
    )
    .await;
    let s = w
        .step(
            "dept",
            p,
            json!({"to": "answered", "answer": "已列入明年民生实事项目"}),
        )
        .await;
    assert_eq!(s["status"], "answered");
    assert_eq!(s["answer"], "已列入明年民生实事项目");

    // Answered is the end.
    for to in ["draft", "submitted", "accepted", "answered"] {
        refuse(
            "sub",
            json!({"to": to, "answer": "再答复"}),
            409,
            "proposal.invalid_transition",
            None,
        )
        .await;
    }

    // A proposal without an organisation is accepted and answered by sub-district staff.
    let q = w.proposal_from("sub", &c, c.items[1], None).await;
    w.step("sub", q, json!({"to": "submitted"})).await;
    let r = w.move_proposal("dept", q, json!({"to": "accepted"})).await;
    assert_eq!(r.status.as_u16(), 403, "{:?}", r.body);
    w.step("sub", q, json!({"to": "accepted"})).await;
    let s = w
        .step(
            "sub",
            q,
            json!({"to": "answered", "answer": "街道牵头办理"}),
        )
        .await;
    assert_eq!(s["status"], "answered");
    world.app.stop().await;
}
