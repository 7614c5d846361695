//! Places (the territorial tree) and organisations (property firms, departments, ...).

pub mod actions;
pub mod model;
pub mod queries;
pub mod routes;
pub mod rules;
