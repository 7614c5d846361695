//! Handlers for /api/v1/open-data/: anonymous. Each checks the filter on a pooled connection
//! (so a bad place or period is a proper 404 or 422), then answers 200 with a body streamed
//! page by page: every page is one `db::run` on a pooled connection off the async threads, and
//! only one page is held in memory at a time. A database error mid-stream aborts the response
//! (the client sees a truncated chunked body, never a complete-looking file).

use actix_web::http::header::{self, ContentDisposition, DispositionParam, DispositionType};
use actix_web::{HttpResponse, get, web};
use bytes::Bytes;
use futures_util::stream::{self, Stream};
use serde::Serialize;

use super::actions;
use super::encode;
use super::model::{
    CONSULTATION_COLUMNS, ExportFilter, OpenDataConsultation, OpenDataTopic, TOPIC_COLUMNS,
};
use super::queries::Scope;
use super::rules::PAGE;
use crate::api::extract::Query;
use crate::db::{self, DbConn, Pool};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// The two body formats.
#[derive(Debug, Clone, Copy)]
enum Format {
    Json,
    Csv,
}

/// Fetches one page of records after an id.
type Fetch<T> = fn(&mut DbConn, &Scope, i64, i64) -> ApiResult<Vec<T>>;

/// Where the stream is: before the head, after the record with this id, or done.
enum Step {
    Head,
    After { id: i64, first: bool },
    Tail,
    Done,
}

/// Something exported with an id (the keyset cursor).
trait Keyed {
    fn key(&self) -> i64;
}

impl Keyed for OpenDataTopic {
    fn key(&self) -> i64 {
        self.id
    }
}

impl Keyed for OpenDataConsultation {
    fn key(&self) -> i64 {
        self.id
    }
}

/// The body: head, then a chunk per page of `PAGE` records, then the tail.
fn body<T>(
    pool: Pool,
    scope: Scope,
    format: Format,
    columns: &'static [&'static str],
    fetch: Fetch<T>,
) -> impl Stream<Item = Result<Bytes, ApiError>>
where
    T: Serialize + Keyed + Send + 'static,
{
    stream::unfold(Step::Head, move |step| {
        let pool = pool.clone();
        let scope = scope.clone();
        async move {
            match step {
                Step::Head => {
                    let head = match format {
                        Format::Json => Ok(encode::JSON_HEAD.to_vec()),
                        Format::Csv => encode::csv_head(columns),
                    };
                    let next = Step::After { id: 0, first: true };
                    Some((head.map(Bytes::from), next))
                }
                Step::After { id, first } => {
                    let page = db::run(&pool, move |conn| fetch(conn, &scope, id, PAGE)).await;
                    let page = match page {
                        Ok(p) => p,
                        Err(e) => {
                            tracing::error!(error = %e, "open data export failed mid-stream");
                            return Some((Err(e), Step::Done));
                        }
                    };
                    let Some(last) = page.last().map(Keyed::key) else {
                        return match format {
                            Format::Json => {
                                Some((Ok(Bytes::from_static(encode::JSON_TAIL)), Step::Done))
                            }
                            Format::Csv => None,
                        };
                    };
                    let chunk = match format {
                        Format::Json => encode::json_elements(&page, first),
                        Format::Csv => encode::csv_rows(columns, &page),
                    };
                    let full = i64::try_from(page.len()).unwrap_or(i64::MAX) >= PAGE;
                    let next = if full {
                        Step::After {
                            id: last,
                            first: false,
                        }
                    } else {
                        Step::Tail
                    };
                    Some((chunk.map(Bytes::from), next))
                }
                Step::Tail => match format {
                    Format::Json => Some((Ok(Bytes::from_static(encode::JSON_TAIL)), Step::Done)),
                    Format::Csv => None,
                },
                Step::Done => None,
            }
        }
    })
}

