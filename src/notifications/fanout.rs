//! The fan-out: turns each recorded event into notifications (one per event and user), then
//! hands them to the mail and webhook channels, in one transaction per event. Several nodes
//! run it at once: on PostgreSQL each claims its event with `FOR UPDATE SKIP LOCKED`, on SQLite
//! the write lock serialises them, and the unique keys make a repeat impossible anyway.

use std::collections::BTreeSet;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde_json::Value;

use super::audience::{self, About};
use super::kinds::{Language, NotificationKind};
use super::{email, rules, texts, webhooks};
use crate::config::Settings;
use crate::db::schema::{consultations, notification_events as ne, notifications as n, topics};
use crate::db::{self, DbConn};
use crate::error::ApiResult;

/// A recorded event, as the channels see it.
#[derive(Debug, Clone, Queryable)]
pub struct EventRow {
    pub id: i64,
    pub kind: NotificationKind,
    pub dedupe_key: String,
    pub place_id: Option<i64>,
    pub topic_id: Option<i64>,
    pub consultation_id: Option<i64>,
    pub task_id: Option<i64>,
    pub actor_id: Option<i64>,
    pub payload: String,
    pub created_at: NaiveDateTime,
}

const EVENT_COLUMNS: (
    ne::id,
    ne::kind,
    ne::dedupe_key,
    ne::place_id,
    ne::topic_id,
    ne::consultation_id,
    ne::task_id,
    ne::actor_id,
    ne::payload,
    ne::created_at,
) = (
    ne::id,
    ne::kind,
    ne::dedupe_key,
    ne::place_id,
    ne::topic_id,
    ne::consultation_id,
    ne::task_id,
    ne::actor_id,
    ne::payload,
    ne::created_at,
);

/// What one fan-out did, for the live stream and the logs.
#[derive(Debug, Clone, Default)]
pub struct FannedOut {
    pub event_id: i64,
    pub recipients: usize,
}

/// Fans out up to `limit` waiting events, one transaction each.
pub fn fan_out_due(
    conn: &mut DbConn,
    settings: &Settings,
    limit: i64,
) -> ApiResult<Vec<FannedOut>> {
    let mut done = Vec::new();
    for _ in 0..limit {
        match fan_out_one(conn, settings)? {
            Some(f) => done.push(f),
            None => break,
        }
    }
    Ok(done)
}

/// Claims the oldest waiting event no other node holds and fans it out.
pub fn fan_out_one(conn: &mut DbConn, settings: &Settings) -> ApiResult<Option<FannedOut>> {
    db::write_tx(conn, |conn| {
        let next = ne::table
            .filter(ne::fanned_out_at.is_null())
            .select(ne::id)
            .order(ne::id)
            .limit(1);
        let id: Option<i64> = match conn {
            DbConn::Postgres(pg) => next.for_update().skip_locked().first(pg).optional()?,
            DbConn::Sqlite(sqlite) => next.first(sqlite).optional()?,
        };
        let Some(id) = id else {
            return Ok(None);
        };
        let event: EventRow = ne::table.find(id).select(EVENT_COLUMNS).first(conn)?;
        let recipients = notify(conn, settings, &event)?;
        email::queue_for_event(conn, settings, &event)?;
        webhooks::queue_for_event(conn, settings, &event)?;
        diesel::update(ne::table.find(id))
            .set(ne::fanned_out_at.eq(db::now()))
            .execute(conn)?;
        if let DbConn::Postgres(pg) = conn {
            // Delivered at commit: the other nodes' live streams wake (the id only).
            diesel::sql_query("SELECT pg_notify('yishi_notifications', $1)")
                .bind::<diesel::sql_types::Text, _>(id.to_string())
                .execute(pg)?;
        }
        Ok(Some(FannedOut {
            event_id: id,
            recipients,
        }))
    })
}

