//! Scheduling: the clash check (one query) and the free-slot search.

use chrono::{Duration, NaiveDateTime};

use super::super::model::{FreeSlotQuery, Slot};
use super::super::queries::{self as q, BusyQuery, ConsultationRow, InvitationRow};
use super::super::rules;
use crate::auth::Caller;
use crate::config::{ConsultationSettings, Settings};
use crate::db::DbConn;
use crate::error::{ApiError, ApiResult};
use crate::places::queries as places;

/// Serialises every clash check and the write that follows it (PostgreSQL: a transaction
/// advisory lock; SQLite write transactions are serial already), so two meetings scheduled at
/// the same instant cannot both take the same person or room.
fn lock_scheduling(conn: &mut DbConn) -> ApiResult<()> {
    if let DbConn::Postgres(pg) = conn {
        use diesel::connection::SimpleConnection;
        pg.batch_execute("SELECT pg_advisory_xact_lock(7391002)")?;
    }
    Ok(())
}

fn normalized_venue(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(|s| s.trim().to_lowercase())
        .filter(|s| !s.is_empty())
}

fn user_clash(user: i64, other: i64) -> ApiError {
    ApiError::Conflict {
        code: "consultation.clash",
        detail: Some(format!(
            "user {user} is booked in consultation {other} at that time"
        )),
    }
}

/// 409 naming the clashing meeting when the convener, an invited user whose answer books
/// their time, or the venue is taken in [starts, ends). `invitations` are the meeting's own;
/// the other meetings are read in one query.
pub(super) fn check_clashes(
    conn: &mut DbConn,
    c: &ConsultationRow,
    invitations: &[InvitationRow],
    (starts, ends): (NaiveDateTime, NaiveDateTime),
    venue: &Option<String>,
) -> ApiResult<()> {
    lock_scheduling(conn)?;
    let mut people = vec![c.convener_id];
    people.extend(
        invitations
            .iter()
            .filter(|i| rules::books_time(i.response))
            .filter_map(|i| i.user_id),
    );
    people.sort_unstable();
    people.dedup();
    let taken = q::busy(
        conn,
        &BusyQuery {
            people: &people,
            place: Some(c.place_id),
            start: starts,
            end: ends,
            except: Some(c.id),
        },
    )?;
    for &user in &people {
        if let Some((other, _)) = taken
            .iter()
            .find(|(m, invited)| m.convener_id == user || *invited == Some(user))
        {
            return Err(user_clash(user, other.id));
        }
    }
    if let Some(v) = normalized_venue(venue) {
        // Venue names are local (each community has its 议事厅): same place, same name.
        if let Some((other, _)) = taken.iter().find(|(m, _)| {
            m.place_id == c.place_id
                && m.format.needs_venue()
                && normalized_venue(&m.venue).as_deref() == Some(v.as_str())
        }) {
            return Err(ApiError::Conflict {
                code: "consultation.clash",
                detail: Some(format!("the venue is booked by consultation {}", other.id)),
            });
        }
    }
    Ok(())
}

/// 409 naming the clashing meeting when `user` is booked elsewhere during `c`.
pub(super) fn require_free(conn: &mut DbConn, user: i64, c: &ConsultationRow) -> ApiResult<()> {
    lock_scheduling(conn)?;
    let taken = q::busy(
        conn,
        &BusyQuery {
            people: &[user],
            place: None,
            start: c.starts_at,
            end: c.ends_at,
            except: Some(c.id),
        },
    )?;
    match taken.first() {
        Some((other, _)) => Err(user_clash(user, other.id)),
        None => Ok(()),
    }
}

/// The `users` list of the query: comma-separated ids, at most 50.
fn parse_users(users: &str) -> ApiResult<Vec<i64>> {
    let ids: Vec<i64> = users
        .split(',')
        .map(|u| u.trim().parse::<i64>())
        .collect::<Result<_, _>>()
        .map_err(|_| ApiError::BadRequest {
            code: "request.invalid_query",
            field: Some("users".into()),
            detail: "comma-separated user ids".into(),
        })?;
    if ids.len() > 50 {
        return Err(ApiError::invalid(
            "users",
            "validation.length",
            "at most 50 users",
        ));
    }
    Ok(ids)
}

/// 403 `permission.denied` unless the caller convenes somewhere (a [`rules::CONVENERS`]
/// grant) and every one of `users` other than the caller lies within one of their convening
/// places (home place or a grant place there, [`rules::within_reach`]). A person outside, and
/// a user id that does not exist, get the same 403: the answer does not tell them apart.
pub(super) fn require_reach(conn: &mut DbConn, caller: &Caller, users: &[i64]) -> ApiResult<()> {
    let convening: Vec<String> = caller
        .grants
        .iter()
        .filter(|g| rules::CONVENERS.contains(&g.role))
        .filter_map(|g| g.place_path.clone())
        .collect();
    if convening.is_empty() {
        return Err(ApiError::Forbidden("permission.denied"));
    }
    for &user in users.iter().filter(|&&u| u != caller.user_id) {
        if !rules::within_reach(&convening, &q::places_of_user(conn, user)?) {
            return Err(ApiError::Forbidden("permission.denied"));
        }
    }
    Ok(())
}

/// Earliest common free slots of the users (and the place's meetings) in working hours: a
/// convener's view of people within their places (see [`require_reach`]).
pub fn free_slots(
    conn: &mut DbConn,
    settings: &Settings,
    caller: &Caller,
    f: &FreeSlotQuery,
) -> ApiResult<Vec<Slot>> {
    let users = parse_users(&f.users)?;
    let (from, to) = (f.from.naive_utc(), f.to.naive_utc());
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
    if let Some(pid) = f.place {
        places::place_ref(conn, pid, Some("place"))?;
    }
    require_reach(conn, caller, &users)?;
    let busy: Vec<(NaiveDateTime, NaiveDateTime)> = q::busy(
        conn,
        &BusyQuery {
            people: &users,
            place: f.place,
            start: from,
            end: to,
            except: None,
        },
    )?
    .into_iter()
    .map(|(m, _)| (m.starts_at, m.ends_at))
    .collect();
    let cs = &settings.consultations;
    let hours = rules::WorkingHours {
        tz: settings.locale.time_zone,
        start_minute: ConsultationSettings::minute_of(cs.work_day_start),
        end_minute: ConsultationSettings::minute_of(cs.work_day_end),
        weekdays_only: cs.weekdays_only,
    };
    Ok(rules::free_slots(&busy, from, to, f.minutes, &hours, 5)
        .into_iter()
        .map(|(s, e)| Slot {
            starts_at: s.and_utc(),
            ends_at: e.and_utc(),
        })
        .collect())
}
