//! Who is looking at a page: the browser session from the cookie (the same session rows API
//! tokens use), the remembered language and text size, and a flash message left by the
//! previous redirect. Resolved once per request and cached in the request's extensions.

use std::future::Future;
use std::pin::Pin;

use actix_web::cookie::{Cookie, SameSite, time::Duration as CookieDuration};
use actix_web::dev::Payload;
use actix_web::http::header::{
    CACHE_CONTROL, CacheControl, CacheDirective, ETag, EntityTag, Header, IfNoneMatch, LOCATION,
    VARY,
};
use actix_web::{FromRequest, HttpMessage, HttpRequest, HttpResponse, web};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Duration;
use sha2::{Digest, Sha256};

use super::PageError;
use super::texts::{self, Texts};
use crate::accounts::queries as accounts;
use crate::auth::tokens::hash_token;
use crate::auth::{Caller, Role, load_caller};
use crate::db;
use crate::i18n::Lang;
use crate::state::AppState;

pub const SESSION_COOKIE: &str = "yishi_session";
pub const LANG_COOKIE: &str = "yishi_lang";
pub const LARGE_COOKIE: &str = "yishi_large";
pub const FLASH_COOKIE: &str = "yishi_flash";

/// A signed-in visitor: the caller (grants and all) plus what the header shows.
#[derive(Clone)]
pub struct Member {
    pub caller: Caller,
    pub display_name: String,
    /// The per-session CSRF token every form of this visitor carries.
    pub csrf: String,
}

/// The person behind a page request.
#[derive(Clone)]
pub struct Visitor {
    pub member: Option<Member>,
    pub lang: Lang,
    pub large: bool,
    pub flash: Option<String>,
    /// The current path and query, for `next=` after signing in or switching language.
    pub here: String,
    /// The session's end moved on: send the cookie again.
    renew: Option<String>,
    secure: bool,
    session_days: i64,
    /// The `If-None-Match` of a GET or HEAD, for the conditional answer of public pages.
    if_none_match: Option<IfNoneMatch>,
}

/// The CSRF token of a browser session: derived from the cookie's secret, so nothing more is
/// stored and a token is worthless without the cookie it belongs to.
pub fn csrf_of(cookie_token: &str) -> String {
    hex::encode(&Sha256::digest(format!("yishi-csrf:{cookie_token}").as_bytes())[..16])
}

