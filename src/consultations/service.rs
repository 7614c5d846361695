//! The write paths of consultations, each one transaction: permission, rules, clash checks,
//! effects, and events on the timelines of the topics on the agenda.

use std::collections::HashSet;

use chrono::{Duration, NaiveDateTime};
use serde_json::json;

use super::model::*;
use super::queries::{self as q, ConsultationRow};
use super::rules::{
    self, Action, CONVENERS, Category, Facts, FollowUpKind, Format, Kind, ProposalStatus, Refusal,
    Response, Status,
};
use crate::auth::{Caller, PlaceRef, Role};
use crate::config::Settings;
use crate::db::{self, DbConn};
use crate::error::{ApiError, ApiResult};
use crate::places::queries as places;
use crate::topics::events::{self, NewEvent};
use crate::topics::queries as topics;
use crate::topics::rules::Stage;

/// The meeting and its place.
pub fn meeting_at(conn: &mut DbConn, id: i64) -> ApiResult<(ConsultationRow, PlaceRef)> {
    let c = q::consultation(conn, id)?;
    let (place, _) = places::place_ref(conn, c.place_id, None)?;
    Ok((c, place))
}

/// The convener or sub-district staff at the meeting's place may manage it.
fn require_manager(caller: &Caller, c: &ConsultationRow, place: &PlaceRef) -> ApiResult<()> {
    if c.convener_id == caller.user_id || caller.holds(&[Role::SubdistrictStaff], place) {
        Ok(())
    } else {
        Err(ApiError::Forbidden("permission.denied"))
    }
}

fn status_of(c: &ConsultationRow) -> Status {
    Status::parse(&c.status).unwrap_or(Status::Cancelled)
}

fn kind_of(c: &ConsultationRow) -> Kind {
    Kind::parse(&c.kind).unwrap_or(Kind::MicroConsultation)
}

/// The required categories of a kind, from settings.
pub fn required_categories(settings: &Settings, kind: Kind) -> Vec<Category> {
    settings
        .consultations
        .required_categories
        .get(kind.as_str())
        .map(|v| v.iter().filter_map(|c| Category::parse(c)).collect())
        .unwrap_or_default()
}

