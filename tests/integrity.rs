#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Workflow and account integrity (issue 8, findings 3, 5, 7, 10c, 10d), over HTTP on the
//! database `TEST_DATABASE_URL` names (SQLite otherwise):
//! - a convener whose role was revoked loses control of their meeting;
//! - a password reset ends the other reset links and every session;
//! - a merge target must be open and in say or discuss;
//! - concurrent re-ratings by one resident replace the rating;
//! - attendance is never recorded for a declined invitation.

mod common;

use awc::http::StatusCode;
use chrono::{Duration, Utc};
use common::{Resp, TestApp};
use diesel::prelude::*;
use serde_json::{Value, json};
use yishi::auth::Role;
use yishi::db::schema::{role_grants, topics};
use yishi::topics::rules::Stage;

/// A time `days` ahead, on the hour (meetings are placed in the future, far apart).
fn ahead(days: i64, hour: i64) -> chrono::DateTime<Utc> {
    let t = Utc::now() + Duration::days(days);
    t - Duration::seconds(i64::from(chrono::Timelike::num_seconds_from_midnight(&t)))
        + Duration::hours(hour)
}

/// Demo places and the users these tests need; `community` is 幸福社区.
struct World {
    app: TestApp,
    community: i64,
    cppcc_id: i64,
    cppcc: String,
    staff: String,
    sub: String,
    admin: String,
    r1_id: i64,
    r1: String,
    r2_id: i64,
    r2: String,
}

