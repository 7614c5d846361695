//! Outgoing mail: every message is written to the `outbox` table inside the transaction that
//! causes it, and a background sender delivers it with retries and backoff.

pub mod mailer;
pub mod outbox;
pub mod templates;