/// Writes the event's notifications: first those who must act, then the followers in chunks.
/// The actor never hears of their own action. Returns how many were written.
fn notify(conn: &mut DbConn, settings: &Settings, event: &EventRow) -> ApiResult<usize> {
    let payload: Value = serde_json::from_str(&event.payload).unwrap_or(Value::Null);
    let about = About {
        kind: event.kind,
        place_id: event.place_id,
        topic_id: event.topic_id,
        consultation_id: event.consultation_id,
        task_id: event.task_id,
        payload: &payload,
    };
    let text = Text::of(conn, settings, event, &payload)?;
    let mut written = BTreeSet::new();
    if let Some(actor) = event.actor_id {
        written.insert(actor);
    }
    let mut count = 0;
    let duty: Vec<i64> = audience::with_duties(conn, &about, rules::duties(event.kind))?
        .into_iter()
        .filter(|u| !written.contains(u))
        .collect();
    if !duty.is_empty() {
        let langs = audience::languages(conn, &duty)?;
        let rows: Vec<(i64, Option<Language>)> =
            duty.iter().map(|u| (*u, langs.get(u).copied())).collect();
        count += insert(conn, event, &text, &rows)?;
        written.extend(duty);
    }
    let levels = rules::follower_levels(event.kind);
    if let (Some(topic), false) = (event.topic_id, levels.is_empty()) {
        let mut after = 0;
        loop {
            let chunk = audience::followers(
                conn,
                topic,
                levels,
                after,
                settings.notifications.follower_chunk,
            )?;
            let Some(last) = chunk.last().map(|c| c.0) else {
                break;
            };
            let full = chunk.len() as i64 == settings.notifications.follower_chunk;
            let rows: Vec<_> = chunk
                .into_iter()
                .filter(|(u, _)| written.insert(*u))
                .collect();
            count += insert(conn, event, &text, &rows)?;
            if !full {
                break;
            }
            after = last;
        }
    }
    Ok(count)
}

/// The words of one event in both languages, and the page it links to.
struct Text {
    zh: (String, String),
    en: (String, String),
    url: String,
}

impl Text {
    fn of(
        conn: &mut DbConn,
        settings: &Settings,
        e: &EventRow,
        payload: &Value,
    ) -> ApiResult<Text> {
        let base = settings.server.public_url.trim_end_matches('/');
        let (subject, url) = match (e.topic_id, e.consultation_id) {
            (Some(t), _) => (
                topics::table
                    .find(t)
                    .select(topics::title)
                    .first::<String>(conn)?,
                format!("{base}/topics/{t}"),
            ),
            (None, Some(c)) => (
                consultations::table
                    .find(c)
                    .select(consultations::title)
                    .first::<String>(conn)?,
                format!("{base}/consultations/{c}"),
            ),
            (None, None) => (String::new(), format!("{base}/me")),
        };
        let note = payload.get("note").and_then(Value::as_str);
        let words = |lang| {
            (
                texts::title(e.kind, lang, &subject),
                texts::body(e.kind, lang, note),
            )
        };
        Ok(Text {
            zh: words(Language::ZhCn),
            en: words(Language::En),
            url,
        })
    }
}

/// One batch insert of notifications for these users.
fn insert(
    conn: &mut DbConn,
    e: &EventRow,
    text: &Text,
    users: &[(i64, Option<Language>)],
) -> ApiResult<usize> {
    if users.is_empty() {
        return Ok(0);
    }
    let now = db::now();
    let rows: Vec<_> = users
        .iter()
        .map(|(user, lang)| {
            let (title, body) = match lang {
                Some(Language::En) => &text.en,
                _ => &text.zh,
            };
            (
                n::event_id.eq(e.id),
                n::user_id.eq(*user),
                n::kind.eq(e.kind),
                n::topic_id.eq(e.topic_id),
                n::consultation_id.eq(e.consultation_id),
                n::title.eq(title.as_str()),
                n::body.eq(body.as_str()),
                n::url.eq(text.url.as_str()),
                n::created_at.eq(now),
            )
        })
        .collect();
    // Multi-row VALUES compiles only on the concrete connections.
    let insert = diesel::insert_into(n::table).values(rows);
    Ok(match conn {
        DbConn::Postgres(pg) => insert.execute(pg)?,
        DbConn::Sqlite(sqlite) => insert.execute(sqlite)?,
    })
}
