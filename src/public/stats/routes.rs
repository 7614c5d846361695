//! Handler of `GET /api/v1/stats`: public, anonymous, cached (ETag, 304).

use actix_web::{HttpRequest, HttpResponse, get, web};

use super::actions;
use super::model::{Stats, StatsQuery};
use crate::api::extract::Query;
use crate::api::respond;
use crate::error::{ApiResult, Problem};
use crate::state::AppState;

/// Statistics 统计 of a place and everything beneath it (or the whole installation) over a
/// period: topics by stage, category and resolution; median and 90th-percentile days in each
/// step; satisfaction; tasks; meetings held; distinct participants. `group_by=child` adds the
/// same figures for each direct child place. Counts only, no personal data; every figure is
/// defined in docs/open-data.md. Cached: `ETag` and `Cache-Control`; `If-None-Match` with the
/// current ETag answers 304.
#[utoipa::path(
    tag = "public",
    security(()),
    params(StatsQuery),
    responses(
        (status = 200, body = Stats),
        (status = 304, description = "Not modified: the ETag in If-None-Match is current"),
        (status = 400, description = "A parameter is unreadable (`from`, `to`, `group_by`, `place_id`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such place", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`to` is before `from`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/stats")]
pub async fn get_stats(
    req: HttpRequest,
    state: web::Data<AppState>,
    Query(f): Query<StatsQuery>,
) -> ApiResult<HttpResponse> {
    let now = crate::db::now();
    respond::public(&req, &state, move |conn, s| {
        actions::stats(conn, s, &f, now)
    })
    .await
}

/// Registers the handler.
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(get_stats);
}
