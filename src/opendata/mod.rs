//! Open data 开放数据: the public catalog topics and the public consultations of a place and
//! period as JSON or CSV under /api/v1/open-data/, streamed from the database in keyset pages
//! so a city's whole history exports in constant memory (docs/open-data.md). No personal data:
//! authors and conveners appear as `居民` unless they chose to show their display name.

pub mod actions;
pub mod encode;
pub mod model;
pub mod queries;
pub mod routes;
pub mod rules;
