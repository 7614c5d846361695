#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The account life cycle over HTTP: register, mail, verify, login, /me, refresh with
//! rotation and reuse detection, logout, password reset, lockout, and bad tokens.

mod common;

use awc::http::StatusCode;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::{PASSWORD, TestApp, TestResult, token_in};
use serde_json::json;
use yishi::auth::Role;

/// The password 王芳 registers with.
const PW_FIRST: &str = "电梯坏了三个月了谁来修";

#[actix_rt::test]
async fn full_account_life_cycle() -> TestResult {
    let app = TestApp::spawn().await;
    app.seed_demo();
    let home = app.place("demo-330200-0-0-0");

    // Register: 202, a mail with a token arrives, login before verifying is refused.
    let email = "Wang.Fang@Example.com";
    let r = app.auth("register", json!({"email": email, "password": PW_FIRST, "display_name": "王芳", "home_place_id": home}))
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{:?}", r.body);
    let mails = app.mails_to("wang.fang@example.com", 1).await;
    assert!(mails[0].contains("王芳"));
    let token = token_in(&mails[0]);

    let early = app
        .auth("login", json!({"email": email, "password": PW_FIRST}))
        .await;
    assert_eq!(early.status, StatusCode::FORBIDDEN);
    assert_eq!(early.code(), "auth.email_not_verified");

    // Verify: once only.
    let v = app.auth("verify-email", json!({"token": token})).await;
    assert_eq!(v.status, StatusCode::OK, "{:?}", v.body);
    assert_eq!(v.body["verified"], true);
    let again = app.auth("verify-email", json!({"token": token})).await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(again.code(), "auth.invalid_email_token");
    assert_eq!(again.body["field"], "token");

    // Login (email case-insensitive) and /me shows a resident of the home place.
    let login = app
        .auth(
            "login",
            json!({"email": "wang.fang@example.COM", "password": PW_FIRST}),
        )
        .await;
    assert_eq!(login.status, StatusCode::OK, "{:?}", login.body);
    assert_eq!(login.body["token_type"], "Bearer");
    assert!(login.body["expires_in"].as_i64().unwrap() > 0);
    let access = login.body["access_token"].as_str().unwrap().to_string();
    let refresh1 = login.body["refresh_token"].as_str().unwrap().to_string();
    let me = app.get("/api/v1/me", Some(&access)).await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.body["email"], "wang.fang@example.com");
    assert_eq!(me.body["display_name"], "王芳");
    assert_eq!(me.body["home_place_id"], home);
    assert_eq!(me.body["roles"][0]["role"], "resident");
    assert_eq!(me.body["roles"][0]["place_id"], home);

    // Refresh rotates: a new pair, and the old refresh token is spent.
    let r2 = app
        .auth("refresh", json!({"refresh_token": refresh1}))
        .await;
    assert_eq!(r2.status, StatusCode::OK, "{:?}", r2.body);
    let refresh2 = r2.body["refresh_token"].as_str().unwrap().to_string();
    let access2 = r2.body["access_token"].as_str().unwrap().to_string();
    assert_ne!(refresh1, refresh2);
    assert_eq!(
        app.get("/api/v1/me", Some(&access2)).await.status,
        StatusCode::OK
    );

    // Reusing the spent token revokes the whole family: the newer tokens die too.
    let reuse = app
        .auth("refresh", json!({"refresh_token": refresh1}))
        .await;
    assert_eq!(reuse.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reuse.code(), "auth.refresh_reused");
    let after = app
        .auth("refresh", json!({"refresh_token": refresh2}))
        .await;
    assert_eq!(after.status, StatusCode::UNAUTHORIZED);
    let me_after = app.get("/api/v1/me", Some(&access2)).await;
    assert_eq!(me_after.status, StatusCode::UNAUTHORIZED);
    assert_eq!(me_after.code(), "auth.session_revoked");

    // A new login, then logout ends that session and its access token at once.
    let l2 = app
        .auth("login", json!({"email": email, "password": PW_FIRST}))
        .await;
    let access3 = l2.body["access_token"].as_str().unwrap().to_string();
    let refresh3 = l2.body["refresh_token"].as_str().unwrap().to_string();
    let out = app.auth("logout", json!({"refresh_token": refresh3})).await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.get("/api/v1/me", Some(&access3)).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.auth("refresh", json!({"refresh_token": refresh3}))
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );

    // Password reset: mail, confirm, old password refused, new one works, sessions ended.
    let l3 = app
        .auth("login", json!({"email": email, "password": PW_FIRST}))
        .await;
    let access4 = l3.body["access_token"].as_str().unwrap().to_string();
    let req = app
        .auth("password-reset/request", json!({"email": email}))
        .await;
    assert_eq!(req.status, StatusCode::ACCEPTED);
    let mails = app.mails_to("wang.fang@example.com", 2).await;
    let reset_mail = mails
        .iter()
        .find(|m| m.contains("重置密码"))
        .expect("reset mail");
    let reset_token = token_in(reset_mail);
    let weak = app
        .auth(
            "password-reset/confirm",
            json!({"token": reset_token, "new_password": "short"}),
        )
        .await;
    assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(weak.body["field"], "new_password");
    let ok = app
        .auth(
            "password-reset/confirm",
            json!({"token": reset_token, "new_password": "新的密码也要足够长才行"}),
        )
        .await;
    assert_eq!(ok.status, StatusCode::NO_CONTENT, "{:?}", ok.body);
    assert_eq!(
        app.get("/api/v1/me", Some(&access4)).await.status,
        StatusCode::UNAUTHORIZED
    );
    let old = app
        .auth("login", json!({"email": email, "password": PW_FIRST}))
        .await;
    assert_eq!(old.status, StatusCode::UNAUTHORIZED);
    let new = app
        .auth(
            "login",
            json!({"email": email, "password": "新的密码也要足够长才行"}),
        )
        .await;
    assert_eq!(new.status, StatusCode::OK);
    let reused = app
        .auth(
            "password-reset/confirm",
            json!({"token": reset_token, "new_password": "再来一次的新密码也够长"}),
        )
        .await;
    assert_eq!(reused.code(), "auth.invalid_email_token");
    app.stop().await;
    Ok(())
}

