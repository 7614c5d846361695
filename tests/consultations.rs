#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Consultations over HTTP: a CPPCC member takes an escalated topic from the queue into a
//! micro-consultation, double-booking and overruns are refused, the meeting is held and its
//! outcome becomes a plan task; a major topic waits for a hearing; calendars are valid
//! iCalendar (checked by Python's `icalendar` when ICS_PYTHON names an interpreter with it).

mod common;

/// The stories, one module each, in tests/consultations/ (one binary).
mod consultations {
    use crate::common::{Resp, TestApp, TestResult, merged, monday_at};
    use awc::http::StatusCode;
    use chrono::{Duration, Utc};
    use serde_json::{Value, json};
    use yishi::auth::Role;

    use world::*;

    mod hearing_and_edges;
    mod micro_consultation;
    mod world;
}
