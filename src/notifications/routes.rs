//! Handlers for the inbox (/notifications), follows (/topics/{id}/follow, /me/follows) and
//! mail preferences (/me/notification-settings). Every one acts on the caller's own data.

use actix_web::{HttpResponse, delete, get, post, put, web};

use super::model::*;
use super::stream::{self, StreamParams};
use super::{follows, inbox, preferences};
use crate::api::extract::{Body, Query};
use crate::api::paging::{List, Page};
use crate::api::respond;
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::state::AppState;
use crate::topics::model::PageParams;
use crate::web::visitor::BearerOrSession;

/// The caller's notifications, newest first; `unread=true` shows one per topic.
#[utoipa::path(tag = "notifications", params(InboxParams), responses((status = 200, body = List<NotificationOut>)))]
#[get("/notifications")]
pub async fn list_notifications(
    state: web::Data<AppState>,
    caller: Caller,
    Query(p): Query<InboxParams>,
) -> ApiResult<web::Json<List<NotificationOut>>> {
    respond::ok(&state, move |conn, _| inbox::list(conn, &caller, &p)).await
}

/// Unread items, counted as the unread list shows them.
#[utoipa::path(tag = "notifications", responses((status = 200, body = UnreadCount)))]
#[get("/notifications/unread-count")]
pub async fn count_unread_notifications(
    state: web::Data<AppState>,
    caller: Caller,
) -> ApiResult<web::Json<UnreadCount>> {
    respond::ok(&state, move |conn, _| inbox::unread_count(conn, &caller)).await
}

/// Marks one item read, with the older unread items of its topic.
#[utoipa::path(tag = "notifications", responses((status = 200, body = NotificationOut)))]
#[post("/notifications/{id}/read")]
pub async fn read_notification(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
) -> ApiResult<web::Json<NotificationOut>> {
    respond::ok(&state, move |conn, _| inbox::mark_read(conn, &caller, *id)).await
}

/// Marks everything read; nothing is deleted.
#[utoipa::path(tag = "notifications", responses((status = 200, body = Marked)))]
#[post("/notifications/read-all")]
pub async fn read_all_notifications(
    state: web::Data<AppState>,
    caller: Caller,
) -> ApiResult<web::Json<Marked>> {
    respond::ok(&state, move |conn, _| inbox::mark_all_read(conn, &caller)).await
}

/// Follows the topic at a level (watching, normal or muted); an explicit choice is kept.
#[utoipa::path(tag = "notifications", request_body = FollowRequest, responses((status = 200, body = FollowOut)))]
#[put("/topics/{id}/follow")]
pub async fn follow_topic(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
    Body(body): Body<FollowRequest>,
) -> ApiResult<web::Json<FollowOut>> {
    respond::ok(&state, move |conn, _| {
        follows::follow(conn, &caller, *id, &body)
    })
    .await
}

/// Unfollows the topic; commenting later does not follow it again.
#[utoipa::path(tag = "notifications", responses((status = 204)))]
#[delete("/topics/{id}/follow")]
pub async fn unfollow_topic(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    respond::no_content(&state, move |conn, _| follows::unfollow(conn, &caller, *id)).await
}

/// The topics the caller follows or has muted.
#[utoipa::path(tag = "notifications", params(PageParams), responses((status = 200, body = List<FollowOut>)))]
#[get("/me/follows")]
pub async fn list_my_follows(
    state: web::Data<AppState>,
    caller: Caller,
    Query(p): Query<PageParams>,
) -> ApiResult<web::Json<List<FollowOut>>> {
    respond::ok(&state, move |conn, _| {
        let page = Page::new(p.limit, p.cursor.as_deref())?;
        follows::my_follows(conn, &caller, page)
    })
    .await
}

/// The caller's mail preferences, defaults filled in.
#[utoipa::path(tag = "notifications", responses((status = 200, body = NotificationSettings)))]
#[get("/me/notification-settings")]
pub async fn get_notification_settings(
    state: web::Data<AppState>,
    caller: Caller,
) -> ApiResult<web::Json<NotificationSettings>> {
    respond::ok(&state, move |conn, s| {
        preferences::of(conn, s, caller.user_id)
    })
    .await
}

/// Changes the fields given; per-kind modes override the general one (null removes one).
#[utoipa::path(tag = "notifications", request_body = SettingsPatch, responses((status = 200, body = NotificationSettings)))]
#[put("/me/notification-settings")]
pub async fn put_notification_settings(
    state: web::Data<AppState>,
    caller: Caller,
    Body(body): Body<SettingsPatch>,
) -> ApiResult<web::Json<NotificationSettings>> {
    respond::ok(&state, move |conn, s| {
        preferences::update(conn, s, caller.user_id, &body)
    })
    .await
}

/// The caller's new notifications as they come (Server-Sent Events: `id` the notification's
/// id, `event` its kind, `data` its JSON). Send `Last-Event-ID` (or `?last_event_id=`) to get
/// what was missed first. Browsers may use the page session's cookie instead of a token.
#[utoipa::path(tag = "notifications", params(StreamParams, ("Last-Event-ID" = Option<i64>, Header, description = "The last notification id received")), responses((status = 200, content_type = "text/event-stream", body = String)))]
#[get("/notifications/stream")]
pub async fn stream_notifications(
    state: web::Data<AppState>,
    BearerOrSession(caller): BearerOrSession,
    req: actix_web::HttpRequest,
    Query(p): Query<StreamParams>,
) -> ApiResult<impl actix_web::Responder> {
    let header = match req.headers().get("Last-Event-ID") {
        None => None,
        Some(v) => Some(
            v.to_str()
                .ok()
                .and_then(|s| s.trim().parse::<i64>().ok())
                .ok_or(crate::error::ApiError::invalid(
                    "Last-Event-ID",
                    "validation.invalid",
                    "a notification id",
                ))?,
        ),
    };
    stream::open(state, caller, header.or(p.last_event_id), p.max_seconds).await
}

/// Registers this area's handlers.
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_notifications)
        .service(stream_notifications)
        .service(count_unread_notifications)
        .service(read_all_notifications)
        .service(read_notification)
        .service(follow_topic)
        .service(unfollow_topic)
        .service(list_my_follows)
        .service(get_notification_settings)
        .service(put_notification_settings);
}
