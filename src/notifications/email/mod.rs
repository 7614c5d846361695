//! The mail channel of notifications (docs/notifications.md, "Email").
//!
//! - [`queue_for_event`], inside the fan-out's transaction: per notification, an immediate
//!   mail in the outbox (within the hourly cap), a skipped delivery (mail off), or nothing yet
//!   (the digest takes it). Every mailed or skipped notification gets a delivery row; the
//!   digest takes exactly the notifications without one, so nothing is missed or repeated.
//! - [`tick`], from the worker: the daily digests that are due ([`digest`]).
//! - [`wanted_now`]: the sender's re-check of a preference at send time.
//! - [`unsubscribe`]: the RFC 8058 one-click action behind `List-Unsubscribe` ([`token`]).

pub mod digest;
pub mod render;
pub mod token;

use std::collections::HashMap;

use chrono::Duration;
use diesel::prelude::*;

use super::fanout::EventRow;
use super::kinds::{DeliveryMode, EmailMode, Language, NotificationKind};
use super::outbox::{self, UserMail};
use super::{preferences, rules};
use crate::config::Settings;
use crate::db::schema::{
    notification_deliveries as nd, notification_kind_settings as nks, notification_settings as ns,
    notifications as n, users,
};
use crate::db::{self, DbConn};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

crate::wire_enum! {
    /// The channel of a delivery row (the table allows only mail so far).
    pub enum Channel {
        Email = "email",
    }
}

/// Notifications read per statement when an event's mails are scheduled.
const CHUNK: i64 = 500;

/// Kinds the consultations module mails itself, with the meeting's .ics
/// (src/consultations/actions/mail.rs); here they only get a skipped delivery row.
pub fn mailed_elsewhere(kind: NotificationKind) -> bool {
    matches!(
        kind,
        NotificationKind::MeetingInvited
            | NotificationKind::MeetingUpdated
            | NotificationKind::MeetingCancelled
    )
}

/// One notification of the event, with what deciding its mail needs.
#[derive(Debug, Queryable)]
struct Pending {
    id: i64,
    user_id: i64,
    email: String,
    disabled: bool,
    title: String,
    body: String,
    url: String,
    general: Option<EmailMode>,
    language: Option<Language>,
}

/// Schedules the mails of one event's notifications (inside the fan-out's transaction, after
/// they are written). A constant number of statements per chunk of recipients.
pub fn queue_for_event(conn: &mut DbConn, settings: &Settings, event: &EventRow) -> ApiResult<()> {
    let mut after = 0;
    loop {
        let chunk: Vec<Pending> = n::table
            .inner_join(users::table.on(users::id.eq(n::user_id)))
            .left_join(ns::table.on(ns::user_id.eq(n::user_id)))
            .filter(n::event_id.eq(event.id))
            .filter(n::id.gt(after))
            .order(n::id)
            .limit(CHUNK)
            .select((
                n::id,
                n::user_id,
                users::email,
                users::disabled,
                n::title,
                n::body,
                n::url,
                ns::email.nullable(),
                ns::language.nullable(),
            ))
            .load(conn)?;
        let Some(last) = chunk.last().map(|p| p.id) else {
            return Ok(());
        };
        queue_chunk(conn, settings, event.kind, &chunk)?;
        if (chunk.len() as i64) < CHUNK {
            return Ok(());
        }
        after = last;
    }
}

fn queue_chunk(
    conn: &mut DbConn,
    settings: &Settings,
    kind: NotificationKind,
    chunk: &[Pending],
) -> ApiResult<()> {
    let user_ids: Vec<i64> = chunk.iter().map(|p| p.user_id).collect();
    let overrides: HashMap<i64, EmailMode> = nks::table
        .filter(nks::user_id.eq_any(&user_ids))
        .filter(nks::kind.eq(kind))
        .select((nks::user_id, nks::email))
        .load::<(i64, EmailMode)>(conn)?
        .into_iter()
        .collect();
    let since = db::now() - Duration::hours(1);
    let sent_last_hour: HashMap<i64, i64> = nd::table
        .inner_join(n::table.on(n::id.eq(nd::notification_id)))
        .filter(n::user_id.eq_any(&user_ids))
        .filter(nd::mode.eq(DeliveryMode::Immediate))
        .filter(nd::created_at.gt(since))
        .group_by(n::user_id)
        .select((n::user_id, diesel::dsl::count_star()))
        .load::<(i64, i64)>(conn)?
        .into_iter()
        .collect();
    let host = render::host_of(&settings.server.public_url);
    let mut skipped = Vec::new();
    let mut mails = Vec::new();
    let mut mailed = HashMap::new();
    for p in chunk {
        let general = p.general.unwrap_or(settings.notifications.default_email);
        let mode = rules::email_mode(general, overrides.get(&p.user_id).copied());
        if mailed_elsewhere(kind) || p.disabled || mode == EmailMode::Off {
            skipped.push(p.id);
            continue;
        }
        let within_cap = rules::within_hourly_cap(
            sent_last_hour.get(&p.user_id).copied().unwrap_or(0),
            settings.notifications.email_hourly_cap,
        );
        if mode == EmailMode::Digest || !within_cap {
            continue;
        }
        let lang = p.language.unwrap_or(Language::ZhCn);
        let unsubscribe = token::url(settings, p.user_id, Some(kind));
        let body = render::notification(lang, &p.title, &p.body, &p.url, &unsubscribe)?;
        let message_id = format!("<notification-{}@{host}>", p.id);
        mailed.insert(message_id.clone(), p.id);
        mails.push(UserMail {
            to: p.email.clone(),
            user_id: p.user_id,
            notification_kind: Some(kind.as_str().to_string()),
            template: "notification",
            subject: body.subject,
            text: body.text,
            html: body.html,
            list_unsubscribe: format!("<{unsubscribe}>"),
            message_id,
        });
    }
    let queued = outbox::enqueue_user_mails(conn, &mails)?;
    let mut rows: Vec<(i64, DeliveryMode, Option<i64>)> = queued
        .into_iter()
        .filter_map(|(outbox_id, message_id)| {
            mailed
                .get(&message_id)
                .map(|nid| (*nid, DeliveryMode::Immediate, Some(outbox_id)))
        })
        .collect();
    rows.extend(
        skipped
            .into_iter()
            .map(|id| (id, DeliveryMode::Skipped, None)),
    );
    record_deliveries(conn, &rows)
}

