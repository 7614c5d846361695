//! The things a row's path names, made over HTTP by actors who are not columns of the table,
//! in 幸福社区. A fixture is made when a row first needs it and made again after a write
//! succeeded on it, so no cell sees what an earlier cell changed.

use std::cell::Cell;
use std::collections::HashMap;

use super::callers::Callers;
use super::*;

/// What a row's `{id}` (and `{grant_id}`) stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Fx {
    /// No path parameter.
    None,
    /// A topic in say (raised by a resident).
    Topic,
    /// A topic in say that the `resident` column supports.
    Supported,
    /// A topic in discuss (in the public catalog).
    Discuss,
    /// A comment on a topic in say.
    Comment,
    /// A topic in plan with a draft plan.
    PlanDraft,
    /// A topic in plan with a published plan (公示).
    Notice,
    /// An objection to a published plan.
    Objection,
    /// A task of the firm on a topic in act.
    Task,
    /// A topic in evaluate that the `resident` column supported (so may rate).
    Evaluate,
    /// A draft meeting convened by a CPPCC member, with one agenda item (a topic).
    Meeting,
    /// A scheduled meeting that invited the `resident` column and the `firm`.
    Scheduled,
    /// The same, started.
    Started,
    /// The same, concluded with minutes; both invitees attended.
    Concluded,
    /// An opinion report to the `dept` organisation from a concluded meeting's outcome,
    /// submitted by its author.
    Proposal,
    /// A resident of 幸福社区 (not a column).
    User,
    /// That resident with a second grant (`{grant_id}`).
    Grant,
    /// 幸福社区 itself.
    Place,
    /// The `firm` organisation.
    Org,
    /// The calendar-feed token of a resident (in the query string).
    Feed,
    /// A photo on a topic in discuss (in the public catalog).
    Photo,
    /// A notification of the topic's author (not a column): its topic was accepted.
    Notification,
    /// A webhook endpoint of 幸福社区, registered by the installation-wide admin.
    Webhook,
    /// An Open311 client of 幸福社区, issued by the installation-wide admin (`token`: its key).
    Open311Client,
    /// A request posted through Open311 (`id`: its service_request_id, `token`: its token).
    Open311Request,
}

/// A made fixture: the path ids, its version, and what bodies need (agenda item, invitations).
#[derive(Debug, Clone, Default)]
pub struct Fix {
    pub id: i64,
    pub grant_id: i64,
    pub version: i64,
    pub item: i64,
    pub invitations: Vec<i64>,
    pub token: String,
}

/// The app, the columns, the actors who make fixtures, and the fixtures made so far.
pub struct World {
    pub app: TestApp,
    pub city: DemoCity,
    pub callers: Callers,
    /// A resident of 幸福社区 who raises the topics.
    pub author: User,
    /// Sub-district staff of 南门街道 who drive topics and record outcomes.
    pub sub: User,
    /// A CPPCC member of 海曙区 who convenes the meetings.
    pub cppcc: User,
    made: HashMap<Fx, Fix>,
    n: Cell<i64>,
}

impl World {
    pub async fn new() -> World {
        let app = TestApp::builder()
            .setting("workflow.notice_days", "0")
            .setting("workflow.min_ratings", "1")
            // Meetings start when the table needs them to, not at their scheduled time.
            .setting("consultations.start_margin_minutes", "525600")
            .demo()
            .build()
            .await;
        let city = app.demo_city().await;
        let callers = Callers::new(&app, &city).await;
        let author = make_user(
            &app,
            "fx-author",
            Some(city.community),
            &[(Role::Resident, Some(city.community), None)],
        )
        .await;
        let sub = make_user(
            &app,
            "fx-sub",
            None,
            &[(Role::SubdistrictStaff, Some(city.subdistrict), None)],
        )
        .await;
        let cppcc = make_user(
            &app,
            "fx-cppcc",
            None,
            &[(Role::CppccMember, Some(city.district), None)],
        )
        .await;
        World {
            app,
            city,
            callers,
            author,
            sub,
            cppcc,
            made: HashMap::new(),
            n: Cell::new(0),
        }
    }

    /// A number not used before in this run (emails, codes, meeting weeks).
    pub fn next(&self) -> i64 {
        self.n.set(self.n.get() + 1);
        self.n.get()
    }

