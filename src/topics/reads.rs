//! The read actions of the topics area: permission (reading needs any account; some views
//! narrow what a caller sees), queries, and the wire form. Handlers and pages call these.

use super::model::*;
use super::plan;
use super::queries as q;
use super::rules::STAFF;
use super::views::{self, comment_out, event_out, objection_out, task_out};
use super::workflow::topic_at;
use crate::api::paging::{List, Page};
use crate::auth::{Caller, PlaceRef, Role};
use crate::config::Settings;
use crate::db::{self, DbConn};
use crate::error::{ApiError, ApiResult};
use crate::places::queries as places;

/// Who supervises every task beneath a place (督办).
const SUPERVISORS: [Role; 4] = [
    Role::CommunityStaff,
    Role::SubdistrictStaff,
    Role::CppccMember,
    Role::Admin,
];

/// The roles that act for an organisation.
const ORGANISATION_ROLES: [Role; 2] = [Role::PropertyFirm, Role::Department];

/// The topic list with its filters; `mine=true` keeps the topics within the caller's role
/// places (with `escalated&unscheduled`, the CPPCC member's 请你来协商 queue).
pub fn list_topics(
    conn: &mut DbConn,
    settings: &Settings,
    caller: &Caller,
    f: &TopicFilter,
) -> ApiResult<List<TopicOut>> {
    let page = Page::new(f.limit, f.cursor.as_deref())?;
    let within = match f.place_id {
        Some(id) => Some(places::place_ref(conn, id, Some("place_id"))?.0.path),
        None => None,
    };
    let within_any = if f.mine.unwrap_or(false) {
        caller.role_subtrees()
    } else {
        None
    };
    let rows = q::list_topics(
        conn,
        &q::TopicQuery {
            within: within.as_deref(),
            within_any,
            stage: f.stage,
            category: f.category,
            escalated: f.escalated,
            author_id: f.author_id,
            q: f.q.as_deref(),
            catalog_only: false,
            unscheduled: f.unscheduled.unwrap_or(false),
            after: page.after,
            fetch: page.fetch(),
            newest_first: false,
        },
    )?;
    let hot = settings.workflow.hot_threshold;
    Ok(page.finish(rows.iter().map(|t| t.out(hot)).collect(), |t| t.id))
}

/// One topic.
pub fn get_topic(
    conn: &mut DbConn,
    settings: &Settings,
    _caller: &Caller,
    id: i64,
) -> ApiResult<TopicOut> {
    Ok(q::topic(conn, id)?.out(settings.workflow.hot_threshold))
}

/// A page of comments; a hidden comment's body is shown only to its author and staff.
pub fn list_comments(
    conn: &mut DbConn,
    caller: &Caller,
    id: i64,
    p: &PageParams,
) -> ApiResult<List<CommentOut>> {
    let page = Page::new(p.limit, p.cursor.as_deref())?;
    let (_, place) = topic_at(conn, id)?;
    let staff = caller.holds(&STAFF, &place);
    let rows = q::list_comments(conn, id, page.after, page.fetch())?;
    let out = rows
        .iter()
        .map(|c| comment_out(c, staff || c.author_id == caller.user_id))
        .collect();
    Ok(page.finish(out, |c: &CommentOut| c.id))
}

/// A page of the hash-chained timeline, oldest first; the cursor is the last `seq`.
pub fn timeline(
    conn: &mut DbConn,
    _caller: &Caller,
    id: i64,
    p: &PageParams,
) -> ApiResult<List<EventOut>> {
    let page = Page::new(p.limit, p.cursor.as_deref())?;
    q::topic(conn, id)?;
    let rows = q::timeline_page(conn, id, page.after, page.fetch())?;
    let out = rows.into_iter().map(event_out).collect();
    Ok(page.finish(out, |e: &EventOut| i64::from(e.seq)))
}

/// For users who act here only for organisations: the organisations whose tasks they see.
pub fn organisation_view(caller: &Caller, place: &PlaceRef) -> Option<Vec<i64>> {
    let roles = caller.roles_at(place);
    let only_org = !roles.is_empty() && roles.iter().all(|r| ORGANISATION_ROLES.contains(r));
    only_org.then(|| caller.organizations_at(place))
}

