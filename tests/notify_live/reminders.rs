//! Reminders fire once each, at their moment, as the manual clock moves: meetings 24 h and
//! 1 h before (again when moved), tasks due tomorrow and overdue (daily, from the local
//! reminder hour), evaluation windows closing.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use yishi::auth::Role;
use yishi::clock::Clock;
use yishi::db::schema::{consultations, tasks, topics};

use super::kit::{events, remind, start};
use crate::common::{TestApp, TestResult, id_of};

fn meeting(app: &TestApp, place: i64, convener: i64, starts: NaiveDateTime) -> i64 {
    let now = yishi::db::now();
    app.with_db(|c| {
        diesel::insert_into(consultations::table)
            .values((
                consultations::place_id.eq(place),
                consultations::title.eq("加装电梯协商会"),
                consultations::kind.eq("courtyard"),
                consultations::format.eq("in_person"),
                consultations::venue.eq(Some("3号楼前")),
                consultations::starts_at.eq(starts),
                consultations::ends_at.eq(starts + Duration::hours(2)),
                consultations::convener_id.eq(convener),
                consultations::status.eq("scheduled"),
                consultations::version.eq(1),
                consultations::ical_sequence.eq(0),
                consultations::created_at.eq(now),
                consultations::updated_at.eq(now),
            ))
            .returning(consultations::id)
            .get_result::<i64>(c)
            .expect("meeting")
    })
}

#[actix_rt::test]
async fn meeting_reminders_come_24_hours_and_1_hour_before_once_each() -> TestResult {
    let clock = Clock::manual(start());
    let app = TestApp::builder().clock(clock.clone()).demo().build().await;
    let c = app.demo_city().await.community;
    let convener = app.user_with(Role::CommunityStaff, c).await;
    let starts = start() + Duration::days(2);
    let m = meeting(&app, c, convener.id, starts);
    let at = |t: NaiveDateTime| {
        clock.set(t);
        remind(&app)
    };

    at(starts - Duration::minutes(1441)).await;
    assert!(events(&app, "meeting_reminder").is_empty());
    at(starts - Duration::hours(24)).await;
    let keys = events(&app, "meeting_reminder");
    assert_eq!(keys.len(), 1, "{keys:?}");
    assert!(keys[0].starts_with(&format!("meeting:{m}:reminder:1440:")));
    assert_eq!(app.inbox_kinds(&convener.token).await, ["meeting_reminder"]);
    let item = &app.inbox(&convener.token).await[0];
    assert_eq!(item["consultation_id"], m);

    // Later passes the same day add nothing.
    at(starts - Duration::hours(23)).await;
    at(starts - Duration::minutes(61)).await;
    assert_eq!(events(&app, "meeting_reminder").len(), 1);
    at(starts - Duration::hours(1)).await;
    let keys = events(&app, "meeting_reminder");
    assert_eq!(keys.len(), 2, "{keys:?}");
    assert!(keys[1].starts_with(&format!("meeting:{m}:reminder:60:")));
    at(starts - Duration::minutes(1)).await;
    at(starts).await;
    assert_eq!(events(&app, "meeting_reminder").len(), 2);
    assert_eq!(app.inbox(&convener.token).await.len(), 2);

    // Moved a day later: it reminds again for the new start.
    let moved = starts + Duration::days(1);
    app.with_db(|c| {
        diesel::update(consultations::table.find(m))
            .set((
                consultations::starts_at.eq(moved),
                consultations::ends_at.eq(moved + Duration::hours(2)),
            ))
            .execute(c)
            .expect("move")
    });
    at(moved - Duration::hours(24)).await;
    let keys = events(&app, "meeting_reminder");
    assert_eq!(keys.len(), 3, "{keys:?}");
    assert!(keys[2].contains(":1440:"));

    // A meeting scheduled 30 minutes ahead gets one reminder (1 h), not two.
    let soon = clock.now() + Duration::minutes(30);
    let short = meeting(&app, c, convener.id, soon);
    remind(&app).await;
    let keys = events(&app, "meeting_reminder");
    let short_keys: Vec<_> = keys
        .iter()
        .filter(|k| k.starts_with(&format!("meeting:{short}:")))
        .collect();
    assert_eq!(short_keys.len(), 1, "{keys:?}");
    assert!(short_keys[0].contains(":reminder:60:"));
    app.done().await
}

fn task(app: &TestApp, topic: i64, assignee: i64, due: NaiveDateTime, status: &str) -> i64 {
    let now = yishi::db::now();
    app.with_db(|c| {
        diesel::insert_into(tasks::table)
            .values((
                tasks::topic_id.eq(topic),
                tasks::title.eq("更换路灯"),
                tasks::assignee_id.eq(Some(assignee)),
                tasks::due_at.eq(due),
                tasks::status.eq(status),
                tasks::version.eq(1),
                tasks::created_at.eq(now),
                tasks::updated_at.eq(now),
            ))
            .returning(tasks::id)
            .get_result::<i64>(c)
            .expect("task")
    })
}

