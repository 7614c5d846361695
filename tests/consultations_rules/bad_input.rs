//! Bad input on every write endpoint: unreadable JSON and values of the wrong type.

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
    let create = |extra: Value| merged(w.create_body(start, end), extra);
    let outcome = |extra: Value| {
        let b = json!({"agenda_item_id": c.items[0], "decision": "同意", "consensus": "majority"});
        merged(b, extra)
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
        let body = json!({"agenda_item_id": cp.items[0], "decision": "限期清理", "consensus": "majority",
                          "follow_ups": [{"kind": "task", "title": "清理楼道堆物", "organization_id": org,
                                          "due_at": Utc::now() + Duration::days(30)}]});
        let req = app.post(&path, w.tok("sub"), body);
        deny(
            app,
            what,
            req,
            Expect(422, code, Some("follow_ups[0].organization_id")),
        )
        .await;
    }
    w.stop().await
}
