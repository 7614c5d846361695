//! Refusals on pages: a handler returns [`PageError`] and the layer around every request
//! ([`render`]) turns it into an HTML page in the visitor's language, or into a redirect to
//! the sign-in page that comes back afterwards. 403, 404 and 500 are pages, never JSON.

use actix_web::body::BoxBody;
use actix_web::dev::ServiceResponse;
use actix_web::http::StatusCode;
use actix_web::http::header::LOCATION;
use actix_web::{HttpMessage, HttpRequest, HttpResponse, ResponseError};
use askama::Template;

use super::Chrome;
use super::texts::Texts;
use super::visitor::{LANG_COOKIE, LARGE_COOKIE, Visitor};
use crate::error::ApiError;
use crate::i18n::Lang;

/// Why a page could not be shown.
#[derive(Debug, Clone, thiserror::Error)]
pub enum PageError {
    /// The action refused, or something failed: shown as a page with the API's message.
    #[error("{0}")]
    Api(ApiError),
    /// Not signed in: to the sign-in page, then back.
    #[error("sign in first")]
    SignIn,
    /// A form without this session's token (or from another site).
    #[error("cross-site or expired form")]
    Csrf,
}

impl From<ApiError> for PageError {
    fn from(e: ApiError) -> Self {
        match e {
            ApiError::Unauthorized(_) => PageError::SignIn,
            e => PageError::Api(e),
        }
    }
}

impl ResponseError for PageError {
    fn status_code(&self) -> StatusCode {
        match self {
            PageError::Api(e) => e.status_code(),
            PageError::SignIn => StatusCode::SEE_OTHER,
            PageError::Csrf => StatusCode::FORBIDDEN,
        }
    }

    /// A marked, empty response; [`render`] fills it in with the request at hand.
    fn error_response(&self) -> HttpResponse {
        if let PageError::Api(e) = self
            && matches!(e, ApiError::Internal(_) | ApiError::Unavailable(_))
        {
            tracing::error!(error = %e, "page failed");
        }
        let mut res = HttpResponse::build(self.status_code()).finish();
        res.extensions_mut().insert(self.clone());
        res
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    c: Chrome<'a>,
    message: &'a str,
    hint: &'a str,
}

fn title_of(t: &Texts, status: StatusCode) -> &'static str {
    match status.as_u16() {
        403 => t.common.error_title_403,
        404 => t.common.error_title_404,
        409 | 422 => t.common.error_title_409,
        429 => t.common.error_title_429,
        s if s >= 500 => t.common.error_title_500,
        _ => t.common.error_title_400,
    }
}

/// The visitor of `req` as resolved by the handler, or one with only the cookies' choices.
fn visitor_of(req: &HttpRequest) -> Visitor {
    if let Some(v) = req.extensions().get::<Visitor>() {
        return v.clone();
    }
    let lang = match req.cookie(LANG_COOKIE).as_ref().map(|c| c.value()) {
        Some("en") => Lang::En,
        _ => Lang::ZhCn,
    };
    let large = req.cookie(LARGE_COOKIE).is_some_and(|c| c.value() == "1");
    Visitor::anonymous(lang, large, req.path())
}

/// The HTML page for a refusal with `status` and the API's `code`.
pub fn error_page(req: &HttpRequest, status: StatusCode, code: &str) -> HttpResponse {
    let v = visitor_of(req);
    let t = v.t();
    let message = t.message(code);
    let page = ErrorPage {
        c: Chrome::new(&v, title_of(t, status)),
        message,
        hint: t.common.error_hint,
    };
    match page.render() {
        Ok(body) => v.html(status, body),
        Err(e) => {
            tracing::error!(error = %e, "error page failed to render");
            HttpResponse::build(status).body(message)
        }
    }
}

/// Fills in a response marked by [`PageError`]; other responses pass unchanged.
pub fn render(res: ServiceResponse<BoxBody>) -> ServiceResponse<BoxBody> {
    let failure = res.response().extensions().get::<PageError>().cloned();
    let Some(failure) = failure else {
        return res;
    };
    let (req, _) = res.into_parts();
    let page = match &failure {
        PageError::SignIn => {
            let next = match req.query_string() {
                "" => req.path().to_string(),
                q => format!("{}?{q}", req.path()),
            };
            let to = format!(
                "/login?next={}",
                form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()
            );
            HttpResponse::SeeOther()
                .insert_header((LOCATION, to))
                .finish()
        }
        PageError::Csrf => error_page(&req, StatusCode::FORBIDDEN, "form.expired"),
        PageError::Api(ApiError::NotFound(_)) => {
            error_page(&req, StatusCode::NOT_FOUND, "page.not_found")
        }
        PageError::Api(e) => error_page(&req, e.status_code(), e.code()),
    };
    ServiceResponse::new(req, page)
}

/// Whatever no page took (outside /api): an HTML 404.
pub async fn not_found(req: HttpRequest) -> HttpResponse {
    error_page(&req, StatusCode::NOT_FOUND, "page.not_found")
}
