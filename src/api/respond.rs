//! What a handler does after parsing: run one action on a pooled connection (off the async
//! threads, via [`db::run`]) and turn its result into the response. Each action gets the
//! connection and the settings, so a handler body is one expression:
//! `respond::ok(&state, move |conn, _| reads::get_plan(conn, &caller, *id)).await`.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;

use crate::config::Settings;
use crate::db::{self, DbConn};
use crate::error::ApiResult;
use crate::state::AppState;

/// Runs `action` on a pooled connection with the settings at hand.
async fn run<T, F>(state: &AppState, action: F) -> ApiResult<T>
where
    T: Send + 'static,
    F: FnOnce(&mut DbConn, &Settings) -> ApiResult<T> + Send + 'static,
{
    let settings = state.settings.clone();
    db::run(&state.pool, move |conn| action(conn, &settings)).await
}

/// 200 with the action's result as JSON.
pub async fn ok<T, F>(state: &AppState, action: F) -> ApiResult<web::Json<T>>
where
    T: Send + 'static,
    F: FnOnce(&mut DbConn, &Settings) -> ApiResult<T> + Send + 'static,
{
    run(state, action).await.map(web::Json)
}

/// [`ok`], then wakes the mail sender: for actions that may queue mail.
pub async fn ok_and_mail<T, F>(state: &AppState, action: F) -> ApiResult<web::Json<T>>
where
    T: Send + 'static,
    F: FnOnce(&mut DbConn, &Settings) -> ApiResult<T> + Send + 'static,
{
    let out = ok(state, action).await?;
    state.mail_wakeup.notify_one();
    Ok(out)
}

/// How long a shared cache may serve a public read without asking again.
const PUBLIC_MAX_AGE: u32 = 30;

/// 200 with the action's result as JSON, for anonymous public reads: a strong `ETag` of the
/// body and `Cache-Control: public, max-age=30`, and 304 with no body when the request's
/// `If-None-Match` names the current ETag. Any change to what the page shows changes the body,
/// so the ETag; a proxy or browser revalidates in one cheap round trip.
pub async fn public<T, F>(req: &HttpRequest, state: &AppState, action: F) -> ApiResult<HttpResponse>
where
    T: Serialize + Send + 'static,
    F: FnOnce(&mut DbConn, &Settings) -> ApiResult<T> + Send + 'static,
{
    let out = run(state, action).await?;
    let body =
        serde_json::to_vec(&out).map_err(|e| crate::error::ApiError::internal(e.to_string()))?;
    Ok(cached(req, "application/json", body))
}

/// A public body of any type (JSON, XML, HTML, CSV) with a strong `ETag` of its bytes and
/// `Cache-Control: public, max-age=30`; 304 with no body when `If-None-Match` names it.
pub fn cached(req: &HttpRequest, content_type: &str, body: Vec<u8>) -> HttpResponse {
    use actix_web::http::header::{
        CacheControl, CacheDirective, ETag, EntityTag, Header, IfNoneMatch,
    };
    use sha2::{Digest, Sha256};
    let tag = EntityTag::new_strong(hex::encode(&Sha256::digest(&body)[..16]));
    let cache = CacheControl(vec![
        CacheDirective::Public,
        CacheDirective::MaxAge(PUBLIC_MAX_AGE),
    ]);
    let unchanged = match IfNoneMatch::parse(req) {
        Ok(IfNoneMatch::Any) => true,
        Ok(IfNoneMatch::Items(tags)) => tags.iter().any(|t| t.weak_eq(&tag)),
        Err(_) => false,
    };
    if unchanged {
        return HttpResponse::NotModified()
            .insert_header(ETag(tag))
            .insert_header(cache)
            .finish();
    }
    HttpResponse::Ok()
        .insert_header(ETag(tag))
        .insert_header(cache)
        .content_type(content_type)
        .body(body)
}

/// 201 with the action's result as JSON.
pub async fn created<T, F>(state: &AppState, action: F) -> ApiResult<HttpResponse>
where
    T: Serialize + Send + 'static,
    F: FnOnce(&mut DbConn, &Settings) -> ApiResult<T> + Send + 'static,
{
    let out = run(state, action).await?;
    Ok(HttpResponse::Created().json(out))
}

/// [`created`], then wakes the mail sender: for actions that may queue mail.
pub async fn created_and_mail<T, F>(state: &AppState, action: F) -> ApiResult<HttpResponse>
where
    T: Serialize + Send + 'static,
    F: FnOnce(&mut DbConn, &Settings) -> ApiResult<T> + Send + 'static,
{
    let res = created(state, action).await?;
    state.mail_wakeup.notify_one();
    Ok(res)
}

/// 204 once the action has succeeded.
pub async fn no_content<F>(state: &AppState, action: F) -> ApiResult<HttpResponse>
where
    F: FnOnce(&mut DbConn, &Settings) -> ApiResult<()> + Send + 'static,
{
    run(state, action).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// 200 with the action's iCalendar text as `text/calendar`.
pub async fn calendar<F>(state: &AppState, action: F) -> ApiResult<HttpResponse>
where
    F: FnOnce(&mut DbConn, &Settings) -> ApiResult<String> + Send + 'static,
{
    let body = run(state, action).await?;
    Ok(HttpResponse::Ok()
        .content_type("text/calendar; charset=utf-8")
        .body(body))
}
