//! The read actions behind the working pages: a person's topics (/me), the staff workbench
//! 工作台 (/staff) and the tasks of a person's organisations or places 我的任务 (/tasks).
//! Permission comes from the same rules the write actions use; each list is one query.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::model::{ObjectionOut, TaskOut, TaskStatus, TopicOut};
use super::queries::{self as q, TaskLineRow, TaskLines, TopicRow};
use super::rules::{self, Facts, STAFF, Stage, WORKBENCH};
use super::views::{objection_out, task_out};
use crate::auth::{Caller, PlaceRef, Role};
use crate::config::Settings;
use crate::db::{self, DbConn};
use crate::error::{ApiError, ApiResult};

/// How many items a section of a working page lists at most.
pub const SECTION_LIMIT: i64 = 50;

/// The roles that act for an organisation.
const ORGANISATION_ROLES: [Role; 2] = [Role::PropertyFirm, Role::Department];

/// A topic in a list, with the name of its place.
#[derive(Debug, Clone)]
pub struct TopicLine {
    pub topic: TopicOut,
    pub place_name: String,
}

/// The topics of one step on the workbench: how many there are, and the oldest of them.
#[derive(Debug, Clone)]
pub struct StageList {
    pub stage: Stage,
    pub count: i64,
    pub topics: Vec<TopicLine>,
}

/// One progress note of a task (from the topic's timeline).
#[derive(Debug, Clone)]
pub struct Progress {
    pub at: DateTime<Utc>,
    pub note: Option<String>,
    /// The status the update set.
    pub status: Option<TaskStatus>,
}

/// A task with its topic and what the caller may do with it.
#[derive(Debug, Clone)]
pub struct TaskLine {
    pub task: TaskOut,
    pub topic_title: String,
    pub topic_stage: Stage,
    pub catalog_no: Option<String>,
    pub organization: Option<String>,
    /// The caller may record progress now (allowed, and the topic is in 办).
    pub may_update: bool,
    pub progress: Vec<Progress>,
}

/// An unanswered objection with its topic.
#[derive(Debug, Clone)]
pub struct ObjectionLine {
    pub objection: ObjectionOut,
    pub topic_title: String,
    pub catalog_no: Option<String>,
}

/// The staff workbench 工作台.
#[derive(Debug, Clone)]
pub struct Workbench {
    /// 待受理: topics in say.
    pub intake: StageList,
    /// 议 / 筹 / 办 / 评.
    pub steps: Vec<StageList>,
    /// 督办: past-due tasks not done.
    pub overdue: Vec<TaskLine>,
    /// 待答复异议.
    pub objections: Vec<ObjectionLine>,
    /// 待结项: topics in evaluate whose facts allow closing.
    pub closable: Vec<TopicLine>,
}

/// 我的议题: the topics the caller raised or that were raised for them, newest first.
pub fn my_topics(
    conn: &mut DbConn,
    settings: &Settings,
    caller: &Caller,
) -> ApiResult<Vec<TopicOut>> {
    let hot = settings.workflow.hot_threshold;
    Ok(q::raised_by(conn, caller.user_id, SECTION_LIMIT)?
        .iter()
        .map(|t| t.out(hot))
        .collect())
}

/// The topics the caller supports (附议), newest first: what /me shows under 我关注的 until
/// follows arrive with notifications.
pub fn supported_topics(
    conn: &mut DbConn,
    settings: &Settings,
    caller: &Caller,
) -> ApiResult<Vec<TopicOut>> {
    let hot = settings.workflow.hot_threshold;
    Ok(q::supported_by(conn, caller.user_id, SECTION_LIMIT)?
        .iter()
        .map(|t| t.out(hot))
        .collect())
}

/// Where the caller's workbench looks: the subtrees of their staff and admin grants, None for
/// an installation-wide admin; 403 for anyone else.
fn workbench_scope(caller: &Caller) -> ApiResult<Option<Vec<String>>> {
    if caller.is_global_admin() {
        return Ok(None);
    }
    let mut paths: Vec<String> = caller
        .grants
        .iter()
        .filter(|g| WORKBENCH.contains(&g.role))
        .filter_map(|g| g.place_path.clone())
        .collect();
    if paths.is_empty() {
        return Err(ApiError::Forbidden("permission.denied"));
    }
    paths.sort();
    paths.dedup();
    Ok(Some(paths))
}

fn topic_lines(rows: Vec<(TopicRow, String)>, hot: i32) -> Vec<TopicLine> {
    rows.into_iter()
        .map(|(t, place_name)| TopicLine {
            topic: t.out(hot),
            place_name,
        })
        .collect()
}

/// The workbench of a staff member (community or sub-district staff, admin): the topics of
/// their places per open step, overdue tasks, unanswered objections and the topics ready to
/// close. Nine queries whatever the number of topics.
pub fn workbench(conn: &mut DbConn, settings: &Settings, caller: &Caller) -> ApiResult<Workbench> {
    let scope = workbench_scope(caller)?;
    let within = scope.as_deref();
    let hot = settings.workflow.hot_threshold;
    let counts: HashMap<Stage, i64> = q::open_stage_counts(conn, within)?.into_iter().collect();
    let mut lists = Vec::new();
    let mut rounds: HashMap<i64, i32> = HashMap::new();
    for stage in [
        Stage::Say,
        Stage::Discuss,
        Stage::Plan,
        Stage::Act,
        Stage::Evaluate,
    ] {
        let rows = q::topics_in_stage(conn, within, stage, SECTION_LIMIT)?;
        if stage == Stage::Evaluate {
            rounds.extend(rows.iter().map(|(t, _)| (t.id, t.eval_round)));
        }
        lists.push(StageList {
            stage,
            count: counts.get(&stage).copied().unwrap_or(0),
            topics: topic_lines(rows, hot),
        });
    }
    let intake = lists.remove(0);
    let now = db::now();
    let overdue = q::task_lines(
        conn,
        &TaskLines {
            within,
            organization_ids: None,
            overdue_at: Some(now),
            limit: SECTION_LIMIT,
        },
    )?
    .into_iter()
    .map(|row| task_line(caller, row, Vec::new()))
    .collect();
    let objections = q::unanswered_objections_within(conn, within, SECTION_LIMIT)?
        .into_iter()
        .map(|(o, topic_title, catalog_no)| ObjectionLine {
            objection: objection_out(&o),
            topic_title,
            catalog_no,
        })
        .collect();
    let evaluating = lists
        .iter()
        .find(|l| l.stage == Stage::Evaluate)
        .map(|l| l.topics.clone())
        .unwrap_or_default();
    let closable = closable(conn, settings, evaluating, &rounds, now)?;
    Ok(Workbench {
        intake,
        steps: lists,
        overdue,
        objections,
        closable,
    })
}

