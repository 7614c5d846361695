//! Handlers of `/open311/v2` (GeoReport v2, each operation as `.json` and `.xml`; the JSON
//! ones are in the OpenAPI document) and of `/api/v1/open311-clients` (admin). The GeoReport
//! handlers read the query string and form themselves, so that every refusal, bad input
//! included, is the spec's error list in the requested format, never a problem document.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, delete, get, post, web};
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;

use super::actions::{self, Open311Result};
use super::model::*;
use super::rules::Format;
use super::xml;
use crate::api::extract::{Body, Query};
use crate::api::paging::List;
use crate::api::respond;
use crate::auth::Caller;
use crate::db;
use crate::error::ApiResult;
use crate::state::AppState;
use crate::topics::model::PageParams;

// ---- admin: client keys ----

/// Issues an API key for an Open311 client at a place; the answer shows the key, once.
#[utoipa::path(tag = "open311", request_body = NewOpen311Client, responses((status = 201, body = CreatedOpen311Client)))]
#[post("/open311-clients")]
pub async fn create_open311_client(
    state: web::Data<AppState>,
    caller: Caller,
    Body(body): Body<NewOpen311Client>,
) -> ApiResult<HttpResponse> {
    respond::created(&state, move |conn, _| {
        actions::create_client(conn, &caller, &body)
    })
    .await
}

/// The live clients of the caller's places (never their keys).
#[utoipa::path(tag = "open311", params(PageParams), responses((status = 200, body = List<Open311ClientOut>)))]
#[get("/open311-clients")]
pub async fn list_open311_clients(
    state: web::Data<AppState>,
    caller: Caller,
    Query(p): Query<PageParams>,
) -> ApiResult<web::Json<List<Open311ClientOut>>> {
    respond::ok(&state, move |conn, _| {
        actions::list_clients(conn, &caller, &p)
    })
    .await
}

/// Revokes a client's key at once; the requests it posted stay.
#[utoipa::path(tag = "open311", responses((status = 204)))]
#[delete("/open311-clients/{id}")]
pub async fn delete_open311_client(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    respond::no_content(&state, move |conn, _| {
        actions::revoke_client(conn, &caller, *id)
    })
    .await
}

/// Registers the admin handlers (under /api/v1).
pub fn configure_clients(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(create_open311_client)
        .service(list_open311_clients)
        .service(delete_open311_client);
}

// ---- GeoReport v2 ----

/// The spec's error list with the refusal's status, in `format`.
pub fn refusal(format: Format, r: &Refusal) -> HttpResponse {
    let list = vec![Open311Error {
        code: r.status,
        description: r.description.clone(),
    }];
    let body = match format {
        Format::Json => serde_json::to_vec(&list).unwrap_or_default(),
        Format::Xml => xml::errors(&list),
    };
    HttpResponse::build(StatusCode::from_u16(r.status).unwrap_or(StatusCode::BAD_REQUEST))
        .content_type(format.content_type())
        .body(body)
}

/// A GET answer: the body with its ETag (304 when unchanged), or the error list.
fn reply<T: Serialize>(
    req: &HttpRequest,
    format: Format,
    out: Open311Result<T>,
    to_xml: fn(&T) -> Vec<u8>,
) -> HttpResponse {
    let bytes = out.and_then(|v| match format {
        Format::Json => actions::to_json(&v),
        Format::Xml => Ok(to_xml(&v)),
    });
    match bytes {
        Ok(b) => respond::cached(req, format.content_type(), b),
        Err(r) => refusal(format, &r),
    }
}

/// Runs a GeoReport action on a pooled connection; a database failure is a refusal too.
async fn run<T, F>(state: &AppState, f: F) -> Open311Result<T>
where
    T: Send + 'static,
    F: FnOnce(&mut db::DbConn) -> Open311Result<T> + Send + 'static,
{
    match db::run(&state.pool, move |conn| Ok(f(conn))).await {
        Ok(out) => out,
        Err(e) => Err(e.into()),
    }
}

/// The name=value pairs of a query string or form body; 400 when they do not parse.
fn pairs(raw: &[u8]) -> Open311Result<Vec<(String, String)>> {
    serde_urlencoded::from_bytes(raw)
        .map_err(|_| Refusal::bad("the parameters are not valid application/x-www-form-urlencoded"))
}

/// The parameters of the query string; 400 for a control character anywhere (as every query
/// of this API) or a string that does not parse.
fn query(req: &HttpRequest) -> Open311Result<Vec<(String, String)>> {
    crate::api::text::guard_query(req.query_string())
        .map_err(|_| Refusal::bad("a parameter carries a control character"))?;
    pairs(req.query_string().as_bytes())
}

/// The error answered for a problem with the path itself.
const NOT_FOUND: &str = "no such Open311 resource";

async fn discovery(req: HttpRequest, state: web::Data<AppState>, f: Format) -> HttpResponse {
    reply(
        &req,
        f,
        Ok(actions::discovery(&state.settings)),
        xml::discovery,
    )
}

