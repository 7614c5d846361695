//! Tasks (办) and supervision (督办).

use super::*;

#[actix_rt::test]
async fn task_updates_and_supervision_lists() -> TestResult {
    let w = World::new(&[("workflow.notice_days", "0")]).await;
    let app = &w.app;
    let firm_user = w.firm_user().await;
    let other_firm_user = w
        .user(
            "other-firm",
            &[(
                Role::PropertyFirm,
                Some(w.city.community),
                Some(w.city.other_firm),
            )],
        )
        .await;
    let id = w.raise("小区路灯不亮").await;
    w.drive(id, "plan").await;
    let t1 = w.add_task(id, w.city.firm, 30).await;
    let t2 = w.add_task(id, w.city.firm, -2).await;
    let t3 = w.add_task(id, w.city.other_firm, -1).await;
    assert_eq!(t2["overdue"], true);
    assert_eq!(t1["overdue"], false);
    let task_path = |t: &Value| format!("/api/v1/tasks/{}", t["id"]);
    deny(
        app,
        "a task update while the topic is in plan",
        app.patch(
            &task_path(&t1),
            Some(&firm_user.token),
            json!({"status": "in_progress", "expected_version": 1}),
        ),
        Expect(409, "topic.not_in_act", None),
    )
    .await;
    // A task of a topic in another community, also past due.
    let outsider = w.outsider().await;
    let far_topic = id_of(
        &w.create(&outsider, w.new_topic(w.city.sibling, "和义社区的路灯"))
            .await,
    );
    w.drive(far_topic, "plan").await;
    let t4 = w.add_task(far_topic, w.city.firm, -3).await;
    w.drive(id, "act").await;

    // Another organisation's user neither updates nor learns about the task.
    let before = snapshot(app);
    let r = app
        .patch(
            &task_path(&t1),
            Some(&other_firm_user.token),
            json!({"status": "done", "expected_version": 1}),
        )
        .await;
    assert!(
        matches!(r.status.as_u16(), 403 | 404),
        "another firm: {} {:?}",
        r.status,
        r.body
    );
    assert!(
        matches!(r.code(), "permission.denied" | "task.not_found"),
        "{:?}",
        r.body
    );
    assert_eq!(snapshot(app), before, "another firm changes nothing");
    let t1_path = task_path(&t1);
    #[rustfmt::skip]
    let cases = [
        ("a resident updates a task", app.patch(&t1_path, Some(&w.author.token), json!({"status": "done", "expected_version": 1})), DENIED),
        ("a stale task version", app.patch(&t1_path, Some(&firm_user.token), json!({"status": "done", "expected_version": 2})), Expect(409, "task.stale_version", None)),
        ("neither status nor note", app.patch(&t1_path, Some(&firm_user.token), json!({"expected_version": 1})), Expect(422, "validation.required", Some("status"))),
        ("an unknown status", app.patch(&t1_path, Some(&firm_user.token), json!({"status": "finished", "expected_version": 1})), Expect(400, "request.invalid_field", Some("status"))),
    ];
    deny_all(app, cases).await;

    // 督办: past-due tasks not done, for staff of the place.
    let overdue = |who: &User, place: i64| {
        let token = who.token.clone();
        async move {
            app.get(
                &format!("/api/v1/tasks?place_id={place}&overdue=true&limit=100"),
                Some(&token),
            )
            .await
        }
    };
    let r = overdue(&w.staff, w.city.community).await;
    assert_eq!(r.status.as_u16(), 200, "{:?}", r.body);
    assert_eq!(ids(&r.body), BTreeSet::from([id_of(&t2), id_of(&t3)]));
    assert!(
        r.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["overdue"] == true && t["status"] != "done")
    );
    let r = overdue(&w.sub, w.city.subdistrict).await;
    assert_eq!(
        ids(&r.body),
        BTreeSet::from([id_of(&t2), id_of(&t3), id_of(&t4)])
    );
    let all = app
        .get(
            &format!("/api/v1/tasks?place_id={}&limit=100", w.city.community),
            Some(&w.staff.token),
        )
        .await;
    assert_eq!(
        ids(&all.body),
        BTreeSet::from([id_of(&t1), id_of(&t2), id_of(&t3)])
    );
    for (who, name) in [
        (&w.author, "a resident"),
        (&outsider, "a resident elsewhere"),
    ] {
        deny(
            app,
            &format!("{name} lists tasks of the place"),
            overdue(who, w.city.community),
            DENIED,
        )
        .await;
    }
    let sibling_staff = w.sibling_staff().await;
    deny(
        app,
        "staff of another community list tasks here",
        overdue(&sibling_staff, w.city.community),
        DENIED,
    )
    .await;
    // Done tasks leave the overdue list.
    let r = app
        .patch(
            &task_path(&t2),
            Some(&firm_user.token),
            json!({"status": "done", "progress_note": "已更换", "expected_version": 1}),
        )
        .await;
    assert_eq!(r.status.as_u16(), 200, "{:?}", r.body);
    assert_eq!(r.body["overdue"], false);
    let r = overdue(&w.staff, w.city.community).await;
    assert_eq!(ids(&r.body), BTreeSet::from([id_of(&t3)]));

    // Without place_id: organisation users see their organisation's tasks where they hold
    // the grant only: t4 (the same firm, in the sibling community, where this user has no
    // grant) is not listed, nor is t3 (another firm).
    let mine = app
        .get("/api/v1/tasks?limit=100", Some(&firm_user.token))
        .await;
    assert_eq!(mine.status.as_u16(), 200, "{:?}", mine.body);
    assert_eq!(ids(&mine.body), BTreeSet::from([id_of(&t1), id_of(&t2)]));
    let mine_overdue = app
        .get("/api/v1/tasks?overdue=true", Some(&firm_user.token))
        .await;
    assert_eq!(ids(&mine_overdue.body), BTreeSet::new());
    let filtered = app
        .get(
            &format!("/api/v1/tasks?organization_id={}", w.city.other_firm),
            Some(&firm_user.token),
        )
        .await;
    // Either an empty list or 422 (no organisation of the caller is left): never t3.
    assert!(
        filtered.body["items"]
            .as_array()
            .is_none_or(|items| items.is_empty()),
        "another organisation's filter shows nothing: {:?}",
        filtered.body
    );
    let theirs = app
        .get("/api/v1/tasks?limit=100", Some(&other_firm_user.token))
        .await;
    assert_eq!(theirs.status.as_u16(), 200, "{:?}", theirs.body);
    assert_eq!(ids(&theirs.body), BTreeSet::from([id_of(&t3)]));
    let theirs_overdue = app
        .get("/api/v1/tasks?overdue=true", Some(&other_firm_user.token))
        .await;
    assert_eq!(ids(&theirs_overdue.body), BTreeSet::from([id_of(&t3)]));
    for (who, name) in [(&w.author, "a resident"), (&w.staff, "staff")] {
        deny(
            app,
            &format!("{name} lists tasks without place_id"),
            app.get("/api/v1/tasks", Some(&who.token)),
            Expect(422, "validation.required", Some("place_id")),
        )
        .await;
    }
    deny(
        app,
        "anonymous lists tasks",
        app.get("/api/v1/tasks", None),
        Expect(401, "auth.missing_token", None),
    )
    .await;
    w.finish().await
}