impl Visitor {
    /// The texts in the visitor's language.
    pub fn t(&self) -> &'static Texts {
        texts::of(self.lang)
    }

    /// The caller, or a redirect to the sign-in page that comes back here.
    pub fn caller(&self) -> Result<&Caller, PageError> {
        self.member
            .as_ref()
            .map(|m| &m.caller)
            .ok_or(PageError::SignIn)
    }

    /// The CSRF token for this visitor's forms (empty before signing in: those forms are
    /// guarded by the origin check alone).
    pub fn csrf(&self) -> &str {
        self.member.as_ref().map(|m| m.csrf.as_str()).unwrap_or("")
    }

    /// Does the visitor hold any of `roles` anywhere? (What the header offers; every action
    /// still checks the place.)
    pub fn holds_any(&self, roles: &[Role]) -> bool {
        self.member
            .as_ref()
            .is_some_and(|m| m.caller.grants.iter().any(|g| roles.contains(&g.role)))
    }

    /// An HTML response (`no-store`: WeChat's browser would otherwise show stale pages),
    /// clearing a shown flash and renewing the session cookie when due.
    ///
    /// A page for an anonymous visitor (nothing personal, no flash, no cookie to send) is
    /// public: it carries a strong `ETag` and `Cache-Control: no-cache` with `Vary: Cookie`
    /// (language and text size live in cookies), so a browser revalidates every time and gets
    /// a bodiless 304 while the page is unchanged. WeChat's browser never shows a stale page.
    pub fn html(&self, status: actix_web::http::StatusCode, body: String) -> HttpResponse {
        if status == actix_web::http::StatusCode::OK
            && self.member.is_none()
            && self.flash.is_none()
            && self.renew.is_none()
            && let Some(condition) = &self.if_none_match
        {
            return public_html(condition, body);
        }
        let mut res = HttpResponse::build(status);
        res.content_type("text/html; charset=utf-8")
            .insert_header((CACHE_CONTROL, "no-store"));
        if self.flash.is_some() {
            res.cookie(self.expired(FLASH_COOKIE));
        }
        if let Some(token) = &self.renew {
            res.cookie(self.session_cookie(token.clone()));
        }
        res.body(body)
    }

    /// 303 to `to` with a flash message for the next page.
    pub fn redirect(&self, to: &str, flash: Option<&str>) -> HttpResponse {
        let mut res = HttpResponse::SeeOther();
        res.insert_header((LOCATION, to.to_string()))
            .insert_header((CACHE_CONTROL, "no-store"));
        if let Some(text) = flash {
            res.cookie(self.cookie(FLASH_COOKIE, URL_SAFE_NO_PAD.encode(text), None));
        }
        if let Some(token) = &self.renew {
            res.cookie(self.session_cookie(token.clone()));
        }
        res.finish()
    }

    /// The cookie of a new browser session.
    pub fn session_cookie(&self, token: String) -> Cookie<'static> {
        self.cookie(
            SESSION_COOKIE,
            token,
            Some(CookieDuration::days(self.session_days)),
        )
    }

    /// A cookie of this site: `HttpOnly`, `SameSite=Lax`, `Secure` on https.
    pub fn cookie(
        &self,
        name: &'static str,
        value: String,
        max_age: Option<CookieDuration>,
    ) -> Cookie<'static> {
        let mut c = Cookie::build(name, value)
            .path("/")
            .http_only(true)
            .same_site(SameSite::Lax)
            .secure(self.secure)
            .finish();
        if let Some(age) = max_age {
            c.set_max_age(age);
        }
        c
    }

    /// A cookie that removes `name`.
    pub fn expired(&self, name: &'static str) -> Cookie<'static> {
        let mut c = self.cookie(name, String::new(), None);
        c.make_removal();
        c
    }

    /// A visitor known only by the cookies' choices (error pages outside a handler).
    pub fn anonymous(lang: Lang, large: bool, here: &str) -> Visitor {
        Visitor {
            member: None,
            lang,
            large,
            flash: None,
            here: here.to_string(),
            renew: None,
            secure: false,
            session_days: 0,
            if_none_match: None,
        }
    }

    /// Resolves the visitor of `req` (cached per request).
    async fn resolve(req: HttpRequest) -> Result<Visitor, PageError> {
        if let Some(v) = req.extensions().get::<Visitor>() {
            return Ok(v.clone());
        }
        let state = req
            .app_data::<web::Data<AppState>>()
            .cloned()
            .ok_or_else(|| {
                PageError::from(crate::error::ApiError::internal("app state missing"))
            })?;
        let lang = match req.cookie(LANG_COOKIE).as_ref().map(|c| c.value()) {
            Some("en") => Lang::En,
            _ => Lang::ZhCn,
        };
        let large = req.cookie(LARGE_COOKIE).is_some_and(|c| c.value() == "1");
        // The flash travels base64-encoded: cookie values are ASCII.
        let flash = req
            .cookie(FLASH_COOKIE)
            .filter(|c| c.value().len() <= 600)
            .and_then(|c| URL_SAFE_NO_PAD.decode(c.value()).ok())
            .and_then(|b| String::from_utf8(b).ok())
            .filter(|f| !f.is_empty());
        let here = match req.query_string() {
            "" => req.path().to_string(),
            q => format!("{}?{q}", req.path()),
        };
        let session_days = state.settings.web.session_days;
        let mut visitor = Visitor {
            member: None,
            lang,
            large,
            flash,
            here,
            renew: None,
            secure: state.settings.server.is_https(),
            session_days,
            // A missing header is `Items([])`: any GET can be answered conditionally.
            if_none_match: matches!(
                *req.method(),
                actix_web::http::Method::GET | actix_web::http::Method::HEAD
            )
            .then(|| IfNoneMatch::parse(&req).unwrap_or(IfNoneMatch::Items(Vec::new()))),
        };
        if let Some(token) = req.cookie(SESSION_COOKIE).map(|c| c.value().to_string())
            && !token.is_empty()
            && token.len() <= 100
        {
            let hash = hash_token(&token);
            let found = db::run(&state.pool, move |conn| {
                let now = db::now();
                let Some(s) = accounts::browser_session(conn, &hash, now)? else {
                    return Ok(None);
                };
                // Renew at most once a day, so a busy visitor costs no write per page.
                let fresh_end = now + Duration::days(session_days);
                let renewed = s
                    .expires_at
                    .is_some_and(|end| fresh_end - end > Duration::days(1));
                if renewed {
                    accounts::renew_browser_session(conn, s.session_id, fresh_end)?;
                }
                let caller = load_caller(conn, s.user_id, s.session_id)?;
                Ok(Some((caller, s.display_name, renewed)))
            })
            .await;
            match found {
                Ok(Some((caller, display_name, renewed))) => {
                    if renewed {
                        visitor.renew = Some(token.clone());
                    }
                    visitor.member = Some(Member {
                        caller,
                        display_name,
                        csrf: csrf_of(&token),
                    });
                }
                // An ended, unknown or disabled session is simply not signed in.
                Ok(None) | Err(crate::error::ApiError::Unauthorized(_)) => {}
                Err(crate::error::ApiError::Forbidden(_)) => {}
                Err(e) => return Err(e.into()),
            }
        }
        req.extensions_mut().insert(visitor.clone());
        Ok(visitor)
    }
}

