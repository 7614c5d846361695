//! The browser session: a row of the API's session table behind an HttpOnly cookie, ended
//! at once by logging out, a password reset or disabling the user; CSRF on every form.

use diesel::prelude::*;
use yishi::auth::Role;
use yishi::db::schema::sessions;

use crate::common::{StatusCode, TestApp, TestResult};

#[actix_rt::test]
async fn signing_in_sets_a_safe_persistent_cookie_backed_by_a_session_row() -> TestResult {
    let app = TestApp::spawn().await;
    let id = app.user("qian@example.com", None, &[]);
    let before = app.count("sessions");
    let mut b = app.browser();
    let signed = b
        .submit(
            "/login",
            &[
                ("email", "qian@example.com"),
                ("password", crate::common::PASSWORD),
                ("next", "/?x=1"),
            ],
        )
        .await;
    assert_eq!(signed.status, StatusCode::SEE_OTHER);
    assert_eq!(signed.location.as_deref(), Some("/?x=1"));
    let cookie = b
        .set_cookie_log
        .iter()
        .find(|c| c.starts_with("yishi_session="))
        .ok_or("no session cookie")?
        .clone();
    for attr in ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age="] {
        assert!(cookie.contains(attr), "{attr} in {cookie}");
    }
    assert!(
        !cookie.contains("Secure"),
        "plain http here: public_url is http"
    );
    assert_eq!(app.count("sessions"), before + 1);
    // Only a hash of the cookie is stored.
    let token = b.cookies["yishi_session"].clone();
    let stored: Option<String> = app.with_db(|c| {
        sessions::table
            .filter(sessions::user_id.eq(id))
            .select(sessions::cookie_hash)
            .first(c)
    })?;
    assert_eq!(
        stored.as_deref(),
        Some(yishi::auth::tokens::hash_token(&token).as_str())
    );
    assert!(b.get("/").await.has_button("退出"));
    app.done().await
}

#[actix_rt::test]
async fn the_cookie_is_secure_when_the_site_is_https() -> TestResult {
    let app = TestApp::builder()
        .setting("server.public_url", "https://yishi.example")
        .build()
        .await;
    app.user("https@example.com", None, &[]);
    let mut b = app.browser();
    // A browser on https would send this origin; the test server itself is plain http.
    let signed = b
        .request(
            awc::http::Method::POST,
            "/login",
            &[("Origin", "https://yishi.example")],
            Some((
                "application/x-www-form-urlencoded".into(),
                b"email=https%40example.com&password=correct+horse+battery".to_vec(),
            )),
        )
        .await;
    assert_eq!(signed.status, StatusCode::SEE_OTHER);
    let cookie = b
        .set_cookie_log
        .iter()
        .find(|c| c.starts_with("yishi_session="))
        .ok_or("no cookie")?;
    assert!(cookie.contains("Secure"), "{cookie}");
    app.done().await
}

