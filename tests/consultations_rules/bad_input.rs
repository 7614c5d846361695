//! Bad input on every write endpoint: unreadable JSON, wrong types and values that break a rule.

use super::*;

#[actix_rt::test]
async fn unreadable_input_is_a_400_naming_the_field() -> TestResult {
    let w = World::new(&[]).await;
    let app = &w.app;
    let d = w.build(Upto::Draft, None).await;
    let p = w.build(Upto::InProgress, None).await;
    let mut c = w.build(Upto::Concluded, None).await;
    c.proposal = w
        .proposal_from("cppcc", &c, c.items[1], Some(w.city.dept))
        .await;
    let m = |id: i64, s: &str| format!("/api/v1/consultations/{id}{s}");
    let prop = format!("/api/v1/proposals/{}/transitions", c.proposal);
    // (endpoint, caller, method, path)
    #[rustfmt::skip]
    let endpoints: Vec<(&str, &str, Method, String)> = vec![
        ("create", "sub", Method::POST, "/api/v1/consultations".into()),
        ("patch", "sub", Method::PATCH, m(d.id, "")),
        ("transition", "sub", Method::POST, m(d.id, "/transitions")),
        ("agenda item", "sub", Method::POST, m(d.id, "/agenda-items")),
        ("reorder", "sub", Method::POST, m(d.id, "/agenda-items/reorder")),
        ("invitation", "sub", Method::POST, m(d.id, "/invitations")),
        ("rsvp", "invitee", Method::POST, m(d.id, "/rsvp")),
        ("attendance", "sub", Method::POST, m(p.id, "/attendance")),
        ("outcome", "sub", Method::POST, m(c.id, "/outcomes")),
        ("dissent", "invitee", Method::POST, m(c.id, "/minutes/dissent")),
        ("proposal", "cppcc", Method::POST, prop),
    ];
    for (what, who, method, path) in &endpoints {
        for raw in [
            &b"{\"title\": "[..],
            &b"{\"title\": \"x\",}"[..],
            &b""[..],
            &b"not json"[..],
        ] {
            deny(
                app,
                &format!("{what}: malformed JSON {:?}", String::from_utf8_lossy(raw)),
                app.raw(
                    method.clone(),
                    path,
                    w.tok(who),
                    "application/json",
                    raw.to_vec(),
                ),
                Expect(400, "request.malformed_json", None),
            )
            .await;
        }
    }
    let (start, end) = w.next_slot();
    let create = |extra: Value| {
        let mut b = json!({"place_id": w.city.community, "title": "楼道堆物协商会", "kind": "courtyard",
                           "format": "in_person", "venue": "议事厅", "starts_at": start, "ends_at": end});
        b.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        b
    };
    let outcome = |extra: Value| {
        let mut b =
            json!({"agenda_item_id": c.items[0], "decision": "同意", "consensus": "majority"});
        b.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        b
    };
    let ep = |name: &str| {
        endpoints
            .iter()
            .find(|e| e.0 == name)
            .map(|e| (e.1, e.2.clone(), e.3.clone()))
            .unwrap()
    };
    // (what, endpoint, body, code, field)
    #[rustfmt::skip]
    let rows: Vec<(&str, &str, Value, &str, &str)> = vec![
        ("a numeric title", "create", create(json!({"title": 5})), "request.invalid_field", "title"),
        ("a start that is no time", "create", create(json!({"starts_at": "next monday"})), "request.invalid_field", "starts_at"),
        ("a place id as text", "create", create(json!({"place_id": "幸福社区"})), "request.invalid_field", "place_id"),
        ("kind party", "create", create(json!({"kind": "party"})), "request.invalid_field", "kind"),
        ("format tv", "create", create(json!({"format": "tv"})), "request.invalid_field", "format"),
        ("no start", "create", { let mut b = create(json!({})); b.as_object_mut().unwrap().remove("starts_at"); b }, "request.missing_field", "starts_at"),
        ("a version as text", "patch", json!({"title": "新标题", "expected_version": "seven"}), "request.invalid_field", "expected_version"),
        ("no version", "patch", json!({"title": "新标题"}), "request.missing_field", "expected_version"),
        ("a version as a string", "transition", json!({"action": "schedule", "expected_version": "1"}), "request.invalid_field", "expected_version"),
        ("action postpone", "transition", json!({"action": "postpone", "expected_version": d.version}), "request.invalid_field", "action"),
        ("minutes as words", "agenda item", json!({"title": "议题", "minutes": "ten"}), "request.invalid_field", "minutes"),
        ("item ids as text", "reorder", json!({"item_ids": "1,2"}), "request.invalid_field", "item_ids"),
        ("a user id as text", "invitation", json!({"user_id": "r1", "category": "resident_rep"}), "request.invalid_field", "user_id"),
        ("category friend", "invitation", json!({"user_id": w.uid("resident"), "category": "friend"}), "request.invalid_field", "category"),
        ("response maybe", "rsvp", json!({"response": "maybe"}), "request.invalid_field", "response"),
        ("an invitation id as text", "attendance", json!({"attended_invitation_ids": ["x"]}), "request.invalid_field", "attended_invitation_ids[0]"),
        ("an agenda item id as text", "outcome", outcome(json!({"agenda_item_id": "first"})), "request.invalid_field", "agenda_item_id"),
        ("consensus some", "outcome", outcome(json!({"consensus": "some"})), "request.invalid_field", "consensus"),
        ("follow-ups as an object", "outcome", outcome(json!({"follow_ups": {"kind": "task"}})), "request.invalid_field", "follow_ups"),
        ("follow-up kind memo", "outcome", outcome(json!({"follow_ups": [{"kind": "memo", "title": "备忘"}]})), "request.invalid_field", "follow_ups[0].kind"),
        ("a numeric dissent", "dissent", json!({"text": 42}), "request.invalid_field", "text"),
        ("status rejected", "proposal", json!({"to": "rejected"}), "request.invalid_field", "to"),
    ];
    for (what, name, body, code, field) in rows {
        let (who, method, path) = ep(name);
        let (what, req) = (format!("{name}: {what}"), w.send(who, method, path, body));
        deny(app, &what, req, Expect(400, code, Some(field))).await;
    }
    w.stop().await
}

