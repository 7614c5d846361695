//! The two switches in every page's footer: language (zh-CN ⇄ English) and text size (大字).
//! Both are remembered in a cookie for a year and work before signing in.

use actix_web::cookie::time::Duration;
use actix_web::{HttpResponse, web};
use serde::Deserialize;

use crate::web::visitor::{LANG_COOKIE, LARGE_COOKIE, safe_next};
use crate::web::{Form, PageError, Visitor};

#[derive(Deserialize, Default)]
#[serde(default)]
struct LangForm {
    lang: String,
    next: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct SizeForm {
    large: String,
    next: String,
}

async fn set_lang(v: Visitor, Form(f): Form<LangForm>) -> Result<HttpResponse, PageError> {
    let lang = if f.lang == "en" { "en" } else { "zh-CN" };
    let mut res = v.redirect(&safe_next(Some(&f.next)), None);
    res.add_cookie(&v.cookie(LANG_COOKIE, lang.into(), Some(Duration::days(365))))
        .map_err(|e| crate::error::ApiError::internal(e.to_string()))?;
    Ok(res)
}

async fn set_size(v: Visitor, Form(f): Form<SizeForm>) -> Result<HttpResponse, PageError> {
    let large = if f.large == "1" { "1" } else { "0" };
    let mut res = v.redirect(&safe_next(Some(&f.next)), None);
    res.add_cookie(&v.cookie(LARGE_COOKIE, large.into(), Some(Duration::days(365))))
        .map_err(|e| crate::error::ApiError::internal(e.to_string()))?;
    Ok(res)
}

/// POST /prefs/lang and /prefs/text-size.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/prefs/lang", web::post().to(set_lang))
        .route("/prefs/text-size", web::post().to(set_size));
}
