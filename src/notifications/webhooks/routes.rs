//! Handlers of /webhooks (admin): endpoints and their delivery log.

use actix_web::{HttpResponse, delete, get, patch, post, web};

use super::actions;
use super::model::*;
use crate::api::extract::{Body, Query};
use crate::api::paging::List;
use crate::api::respond;
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::state::AppState;
use crate::topics::model::PageParams;

/// Registers an endpoint; the answer shows its signing secret, once.
#[utoipa::path(tag = "webhooks", request_body = NewWebhook, responses((status = 201, body = CreatedWebhook)))]
#[post("/webhooks")]
pub async fn create_webhook(
    state: web::Data<AppState>,
    caller: Caller,
    Body(body): Body<NewWebhook>,
) -> ApiResult<HttpResponse> {
    respond::created(&state, move |conn, s| {
        actions::create(conn, s, &caller, &body)
    })
    .await
}

/// The endpoints of the caller's places.
#[utoipa::path(tag = "webhooks", params(WebhookParams), responses((status = 200, body = List<WebhookOut>)))]
#[get("/webhooks")]
pub async fn list_webhooks(
    state: web::Data<AppState>,
    caller: Caller,
    Query(p): Query<WebhookParams>,
) -> ApiResult<web::Json<List<WebhookOut>>> {
    respond::ok(&state, move |conn, _| actions::list(conn, &caller, &p)).await
}

/// One endpoint, without its secret.
#[utoipa::path(tag = "webhooks", responses((status = 200, body = WebhookOut)))]
#[get("/webhooks/{id}")]
pub async fn get_webhook(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
) -> ApiResult<web::Json<WebhookOut>> {
    respond::ok(&state, move |conn, _| actions::get(conn, &caller, *id)).await
}

/// Changes the URL, the kinds, or disables/re-enables the endpoint.
#[utoipa::path(tag = "webhooks", request_body = WebhookPatch, responses((status = 200, body = WebhookOut)))]
#[patch("/webhooks/{id}")]
pub async fn update_webhook(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
    Body(body): Body<WebhookPatch>,
) -> ApiResult<web::Json<WebhookOut>> {
    respond::ok(&state, move |conn, s| {
        actions::update(conn, s, &caller, *id, &body)
    })
    .await
}

/// Deletes the endpoint and its delivery log.
#[utoipa::path(tag = "webhooks", responses((status = 204)))]
#[delete("/webhooks/{id}")]
pub async fn delete_webhook(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    respond::no_content(&state, move |conn, _| actions::delete(conn, &caller, *id)).await
}

/// The delivery log: newest deliveries first, each with its attempts.
#[utoipa::path(tag = "webhooks", params(PageParams), responses((status = 200, body = List<DeliveryOut>)))]
#[get("/webhooks/{id}/deliveries")]
pub async fn list_webhook_deliveries(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
    Query(p): Query<PageParams>,
) -> ApiResult<web::Json<List<DeliveryOut>>> {
    respond::ok(&state, move |conn, _| {
        actions::deliveries(conn, &caller, *id, p.limit, p.cursor.as_deref())
    })
    .await
}

/// Registers this area's handlers.
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(create_webhook)
        .service(list_webhooks)
        .service(get_webhook)
        .service(update_webhook)
        .service(delete_webhook)
        .service(list_webhook_deliveries);
}
