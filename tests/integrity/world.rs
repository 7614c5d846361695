//! The demo world every case starts from, and the steps they share.

use super::*;

/// A time `days` ahead, on the hour (meetings are placed in the future, far apart).
pub fn ahead(days: i64, hour: i64) -> chrono::DateTime<Utc> {
    let t = Utc::now() + Duration::days(days);
    t - Duration::seconds(i64::from(chrono::Timelike::num_seconds_from_midnight(&t)))
        + Duration::hours(hour)
}

/// Demo places and the users these tests need; `community` is 幸福社区.
pub struct World {
    pub app: TestApp,
    pub community: i64,
    pub cppcc_id: i64,
    pub cppcc: String,
    pub staff: String,
    pub sub: String,
    pub admin: String,
    pub r1_id: i64,
    pub r1: String,
    pub r2_id: i64,
    pub r2: String,
}

impl World {
    pub async fn new(extra: &[(&str, &str)]) -> World {
        // Meetings here lie days ahead and are started at once: timing is not the subject.
        let mut settings = vec![("consultations.start_margin_minutes", "525600")];
        settings.extend_from_slice(extra);
        let app = TestApp::spawn_with(&settings).await;
        app.seed_demo();
        let community = app.place("demo-330200-0-0-0");
        let subdistrict = app.place("demo-330200-0-0");
        let district = app.place("demo-330200-0");
        let resident = [(Role::Resident, Some(community), None)];
        let r1_id = app.user("r1@example.com", Some(community), &resident);
        let r2_id = app.user("r2@example.com", Some(community), &resident);
        let cppcc_id = app.user(
            "cppcc@example.com",
            None,
            &[(Role::CppccMember, Some(district), None)],
        );
        World {
            community,
            cppcc_id,
            cppcc: app.login("cppcc@example.com").await,
            staff: app
                .user_token(
                    "staff@example.com",
                    None,
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
            admin: app
                .user_token("admin@example.com", None, &[(Role::Admin, None, None)])
                .await,
            r1_id,
            r1: app.login("r1@example.com").await,
            r2_id,
            r2: app.login("r2@example.com").await,
            app,
        }
    }

    pub async fn topic(&self, id: i64) -> Value {
        let r = self
            .app
            .get(&format!("/api/v1/topics/{id}"), Some(&self.staff))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        r.body
    }

    /// A topic raised by r1 at 幸福社区.
    pub async fn raise(&self, title: &str) -> i64 {
        let r = self
            .app
            .post(
                "/api/v1/topics",
                Some(&self.r1),
                json!({"place_id": self.community, "title": title,
                       "body": "楼前的路灯坏了两周。", "category": "facilities"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        r.body["id"].as_i64().unwrap()
    }

    pub async fn act(&self, token: &str, id: i64, action: &str, extra: Value) -> Resp {
        let v = self.topic(id).await["version"].clone();
        let mut body = json!({"action": action, "expected_version": v});
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        self.app
            .post(
                &format!("/api/v1/topics/{id}/transitions"),
                Some(token),
                body,
            )
            .await
    }

    pub async fn ok(&self, token: &str, id: i64, action: &str, extra: Value) {
        let r = self.act(token, id, action, extra).await;
        assert_eq!(r.status, StatusCode::OK, "{action}: {:?}", r.body);
    }

    /// Sets a topic's stage directly (for stages the HTTP path takes long to reach).
    pub fn force_stage(&self, id: i64, stage: Stage) {
        self.app.with_db(|c| {
            diesel::update(topics::table.find(id))
                .set(topics::stage.eq(stage))
                .execute(c)
                .unwrap();
        });
    }

    /// A draft meeting at 幸福社区 convened by `token`, `days` ahead.
    pub async fn meeting(&self, token: &str, days: i64) -> Value {
        let r = self
            .app
            .post(
                "/api/v1/consultations",
                Some(token),
                json!({"place_id": self.community, "title": "路灯微协商", "kind": "micro_consultation",
                       "format": "in_person", "venue": "幸福社区议事厅",
                       "starts_at": ahead(days, 2), "ends_at": ahead(days, 3)}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        r.body
    }

    pub async fn get_meeting(&self, id: i64) -> Value {
        let r = self
            .app
            .get(&format!("/api/v1/consultations/{id}"), Some(&self.sub))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        r.body
    }

    pub async fn meeting_act(&self, token: &str, id: i64, action: &str, extra: Value) -> Resp {
        self.app
            .meeting_transition(Some(token), id, action, extra)
            .await
    }

    pub async fn meeting_ok(&self, token: &str, id: i64, action: &str, extra: Value) {
        let r = self.meeting_act(token, id, action, extra).await;
        assert_eq!(r.status, StatusCode::OK, "{action}: {:?}", r.body);
    }

    pub async fn invite(&self, token: &str, id: i64, user: i64) -> i64 {
        let r = self
            .app
            .post(
                &format!("/api/v1/consultations/{id}/invitations"),
                Some(token),
                json!({"user_id": user, "category": "resident_rep"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        r.body["id"].as_i64().unwrap()
    }

    pub async fn agenda_item(&self, token: &str, id: i64) -> i64 {
        let r = self
            .app
            .post(
                &format!("/api/v1/consultations/{id}/agenda-items"),
                Some(token),
                json!({"title": "路灯维修", "minutes": 20}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        r.body["id"].as_i64().unwrap()
    }
}

// ---------------------------------------------------------------------------------------
// Finding 3: a convener whose role was revoked keeps control.
// ---------------------------------------------------------------------------------------

/// The state of the meetings and their children, to prove refused requests changed nothing.
pub async fn meetings_state(w: &World, ids: &[i64]) -> Vec<Value> {
    let mut out = Vec::new();
    for &id in ids {
        let m = w.get_meeting(id).await;
        out.push(json!([
            m["status"],
            m["version"],
            m["title"],
            m["starts_at"]
        ]));
    }
    for table in [
        "agenda_items",
        "invitations",
        "outcomes",
        "tasks",
        "topic_events",
    ] {
        out.push(json!([table, w.app.count(table)]));
    }
    out
}