/// The wire form, with the participation categories still missing.
pub fn out(
    conn: &mut DbConn,
    settings: &Settings,
    c: &ConsultationRow,
) -> ApiResult<ConsultationOut> {
    let invited: Vec<Category> = q::invitations_of(conn, c.id)?
        .iter()
        .filter(|i| i.4 != "declined")
        .filter_map(|i| Category::parse(&i.3))
        .collect();
    let utc = |t: NaiveDateTime| t.and_utc();
    Ok(ConsultationOut {
        id: c.id,
        place_id: c.place_id,
        title: c.title.clone(),
        kind: kind_of(c),
        format: Format::parse(&c.format).unwrap_or(Format::InPerson),
        venue: c.venue.clone(),
        online_url: c.online_url.clone(),
        starts_at: utc(c.starts_at),
        ends_at: utc(c.ends_at),
        convener_id: c.convener_id,
        status: status_of(c),
        minutes: c.minutes.clone(),
        cancel_reason: c.cancel_reason.clone(),
        version: c.version,
        concluded_at: c.concluded_at.map(utc),
        missing_categories: rules::missing_categories(
            &required_categories(settings, kind_of(c)),
            &invited,
        ),
    })
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

fn normalized_venue(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(|s| s.trim().to_lowercase())
        .filter(|s| !s.is_empty())
}

/// Serialises every clash check and the write that follows it (PostgreSQL: a transaction
/// advisory lock; SQLite write transactions are serial already), so two meetings scheduled at
/// the same instant cannot both take the same person or room.
fn lock_scheduling(conn: &mut DbConn) -> ApiResult<()> {
    if let crate::db::DbConn::Postgres(pg) = conn {
        use diesel::connection::SimpleConnection;
        pg.batch_execute("SELECT pg_advisory_xact_lock(7391002)")?;
    }
    Ok(())
}

/// 409 naming the clashing meeting when the convener, an invited user whose answer books
/// their time, or the venue is taken in the meeting's interval.
fn check_clashes(
    conn: &mut DbConn,
    c: &ConsultationRow,
    starts: NaiveDateTime,
    ends: NaiveDateTime,
    venue: &Option<String>,
) -> ApiResult<()> {
    lock_scheduling(conn)?;
    let mut people = vec![c.convener_id];
    for inv in q::invitations_of(conn, c.id)? {
        if let (Some(user), Some(resp)) = (inv.1, Response::parse(&inv.4))
            && rules::books_time(resp)
        {
            people.push(user);
        }
    }
    people.sort_unstable();
    people.dedup();
    for user in people {
        if let Some(other) = q::user_busy(conn, user, starts, ends, Some(c.id))?.first() {
            return Err(ApiError::Conflict {
                code: "consultation.clash",
                detail: Some(format!(
                    "user {user} is booked in consultation {} at that time",
                    other.id
                )),
            });
        }
    }
    if let Some(v) = normalized_venue(venue) {
        for other in q::busy_between(conn, starts, ends, Some(c.id))? {
            // Venue names are local (each community has its 议事厅): same place, same name.
            if other.place_id == c.place_id
                && normalized_venue(&other.venue).as_deref() == Some(v.as_str())
                && other.format != "online"
            {
                return Err(ApiError::Conflict {
                    code: "consultation.clash",
                    detail: Some(format!("the venue is booked by consultation {}", other.id)),
                });
            }
        }
    }
    Ok(())
}

/// 409 naming the clashing meeting when `user` is booked elsewhere during `c`.
fn require_free(conn: &mut DbConn, user: i64, c: &ConsultationRow) -> ApiResult<()> {
    lock_scheduling(conn)?;
    match q::user_busy(conn, user, c.starts_at, c.ends_at, Some(c.id))?.first() {
        Some(other) => Err(ApiError::Conflict {
            code: "consultation.clash",
            detail: Some(format!(
                "user {user} is booked in consultation {} at that time",
                other.id
            )),
        }),
        None => Ok(()),
    }
}

/// Which mail a meeting change sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mailing {
    Invitation,
    Update,
    Cancellation,
}

/// The addresses a meeting mail goes to: the convener and every invitee who has not declined
/// (for an organisation, its users), or only the invitation `only`.
fn recipients(conn: &mut DbConn, c: &ConsultationRow, only: Option<i64>) -> ApiResult<Vec<String>> {
    use crate::db::schema::{role_grants, users};
    use diesel::prelude::*;
    let mut user_ids = if only.is_none() {
        vec![c.convener_id]
    } else {
        Vec::new()
    };
    let mut orgs = Vec::new();
    for inv in q::invitations_of(conn, c.id)? {
        if inv.4 == "declined" || only.is_some_and(|o| o != inv.0) {
            continue;
        }
        user_ids.extend(inv.1);
        orgs.extend(inv.2);
    }
    if !orgs.is_empty() {
        let members: Vec<i64> = role_grants::table
            .filter(role_grants::organization_id.eq_any(&orgs))
            .filter(role_grants::role.eq_any(["property_firm", "department"]))
            .select(role_grants::user_id)
            .load(conn)?;
        user_ids.extend(members);
    }
    let mut emails: Vec<String> = users::table
        .filter(users::id.eq_any(&user_ids))
        .filter(users::disabled.eq(false))
        .select(users::email)
        .load(conn)?;
    emails.sort();
    emails.dedup();
    Ok(emails)
}

