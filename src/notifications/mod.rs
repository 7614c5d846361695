//! Who hears what, once (SPEC "Notifications", docs/notifications.md).
//!
//! A change writes one event row in its own transaction ([`events`]); the [`worker`] fans it
//! out to notifications ([`fanout`], [`audience`], pure [`rules`]) and the channels: the
//! in-app [`inbox`], mail ([`email`] over the [`outbox`]), [`webhooks`], and the live stream.
//! Follows and mail preferences are the users' own ([`follows`], [`preferences`]).

pub mod audience;
pub mod email;
pub mod events;
pub mod fanout;
pub mod follows;
pub mod inbox;
pub mod kinds;
pub mod mailer;
pub mod model;
pub mod outbox;
pub mod preferences;
pub mod reminders;
pub mod routes;
pub mod rules;
pub mod stream;
pub mod templates;
pub mod texts;
pub mod webhooks;
pub mod worker;
