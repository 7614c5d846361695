//! Cross-cutting response work done for every request: problem documents re-rendered in
//! the caller's language, the request id header, metrics by route pattern, and (when
//! configured) the request's SQL statement count.
//! Used as `.wrap_fn(|req, srv| { let ctx = RequestContext::capture(&req); let f = srv.call(req); async move { ctx.finish(f.await?, statements) } })`.

use std::time::Instant;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::{HttpMessage, web};
use tracing_actix_web::RequestId;

use crate::error::{ProblemSource, problem_response};
use crate::i18n::Lang;
use crate::state::AppState;

/// What the middleware notes before the handler runs.
pub struct RequestContext {
    started: Instant,
    lang: Lang,
    method: String,
    request_id: Option<String>,
    state: Option<web::Data<AppState>>,
}

impl RequestContext {
    /// Notes language, method, request id and start time.
    pub fn capture(req: &ServiceRequest) -> Self {
        RequestContext {
            started: Instant::now(),
            lang: Lang::of(req.request()),
            method: req.method().to_string(),
            request_id: req.extensions().get::<RequestId>().map(|id| id.to_string()),
            state: req.app_data::<web::Data<AppState>>().cloned(),
        }
    }

    /// Localises a problem response, adds `x-request-id` (and `x-sql-statements` when
    /// configured), records metrics.
    pub fn finish<B: MessageBody + 'static>(
        self,
        res: ServiceResponse<B>,
        statements: u64,
    ) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
        let problem = res.response().extensions().get::<ProblemSource>().cloned();
        let mut res = match problem {
            Some(ProblemSource(err)) if self.lang != Lang::default() => {
                let (req, _) = res.into_parts();
                ServiceResponse::new(req, problem_response(&err, self.lang))
            }
            _ => res.map_into_boxed_body(),
        };
        if let Some(id) = self
            .request_id
            .and_then(|id| HeaderValue::from_str(&id).ok())
        {
            res.headers_mut()
                .insert(HeaderName::from_static("x-request-id"), id);
        }
        if let Some(state) = self.state {
            if state.settings.server.statement_count_header {
                res.headers_mut().insert(
                    HeaderName::from_static("x-sql-statements"),
                    HeaderValue::from(statements),
                );
            }
            let route = res
                .request()
                .match_pattern()
                .unwrap_or_else(|| "unmatched".into());
            let status = res.status().as_u16().to_string();
            state
                .metrics
                .requests
                .with_label_values(&[route.as_str(), self.method.as_str(), status.as_str()])
                .inc();
            state
                .metrics
                .latency
                .with_label_values(&[route.as_str(), self.method.as_str()])
                .observe(self.started.elapsed().as_secs_f64());
        }
        Ok(res)
    }
}