/// A public page: 200 with a strong ETag of its bytes, or 304 when `condition` names it.
fn public_html(condition: &IfNoneMatch, body: String) -> HttpResponse {
    let tag = EntityTag::new_strong(hex::encode(&Sha256::digest(body.as_bytes())[..16]));
    let unchanged = match condition {
        IfNoneMatch::Any => true,
        IfNoneMatch::Items(tags) => tags.iter().any(|t| t.weak_eq(&tag)),
    };
    let mut res = if unchanged {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    res.insert_header(ETag(tag))
        .insert_header(CacheControl(vec![CacheDirective::NoCache]))
        .insert_header((VARY, "Cookie"));
    if unchanged {
        return res.finish();
    }
    res.content_type("text/html; charset=utf-8").body(body)
}

impl FromRequest for Visitor {
    type Error = PageError;
    type Future = Pin<Box<dyn Future<Output = Result<Visitor, PageError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        Box::pin(Visitor::resolve(req.clone()))
    }
}

/// The caller of an API operation that pages' scripts use too (the live notification
/// stream): the bearer token when one is sent, else the browser session's cookie. A browser
/// `EventSource` cannot send an `Authorization` header.
pub struct BearerOrSession(pub Caller);

impl FromRequest for BearerOrSession {
    type Error = crate::error::ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<BearerOrSession, crate::error::ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        if req
            .headers()
            .contains_key(actix_web::http::header::AUTHORIZATION)
        {
            let caller = Caller::from_request(req, payload);
            return Box::pin(async move { caller.await.map(BearerOrSession) });
        }
        let visitor = Visitor::from_request(req, payload);
        Box::pin(async move {
            match visitor.await {
                Ok(v) => v
                    .member
                    .map(|m| BearerOrSession(m.caller))
                    .ok_or(crate::error::ApiError::Unauthorized("auth.missing_token")),
                Err(PageError::Api(e)) => Err(e),
                Err(_) => Err(crate::error::ApiError::Unauthorized("auth.missing_token")),
            }
        })
    }
}

/// A local path to go back to after a form: only paths of this site, never `//host`.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') && n.len() < 500 =>
        {
            n.to_string()
        }
        _ => "/".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(safe_next(Some("/topics/3?x=1")), "/topics/3?x=1");
        assert_eq!(safe_next(Some("//evil.example/")), "/");
        assert_eq!(safe_next(Some("https://evil.example/")), "/");
        assert_eq!(safe_next(Some("/\\evil.example")), "/");
        assert_eq!(safe_next(None), "/");
    }

    #[test]
    fn csrf_token_depends_on_the_session() {
        assert_eq!(csrf_of("a"), csrf_of("a"));
        assert_ne!(csrf_of("a"), csrf_of("b"));
        assert_eq!(csrf_of("a").len(), 32);
    }
}
