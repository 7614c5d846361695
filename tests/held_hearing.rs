#![allow(clippy::unwrap_used, clippy::expect_used)]
//! A sham hearing does not decide a major topic (security review, finding 8): a hearing
//! started weeks before its time is refused at `start`; one held on time but without a
//! required participant category does not satisfy the major rule; one held properly does.
//! Runs on PostgreSQL too (TEST_DATABASE_URL).

mod common;

use chrono::{Duration, Utc};
use common::{DemoCity, Expect, TestApp, TestResult, User, deny, id_of, merged, monday_at};
use serde_json::{Value, json};
use yishi::auth::Role;

struct Cast {
    city: DemoCity,
    staff: User,
    sub: User,
    resident: User,
}

async fn cast(app: &TestApp) -> Cast {
    let city = app.demo_city().await;
    Cast {
        city,
        staff: app.user_with(Role::CommunityStaff, city.community).await,
        sub: app
            .user_with(Role::SubdistrictStaff, city.subdistrict)
            .await,
        resident: app.user_with(Role::Resident, city.community).await,
    }
}

/// A major topic, accepted into discuss by community staff.
async fn major_topic(app: &TestApp, c: &Cast) -> Value {
    let t = app
        .post("/api/v1/topics", c.staff.tok(), json!({"place_id": c.city.community, "title": "小区东侧空地改建停车场", "body": "需要听证", "category": "environment", "major": true}))
        .await;
    assert_eq!(t.status.as_u16(), 201, "{:?}", t.body);
    let r = app
        .post(
            &format!("/api/v1/topics/{}/transitions", id_of(&t.body)),
            c.staff.tok(),
            json!({"action": "accept", "expected_version": t.body["version"]}),
        )
        .await;
    assert_eq!(r.status.as_u16(), 200, "{:?}", r.body);
    r.body
}

async fn decide(app: &TestApp, c: &Cast, tid: i64) -> common::Resp {
    let t = app
        .get(&format!("/api/v1/topics/{tid}"), c.staff.tok())
        .await;
    app.post(
        &format!("/api/v1/topics/{tid}/transitions"),
        c.staff.tok(),
        json!({"action": "decide", "expected_version": t.body["version"], "decision": "改建为停车场"}),
    )
    .await
}

async fn act(app: &TestApp, who: &User, id: i64, action: &str, extra: Value) -> common::Resp {
    app.meeting_transition(who.tok(), id, action, extra).await
}

/// A hearing on `tid` from `starts` (two hours), with the resident, the firm and the
/// department invited; scheduled. Returns its id and the invitation ids by category.
async fn scheduled_hearing(
    app: &TestApp,
    c: &Cast,
    tid: i64,
    starts: chrono::DateTime<Utc>,
) -> (i64, Vec<(String, i64)>) {
    let h = app
        .post("/api/v1/consultations", c.sub.tok(), json!({"place_id": c.city.community, "title": "空地改建停车场听证会", "kind": "hearing", "format": "in_person",
               "venue": "街道会议室", "starts_at": starts, "ends_at": starts + Duration::hours(2), "from_topic_id": tid}))
        .await;
    assert_eq!(h.status.as_u16(), 201, "{:?}", h.body);
    let hid = id_of(&h.body);
    let mut invitations = Vec::new();
    for (body, category) in [
        (json!({"user_id": c.resident.id}), "resident_rep"),
        (json!({"organization_id": c.city.firm}), "property_firm"),
        (json!({"organization_id": c.city.dept}), "department"),
    ] {
        let r = app
            .post(
                &format!("/api/v1/consultations/{hid}/invitations"),
                c.sub.tok(),
                merged(body, json!({"category": category})),
            )
            .await;
        assert_eq!(r.status.as_u16(), 201, "{:?}", r.body);
        invitations.push((category.to_string(), id_of(&r.body)));
    }
    let s = act(app, &c.sub, hid, "schedule", json!({})).await;
    assert_eq!(s.status.as_u16(), 200, "{:?}", s.body);
    (hid, invitations)
}

