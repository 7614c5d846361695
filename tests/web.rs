#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The page foundation as a person meets it: the home page, signing in and out, the cookie
//! session (on the API's session table) and its ends, CSRF, the mailed links, languages and
//! text size, assets and error pages. Pages of the areas are tested in tests/web_*.rs.

mod common;

#[path = "web/account.rs"]
mod account;
#[path = "web/chrome.rs"]
mod chrome;
#[path = "web/session.rs"]
mod session;
