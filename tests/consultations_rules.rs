#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Every refusal of consultations 协商会 over HTTP: who may call each endpoint and where, what
//! input each write needs, which actions each status allows, the scheduling guard against
//! double-booking, free slots, calendars and the proposal lifecycle. Each refusal is checked
//! for its status, its problem `code` (and `field` for 400/422), and for having changed
//! nothing. Runs on PostgreSQL too (TEST_DATABASE_URL).
//!
//! Three tests assert behaviour the code does not have yet (see their doc comments):
//! `a_wrong_type_for_a_named_value_is_an_invalid_field_not_malformed_json`,
//! `a_task_follow_up_refused_for_its_organisation_names_the_follow_up` and, on PostgreSQL,
//! `parallel_schedules_do_not_double_book`.

mod common;

/// The cases, one module a theme, in tests/consultations_rules/ (one binary).
mod consultations_rules {
    use std::cell::Cell;

    use crate::common::{
        Call, DENIED, DemoCity, Expect, Method, Resp, TestApp, TestResult, User, call, day_at,
        deny, deny_all, ics, id_of, make_user, merged, snapshot, z,
    };
    use chrono::{DateTime, Datelike, Duration, Timelike, Utc, Weekday};
    use serde_json::{Value, json};
    use yishi::auth::Role;

    use world::*;

    mod access;
    mod bad_input;
    mod calendars_proposals;
    mod rule_breaks;
    mod scheduling;
    mod statuses;
    mod world;
}