/// Writes delivery rows (one statement): `(notification, mode, outbox row)`.
pub(crate) fn record_deliveries(
    conn: &mut DbConn,
    rows: &[(i64, DeliveryMode, Option<i64>)],
) -> ApiResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let now = db::now();
    let values: Vec<_> = rows
        .iter()
        .map(|(notification, mode, outbox_id)| {
            (
                nd::notification_id.eq(*notification),
                nd::channel.eq(Channel::Email),
                nd::mode.eq(*mode),
                nd::outbox_id.eq(*outbox_id),
                nd::created_at.eq(now),
            )
        })
        .collect();
    // Multi-row VALUES compiles only on the concrete connections.
    let insert = diesel::insert_into(nd::table).values(values);
    match conn {
        DbConn::Postgres(pg) => insert.execute(pg)?,
        DbConn::Sqlite(sqlite) => insert.execute(sqlite)?,
    };
    Ok(())
}

/// Does the user still want this mail, by their preference now? `kind` is the notification
/// kind of an immediate mail, None for a digest (wanted unless every mail is off).
pub fn wanted_now(
    conn: &mut DbConn,
    settings: &Settings,
    user_id: i64,
    kind: Option<&str>,
) -> ApiResult<bool> {
    let p = preferences::of(conn, settings, user_id)?;
    Ok(match kind {
        Some(k) => match NotificationKind::parse(k) {
            Some(k) => rules::email_mode(p.email, p.kinds.get(&k).copied()) != EmailMode::Off,
            None => true,
        },
        None => p.email != EmailMode::Off || p.kinds.values().any(|m| *m != EmailMode::Off),
    })
}

/// Of these users, those who turned mail of `kind` off (two statements, for any number of
/// users): the consultations module leaves them out of its meeting mails.
pub fn not_mailed(
    conn: &mut DbConn,
    settings: &Settings,
    user_ids: &[i64],
    kind: NotificationKind,
) -> ApiResult<std::collections::BTreeSet<i64>> {
    if user_ids.is_empty() {
        return Ok(Default::default());
    }
    let general: HashMap<i64, EmailMode> = ns::table
        .filter(ns::user_id.eq_any(user_ids))
        .select((ns::user_id, ns::email))
        .load::<(i64, EmailMode)>(conn)?
        .into_iter()
        .collect();
    let overrides: HashMap<i64, EmailMode> = nks::table
        .filter(nks::user_id.eq_any(user_ids))
        .filter(nks::kind.eq(kind))
        .select((nks::user_id, nks::email))
        .load::<(i64, EmailMode)>(conn)?
        .into_iter()
        .collect();
    Ok(user_ids
        .iter()
        .copied()
        .filter(|u| {
            let g = general
                .get(u)
                .copied()
                .unwrap_or(settings.notifications.default_email);
            rules::email_mode(g, overrides.get(u).copied()) == EmailMode::Off
        })
        .collect())
}

/// The one-click unsubscribe: turns off the mail the token names (one kind, or all
/// notification mail). The token is the credential; a bad one is a 422 on `token`.
pub fn unsubscribe(
    conn: &mut DbConn,
    settings: &Settings,
    raw_token: &str,
) -> ApiResult<token::Unsubscribe> {
    let t = check(conn, settings, raw_token)?;
    preferences::unsubscribe(conn, settings, t.user_id, t.kind)?;
    Ok(t)
}

/// Reads a token without acting on it (the confirmation page a GET shows).
pub fn check(
    conn: &mut DbConn,
    settings: &Settings,
    raw_token: &str,
) -> ApiResult<token::Unsubscribe> {
    let invalid = || {
        ApiError::invalid(
            "token",
            "notifications.invalid_unsubscribe_token",
            "not an unsubscribe token of this installation",
        )
    };
    let t = token::verify(settings, raw_token).ok_or_else(invalid)?;
    let exists = users::table
        .find(t.user_id)
        .count()
        .get_result::<i64>(conn)?
        > 0;
    if !exists {
        return Err(invalid());
    }
    Ok(t)
}

/// Builds the digests that are due (from the worker, on the state's clock).
pub async fn tick(state: &AppState) {
    let settings = state.settings.clone();
    let now = state.clock.now();
    match db::run(&state.pool, move |c| digest::build_due(c, &settings, now)).await {
        Ok(0) => {}
        Ok(built) => {
            tracing::debug!(built, "digests queued");
            state.mail_wakeup.notify_one();
        }
        Err(e) => tracing::warn!(error = %e, "digest build failed"),
    }
}
