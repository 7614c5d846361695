//! The mail outbox: queued inside business transactions, claimed by senders with a lease so
//! several nodes never deliver the same row at once (SKIP LOCKED on PostgreSQL).

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use super::templates::Rendered;
use crate::db::schema::outbox;
use crate::db::{self, DbConn};
use crate::error::ApiResult;

crate::wire_enum! {
    /// Where a queued mail stands: waiting (or leased) for delivery, delivered, given up, or
    /// not sent because its recipient turned that kind of mail off after it was queued.
    pub enum OutboxStatus {
        Pending = "pending",
        Sent = "sent",
        Failed = "failed",
        Skipped = "skipped",
    }
}

/// How long a claimed row stays invisible to other senders while it is being delivered.
pub const LEASE_SECONDS: i64 = 300;

/// A mail claimed for delivery.
#[derive(Debug, Clone, Queryable)]
pub struct OutgoingMail {
    pub id: i64,
    pub to_addr: String,
    pub subject: String,
    pub body_text: String,
    pub attempts: i32,
    /// An iCalendar part to attach (meeting invitations, updates, cancellations).
    pub ics: Option<String>,
    /// An HTML alternative to the text (notification mails and digests).
    pub body_html: Option<String>,
    /// The user the mail belongs to, whose preference is re-read before sending.
    pub user_id: Option<i64>,
    /// The notification kind, or None for a digest (both re-checked at send time).
    pub notification_kind: Option<String>,
    /// `List-Unsubscribe` value (RFC 8058 one-click), with its angle brackets.
    pub list_unsubscribe: Option<String>,
    /// A deterministic `Message-ID` (with angle brackets), so a receiver can spot a repeat.
    pub message_id: Option<String>,
}

/// A mail that belongs to one user (a notification or a digest), as the outbox stores it.
#[derive(Debug, Clone)]
pub struct UserMail {
    pub to: String,
    pub user_id: i64,
    /// The notification kind; None for a digest.
    pub notification_kind: Option<String>,
    /// The outbox `kind` (template name): `notification` or `digest`.
    pub template: &'static str,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub list_unsubscribe: String,
    pub message_id: String,
}

/// Queues user mails in one statement per call; returns (outbox id, message id) pairs so the
/// caller can link its delivery rows. Call inside the transaction that makes them necessary.
pub fn enqueue_user_mails(conn: &mut DbConn, mails: &[UserMail]) -> ApiResult<Vec<(i64, String)>> {
    if mails.is_empty() {
        return Ok(Vec::new());
    }
    let now = db::now();
    let rows: Vec<_> = mails
        .iter()
        .map(|m| {
            (
                outbox::to_addr.eq(m.to.as_str()),
                outbox::subject.eq(m.subject.as_str()),
                outbox::body_text.eq(m.text.as_str()),
                outbox::kind.eq(m.template),
                outbox::status.eq(OutboxStatus::Pending),
                outbox::attempts.eq(0),
                outbox::next_attempt_at.eq(now),
                outbox::created_at.eq(now),
                outbox::body_html.eq(Some(m.html.as_str())),
                outbox::user_id.eq(Some(m.user_id)),
                outbox::notification_kind.eq(m.notification_kind.as_deref()),
                outbox::list_unsubscribe.eq(Some(m.list_unsubscribe.as_str())),
                outbox::message_id.eq(Some(m.message_id.as_str())),
            )
        })
        .collect();
    // Multi-row VALUES compiles only on the concrete connections.
    let insert = diesel::insert_into(outbox::table)
        .values(rows)
        .returning((outbox::id, outbox::message_id));
    let done: Vec<(i64, Option<String>)> = match conn {
        DbConn::Postgres(pg) => insert.get_results(pg)?,
        DbConn::Sqlite(sqlite) => insert.get_results(sqlite)?,
    };
    Ok(done
        .into_iter()
        .map(|(id, m)| (id, m.unwrap_or_default()))
        .collect())
}

/// Queues a mail; call inside the transaction that makes it necessary.
pub fn enqueue(conn: &mut DbConn, to: &str, mail: &Rendered) -> ApiResult<i64> {
    enqueue_with_ics(conn, to, mail, None)
}