#[actix_rt::test]
async fn task_reminders_come_daily_from_the_local_reminder_hour() -> TestResult {
    // 08:00 in Shanghai; reminders at 09:00 local (01:00 UTC).
    let clock = Clock::manual(start());
    let app = TestApp::builder().clock(clock.clone()).demo().build().await;
    let c = app.demo_city().await.community;
    let author = app.user_with(Role::Resident, c).await;
    let staff = app.user_with(Role::CommunityStaff, c).await;
    let doer = app.user_with(Role::Resident, c).await;
    let topic = id_of(&app.raise_topic(&author.token, c, "路灯不亮").await);
    let day = Duration::days(1);
    // Due tomorrow at 10:00 local; overdue since yesterday; due next week; done though late.
    let tomorrow = task(
        &app,
        topic,
        doer.id,
        start() + day + Duration::hours(2),
        "todo",
    );
    let late = task(&app, topic, doer.id, start() - day, "in_progress");
    let _later = task(&app, topic, doer.id, start() + Duration::days(7), "todo");
    let _done = task(&app, topic, doer.id, start() - day, "done");
    app.fanned_out().await;
    let staff_before = app.inbox(&staff.token).await.len();

    remind(&app).await;
    assert!(events(&app, "task_due").is_empty(), "before the hour");
    assert!(events(&app, "task_overdue").is_empty());

    clock.set(start() + Duration::hours(1));
    remind(&app).await;
    assert_eq!(
        events(&app, "task_due"),
        [format!("task:{tomorrow}:due:2030-03-12")]
    );
    assert_eq!(
        events(&app, "task_overdue"),
        [format!("task:{late}:overdue:2030-03-11")]
    );
    let kinds = app.inbox_kinds(&doer.token).await;
    assert!(kinds.contains(&"task_due".to_string()), "{kinds:?}");
    assert!(kinds.contains(&"task_overdue".to_string()), "{kinds:?}");
    // 督办: staff hear of overdue work, not of work merely due.
    let staff_new: Vec<String> = app.inbox_kinds(&staff.token).await
        [..app.inbox(&staff.token).await.len() - staff_before]
        .to_vec();
    assert_eq!(staff_new, ["task_overdue"]);

    // The same day again: nothing new.
    clock.set(start() + Duration::hours(10));
    remind(&app).await;
    assert_eq!(events(&app, "task_due").len(), 1);
    assert_eq!(events(&app, "task_overdue").len(), 1);

    // The next local day before the hour: nothing; from the hour: overdue again.
    clock.set(start() + day);
    remind(&app).await;
    assert_eq!(events(&app, "task_overdue").len(), 1);
    clock.set(start() + day + Duration::hours(1));
    remind(&app).await;
    assert_eq!(
        events(&app, "task_overdue"),
        [
            format!("task:{late}:overdue:2030-03-11"),
            format!("task:{late}:overdue:2030-03-12")
        ]
    );
    // The task due at 10:00 that day is overdue the day after.
    clock.set(start() + Duration::days(2) + Duration::hours(1));
    remind(&app).await;
    let keys = events(&app, "task_overdue");
    assert_eq!(keys.len(), 4, "{keys:?}");
    assert!(keys.contains(&format!("task:{tomorrow}:overdue:2030-03-13")));
    assert_eq!(events(&app, "task_due").len(), 1);
    app.done().await
}

#[actix_rt::test]
async fn evaluation_closing_reminds_once_per_round() -> TestResult {
    let clock = Clock::manual(start());
    let app = TestApp::builder().clock(clock.clone()).demo().build().await;
    let c = app.demo_city().await.community;
    let author = app.user_with(Role::Resident, c).await;
    let staff = app.user_with(Role::CommunityStaff, c).await;
    let topic = id_of(&app.raise_topic(&author.token, c, "小区停车难").await);
    let closes = start() + Duration::hours(72);
    let open_round = |round: i32, closes: NaiveDateTime| {
        app.with_db(|c| {
            diesel::update(topics::table.find(topic))
                .set((
                    topics::stage.eq("evaluate"),
                    topics::eval_round.eq(round),
                    topics::eval_closes_at.eq(Some(closes)),
                ))
                .execute(c)
                .expect("evaluate")
        })
    };
    open_round(1, closes);
    remind(&app).await;
    assert!(events(&app, "evaluation_closing").is_empty());
    clock.set(closes - Duration::hours(48));
    remind(&app).await;
    assert_eq!(
        events(&app, "evaluation_closing"),
        [format!("topic:{topic}:closing:1")]
    );
    clock.set(closes - Duration::hours(1));
    remind(&app).await;
    assert_eq!(events(&app, "evaluation_closing").len(), 1);
    // Staff must act; the author follows the topic.
    assert_eq!(
        app.inbox_kinds(&author.token)
            .await
            .first()
            .map(String::as_str),
        Some("evaluation_closing")
    );
    assert!(
        app.inbox_kinds(&staff.token)
            .await
            .contains(&"evaluation_closing".to_string())
    );

    // A reworked topic's second round reminds again; a closed window does not.
    clock.set(closes + Duration::hours(1));
    remind(&app).await;
    assert_eq!(events(&app, "evaluation_closing").len(), 1);
    open_round(2, clock.now() + Duration::hours(24));
    remind(&app).await;
    assert_eq!(
        events(&app, "evaluation_closing"),
        [
            format!("topic:{topic}:closing:1"),
            format!("topic:{topic}:closing:2")
        ]
    );
    app.done().await
}
