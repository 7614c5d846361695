//! Meetings: create, read, list, edit/move, and the status transitions.

use crate::topics::events::EventKind;
use chrono::{Duration, NaiveDateTime};

use super::super::model::*;
use super::super::queries::{self as q, ConsultationRow, InvitationRow};
use super::super::rules::{self, Action, CONVENERS, Category, Facts, Refusal, Status};
use super::mail::{Mailing, mail_participants};
use super::schedule::check_clashes;
use super::{locked_meeting, require_fit, require_manager, require_version, tell_topics};
use crate::api::paging::{List, Page};
use crate::auth::{Caller, PlaceRef};
use crate::config::Settings;
use crate::db::{self, DbConn};
use crate::error::{ApiError, ApiResult};
use crate::places::queries as places;
use crate::topics::queries as topics;
use crate::topics::rules::Stage;

/// The wire form of a meeting, given its invitations: the required participant categories
/// (settings) that no invitee who has not declined covers yet.
fn out_with(
    settings: &Settings,
    c: &ConsultationRow,
    invitations: &[&InvitationRow],
) -> ConsultationOut {
    let invited: Vec<Category> = invitations
        .iter()
        .filter(|i| i.response != rules::Response::Declined)
        .map(|i| i.category)
        .collect();
    let utc = |t: NaiveDateTime| t.and_utc();
    ConsultationOut {
        id: c.id,
        place_id: c.place_id,
        title: c.title.clone(),
        kind: c.kind,
        format: c.format,
        venue: c.venue.clone(),
        online_url: c.online_url.clone(),
        starts_at: utc(c.starts_at),
        ends_at: utc(c.ends_at),
        convener_id: c.convener_id,
        status: c.status,
        minutes: c.minutes.clone(),
        cancel_reason: c.cancel_reason.clone(),
        version: c.version,
        concluded_at: c.concluded_at.map(utc),
        started_at: c.started_at.map(utc),
        missing_categories: rules::missing_categories(
            settings.consultations.required_for(c.kind),
            &invited,
        ),
    }
}

/// The wire form of one meeting.
pub fn view(
    conn: &mut DbConn,
    settings: &Settings,
    c: &ConsultationRow,
) -> ApiResult<ConsultationOut> {
    let invitations = q::invitations_of(conn, c.id)?;
    Ok(out_with(
        settings,
        c,
        &invitations.iter().collect::<Vec<_>>(),
    ))
}

/// The wire form of many meetings, their invitations read in one query.
fn views(
    conn: &mut DbConn,
    settings: &Settings,
    rows: &[ConsultationRow],
) -> ApiResult<Vec<ConsultationOut>> {
    let ids: Vec<i64> = rows.iter().map(|c| c.id).collect();
    let invitations = q::invitations_of_many(conn, &ids)?;
    Ok(rows
        .iter()
        .map(|c| {
            let own: Vec<&InvitationRow> = invitations
                .iter()
                .filter(|i| i.consultation_id == c.id)
                .collect();
            out_with(settings, c, &own)
        })
        .collect())
}

/// One meeting.
pub fn get(conn: &mut DbConn, settings: &Settings, id: i64) -> ApiResult<ConsultationOut> {
    let c = q::consultation(conn, id)?;
    view(conn, settings, &c)
}

/// Lists meetings by place subtree, status, time range, participant, and (`mine`) the
/// caller's role places. Another person's meetings (`participant_id`) are their free/busy:
/// conveners only, for people within their places.
pub fn list(
    conn: &mut DbConn,
    settings: &Settings,
    caller: &Caller,
    f: &ConsultationFilter,
) -> ApiResult<List<ConsultationOut>> {
    let page = Page::new(f.limit, f.cursor.as_deref())?;
    if let Some(p) = f.participant_id.filter(|&p| p != caller.user_id) {
        // Whose meetings someone has is their free/busy: the same reach as free slots.
        super::require_reach(conn, caller, &[p])?;
    }
    let within = match f.place_id {
        Some(id) => Some(places::place_ref(conn, id, Some("place_id"))?.0.path),
        None => None,
    };
    let mine = if f.mine == Some(true) {
        caller.role_subtrees()
    } else {
        None
    };
    let rows = q::list(
        conn,
        &q::ListQuery {
            within: within.as_deref(),
            within_any: mine.as_deref(),
            status: f.status,
            from: f.from.map(|t| t.naive_utc()),
            to: f.to.map(|t| t.naive_utc()),
            participant: f.participant_id,
            after: page.after,
            fetch: page.fetch(),
        },
    )?;
    let outs = views(conn, settings, &rows)?;
    Ok(page.finish(outs, |c| c.id))
}

