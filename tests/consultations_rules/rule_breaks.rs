//! Values that break a rule: 422 naming the field, on every write endpoint.

use super::*;

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
    let create = |extra: Value| merged(w.create_body(start, end), extra);
    let m = |id: i64, s: &str| format!("/api/v1/consultations/{id}{s}");
    let task = |extra: Value| {
        merged(
            json!({"kind": "task", "title": "清理楼道堆物", "organization_id": w.city.firm,
                           "due_at": Utc::now() + Duration::days(30)}),
            extra,
        )
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
        ("an online link that is no URL", "sub", post.clone(), create_path(), create(json!({"format": "online", "online_url": "zoom room 5"})), "validation.url", "online_url"),
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
    #[rustfmt::skip]
    let table = [
        ("to before from", slots(&u, tue, mon, "60"), 422, "consultation.invalid_time", "to"),
        ("to at from", slots(&u, mon, mon, "60"), 422, "consultation.invalid_time", "to"),
        ("a range of 63 days", slots(&u, mon, mon + Duration::days(63), "60"), 422, "consultation.invalid_time", "to"),
        ("10 minutes", slots(&u, mon, tue, "10"), 422, "validation.range", "minutes"),
        ("481 minutes", slots(&u, mon, tue, "481"), 422, "validation.range", "minutes"),
        ("users=abc", slots("abc", mon, tue, "60"), 400, "request.invalid_query", "users"),
        ("users=1,,2", slots("1,,2", mon, tue, "60"), 400, "request.invalid_query", "users"),
        ("minutes=ten", slots(&u, mon, tue, "ten"), 400, "request.invalid_query", "minutes"),
        ("no from", format!("/api/v1/consultations/free-slots?users={u}&to={}&minutes=60", z(tue)), 400, "request.invalid_query", "from"),
    ];
    for (what, path, status, code, field) in table {
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
