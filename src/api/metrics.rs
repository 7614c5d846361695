//! Prometheus metrics: requests by route pattern, method and status, their latency, and the
//! SQL statements every pooled connection issued (`yishi_sql_statements_total`).

use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, Opts, Registry, TextEncoder,
};

use crate::error::ApiError;

/// The registry and the series the middleware and workers update.
pub struct Metrics {
    registry: Registry,
    pub requests: IntCounterVec,
    pub latency: HistogramVec,
    pub mail_sent: IntCounterVec,
    pub outbox_pending: IntGauge,
}

impl Metrics {
    /// Registers every series.
    pub fn new() -> Result<Self, ApiError> {
        let err = |e: prometheus::Error| ApiError::internal(format!("metrics: {e}"));
        let registry = Registry::new_custom(Some("yishi".into()), None).map_err(err)?;
        let requests = IntCounterVec::new(
            Opts::new(
                "http_requests_total",
                "HTTP requests by route, method and status",
            ),
            &["route", "method", "status"],
        )
        .map_err(err)?;
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "http_request_duration_seconds",
                "HTTP request latency by route",
            ),
            &["route", "method"],
        )
        .map_err(err)?;
        let mail_sent = IntCounterVec::new(
            Opts::new(
                "mail_deliveries_total",
                "Outbox delivery attempts by result",
            ),
            &["result"],
        )
        .map_err(err)?;
        let outbox_pending =
            IntGauge::new("outbox_pending", "Mails waiting in the outbox").map_err(err)?;
        registry.register(Box::new(requests.clone())).map_err(err)?;
        registry.register(Box::new(latency.clone())).map_err(err)?;
        registry
            .register(Box::new(mail_sent.clone()))
            .map_err(err)?;
        registry
            .register(Box::new(outbox_pending.clone()))
            .map_err(err)?;
        if let Some(statements) = crate::db::statements::TOTAL.as_ref() {
            registry
                .register(Box::new(statements.clone()))
                .map_err(err)?;
        }
        Ok(Metrics {
            registry,
            requests,
            latency,
            mail_sent,
            outbox_pending,
        })
    }

    /// The text exposition format.
    pub fn render(&self) -> Result<String, ApiError> {
        let mut buf = Vec::new();
        TextEncoder::new()
            .encode(&self.registry.gather(), &mut buf)
            .map_err(|e| ApiError::internal(format!("metrics encode: {e}")))?;
        String::from_utf8(buf).map_err(|e| ApiError::internal(format!("metrics utf8: {e}")))
    }
}
