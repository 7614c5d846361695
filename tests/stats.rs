#![allow(clippy::unwrap_used, clippy::expect_used)]
//! GET /api/v1/stats against a fixed data set whose numbers are worked out by hand below.
//!
//! The data are written straight into the database (topics, their timeline transitions and
//! the step stays those end, ratings, tasks, supports, comments, meetings, attendance) because
//! every figure depends on exact timestamps. T0 = 2026-01-10 00:00 UTC; "+n" below means n days after T0.
//!
//! Places (demo city): sub-district S = 南门街道 with communities A (幸福社区, one topic at
//! its grid), B (和义社区) and C (the third, no data); F = a community of the other district.
//!
//! Topics (stage changes; every stay in brackets in days):
//! - A1 environment, +0: say→discuss +1 [say 1], →plan +3 [discuss 2], →act +4 [plan 1],
//!   →evaluate +10 [act 6], →closed resolved +12.5 [evaluate 2.5].
//! - A2 environment (at A's grid), +1: →discuss +3 [say 2], →plan +6 [discuss 3],
//!   →act +9 [plan 3], →evaluate +13 [act 4]; still in evaluate (no completed stay).
//! - A3 property, +2, raised by a1 on behalf of u13: →closed rejected +2.5 [say 0.5].
//! - A4 safety, +3: still in say.
//! - A5 property, +4: →discuss +8 [say 4]; an escalation discuss→discuss +9 is no stage
//!   change; still in discuss.
//! - A6 other, +5: →discuss +6 [say 1], →plan +7 [discuss 1], →act +8 [plan 1],
//!   →evaluate +9 [act 1], rework →act +11 [evaluate 2], →evaluate +14 [act 3],
//!   →closed resolved +15 [evaluate 1].
//! - A7 elderly_children, +40 (outside the period +0..+30).
//! - B1 environment, +2: →discuss +4 [say 2], →plan +7 [discuss 3], →act +7.25 [plan 0.25];
//!   in act.
//! - B2 traffic_parking, +20: →closed withdrawn +21 [say 1].
//! - F1 environment, +0, in say (other district).
//!
//! Percentiles are percentile_cont: sorted x_0..x_{n−1}, position p·(n−1), linear between
//! the neighbours.

mod common;

use chrono::{Duration, NaiveDate, NaiveDateTime};
use common::{StatusCode, TestApp, TestResult};
use diesel::prelude::*;
use serde_json::{Value, json};
use yishi::auth::Role;
use yishi::db::DbConn;
use yishi::db::schema::{
    comments, consultations, evaluations, invitations, supports, tasks, topic_events, topics,
};

fn t0() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 1, 10)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap()
}

/// T0 plus `d` days (fractions allowed).
fn at(d: f64) -> NaiveDateTime {
    t0() + Duration::seconds((d * 86_400.0).round() as i64)
}

/// A topic raised at +`created` with its stage changes `(from, to, +day)`; ends in the last
/// `to` stage (say without changes) with `resolution`.
struct NewTopic<'a> {
    place: i64,
    community: i64,
    author: i64,
    on_behalf_of: Option<i64>,
    category: &'a str,
    created: f64,
    steps: &'a [(&'a str, &'a str, f64)],
    resolution: Option<&'a str>,
}

type Steps = &'static [(&'static str, &'static str, f64)];

/// A topic at community `place` (its own community).
fn nt(
    place: i64,
    author: i64,
    category: &'static str,
    created: f64,
    steps: Steps,
    resolution: Option<&'static str>,
) -> NewTopic<'static> {
    NewTopic {
        place,
        community: place,
        author,
        on_behalf_of: None,
        category,
        created,
        steps,
        resolution,
    }
}

fn topic(c: &mut DbConn, t: NewTopic<'_>) -> i64 {
    let stage = t.steps.last().map_or("say", |s| s.1);
    let created = at(t.created);
    let id: i64 = diesel::insert_into(topics::table)
        .values((
            topics::place_id.eq(t.place),
            topics::community_id.eq(t.community),
            topics::title.eq("议题"),
            topics::body.eq("内容"),
            topics::category.eq(t.category),
            topics::source.eq("resident"),
            topics::author_id.eq(t.author),
            topics::on_behalf_of.eq(t.on_behalf_of),
            topics::stage.eq(stage),
            topics::resolution.eq(t.resolution),
            topics::escalated.eq(false),
            topics::major.eq(false),
            topics::supporters_count.eq(0),
            topics::version.eq(1),
            topics::eval_round.eq(0),
            topics::created_at.eq(created),
            topics::updated_at.eq(created),
        ))
        .returning(topics::id)
        .get_result(c)
        .unwrap();
    let mut events = vec![("created", None, "say", created)];
    for (from, to, day) in t.steps {
        events.push(("transition", Some(*from), *to, at(*day)));
    }
    for (seq, (kind, from, to, when)) in events.into_iter().enumerate() {
        // The stay this transition ends, stored as `topics::events::append` stores it.
        if let Some(from) = from {
            let stage = |s: &str| yishi::topics::rules::Stage::parse(s).unwrap();
            yishi::topics::events::record_stay(c, id, stage(from), stage(to), when).unwrap();
        }
        diesel::insert_into(topic_events::table)
            .values((
                topic_events::topic_id.eq(id),
                topic_events::seq.eq(seq as i32 + 1),
                topic_events::kind.eq(kind),
                topic_events::actor_id.eq(Some(t.author)),
                topic_events::from_stage.eq(from),
                topic_events::to_stage.eq(Some(to)),
                topic_events::payload.eq("{}"),
                topic_events::created_at.eq(when),
                topic_events::prev_hash.eq("x"),
                topic_events::hash.eq("x"),
            ))
            .execute(c)
            .unwrap();
    }
    id
}