#[actix_rt::test]
async fn a_sham_hearing_weeks_ahead_is_refused_at_start() -> TestResult {
    let app = TestApp::builder().demo().build().await;
    let c = cast(&app).await;
    let topic = major_topic(&app, &c).await;
    let (hid, _) = scheduled_hearing(
        &app,
        &c,
        id_of(&topic),
        monday_at(15, 0) + Duration::days(14),
    )
    .await;
    let m = app
        .get(&format!("/api/v1/consultations/{hid}"), c.sub.tok())
        .await;
    deny(
        &app,
        "start weeks before the scheduled time",
        act(&app, &c.sub, hid, "start", json!({})),
        Expect(409, "consultation.too_early", None),
    )
    .await;
    let after = app
        .get(&format!("/api/v1/consultations/{hid}"), c.sub.tok())
        .await;
    assert_eq!(after.body["status"], "scheduled");
    assert_eq!(after.body["started_at"], Value::Null);
    assert_eq!(after.body["version"], m.body["version"]);
    let refused = decide(&app, &c, id_of(&topic)).await;
    assert_eq!(refused.code(), "topic.hearing_required");
    app.done().await
}

/// Holds the hearing now (it started five minutes ago), with attendance of `present`
/// categories, an outcome for the topic, and returns the answer to decide.
async fn hold_and_decide(present: &[&str]) -> TestResult<common::Resp> {
    let app = TestApp::builder().demo().build().await;
    let c = cast(&app).await;
    let topic = major_topic(&app, &c).await;
    let tid = id_of(&topic);
    let starts = Utc::now() - Duration::minutes(5);
    let (hid, invitations) = scheduled_hearing(&app, &c, tid, starts).await;
    let started = act(&app, &c.sub, hid, "start", json!({})).await;
    assert_eq!(started.status.as_u16(), 200, "{:?}", started.body);
    assert!(started.body["started_at"].is_string(), "{:?}", started.body);
    let attended: Vec<i64> = invitations
        .iter()
        .filter(|(cat, _)| present.contains(&cat.as_str()))
        .map(|(_, id)| *id)
        .collect();
    let a = app
        .post(
            &format!("/api/v1/consultations/{hid}/attendance"),
            c.sub.tok(),
            json!({"attended_invitation_ids": attended}),
        )
        .await;
    assert_eq!(a.status.as_u16(), 200, "{:?}", a.body);
    let done = act(
        &app,
        &c.sub,
        hid,
        "conclude",
        json!({"minutes": "听证意见已记录"}),
    )
    .await;
    assert_eq!(done.status.as_u16(), 200, "{:?}", done.body);
    let item = app
        .get(
            &format!("/api/v1/consultations/{hid}/agenda-items"),
            c.sub.tok(),
        )
        .await
        .body["items"][0]["id"]
        .clone();
    let o = app
        .post(&format!("/api/v1/consultations/{hid}/outcomes"), c.sub.tok(), json!({"agenda_item_id": item, "decision": "多数居民同意改建", "consensus": "majority"}))
        .await;
    assert_eq!(o.status.as_u16(), 201, "{:?}", o.body);
    let r = decide(&app, &c, tid).await;
    app.stop().await;
    Ok(r)
}

#[actix_rt::test]
async fn a_hearing_without_a_required_category_present_does_not_decide() -> TestResult {
    let r = hold_and_decide(&["resident_rep", "property_firm"]).await?;
    assert_eq!(
        (r.status.as_u16(), r.code()),
        (409, "topic.hearing_required"),
        "{:?}",
        r.body
    );
    let detail = r.body["detail"].as_str().unwrap_or_default();
    assert!(detail.contains("department"), "{detail}");
    Ok(())
}

#[actix_rt::test]
async fn a_hearing_held_on_time_with_every_required_category_decides() -> TestResult {
    let r = hold_and_decide(&["resident_rep", "property_firm", "department"]).await?;
    assert_eq!(r.status.as_u16(), 200, "{:?}", r.body);
    assert_eq!(r.body["stage"], "plan");
    Ok(())
}
