//! The page handlers, one module per group of pages. Each handler reads the visitor and the
//! form, calls the same action the JSON API calls, and renders or redirects.

pub mod account;
pub mod files;
pub mod home;
pub mod meetings;
pub mod notify;
pub mod prefs;
pub mod topics;
pub mod unsubscribe;
pub mod work;

use actix_web::web;

/// Registers every page.
pub fn configure(cfg: &mut web::ServiceConfig) {
    home::configure(cfg);
    account::configure(cfg);
    files::configure(cfg);
    prefs::configure(cfg);
    work::configure(cfg);
    notify::configure(cfg);
    topics::configure(cfg);
    meetings::configure(cfg);
    unsubscribe::configure(cfg);
}