/// Runs the backfill statement of the migration `2026-12-03-000075_step_stays` (the part of
/// its up.sql from the INSERT on): the stays of every timeline, from `topic_events`.
fn backfill_stays(c: &mut DbConn) {
    let up = match c {
        DbConn::Postgres(_) => {
            include_str!("../migrations/postgres/2026-12-03-000075_step_stays/up.sql")
        }
        DbConn::Sqlite(_) => {
            include_str!("../migrations/sqlite/2026-12-03-000075_step_stays/up.sql")
        }
    };
    let at = up.find("INSERT INTO topic_step_stays").unwrap();
    diesel::sql_query(&up[at..]).execute(c).unwrap();
}

fn rate(c: &mut DbConn, topic: i64, user: i64, round: i32, score: i32) {
    diesel::insert_into(evaluations::table)
        .values((
            evaluations::topic_id.eq(topic),
            evaluations::user_id.eq(user),
            evaluations::round.eq(round),
            evaluations::score.eq(score),
            evaluations::comment.eq(""),
            evaluations::created_at.eq(at(13.0)),
            evaluations::updated_at.eq(at(13.0)),
        ))
        .execute(c)
        .unwrap();
}

fn task(c: &mut DbConn, topic: i64, status: &str, due: NaiveDateTime) {
    diesel::insert_into(tasks::table)
        .values((
            tasks::topic_id.eq(topic),
            tasks::title.eq("任务"),
            tasks::due_at.eq(due),
            tasks::status.eq(status),
            tasks::version.eq(1),
            tasks::created_at.eq(at(5.0)),
            tasks::updated_at.eq(at(5.0)),
        ))
        .execute(c)
        .unwrap();
}

/// A meeting at `place` starting at +`day` with invited `people` (user, attended).
fn meeting(
    c: &mut DbConn,
    place: i64,
    convener: i64,
    kind: &str,
    status: &str,
    day: f64,
    people: &[(i64, bool)],
) {
    let id: i64 = diesel::insert_into(consultations::table)
        .values((
            consultations::place_id.eq(place),
            consultations::title.eq("协商会"),
            consultations::kind.eq(kind),
            consultations::format.eq("in_person"),
            consultations::venue.eq(Some("议事厅")),
            consultations::starts_at.eq(at(day)),
            consultations::ends_at.eq(at(day + 0.1)),
            consultations::convener_id.eq(convener),
            consultations::status.eq(status),
            consultations::version.eq(1),
            consultations::ical_sequence.eq(0),
            consultations::created_at.eq(at(day - 3.0)),
            consultations::updated_at.eq(at(day)),
        ))
        .returning(consultations::id)
        .get_result(c)
        .unwrap();
    for (user, came) in people {
        diesel::insert_into(invitations::table)
            .values((
                invitations::consultation_id.eq(id),
                invitations::user_id.eq(Some(*user)),
                invitations::category.eq("resident_rep"),
                invitations::response.eq("accepted"),
                invitations::attended.eq(*came),
                invitations::created_at.eq(at(day - 2.0)),
            ))
            .execute(c)
            .unwrap();
    }
}

struct Places {
    s: i64,
    a: i64,
    b: i64,
    c: i64,
    f: i64,
}

