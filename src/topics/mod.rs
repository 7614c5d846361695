//! Topics (议题) and the five steps 说议筹办评: the workflow table, supports, comments, plans
//! and tasks, public notice and objections, evaluation, and the hash-chained timeline.

pub mod events;
pub mod model;
pub mod plan;
pub mod queries;
pub mod routes;
pub mod rules;
pub mod workflow;
