//! Reminders: meetings, tasks due and overdue, evaluation windows closing.
//!
//! Each pass of the worker looks, by the state's clock, for what is due and records one
//! notification event per reminder through [`events::emit`]. The dedupe key names the
//! reminder's moment, so each happens exactly once however many passes or nodes see it:
//!
//! - `meeting:{id}:reminder:{m}:{starts_at}`: the smallest offset `m` of
//!   `meeting_reminder_minutes` whose moment has come, while the meeting is scheduled and has
//!   not started (a moved meeting reminds again: its start is in the key);
//! - `task:{id}:due:{due date}` and `task:{id}:overdue:{local date}`: from the local
//!   `task_reminder_hour` each day, open tasks due tomorrow and open tasks past due (daily);
//! - `topic:{id}:closing:{round}`: an evaluation window closing within
//!   `evaluation_closing_hours`.
//!
//! Candidates are read in id-ordered batches over indexed columns; the keys already recorded
//! are looked up before emitting, so a pass that finds nothing new writes nothing.

use std::collections::HashSet;
use std::sync::Mutex;

use chrono::{Duration, NaiveDate, NaiveDateTime, TimeZone};
use diesel::prelude::*;
use serde_json::json;

use super::events::{self, Notice};
use super::kinds::NotificationKind as K;
use super::rules;
use crate::config::Settings;
use crate::consultations::rules::Status as MeetingStatus;
use crate::db::schema::{consultations, notification_events as ne, tasks, topics};
use crate::db::{self, DbConn};
use crate::error::ApiResult;
use crate::state::AppState;
use crate::topics::model::TaskStatus;
use crate::topics::rules::Stage;

/// What this node remembers between passes: the local day whose task reminders it has
/// already swept, so the (possibly long) list of overdue tasks is read once a day, not on
/// every pass. Another node sweeping the same day finds every key taken and writes nothing.
#[derive(Debug, Default)]
pub struct Memo {
    tasks_swept: Mutex<Option<NaiveDate>>,
}

/// Records the reminders that are due by the state's clock.
pub async fn tick(state: &AppState) {
    let now = state.clock.now();
    let settings = state.settings.clone();
    let local = local_now(&settings, now);
    let sweep_tasks = rules::task_reminders_due(local, settings.notifications.task_reminder_hour)
        && state
            .reminders
            .tasks_swept
            .lock()
            .map(|d| *d != Some(local.date()))
            .unwrap_or(true);
    let result = db::run(&state.pool, move |conn| {
        let mut emitted = meetings(conn, &settings, now)?;
        emitted += evaluations(conn, &settings, now)?;
        if sweep_tasks {
            emitted += tasks_due(conn, &settings, now, local.date())?;
        }
        Ok(emitted)
    })
    .await;
    match result {
        Ok(emitted) => {
            if sweep_tasks && let Ok(mut d) = state.reminders.tasks_swept.lock() {
                *d = Some(local.date());
            }
            if emitted > 0 {
                tracing::debug!(emitted, "reminders recorded");
                state.notify_wakeup.notify_one();
            }
        }
        Err(e) => tracing::warn!(error = %e, "reminders failed"),
    }
}

/// The installation's local wall-clock time at the UTC instant `now`.
fn local_now(settings: &Settings, now: NaiveDateTime) -> NaiveDateTime {
    now.and_utc()
        .with_timezone(&settings.locale.time_zone)
        .naive_local()
}

/// The UTC instant of local midnight starting `day` (the earliest, across a DST change).
fn local_midnight(settings: &Settings, day: NaiveDate) -> NaiveDateTime {
    let midnight = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    settings
        .locale
        .time_zone
        .from_local_datetime(&midnight)
        .earliest()
        .map_or(midnight, |t| t.naive_utc())
}

/// Emits the notices whose keys are not recorded yet; returns how many were new.
fn emit_new(conn: &mut DbConn, notices: Vec<Notice>) -> ApiResult<usize> {
    if notices.is_empty() {
        return Ok(0);
    }
    let keys: Vec<&str> = notices.iter().map(|n| n.dedupe_key.as_str()).collect();
    let taken: HashSet<String> = ne::table
        .filter(ne::dedupe_key.eq_any(&keys))
        .select(ne::dedupe_key)
        .load::<String>(conn)?
        .into_iter()
        .collect();
    let mut new = 0;
    for n in notices.iter().filter(|n| !taken.contains(&n.dedupe_key)) {
        if events::emit(conn, n)? {
            new += 1;
        }
    }
    Ok(new)
}

/// Scheduled meetings starting within the largest offset and not started yet.
fn meetings(conn: &mut DbConn, settings: &Settings, now: NaiveDateTime) -> ApiResult<usize> {
    let offsets = &settings.notifications.meeting_reminder_minutes;
    let Some(widest) = offsets.iter().copied().max().filter(|m| *m > 0) else {
        return Ok(0);
    };
    let batch = settings.notifications.batch_size.max(1);
    let mut after = 0i64;
    let mut emitted = 0;
    loop {
        let rows: Vec<(i64, i64, NaiveDateTime)> = consultations::table
            .filter(consultations::status.eq(MeetingStatus::Scheduled))
            .filter(consultations::starts_at.gt(now))
            .filter(consultations::starts_at.le(now + Duration::minutes(widest)))
            .filter(consultations::id.gt(after))
            .select((
                consultations::id,
                consultations::place_id,
                consultations::starts_at,
            ))
            .order(consultations::id)
            .limit(batch)
            .load(conn)?;
        let Some(last) = rows.last().map(|r| r.0) else {
            break;
        };
        let full = rows.len() as i64 == batch;
        let notices = rows
            .into_iter()
            .filter_map(|(id, place, starts)| {
                let m = rules::meeting_reminder_due(offsets, starts, now)?;
                let mut n = Notice::new(
                    K::MeetingReminder,
                    format!(
                        "meeting:{id}:reminder:{m}:{}",
                        starts.and_utc().to_rfc3339()
                    ),
                );
                n.place_id = Some(place);
                n.consultation_id = Some(id);
                n.payload = json!({"minutes_before": m, "starts_at": starts.and_utc()});
                Some(n)
            })
            .collect();
        emitted += emit_new(conn, notices)?;
        if !full {
            break;
        }
        after = last;
    }
    Ok(emitted)
}