/// Writes the data set of the module comment.
async fn fixture(app: &TestApp) -> Places {
    let city = app.demo_city().await;
    let third = app.place("demo-330200-0-0-2");
    let (a, b, f, grid) = (city.community, city.sibling, city.far, city.grid);
    app.with_db(|c| {
        let mut u = |name: &str| {
            yishi::accounts::queries::insert_user(
                c,
                &format!("{name}@stats.example"),
                "x",
                name,
                None,
                true,
            )
            .unwrap()
        };
        let [a1, a2, a3, b1, f1] = ["a1", "a2", "a3", "b1", "f1"].map(&mut u);
        let users: Vec<i64> = (1..=14).map(|i| u(&format!("u{i}"))).collect();
        let uid = |i: usize| users[i - 1];
        let t_a1 = topic(
            c,
            nt(
                a,
                a1,
                "environment",
                0.0,
                &[
                    ("say", "discuss", 1.0),
                    ("discuss", "plan", 3.0),
                    ("plan", "act", 4.0),
                    ("act", "evaluate", 10.0),
                    ("evaluate", "closed", 12.5),
                ],
                Some("resolved"),
            ),
        );
        let t_a2 = topic(
            c,
            NewTopic {
                place: grid,
                ..nt(
                    a,
                    a1,
                    "environment",
                    1.0,
                    &[
                        ("say", "discuss", 3.0),
                        ("discuss", "plan", 6.0),
                        ("plan", "act", 9.0),
                        ("act", "evaluate", 13.0),
                    ],
                    None,
                )
            },
        );
        topic(
            c,
            NewTopic {
                on_behalf_of: Some(uid(13)),
                ..nt(
                    a,
                    a1,
                    "property",
                    2.0,
                    &[("say", "closed", 2.5)],
                    Some("rejected"),
                )
            },
        );
        topic(c, nt(a, a2, "safety", 3.0, &[], None));
        let t_a5 = topic(
            c,
            nt(
                a,
                a2,
                "property",
                4.0,
                &[("say", "discuss", 8.0), ("discuss", "discuss", 9.0)],
                None,
            ),
        );
        let t_a6 = topic(
            c,
            nt(
                a,
                a2,
                "other",
                5.0,
                &[
                    ("say", "discuss", 6.0),
                    ("discuss", "plan", 7.0),
                    ("plan", "act", 8.0),
                    ("act", "evaluate", 9.0),
                    ("evaluate", "act", 11.0),
                    ("act", "evaluate", 14.0),
                    ("evaluate", "closed", 15.0),
                ],
                Some("resolved"),
            ),
        );
        let t_a7 = topic(c, nt(a, a3, "elderly_children", 40.0, &[], None));
        let t_b1 = topic(
            c,
            nt(
                b,
                b1,
                "environment",
                2.0,
                &[
                    ("say", "discuss", 4.0),
                    ("discuss", "plan", 7.0),
                    ("plan", "act", 7.25),
                ],
                None,
            ),
        );
        topic(
            c,
            nt(
                b,
                b1,
                "traffic_parking",
                20.0,
                &[("say", "closed", 21.0)],
                Some("withdrawn"),
            ),
        );
        topic(c, nt(f, f1, "environment", 0.0, &[], None));
        // Ratings: A1 round 1: 5, 4, 4; A6 round 1: 2, round 2: 5 and 3.
        rate(c, t_a1, uid(1), 1, 5);
        rate(c, t_a1, uid(2), 1, 4);
        rate(c, t_a1, uid(3), 1, 4);
        rate(c, t_a6, uid(4), 1, 2);
        rate(c, t_a6, uid(4), 2, 5);
        rate(c, t_a6, uid(5), 2, 3);
        // Tasks: A1 done (due long ago); A2 todo due +5 (overdue), in progress due 2099
        // (not yet), done due +5 (done); B1 blocked due +8 (overdue).
        let far_future = NaiveDate::from_ymd_opt(2099, 1, 1)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap();
        task(c, t_a1, "done", at(3.0));
        task(c, t_a2, "todo", at(5.0));
        task(c, t_a2, "in_progress", far_future);
        task(c, t_a2, "done", at(5.0));
        task(c, t_b1, "blocked", at(8.0));
        // Supports and comments.
        for (t, user) in [(t_a1, uid(2)), (t_a1, uid(9)), (t_a7, uid(12))] {
            diesel::insert_into(supports::table)
                .values((
                    supports::topic_id.eq(t),
                    supports::user_id.eq(user),
                    supports::created_at.eq(at(41.0)),
                ))
                .execute(c)
                .unwrap();
        }
        for (t, user) in [(t_a5, uid(10)), (t_b1, uid(11)), (t_b1, b1)] {
            diesel::insert_into(comments::table)
                .values((
                    comments::topic_id.eq(t),
                    comments::author_id.eq(user),
                    comments::body.eq("意见"),
                    comments::stance.eq("neutral"),
                    comments::hidden.eq(false),
                    comments::created_at.eq(at(9.0)),
                ))
                .execute(c)
                .unwrap();
        }
        // Meetings: A micro +5 (u6 attended, u8 did not), A hearing +6 (u1), A courtyard
        // cancelled +7, B courtyard +8 (u14), S micro at the sub-district itself +9 (u7),
        // A courtyard +50 (u12, outside the period).
        meeting(
            c,
            a,
            a1,
            "micro_consultation",
            "concluded",
            5.0,
            &[(uid(6), true), (uid(8), false)],
        );
        meeting(c, a, a1, "hearing", "concluded", 6.0, &[(uid(1), true)]);
        meeting(c, a, a1, "courtyard", "cancelled", 7.0, &[]);
        meeting(c, b, b1, "courtyard", "concluded", 8.0, &[(uid(14), true)]);
        meeting(
            c,
            city.subdistrict,
            a1,
            "micro_consultation",
            "concluded",
            9.0,
            &[(uid(7), true)],
        );
        meeting(c, a, a1, "courtyard", "concluded", 50.0, &[(uid(12), true)]);
    });
    Places {
        s: city.subdistrict,
        a,
        b,
        c: third,
        f,
    }
}

