//! A major topic waits for a hearing; scheduling edges, RSVP, venues, links and sign-off.

use super::*;

#[actix_rt::test]
async fn a_major_topic_waits_for_a_hearing_outcome() -> TestResult {
    let app = TestApp::spawn_with(UNTIMED).await;
    let c = cast(&app).await;
    let topic = topic_in_discuss(&app, &c, "小区东侧空地改建停车场", true, false).await;
    let tid = topic["id"].as_i64().unwrap();
    let decide = |v: &Value| json!({"action": "decide", "expected_version": v["version"], "decision": "改建为停车场"});
    let refused = app
        .post(
            &format!("/api/v1/topics/{tid}/transitions"),
            Some(&c.staff),
            decide(&topic),
        )
        .await;
    assert_eq!(
        (refused.status, refused.code()),
        (StatusCode::CONFLICT, "topic.hearing_required")
    );

    let h = app
        .post(
            "/api/v1/consultations",
            Some(&c.sub),
            json!({"place_id": c.community, "title": "空地改建停车场听证会", "kind": "hearing", "format": "hybrid",
                   "venue": "街道会议室", "online_url": "https://meeting.example/room/1",
                   "starts_at": monday_at(15, 0), "ends_at": monday_at(17, 0), "from_topic_id": tid}),
        )
        .await;
    assert_eq!(h.status, StatusCode::CREATED, "{:?}", h.body);
    let hid = h.body["id"].as_i64().unwrap();
    assert_eq!(
        h.body["missing_categories"],
        json!(["resident_rep", "property_firm", "department"])
    );
    let r = app
        .post(
            &format!("/api/v1/consultations/{hid}/invitations"),
            Some(&c.sub),
            json!({"user_id": c.r1_id, "category": "resident_rep"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let s = meeting_act(&app, &c.sub, &h.body, "schedule", json!({})).await;
    assert_eq!(s.status, StatusCode::OK, "{:?}", s.body);
    let warning = s.body["warnings"][0].as_str().unwrap();
    assert!(
        warning.contains("property_firm")
            && warning.contains("department")
            && !warning.contains("resident_rep"),
        "{warning}"
    );

    // The other required categories come, so the hearing is held (tests/held_hearing.rs
    // refuses one where a category is absent).
    for (org, category) in [(c.firm, "property_firm"), (c.dept, "department")] {
        let r = app
            .post(
                &format!("/api/v1/consultations/{hid}/invitations"),
                Some(&c.sub),
                json!({"organization_id": org, "category": category}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    }
    // Concluded without an outcome: still refused. With the outcome: allowed.
    let started = meeting_act(&app, &c.sub, &s.body, "start", json!({})).await;
    assert_eq!(started.status, StatusCode::OK, "{:?}", started.body);
    let all: Vec<i64> = app
        .get(
            &format!("/api/v1/consultations/{hid}/invitations"),
            Some(&c.sub),
        )
        .await
        .body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_i64().unwrap())
        .collect();
    assert_eq!(all.len(), 3);
    let a = app
        .post(
            &format!("/api/v1/consultations/{hid}/attendance"),
            Some(&c.sub),
            json!({"attended_invitation_ids": all}),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{:?}", a.body);
    let done = meeting_act(
        &app,
        &c.sub,
        &started.body,
        "conclude",
        json!({"minutes": "听证意见已记录"}),
    )
    .await;
    assert_eq!(done.status, StatusCode::OK);
    let topic = app
        .get(&format!("/api/v1/topics/{tid}"), Some(&c.staff))
        .await
        .body;
    let still = app
        .post(
            &format!("/api/v1/topics/{tid}/transitions"),
            Some(&c.staff),
            decide(&topic),
        )
        .await;
    assert_eq!(still.code(), "topic.hearing_required");
    let item = app
        .get(
            &format!("/api/v1/consultations/{hid}/agenda-items"),
            Some(&c.sub),
        )
        .await
        .body["items"][0]["id"]
        .clone();
    let o = app
        .post(&format!("/api/v1/consultations/{hid}/outcomes"), Some(&c.sub), json!({"agenda_item_id": item, "decision": "多数居民同意改建", "consensus": "majority"}))
        .await;
    assert_eq!(o.status, StatusCode::CREATED, "{:?}", o.body);
    let topic = app
        .get(&format!("/api/v1/topics/{tid}"), Some(&c.staff))
        .await
        .body;
    let ok = app
        .post(
            &format!("/api/v1/topics/{tid}/transitions"),
            Some(&c.staff),
            decide(&topic),
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{:?}", ok.body);
    assert_eq!(ok.body["stage"], "plan");
    app.stop().await;
    Ok(())
}

#[actix_rt::test]
async fn scheduling_edges_rsvp_venues_links_and_organisation_sign_off() -> TestResult {
    let app = TestApp::spawn_with(UNTIMED).await;
    let c = cast(&app).await;
    let sibling = app.place("demo-330200-0-0-1");
    let staff2 = app
        .user_token(
            "staff2@example.com",
            None,
            &[(Role::CommunityStaff, Some(sibling), None)],
        )
        .await;
    let new = |place: i64, venue: &str, format: &str| {
        json!({"place_id": place, "title": "议事会", "kind": "courtyard", "format": format, "venue": venue,
               "starts_at": monday_at(10, 0), "ends_at": monday_at(11, 0)})
    };
    // Same room name in two communities: two rooms, no clash.
    let a = app
        .post(
            "/api/v1/consultations",
            Some(&c.staff),
            new(c.community, "议事厅", "in_person"),
        )
        .await
        .body;
    let b = app
        .post(
            "/api/v1/consultations",
            Some(&staff2),
            new(sibling, "议事厅", "in_person"),
        )
        .await
        .body;
    assert_eq!(
        meeting_act(&app, &c.staff, &a, "schedule", json!({}))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        meeting_act(&app, &staff2, &b, "schedule", json!({}))
            .await
            .status,
        StatusCode::OK
    );

    // An online meeting without a link names online_url.
    let online = app
        .post(
            "/api/v1/consultations",
            Some(&c.staff),
            new(c.community, "线上", "online"),
        )
        .await
        .body;
    let r = meeting_act(&app, &c.staff, &online, "schedule", json!({})).await;
    assert_eq!(
        (r.status, r.body["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("online_url"))
    );

    // Declining frees the time; accepting again while booked elsewhere is refused.
    let invite = |m: &Value, token: &str, body: Value| {
        let path = format!("/api/v1/consultations/{}/invitations", m["id"]);
        let app = &app;
        let token = token.to_string();
        async move { app.post(&path, Some(&token), body).await }
    };
    let resident_rep = json!({"user_id": c.r1_id, "category": "resident_rep"});
    assert_eq!(
        invite(&a, &c.staff, resident_rep.clone()).await.status,
        StatusCode::CREATED
    );
    let rsvp = |m: &Value, response: &str| {
        let path = format!("/api/v1/consultations/{}/rsvp", m["id"]);
        let body = json!({"response": response});
        let app = &app;
        let token = c.r1.clone();
        async move { app.post(&path, Some(&token), body).await }
    };
    assert_eq!(rsvp(&a, "declined").await.status, StatusCode::NO_CONTENT);
    let other = app
        .post(
            "/api/v1/consultations",
            Some(&c.cppcc),
            new(c.community, "3号楼院坝", "in_person"),
        )
        .await
        .body;
    assert_eq!(
        invite(&other, &c.cppcc, resident_rep).await.status,
        StatusCode::CREATED
    );
    let scheduled = meeting_act(&app, &c.cppcc, &other, "schedule", json!({})).await;
    assert_eq!(scheduled.status, StatusCode::OK, "{:?}", scheduled.body);
    let back = rsvp(&a, "accepted").await;
    assert_eq!(
        (back.status, back.code()),
        (StatusCode::CONFLICT, "consultation.clash")
    );
    assert!(
        back.body["detail"]
            .as_str()
            .unwrap()
            .contains(&format!("consultation {}", other["id"]))
    );

    // Someone who attended for an organisation signs off the minutes.
    let firm_inv = invite(
        &a,
        &c.staff,
        json!({"organization_id": c.firm, "category": "property_firm"}),
    )
    .await;
    let a = app
        .get(
            &format!("/api/v1/consultations/{}", a["id"]),
            Some(&c.staff),
        )
        .await
        .body;
    let started = meeting_act(&app, &c.staff, &a, "start", json!({}))
        .await
        .body;
    let r = app
        .post(
            &format!("/api/v1/consultations/{}/attendance", a["id"]),
            Some(&c.staff),
            json!({"attended_invitation_ids": [firm_inv.body["id"]]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    meeting_act(
        &app,
        &c.staff,
        &started,
        "conclude",
        json!({"minutes": "纪要"}),
    )
    .await;
    let signed = app
        .post(
            &format!("/api/v1/consultations/{}/minutes/confirm", a["id"]),
            Some(&c.firm_user),
            json!({}),
        )
        .await;
    assert_eq!(signed.status, StatusCode::OK, "{:?}", signed.body);

    // Cancelling a scheduled meeting mails its invitees a CANCEL (after the two REQUESTs
    // r1 got: the late invitation to `a` and the scheduling of `other`).
    let other = app
        .get(
            &format!("/api/v1/consultations/{}", other["id"]),
            Some(&c.cppcc),
        )
        .await
        .body;
    let cancelled = meeting_act(&app, &c.cppcc, &other, "cancel", json!({"reason": "改期"})).await;
    assert_eq!(cancelled.status, StatusCode::OK);
    let mails = mailed_calendars(&app, "r1@example.com", 3).await;
    let methods: Vec<String> = mails.iter().map(|m| parse_ics(m).0).collect();
    assert_eq!(methods, vec!["REQUEST", "REQUEST", "CANCEL"]);
    let (_, events) = parse_ics(&mails[2]);
    assert_eq!(events[0].2, "CANCELLED");
    app.stop().await;
    Ok(())
}
