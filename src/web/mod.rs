//! The web pages for people (网页端): server-rendered HTML in the same binary, over the same
//! actions as the JSON API. Every action is a plain form POST answered by a 303, so pages
//! work without JavaScript. See docs/web.md.
//!
//! - [`visitor`]: the cookie session (rows of the API's session table), language, text size,
//!   flash messages;
//! - [`form`]: CSRF-checked forms and refusals shown next to their field;
//! - [`csrf`]: the origin check on every unsafe request;
//! - [`texts`]: the typed zh-CN/en catalogue; [`assets`]: embedded, content-hashed files;
//! - [`pages`]: one module per group of pages, each a thin wrapper over the actions.

pub mod assets;
pub mod csrf;
pub mod errors;
pub mod form;
pub mod pages;
pub mod texts;
pub mod visitor;

use actix_web::web;

pub use errors::PageError;
pub use form::{Form, FormErrors};
pub use visitor::Visitor;

use crate::auth::Role;
use texts::Texts;

/// What the layout of every page needs: texts, the visitor, and the page's title.
pub struct Chrome<'a> {
    pub t: &'static Texts,
    pub v: &'a Visitor,
    pub title: String,
    pub css: &'static str,
    pub icon: &'static str,
    pub show_staff: bool,
    pub show_tasks: bool,
    pub show_cppcc: bool,
}

impl<'a> Chrome<'a> {
    /// The layout for `v` with the page title `title`.
    pub fn new(v: &'a Visitor, title: impl Into<String>) -> Chrome<'a> {
        const STAFF: [Role; 3] = [Role::CommunityStaff, Role::SubdistrictStaff, Role::Admin];
        const TASKS: [Role; 4] = [
            Role::PropertyFirm,
            Role::Department,
            Role::CommunityStaff,
            Role::SubdistrictStaff,
        ];
        Chrome {
            t: v.t(),
            v,
            title: title.into(),
            css: assets::url("site.css"),
            icon: assets::url("icon.svg"),
            show_staff: v.holds_any(&STAFF),
            show_tasks: v.holds_any(&TASKS),
            show_cppcc: v.holds_any(&[Role::CppccMember]),
        }
    }

    /// The CSRF token for this page's forms.
    pub fn csrf(&self) -> &str {
        self.v.csrf()
    }
}

/// Renders an askama template into a `200` page for `v`.
pub fn page<T: askama::Template>(
    v: &Visitor,
    tpl: &T,
) -> Result<actix_web::HttpResponse, PageError> {
    page_with(v, actix_web::http::StatusCode::OK, tpl)
}

/// Renders an askama template with `status` (a refused form is re-shown with 422).
pub fn page_with<T: askama::Template>(
    v: &Visitor,
    status: actix_web::http::StatusCode,
    tpl: &T,
) -> Result<actix_web::HttpResponse, PageError> {
    let body = tpl
        .render()
        .map_err(|e| crate::error::ApiError::internal(format!("template: {e}")))?;
    Ok(v.html(status, body))
}

/// Runs `action` on a request built from a form, on a pooled connection off the async
/// threads; a request that could not be built is passed on as the refusal to show.
pub async fn act<R, T, F>(
    state: &crate::state::AppState,
    request: crate::error::ApiResult<R>,
    action: F,
) -> crate::error::ApiResult<T>
where
    R: Send + 'static,
    T: Send + 'static,
    F: FnOnce(&mut crate::db::DbConn, R) -> crate::error::ApiResult<T> + Send + 'static,
{
    let request = request?;
    crate::db::run(&state.pool, move |conn| action(conn, request)).await
}

/// The page routes. Registered after the API so `/api/...` never reaches them.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/assets/{file}", web::get().to(assets::serve));
    pages::configure(cfg);
}
