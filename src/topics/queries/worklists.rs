//! The working lists of the pages /me, /staff (工作台) and /tasks (我的任务): a person's
//! topics, the topics of a staff member's places per step, overdue tasks, unanswered
//! objections, the ratings of topics under evaluation, and the tasks of organisations. Each
//! function is one statement, so a page costs a fixed number of queries (no N+1).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::super::model::TaskStatus;
use super::super::rules::Stage;
use super::events::EventRow;
use super::reviews::ObjectionRow;
use super::tasks::TaskRow;
use super::topics::TopicRow;
use crate::db::DbConn;
use crate::db::schema::{
    evaluations, objections, organizations, places, supports, tasks, topic_events, topics,
};
use crate::error::ApiResult;
use crate::places::queries::in_any_subtree;
use crate::topics::events::EventKind;

/// Topics `user_id` raised, or that were raised for them, newest first.
pub fn raised_by(conn: &mut DbConn, user_id: i64, limit: i64) -> ApiResult<Vec<TopicRow>> {
    Ok(topics::table
        .filter(
            topics::author_id
                .eq(user_id)
                .or(topics::on_behalf_of.eq(user_id)),
        )
        .order(topics::id.desc())
        .limit(limit)
        .select(TopicRow::as_select())
        .load(conn)?)
}

/// Topics `user_id` supports (附议), newest first.
pub fn supported_by(conn: &mut DbConn, user_id: i64, limit: i64) -> ApiResult<Vec<TopicRow>> {
    Ok(topics::table
        .inner_join(supports::table.on(supports::topic_id.eq(topics::id)))
        .filter(supports::user_id.eq(user_id))
        .order(topics::id.desc())
        .limit(limit)
        .select(TopicRow::as_select())
        .load(conn)?)
}

/// How many topics are in each open step beneath any of `within` (None: everywhere).
pub fn open_stage_counts(
    conn: &mut DbConn,
    within: Option<&[String]>,
) -> ApiResult<Vec<(Stage, i64)>> {
    let mut q = topics::table
        .inner_join(places::table.on(places::id.eq(topics::place_id)))
        .filter(topics::stage.ne(Stage::Closed))
        .group_by(topics::stage)
        .select((topics::stage, diesel::dsl::count_star()))
        .into_boxed();
    if let Some(paths) = within {
        q = q.filter(in_any_subtree(paths));
    }
    Ok(q.load(conn)?)
}

/// Topics in `stage` beneath any of `within` (None: everywhere), oldest first (the longest
/// waiting on top), with the name of their place.
pub fn topics_in_stage(
    conn: &mut DbConn,
    within: Option<&[String]>,
    stage: Stage,
    limit: i64,
) -> ApiResult<Vec<(TopicRow, String)>> {
    let mut q = topics::table
        .inner_join(places::table.on(places::id.eq(topics::place_id)))
        .filter(topics::stage.eq(stage))
        .select((TopicRow::as_select(), places::name))
        .into_boxed();
    if let Some(paths) = within {
        q = q.filter(in_any_subtree(paths));
    }
    Ok(q.order(topics::id).limit(limit).load(conn)?)
}

/// A task with what a worklist shows beside it.
#[derive(Debug, Clone, Queryable)]
pub struct TaskLineRow {
    pub task: TaskRow,
    pub topic_title: String,
    pub topic_stage: Stage,
    pub catalog_no: Option<String>,
    /// The path of the topic's place (for the permission rules).
    pub place_path: String,
    pub place_id: i64,
    /// The responsible organisation's name.
    pub organization: Option<String>,
}

/// Which tasks a task list holds.
#[derive(Debug, Clone, Default)]
pub struct TaskLines<'a> {
    /// Tasks of topics beneath any of these places (None: everywhere).
    pub within: Option<&'a [String]>,
    /// Only tasks of these organisations.
    pub organization_ids: Option<&'a [i64]>,
    /// Only tasks past due at this time and not done (督办).
    pub overdue_at: Option<NaiveDateTime>,
    pub limit: i64,
}

/// Tasks with their topic, place and organisation, by due date.
pub fn task_lines(conn: &mut DbConn, f: &TaskLines<'_>) -> ApiResult<Vec<TaskLineRow>> {
    let mut q = tasks::table
        .inner_join(topics::table.inner_join(places::table.on(places::id.eq(topics::place_id))))
        .left_join(organizations::table.on(tasks::organization_id.eq(organizations::id.nullable())))
        .select((
            TaskRow::as_select(),
            topics::title,
            topics::stage,
            topics::catalog_no,
            places::path,
            places::id,
            organizations::name.nullable(),
        ))
        .into_boxed();
    if let Some(paths) = f.within {
        q = q.filter(in_any_subtree(paths));
    }
    if let Some(orgs) = f.organization_ids {
        q = q.filter(tasks::organization_id.eq_any(orgs.to_vec()));
    }
    if let Some(now) = f.overdue_at {
        q = q
            .filter(tasks::due_at.lt(now))
            .filter(tasks::status.ne(TaskStatus::Done));
    }
    Ok(q.order((tasks::due_at, tasks::id))
        .limit(f.limit)
        .load(conn)?)
}

/// Objections not answered yet beneath any of `within` (None: everywhere), oldest first,
/// with their topic's title and catalog number.
pub fn unanswered_objections_within(
    conn: &mut DbConn,
    within: Option<&[String]>,
    limit: i64,
) -> ApiResult<Vec<(ObjectionRow, String, Option<String>)>> {
    let mut q = objections::table
        .inner_join(topics::table.on(topics::id.eq(objections::topic_id)))
        .inner_join(places::table.on(places::id.eq(topics::place_id)))
        .filter(objections::decision.is_null())
        .select((ObjectionRow::as_select(), topics::title, topics::catalog_no))
        .into_boxed();
    if let Some(paths) = within {
        q = q.filter(in_any_subtree(paths));
    }
    Ok(q.order(objections::id).limit(limit).load(conn)?)
}

/// Every rating of these topics: (topic id, round, score); callers keep the current round.
pub fn ratings_of(conn: &mut DbConn, topic_ids: &[i64]) -> ApiResult<Vec<(i64, i32, i32)>> {
    if topic_ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(evaluations::table
        .filter(evaluations::topic_id.eq_any(topic_ids))
        .select((
            evaluations::topic_id,
            evaluations::round,
            evaluations::score,
        ))
        .load(conn)?)
}

/// The task progress events of these topics, oldest first.
pub fn progress_events(conn: &mut DbConn, topic_ids: &[i64]) -> ApiResult<Vec<EventRow>> {
    if topic_ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(topic_events::table
        .filter(topic_events::topic_id.eq_any(topic_ids))
        .filter(topic_events::kind.eq(EventKind::TaskProgress))
        .order((topic_events::topic_id, topic_events::seq))
        .select(EventRow::as_select())
        .load(conn)?)
}