/// A number, a boolean or a list where a named value (an enum) is expected is well-formed
/// JSON of the wrong type: 400 `request.invalid_field` naming the field, as for a number where
/// a text is expected, not `request.malformed_json`.
#[actix_rt::test]
async fn a_wrong_type_for_a_named_value_is_an_invalid_field_not_malformed_json() -> TestResult {
    let w = World::new(&[]).await;
    let app = &w.app;
    let d = w.build(Upto::Draft, None).await;
    let mut c = w.build(Upto::Concluded, None).await;
    c.proposal = w
        .proposal_from("cppcc", &c, c.items[0], Some(w.city.dept))
        .await;
    let mut create = w.draft_body("楼道堆物协商会");
    create["kind"] = json!(5);
    #[rustfmt::skip]
    let rows: Vec<(&str, &str, String, Value, &str)> = vec![
        ("a numeric kind", "sub", "/api/v1/consultations".into(), create, "kind"),
        ("a numeric response", "invitee", format!("/api/v1/consultations/{}/rsvp", d.id), json!({"response": 1}), "response"),
        ("a boolean action", "sub", format!("/api/v1/consultations/{}/transitions", d.id), json!({"action": true, "expected_version": d.version}), "action"),
        ("a list for a category", "sub", format!("/api/v1/consultations/{}/invitations", d.id), json!({"organization_id": w.city.dept, "category": ["department"]}), "category"),
        ("a numeric status", "cppcc", format!("/api/v1/proposals/{}/transitions", c.proposal), json!({"to": 2}), "to"),
    ];
    for (what, who, path, body, field) in rows {
        deny(
            app,
            &format!("{path}: {what}"),
            app.post(&path, w.tok(who), body),
            Expect(400, "request.invalid_field", Some(field)),
        )
        .await;
    }
    w.stop().await
}

