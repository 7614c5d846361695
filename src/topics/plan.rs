//! 筹办评: the plan with its tasks and resources, the public notice with objections, task
//! progress by the responsible organisations, and the residents' evaluation.

use crate::topics::events::EventKind;
use serde_json::json;

use super::events::{self, NewEvent};
use super::model::*;
use super::queries::{self as q, ObjectionRow, ResourceRow, TaskRow, TopicRow};
use super::reads::plan_view;
use super::rules::{self, STAFF, Stage};
use super::workflow::topic_at;
use crate::auth::{Caller, Role};
use crate::config::Settings;
use crate::db::{self, DbConn};
use crate::error::{ApiError, ApiResult};
use crate::places::queries as places;

/// Refuses changes to a plan that is published (revise only after an upheld objection) or
/// approved, or a topic that is not in the plan stage.
fn require_editable_plan(conn: &mut DbConn, topic: &TopicRow) -> ApiResult<()> {
    if topic.stage != Stage::Plan {
        return Err(ApiError::conflict("topic.not_in_plan"));
    }
    if q::plan(conn, topic.id)?.is_some_and(|p| p.published_at.is_some()) {
        return Err(ApiError::conflict("topic.plan_already_published"));
    }
    Ok(())
}

/// Saves the plan summary and resources (community or sub-district staff, plan stage).
pub fn save_plan(
    conn: &mut DbConn,
    caller: &Caller,
    id: i64,
    req: &PlanRequest,
) -> ApiResult<PlanOut> {
    db::write_tx(conn, |conn| {
        let (topic, place) = topic_at(conn, id)?;
        caller.require(&STAFF, &place)?;
        require_editable_plan(conn, &topic)?;
        let resources: Vec<ResourceRow> = req
            .resources
            .iter()
            .map(|r| ResourceRow {
                kind: r.kind,
                source: r.source.clone(),
                amount: r.amount,
                unit: r.unit.clone(),
            })
            .collect();
        q::save_plan(conn, id, &req.summary, &resources)?;
        let mut ev = NewEvent::new(EventKind::PlanSaved, caller.user_id);
        ev.payload = json!({"resources": resources.len()});
        events::append(conn, id, ev)?;
        plan_view(conn, id, None)
    })
}

/// Adds a task to the plan (staff; plan stage while the plan is a draft, or act after rework).
pub fn add_task(conn: &mut DbConn, caller: &Caller, id: i64, req: &NewTask) -> ApiResult<TaskRow> {
    db::write_tx(conn, |conn| {
        let (_, place) = topic_at(conn, id)?;
        caller.require(&STAFF, &place)?;
        insert_checked_task(conn, caller.user_id, id, req)
    })
}

/// A task decided at a consultation (a follow-up of its outcome): same rules as
/// [`add_task`] except the permission, which the outcome's recorder already passed.
pub fn add_follow_up_task(
    conn: &mut DbConn,
    actor_id: i64,
    topic_id: i64,
    title: &str,
    organization_id: Option<i64>,
    due_at: chrono::DateTime<chrono::Utc>,
) -> ApiResult<i64> {
    let req = NewTask {
        title: title.to_string(),
        organization_id,
        assignee_id: None,
        due_at,
    };
    Ok(insert_checked_task(conn, actor_id, topic_id, &req)?.id)
}

