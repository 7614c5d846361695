//! Outcomes of agenda items, their follow-ups (plan tasks, proposals 提案, public-opinion
//! reports 社情民意), and the proposal steps.

use crate::topics::events::EventKind;
use serde_json::json;

use super::super::model::*;
use super::super::queries::{self as q, AgendaRow, ProposalRow};
use super::super::rules::{self, FollowUpKind, ProposalStatus, Status};
use super::{locked_meeting, meeting_at, require_manager};
use crate::api::paging::List;
use crate::auth::{Caller, Role};
use crate::db::{self, DbConn};
use crate::error::{ApiError, ApiResult};
use crate::places::queries as places;
use crate::topics::events::{self, NewEvent};

fn outcomes_out(conn: &mut DbConn, id: i64) -> ApiResult<Vec<OutcomeOut>> {
    let rows = q::outcomes_of(conn, id)?;
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let follow = q::follow_ups_of(conn, &ids)?;
    Ok(rows
        .into_iter()
        .map(|o| OutcomeOut {
            id: o.id,
            agenda_item_id: o.agenda_item_id,
            decision: o.decision,
            consensus: o.consensus,
            recorded_by: o.recorded_by,
            follow_ups: follow
                .iter()
                .filter(|f| f.outcome_id == o.id)
                .map(|f| FollowUpOut {
                    kind: f.kind,
                    title: f.title.clone(),
                    task_id: f.task_id,
                    proposal_id: f.proposal_id,
                })
                .collect(),
            created_at: o.created_at.and_utc(),
        })
        .collect())
}

/// Outcomes per agenda item.
pub fn list_outcomes(conn: &mut DbConn, id: i64) -> ApiResult<List<OutcomeOut>> {
    q::consultation(conn, id)?;
    Ok(List {
        items: outcomes_out(conn, id)?,
        next_cursor: None,
    })
}

/// Gather facts: the caller manages the concluded meeting, and the agenda item is one of
/// its items without an outcome yet.
fn outcome_item(
    conn: &mut DbConn,
    caller: &Caller,
    id: i64,
    req: &NewOutcome,
) -> ApiResult<(super::ConsultationRow, AgendaRow)> {
    let (c, place) = locked_meeting(conn, id)?;
    require_manager(caller, &c, &place)?;
    if c.status != Status::Concluded {
        return Err(ApiError::conflict("consultation.not_concluded"));
    }
    let item = q::agenda(conn, id)?
        .into_iter()
        .find(|a| a.id == req.agenda_item_id)
        .ok_or_else(|| {
            ApiError::invalid(
                "agenda_item_id",
                "agenda_item.not_found",
                "not an item of this meeting",
            )
        })?;
    if q::outcomes_of(conn, id)?
        .iter()
        .any(|o| o.agenda_item_id == item.id)
    {
        return Err(ApiError::Conflict {
            code: "outcome.exists",
            detail: Some("this agenda item already has an outcome".into()),
        });
    }
    Ok((c, item))
}

/// A follow-up that becomes a plan task of the item's topic (plan stage); errors of the
/// plan name the follow-up's fields.
fn task_follow_up(
    conn: &mut DbConn,
    caller: &Caller,
    item: &AgendaRow,
    f: &FollowUp,
    field: &dyn Fn(&str) -> String,
) -> ApiResult<i64> {
    let topic_id = item.topic_id.ok_or_else(|| {
        ApiError::invalid(
            field("kind"),
            "outcome.task_needs_topic",
            "the agenda item has no topic",
        )
    })?;
    let due = f.due_at.ok_or_else(|| {
        ApiError::invalid(
            field("due_at"),
            "validation.required",
            "a task needs a due date",
        )
    })?;
    crate::topics::plan::add_follow_up_task(
        conn,
        caller.user_id,
        topic_id,
        &f.title,
        f.organization_id,
        due,
    )
    .map_err(|e| match e {
        ApiError::Conflict { code, detail } => {
            ApiError::invalid(field("kind"), code, detail.unwrap_or_default())
        }
        ApiError::Invalid {
            code,
            field: inner,
            detail,
        } => ApiError::invalid(field(&inner), code, detail),
        other => other,
    })
}

