//! The SQL of Open311: clients and their service accounts, the private request rows, the
//! places a report may land in, and what a GET reads from topics, events and tasks.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::rules::Candidate;
use crate::db::schema::{
    open311_clients as oc, open311_requests as r, organizations, places, tasks, topic_events as te,
    topics as t, users,
};
use crate::db::{self, DbConn};
use crate::error::ApiResult;
use crate::places::rules::{PlaceKind, subtree_range};
use crate::topics::events::EventKind;
use crate::topics::model::TaskStatus;
use crate::topics::rules::{Category, Stage};

/// A client row with the path of its place.
#[derive(Debug, Clone, Queryable)]
pub struct ClientRow {
    pub id: i64,
    pub name: String,
    pub place_id: i64,
    pub user_id: i64,
    pub created_at: NaiveDateTime,
    pub place_path: String,
}

const CLIENT: (
    oc::id,
    oc::name,
    oc::place_id,
    oc::user_id,
    oc::created_at,
    places::path,
) = (
    oc::id,
    oc::name,
    oc::place_id,
    oc::user_id,
    oc::created_at,
    places::path,
);

/// Inserts the client's service account: the author of its topics. Disabled (it never signs
/// in, gets no notification) with an unusable password and an address that cannot receive
/// mail; its display name is the client's name, never a reporter's.
pub fn insert_service_user(conn: &mut DbConn, name: &str, key_hash: &str) -> ApiResult<i64> {
    let now = db::now();
    // The key's hash is unique, so the address is too.
    let email = format!(
        "open311-{}@open311.invalid",
        &key_hash[..16.min(key_hash.len())]
    );
    Ok(diesel::insert_into(users::table)
        .values((
            users::email.eq(email),
            users::password_hash.eq("!open311-service-account"),
            users::display_name.eq(name),
            users::disabled.eq(true),
            users::created_at.eq(now),
            users::updated_at.eq(now),
        ))
        .returning(users::id)
        .get_result(conn)?)
}

/// Inserts a client.
pub fn insert_client(
    conn: &mut DbConn,
    name: &str,
    place_id: i64,
    key_hash: &str,
    user_id: i64,
    created_by: i64,
) -> ApiResult<i64> {
    Ok(diesel::insert_into(oc::table)
        .values((
            oc::name.eq(name),
            oc::place_id.eq(place_id),
            oc::key_hash.eq(key_hash),
            oc::user_id.eq(user_id),
            oc::created_by.eq(created_by),
            oc::created_at.eq(db::now()),
        ))
        .returning(oc::id)
        .get_result(conn)?)
}

/// A client that is not revoked.
pub fn find_client(conn: &mut DbConn, id: i64) -> ApiResult<Option<ClientRow>> {
    Ok(oc::table
        .inner_join(places::table)
        .filter(oc::id.eq(id))
        .filter(oc::revoked_at.is_null())
        .select(CLIENT)
        .first(conn)
        .optional()?)
}

/// The live client whose key hashes to `key_hash`.
pub fn client_by_key(conn: &mut DbConn, key_hash: &str) -> ApiResult<Option<ClientRow>> {
    Ok(oc::table
        .inner_join(places::table)
        .filter(oc::key_hash.eq(key_hash))
        .filter(oc::revoked_at.is_null())
        .select(CLIENT)
        .first(conn)
        .optional()?)
}

/// Live clients in the subtrees of `scopes` (None: everywhere), by id, one page.
pub fn list_clients(
    conn: &mut DbConn,
    scopes: Option<&[String]>,
    after: Option<i64>,
    fetch: i64,
) -> ApiResult<Vec<ClientRow>> {
    let mut q = oc::table
        .inner_join(places::table)
        .filter(oc::revoked_at.is_null())
        .select(CLIENT)
        .into_boxed();
    if let Some(paths) = scopes {
        q = q.filter(crate::places::queries::in_any_subtree(paths));
    }
    if let Some(a) = after {
        q = q.filter(oc::id.gt(a));
    }
    Ok(q.order(oc::id).limit(fetch).load(conn)?)
}

