//! Public statistics 统计 at `GET /api/v1/stats`: topics by stage, category and resolution,
//! days in each of the five steps (median, p90), satisfaction, tasks, meetings and
//! participants, for any place's subtree and period, optionally per child place. Counts
//! only, no personal data. Every number is defined in docs/open-data.md.
//!
//! `rules` is pure (period parsing, percentile interpolation, rounding); `queries` holds the
//! SQL (one statement per figure, grouped by place key, alike on both backends); `actions`
//! assembles the answer; `routes` is the handler.

pub mod actions;
pub mod model;
pub mod queries;
pub mod routes;
pub mod rules;
