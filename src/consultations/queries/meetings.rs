//! Meetings: rows, versions, the list, and the one-query clash and busy search.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::consultations::rules::{Format, Kind, Response, Status};
use crate::db::schema::{consultations, invitations, places};
use crate::db::{self, DbConn};
use crate::error::{ApiError, ApiResult};

/// A consultation row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = consultations)]
pub struct ConsultationRow {
    pub id: i64,
    pub place_id: i64,
    pub title: String,
    pub kind: Kind,
    pub format: Format,
    pub venue: Option<String>,
    pub online_url: Option<String>,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    pub convener_id: i64,
    pub status: Status,
    pub minutes: Option<String>,
    pub cancel_reason: Option<String>,
    pub version: i32,
    pub ical_sequence: i32,
    pub concluded_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// When the `start` transition happened (None: not started, or before this was recorded).
    pub started_at: Option<NaiveDateTime>,
}

/// Statuses in which a meeting holds its people's time and its venue.
const BOOKED: [Status; 2] = [Status::Scheduled, Status::InProgress];

/// A consultation, or 404.
pub fn consultation(conn: &mut DbConn, id: i64) -> ApiResult<ConsultationRow> {
    consultations::table
        .find(id)
        .select(ConsultationRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(ApiError::NotFound("consultation.not_found"))
}

/// Locks the meeting row until the transaction ends, so checks on the meeting (agenda fit,
/// duplicate invitations, versions) and the writes after them cannot interleave with another
/// writer of the same meeting. PostgreSQL: `SELECT … FOR UPDATE`; SQLite write transactions
/// are serial already (the write gate), and it has no row locks.
pub fn lock_meeting(conn: &mut DbConn, id: i64) -> ApiResult<()> {
    if let DbConn::Postgres(pg) = conn {
        consultations::table
            .find(id)
            .select(consultations::id)
            .for_update()
            .first::<i64>(pg)
            .optional()?;
    }
    Ok(())
}

/// Values of a new consultation.
pub struct NewRow<'a> {
    pub place_id: i64,
    pub title: &'a str,
    pub kind: Kind,
    pub format: Format,
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
            consultations::status.eq(Status::Draft),
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

/// Sets the title, venue and times of a meeting.
pub fn set_details(
    conn: &mut DbConn,
    id: i64,
    title: &str,
    venue: Option<&str>,
    starts_at: NaiveDateTime,
    ends_at: NaiveDateTime,
) -> ApiResult<()> {
    diesel::update(consultations::table.find(id))
        .set((
            consultations::title.eq(title),
            consultations::venue.eq(venue),
            consultations::starts_at.eq(starts_at),
            consultations::ends_at.eq(ends_at),
        ))
        .execute(conn)?;
    Ok(())
}

/// Sets the status, with the minutes and conclusion time (conclude) or the reason (cancel).
pub fn set_status(
    conn: &mut DbConn,
    id: i64,
    status: Status,
    minutes: Option<(&str, NaiveDateTime)>,
    cancel_reason: Option<&str>,
) -> ApiResult<()> {
    diesel::update(consultations::table.find(id))
        .set(consultations::status.eq(status))
        .execute(conn)?;
    if let Some((text, at)) = minutes {
        diesel::update(consultations::table.find(id))
            .set((
                consultations::minutes.eq(text),
                consultations::concluded_at.eq(at),
            ))
            .execute(conn)?;
    }
    if let Some(reason) = cancel_reason {
        diesel::update(consultations::table.find(id))
            .set(consultations::cancel_reason.eq(reason))
            .execute(conn)?;
    }
    Ok(())
}

/// Records when the meeting really started.
pub fn set_started(conn: &mut DbConn, id: i64, at: NaiveDateTime) -> ApiResult<()> {
    diesel::update(consultations::table.find(id))
        .set(consultations::started_at.eq(at))
        .execute(conn)?;
    Ok(())
}

/// Filters of the consultation list, resolved.
pub struct ListQuery<'a> {
    /// The subtree of this place path.
    pub within: Option<&'a str>,
    /// Only inside one of these subtrees (`mine=true`: the caller's role places); an empty
    /// list matches nothing.
    pub within_any: Option<&'a [String]>,
    pub status: Option<Status>,
    pub from: Option<NaiveDateTime>,
    pub to: Option<NaiveDateTime>,
    pub participant: Option<i64>,
    pub after: Option<i64>,
    pub fetch: i64,
}

/// Lists consultations in id order.
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
    if let Some(paths) = f.within_any {
        if paths.is_empty() {
            return Ok(Vec::new());
        }
        q = q.filter(crate::places::queries::in_any_subtree(paths));
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

/// What to look for in [`busy`].
pub struct BusyQuery<'a> {
    /// People whose time is taken by convening or by an invitation not declined.
    pub people: &'a [i64],
    /// A place whose venue-holding meetings count (venue clash, free slots).
    pub place: Option<i64>,
    pub start: NaiveDateTime,
    pub end: NaiveDateTime,
    /// The meeting being checked itself.
    pub except: Option<i64>,
}

/// In ONE query: the meetings (scheduled or in progress, overlapping [start, end)) that take
/// one of `people` or a venue at `place`, each with the invited person it takes (None when it
/// is taken by its convener or its place). In start order; a meeting may appear once per
/// invited person.
pub fn busy(
    conn: &mut DbConn,
    b: &BusyQuery<'_>,
) -> ApiResult<Vec<(ConsultationRow, Option<i64>)>> {
    let people = b.people.to_vec();
    let mut q = consultations::table
        .left_join(
            invitations::table.on(invitations::consultation_id
                .eq(consultations::id)
                .and(invitations::user_id.eq_any(people.clone()))
                .and(invitations::response.ne(Response::Declined))),
        )
        .filter(consultations::status.eq_any(BOOKED))
        .filter(consultations::starts_at.lt(b.end))
        .filter(consultations::ends_at.gt(b.start))
        .filter(
            consultations::convener_id
                .eq_any(people)
                .or(invitations::id.nullable().is_not_null())
                .or(consultations::place_id
                    .nullable()
                    .eq(b.place)
                    .and(consultations::format.eq_any(Format::with_venue()))),
        )
        .select((
            ConsultationRow::as_select(),
            invitations::user_id.nullable(),
        ))
        .into_boxed();
    if let Some(id) = b.except {
        q = q.filter(consultations::id.ne(id));
    }
    Ok(q.order((consultations::starts_at, consultations::id))
        .load(conn)?)
}
