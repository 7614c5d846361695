//! Finding 10a: the placeholder secret shipped in config/default.toml never signs a token; a
//! development or test server signs with a secret generated on first start and kept in its
//! data folder, so a restart keeps tokens valid.

use secrecy::ExposeSecret;
use yishi::auth::jwt::Claims;
use yishi::config::PLACEHOLDER_SECRET;

use super::*;

/// The claims of `token`, read without checking its signature.
fn claims_of(token: &str) -> Claims {
    use base64::Engine;
    let payload = token.split('.').nth(1).expect("a JWT");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .expect("base64url");
    serde_json::from_slice(&bytes).expect("claims")
}

#[actix_rt::test]
async fn a_token_signed_with_the_placeholder_secret_is_refused() -> TestResult {
    // The test profile keeps the placeholder of config/default.toml, like a demo install.
    let app = TestApp::spawn().await;
    let state = &app.running.as_ref().unwrap().state;
    let secret = state.settings.auth.jwt_secret.expose_secret().to_string();
    assert_ne!(secret, PLACEHOLDER_SECRET);
    let file = std::fs::read_to_string(&state.settings.auth.generated_secret_file)?;
    assert_eq!(file.trim(), secret, "the generated secret is kept");

    app.user("forged@secret.test", None, &[]);
    let good = app.login("forged@secret.test").await;
    assert_eq!(
        app.get("/api/v1/me", Some(&good)).await.status,
        StatusCode::OK
    );
    // The same claims, fresh, signed with the public placeholder.
    let mut claims = claims_of(&good);
    claims.jti = "forged".into();
    let forged = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(PLACEHOLDER_SECRET.as_bytes()),
    )?;
    let r = app.get("/api/v1/me", Some(&forged)).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{:?}", r.body);
    assert_eq!(r.code(), "auth.invalid_token");
    app.done().await
}

#[actix_rt::test]
async fn a_restart_on_the_same_data_keeps_tokens_valid() -> TestResult {
    let app = TestApp::spawn().await;
    app.user("stays@secret.test", None, &[]);
    let token = app.login("stays@secret.test").await;
    // A second server on the same database and data folder, configured the same way.
    let settings = crate::common::settings(&app.db, &app.mail_dir, &[]);
    assert_eq!(
        settings.auth.jwt_secret.expose_secret(),
        PLACEHOLDER_SECRET,
        "configured with the placeholder"
    );
    let again = yishi::server::start(settings)?;
    let mut res = app
        .client
        .get(format!("http://{}/api/v1/me", again.addr))
        .insert_header(("Authorization", format!("Bearer {token}")))
        .send()
        .await?;
    let status = res.status();
    let body = res.body().await?;
    again.stop().await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    app.done().await
}
