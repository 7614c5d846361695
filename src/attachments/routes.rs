//! Handlers for attachments: upload (multipart/form-data, field `file`) to a topic, a task or
//! a meeting; list an owner's; serve the file and its thumbnail. Parse, call one action,
//! answer; the actions hold every rule.

use actix_multipart::Multipart;
use actix_web::http::header;
use actix_web::{HttpResponse, get, post, web};

use super::actions::{self, Served};
use super::form;
use super::model::{AttachmentOut, Owner, UploadForm};
use crate::api::paging::List;
use crate::api::respond;
use crate::auth::{Caller, OptionalCaller};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// Checks the permission before reading the body (a stranger's file is not read at all),
/// reads the form's `file` and runs the upload action: 201 with the attachment.
async fn upload_to(
    state: &AppState,
    caller: &Caller,
    owner: Owner,
    body: Multipart,
) -> ApiResult<HttpResponse> {
    actions::check_upload(state, caller, owner).await?;
    let max = state.settings.attachments.max_bytes;
    let form = form::read_form(body, "file", max).await?;
    if let Some(name) = form.fields.keys().min() {
        return Err(ApiError::BadRequest {
            code: "request.invalid_field",
            field: Some(name.clone()),
            detail: "an upload has one part, the file in the field `file`".into(),
        });
    }
    let file = form.require_file("file")?;
    let out = actions::upload(state, caller, owner, file).await?;
    Ok(HttpResponse::Created().json(out))
}

/// Attaches a photo to a topic: its author (or the resident it was raised for) while it is
/// in say, staff of the place at any step. JPEG, PNG or WebP, re-encoded without metadata.
#[utoipa::path(tag = "attachments",
    request_body(content = inline(UploadForm), content_type = "multipart/form-data"),
    responses((status = 201, body = AttachmentOut)))]
#[post("/topics/{id}/attachments")]
pub async fn upload_topic_attachment(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
    body: Multipart,
) -> ApiResult<HttpResponse> {
    upload_to(&state, &caller, Owner::topic(*id), body).await
}

/// Attaches an evidence photo to a task: the responsible organisation's users, the assignee,
/// staff of the place.
#[utoipa::path(tag = "attachments",
    request_body(content = inline(UploadForm), content_type = "multipart/form-data"),
    responses((status = 201, body = AttachmentOut)))]
#[post("/tasks/{id}/attachments")]
pub async fn upload_task_attachment(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
    body: Multipart,
) -> ApiResult<HttpResponse> {
    upload_to(&state, &caller, Owner::task(*id), body).await
}

/// Attaches a document (PDF: sign-in sheet, minutes scan) or a photo to a meeting: its
/// convener and staff of the place.
#[utoipa::path(tag = "attachments",
    request_body(content = inline(UploadForm), content_type = "multipart/form-data"),
    responses((status = 201, body = AttachmentOut)))]
#[post("/consultations/{id}/attachments")]
pub async fn upload_consultation_attachment(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
    body: Multipart,
) -> ApiResult<HttpResponse> {
    upload_to(&state, &caller, Owner::consultation(*id), body).await
}

/// A topic's photos; anonymous callers see those of public (catalog) topics.
#[utoipa::path(tag = "attachments", security((), ("bearer" = [])),
    responses((status = 200, body = List<AttachmentOut>)))]
#[get("/topics/{id}/attachments")]
pub async fn list_topic_attachments(
    state: web::Data<AppState>,
    OptionalCaller(caller): OptionalCaller,
    id: web::Path<i64>,
) -> ApiResult<web::Json<List<AttachmentOut>>> {
    respond::ok(&state, move |conn, _| {
        actions::list_for(conn, caller.as_ref(), Owner::topic(*id))
    })
    .await
}

/// A task's evidence photos, for whoever sees the task (public with a catalog topic).
#[utoipa::path(tag = "attachments", security((), ("bearer" = [])),
    responses((status = 200, body = List<AttachmentOut>)))]
#[get("/tasks/{id}/attachments")]
pub async fn list_task_attachments(
    state: web::Data<AppState>,
    OptionalCaller(caller): OptionalCaller,
    id: web::Path<i64>,
) -> ApiResult<web::Json<List<AttachmentOut>>> {
    respond::ok(&state, move |conn, _| {
        actions::list_for(conn, caller.as_ref(), Owner::task(*id))
    })
    .await
}

/// A meeting's documents and photos: participants and staff only (they carry names).
#[utoipa::path(tag = "attachments", responses((status = 200, body = List<AttachmentOut>)))]
#[get("/consultations/{id}/attachments")]
pub async fn list_consultation_attachments(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
) -> ApiResult<web::Json<List<AttachmentOut>>> {
    respond::ok(&state, move |conn, _| {
        actions::list_for(conn, Some(&caller), Owner::consultation(*id))
    })
    .await
}

/// The bytes with their stored type, never sniffed by the browser, private to caches. Images
/// also get a sandboxing CSP (a PDF would not open in a sandbox).
pub fn serve(s: Served) -> HttpResponse {
    let mut res = HttpResponse::Ok();
    if s.content_type.starts_with("image/") {
        res.insert_header((
            header::CONTENT_SECURITY_POLICY,
            "sandbox; default-src 'none'",
        ));
    }
    res.content_type(s.content_type)
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::CACHE_CONTROL, "private, max-age=300"))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("inline; filename=\"{}\"", s.filename),
        ))
        .body(s.bytes)
}

/// The file of an attachment, with the permission of its owner (public topics' photos are
/// public).
#[utoipa::path(tag = "attachments", security((), ("bearer" = [])),
    responses((status = 200, description = "The file",
        content(("image/jpeg"), ("image/png"), ("image/webp"), ("application/pdf")))))]
#[get("/attachments/{id}")]
pub async fn get_attachment(
    state: web::Data<AppState>,
    OptionalCaller(caller): OptionalCaller,
    id: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    actions::open(&state, caller, *id, false).await.map(serve)
}

/// The JPEG thumbnail of a photo (documents have none: 404).
#[utoipa::path(tag = "attachments", security((), ("bearer" = [])),
    responses((status = 200, description = "The thumbnail", content(("image/jpeg")))))]
#[get("/attachments/{id}/thumbnail")]
pub async fn get_attachment_thumbnail(
    state: web::Data<AppState>,
    OptionalCaller(caller): OptionalCaller,
    id: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    actions::open(&state, caller, *id, true).await.map(serve)
}

/// Registers this area's handlers.
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(upload_topic_attachment)
        .service(upload_task_attachment)
        .service(upload_consultation_attachment)
        .service(list_topic_attachments)
        .service(list_task_attachments)
        .service(list_consultation_attachments)
        .service(get_attachment)
        .service(get_attachment_thumbnail);
}
