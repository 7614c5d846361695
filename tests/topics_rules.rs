#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Every refusal of the topic workflow (说议筹办评) over HTTP: who may create, which transitions
//! exist in each stage, who may take them, what input they need, which facts block them, and
//! the rules of supports, comments, evaluations and tasks. Each refusal is checked for its
//! status, its problem `code` (and `field` for 400/422), and for having changed nothing. The
//! concurrency tests run on PostgreSQL too (TEST_DATABASE_URL).

mod common;

use std::collections::BTreeSet;
use std::future::Future;

use chrono::{Datelike, NaiveDateTime};
use common::{Resp, TestApp};
use serde_json::{Value, json};
use yishi::auth::Role;

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

/// Tables a refused request must leave as they were.
const TABLES: [&str; 9] = [
    "topics",
    "topic_events",
    "supports",
    "comments",
    "tasks",
    "objections",
    "evaluations",
    "plans",
    "idempotency_keys",
];

/// Every workflow action, in SPEC's order.
const ACTIONS: [&str; 11] = [
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

/// id, version, stage, resolution, escalated, supporters, catalog number, merged into.
type TopicState = (
    i64,
    i32,
    String,
    Option<String>,
    bool,
    i32,
    Option<String>,
    Option<i64>,
);
/// topic, revision, published, notice ends, approved.
type PlanState = (
    i64,
    i32,
    Option<NaiveDateTime>,
    Option<NaiveDateTime>,
    Option<NaiveDateTime>,
);

/// What a refused request must not change.
#[derive(Debug, PartialEq)]
struct Snapshot {
    counts: Vec<(&'static str, i64)>,
    topics: Vec<TopicState>,
    tasks: Vec<(i64, i32, String)>,
    comments: Vec<(i64, bool)>,
    plans: Vec<PlanState>,
    evaluations: Vec<(i64, i64, i32, i32)>,
}

fn snapshot(app: &TestApp) -> Snapshot {
    use diesel::prelude::*;
    use yishi::db::schema::{comments, evaluations, plans, tasks, topics};
    let counts = TABLES.iter().map(|t| (*t, app.count(t))).collect();
    app.with_db(|c| Snapshot {
        counts,
        topics: topics::table
            .order(topics::id)
            .select((
                topics::id,
                topics::version,
                topics::stage,
                topics::resolution,
                topics::escalated,
                topics::supporters_count,
                topics::catalog_no,
                topics::merged_into,
            ))
            .load(c)
            .unwrap(),
        tasks: tasks::table
            .order(tasks::id)
            .select((tasks::id, tasks::version, tasks::status))
            .load(c)
            .unwrap(),
        comments: comments::table
            .order(comments::id)
            .select((comments::id, comments::hidden))
            .load(c)
            .unwrap(),
        plans: plans::table
            .order(plans::topic_id)
            .select((
                plans::topic_id,
                plans::revision,
                plans::published_at,
                plans::notice_ends_at,
                plans::approved_at,
            ))
            .load(c)
            .unwrap(),
        evaluations: evaluations::table
            .order((evaluations::topic_id, evaluations::user_id))
            .select((
                evaluations::topic_id,
                evaluations::user_id,
                evaluations::round,
                evaluations::score,
            ))
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

/// POST /api/v1/topics with an Idempotency-Key.
async fn create_with_key(app: &TestApp, token: &str, key: &str, body: &Value) -> Resp {
    let mut res = app
        .client
        .post(format!("{}/api/v1/topics", app.base))
        .insert_header(("Authorization", format!("Bearer {token}")))
        .insert_header(("Idempotency-Key", key))
        .send_json(body)
        .await
        .unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let content_type = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let bytes = res.body().await.unwrap();
    Resp {
        status,
        body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        content_type,
        headers,
    }
}

fn id_of(v: &Value) -> i64 {
    v["id"].as_i64().unwrap_or_else(|| panic!("no id in {v:?}"))
}

fn ids(list: &Value) -> BTreeSet<i64> {
    list["items"]
        .as_array()
        .unwrap_or_else(|| panic!("no items in {list:?}"))
        .iter()
        .map(id_of)
        .collect()
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

/// A demo city with a few users of 幸福社区, and helpers that drive topics through the steps.
struct World {
    app: TestApp,
    year: i32,
    /// 幸福社区.
    community: i64,
    /// Another community of the same sub-district.
    sibling: i64,
    /// A community of the other district.
    far: i64,
    subdistrict: i64,
    district: i64,
    other_district: i64,
    /// 幸福社区's first grid.
    grid: i64,
    firm: i64,
    other_firm: i64,
    /// A resident of 幸福社区 who raises most topics.
    author: User,
    r2: User,
    r3: User,
    /// Community staff of 幸福社区 (not a resident).
    staff: User,
    /// Sub-district staff of 南门街道 (approves plans).
    sub: User,
}

impl World {
    async fn new(extra: &[(&str, &str)]) -> World {
        let app = TestApp::spawn_with(extra).await;
        app.seed_demo();
        let community = app.place("demo-330200-0-0-0");
        let sibling = app.place("demo-330200-0-0-1");
        let far = app.place("demo-330200-1-0-0");
        let subdistrict = app.place("demo-330200-0-0");
        let district = app.place("demo-330200-0");
        let other_district = app.place("demo-330200-1");
        let grid = app.place("demo-330200-0-0-0-g1");
        let orgs = app
            .get("/api/v1/organizations?kind=property_firm", None)
            .await;
        let firm = orgs.body["items"][0]["id"].as_i64().unwrap();
        let other_firm = orgs.body["items"][1]["id"].as_i64().unwrap();
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
            year,
            community,
            sibling,
            far,
            subdistrict,
            district,
            other_district,
            grid,
            firm,
            other_firm,
            author,
            r2,
            r3,
            staff,
            sub,
        }
    }

    async fn user(&self, name: &str, grants: &[(Role, Option<i64>, Option<i64>)]) -> User {
        make_user(&self.app, name, None, grants).await
    }

    /// A resident of 幸福社区.
    async fn resident(&self, name: &str) -> User {
        make_user(
            &self.app,
            name,
            Some(self.community),
            &[(Role::Resident, Some(self.community), None)],
        )
        .await
    }

    /// A resident of the sibling community.
    async fn outsider(&self) -> User {
        make_user(
            &self.app,
            "outsider",
            Some(self.sibling),
            &[(Role::Resident, Some(self.sibling), None)],
        )
        .await
    }

    /// Community staff of the sibling community.
    async fn sibling_staff(&self) -> User {
        self.user(
            "sibling-staff",
            &[(Role::CommunityStaff, Some(self.sibling), None)],
        )
        .await
    }

    fn new_topic(&self, place: i64, title: &str) -> Value {
        json!({
            "place_id": place,
            "title": title,
            "body": "楼前的路灯坏了两周，晚上回家很不安全。",
            "category": "facilities",
        })
    }

    async fn create(&self, who: &User, body: Value) -> Value {
        let r = self
            .app
            .post("/api/v1/topics", Some(&who.token), body)
            .await;
        assert_eq!(r.status.as_u16(), 201, "create: {:?}", r.body);
        r.body
    }

    /// The author raises a topic at 幸福社区; returns its id.
    async fn raise(&self, title: &str) -> i64 {
        id_of(
            &self
                .create(&self.author, self.new_topic(self.community, title))
                .await,
        )
    }

    async fn topic(&self, id: i64) -> Value {
        let r = self
            .app
            .get(&format!("/api/v1/topics/{id}"), Some(&self.staff.token))
            .await;
        assert_eq!(r.status.as_u16(), 200, "{:?}", r.body);
        r.body
    }

    async fn version(&self, id: i64) -> i64 {
        self.topic(id).await["version"].as_i64().unwrap()
    }

    fn act_v(
        &self,
        who: &User,
        id: i64,
        version: i64,
        action: &str,
        extra: Value,
    ) -> impl Future<Output = Resp> + '_ {
        let mut body = json!({"action": action, "expected_version": version});
        if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
            b.extend(e.clone());
        }
        let path = format!("/api/v1/topics/{id}/transitions");
        let token = who.token.clone();
        async move { self.app.post(&path, Some(&token), body).await }
    }

    /// Takes `action` with the topic's current version and expects 200.
    async fn ok(&self, who: &User, id: i64, action: &str, extra: Value) -> Value {
        let v = self.version(id).await;
        let r = self.act_v(who, id, v, action, extra).await;
        assert_eq!(r.status.as_u16(), 200, "{action}: {:?}", r.body);
        r.body
    }

    /// Adds a task for `org`, due in `days` (negative: already past due); staff of the
    /// sub-district.
    async fn add_task(&self, id: i64, org: i64, days: i64) -> Value {
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

    async fn plan(&self, id: i64) -> Value {
        let r = self
            .app
            .get(&format!("/api/v1/topics/{id}/plan"), Some(&self.sub.token))
            .await;
        assert_eq!(r.status.as_u16(), 200, "{:?}", r.body);
        r.body
    }

    /// Moves a topic forward to `to` (say → discuss → plan → act → evaluate) as sub-district
    /// staff; the plan step needs `workflow.notice_days = 0`.
    async fn drive(&self, id: i64, to: &str) {
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
                        self.add_task(id, self.firm, 30).await;
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
    async fn invalid_elsewhere(&self, id: i64, allowed: &[&str]) {
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
                    409,
                    "topic.invalid_transition",
                    None,
                )
                .await;
            }
        }
    }

    async fn comments_as(&self, who: &User, id: i64) -> Vec<Value> {
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

    fn verify_chains(&self) {
        let checked = self
            .app
            .with_db(|c| yishi::topics::events::verify_all(c).unwrap());
        assert!(checked.is_ok(), "audit chain broken: {checked:?}");
    }
}

// ---------------------------------------------------------------------------------------
// 1. Creating a topic (说)
// ---------------------------------------------------------------------------------------

#[actix_rt::test]
async fn creating_a_topic_is_refused_for_the_wrong_caller_place_or_input() {
    let w = World::new(&[]).await;
    let app = &w.app;
    let body = w.new_topic(w.community, "小区路灯不亮");
    let with = |extra: Value| {
        let mut b = body.clone();
        b.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        b
    };
    let create = |who: &User, b: Value| {
        let token = who.token.clone();
        async move { app.post("/api/v1/topics", Some(&token), b).await }
    };

    deny(
        app,
        "anonymous",
        app.post("/api/v1/topics", None, body.clone()),
        401,
        "auth.missing_token",
        None,
    )
    .await;
    let outsider = w.outsider().await;
    deny(
        app,
        "a resident of another community",
        create(&outsider, body.clone()),
        403,
        "permission.denied",
        None,
    )
    .await;
    let firm_user = w
        .user(
            "firm",
            &[(Role::PropertyFirm, Some(w.community), Some(w.firm))],
        )
        .await;
    deny(
        app,
        "a property firm",
        create(&firm_user, body.clone()),
        403,
        "permission.denied",
        None,
    )
    .await;
    deny(
        app,
        "a sub-district is not a place for topics",
        create(&w.author, with(json!({"place_id": w.subdistrict}))),
        422,
        "topic.invalid_place",
        Some("place_id"),
    )
    .await;
    deny(
        app,
        "sub-district staff at the sub-district",
        create(&w.sub, with(json!({"place_id": w.subdistrict}))),
        422,
        "topic.invalid_place",
        Some("place_id"),
    )
    .await;
    deny(
        app,
        "an unknown place",
        create(&w.author, with(json!({"place_id": 987_654_321}))),
        422,
        "place.not_found",
        Some("place_id"),
    )
    .await;
    deny(
        app,
        "a resident raising on behalf of another",
        create(&w.author, with(json!({"on_behalf_of": w.r2.id}))),
        422,
        "topic.on_behalf_not_allowed",
        Some("on_behalf_of"),
    )
    .await;
    let gw = w
        .user("grid-worker", &[(Role::GridWorker, Some(w.grid), None)])
        .await;
    for (who, not_resident) in [
        ("a resident of another community", outsider.id),
        ("staff", w.staff.id),
        ("nobody", 987_654_321),
    ] {
        deny(
            app,
            &format!("a grid worker on behalf of {who}"),
            create(
                &gw,
                with(json!({"place_id": w.grid, "on_behalf_of": not_resident})),
            ),
            422,
            "topic.not_a_resident",
            Some("on_behalf_of"),
        )
        .await;
    }
    deny(
        app,
        "a resident flagging major",
        create(&w.author, with(json!({"major": true}))),
        422,
        "topic.major_staff_only",
        Some("major"),
    )
    .await;
    deny(
        app,
        "a grid worker flagging major",
        create(&gw, with(json!({"place_id": w.grid, "major": true}))),
        422,
        "topic.major_staff_only",
        Some("major"),
    )
    .await;
    deny(
        app,
        "an unknown category",
        create(&w.author, with(json!({"category": "weather"}))),
        400,
        "request.invalid_field",
        Some("category"),
    )
    .await;
    deny(
        app,
        "a title of 121 characters",
        create(&w.author, with(json!({"title": "灯".repeat(121)}))),
        422,
        "validation.length",
        Some("title"),
    )
    .await;
    deny(
        app,
        "an empty body",
        create(&w.author, with(json!({"body": ""}))),
        422,
        "validation.length",
        Some("body"),
    )
    .await;

    // The same key with another body is refused; the same key and body returns the topic.
    let first = create_with_key(app, &w.author.token, "lamp-1", &body).await;
    assert_eq!(first.status.as_u16(), 201, "{:?}", first.body);
    let retry = create_with_key(app, &w.author.token, "lamp-1", &body).await;
    assert_eq!(retry.status.as_u16(), 201);
    assert_eq!(retry.body["id"], first.body["id"]);
    deny(
        app,
        "a reused idempotency key",
        create_with_key(
            app,
            &w.author.token,
            "lamp-1",
            &with(json!({"title": "另一件事"})),
        ),
        422,
        "idempotency.key_reused",
        Some("Idempotency-Key"),
    )
    .await;
    assert_eq!(app.count("topics"), 1);

    // Who raised it, through which door.
    let by_gw = w
        .create(
            &gw,
            with(json!({"place_id": w.grid, "on_behalf_of": w.author.id})),
        )
        .await;
    assert_eq!(by_gw["source"], "grid_worker");
    assert_eq!(by_gw["on_behalf_of"], w.author.id);
    assert_eq!(by_gw["author_id"], gw.id);
    assert_eq!(by_gw["place_id"], w.grid);
    assert_eq!(by_gw["stage"], "say");
    let by_staff = w.create(&w.staff, with(json!({"major": true}))).await;
    assert_eq!(by_staff["source"], "staff");
    assert_eq!(by_staff["major"], true);
    let by_sub = w.create(&w.sub, body.clone()).await;
    assert_eq!(by_sub["source"], "staff");
    let cppcc = w
        .user("cppcc", &[(Role::CppccMember, Some(w.district), None)])
        .await;
    let by_cppcc = w.create(&cppcc, body.clone()).await;
    assert_eq!(by_cppcc["source"], "cppcc");
    assert_eq!(by_cppcc["on_behalf_of"], Value::Null);
    let building = app.place("demo-330200-0-0-0-g1-b3");
    let at_building = w
        .create(&w.author, with(json!({"place_id": building})))
        .await;
    assert_eq!(at_building["source"], "resident");
    assert_eq!(app.count("topics"), 6);
    w.verify_chains();
    w.app.stop().await;
}

// ---------------------------------------------------------------------------------------
// 2. Transitions, stage by stage
// ---------------------------------------------------------------------------------------

#[actix_rt::test]
async fn say_refuses_what_the_table_role_place_version_and_input_forbid() {
    let w = World::new(&[]).await;
    let app = &w.app;
    let id = w.raise("小区路灯不亮").await;
    let v = w.version(id).await;
    w.invalid_elsewhere(id, &["accept", "reject", "merge", "withdraw"])
        .await;

    for action in ["accept", "reject", "merge"] {
        deny(
            app,
            &format!("a resident tries {action}"),
            w.act_v(&w.r2, id, v, action, json!({"reason": "理由"})),
            403,
            "permission.denied",
            None,
        )
        .await;
    }
    deny(
        app,
        "the author tries accept",
        w.act_v(&w.author, id, v, "accept", json!({})),
        403,
        "permission.denied",
        None,
    )
    .await;
    let sibling_staff = w.sibling_staff().await;
    deny(
        app,
        "staff of another community",
        w.act_v(&sibling_staff, id, v, "accept", json!({})),
        403,
        "permission.denied",
        None,
    )
    .await;
    let other_sub = w
        .user(
            "other-sub",
            &[(
                Role::SubdistrictStaff,
                Some(app.place("demo-330200-0-1")),
                None,
            )],
        )
        .await;
    deny(
        app,
        "staff of another sub-district",
        w.act_v(&other_sub, id, v, "reject", json!({"reason": "不属实"})),
        403,
        "permission.denied",
        None,
    )
    .await;
    let firm_user = w
        .user(
            "firm",
            &[(Role::PropertyFirm, Some(w.community), Some(w.firm))],
        )
        .await;
    deny(
        app,
        "a property firm",
        w.act_v(&firm_user, id, v, "accept", json!({})),
        403,
        "permission.denied",
        None,
    )
    .await;
    for stale in [v - 1, v + 1, 0] {
        deny(
            app,
            &format!("expected_version {stale}"),
            w.act_v(&w.staff, id, stale, "accept", json!({})),
            409,
            "topic.stale_version",
            None,
        )
        .await;
    }
    deny(
        app,
        "reject without reason",
        w.act_v(&w.staff, id, v, "reject", json!({})),
        422,
        "topic.reason_required",
        Some("reason"),
    )
    .await;
    deny(
        app,
        "reject with a blank reason",
        w.act_v(&w.staff, id, v, "reject", json!({"reason": "  "})),
        422,
        "topic.reason_required",
        Some("reason"),
    )
    .await;
    deny(
        app,
        "merge without target",
        w.act_v(&w.staff, id, v, "merge", json!({})),
        422,
        "topic.target_required",
        Some("target_topic_id"),
    )
    .await;
    let outsider = w.outsider().await;
    let foreign = id_of(
        &w.create(&outsider, w.new_topic(w.sibling, "和义社区的路灯"))
            .await,
    );
    deny(
        app,
        "merge into a topic of another community",
        w.act_v(&w.sub, id, v, "merge", json!({"target_topic_id": foreign})),
        422,
        "topic.invalid_merge_target",
        Some("target_topic_id"),
    )
    .await;
    deny(
        app,
        "merge into itself",
        w.act_v(&w.staff, id, v, "merge", json!({"target_topic_id": id})),
        422,
        "topic.invalid_merge_target",
        Some("target_topic_id"),
    )
    .await;
    deny(
        app,
        "merge into no topic",
        w.act_v(
            &w.staff,
            id,
            v,
            "merge",
            json!({"target_topic_id": 987_654_321}),
        ),
        422,
        "topic.invalid_merge_target",
        Some("target_topic_id"),
    )
    .await;
    for who in [&w.r2, &w.staff, &w.sub] {
        deny(
            app,
            "withdraw by someone other than the author",
            w.act_v(who, id, v, "withdraw", json!({})),
            403,
            "permission.denied",
            None,
        )
        .await;
    }

    // The author withdraws; the closed topic then refuses every action.
    let out = w
        .ok(&w.author, id, "withdraw", json!({"note": "已自行解决"}))
        .await;
    assert_eq!(out["stage"], "closed");
    assert_eq!(out["resolution"], "withdrawn");
    assert_eq!(out["version"], v + 1);
    w.invalid_elsewhere(id, &[]).await;

    // A closed topic is no merge target; a rejection closes with a reason.
    let second = w.raise("垃圾分类点太远").await;
    let v2 = w.version(second).await;
    deny(
        app,
        "merge into a closed topic",
        w.act_v(
            &w.staff,
            second,
            v2,
            "merge",
            json!({"target_topic_id": id}),
        ),
        422,
        "topic.invalid_merge_target",
        Some("target_topic_id"),
    )
    .await;
    let out = w
        .ok(
            &w.staff,
            second,
            "reject",
            json!({"reason": "不属于社区事务"}),
        )
        .await;
    assert_eq!(
        (out["stage"].as_str(), out["resolution"].as_str()),
        (Some("closed"), Some("rejected"))
    );
    assert_eq!(out["catalog_no"], Value::Null);
    w.invalid_elsewhere(second, &[]).await;
    w.verify_chains();
    w.app.stop().await;
}

#[actix_rt::test]
async fn merge_carries_supporters_over_without_counting_anyone_twice() {
    let w = World::new(&[]).await;
    let app = &w.app;
    let r4 = w.resident("r4").await;
    let source = w.raise("3号楼前路灯不亮").await;
    let target = id_of(
        &w.create(&w.r2, w.new_topic(w.community, "小区路灯普遍不亮"))
            .await,
    );
    let support = |who: &User, id: i64| {
        let token = who.token.clone();
        async move {
            let r = app
                .post(
                    &format!("/api/v1/topics/{id}/supports"),
                    Some(&token),
                    json!({}),
                )
                .await;
            assert_eq!(r.status.as_u16(), 200, "{:?}", r.body);
        }
    };
    // r3 supports both; r4 only the source; the author only the target.
    support(&w.r3, source).await;
    support(&r4, source).await;
    support(&w.r3, target).await;
    support(&w.author, target).await;
    assert_eq!(w.topic(target).await["supporters_count"], 2);
    assert_eq!(app.count("supports"), 4);

    let v = w.version(source).await;
    let r = w
        .act_v(
            &w.staff,
            source,
            v,
            "merge",
            json!({"target_topic_id": target, "note": "同一问题"}),
        )
        .await;
    assert_eq!(r.status.as_u16(), 200, "{:?}", r.body);
    assert_eq!(r.body["stage"], "closed");
    assert_eq!(r.body["resolution"], "merged");
    assert_eq!(r.body["merged_into"], target);
    let t = w.topic(target).await;
    assert_eq!(t["supporters_count"], 3, "r3 counted once: {t:?}");
    assert_eq!(t["stage"], "say");
    assert_eq!(app.count("supports"), 5);
    // The carried supporter really supports the target now: a second support is a duplicate.
    let dup = app
        .post(
            &format!("/api/v1/topics/{target}/supports"),
            Some(&r4.token),
            json!({}),
        )
        .await;
    assert_eq!(
        (dup.status.as_u16(), dup.code()),
        (409, "topic.already_supported")
    );
    let tl = app
        .get(
            &format!("/api/v1/topics/{target}/timeline?limit=100"),
            Some(&w.staff.token),
        )
        .await;
    assert!(
        tl.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "merged_in"),
        "{:?}",
        tl.body
    );
    w.invalid_elsewhere(source, &[]).await;
    w.verify_chains();
    w.app.stop().await;
}

/// docs/api.md: transitions check the version, then a merge's `target_topic_id`, then the
/// table, the role, the input and the state. (SPEC's "any action not in the table gets 409"
/// is read with that exception; see the report.)
#[actix_rt::test]
async fn a_merge_target_is_judged_after_the_table_and_the_role() {
    let w = World::new(&[]).await;
    let app = &w.app;
    let outsider = w.outsider().await;
    let foreign = id_of(
        &w.create(&outsider, w.new_topic(w.sibling, "和义社区的路灯"))
            .await,
    );
    let in_say = w.raise("小区路灯不亮").await;
    let valid_target = w.raise("路灯不亮（重复）").await;
    let v = w.version(in_say).await;
    deny(
        app,
        "a resident asks to merge into another community's topic",
        w.act_v(
            &w.r2,
            in_say,
            v,
            "merge",
            json!({"target_topic_id": foreign}),
        ),
        403,
        "permission.denied",
        None,
    )
    .await;
    deny(
        app,
        "a resident asks to merge into a valid target",
        w.act_v(
            &w.r2,
            in_say,
            v,
            "merge",
            json!({"target_topic_id": valid_target}),
        ),
        403,
        "permission.denied",
        None,
    )
    .await;
    deny(
        app,
        "a stale merge with a bad target",
        w.act_v(
            &w.staff,
            in_say,
            v + 1,
            "merge",
            json!({"target_topic_id": foreign}),
        ),
        409,
        "topic.stale_version",
        None,
    )
    .await;
    let in_discuss = w.raise("垃圾分类点太远").await;
    w.drive(in_discuss, "discuss").await;
    let v = w.version(in_discuss).await;
    deny(
        app,
        "merge in discuss into another community's topic",
        w.act_v(
            &w.staff,
            in_discuss,
            v,
            "merge",
            json!({"target_topic_id": foreign}),
        ),
        409,
        "topic.invalid_transition",
        None,
    )
    .await;
    deny(
        app,
        "merge in discuss into a valid target",
        w.act_v(
            &w.staff,
            in_discuss,
            v,
            "merge",
            json!({"target_topic_id": valid_target}),
        ),
        409,
        "topic.invalid_transition",
        None,
    )
    .await;
    w.app.stop().await;
}

#[actix_rt::test]
async fn discuss_refusals_escalation_and_the_decision() {
    let w = World::new(&[]).await;
    let app = &w.app;
    let id = w.raise("小区路灯不亮").await;
    let accepted = w
        .ok(&w.staff, id, "accept", json!({"note": "纳入议事目录"}))
        .await;
    assert_eq!(accepted["stage"], "discuss");
    assert_eq!(accepted["catalog_no"], format!("{}-0001", w.year));
    let v = accepted["version"].as_i64().unwrap();
    w.invalid_elsewhere(id, &["withdraw", "escalate", "decide"])
        .await;

    for (who, name) in [(&w.r2, "a resident"), (&w.author, "the author")] {
        for action in ["escalate", "decide"] {
            deny(
                app,
                &format!("{name} tries {action}"),
                w.act_v(who, id, v, action, json!({"decision": "决定"})),
                403,
                "permission.denied",
                None,
            )
            .await;
        }
    }
    let sibling_staff = w.sibling_staff().await;
    for action in ["escalate", "decide"] {
        deny(
            app,
            &format!("staff of another community try {action}"),
            w.act_v(&sibling_staff, id, v, action, json!({"decision": "决定"})),
            403,
            "permission.denied",
            None,
        )
        .await;
    }
    deny(
        app,
        "stale escalate",
        w.act_v(&w.staff, id, v - 1, "escalate", json!({})),
        409,
        "topic.stale_version",
        None,
    )
    .await;
    deny(
        app,
        "decide without decision",
        w.act_v(&w.staff, id, v, "decide", json!({})),
        422,
        "topic.decision_required",
        Some("decision"),
    )
    .await;
    deny(
        app,
        "decide with a blank decision",
        w.act_v(&w.staff, id, v, "decide", json!({"decision": " \n "})),
        422,
        "topic.decision_required",
        Some("decision"),
    )
    .await;
    for who in [&w.r2, &w.staff] {
        deny(
            app,
            "withdraw by a non-author in discuss",
            w.act_v(who, id, v, "withdraw", json!({})),
            403,
            "permission.denied",
            None,
        )
        .await;
    }

    let escalated = w.ok(&w.staff, id, "escalate", json!({})).await;
    assert_eq!(escalated["escalated"], true);
    assert_eq!(escalated["stage"], "discuss");
    let v = escalated["version"].as_i64().unwrap();
    deny(
        app,
        "escalate twice",
        w.act_v(&w.sub, id, v, "escalate", json!({})),
        409,
        "topic.already_escalated",
        None,
    )
    .await;
    let decided = w
        .ok(
            &w.staff,
            id,
            "decide",
            json!({"decision": "由物业更换路灯"}),
        )
        .await;
    assert_eq!(decided["stage"], "plan");
    assert_eq!(decided["decision"], "由物业更换路灯");
    assert_eq!(decided["escalated"], true);

    // The author may still withdraw in discuss.
    let other = w.raise("垃圾分类点太远").await;
    w.drive(other, "discuss").await;
    let out = w.ok(&w.author, other, "withdraw", json!({})).await;
    assert_eq!(out["resolution"], "withdrawn");
    w.verify_chains();
    w.app.stop().await;
}

#[actix_rt::test]
async fn a_major_topic_needs_a_hearing_before_a_decision() {
    let w = World::new(&[]).await;
    let app = &w.app;
    let mut body = w.new_topic(w.community, "加装电梯费用分摊");
    body["major"] = json!(true);
    let t = w.create(&w.staff, body).await;
    assert_eq!(t["major"], true);
    let id = id_of(&t);
    w.ok(&w.staff, id, "accept", json!({})).await;
    let v = w.version(id).await;
    deny(
        app,
        "decide a major topic without a hearing",
        w.act_v(&w.staff, id, v, "decide", json!({"decision": "按面积分摊"})),
        409,
        "topic.hearing_required",
        None,
    )
    .await;
    deny(
        app,
        "the missing decision is named before the missing hearing",
        w.act_v(&w.sub, id, v, "decide", json!({})),
        422,
        "topic.decision_required",
        Some("decision"),
    )
    .await;
    deny(
        app,
        "a resident is refused for the role first",
        w.act_v(&w.r2, id, v, "decide", json!({"decision": "按面积分摊"})),
        403,
        "permission.denied",
        None,
    )
    .await;
    w.app.stop().await;
}

#[actix_rt::test]
async fn plan_refusals_while_the_notice_period_runs() {
    // Default notice period: 7 days.
    let w = World::new(&[]).await;
    let app = &w.app;
    let id = w.raise("小区路灯不亮").await;
    w.drive(id, "plan").await;
    w.invalid_elsewhere(id, &["publish_plan", "approve_plan"])
        .await;
    let v = w.version(id).await;
    deny(
        app,
        "publish without tasks",
        w.act_v(&w.staff, id, v, "publish_plan", json!({})),
        409,
        "topic.plan_has_no_tasks",
        None,
    )
    .await;
    let saved = app
        .put_json(
            &format!("/api/v1/topics/{id}/plan"),
            &w.staff.token,
            json!({"summary": "更换路灯", "resources": []}),
        )
        .await;
    assert_eq!(saved.status.as_u16(), 200, "{:?}", saved.body);
    deny(
        app,
        "publish a plan with a summary but no tasks",
        w.act_v(&w.staff, id, v, "publish_plan", json!({})),
        409,
        "topic.plan_has_no_tasks",
        None,
    )
    .await;
    deny(
        app,
        "approve an unpublished plan",
        w.act_v(&w.sub, id, v, "approve_plan", json!({})),
        409,
        "topic.plan_not_published",
        None,
    )
    .await;
    w.add_task(id, w.firm, 30).await;
    for who in [&w.author, &w.r2] {
        deny(
            app,
            "a resident publishes",
            w.act_v(who, id, v, "publish_plan", json!({})),
            403,
            "permission.denied",
            None,
        )
        .await;
    }
    let sibling_staff = w.sibling_staff().await;
    deny(
        app,
        "staff of another community publish",
        w.act_v(&sibling_staff, id, v, "publish_plan", json!({})),
        403,
        "permission.denied",
        None,
    )
    .await;
    let published = w.ok(&w.staff, id, "publish_plan", json!({})).await;
    assert_eq!(published["stage"], "plan");
    let plan = w.plan(id).await;
    assert_eq!(plan["status"], "published");
    assert_eq!(plan["revision"], 1);
    let ends = chrono::DateTime::parse_from_rfc3339(plan["notice_ends_at"].as_str().unwrap())
        .unwrap()
        .with_timezone(&chrono::Utc);
    let days = (ends - chrono::Utc::now()).num_hours();
    assert!((167..=168).contains(&days), "7-day notice: {ends}");

    let v = published["version"].as_i64().unwrap();
    deny(
        app,
        "publish twice",
        w.act_v(&w.staff, id, v, "publish_plan", json!({})),
        409,
        "topic.plan_already_published",
        None,
    )
    .await;
    deny(
        app,
        "community staff approve",
        w.act_v(&w.staff, id, v, "approve_plan", json!({})),
        403,
        "permission.denied",
        None,
    )
    .await;
    let other_sub = w
        .user(
            "other-sub",
            &[(
                Role::SubdistrictStaff,
                Some(app.place("demo-330200-0-1")),
                None,
            )],
        )
        .await;
    deny(
        app,
        "sub-district staff of another sub-district approve",
        w.act_v(&other_sub, id, v, "approve_plan", json!({})),
        403,
        "permission.denied",
        None,
    )
    .await;
    deny(
        app,
        "approve while the notice period runs",
        w.act_v(&w.sub, id, v, "approve_plan", json!({})),
        409,
        "topic.notice_period_running",
        None,
    )
    .await;
    deny(
        app,
        "stale approve",
        w.act_v(&w.sub, id, v - 1, "approve_plan", json!({})),
        409,
        "topic.stale_version",
        None,
    )
    .await;
    w.app.stop().await;
}

#[actix_rt::test]
async fn an_upheld_objection_sends_the_plan_back_until_it_is_published_again() {
    let w = World::new(&[("workflow.notice_days", "0")]).await;
    let app = &w.app;
    let id = w.raise("小区路灯不亮").await;
    w.drive(id, "plan").await;
    w.add_task(id, w.firm, 30).await;
    w.ok(&w.staff, id, "publish_plan", json!({})).await;
    let objection = app
        .post(
            &format!("/api/v1/topics/{id}/objections"),
            Some(&w.r2.token),
            json!({"body": "路灯位置应改到路口"}),
        )
        .await;
    assert_eq!(objection.status.as_u16(), 201, "{:?}", objection.body);
    let v = w.version(id).await;
    deny(
        app,
        "approve with an unanswered objection",
        w.act_v(&w.sub, id, v, "approve_plan", json!({})),
        409,
        "topic.objections_unanswered",
        None,
    )
    .await;
    let answer = app
        .post(
            &format!("/api/v1/objections/{}/answer", objection.body["id"]),
            Some(&w.staff.token),
            json!({"decision": "upheld", "reason": "采纳，调整位置"}),
        )
        .await;
    assert_eq!(answer.status.as_u16(), 200, "{:?}", answer.body);
    assert_eq!(answer.body["decision"], "upheld");
    let plan = w.plan(id).await;
    assert_eq!(plan["status"], "draft");
    assert_eq!(plan["published_at"], Value::Null);
    deny(
        app,
        "approve a plan sent back",
        w.act_v(&w.sub, id, v, "approve_plan", json!({})),
        409,
        "topic.plan_not_published",
        None,
    )
    .await;
    // Revised, published again, approved.
    let saved = app
        .put_json(
            &format!("/api/v1/topics/{id}/plan"),
            &w.staff.token,
            json!({"summary": "路灯改装在路口", "resources": []}),
        )
        .await;
    assert_eq!(saved.status.as_u16(), 200, "{:?}", saved.body);
    w.ok(&w.staff, id, "publish_plan", json!({})).await;
    let plan = w.plan(id).await;
    assert_eq!(plan["status"], "published");
    assert_eq!(plan["revision"], 2);
    let approved = w.ok(&w.sub, id, "approve_plan", json!({})).await;
    assert_eq!(approved["stage"], "act");
    assert_eq!(w.plan(id).await["status"], "approved");
    w.verify_chains();
    w.app.stop().await;
}

#[actix_rt::test]
async fn act_and_evaluate_refusals() {
    let w = World::new(&[("workflow.notice_days", "0")]).await;
    let app = &w.app;
    let id = w.raise("小区路灯不亮").await;
    w.drive(id, "act").await;
    w.invalid_elsewhere(id, &["complete"]).await;
    let v = w.version(id).await;
    deny(
        app,
        "complete with a task not done",
        w.act_v(&w.staff, id, v, "complete", json!({})),
        409,
        "topic.tasks_not_done",
        None,
    )
    .await;
    deny(
        app,
        "the author completes",
        w.act_v(&w.author, id, v, "complete", json!({})),
        403,
        "permission.denied",
        None,
    )
    .await;
    let sibling_staff = w.sibling_staff().await;
    deny(
        app,
        "staff of another community complete",
        w.act_v(&sibling_staff, id, v, "complete", json!({})),
        403,
        "permission.denied",
        None,
    )
    .await;
    let firm_user = w
        .user(
            "firm",
            &[(Role::PropertyFirm, Some(w.community), Some(w.firm))],
        )
        .await;
    deny(
        app,
        "the responsible firm completes",
        w.act_v(&firm_user, id, v, "complete", json!({})),
        403,
        "permission.denied",
        None,
    )
    .await;
    // A second task: one done is not enough.
    let t1 = w.plan(id).await["tasks"][0].clone();
    w.add_task(id, w.firm, 10).await;
    let r = app
        .patch(
            &format!("/api/v1/tasks/{}", t1["id"]),
            Some(&firm_user.token),
            json!({"status": "done", "expected_version": t1["version"]}),
        )
        .await;
    assert_eq!(r.status.as_u16(), 200, "{:?}", r.body);
    let v = w.version(id).await;
    deny(
        app,
        "complete with one of two tasks done",
        w.act_v(&w.staff, id, v, "complete", json!({})),
        409,
        "topic.tasks_not_done",
        None,
    )
    .await;
    w.drive(id, "evaluate").await;

    w.invalid_elsewhere(id, &["close", "rework"]).await;
    let v = w.version(id).await;
    deny(
        app,
        "close with the window open and no ratings",
        w.act_v(&w.staff, id, v, "close", json!({})),
        409,
        "topic.evaluation_open",
        None,
    )
    .await;
    deny(
        app,
        "rework without ratings",
        w.act_v(&w.staff, id, v, "rework", json!({})),
        409,
        "topic.no_ratings",
        None,
    )
    .await;
    let rated = app
        .post(
            &format!("/api/v1/topics/{id}/evaluations"),
            Some(&w.author.token),
            json!({"score": 5, "comment": "修好了"}),
        )
        .await;
    assert_eq!(rated.status.as_u16(), 200, "{:?}", rated.body);
    deny(
        app,
        "close with one of five ratings and the window open",
        w.act_v(&w.staff, id, v, "close", json!({})),
        409,
        "topic.evaluation_open",
        None,
    )
    .await;
    deny(
        app,
        "rework a satisfying result",
        w.act_v(&w.staff, id, v, "rework", json!({})),
        409,
        "topic.satisfied",
        None,
    )
    .await;
    for action in ["close", "rework"] {
        deny(
            app,
            &format!("the author tries {action}"),
            w.act_v(&w.author, id, v, action, json!({})),
            403,
            "permission.denied",
            None,
        )
        .await;
        deny(
            app,
            &format!("staff of another community try {action}"),
            w.act_v(&sibling_staff, id, v, action, json!({})),
            403,
            "permission.denied",
            None,
        )
        .await;
    }
    deny(
        app,
        "stale close",
        w.act_v(&w.staff, id, v + 1, "close", json!({})),
        409,
        "topic.stale_version",
        None,
    )
    .await;
    w.verify_chains();
    w.app.stop().await;
}

/// docs/api.md: "A window that passes with no rating closes the topic"; rework still needs a
/// rating, and nobody rates after the window.
#[actix_rt::test]
async fn after_the_window_no_rating_or_rework_but_close_without_ratings() {
    let w = World::new(&[
        ("workflow.notice_days", "0"),
        ("workflow.evaluation_days", "0"),
    ])
    .await;
    let app = &w.app;
    let id = w.raise("小区路灯不亮").await;
    w.drive(id, "evaluate").await;
    let v = w.version(id).await;
    deny(
        app,
        "a rating after the window",
        app.post(
            &format!("/api/v1/topics/{id}/evaluations"),
            Some(&w.author.token),
            json!({"score": 4}),
        ),
        409,
        "topic.evaluation_closed",
        None,
    )
    .await;
    deny(
        app,
        "rework with no ratings after the window",
        w.act_v(&w.staff, id, v, "rework", json!({})),
        409,
        "topic.no_ratings",
        None,
    )
    .await;
    deny(
        app,
        "the author closes",
        w.act_v(&w.author, id, v, "close", json!({})),
        403,
        "permission.denied",
        None,
    )
    .await;
    let closed = w.ok(&w.staff, id, "close", json!({})).await;
    assert_eq!(
        (closed["stage"].as_str(), closed["resolution"].as_str()),
        (Some("closed"), Some("resolved"))
    );
    w.invalid_elsewhere(id, &[]).await;
    w.verify_chains();
    w.app.stop().await;
}

// ---------------------------------------------------------------------------------------
// 3. Supports (附议)
// ---------------------------------------------------------------------------------------

#[actix_rt::test]
async fn supports_one_per_resident_while_open_and_the_hot_flag() {
    let w = World::new(&[("workflow.hot_threshold", "3")]).await;
    let app = &w.app;
    let id = w.raise("小区路灯不亮").await;
    let path = format!("/api/v1/topics/{id}/supports");
    let support = |who: &User| {
        let token = who.token.clone();
        let path = path.clone();
        async move { app.post(&path, Some(&token), json!({})).await }
    };
    let undo = |who: &User| {
        let token = who.token.clone();
        let path = path.clone();
        async move { app.delete(&path, Some(&token)).await }
    };

    let outsider = w.outsider().await;
    for (who, name) in [
        (&w.staff, "community staff (not a resident)"),
        (&w.sub, "sub-district staff"),
        (&outsider, "a resident of another community"),
    ] {
        deny(app, name, support(who), 403, "permission.denied", None).await;
    }
    let firm_user = w
        .user(
            "firm",
            &[(Role::PropertyFirm, Some(w.community), Some(w.firm))],
        )
        .await;
    deny(
        app,
        "a property firm",
        support(&firm_user),
        403,
        "permission.denied",
        None,
    )
    .await;

    let r = support(&w.r2).await;
    assert_eq!(r.status.as_u16(), 200, "{:?}", r.body);
    assert_eq!(
        (
            &r.body["supporters_count"],
            &r.body["supported"],
            &r.body["hot"]
        ),
        (&json!(1), &json!(true), &json!(false))
    );
    deny(
        app,
        "a second support",
        support(&w.r2),
        409,
        "topic.already_supported",
        None,
    )
    .await;
    let r = undo(&w.r2).await;
    assert_eq!(r.status.as_u16(), 200, "{:?}", r.body);
    assert_eq!(r.body["supporters_count"], 0);
    assert_eq!(r.body["supported"], false);
    assert_eq!(app.count("supports"), 0);
    deny(
        app,
        "undo twice",
        undo(&w.r2),
        404,
        "support.not_found",
        None,
    )
    .await;
    deny(
        app,
        "undo by one who never supported",
        undo(&w.r3),
        404,
        "support.not_found",
        None,
    )
    .await;

    // The hot flag flips at the threshold, both ways.
    let r4 = w.resident("r4").await;
    for (who, count, hot) in [(&w.r2, 1, false), (&w.r3, 2, false), (&r4, 3, true)] {
        let r = support(who).await;
        assert_eq!(r.status.as_u16(), 200, "{:?}", r.body);
        assert_eq!(r.body["supporters_count"], count);
        assert_eq!(r.body["hot"], hot, "at {count}");
        assert_eq!(w.topic(id).await["hot"], hot, "topic at {count}");
    }
    let r = undo(&r4).await;
    assert_eq!(
        (&r.body["supporters_count"], &r.body["hot"]),
        (&json!(2), &json!(false))
    );
    assert_eq!(w.topic(id).await["hot"], false);
    let r = support(&r4).await;
    assert_eq!(r.body["hot"], true);

    // Still open in discuss; closed once decided.
    w.drive(id, "discuss").await;
    let r = support(&w.author).await;
    assert_eq!(r.status.as_u16(), 200, "{:?}", r.body);
    assert_eq!(r.body["supporters_count"], 4);
    w.drive(id, "plan").await;
    let r5 = w.resident("r5").await;
    deny(
        app,
        "support in plan",
        support(&r5),
        409,
        "topic.support_closed",
        None,
    )
    .await;
    deny(
        app,
        "undo in plan",
        undo(&w.r2),
        409,
        "topic.support_closed",
        None,
    )
    .await;
    assert_eq!(w.topic(id).await["supporters_count"], 4);
    w.verify_chains();
    w.app.stop().await;
}

/// Supports by different residents at the same moment: `supporters_count` must equal the
/// number of support rows (no lost update between concurrent recounts).
#[actix_rt::test]
async fn parallel_supports_by_different_residents_are_each_counted() {
    let w = World::new(&[]).await;
    let app = &w.app;
    let id = w.raise("小区路灯不亮").await;
    let mut residents = Vec::new();
    for i in 0..8 {
        residents.push(w.resident(&format!("p{i}")).await);
    }
    let path = format!("/api/v1/topics/{id}/supports");
    let answers = futures_util::future::join_all(
        residents
            .iter()
            .map(|r| app.post(&path, Some(&r.token), json!({}))),
    )
    .await;
    for r in &answers {
        assert_eq!(r.status.as_u16(), 200, "{:?}", r.body);
    }
    assert_eq!(app.count("supports"), 8);
    assert_eq!(
        w.topic(id).await["supporters_count"],
        8,
        "supporters_count matches the support rows after parallel supports"
    );
    // And back down: six undo at once.
    let answers = futures_util::future::join_all(
        residents
            .iter()
            .take(6)
            .map(|r| app.delete(&path, Some(&r.token))),
    )
    .await;
    for r in &answers {
        assert_eq!(r.status.as_u16(), 200, "{:?}", r.body);
    }
    assert_eq!(app.count("supports"), 2);
    assert_eq!(
        w.topic(id).await["supporters_count"],
        2,
        "supporters_count matches the support rows after parallel undos"
    );
    w.verify_chains();
    w.app.stop().await;
}

// ---------------------------------------------------------------------------------------
// 4. Comments and moderation
// ---------------------------------------------------------------------------------------

#[actix_rt::test]
async fn comment_rules_and_moderation() {
    let w = World::new(&[]).await;
    let app = &w.app;
    let id = w.raise("小区路灯不亮").await;
    let other = w.raise("垃圾分类点太远").await;
    let comment = |who: &User, topic: i64, body: Value| {
        let token = who.token.clone();
        async move {
            app.post(
                &format!("/api/v1/topics/{topic}/comments"),
                Some(&token),
                body,
            )
            .await
        }
    };
    for stance in ["for", "against"] {
        deny(
            app,
            &format!("stance {stance} in say"),
            comment(&w.r2, id, json!({"body": "同意", "stance": stance})),
            422,
            "comment.stance_not_allowed",
            Some("stance"),
        )
        .await;
    }
    let c1 = comment(
        &w.r2,
        id,
        json!({"body": "路灯坏了很久了", "stance": "neutral"}),
    )
    .await;
    assert_eq!(c1.status.as_u16(), 201, "{:?}", c1.body);
    let c1 = id_of(&c1.body);
    let elsewhere = comment(&w.r3, other, json!({"body": "确实太远"})).await;
    assert_eq!(elsewhere.status.as_u16(), 201, "{:?}", elsewhere.body);
    deny(
        app,
        "a parent on another topic",
        comment(
            &w.r3,
            id,
            json!({"body": "回复", "parent_id": id_of(&elsewhere.body)}),
        ),
        422,
        "comment.invalid_parent",
        Some("parent_id"),
    )
    .await;
    deny(
        app,
        "a parent that does not exist",
        comment(&w.r3, id, json!({"body": "回复", "parent_id": 987_654_321})),
        422,
        "comment.invalid_parent",
        Some("parent_id"),
    )
    .await;
    let outsider = w.outsider().await;
    deny(
        app,
        "a user with no role at the place",
        comment(&outsider, id, json!({"body": "路过"})),
        403,
        "permission.denied",
        None,
    )
    .await;
    let nobody = w.user("nobody", &[]).await;
    deny(
        app,
        "a user with no role at all",
        comment(&nobody, id, json!({"body": "路过"})),
        403,
        "permission.denied",
        None,
    )
    .await;
    deny(
        app,
        "an empty comment",
        comment(&w.r3, id, json!({"body": ""})),
        422,
        "validation.length",
        Some("body"),
    )
    .await;
    deny(
        app,
        "an unknown stance",
        comment(&w.r3, id, json!({"body": "嗯", "stance": "maybe"})),
        400,
        "request.invalid_field",
        Some("stance"),
    )
    .await;
    let reply = comment(&w.r3, id, json!({"body": "同感", "parent_id": c1})).await;
    assert_eq!(reply.status.as_u16(), 201, "{:?}", reply.body);

    // Moderation.
    let hide_path = format!("/api/v1/comments/{c1}/hide");
    let hide = |who: &User, body: Value| {
        let token = who.token.clone();
        let path = hide_path.clone();
        async move { app.post(&path, Some(&token), body).await }
    };
    for (who, name) in [(&w.author, "a resident"), (&w.r2, "the comment's author")] {
        deny(
            app,
            &format!("hide by {name}"),
            hide(who, json!({"reason": "不文明"})),
            403,
            "permission.denied",
            None,
        )
        .await;
    }
    let sibling_staff = w.sibling_staff().await;
    deny(
        app,
        "hide by staff of another community",
        hide(&sibling_staff, json!({"reason": "不文明"})),
        403,
        "permission.denied",
        None,
    )
    .await;
    deny(
        app,
        "hide without reason",
        hide(&w.staff, json!({})),
        400,
        "request.missing_field",
        Some("reason"),
    )
    .await;
    deny(
        app,
        "hide with an empty reason",
        hide(&w.staff, json!({"reason": ""})),
        422,
        "validation.length",
        Some("reason"),
    )
    .await;
    let hidden = hide(&w.staff, json!({"reason": "含有个人信息"})).await;
    assert_eq!(hidden.status.as_u16(), 200, "{:?}", hidden.body);
    assert_eq!(hidden.body["hidden"], true);
    assert_eq!(hidden.body["hidden_reason"], "含有个人信息");
    deny(
        app,
        "hide twice",
        hide(&w.sub, json!({"reason": "再次"})),
        409,
        "comment.already_hidden",
        None,
    )
    .await;
    let seen_by = |list: Vec<Value>| {
        list.into_iter()
            .find(|c| c["id"] == c1)
            .expect("the hidden comment is listed")
    };
    let as_other = seen_by(w.comments_as(&w.r3, id).await);
    assert_eq!(as_other["hidden"], true);
    assert_eq!(as_other["body"], "", "another resident sees no body");
    let as_author = seen_by(w.comments_as(&w.r2, id).await);
    assert_eq!(as_author["body"], "路灯坏了很久了");
    let as_staff = seen_by(w.comments_as(&w.staff, id).await);
    assert_eq!(as_staff["body"], "路灯坏了很久了");
    let as_sub = seen_by(w.comments_as(&w.sub, id).await);
    assert_eq!(as_sub["body"], "路灯坏了很久了");

    // A side may be taken during discuss; nothing once closed.
    w.drive(other, "discuss").await;
    let r = comment(&w.r2, other, json!({"body": "支持", "stance": "for"})).await;
    assert_eq!(r.status.as_u16(), 201, "{:?}", r.body);
    w.ok(&w.staff, id, "reject", json!({"reason": "重复"}))
        .await;
    deny(
        app,
        "a comment on a closed topic",
        comment(&w.r3, id, json!({"body": "还有人管吗"})),
        409,
        "topic.comments_closed",
        None,
    )
    .await;
    deny(
        app,
        "staff comment on a closed topic",
        comment(&w.staff, id, json!({"body": "已处理"})),
        409,
        "topic.comments_closed",
        None,
    )
    .await;
    w.verify_chains();
    w.app.stop().await;
}

// ---------------------------------------------------------------------------------------
// 5. Evaluation (评)
// ---------------------------------------------------------------------------------------

#[actix_rt::test]
async fn evaluation_eligibility_scores_window_and_edits() {
    let w = World::new(&[("workflow.notice_days", "0")]).await;
    let app = &w.app;
    let id = w.raise("小区路灯不亮").await;
    let r4 = w.resident("r4").await;
    // r2 supports, r3 comments, r4 does neither.
    let s = app
        .post(
            &format!("/api/v1/topics/{id}/supports"),
            Some(&w.r2.token),
            json!({}),
        )
        .await;
    assert_eq!(s.status.as_u16(), 200);
    let c = app
        .post(
            &format!("/api/v1/topics/{id}/comments"),
            Some(&w.r3.token),
            json!({"body": "我家门口也不亮"}),
        )
        .await;
    assert_eq!(c.status.as_u16(), 201);
    let rate = |who: &User, body: Value| {
        let token = who.token.clone();
        async move {
            app.post(
                &format!("/api/v1/topics/{id}/evaluations"),
                Some(&token),
                body,
            )
            .await
        }
    };
    for stage in ["say", "discuss", "plan", "act"] {
        w.drive(id, stage).await;
        deny(
            app,
            &format!("a rating in {stage}"),
            rate(&w.author, json!({"score": 4})),
            409,
            "topic.evaluation_closed",
            None,
        )
        .await;
    }
    w.drive(id, "evaluate").await;
    let outsider = w.outsider().await;
    for (who, name) in [
        (&r4, "a resident who took no part"),
        (&outsider, "a resident of another community"),
        (&w.staff, "staff"),
    ] {
        deny(
            app,
            name,
            rate(who, json!({"score": 4})),
            403,
            "evaluation.not_eligible",
            None,
        )
        .await;
    }
    for score in [0, 6, -1] {
        deny(
            app,
            &format!("score {score}"),
            rate(&w.author, json!({"score": score})),
            422,
            "validation.range",
            Some("score"),
        )
        .await;
    }
    deny(
        app,
        "score not a number",
        rate(&w.author, json!({"score": "five"})),
        400,
        "request.invalid_field",
        Some("score"),
    )
    .await;

    let r = rate(&w.author, json!({"score": 2, "comment": "亮度不够"})).await;
    assert_eq!(r.status.as_u16(), 200, "{:?}", r.body);
    assert_eq!(
        (&r.body["count"], &r.body["mean"]),
        (&json!(1), &json!(2.0))
    );
    let r = rate(&w.author, json!({"score": 4, "comment": "调亮了"})).await;
    assert_eq!(r.status.as_u16(), 200, "{:?}", r.body);
    assert_eq!(
        (&r.body["count"], &r.body["mean"]),
        (&json!(1), &json!(4.0))
    );
    assert_eq!(app.count("evaluations"), 1, "an edit, not a second rating");
    // The supporter and the commenter may rate too.
    let r = rate(&w.r2, json!({"score": 5})).await;
    assert_eq!(r.status.as_u16(), 200, "{:?}", r.body);
    let r = rate(&w.r3, json!({"score": 3})).await;
    assert_eq!(r.status.as_u16(), 200, "{:?}", r.body);
    let summary = app
        .get(
            &format!("/api/v1/topics/{id}/evaluations"),
            Some(&w.staff.token),
        )
        .await;
    assert_eq!(summary.body["count"], 3);
    assert_eq!(summary.body["mean"], 4.0);
    assert_eq!(summary.body["distribution"], json!([0, 0, 1, 1, 1]));
    assert_eq!(app.count("evaluations"), 3);
    w.verify_chains();
    w.app.stop().await;
}

/// SPEC: "residents who raised, supported, commented on or attended a meeting about the topic
/// rate 1-5". Staff or the responsible firm who commented are not residents and must not rate
/// their own work.
#[actix_rt::test]
async fn only_residents_rate_even_when_others_commented() {
    let w = World::new(&[("workflow.notice_days", "0")]).await;
    let app = &w.app;
    let id = w.raise("小区路灯不亮").await;
    let firm_user = w
        .user(
            "firm",
            &[(Role::PropertyFirm, Some(w.community), Some(w.firm))],
        )
        .await;
    for who in [&firm_user, &w.staff] {
        let c = app
            .post(
                &format!("/api/v1/topics/{id}/comments"),
                Some(&who.token),
                json!({"body": "我们会尽快处理"}),
            )
            .await;
        assert_eq!(c.status.as_u16(), 201, "{:?}", c.body);
    }
    w.drive(id, "evaluate").await;
    for (who, name) in [(&firm_user, "the responsible firm"), (&w.staff, "staff")] {
        deny(
            app,
            &format!("{name}, who commented, rates"),
            app.post(
                &format!("/api/v1/topics/{id}/evaluations"),
                Some(&who.token),
                json!({"score": 5}),
            ),
            403,
            "evaluation.not_eligible",
            None,
        )
        .await;
    }
    w.app.stop().await;
}

// ---------------------------------------------------------------------------------------
// 6. Tasks (办) and supervision (督办)
// ---------------------------------------------------------------------------------------

#[actix_rt::test]
async fn task_updates_and_supervision_lists() {
    let w = World::new(&[("workflow.notice_days", "0")]).await;
    let app = &w.app;
    let firm_user = w
        .user(
            "firm",
            &[(Role::PropertyFirm, Some(w.community), Some(w.firm))],
        )
        .await;
    let other_firm_user = w
        .user(
            "other-firm",
            &[(Role::PropertyFirm, Some(w.community), Some(w.other_firm))],
        )
        .await;
    let id = w.raise("小区路灯不亮").await;
    w.drive(id, "plan").await;
    let t1 = w.add_task(id, w.firm, 30).await;
    let t2 = w.add_task(id, w.firm, -2).await;
    let t3 = w.add_task(id, w.other_firm, -1).await;
    assert_eq!(t2["overdue"], true);
    assert_eq!(t1["overdue"], false);
    let task_path = |t: &Value| format!("/api/v1/tasks/{}", t["id"]);
    deny(
        app,
        "a task update while the topic is in plan",
        app.patch(
            &task_path(&t1),
            Some(&firm_user.token),
            json!({"status": "in_progress", "expected_version": 1}),
        ),
        409,
        "topic.not_in_act",
        None,
    )
    .await;
    // A task of a topic in another community, also past due.
    let outsider = w.outsider().await;
    let far_topic = id_of(
        &w.create(&outsider, w.new_topic(w.sibling, "和义社区的路灯"))
            .await,
    );
    w.drive(far_topic, "plan").await;
    let t4 = w.add_task(far_topic, w.firm, -3).await;
    w.drive(id, "act").await;

    // Another organisation's user neither updates nor learns about the task.
    let before = snapshot(app);
    let r = app
        .patch(
            &task_path(&t1),
            Some(&other_firm_user.token),
            json!({"status": "done", "expected_version": 1}),
        )
        .await;
    assert!(
        matches!(r.status.as_u16(), 403 | 404),
        "another firm: {} {:?}",
        r.status,
        r.body
    );
    assert!(
        matches!(r.code(), "permission.denied" | "task.not_found"),
        "{:?}",
        r.body
    );
    assert_eq!(snapshot(app), before, "another firm changes nothing");
    deny(
        app,
        "a resident updates a task",
        app.patch(
            &task_path(&t1),
            Some(&w.author.token),
            json!({"status": "done", "expected_version": 1}),
        ),
        403,
        "permission.denied",
        None,
    )
    .await;
    deny(
        app,
        "a stale task version",
        app.patch(
            &task_path(&t1),
            Some(&firm_user.token),
            json!({"status": "done", "expected_version": 2}),
        ),
        409,
        "task.stale_version",
        None,
    )
    .await;
    deny(
        app,
        "neither status nor note",
        app.patch(
            &task_path(&t1),
            Some(&firm_user.token),
            json!({"expected_version": 1}),
        ),
        422,
        "validation.required",
        Some("status"),
    )
    .await;
    deny(
        app,
        "an unknown status",
        app.patch(
            &task_path(&t1),
            Some(&firm_user.token),
            json!({"status": "finished", "expected_version": 1}),
        ),
        400,
        "request.invalid_field",
        Some("status"),
    )
    .await;

    // 督办: past-due tasks not done, for staff of the place.
    let overdue = |who: &User, place: i64| {
        let token = who.token.clone();
        async move {
            app.get(
                &format!("/api/v1/tasks?place_id={place}&overdue=true&limit=100"),
                Some(&token),
            )
            .await
        }
    };
    let r = overdue(&w.staff, w.community).await;
    assert_eq!(r.status.as_u16(), 200, "{:?}", r.body);
    assert_eq!(ids(&r.body), BTreeSet::from([id_of(&t2), id_of(&t3)]));
    assert!(
        r.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["overdue"] == true && t["status"] != "done")
    );
    let r = overdue(&w.sub, w.subdistrict).await;
    assert_eq!(
        ids(&r.body),
        BTreeSet::from([id_of(&t2), id_of(&t3), id_of(&t4)])
    );
    let all = app
        .get(
            &format!("/api/v1/tasks?place_id={}&limit=100", w.community),
            Some(&w.staff.token),
        )
        .await;
    assert_eq!(
        ids(&all.body),
        BTreeSet::from([id_of(&t1), id_of(&t2), id_of(&t3)])
    );
    for (who, name) in [
        (&w.author, "a resident"),
        (&outsider, "a resident elsewhere"),
    ] {
        deny(
            app,
            &format!("{name} lists tasks of the place"),
            overdue(who, w.community),
            403,
            "permission.denied",
            None,
        )
        .await;
    }
    let sibling_staff = w.sibling_staff().await;
    deny(
        app,
        "staff of another community list tasks here",
        overdue(&sibling_staff, w.community),
        403,
        "permission.denied",
        None,
    )
    .await;
    // Done tasks leave the overdue list.
    let r = app
        .patch(
            &task_path(&t2),
            Some(&firm_user.token),
            json!({"status": "done", "progress_note": "已更换", "expected_version": 1}),
        )
        .await;
    assert_eq!(r.status.as_u16(), 200, "{:?}", r.body);
    assert_eq!(r.body["overdue"], false);
    let r = overdue(&w.staff, w.community).await;
    assert_eq!(ids(&r.body), BTreeSet::from([id_of(&t3)]));

    // Without place_id: organisation users see their organisation's tasks where they hold
    // the grant only: t4 (the same firm, in the sibling community, where this user has no
    // grant) is not listed, nor is t3 (another firm).
    let mine = app
        .get("/api/v1/tasks?limit=100", Some(&firm_user.token))
        .await;
    assert_eq!(mine.status.as_u16(), 200, "{:?}", mine.body);
    assert_eq!(ids(&mine.body), BTreeSet::from([id_of(&t1), id_of(&t2)]));
    let mine_overdue = app
        .get("/api/v1/tasks?overdue=true", Some(&firm_user.token))
        .await;
    assert_eq!(ids(&mine_overdue.body), BTreeSet::new());
    let filtered = app
        .get(
            &format!("/api/v1/tasks?organization_id={}", w.other_firm),
            Some(&firm_user.token),
        )
        .await;
    // Either an empty list or 422 (no organisation of the caller is left): never t3.
    assert!(
        filtered.body["items"]
            .as_array()
            .is_none_or(|items| items.is_empty()),
        "another organisation's filter shows nothing: {:?}",
        filtered.body
    );
    let theirs = app
        .get("/api/v1/tasks?limit=100", Some(&other_firm_user.token))
        .await;
    assert_eq!(theirs.status.as_u16(), 200, "{:?}", theirs.body);
    assert_eq!(ids(&theirs.body), BTreeSet::from([id_of(&t3)]));
    let theirs_overdue = app
        .get("/api/v1/tasks?overdue=true", Some(&other_firm_user.token))
        .await;
    assert_eq!(ids(&theirs_overdue.body), BTreeSet::from([id_of(&t3)]));
    for (who, name) in [(&w.author, "a resident"), (&w.staff, "staff")] {
        deny(
            app,
            &format!("{name} lists tasks without place_id"),
            app.get("/api/v1/tasks", Some(&who.token)),
            422,
            "validation.required",
            Some("place_id"),
        )
        .await;
    }
    deny(
        app,
        "anonymous lists tasks",
        app.get("/api/v1/tasks", None),
        401,
        "auth.missing_token",
        None,
    )
    .await;
    w.verify_chains();
    w.app.stop().await;
}

// ---------------------------------------------------------------------------------------
// 7. Concurrency (SQLite and PostgreSQL)
// ---------------------------------------------------------------------------------------

#[actix_rt::test]
async fn parallel_accepts_number_the_catalog_without_gaps_or_duplicates() {
    let w = World::new(&[]).await;
    let app = &w.app;
    let mut topics = Vec::new();
    for i in 0..8 {
        topics.push(w.raise(&format!("议题{i}")).await);
    }
    let answers = futures_util::future::join_all(
        topics
            .iter()
            .map(|id| w.act_v(&w.staff, *id, 1, "accept", json!({"note": "纳入议事目录"}))),
    )
    .await;
    let mut numbers = BTreeSet::new();
    for r in &answers {
        assert_eq!(r.status.as_u16(), 200, "{:?}", r.body);
        assert_eq!(r.body["stage"], "discuss");
        numbers.insert(r.body["catalog_no"].as_str().unwrap().to_string());
    }
    let expected: BTreeSet<String> = (1..=8).map(|n| format!("{}-{n:04}", w.year)).collect();
    assert_eq!(numbers, expected);
    // A community of its own starts at 0001.
    let outsider = w.outsider().await;
    let there = id_of(
        &w.create(&outsider, w.new_topic(w.sibling, "和义社区的路灯"))
            .await,
    );
    let r = w.ok(&w.sub, there, "accept", json!({})).await;
    assert_eq!(r["catalog_no"], format!("{}-0001", w.year));
    let catalog = app
        .get(
            &format!("/api/v1/public/places/{}/catalog?limit=100", w.community),
            None,
        )
        .await;
    assert_eq!(catalog.body["items"].as_array().unwrap().len(), 8);
    w.verify_chains();
    w.app.stop().await;
}

#[actix_rt::test]
async fn parallel_transitions_on_one_version_let_exactly_one_through() {
    let w = World::new(&[]).await;
    let app = &w.app;
    let id = w.raise("小区路灯不亮").await;
    w.drive(id, "discuss").await;
    let v = w.version(id).await;
    let answers = futures_util::future::join_all(
        (0..6).map(|_| w.act_v(&w.staff, id, v, "escalate", json!({}))),
    )
    .await;
    let won: Vec<&Resp> = answers
        .iter()
        .filter(|r| r.status.as_u16() == 200)
        .collect();
    assert_eq!(won.len(), 1, "{answers:?}");
    for r in answers.iter().filter(|r| r.status.as_u16() != 200) {
        assert_eq!(
            (r.status.as_u16(), r.code()),
            (409, "topic.stale_version"),
            "{:?}",
            r.body
        );
    }
    let t = w.topic(id).await;
    assert_eq!(t["version"], v + 1);
    assert_eq!(t["escalated"], true);
    let tl = app
        .get(
            &format!("/api/v1/topics/{id}/timeline?limit=100"),
            Some(&w.staff.token),
        )
        .await;
    let escalations = tl.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "transition" && e["from_stage"] == "discuss")
        .filter(|e| e["to_stage"] == "discuss")
        .count();
    assert_eq!(escalations, 1, "{:?}", tl.body);

    // Mixed actions on one version: still exactly one winner.
    let v = w.version(id).await;
    let mixed = futures_util::future::join_all([
        w.act_v(&w.staff, id, v, "decide", json!({"decision": "更换路灯"})),
        w.act_v(&w.sub, id, v, "decide", json!({"decision": "加装路灯"})),
        w.act_v(&w.author, id, v, "withdraw", json!({})),
        w.act_v(&w.sub, id, v, "decide", json!({"decision": "维修路灯"})),
    ])
    .await;
    assert_eq!(
        mixed.iter().filter(|r| r.status.as_u16() == 200).count(),
        1,
        "{mixed:?}"
    );
    assert!(
        mixed
            .iter()
            .filter(|r| r.status.as_u16() != 200)
            .all(|r| r.status.as_u16() == 409 && r.code() == "topic.stale_version"),
        "{mixed:?}"
    );
    assert_eq!(w.version(id).await, v + 1);
    w.verify_chains();
    w.app.stop().await;
}

