//! Transparency: anonymous, read-only views of the deliberation catalog 议事目录 and of topic
//! pages (timeline, plan, progress, evaluation) without emails or other personal data.

pub mod routes;

pub mod actions;
pub mod model;
pub mod stats;