/// Checks the filter, then answers with the streamed export.
async fn export<T>(
    state: &AppState,
    filter: ExportFilter,
    format: Format,
    name: &str,
    columns: &'static [&'static str],
    fetch: Fetch<T>,
) -> ApiResult<HttpResponse>
where
    T: Serialize + Keyed + Send + 'static,
{
    let scope = db::run(&state.pool, move |conn| actions::scope(conn, &filter)).await?;
    let mut res = HttpResponse::Ok();
    res.insert_header((header::CACHE_CONTROL, "public, max-age=30"));
    match format {
        Format::Json => {
            res.content_type("application/json");
        }
        Format::Csv => {
            res.content_type("text/csv; charset=utf-8");
            res.insert_header(ContentDisposition {
                disposition: DispositionType::Attachment,
                parameters: vec![DispositionParam::Filename(format!("{name}.csv"))],
            });
        }
    }
    Ok(res.streaming(body(state.pool.clone(), scope, format, columns, fetch)))
}

/// Open data: the public catalog topics 议事目录 of a place and period as a JSON array,
/// streamed. No personal data: authors are `居民` unless they opted in to show their name.
#[utoipa::path(
    tag = "public",
    security(()),
    params(ExportFilter),
    responses((status = 200, description = "A JSON array of every catalog topic in scope, in id order", body = Vec<OpenDataTopic>, content_type = "application/json"))
)]
#[get("/open-data/topics.json")]
pub async fn export_topics_json(
    state: web::Data<AppState>,
    Query(filter): Query<ExportFilter>,
) -> ApiResult<HttpResponse> {
    export(
        &state,
        filter,
        Format::Json,
        "topics",
        TOPIC_COLUMNS,
        actions::topics_page,
    )
    .await
}

/// Open data: the same topics as CSV (UTF-8 BOM, header row of the documented columns),
/// streamed as an attachment `topics.csv`.
#[utoipa::path(
    tag = "public",
    security(()),
    params(ExportFilter),
    responses((status = 200, description = "CSV with a UTF-8 BOM and a header row (docs/open-data.md)", body = String, content_type = "text/csv"))
)]
#[get("/open-data/topics.csv")]
pub async fn export_topics_csv(
    state: web::Data<AppState>,
    Query(filter): Query<ExportFilter>,
) -> ApiResult<HttpResponse> {
    export(
        &state,
        filter,
        Format::Csv,
        "topics",
        TOPIC_COLUMNS,
        actions::topics_page,
    )
    .await
}

/// Open data: the public consultations 协商会 (scheduled, in progress, concluded) of a place
/// and period with agenda titles and outcomes, as a JSON array, streamed.
#[utoipa::path(
    tag = "public",
    security(()),
    params(ExportFilter),
    responses((status = 200, description = "A JSON array of every public meeting in scope, in id order", body = Vec<OpenDataConsultation>, content_type = "application/json"))
)]
#[get("/open-data/consultations.json")]
pub async fn export_consultations_json(
    state: web::Data<AppState>,
    Query(filter): Query<ExportFilter>,
) -> ApiResult<HttpResponse> {
    export(
        &state,
        filter,
        Format::Json,
        "consultations",
        CONSULTATION_COLUMNS,
        actions::consultations_page,
    )
    .await
}

/// Open data: the same meetings as CSV, streamed as an attachment `consultations.csv`.
#[utoipa::path(
    tag = "public",
    security(()),
    params(ExportFilter),
    responses((status = 200, description = "CSV with a UTF-8 BOM and a header row (docs/open-data.md)", body = String, content_type = "text/csv"))
)]
#[get("/open-data/consultations.csv")]
pub async fn export_consultations_csv(
    state: web::Data<AppState>,
    Query(filter): Query<ExportFilter>,
) -> ApiResult<HttpResponse> {
    export(
        &state,
        filter,
        Format::Csv,
        "consultations",
        CONSULTATION_COLUMNS,
        actions::consultations_page,
    )
    .await
}

/// Registers this area's handlers.
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(export_topics_json)
        .service(export_topics_csv)
        .service(export_consultations_json)
        .service(export_consultations_csv);
}
