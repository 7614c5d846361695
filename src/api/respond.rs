//! What a handler does after parsing: run one action on a pooled connection (off the async
//! threads, via [`db::run`]) and turn its result into the response. Each action gets the
//! connection and the settings, so a handler body is one expression:
//! `respond::ok(&state, move |conn, _| reads::get_plan(conn, &caller, *id)).await`.

use actix_web::{HttpResponse, web};
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