#[actix_rt::test]
async fn values_that_break_a_rule_are_a_422_naming_the_field() -> TestResult {
    let w = World::new(&[]).await;
    let app = &w.app;
    let say = w.topic("resident", w.city.community, "say").await;
    let discuss = w.topic("resident", w.city.community, "discuss").await;
    let planned = w.topic("resident", w.city.community, "plan").await;
    let elsewhere = w.topic("sibling_resident", w.city.sibling, "discuss").await;
    let d = w.build(Upto::Draft, None).await;
    let other = w.build(Upto::Draft, None).await;
    let p = w.build(Upto::InProgress, None).await;
    let c = w.build(Upto::Concluded, Some(discuss)).await;
    let cp = w.build(Upto::Concluded, Some(planned)).await;
    let (start, end) = w.next_slot();
    let create = |extra: Value| {
        let mut b = json!({"place_id": w.city.community, "title": "楼道堆物协商会", "kind": "courtyard",
                           "format": "in_person", "venue": "议事厅", "starts_at": start, "ends_at": end});
        b.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        b
    };
    let m = |id: i64, s: &str| format!("/api/v1/consultations/{id}{s}");
    let task = |extra: Value| {
        let mut f = json!({"kind": "task", "title": "清理楼道堆物", "organization_id": w.city.firm,
                           "due_at": Utc::now() + Duration::days(30)});
        f.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        f
    };
    let outcome = |item: i64, follow: Value| {
        json!({"agenda_item_id": item, "decision": "限期清理", "consensus": "majority",
               "follow_ups": [follow]})
    };
    let post = Method::POST;
    let patch = Method::PATCH;
    let create_path = || "/api/v1/consultations".to_string();
    // (what, caller, method, path, body, code, field)
    type Row<'a> = (&'a str, &'a str, Method, String, Value, &'a str, &'a str);
    #[rustfmt::skip]
    let rows: Vec<Row> = vec![
        ("a title of 201 characters", "sub", post.clone(), create_path(), create(json!({"title": "议".repeat(201)})), "validation.length", "title"),
        ("a title of one character", "sub", post.clone(), create_path(), create(json!({"title": "议"})), "validation.length", "title"),
        ("an empty venue", "sub", post.clone(), create_path(), create(json!({"venue": ""})), "validation.length", "venue"),
        ("an end before the start", "sub", post.clone(), create_path(), create(json!({"starts_at": end, "ends_at": start})), "consultation.invalid_time", "ends_at"),
        ("an end at the start", "sub", post.clone(), create_path(), create(json!({"ends_at": start})), "consultation.invalid_time", "ends_at"),
        ("a meeting of 24 hours and a minute", "sub", post.clone(), create_path(), create(json!({"ends_at": start + Duration::hours(24) + Duration::minutes(1)})), "consultation.invalid_time", "ends_at"),
        ("an online link that is no URL", "sub", post.clone(), create_path(), create(json!({"format": "online", "online_url": "zoom room 5"})), "validation.invalid", "online_url"),
        ("an unknown place", "sub", post.clone(), create_path(), create(json!({"place_id": 987_654_321})), "place.not_found", "place_id"),
        ("from a topic still in say", "sub", post.clone(), create_path(), create(json!({"from_topic_id": say})), "consultation.invalid_topic", "from_topic_id"),
        ("from a topic of another community", "sub", post.clone(), create_path(), create(json!({"from_topic_id": elsewhere})), "consultation.invalid_topic", "from_topic_id"),
        ("from an unknown topic", "sub", post.clone(), create_path(), create(json!({"from_topic_id": 987_654_321})), "topic.not_found", "from_topic_id"),
        ("a title of 201 characters", "sub", patch.clone(), m(d.id, ""), json!({"title": "议".repeat(201), "expected_version": d.version}), "validation.length", "title"),
        ("an end before the start", "sub", patch.clone(), m(d.id, ""), json!({"ends_at": day_at(0, 9, 0), "expected_version": d.version}), "consultation.invalid_time", "ends_at"),
        ("a move to 25 hours", "sub", patch.clone(), m(d.id, ""), json!({"ends_at": start + Duration::hours(25), "starts_at": start, "expected_version": d.version}), "consultation.invalid_time", "ends_at"),
        ("a meeting too short for its agenda", "sub", patch.clone(), m(d.id, ""), json!({"starts_at": start, "ends_at": start + Duration::minutes(30), "expected_version": d.version}), "consultation.agenda_overrun", "ends_at"),
        ("minutes 0", "sub", post.clone(), m(d.id, "/agenda-items"), json!({"title": "议题", "minutes": 0}), "validation.range", "minutes"),
        ("minutes 1441", "sub", post.clone(), m(d.id, "/agenda-items"), json!({"title": "议题", "minutes": 1441}), "validation.range", "minutes"),
        ("an empty title", "sub", post.clone(), m(d.id, "/agenda-items"), json!({"title": "", "minutes": 10}), "validation.length", "title"),
        ("more minutes than the meeting has", "sub", post.clone(), m(d.id, "/agenda-items"), json!({"title": "议题", "minutes": 81}), "consultation.agenda_overrun", "minutes"),
        ("a topic of another community", "sub", post.clone(), m(d.id, "/agenda-items"), json!({"title": "议题", "minutes": 10, "topic_id": elsewhere}), "consultation.invalid_topic", "topic_id"),
        ("a topic still in say", "sub", post.clone(), m(d.id, "/agenda-items"), json!({"title": "议题", "minutes": 10, "topic_id": say}), "consultation.invalid_topic", "topic_id"),
        ("an unknown topic", "sub", post.clone(), m(d.id, "/agenda-items"), json!({"title": "议题", "minutes": 10, "topic_id": 987_654_321}), "topic.not_found", "topic_id"),
        ("an unknown presenter", "sub", post.clone(), m(d.id, "/agenda-items"), json!({"title": "议题", "minutes": 10, "presenter_id": 987_654_321}), "user.not_found", "presenter_id"),
        ("an order missing an item", "sub", post.clone(), m(d.id, "/agenda-items/reorder"), json!({"item_ids": [d.items[1]]}), "consultation.invalid_order", "item_ids"),
        ("an order with an item twice", "sub", post.clone(), m(d.id, "/agenda-items/reorder"), json!({"item_ids": [d.items[1], d.items[0], d.items[0]]}), "consultation.invalid_order", "item_ids"),
        ("an order with another meeting's item", "sub", post.clone(), m(d.id, "/agenda-items/reorder"), json!({"item_ids": [d.items[1], other.items[0]]}), "consultation.invalid_order", "item_ids"),
        ("an empty order", "sub", post.clone(), m(d.id, "/agenda-items/reorder"), json!({"item_ids": []}), "validation.length", "item_ids"),
        ("both a user and an organisation", "sub", post.clone(), m(d.id, "/invitations"), json!({"user_id": w.uid("resident"), "organization_id": w.city.dept, "category": "department"}), "invitation.invitee_required", "user_id"),
        ("neither a user nor an organisation", "sub", post.clone(), m(d.id, "/invitations"), json!({"category": "expert"}), "invitation.invitee_required", "user_id"),
        ("an unknown user", "sub", post.clone(), m(d.id, "/invitations"), json!({"user_id": 987_654_321, "category": "resident_rep"}), "user.not_found", "user_id"),
        ("an unknown organisation", "sub", post.clone(), m(d.id, "/invitations"), json!({"organization_id": 987_654_321, "category": "department"}), "organization.not_found", "organization_id"),
        ("pending", "invitee", post.clone(), m(d.id, "/rsvp"), json!({"response": "pending"}), "validation.invalid", "response"),
        ("another meeting's invitation", "sub", post.clone(), m(p.id, "/attendance"), json!({"attended_invitation_ids": [p.inv_invitee, other.inv_invitee]}), "invitation.not_found", "attended_invitation_ids"),
        ("another meeting's agenda item", "sub", post.clone(), m(c.id, "/outcomes"), json!({"agenda_item_id": other.items[0], "decision": "同意", "consensus": "none"}), "agenda_item.not_found", "agenda_item_id"),
        ("an empty decision", "sub", post.clone(), m(c.id, "/outcomes"), json!({"agenda_item_id": c.items[0], "decision": "", "consensus": "none"}), "validation.length", "decision"),
        ("a task without a due date", "sub", post.clone(), m(cp.id, "/outcomes"), outcome(cp.items[0], { let mut t = task(json!({})); t.as_object_mut().unwrap().remove("due_at"); t }), "validation.required", "follow_ups[0].due_at"),
        ("a task whose topic is not in plan", "sub", post.clone(), m(c.id, "/outcomes"), outcome(c.items[0], task(json!({}))), "topic.not_in_plan", "follow_ups[0].kind"),
        ("a task for an item without a topic", "sub", post.clone(), m(c.id, "/outcomes"), outcome(c.items[1], task(json!({}))), "outcome.task_needs_topic", "follow_ups[0].kind"),
        ("a follow-up with an empty title", "sub", post.clone(), m(cp.id, "/outcomes"), outcome(cp.items[0], task(json!({"title": ""}))), "validation.length", "follow_ups[0].title"),
        ("a proposal for an unknown organisation", "sub", post.clone(), m(c.id, "/outcomes"), outcome(c.items[1], json!({"kind": "proposal", "title": "提案", "organization_id": 987_654_321})), "organization.not_found", "follow_ups[0].organization_id"),
        ("an empty dissent", "invitee", post.clone(), m(c.id, "/minutes/dissent"), json!({"text": ""}), "validation.length", "text"),
        ("minutes over 20000 characters", "sub", post.clone(), m(p.id, "/transitions"), json!({"action": "conclude", "expected_version": p.version, "minutes": "纪".repeat(20001)}), "validation.length", "minutes"),
    ];
    for (what, who, method, path, body, code, field) in rows {
        deny(
            app,
            &format!("{method} {path}: {what}"),
            w.send(who, method, path, body),
            Expect(422, code, Some(field)),
        )
        .await;
    }
    // The follow-ups that pass are created with the outcome.
    let r = app
        .post(
            &m(cp.id, "/outcomes"),
            w.tok("sub"),
            outcome(cp.items[0], task(json!({}))),
        )
        .await;
    assert_eq!(r.status.as_u16(), 201, "{:?}", r.body);
    assert!(r.body["follow_ups"][0]["task_id"].as_i64().is_some());

    // Free slots.
    let slots = |users: &str, from: DateTime<Utc>, to: DateTime<Utc>, minutes: &str| {
        format!(
            "/api/v1/consultations/free-slots?users={users}&from={}&to={}&minutes={minutes}",
            z(from),
            z(to)
        )
    };
    let u = w.uid("invitee").to_string();
    let (mon, tue) = (day_at(0, 0, 0), day_at(1, 0, 0));
    for (what, path, status, code, field) in [
        (
            "to before from",
            slots(&u, tue, mon, "60"),
            422,
            "consultation.invalid_time",
            "to",
        ),
        (
            "to at from",
            slots(&u, mon, mon, "60"),
            422,
            "consultation.invalid_time",
            "to",
        ),
        (
            "a range of 63 days",
            slots(&u, mon, mon + Duration::days(63), "60"),
            422,
            "consultation.invalid_time",
            "to",
        ),
        (
            "10 minutes",
            slots(&u, mon, tue, "10"),
            422,
            "validation.range",
            "minutes",
        ),
        (
            "481 minutes",
            slots(&u, mon, tue, "481"),
            422,
            "validation.range",
            "minutes",
        ),
        (
            "users=abc",
            slots("abc", mon, tue, "60"),
            400,
            "request.invalid_query",
            "users",
        ),
        (
            "users=1,,2",
            slots("1,,2", mon, tue, "60"),
            400,
            "request.invalid_query",
            "users",
        ),
        (
            "minutes=ten",
            slots(&u, mon, tue, "ten"),
            400,
            "request.invalid_query",
            "minutes",
        ),
        (
            "no from",
            format!(
                "/api/v1/consultations/free-slots?users={u}&to={}&minutes=60",
                z(tue)
            ),
            400,
            "request.invalid_query",
            "from",
        ),
    ] {
        deny(
            app,
            &format!("free slots: {what}"),
            app.get(&path, w.tok("staff")),
            Expect(status, code, Some(field)),
        )
        .await;
    }
    let ok = app
        .get(
            &slots(&u, mon, mon + Duration::days(62), "480"),
            w.tok("staff"),
        )
        .await;
    assert_eq!(
        ok.status.as_u16(),
        200,
        "62 days and 480 minutes: {:?}",
        ok.body
    );
    w.stop().await
}

