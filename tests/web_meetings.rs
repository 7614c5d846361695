#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The consultation pages (协商会) and /cppcc (请你来协商) as people use them in a browser:
//! forms posted with the session's CSRF token, 303s followed, what the page shows checked.

mod common;

#[path = "web_meetings/world.rs"]
mod world;

#[path = "web_meetings/story.rs"]
mod story;

#[path = "web_meetings/refusals.rs"]
mod refusals;