/// Queues a mail with an iCalendar part.
pub fn enqueue_with_ics(
    conn: &mut DbConn,
    to: &str,
    mail: &Rendered,
    ics: Option<&str>,
) -> ApiResult<i64> {
    let now = db::now();
    let id = diesel::insert_into(outbox::table)
        .values((
            outbox::to_addr.eq(to),
            outbox::subject.eq(&mail.subject),
            outbox::body_text.eq(&mail.body),
            outbox::kind.eq(mail.kind),
            outbox::status.eq(OutboxStatus::Pending),
            outbox::attempts.eq(0),
            outbox::next_attempt_at.eq(now),
            outbox::created_at.eq(now),
            outbox::ics.eq(ics),
        ))
        .returning(outbox::id)
        .get_result(conn)?;
    Ok(id)
}

/// Claims up to `limit` due mails: bumps their attempt count and pushes their next attempt
/// past the lease, so a crash mid-delivery only delays them.
pub fn claim_due(conn: &mut DbConn, limit: i64) -> ApiResult<Vec<OutgoingMail>> {
    db::write_tx(conn, |conn| {
        let now = db::now();
        let due = outbox::table
            .select(outbox::id)
            .filter(outbox::status.eq(OutboxStatus::Pending))
            .filter(outbox::next_attempt_at.le(now))
            .order(outbox::id)
            .limit(limit);
        let ids: Vec<i64> = match conn {
            DbConn::Postgres(pg) => due.for_update().skip_locked().load(pg)?,
            DbConn::Sqlite(sqlite) => due.load(sqlite)?,
        };
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        diesel::update(outbox::table.filter(outbox::id.eq_any(&ids)))
            .set((
                outbox::attempts.eq(outbox::attempts + 1),
                outbox::next_attempt_at.eq(now + Duration::seconds(LEASE_SECONDS)),
            ))
            .execute(conn)?;
        Ok(outbox::table
            .filter(outbox::id.eq_any(&ids))
            .select((
                outbox::id,
                outbox::to_addr,
                outbox::subject,
                outbox::body_text,
                outbox::attempts,
                outbox::ics,
                outbox::body_html,
                outbox::user_id,
                outbox::notification_kind,
                outbox::list_unsubscribe,
                outbox::message_id,
            ))
            .order(outbox::id)
            .load(conn)?)
    })
}

/// Records a delivery.
pub fn mark_sent(conn: &mut DbConn, id: i64) -> ApiResult<()> {
    diesel::update(outbox::table.find(id))
        .set((
            outbox::status.eq(OutboxStatus::Sent),
            outbox::sent_at.eq(db::now()),
            outbox::last_error.eq(None::<String>),
        ))
        .execute(conn)?;
    Ok(())
}

/// Records that a mail was not sent because its recipient no longer wants it.
pub fn mark_skipped(conn: &mut DbConn, id: i64) -> ApiResult<()> {
    diesel::update(outbox::table.find(id))
        .set((
            outbox::status.eq(OutboxStatus::Skipped),
            outbox::last_error.eq(Some("the recipient turned this mail off")),
        ))
        .execute(conn)?;
    Ok(())
}

/// Records a failed attempt: retry later, or give up after `max_attempts` or a permanent error.
pub fn mark_failed(
    conn: &mut DbConn,
    mail: &OutgoingMail,
    error: &str,
    permanent: bool,
    max_attempts: i32,
) -> ApiResult<()> {
    let now = db::now();
    let give_up = permanent || mail.attempts >= max_attempts;
    diesel::update(outbox::table.find(mail.id))
        .set((
            outbox::status.eq(if give_up {
                OutboxStatus::Failed
            } else {
                OutboxStatus::Pending
            }),
            outbox::next_attempt_at.eq(next_attempt(now, mail.attempts)),
            outbox::last_error.eq(error.chars().take(500).collect::<String>()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Mails still waiting.
pub fn pending_count(conn: &mut DbConn) -> ApiResult<i64> {
    Ok(outbox::table
        .filter(outbox::status.eq(OutboxStatus::Pending))
        .count()
        .get_result(conn)?)
}

/// Exponential backoff: 5 s after the first failure, doubling, at most an hour.
pub fn next_attempt(now: NaiveDateTime, attempts: i32) -> NaiveDateTime {
    let exp = attempts.clamp(1, 20) as u32 - 1;
    let secs = 5i64.saturating_mul(1i64 << exp.min(12)).min(3600);
    now + Duration::seconds(secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_caps() {
        let t = NaiveDateTime::default();
        let secs = |a| (next_attempt(t, a) - t).num_seconds();
        assert_eq!(secs(1), 5);
        assert_eq!(secs(2), 10);
        assert_eq!(secs(3), 20);
        assert_eq!(secs(20), 3600);
    }
}