/// Revokes a client: its key stops working at once; its requests stay.
pub fn revoke_client(conn: &mut DbConn, id: i64) -> ApiResult<()> {
    diesel::update(oc::table.find(id))
        .set(oc::revoked_at.eq(db::now()))
        .execute(conn)?;
    Ok(())
}

type CandidateRow = (
    i64,
    PlaceKind,
    String,
    String,
    Option<f64>,
    Option<f64>,
    Option<f64>,
    Option<f64>,
    Option<f64>,
    Option<f64>,
);

/// The places a report of a client at `path` may land in, by kind: communities (for
/// coordinates) and all homes, community, grid or building (for an address).
pub fn candidates(conn: &mut DbConn, path: &str) -> ApiResult<Vec<(PlaceKind, Candidate)>> {
    let (lo, hi) = subtree_range(path);
    let rows: Vec<CandidateRow> = places::table
        .filter(places::path.ge(lo).and(places::path.lt(hi)))
        .filter(places::kind.eq_any(["community", "grid", "building"]))
        .select((
            places::id,
            places::kind,
            places::name,
            places::code,
            places::lat,
            places::lng,
            places::bbox_min_lat,
            places::bbox_min_lng,
            places::bbox_max_lat,
            places::bbox_max_lng,
        ))
        .order(places::id)
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, kind, name, code, lat, lng, a, b, x, y)| {
            let point = lat.zip(lng);
            let bbox = match (a, b, x, y) {
                (Some(a), Some(b), Some(x), Some(y)) => Some((a, b, x, y)),
                _ => None,
            };
            (
                kind,
                Candidate {
                    id,
                    name,
                    code,
                    point,
                    bbox,
                },
            )
        })
        .collect())
}

/// The private details of one posted request.
#[derive(Debug, Clone, Default)]
pub struct NewRequestRow {
    pub client_id: i64,
    pub topic_id: i64,
    pub token: String,
    pub email: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub phone: Option<String>,
    pub device_id: Option<String>,
    pub account_id: Option<String>,
    pub media_url: Option<String>,
    pub lat: Option<f64>,
    pub lng: Option<f64>,
    pub address_string: Option<String>,
    pub address_id: Option<String>,
}

