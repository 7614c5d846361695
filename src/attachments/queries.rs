//! All the diesel of attachments: insert a row once its objects are stored, read one, list an
//! owner's.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::model::Owner;
use super::rules::{Kind, OwnerKind};
use crate::db::schema::attachments;
use crate::db::{self, DbConn};
use crate::error::{ApiError, ApiResult};

/// An attachment row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = attachments)]
pub struct AttachmentRow {
    pub id: i64,
    pub owner_kind: OwnerKind,
    pub owner_id: i64,
    pub kind: Kind,
    pub content_type: String,
    pub bytes: i64,
    pub width: Option<i32>,
    pub height: Option<i32>,
    pub object_key: String,
    pub thumbnail_key: Option<String>,
    pub uploaded_by: i64,
    pub created_at: NaiveDateTime,
}

/// The columns of a new row.
pub struct NewAttachment<'a> {
    pub owner: Owner,
    pub kind: Kind,
    pub content_type: &'a str,
    pub bytes: i64,
    pub width: Option<i32>,
    pub height: Option<i32>,
    pub object_key: &'a str,
    pub thumbnail_key: Option<&'a str>,
    pub uploaded_by: i64,
}

/// Inserts the row of stored objects.
pub fn insert(conn: &mut DbConn, a: &NewAttachment<'_>) -> ApiResult<AttachmentRow> {
    let id: i64 = diesel::insert_into(attachments::table)
        .values((
            attachments::owner_kind.eq(a.owner.kind),
            attachments::owner_id.eq(a.owner.id),
            attachments::kind.eq(a.kind),
            attachments::content_type.eq(a.content_type),
            attachments::bytes.eq(a.bytes),
            attachments::width.eq(a.width),
            attachments::height.eq(a.height),
            attachments::object_key.eq(a.object_key),
            attachments::thumbnail_key.eq(a.thumbnail_key),
            attachments::uploaded_by.eq(a.uploaded_by),
            attachments::created_at.eq(db::now()),
        ))
        .returning(attachments::id)
        .get_result(conn)?;
    attachment(conn, id)
}

/// An attachment, or 404 `attachment.not_found`.
pub fn attachment(conn: &mut DbConn, id: i64) -> ApiResult<AttachmentRow> {
    attachments::table
        .find(id)
        .select(AttachmentRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(ApiError::NotFound("attachment.not_found"))
}

/// The attachments of several owners of one kind (a plan's tasks), oldest first, in one query.
pub fn of_owners(conn: &mut DbConn, kind: OwnerKind, ids: &[i64]) -> ApiResult<Vec<AttachmentRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(attachments::table
        .filter(attachments::owner_kind.eq(kind))
        .filter(attachments::owner_id.eq_any(ids))
        .order(attachments::id.asc())
        .select(AttachmentRow::as_select())
        .load(conn)?)
}

/// An owner's attachments, oldest first.
pub fn of_owner(conn: &mut DbConn, owner: Owner) -> ApiResult<Vec<AttachmentRow>> {
    Ok(attachments::table
        .filter(attachments::owner_kind.eq(owner.kind))
        .filter(attachments::owner_id.eq(owner.id))
        .order(attachments::id.asc())
        .select(AttachmentRow::as_select())
        .load(conn)?)
}
