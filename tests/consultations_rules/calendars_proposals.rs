//! Calendars and feeds, and the proposal lifecycle.

use super::*;

/// METHOD, STATUS and SEQUENCE of a meeting's calendar, as a resident reads it.
async fn read_ics(w: &World, id: i64) -> (String, String, i64) {
    let path = format!("/api/v1/consultations/{id}/calendar.ics");
    let (status, ct, text) = w.app.get_text(&path, w.tok("resident")).await;
    assert_eq!(status, 200, "{text}");
    assert!(ct.starts_with("text/calendar"), "{ct}");
    let (method, events) = ics(&text);
    assert_eq!(events.len(), 1, "{text}");
    let e = &events[0];
    assert!(
        e["UID"].starts_with(&format!("consultation-{id}@")),
        "{e:?}"
    );
    let seq: i64 = e.get("SEQUENCE").map_or(0, |s| s.parse().unwrap());
    (method, e["STATUS"].clone(), seq)
}

#[actix_rt::test]
async fn a_meetings_calendar_follows_its_status_and_sequence() -> TestResult {
    let w = World::new(&[]).await;
    let id = id_of(&w.create("cppcc", w.draft_body("日历协商会")).await);
    let (method, status, seq0) = read_ics(&w, id).await;
    assert_eq!((method.as_str(), status.as_str()), ("PUBLISH", "TENTATIVE"));
    w.act("cppcc", id, "schedule", json!({})).await;
    let (method, status, seq1) = read_ics(&w, id).await;
    assert_eq!((method.as_str(), status.as_str()), ("PUBLISH", "CONFIRMED"));
    assert!(seq1 > seq0, "SEQUENCE rises on schedule: {seq0} → {seq1}");
    w.act("cppcc", id, "cancel", json!({"reason": "暴雨"}))
        .await;
    let (method, status, seq2) = read_ics(&w, id).await;
    assert_eq!((method.as_str(), status.as_str()), ("CANCEL", "CANCELLED"));
    assert!(seq2 > seq1, "SEQUENCE rises on cancel: {seq1} → {seq2}");
    w.stop().await
}

#[actix_rt::test]
async fn the_feed_shows_what_the_user_convenes_or_has_not_declined() -> TestResult {
    let w = World::new(&[]).await;
    let app = &w.app;
    let convened = id_of(&w.create("staff", w.draft_body("社区召集")).await);
    let mut invited = Vec::new();
    for response in ["accepted", "declined", "tentative", "pending"] {
        let id = id_of(&w.create("cppcc", w.draft_body(response)).await);
        w.invite(id, json!({"user_id": w.uid("staff"), "category": "expert"}))
            .await;
        if response != "pending" {
            w.rsvp(id, "staff", response).await;
        }
        invited.push((response, id));
    }
    let unrelated = id_of(&w.create("cppcc", w.draft_body("无关")).await);

    let feed = app
        .post("/api/v1/me/calendar-feed", w.tok("staff"), json!({}))
        .await;
    assert_eq!(feed.status.as_u16(), 201, "{:?}", feed.body);
    let url = feed.body["url"].as_str().unwrap().to_string();
    let path = url[url.find("/api/").unwrap()..].to_string();
    let (status, ct, text) = app.get_text(&path, None).await;
    assert_eq!(status, 200, "{text}");
    assert!(ct.starts_with("text/calendar"), "{ct}");
    let (_, events) = ics(&text);
    let has = |id: i64| {
        events
            .iter()
            .any(|e| e["UID"].starts_with(&format!("consultation-{id}@")))
    };
    assert!(has(convened), "the meeting the user convenes");
    for (response, id) in &invited {
        assert_eq!(
            has(*id),
            *response != "declined",
            "an invitation {response}"
        );
    }
    assert!(!has(unrelated), "a meeting the user has nothing to do with");

    // Wrong, missing, replaced and revoked tokens.
    let wrong = format!("{}x", &path);
    #[rustfmt::skip]
    let cases = [
        ("a wrong feed token", app.get(&wrong, None), Expect(401, "auth.invalid_token", None)),
        ("no feed token", app.get("/api/v1/me/calendar.ics", None), Expect(400, "request.invalid_query", Some("token"))),
    ];
    deny_all(app, cases).await;
    let again = app
        .post("/api/v1/me/calendar-feed", w.tok("staff"), json!({}))
        .await;
    assert_eq!(again.status.as_u16(), 201);
    assert_ne!(again.body["url"], feed.body["url"]);
    assert_eq!(
        app.get_text(&path, None).await.0,
        401,
        "the old address is revoked"
    );
    let r = app.delete("/api/v1/me/calendar-feed", w.tok("staff")).await;
    assert_eq!(r.status.as_u16(), 204);
    let new_url = again.body["url"].as_str().unwrap();
    let new_path = &new_url[new_url.find("/api/").unwrap()..];
    assert_eq!(app.get_text(new_path, None).await.0, 401);
    deny(
        app,
        "revoking a feed twice",
        app.delete("/api/v1/me/calendar-feed", w.tok("staff")),
        Expect(404, "calendar.no_feed", None),
    )
    .await;
    w.stop().await
}