fn insert_checked_task(
    conn: &mut DbConn,
    actor_id: i64,
    id: i64,
    req: &NewTask,
) -> ApiResult<TaskRow> {
    let topic = q::topic(conn, id)?;
    if topic.stage != Stage::Act {
        require_editable_plan(conn, &topic)?;
    }
    if req.organization_id.is_none() && req.assignee_id.is_none() {
        return Err(ApiError::invalid(
            "organization_id",
            "task.responsible_required",
            "an organisation or a user",
        ));
    }
    if let Some(org) = req.organization_id
        && places::organization(conn, org)?.is_none()
    {
        return Err(ApiError::invalid(
            "organization_id",
            "organization.not_found",
            format!("no organisation {org}"),
        ));
    }
    if let Some(user) = req.assignee_id
        && crate::accounts::queries::user_by_id(conn, user)?.is_none()
    {
        return Err(ApiError::invalid(
            "assignee_id",
            "user.not_found",
            format!("no user {user}"),
        ));
    }
    let due = db::truncate_micros(req.due_at.naive_utc());
    let task = q::insert_task(
        conn,
        id,
        &req.title,
        req.organization_id,
        req.assignee_id,
        due,
    )?;
    let mut ev = NewEvent::new(EventKind::TaskCreated, actor_id);
    ev.note = Some(&req.title);
    ev.payload = json!({"task_id": task.id, "organization_id": req.organization_id, "assignee_id": req.assignee_id, "due_at": req.due_at});
    events::append(conn, id, ev)?;
    Ok(task)
}

/// Who may update a task: staff at the topic's place, the assignee, or a user acting for the
/// responsible organisation there.
pub fn may_update_task(caller: &Caller, task: &TaskRow, place: &crate::auth::PlaceRef) -> bool {
    caller.holds(&STAFF, place)
        || task.assignee_id == Some(caller.user_id)
        || task
            .organization_id
            .is_some_and(|org| caller.organizations_at(place).contains(&org))
}

/// Records progress on a task (act stage), with the version the caller saw.
pub fn update_task(
    conn: &mut DbConn,
    caller: &Caller,
    task_id: i64,
    req: &TaskPatch,
) -> ApiResult<TaskRow> {
    db::write_tx(conn, |conn| {
        let task = q::task(conn, task_id)?;
        let (topic, place) = topic_at(conn, task.topic_id)?;
        if !may_update_task(caller, &task, &place) {
            // Organisation users do not learn about other organisations' tasks.
            return Err(
                if caller.holds(&[Role::PropertyFirm, Role::Department], &place) {
                    ApiError::NotFound("task.not_found")
                } else {
                    ApiError::Forbidden("permission.denied")
                },
            );
        }
        if topic.stage != Stage::Act {
            return Err(ApiError::conflict("topic.not_in_act"));
        }
        if req.expected_version != task.version {
            return Err(ApiError::Conflict {
                code: "task.stale_version",
                detail: Some(format!("current version is {}", task.version)),
            });
        }
        if req.status.is_none() && req.progress_note.is_none() {
            return Err(ApiError::invalid(
                "status",
                "validation.required",
                "a status or a progress note",
            ));
        }
        let status = req.status.unwrap_or(task.status);
        if !q::update_task(conn, task_id, task.version, status)? {
            return Err(ApiError::conflict("task.stale_version"));
        }
        let mut ev = NewEvent::new(EventKind::TaskProgress, caller.user_id);
        ev.note = req.progress_note.as_deref();
        ev.payload =
            json!({"task_id": task_id, "from": task.status.as_str(), "to": status.as_str()});
        events::append(conn, task.topic_id, ev)?;
        q::task(conn, task_id)
    })
}

/// A resident files an objection while the plan is published (公示).
pub fn file_objection(
    conn: &mut DbConn,
    caller: &Caller,
    id: i64,
    body: &str,
) -> ApiResult<ObjectionRow> {
    db::write_tx(conn, |conn| {
        let (topic, place) = topic_at(conn, id)?;
        caller.require(&[Role::Resident], &place)?;
        let plan = q::plan(conn, id)?;
        let Some(plan) = plan.filter(|p| topic.stage == Stage::Plan && p.published_at.is_some())
        else {
            return Err(ApiError::conflict("topic.not_in_notice"));
        };
        let row = q::insert_objection(conn, id, caller.user_id, plan.revision, body)?;
        let mut ev = NewEvent::new(EventKind::ObjectionFiled, caller.user_id);
        ev.payload = json!({"objection_id": row.id, "plan_revision": plan.revision});
        events::append(conn, id, ev)?;
        Ok(row)
    })
}

