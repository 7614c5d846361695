#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Who may see whom (security review, finding 10b) and whose organisation rights count where
//! (finding 2): invitee names for participants and staff only, counts for everyone else;
//! free/busy for conveners within their places; an organisation's grant counts at the
//! meeting's place only. Runs on PostgreSQL too (TEST_DATABASE_URL).

mod common;

use chrono::{Duration, Utc};
use common::{
    DENIED, DemoCity, Expect, TestApp, TestResult, User, deny, id_of, make_user, monday_at, z,
};
use serde_json::{Value, json};
use yishi::auth::Role;

async fn act(app: &TestApp, who: &User, id: i64, action: &str, extra: Value) -> common::Resp {
    app.meeting_transition(who.tok(), id, action, extra).await
}

/// A draft courtyard meeting in the community from `starts`, convened by `by`.
async fn meeting(app: &TestApp, city: &DemoCity, by: &User, starts: chrono::DateTime<Utc>) -> i64 {
    let r = app
        .post("/api/v1/consultations", by.tok(), json!({"place_id": city.community, "title": "楼道堆物协商会", "kind": "courtyard",
               "format": "in_person", "venue": "议事厅", "starts_at": starts, "ends_at": starts + Duration::hours(1)}))
        .await;
    assert_eq!(r.status.as_u16(), 201, "{:?}", r.body);
    id_of(&r.body)
}

async fn invite(app: &TestApp, by: &User, id: i64, body: Value) -> i64 {
    let r = app
        .post(
            &format!("/api/v1/consultations/{id}/invitations"),
            by.tok(),
            body,
        )
        .await;
    assert_eq!(r.status.as_u16(), 201, "{:?}", r.body);
    id_of(&r.body)
}

#[actix_rt::test]
async fn invitee_names_go_to_participants_and_staff_others_see_counts() -> TestResult {
    let app = TestApp::builder().demo().build().await;
    let city = app.demo_city().await;
    let staff = app.user_with(Role::CommunityStaff, city.community).await;
    let invitee = make_user(
        &app,
        "invitee",
        Some(city.community),
        &[(Role::Resident, Some(city.community), None)],
    )
    .await;
    let outsider = make_user(
        &app,
        "outsider",
        Some(city.community),
        &[(Role::Resident, Some(city.community), None)],
    )
    .await;
    let firm_user = app
        .user_with_grants(&[(Role::PropertyFirm, Some(city.community), Some(city.firm))])
        .await;
    let id = meeting(&app, &city, &staff, Utc::now() - Duration::minutes(5)).await;
    let inv = invite(
        &app,
        &staff,
        id,
        json!({"user_id": invitee.id, "category": "resident_rep"}),
    )
    .await;
    invite(
        &app,
        &staff,
        id,
        json!({"organization_id": city.firm, "category": "property_firm"}),
    )
    .await;
    let path = format!("/api/v1/consultations/{id}/invitations");
    let counts = json!({"property_firm": 1, "resident_rep": 1});
    // (who, sees names)
    for (who, user, named) in [
        ("the convener", &staff, true),
        ("an invitee", &invitee, true),
        ("a user of the invited firm", &firm_user, true),
        ("a resident not invited", &outsider, false),
    ] {
        let r = app.get(&path, user.tok()).await;
        assert_eq!(r.status.as_u16(), 200, "{who}: {:?}", r.body);
        assert_eq!(r.body["named"], named, "{who}");
        assert_eq!(r.body["counts"], counts, "{who}");
        let items = r.body["items"].as_array().unwrap();
        assert_eq!(items.len(), if named { 2 } else { 0 }, "{who}: {items:?}");
        let names_invitee = items.iter().any(|i| i["user_id"] == invitee.id);
        assert_eq!(names_invitee, named, "{who}");
    }

    // The minutes sign-off names the signers under the same rule.
    for action in ["schedule", "start"] {
        let r = act(&app, &staff, id, action, json!({})).await;
        assert_eq!(r.status.as_u16(), 200, "{action}: {:?}", r.body);
    }
    let a = app
        .post(
            &format!("/api/v1/consultations/{id}/attendance"),
            staff.tok(),
            json!({"attended_invitation_ids": [inv]}),
        )
        .await;
    assert_eq!(a.status.as_u16(), 200, "{:?}", a.body);
    let r = act(&app, &staff, id, "conclude", json!({"minutes": "议定清理"})).await;
    assert_eq!(r.status.as_u16(), 200, "{:?}", r.body);
    let d = app
        .post(
            &format!("/api/v1/consultations/{id}/minutes/dissent"),
            invitee.tok(),
            json!({"text": "清理期限太短"}),
        )
        .await;
    assert_eq!(d.status.as_u16(), 200, "{:?}", d.body);
    let minutes = format!("/api/v1/consultations/{id}/minutes");
    for (who, user, named) in [
        ("the convener", &staff, true),
        ("a resident not invited", &outsider, false),
    ] {
        let r = app.get(&minutes, user.tok()).await;
        assert_eq!(r.status.as_u16(), 200, "{who}: {:?}", r.body);
        assert_eq!(r.body["named"], named, "{who}");
        let signer = if named {
            json!(invitee.id)
        } else {
            Value::Null
        };
        assert_eq!(
            r.body["dissents"],
            json!([{"user_id": signer, "text": "清理期限太短"}]),
            "{who}"
        );
        assert_eq!(r.body["confirmed_count"], 0, "{who}");
    }
    app.done().await
}