    /// The fixture of `fx`, made if it is missing or was written to.
    pub async fn fixture(&mut self, fx: Fx) -> Fix {
        if let Some(f) = self.made.get(&fx) {
            return f.clone();
        }
        let f = self.make(fx).await;
        self.made.insert(fx, f.clone());
        f
    }

    /// Forgets `fx` after a write succeeded on it.
    pub fn spoil(&mut self, fx: Fx) {
        self.made.remove(&fx);
    }

    async fn ok(&self, method: Method, path: &str, who: &User, body: Option<Value>) -> Value {
        let body = body.map_or(crate::common::Body::Empty, crate::common::Body::Json);
        let r: Resp = self
            .app
            .send(method.clone(), path, Some(&who.token), &[], body)
            .await;
        assert!(
            r.status.is_success(),
            "fixture {method} {path}: {} {:?}",
            r.status,
            r.body
        );
        r.body
    }

    async fn post(&self, path: &str, who: &User, body: Value) -> Value {
        self.ok(Method::POST, path, who, Some(body)).await
    }

    async fn topic_act(&self, id: i64, action: &str, extra: Value) -> Value {
        let v = self
            .ok(
                Method::GET,
                &format!("/api/v1/topics/{id}"),
                &self.sub,
                None,
            )
            .await["version"]
            .clone();
        let body = merged(json!({"action": action, "expected_version": v}), extra);
        self.post(&format!("/api/v1/topics/{id}/transitions"), &self.sub, body)
            .await
    }

    async fn topic_in(&self, stage: &str) -> Value {
        let n = self.next();
        let mut t = self
            .post(
                "/api/v1/topics",
                &self.author,
                json!({"place_id": self.city.community, "title": format!("路灯坏了 {n}"),
                       "body": "楼前的路灯坏了两周，晚上回家很不安全。", "category": "facilities"}),
            )
            .await;
        let id = id_of(&t);
        if matches!(stage, "supported" | "evaluate") {
            let resident = self.callers.get("resident");
            self.ok(
                Method::POST,
                &format!("/api/v1/topics/{id}/supports"),
                resident,
                None,
            )
            .await;
        }
        let steps: &[(&str, &str)] = match stage {
            "say" | "supported" => &[],
            "discuss" => &[("accept", "")],
            "escalated" => &[("accept", ""), ("escalate", "")],
            "draft" => &[("accept", ""), ("decide", "")],
            "notice" => &[
                ("accept", ""),
                ("decide", ""),
                ("task", ""),
                ("publish_plan", ""),
            ],
            "act" => &[
                ("accept", ""),
                ("decide", ""),
                ("task", ""),
                ("publish_plan", ""),
                ("approve_plan", ""),
            ],
            "evaluate" => &[
                ("accept", ""),
                ("decide", ""),
                ("task", ""),
                ("publish_plan", ""),
                ("approve_plan", ""),
                ("done", ""),
                ("complete", ""),
            ],
            other => panic!("no stage {other}"),
        };
        for (step, _) in steps {
            match *step {
                "task" => {
                    self.task_for(id).await;
                }
                "done" => {
                    let tasks = self
                        .ok(
                            Method::GET,
                            &format!("/api/v1/topics/{id}/tasks"),
                            &self.sub,
                            None,
                        )
                        .await;
                    for task in tasks["items"].as_array().unwrap() {
                        self.ok(
                            Method::PATCH,
                            &format!("/api/v1/tasks/{}", task["id"]),
                            &self.sub,
                            Some(json!({"status": "done", "expected_version": task["version"]})),
                        )
                        .await;
                    }
                }
                action => {
                    t = self
                        .topic_act(
                            id,
                            action,
                            json!({"decision": "由物业更换路灯", "note": "纳入"}),
                        )
                        .await;
                }
            }
        }
        t
    }

    async fn task_for(&self, topic: i64) -> Value {
        let due = (chrono::Utc::now() + chrono::Duration::days(30)).to_rfc3339();
        self.post(
            &format!("/api/v1/topics/{topic}/tasks"),
            &self.sub,
            json!({"title": "更换路灯", "organization_id": self.city.firm, "due_at": due}),
        )
        .await
    }

    /// A meeting slot no other fixture meeting uses: two hours, `3n` hours after next Monday
    /// 09:00 (within a year, so the wide start margin below lets any fixture meeting start).
    pub fn slot(&self) -> (Value, Value) {
        let start = monday_at(9, 0) + chrono::Duration::hours(3 * self.next());
        (json!(start), json!(start + chrono::Duration::hours(2)))
    }

