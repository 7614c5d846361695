//! Storage of consultations, agendas, invitations, outcomes, proposals and sign-offs.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{
    agenda_items, calendar_tokens, consultations, follow_ups, invitations, minutes_signoffs,
    outcomes, places, proposals,
};
use crate::db::{self, DbConn};
use crate::error::{ApiError, ApiResult};

/// A consultation row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = consultations)]
pub struct ConsultationRow {
    pub id: i64,
    pub place_id: i64,
    pub title: String,
    pub kind: String,
    pub format: String,
    pub venue: Option<String>,
    pub online_url: Option<String>,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    pub convener_id: i64,
    pub status: String,
    pub minutes: Option<String>,
    pub cancel_reason: Option<String>,
    pub version: i32,
    pub ical_sequence: i32,
    pub concluded_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A consultation, or 404.
pub fn consultation(conn: &mut DbConn, id: i64) -> ApiResult<ConsultationRow> {
    consultations::table
        .find(id)
        .select(ConsultationRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(ApiError::NotFound("consultation.not_found"))
}

/// Values of a new consultation.
pub struct NewRow<'a> {
    pub place_id: i64,
    pub title: &'a str,
    pub kind: &'a str,
    pub format: &'a str,
    pub venue: Option<&'a str>,
    pub online_url: Option<&'a str>,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    pub convener_id: i64,
}

/// Inserts a draft.
pub fn insert(conn: &mut DbConn, c: &NewRow<'_>) -> ApiResult<i64> {
    let now = db::now();
    Ok(diesel::insert_into(consultations::table)
        .values((
            consultations::place_id.eq(c.place_id),
            consultations::title.eq(c.title),
            consultations::kind.eq(c.kind),
            consultations::format.eq(c.format),
            consultations::venue.eq(c.venue),
            consultations::online_url.eq(c.online_url),
            consultations::starts_at.eq(c.starts_at),
            consultations::ends_at.eq(c.ends_at),
            consultations::convener_id.eq(c.convener_id),
            consultations::status.eq("draft"),
            consultations::version.eq(1),
            consultations::ical_sequence.eq(0),
            consultations::created_at.eq(now),
            consultations::updated_at.eq(now),
        ))
        .returning(consultations::id)
        .get_result(conn)?)
}

/// Bumps the version if still `expected` (and the iCalendar sequence when `reschedule`).
pub fn claim_version(
    conn: &mut DbConn,
    id: i64,
    expected: i32,
    reschedule: bool,
) -> ApiResult<bool> {
    let bump = if reschedule { 1 } else { 0 };
    let n = diesel::update(
        consultations::table
            .filter(consultations::id.eq(id))
            .filter(consultations::version.eq(expected)),
    )
    .set((
        consultations::version.eq(expected + 1),
        consultations::ical_sequence.eq(consultations::ical_sequence + bump),
        consultations::updated_at.eq(db::now()),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// Meetings that hold time: scheduled or in progress, overlapping [start, end), other than `except`.
pub fn busy_between(
    conn: &mut DbConn,
    start: NaiveDateTime,
    end: NaiveDateTime,
    except: Option<i64>,
) -> ApiResult<Vec<ConsultationRow>> {
    let mut q = consultations::table
        .filter(consultations::status.eq_any(["scheduled", "in_progress"]))
        .filter(consultations::starts_at.lt(end))
        .filter(consultations::ends_at.gt(start))
        .select(ConsultationRow::as_select())
        .into_boxed();
    if let Some(id) = except {
        q = q.filter(consultations::id.ne(id));
    }
    Ok(q.order(consultations::starts_at).load(conn)?)
}

/// Filters of the consultation list, resolved.
pub struct ListQuery<'a> {
    pub within: Option<&'a str>,
    pub status: Option<&'a str>,
    pub from: Option<NaiveDateTime>,
    pub to: Option<NaiveDateTime>,
    pub participant: Option<i64>,
    pub after: Option<i64>,
    pub fetch: i64,
}

/// Lists consultations.
pub fn list(conn: &mut DbConn, f: &ListQuery<'_>) -> ApiResult<Vec<ConsultationRow>> {
    use crate::places::rules::subtree_range;
    let mut q = consultations::table
        .inner_join(places::table.on(places::id.eq(consultations::place_id)))
        .select(ConsultationRow::as_select())
        .into_boxed();
    if let Some(path) = f.within {
        let (lo, hi) = subtree_range(path);
        q = q.filter(places::path.ge(lo)).filter(places::path.lt(hi));
    }
    if let Some(s) = f.status {
        q = q.filter(consultations::status.eq(s));
    }
    if let Some(from) = f.from {
        q = q.filter(consultations::ends_at.gt(from));
    }
    if let Some(to) = f.to {
        q = q.filter(consultations::starts_at.lt(to));
    }
    if let Some(user) = f.participant {
        let invited = invitations::table
            .filter(invitations::user_id.eq(user))
            .select(invitations::consultation_id);
        q = q.filter(
            consultations::convener_id
                .eq(user)
                .or(consultations::id.eq_any(invited)),
        );
    }
    if let Some(a) = f.after {
        q = q.filter(consultations::id.gt(a));
    }
    Ok(q.order(consultations::id).limit(f.fetch).load(conn)?)
}

/// An agenda item row: (id, position, title, topic_id, presenter_id, minutes).
pub type AgendaRow = (i64, i32, String, Option<i64>, Option<i64>, i32);

/// The agenda in order.
pub fn agenda(conn: &mut DbConn, consultation_id: i64) -> ApiResult<Vec<AgendaRow>> {
    Ok(agenda_items::table
        .filter(agenda_items::consultation_id.eq(consultation_id))
        .order((agenda_items::position, agenda_items::id))
        .select((
            agenda_items::id,
            agenda_items::position,
            agenda_items::title,
            agenda_items::topic_id,
            agenda_items::presenter_id,
            agenda_items::minutes,
        ))
        .load(conn)?)
}

/// Appends an agenda item at the end.
pub fn add_agenda_item(
    conn: &mut DbConn,
    consultation_id: i64,
    title: &str,
    topic_id: Option<i64>,
    presenter_id: Option<i64>,
    minutes: i32,
) -> ApiResult<i64> {
    let last: Option<i32> = agenda_items::table
        .filter(agenda_items::consultation_id.eq(consultation_id))
        .select(diesel::dsl::max(agenda_items::position))
        .first(conn)?;
    Ok(diesel::insert_into(agenda_items::table)
        .values((
            agenda_items::consultation_id.eq(consultation_id),
            agenda_items::position.eq(last.unwrap_or(0) + 1),
            agenda_items::title.eq(title),
            agenda_items::topic_id.eq(topic_id),
            agenda_items::presenter_id.eq(presenter_id),
            agenda_items::minutes.eq(minutes),
        ))
        .returning(agenda_items::id)
        .get_result(conn)?)
}

/// Sets positions 1..n in the given order.
pub fn reorder(conn: &mut DbConn, ids: &[i64]) -> ApiResult<()> {
    for (i, id) in ids.iter().enumerate() {
        diesel::update(agenda_items::table.find(id))
            .set(agenda_items::position.eq(i as i32 + 1))
            .execute(conn)?;
    }
    Ok(())
}

/// An invitation row: (id, user_id, organization_id, category, response, attended).
pub type InvitationRow = (i64, Option<i64>, Option<i64>, String, String, bool);

/// Invitations of a meeting.
pub fn invitations_of(conn: &mut DbConn, consultation_id: i64) -> ApiResult<Vec<InvitationRow>> {
    Ok(invitations::table
        .filter(invitations::consultation_id.eq(consultation_id))
        .order(invitations::id)
        .select((
            invitations::id,
            invitations::user_id,
            invitations::organization_id,
            invitations::category,
            invitations::response,
            invitations::attended,
        ))
        .load(conn)?)
}

/// Adds an invitation (pending).
pub fn invite(
    conn: &mut DbConn,
    consultation_id: i64,
    user_id: Option<i64>,
    organization_id: Option<i64>,
    category: &str,
) -> ApiResult<i64> {
    Ok(diesel::insert_into(invitations::table)
        .values((
            invitations::consultation_id.eq(consultation_id),
            invitations::user_id.eq(user_id),
            invitations::organization_id.eq(organization_id),
            invitations::category.eq(category),
            invitations::response.eq("pending"),
            invitations::attended.eq(false),
            invitations::created_at.eq(db::now()),
        ))
        .returning(invitations::id)
        .get_result(conn)?)
}

/// Records a response.
pub fn respond(conn: &mut DbConn, invitation_id: i64, response: &str) -> ApiResult<()> {
    diesel::update(invitations::table.find(invitation_id))
        .set(invitations::response.eq(response))
        .execute(conn)?;
    Ok(())
}

/// Records attendance for every invitation of a meeting.
pub fn set_attendance(conn: &mut DbConn, consultation_id: i64, attended: &[i64]) -> ApiResult<()> {
    diesel::update(invitations::table.filter(invitations::consultation_id.eq(consultation_id)))
        .set(invitations::attended.eq(false))
        .execute(conn)?;
    diesel::update(
        invitations::table
            .filter(invitations::consultation_id.eq(consultation_id))
            .filter(invitations::id.eq_any(attended)),
    )
    .set(invitations::attended.eq(true))
    .execute(conn)?;
    Ok(())
}

/// Meetings (scheduled or in progress) in which `user` convenes or holds a time-booking
/// invitation, overlapping [start, end), other than `except`.
pub fn user_busy(
    conn: &mut DbConn,
    user: i64,
    start: NaiveDateTime,
    end: NaiveDateTime,
    except: Option<i64>,
) -> ApiResult<Vec<ConsultationRow>> {
    let booked = invitations::table
        .filter(invitations::user_id.eq(user))
        .filter(invitations::response.ne("declined"))
        .select(invitations::consultation_id);
    let mut q = consultations::table
        .filter(consultations::status.eq_any(["scheduled", "in_progress"]))
        .filter(consultations::starts_at.lt(end))
        .filter(consultations::ends_at.gt(start))
        .filter(
            consultations::convener_id
                .eq(user)
                .or(consultations::id.eq_any(booked)),
        )
        .select(ConsultationRow::as_select())
        .into_boxed();
    if let Some(id) = except {
        q = q.filter(consultations::id.ne(id));
    }
    Ok(q.order(consultations::starts_at).load(conn)?)
}

/// Records an outcome with its follow-ups; returns its id.
pub fn insert_outcome(
    conn: &mut DbConn,
    consultation_id: i64,
    agenda_item_id: i64,
    decision: &str,
    consensus: &str,
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

/// An outcome row: (id, agenda_item_id, decision, consensus, recorded_by, created_at).
pub type OutcomeRow = (i64, i64, String, String, i64, NaiveDateTime);

/// Outcome rows of a meeting.
pub fn outcomes_of(conn: &mut DbConn, consultation_id: i64) -> ApiResult<Vec<OutcomeRow>> {
    Ok(outcomes::table
        .filter(outcomes::consultation_id.eq(consultation_id))
        .order(outcomes::id)
        .select((
            outcomes::id,
            outcomes::agenda_item_id,
            outcomes::decision,
            outcomes::consensus,
            outcomes::recorded_by,
            outcomes::created_at,
        ))
        .load(conn)?)
}

/// Adds a follow-up record.
pub fn insert_follow_up(
    conn: &mut DbConn,
    outcome_id: i64,
    kind: &str,
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

/// A follow-up row: (outcome_id, kind, title, task_id, proposal_id).
pub type FollowUpRow = (i64, String, String, Option<i64>, Option<i64>);

/// Follow-ups of the given outcomes.
pub fn follow_ups_of(conn: &mut DbConn, outcome_ids: &[i64]) -> ApiResult<Vec<FollowUpRow>> {
    Ok(follow_ups::table
        .filter(follow_ups::outcome_id.eq_any(outcome_ids))
        .order(follow_ups::id)
        .select((
            follow_ups::outcome_id,
            follow_ups::kind,
            follow_ups::title,
            follow_ups::task_id,
            follow_ups::proposal_id,
        ))
        .load(conn)?)
}

/// A proposal row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = proposals)]
pub struct ProposalRow {
    pub id: i64,
    pub kind: String,
    pub title: String,
    pub outcome_id: Option<i64>,
    pub topic_id: Option<i64>,
    pub author_id: i64,
    pub organization_id: Option<i64>,
    pub status: String,
    pub answer: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// Inserts a draft proposal.
pub fn insert_proposal(
    conn: &mut DbConn,
    kind: &str,
    title: &str,
    outcome_id: i64,
    topic_id: Option<i64>,
    author_id: i64,
    organization_id: Option<i64>,
) -> ApiResult<i64> {
    let now = db::now();
    Ok(diesel::insert_into(proposals::table)
        .values((
            proposals::kind.eq(kind),
            proposals::title.eq(title),
            proposals::outcome_id.eq(outcome_id),
            proposals::topic_id.eq(topic_id),
            proposals::author_id.eq(author_id),
            proposals::organization_id.eq(organization_id),
            proposals::status.eq("draft"),
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
    from: &str,
    to: &str,
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

/// Sign-offs of a meeting: (user_id, confirmed, dissent).
pub fn signoffs(
    conn: &mut DbConn,
    consultation_id: i64,
) -> ApiResult<Vec<(i64, bool, Option<String>)>> {
    Ok(minutes_signoffs::table
        .filter(minutes_signoffs::consultation_id.eq(consultation_id))
        .order(minutes_signoffs::id)
        .select((
            minutes_signoffs::user_id,
            minutes_signoffs::confirmed,
            minutes_signoffs::dissent,
        ))
        .load(conn)?)
}

/// Records a sign-off once per attendee; false when already recorded.
pub fn sign_off(
    conn: &mut DbConn,
    consultation_id: i64,
    user_id: i64,
    dissent: Option<&str>,
) -> ApiResult<bool> {
    let existing: Option<i64> = minutes_signoffs::table
        .filter(minutes_signoffs::consultation_id.eq(consultation_id))
        .filter(minutes_signoffs::user_id.eq(user_id))
        .select(minutes_signoffs::id)
        .first(conn)
        .optional()?;
    if existing.is_some() {
        return Ok(false);
    }
    diesel::insert_into(minutes_signoffs::table)
        .values((
            minutes_signoffs::consultation_id.eq(consultation_id),
            minutes_signoffs::user_id.eq(user_id),
            minutes_signoffs::confirmed.eq(dissent.is_none()),
            minutes_signoffs::dissent.eq(dissent),
            minutes_signoffs::created_at.eq(db::now()),
        ))
        .execute(conn)?;
    Ok(true)
}

/// Does a concluded hearing or opinion-solicitation meeting have an outcome for the topic?
/// (The `major` rule of decide.)
pub fn has_hearing_outcome(conn: &mut DbConn, topic_id: i64) -> ApiResult<bool> {
    let n: i64 = outcomes::table
        .inner_join(agenda_items::table.on(agenda_items::id.eq(outcomes::agenda_item_id)))
        .inner_join(consultations::table.on(consultations::id.eq(outcomes::consultation_id)))
        .filter(agenda_items::topic_id.eq(topic_id))
        .filter(consultations::status.eq("concluded"))
        .filter(consultations::kind.eq_any(["hearing", "opinion_solicitation"]))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// Did the user attend a meeting that had the topic on its agenda? (Evaluation eligibility.)
pub fn attended_meeting_about(conn: &mut DbConn, topic_id: i64, user_id: i64) -> ApiResult<bool> {
    let meetings = agenda_items::table
        .filter(agenda_items::topic_id.eq(topic_id))
        .select(agenda_items::consultation_id);
    let n: i64 = invitations::table
        .filter(invitations::user_id.eq(user_id))
        .filter(invitations::attended.eq(true))
        .filter(invitations::consultation_id.eq_any(meetings))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// Ids of escalated topics already on the agenda of a meeting that is not cancelled.
pub fn scheduled_topic_ids(conn: &mut DbConn) -> ApiResult<Vec<i64>> {
    Ok(agenda_items::table
        .inner_join(consultations::table.on(consultations::id.eq(agenda_items::consultation_id)))
        .filter(consultations::status.ne("cancelled"))
        .filter(agenda_items::topic_id.is_not_null())
        .select(agenda_items::topic_id.assume_not_null())
        .load(conn)?)
}

/// Meetings with the topic on their agenda (for timeline events).
pub fn meetings_about(conn: &mut DbConn, consultation_id: i64) -> ApiResult<Vec<i64>> {
    Ok(agenda_items::table
        .filter(agenda_items::consultation_id.eq(consultation_id))
        .filter(agenda_items::topic_id.is_not_null())
        .select(agenda_items::topic_id.assume_not_null())
        .load(conn)?)
}

/// The user holding a calendar feed token hash.
pub fn feed_user(conn: &mut DbConn, token_hash: &str) -> ApiResult<Option<i64>> {
    Ok(calendar_tokens::table
        .filter(calendar_tokens::token_hash.eq(token_hash))
        .select(calendar_tokens::user_id)
        .first(conn)
        .optional()?)
}

/// Sets (replaces) a user's feed token.
pub fn set_feed_token(conn: &mut DbConn, user_id: i64, token_hash: &str) -> ApiResult<()> {
    diesel::delete(calendar_tokens::table.find(user_id)).execute(conn)?;
    diesel::insert_into(calendar_tokens::table)
        .values((
            calendar_tokens::user_id.eq(user_id),
            calendar_tokens::token_hash.eq(token_hash),
            calendar_tokens::created_at.eq(db::now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Revokes a user's feed token; false when there was none.
pub fn revoke_feed_token(conn: &mut DbConn, user_id: i64) -> ApiResult<bool> {
    Ok(diesel::delete(calendar_tokens::table.find(user_id)).execute(conn)? == 1)
}
