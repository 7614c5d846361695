#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The review fixes of issue 7 in accounts: a password reset follows the registration rules,
//! a scoped admin changes only users within reach, grants to users outside an admin's scope
//! are 404, and a disabled account gets one answer everywhere.

mod common;

use awc::http::StatusCode;
use common::{PASSWORD, Resp, TestApp, token_in};
use serde_json::json;
use yishi::auth::Role;

/// The demo places these tests act on, by their codes.
struct Demo {
    city: i64,
    haishu: i64,
    nanmen: i64,
    xingfu: i64,
    xingfu_g1: i64,
    taoyuan: i64,
}

/// A server over the seeded demo city.
async fn seeded() -> (TestApp, Demo) {
    let app = TestApp::spawn().await;
    app.seed_demo();
    let demo = Demo {
        city: app.place("demo-330200"),
        haishu: app.place("demo-330200-0"),
        nanmen: app.place("demo-330200-0-0"),
        xingfu: app.place("demo-330200-0-0-0"),
        xingfu_g1: app.place("demo-330200-0-0-0-g1"),
        taoyuan: app.place("demo-330200-1-0-0"),
    };
    (app, demo)
}

/// The id of the user with `email`.
fn id_of(app: &TestApp, email: &str) -> i64 {
    app.with_db(|c| {
        yishi::accounts::queries::user_by_email(c, email)
            .unwrap()
            .unwrap()
            .id
    })
}

fn problem(what: &str, r: &Resp, status: StatusCode, code: &str) {
    assert_eq!(r.status, status, "{what}: {:?}", r.body);
    assert_eq!(r.code(), code, "{what}: {:?}", r.body);
}