/// Discovery: where this GeoReport v2 endpoint is, its formats, how to get a key.
#[utoipa::path(tag = "open311", security(()), responses((status = 200, body = Discovery), (status = 304, description = "Not modified")))]
#[get("/discovery.json")]
pub async fn get_open311_discovery(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    discovery(req, state, Format::Json).await
}

async fn services(req: HttpRequest, f: Format) -> HttpResponse {
    let out = query(&req).map(|_| actions::services());
    reply(&req, f, out, |s: &Vec<Service>| xml::services(s))
}

/// The services: one per topic category, names in zh-CN.
#[utoipa::path(tag = "open311", security(()), params(JurisdictionQuery), responses((status = 200, body = Vec<Service>), (status = 304, description = "Not modified"),
              (status = 400, body = Vec<Open311Error>, description = "A parameter carries a control character")))]
#[get("/services.json")]
pub async fn list_open311_services(req: HttpRequest) -> HttpResponse {
    services(req, Format::Json).await
}

async fn service_definition(req: HttpRequest, f: Format) -> HttpResponse {
    let code = req
        .match_info()
        .get("service_code")
        .unwrap_or("")
        .to_string();
    let out = query(&req).and_then(|_| actions::service_definition(&code));
    reply(&req, f, out, xml::service_definition)
}

/// A service's definition: its attributes (only `facilities` has one, `location_detail`).
#[utoipa::path(tag = "open311", security(()),
    params(("service_code" = String, Path, description = "A topic category's wire name"), JurisdictionQuery),
    responses((status = 200, body = ServiceDefinition), (status = 304, description = "Not modified"),
              (status = 404, body = Vec<Open311Error>, description = "service_code not found"),
              (status = 400, body = Vec<Open311Error>, description = "A parameter carries a control character")))]
#[get("/services/{service_code}.json")]
pub async fn get_open311_service(req: HttpRequest) -> HttpResponse {
    service_definition(req, Format::Json).await
}

/// The filters of GET requests, as the spec names them (all optional).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RequestsQuery {
    /// Accepted and ignored: this installation is one jurisdiction.
    #[param(pattern = r"^[^\x00-\x1F\x7F-\x9F\u2028\u2029]*$")]
    pub jurisdiction_id: Option<String>,
    /// Comma-separated ids; when given, the other filters are ignored.
    #[param(pattern = r"^[^\x00-\x1F\x7F-\x9F\u2028\u2029]*$")]
    pub service_request_id: Option<String>,
    /// Comma-separated service codes.
    #[param(pattern = r"^[^\x00-\x1F\x7F-\x9F\u2028\u2029]*$")]
    pub service_code: Option<String>,
    /// `open`, `closed` or both comma-separated.
    #[param(pattern = "^(open|closed)(,(open|closed))*$")]
    pub status: Option<String>,
    /// W3C date-time. Default: 90 days before the end; a window wider than 90 days is narrowed
    /// to the 90 days before its end.
    #[param(format = DateTime)]
    pub start_date: Option<String>,
    /// W3C date-time. Default: now (or 90 days after `start_date`, if that is earlier).
    #[param(format = DateTime)]
    pub end_date: Option<String>,
}

/// `jurisdiction_id`, accepted and ignored.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct JurisdictionQuery {
    /// Accepted and ignored: this installation is one jurisdiction.
    #[param(pattern = r"^[^\x00-\x1F\x7F-\x9F\u2028\u2029]*$")]
    pub jurisdiction_id: Option<String>,
}

async fn list_requests(req: HttpRequest, state: web::Data<AppState>, f: Format) -> HttpResponse {
    let out = match query(&req) {
        Ok(p) => run(&state, move |conn| actions::list_requests(conn, p)).await,
        Err(r) => Err(r),
    };
    reply(&req, f, out, |r: &Vec<ServiceRequest>| xml::requests(r))
}

/// Service requests: public catalog topics and every request posted here, newest first, at
/// most 1,000; by default those requested in the last 90 days. Never a reporter's details.
#[utoipa::path(tag = "open311", security(()), params(RequestsQuery),
    responses((status = 200, body = Vec<ServiceRequest>), (status = 304, description = "Not modified"),
              (status = 400, body = Vec<Open311Error>, description = "A filter is not valid"),
              (status = 404, body = Vec<Open311Error>, description = "service_code not found")))]
#[get("/requests.json")]
pub async fn list_open311_requests(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    list_requests(req, state, Format::Json).await
}

async fn post_request(state: web::Data<AppState>, body: web::Bytes, f: Format) -> HttpResponse {
    let out = match pairs(&body) {
        Ok(p) => run(&state, move |conn| actions::post_request(conn, p)).await,
        Err(r) => Err(r),
    };
    let bytes = out.and_then(|v| {
        let list = vec![v];
        match f {
            Format::Json => actions::to_json(&list),
            Format::Xml => Ok(xml::posted(&list)),
        }
    });
    match bytes {
        Ok(b) => HttpResponse::Ok().content_type(f.content_type()).body(b),
        Err(r) => refusal(f, &r),
    }
}

