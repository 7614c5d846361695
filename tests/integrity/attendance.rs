//! Attendance is never recorded for a declined invitation (finding 10d).

use super::*;

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
