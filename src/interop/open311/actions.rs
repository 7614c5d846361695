//! The use cases of Open311: admins issue and revoke client keys (scoped to their places like
//! every admin operation); clients post requests with a key; anyone reads services, requests
//! and tokens. The GeoReport operations answer a [`Refusal`] (the spec's error list) for
//! anything they refuse; the database's own failures become one too, never a panic.

use std::collections::HashMap;

use chrono::{Duration, Utc};
use serde_json::json;

use super::model::*;
use super::queries::{self, ClientRow, NewRequestRow, RequestQuery};
use super::rules::{self, Format, Status};
use crate::api::paging::{List, Page};
use crate::auth::caller::PlaceRef;
use crate::auth::tokens::{hash_token, random_token};
use crate::auth::{Caller, Role};
use crate::config::Settings;
use crate::db::{self, DbConn};
use crate::error::{ApiError, ApiResult};
use crate::places::rules::PlaceKind;
use crate::topics::events::{self, EventKind, NewEvent};
use crate::topics::model::PageParams;
use crate::topics::queries as topic_q;
use crate::topics::rules::{Category, Source, Stage};

/// The result of a GeoReport operation.
pub type Open311Result<T> = Result<T, Refusal>;

impl From<ApiError> for Refusal {
    fn from(e: ApiError) -> Self {
        use actix_web::ResponseError;
        if let ApiError::Internal(msg) | ApiError::Unavailable(msg) = &e {
            tracing::error!(error = %msg, "open311");
        }
        Refusal {
            status: e.status_code().as_u16(),
            description: e.code().to_string(),
        }
    }
}

// ---- client keys (admin) ----

/// Issues a key for a client at a place the caller administers; the answer carries the key,
/// the only time it is shown. The client's service account is made with it.
pub fn create_client(
    conn: &mut DbConn,
    caller: &Caller,
    input: &NewOpen311Client,
) -> ApiResult<CreatedOpen311Client> {
    caller.require_any_admin()?;
    let key = random_token()?;
    let hash = hash_token(&key);
    let id = db::write_tx(conn, |conn| {
        let (place, _) = crate::places::queries::place_ref(conn, input.place_id, Some("place_id"))?;
        caller.require(&[Role::Admin], &place)?;
        let user_id = queries::insert_service_user(conn, &input.name, &hash)?;
        queries::insert_client(conn, &input.name, place.id, &hash, user_id, caller.user_id)
    })?;
    let row =
        queries::find_client(conn, id)?.ok_or(ApiError::NotFound("open311_client.not_found"))?;
    Ok(CreatedOpen311Client {
        client: client_out(row),
        api_key: key,
    })
}

/// The live clients of the caller's places, by id, keyset pages.
pub fn list_clients(
    conn: &mut DbConn,
    caller: &Caller,
    p: &PageParams,
) -> ApiResult<List<Open311ClientOut>> {
    caller.require_any_admin()?;
    let page = Page::new(p.limit, p.cursor.as_deref())?;
    let scopes = caller.admin_scopes();
    let rows = queries::list_clients(conn, scopes.as_deref(), page.after, page.fetch())?;
    Ok(page.finish(rows.into_iter().map(client_out).collect(), |c| c.id))
}

/// Revokes a client's key; 404 unless it is live within the caller's places.
pub fn revoke_client(conn: &mut DbConn, caller: &Caller, id: i64) -> ApiResult<()> {
    caller.require_any_admin()?;
    db::write_tx(conn, |conn| {
        let row = queries::find_client(conn, id)?
            .ok_or(ApiError::NotFound("open311_client.not_found"))?;
        let place = PlaceRef {
            id: row.place_id,
            path: row.place_path.clone(),
        };
        if !caller.holds(&[Role::Admin], &place) {
            return Err(ApiError::NotFound("open311_client.not_found"));
        }
        queries::revoke_client(conn, id)
    })
}

fn client_out(r: ClientRow) -> Open311ClientOut {
    Open311ClientOut {
        id: r.id,
        name: r.name,
        place_id: r.place_id,
        created_at: r.created_at.and_utc(),
    }
}

// ---- GeoReport v2 ----

/// The discovery document: this endpoint, its formats, and how to get a key.
pub fn discovery(settings: &Settings) -> Discovery {
    let base = settings.server.public_url.trim_end_matches('/');
    let changeset = "2026-12-03 00:00".to_string();
    Discovery {
        changeset: changeset.clone(),
        contact: "社区议事平台管理员（街道或社区的系统管理员）".to_string(),
        key_service: "API 密钥由管理员按接入方和所辖地区签发：POST /api/v1/open311-clients"
            .to_string(),
        endpoints: vec![DiscoveryEndpoint {
            specification: "http://wiki.open311.org/GeoReport_v2".to_string(),
            url: format!("{base}/open311/v2"),
            changeset,
            r#type: "production".to_string(),
            formats: vec!["text/xml".to_string(), "application/json".to_string()],
        }],
    }
}

