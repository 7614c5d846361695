#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Input hygiene (issue 8, findings 4 and 6), on SQLite and PostgreSQL: one case table holds
//! every text field of every create/update body with the rule it follows. Each field is
//! tried with NUL, another control character, and, by its rule, a newline, whitespace only
//! or bad URLs: the answer is a 422 naming the field and nothing is written. Query strings
//! with `%00` are a 4xx (a 500 on PostgreSQL before), prose keeps its newlines, and an
//! injected `online_url` never becomes its own calendar line.

mod common;

/// The cases, one module a theme, in tests/input_hygiene/ (one binary).
mod input_hygiene {
    use crate::common::{self, Body, TestApp, monday_at};
    use awc::http::{Method, StatusCode};
    use chrono::{Duration, Utc};
    use serde_json::{Value, json};
    use yishi::auth::Role;

    use world::*;

    mod fields;
    mod icalendar;
    mod openapi;
    mod queries;
    mod world;
}
