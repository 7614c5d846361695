//! Registering, the mailed links, signing in: refusals next to their fields.

use crate::common::{PASSWORD, StatusCode, TestApp, TestResult};

#[actix_rt::test]
async fn a_resident_registers_opens_the_mailed_link_and_signs_in() -> TestResult {
    let app = TestApp::builder().demo().build().await;
    let city = app.demo_city().await;
    let mut b = app.browser();
    let form = b.get("/register").await;
    for label in ["邮箱", "密码", "称呼", "所在社区"] {
        assert!(form.has_field(label), "field {label}");
    }
    assert!(form.has_button("注册"));
    let home = city.community.to_string();
    let done = b
        .submit(
            "/register",
            &[
                ("email", "li.ayi@example.com"),
                ("password", "a long enough password"),
                ("display_name", "李阿姨"),
                ("home_place_id", &home),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.text());
    assert!(done.shows("请查收邮件"));
    let mail = app.mails_to("li.ayi@example.com", 1).await.remove(0);
    let re = regex::Regex::new(r"(/verify-email\?token=[A-Za-z0-9_-]+)")?;
    let link = re
        .captures(&mail)
        .map(|c| c[1].to_string())
        .ok_or("no link in mail")?;
    // Before verifying, signing in is refused with the reason on the page.
    let early = b
        .sign_in("li.ayi@example.com", "a long enough password")
        .await;
    assert_eq!(early.status, StatusCode::FORBIDDEN);
    assert!(
        early.shows("邮箱尚未验证") || early.shows("验证"),
        "{}",
        early.text()
    );
    let verified = b.get(&link).await;
    assert_eq!(verified.status, StatusCode::OK);
    assert!(verified.shows("邮箱已验证"));
    // The link works once.
    assert_eq!(b.get(&link).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    let signed = b
        .sign_in("li.ayi@example.com", "a long enough password")
        .await;
    assert_eq!(signed.status, StatusCode::SEE_OTHER);
    let page = b.follow(&signed).await;
    assert!(page.shows("李阿姨"));
    assert!(page.shows("已登录"), "the flash after the redirect");
    // The flash is shown once.
    assert!(!b.get("/").await.shows("已登录。"));
    app.done().await
}

#[actix_rt::test]
async fn a_refused_registration_shows_each_message_next_to_its_field() -> TestResult {
    let app = TestApp::builder().demo().build().await;
    let city = app.demo_city().await;
    let home = city.community.to_string();
    let mut b = app.browser();
    let users = app.count("users");
    let weak = b
        .submit(
            "/register",
            &[
                ("email", "wang@example.com"),
                ("password", "short"),
                ("display_name", "王"),
                ("home_place_id", &home),
            ],
        )
        .await;
    assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY);
    let api_message = app
        .auth("register", serde_json::json!({"email": "wang@example.com", "password": "short", "display_name": "王", "home_place_id": city.community}))
        .await;
    assert_eq!(api_message.status, StatusCode::UNPROCESSABLE_ENTITY);
    let said = api_message.body["title"].as_str().unwrap_or("").to_string();
    assert_eq!(
        weak.field_error("password").as_deref(),
        Some(said.as_str()),
        "same words as the API"
    );
    assert!(
        weak.html.contains("value=\"wang@example.com\""),
        "what was typed stays"
    );
    assert!(
        !weak.html.contains("value=\"short\""),
        "a password is never echoed"
    );
    let bad_email = b
        .submit(
            "/register",
            &[
                ("email", "not-an-email"),
                ("password", "a long enough password"),
                ("display_name", "王"),
                ("home_place_id", &home),
            ],
        )
        .await;
    assert!(bad_email.field_error("email").is_some());
    let no_home = b
        .submit(
            "/register",
            &[
                ("email", "wang@example.com"),
                ("password", "a long enough password"),
                ("display_name", "王"),
                ("home_place_id", ""),
            ],
        )
        .await;
    assert!(
        no_home.field_error("home_place_id").is_some(),
        "{}",
        no_home.text()
    );
    assert_eq!(app.count("users"), users, "nothing was written");
    app.done().await
}

#[actix_rt::test]
async fn a_wrong_password_is_said_on_the_page_and_opens_nothing() -> TestResult {
    let app = TestApp::spawn().await;
    app.user("zhao@example.com", None, &[]);
    let sessions = app.count("sessions");
    let mut b = app.browser();
    let wrong = b.sign_in("zhao@example.com", "not the password").await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.shows("邮箱或密码错误"));
    assert!(wrong.html.contains("value=\"zhao@example.com\""));
    assert!(!b.cookies.contains_key("yishi_session"));
    let empty = b.sign_in("", "").await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.field_error("email").is_some());
    assert_eq!(app.count("sessions"), sessions);
    app.done().await
}