/// The period +0..+30 as RFC 3339 instants.
const PERIOD: &str = "from=2026-01-10T00:00:00Z&to=2026-02-09T00:00:00Z";

async fn stats(app: &TestApp, query: &str) -> Value {
    let r = app.get(&format!("/api/v1/stats?{query}"), None).await;
    assert_eq!(r.status, StatusCode::OK, "{query}: {:?}", r.body);
    r.body
}

fn step(median: Option<f64>, p90: Option<f64>, count: i64) -> Value {
    json!({"median": median, "p90": p90, "count": count})
}

/// The numbers of community A in the period, worked out by hand.
fn assert_community_a(a: &Value) {
    // A1..A6: stages evaluate (A2), say (A4), discuss (A5), closed (A1, A3, A6).
    assert_eq!(a["topics"]["total"], 6);
    assert_eq!(
        a["topics"]["by_stage"],
        json!({"say": 1, "discuss": 1, "plan": 0, "act": 0, "evaluate": 1, "closed": 3})
    );
    assert_eq!(a["topics"]["by_category"]["environment"], 2);
    assert_eq!(a["topics"]["by_category"]["property"], 2);
    assert_eq!(
        a["topics"]["by_resolution"],
        json!({"resolved": 2, "rejected": 1, "merged": 0, "withdrawn": 0})
    );
    let d = &a["days_in_step"];
    // say: 0.5, 1, 1, 2, 4 (n = 5, odd): median x_2 = 1; p90 at 3.6: 2 + 0.6·(4−2) = 3.2.
    assert_eq!(d["say"], step(Some(1.0), Some(3.2), 5));
    // discuss: 1, 2, 3 (the escalation of A5 is no stay): median 2; p90 at 1.8: 2 + 0.8 = 2.8.
    assert_eq!(d["discuss"], step(Some(2.0), Some(2.8), 3));
    // plan: 1, 1, 3: median 1; p90 at 1.8: 1 + 0.8·2 = 2.6.
    assert_eq!(d["plan"], step(Some(1.0), Some(2.6), 3));
    // act: 1, 3, 4, 6 (n = 4, even; A6 twice): median at 1.5: 3 + 0.5·1 = 3.5;
    // p90 at 2.7: 4 + 0.7·2 = 5.4.
    assert_eq!(d["act"], step(Some(3.5), Some(5.4), 4));
    // evaluate: 1, 2, 2.5 (A2 still there): median 2; p90 at 1.8: 2 + 0.8·0.5 = 2.4.
    assert_eq!(d["evaluate"], step(Some(2.0), Some(2.4), 3));
    // Ratings 5, 4, 4, 2, 5, 3: sum 23 / 6 = 3.833… → 3.83.
    assert_eq!(
        a["satisfaction"],
        json!({"count": 6, "mean": 3.83, "distribution": [0, 1, 1, 2, 2]})
    );
    assert_eq!(a["tasks"], json!({"total": 4, "overdue": 1}));
    // Micro-consultation and hearing; the cancelled courtyard meeting was not held.
    assert_eq!(a["meetings"]["held"], 2);
    assert_eq!(a["meetings"]["by_kind"]["micro_consultation"], 1);
    assert_eq!(a["meetings"]["by_kind"]["hearing"], 1);
    assert_eq!(a["meetings"]["by_kind"]["courtyard"], 0);
    // a1, a2 (authors), u13 (on whose behalf), u1–u5 (raters), u9 (u2 supports too),
    // u10 (comment), u6 (attended; u1 too; u8 absent) = 11.
    assert_eq!(a["participants"], 11);
}

