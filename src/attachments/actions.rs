//! The use cases of attachments: upload (one async function, for the JSON handlers and the
//! pages alike), list an owner's, and open one for serving. Who may upload and who may read
//! follow the owner: the topic, task and meeting rules of their own areas.

use actix_web::web;

use super::model::{AttachmentOut, Owner, Upload};
use super::process::{self, Prepared};
use super::queries::{self as q, AttachmentRow, NewAttachment};
use super::rules::{OwnerKind, Refusal};
use super::store;
use crate::api::paging::List;
use crate::auth::Caller;
use crate::consultations::actions::{meeting_at, sees_names};
use crate::consultations::queries as cq;
use crate::consultations::rules::CONVENERS;
use crate::db::{self, DbConn};
use crate::error::{ApiError, ApiResult, RuleRefusal};
use crate::state::AppState;
use crate::topics::plan::may_update_task;
use crate::topics::queries as tq;
use crate::topics::reads::organisation_view;
use crate::topics::rules::{STAFF, Stage};
use crate::topics::workflow::topic_at;

/// The wire form of a row.
pub fn attachment_out(a: &AttachmentRow) -> AttachmentOut {
    AttachmentOut {
        id: a.id,
        kind: a.kind,
        owner_kind: a.owner_kind,
        owner_id: a.owner_id,
        content_type: a.content_type.clone(),
        bytes: a.bytes,
        width: a.width,
        height: a.height,
        url: format!("/api/v1/attachments/{}", a.id),
        thumbnail_url: a
            .thumbnail_key
            .as_ref()
            .map(|_| format!("/api/v1/attachments/{}/thumbnail", a.id)),
        created_at: a.created_at.and_utc(),
    }
}

/// The problem for a refused file: 413 for size, else 422 naming `file`.
pub fn refused(r: Refusal) -> ApiError {
    match r {
        Refusal::TooLarge => ApiError::PayloadTooLarge,
        r => ApiError::invalid("file", r.code(), detail(r)),
    }
}

fn detail(r: Refusal) -> &'static str {
    match r {
        Refusal::Empty => "the file is empty",
        Refusal::TooLarge => "the file is larger than attachments.max_bytes",
        Refusal::UnsupportedType => "send a JPEG, PNG or WebP image (or a PDF on a meeting)",
        Refusal::NotAllowedHere => "documents (PDF) go on meetings; topics and tasks take images",
        Refusal::TooManyPixels => "the image has more pixels than attachments.max_pixels",
        Refusal::Unreadable => "the image is truncated or corrupt",
    }
}

/// Who may attach to `owner`: topic photos: the author (or the resident it was raised for)
/// while the topic is in say, and staff of the place at any step; task evidence: whoever may
/// update the task (its organisation's users, the assignee, staff); meeting documents: the
/// convener (still holding a convening role there) and staff of the place.
pub fn require_upload(conn: &mut DbConn, caller: &Caller, owner: Owner) -> ApiResult<()> {
    match owner.kind {
        OwnerKind::Topic => {
            let (t, place) = topic_at(conn, owner.id)?;
            if caller.holds(&STAFF, &place) {
                return Ok(());
            }
            let raiser = t.author_id == caller.user_id || t.on_behalf_of == Some(caller.user_id);
            match (raiser, t.stage) {
                (true, Stage::Say) => Ok(()),
                (true, _) => Err(ApiError::conflict("attachment.topic_not_in_say")),
                (false, _) => Err(ApiError::Forbidden("permission.denied")),
            }
        }
        OwnerKind::Task => {
            let task = tq::task(conn, owner.id)?;
            let (_, place) = topic_at(conn, task.topic_id)?;
            if may_update_task(caller, &task, &place) {
                Ok(())
            } else if organisation_view(caller, &place).is_some() {
                // Organisation users do not learn about other organisations' tasks.
                Err(ApiError::NotFound("task.not_found"))
            } else {
                Err(ApiError::Forbidden("permission.denied"))
            }
        }
        OwnerKind::Consultation => {
            let (c, place) = meeting_at(conn, owner.id)?;
            let convener = c.convener_id == caller.user_id && caller.holds(&CONVENERS, &place);
            if convener || caller.holds(&STAFF, &place) {
                Ok(())
            } else {
                Err(ApiError::Forbidden("permission.denied"))
            }
        }
    }
}

/// Who may read `owner`'s attachments: who may read the owner. Signed-in callers read topics
/// and their photos; tasks as the plan shows them (organisation users: their own); meeting
/// documents (sign-in sheets carry names) only participants and staff, as invitee names.
/// Anonymous callers read photos of public topics (in the catalog) and of their tasks'
/// progress, and nothing of meetings: 401 otherwise.
pub fn require_read(conn: &mut DbConn, caller: Option<&Caller>, owner: Owner) -> ApiResult<()> {
    let anonymous = || Err(ApiError::Unauthorized("auth.missing_token"));
    match owner.kind {
        OwnerKind::Topic => {
            let t = tq::topic(conn, owner.id)?;
            match caller {
                Some(_) => Ok(()),
                None if t.catalog_no.is_some() => Ok(()),
                None => anonymous(),
            }
        }
        OwnerKind::Task => {
            let task = tq::task(conn, owner.id)?;
            let (t, place) = topic_at(conn, task.topic_id)?;
            let Some(caller) = caller else {
                return if t.catalog_no.is_some() {
                    Ok(())
                } else {
                    anonymous()
                };
            };
            match organisation_view(caller, &place) {
                Some(orgs) if !task.organization_id.is_some_and(|o| orgs.contains(&o)) => {
                    Err(ApiError::NotFound("task.not_found"))
                }
                _ => Ok(()),
            }
        }
        OwnerKind::Consultation => {
            let (c, place) = meeting_at(conn, owner.id)?;
            let Some(caller) = caller else {
                return anonymous();
            };
            let invitations = cq::invitations_of(conn, c.id)?;
            if sees_names(caller, &c, &place, &invitations) {
                Ok(())
            } else {
                Err(ApiError::Forbidden("permission.denied"))
            }
        }
    }
}

