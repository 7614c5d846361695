//! Refusals: a refused request answers with its status, problem `code` (and `field`) and
//! changes nothing. "Nothing" is a [`Snapshot`] of every table a request of the topic,
//! consultation or admin areas writes.

use std::future::Future;

use awc::http::StatusCode;
use chrono::NaiveDateTime;

use super::{Call, Resp, TestApp};

/// Tables whose row count a refused request must leave as it was.
pub const TABLES: [&str; 20] = [
    "topics",
    "topic_events",
    "supports",
    "comments",
    "tasks",
    "objections",
    "evaluations",
    "plans",
    "idempotency_keys",
    "consultations",
    "agenda_items",
    "invitations",
    "outcomes",
    "follow_ups",
    "proposals",
    "minutes_signoffs",
    "calendar_tokens",
    "places",
    "organizations",
    "role_grants",
];

/// id, version, stage, resolution, escalated, supporters, catalog number, merged into.
type TopicState = (
    i64,
    i32,
    String,
    Option<String>,
    bool,
    i32,
    Option<String>,
    Option<i64>,
);
/// topic, revision, published, notice ends, approved.
type PlanState = (
    i64,
    i32,
    Option<NaiveDateTime>,
    Option<NaiveDateTime>,
    Option<NaiveDateTime>,
);
/// id, version, status, iCalendar sequence, title, venue, starts, ends, minutes, cancel
/// reason, updated.
type MeetingState = (
    i64,
    i32,
    String,
    i32,
    String,
    Option<String>,
    NaiveDateTime,
    NaiveDateTime,
    Option<String>,
    Option<String>,
    NaiveDateTime,
);