/// The plan with resources and tasks; `visible_orgs` keeps only those organisations' tasks.
pub fn plan_view(
    conn: &mut DbConn,
    topic_id: i64,
    visible_orgs: Option<&[i64]>,
) -> ApiResult<PlanOut> {
    let plan = q::plan(conn, topic_id)?;
    let resources = q::plan_resources(conn, topic_id)?;
    let tasks = q::topic_tasks(conn, topic_id)?
        .iter()
        .filter(|t| {
            visible_orgs.is_none_or(|orgs| t.organization_id.is_some_and(|o| orgs.contains(&o)))
        })
        .map(task_out)
        .collect();
    Ok(views::plan_out(topic_id, plan, resources, tasks))
}

/// The plan as the caller may see it: organisation users see only their own tasks.
pub fn get_plan(conn: &mut DbConn, caller: &Caller, id: i64) -> ApiResult<PlanOut> {
    let (_, place) = topic_at(conn, id)?;
    let orgs = organisation_view(caller, &place);
    plan_view(conn, id, orgs.as_deref())
}

/// The topic's tasks as the caller may see them (organisation users: their own).
pub fn list_topic_tasks(conn: &mut DbConn, caller: &Caller, id: i64) -> ApiResult<List<TaskOut>> {
    Ok(List {
        items: get_plan(conn, caller, id)?.tasks,
        next_cursor: None,
    })
}

/// Which tasks a supervision list may show: (within, organisations, within any of).
type TaskScope = (Option<String>, Option<Vec<i64>>, Vec<String>);

/// Narrows the task list to what the caller may see. With `place_id`: supervisors there see
/// every task beneath it, organisation users their organisations' tasks. With `topic_id`
/// alone: the same, judged at the topic's place. With neither: an organisation user's tasks
/// beneath their grants.
fn task_scope(conn: &mut DbConn, caller: &Caller, f: &TaskFilter) -> ApiResult<TaskScope> {
    let place = match (f.place_id, f.topic_id) {
        (Some(pid), _) => Some(places::place_ref(conn, pid, Some("place_id"))?.0),
        (None, Some(tid)) => Some(topic_at(conn, tid)?.1),
        (None, None) => None,
    };
    if let Some(place) = place {
        if caller.holds(&SUPERVISORS, &place) {
            return Ok((
                Some(place.path),
                f.organization_id.map(|o| vec![o]),
                Vec::new(),
            ));
        }
        if caller.holds(&ORGANISATION_ROLES, &place) {
            let orgs = caller.organizations_at(&place);
            return Ok((Some(place.path), Some(orgs), Vec::new()));
        }
        return Err(ApiError::Forbidden("permission.denied"));
    }
    let grants: Vec<&crate::auth::CallerGrant> = caller
        .grants
        .iter()
        .filter(|g| ORGANISATION_ROLES.contains(&g.role))
        .filter(|g| {
            f.organization_id
                .is_none_or(|want| g.organization_id == Some(want))
        })
        .collect();
    let orgs: Vec<i64> = grants.iter().filter_map(|g| g.organization_id).collect();
    if orgs.is_empty() {
        return Err(ApiError::invalid(
            "place_id",
            "validation.required",
            "staff list tasks of a place or a topic",
        ));
    }
    let paths = grants.iter().filter_map(|g| g.place_path.clone()).collect();
    Ok((None, Some(orgs), paths))
}

/// Tasks for supervision (督办), narrowed by [`task_scope`].
pub fn list_tasks(conn: &mut DbConn, caller: &Caller, f: &TaskFilter) -> ApiResult<List<TaskOut>> {
    let page = Page::new(f.limit, f.cursor.as_deref())?;
    let (within, orgs, within_any) = task_scope(conn, caller, f)?;
    let rows = q::list_tasks(
        conn,
        &q::TaskQuery {
            within: within.as_deref(),
            within_any,
            topic_id: f.topic_id,
            organization_ids: orgs,
            overdue_at: f.overdue.unwrap_or(false).then(db::now),
            after: page.after,
            fetch: page.fetch(),
        },
    )?;
    Ok(page.finish(rows.iter().map(task_out).collect(), |t| t.id))
}

/// Objections filed during the public notice.
pub fn list_objections(
    conn: &mut DbConn,
    _caller: &Caller,
    id: i64,
) -> ApiResult<List<ObjectionOut>> {
    q::topic(conn, id)?;
    let items = q::topic_objections(conn, id)?
        .iter()
        .map(objection_out)
        .collect();
    Ok(List {
        items,
        next_cursor: None,
    })
}

/// The evaluation summary of the current round.
pub fn evaluations(
    conn: &mut DbConn,
    settings: &Settings,
    _caller: &Caller,
    id: i64,
) -> ApiResult<EvaluationSummary> {
    let topic = q::topic(conn, id)?;
    plan::summary(conn, settings, &topic)
}
