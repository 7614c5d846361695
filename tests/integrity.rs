#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Workflow and account integrity (issue 8, findings 3, 5, 7, 10c, 10d), over HTTP on the
//! database `TEST_DATABASE_URL` names (SQLite otherwise):
//! - a convener whose role was revoked loses control of their meeting;
//! - a password reset ends the other reset links and every session;
//! - a merge target must be open and in say or discuss;
//! - concurrent re-ratings by one resident replace the rating;
//! - attendance is never recorded for a declined invitation.

mod common;

/// The cases, one module a finding, in tests/integrity/ (one binary).
mod integrity {
    use crate::common::{self, Resp, TestApp};
    use awc::http::StatusCode;
    use chrono::{Duration, Utc};
    use diesel::prelude::*;
    use serde_json::{Value, json};
    use yishi::auth::Role;
    use yishi::db::schema::{role_grants, topics};
    use yishi::topics::rules::Stage;

    use world::*;

    mod attendance;
    mod convener;
    mod merge;
    mod ratings;
    mod reset;
    mod world;
}