impl World {
    async fn new(extra: &[(&str, &str)]) -> World {
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

    async fn topic(&self, id: i64) -> Value {
        let r = self
            .app
            .get(&format!("/api/v1/topics/{id}"), Some(&self.staff))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        r.body
    }

    /// A topic raised by r1 at 幸福社区.
    async fn raise(&self, title: &str) -> i64 {
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

    async fn act(&self, token: &str, id: i64, action: &str, extra: Value) -> Resp {
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

    async fn ok(&self, token: &str, id: i64, action: &str, extra: Value) {
        let r = self.act(token, id, action, extra).await;
        assert_eq!(r.status, StatusCode::OK, "{action}: {:?}", r.body);
    }

    /// Sets a topic's stage directly (for stages the HTTP path takes long to reach).
    fn force_stage(&self, id: i64, stage: Stage) {
        self.app.with_db(|c| {
            diesel::update(topics::table.find(id))
                .set(topics::stage.eq(stage))
                .execute(c)
                .unwrap();
        });
    }

    /// A draft meeting at 幸福社区 convened by `token`, `days` ahead.
    async fn meeting(&self, token: &str, days: i64) -> Value {
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

    async fn get_meeting(&self, id: i64) -> Value {
        let r = self
            .app
            .get(&format!("/api/v1/consultations/{id}"), Some(&self.sub))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        r.body
    }

    async fn meeting_act(&self, token: &str, id: i64, action: &str, extra: Value) -> Resp {
        self.app
            .meeting_transition(Some(token), id, action, extra)
            .await
    }

    async fn meeting_ok(&self, token: &str, id: i64, action: &str, extra: Value) {
        let r = self.meeting_act(token, id, action, extra).await;
        assert_eq!(r.status, StatusCode::OK, "{action}: {:?}", r.body);
    }

    async fn invite(&self, token: &str, id: i64, user: i64) -> i64 {
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

    async fn agenda_item(&self, token: &str, id: i64) -> i64 {
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
async fn meetings_state(w: &World, ids: &[i64]) -> Vec<Value> {
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

#[actix_rt::test]
async fn a_convener_whose_role_was_revoked_loses_control_of_their_meeting() {
    let w = World::new(&[]).await;
    let app = &w.app;
    // Three meetings of the CPPCC member: a draft, a scheduled one, one in progress, each
    // with an agenda item.
    let draft = w.meeting(&w.cppcc, 3).await["id"].as_i64().unwrap();
    let scheduled = w.meeting(&w.cppcc, 4).await["id"].as_i64().unwrap();
    let running = w.meeting(&w.cppcc, 5).await["id"].as_i64().unwrap();
    let mut items = Vec::new();
    for id in [draft, scheduled, running] {
        items.push(w.agenda_item(&w.cppcc, id).await);
    }
    let invitation = w.invite(&w.cppcc, running, w.r1_id).await;
    w.meeting_ok(&w.cppcc, scheduled, "schedule", json!({}))
        .await;
    w.meeting_ok(&w.cppcc, running, "schedule", json!({})).await;
    w.meeting_ok(&w.cppcc, running, "start", json!({})).await;

    // The admin revokes the convening grant.
    let grant: i64 = app.with_db(|c| {
        role_grants::table
            .filter(role_grants::user_id.eq(w.cppcc_id))
            .select(role_grants::id)
            .first(c)
            .unwrap()
    });
    let r = app
        .delete(
            &format!("/api/v1/users/{}/roles/{grant}", w.cppcc_id),
            Some(&w.admin),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);

    let before = meetings_state(&w, &[draft, scheduled, running]).await;
    let m = |id: i64, rest: &str| format!("/api/v1/consultations/{id}{rest}");
    let attempts: Vec<(&str, Resp)> = vec![
        (
            "edit",
            app.patch(
                &m(draft, ""),
                Some(&w.cppcc),
                json!({"title": "改名", "expected_version": w.get_meeting(draft).await["version"]}),
            )
            .await,
        ),
        (
            "move a scheduled meeting",
            app.patch(
                &m(scheduled, ""),
                Some(&w.cppcc),
                json!({"starts_at": ahead(6, 2), "ends_at": ahead(6, 3),
                       "expected_version": w.get_meeting(scheduled).await["version"]}),
            )
            .await,
        ),
        (
            "invite",
            app.post(
                &m(draft, "/invitations"),
                Some(&w.cppcc),
                json!({"user_id": w.r2_id, "category": "resident_rep"}),
            )
            .await,
        ),
        (
            "add an agenda item",
            app.post(
                &m(draft, "/agenda-items"),
                Some(&w.cppcc),
                json!({"title": "其他", "minutes": 5}),
            )
            .await,
        ),
        (
            "reorder the agenda",
            app.post(
                &m(draft, "/agenda-items/reorder"),
                Some(&w.cppcc),
                json!({"item_ids": [items[0]]}),
            )
            .await,
        ),
        (
            "schedule",
            w.meeting_act(&w.cppcc, draft, "schedule", json!({})).await,
        ),
        (
            "cancel",
            w.meeting_act(&w.cppcc, draft, "cancel", json!({"reason": "不开了"}))
                .await,
        ),
        (
            "start",
            w.meeting_act(&w.cppcc, scheduled, "start", json!({})).await,
        ),
        (
            "conclude",
            w.meeting_act(&w.cppcc, running, "conclude", json!({"minutes": "纪要"}))
                .await,
        ),
        (
            "record attendance",
            app.post(
                &m(running, "/attendance"),
                Some(&w.cppcc),
                json!({"attended_invitation_ids": [invitation]}),
            )
            .await,
        ),
        (
            "record an outcome with a task",
            app.post(
                &m(running, "/outcomes"),
                Some(&w.cppcc),
                json!({"agenda_item_id": items[2], "decision": "更换路灯", "consensus": "unanimous",
                       "follow_ups": [{"kind": "task", "title": "更换路灯"}]}),
            )
            .await,
        ),
    ];
    for (what, r) in attempts {
        assert_eq!(
            (r.status, r.code()),
            (StatusCode::FORBIDDEN, "permission.denied"),
            "{what}: {:?}",
            r.body
        );
    }
    assert_eq!(
        meetings_state(&w, &[draft, scheduled, running]).await,
        before,
        "refused requests changed nothing"
    );
    // Sub-district staff still run the meeting.
    w.meeting_ok(&w.sub, running, "conclude", json!({"minutes": "纪要"}))
        .await;
    w.app.stop().await;
}

// ---------------------------------------------------------------------------------------
// Finding 5: older password-reset tokens survive a successful reset.
// ---------------------------------------------------------------------------------------

#[actix_rt::test]
async fn a_password_reset_ends_the_other_reset_links_and_every_session() {
    let w = World::new(&[]).await;
    let app = &w.app;
    let email = "r2@example.com";
    let login = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email": email, "password": common::PASSWORD}),
        )
        .await;
    assert_eq!(login.status, StatusCode::OK, "{:?}", login.body);
    let access = login.body["access_token"].as_str().unwrap().to_string();
    let refresh = login.body["refresh_token"].as_str().unwrap().to_string();
    for _ in 0..2 {
        let r = app
            .post(
                "/api/v1/auth/password-reset/request",
                None,
                json!({"email": email}),
            )
            .await;
        assert!(r.status.is_success(), "{:?}", r.body);
    }
    let mails = app.mails_to(email, 2).await;
    let tokens: Vec<String> = mails.iter().map(|m| common::token_in(m)).collect();
    assert_ne!(tokens[0], tokens[1]);

    let confirm = |token: &str, password: &str| {
        let body = json!({"token": token, "new_password": password});
        async move {
            app.post("/api/v1/auth/password-reset/confirm", None, body)
                .await
        }
    };
    let first = confirm(&tokens[0], "a new horse battery staple").await;
    assert!(first.status.is_success(), "{:?}", first.body);
    let second = confirm(&tokens[1], "another horse battery staple").await;
    assert_eq!(
        (second.status, second.code()),
        (StatusCode::UNPROCESSABLE_ENTITY, "auth.invalid_email_token"),
        "{:?}",
        second.body
    );
    // The first new password holds; the second was never set.
    app.login_with(email, "a new horse battery staple").await;
    let refused = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email": email, "password": "another horse battery staple"}),
        )
        .await;
    assert_eq!(
        refused.status,
        StatusCode::UNAUTHORIZED,
        "{:?}",
        refused.body
    );

    // The session opened before the reset is over: its access and its refresh token.
    let me = app.get("/api/v1/me", Some(&access)).await;
    assert_eq!(me.status, StatusCode::UNAUTHORIZED, "{:?}", me.body);
    let r = app
        .post(
            "/api/v1/auth/refresh",
            None,
            json!({"refresh_token": refresh}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{:?}", r.body);
    // The token used for the reset cannot be used again either.
    let again = confirm(&tokens[0], "a third horse battery staple").await;
    assert_eq!(again.code(), "auth.invalid_email_token", "{:?}", again.body);
    w.app.stop().await;
}

// ---------------------------------------------------------------------------------------
// Finding 7: merging re-opens supports.
// ---------------------------------------------------------------------------------------

#[actix_rt::test]
async fn a_merge_target_must_be_open_and_in_say_or_discuss() {
    let w = World::new(&[]).await;
    let app = &w.app;
    let source = w.raise("路灯不亮（重复）").await;
    let s = app
        .post(
            &format!("/api/v1/topics/{source}/supports"),
            Some(&w.r2),
            json!({}),
        )
        .await;
    assert_eq!(s.status, StatusCode::OK, "{:?}", s.body);

    // A target in plan, reached over HTTP; act and evaluate set directly; one closed.
    let in_plan = w.raise("小区路灯不亮").await;
    w.ok(&w.sub, in_plan, "accept", json!({})).await;
    w.ok(
        &w.sub,
        in_plan,
        "decide",
        json!({"decision": "由物业更换路灯"}),
    )
    .await;
    assert_eq!(w.topic(in_plan).await["stage"], "plan");
    let in_act = w.raise("路灯坏了").await;
    w.force_stage(in_act, Stage::Act);
    let in_evaluate = w.raise("路灯太暗").await;
    w.force_stage(in_evaluate, Stage::Evaluate);
    let closed = w.raise("路灯闪烁").await;
    w.ok(&w.r1, closed, "withdraw", json!({})).await;

    let supports_before = w.app.count("supports");
    for (target, stage) in [
        (in_plan, "plan"),
        (in_act, "act"),
        (in_evaluate, "evaluate"),
        (closed, "closed"),
    ] {
        let r = w
            .act(
                &w.staff,
                source,
                "merge",
                json!({"target_topic_id": target}),
            )
            .await;
        assert_eq!(
            (r.status, r.code()),
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                "topic.invalid_merge_target"
            ),
            "merge into a topic in {stage}: {:?}",
            r.body
        );
        assert_eq!(r.body["field"], "target_topic_id");
    }
    assert_eq!(w.topic(source).await["stage"], "say");
    assert_eq!(
        w.app.count("supports"),
        supports_before,
        "no support carried"
    );

    // Into a topic in discuss it goes through, and the supports are carried.
    let in_discuss = w.raise("路灯需要维修").await;
    w.ok(&w.sub, in_discuss, "accept", json!({})).await;
    w.ok(
        &w.staff,
        source,
        "merge",
        json!({"target_topic_id": in_discuss}),
    )
    .await;
    let merged = w.topic(source).await;
    assert_eq!(
        (&merged["stage"], &merged["resolution"]),
        (&json!("closed"), &json!("merged"))
    );
    w.app.stop().await;
}

// ---------------------------------------------------------------------------------------
// Finding 10c: concurrent re-ratings by one resident get 409.
// ---------------------------------------------------------------------------------------

#[actix_rt::test]
async fn concurrent_re_ratings_by_one_resident_replace_the_rating() {
    let w = World::new(&[]).await;
    let app = &w.app;
    let id = w.raise("小区路灯不亮").await;
    // Straight into an open evaluation window (the way there is covered elsewhere).
    let closes = yishi::db::now() + Duration::days(7);
    app.with_db(|c| {
        diesel::update(topics::table.find(id))
            .set((
                topics::stage.eq(Stage::Evaluate),
                topics::eval_round.eq(1),
                topics::eval_closes_at.eq(Some(closes)),
            ))
            .execute(c)
            .unwrap();
    });
    let path = format!("/api/v1/topics/{id}/evaluations");
    let ratings = (1..=5).map(|score| {
        let path = path.clone();
        let token = w.r1.clone();
        async move {
            app.post(
                &path,
                Some(&token),
                json!({"score": score, "comment": "并发"}),
            )
            .await
        }
    });
    let answers = futures_util::future::join_all(ratings).await;
    for r in &answers {
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        assert_eq!(r.body["count"], 1, "{:?}", r.body);
    }
    assert_eq!(app.count("evaluations"), 1, "one rating row");
    // The last one to commit holds: one of the five, and a later rating replaces it.
    let summary = app.get(&path, Some(&w.staff)).await;
    let mean = summary.body["mean"].as_f64().unwrap();
    assert!((1.0..=5.0).contains(&mean) && mean.fract() == 0.0, "{mean}");
    let last = app
        .post(&path, Some(&w.r1), json!({"score": 2, "comment": "最后"}))
        .await;
    assert_eq!(last.status, StatusCode::OK, "{:?}", last.body);
    assert_eq!(
        (&last.body["count"], &last.body["mean"]),
        (&json!(1), &json!(2.0))
    );
    assert_eq!(app.count("evaluations"), 1);
    let checked = app.with_db(|c| yishi::topics::events::verify_all(c).unwrap());
    assert!(checked.is_ok(), "audit chain broken: {checked:?}");
    w.app.stop().await;
}

// ---------------------------------------------------------------------------------------
// Finding 10d: attendance can be recorded for a declined invitation.
// ---------------------------------------------------------------------------------------

#[actix_rt::test]
async fn attendance_is_refused_for_a_declined_invitation() {
    let w = World::new(&[]).await;
    let app = &w.app;
    let id = w.meeting(&w.cppcc, 3).await["id"].as_i64().unwrap();
    let declined = w.invite(&w.cppcc, id, w.r1_id).await;
    let accepted = w.invite(&w.cppcc, id, w.r2_id).await;
    for (token, response) in [(&w.r1, "declined"), (&w.r2, "accepted")] {
        let r = app
            .post(
                &format!("/api/v1/consultations/{id}/rsvp"),
                Some(token),
                json!({"response": response}),
            )
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
    }
    w.meeting_ok(&w.cppcc, id, "schedule", json!({})).await;
    w.meeting_ok(&w.cppcc, id, "start", json!({})).await;

    let path = format!("/api/v1/consultations/{id}/attendance");
    let r = app
        .post(
            &path,
            Some(&w.cppcc),
            json!({"attended_invitation_ids": [accepted, declined]}),
        )
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::UNPROCESSABLE_ENTITY, "invitation.declined"),
        "{:?}",
        r.body
    );
    assert_eq!(r.body["field"], "attended_invitation_ids");
    let detail = r.body["detail"].as_str().unwrap();
    assert!(
        detail.contains(&declined.to_string()) && detail.contains(&w.r1_id.to_string()),
        "names the invitation and the user: {detail}"
    );
    let list = app
        .get(
            &format!("/api/v1/consultations/{id}/invitations"),
            Some(&w.cppcc),
        )
        .await;
    assert!(
        list.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["attended"] == false),
        "nothing recorded: {:?}",
        list.body
    );
    // Without the declined invitation it is recorded.
    let r = app
        .post(
            &path,
            Some(&w.cppcc),
            json!({"attended_invitation_ids": [accepted]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    w.app.stop().await;
}
