//! The fixtures every case of this binary starts from.

use super::*;

/// Every workflow action, in SPEC's order.
pub const ACTIONS: [&str; 11] = [
    "accept",
    "reject",
    "merge",
    "withdraw",
    "escalate",
    "decide",
    "publish_plan",
    "approve_plan",
    "complete",
    "close",
    "rework",
];

/// POST /api/v1/topics with an Idempotency-Key.
pub async fn create_with_key(app: &TestApp, token: &str, key: &str, body: &Value) -> Resp {
    let headers = [("Idempotency-Key", key)];
    let body = Body::Json(body.clone());
    app.send(Method::POST, "/api/v1/topics", Some(token), &headers, body)
        .await
}

/// A demo city with a few users of 幸福社区, and helpers that drive topics through the steps.
pub struct World {
    pub app: TestApp,
    /// The demo places and organisations.
    pub city: DemoCity,
    pub year: i32,
    /// A resident of 幸福社区 who raises most topics.
    pub author: User,
    pub r2: User,
    pub r3: User,
    /// Community staff of 幸福社区 (not a resident).
    pub staff: User,
    /// Sub-district staff of 南门街道 (approves plans).
    pub sub: User,
}

impl World {
    /// Stops the server; the last step of a test.
    pub async fn stop(self) -> TestResult {
        self.app.stop().await;
        Ok(())
    }

    /// Checks every topic's audit chain, then stops the server.
    pub async fn finish(self) -> TestResult {
        self.verify_chains();
        self.stop().await
    }

    pub async fn new(extra: &[(&str, &str)]) -> World {
        let app = TestApp::builder().settings(extra).demo().build().await;
        let city = app.demo_city().await;
        let (community, subdistrict) = (city.community, city.subdistrict);
        let resident = [(Role::Resident, Some(community), None)];
        let author = make_user(&app, "author", Some(community), &resident).await;
        let r2 = make_user(&app, "r2", Some(community), &resident).await;
        let r3 = make_user(&app, "r3", Some(community), &resident).await;
        let staff = make_user(
            &app,
            "staff",
            None,
            &[(Role::CommunityStaff, Some(community), None)],
        )
        .await;
        let sub = make_user(
            &app,
            "sub",
            None,
            &[(Role::SubdistrictStaff, Some(subdistrict), None)],
        )
        .await;
        let year = chrono::Utc::now()
            .with_timezone(&chrono_tz::Asia::Shanghai)
            .year();
        World {
            app,
            city,
            year,
            author,
            r2,
            r3,
            staff,
            sub,
        }
    }

    pub async fn user(&self, name: &str, grants: &[(Role, Option<i64>, Option<i64>)]) -> User {
        make_user(&self.app, name, None, grants).await
    }

    /// A resident of 幸福社区.
    pub async fn resident(&self, name: &str) -> User {
        make_user(
            &self.app,
            name,
            Some(self.city.community),
            &[(Role::Resident, Some(self.city.community), None)],
        )
        .await
    }

    /// A resident of the sibling community.
    pub async fn outsider(&self) -> User {
        make_user(
            &self.app,
            "outsider",
            Some(self.city.sibling),
            &[(Role::Resident, Some(self.city.sibling), None)],
        )
        .await
    }

    /// Community staff of the sibling community.
    pub async fn sibling_staff(&self) -> User {
        self.user(
            "sibling-staff",
            &[(Role::CommunityStaff, Some(self.city.sibling), None)],
        )
        .await
    }

    /// Sub-district staff of another sub-district of the same district.
    pub async fn other_sub(&self) -> User {
        let place = self.app.place("demo-330200-0-1");
        self.user("other-sub", &[(Role::SubdistrictStaff, Some(place), None)])
            .await
    }

    /// A user of the property firm serving 幸福社区.
    pub async fn firm_user(&self) -> User {
        self.user(
            "firm",
            &[(
                Role::PropertyFirm,
                Some(self.city.community),
                Some(self.city.firm),
            )],
        )
        .await
    }

