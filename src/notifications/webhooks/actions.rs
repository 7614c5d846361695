//! The use cases of webhook endpoints: admins whose place covers the endpoint's place manage
//! it (installation-wide admins every one); an endpoint outside the caller's places is not
//! found. URLs are checked (http/https, public address) on every write.

use std::collections::HashMap;

use super::model::*;
use super::queries::{self, WebhookRow};
use super::rules;
use super::target::{self, TargetProblem};
use crate::api::paging::{List, Page};
use crate::auth::caller::PlaceRef;
use crate::auth::{Caller, Role};
use crate::config::Settings;
use crate::db::{self, DbConn};
use crate::error::{ApiError, ApiResult};
use crate::notifications::kinds::NotificationKind;

/// Creates an endpoint at a place the caller administers; the answer carries the secret, the
/// only time it is shown.
pub fn create(
    conn: &mut DbConn,
    settings: &Settings,
    caller: &Caller,
    input: &NewWebhook,
) -> ApiResult<CreatedWebhook> {
    caller.require_any_admin()?;
    let url = checked_url(settings, &input.url)?;
    require_kinds(&input.event_kinds)?;
    let mut random = [0u8; rules::SECRET_BYTES];
    getrandom::fill(&mut random).map_err(|e| ApiError::internal(format!("getrandom: {e}")))?;
    let secret = rules::secret_from(&random);
    let id = db::write_tx(conn, |conn| {
        let (place, _) = crate::places::queries::place_ref(conn, input.place_id, Some("place_id"))?;
        caller.require(&[Role::Admin], &place)?;
        queries::insert(
            conn,
            url.as_str(),
            &secret,
            place.id,
            &input.event_kinds,
            caller.user_id,
        )
    })?;
    Ok(CreatedWebhook {
        webhook: get(conn, caller, id)?,
        secret,
    })
}

/// The endpoints of the caller's places, by id, keyset pages.
pub fn list(conn: &mut DbConn, caller: &Caller, p: &WebhookParams) -> ApiResult<List<WebhookOut>> {
    caller.require_any_admin()?;
    let page = Page::new(p.limit, p.cursor.as_deref())?;
    let scopes = caller.admin_scopes();
    let rows = queries::list(
        conn,
        scopes.as_deref(),
        p.place_id,
        page.after,
        page.fetch(),
    )?;
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut kinds = queries::kinds_of(conn, &ids)?;
    let out = rows
        .into_iter()
        .map(|r| {
            let k = kinds.remove(&r.id).unwrap_or_default();
            out(r, k)
        })
        .collect();
    Ok(page.finish(out, |w| w.id))
}

/// One endpoint (without its secret).
pub fn get(conn: &mut DbConn, caller: &Caller, id: i64) -> ApiResult<WebhookOut> {
    let row = visible(conn, caller, id)?;
    let kinds = queries::kinds_of(conn, &[id])?
        .remove(&id)
        .unwrap_or_default();
    Ok(out(row, kinds))
}

/// Changes the URL, the kinds, or whether it is disabled; re-enabling clears the reason the
/// service disabled it for.
pub fn update(
    conn: &mut DbConn,
    settings: &Settings,
    caller: &Caller,
    id: i64,
    input: &WebhookPatch,
) -> ApiResult<WebhookOut> {
    visible(conn, caller, id)?;
    let url = match &input.url {
        Some(u) => Some(checked_url(settings, u)?),
        None => None,
    };
    if let Some(k) = &input.event_kinds {
        require_kinds(k)?;
    }
    db::write_tx(conn, |conn| {
        let current = visible(conn, caller, id)?;
        if let Some(u) = &url {
            queries::set_url(conn, id, u.as_str())?;
        }
        if let Some(k) = &input.event_kinds {
            queries::set_kinds(conn, id, k)?;
            queries::touch(conn, id)?;
        }
        if let Some(d) = input.disabled.filter(|d| *d != current.disabled) {
            queries::set_disabled(conn, id, d)?;
        }
        get(conn, caller, id)
    })
}

