//! Rows to wire types: pure mappings shared by the read and write actions and the public pages.

use super::events::EventRow;
use super::model::*;
use super::queries::{CommentRow, ObjectionRow, PlanRow, ResourceRow, TaskRow, TopicRow};
use crate::db;

/// The wire form of a task; `overdue` is judged against the current time.
pub fn task_out(t: &TaskRow) -> TaskOut {
    TaskOut {
        id: t.id,
        topic_id: t.topic_id,
        title: t.title.clone(),
        organization_id: t.organization_id,
        assignee_id: t.assignee_id,
        due_at: t.due_at.and_utc(),
        status: t.status,
        overdue: t.status != TaskStatus::Done && t.due_at < db::now(),
        version: t.version,
        done_at: t.done_at.map(|d| d.and_utc()),
    }
}

/// The wire form of an objection.
pub fn objection_out(o: &ObjectionRow) -> ObjectionOut {
    ObjectionOut {
        id: o.id,
        topic_id: o.topic_id,
        author_id: o.author_id,
        plan_revision: o.plan_revision,
        body: o.body.clone(),
        decision: o.decision,
        reason: o.reason.clone(),
        answered_at: o.answered_at.map(|t| t.and_utc()),
        created_at: o.created_at.and_utc(),
    }
}

/// The wire form of a comment; a hidden body shows only when `reveal` (its author, staff).
pub fn comment_out(c: &CommentRow, reveal: bool) -> CommentOut {
    CommentOut {
        id: c.id,
        topic_id: c.topic_id,
        author_id: c.author_id,
        parent_id: c.parent_id,
        body: if c.hidden && !reveal {
            String::new()
        } else {
            c.body.clone()
        },
        stance: c.stance,
        hidden: c.hidden,
        hidden_reason: c.hidden_reason.clone(),
        created_at: c.created_at.and_utc(),
    }
}

/// The wire form of a timeline row.
pub fn event_out(e: EventRow) -> EventOut {
    EventOut {
        id: e.id,
        seq: e.seq,
        kind: e.kind,
        actor_id: e.actor_id,
        from_stage: e.from_stage,
        to_stage: e.to_stage,
        note: e.note,
        created_at: e.created_at.and_utc(),
        hash: e.hash,
        prev_hash: e.prev_hash,
    }
}

/// Supporters after a support or its undo.
pub fn support_out(t: &TopicRow, supported: bool, hot_threshold: i32) -> SupportOut {
    SupportOut {
        topic_id: t.id,
        supporters_count: t.supporters_count,
        supported,
        hot: super::rules::is_hot(t.supporters_count, hot_threshold),
    }
}

/// The plan as callers see it (a topic without a plan row shows an empty draft).
pub fn plan_out(
    topic_id: i64,
    plan: Option<PlanRow>,
    resources: Vec<ResourceRow>,
    tasks: Vec<TaskOut>,
) -> PlanOut {
    let resources = resources
        .into_iter()
        .map(|r| Resource {
            kind: r.kind,
            source: r.source,
            amount: r.amount,
            unit: r.unit,
        })
        .collect();
    let utc = |t: Option<chrono::NaiveDateTime>| t.map(|t| t.and_utc());
    match plan {
        Some(p) => PlanOut {
            topic_id,
            summary: p.summary,
            status: if p.approved_at.is_some() {
                PlanStatus::Approved
            } else if p.published_at.is_some() {
                PlanStatus::Published
            } else {
                PlanStatus::Draft
            },
            revision: p.revision,
            published_at: utc(p.published_at),
            notice_ends_at: utc(p.notice_ends_at),
            approved_at: utc(p.approved_at),
            resources,
            tasks,
        },
        None => PlanOut {
            topic_id,
            summary: String::new(),
            status: PlanStatus::Draft,
            revision: 0,
            published_at: None,
            notice_ends_at: None,
            approved_at: None,
            resources,
            tasks,
        },
    }
}
