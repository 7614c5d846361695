#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The review fixes of issue 7 in accounts: a password reset follows the registration rules,
//! a scoped admin changes only users within reach, grants to users outside an admin's scope
//! are 404, and a disabled account gets one answer everywhere.

mod common;

use common::{
    Call, DENIED, DemoCity, Expect, PASSWORD, StatusCode, TestApp, TestResult, User, call,
    make_user, problem, problem_all,
};
use serde_json::json;
use yishi::auth::Role;

const CONFIRM: &str = "/api/v1/auth/password-reset/confirm";

/// A server over the seeded demo city, and the city.
async fn seeded() -> (TestApp, DemoCity) {
    let app = TestApp::builder().demo().build().await;
    let city = app.demo_city().await;
    (app, city)
}

/// A global admin, who may read and change anyone.
async fn root(app: &TestApp) -> User {
    app.user_with_grants(&[(Role::Admin, None, None)]).await
}

/// `name`, living at `home`, an admin of `place`.
async fn admin_at(app: &TestApp, name: &str, home: i64, place: i64) -> User {
    make_user(app, name, Some(home), &[(Role::Admin, Some(place), None)]).await
}

/// Asks for a reset of `email` and returns the mailed token.
async fn reset_token(app: &TestApp, email: &str, nth: usize) -> String {
    let r = app
        .auth("password-reset/request", json!({ "email": email }))
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{:?}", r.body);
    let mails = app.mails_to(email, nth).await;
    common::token_in(&mails[nth - 1])
}

/// The reset confirmation of `token` with `password`.
fn confirm(token: &str, password: &str) -> Call {
    call::post(
        CONFIRM,
        None,
        json!({ "token": token, "new_password": password }),
    )
}

#[actix_rt::test]
async fn a_reset_password_may_not_be_or_contain_the_email() -> TestResult {
    let (app, d) = seeded().await;
    let home = d.community;
    let email = "reset.me@example.com";
    app.user(email, Some(home), &[]);
    let token = reset_token(&app, email, 1).await;
    let weak = Expect(422, "validation.weak_password", Some("new_password"));
    let register = json!({"email": "new.one@example.com", "password": "x new.one@example.com",
                          "display_name": "新人", "home_place_id": home});
    #[rustfmt::skip]
    let cases = [
        ("the email", confirm(&token, "reset.me@example.com"), weak),
        ("the email in other case", confirm(&token, "Reset.Me@Example.COM"), weak),
        ("containing the email", confirm(&token, "my reset.me@example.com!"), weak),
        // Registration refuses the same passwords.
        ("register with the email inside", call::post("/api/v1/auth/register", None, register), Expect(422, "validation.weak_password", None)),
    ];
    problem_all(&app, cases).await;
    // The refused attempts did not spend the token, and the old password still works.
    app.login_with(email, PASSWORD).await;
    let r = app.call(&confirm(&token, "一个与邮箱无关的新密码")).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
    app.login_with(email, "一个与邮箱无关的新密码").await;
    // A bogus token is refused before any password check needing the email.
    problem(
        "unknown token",
        app.call(&confirm("nope", "reset.me@example.com")),
        Expect(422, "auth.invalid_email_token", None),
    )
    .await;
    app.done().await
}