/// Asks for a reset of `email` and returns the mailed token.
async fn reset_token(app: &TestApp, email: &str, nth: usize) -> String {
    let r = app
        .post(
            "/api/v1/auth/password-reset/request",
            None,
            json!({ "email": email }),
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{:?}", r.body);
    let mails = app.mails_to(email, nth).await;
    token_in(&mails[nth - 1])
}

#[actix_rt::test]
async fn a_reset_password_may_not_be_or_contain_the_email() {
    let (app, d) = seeded().await;
    let home = d.xingfu;
    let email = "reset.me@example.com";
    app.user(email, Some(home), &[]);
    let token = reset_token(&app, email, 1).await;
    let confirm = |password: &str| {
        app.post(
            "/api/v1/auth/password-reset/confirm",
            None,
            json!({ "token": token, "new_password": password }),
        )
    };
    for (what, password) in [
        ("the email", "reset.me@example.com"),
        ("the email in other case", "Reset.Me@Example.COM"),
        ("containing the email", "my reset.me@example.com!"),
    ] {
        let r = confirm(password).await;
        problem(
            what,
            &r,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation.weak_password",
        );
        assert_eq!(r.body["field"], "new_password", "{what}");
    }
    // Registration refuses the same passwords.
    let r = app
        .post(
            "/api/v1/auth/register",
            None,
            json!({"email": "new.one@example.com", "password": "x new.one@example.com",
                   "display_name": "新人", "home_place_id": home}),
        )
        .await;
    problem(
        "register with the email inside",
        &r,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation.weak_password",
    );
    // The refused attempts did not spend the token, and the old password still works.
    app.login_with(email, PASSWORD).await;
    let r = confirm("一个与邮箱无关的新密码").await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
    app.login_with(email, "一个与邮箱无关的新密码").await;
    // A bogus token is refused before any password check needing the email.
    let r = app
        .post(
            "/api/v1/auth/password-reset/confirm",
            None,
            json!({ "token": "nope", "new_password": "reset.me@example.com" }),
        )
        .await;
    problem(
        "unknown token",
        &r,
        StatusCode::UNPROCESSABLE_ENTITY,
        "auth.invalid_email_token",
    );
    app.stop().await;
}

/// Renames and disables `target` as `token`; returns both answers.
async fn change(app: &TestApp, token: &str, target: i64) -> (Resp, Resp) {
    let path = format!("/api/v1/users/{target}");
    let rename = app
        .patch(&path, Some(token), json!({"display_name": "被改的名字"}))
        .await;
    let disable = app
        .patch(&path, Some(token), json!({"disabled": true}))
        .await;
    (rename, disable)
}

#[actix_rt::test]
async fn a_scoped_admin_changes_no_admin_of_a_wider_place() {
    let (app, d) = seeded().await;
    let (city, haishu, xingfu) = (d.city, d.haishu, d.xingfu);
    let district_admin = id_of(&app, "district-admin@yishi.demo");
    let community = app
        .user_token(
            "community-admin@scope.test",
            Some(xingfu),
            &[(Role::Admin, Some(xingfu), None)],
        )
        .await;
    let city_admin = app.user(
        "city-admin@scope.test",
        Some(xingfu),
        &[(Role::Admin, Some(city), None)],
    );
    let mixed = app.user(
        "mixed@scope.test",
        Some(xingfu),
        &[
            (Role::Resident, Some(xingfu), None),
            (Role::CppccMember, Some(haishu), None),
        ],
    );
    // A second 海曙区 admin to act with (the demo's password is not the tests' one).
    let district = app
        .user_token(
            "district-admin@scope.test",
            Some(xingfu),
            &[(Role::Admin, Some(haishu), None)],
        )
        .await;
    let cases = [
        (
            "the community admin vs the district admin",
            &community,
            district_admin,
        ),
        (
            "the community admin vs a 政协委员 of the district",
            &community,
            mixed,
        ),
        (
            "the district admin vs a city-scoped admin",
            &district,
            city_admin,
        ),
    ];
    for (what, token, target) in cases {
        let (rename, disable) = change(&app, token, target).await;
        problem(what, &rename, StatusCode::FORBIDDEN, "permission.denied");
        problem(what, &disable, StatusCode::FORBIDDEN, "permission.denied");
        let global = app
            .user_token(
                &format!("root-{target}@scope.test"),
                None,
                &[(Role::Admin, None, None)],
            )
            .await;
        let u = app
            .get(&format!("/api/v1/users/{target}"), Some(&global))
            .await;
        assert_ne!(u.body["display_name"], "被改的名字", "{what}: not renamed");
        assert_eq!(u.body["disabled"], false, "{what}: not disabled");
    }
    // Within reach it still works: the district admin renames the community admin.
    let community_id = id_of(&app, "community-admin@scope.test");
    let r = app
        .patch(
            &format!("/api/v1/users/{community_id}"),
            Some(&district),
            json!({"display_name": "幸福社区管理员"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["display_name"], "幸福社区管理员");
    app.stop().await;
}

#[actix_rt::test]
async fn grants_to_users_outside_the_scope_are_404() {
    let (app, d) = seeded().await;
    let (haishu, nanmen, taoyuan) = (d.haishu, d.nanmen, d.taoyuan);
    let scoped = app
        .user_token(
            "haishu@grant.test",
            None,
            &[(Role::Admin, Some(haishu), None)],
        )
        .await;
    let elsewhere = app.user("jiangbei@grant.test", Some(taoyuan), &[]);
    let homeless = app.user("nohome@grant.test", None, &[]);
    let before = app.count("role_grants");
    for (what, target) in [("homed in 江北区", elsewhere), ("without a home", homeless)] {
        // The place is the admin's own: only the user is out of reach.
        let r = app
            .post(
                &format!("/api/v1/users/{target}/roles"),
                Some(&scoped),
                json!({"role": "community_staff", "place_id": nanmen}),
            )
            .await;
        problem(what, &r, StatusCode::NOT_FOUND, "user.not_found");
    }
    assert_eq!(app.count("role_grants"), before, "nothing was granted");
    let global = app
        .user_token("root@grant.test", None, &[(Role::Admin, None, None)])
        .await;
    let r = app
        .post(
            &format!("/api/v1/users/{elsewhere}/roles"),
            Some(&global),
            json!({"role": "community_staff", "place_id": nanmen}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    app.stop().await;
}

#[actix_rt::test]
async fn a_disabled_account_gets_one_status_everywhere() {
    let (app, d) = seeded().await;
    let xingfu = d.xingfu;
    let uid = app.user("soon-off@example.com", Some(xingfu), &[]);
    let login = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email": "soon-off@example.com", "password": PASSWORD}),
        )
        .await;
    assert_eq!(login.status, StatusCode::OK, "{:?}", login.body);
    let access = login.body["access_token"].as_str().unwrap().to_string();
    let refresh = login.body["refresh_token"].as_str().unwrap().to_string();
    let admin = app
        .user_token("root@off.test", None, &[(Role::Admin, None, None)])
        .await;
    let r = app
        .patch(
            &format!("/api/v1/users/{uid}"),
            Some(&admin),
            json!({"disabled": true}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);

    let me = app.get("/api/v1/me", Some(&access)).await;
    let login = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email": "soon-off@example.com", "password": PASSWORD}),
        )
        .await;
    let refreshed = app
        .post(
            "/api/v1/auth/refresh",
            None,
            json!({ "refresh_token": refresh }),
        )
        .await;
    let public = app.get("/api/v1/topics", Some(&access)).await;
    for (what, r) in [
        ("an access token", &me),
        ("a password", &login),
        ("a refresh token", &refreshed),
        ("an access token on a read", &public),
    ] {
        problem(what, r, StatusCode::FORBIDDEN, "auth.account_disabled");
    }
    app.stop().await;
}

#[actix_rt::test]
async fn an_unknown_stored_role_or_kind_is_an_error_not_a_silent_fallback() {
    use diesel::prelude::*;
    use yishi::db::schema::{places, role_grants};
    let (app, d) = seeded().await;
    let (xingfu, g1) = (d.xingfu, d.xingfu_g1);
    let odd = app.user("odd@stored.test", Some(xingfu), &[]);
    let token = app.login("odd@stored.test").await;
    let admin = app
        .user_token("root@stored.test", None, &[(Role::Admin, None, None)])
        .await;
    app.with_db(|c| {
        diesel::insert_into(role_grants::table)
            .values((
                role_grants::user_id.eq(odd),
                role_grants::role.eq("superuser"),
                role_grants::place_id.eq(Some(xingfu)),
                role_grants::created_at.eq(yishi::db::now()),
            ))
            .execute(c)
            .unwrap();
        diesel::update(places::table.find(g1))
            .set(places::kind.eq("village"))
            .execute(c)
            .unwrap();
    });
    for (what, r) in [
        (
            "the holder's own requests",
            app.get("/api/v1/me", Some(&token)).await,
        ),
        (
            "an admin reading the holder",
            app.get(&format!("/api/v1/users/{odd}"), Some(&admin)).await,
        ),
        (
            "a place of an unknown kind",
            app.get(&format!("/api/v1/places/{g1}"), None).await,
        ),
        (
            "a list holding it",
            app.get(&format!("/api/v1/places?parent_id={xingfu}"), None)
                .await,
        ),
    ] {
        problem(
            what,
            &r,
            StatusCode::INTERNAL_SERVER_ERROR,
            "server.internal",
        );
    }
    app.stop().await;
}