/// Topics in evaluation whose window closes within `evaluation_closing_hours`.
fn evaluations(conn: &mut DbConn, settings: &Settings, now: NaiveDateTime) -> ApiResult<usize> {
    let hours = settings.notifications.evaluation_closing_hours;
    if hours <= 0 {
        return Ok(0);
    }
    let batch = settings.notifications.batch_size.max(1);
    let mut after = 0i64;
    let mut emitted = 0;
    loop {
        let rows: Vec<(i64, i64, i32, Option<NaiveDateTime>)> = topics::table
            .filter(topics::stage.eq(Stage::Evaluate))
            .filter(topics::eval_closes_at.gt(now))
            .filter(topics::eval_closes_at.le(now + Duration::hours(hours)))
            .filter(topics::id.gt(after))
            .select((
                topics::id,
                topics::place_id,
                topics::eval_round,
                topics::eval_closes_at,
            ))
            .order(topics::id)
            .limit(batch)
            .load(conn)?;
        let Some(last) = rows.last().map(|r| r.0) else {
            break;
        };
        let full = rows.len() as i64 == batch;
        let notices = rows
            .into_iter()
            .map(|(id, place, round, closes)| {
                let mut n =
                    Notice::new(K::EvaluationClosing, format!("topic:{id}:closing:{round}"));
                n.place_id = Some(place);
                n.topic_id = Some(id);
                n.payload = json!({"round": round, "closes_at": closes.map(|t| t.and_utc())});
                n
            })
            .collect();
        emitted += emit_new(conn, notices)?;
        if !full {
            break;
        }
        after = last;
    }
    Ok(emitted)
}

/// The day's task reminders: open tasks due tomorrow (local date) and open tasks past due.
fn tasks_due(
    conn: &mut DbConn,
    settings: &Settings,
    now: NaiveDateTime,
    today: NaiveDate,
) -> ApiResult<usize> {
    let tomorrow = today + Duration::days(1);
    let from = local_midnight(settings, tomorrow);
    let to = local_midnight(settings, tomorrow + Duration::days(1));
    let tz = settings.locale.time_zone;
    let mut emitted = 0;
    // Due tomorrow.
    emitted += task_batches(
        conn,
        settings,
        |q| {
            q.filter(tasks::due_at.ge(from))
                .filter(tasks::due_at.lt(to))
        },
        |id, due| {
            let date = due.and_utc().with_timezone(&tz).date_naive();
            (K::TaskDue, format!("task:{id}:due:{date}"))
        },
    )?;
    // Past due: once per local day.
    emitted += task_batches(
        conn,
        settings,
        |q| q.filter(tasks::due_at.le(now)),
        |id, _| (K::TaskOverdue, format!("task:{id}:overdue:{today}")),
    )?;
    Ok(emitted)
}

type TaskQuery<'a> = diesel::dsl::IntoBoxed<
    'a,
    diesel::dsl::InnerJoin<tasks::table, topics::table>,
    crate::db::Backend,
>;

/// Open tasks matching `filter`, in id batches, each made a notice by `key`.
fn task_batches(
    conn: &mut DbConn,
    settings: &Settings,
    filter: impl Fn(TaskQuery<'static>) -> TaskQuery<'static>,
    key: impl Fn(i64, NaiveDateTime) -> (K, String),
) -> ApiResult<usize> {
    let batch = settings.notifications.batch_size.max(1);
    let mut after = 0i64;
    let mut emitted = 0;
    loop {
        let q = tasks::table
            .inner_join(topics::table)
            .filter(tasks::status.ne(TaskStatus::Done))
            .filter(tasks::id.gt(after))
            .into_boxed();
        let rows: Vec<(i64, i64, i64, NaiveDateTime)> = filter(q)
            .select((tasks::id, tasks::topic_id, topics::place_id, tasks::due_at))
            .order(tasks::id)
            .limit(batch)
            .load(conn)?;
        let Some(last) = rows.last().map(|r| r.0) else {
            break;
        };
        let full = rows.len() as i64 == batch;
        let notices = rows
            .into_iter()
            .map(|(id, topic, place, due)| {
                let (kind, dedupe_key) = key(id, due);
                let mut n = Notice::new(kind, dedupe_key);
                n.place_id = Some(place);
                n.topic_id = Some(topic);
                n.task_id = Some(id);
                n.payload = json!({"task_id": id, "due_at": due.and_utc()});
                n
            })
            .collect();
        emitted += emit_new(conn, notices)?;
        if !full {
            break;
        }
        after = last;
    }
    Ok(emitted)
}
