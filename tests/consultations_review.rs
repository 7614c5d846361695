#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The consultation fixes of the review (issue 7), each proven over HTTP (or on the action
//! layer, for query counts) on SQLite and, with TEST_DATABASE_URL, PostgreSQL: a disabled
//! user's calendar feed stops, invitations are unique per invitee, concurrent agenda
//! additions cannot overrun the meeting, `mine=true` keeps to the caller's role places, and
//! the list and the clash check read in one query.

mod common;

use std::sync::{Arc, Mutex};

use awc::http::StatusCode;
use chrono::{Datelike, Duration, TimeZone, Utc, Weekday};
use common::TestApp;
use serde_json::{Value, json};
use yishi::auth::Role;

/// Next Monday (at least two days ahead) at `hour:minute` Shanghai time, in UTC.
fn monday_at(hour: u32, minute: u32) -> chrono::DateTime<Utc> {
    let tz = chrono_tz::Asia::Shanghai;
    let mut day = (Utc::now() + Duration::days(2))
        .with_timezone(&tz)
        .date_naive();
    while day.weekday() != Weekday::Mon {
        day = day.succ_opt().unwrap();
    }
    tz.from_local_datetime(&day.and_hms_opt(hour, minute, 0).unwrap())
        .single()
        .unwrap()
        .with_timezone(&Utc)
}

/// A CPPCC member of the whole demo city, who may convene anywhere in it.
async fn convener(app: &TestApp) -> (String, i64) {
    app.seed_demo();
    let city = app.place("demo-330200");
    let id = app.user(
        "cppcc@example.com",
        None,
        &[(Role::CppccMember, Some(city), None)],
    );
    (app.login("cppcc@example.com").await, id)
}

/// A draft meeting of `minutes` at `place`, starting Monday at `hour`; returns its id.
async fn meeting(app: &TestApp, token: &str, place: i64, hour: u32, minutes: i64) -> i64 {
    let starts = monday_at(hour, 0);
    let r = app
        .post(
            "/api/v1/consultations",
            Some(token),
            json!({
                "place_id": place, "title": format!("协商 {place} {hour}"),
                "kind": "micro_consultation", "format": "in_person", "venue": "议事厅",
                "starts_at": starts, "ends_at": starts + Duration::minutes(minutes),
            }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    r.body["id"].as_i64().unwrap()
}

fn ids(body: &Value) -> Vec<i64> {
    let mut v: Vec<i64> = body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_i64().unwrap())
        .collect();
    v.sort_unstable();
    v
}

#[actix_rt::test]
async fn a_disabled_users_calendar_feed_stops() {
    let app = TestApp::spawn().await;
    let (token, user) = convener(&app).await;
    let feed = app
        .post("/api/v1/me/calendar-feed", Some(&token), json!({}))
        .await;
    assert_eq!(feed.status, StatusCode::CREATED, "{:?}", feed.body);
    let url = feed.body["url"].as_str().unwrap().to_string();
    let path = &url[url.find("/api/v1/").unwrap()..];
    assert_eq!(app.get(path, None).await.status, StatusCode::OK);

    app.with_db(|c| {
        use diesel::prelude::*;
        use yishi::db::schema::users;
        diesel::update(users::table.find(user))
            .set(users::disabled.eq(true))
            .execute(c)
            .unwrap();
    });
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
}

#[actix_rt::test]
async fn invitations_are_unique_per_meeting_and_invitee() {
    let app = TestApp::spawn().await;
    let (token, _) = convener(&app).await;
    let community = app.place("demo-330200-0-0-0");
    let resident = app.user(
        "r1@example.com",
        Some(community),
        &[(Role::Resident, Some(community), None)],
    );
    let firm = app
        .get("/api/v1/organizations?kind=property_firm", None)
        .await
        .body["items"][0]["id"]
        .as_i64()
        .unwrap();
    let m = meeting(&app, &token, community, 9, 60).await;
    let path = format!("/api/v1/consultations/{m}/invitations");
    let by_user = json!({"user_id": resident, "category": "resident_rep"});
    let by_org = json!({"organization_id": firm, "category": "property_firm"});
    for body in [&by_user, &by_org] {
        let first = app.post(&path, Some(&token), body.clone()).await;
        assert_eq!(first.status, StatusCode::CREATED, "{:?}", first.body);
        let again = app.post(&path, Some(&token), body.clone()).await;
        assert_eq!(again.status, StatusCode::CONFLICT, "{:?}", again.body);
        assert_eq!(again.code(), "invitation.duplicate");
    }
    // Several invitations of the same user at once: exactly one is made.
    let other = app.user("r2@example.com", Some(community), &[]);
    let body = json!({"user_id": other, "category": "resident_rep"});
    let answers =
        futures_util::future::join_all((0..4).map(|_| app.post(&path, Some(&token), body.clone())))
            .await;
    let made = answers
        .iter()
        .filter(|r| r.status == StatusCode::CREATED)
        .count();
    assert_eq!(made, 1, "{answers:?}");
    for r in answers.iter().filter(|r| r.status != StatusCode::CREATED) {
        assert_eq!(r.status, StatusCode::CONFLICT, "{:?}", r.body);
        assert_eq!(r.code(), "invitation.duplicate");
    }
    assert_eq!(app.count("invitations"), 3);
    // The database itself refuses a second row for the same invitee (unique indexes).
    use yishi::consultations::queries as q;
    use yishi::consultations::rules::Category;
    app.with_db(|c| {
        assert!(q::invite(c, m, Some(resident), None, Category::Expert).is_err());
        assert!(q::invite(c, m, None, Some(firm), Category::Department).is_err());
    });
    assert_eq!(app.count("invitations"), 3);
}

#[actix_rt::test]
async fn concurrent_agenda_items_never_overrun_the_meeting() {
    let app = TestApp::spawn().await;
    let (token, _) = convener(&app).await;
    let community = app.place("demo-330200-0-0-0");
    // Three rounds, so that a race without the lock shows up.
    for hour in [9, 11, 14] {
        let m = meeting(&app, &token, community, hour, 60).await;
        let path = format!("/api/v1/consultations/{m}/agenda-items");
        // Six items of 20 minutes race for a one-hour meeting: three fit.
        let answers = futures_util::future::join_all((0..6).map(|i| {
            app.post(
                &path,
                Some(&token),
                json!({"title": format!("议程 {i}"), "minutes": 20}),
            )
        }))
        .await;
        let made = answers
            .iter()
            .filter(|r| r.status == StatusCode::CREATED)
            .count();
        assert_eq!(made, 3, "{answers:?}");
        for r in answers.iter().filter(|r| r.status != StatusCode::CREATED) {
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
            assert_eq!(r.code(), "consultation.agenda_overrun");
        }
        let agenda = app.get(&path, Some(&token)).await;
        let total: i64 = agenda.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["minutes"].as_i64().unwrap())
            .sum();
        assert_eq!(total, 60);
    }
}

