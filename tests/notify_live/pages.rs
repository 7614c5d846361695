//! The notification parts of the pages: /me's 通知 (unread collapsed per topic with "N 条",
//! 标为已读, 全部标为已读 keeping the items), 我关注的 and the 关注/取消关注 buttons of a
//! topic, the mail preferences form, and the live script.

use serde_json::json;
use yishi::auth::Role;

use crate::common::{StatusCode, TestApp, TestResult, id_of, make_user};

fn unread_count(html: &str) -> String {
    let re = regex::Regex::new(r#"<span id="unread-count"[^>]*>(\d+)</span>"#).unwrap();
    re.captures(html)
        .map(|c| c[1].to_string())
        .unwrap_or_else(|| panic!("no #unread-count in {html}"))
}

#[actix_rt::test]
async fn me_shows_the_inbox_and_marking_read_keeps_the_items() -> TestResult {
    let app = TestApp::builder().demo().build().await;
    let c = app.demo_city().await.community;
    let author = make_user(&app, "inbox", Some(c), &[(Role::Resident, Some(c), None)]).await;
    let staff = app.user_with(Role::CommunityStaff, c).await;
    let lift = id_of(&app.raise_topic(&author.token, c, "电梯异响").await);
    let lamp = id_of(&app.raise_topic(&author.token, c, "路灯不亮").await);
    app.topic_action(&staff.token, lift, "accept", json!({}))
        .await;
    for body in ["已联系维保", "下周检修"] {
        let r = app
            .post(
                &format!("/api/v1/topics/{lift}/comments"),
                staff.tok(),
                json!({ "body": body }),
            )
            .await;
        assert_eq!(r.status.as_u16(), 201);
    }
    app.topic_action(&staff.token, lamp, "accept", json!({}))
        .await;
    assert_eq!(app.inbox(&author.token).await.len(), 4);

    let mut b = app.browser_as("inbox@example.com").await;
    let me = b.get("/me").await;
    assert_eq!(me.status, StatusCode::OK);
    assert!(me.shows("通知"), "{}", me.text());
    // One line per topic: the lift's stands for its three unread items.
    assert_eq!(unread_count(&me.html), "2");
    assert!(me.shows("3 条"), "{}", me.text());
    assert!(me.has_button("标为已读"));
    assert!(me.has_button("全部标为已读"));
    assert!(me.html.contains(&format!("/topics/{lift}")));
    // The live script is an asset of the site, not inline.
    let script = regex::Regex::new(r#"<script src="(/assets/live\.[0-9a-f]+\.js)""#)?
        .captures(&me.html)
        .map(|c| c[1].to_string())
        .expect("live script");
    let js = b.get(&script).await;
    assert_eq!(js.status, StatusCode::OK);
    assert!(js.html.contains("EventSource"));

    // 标为已读 on the lamp's line.
    let lamp_item = app.inbox(&author.token).await[0]["id"].as_i64().unwrap();
    let p = b
        .submit(&format!("/me/notifications/{lamp_item}/read"), &[])
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    let me = b.follow(&p).await;
    assert_eq!(unread_count(&me.html), "1");

    // 全部标为已读: nothing unread, every item still listed.
    let p = b.submit("/me/notifications/read-all", &[]).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    let me = b.follow(&p).await;
    assert_eq!(unread_count(&me.html), "0");
    assert!(me.shows("已读"));
    assert!(me.shows("暂时没有通知"));
    assert!(!me.has_button("全部标为已读"));
    let items = app.inbox(&author.token).await;
    assert_eq!(items.len(), 4);
    assert!(items.iter().all(|n| n["read_at"].is_string()));
    let r = app
        .get("/api/v1/notifications/unread-count", author.tok())
        .await;
    assert_eq!(r.body["count"], 0);

    // 我关注的: the follows, with their level (raising watches a topic).
    assert!(me.shows("我关注的"));
    assert!(me.shows("电梯异响 · 全部动态"), "{}", me.text());
    app.done().await
}

#[actix_rt::test]
async fn follow_buttons_on_a_topic_change_my_follows() -> TestResult {
    let app = TestApp::builder().demo().build().await;
    let c = app.demo_city().await.community;
    let author = app.user_with(Role::Resident, c).await;
    let neighbour = make_user(
        &app,
        "follower",
        Some(c),
        &[(Role::Resident, Some(c), None)],
    )
    .await;
    let topic = id_of(&app.raise_topic(&author.token, c, "垃圾分类点太远").await);
    let follows = |tok: String| {
        let app = &app;
        async move {
            let r = app.get("/api/v1/me/follows", Some(&tok)).await;
            assert_eq!(r.status.as_u16(), 200);
            r.body["items"].as_array().cloned().unwrap_or_default()
        }
    };

    let mut b = app.browser_as("follower@example.com").await;
    let page = b.get(&format!("/topics/{topic}")).await;
    assert!(page.has_button("关注"), "{}", page.text());
    assert!(!page.has_button("取消关注"));
    let p = b
        .submit(&format!("/topics/{topic}/follow"), &[("level", "normal")])
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.text());
    let page = b.follow(&p).await;
    assert!(page.shows("你的关注： 关注"), "{}", page.text());
    assert!(page.has_button("取消关注"));
    assert!(page.has_button("静音"));
    let f = follows(neighbour.token.clone()).await;
    assert_eq!(f.len(), 1);
    assert_eq!(f[0]["topic_id"], topic);
    assert_eq!(f[0]["level"], "normal");

    // 静音, then 关注 again.
    b.submit(&format!("/topics/{topic}/follow"), &[("level", "muted")])
        .await;
    assert_eq!(follows(neighbour.token.clone()).await[0]["level"], "muted");
    b.submit(&format!("/topics/{topic}/follow"), &[("level", "normal")])
        .await;
    assert_eq!(follows(neighbour.token.clone()).await[0]["level"], "normal");

    // 取消关注.
    let p = b.submit(&format!("/topics/{topic}/unfollow"), &[]).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    assert!(follows(neighbour.token.clone()).await.is_empty());
    let page = b.follow(&p).await;
    assert!(page.has_button("关注"));

    // A level the API does not take is refused, naming the field.
    let p = b
        .submit(
            &format!("/topics/{topic}/follow"),
            &[("level", "unfollowed")],
        )
        .await;
    assert_eq!(p.status.as_u16(), 422, "{}", p.text());
    assert!(follows(neighbour.token.clone()).await.is_empty());
    app.done().await
}

#[actix_rt::test]
async fn the_mail_preferences_form_saves_what_the_json_api_reads() -> TestResult {
    let app = TestApp::builder().demo().build().await;
    let c = app.demo_city().await.community;
    let u = make_user(&app, "mailer", Some(c), &[(Role::Resident, Some(c), None)]).await;
    let mut b = app.browser_as("mailer@example.com").await;
    let me = b.get("/me").await;
    assert!(me.shows("邮件通知"));
    assert!(me.has_field("摘要时间（每天几点）"), "{}", me.html);
    let p = b
        .submit(
            "/me/notification-settings",
            &[
                ("email", "digest"),
                ("digest_hour", "7"),
                ("language", "en"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.text());
    let r = app.get("/api/v1/me/notification-settings", u.tok()).await;
    assert_eq!(r.body["email"], "digest");
    assert_eq!(r.body["digest_hour"], 7);
    assert_eq!(r.body["language"], "en");
    let me = b.get("/me").await;
    assert!(
        me.html.contains(r#"value="digest" checked"#),
        "the form shows the choice"
    );

    let p = b
        .submit(
            "/me/notification-settings",
            &[("email", "off"), ("digest_hour", "25"), ("language", "en")],
        )
        .await;
    assert_eq!(p.status.as_u16(), 422, "{}", p.text());
    let r = app.get("/api/v1/me/notification-settings", u.tok()).await;
    assert_eq!(r.body["email"], "digest", "nothing changed");
    app.done().await
}