#[actix_rt::test]
async fn free_busy_goes_to_conveners_for_people_within_their_places() -> TestResult {
    let app = TestApp::builder().demo().build().await;
    let city = app.demo_city().await;
    let staff = app.user_with(Role::CommunityStaff, city.community).await;
    let home = make_user(
        &app,
        "homed",
        Some(city.community),
        &[(Role::Resident, Some(city.community), None)],
    )
    .await;
    let far = make_user(
        &app,
        "far",
        Some(city.far),
        &[(Role::Resident, Some(city.far), None)],
    )
    .await;
    let (from, to) = (monday_at(0, 0), monday_at(0, 0) + Duration::days(1));
    let slots = |u: i64| {
        format!(
            "/api/v1/consultations/free-slots?users={u}&from={}&to={}&minutes=60",
            z(from),
            z(to)
        )
    };
    let r = app.get(&slots(home.id), staff.tok()).await;
    assert_eq!(r.status.as_u16(), 200, "{:?}", r.body);
    assert!(!r.body.as_array().unwrap().is_empty());
    let mine = format!("/api/v1/consultations?participant_id={}", home.id);
    assert_eq!(app.get(&mine, staff.tok()).await.status.as_u16(), 200);
    // (who asks, about whom)
    let cases = [
        (
            "a convener, about a resident of another district",
            &staff,
            slots(far.id),
        ),
        (
            "a convener, about a user that does not exist",
            &staff,
            slots(999_999),
        ),
        ("a resident, about a neighbour", &far, slots(home.id)),
        ("a resident, about themself", &home, slots(home.id)),
        (
            "a convener, the meetings of a resident elsewhere",
            &staff,
            format!("/api/v1/consultations?participant_id={}", far.id),
        ),
        (
            "a resident, the meetings of a neighbour",
            &far,
            mine.clone(),
        ),
    ];
    for (what, who, path) in cases {
        deny(&app, what, app.get(&path, who.tok()), DENIED).await;
    }
    // Anyone may list their own meetings.
    let own = format!("/api/v1/consultations?participant_id={}", far.id);
    assert_eq!(app.get(&own, far.tok()).await.status.as_u16(), 200);
    app.done().await
}

#[actix_rt::test]
async fn an_organisation_grant_counts_at_the_meeting_place_only() -> TestResult {
    let app = TestApp::builder().demo().build().await;
    let city = app.demo_city().await;
    let sub = app
        .user_with(Role::SubdistrictStaff, city.subdistrict)
        .await;
    // The department's users: one granted in the other district, one at the meeting's district.
    let elsewhere = app
        .user_with_grants(&[(Role::Department, Some(city.other_district), Some(city.dept))])
        .await;
    let here = app
        .user_with_grants(&[(Role::Department, Some(city.district), Some(city.dept))])
        .await;
    let upcoming = meeting(&app, &city, &sub, monday_at(10, 0)).await;
    invite(
        &app,
        &sub,
        upcoming,
        json!({"organization_id": city.dept, "category": "department"}),
    )
    .await;
    let rsvp = format!("/api/v1/consultations/{upcoming}/rsvp");
    let declined = json!({"response": "declined"});
    deny(
        &app,
        "decline for the department from elsewhere",
        app.post(&rsvp, elsewhere.tok(), declined.clone()),
        Expect(403, "invitation.not_invited", None),
    )
    .await;
    assert_eq!(
        app.post(&rsvp, here.tok(), declined).await.status.as_u16(),
        204
    );

    // A proposal to the department from a meeting held now.
    let held = meeting(&app, &city, &sub, Utc::now() - Duration::minutes(5)).await;
    let item = app
        .post(
            &format!("/api/v1/consultations/{held}/agenda-items"),
            sub.tok(),
            json!({"title": "楼道堆物", "minutes": 20}),
        )
        .await;
    assert_eq!(item.status.as_u16(), 201, "{:?}", item.body);
    for action in ["schedule", "start"] {
        let r = act(&app, &sub, held, action, json!({})).await;
        assert_eq!(r.status.as_u16(), 200, "{action}: {:?}", r.body);
    }
    let r = act(&app, &sub, held, "conclude", json!({"minutes": "纪要"})).await;
    assert_eq!(r.status.as_u16(), 200, "{:?}", r.body);
    let o = app
        .post(&format!("/api/v1/consultations/{held}/outcomes"), sub.tok(),
              json!({"agenda_item_id": id_of(&item.body), "decision": "限期清理", "consensus": "majority",
                     "follow_ups": [{"kind": "proposal", "title": "关于楼道堆物清理的提案", "organization_id": city.dept}]}))
        .await;
    assert_eq!(o.status.as_u16(), 201, "{:?}", o.body);
    let p = o.body["follow_ups"][0]["proposal_id"].as_i64().unwrap();
    let path = format!("/api/v1/proposals/{p}/transitions");
    let submit = app.post(&path, sub.tok(), json!({"to": "submitted"})).await;
    assert_eq!(submit.status.as_u16(), 200, "{:?}", submit.body);
    let accept = json!({"to": "accepted"});
    deny(
        &app,
        "accept from elsewhere",
        app.post(&path, elsewhere.tok(), accept.clone()),
        DENIED,
    )
    .await;
    assert_eq!(
        app.post(&path, here.tok(), accept).await.status.as_u16(),
        200
    );
    let answer = json!({"to": "answered", "answer": "已安排清理"});
    deny(
        &app,
        "answer from elsewhere",
        app.post(&path, elsewhere.tok(), answer.clone()),
        DENIED,
    )
    .await;
    assert_eq!(
        app.post(&path, here.tok(), answer).await.status.as_u16(),
        200
    );
    app.done().await
}