#[actix_rt::test]
async fn answers_do_not_reveal_registered_emails() -> TestResult {
    let app = TestApp::spawn().await;
    app.seed_demo();
    let home = app.place("demo-330200-0-0-0");
    app.user(
        "taken@example.com",
        Some(home),
        &[(Role::Resident, Some(home), None)],
    );
    let users_before = app.count("users");

    let body = |email: &str| json!({"email": email, "password": "long enough password", "display_name": "某人", "home_place_id": home});
    let taken = app.auth("register", body("taken@example.com")).await;
    let fresh = app.auth("register", body("fresh@example.com")).await;
    assert_eq!(taken.status, fresh.status);
    assert_eq!(taken.body, fresh.body);
    assert_eq!(app.count("users"), users_before + 1);
    // The owner of the taken address hears about it; no account was changed.
    let notice = app.mails_to("taken@example.com", 1).await;
    assert!(notice[0].contains("已经注册"));

    let wrong = app
        .auth(
            "login",
            json!({"email": "taken@example.com", "password": "not the password"}),
        )
        .await;
    let unknown = app
        .auth(
            "login",
            json!({"email": "nobody@example.com", "password": "not the password"}),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.body, unknown.body);

    let r1 = app
        .auth(
            "password-reset/request",
            json!({"email": "taken@example.com"}),
        )
        .await;
    let r2 = app
        .auth(
            "password-reset/request",
            json!({"email": "nobody@example.com"}),
        )
        .await;
    assert_eq!((r1.status, &r1.body), (r2.status, &r2.body));
    app.stop().await;
    Ok(())
}

