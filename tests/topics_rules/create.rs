//! Creating a topic (说): who may raise one, where, and with what input.

use super::*;

#[actix_rt::test]
async fn creating_a_topic_is_refused_for_the_wrong_caller_place_or_input() -> TestResult {
    let w = World::new(&[]).await;
    let app = &w.app;
    let body = w.new_topic(w.city.community, "小区路灯不亮");
    let with = |extra: Value| merged(body.clone(), extra);
    let create = |who: &User, b: Value| {
        let token = who.token.clone();
        async move { app.post("/api/v1/topics", Some(&token), b).await }
    };

    deny(
        app,
        "anonymous",
        app.post("/api/v1/topics", None, body.clone()),
        Expect(401, "auth.missing_token", None),
    )
    .await;
    let outsider = w.outsider().await;
    deny(
        app,
        "a resident of another community",
        create(&outsider, body.clone()),
        DENIED,
    )
    .await;
    let firm_user = w.firm_user().await;
    #[rustfmt::skip]
    let cases = [
        ("a property firm", create(&firm_user, body.clone()), DENIED),
        ("a sub-district is not a place for topics", create(&w.author, with(json!({"place_id": w.city.subdistrict}))), Expect(422, "topic.invalid_place", Some("place_id"))),
        ("sub-district staff at the sub-district", create(&w.sub, with(json!({"place_id": w.city.subdistrict}))), Expect(422, "topic.invalid_place", Some("place_id"))),
        ("an unknown place", create(&w.author, with(json!({"place_id": 987_654_321}))), Expect(422, "place.not_found", Some("place_id"))),
        ("a resident raising on behalf of another", create(&w.author, with(json!({"on_behalf_of": w.r2.id}))), Expect(422, "topic.on_behalf_not_allowed", Some("on_behalf_of"))),
    ];
    deny_all(app, cases).await;
    let gw = w
        .user(
            "grid-worker",
            &[(Role::GridWorker, Some(w.city.grid), None)],
        )
        .await;
    #[rustfmt::skip]
    let table = [
        ("a resident of another community", outsider.id),
        ("staff", w.staff.id),
        ("nobody", 987_654_321),
    ];
    for (who, not_resident) in table {
        deny(
            app,
            &format!("a grid worker on behalf of {who}"),
            create(
                &gw,
                with(json!({"place_id": w.city.grid, "on_behalf_of": not_resident})),
            ),
            Expect(422, "topic.not_a_resident", Some("on_behalf_of")),
        )
        .await;
    }
    #[rustfmt::skip]
    let cases = [
        ("a resident flagging major", create(&w.author, with(json!({"major": true}))), Expect(422, "topic.major_staff_only", Some("major"))),
        ("a grid worker flagging major", create(&gw, with(json!({"place_id": w.city.grid, "major": true}))), Expect(422, "topic.major_staff_only", Some("major"))),
        ("an unknown category", create(&w.author, with(json!({"category": "weather"}))), Expect(400, "request.invalid_field", Some("category"))),
        ("a title of 121 characters", create(&w.author, with(json!({"title": "灯".repeat(121)}))), Expect(422, "validation.length", Some("title"))),
        ("an empty body", create(&w.author, with(json!({"body": ""}))), Expect(422, "validation.length", Some("body"))),
    ];
    deny_all(app, cases).await;

    // The same key with another body is refused; the same key and body returns the topic.
    let first = create_with_key(app, &w.author.token, "lamp-1", &body).await;
    assert_eq!(first.status.as_u16(), 201, "{:?}", first.body);
    let retry = create_with_key(app, &w.author.token, "lamp-1", &body).await;
    assert_eq!(retry.status.as_u16(), 201);
    assert_eq!(retry.body["id"], first.body["id"]);
    deny(
        app,
        "a reused idempotency key",
        create_with_key(
            app,
            &w.author.token,
            "lamp-1",
            &with(json!({"title": "另一件事"})),
        ),
        Expect(422, "idempotency.key_reused", Some("Idempotency-Key")),
    )
    .await;
    assert_eq!(app.count("topics"), 1);

    // Who raised it, through which door.
    let by_gw = w
        .create(
            &gw,
            with(json!({"place_id": w.city.grid, "on_behalf_of": w.author.id})),
        )
        .await;
    assert_eq!(by_gw["source"], "grid_worker");
    assert_eq!(by_gw["on_behalf_of"], w.author.id);
    assert_eq!(by_gw["author_id"], gw.id);
    assert_eq!(by_gw["place_id"], w.city.grid);
    assert_eq!(by_gw["stage"], "say");
    let by_staff = w.create(&w.staff, with(json!({"major": true}))).await;
    assert_eq!(by_staff["source"], "staff");
    assert_eq!(by_staff["major"], true);
    let by_sub = w.create(&w.sub, body.clone()).await;
    assert_eq!(by_sub["source"], "staff");
    let cppcc = w
        .user("cppcc", &[(Role::CppccMember, Some(w.city.district), None)])
        .await;
    let by_cppcc = w.create(&cppcc, body.clone()).await;
    assert_eq!(by_cppcc["source"], "cppcc");
    assert_eq!(by_cppcc["on_behalf_of"], Value::Null);
    let building = app.place("demo-330200-0-0-0-g1-b3");
    let at_building = w
        .create(&w.author, with(json!({"place_id": building})))
        .await;
    assert_eq!(at_building["source"], "resident");
    assert_eq!(app.count("topics"), 6);
    w.finish().await
}
