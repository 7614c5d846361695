#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The mail channel of notifications against a real SMTP server (aiosmtpd on loopback, read
//! back from its Maildir with Python's `email` parser): immediate mails with decodable Chinese
//! subjects, HTML and text, deterministic Message-IDs and RFC 8058 headers; followers and a
//! muted follower; the daily digest on a moved clock; one-click unsubscribe; the hourly cap;
//! SMTP down and back with every mail arriving exactly once.

mod common;

mod notify_mail {
    mod cases;
    mod digest;
    mod outage;
    pub mod smtp;
    mod unsubscribe;
    pub mod world;
}