fn check_times(starts: NaiveDateTime, ends: NaiveDateTime) -> ApiResult<()> {
    if ends <= starts {
        return Err(ApiError::invalid(
            "ends_at",
            "consultation.invalid_time",
            "ends_at must be after starts_at",
        ));
    }
    if ends - starts > Duration::hours(24) {
        return Err(ApiError::invalid(
            "ends_at",
            "consultation.invalid_time",
            "a meeting lasts at most 24 hours",
        ));
    }
    Ok(())
}

/// A topic may be discussed at a meeting: in discuss or later and inside the meeting's place.
pub(super) fn agenda_topic(
    conn: &mut DbConn,
    topic_id: i64,
    place: &PlaceRef,
    field: &str,
) -> ApiResult<topics::TopicRow> {
    let t = topics::topic(conn, topic_id)
        .map_err(|_| ApiError::invalid(field, "topic.not_found", "no such topic"))?;
    let (tplace, _) = places::place_ref(conn, t.place_id, None)?;
    let in_catalog = !matches!(t.stage(), Stage::Say) && t.catalog_no.is_some();
    if !in_catalog || !crate::auth::roles::covers(&place.path, &tplace.path) {
        return Err(ApiError::invalid(
            field,
            "consultation.invalid_topic",
            "a catalog topic (discuss or later) within the meeting's place",
        ));
    }
    Ok(t)
}

/// Creates a draft meeting; with `from_topic_id` the topic becomes its first agenda item.
pub fn create(
    conn: &mut DbConn,
    settings: &Settings,
    caller: &Caller,
    req: &NewConsultation,
) -> ApiResult<ConsultationOut> {
    let topics: Vec<i64> = req.from_topic_id.into_iter().collect();
    create_with_topics(conn, settings, caller, req, &topics, "from_topic_id")
}

/// Creates a draft meeting with `topic_ids` (catalog topics within its place) as its agenda,
/// in that order, sharing the meeting's time (at most an hour each); a refused topic names
/// `field`. `req.from_topic_id` is ignored: the topics come from `topic_ids`. The page's
/// create form, which may pick several topics, calls this; the API's create is the one-topic
/// case.
pub fn create_with_topics(
    conn: &mut DbConn,
    settings: &Settings,
    caller: &Caller,
    req: &NewConsultation,
    topic_ids: &[i64],
    field: &str,
) -> ApiResult<ConsultationOut> {
    db::write_tx(conn, |conn| {
        let (place, _) = places::place_ref(conn, req.place_id, Some("place_id"))?;
        caller.require(&CONVENERS, &place)?;
        let (starts, ends) = (
            db::truncate_micros(req.starts_at.naive_utc()),
            db::truncate_micros(req.ends_at.naive_utc()),
        );
        check_times(starts, ends)?;
        let mut topics = Vec::new();
        for &tid in topic_ids {
            if !topics.iter().any(|t: &topics::TopicRow| t.id == tid) {
                topics.push(agenda_topic(conn, tid, &place, field)?);
            }
        }
        let id = q::insert(
            conn,
            &q::NewRow {
                place_id: place.id,
                title: &req.title,
                kind: req.kind,
                format: req.format,
                venue: req.venue.as_deref(),
                online_url: req.online_url.as_deref(),
                starts_at: starts,
                ends_at: ends,
                convener_id: caller.user_id,
            },
        )?;
        if !topics.is_empty() {
            let share = (ends - starts).num_minutes() / topics.len() as i64;
            let minutes = share.clamp(1, 60) as i32;
            for t in &topics {
                q::add_agenda_item(conn, id, &t.title, Some(t.id), None, minutes)?;
            }
            let c = q::consultation(conn, id)?;
            tell_topics(
                conn,
                &c,
                EventKind::MeetingPlanned,
                caller.user_id,
                Some(&req.title),
            )?;
        }
        get(conn, settings, id)
    })
}