// ---------------------------------------------------------------------------------------
// 8. The public catalog and pages
// ---------------------------------------------------------------------------------------

#[actix_rt::test]
async fn the_public_sees_accepted_topics_of_the_subtree_without_personal_data() {
    let w = World::new(&[]).await;
    let app = &w.app;
    // A: 幸福社区, accepted. E: a grid of 幸福社区, raised by a grid worker, accepted.
    // B: the sibling community, accepted. C: the other district, accepted.
    // D: 幸福社区, still in say. F: 幸福社区, rejected.
    let a = w.raise("小区路灯不亮").await;
    w.drive(a, "discuss").await;
    let gw = w
        .user("grid-worker", &[(Role::GridWorker, Some(w.grid), None)])
        .await;
    let mut at_grid = w.new_topic(w.grid, "网格内井盖缺失");
    at_grid["on_behalf_of"] = json!(w.author.id);
    let e = id_of(&w.create(&gw, at_grid).await);
    w.drive(e, "discuss").await;
    let outsider = w.outsider().await;
    let b = id_of(
        &w.create(&outsider, w.new_topic(w.sibling, "和义社区的路灯"))
            .await,
    );
    w.drive(b, "discuss").await;
    let far_resident = w
        .user("far-resident", &[(Role::Resident, Some(w.far), None)])
        .await;
    let far_staff = w
        .user("far-staff", &[(Role::CommunityStaff, Some(w.far), None)])
        .await;
    let c = id_of(
        &w.create(&far_resident, w.new_topic(w.far, "桃源社区停车难"))
            .await,
    );
    w.ok(&far_staff, c, "accept", json!({})).await;
    let d = w.raise("垃圾分类点太远").await;
    let f = w.raise("广场舞噪音").await;
    w.ok(&w.staff, f, "reject", json!({"reason": "已有同类议题"}))
        .await;

    for (id, name) in [(d, "in say"), (f, "rejected")] {
        deny(
            app,
            &format!("the public page of a topic {name}"),
            app.get(&format!("/api/v1/public/topics/{id}"), None),
            404,
            "topic.not_found",
            None,
        )
        .await;
    }
    let page = app.get(&format!("/api/v1/public/topics/{a}"), None).await;
    assert_eq!(page.status.as_u16(), 200, "{:?}", page.body);
    assert_eq!(page.body["topic"]["catalog_no"], format!("{}-0001", w.year));

    let catalog = |place: i64| async move {
        let r = app
            .get(
                &format!("/api/v1/public/places/{place}/catalog?limit=100"),
                None,
            )
            .await;
        assert_eq!(r.status.as_u16(), 200, "{:?}", r.body);
        r
    };
    let city = app.place("demo-330200");
    for (place, name, want) in [
        (w.community, "幸福社区", vec![a, e]),
        (w.grid, "幸福社区第1网格", vec![e]),
        (w.sibling, "the sibling community", vec![b]),
        (w.subdistrict, "the sub-district", vec![a, e, b]),
        (w.district, "the district", vec![a, e, b]),
        (w.other_district, "the other district", vec![c]),
        (w.far, "the far community", vec![c]),
        (city, "the city", vec![a, e, b, c]),
    ] {
        let r = catalog(place).await;
        assert_eq!(
            ids(&r.body),
            want.into_iter().collect::<BTreeSet<i64>>(),
            "catalog of {name}"
        );
        let text = r.body.to_string();
        for leak in [
            "author_id",
            "actor_id",
            "on_behalf_of",
            "email",
            "@example.com",
        ] {
            assert!(!text.contains(leak), "{leak} in the catalog of {name}");
        }
    }
    assert_eq!(
        catalog(app.place("demo-330200-0-1")).await.body["items"],
        json!([])
    );
    let unknown = app
        .get("/api/v1/public/places/987654321/catalog", None)
        .await;
    assert_eq!(
        (unknown.status.as_u16(), unknown.code()),
        (404, "place.not_found")
    );

    for id in [a, e, b, c] {
        let page = app.get(&format!("/api/v1/public/topics/{id}"), None).await;
        assert_eq!(page.status.as_u16(), 200, "{:?}", page.body);
        let text = page.body.to_string();
        for leak in [
            "author_id",
            "actor_id",
            "on_behalf_of",
            "email",
            "@example.com",
        ] {
            assert!(!text.contains(leak), "{leak} in the public page of {id}");
        }
    }
    w.app.stop().await;
}
