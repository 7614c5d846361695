//! Meeting notifications: invited, moved, cancelled and minutes to sign, to the participants
//! only and never to the convener who acted.

use serde_json::{Value, json};
use yishi::auth::Role;

use crate::common::{TestApp, TestResult, monday_at};

async fn kinds_of(app: &TestApp, token: &str) -> Vec<String> {
    app.inbox_kinds(token).await
}

async fn invite(app: &TestApp, cppcc: &str, mid: i64, body: Value) {
    let r = app
        .post(
            &format!("/api/v1/consultations/{mid}/invitations"),
            Some(cppcc),
            body,
        )
        .await;
    assert_eq!(r.status.as_u16(), 201, "{:?}", r.body);
}

#[actix_rt::test]
async fn participants_hear_of_their_meeting_and_the_convener_does_not() -> TestResult {
    let app = TestApp::builder()
        .setting("consultations.start_margin_minutes", "525600")
        .demo()
        .build()
        .await;
    let city = app.demo_city().await;
    let cppcc = app.user_with(Role::CppccMember, city.district).await;
    let r1 = app.user_with(Role::Resident, city.community).await;
    let r2 = app.user_with(Role::Resident, city.community).await;
    let firm = app
        .user_with_grants(&[(Role::PropertyFirm, Some(city.community), Some(city.firm))])
        .await;
    let outsider = app.user_with(Role::Resident, city.community).await;
    let m = app
        .post(
            "/api/v1/consultations",
            cppcc.tok(),
            json!({"place_id": city.community, "title": "停车难微协商", "kind": "micro_consultation", "format": "in_person",
                   "venue": "议事厅", "starts_at": monday_at(10, 0), "ends_at": monday_at(11, 0)}),
        )
        .await;
    assert_eq!(m.status.as_u16(), 201, "{:?}", m.body);
    let mid = m.body["id"].as_i64().unwrap();
    invite(
        &app,
        &cppcc.token,
        mid,
        json!({"user_id": r1.id, "category": "resident_rep"}),
    )
    .await;
    invite(
        &app,
        &cppcc.token,
        mid,
        json!({"organization_id": city.firm, "category": "property_firm"}),
    )
    .await;
    // A draft is not announced: nobody hears yet.
    assert!(kinds_of(&app, &r1.token).await.is_empty());

    let r = app
        .meeting_transition(cppcc.tok(), mid, "schedule", json!({}))
        .await;
    assert_eq!(r.status.as_u16(), 200, "{:?}", r.body);
    for u in [&r1, &firm] {
        let inbox = app.inbox(&u.token).await;
        assert_eq!(inbox.len(), 1);
        assert_eq!(inbox[0]["kind"], "meeting_invited");
        assert_eq!(inbox[0]["consultation_id"], mid);
        assert_eq!(inbox[0]["title"], "会议邀请：停车难微协商");
        assert!(
            inbox[0]["url"]
                .as_str()
                .unwrap()
                .ends_with(&format!("/consultations/{mid}"))
        );
    }
    // Inviting one more to a scheduled meeting tells that one only.
    invite(
        &app,
        &cppcc.token,
        mid,
        json!({"user_id": r2.id, "category": "resident_rep"}),
    )
    .await;
    assert_eq!(kinds_of(&app, &r2.token).await, ["meeting_invited"]);
    assert_eq!(kinds_of(&app, &r1.token).await, ["meeting_invited"]);

    // Moving it tells everyone invited; cancelling too; the convener hears none of it.
    let v = app
        .get(&format!("/api/v1/consultations/{mid}"), cppcc.tok())
        .await
        .body["version"]
        .clone();
    let r = app
        .patch(
            &format!("/api/v1/consultations/{mid}"),
            cppcc.tok(),
            json!({"starts_at": monday_at(14, 0), "ends_at": monday_at(15, 0), "expected_version": v}),
        )
        .await;
    assert_eq!(r.status.as_u16(), 200, "{:?}", r.body);
    let r = app
        .meeting_transition(cppcc.tok(), mid, "cancel", json!({"reason": "场地冲突"}))
        .await;
    assert_eq!(r.status.as_u16(), 200, "{:?}", r.body);
    for u in [&r1, &r2, &firm] {
        assert_eq!(
            kinds_of(&app, &u.token).await[..2],
            ["meeting_cancelled", "meeting_updated"]
        );
    }
    assert!(kinds_of(&app, &cppcc.token).await.is_empty());
    assert!(kinds_of(&app, &outsider.token).await.is_empty());
    app.done().await
}

#[actix_rt::test]
async fn attendees_are_asked_to_sign_the_minutes() -> TestResult {
    let app = TestApp::builder()
        .setting("consultations.start_margin_minutes", "525600")
        .demo()
        .build()
        .await;
    let city = app.demo_city().await;
    let cppcc = app.user_with(Role::CppccMember, city.district).await;
    let came = app.user_with(Role::Resident, city.community).await;
    let stayed_away = app.user_with(Role::Resident, city.community).await;
    let m = app
        .post(
            "/api/v1/consultations",
            cppcc.tok(),
            json!({"place_id": city.community, "title": "垃圾分类议事", "kind": "micro_consultation", "format": "in_person",
                   "venue": "议事厅", "starts_at": monday_at(10, 0), "ends_at": monday_at(11, 0)}),
        )
        .await;
    let mid = m.body["id"].as_i64().unwrap();
    for u in [&came, &stayed_away] {
        invite(
            &app,
            &cppcc.token,
            mid,
            json!({"user_id": u.id, "category": "resident_rep"}),
        )
        .await;
    }
    for action in ["schedule", "start"] {
        let r = app
            .meeting_transition(cppcc.tok(), mid, action, json!({}))
            .await;
        assert_eq!(r.status.as_u16(), 200, "{action}: {:?}", r.body);
    }
    let invs = app
        .get(
            &format!("/api/v1/consultations/{mid}/invitations"),
            cppcc.tok(),
        )
        .await
        .body;
    let attended: Vec<i64> = invs["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["user_id"] == came.id)
        .map(|i| i["id"].as_i64().unwrap())
        .collect();
    let r = app
        .post(
            &format!("/api/v1/consultations/{mid}/attendance"),
            cppcc.tok(),
            json!({"attended_invitation_ids": attended}),
        )
        .await;
    assert_eq!(r.status.as_u16(), 200, "{:?}", r.body);
    let r = app
        .meeting_transition(
            cppcc.tok(),
            mid,
            "conclude",
            json!({"minutes": "议定：每周三集中回收。"}),
        )
        .await;
    assert_eq!(r.status.as_u16(), 200, "{:?}", r.body);
    assert_eq!(
        kinds_of(&app, &came.token).await,
        ["minutes_ready", "meeting_invited"]
    );
    assert_eq!(
        kinds_of(&app, &stayed_away.token).await,
        ["meeting_invited"]
    );
    app.done().await
}
