//! Accounts: registration, email verification, login, refresh rotation, logout, password
//! reset, /me, and the admin endpoints over users and their role grants. The use cases live in
//! `actions`; `routes.rs` (auth, /me) and `users.rs` (admin) are their JSON faces.

pub mod actions;
pub mod model;
pub mod queries;
pub mod routes;
pub mod rules;
pub mod users;

pub use actions::admin_create;
