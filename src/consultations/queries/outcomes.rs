//! Outcomes, their follow-ups, and proposals (提案 / 社情民意).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::consultations::rules::{Consensus, FollowUpKind, ProposalStatus};
use crate::db::schema::{follow_ups, outcomes, proposals};
use crate::db::{self, DbConn};
use crate::error::{ApiError, ApiResult};

/// An outcome row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = outcomes)]
pub struct OutcomeRow {
    pub id: i64,
    pub agenda_item_id: i64,
    pub decision: String,
    pub consensus: Consensus,
    pub recorded_by: i64,
    pub created_at: NaiveDateTime,
}

/// Records an outcome; returns its id.
pub fn insert_outcome(
    conn: &mut DbConn,
    consultation_id: i64,
    agenda_item_id: i64,
    decision: &str,
    consensus: Consensus,
    recorded_by: i64,
) -> ApiResult<i64> {
    Ok(diesel::insert_into(outcomes::table)
        .values((
            outcomes::consultation_id.eq(consultation_id),
            outcomes::agenda_item_id.eq(agenda_item_id),
            outcomes::decision.eq(decision),
            outcomes::consensus.eq(consensus),
            outcomes::recorded_by.eq(recorded_by),
            outcomes::created_at.eq(db::now()),
        ))
        .returning(outcomes::id)
        .get_result(conn)?)
}

/// Outcome rows of a meeting.
pub fn outcomes_of(conn: &mut DbConn, consultation_id: i64) -> ApiResult<Vec<OutcomeRow>> {
    Ok(outcomes::table
        .filter(outcomes::consultation_id.eq(consultation_id))
        .order(outcomes::id)
        .select(OutcomeRow::as_select())
        .load(conn)?)
}

/// The meeting an outcome belongs to.
pub fn meeting_of_outcome(conn: &mut DbConn, outcome_id: i64) -> ApiResult<i64> {
    Ok(outcomes::table
        .find(outcome_id)
        .select(outcomes::consultation_id)
        .first(conn)?)
}

/// Adds a follow-up record.
pub fn insert_follow_up(
    conn: &mut DbConn,
    outcome_id: i64,
    kind: FollowUpKind,
    title: &str,
    task_id: Option<i64>,
    proposal_id: Option<i64>,
) -> ApiResult<()> {
    diesel::insert_into(follow_ups::table)
        .values((
            follow_ups::outcome_id.eq(outcome_id),
            follow_ups::kind.eq(kind),
            follow_ups::title.eq(title),
            follow_ups::task_id.eq(task_id),
            follow_ups::proposal_id.eq(proposal_id),
        ))
        .execute(conn)?;
    Ok(())
}

/// A follow-up row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = follow_ups)]
pub struct FollowUpRow {
    pub outcome_id: i64,
    pub kind: FollowUpKind,
    pub title: String,
    pub task_id: Option<i64>,
    pub proposal_id: Option<i64>,
}

/// Follow-ups of the given outcomes.
pub fn follow_ups_of(conn: &mut DbConn, outcome_ids: &[i64]) -> ApiResult<Vec<FollowUpRow>> {
    Ok(follow_ups::table
        .filter(follow_ups::outcome_id.eq_any(outcome_ids))
        .order(follow_ups::id)
        .select(FollowUpRow::as_select())
        .load(conn)?)
}

/// A proposal row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = proposals)]
pub struct ProposalRow {
    pub id: i64,
    pub kind: FollowUpKind,
    pub title: String,
    pub outcome_id: Option<i64>,
    pub topic_id: Option<i64>,
    pub author_id: i64,
    pub organization_id: Option<i64>,
    pub status: ProposalStatus,
    pub answer: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// Values of a new proposal drafted from an outcome.
pub struct NewProposal<'a> {
    pub kind: FollowUpKind,
    pub title: &'a str,
    pub outcome_id: i64,
    pub topic_id: Option<i64>,
    pub author_id: i64,
    pub organization_id: Option<i64>,
}

/// Inserts a draft proposal.
pub fn insert_proposal(conn: &mut DbConn, p: &NewProposal<'_>) -> ApiResult<i64> {
    let now = db::now();
    Ok(diesel::insert_into(proposals::table)
        .values((
            proposals::kind.eq(p.kind),
            proposals::title.eq(p.title),
            proposals::outcome_id.eq(p.outcome_id),
            proposals::topic_id.eq(p.topic_id),
            proposals::author_id.eq(p.author_id),
            proposals::organization_id.eq(p.organization_id),
            proposals::status.eq(ProposalStatus::Draft),
            proposals::created_at.eq(now),
            proposals::updated_at.eq(now),
        ))
        .returning(proposals::id)
        .get_result(conn)?)
}

/// A proposal, or 404.
pub fn proposal(conn: &mut DbConn, id: i64) -> ApiResult<ProposalRow> {
    proposals::table
        .find(id)
        .select(ProposalRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(ApiError::NotFound("proposal.not_found"))
}

/// Moves a proposal on (status changes only from `from`).
pub fn set_proposal_status(
    conn: &mut DbConn,
    id: i64,
    from: ProposalStatus,
    to: ProposalStatus,
    answer: Option<&str>,
) -> ApiResult<bool> {
    let n = diesel::update(
        proposals::table
            .filter(proposals::id.eq(id))
            .filter(proposals::status.eq(from)),
    )
    .set((
        proposals::status.eq(to),
        proposals::answer.eq(answer),
        proposals::updated_at.eq(db::now()),
    ))
    .execute(conn)?;
    Ok(n == 1)
}