    async fn meeting(&self, upto: &str) -> Fix {
        let topic = self.topic_in("escalated").await;
        let (starts, ends) = self.slot();
        let m = self
            .post(
                "/api/v1/consultations",
                &self.cppcc,
                json!({"place_id": self.city.community, "title": "路灯微协商", "kind": "micro_consultation",
                       "format": "in_person", "venue": "幸福社区议事厅", "starts_at": starts, "ends_at": ends,
                       "from_topic_id": id_of(&topic)}),
            )
            .await;
        let id = id_of(&m);
        let base = format!("/api/v1/consultations/{id}");
        let agenda = self
            .ok(
                Method::GET,
                &format!("{base}/agenda-items"),
                &self.cppcc,
                None,
            )
            .await;
        let mut fix = Fix {
            id,
            version: m["version"].as_i64().unwrap(),
            item: id_of(&agenda["items"][0]),
            ..Fix::default()
        };
        if upto == "draft" {
            return fix;
        }
        let resident = self.callers.get("resident").id;
        for body in [
            json!({"user_id": resident, "category": "resident_rep"}),
            json!({"organization_id": self.city.firm, "category": "property_firm"}),
        ] {
            let inv = self
                .post(&format!("{base}/invitations"), &self.cppcc, body)
                .await;
            fix.invitations.push(id_of(&inv));
        }
        let mut steps = vec!["schedule"];
        match upto {
            "scheduled" => {}
            "started" => steps.push("start"),
            "concluded" => steps.extend(["start", "attend", "conclude"]),
            other => panic!("no meeting state {other}"),
        }
        for step in steps {
            if step == "attend" {
                let body = json!({"attended_invitation_ids": fix.invitations});
                self.post(&format!("{base}/attendance"), &self.cppcc, body)
                    .await;
                continue;
            }
            let m = self.ok(Method::GET, &base, &self.cppcc, None).await;
            let body = json!({"action": step, "expected_version": m["version"], "minutes": "议定：物业更换路灯。"});
            self.post(&format!("{base}/transitions"), &self.cppcc, body)
                .await;
        }
        let m = self.ok(Method::GET, &base, &self.cppcc, None).await;
        fix.version = m["version"].as_i64().unwrap();
        fix
    }

