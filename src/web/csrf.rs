//! The first CSRF guard, in front of every unsafe page request: a browser tells where a
//! request comes from (`Sec-Fetch-Site`, else `Origin`), and one from another site is refused
//! before any handler runs. The second guard is the per-session token in every form
//! ([`super::form`]). The JSON API takes no cookie, so it needs neither.

use actix_web::http::Method;
use actix_web::http::header::{HOST, ORIGIN};

/// Is this request from another site? `public_url` is the installation's address; the
/// request's own `Host` also counts as this site (tests and proxies may differ from it).
pub fn cross_site(
    method: &Method,
    sec_fetch_site: Option<&str>,
    origin: Option<&str>,
    host: Option<&str>,
    public_url: &str,
) -> bool {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return false;
    }
    if let Some(site) = sec_fetch_site {
        return !matches!(site, "same-origin" | "none");
    }
    match origin {
        None => false,
        Some(origin) => {
            let origin = origin.trim_end_matches('/');
            let authority = origin.split_once("://").map(|(_, a)| a);
            let same_public = origin == public_url.trim_end_matches('/');
            let same_host = authority.is_some() && authority == host;
            !(same_public || same_host)
        }
    }
}

/// [`cross_site`] for an actix request.
pub fn is_cross_site(req: &actix_web::HttpRequest, public_url: &str) -> bool {
    let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok());
    cross_site(
        req.method(),
        header("sec-fetch-site"),
        req.headers().get(ORIGIN).and_then(|v| v.to_str().ok()),
        req.headers().get(HOST).and_then(|v| v.to_str().ok()),
        public_url,
    )
}

/// Should the layer in front of every request refuse `req`? Only page requests: the JSON API
/// takes no cookie. `/unsubscribe` is let through: a mail provider posts it cross-site
/// (RFC 8058 one-click), and its signed token, not a cookie, is the credential; so are
/// Open311's posts (a reporting app's page may post cross-site; its `api_key` is the
/// credential, and Open311 reads no cookie).
pub fn refuses(req: &actix_web::dev::ServiceRequest) -> bool {
    !req.path().starts_with("/api/")
        && !req.path().starts_with("/open311/")
        && req.path() != "/unsubscribe"
        && req
            .app_data::<actix_web::web::Data<crate::state::AppState>>()
            .is_some_and(|s| is_cross_site(req.request(), &s.settings.server.public_url))
}

/// The 403 page for a refused cross-site request.
pub fn refusal(
    req: actix_web::dev::ServiceRequest,
) -> actix_web::dev::ServiceResponse<actix_web::body::BoxBody> {
    let (req, _) = req.into_parts();
    let page =
        super::errors::error_page(&req, actix_web::http::StatusCode::FORBIDDEN, "form.expired");
    actix_web::dev::ServiceResponse::new(req, page)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SITE: &str = "https://yishi.example";

    #[test]
    fn same_site_requests_pass() {
        assert!(!cross_site(
            &Method::POST,
            Some("same-origin"),
            None,
            None,
            SITE
        ));
        assert!(!cross_site(
            &Method::POST,
            None,
            Some("https://yishi.example"),
            None,
            SITE
        ));
        assert!(!cross_site(
            &Method::POST,
            None,
            Some("http://127.0.0.1:4000"),
            Some("127.0.0.1:4000"),
            SITE
        ));
        // No browser header at all: a program, or a very old browser; the form token decides.
        assert!(!cross_site(&Method::POST, None, None, None, SITE));
        assert!(!cross_site(
            &Method::GET,
            Some("cross-site"),
            None,
            None,
            SITE
        ));
    }

    #[test]
    fn other_sites_are_refused() {
        assert!(cross_site(
            &Method::POST,
            Some("cross-site"),
            None,
            None,
            SITE
        ));
        assert!(cross_site(
            &Method::POST,
            Some("same-site"),
            None,
            None,
            SITE
        ));
        assert!(cross_site(
            &Method::POST,
            None,
            Some("https://evil.example"),
            Some("yishi.example"),
            SITE
        ));
        assert!(cross_site(
            &Method::POST,
            None,
            Some("null"),
            Some("yishi.example"),
            SITE
        ));
        assert!(cross_site(
            &Method::DELETE,
            None,
            Some("http://yishi.example.evil"),
            Some("yishi.example"),
            SITE
        ));
    }
}
