//! Refusals on the consultation pages: next to the field, nothing written; and a visitor
//! without the right sees no button and cannot post the form.

use super::world::*;

/// Meetings the CPPCC member can list (their own and those within their places).
async fn meeting_count(app: &TestApp, email: &str) -> usize {
    let token = app.login(email).await;
    let r = app
        .get("/api/v1/consultations?mine=true", Some(&token))
        .await;
    r.body["items"].as_array().unwrap().len()
}

#[actix_rt::test]
async fn a_refused_create_shows_the_message_next_to_the_field() -> TestResult {
    let (app, c) = cast().await;
    let mut cppcc = app.browser_as(c.cppcc).await;

    // (field changed, its value, the field the refusal stands next to, the message)
    #[rustfmt::skip]
    let cases = [
        ("title", String::new(), "title", "字段长度不符合要求"),
        ("ends_at", local_input(9, 0), "ends_at", "会议时间无效"),
        ("starts_at", String::new(), "starts_at", "缺少必填内容"),
    ];
    for (field, value, shown_at, message) in cases {
        let mut fields = meeting_fields(c.community, "楼道堆物清理协商");
        for f in fields.iter_mut().filter(|f| f.0 == field) {
            f.1 = value.clone();
        }
        let page = submit(&mut cppcc, "/consultations", &fields).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{field}");
        assert_eq!(
            page.field_error(shown_at).as_deref(),
            Some(message),
            "{field}"
        );
        // The form comes back with what was typed.
        assert!(page.html.contains("幸福社区议事厅"), "{field}");
        assert!(page.has_button("创建"));
    }
    assert_eq!(meeting_count(&app, c.cppcc).await, 0, "nothing created");
    app.done().await
}

#[actix_rt::test]
async fn a_resident_not_invited_sees_no_convener_buttons_and_cannot_post_them() -> TestResult {
    let (app, c) = cast().await;
    let mut cppcc = app.browser_as(c.cppcc).await;
    let (id, _) = convened(&app, &c, &mut cppcc).await;
    let at = format!("/consultations/{id}");
    let before = meeting_json(&app, c.cppcc, id).await;

    // An unknown invitee's address is refused next to the field.
    let unknown = [
        ("email", "nobody@example.com".to_string()),
        ("category", "resident_rep".to_string()),
    ];
    let page = submit(&mut cppcc, &format!("{at}/invitations"), &unknown).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(page.field_error("email").as_deref(), Some("用户不存在"));

    let mut outsider = app.browser_as(c.outsider).await;
    let page = outsider.get(&at).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.shows("垃圾房改造微协商"));
    for b in ["邀请", "安排", "取消", "参加", "记录出席", "确认纪要"] {
        assert!(!page.has_button(b), "no button {b}");
    }
    // Invitees are counted, not named, for someone outside the meeting.
    assert!(!page.shows(c.resident));

    let version = before["version"].to_string();
    #[rustfmt::skip]
    let posts: [(&str, Vec<(&str, String)>); 4] = [
        ("transitions", vec![("action", "cancel".into()), ("expected_version", version.clone()), ("reason", "不开了".into())]),
        ("transitions", vec![("action", "schedule".into()), ("expected_version", version.clone())]),
        ("invitations", vec![("email", c.outsider.to_string()), ("category", "resident_rep".into())]),
        ("rsvp", vec![("response", "accepted".into())]),
    ];
    for (path, fields) in posts {
        let page = submit(&mut outsider, &format!("{at}/{path}"), &fields).await;
        assert_eq!(
            page.status,
            StatusCode::FORBIDDEN,
            "{path}: {}",
            page.text()
        );
        assert!(page.shows("没有权限"), "{path}: an error page");
    }
    let after = meeting_json(&app, c.cppcc, id).await;
    assert_eq!(after["status"], "draft");
    assert_eq!(after["version"], before["version"]);
    let token = app.login(c.cppcc).await;
    let inv = app
        .get(
            &format!("/api/v1/consultations/{id}/invitations"),
            Some(&token),
        )
        .await;
    assert!(
        inv.body["items"].as_array().unwrap().is_empty(),
        "nobody invited"
    );

    // Nor may a resident open the convener's pages.
    assert_eq!(
        outsider.get("/consultations/new").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(outsider.get("/cppcc").await.status, StatusCode::FORBIDDEN);
    // And someone not signed in is sent to sign in first, then back.
    let anonymous = app.browser().get(&at).await;
    assert_eq!(anonymous.status, StatusCode::SEE_OTHER);
    assert!(anonymous.location.unwrap().starts_with("/login?next="));
    app.done().await
}
