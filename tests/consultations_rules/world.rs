//! The fixtures every case of this binary starts from.

use super::*;

/// A meeting time.
type Time = DateTime<Utc>;

/// A refusal for double-booking.
pub const CLASH: Expect<'static> = Expect(409, "consultation.clash", None);

/// How far a fixture meeting is taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Upto {
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
pub struct Fix {
    pub id: i64,
    pub version: i64,
    pub items: Vec<i64>,
    pub inv_invitee: i64,
    pub inv_absentee: i64,
    pub inv_firm: i64,
    pub proposal: i64,
}

/// Every caller of the matrix, by name.
pub const PEOPLE: [&str; 19] = [
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
pub struct World {
    pub app: TestApp,
    /// The demo places and organisations.
    pub city: DemoCity,
    /// Next free two-hour fixture slot (fixtures never overlap one another).
    pub slot: Cell<i64>,
    pub people: Vec<(&'static str, User)>,
}

impl World {
    /// Stops the server; the last step of a test.
    pub async fn stop(self) -> TestResult {
        self.app.stop().await;
        Ok(())
    }

    pub async fn new(extra: &[(&str, &str)]) -> World {
        // Meetings here lie days ahead and are started at once: timing is not the subject.
        let app = TestApp::builder()
            .setting("consultations.start_margin_minutes", "525600")
            .settings(extra)
            .demo()
            .build()
            .await;
        let city = app.demo_city().await;
        let DemoCity {
            community,
            sibling,
            far,
            subdistrict,
            other_subdistrict,
            district,
            other_district,
            grid,
            firm,
            other_firm,
            dept,
            other_dept,
        } = city;
        type Grants = Vec<(Role, Option<i64>, Option<i64>)>;
        let resident: Grants = vec![(Role::Resident, Some(community), None)];
        #[rustfmt::skip]
        let specs: Vec<(&'static str, Option<i64>, Grants)> = vec![
            ("cppcc", None, vec![(Role::CppccMember, Some(district), None)]),
            ("cppcc_peer", None, vec![(Role::CppccMember, Some(district), None)]),
            ("cppcc_far", None, vec![(Role::CppccMember, Some(other_district), None)]),
            ("staff", None, vec![(Role::CommunityStaff, Some(community), None)]),
            ("staff_grid", None, vec![(Role::CommunityStaff, Some(grid), None)]),
            ("staff_sibling", None, vec![(Role::CommunityStaff, Some(sibling), None)]),
            ("sub", None, vec![(Role::SubdistrictStaff, Some(subdistrict), None)]),
            ("sub_other", None, vec![(Role::SubdistrictStaff, Some(other_subdistrict), None)]),
            ("invitee", Some(community), resident.clone()),
            ("absentee", Some(community), resident.clone()),
            ("resident", Some(community), resident.clone()),
            ("sibling_resident", Some(sibling), vec![(Role::Resident, Some(sibling), None)]),
            ("grid_worker", None, vec![(Role::GridWorker, Some(grid), None)]),
            ("firm", None, vec![(Role::PropertyFirm, Some(community), Some(firm))]),
            ("firm_other", None, vec![(Role::PropertyFirm, Some(far), Some(other_firm))]),
            ("dept", None, vec![(Role::Department, Some(district), Some(dept))]),
            ("dept_other", None, vec![(Role::Department, Some(district), Some(other_dept))]),
            ("admin", None, vec![(Role::Admin, None, None)]),
            ("district_admin", None, vec![(Role::Admin, Some(district), None)]),
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
            city,
            people,
        }
    }

    pub fn who(&self, name: &str) -> &User {
        &self
            .people
            .iter()
            .find(|p| p.0 == name)
            .unwrap_or_else(|| panic!("no user {name}"))
            .1
    }

    pub fn tok(&self, name: &str) -> Option<&str> {
        Some(self.who(name).token.as_str())
    }

    pub fn uid(&self, name: &str) -> i64 {
        self.who(name).id
    }

    /// A fresh two-hour interval two weeks out, after every earlier fixture's.
    pub fn next_slot(&self) -> (DateTime<Utc>, DateTime<Utc>) {
        let n = self.slot.get();
        self.slot.set(n + 1);
        let start = day_at(14, 0, 0) + Duration::hours(3 * n);
        (start, start + Duration::hours(2))
    }

    /// A draft body at the community, in the next free slot.
    pub fn draft_body(&self, title: &str) -> Value {
        let (start, end) = self.next_slot();
        json!({"place_id": self.city.community, "title": title, "kind": "courtyard",
               "format": "in_person", "venue": "幸福社区议事厅", "starts_at": start, "ends_at": end})
    }

    /// The create body the bad-input tests spoil, from `start` to `end`.
    pub fn create_body(&self, start: Time, end: Time) -> Value {
        json!({"place_id": self.city.community, "title": "楼道堆物协商会", "kind": "courtyard",
               "format": "in_person", "venue": "议事厅", "starts_at": start, "ends_at": end})
    }

    /// A draft body with explicit times and venue.
    pub fn body_at(
        &self,
        title: &str,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        venue: &str,
    ) -> Value {
        json!({"place_id": self.city.community, "title": format!("协商会{title}"), "kind": "courtyard",
               "format": "in_person", "venue": venue, "starts_at": start, "ends_at": end})
    }

    /// A draft `title` convened by `who` from `s` to `e` at `venue`; returns its id.
    pub async fn new_at(&self, who: &str, title: &str, s: Time, e: Time, venue: &str) -> i64 {
        id_of(&self.create(who, self.body_at(title, s, e, venue)).await)
    }

    /// Like [`World::new_at`], then scheduled by `who`.
    pub async fn scheduled_at(&self, who: &str, title: &str, s: Time, e: Time, venue: &str) -> i64 {
        let id = self.new_at(who, title, s, e, venue).await;
        self.act(who, id, "schedule", json!({})).await;
        id
    }

    /// Scheduling meeting `id` (at version 1) as `who` is refused as a clash; returns the
    /// problem's `detail`, which names what is booked.
    pub async fn clash(&self, what: &str, who: &str, id: i64) -> String {
        let req = self.act_v(who, id, 1, "schedule", json!({}));
        let r = deny(&self.app, what, req, CLASH).await;
        r.body["detail"].as_str().unwrap_or_default().to_string()
    }

    pub async fn create(&self, who: &str, body: Value) -> Value {
        let r = self
            .app
            .post("/api/v1/consultations", self.tok(who), body)
            .await;
        assert_eq!(r.status.as_u16(), 201, "create as {who}: {:?}", r.body);
        r.body
    }

    pub async fn meeting(&self, id: i64) -> Value {
        let r = self
            .app
            .get(&format!("/api/v1/consultations/{id}"), self.tok("sub"))
            .await;
        assert_eq!(r.status.as_u16(), 200, "{:?}", r.body);
        r.body
    }

    pub async fn version(&self, id: i64) -> i64 {
        self.meeting(id).await["version"].as_i64().unwrap()
    }

    /// A transition with a given version (for refusals).
    pub async fn act_v(
        &self,
        who: &str,
        id: i64,
        version: i64,
        action: &str,
        extra: Value,
    ) -> Resp {
        let body = merged(
            json!({"action": action, "expected_version": version}),
            extra,
        );
        self.app
            .post(
                &format!("/api/v1/consultations/{id}/transitions"),
                self.tok(who),
                body,
            )
            .await
    }

    /// A transition with the current version, expected to succeed.
    pub async fn act(&self, who: &str, id: i64, action: &str, extra: Value) -> Value {
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

    pub async fn add_item(&self, id: i64, title: &str, minutes: i32) -> i64 {
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

    pub async fn agenda(&self, id: i64) -> Vec<i64> {
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

    pub async fn invite(&self, id: i64, body: Value) -> i64 {
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

    pub async fn invite_user(&self, id: i64, who: &str) -> i64 {
        self.invite(
            id,
            json!({"user_id": self.uid(who), "category": "resident_rep"}),
        )
        .await
    }

    pub async fn rsvp(&self, id: i64, who: &str, response: &str) {
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

    pub async fn attendance(&self, id: i64, ids: &[i64]) {
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
    pub async fn build(&self, upto: Upto, topic: Option<i64>) -> Fix {
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
                json!({"organization_id": self.city.firm, "category": "property_firm"}),
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
    pub async fn proposal_from(&self, who: &str, f: &Fix, item: i64, org: Option<i64>) -> i64 {
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

    pub async fn move_proposal(&self, who: &str, id: i64, body: Value) -> Resp {
        self.app
            .post(
                &format!("/api/v1/proposals/{id}/transitions"),
                self.tok(who),
                body,
            )
            .await
    }

    pub async fn step(&self, who: &str, id: i64, body: Value) -> Value {
        let r = self.move_proposal(who, id, body.clone()).await;
        assert_eq!(r.status.as_u16(), 200, "{body} as {who}: {:?}", r.body);
        r.body
    }

    /// Raises a topic at `place` as `author` and takes it to `stage` (say, discuss or plan)
    /// as sub-district staff; returns its id.
    pub async fn topic(&self, author: &str, place: i64, stage: &str) -> i64 {
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
            let body = merged(
                json!({"action": action, "expected_version": t.body["version"]}),
                extra.clone(),
            );
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
    pub async fn send(&self, who: &str, method: Method, path: String, body: Value) -> Resp {
        if method == Method::PATCH {
            self.app.patch(&path, self.tok(who), body).await
        } else {
            self.app.post(&path, self.tok(who), body).await
        }
    }
}
