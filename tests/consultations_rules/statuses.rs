//! What each status allows, the input each action needs, and the sign-off window.

use super::*;

#[actix_rt::test]
async fn every_status_refuses_the_actions_it_does_not_have() -> TestResult {
    let w = World::new(&[]).await;
    let app = &w.app;
    let all = ["schedule", "start", "conclude", "cancel"];
    #[rustfmt::skip]
    let table = [
        (Upto::Draft, &["schedule", "cancel"][..]),
        (Upto::Scheduled, &["start", "cancel"][..]),
        (Upto::InProgress, &["conclude", "cancel"][..]),
        (Upto::Concluded, &[][..]),
        (Upto::Cancelled, &[][..]),
    ];
    for (upto, allowed) in table {
        let f = w.build(upto, None).await;
        for action in all.iter().filter(|a| !allowed.contains(a)) {
            for who in ["cppcc", "sub", "resident"] {
                deny(
                    app,
                    &format!("{action} a {upto:?} meeting as {who}"),
                    w.act_v(
                        who,
                        f.id,
                        f.version,
                        action,
                        json!({"minutes": "纪要", "reason": "理由"}),
                    ),
                    Expect(409, "consultation.invalid_transition", None),
                )
                .await;
            }
        }
        // A stale version is refused before anything else.
        for action in all {
            deny(
                app,
                &format!("{action} a {upto:?} meeting with a stale version"),
                w.act_v(
                    "sub",
                    f.id,
                    f.version - 1,
                    action,
                    json!({"minutes": "纪要", "reason": "理由"}),
                ),
                Expect(409, "consultation.stale_version", None),
            )
            .await;
        }
    }
    w.stop().await
}