/// Deletes the endpoint with its delivery log.
pub fn delete(conn: &mut DbConn, caller: &Caller, id: i64) -> ApiResult<()> {
    db::write_tx(conn, |conn| {
        visible(conn, caller, id)?;
        queries::delete(conn, id)
    })
}

/// The endpoint's delivery log, newest first, each delivery with its attempts.
pub fn deliveries(
    conn: &mut DbConn,
    caller: &Caller,
    id: i64,
    limit: Option<i64>,
    cursor: Option<&str>,
) -> ApiResult<List<DeliveryOut>> {
    visible(conn, caller, id)?;
    let page = Page::new(limit, cursor)?;
    let rows = queries::deliveries(conn, id, page.after, page.fetch())?;
    let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
    let mut attempts: HashMap<i64, Vec<AttemptOut>> = HashMap::new();
    for (delivery, at, code, error, ms) in queries::attempts_of(conn, &ids)? {
        attempts.entry(delivery).or_default().push(AttemptOut {
            attempted_at: at.and_utc(),
            status_code: code,
            error,
            duration_ms: ms,
        });
    }
    let out = rows
        .into_iter()
        .map(|r| DeliveryOut {
            id: r.0,
            event_id: r.1,
            kind: r.2,
            message_id: r.3,
            status: r.4,
            attempts: r.5,
            next_attempt_at: (r.4 == DeliveryStatus::Pending).then(|| r.6.and_utc()),
            last_status_code: r.7,
            last_error: r.8,
            created_at: r.9.and_utc(),
            delivered_at: r.10.map(|t| t.and_utc()),
            attempt_log: attempts.remove(&r.0).unwrap_or_default(),
        })
        .collect();
    Ok(page.finish(out, |d| d.id))
}

/// 403 unless an admin somewhere; 404 `webhook.not_found` unless the endpoint exists within
/// the caller's places.
fn visible(conn: &mut DbConn, caller: &Caller, id: i64) -> ApiResult<WebhookRow> {
    caller.require_any_admin()?;
    let row = queries::find(conn, id)?.ok_or(ApiError::NotFound("webhook.not_found"))?;
    let place = PlaceRef {
        id: row.place_id,
        path: row.place_path.clone(),
    };
    if caller.holds(&[Role::Admin], &place) {
        Ok(row)
    } else {
        Err(ApiError::NotFound("webhook.not_found"))
    }
}

/// 422 naming `url`: not http(s) with a host, too long, or (unless private targets are
/// allowed) leading to a private address or nowhere.
fn checked_url(settings: &Settings, raw: &str) -> ApiResult<url::Url> {
    let url = rules::parse_url(raw).map_err(|_| {
        ApiError::invalid(
            "url",
            "validation.url",
            format!(
                "an http(s) URL with a host, at most {} characters",
                rules::MAX_URL_LEN
            ),
        )
    })?;
    match target::resolve(&url, settings.webhooks.allow_private_targets) {
        Ok(_) => Ok(url),
        Err(TargetProblem::Private(ip)) => Err(ApiError::invalid(
            "url",
            "webhook.private_target",
            format!("{ip} is not a public address"),
        )),
        Err(TargetProblem::Unresolvable(host)) => Err(ApiError::invalid(
            "url",
            "webhook.unresolvable",
            format!("{host} has no address"),
        )),
    }
}

/// 422 naming `event_kinds` for an empty list.
fn require_kinds(kinds: &[NotificationKind]) -> ApiResult<()> {
    if kinds.is_empty() {
        return Err(ApiError::invalid(
            "event_kinds",
            "validation.required",
            "at least one kind",
        ));
    }
    Ok(())
}

fn out(r: WebhookRow, event_kinds: Vec<NotificationKind>) -> WebhookOut {
    WebhookOut {
        id: r.id,
        url: r.url,
        event_kinds,
        place_id: r.place_id,
        disabled: r.disabled,
        disabled_reason: r.disabled_reason,
        created_at: r.created_at.and_utc(),
        updated_at: r.updated_at.and_utc(),
    }
}