#[actix_rt::test]
async fn a_scoped_admin_changes_no_admin_of_a_wider_place() -> TestResult {
    let (app, d) = seeded().await;
    let (city, haishu, xingfu) = (app.place("demo-330200"), d.district, d.community);
    let district_admin = app.user_id("district-admin@yishi.demo");
    let community = admin_at(&app, "community-admin", xingfu, xingfu).await;
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
    let district = admin_at(&app, "district-admin", xingfu, haishu).await;
    #[rustfmt::skip]
    let cases = [
        ("the community admin vs the district admin", &community, district_admin),
        ("the community admin vs a 政协委员 of the district", &community, mixed),
        ("the district admin vs a city-scoped admin", &district, city_admin),
    ];
    // Each caller may neither rename nor disable its target.
    let global = root(&app).await;
    for (what, who, target) in cases {
        let path = format!("/api/v1/users/{target}");
        #[rustfmt::skip]
        let changes = [("rename", json!({"display_name": "被改的名字"})), ("disable", json!({"disabled": true}))];
        for (change, body) in changes {
            let what = format!("{what}: {change}");
            problem(&what, app.patch(&path, who.tok(), body), DENIED).await;
        }
        let u = app.get(&path, global.tok()).await;
        assert_ne!(u.body["display_name"], "被改的名字", "{what}: not renamed");
        assert_eq!(u.body["disabled"], false, "{what}: not disabled");
    }
    // Within reach it still works: the district admin renames the community admin.
    let r = app
        .patch(
            &format!("/api/v1/users/{}", community.id),
            district.tok(),
            json!({"display_name": "幸福社区管理员"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["display_name"], "幸福社区管理员");
    app.done().await
}

#[actix_rt::test]
async fn grants_to_users_outside_the_scope_are_404() -> TestResult {
    let (app, d) = seeded().await;
    let (haishu, nanmen, taoyuan) = (d.district, d.subdistrict, d.far);
    let scoped = app.user_with(Role::Admin, haishu).await;
    let elsewhere = app.user("jiangbei@grant.test", Some(taoyuan), &[]);
    let homeless = app.user("nohome@grant.test", None, &[]);
    // The place is the admin's own: only the user is out of reach.
    let grant = |target: i64, who: &User| {
        call::post(
            format!("/api/v1/users/{target}/roles"),
            who.tok(),
            json!({"role": "community_staff", "place_id": nanmen}),
        )
    };
    let before = app.count("role_grants");
    let not_found = Expect(404, "user.not_found", None);
    #[rustfmt::skip]
    let cases = [
        ("homed in 江北区", grant(elsewhere, &scoped), not_found),
        ("without a home", grant(homeless, &scoped), not_found),
    ];
    problem_all(&app, cases).await;
    assert_eq!(app.count("role_grants"), before, "nothing was granted");
    let r = app.call(&grant(elsewhere, &root(&app).await)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    app.done().await
}

#[actix_rt::test]
async fn a_disabled_account_gets_one_status_everywhere() -> TestResult {
    let (app, d) = seeded().await;
    let xingfu = d.community;
    let uid = app.user("soon-off@example.com", Some(xingfu), &[]);
    let credentials = json!({"email": "soon-off@example.com", "password": PASSWORD});
    let login = app.auth("login", credentials.clone()).await;
    assert_eq!(login.status, StatusCode::OK, "{:?}", login.body);
    let access = login.body["access_token"].as_str().ok_or("access token")?;
    let refresh = login.body["refresh_token"]
        .as_str()
        .ok_or("refresh token")?;
    let admin = root(&app).await;
    let r = app
        .patch(
            &format!("/api/v1/users/{uid}"),
            admin.tok(),
            json!({"disabled": true}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);

    let disabled = Expect(403, "auth.account_disabled", None);
    #[rustfmt::skip]
    let cases = [
        ("an access token", call::get("/api/v1/me", Some(access)), disabled),
        ("a password", call::post("/api/v1/auth/login", None, credentials), disabled),
        ("a refresh token", call::post("/api/v1/auth/refresh", None, json!({ "refresh_token": refresh })), disabled),
        ("an access token on a read", call::get("/api/v1/topics", Some(access)), disabled),
    ];
    problem_all(&app, cases).await;
    app.done().await
}

#[actix_rt::test]
async fn an_unknown_stored_role_or_kind_is_an_error_not_a_silent_fallback() -> TestResult {
    use diesel::prelude::*;
    use yishi::db::schema::{places, role_grants};
    let (app, d) = seeded().await;
    let (xingfu, g1) = (d.community, d.grid);
    let odd = make_user(&app, "odd", Some(xingfu), &[]).await;
    let admin = root(&app).await;
    app.with_db(|c| -> QueryResult<()> {
        diesel::insert_into(role_grants::table)
            .values((
                role_grants::user_id.eq(odd.id),
                role_grants::role.eq("superuser"),
                role_grants::place_id.eq(Some(xingfu)),
                role_grants::created_at.eq(yishi::db::now()),
            ))
            .execute(c)?;
        diesel::update(places::table.find(g1))
            .set(places::kind.eq("village"))
            .execute(c)?;
        Ok(())
    })?;
    let internal = Expect(500, "server.internal", None);
    #[rustfmt::skip]
    let cases = [
        ("the holder's own requests", call::get("/api/v1/me", odd.tok()), internal),
        ("an admin reading the holder", call::get(format!("/api/v1/users/{}", odd.id), admin.tok()), internal),
        ("a place of an unknown kind", call::get(format!("/api/v1/places/{g1}"), None), internal),
        ("a list holding it", call::get(format!("/api/v1/places?parent_id={xingfu}"), None), internal),
    ];
    problem_all(&app, cases).await;
    app.done().await
}
