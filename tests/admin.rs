//! The admin and write endpoints over HTTP: a role × place matrix over every admin endpoint,
//! public reads and pagination of the place tree and organisations, the rules of places and
//! grants, and bad input on every write endpoint (answered with problem+json, in zh-CN or en,
//! and leaving the database unchanged).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

/// The cases, one module a theme, in tests/admin/ (one binary).
mod admin {
    use std::collections::HashSet;

    use crate::common::{
        Body, DENIED, Expect, Method, Resp, StatusCode, TestApp, TestResult, assert_problem, call,
        deny, ids, problem, problem_all,
    };
    use serde_json::{Value, json};
    use yishi::auth::Role;
    use yishi::places::model::OrganizationKind;

    use world::*;

    mod bad_input;
    mod grants;
    mod matrix;
    mod parallel;
    mod places;
    mod reads;
    mod world;
}
