//! Calendars: one meeting as iCalendar, and the per-user feed with its token.

use super::super::calendar;
use super::super::model::FeedOut;
use super::super::queries::{self as q, ConsultationRow};
use crate::auth::Caller;
use crate::auth::tokens::{hash_token, random_token};
use crate::config::Settings;
use crate::db::{self, DbConn};
use crate::error::{ApiError, ApiResult};

/// The host part of the public URL, for calendar UIDs.
pub fn host_of(url: &str) -> String {
    url.split("://")
        .nth(1)
        .unwrap_or(url)
        .split(['/', ':'])
        .next()
        .unwrap_or("yishi")
        .to_string()
}

/// The agenda as calendar description lines.
pub(super) fn agenda_lines(conn: &mut DbConn, id: i64) -> ApiResult<Vec<String>> {
    Ok(q::agenda(conn, id)?
        .iter()
        .map(|a| format!("{}. {} ({} min)", a.position, a.title, a.minutes))
        .collect())
}

/// The meeting as an iCalendar file.
pub fn meeting_calendar(conn: &mut DbConn, settings: &Settings, id: i64) -> ApiResult<String> {
    let c = q::consultation(conn, id)?;
    let agenda = agenda_lines(conn, id)?;
    Ok(calendar::single(
        &c,
        &host_of(&settings.server.public_url),
        &agenda,
    ))
}

/// Creates (or replaces, revoking the old one) the caller's calendar feed address.
pub fn create_feed(conn: &mut DbConn, settings: &Settings, caller: &Caller) -> ApiResult<FeedOut> {
    let token = random_token()?;
    let token_hash = hash_token(&token);
    db::write_tx(conn, |conn| {
        q::set_feed_token(conn, caller.user_id, &token_hash)
    })?;
    Ok(FeedOut {
        url: format!(
            "{}/api/v1/me/calendar.ics?token={token}",
            settings.server.public_url
        ),
    })
}

/// When the caller's calendar feed address was made, if they have one. The address itself
/// cannot be shown again: only its hash is stored, so a page offers to renew it instead.
pub fn feed_status(
    conn: &mut DbConn,
    caller: &Caller,
) -> ApiResult<Option<chrono::DateTime<chrono::Utc>>> {
    Ok(q::feed_created_at(conn, caller.user_id)?.map(|t| t.and_utc()))
}

/// Revokes the caller's calendar feed address (404 when there is none).
pub fn revoke_feed(conn: &mut DbConn, caller: &Caller) -> ApiResult<()> {
    if q::revoke_feed_token(conn, caller.user_id)? {
        Ok(())
    } else {
        Err(ApiError::NotFound("calendar.no_feed"))
    }
}

/// The feed of the token's user: meetings they convene, or are invited to and did not
/// decline, from 90 days ago (at most about 2,000). An unknown token, or a disabled user's,
/// is 401.
pub fn feed(conn: &mut DbConn, settings: &Settings, token: &str) -> ApiResult<String> {
    let user = q::feed_user(conn, &hash_token(token))?
        .ok_or(ApiError::Unauthorized("auth.invalid_token"))?;
    let from = db::now() - chrono::Duration::days(90);
    let mut meetings: Vec<ConsultationRow> = Vec::new();
    let mut after = None;
    loop {
        let page = q::list(
            conn,
            &q::ListQuery {
                within: None,
                within_any: None,
                status: None,
                from: Some(from),
                to: None,
                participant: Some(user),
                after,
                fetch: 200,
            },
        )?;
        let last = page.last().map(|c| c.id);
        let full = page.len() == 200;
        meetings.extend(page);
        match last {
            Some(id) if full && meetings.len() < 2000 => after = Some(id),
            _ => break,
        }
    }
    let declined = q::declined_by(conn, user)?;
    meetings.retain(|m| m.convener_id == user || !declined.contains(&m.id));
    Ok(calendar::feed(
        &meetings,
        &host_of(&settings.server.public_url),
    ))
}