/// What a refused request must not change: row counts, and the state columns of the rows
/// that requests edit in place.
#[derive(Debug, PartialEq)]
pub struct Snapshot {
    counts: Vec<(&'static str, i64)>,
    users: i64,
    topics: Vec<TopicState>,
    tasks: Vec<(i64, i32, String)>,
    comments: Vec<(i64, bool)>,
    plans: Vec<PlanState>,
    evaluations: Vec<(i64, i64, i32, i32)>,
    meetings: Vec<MeetingState>,
    agenda: Vec<(i64, i32, i32)>,
    invitations: Vec<(i64, String, bool)>,
    proposals: Vec<(i64, String, Option<String>)>,
    feeds: Vec<(i64, String)>,
}

/// Reads a [`Snapshot`] of the app's database.
pub fn snapshot(app: &TestApp) -> Snapshot {
    use diesel::prelude::*;
    use yishi::db::schema::{
        agenda_items as ag, calendar_tokens as ct, comments as cm, consultations as co,
        evaluations as ev, invitations as inv, plans as pl, proposals as pr, tasks as ta,
        topics as tp,
    };
    let counts = TABLES.iter().map(|t| (*t, app.count(t))).collect();
    let users = app.count("users");
    app.with_db(|c| -> QueryResult<Snapshot> {
        Ok(Snapshot {
            counts,
            users,
            topics: tp::table
                .order(tp::id)
                .select((
                    tp::id,
                    tp::version,
                    tp::stage,
                    tp::resolution,
                    tp::escalated,
                    tp::supporters_count,
                    tp::catalog_no,
                    tp::merged_into,
                ))
                .load(c)?,
            tasks: ta::table
                .order(ta::id)
                .select((ta::id, ta::version, ta::status))
                .load(c)?,
            comments: cm::table
                .order(cm::id)
                .select((cm::id, cm::hidden))
                .load(c)?,
            plans: pl::table
                .order(pl::topic_id)
                .select((
                    pl::topic_id,
                    pl::revision,
                    pl::published_at,
                    pl::notice_ends_at,
                    pl::approved_at,
                ))
                .load(c)?,
            evaluations: ev::table
                .order((ev::topic_id, ev::user_id))
                .select((ev::topic_id, ev::user_id, ev::round, ev::score))
                .load(c)?,
            meetings: co::table
                .order(co::id)
                .select((
                    co::id,
                    co::version,
                    co::status,
                    co::ical_sequence,
                    co::title,
                    co::venue,
                    co::starts_at,
                    co::ends_at,
                    co::minutes,
                    co::cancel_reason,
                    co::updated_at,
                ))
                .load(c)?,
            agenda: ag::table
                .order(ag::id)
                .select((ag::id, ag::position, ag::minutes))
                .load(c)?,
            invitations: inv::table
                .order(inv::id)
                .select((inv::id, inv::response, inv::attended))
                .load(c)?,
            proposals: pr::table
                .order(pr::id)
                .select((pr::id, pr::status, pr::answer))
                .load(c)?,
            feeds: ct::table
                .order(ct::user_id)
                .select((ct::user_id, ct::token_hash))
                .load(c)?,
        })
    })
    .expect("snapshot")
}

/// How a request is refused: status, problem `code`, and the `field` of a 400/422.
#[derive(Clone, Copy, Debug)]
pub struct Expect<'a>(pub u16, pub &'a str, pub Option<&'a str>);

/// 403 `permission.denied`, the most common refusal.
pub const DENIED: Expect<'static> = Expect(403, "permission.denied", None);

/// Sends `req` and checks it is refused as `expect` says, changing nothing.
pub async fn deny(
    app: &TestApp,
    what: &str,
    req: impl Future<Output = Resp>,
    expect: Expect<'_>,
) -> Resp {
    let Expect(status, code, field) = expect;
    let before = snapshot(app);
    let r = req.await;
    assert_eq!(r.status.as_u16(), status, "{what}: {:?}", r.body);
    assert_eq!(r.code(), code, "{what}: {:?}", r.body);
    if let Some(f) = field {
        assert_eq!(r.body["field"].as_str(), Some(f), "{what}: {:?}", r.body);
    }
    assert_eq!(
        snapshot(app),
        before,
        "{what}: a refused request changes nothing"
    );
    r
}

/// Walks a case table of `(what, request, expect)` rows with [`deny`], in order; a failure
/// names its row by `what`.
pub async fn deny_all<'a, F: Future<Output = Resp>>(
    app: &TestApp,
    cases: impl IntoIterator<Item = (&'a str, F, Expect<'a>)>,
) {
    for (what, req, expect) in cases {
        deny(app, what, req, expect).await;
    }
}

/// Asserts a problem+json answer with `status`, `code` and (when given) `field`.
pub fn assert_problem(what: &str, r: &Resp, status: StatusCode, code: &str, field: Option<&str>) {
    assert_eq!(r.status, status, "{what}: status; body {:?}", r.body);
    assert_eq!(r.code(), code, "{what}: code; body {:?}", r.body);
    assert!(
        r.content_type.starts_with("application/problem+json"),
        "{what}: content type {:?}",
        r.content_type
    );
    assert_eq!(
        r.body["status"].as_u64(),
        Some(u64::from(status.as_u16())),
        "{what}: status member; body {:?}",
        r.body
    );
    if let Some(f) = field {
        assert_eq!(r.body["field"], f, "{what}: field; body {:?}", r.body);
    }
}

/// Sends `req` and checks a problem+json answer as `expect` says (status, `code`, `field`,
/// content type and `status` member); returns the answer.
pub async fn problem(what: &str, req: impl Future<Output = Resp>, expect: Expect<'_>) -> Resp {
    let Expect(status, code, field) = expect;
    let r = req.await;
    let status = StatusCode::from_u16(status).expect("a status code");
    assert_problem(what, &r, status, code, field);
    r
}

/// Walks a case table of `(what, call, expect)` rows with [`problem`], in order; a failure
/// names its row by `what`.
pub async fn problem_all<'a>(
    app: &TestApp,
    cases: impl IntoIterator<Item = (&'a str, Call, Expect<'a>)>,
) {
    for (what, call, expect) in cases {
        problem(what, app.call(&call), expect).await;
    }
}