#[actix_rt::test]
async fn stats_equal_the_hand_computed_figures() -> TestResult {
    let app = TestApp::builder().demo().build().await;
    let p = fixture(&app).await;

    // Community A alone (its grid's topic A2 included).
    let a = stats(&app, &format!("place_id={}&{PERIOD}", p.a)).await;
    assert_eq!(a["place_id"], p.a);
    assert_eq!(a["from"], "2026-01-10T00:00:00Z");
    assert_eq!(a["to"], "2026-02-09T00:00:00Z");
    assert_eq!(a["children"], json!([]));
    assert_community_a(&a);

    // The sub-district S with one object per community.
    let s = stats(&app, &format!("place_id={}&{PERIOD}&group_by=child", p.s)).await;
    // S = A1..A6 + B1, B2 = 8 topics.
    assert_eq!(s["topics"]["total"], 8);
    assert_eq!(
        s["topics"]["by_stage"],
        json!({"say": 1, "discuss": 1, "plan": 0, "act": 1, "evaluate": 1, "closed": 4})
    );
    assert_eq!(
        s["topics"]["by_category"],
        json!({"environment": 3, "property": 2, "safety": 1, "facilities": 0,
               "traffic_parking": 1, "elderly_children": 0, "neighbourhood_disputes": 0,
               "other": 1})
    );
    assert_eq!(
        s["topics"]["by_resolution"],
        json!({"resolved": 2, "rejected": 1, "merged": 0, "withdrawn": 1})
    );
    let d = &s["days_in_step"];
    // say: A's 0.5, 1, 1, 2, 4 and B's 2, 1 → 0.5, 1, 1, 1, 2, 2, 4 (n = 7): median x_3 = 1;
    // p90 at 5.4: 2 + 0.4·(4−2) = 2.8.
    assert_eq!(d["say"], step(Some(1.0), Some(2.8), 7));
    // discuss: 1, 2, 3, 3 (B1's 3): median at 1.5: 2.5; p90 at 2.7: 3 + 0.7·0 = 3.
    assert_eq!(d["discuss"], step(Some(2.5), Some(3.0), 4));
    // plan: 0.25 (B1), 1, 1, 3: median at 1.5: 1; p90 at 2.7: 1 + 0.7·2 = 2.4.
    assert_eq!(d["plan"], step(Some(1.0), Some(2.4), 4));
    // act and evaluate: B1 has not left act, so A's figures.
    assert_eq!(d["act"], step(Some(3.5), Some(5.4), 4));
    assert_eq!(d["evaluate"], step(Some(2.0), Some(2.4), 3));
    assert_eq!(s["satisfaction"]["count"], 6);
    // A's 4 tasks (1 overdue) and B1's blocked overdue task.
    assert_eq!(s["tasks"], json!({"total": 5, "overdue": 2}));
    // A: micro + hearing; B: courtyard; S itself: micro.
    assert_eq!(s["meetings"]["held"], 4);
    assert_eq!(
        s["meetings"]["by_kind"],
        json!({"micro_consultation": 2, "courtyard": 1, "opinion_solicitation": 0,
               "hearing": 1, "counterpart": 0, "sector": 0, "briefing": 0,
               "research_visit": 0})
    );
    // A's 11, B's b1, u11, u14, and u7 at S's own meeting = 15.
    assert_eq!(s["participants"], 15);

    let children = s["children"].as_array().unwrap();
    assert_eq!(children.len(), 3, "every community of S, with data or not");
    let child = |id: i64| {
        children
            .iter()
            .find(|c| c["place_id"] == id)
            .unwrap_or_else(|| panic!("child {id} in {children:?}"))
    };
    assert_community_a(child(p.a));
    assert_eq!(child(p.a)["children"], json!([]));
    assert_eq!(child(p.a)["from"], "2026-01-10T00:00:00Z");
    let b = child(p.b);
    assert_eq!(b["topics"]["total"], 2);
    // B say: 1, 2 → median 1.5; p90 at 0.9: 1 + 0.9·1 = 1.9. discuss 3; plan 0.25; no act.
    assert_eq!(b["days_in_step"]["say"], step(Some(1.5), Some(1.9), 2));
    assert_eq!(b["days_in_step"]["discuss"], step(Some(3.0), Some(3.0), 1));
    assert_eq!(b["days_in_step"]["plan"], step(Some(0.25), Some(0.25), 1));
    assert_eq!(b["days_in_step"]["act"], step(None, None, 0));
    assert_eq!(
        b["satisfaction"],
        json!({"count": 0, "mean": null, "distribution": [0, 0, 0, 0, 0]})
    );
    assert_eq!(b["tasks"], json!({"total": 1, "overdue": 1}));
    assert_eq!(b["meetings"]["held"], 1);
    assert_eq!(b["participants"], 3);
    // C has nothing: zeros, not absent.
    let c = child(p.c);
    assert_eq!(c["topics"]["total"], 0);
    assert_eq!(c["participants"], 0);
    assert_eq!(c["days_in_step"]["say"], step(None, None, 0));

    // Without group_by there are no children.
    let plain = stats(&app, &format!("place_id={}&{PERIOD}", p.s)).await;
    assert_eq!(plain["children"], json!([]));
    assert_eq!(plain["topics"], s["topics"]);

    app.done().await
}