#[actix_rt::test]
async fn the_mailed_reset_link_opens_the_page_and_sets_a_new_password() -> TestResult {
    let app = TestApp::spawn().await;
    app.user("sun@example.com", None, &[]);
    let mut b = app.browser();
    let form = b.get("/password-reset").await;
    assert!(form.has_field("邮箱"));
    let sent = b
        .submit("/password-reset", &[("email", "sun@example.com")])
        .await;
    assert_eq!(sent.status, StatusCode::OK);
    let mail = app.mails_to("sun@example.com", 1).await.remove(0);
    let re = regex::Regex::new(r"(/password-reset/confirm\?token=[A-Za-z0-9_-]+)")?;
    let link = re
        .captures(&mail)
        .map(|c| c[1].to_string())
        .ok_or("no reset link")?;
    let page = b.get(&link).await;
    assert!(page.has_field("新密码"));
    let token = link.split("token=").nth(1).unwrap_or("");
    let weak = b
        .submit(
            "/password-reset/confirm",
            &[("token", token), ("new_password", "short")],
        )
        .await;
    assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(weak.field_error("new_password").is_some());
    let done = b
        .submit(
            "/password-reset/confirm",
            &[("token", token), ("new_password", "a brand new password")],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    assert_eq!(done.location.as_deref(), Some("/login"));
    assert!(b.follow(&done).await.shows("密码已重设"));
    assert_eq!(
        b.sign_in("sun@example.com", PASSWORD).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        b.sign_in("sun@example.com", "a brand new password")
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    app.done().await
}

/// 公开显示 on /me: ticking the box shows the resident's name as author in open data; clearing
/// it goes back to 居民.
#[actix_rt::test]
async fn a_resident_chooses_to_show_their_name_in_open_data() -> TestResult {
    let app = TestApp::builder().demo().build().await;
    let c = app.demo_city().await.community;
    let me = crate::common::make_user(&app, "wang-shifu", Some(c), &[]).await;
    let mut b = app.browser_as("wang-shifu@example.com").await;
    let page = b.get("/me").await;
    assert!(page.shows("公开显示") && page.has_field("在公开数据中显示我的昵称"));
    assert!(
        !page
            .html
            .contains("id=\"f-public-name\" name=\"show_name_publicly\" value=\"1\" checked")
    );

    let saved = b
        .submit("/me/public-name", &[("show_name_publicly", "1")])
        .await;
    let back = b.follow(&saved).await;
    assert!(back.shows("已保存"));
    assert!(
        back.html
            .contains("id=\"f-public-name\" name=\"show_name_publicly\" value=\"1\" checked")
    );
    let api = app.get("/api/v1/me", me.tok()).await;
    assert_eq!(api.body["show_name_publicly"], true);

    // An unticked box sends nothing: the choice is withdrawn.
    let saved = b.submit("/me/public-name", &[]).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let api = app.get("/api/v1/me", me.tok()).await;
    assert_eq!(api.body["show_name_publicly"], false);
    app.done().await
}