/// [`require_upload`] on a pooled connection: for handlers that check before reading a body.
pub async fn check_upload(state: &AppState, caller: &Caller, owner: Owner) -> ApiResult<()> {
    let who = caller.clone();
    db::run(&state.pool, move |conn| require_upload(conn, &who, owner)).await
}

/// Attaches `upload` to `owner`: permission, then the checks and the re-encoding off the
/// async threads, then the objects under fresh random keys, then the row (permission checked
/// again in its transaction). If the row cannot be written the objects are deleted (best
/// effort), so no reader ever sees a row without its file.
pub async fn upload(
    state: &AppState,
    caller: &Caller,
    owner: Owner,
    upload: Upload,
) -> ApiResult<AttachmentOut> {
    check_upload(state, caller, owner).await?;
    let settings = state.settings.clone();
    let prepared =
        web::block(move || process::prepare(owner.kind, &upload.bytes, &settings.attachments))
            .await
            .map_err(|e| ApiError::internal(format!("image work: {e}")))?
            .map_err(refused)?;
    let (key, thumb_key) = store::new_key(prepared.extension)?;
    let Prepared {
        kind,
        content_type,
        bytes,
        width,
        height,
        thumbnail,
        ..
    } = prepared;
    let size = i64::try_from(bytes.len()).unwrap_or(i64::MAX);
    store::put(&state.files, &key, bytes).await?;
    let thumb_key = match thumbnail {
        None => None,
        Some(t) => match store::put(&state.files, &thumb_key, t).await {
            Ok(()) => Some(thumb_key),
            Err(e) => {
                store::delete_quietly(&state.files, &[&key]).await;
                return Err(e);
            }
        },
    };
    let who = caller.clone();
    let (k, tk) = (key.clone(), thumb_key.clone());
    let row = db::run(&state.pool, move |conn| {
        db::write_tx(conn, |conn| {
            require_upload(conn, &who, owner)?;
            q::insert(
                conn,
                &NewAttachment {
                    owner,
                    kind,
                    content_type,
                    bytes: size,
                    width: width.and_then(|w| i32::try_from(w).ok()),
                    height: height.and_then(|h| i32::try_from(h).ok()),
                    object_key: &k,
                    thumbnail_key: tk.as_deref(),
                    uploaded_by: who.user_id,
                },
            )
        })
    })
    .await;
    match row {
        Ok(row) => Ok(attachment_out(&row)),
        Err(e) => {
            let mut keys = vec![key.as_str()];
            keys.extend(thumb_key.as_deref());
            store::delete_quietly(&state.files, &keys).await;
            Err(e)
        }
    }
}

/// `owner`'s attachments, oldest first, for whoever may read the owner.
pub fn list_for(
    conn: &mut DbConn,
    caller: Option<&Caller>,
    owner: Owner,
) -> ApiResult<List<AttachmentOut>> {
    require_read(conn, caller, owner)?;
    let items = q::of_owner(conn, owner)?
        .iter()
        .map(attachment_out)
        .collect();
    Ok(List {
        items,
        next_cursor: None,
    })
}

/// A file ready to serve.
#[derive(Debug)]
pub struct Served {
    pub content_type: String,
    pub filename: String,
    pub bytes: bytes::Bytes,
}

/// The file (or its thumbnail) of attachment `id`, for whoever may read its owner. A
/// document has no thumbnail: 404 `attachment.no_thumbnail`.
pub async fn open(
    state: &AppState,
    caller: Option<Caller>,
    id: i64,
    thumbnail: bool,
) -> ApiResult<Served> {
    let row = db::run(&state.pool, move |conn| {
        let row = q::attachment(conn, id)?;
        let owner = Owner {
            kind: row.owner_kind,
            id: row.owner_id,
        };
        require_read(conn, caller.as_ref(), owner)?;
        Ok(row)
    })
    .await?;
    let (key, content_type, ext) = if thumbnail {
        let key = row
            .thumbnail_key
            .ok_or(ApiError::NotFound("attachment.no_thumbnail"))?;
        (key, "image/jpeg".to_string(), "jpg")
    } else {
        let ext = row.object_key.rsplit('.').next().unwrap_or("bin");
        let ext = match ext {
            "jpg" | "png" | "webp" | "pdf" => ext,
            _ => "bin",
        };
        (row.object_key.clone(), row.content_type, ext)
    };
    let bytes = store::get(&state.files, &key).await?;
    let suffix = if thumbnail { "-thumb" } else { "" };
    Ok(Served {
        content_type,
        filename: format!("attachment-{id}{suffix}.{ext}"),
        bytes,
    })
}