#[actix_rt::test]
async fn repeated_failures_lock_the_account_for_that_address_for_a_while() -> TestResult {
    let app = TestApp::spawn_with(&[
        ("auth.max_failed_logins", "3"),
        ("auth.lockout_minutes", "10"),
    ])
    .await;
    app.user("lock@example.com", None, &[]);
    for _ in 0..3 {
        let r = app
            .auth(
                "login",
                json!({"email": "lock@example.com", "password": "wrong password"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    // Now even the right password is refused from this address, with a Retry-After (other
    // addresses are only delayed: tests/security_accounts/lockout.rs).
    let r = app
        .auth(
            "login",
            json!({"email": "lock@example.com", "password": PASSWORD}),
        )
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(r.code(), "auth.account_locked");
    let retry: u64 = r
        .headers
        .get("retry-after")
        .unwrap()
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry > 500 && retry <= 600, "retry-after {retry}");
    // An unknown email locks the same way, so locking reveals nothing.
    for _ in 0..3 {
        app.auth(
            "login",
            json!({"email": "ghost@example.com", "password": "x"}),
        )
        .await;
    }
    let ghost = app
        .auth(
            "login",
            json!({"email": "ghost@example.com", "password": "x"}),
        )
        .await;
    assert_eq!(ghost.code(), "auth.account_locked");
    // Other accounts are unaffected.
    app.user("other@example.com", None, &[]);
    app.login("other@example.com").await;
    app.stop().await;
    Ok(())
}

#[actix_rt::test]
async fn login_attempts_are_limited_per_client_address() -> TestResult {
    let app = TestApp::spawn_with(&[("auth.login_attempts_per_ip_per_minute", "3")]).await;
    let mut codes = Vec::new();
    for i in 0..5 {
        let r = app
            .auth(
                "login",
                json!({"email": format!("u{i}@example.com"), "password": "whatever"}),
            )
            .await;
        codes.push(r.status.as_u16());
    }
    assert_eq!(&codes[..3], &[401, 401, 401]);
    assert_eq!(codes[4], 429);
    app.stop().await;
    Ok(())
}

fn forge(header: &str, claims: serde_json::Value, secret: &[u8]) -> String {
    use hmac_sign::sign;
    let h = URL_SAFE_NO_PAD.encode(header);
    let c = URL_SAFE_NO_PAD.encode(claims.to_string());
    let sig = sign(secret, format!("{h}.{c}").as_bytes());
    format!("{h}.{c}.{}", URL_SAFE_NO_PAD.encode(sig))
}

mod hmac_sign {
    /// HS256 by the jsonwebtoken crate, so forged tokens are real signatures.
    pub fn sign(secret: &[u8], message: &[u8]) -> Vec<u8> {
        let key = jsonwebtoken::EncodingKey::from_secret(secret);
        let sig =
            jsonwebtoken::crypto::sign(message, &key, jsonwebtoken::Algorithm::HS256).unwrap();
        base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, sig).unwrap()
    }
}

#[actix_rt::test]
async fn bad_access_tokens_are_rejected() -> TestResult {
    let app = TestApp::spawn().await;
    let id = app.user("tok@example.com", None, &[]);
    let good = app.login("tok@example.com").await;
    assert_eq!(
        app.get("/api/v1/me", Some(&good)).await.status,
        StatusCode::OK
    );
    let settings = app.running.as_ref().unwrap().state.settings.clone();
    let secret = secrecy::ExposeSecret::expose_secret(&settings.auth.jwt_secret)
        .as_bytes()
        .to_vec();
    let (_, payload_b64) = {
        let parts: Vec<&str> = good.split('.').collect();
        (parts[0].to_string(), parts[1].to_string())
    };
    let claims: serde_json::Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(&payload_b64)?)?;
    let now = chrono::Utc::now().timestamp();
    let hs = r#"{"alg":"HS256","typ":"JWT"}"#;

    let mut expired = claims.clone();
    expired["iat"] = json!(now - 7200);
    expired["exp"] = json!(now - 3600);
    let mut wrong_aud = claims.clone();
    wrong_aud["aud"] = json!("someone-else");
    let mut other_user = claims.clone();
    other_user["sub"] = json!((id + 1).to_string());
    let parts: Vec<&str> = good.split('.').collect();
    let tampered = format!(
        "{}.{}.{}",
        parts[0],
        URL_SAFE_NO_PAD.encode(other_user.to_string()),
        parts[2]
    );
    let none = format!(
        "{}.{}.",
        URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    #[rustfmt::skip]
    let table = [
        ("expired", forge(hs, expired, &secret)),
        ("wrong audience", forge(hs, wrong_aud, &secret)),
        ("wrongly signed", forge(hs, claims.clone(), b"another-secret-another-secret!!")),
        ("tampered", tampered),
        ("alg none", none),
        ("HS512", forge(r#"{"alg":"HS512","typ":"JWT"}"#, claims.clone(), &secret)),
        ("garbage", "not.a.jwt".to_string()),
    ];
    for (what, token) in table {
        let r = app.get("/api/v1/me", Some(&token)).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{what}");
        assert_eq!(r.code(), "auth.invalid_token", "{what}");
        assert!(r.content_type.starts_with("application/problem+json"));
    }
    let none = app.get("/api/v1/me", None).await;
    assert_eq!(none.status, StatusCode::UNAUTHORIZED);
    assert_eq!(none.code(), "auth.missing_token");
    app.stop().await;
    Ok(())
}

#[actix_rt::test]
async fn disabling_a_user_or_revoking_a_role_bites_on_the_next_request() -> TestResult {
    let app = TestApp::spawn().await;
    app.seed_demo();
    let city = app.place("demo-330200");
    let community = app.place("demo-330200-0-0-0");
    let admin = app
        .user_token("root@example.com", None, &[(Role::Admin, None, None)])
        .await;
    let uid = app.user(
        "deputy@example.com",
        Some(community),
        &[(Role::Admin, Some(city), None)],
    );
    let deputy = app.login("deputy@example.com").await;
    let new_place =
        json!({"parent_id": community, "kind": "grid", "name": "新网格", "code": "new-grid-1"});
    assert_eq!(
        app.post("/api/v1/places", Some(&deputy), new_place)
            .await
            .status,
        StatusCode::CREATED
    );

    // Revoke the admin grant: the same token is now refused.
    let me = app.get("/api/v1/me", Some(&deputy)).await;
    let grant_id = me.body["roles"][0]["id"].as_i64().unwrap();
    let del = app
        .delete(
            &format!("/api/v1/users/{uid}/roles/{grant_id}"),
            Some(&admin),
        )
        .await;
    assert_eq!(del.status, StatusCode::NO_CONTENT);
    let again =
        json!({"parent_id": community, "kind": "grid", "name": "又一个网格", "code": "new-grid-2"});
    let r = app.post("/api/v1/places", Some(&deputy), again).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // Disable: the token stops working, and login is refused.
    let p = app
        .patch(
            &format!("/api/v1/users/{uid}"),
            Some(&admin),
            json!({"disabled": true}),
        )
        .await;
    assert_eq!(p.status, StatusCode::OK);
    assert_eq!(p.body["disabled"], true);
    let r = app.get("/api/v1/me", Some(&deputy)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.code(), "auth.account_disabled");
    let l = app
        .auth(
            "login",
            json!({"email": "deputy@example.com", "password": PASSWORD}),
        )
        .await;
    assert_eq!(l.code(), "auth.account_disabled");
    app.stop().await;
    Ok(())
}
