//! `/unsubscribe?token=`: the address of mailed `List-Unsubscribe` headers (RFC 8058). A POST
//! (the mail provider's one-click, or this page's button) turns that mail off; it needs no
//! session and no CSRF token, the signed token being the credential, and the origin check lets
//! it through (src/web/csrf.rs). A GET only shows a confirmation button, so link scanners that
//! fetch every link change nothing. A bad token is a 400 page.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::db;
use crate::error::ApiError;
use crate::i18n::Lang;
use crate::notifications::email::{self, token::Unsubscribe};
use crate::notifications::kinds::Language;
use crate::notifications::texts;
use crate::state::AppState;
use crate::web::{Chrome, PageError, Visitor, page_with};

#[derive(Deserialize, Default)]
#[serde(default)]
struct TokenQuery {
    token: String,
}

#[derive(Template)]
#[template(path = "unsubscribe.html")]
struct UnsubscribePage<'a> {
    c: Chrome<'a>,
    valid: bool,
    confirm: bool,
    message: &'a str,
    kind_name: &'a str,
    token: &'a str,
}

/// The page for a checked (or refused) token; `confirm` shows the button.
fn show(
    v: &Visitor,
    outcome: Result<Unsubscribe, ApiError>,
    token: &str,
    confirm: bool,
) -> Result<HttpResponse, PageError> {
    let t = v.t();
    let m = &t.mail;
    let lang = match t.lang {
        Lang::ZhCn => Language::ZhCn,
        Lang::En => Language::En,
    };
    let (status, valid, message, kind_name) = match &outcome {
        Ok(u) => {
            let name = u.kind.map(|k| {
                let (zh, en) = texts::words(k);
                if lang == Language::En { en } else { zh }
            });
            let message = match (confirm, name.is_some()) {
                (true, true) => m.confirm_kind,
                (true, false) => m.confirm_all,
                (false, true) => m.done_kind,
                (false, false) => m.done_all,
            };
            (StatusCode::OK, true, message, name.unwrap_or(""))
        }
        Err(ApiError::Invalid { .. }) => (StatusCode::BAD_REQUEST, false, m.invalid, ""),
        Err(e) => return Err(e.clone().into()),
    };
    page_with(
        v,
        status,
        &UnsubscribePage {
            c: Chrome::new(v, m.unsubscribe_title),
            valid,
            confirm,
            message,
            kind_name,
            token,
        },
    )
}

/// GET: shows what the token would turn off, and the button; changes nothing.
async fn confirm_page(
    v: Visitor,
    state: web::Data<AppState>,
    q: web::Query<TokenQuery>,
) -> Result<HttpResponse, PageError> {
    let token = q.into_inner().token;
    let settings = state.settings.clone();
    let raw = token.clone();
    let outcome = db::run(&state.pool, move |c| email::check(c, &settings, &raw)).await;
    show(&v, outcome, &token, true)
}

/// POST: the one-click unsubscribe (body `List-Unsubscribe=One-Click`, not required).
async fn unsubscribe(
    v: Visitor,
    state: web::Data<AppState>,
    q: web::Query<TokenQuery>,
) -> Result<HttpResponse, PageError> {
    let token = q.into_inner().token;
    let settings = state.settings.clone();
    let raw = token.clone();
    let outcome = db::run(&state.pool, move |c| email::unsubscribe(c, &settings, &raw)).await;
    show(&v, outcome, &token, false)
}

/// GET and POST /unsubscribe.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/unsubscribe", web::get().to(confirm_page))
        .route("/unsubscribe", web::post().to(unsubscribe));
}