/// Posts a service request (form-urlencoded, with `api_key`): it becomes a topic with source
/// `open311` in the community of its address or coordinates.
#[utoipa::path(tag = "open311", security(()),
    request_body(content = RequestForm, content_type = "application/x-www-form-urlencoded"),
    responses((status = 200, body = Vec<PostedRequest>),
              (status = 400, body = Vec<Open311Error>, description = "A field is missing or not valid, or the location is outside the key's area"),
              (status = 403, body = Vec<Open311Error>, description = "api_key missing, invalid or revoked"),
              (status = 404, body = Vec<Open311Error>, description = "service_code not found")))]
#[post("/requests.json")]
pub async fn create_open311_request(state: web::Data<AppState>, body: web::Bytes) -> HttpResponse {
    post_request(state, body, Format::Json).await
}

async fn get_request(req: HttpRequest, state: web::Data<AppState>, f: Format) -> HttpResponse {
    let id = req.match_info().get("id").unwrap_or("").to_string();
    let out = match query(&req) {
        Ok(_) => run(&state, move |conn| actions::get_request(conn, &id)).await,
        Err(r) => Err(r),
    };
    reply(&req, f, out, |r: &Vec<ServiceRequest>| xml::requests(r))
}

/// One service request (a list of one, as the spec has it).
#[utoipa::path(tag = "open311", security(()),
    params(("id" = String, Path, description = "The service_request_id"), JurisdictionQuery),
    responses((status = 200, body = Vec<ServiceRequest>), (status = 304, description = "Not modified"),
              (status = 404, body = Vec<Open311Error>, description = "service_request_id not found"),
              (status = 400, body = Vec<Open311Error>, description = "A parameter carries a control character")))]
#[get("/requests/{id}.json")]
pub async fn get_open311_request(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    get_request(req, state, Format::Json).await
}

async fn get_token(req: HttpRequest, state: web::Data<AppState>, f: Format) -> HttpResponse {
    let token = req.match_info().get("token").unwrap_or("").to_string();
    let out = match query(&req) {
        Ok(_) => run(&state, move |conn| actions::get_token(conn, &token)).await,
        Err(r) => Err(r),
    };
    reply(&req, f, out, |t: &Vec<TokenAnswer>| xml::tokens(t))
}

/// The service request a POST's token stands for.
#[utoipa::path(tag = "open311", security(()),
    params(("token" = String, Path, description = "The token a POST answered"), JurisdictionQuery),
    responses((status = 200, body = Vec<TokenAnswer>), (status = 304, description = "Not modified"),
              (status = 404, body = Vec<Open311Error>, description = "token not found"),
              (status = 400, body = Vec<Open311Error>, description = "A parameter carries a control character")))]
#[get("/tokens/{token}.json")]
pub async fn get_open311_token(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    get_token(req, state, Format::Json).await
}

/// Anything else under /open311/v2: 405 (a problem document with `Allow`, as everywhere in
/// the API) for a documented path asked with another method, else 404 in the spec's error list
/// (XML for a `.xml` path).
async fn unknown(req: HttpRequest) -> HttpResponse {
    let xml = req.path().ends_with(".xml");
    let as_json = match req.path().strip_suffix(".xml") {
        Some(stem) => format!("{stem}.json"),
        None => req.path().to_string(),
    };
    let allow = req
        .app_data::<web::Data<crate::api::methods::KnownPaths>>()
        .and_then(|k| k.allowed(&as_json).map(str::to_string));
    if let Some(allow) = allow
        && !allow.split(", ").any(|m| m == req.method().as_str())
    {
        return actix_web::ResponseError::error_response(
            &crate::error::ApiError::MethodNotAllowed { allow },
        );
    }
    let f = if xml { Format::Xml } else { Format::Json };
    refusal(f, &Refusal::not_found(NOT_FOUND))
}

/// Registers the GeoReport handlers (under /open311/v2): the JSON ones documented, the XML
/// twins beside them.
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    use actix_web::web::{get as g, post as p};
    let x = Format::Xml;
    cfg.service(get_open311_discovery)
        .service(list_open311_services)
        .service(get_open311_service)
        .service(list_open311_requests)
        .service(create_open311_request)
        .service(get_open311_request)
        .service(get_open311_token)
        .route("/discovery.xml", g().to(move |r, s| discovery(r, s, x)))
        .route("/services.xml", g().to(move |r| services(r, x)))
        .route(
            "/services/{service_code}.xml",
            g().to(move |r| service_definition(r, x)),
        )
        .route("/requests.xml", g().to(move |r, s| list_requests(r, s, x)))
        .route("/requests.xml", p().to(move |s, b| post_request(s, b, x)))
        .route(
            "/requests/{id}.xml",
            g().to(move |r, s| get_request(r, s, x)),
        )
        .route(
            "/tokens/{token}.xml",
            g().to(move |r, s| get_token(r, s, x)),
        )
        .default_service(web::to(unknown));
}