    async fn make(&self, fx: Fx) -> Fix {
        let of = |v: &Value| Fix {
            id: id_of(v),
            version: v["version"].as_i64().unwrap_or(0),
            ..Fix::default()
        };
        match fx {
            Fx::None => Fix::default(),
            Fx::Topic => of(&self.topic_in("say").await),
            Fx::Supported => of(&self.topic_in("supported").await),
            Fx::Discuss => of(&self.topic_in("discuss").await),
            Fx::Comment => {
                let t = self.topic_in("say").await;
                let c = self
                    .post(
                        &format!("/api/v1/topics/{}/comments", id_of(&t)),
                        &self.author,
                        json!({"body": "同意，路灯要尽快修。"}),
                    )
                    .await;
                of(&c)
            }
            Fx::PlanDraft => of(&self.topic_in("draft").await),
            Fx::Notice => of(&self.topic_in("notice").await),
            Fx::Objection => {
                let t = self.topic_in("notice").await;
                let resident = make_user(
                    &self.app,
                    &format!("fx-objector-{}", self.next()),
                    Some(self.city.community),
                    &[(Role::Resident, Some(self.city.community), None)],
                )
                .await;
                let o = self
                    .post(
                        &format!("/api/v1/topics/{}/objections", id_of(&t)),
                        &resident,
                        json!({"body": "路灯位置不合适"}),
                    )
                    .await;
                of(&o)
            }
            Fx::Task => {
                let t = self.topic_in("act").await;
                let tasks = self
                    .ok(
                        Method::GET,
                        &format!("/api/v1/topics/{}/tasks", id_of(&t)),
                        &self.sub,
                        None,
                    )
                    .await;
                of(&tasks["items"][0])
            }
            Fx::Evaluate => of(&self.topic_in("evaluate").await),
            Fx::Meeting => self.meeting("draft").await,
            Fx::Scheduled => self.meeting("scheduled").await,
            Fx::Started => self.meeting("started").await,
            Fx::Concluded => self.meeting("concluded").await,
            Fx::Proposal => {
                let m = self.meeting("concluded").await;
                let o = self
                    .post(
                        &format!("/api/v1/consultations/{}/outcomes", m.id),
                        &self.sub,
                        json!({"agenda_item_id": m.item, "decision": "建议增设路灯", "consensus": "majority",
                               "follow_ups": [{"kind": "opinion_report", "title": "关于老旧小区照明的社情民意",
                                               "organization_id": self.city.dept}]}),
                    )
                    .await;
                let id = o["follow_ups"][0]["proposal_id"].as_i64().unwrap();
                let body = json!({"to": "submitted"});
                self.post(
                    &format!("/api/v1/proposals/{id}/transitions"),
                    &self.sub,
                    body,
                )
                .await;
                Fix {
                    id,
                    ..Fix::default()
                }
            }
            Fx::User | Fx::Grant => {
                let n = self.next();
                let community = self.city.community;
                let id = self.app.user(
                    &format!("fx-user-{n}@example.com"),
                    Some(community),
                    &[(Role::Resident, Some(community), None)],
                );
                let mut fix = Fix {
                    id,
                    ..Fix::default()
                };
                if fx == Fx::Grant {
                    let root = self.callers.get("root");
                    let g = self
                        .post(
                            &format!("/api/v1/users/{id}/roles"),
                            root,
                            json!({"role": "grid_worker", "place_id": self.city.grid}),
                        )
                        .await;
                    fix.grant_id = id_of(&g);
                }
                fix
            }
            Fx::Place => Fix {
                id: self.city.community,
                ..Fix::default()
            },
            Fx::Org => Fix {
                id: self.city.firm,
                ..Fix::default()
            },
            Fx::Photo => {
                let t = self.topic_in("discuss").await;
                let (ct, body) = super::requests::photo_form();
                let r = self
                    .app
                    .send(
                        Method::POST,
                        &format!("/api/v1/topics/{}/attachments", id_of(&t)),
                        Some(&self.sub.token),
                        &[],
                        crate::common::Body::Raw(ct, body),
                    )
                    .await;
                assert_eq!(r.status.as_u16(), 201, "fixture photo: {:?}", r.body);
                of(&r.body)
            }
            Fx::Open311Client | Fx::Open311Request => {
                let root = self.callers.get("root");
                let n = self.next();
                let c = self
                    .post(
                        "/api/v1/open311-clients",
                        root,
                        json!({"name": format!("随手拍{n}"), "place_id": self.city.community}),
                    )
                    .await;
                let key = c["api_key"].as_str().unwrap().to_string();
                if fx == Fx::Open311Client {
                    return Fix {
                        id: id_of(&c),
                        token: key,
                        ..Fix::default()
                    };
                }
                let form = serde_urlencoded::to_string([
                    ("api_key", key.as_str()),
                    ("service_code", "facilities"),
                    ("address_string", "幸福社区"),
                    ("description", "路灯坏了"),
                ])
                .unwrap();
                let r = self
                    .app
                    .send(
                        Method::POST,
                        "/open311/v2/requests.json",
                        None,
                        &[],
                        crate::common::Body::Raw(
                            "application/x-www-form-urlencoded".to_string(),
                            form.into_bytes(),
                        ),
                    )
                    .await;
                assert!(
                    r.status.is_success(),
                    "fixture open311 request: {:?}",
                    r.body
                );
                Fix {
                    id: r.body[0]["service_request_id"]
                        .as_str()
                        .unwrap()
                        .parse()
                        .unwrap(),
                    token: r.body[0]["token"].as_str().unwrap().to_string(),
                    ..Fix::default()
                }
            }
            Fx::Webhook => {
                let root = self.callers.get("root");
                let w = self
                    .post(
                        "/api/v1/webhooks",
                        root,
                        json!({"url": "http://127.0.0.1:9/hook", "event_kinds": ["topic_closed"],
                               "place_id": self.city.community}),
                    )
                    .await;
                of(&w)
            }
            Fx::Notification => {
                self.topic_in("discuss").await;
                self.app.fanned_out().await;
                let inbox = self.app.inbox(&self.author.token).await;
                of(&inbox[0])
            }
            Fx::Feed => {
                let f = self
                    .ok(Method::POST, "/api/v1/me/calendar-feed", &self.author, None)
                    .await;
                let url = f["url"].as_str().unwrap();
                Fix {
                    token: url.rsplit_once("token=").unwrap().1.to_string(),
                    ..Fix::default()
                }
            }
        }
    }
}
