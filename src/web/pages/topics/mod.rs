//! The topic pages: `/places/{id}` (the community's 议事目录), `/topics/{id}` (one topic with
//! the five steps and the actions the visitor may take), `/topics/new` (raise a topic), and
//! the forms of a topic page under `/topics/{id}/...`. See docs/web.md "Topic pages".

pub mod act;
pub mod catalog;
pub mod new;
pub mod view;

use actix_web::web;

/// Registers the topic pages (`/topics/new` before `/topics/{id}`).
pub fn configure(cfg: &mut web::ServiceConfig) {
    catalog::configure(cfg);
    new::configure(cfg);
    cfg.route("/topics/{id}", web::get().to(view::show));
    act::configure(cfg);
}
