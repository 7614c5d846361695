//! The daily digest. When a user's local digest hour has come and they have no digest run for
//! that local day, a node claims the run (the `digest_runs` primary key (user, day) lets only
//! one node have it), takes every notification of theirs without an email delivery row (the
//! watermark: every item mailed or skipped gets one, so nothing is repeated and nothing
//! waiting is left out), re-checks each kind's mode at this moment, and queues one mail.

use chrono::NaiveDateTime;
use diesel::IntoSql;
use diesel::dsl::{exists, not};
use diesel::prelude::*;

use super::render::{self, DigestItem};
use super::{mailed_elsewhere, record_deliveries, token};
use crate::config::Settings;
use crate::db::schema::{
    digest_runs as dr, notification_deliveries as nd, notification_settings as ns,
    notifications as n, users,
};
use crate::db::{self, DbConn};
use crate::error::ApiResult;
use crate::notifications::kinds::{DeliveryMode, EmailMode, NotificationKind};
use crate::notifications::outbox::{self, UserMail};
use crate::notifications::{preferences, rules};

/// Users whose digest is built per call (the worker calls again on its next pass).
const USERS_PER_PASS: i64 = 100;

/// Builds the digests due at `now` (UTC); returns how many mails were queued.
pub fn build_due(conn: &mut DbConn, settings: &Settings, now: NaiveDateTime) -> ApiResult<usize> {
    let local = now
        .and_utc()
        .with_timezone(&settings.locale.time_zone)
        .naive_local();
    let hour = chrono::Timelike::hour(&local) as i32;
    let day = local.format("%Y-%m-%d").to_string();
    let default_due = settings.notifications.default_digest_hour <= hour;
    // One query: users with something waiting, whose hour has come, and no run today.
    let candidates: Vec<i64> = n::table
        .inner_join(users::table.on(users::id.eq(n::user_id)))
        .left_join(ns::table.on(ns::user_id.eq(n::user_id)))
        .filter(users::disabled.eq(false))
        .filter(not(exists(nd::table.filter(nd::notification_id.eq(n::id)))))
        .filter(
            ns::digest_hour.nullable().le(hour).or(ns::user_id
                .nullable()
                .is_null()
                .and(default_due.into_sql::<diesel::sql_types::Bool>())),
        )
        .filter(not(exists(
            dr::table
                .filter(dr::user_id.eq(n::user_id))
                .filter(dr::local_day.eq(&day)),
        )))
        .select(n::user_id)
        .distinct()
        .order(n::user_id)
        .limit(USERS_PER_PASS)
        .load(conn)?;
    let mut built = 0;
    for user in candidates {
        // The hour check above is the SQL form of this rule; ask the rule itself too.
        let prefs = preferences::of(conn, settings, user)?;
        if rules::digest_day(local, prefs.digest_hour.max(0) as u32).as_deref() != Some(&day) {
            continue;
        }
        if build_one(conn, settings, user, &day)? {
            built += 1;
        }
    }
    Ok(built)
}

/// Claims and builds one user's digest for `day`; true when a mail was queued.
fn build_one(conn: &mut DbConn, settings: &Settings, user: i64, day: &str) -> ApiResult<bool> {
    db::write_tx(conn, |conn| {
        let now = db::now();
        let claim = diesel::insert_into(dr::table)
            .values((
                dr::user_id.eq(user),
                dr::local_day.eq(day),
                dr::created_at.eq(now),
            ))
            .on_conflict_do_nothing();
        let claimed = match conn {
            DbConn::Postgres(pg) => claim.execute(pg)?,
            DbConn::Sqlite(sqlite) => claim.execute(sqlite)?,
        };
        if claimed == 0 {
            return Ok(false); // another node has it
        }
        let waiting: Vec<(i64, NotificationKind, String, String)> = n::table
            .filter(n::user_id.eq(user))
            .filter(not(exists(nd::table.filter(nd::notification_id.eq(n::id)))))
            .order(n::id)
            .select((n::id, n::kind, n::title, n::url))
            .load(conn)?;
        let prefs = preferences::of(conn, settings, user)?;
        let mut items = Vec::new();
        let mut included = Vec::new();
        let mut skipped = Vec::new();
        for (id, kind, title, url) in waiting {
            let mode = rules::email_mode(prefs.email, prefs.kinds.get(&kind).copied());
            if mode == EmailMode::Off || mailed_elsewhere(kind) {
                skipped.push(id);
            } else {
                included.push(id);
                items.push(DigestItem { title, url });
            }
        }
        let mut rows: Vec<(i64, DeliveryMode, Option<i64>)> = skipped
            .into_iter()
            .map(|id| (id, DeliveryMode::Skipped, None))
            .collect();
        let mut queued = false;
        if !items.is_empty() {
            let to: String = users::table.find(user).select(users::email).first(conn)?;
            let lang = prefs.language;
            let unsubscribe = token::url(settings, user, None);
            let body = render::digest(lang, day, &items, &unsubscribe)?;
            let host = render::host_of(&settings.server.public_url);
            let mail = UserMail {
                to,
                user_id: user,
                notification_kind: None,
                template: "digest",
                subject: body.subject,
                text: body.text,
                html: body.html,
                list_unsubscribe: format!("<{unsubscribe}>"),
                message_id: format!("<digest-{user}-{day}@{host}>"),
            };
            let outbox_id = outbox::enqueue_user_mails(conn, &[mail])?
                .first()
                .map(|(id, _)| *id);
            diesel::update(dr::table.find((user, day)))
                .set(dr::outbox_id.eq(outbox_id))
                .execute(conn)?;
            rows.extend(
                included
                    .into_iter()
                    .map(|id| (id, DeliveryMode::Digest, outbox_id)),
            );
            queued = true;
        }
        record_deliveries(conn, &rows)?;
        Ok(queued)
    })
}