/// The migration's backfill gives, row for row, the stays written as the transitions happen.
#[actix_rt::test]
async fn migration_backfill_equals_the_stays_written_live() -> TestResult {
    let app = TestApp::builder().demo().build().await;
    let p = fixture(&app).await;
    let before = stats(&app, &format!("place_id={}&{PERIOD}&group_by=child", p.s)).await;
    type Stay = (i64, String, NaiveDateTime, NaiveDateTime, i64);
    let read = |c: &mut DbConn| -> Vec<Stay> {
        use yishi::db::schema::topic_step_stays as st;
        st::table
            .select((
                st::topic_id,
                st::step,
                st::entered_at,
                st::left_at,
                st::seconds,
            ))
            .order((st::topic_id, st::left_at))
            .load(c)
            .unwrap()
    };
    let (live, rebuilt) = app.with_db(|c| {
        let live = read(c);
        diesel::delete(yishi::db::schema::topic_step_stays::table)
            .execute(c)
            .unwrap();
        backfill_stays(c);
        (live, read(c))
    });
    // A1 5, A2 4, A3 1, A5 1 (the escalation is none), A6 7, B1 3, B2 1: 22 stays.
    assert_eq!(live.len(), 22, "{live:?}");
    assert_eq!(rebuilt, live);
    // A1's say stay: +0 to +1, one day.
    assert!(
        live.contains(&(live[0].0, "say".into(), at(0.0), at(1.0), 86_400)),
        "{live:?}"
    );
    let after = stats(&app, &format!("place_id={}&{PERIOD}&group_by=child", p.s)).await;
    assert_eq!(after, before);
    app.done().await
}

#[actix_rt::test]
async fn place_and_period_filters() -> TestResult {
    let app = TestApp::builder().demo().build().await;
    let p = fixture(&app).await;

    // The whole installation adds F1 (in say, no completed stay).
    let all = stats(&app, PERIOD).await;
    assert_eq!(all["place_id"], Value::Null);
    assert_eq!(all["topics"]["total"], 9);
    assert_eq!(all["topics"]["by_stage"]["say"], 2);
    assert_eq!(all["days_in_step"]["say"]["count"], 7);
    // f1 raised F1: 15 + 1.
    assert_eq!(all["participants"], 16);
    // The other community alone.
    let f = stats(&app, &format!("place_id={}&{PERIOD}", p.f)).await;
    assert_eq!(f["topics"]["total"], 1);
    assert_eq!(f["meetings"]["held"], 0);

    // No period: A7 (+40) and the courtyard meeting of +50 come in.
    let a = stats(&app, &format!("place_id={}", p.a)).await;
    assert_eq!(a["from"], Value::Null);
    assert_eq!(a["to"], Value::Null);
    assert_eq!(a["topics"]["total"], 7);
    assert_eq!(a["topics"]["by_category"]["elderly_children"], 1);
    assert_eq!(a["meetings"]["held"], 3);
    // + a3 (A7's author), u12 (supported A7 and attended at +50) = 13.
    assert_eq!(a["participants"], 13);

    // The same period as dates: days in Asia/Shanghai, `to` included; 2026-01-10 starts at
    // 2026-01-09T16:00Z and 2026-02-08 ends at 2026-02-08T16:00Z (+29.67: B2 at +20 is in).
    let dated = stats(
        &app,
        &format!("place_id={}&from=2026-01-10&to=2026-02-08", p.s),
    )
    .await;
    assert_eq!(dated["from"], "2026-01-09T16:00:00Z");
    assert_eq!(dated["to"], "2026-02-08T16:00:00Z");
    assert_eq!(dated["topics"]["total"], 8);
    // A period that ends before B2 (+20) and starts after A1 (+0): A2..A6, B1 = 6.
    let narrow = stats(
        &app,
        &format!(
            "place_id={}&from=2026-01-10T12:00:00Z&to=2026-01-30T00:00:00Z",
            p.s
        ),
    )
    .await;
    assert_eq!(narrow["topics"]["total"], 6);
    assert_eq!(narrow["topics"]["by_resolution"]["withdrawn"], 0);
    // An empty period counts nothing.
    let empty = stats(&app, "from=2026-01-10T00:00:00Z&to=2026-01-10T00:00:00Z").await;
    assert_eq!(empty["topics"]["total"], 0);

    // The installation by child: the demo city is the one root.
    let roots = stats(&app, &format!("{PERIOD}&group_by=child")).await;
    let kids = roots["children"].as_array().unwrap();
    assert_eq!(kids.len(), 1);
    assert_eq!(kids[0]["topics"]["total"], 9);
    assert_eq!(kids[0]["children"], json!([]));
    app.done().await
}