/// Edits or moves a meeting (draft or scheduled); a move is checked for clashes again and
/// bumps the calendar SEQUENCE.
pub fn update(
    conn: &mut DbConn,
    settings: &Settings,
    caller: &Caller,
    id: i64,
    req: &ConsultationPatch,
) -> ApiResult<ConsultationOut> {
    db::write_tx(conn, |conn| {
        let (c, place) = locked_meeting(conn, id)?;
        require_manager(caller, &c, &place)?;
        require_version(&c, req.expected_version)?;
        if !matches!(c.status, Status::Draft | Status::Scheduled) {
            return Err(ApiError::conflict("consultation.not_editable"));
        }
        let at = |t: Option<chrono::DateTime<chrono::Utc>>, old| {
            t.map(|t| db::truncate_micros(t.naive_utc())).unwrap_or(old)
        };
        let (starts, ends) = (at(req.starts_at, c.starts_at), at(req.ends_at, c.ends_at));
        check_times(starts, ends)?;
        let allotted: Vec<i32> = q::agenda(conn, id)?.iter().map(|a| a.minutes).collect();
        require_fit(starts, ends, &allotted, "ends_at", "")?;
        let venue = req.venue.clone().or(c.venue.clone());
        let moved = starts != c.starts_at || ends != c.ends_at || venue != c.venue;
        if c.status == Status::Scheduled && moved {
            let invitations = q::invitations_of(conn, id)?;
            check_clashes(conn, &c, &invitations, (starts, ends), &venue)?;
        }
        if !q::claim_version(conn, id, c.version, moved)? {
            return Err(ApiError::conflict("consultation.stale_version"));
        }
        let title = req.title.as_deref().unwrap_or(&c.title);
        q::set_details(conn, id, title, venue.as_deref(), starts, ends)?;
        let c2 = q::consultation(conn, id)?;
        if c.status == Status::Scheduled && moved {
            tell_topics(conn, &c2, EventKind::MeetingMoved, caller.user_id, None)?;
            mail_participants(conn, settings, &c2, Mailing::Update, None, caller.user_id)?;
        }
        view(conn, settings, &c2)
    })
}

fn nonempty(s: &Option<String>) -> bool {
    s.as_deref().is_some_and(|s| !s.trim().is_empty())
}

/// Gather facts and decide: the status the action leads to, or the refusal (a missing link
/// of an online or hybrid meeting names `online_url`).
fn decide(
    caller: &Caller,
    c: &ConsultationRow,
    place: &PlaceRef,
    req: &ConsultationTransition,
) -> ApiResult<Status> {
    let missing = rules::venue_or_link(c.format, nonempty(&c.venue), nonempty(&c.online_url));
    let facts = Facts {
        is_convener: c.convener_id == caller.user_id,
        roles: caller.roles_at(place),
        has_minutes: nonempty(&req.minutes),
        has_reason: nonempty(&req.reason),
        has_time: c.starts_at < c.ends_at,
        venue_or_link: missing.is_ok(),
    };
    rules::apply(c.status, req.action, &facts).map_err(|r| match (r, missing) {
        (Refusal::VenueRequired, Err("online_url")) => {
            ApiError::invalid("online_url", r.code(), "an online meeting needs a link")
        }
        (other, _) => ApiError::refused(other),
    })
}

/// 409 `consultation.too_early` / `consultation.too_late` when `action` may not happen `now`
/// (see [`rules::may_happen_now`]); the detail gives the scheduled start.
fn require_timely(
    settings: &Settings,
    c: &ConsultationRow,
    action: Action,
    now: NaiveDateTime,
) -> ApiResult<()> {
    let timing = settings.consultations.timing();
    rules::may_happen_now(action, now, c.starts_at, c.ends_at, timing).map_err(|r| {
        let detail = match r {
            rules::TooSoonOrLate::TooEarly => format!(
                "the meeting is scheduled to start at {}; {} may not happen yet",
                c.starts_at.and_utc().to_rfc3339(),
                action.as_str()
            ),
            rules::TooSoonOrLate::TooLate => format!(
                "the meeting was scheduled to end at {}; cancel it or move it instead",
                c.ends_at.and_utc().to_rfc3339()
            ),
        };
        ApiError::Conflict {
            code: r.code(),
            detail: Some(detail),
        }
    })
}

