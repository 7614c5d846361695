//! Consultations (协商会): meetings with agendas, invitations by participant category,
//! scheduling without double-booking, outcomes with follow-ups (plan tasks, proposals 提案,
//! public-opinion reports 社情民意), minutes sign-off 纪要确认, and calendars.
//!
//! `actions` holds the use cases (what every interface calls), `rules` the pure rules,
//! `queries` all diesel, `model` the wire types, `routes` the thin JSON handlers.

pub mod actions;
pub mod calendar;
pub mod model;
pub mod queries;
pub mod routes;
pub mod rules;