/// The services: one per topic category.
pub fn services() -> Vec<Service> {
    Category::ALL
        .into_iter()
        .map(|c| {
            let t = rules::service_text(c);
            Service {
                service_code: c.as_str().to_string(),
                service_name: t.name.to_string(),
                description: t.description.to_string(),
                metadata: !rules::attributes(c).is_empty(),
                r#type: "realtime".to_string(),
                keywords: t.keywords.to_string(),
                group: t.group.to_string(),
            }
        })
        .collect()
}

/// The service `code`, or 404 `service_code not found`.
fn service(code: &str) -> Open311Result<Category> {
    Category::parse(code.trim())
        .ok_or_else(|| Refusal::not_found(format!("service_code {} not found", code.trim())))
}

/// A service's definition: its attributes (empty for most).
pub fn service_definition(code: &str) -> Open311Result<ServiceDefinition> {
    let c = service(code)?;
    Ok(ServiceDefinition {
        service_code: c.as_str().to_string(),
        attributes: rules::attributes(c)
            .iter()
            .enumerate()
            .map(|(i, a)| Attribute {
                variable: true,
                code: a.code.to_string(),
                datatype: "string".to_string(),
                required: false,
                datatype_description: None,
                order: i as i32 + 1,
                description: a.description.to_string(),
            })
            .collect(),
    })
}

/// The form's values by name (the last of a repeated name wins), without control characters.
struct Form(HashMap<String, String>);

impl Form {
    fn new(pairs: Vec<(String, String)>) -> Self {
        Form(pairs.into_iter().collect())
    }

    /// A one-line field, None when absent or blank; 400 when over the limit.
    fn line(&self, name: &str) -> Open311Result<Option<String>> {
        self.text(name, false, rules::MAX_FIELD)
    }

    fn text(&self, name: &str, multiline: bool, max: usize) -> Open311Result<Option<String>> {
        let Some(v) = self.0.get(name) else {
            return Ok(None);
        };
        let v = rules::clean(v, multiline);
        if v.chars().count() > max {
            return Err(Refusal::bad(format!(
                "{name} is longer than {max} characters"
            )));
        }
        Ok((!v.is_empty()).then_some(v))
    }

    /// A coordinate; 400 when given but not a number in range.
    fn degrees(&self, name: &str, limit: f64) -> Open311Result<Option<f64>> {
        match self.line(name)? {
            None => Ok(None),
            Some(v) => rules::parse_degrees(&v, limit)
                .map(Some)
                .ok_or_else(|| Refusal::bad(format!("{name} must be a number of degrees"))),
        }
    }
}