/// Checks that only scheduling makes: no clash, the agenda fits; returns the warnings
/// (required participant categories without an invitee).
fn check_schedulable(
    conn: &mut DbConn,
    settings: &Settings,
    c: &ConsultationRow,
) -> ApiResult<Vec<String>> {
    let invitations = q::invitations_of(conn, c.id)?;
    check_clashes(conn, c, &invitations, (c.starts_at, c.ends_at), &c.venue)?;
    let allotted: Vec<i32> = q::agenda(conn, c.id)?.iter().map(|a| a.minutes).collect();
    require_fit(c.starts_at, c.ends_at, &allotted, "ends_at", "")?;
    let missing = out_with(settings, c, &invitations.iter().collect::<Vec<_>>()).missing_categories;
    if missing.is_empty() {
        return Ok(Vec::new());
    }
    let names: Vec<&str> = missing.iter().map(|m| m.as_str()).collect();
    Ok(vec![format!(
        "no invitee yet for required categories: {}",
        names.join(", ")
    )])
}

/// Apply effects: claim the version, store the status and the minutes or the reason.
fn apply_transition(
    conn: &mut DbConn,
    c: &ConsultationRow,
    next: Status,
    req: &ConsultationTransition,
) -> ApiResult<()> {
    let reschedule = matches!(req.action, Action::Schedule | Action::Cancel);
    if !q::claim_version(conn, c.id, c.version, reschedule)? {
        return Err(ApiError::conflict("consultation.stale_version"));
    }
    let now = db::now();
    let minutes = match req.action {
        Action::Conclude => req.minutes.as_deref().map(|m| (m, now)),
        _ => None,
    };
    if req.action == Action::Start {
        q::set_started(conn, c.id, now)?;
    }
    let reason = match req.action {
        Action::Cancel => req.reason.as_deref(),
        _ => None,
    };
    q::set_status(conn, c.id, next, minutes, reason)
}

/// The attendees are asked to sign off the minutes of a concluded meeting.
fn minutes_ready(conn: &mut DbConn, caller: &Caller, c: &ConsultationRow) -> ApiResult<()> {
    use crate::notifications::{events, kinds::NotificationKind};
    let mut notice = events::Notice::new(
        NotificationKind::MinutesReady,
        format!("meeting:{}:minutes", c.id),
    );
    notice.place_id = Some(c.place_id);
    notice.consultation_id = Some(c.id);
    notice.actor_id = Some(caller.user_id);
    events::emit(conn, &notice).map(|_| ())
}

/// Write events: the topics' timelines, the notification events, and the invitation or
/// cancellation mail.
fn transition_events(
    conn: &mut DbConn,
    settings: &Settings,
    caller: &Caller,
    c: &ConsultationRow,
    was_announced: bool,
    req: &ConsultationTransition,
) -> ApiResult<()> {
    let kind = match req.action {
        Action::Schedule => EventKind::MeetingScheduled,
        Action::Start => EventKind::MeetingStarted,
        Action::Conclude => EventKind::MeetingConcluded,
        Action::Cancel => EventKind::MeetingCancelled,
    };
    tell_topics(conn, c, kind, caller.user_id, req.reason.as_deref())?;
    match req.action {
        Action::Schedule => {
            mail_participants(conn, settings, c, Mailing::Invitation, None, caller.user_id)
        }
        Action::Cancel if was_announced => mail_participants(
            conn,
            settings,
            c,
            Mailing::Cancellation,
            None,
            caller.user_id,
        ),
        Action::Conclude => minutes_ready(conn, caller, c),
        _ => Ok(()),
    }
}

/// Schedules, starts, concludes or cancels a meeting with the version the caller saw.
/// Returns the meeting and warnings (required participant categories without an invitee).
pub fn transition(
    conn: &mut DbConn,
    settings: &Settings,
    caller: &Caller,
    id: i64,
    req: &ConsultationTransition,
) -> ApiResult<ScheduledOut> {
    db::write_tx(conn, |conn| {
        let (c, place) = locked_meeting(conn, id)?;
        require_version(&c, req.expected_version)?;
        let next = decide(caller, &c, &place, req)?;
        require_timely(settings, &c, req.action, db::now())?;
        let warnings = match req.action {
            Action::Schedule => check_schedulable(conn, settings, &c)?,
            _ => Vec::new(),
        };
        apply_transition(conn, &c, next, req)?;
        let was_announced = matches!(c.status, Status::Scheduled | Status::InProgress);
        let c = q::consultation(conn, id)?;
        transition_events(conn, settings, caller, &c, was_announced, req)?;
        Ok(ScheduledOut {
            consultation: view(conn, settings, &c)?,
            warnings,
        })
    })
}
