//! A password reset ends the other reset links and every session (finding 5).

use super::*;

#[actix_rt::test]
async fn a_password_reset_ends_the_other_reset_links_and_every_session() {
    let w = World::new(&[]).await;
    let app = &w.app;
    let email = "r2@example.com";
    let login = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email": email, "password": common::PASSWORD}),
        )
        .await;
    assert_eq!(login.status, StatusCode::OK, "{:?}", login.body);
    let access = login.body["access_token"].as_str().unwrap().to_string();
    let refresh = login.body["refresh_token"].as_str().unwrap().to_string();
    for _ in 0..2 {
        let r = app
            .post(
                "/api/v1/auth/password-reset/request",
                None,
                json!({"email": email}),
            )
            .await;
        assert!(r.status.is_success(), "{:?}", r.body);
    }
    let mails = app.mails_to(email, 2).await;
    let tokens: Vec<String> = mails.iter().map(|m| common::token_in(m)).collect();
    assert_ne!(tokens[0], tokens[1]);

    let confirm = |token: &str, password: &str| {
        let body = json!({"token": token, "new_password": password});
        async move {
            app.post("/api/v1/auth/password-reset/confirm", None, body)
                .await
        }
    };
    let first = confirm(&tokens[0], "a new horse battery staple").await;
    assert!(first.status.is_success(), "{:?}", first.body);
    let second = confirm(&tokens[1], "another horse battery staple").await;
    assert_eq!(
        (second.status, second.code()),
        (StatusCode::UNPROCESSABLE_ENTITY, "auth.invalid_email_token"),
        "{:?}",
        second.body
    );
    // The first new password holds; the second was never set.
    app.login_with(email, "a new horse battery staple").await;
    let refused = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email": email, "password": "another horse battery staple"}),
        )
        .await;
    assert_eq!(
        refused.status,
        StatusCode::UNAUTHORIZED,
        "{:?}",
        refused.body
    );

    // The session opened before the reset is over: its access and its refresh token.
    let me = app.get("/api/v1/me", Some(&access)).await;
    assert_eq!(me.status, StatusCode::UNAUTHORIZED, "{:?}", me.body);
    let r = app
        .post(
            "/api/v1/auth/refresh",
            None,
            json!({"refresh_token": refresh}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{:?}", r.body);
    // The token used for the reset cannot be used again either.
    let again = confirm(&tokens[0], "a third horse battery staple").await;
    assert_eq!(again.code(), "auth.invalid_email_token", "{:?}", again.body);
    w.app.stop().await;
}