/// Apply effects: each follow-up becomes a plan task or a proposal draft, and is recorded.
fn apply_follow_ups(
    conn: &mut DbConn,
    caller: &Caller,
    outcome: i64,
    item: &AgendaRow,
    follow_ups: &[FollowUp],
) -> ApiResult<()> {
    for (i, f) in follow_ups.iter().enumerate() {
        let field = |name: &str| format!("follow_ups[{i}].{name}");
        match f.kind {
            FollowUpKind::Task => {
                let task = task_follow_up(conn, caller, item, f, &field)?;
                q::insert_follow_up(conn, outcome, f.kind, &f.title, Some(task), None)?;
            }
            FollowUpKind::Proposal | FollowUpKind::OpinionReport => {
                if let Some(o) = f.organization_id
                    && places::organization(conn, o)?.is_none()
                {
                    return Err(ApiError::invalid(
                        field("organization_id"),
                        "organization.not_found",
                        format!("no organisation {o}"),
                    ));
                }
                let p = q::insert_proposal(
                    conn,
                    &q::NewProposal {
                        kind: f.kind,
                        title: &f.title,
                        outcome_id: outcome,
                        topic_id: item.topic_id,
                        author_id: caller.user_id,
                        organization_id: f.organization_id,
                    },
                )?;
                q::insert_follow_up(conn, outcome, f.kind, &f.title, None, Some(p))?;
            }
        }
    }
    Ok(())
}

/// Records the outcome of an agenda item after the meeting (sub-district staff or the
/// convener), turning follow-ups into plan tasks or proposal drafts.
pub fn record_outcome(
    conn: &mut DbConn,
    caller: &Caller,
    id: i64,
    req: &NewOutcome,
) -> ApiResult<OutcomeOut> {
    db::write_tx(conn, |conn| {
        let (c, item) = outcome_item(conn, caller, id, req)?;
        let outcome = q::insert_outcome(
            conn,
            id,
            item.id,
            &req.decision,
            req.consensus,
            caller.user_id,
        )?;
        apply_follow_ups(conn, caller, outcome, &item, &req.follow_ups)?;
        if let Some(topic_id) = item.topic_id {
            let mut ev = NewEvent::new(EventKind::MeetingOutcome, caller.user_id);
            ev.note = Some(&req.decision);
            ev.payload = json!({"consultation_id": id, "kind": c.kind, "consensus": req.consensus, "outcome_id": outcome});
            events::append(conn, topic_id, ev)?;
        }
        outcomes_out(conn, id)?
            .into_iter()
            .find(|o| o.id == outcome)
            .ok_or(ApiError::NotFound("outcome.not_found"))
    })
}

fn proposal_out(p: ProposalRow) -> ProposalOut {
    ProposalOut {
        id: p.id,
        kind: p.kind,
        title: p.title,
        outcome_id: p.outcome_id,
        topic_id: p.topic_id,
        author_id: p.author_id,
        organization_id: p.organization_id,
        status: p.status,
        answer: p.answer,
    }
}

/// A proposal or public-opinion report drafted from an outcome.
pub fn get_proposal(conn: &mut DbConn, id: i64) -> ApiResult<ProposalOut> {
    Ok(proposal_out(q::proposal(conn, id)?))
}

/// May the caller take the proposal to `to`? The author submits; the answering
/// organisation's users acting for it at the meeting's place, or sub-district staff there,
/// accept and answer.
fn may_move(
    conn: &mut DbConn,
    caller: &Caller,
    p: &ProposalRow,
    to: ProposalStatus,
) -> ApiResult<bool> {
    if to == ProposalStatus::Submitted {
        return Ok(p.author_id == caller.user_id);
    }
    let place = match p.outcome_id {
        Some(o) => {
            let cid = q::meeting_of_outcome(conn, o)?;
            Some(meeting_at(conn, cid)?.1)
        }
        None => None,
    };
    // The organisation answers through grants held at the meeting's place, not anywhere.
    Ok(place.is_some_and(|pl| {
        p.organization_id
            .is_some_and(|o| caller.organizations_at(&pl).contains(&o))
            || caller.holds(&[Role::SubdistrictStaff], &pl)
    }))
}

/// Moves a proposal on: draft → submitted → accepted → answered (an answer is required).
pub fn move_proposal(
    conn: &mut DbConn,
    caller: &Caller,
    id: i64,
    req: &ProposalTransition,
) -> ApiResult<ProposalOut> {
    db::write_tx(conn, |conn| {
        let p = q::proposal(conn, id)?;
        if !rules::next_proposal_status(p.status, req.to) {
            return Err(ApiError::conflict("proposal.invalid_transition"));
        }
        if !may_move(conn, caller, &p, req.to)? {
            return Err(ApiError::Forbidden("permission.denied"));
        }
        if req.to == ProposalStatus::Answered
            && req.answer.as_deref().is_none_or(|a| a.trim().is_empty())
        {
            return Err(ApiError::invalid(
                "answer",
                "validation.required",
                "an answer is required",
            ));
        }
        let answer = req.answer.as_deref().or(p.answer.as_deref());
        if !q::set_proposal_status(conn, id, p.status, req.to, answer)? {
            return Err(ApiError::conflict("proposal.invalid_transition"));
        }
        Ok(proposal_out(q::proposal(conn, id)?))
    })
}
