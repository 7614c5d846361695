#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The consultation fixes of the review (issue 7), each proven over HTTP (or on the action
//! layer, for query counts) on SQLite and, with TEST_DATABASE_URL, PostgreSQL: a disabled
//! user's calendar feed stops, invitations are unique per invitee, concurrent agenda
//! additions cannot overrun the meeting, `mine=true` keeps to the caller's role places, and
//! the list and the clash check read in one query.

mod common;

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use chrono::Duration;
use common::{
    DemoCity, Expect, Resp, StatusCode, TestApp, TestResult, User, id_of, id_set, monday_at,
    problem,
};
use serde_json::json;
use yishi::auth::Role;

/// 409 `invitation.duplicate`: the invitee is invited already.
const DUPLICATE: Expect<'static> = Expect(409, "invitation.duplicate", None);

/// A server over the demo city, the city, and a CPPCC member of the whole city, who may
/// convene anywhere in it.
async fn convened() -> (TestApp, DemoCity, User) {
    let app = TestApp::builder().demo().build().await;
    let city = app.demo_city().await;
    let convener = app
        .user_with(Role::CppccMember, app.place("demo-330200"))
        .await;
    (app, city, convener)
}

/// A draft meeting of `minutes` at `place`, starting Monday at `hour`; returns its id.
async fn meeting(app: &TestApp, who: &User, place: i64, hour: u32, minutes: i64) -> i64 {
    let starts = monday_at(hour, 0);
    let r = app
        .post(
            "/api/v1/consultations",
            who.tok(),
            json!({
                "place_id": place, "title": format!("协商 {place} {hour}"),
                "kind": "micro_consultation", "format": "in_person", "venue": "议事厅",
                "starts_at": starts, "ends_at": starts + Duration::minutes(minutes),
            }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    id_of(&r.body)
}

/// How many of concurrent `answers` were `made` (201); every other one is refused as
/// `refused` says.
fn made(what: &str, answers: &[Resp], refused: Expect<'_>) -> usize {
    let Expect(status, code, _) = refused;
    for r in answers.iter().filter(|r| r.status != StatusCode::CREATED) {
        assert_eq!(r.status.as_u16(), status, "{what}: {:?}", r.body);
        assert_eq!(r.code(), code, "{what}: {:?}", r.body);
    }
    answers
        .iter()
        .filter(|r| r.status == StatusCode::CREATED)
        .count()
}

#[actix_rt::test]
async fn a_disabled_users_calendar_feed_stops() -> TestResult {
    use diesel::prelude::*;
    use yishi::db::schema::users;
    let (app, _, convener) = convened().await;
    let feed = app
        .post("/api/v1/me/calendar-feed", convener.tok(), json!({}))
        .await;
    assert_eq!(feed.status, StatusCode::CREATED, "{:?}", feed.body);
    let url = feed.body["url"].as_str().ok_or("feed url")?;
    let path = &url[url.find("/api/v1/").ok_or("an API path in the url")?..];
    assert_eq!(app.get(path, None).await.status, StatusCode::OK);

    app.with_db(|c| {
        diesel::update(users::table.find(convener.id))
            .set(users::disabled.eq(true))
            .execute(c)
    })?;
    let unknown = app
        .get("/api/v1/me/calendar.ics?token=no-such-token", None)
        .await;
    let disabled = app.get(path, None).await;
    assert_eq!(
        disabled.status,
        StatusCode::UNAUTHORIZED,
        "{:?}",
        disabled.body
    );
    assert_eq!(disabled.status, unknown.status);
    assert_eq!(disabled.code(), unknown.code());
    app.done().await
}

#[actix_rt::test]
async fn invitations_are_unique_per_meeting_and_invitee() -> TestResult {
    use yishi::consultations::queries as q;
    use yishi::consultations::rules::Category;
    let (app, city, convener) = convened().await;
    let (community, firm) = (city.community, city.firm);
    let resident = app.user(
        "r1@example.com",
        Some(community),
        &[(Role::Resident, Some(community), None)],
    );
    let m = meeting(&app, &convener, community, 9, 60).await;
    let path = format!("/api/v1/consultations/{m}/invitations");
    #[rustfmt::skip]
    let cases = [
        ("a user", json!({"user_id": resident, "category": "resident_rep"})),
        ("an organisation", json!({"organization_id": firm, "category": "property_firm"})),
    ];
    for (what, body) in cases {
        let first = app.post(&path, convener.tok(), body.clone()).await;
        assert_eq!(
            first.status,
            StatusCode::CREATED,
            "{what}: {:?}",
            first.body
        );
        let again = format!("{what}, again");
        problem(&again, app.post(&path, convener.tok(), body), DUPLICATE).await;
    }
    // Several invitations of the same user at once: exactly one is made.
    let other = app.user("r2@example.com", Some(community), &[]);
    let body = json!({"user_id": other, "category": "resident_rep"});
    let answers = futures_util::future::join_all(
        (0..4).map(|_| app.post(&path, convener.tok(), body.clone())),
    )
    .await;
    assert_eq!(made("four at once", &answers, DUPLICATE), 1, "{answers:?}");
    assert_eq!(app.count("invitations"), 3);
    // The database itself refuses a second row for the same invitee (unique indexes).
    app.with_db(|c| {
        assert!(q::invite(c, m, Some(resident), None, Category::Expert).is_err());
        assert!(q::invite(c, m, None, Some(firm), Category::Department).is_err());
    });
    assert_eq!(app.count("invitations"), 3);
    app.done().await
}

#[actix_rt::test]
async fn concurrent_agenda_items_never_overrun_the_meeting() -> TestResult {
    let (app, city, convener) = convened().await;
    let community = city.community;
    // Three rounds, so that a race without the lock shows up.
    for hour in [9, 11, 14] {
        let m = meeting(&app, &convener, community, hour, 60).await;
        let path = format!("/api/v1/consultations/{m}/agenda-items");
        // Six items of 20 minutes race for a one-hour meeting: three fit.
        let answers = futures_util::future::join_all((0..6).map(|i| {
            app.post(
                &path,
                convener.tok(),
                json!({"title": format!("议程 {i}"), "minutes": 20}),
            )
        }))
        .await;
        let overrun = Expect(422, "consultation.agenda_overrun", None);
        let what = format!("the meeting at {hour}");
        assert_eq!(made(&what, &answers, overrun), 3, "{what}: {answers:?}");
        let agenda = app.get(&path, convener.tok()).await;
        let total = agenda.body["items"]
            .as_array()
            .ok_or("agenda items")?
            .iter()
            .map(|a| a["minutes"].as_i64().ok_or("minutes"))
            .sum::<Result<i64, _>>()?;
        assert_eq!(total, 60, "{what}");
    }
    app.done().await
}

#[actix_rt::test]
async fn mine_keeps_to_the_callers_role_places() -> TestResult {
    let (app, city, convener) = convened().await;
    let (here, elsewhere) = (city.community, city.far);
    let a = meeting(&app, &convener, here, 9, 60).await;
    let b = meeting(&app, &convener, elsewhere, 11, 60).await;
    let staff = app.user_with(Role::CommunityStaff, here).await;
    let sub = app
        .user_with(Role::SubdistrictStaff, city.subdistrict)
        .await;
    let nobody = app.user_with_grants(&[]).await;
    let both = BTreeSet::from([a, b]);
    // (caller, mine=true answer)
    #[rustfmt::skip]
    let cases: [(&str, &User, &[i64]); 4] = [
        ("community staff", &staff, &[a]),
        ("sub-district staff", &sub, &[a]),
        ("the city's CPPCC member", &convener, &[a, b]),
        ("nobody", &nobody, &[]),
    ];
    for (what, caller, want) in cases {
        let want: BTreeSet<i64> = want.iter().copied().collect();
        for (query, expected) in [("", &both), ("?mine=true", &want), ("?mine=false", &both)] {
            let r = app
                .get(&format!("/api/v1/consultations{query}"), caller.tok())
                .await;
            assert_eq!(r.status, StatusCode::OK, "{what}{query}: {:?}", r.body);
            assert_eq!(&id_set(&r.body), expected, "{what}{query}");
        }
    }
    app.done().await
}

/// The SQL text of every query `f` runs on one connection.
fn queries_of<T>(app: &TestApp, f: impl FnOnce(&mut yishi::db::DbConn) -> T) -> (T, Vec<String>) {
    use diesel::connection::{Connection, InstrumentationEvent};
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let out = app.with_db(|c| {
        c.set_instrumentation(move |e: InstrumentationEvent<'_>| {
            if let InstrumentationEvent::StartQuery { query, .. } = e {
                log.lock()
                    .unwrap()
                    .push(query.to_string().replace('`', "\""));
            }
        });
        let out = f(c);
        c.set_instrumentation(|_: InstrumentationEvent<'_>| {});
        out
    });
    let seen = seen.lock().unwrap().clone();
    (out, seen)
}

/// How many of `sql` contain `needle`.
fn count_of(sql: &[String], needle: &str) -> usize {
    sql.iter().filter(|q| q.contains(needle)).count()
}

#[actix_rt::test]
async fn the_list_and_the_clash_check_each_read_in_one_query() -> TestResult {
    use yishi::consultations::{actions, model};
    let (app, city, convener) = convened().await;
    let community = city.community;
    let settings = app
        .running
        .as_ref()
        .ok_or("running")?
        .state
        .settings
        .clone();
    let residents: Vec<i64> = (0..3)
        .map(|i| {
            app.user(
                &format!("r{i}@example.com"),
                Some(community),
                &[(Role::Resident, Some(community), None)],
            )
        })
        .collect();
    let mut meetings = Vec::new();
    for hour in [9, 11, 14] {
        let m = meeting(&app, &convener, community, hour, 60).await;
        for r in &residents {
            let inv = app
                .post(
                    &format!("/api/v1/consultations/{m}/invitations"),
                    convener.tok(),
                    json!({"user_id": r, "category": "resident_rep"}),
                )
                .await;
            assert_eq!(inv.status, StatusCode::CREATED, "{:?}", inv.body);
        }
        meetings.push(m);
    }

    let caller = app.with_db(|c| yishi::auth::caller::acting_as(c, convener.id))?;
    let filter: model::ConsultationFilter = serde_json::from_value(json!({}))?;
    let (list, sql) = queries_of(&app, |c| actions::list(c, &settings, &caller, &filter));
    assert_eq!(list?.items.len(), 3);
    assert_eq!(count_of(&sql, "FROM \"invitations\""), 1, "{sql:#?}");

    // Scheduling a meeting with three invitees checks clashes in one query of the others.
    let m = meetings[0];
    let version = app
        .get(&format!("/api/v1/consultations/{m}"), convener.tok())
        .await
        .body["version"]
        .as_i64()
        .ok_or("version")?;
    let req: model::ConsultationTransition =
        serde_json::from_value(json!({"action": "schedule", "expected_version": version}))?;
    let (done, sql) = queries_of(&app, |c| {
        actions::transition(c, &settings, &caller, m, &req)
    });
    done?;
    let overlap = count_of(&sql, "\"consultations\".\"ends_at\" >");
    assert_eq!(overlap, 1, "{sql:#?}");
    app.done().await
}