#[actix_rt::test]
async fn bad_queries_name_the_field() -> TestResult {
    let app = TestApp::builder().demo().build().await;
    let cases: &[(&str, u16, &str, &str)] = &[
        ("place_id=999999", 404, "place.not_found", ""),
        (
            "from=2026-03-01&to=2026-02-01",
            422,
            "stats.invalid_period",
            "to",
        ),
        ("group_by=parent", 400, "request.invalid_query", "group_by"),
        ("from=yesterday", 400, "request.invalid_query", "from"),
        // Shaped as the schema's pattern allows, but no such day: the rule refuses it.
        ("to=2026-02-30", 422, "validation.invalid", "to"),
        ("place_id=abc", 400, "request.invalid_query", "place_id"),
    ];
    for (query, status, code, field) in cases {
        let r = app.get(&format!("/api/v1/stats?{query}"), None).await;
        assert_eq!(r.status.as_u16(), *status, "{query}: {:?}", r.body);
        assert_eq!(r.code(), *code, "{query}: {:?}", r.body);
        if !field.is_empty() {
            assert_eq!(r.body["field"], *field, "{query}: {:?}", r.body);
        }
    }
    app.done().await
}

#[actix_rt::test]
async fn conditional_get_and_a_change_moves_the_etag() -> TestResult {
    let app = TestApp::builder().demo().build().await;
    let city = app.demo_city().await;
    let path = format!("/api/v1/stats?place_id={}", city.community);
    let first = app.get(&path, None).await;
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(first.body["topics"]["total"], 0);
    let etag = first.headers.get("etag").unwrap().to_str()?.to_string();
    let cache = first.headers.get("cache-control").unwrap().to_str()?;
    assert!(cache.contains("public"), "{cache}");

    let again = app.get_with(&path, &[("If-None-Match", &etag)]).await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    assert_eq!(again.body, Value::String(String::new()));

    // A resident raises a topic through the API: the figures and so the ETag change.
    app.user(
        "zhao@stats.example",
        Some(city.community),
        &[(Role::Resident, Some(city.community), None)],
    );
    let token = app.login("zhao@stats.example").await;
    let r = app
        .post(
            "/api/v1/topics",
            Some(&token),
            json!({"place_id": city.community, "title": "楼道灯坏了",
                   "body": "三号楼楼道灯不亮", "category": "facilities"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let after = app.get_with(&path, &[("If-None-Match", &etag)]).await;
    assert_eq!(after.status, StatusCode::OK);
    assert_eq!(after.body["topics"]["total"], 1);
    assert_eq!(after.body["topics"]["by_category"]["facilities"], 1);
    assert_eq!(after.body["participants"], 1);
    let new_tag = after.headers.get("etag").unwrap().to_str()?;
    assert_ne!(new_tag, etag);
    app.done().await
}

/// Timing at a city's scale (not a correctness test): `STATS_TOPICS` topics (default 50,000)
/// spread over the demo communities, each with five stage changes and five other timeline
/// events, a task and a rating; then the statements of the main calls, timed.
/// `cargo test --release --test stats city_scale -- --ignored --nocapture`.
#[actix_rt::test]
#[ignore = "timing, run by hand"]
async fn city_scale_timing() -> TestResult {
    let app = TestApp::builder().demo().build().await;
    // Places from the database: no HTTP before the bulk insert, whose duration could
    // outlast the server's keep-alive of a pooled client connection.
    let (subdistrict, community) = (app.place("demo-330200-0-0"), app.place("demo-330200-0-0-0"));
    let n: i64 = std::env::var("STATS_TOPICS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(50_000);
    let pg = app.db.is_postgres();
    let ts = |base: &str, amount: &str, unit: &str| {
        if pg {
            format!("{base} + ({amount}) * INTERVAL '1 {unit}'")
        } else {
            format!("datetime({base}, '+' || ({amount}) || ' {unit}s')")
        }
    };
    let start = if pg {
        "TIMESTAMP '2026-01-01 00:00:00'"
    } else {
        "'2026-01-01 00:00:00'"
    };
    let started = std::time::Instant::now();
    app.with_db(|c| {
        let author =
            yishi::accounts::queries::insert_user(c, "bulk@stats.example", "x", "b", None, true)
                .unwrap();
        let topics_sql = format!(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {n}), \
             comm AS (SELECT id, ROW_NUMBER() OVER (ORDER BY id) - 1 AS k, \
               COUNT(*) OVER () AS m FROM places WHERE kind = 'community') \
             INSERT INTO topics (place_id, community_id, title, body, category, source, \
               author_id, stage, resolution, escalated, major, supporters_count, version, \
               eval_round, created_at, updated_at) \
             SELECT c.id, c.id, 't', 'b', 'environment', 'resident', {author}, 'closed', \
               'resolved', FALSE, FALSE, 0, 1, 0, {t}, {t} \
             FROM n JOIN comm c ON c.k = n.i % c.m",
            t = ts(start, "n.i * 7", "minute")
        );
        diesel::sql_query(topics_sql).execute(c).unwrap();
        let events_sql = format!(
            "WITH RECURSIVE k(j) AS (SELECT 1 UNION ALL SELECT j + 1 FROM k WHERE j < 10) \
             INSERT INTO topic_events (topic_id, seq, kind, actor_id, from_stage, to_stage, \
               payload, created_at, prev_hash, hash) \
             SELECT t.id, k.j, CASE WHEN k.j <= 5 THEN 'transition' ELSE 'supported' END, \
               {author}, \
               CASE k.j WHEN 1 THEN 'say' WHEN 2 THEN 'discuss' WHEN 3 THEN 'plan' \
                 WHEN 4 THEN 'act' WHEN 5 THEN 'evaluate' END, \
               CASE k.j WHEN 1 THEN 'discuss' WHEN 2 THEN 'plan' WHEN 3 THEN 'act' \
                 WHEN 4 THEN 'evaluate' WHEN 5 THEN 'closed' END, \
               '{{}}', {t}, 'x', 'x' FROM topics t CROSS JOIN k",
            t = ts("t.created_at", "k.j * (t.id % 13 + 1)", "hour")
        );
        diesel::sql_query(events_sql).execute(c).unwrap();
        // The stays those transitions end, as the migration backfills them.
        backfill_stays(c);
        diesel::sql_query(
            "INSERT INTO tasks (topic_id, title, due_at, status, version, created_at, updated_at) \
             SELECT id, 't', created_at, CASE WHEN id % 3 = 0 THEN 'todo' ELSE 'done' END, 1, \
             created_at, created_at FROM topics",
        )
        .execute(c)
        .unwrap();
        diesel::sql_query(format!(
            "INSERT INTO evaluations (topic_id, user_id, round, score, comment, created_at, \
             updated_at) SELECT id, {author}, 1, id % 5 + 1, '', created_at, created_at FROM topics"
        ))
        .execute(c)
        .unwrap();
        diesel::sql_query("ANALYZE").execute(c).unwrap();
    });
    println!(
        "{} backend: {n} topics, {} events written in {:?}",
        if pg { "PostgreSQL" } else { "SQLite" },
        app.count("topic_events"),
        started.elapsed()
    );
    // Each statement of the whole-installation call, timed on its own.
    app.with_db(|c| {
        use yishi::public::stats::queries::{self as q, Grouping, Scope};
        let far = |y| {
            NaiveDate::from_ymd_opt(y, 1, 1)
                .unwrap()
                .and_hms_opt(0, 0, 0)
                .unwrap()
        };
        let scope = Scope {
            lo: "/".into(),
            hi: "0".into(),
            from: far(1000),
            to: far(9999),
            prefix_len: 1,
        };
        let now = far(2027);
        for g in [Grouping::Whole, Grouping::Child] {
            let time = |label: &str, f: &mut dyn FnMut() -> usize| {
                let t = std::time::Instant::now();
                let rows = f();
                println!("  {g:?} {label}: {:?} ({rows} rows)", t.elapsed());
            };
            time("topics", &mut || {
                q::topic_groups(c, g, &scope).unwrap().len()
            });
            time("steps", &mut || q::step_groups(c, g, &scope).unwrap().len());
            time("scores", &mut || {
                q::score_groups(c, g, &scope).unwrap().len()
            });
            time("tasks", &mut || {
                q::task_groups(c, g, &scope, now).unwrap().len()
            });
            time("meetings", &mut || {
                q::meeting_groups(c, g, &scope).unwrap().len()
            });
            time("participants", &mut || {
                q::participant_groups(c, g, &scope).unwrap().len()
            });
        }
    });
    for (label, query) in [
        ("whole installation", String::new()),
        (
            "city, group_by=child",
            format!("place_id={}&group_by=child", app.place("demo-330200")),
        ),
        (
            "sub-district, group_by=child",
            format!("place_id={}&group_by=child", subdistrict),
        ),
        (
            "one community, 2026",
            format!("place_id={}&from=2026-01-01&to=2026-12-31", community),
        ),
    ] {
        let mut best = std::time::Duration::MAX;
        let mut body = Value::Null;
        for _ in 0..3 {
            let t = std::time::Instant::now();
            body = stats(&app, &query).await;
            best = best.min(t.elapsed());
        }
        println!(
            "{label}: {best:?} (topics {}, act median {})",
            body["topics"]["total"], body["days_in_step"]["act"]["median"]
        );
    }
    app.done().await
}