#[actix_rt::test]
async fn mine_keeps_to_the_callers_role_places() {
    let app = TestApp::spawn().await;
    let (token, _) = convener(&app).await;
    let here = app.place("demo-330200-0-0-0");
    let subdistrict = app.place("demo-330200-0-0");
    let elsewhere = app.place("demo-330200-1-0-0");
    let a = meeting(&app, &token, here, 9, 60).await;
    let b = meeting(&app, &token, elsewhere, 11, 60).await;
    let staff = app
        .user_token(
            "staff@example.com",
            Some(here),
            &[(Role::CommunityStaff, Some(here), None)],
        )
        .await;
    let sub = app
        .user_token(
            "sub@example.com",
            None,
            &[(Role::SubdistrictStaff, Some(subdistrict), None)],
        )
        .await;
    let nobody = app.user_token("nobody@example.com", None, &[]).await;
    // (caller, mine=true answer)
    let cases = [
        (&staff, vec![a]),
        (&sub, vec![a]),
        (&token, vec![a, b]),
        (&nobody, vec![]),
    ];
    for (caller, want) in cases {
        let all = app.get("/api/v1/consultations", Some(caller)).await;
        assert_eq!(ids(&all.body), vec![a, b]);
        let mine = app
            .get("/api/v1/consultations?mine=true", Some(caller))
            .await;
        assert_eq!(mine.status, StatusCode::OK, "{:?}", mine.body);
        assert_eq!(ids(&mine.body), want);
        let not_mine = app
            .get("/api/v1/consultations?mine=false", Some(caller))
            .await;
        assert_eq!(ids(&not_mine.body), vec![a, b]);
    }
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

#[actix_rt::test]
async fn the_list_and_the_clash_check_each_read_in_one_query() {
    let app = TestApp::spawn().await;
    let (token, cppcc) = convener(&app).await;
    let community = app.place("demo-330200-0-0-0");
    let settings = app.running.as_ref().unwrap().state.settings.clone();
    let mut residents = Vec::new();
    for i in 0..3 {
        residents.push(app.user(
            &format!("r{i}@example.com"),
            Some(community),
            &[(Role::Resident, Some(community), None)],
        ));
    }
    let mut meetings = Vec::new();
    for hour in [9, 11, 14] {
        let m = meeting(&app, &token, community, hour, 60).await;
        for r in &residents {
            let inv = app
                .post(
                    &format!("/api/v1/consultations/{m}/invitations"),
                    Some(&token),
                    json!({"user_id": r, "category": "resident_rep"}),
                )
                .await;
            assert_eq!(inv.status, StatusCode::CREATED, "{:?}", inv.body);
        }
        meetings.push(m);
    }
    let reads_invitations = |sql: &Vec<String>| {
        sql.iter()
            .filter(|q| q.contains("FROM \"invitations\""))
            .count()
    };

    let caller = app.with_db(|c| yishi::auth::caller::acting_as(c, cppcc).unwrap());
    let filter: yishi::consultations::model::ConsultationFilter =
        serde_json::from_value(json!({})).unwrap();
    let (list, sql) = queries_of(&app, |c| {
        yishi::consultations::actions::list(c, &settings, &caller, &filter).unwrap()
    });
    assert_eq!(list.items.len(), 3);
    assert_eq!(reads_invitations(&sql), 1, "{sql:#?}");

    // Scheduling a meeting with three invitees checks clashes in one query of the others.
    let m = meetings[0];
    let version = app
        .get(&format!("/api/v1/consultations/{m}"), Some(&token))
        .await
        .body["version"]
        .as_i64()
        .unwrap();
    let req: yishi::consultations::model::ConsultationTransition =
        serde_json::from_value(json!({"action": "schedule", "expected_version": version})).unwrap();
    let (_, sql) = queries_of(&app, |c| {
        yishi::consultations::actions::transition(c, &settings, &caller, m, &req).unwrap()
    });
    let overlap = sql
        .iter()
        .filter(|q| q.contains("\"consultations\".\"ends_at\" >"))
        .count();
    assert_eq!(overlap, 1, "{sql:#?}");
}
