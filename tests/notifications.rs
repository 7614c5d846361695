#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Notifications over HTTP: who hears what (those affected, followers, those who must act, never
//! the actor), follows and their sticky choices, the inbox (unread collapsed per topic, mark read,
//! read-all never deletes, keyset pages), mail preferences, and once-only by unique keys.

mod common;

mod notifications {
    mod audience;
    mod inbox;
    mod meetings;
    mod preferences;
}
