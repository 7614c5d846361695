//! 议事 Yishi: the community-consultation service behind 说议筹办评.
//! See docs/architecture.md for the map of modules and the request path.

pub mod accounts;
pub mod api;
pub mod attachments;
pub mod auth;
pub mod bench;
pub mod clock;
pub mod config;
pub mod consultations;
pub mod db;
pub mod demo;
pub mod error;
pub mod i18n;
pub mod interop;
pub mod notifications;
pub mod opendata;
pub mod places;
pub mod public;
pub mod server;
pub mod state;
pub mod topics;
pub mod web;
pub mod wire;