/// Queues the invitation, update or cancellation mail, with its iCalendar part, for the
/// meeting's participants (or one invitation's).
fn mail_participants(
    conn: &mut DbConn,
    settings: &Settings,
    c: &ConsultationRow,
    mailing: Mailing,
    only: Option<i64>,
) -> ApiResult<()> {
    use crate::notifications::{outbox, templates::Template};
    let tz: chrono_tz::Tz = settings
        .locale
        .time_zone
        .parse()
        .unwrap_or(chrono_tz::Asia::Shanghai);
    let when = format!(
        "{}–{} ({})",
        c.starts_at
            .and_utc()
            .with_timezone(&tz)
            .format("%Y-%m-%d %H:%M"),
        c.ends_at.and_utc().with_timezone(&tz).format("%H:%M"),
        settings.locale.time_zone
    );
    let venue = [c.venue.as_deref(), c.online_url.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" / ");
    let template = match mailing {
        Mailing::Invitation => Template::MeetingInvitation,
        Mailing::Update => Template::MeetingUpdate,
        Mailing::Cancellation => Template::MeetingCancelled,
    };
    let mail = template.render(&[
        ("title", &c.title),
        ("when", &when),
        ("venue", &venue),
        ("reason", c.cancel_reason.as_deref().unwrap_or("")),
    ]);
    let host = super::routes::host_of(&settings.server.public_url);
    let organizer = crate::accounts::queries::user_by_id(conn, c.convener_id)?
        .map(|u| u.email)
        .unwrap_or_default();
    let agenda: Vec<String> = q::agenda(conn, c.id)?
        .iter()
        .map(|a| format!("{}. {} ({} min)", a.1, a.2, a.5))
        .collect();
    let ics = super::calendar::mailed(c, &host, &agenda, &organizer);
    for to in recipients(conn, c, only)? {
        outbox::enqueue_with_ics(conn, &to, &mail, Some(&ics))?;
    }
    Ok(())
}

/// Appends an event to the timeline of every topic on the meeting's agenda.
fn tell_topics(
    conn: &mut DbConn,
    c: &ConsultationRow,
    kind: &str,
    actor: i64,
    note: Option<&str>,
) -> ApiResult<()> {
    let mut seen = HashSet::new();
    for topic_id in q::meetings_about(conn, c.id)? {
        if seen.insert(topic_id) {
            let mut ev = NewEvent::new(kind, actor);
            ev.note = note;
            ev.payload = json!({"consultation_id": c.id, "kind": c.kind, "starts_at": c.starts_at.and_utc()});
            events::append(conn, topic_id, ev)?;
        }
    }
    Ok(())
}

