//! Finding 9: failed logins slow an account down (a capped delay) and lock it only for the
//! client address they come from; the owner is mailed once per lock with a single-use unlock
//! link. The client address is the X-Forwarded-For the test servers are told to trust.

use std::time::Duration;

use super::*;
use crate::common::{Body, Method, Resp};

const ATTACKER: &str = "203.0.113.7";
const OWNER: &str = "198.51.100.20";

/// Small numbers so that no test waits more than about a second: 2 free failures, then a
/// delay of at most 1 s; 3 failures from one address lock it for 10 minutes.
const POLICY: [(&str, &str); 5] = [
    ("server.trust_forwarded_for", "true"),
    ("auth.free_failed_logins", "2"),
    ("auth.max_login_delay_seconds", "1"),
    ("auth.max_failed_logins", "3"),
    ("auth.lockout_minutes", "10"),
];

async fn login_from(app: &TestApp, addr: &str, email: &str, password: &str) -> Resp {
    let body = json!({"email": email, "password": password});
    app.send(
        Method::POST,
        "/api/v1/auth/login",
        None,
        &[("X-Forwarded-For", addr)],
        Body::Json(body),
    )
    .await
}

fn retry_after(r: &Resp) -> u64 {
    r.headers
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no Retry-After on {:?}", r.body))
}

/// Logs in, waiting out the account's delay (at most `tries` times); panics on anything else.
async fn login_despite_delay(app: &TestApp, addr: &str, email: &str) -> Resp {
    for _ in 0..3 {
        let r = login_from(app, addr, email, PASSWORD).await;
        if r.status != StatusCode::TOO_MANY_REQUESTS {
            return r;
        }
        assert_eq!(r.code(), "auth.login_delayed", "{:?}", r.body);
        let wait = retry_after(&r);
        assert!(wait <= 1, "the delay is capped: {wait}");
        actix_rt::time::sleep(Duration::from_millis(wait * 1000 + 100)).await;
    }
    panic!("{email} from {addr} never got past the delay");
}

/// Queued "repeated failed sign-ins" mails.
fn lock_mails(app: &TestApp) -> i64 {
    use diesel::prelude::*;
    use yishi::db::schema::outbox;
    app.with_db(|c| {
        outbox::table
            .filter(outbox::kind.eq("login_locked"))
            .count()
            .get_result(c)
    })
    .expect("count mails")
}

#[actix_rt::test]
async fn an_attacker_address_is_locked_while_the_owner_signs_in() -> TestResult {
    let app = TestApp::builder().settings(&POLICY).build().await;
    let owner = "owner@lockout.test";
    app.user(owner, None, &[]);

    // Two free failures, then the account waits: 429 with Retry-After, password not checked.
    for _ in 0..2 {
        let r = login_from(&app, ATTACKER, owner, "wrong password!").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{:?}", r.body);
    }
    let delayed = login_from(&app, ATTACKER, owner, PASSWORD).await;
    assert_problem_429(&delayed, "auth.login_delayed");
    assert_eq!(retry_after(&delayed), 1);
    assert_eq!(lock_mails(&app), 0, "a delay is no lock");
    actix_rt::time::sleep(Duration::from_millis(1100)).await;
    // The third failure from the attacker's address locks that address out.
    let r = login_from(&app, ATTACKER, owner, "wrong password!").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{:?}", r.body);
    let locked = login_from(&app, ATTACKER, owner, PASSWORD).await;
    assert_problem_429(&locked, "auth.account_locked");
    let wait = retry_after(&locked);
    assert!(wait > 500 && wait <= 600, "locked for 10 minutes: {wait}");

    // The owner, elsewhere, with the right password, gets in (at most after the capped delay).
    let r = login_despite_delay(&app, OWNER, owner).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    // The attacker's address stays locked; more tries there start no second lock.
    for password in ["wrong password!", PASSWORD] {
        let r = login_from(&app, ATTACKER, owner, password).await;
        assert_problem_429(&r, "auth.account_locked");
    }

    // The owner is told once, with the address and an unlock link.
    let mails = app.mails_to(owner, 1).await;
    assert_eq!(mails.len(), 1, "{mails:?}");
    assert_eq!(lock_mails(&app), 1);
    let mail = &mails[0];
    assert!(mail.contains(ATTACKER), "{mail}");
    let token = token_in(mail);
    assert!(mail.contains(&format!("/unlock?token={token}")), "{mail}");

    // The link lifts the lock, once.
    let r = app.auth("unlock", json!({"token": token})).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
    let r = login_from(&app, ATTACKER, owner, PASSWORD).await;
    assert_eq!(r.status, StatusCode::OK, "unlocked: {:?}", r.body);
    #[rustfmt::skip]
    let cases = [
        ("the same unlock token again", call::post("/api/v1/auth/unlock", None, json!({"token": token})), Expect(422, "auth.invalid_email_token", Some("token"))),
        ("an unknown unlock token", call::post("/api/v1/auth/unlock", None, json!({"token": "not-a-token"})), Expect(422, "auth.invalid_email_token", Some("token"))),
        ("a blank unlock token", call::post("/api/v1/auth/unlock", None, json!({"token": ""})), Expect(422, "validation.length", Some("token"))),
    ];
    problem_all(&app, cases).await;
    app.done().await
}

fn assert_problem_429(r: &Resp, code: &str) {
    crate::common::assert_problem(code, r, StatusCode::TOO_MANY_REQUESTS, code, None);
}

#[actix_rt::test]
async fn unknown_emails_lock_alike_and_nobody_is_mailed() -> TestResult {
    let app = TestApp::builder().settings(&POLICY).build().await;
    let ghost = "ghost@lockout.test";
    let mut codes = Vec::new();
    for _ in 0..4 {
        let r = login_from(&app, ATTACKER, ghost, "whatever pass").await;
        if r.code() == "auth.login_delayed" {
            actix_rt::time::sleep(Duration::from_millis(retry_after(&r) * 1000 + 100)).await;
            continue;
        }
        codes.push(r.code().to_string());
    }
    assert_eq!(
        codes,
        [
            "auth.invalid_credentials",
            "auth.invalid_credentials",
            "auth.invalid_credentials"
        ]
    );
    let r = login_from(&app, ATTACKER, ghost, "whatever pass").await;
    assert_problem_429(&r, "auth.account_locked");
    // Another address is only delayed, never locked.
    let r = login_despite_delay(&app, OWNER, ghost).await;
    assert_eq!(r.code(), "auth.invalid_credentials", "{:?}", r.body);
    assert_eq!(lock_mails(&app), 0);
    app.done().await
}

#[actix_rt::test]
async fn a_successful_login_clears_that_address_failures() -> TestResult {
    // No delay here: only the per-address count matters.
    let app = TestApp::builder()
        .settings(&POLICY)
        .setting("auth.free_failed_logins", "100")
        .build()
        .await;
    let owner = "forgetful@lockout.test";
    app.user(owner, None, &[]);
    for round in 0..2 {
        for _ in 0..2 {
            let r = login_from(&app, OWNER, owner, "almost right!").await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED, "round {round}");
        }
        let r = login_from(&app, OWNER, owner, PASSWORD).await;
        assert_eq!(r.status, StatusCode::OK, "round {round}: {:?}", r.body);
    }
    // Without the clearing, four failures would have locked the address at the third.
    assert_eq!(lock_mails(&app), 0);
    app.done().await
}
