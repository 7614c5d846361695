//! A CPPCC member takes an escalated topic from the queue into a micro-consultation.

use super::*;

#[actix_rt::test]
async fn a_cppcc_member_takes_an_escalated_topic_to_a_micro_consultation() -> TestResult {
    let app = TestApp::spawn_with(UNTIMED).await;
    let c = cast(&app).await;
    let topic = topic_in_discuss(&app, &c, "垃圾房异味严重，需要改造", false, true).await;
    let tid = topic["id"].as_i64().unwrap();

    // The queue 请你来协商: escalated topics not yet on any meeting's agenda.
    let queue = format!(
        "/api/v1/topics?escalated=true&unscheduled=true&place_id={}",
        c.community
    );
    let q = app.get(&queue, Some(&c.cppcc)).await;
    assert_eq!(q.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(q.body["items"][0]["id"], tid);

    // One call: a micro-consultation with the topic as its first agenda item.
    let (start, end) = (monday_at(10, 0), monday_at(11, 30));
    let m = app
        .post(
            "/api/v1/consultations",
            Some(&c.cppcc),
            json!({"place_id": c.community, "title": "垃圾房改造微协商", "kind": "micro_consultation", "format": "in_person",
                   "venue": "幸福社区议事厅", "starts_at": start, "ends_at": end, "from_topic_id": tid}),
        )
        .await;
    assert_eq!(m.status, StatusCode::CREATED, "{:?}", m.body);
    let mid = m.body["id"].as_i64().unwrap();
    assert_eq!(m.body["status"], "draft");
    let agenda = app
        .get(
            &format!("/api/v1/consultations/{mid}/agenda-items"),
            Some(&c.cppcc),
        )
        .await;
    assert_eq!(agenda.body["items"][0]["topic_id"], tid);
    assert_eq!(
        app.get(&queue, Some(&c.cppcc)).await.body["items"]
            .as_array()
            .unwrap()
            .len(),
        0
    );

    // Invitations: the property firm, two residents, a department; answers.
    #[rustfmt::skip]
    let table = [
        (json!({"organization_id": c.firm, "category": "property_firm"}), StatusCode::CREATED),
        (json!({"user_id": c.r1_id, "category": "resident_rep"}), StatusCode::CREATED),
        (json!({"user_id": c.r2_id, "category": "resident_rep"}), StatusCode::CREATED),
        (json!({"organization_id": c.dept, "category": "department"}), StatusCode::CREATED),
        (json!({"user_id": c.r1_id, "category": "resident_rep"}), StatusCode::CONFLICT),
    ];
    for (body, expect) in table {
        let r = app
            .post(
                &format!("/api/v1/consultations/{mid}/invitations"),
                Some(&c.cppcc),
                body,
            )
            .await;
        assert_eq!(r.status, expect, "{:?}", r.body);
    }
    #[rustfmt::skip]
    let table = [
        (&c.r1, "accepted"),
        (&c.r2, "tentative"),
        (&c.firm_user, "accepted"),
    ];
    for (who, response) in table {
        let r = app
            .post(
                &format!("/api/v1/consultations/{mid}/rsvp"),
                Some(who),
                json!({"response": response}),
            )
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
    }
    let not_invited = app
        .post(
            &format!("/api/v1/consultations/{mid}/rsvp"),
            Some(&c.staff),
            json!({"response": "accepted"}),
        )
        .await;
    assert_eq!(not_invited.status, StatusCode::FORBIDDEN);

    // An agenda that overruns the meeting is refused, naming the overrun.
    let over = app
        .post(
            &format!("/api/v1/consultations/{mid}/agenda-items"),
            Some(&c.cppcc),
            json!({"title": "其他事项", "minutes": 45}),
        )
        .await;
    assert_eq!(
        (over.status, over.code()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "consultation.agenda_overrun"
        )
    );
    assert_eq!(over.body["field"], "minutes");
    assert!(
        over.body["detail"].as_str().unwrap().contains("15"),
        "{:?}",
        over.body
    );

    let m = app
        .get(&format!("/api/v1/consultations/{mid}"), Some(&c.cppcc))
        .await
        .body;
    let scheduled = meeting_act(&app, &c.cppcc, &m, "schedule", json!({})).await;
    assert_eq!(scheduled.status, StatusCode::OK, "{:?}", scheduled.body);
    assert_eq!(scheduled.body["status"], "scheduled");
    assert_eq!(scheduled.body["warnings"], json!([]));
    // Invitees are mailed an iCalendar REQUEST.
    let invite_ics = mailed_calendars(&app, "r1@example.com", 1).await;
    let (method, events) = parse_ics(&invite_ics[0]);
    assert_eq!(method, "REQUEST");
    assert!(events[0].0.starts_with(&format!("consultation-{mid}@")));
    assert!(invite_ics[0].contains("ORGANIZER:mailto:cppcc@example.com"));

    // A second meeting that would double-book the accepted resident is refused with the
    // first meeting's id.
    let other = app
        .post(
            "/api/v1/consultations",
            Some(&c.staff),
            json!({"place_id": c.community, "title": "停车问题院坝协商", "kind": "courtyard", "format": "in_person",
                   "venue": "3号楼院坝", "starts_at": monday_at(11, 0), "ends_at": monday_at(12, 0)}),
        )
        .await;
    let oid = other.body["id"].as_i64().unwrap();
    let r = app
        .post(
            &format!("/api/v1/consultations/{oid}/invitations"),
            Some(&c.staff),
            json!({"user_id": c.r1_id, "category": "resident_rep"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let clash = meeting_act(&app, &c.staff, &other.body, "schedule", json!({})).await;
    assert_eq!(
        (clash.status, clash.code()),
        (StatusCode::CONFLICT, "consultation.clash")
    );
    assert!(
        clash.body["detail"]
            .as_str()
            .unwrap()
            .contains(&format!("consultation {mid}")),
        "{:?}",
        clash.body
    );
    let still: Value = app
        .get(&format!("/api/v1/consultations/{oid}"), Some(&c.staff))
        .await
        .body;
    assert_eq!(still["status"], "draft");

    // Free slots for the resident and the CPPCC member avoid the booked meeting.
    let from = monday_at(9, 0);
    let slots = app
        .get(
            &format!(
                "/api/v1/consultations/free-slots?users={},{}&from={}&to={}&minutes=60",
                c.r1_id,
                c.cppcc_id,
                from.format("%Y-%m-%dT%H:%M:%SZ"),
                (from + Duration::days(1)).format("%Y-%m-%dT%H:%M:%SZ")
            ),
            // Free/busy goes to a convener for people within their places: the CPPCC
            // member's district holds the resident (and themself).
            Some(&c.cppcc),
        )
        .await;
    assert_eq!(slots.status, StatusCode::OK, "{:?}", slots.body);
    let first: Vec<(String, String)> = slots
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["starts_at"].as_str().unwrap().to_string(),
                s["ends_at"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        first[0].0,
        monday_at(9, 0).to_rfc3339().replace("+00:00", "Z")
    );
    for (s, e) in &first {
        let (s, e) = (
            s.parse::<chrono::DateTime<Utc>>()?,
            e.parse::<chrono::DateTime<Utc>>()?,
        );
        assert!(e <= start || s >= end, "slot {s}–{e} overlaps the meeting");
    }

    // The calendar: parseable, stable UID; a move raises SEQUENCE.
    let (status, ct, ics) = app
        .get_text(
            &format!("/api/v1/consultations/{mid}/calendar.ics"),
            Some(&c.r1),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(ct.starts_with("text/calendar"));
    let (method, events) = parse_ics(&ics);
    assert_eq!(method, "PUBLISH");
    assert_eq!(events.len(), 1);
    let (uid, seq, st, dtstart) = events[0].clone();
    assert!(uid.starts_with(&format!("consultation-{mid}@")));
    assert_eq!(st, "CONFIRMED");
    assert_eq!(dtstart, start.to_rfc3339());
    let m = app
        .get(&format!("/api/v1/consultations/{mid}"), Some(&c.cppcc))
        .await
        .body;
    let moved = app
        .patch(
            &format!("/api/v1/consultations/{mid}"),
            Some(&c.cppcc),
            json!({"starts_at": monday_at(14, 0), "ends_at": monday_at(15, 30), "expected_version": m["version"]}),
        )
        .await;
    assert_eq!(moved.status, StatusCode::OK, "{:?}", moved.body);
    let (_, _, ics2) = app
        .get_text(
            &format!("/api/v1/consultations/{mid}/calendar.ics"),
            Some(&c.r1),
        )
        .await;
    let (_, events2) = parse_ics(&ics2);
    assert_eq!(events2[0].0, uid, "UID is stable");
    assert!(events2[0].1 > seq, "SEQUENCE rises on a move");
    assert_eq!(events2[0].3, monday_at(14, 0).to_rfc3339());
    // The move is mailed as an update with the higher SEQUENCE.
    let mailed = mailed_calendars(&app, "r1@example.com", 2).await;
    let (_, update) = parse_ics(mailed.last().unwrap());
    assert_eq!(
        (update[0].0.as_str(), update[0].1),
        (uid.as_str(), events2[0].1)
    );

    // The meeting is held: attendance, conclusion with minutes.
    let m = app
        .get(&format!("/api/v1/consultations/{mid}"), Some(&c.cppcc))
        .await
        .body;
    let started = meeting_act(&app, &c.cppcc, &m, "start", json!({})).await;
    assert_eq!(started.status, StatusCode::OK);
    let invs = app
        .get(
            &format!("/api/v1/consultations/{mid}/invitations"),
            Some(&c.cppcc),
        )
        .await
        .body;
    let attended: Vec<i64> = invs["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| {
            i["user_id"] == c.r1_id || i["user_id"] == c.r2_id || i["organization_id"] == c.firm
        })
        .map(|i| i["id"].as_i64().unwrap())
        .collect();
    let r = app
        .post(
            &format!("/api/v1/consultations/{mid}/attendance"),
            Some(&c.cppcc),
            json!({"attended_invitation_ids": attended}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let no_minutes = meeting_act(&app, &c.cppcc, &started.body, "conclude", json!({})).await;
    assert_eq!(
        (no_minutes.status, no_minutes.body["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("minutes"))
    );
    let concluded = meeting_act(
        &app,
        &c.cppcc,
        &started.body,
        "conclude",
        json!({"minutes": "议定：物业负责改造垃圾房，街道督办。"}),
    )
    .await;
    assert_eq!(concluded.status, StatusCode::OK, "{:?}", concluded.body);

    // The topic is decided; sub-district staff record the outcome with a follow-up task.
    let topic = app
        .get(&format!("/api/v1/topics/{tid}"), Some(&c.staff))
        .await
        .body;
    let decided = app
        .post(&format!("/api/v1/topics/{tid}/transitions"), Some(&c.staff), json!({"action": "decide", "expected_version": topic["version"], "decision": "按协商结果改造"}))
        .await;
    assert_eq!(decided.status, StatusCode::OK);
    let item = agenda.body["items"][0]["id"].as_i64().unwrap();
    let due = (Utc::now() + Duration::days(30)).to_rfc3339();
    let outcome = app
        .post(
            &format!("/api/v1/consultations/{mid}/outcomes"),
            Some(&c.sub),
            json!({"agenda_item_id": item, "decision": "物业负责改造垃圾房", "consensus": "majority",
                   "follow_ups": [{"kind": "task", "title": "垃圾房密闭化改造", "organization_id": c.firm, "due_at": due},
                                  {"kind": "opinion_report", "title": "关于老旧小区垃圾房改造资金的社情民意", "organization_id": c.dept}]}),
        )
        .await;
    assert_eq!(outcome.status, StatusCode::CREATED, "{:?}", outcome.body);
    let task_id = outcome.body["follow_ups"][0]["task_id"].as_i64().unwrap();
    let tasks = app
        .get(&format!("/api/v1/topics/{tid}/tasks"), Some(&c.staff))
        .await;
    assert!(
        tasks.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["id"] == task_id && t["title"] == "垃圾房密闭化改造")
    );
    let pid = outcome.body["follow_ups"][1]["proposal_id"]
        .as_i64()
        .unwrap();
    let p = app
        .get(&format!("/api/v1/proposals/{pid}"), Some(&c.cppcc))
        .await;
    assert_eq!(
        (p.body["status"].as_str(), p.body["kind"].as_str()),
        (Some("draft"), Some("opinion_report"))
    );
    let again = app
        .post(
            &format!("/api/v1/consultations/{mid}/outcomes"),
            Some(&c.sub),
            json!({"agenda_item_id": item, "decision": "重复", "consensus": "none"}),
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);

    // Minutes sign-off: attendees confirm or dissent, once; others may not.
    let confirm = format!("/api/v1/consultations/{mid}/minutes/confirm");
    assert_eq!(
        app.post(&confirm, Some(&c.r1), json!({})).await.status,
        StatusCode::OK
    );
    assert_eq!(
        app.post(&confirm, Some(&c.r1), json!({})).await.status,
        StatusCode::CONFLICT
    );
    let d = app
        .post(
            &format!("/api/v1/consultations/{mid}/minutes/dissent"),
            Some(&c.r2),
            json!({"text": "费用分摊未写入纪要"}),
        )
        .await;
    assert_eq!(d.status, StatusCode::OK);
    assert_eq!(d.body["confirmed_by"], json!([c.r1_id]));
    assert_eq!(d.body["dissents"][0]["text"], "费用分摊未写入纪要");
    let mut cats: Vec<String> = d.body["attended_categories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    cats.sort();
    assert_eq!(cats, vec!["property_firm", "resident_rep"]);
    assert_eq!(
        app.post(&confirm, Some(&c.staff), json!({})).await.status,
        StatusCode::FORBIDDEN
    );

    // The topic's timeline shows the meeting.
    let tl = app
        .get(
            &format!("/api/v1/topics/{tid}/timeline?limit=100"),
            Some(&c.staff),
        )
        .await;
    let kinds: Vec<&str> = tl.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    for k in [
        "meeting_planned",
        "meeting_scheduled",
        "meeting_moved",
        "meeting_concluded",
        "meeting_outcome",
    ] {
        assert!(kinds.contains(&k), "{k} in {kinds:?}");
    }

    // The per-user feed: by token, revocable; a cancelled meeting is CANCELLED.
    let other = app
        .get(&format!("/api/v1/consultations/{oid}"), Some(&c.staff))
        .await
        .body;
    let cancelled = meeting_act(
        &app,
        &c.staff,
        &other,
        "cancel",
        json!({"reason": "与微协商时间冲突"}),
    )
    .await;
    assert_eq!(cancelled.status, StatusCode::OK);
    let (_, _, cics) = app
        .get_text(
            &format!("/api/v1/consultations/{oid}/calendar.ics"),
            Some(&c.r1),
        )
        .await;
    let (cmethod, cevents) = parse_ics(&cics);
    assert_eq!(
        (cmethod.as_str(), cevents[0].2.as_str()),
        ("CANCEL", "CANCELLED")
    );
    let feed = app
        .post("/api/v1/me/calendar-feed", Some(&c.r1), json!({}))
        .await;
    assert_eq!(feed.status, StatusCode::CREATED);
    let url = feed.body["url"].as_str().unwrap();
    let path = &url[url.find("/api/").unwrap()..];
    let (status, _, fics) = app.get_text(path, None).await;
    assert_eq!(status, StatusCode::OK);
    let (_, fevents) = parse_ics(&fics);
    assert!(fevents.iter().any(|e| e.0 == uid));
    assert_eq!(
        app.delete("/api/v1/me/calendar-feed", Some(&c.r1))
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(app.get_text(path, None).await.0, StatusCode::UNAUTHORIZED);
    app.stop().await;
    Ok(())
}