/// Staff answer an objection; upheld sends the plan back for revision and republication.
pub fn answer_objection(
    conn: &mut DbConn,
    caller: &Caller,
    objection_id: i64,
    req: &ObjectionAnswer,
) -> ApiResult<ObjectionRow> {
    db::write_tx(conn, |conn| {
        let o = q::objection(conn, objection_id)?;
        let (topic, place) = topic_at(conn, o.topic_id)?;
        caller.require(&STAFF, &place)?;
        if !q::answer_objection(
            conn,
            objection_id,
            caller.user_id,
            req.decision,
            &req.reason,
        )? {
            return Err(ApiError::conflict("objection.already_answered"));
        }
        if req.decision == ObjectionDecision::Upheld && topic.stage == Stage::Plan {
            q::unpublish_plan(conn, topic.id)?;
        }
        let mut ev = NewEvent::new(
            if req.decision == ObjectionDecision::Upheld {
                EventKind::ObjectionUpheld
            } else {
                EventKind::ObjectionDismissed
            },
            caller.user_id,
        );
        ev.note = Some(&req.reason);
        ev.payload = json!({"objection_id": objection_id});
        events::append(conn, topic.id, ev)?;
        q::objection(conn, objection_id)
    })
}

/// The evaluation summary of the topic's current round.
pub fn summary(
    conn: &mut DbConn,
    settings: &Settings,
    topic: &TopicRow,
) -> ApiResult<EvaluationSummary> {
    let scores = q::scores(conn, topic.id, topic.eval_round)?;
    let (count, mean, distribution) = rules::summarize(&scores);
    Ok(EvaluationSummary {
        count,
        mean,
        distribution,
        round: topic.eval_round,
        window_closes_at: topic.eval_closes_at.map(|t| t.and_utc()),
        threshold: settings.workflow.satisfaction_threshold,
    })
}

/// An eligible resident rates the result 1-5 (editable while the window is open).
pub fn rate(
    conn: &mut DbConn,
    settings: &Settings,
    caller: &Caller,
    id: i64,
    req: &NewEvaluation,
) -> ApiResult<EvaluationSummary> {
    db::write_tx(conn, |conn| {
        // Locked first (PostgreSQL), so a resident's concurrent re-ratings queue and each
        // finds the row the previous one wrote, replacing it instead of a 409.
        q::lock_topics_in_order(conn, &[id])?;
        let (topic, place) = topic_at(conn, id)?;
        let window_open = topic.eval_closes_at.is_some_and(|end| end > db::now());
        if topic.stage != Stage::Evaluate || !window_open {
            return Err(ApiError::conflict("topic.evaluation_closed"));
        }
        let raised =
            topic.author_id == caller.user_id || topic.on_behalf_of == Some(caller.user_id);
        let supported = q::supports(conn, id, caller.user_id)?;
        let commented = q::has_commented(conn, id, caller.user_id)?;
        let attended =
            crate::consultations::queries::attended_meeting_about(conn, id, caller.user_id)?;
        let resident = caller.holds(&[Role::Resident], &place);
        if !resident
            || !rules::may_rate(
                topic.stage,
                raised,
                supported,
                commented,
                attended,
                window_open,
            )
        {
            return Err(ApiError::Forbidden("evaluation.not_eligible"));
        }
        let new = q::upsert_evaluation(
            conn,
            id,
            caller.user_id,
            topic.eval_round,
            req.score,
            &req.comment,
        )?;
        let mut ev = NewEvent::new(
            if new {
                EventKind::Rated
            } else {
                EventKind::RatingChanged
            },
            caller.user_id,
        );
        ev.payload = json!({"round": topic.eval_round, "score": req.score});
        events::append(conn, id, ev)?;
        let topic = q::topic(conn, id)?;
        summary(conn, settings, &topic)
    })
}