#[actix_rt::test]
async fn actions_need_their_input_and_edits_need_an_editable_meeting() -> TestResult {
    let w = World::new(&[]).await;
    let app = &w.app;
    // Schedule needs a venue and/or a link, by format.
    #[rustfmt::skip]
    let table = [
        ("in person without a venue", json!({"venue": null}), Some("venue")),
        // A whitespace-only venue is refused at input (validation.blank, tests/input_hygiene.rs), so it never reaches scheduling.
        ("online without a link", json!({"format": "online", "venue": null}), None),
        ("hybrid without a link", json!({"format": "hybrid", "venue": "议事厅"}), None),
        ("hybrid without a venue", json!({"format": "hybrid", "venue": null, "online_url": "https://meet.example/r/1"}), None),
    ];
    for (what, extra, field) in table {
        let body = merged(w.draft_body("线上协商会"), extra);
        let m = w.create("cppcc", body).await;
        deny(
            app,
            &format!("schedule {what}"),
            w.act_v("cppcc", id_of(&m), 1, "schedule", json!({})),
            Expect(422, "consultation.venue_required", field),
        )
        .await;
    }
    let mut online = w.draft_body("线上协商会");
    online["format"] = json!("online");
    online["venue"] = Value::Null;
    online["online_url"] = json!("https://meet.example/r/2");
    let m = w.create("cppcc", online).await;
    w.act("cppcc", id_of(&m), "schedule", json!({})).await;

    // Conclude needs minutes, cancel a reason.
    let p = w.build(Upto::InProgress, None).await;
    for (what, extra) in [
        ("no minutes", json!({})),
        ("blank minutes", json!({"minutes": "  "})),
    ] {
        deny(
            app,
            &format!("conclude with {what}"),
            w.act_v("cppcc", p.id, p.version, "conclude", extra),
            Expect(422, "consultation.minutes_required", Some("minutes")),
        )
        .await;
    }
    let d = w.build(Upto::Draft, None).await;
    for (what, extra) in [
        ("no reason", json!({})),
        ("a blank reason", json!({"reason": " "})),
    ] {
        deny(
            app,
            &format!("cancel with {what}"),
            w.act_v("cppcc", d.id, d.version, "cancel", extra),
            Expect(422, "consultation.reason_required", Some("reason")),
        )
        .await;
    }
    deny(
        app,
        "a stale PATCH",
        app.patch(
            &format!("/api/v1/consultations/{}", d.id),
            w.tok("cppcc"),
            json!({"title": "新标题", "expected_version": d.version + 1}),
        ),
        Expect(409, "consultation.stale_version", None),
    )
    .await;

    // Editing, answering, attendance and outcomes by status.
    let s = w.build(Upto::Scheduled, None).await;
    let c = w.build(Upto::Concluded, None).await;
    let x = w.build(Upto::Cancelled, None).await;
    let edits = |f: &Fix| {
        let m = |s: &str| format!("/api/v1/consultations/{}{s}", f.id);
        vec![
            (
                "PATCH",
                "cppcc",
                Method::PATCH,
                m(""),
                json!({"title": "新标题", "expected_version": f.version}),
            ),
            (
                "agenda item",
                "cppcc",
                Method::POST,
                m("/agenda-items"),
                json!({"title": "议题", "minutes": 5}),
            ),
            (
                "reorder",
                "cppcc",
                Method::POST,
                m("/agenda-items/reorder"),
                json!({"item_ids": [f.items[1], f.items[0]]}),
            ),
            (
                "invitation",
                "cppcc",
                Method::POST,
                m("/invitations"),
                json!({"organization_id": w.city.dept, "category": "department"}),
            ),
            (
                "rsvp",
                "invitee",
                Method::POST,
                m("/rsvp"),
                json!({"response": "declined"}),
            ),
        ]
    };
    for (f, status) in [(&p, "in progress"), (&c, "concluded"), (&x, "cancelled")] {
        for (what, who, method, path, body) in edits(f) {
            deny(
                app,
                &format!("{what} on a {status} meeting"),
                w.send(who, method, path, body),
                Expect(409, "consultation.not_editable", None),
            )
            .await;
        }
    }
    for (f, status) in [(&d, "draft"), (&s, "scheduled")] {
        deny(
            app,
            &format!("attendance at a {status} meeting"),
            app.post(
                &format!("/api/v1/consultations/{}/attendance", f.id),
                w.tok("cppcc"),
                json!({"attended_invitation_ids": [f.inv_invitee]}),
            ),
            Expect(409, "consultation.not_started", None),
        )
        .await;
    }
    deny(
        app,
        "attendance at a cancelled meeting",
        app.post(
            &format!("/api/v1/consultations/{}/attendance", x.id),
            w.tok("sub"),
            json!({"attended_invitation_ids": []}),
        ),
        Expect(409, "consultation.not_started", None),
    )
    .await;
    #[rustfmt::skip]
    let table = [
        (&d, "draft"),
        (&s, "scheduled"),
        (&p, "in progress"),
        (&x, "cancelled"),
    ];
    for (f, status) in table {
        deny(
            app,
            &format!("an outcome of a {status} meeting"),
            app.post(
                &format!("/api/v1/consultations/{}/outcomes", f.id),
                w.tok("sub"),
                json!({"agenda_item_id": f.items[0], "decision": "同意", "consensus": "unanimous"}),
            ),
            Expect(409, "consultation.not_concluded", None),
        )
        .await;
    }
    let outcome =
        json!({"agenda_item_id": c.items[0], "decision": "同意", "consensus": "unanimous"});
    let path = format!("/api/v1/consultations/{}/outcomes", c.id);
    let first = app.post(&path, w.tok("sub"), outcome.clone()).await;
    assert_eq!(first.status.as_u16(), 201, "{:?}", first.body);
    deny(
        app,
        "a second outcome for the same item",
        app.post(&path, w.tok("cppcc"), outcome),
        Expect(409, "outcome.exists", None),
    )
    .await;

    // Sign-off: attendees only, once, and only after the meeting concluded.
    let confirm = |f: &Fix| format!("/api/v1/consultations/{}/minutes/confirm", f.id);
    let dissent = |f: &Fix| format!("/api/v1/consultations/{}/minutes/dissent", f.id);
    deny(
        app,
        "a sign-off by an invitee who did not attend",
        app.post(&confirm(&c), w.tok("absentee"), json!({})),
        Expect(403, "minutes.not_an_attendee", None),
    )
    .await;
    let held = w.build(Upto::InProgress, None).await;
    w.attendance(held.id, &[held.inv_invitee]).await;
    for (f, status) in [(&held, "an in-progress"), (&x, "a cancelled")] {
        deny(
            app,
            &format!("a sign-off of {status} meeting by an attendee"),
            app.post(&confirm(f), w.tok("invitee"), json!({})),
            Expect(409, "minutes.signoff_closed", None),
        )
        .await;
    }
    let r = app.post(&confirm(&c), w.tok("invitee"), json!({})).await;
    assert_eq!(r.status.as_u16(), 200, "{:?}", r.body);
    assert_eq!(r.body["confirmed_by"], json!([w.uid("invitee")]));
    let (confirm_c, dissent_c) = (confirm(&c), dissent(&c));
    #[rustfmt::skip]
    let cases = [
        ("a second confirmation", app.post(&confirm_c, w.tok("invitee"), json!({})), Expect(409, "minutes.already_signed", None)),
        ("a dissent after confirming", app.post(&dissent_c, w.tok("invitee"), json!({"text": "改主意了"})), Expect(409, "minutes.already_signed", None)),
    ];
    deny_all(app, cases).await;
    w.stop().await
}

#[actix_rt::test]
async fn the_sign_off_window_closes() -> TestResult {
    let w = World::new(&[("consultations.signoff_days", "0")]).await;
    let app = &w.app;
    let c = w.build(Upto::Concluded, None).await;
    for (what, path, body) in [
        ("confirm", "confirm", json!({})),
        ("dissent", "dissent", json!({"text": "有异议"})),
    ] {
        deny(
            app,
            &format!("{what} after the window"),
            app.post(
                &format!("/api/v1/consultations/{}/minutes/{path}", c.id),
                w.tok("invitee"),
                body,
            ),
            Expect(409, "minutes.signoff_closed", None),
        )
        .await;
    }
    let record = app
        .get(
            &format!("/api/v1/consultations/{}/minutes", c.id),
            w.tok("invitee"),
        )
        .await;
    let m = w.meeting(c.id).await;
    assert_eq!(
        record.body["deadline"]
            .as_str()
            .map(|s| s.parse::<DateTime<Utc>>().unwrap()),
        m["concluded_at"]
            .as_str()
            .map(|s| s.parse::<DateTime<Utc>>().unwrap()),
        "a zero-day window ends when the meeting concludes"
    );
    w.stop().await
}