    /// Walks a table of refused transitions of topic `id`:
    /// `(what, who, expected_version, action, extra input, expect)`.
    pub async fn deny_acts(&self, id: i64, cases: &[(&str, &User, i64, &str, Value, Expect<'_>)]) {
        for (what, who, version, action, extra, expect) in cases {
            let req = self.act_v(who, id, *version, action, extra.clone());
            deny(&self.app, what, req, *expect).await;
        }
    }

    pub fn new_topic(&self, place: i64, title: &str) -> Value {
        json!({
            "place_id": place,
            "title": title,
            "body": "楼前的路灯坏了两周，晚上回家很不安全。",
            "category": "facilities",
        })
    }

    pub async fn create(&self, who: &User, body: Value) -> Value {
        let r = self
            .app
            .post("/api/v1/topics", Some(&who.token), body)
            .await;
        assert_eq!(r.status.as_u16(), 201, "create: {:?}", r.body);
        r.body
    }

    /// The author raises a topic at 幸福社区; returns its id.
    pub async fn raise(&self, title: &str) -> i64 {
        id_of(
            &self
                .create(&self.author, self.new_topic(self.city.community, title))
                .await,
        )
    }

    pub async fn topic(&self, id: i64) -> Value {
        let r = self
            .app
            .get(&format!("/api/v1/topics/{id}"), Some(&self.staff.token))
            .await;
        assert_eq!(r.status.as_u16(), 200, "{:?}", r.body);
        r.body
    }

    pub async fn version(&self, id: i64) -> i64 {
        self.topic(id).await["version"].as_i64().unwrap()
    }

    pub fn act_v(
        &self,
        who: &User,
        id: i64,
        version: i64,
        action: &str,
        extra: Value,
    ) -> impl Future<Output = Resp> + '_ {
        let body = merged(
            json!({"action": action, "expected_version": version}),
            extra,
        );
        let path = format!("/api/v1/topics/{id}/transitions");
        let token = who.token.clone();
        async move { self.app.post(&path, Some(&token), body).await }
    }

    /// Takes `action` with the topic's current version and expects 200.
    pub async fn ok(&self, who: &User, id: i64, action: &str, extra: Value) -> Value {
        let v = self.version(id).await;
        let r = self.act_v(who, id, v, action, extra).await;
        assert_eq!(r.status.as_u16(), 200, "{action}: {:?}", r.body);
        r.body
    }

    /// Adds a task for `org`, due in `days` (negative: already past due); staff of the
    /// sub-district.
    pub async fn add_task(&self, id: i64, org: i64, days: i64) -> Value {
        let due = (chrono::Utc::now() + chrono::Duration::days(days)).to_rfc3339();
        let r = self
            .app
            .post(
                &format!("/api/v1/topics/{id}/tasks"),
                Some(&self.sub.token),
                json!({"title": format!("任务（{days}天）"), "organization_id": org, "due_at": due}),
            )
            .await;
        assert_eq!(r.status.as_u16(), 201, "task: {:?}", r.body);
        r.body
    }

    pub async fn plan(&self, id: i64) -> Value {
        let r = self
            .app
            .get(&format!("/api/v1/topics/{id}/plan"), Some(&self.sub.token))
            .await;
        assert_eq!(r.status.as_u16(), 200, "{:?}", r.body);
        r.body
    }

    /// Moves a topic forward to `to` (say → discuss → plan → act → evaluate) as sub-district
    /// staff; the plan step needs `workflow.notice_days = 0`.
    pub async fn drive(&self, id: i64, to: &str) {
        const ORDER: [&str; 5] = ["say", "discuss", "plan", "act", "evaluate"];
        let goal = ORDER.iter().position(|s| *s == to).unwrap();
        loop {
            let t = self.topic(id).await;
            let stage = t["stage"].as_str().unwrap().to_string();
            let at = ORDER
                .iter()
                .position(|s| *s == stage)
                .unwrap_or_else(|| panic!("cannot drive a topic in {stage}"));
            assert!(at <= goal, "topic {id} is past {to}: {stage}");
            if at == goal {
                return;
            }
            match stage.as_str() {
                "say" => {
                    self.ok(&self.sub, id, "accept", json!({"note": "纳入议事目录"}))
                        .await;
                }
                "discuss" => {
                    self.ok(
                        &self.sub,
                        id,
                        "decide",
                        json!({"decision": "由物业更换路灯"}),
                    )
                    .await;
                }
                "plan" => {
                    let plan = self.plan(id).await;
                    if plan["tasks"].as_array().unwrap().is_empty() {
                        self.add_task(id, self.city.firm, 30).await;
                    }
                    if plan["status"] == "draft" {
                        self.ok(&self.sub, id, "publish_plan", json!({})).await;
                    }
                    self.ok(&self.sub, id, "approve_plan", json!({})).await;
                }
                "act" => {
                    let tasks = self
                        .app
                        .get(&format!("/api/v1/topics/{id}/tasks"), Some(&self.sub.token))
                        .await;
                    for task in tasks.body["items"].as_array().unwrap() {
                        if task["status"] != "done" {
                            let r = self
                                .app
                                .patch(
                                    &format!("/api/v1/tasks/{}", task["id"]),
                                    Some(&self.sub.token),
                                    json!({"status": "done", "expected_version": task["version"]}),
                                )
                                .await;
                            assert_eq!(r.status.as_u16(), 200, "{:?}", r.body);
                        }
                    }
                    self.ok(&self.sub, id, "complete", json!({})).await;
                }
                _ => unreachable!(),
            }
        }
    }

    /// Every action not in `allowed` is refused with 409 topic.invalid_transition.
    pub async fn invalid_elsewhere(&self, id: i64, allowed: &[&str]) {
        let t = self.topic(id).await;
        let v = t["version"].as_i64().unwrap();
        for action in ACTIONS.iter().filter(|a| !allowed.contains(a)) {
            // Staff and the author both try, with every input an action could want.
            for who in [&self.sub, &self.author] {
                deny(
                    &self.app,
                    &format!("{action} in {}", t["stage"]),
                    self.act_v(
                        who,
                        id,
                        v,
                        action,
                        json!({"reason": "理由", "decision": "决定", "note": "备注"}),
                    ),
                    Expect(409, "topic.invalid_transition", None),
                )
                .await;
            }
        }
    }

    pub async fn comments_as(&self, who: &User, id: i64) -> Vec<Value> {
        let r = self
            .app
            .get(
                &format!("/api/v1/topics/{id}/comments?limit=100"),
                Some(&who.token),
            )
            .await;
        assert_eq!(r.status.as_u16(), 200, "{:?}", r.body);
        r.body["items"].as_array().unwrap().clone()
    }

    pub fn verify_chains(&self) {
        let checked = self
            .app
            .with_db(|c| yishi::topics::events::verify_all(c).unwrap());
        assert!(checked.is_ok(), "audit chain broken: {checked:?}");
    }
}
