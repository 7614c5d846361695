#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Notifications that come by themselves: reminders as the (manual) clock moves, the live
//! stream (Server-Sent Events, bearer or session cookie, `Last-Event-ID` replay), and the
//! notification parts of the web pages (/me inbox, follow buttons, mail preferences).

mod common;

mod notify_live {
    mod kit;
    mod pages;
    mod reminders;
    mod stream;
}
