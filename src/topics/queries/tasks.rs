//! Tasks of a plan and the supervision list (督办).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::super::model::TaskStatus;
use crate::db::schema::{places, tasks, topics};
use crate::db::{self, DbConn};
use crate::error::{ApiError, ApiResult};

/// A task row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = tasks)]
pub struct TaskRow {
    pub id: i64,
    pub topic_id: i64,
    pub title: String,
    pub organization_id: Option<i64>,
    pub assignee_id: Option<i64>,
    pub due_at: NaiveDateTime,
    pub status: TaskStatus,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub done_at: Option<NaiveDateTime>,
}

/// Inserts a task in `todo`.
pub fn insert_task(
    conn: &mut DbConn,
    topic_id: i64,
    title: &str,
    organization_id: Option<i64>,
    assignee_id: Option<i64>,
    due_at: NaiveDateTime,
) -> ApiResult<TaskRow> {
    let now = db::now();
    let id: i64 = diesel::insert_into(tasks::table)
        .values((
            tasks::topic_id.eq(topic_id),
            tasks::title.eq(title),
            tasks::organization_id.eq(organization_id),
            tasks::assignee_id.eq(assignee_id),
            tasks::due_at.eq(due_at),
            tasks::status.eq(TaskStatus::Todo),
            tasks::version.eq(1),
            tasks::created_at.eq(now),
            tasks::updated_at.eq(now),
        ))
        .returning(tasks::id)
        .get_result(conn)?;
    task(conn, id)
}

/// A task, or 404.
pub fn task(conn: &mut DbConn, id: i64) -> ApiResult<TaskRow> {
    tasks::table
        .find(id)
        .select(TaskRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(ApiError::NotFound("task.not_found"))
}

/// Tasks of a topic.
pub fn topic_tasks(conn: &mut DbConn, topic_id: i64) -> ApiResult<Vec<TaskRow>> {
    Ok(tasks::table
        .filter(tasks::topic_id.eq(topic_id))
        .order(tasks::id)
        .select(TaskRow::as_select())
        .load(conn)?)
}

/// Filters of the task list, resolved.
#[derive(Debug, Clone, Default)]
pub struct TaskQuery<'a> {
    pub within: Option<&'a str>,
    /// Tasks of topics beneath any of these places (an organisation user's grants).
    pub within_any: Vec<String>,
    pub topic_id: Option<i64>,
    pub organization_ids: Option<Vec<i64>>,
    pub overdue_at: Option<NaiveDateTime>,
    pub after: Option<i64>,
    pub fetch: i64,
}

/// Lists tasks (supervision 督办): by place subtree, topic, organisations, overdue.
pub fn list_tasks(conn: &mut DbConn, f: &TaskQuery<'_>) -> ApiResult<Vec<TaskRow>> {
    use crate::places::rules::subtree_range;
    let mut q = tasks::table
        .inner_join(topics::table.inner_join(places::table.on(places::id.eq(topics::place_id))))
        .select(TaskRow::as_select())
        .into_boxed();
    if !f.within_any.is_empty() {
        q = q.filter(crate::places::queries::in_any_subtree(&f.within_any));
    }
    if let Some(path) = f.within {
        let (lo, hi) = subtree_range(path);
        q = q.filter(places::path.ge(lo)).filter(places::path.lt(hi));
    }
    if let Some(t) = f.topic_id {
        q = q.filter(tasks::topic_id.eq(t));
    }
    if let Some(orgs) = &f.organization_ids {
        q = q.filter(tasks::organization_id.eq_any(orgs.clone()));
    }
    if let Some(now) = f.overdue_at {
        q = q
            .filter(tasks::due_at.lt(now))
            .filter(tasks::status.ne(TaskStatus::Done));
    }
    if let Some(a) = f.after {
        q = q.filter(tasks::id.gt(a));
    }
    Ok(q.order(tasks::id).limit(f.fetch).load(conn)?)
}

/// Sets a task's status if its version is still `expected`; false when stale.
pub fn update_task(
    conn: &mut DbConn,
    id: i64,
    expected: i32,
    status: TaskStatus,
) -> ApiResult<bool> {
    let now = db::now();
    let done_at = (status == TaskStatus::Done).then_some(now);
    let n = diesel::update(
        tasks::table
            .filter(tasks::id.eq(id))
            .filter(tasks::version.eq(expected)),
    )
    .set((
        tasks::status.eq(status),
        tasks::version.eq(expected + 1),
        tasks::updated_at.eq(now),
        tasks::done_at.eq(done_at),
    ))
    .execute(conn)?;
    Ok(n == 1)
}
