#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Proof over every endpoint (issue 8): one table states, for every operation of the OpenAPI
//! document and every kind of caller, the expected answer; the walk fails on an operation
//! without a row and on a row without an operation, then sends every cell over HTTP.

mod common;

/// The table and its walk, one module each, in tests/role_table/ (one binary).
mod role_table {
    use crate::common::{
        DemoCity, Method, Resp, TestApp, TestResult, User, id_of, make_user, merged, monday_at,
    };
    use serde_json::{Value, json};
    use yishi::auth::Role;

    mod callers;
    mod fixtures;
    mod requests;
    mod table;
    mod walk;
}