/// Posts a request: checks the key, the service and the location, then creates the topic
/// (source `open311`, authored by the client's service account) and keeps the reporter's
/// details privately beside it.
pub fn post_request(
    conn: &mut DbConn,
    pairs: Vec<(String, String)>,
) -> Open311Result<PostedRequest> {
    let form = Form::new(pairs);
    let key = form.line("api_key")?.ok_or_else(Refusal::bad_key)?;
    let client = queries::client_by_key(conn, &hash_token(&key))?.ok_or_else(Refusal::bad_key)?;
    let code = form
        .line("service_code")?
        .ok_or_else(|| Refusal::bad("service_code was not provided"))?;
    let category = service(&code)?;
    let lat = form.degrees("lat", 90.0)?;
    let lng = form.degrees("long", 180.0)?;
    if lat.is_some() != lng.is_some() {
        return Err(Refusal::bad("lat and long must be given together"));
    }
    let address = form.line("address_string")?;
    let address_id = form.line("address_id")?;
    if address.is_none() && lat.is_none() {
        return Err(Refusal::bad(
            "a location is required: lat and long, or address_string",
        ));
    }
    let place_id = locate(conn, &client, address.as_deref(), lat.zip(lng))?;
    let media_url = form.line("media_url")?;
    if let Some(m) = &media_url
        && !url::Url::parse(m).is_ok_and(|u| matches!(u.scheme(), "http" | "https"))
    {
        return Err(Refusal::bad("media_url must be an http or https URL"));
    }
    let description = form
        .text("description", true, rules::MAX_DESCRIPTION)?
        .unwrap_or_default();
    let text = rules::service_text(category);
    let title = rules::title_from(&description, text.name);
    let mut body = if description.is_empty() {
        text.name.to_string()
    } else {
        description.clone()
    };
    for a in rules::attributes(category) {
        if let Some(v) = form.line(&format!("attribute[{}]", a.code))? {
            body.push_str(&format!("\n\n{}：{v}", a.description));
        }
    }
    if let Some(a) = &address {
        body.push_str(&format!("\n\n地址：{a}"));
    }
    let token = random_token()?;
    let mut row = NewRequestRow {
        client_id: client.id,
        token: token.clone(),
        email: form.line("email")?,
        first_name: form.line("first_name")?,
        last_name: form.line("last_name")?,
        phone: form.line("phone")?,
        device_id: form.line("device_id")?,
        account_id: form.line("account_id")?,
        media_url,
        lat,
        lng,
        address_string: address,
        address_id,
        ..Default::default()
    };
    let topic_id = db::write_tx(conn, |conn| {
        let (place, _) = crate::places::queries::place_ref(conn, place_id, None)?;
        let community_id = topic_q::community_of(conn, &place.path)?
            .ok_or(ApiError::NotFound("place.not_found"))?;
        let id = topic_q::insert_topic(
            conn,
            &topic_q::NewTopicRow {
                place_id,
                community_id,
                title: &title,
                body: &body,
                category,
                source: Source::Open311,
                author_id: client.user_id,
                on_behalf_of: None,
                major: false,
            },
        )?;
        let mut ev = NewEvent::new(EventKind::Created, client.user_id);
        ev.to = Some(Stage::Say);
        ev.payload = json!({"source": Source::Open311.as_str(), "on_behalf_of": null,
                            "major": false, "open311_client_id": client.id});
        events::append(conn, id, ev)?;
        row.topic_id = id;
        queries::insert_request(conn, &row)?;
        Ok(id)
    })?;
    Ok(PostedRequest {
        service_request_id: topic_id.to_string(),
        token,
        service_notice: Some(rules::SERVICE_NOTICE.to_string()),
    })
}

/// The place a report lands in: the place the address names (a community, grid or building
/// within the client's place), else the community at the coordinates; 400 when neither is
/// within the client's place.
fn locate(
    conn: &mut DbConn,
    client: &ClientRow,
    address: Option<&str>,
    point: Option<(f64, f64)>,
) -> Open311Result<i64> {
    let all = queries::candidates(conn, &client.place_path)?;
    if let Some(a) = address {
        let homes: Vec<_> = all.iter().map(|(_, c)| c.clone()).collect();
        if let Some(id) = rules::match_address(&homes, a) {
            return Ok(id);
        }
    }
    if let Some((lat, lng)) = point {
        let communities: Vec<_> = all
            .iter()
            .filter(|(k, _)| *k == PlaceKind::Community)
            .map(|(_, c)| c.clone())
            .collect();
        if let Some(id) = rules::nearest(&communities, lat, lng, rules::NEAREST_LIMIT_M) {
            return Ok(id);
        }
    }
    Err(Refusal::bad(
        "the location is not within a community this api_key serves",
    ))
}

/// The query of GET requests, by name (the last of a repeated name wins).
fn query_map(pairs: Vec<(String, String)>) -> HashMap<String, String> {
    pairs.into_iter().collect()
}

