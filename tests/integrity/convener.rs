//! A convener whose role was revoked loses control of their meeting (finding 3).

use super::*;

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
