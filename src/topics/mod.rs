//! Topics (议题) and the five steps 说议筹办评: the workflow table, supports, comments, plans
//! and tasks, public notice and objections, evaluation, and the hash-chained timeline.
//!
//! Layers: `routes` (parse, call one action, serialise) → actions (`workflow` and `plan` for
//! writes, `reads` for reads: permission, rules, queries, timeline events) → `rules` (pure)
//! and `queries` (all diesel). `views` maps rows to wire types.

pub mod events;
pub mod model;
pub mod overview;
pub mod plan;
pub mod queries;
pub mod reads;
pub mod routes;
pub mod rules;
pub mod views;
pub mod workflow;
pub mod worklists;