/// GET requests: by `service_request_id` (a comma list; the other filters are then
/// ignored, as the spec says), else by `service_code`, `status` and the requested window
/// (`start_date`/`end_date`, by default the last 90 days, a wider window narrowed to the 90
/// days before its end), newest first, at most 1,000.
pub fn list_requests(
    conn: &mut DbConn,
    pairs: Vec<(String, String)>,
) -> Open311Result<Vec<ServiceRequest>> {
    let q = query_map(pairs);
    let get = |n: &str| {
        q.get(n)
            .map(|v| rules::clean(v, false))
            .filter(|v| !v.is_empty())
    };
    let mut f = RequestQuery {
        limit: rules::MAX_RESULTS,
        ..Default::default()
    };
    if let Some(ids) = get("service_request_id") {
        f.ids = Some(
            ids.split(',')
                .filter_map(|s| s.trim().parse::<i64>().ok())
                .collect(),
        );
        return read_requests(conn, &f);
    }
    if let Some(codes) = get("service_code") {
        let mut cs = Vec::new();
        for c in codes.split(',').map(str::trim).filter(|c| !c.is_empty()) {
            cs.push(service(c)?);
        }
        f.categories = Some(cs);
    }
    // `status` and the dates are read as sent: given, they must be valid (an empty or padded
    // value is refused, as the documented pattern and format say).
    if let Some(status) = q.get("status") {
        let mut stages = Vec::new();
        for s in status.split(',') {
            let st = Status::parse(s)
                .ok_or_else(|| Refusal::bad(format!("status must be open or closed, not {s}")))?;
            stages.extend(rules::stages_of(st));
        }
        f.stages = Some(stages);
    }
    let date = |n: &str| -> Open311Result<Option<chrono::DateTime<Utc>>> {
        match q.get(n) {
            None => Ok(None),
            Some(v) => rules::parse_datetime(v)
                .map(Some)
                .ok_or_else(|| Refusal::bad(format!("{n} must be a W3C date-time"))),
        }
    };
    let window = Duration::days(rules::DEFAULT_WINDOW_DAYS);
    let now = Utc::now();
    let (start, end) = match (date("start_date")?, date("end_date")?) {
        (Some(s), Some(e)) => (s, e),
        (Some(s), None) => (s, (s + window).min(now)),
        (None, Some(e)) => (e - window, e),
        (None, None) => (now - window, now),
    };
    // The spec: the window may not span more than 90 days; a wider one is narrowed to the
    // 90 days before `end_date` (a window that ends before it starts matches nothing).
    let start = start.max(end - window);
    f.from = Some(start.naive_utc());
    f.to = Some(end.naive_utc());
    read_requests(conn, &f)
}

/// One request, or 404.
pub fn get_request(conn: &mut DbConn, id: &str) -> Open311Result<Vec<ServiceRequest>> {
    let not_found = || Refusal::not_found(format!("service_request_id {} not found", id.trim()));
    let id: i64 = id.trim().parse().map_err(|_| not_found())?;
    let out = read_requests(
        conn,
        &RequestQuery {
            ids: Some(vec![id]),
            limit: 1,
            ..Default::default()
        },
    )?;
    if out.is_empty() {
        return Err(not_found());
    }
    Ok(out)
}

/// Which request a token stands for, or 404.
pub fn get_token(conn: &mut DbConn, token: &str) -> Open311Result<Vec<TokenAnswer>> {
    let token = token.trim();
    let id = queries::topic_of_token(conn, token)?
        .ok_or_else(|| Refusal::not_found("token not found"))?;
    Ok(vec![TokenAnswer {
        service_request_id: id.to_string(),
        token: token.to_string(),
    }])
}

/// The requests of `f` as GET shows them: no personal field is even read.
fn read_requests(conn: &mut DbConn, f: &RequestQuery) -> Open311Result<Vec<ServiceRequest>> {
    let rows = queries::requests(conn, f)?;
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut place_ids: Vec<i64> = rows.iter().map(|r| r.place_id).collect();
    place_ids.sort_unstable();
    place_ids.dedup();
    let places = queries::place_names(conn, &place_ids)?;
    let notes = queries::latest_notes(conn, &ids)?;
    let tasks = queries::task_facts(conn, &ids)?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let text = rules::service_text(r.category);
            let place = places.get(&r.place_id);
            let (agencies, expected) = tasks.get(&r.id).cloned().unwrap_or_default();
            let (lat, long) = match (r.lat, r.lng) {
                (Some(a), Some(b)) => (Some(a), Some(b)),
                _ => (place.and_then(|p| p.1), place.and_then(|p| p.2)),
            };
            ServiceRequest {
                service_request_id: r.id.to_string(),
                status: rules::status_of(r.stage),
                status_notes: notes.get(&r.id).cloned().or(r.decision.clone()),
                service_name: text.name.to_string(),
                service_code: r.category.as_str().to_string(),
                description: Some(r.body),
                agency_responsible: (!agencies.is_empty()).then(|| agencies.join(", ")),
                service_notice: None,
                requested_datetime: r.created_at.and_utc(),
                updated_datetime: r.updated_at.and_utc(),
                expected_datetime: expected.map(|d| d.and_utc()),
                address: r.address_string.or_else(|| place.map(|p| p.0.clone())),
                address_id: r.address_id,
                zipcode: None,
                lat,
                long,
                media_url: r.media_url,
            }
        })
        .collect())
}

/// Serialises `value` in `format` (JSON here; XML by `xml`).
pub fn to_json<T: serde::Serialize>(value: &T) -> Open311Result<Vec<u8>> {
    serde_json::to_vec(value).map_err(|e| ApiError::internal(e.to_string()).into())
}

/// The format named by a path's extension.
pub fn format_of(ext: &str) -> Option<Format> {
    match ext {
        "json" => Some(Format::Json),
        "xml" => Some(Format::Xml),
        _ => None,
    }
}