/// Of the topics in evaluate, those whose facts allow 结项 now ([`rules::ready_to_close`]).
fn closable(
    conn: &mut DbConn,
    settings: &Settings,
    evaluating: Vec<TopicLine>,
    rounds: &HashMap<i64, i32>,
    now: chrono::NaiveDateTime,
) -> ApiResult<Vec<TopicLine>> {
    let ids: Vec<i64> = evaluating.iter().map(|l| l.topic.id).collect();
    let ratings = q::ratings_of(conn, &ids)?;
    let wf = &settings.workflow;
    Ok(evaluating
        .into_iter()
        .filter(|l| {
            let t = &l.topic;
            let round = rounds.get(&t.id).copied().unwrap_or(0);
            let scores: Vec<i32> = ratings
                .iter()
                .filter(|(tid, r, _)| *tid == t.id && *r == round)
                .map(|(_, _, s)| *s)
                .collect();
            let (count, mean, _) = rules::summarize(&scores);
            rules::ready_to_close(&Facts {
                window_over: t.eval_closes_at.is_some_and(|end| end.naive_utc() <= now),
                ratings: count,
                min_ratings: wf.min_ratings.max(0) as usize,
                mean,
                threshold: wf.satisfaction_threshold,
                ..Facts::default()
            })
        })
        .collect())
}

/// A task row as a list line, with what `caller` may do with it.
fn task_line(caller: &Caller, row: TaskLineRow, progress: Vec<Progress>) -> TaskLine {
    let place = PlaceRef {
        id: row.place_id,
        path: row.place_path,
    };
    let allowed = super::plan::may_update_task(caller, &row.task, &place);
    TaskLine {
        task: task_out(&row.task),
        may_update: allowed && rules::task_open_for_progress(row.topic_stage),
        topic_title: row.topic_title,
        topic_stage: row.topic_stage,
        catalog_no: row.catalog_no,
        organization: row.organization,
        progress,
    }
}

/// 我的任务: the tasks of the caller's organisations (property firm, department users)
/// beneath their grants, and for staff the tasks of their places; open tasks first, by due
/// date, each with its progress notes. 403 for anyone else.
pub fn my_tasks(conn: &mut DbConn, caller: &Caller) -> ApiResult<Vec<TaskLine>> {
    let org_grants: Vec<&crate::auth::CallerGrant> = caller
        .grants
        .iter()
        .filter(|g| ORGANISATION_ROLES.contains(&g.role))
        .collect();
    let orgs: Vec<i64> = org_grants
        .iter()
        .filter_map(|g| g.organization_id)
        .collect();
    let org_paths: Vec<String> = org_grants
        .iter()
        .filter_map(|g| g.place_path.clone())
        .collect();
    let staff_paths: Vec<String> = caller
        .grants
        .iter()
        .filter(|g| STAFF.contains(&g.role))
        .filter_map(|g| g.place_path.clone())
        .collect();
    if orgs.is_empty() && staff_paths.is_empty() {
        return Err(ApiError::Forbidden("permission.denied"));
    }
    let mut rows: Vec<TaskLineRow> = Vec::new();
    if !orgs.is_empty() {
        rows = q::task_lines(
            conn,
            &TaskLines {
                within: Some(&org_paths),
                organization_ids: Some(&orgs),
                overdue_at: None,
                limit: 200,
            },
        )?;
    }
    if !staff_paths.is_empty() {
        for row in q::task_lines(
            conn,
            &TaskLines {
                within: Some(&staff_paths),
                organization_ids: None,
                overdue_at: None,
                limit: 200,
            },
        )? {
            if !rows.iter().any(|r| r.task.id == row.task.id) {
                rows.push(row);
            }
        }
    }
    // Open work first, each group by due date (the queries give due-date order).
    rows.sort_by_key(|r| (r.task.status == TaskStatus::Done, r.task.due_at, r.task.id));
    let mut topic_ids: Vec<i64> = rows.iter().map(|r| r.task.topic_id).collect();
    topic_ids.sort_unstable();
    topic_ids.dedup();
    let mut progress: HashMap<i64, Vec<Progress>> = HashMap::new();
    for e in q::progress_events(conn, &topic_ids)? {
        let payload: serde_json::Value = serde_json::from_str(&e.payload).unwrap_or_default();
        let Some(task_id) = payload["task_id"].as_i64() else {
            continue;
        };
        progress.entry(task_id).or_default().push(Progress {
            at: e.created_at.and_utc(),
            note: e.note,
            status: payload["to"].as_str().and_then(TaskStatus::parse),
        });
    }
    Ok(rows
        .into_iter()
        .map(|row| {
            let notes = progress.remove(&row.task.id).unwrap_or_default();
            task_line(caller, row, notes)
        })
        .collect())
}