#[actix_rt::test]
async fn logging_out_ends_the_session_at_once() -> TestResult {
    let app = TestApp::spawn().await;
    app.user("zhou@example.com", None, &[]);
    let mut b = app.browser_as("zhou@example.com").await;
    let stolen = b.cookies.clone();
    let out = b.submit("/logout", &[]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert!(
        !b.cookies.contains_key("yishi_session"),
        "the cookie is removed"
    );
    assert!(b.follow(&out).await.shows("已退出"));
    // A copy of the old cookie signs in no more.
    let mut thief = app.browser();
    thief.cookies = stolen;
    let page = thief.get("/").await;
    assert!(!page.has_button("退出"));
    assert!(page.shows("登录"));
    app.done().await
}

#[actix_rt::test]
async fn a_password_reset_or_disabling_the_user_ends_the_browser_session() -> TestResult {
    let app = TestApp::spawn().await;
    let id = app.user("wu@example.com", None, &[]);
    let admin = app
        .user_token("root@example.com", None, &[(Role::Admin, None, None)])
        .await;
    let mut b = app.browser_as("wu@example.com").await;
    assert!(b.get("/").await.has_button("退出"));
    let r = app
        .patch(
            &format!("/api/v1/users/{id}"),
            Some(&admin),
            serde_json::json!({"disabled": true}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert!(
        !b.get("/").await.has_button("退出"),
        "disabled: signed out at once"
    );
    app.patch(
        &format!("/api/v1/users/{id}"),
        Some(&admin),
        serde_json::json!({"disabled": false}),
    )
    .await;

    let mut b = app.browser_as("wu@example.com").await;
    assert!(b.get("/").await.has_button("退出"));
    app.auth(
        "password-reset/request",
        serde_json::json!({"email": "wu@example.com"}),
    )
    .await;
    let mail = app.mails_to("wu@example.com", 1).await.remove(0);
    let token = crate::common::token_in(&mail);
    let r = app
        .auth(
            "password-reset/confirm",
            serde_json::json!({"token": token, "new_password": "another long password"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
    assert!(
        !b.get("/").await.has_button("退出"),
        "reset: signed out at once"
    );
    app.done().await
}

#[actix_rt::test]
async fn the_api_never_takes_the_cookie() -> TestResult {
    let app = TestApp::spawn().await;
    app.user("zheng@example.com", None, &[]);
    let mut b = app.browser_as("zheng@example.com").await;
    let me = b
        .request(awc::http::Method::GET, "/api/v1/me", &[], None)
        .await;
    assert_eq!(me.status, StatusCode::UNAUTHORIZED);
    app.done().await
}

#[actix_rt::test]
async fn forms_from_another_site_or_without_the_token_are_refused() -> TestResult {
    let app = TestApp::spawn().await;
    app.user("feng@example.com", None, &[]);
    let sessions = app.count("sessions");
    let mut b = app.browser();
    let form = (
        "application/x-www-form-urlencoded".to_string(),
        b"email=feng%40example.com&password=correct+horse+battery".to_vec(),
    );
    for headers in [
        vec![("Origin", "https://evil.example")],
        vec![("Sec-Fetch-Site", "cross-site")],
        vec![("Sec-Fetch-Site", "same-site")],
        vec![("Origin", "null")],
    ] {
        let r = b
            .request(
                awc::http::Method::POST,
                "/login",
                &headers,
                Some(form.clone()),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{headers:?}");
        assert!(r.shows("页面已过期"));
    }
    assert_eq!(app.count("sessions"), sessions, "no session was opened");
    // Signed in, a form without this session's token is refused and changes nothing.
    let mut b = app.browser_as("feng@example.com").await;
    let no_token = b
        .request(
            awc::http::Method::POST,
            "/logout",
            &[("Origin", app.base.as_str())],
            Some((
                "application/x-www-form-urlencoded".into(),
                b"csrf=forged".to_vec(),
            )),
        )
        .await;
    assert_eq!(no_token.status, StatusCode::FORBIDDEN);
    assert!(b.get("/").await.has_button("退出"), "still signed in");
    // Every form of the page carries the token.
    let page = b.get("/").await;
    let forms = page.html.matches("<form").count();
    let tokens = page
        .html
        .matches(&format!("name=\"csrf\" value=\"{}\"", b.csrf()))
        .count();
    assert!(
        forms > 0 && forms == tokens,
        "{forms} forms, {tokens} tokens"
    );
    app.done().await
}

#[actix_rt::test]
async fn a_session_is_renewed_on_use_and_ends_when_unused() -> TestResult {
    let app = TestApp::spawn().await;
    let id = app.user("chu@example.com", None, &[]);
    let mut b = app.browser_as("chu@example.com").await;
    let soon = yishi::db::now() + chrono::Duration::days(2);
    app.with_db(|c| {
        diesel::update(sessions::table.filter(sessions::user_id.eq(id)))
            .set(sessions::expires_at.eq(soon))
            .execute(c)
    })?;
    b.set_cookie_log.clear();
    assert!(b.get("/").await.has_button("退出"));
    assert!(
        b.set_cookie_log
            .iter()
            .any(|c| c.starts_with("yishi_session=")),
        "cookie sent again"
    );
    let end: Option<chrono::NaiveDateTime> = app.with_db(|c| {
        sessions::table
            .filter(sessions::user_id.eq(id))
            .select(sessions::expires_at)
            .first(c)
    })?;
    assert!(
        end.ok_or("no end")? > yishi::db::now() + chrono::Duration::days(29),
        "moved on"
    );
    let past = yishi::db::now() - chrono::Duration::minutes(1);
    app.with_db(|c| {
        diesel::update(sessions::table.filter(sessions::user_id.eq(id)))
            .set(sessions::expires_at.eq(past))
            .execute(c)
    })?;
    assert!(!b.get("/").await.has_button("退出"), "expired: signed out");
    app.done().await
}

#[actix_rt::test]
async fn pages_that_need_a_person_send_strangers_to_sign_in_and_back() -> TestResult {
    let app = TestApp::spawn().await;
    app.user("jiang@example.com", None, &[]);
    let mut b = app.browser();
    let page = b.get("/login?next=%2Fme").await;
    assert!(page.shows("请先登录"));
    assert!(page.html.contains("name=\"next\" value=\"/me\""));
    let signed = b
        .submit(
            "/login",
            &[
                ("email", "jiang@example.com"),
                ("password", crate::common::PASSWORD),
                ("next", "/me"),
            ],
        )
        .await;
    assert_eq!(signed.location.as_deref(), Some("/me"));
    app.done().await
}