// Proposals.

#[actix_rt::test]
async fn proposals_move_one_step_at_a_time_by_the_right_people() -> TestResult {
    let world = World::new(&[]).await;
    let w = &world;
    let app = &w.app;
    let c = w.build(Upto::Concluded, None).await;
    let p = w
        .proposal_from("cppcc", &c, c.items[0], Some(w.city.dept))
        .await;
    let got = app
        .get(&format!("/api/v1/proposals/{p}"), w.tok("resident"))
        .await;
    assert_eq!(got.status.as_u16(), 200);
    assert_eq!(got.body["status"], "draft");
    assert_eq!(got.body["kind"], "proposal");
    assert_eq!(got.body["author_id"], w.uid("cppcc"));
    assert_eq!(got.body["organization_id"], w.city.dept);

    const INVALID: Expect = Expect(409, "proposal.invalid_transition", None);
    let refuse = |who: &'static str, body: Value, expect: Expect<'static>| {
        let what = format!("{body} as {who}");
        async move {
            deny(app, &what, w.move_proposal(who, p, body), expect).await;
        }
    };
    // Draft: no skipping, only the author submits.
    for to in ["draft", "accepted", "answered"] {
        refuse("sub", json!({"to": to, "answer": "答复"}), INVALID).await;
    }
    for who in ["sub", "dept", "staff", "resident", "admin"] {
        refuse(who, json!({"to": "submitted"}), DENIED).await;
    }
    let s = w.step("cppcc", p, json!({"to": "submitted"})).await;
    assert_eq!(s["status"], "submitted");

    // Submitted: accepted by the answering organisation (or sub-district staff) only.
    for to in ["draft", "submitted", "answered"] {
        refuse("dept", json!({"to": to, "answer": "答复"}), INVALID).await;
    }
    for who in [
        "cppcc",
        "dept_other",
        "firm",
        "firm_other",
        "sub_other",
        "staff",
        "resident",
        "admin",
    ] {
        refuse(who, json!({"to": "accepted"}), DENIED).await;
    }
    let s = w.step("dept", p, json!({"to": "accepted"})).await;
    assert_eq!(s["status"], "accepted");

    // Accepted: answered, with an answer.
    #[rustfmt::skip]
    let table = [
        ("dept", json!({"to": "answered"}), Expect(422, "validation.required", Some("answer"))),
        ("dept", json!({"to": "answered", "answer": "   "}), Expect(422, "validation.blank", Some("answer"))),
        ("dept", json!({"to": "answered", "answer": ""}), Expect(422, "validation.length", Some("answer"))),
        ("dept_other", json!({"to": "answered", "answer": "答复"}), DENIED),
        ("cppcc", json!({"to": "answered", "answer": "答复"}), DENIED),
    ];
    for (who, body, expect) in table {
        refuse(who, body, expect).await;
    }
    let s = w
        .step(
            "dept",
            p,
            json!({"to": "answered", "answer": "已列入明年民生实事项目"}),
        )
        .await;
    assert_eq!(s["status"], "answered");
    assert_eq!(s["answer"], "已列入明年民生实事项目");

    // Answered is the end.
    for to in ["draft", "submitted", "accepted", "answered"] {
        refuse("sub", json!({"to": to, "answer": "再答复"}), INVALID).await;
    }

    // A proposal without an organisation is accepted and answered by sub-district staff.
    let q = w.proposal_from("sub", &c, c.items[1], None).await;
    w.step("sub", q, json!({"to": "submitted"})).await;
    let r = w.move_proposal("dept", q, json!({"to": "accepted"})).await;
    assert_eq!(r.status.as_u16(), 403, "{:?}", r.body);
    w.step("sub", q, json!({"to": "accepted"})).await;
    let s = w
        .step(
            "sub",
            q,
            json!({"to": "answered", "answer": "街道牵头办理"}),
        )
        .await;
    assert_eq!(s["status"], "answered");
    world.stop().await
}
