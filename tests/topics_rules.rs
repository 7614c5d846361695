#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Every refusal of the topic workflow (说议筹办评) over HTTP: who may create, which transitions
//! exist in each stage, who may take them, what input they need, which facts block them, and
//! the rules of supports, comments, evaluations and tasks. Each refusal is checked for its
//! status, its problem `code` (and `field` for 400/422), and for having changed nothing. The
//! concurrency tests run on PostgreSQL too (TEST_DATABASE_URL).

mod common;

/// The cases, one module a theme, in tests/topics_rules/ (one binary).
mod topics_rules {
    use std::collections::BTreeSet;
    use std::future::Future;

    use crate::common::{
        Body, DENIED, DemoCity, Expect, Method, Resp, TestApp, TestResult, User, deny, deny_all,
        id_of, id_set as ids, make_user, merged, snapshot,
    };
    use chrono::Datelike;
    use serde_json::{Value, json};
    use yishi::auth::Role;

    use world::*;

    mod create;
    mod evaluation;
    mod parallel;
    mod plan_act;
    mod public;
    mod say_discuss;
    mod supports_comments;
    mod tasks;
    mod world;
}