/// A task follow-up refused for its organisation names the follow-up's field, as every other
/// follow-up refusal does (`follow_ups[0].kind`, `.due_at`, `.title`, and a proposal's
/// `.organization_id`); there is no top-level `organization_id` in an outcome.
#[actix_rt::test]
async fn a_task_follow_up_refused_for_its_organisation_names_the_follow_up() -> TestResult {
    let w = World::new(&[]).await;
    let app = &w.app;
    let planned = w.topic("resident", w.city.community, "plan").await;
    let cp = w.build(Upto::Concluded, Some(planned)).await;
    let path = format!("/api/v1/consultations/{}/outcomes", cp.id);
    for (what, org, code) in [
        (
            "a task for an unknown organisation",
            json!(987_654_321),
            "organization.not_found",
        ),
        (
            "a task with nobody responsible",
            Value::Null,
            "task.responsible_required",
        ),
    ] {
        deny(app, what, app.post(
                &path,
                w.tok("sub"),
                json!({"agenda_item_id": cp.items[0], "decision": "限期清理", "consensus": "majority",
                       "follow_ups": [{"kind": "task", "title": "清理楼道堆物", "organization_id": org,
                                       "due_at": Utc::now() + Duration::days(30)}]}),
            ), Expect(422, code, Some("follow_ups[0].organization_id"))).await;
    }
    w.stop().await
}