/// A topic may be discussed at a meeting: in discuss or later and inside the meeting's place.
fn agenda_topic(
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
    caller: &Caller,
    req: &NewConsultation,
) -> ApiResult<ConsultationRow> {
    db::write_tx(conn, |conn| {
        let (place, _) = places::place_ref(conn, req.place_id, Some("place_id"))?;
        caller.require(&CONVENERS, &place)?;
        let (starts, ends) = (
            db::truncate_micros(req.starts_at.naive_utc()),
            db::truncate_micros(req.ends_at.naive_utc()),
        );
        check_times(starts, ends)?;
        let topic = match req.from_topic_id {
            Some(tid) => Some(agenda_topic(conn, tid, &place, "from_topic_id")?),
            None => None,
        };
        let id = q::insert(
            conn,
            &q::NewRow {
                place_id: place.id,
                title: &req.title,
                kind: req.kind.as_str(),
                format: req.format.as_str(),
                venue: req.venue.as_deref(),
                online_url: req.online_url.as_deref(),
                starts_at: starts,
                ends_at: ends,
                convener_id: caller.user_id,
            },
        )?;
        if let Some(t) = topic {
            let minutes = ((ends - starts).num_minutes()).clamp(1, 60) as i32;
            q::add_agenda_item(conn, id, &t.title, Some(t.id), None, minutes)?;
            let c = q::consultation(conn, id)?;
            tell_topics(
                conn,
                &c,
                "meeting_planned",
                caller.user_id,
                Some(&req.title),
            )?;
        }
        q::consultation(conn, id)
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
) -> ApiResult<ConsultationRow> {
    db::write_tx(conn, |conn| {
        let (c, place) = meeting_at(conn, id)?;
        require_manager(caller, &c, &place)?;
        if req.expected_version != c.version {
            return Err(ApiError::Conflict {
                code: "consultation.stale_version",
                detail: Some(format!("current version is {}", c.version)),
            });
        }
        let status = status_of(&c);
        if !matches!(status, Status::Draft | Status::Scheduled) {
            return Err(ApiError::conflict("consultation.not_editable"));
        }
        let starts = req
            .starts_at
            .map(|t| db::truncate_micros(t.naive_utc()))
            .unwrap_or(c.starts_at);
        let ends = req
            .ends_at
            .map(|t| db::truncate_micros(t.naive_utc()))
            .unwrap_or(c.ends_at);
        check_times(starts, ends)?;
        let allotted: Vec<i32> = q::agenda(conn, id)?.iter().map(|a| a.5).collect();
        if let Some(over) = rules::agenda_overrun(starts, ends, &allotted) {
            return Err(ApiError::invalid(
                "ends_at",
                "consultation.agenda_overrun",
                format!("the agenda overruns by {over} minutes"),
            ));
        }
        let venue = req.venue.clone().or(c.venue.clone());
        let moved = starts != c.starts_at || ends != c.ends_at || venue != c.venue;
        if status == Status::Scheduled && moved {
            check_clashes(conn, &c, starts, ends, &venue)?;
        }
        if !q::claim_version(conn, id, c.version, moved)? {
            return Err(ApiError::conflict("consultation.stale_version"));
        }
        {
            use crate::db::schema::consultations::dsl as k;
            use diesel::prelude::*;
            diesel::update(k::consultations.find(id))
                .set((
                    k::title.eq(req.title.as_deref().unwrap_or(&c.title)),
                    k::venue.eq(&venue),
                    k::starts_at.eq(starts),
                    k::ends_at.eq(ends),
                ))
                .execute(conn)?;
        }
        if status == Status::Scheduled && moved {
            let c = q::consultation(conn, id)?;
            tell_topics(conn, &c, "meeting_moved", caller.user_id, None)?;
            mail_participants(conn, settings, &c, Mailing::Update, None)?;
        }
        q::consultation(conn, id)
    })
}

/// Schedules, starts, concludes or cancels a meeting with the version the caller saw.
/// Returns the meeting and warnings (required participant categories without an invitee).
pub fn transition(
    conn: &mut DbConn,
    settings: &Settings,
    caller: &Caller,
    id: i64,
    req: &ConsultationTransition,
) -> ApiResult<(ConsultationRow, Vec<String>)> {
    db::write_tx(conn, |conn| {
        let (c, place) = meeting_at(conn, id)?;
        if req.expected_version != c.version {
            return Err(ApiError::Conflict {
                code: "consultation.stale_version",
                detail: Some(format!("current version is {}", c.version)),
            });
        }
        let format = Format::parse(&c.format).unwrap_or(Format::InPerson);
        let has_venue = c.venue.as_deref().is_some_and(|v| !v.trim().is_empty());
        let has_link = c
            .online_url
            .as_deref()
            .is_some_and(|v| !v.trim().is_empty());
        let nonempty = |s: &Option<String>| s.as_deref().is_some_and(|s| !s.trim().is_empty());
        let facts = Facts {
            is_convener: c.convener_id == caller.user_id,
            roles: caller.roles_at(&place),
            has_minutes: nonempty(&req.minutes),
            has_reason: nonempty(&req.reason),
            has_time: c.starts_at < c.ends_at,
            venue_or_link: match format {
                Format::InPerson => has_venue,
                Format::Online => has_link,
                Format::Hybrid => has_venue && has_link,
            },
        };
        let was_announced = matches!(status_of(&c), Status::Scheduled | Status::InProgress);
        let next = rules::apply(status_of(&c), req.action, &facts).map_err(|r| match r {
            Refusal::VenueRequired
                if format == Format::Online || (format == Format::Hybrid && has_venue) =>
            {
                ApiError::invalid("online_url", r.code(), "an online meeting needs a link")
            }
            other => ApiError::refused(other),
        })?;
        let mut warnings = Vec::new();
        if req.action == Action::Schedule {
            check_clashes(conn, &c, c.starts_at, c.ends_at, &c.venue)?;
            let allotted: Vec<i32> = q::agenda(conn, id)?.iter().map(|a| a.5).collect();
            if let Some(over) = rules::agenda_overrun(c.starts_at, c.ends_at, &allotted) {
                return Err(ApiError::invalid(
                    "ends_at",
                    "consultation.agenda_overrun",
                    format!("the agenda overruns by {over} minutes"),
                ));
            }
            let missing = out(conn, settings, &c)?.missing_categories;
            if !missing.is_empty() {
                let names: Vec<&str> = missing.iter().map(|m| m.as_str()).collect();
                warnings.push(format!(
                    "no invitee yet for required categories: {}",
                    names.join(", ")
                ));
            }
        }
        let reschedule = matches!(req.action, Action::Schedule | Action::Cancel);
        if !q::claim_version(conn, id, c.version, reschedule)? {
            return Err(ApiError::conflict("consultation.stale_version"));
        }
        {
            use crate::db::schema::consultations::dsl as k;
            use diesel::prelude::*;
            let now = db::now();
            diesel::update(k::consultations.find(id))
                .set(k::status.eq(next.as_str()))
                .execute(conn)?;
            match req.action {
                Action::Conclude => {
                    diesel::update(k::consultations.find(id))
                        .set((
                            k::minutes.eq(req.minutes.as_deref()),
                            k::concluded_at.eq(now),
                        ))
                        .execute(conn)?;
                }
                Action::Cancel => {
                    diesel::update(k::consultations.find(id))
                        .set(k::cancel_reason.eq(req.reason.as_deref()))
                        .execute(conn)?;
                }
                _ => {}
            }
        }
        let c = q::consultation(conn, id)?;
        let kind = match req.action {
            Action::Schedule => "meeting_scheduled",
            Action::Start => "meeting_started",
            Action::Conclude => "meeting_concluded",
            Action::Cancel => "meeting_cancelled",
        };
        tell_topics(conn, &c, kind, caller.user_id, req.reason.as_deref())?;
        match req.action {
            Action::Schedule => mail_participants(conn, settings, &c, Mailing::Invitation, None)?,
            Action::Cancel if was_announced => {
                mail_participants(conn, settings, &c, Mailing::Cancellation, None)?
            }
            _ => {}
        }
        Ok((c, warnings))
    })
}

fn require_editable(c: &ConsultationRow) -> ApiResult<()> {
    if matches!(status_of(c), Status::Draft | Status::Scheduled) {
        Ok(())
    } else {
        Err(ApiError::conflict("consultation.not_editable"))
    }
}

/// Adds an agenda item; the agenda must still fit the meeting.
pub fn add_agenda_item(
    conn: &mut DbConn,
    caller: &Caller,
    id: i64,
    req: &NewAgendaItem,
) -> ApiResult<i64> {
    db::write_tx(conn, |conn| {
        let (c, place) = meeting_at(conn, id)?;
        require_manager(caller, &c, &place)?;
        require_editable(&c)?;
        if let Some(tid) = req.topic_id {
            agenda_topic(conn, tid, &place, "topic_id")?;
        }
        if let Some(p) = req.presenter_id
            && crate::accounts::queries::user_by_id(conn, p)?.is_none()
        {
            return Err(ApiError::invalid(
                "presenter_id",
                "user.not_found",
                format!("no user {p}"),
            ));
        }
        let mut allotted: Vec<i32> = q::agenda(conn, id)?.iter().map(|a| a.5).collect();
        allotted.push(req.minutes);
        if let Some(over) = rules::agenda_overrun(c.starts_at, c.ends_at, &allotted) {
            return Err(ApiError::invalid(
                "minutes",
                "consultation.agenda_overrun",
                format!("the agenda overruns the meeting by {over} minutes"),
            ));
        }
        let item = q::add_agenda_item(
            conn,
            id,
            &req.title,
            req.topic_id,
            req.presenter_id,
            req.minutes,
        )?;
        if req.topic_id.is_some() {
            let c = q::consultation(conn, id)?;
            tell_topics(conn, &c, "meeting_planned", caller.user_id, Some(&c.title))?;
        }
        Ok(item)
    })
}

/// Puts the agenda in a new order (every item exactly once).
pub fn reorder(conn: &mut DbConn, caller: &Caller, id: i64, req: &Reorder) -> ApiResult<()> {
    db::write_tx(conn, |conn| {
        let (c, place) = meeting_at(conn, id)?;
        require_manager(caller, &c, &place)?;
        require_editable(&c)?;
        let mut have: Vec<i64> = q::agenda(conn, id)?.iter().map(|a| a.0).collect();
        let mut want = req.item_ids.clone();
        have.sort_unstable();
        want.sort_unstable();
        if have != want {
            return Err(ApiError::invalid(
                "item_ids",
                "consultation.invalid_order",
                "list every agenda item of this meeting exactly once",
            ));
        }
        q::reorder(conn, &req.item_ids)
    })
}

/// Invites a user or an organisation in a participant category.
pub fn invite(
    conn: &mut DbConn,
    settings: &Settings,
    caller: &Caller,
    id: i64,
    req: &NewInvitation,
) -> ApiResult<i64> {
    db::write_tx(conn, |conn| {
        let (c, place) = meeting_at(conn, id)?;
        require_manager(caller, &c, &place)?;
        require_editable(&c)?;
        match (req.user_id, req.organization_id) {
            (Some(_), Some(_)) | (None, None) => {
                return Err(ApiError::invalid(
                    "user_id",
                    "invitation.invitee_required",
                    "a user or an organisation, not both",
                ));
            }
            (Some(u), None) => {
                if crate::accounts::queries::user_by_id(conn, u)?.is_none() {
                    return Err(ApiError::invalid(
                        "user_id",
                        "user.not_found",
                        format!("no user {u}"),
                    ));
                }
            }
            (None, Some(o)) => {
                if places::organization(conn, o)?.is_none() {
                    return Err(ApiError::invalid(
                        "organization_id",
                        "organization.not_found",
                        format!("no organisation {o}"),
                    ));
                }
            }
        }
        let dup = q::invitations_of(conn, id)?.iter().any(|i| {
            (req.user_id.is_some() && i.1 == req.user_id)
                || (req.organization_id.is_some() && i.2 == req.organization_id)
        });
        if dup {
            return Err(ApiError::Conflict {
                code: "invitation.duplicate",
                detail: Some("already invited".into()),
            });
        }
        if let (Status::Scheduled, Some(u)) = (status_of(&c), req.user_id) {
            require_free(conn, u, &c)?;
        }
        let invitation = q::invite(
            conn,
            id,
            req.user_id,
            req.organization_id,
            req.category.as_str(),
        )?;
        if status_of(&c) == Status::Scheduled {
            mail_participants(conn, settings, &c, Mailing::Invitation, Some(invitation))?;
        }
        Ok(invitation)
    })
}

/// The invitation the caller answers for: their own, or their organisation's.
fn my_invitation(conn: &mut DbConn, caller: &Caller, c: &ConsultationRow) -> ApiResult<i64> {
    let orgs = caller.organizations();
    q::invitations_of(conn, c.id)?
        .iter()
        .find(|i| i.1 == Some(caller.user_id) || i.2.is_some_and(|o| orgs.contains(&o)))
        .map(|i| i.0)
        .ok_or(ApiError::Forbidden("invitation.not_invited"))
}

/// The invitee answers (accepted, declined, tentative) while the meeting is ahead.
pub fn rsvp(conn: &mut DbConn, caller: &Caller, id: i64, response: Response) -> ApiResult<()> {
    db::write_tx(conn, |conn| {
        let c = q::consultation(conn, id)?;
        if !matches!(status_of(&c), Status::Draft | Status::Scheduled) {
            return Err(ApiError::conflict("consultation.not_editable"));
        }
        if response == Response::Pending {
            return Err(ApiError::invalid(
                "response",
                "validation.invalid",
                "accepted, declined or tentative",
            ));
        }
        let inv = my_invitation(conn, caller, &c)?;
        if status_of(&c) == Status::Scheduled && rules::books_time(response) {
            require_free(conn, caller.user_id, &c)?;
        }
        q::respond(conn, inv, response.as_str())
    })
}

/// Records who attended (at or after the start).
pub fn attendance(conn: &mut DbConn, caller: &Caller, id: i64, req: &Attendance) -> ApiResult<()> {
    db::write_tx(conn, |conn| {
        let (c, place) = meeting_at(conn, id)?;
        require_manager(caller, &c, &place)?;
        if !matches!(status_of(&c), Status::InProgress | Status::Concluded) {
            return Err(ApiError::conflict("consultation.not_started"));
        }
        let ids: HashSet<i64> = q::invitations_of(conn, id)?.iter().map(|i| i.0).collect();
        if let Some(bad) = req
            .attended_invitation_ids
            .iter()
            .find(|i| !ids.contains(i))
        {
            return Err(ApiError::invalid(
                "attended_invitation_ids",
                "invitation.not_found",
                format!("no invitation {bad} in this meeting"),
            ));
        }
        q::set_attendance(conn, id, &req.attended_invitation_ids)
    })
}

/// Records the outcome of an agenda item after the meeting (sub-district staff or the
/// convener), turning follow-ups into plan tasks or proposal drafts.
pub fn record_outcome(
    conn: &mut DbConn,
    caller: &Caller,
    id: i64,
    req: &NewOutcome,
) -> ApiResult<i64> {
    db::write_tx(conn, |conn| {
        let (c, place) = meeting_at(conn, id)?;
        require_manager(caller, &c, &place)?;
        if status_of(&c) != Status::Concluded {
            return Err(ApiError::conflict("consultation.not_concluded"));
        }
        let item = q::agenda(conn, id)?
            .into_iter()
            .find(|a| a.0 == req.agenda_item_id)
            .ok_or_else(|| {
                ApiError::invalid(
                    "agenda_item_id",
                    "agenda_item.not_found",
                    "not an item of this meeting",
                )
            })?;
        if q::outcomes_of(conn, id)?.iter().any(|o| o.1 == item.0) {
            return Err(ApiError::Conflict {
                code: "outcome.exists",
                detail: Some("this agenda item already has an outcome".into()),
            });
        }
        let outcome = q::insert_outcome(
            conn,
            id,
            item.0,
            &req.decision,
            req.consensus.as_str(),
            caller.user_id,
        )?;
        for (i, f) in req.follow_ups.iter().enumerate() {
            let field = |name: &str| format!("follow_ups[{i}].{name}");
            match f.kind {
                FollowUpKind::Task => {
                    let topic_id = item.3.ok_or_else(|| {
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
                    let task = crate::topics::plan::add_follow_up_task(
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
                    })?;
                    q::insert_follow_up(
                        conn,
                        outcome,
                        f.kind.as_str(),
                        &f.title,
                        Some(task),
                        None,
                    )?;
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
                        f.kind.as_str(),
                        &f.title,
                        outcome,
                        item.3,
                        caller.user_id,
                        f.organization_id,
                    )?;
                    q::insert_follow_up(conn, outcome, f.kind.as_str(), &f.title, None, Some(p))?;
                }
            }
        }
        if let Some(topic_id) = item.3 {
            let mut ev = NewEvent::new("meeting_outcome", caller.user_id);
            ev.note = Some(&req.decision);
            ev.payload = json!({"consultation_id": id, "kind": c.kind, "consensus": req.consensus.as_str(), "outcome_id": outcome});
            events::append(conn, topic_id, ev)?;
        }
        Ok(outcome)
    })
}

/// An attendee confirms the minutes (dissent None) or records a dissent, once, in the window.
pub fn sign_off(
    conn: &mut DbConn,
    settings: &Settings,
    caller: &Caller,
    id: i64,
    dissent: Option<&str>,
) -> ApiResult<()> {
    db::write_tx(conn, |conn| {
        let c = q::consultation(conn, id)?;
        let orgs = caller.organizations();
        // Attended in person, or for an organisation whose attendance was recorded.
        let attended = q::invitations_of(conn, id)?.iter().any(|i| {
            i.5 && (i.1 == Some(caller.user_id) || i.2.is_some_and(|o| orgs.contains(&o)))
        });
        if !attended {
            return Err(ApiError::Forbidden("minutes.not_an_attendee"));
        }
        if !rules::may_sign_off(
            status_of(&c),
            c.concluded_at,
            db::now(),
            settings.consultations.signoff_days,
            attended,
        ) {
            return Err(ApiError::conflict("minutes.signoff_closed"));
        }
        if !q::sign_off(conn, id, caller.user_id, dissent)? {
            return Err(ApiError::conflict("minutes.already_signed"));
        }
        Ok(())
    })
}

/// The sign-off record and the mix of categories that attended.
pub fn signoff_record(conn: &mut DbConn, settings: &Settings, id: i64) -> ApiResult<SignoffOut> {
    let c = q::consultation(conn, id)?;
    let rows = q::signoffs(conn, id)?;
    let mut attended: Vec<Category> = q::invitations_of(conn, id)?
        .iter()
        .filter(|i| i.5)
        .filter_map(|i| Category::parse(&i.3))
        .collect();
    attended.sort_by_key(|c| c.as_str());
    attended.dedup();
    Ok(SignoffOut {
        confirmed_by: rows.iter().filter(|r| r.1).map(|r| r.0).collect(),
        dissents: rows
            .iter()
            .filter_map(|r| r.2.clone().map(|text| DissentOut { user_id: r.0, text }))
            .collect(),
        deadline: c
            .concluded_at
            .map(|t| (t + Duration::days(settings.consultations.signoff_days)).and_utc()),
        attended_categories: attended,
    })
}

/// Moves a proposal on: the author submits; the answering organisation's users or
/// sub-district staff at the meeting's place accept and answer.
pub fn move_proposal(
    conn: &mut DbConn,
    caller: &Caller,
    id: i64,
    req: &ProposalTransition,
) -> ApiResult<q::ProposalRow> {
    db::write_tx(conn, |conn| {
        let p = q::proposal(conn, id)?;
        let current = ProposalStatus::parse(&p.status).unwrap_or(ProposalStatus::Draft);
        if !rules::next_proposal_status(current, req.to) {
            return Err(ApiError::conflict("proposal.invalid_transition"));
        }
        let allowed = match req.to {
            ProposalStatus::Submitted => p.author_id == caller.user_id,
            _ => {
                let place = match p.outcome_id {
                    Some(o) => {
                        use crate::db::schema::outcomes;
                        use diesel::prelude::*;
                        let cid: i64 = outcomes::table
                            .find(o)
                            .select(outcomes::consultation_id)
                            .first(conn)?;
                        Some(meeting_at(conn, cid)?.1)
                    }
                    None => None,
                };
                let for_org = p
                    .organization_id
                    .is_some_and(|o| caller.organizations().contains(&o));
                for_org || place.is_some_and(|pl| caller.holds(&[Role::SubdistrictStaff], &pl))
            }
        };
        if !allowed {
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
        if !q::set_proposal_status(
            conn,
            id,
            current.as_str(),
            req.to.as_str(),
            req.answer.as_deref().or(p.answer.as_deref()),
        )? {
            return Err(ApiError::conflict("proposal.invalid_transition"));
        }
        q::proposal(conn, id)
    })
}

/// Earliest common free slots of `users` (and the place's meetings) in working hours.
pub fn free_slots(
    conn: &mut DbConn,
    settings: &Settings,
    users: &[i64],
    place: Option<i64>,
    from: NaiveDateTime,
    to: NaiveDateTime,
    minutes: i64,
) -> ApiResult<Vec<Slot>> {
    if to <= from {
        return Err(ApiError::invalid(
            "to",
            "consultation.invalid_time",
            "to must be after from",
        ));
    }
    if to - from > Duration::days(62) {
        return Err(ApiError::invalid(
            "to",
            "consultation.invalid_time",
            "search at most 62 days",
        ));
    }
    let mut busy = Vec::new();
    for u in users {
        for m in q::user_busy(conn, *u, from, to, None)? {
            busy.push((m.starts_at, m.ends_at));
        }
    }
    if let Some(pid) = place {
        places::place_ref(conn, pid, Some("place"))?;
        for m in q::busy_between(conn, from, to, None)? {
            if m.place_id == pid && m.format != "online" {
                busy.push((m.starts_at, m.ends_at));
            }
        }
    }
    let cs = &settings.consultations;
    let hours = rules::WorkingHours {
        tz: settings
            .locale
            .time_zone
            .parse()
            .unwrap_or(chrono_tz::Asia::Shanghai),
        start_minute: crate::config::ConsultationSettings::minute_of(&cs.work_day_start)
            .unwrap_or(540),
        end_minute: crate::config::ConsultationSettings::minute_of(&cs.work_day_end)
            .unwrap_or(1050),
        weekdays_only: cs.weekdays_only,
    };
    Ok(rules::free_slots(&busy, from, to, minutes, &hours, 5)
        .into_iter()
        .map(|(s, e)| Slot {
            starts_at: s.and_utc(),
            ends_at: e.and_utc(),
        })
        .collect())
}