/// Stores a posted request's details beside its topic.
pub fn insert_request(conn: &mut DbConn, n: &NewRequestRow) -> ApiResult<()> {
    diesel::insert_into(r::table)
        .values((
            r::client_id.eq(n.client_id),
            r::topic_id.eq(n.topic_id),
            r::token.eq(&n.token),
            r::email.eq(&n.email),
            r::first_name.eq(&n.first_name),
            r::last_name.eq(&n.last_name),
            r::phone.eq(&n.phone),
            r::device_id.eq(&n.device_id),
            r::account_id.eq(&n.account_id),
            r::media_url.eq(&n.media_url),
            r::lat.eq(n.lat),
            r::lng.eq(n.lng),
            r::address_string.eq(&n.address_string),
            r::address_id.eq(&n.address_id),
            r::created_at.eq(db::now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// The topic a token stands for.
pub fn topic_of_token(conn: &mut DbConn, token: &str) -> ApiResult<Option<i64>> {
    Ok(r::table
        .filter(r::token.eq(token))
        .select(r::topic_id)
        .first(conn)
        .optional()?)
}

/// What a GET answer reads of a topic (and of its Open311 request, if it came as one).
#[derive(Debug, Clone, Queryable)]
pub struct RequestRow {
    pub id: i64,
    pub place_id: i64,
    pub category: Category,
    pub stage: Stage,
    pub body: String,
    pub decision: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub address_string: Option<String>,
    pub address_id: Option<String>,
    pub lat: Option<f64>,
    pub lng: Option<f64>,
    pub media_url: Option<String>,
}

/// Filters of GET requests, resolved.
#[derive(Debug, Clone, Default)]
pub struct RequestQuery {
    pub ids: Option<Vec<i64>>,
    pub categories: Option<Vec<Category>>,
    pub stages: Option<Vec<Stage>>,
    pub from: Option<NaiveDateTime>,
    pub to: Option<NaiveDateTime>,
    pub limit: i64,
}

/// The requests GET shows: topics in the public catalog and every topic posted through
/// Open311 (its client sees it from the start), newest first.
pub fn requests(conn: &mut DbConn, f: &RequestQuery) -> ApiResult<Vec<RequestRow>> {
    let mut q = t::table
        .left_join(r::table)
        .filter(
            t::catalog_no
                .is_not_null()
                .or(r::id.nullable().is_not_null()),
        )
        .select((
            t::id,
            t::place_id,
            t::category,
            t::stage,
            t::body,
            t::decision,
            t::created_at,
            t::updated_at,
            r::address_string.nullable(),
            r::address_id.nullable(),
            r::lat.nullable(),
            r::lng.nullable(),
            r::media_url.nullable(),
        ))
        .into_boxed();
    if let Some(ids) = &f.ids {
        q = q.filter(t::id.eq_any(ids.clone()));
    }
    if let Some(cs) = &f.categories {
        q = q.filter(t::category.eq_any(cs.iter().map(|c| c.as_str()).collect::<Vec<_>>()));
    }
    if let Some(ss) = &f.stages {
        q = q.filter(t::stage.eq_any(ss.iter().map(|s| s.as_str()).collect::<Vec<_>>()));
    }
    if let Some(from) = f.from {
        q = q.filter(t::created_at.ge(from));
    }
    if let Some(to) = f.to {
        q = q.filter(t::created_at.le(to));
    }
    Ok(q.order(t::id.desc()).limit(f.limit).load(conn)?)
}

/// A place's name and point (lat, lng).
pub type PlaceName = (String, Option<f64>, Option<f64>);

/// A topic's task organisations and the latest due date of its open tasks.
pub type TaskFacts = (Vec<String>, Option<NaiveDateTime>);

/// Name and point of these places.
pub fn place_names(conn: &mut DbConn, ids: &[i64]) -> ApiResult<HashMap<i64, PlaceName>> {
    let rows: Vec<(i64, String, Option<f64>, Option<f64>)> = places::table
        .filter(places::id.eq_any(ids))
        .select((places::id, places::name, places::lat, places::lng))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, n, la, lo)| (id, (n, la, lo)))
        .collect())
}

/// The latest timeline note of each topic (comments aside: they are the discussion, not the
/// status).
pub fn latest_notes(conn: &mut DbConn, ids: &[i64]) -> ApiResult<HashMap<i64, String>> {
    let rows: Vec<(i64, Option<String>)> = te::table
        .filter(te::topic_id.eq_any(ids))
        .filter(te::note.is_not_null())
        .filter(te::kind.ne(EventKind::Commented.as_str()))
        .order((te::topic_id, te::seq))
        .select((te::topic_id, te::note))
        .load(conn)?;
    let mut out = HashMap::new();
    for (id, note) in rows {
        if let Some(n) = note.filter(|n| !n.trim().is_empty()) {
            out.insert(id, n);
        }
    }
    Ok(out)
}

/// For each topic: the names of the organisations of its tasks, and the latest due date of
/// its tasks not done.
pub fn task_facts(conn: &mut DbConn, ids: &[i64]) -> ApiResult<HashMap<i64, TaskFacts>> {
    let rows: Vec<(i64, Option<String>, NaiveDateTime, String)> = tasks::table
        .left_join(organizations::table.on(organizations::id.nullable().eq(tasks::organization_id)))
        .filter(tasks::topic_id.eq_any(ids))
        .order((tasks::topic_id, tasks::id))
        .select((
            tasks::topic_id,
            organizations::name.nullable(),
            tasks::due_at,
            tasks::status,
        ))
        .load(conn)?;
    let mut out: HashMap<i64, TaskFacts> = HashMap::new();
    for (id, org, due, status) in rows {
        let e = out.entry(id).or_default();
        if let Some(o) = org
            && !e.0.contains(&o)
        {
            e.0.push(o);
        }
        if status != TaskStatus::Done.as_str() {
            e.1 = Some(e.1.map_or(due, |d| d.max(due)));
        }
    }
    Ok(out)
}
