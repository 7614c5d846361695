//! What every handler shares: settings, the pool, keys, the hasher, the login limiter, metrics.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::api::metrics::Metrics;
use crate::auth::jwt::JwtKeys;
use crate::auth::password::Hasher;
use crate::config::Settings;
use crate::db::Pool;
use crate::error::ApiError;

/// Shared application state (held in `web::Data`, so cloned per worker cheaply).
pub struct AppState {
    pub settings: Arc<Settings>,
    pub pool: Pool,
    pub jwt: JwtKeys,
    pub hasher: Hasher,
    /// Login attempts per client address. In memory, per node: with N nodes a client gets
    /// at most N times the quota; the per-account delays and
    /// per-(account, address) locks are in the database and exact.
    pub login_limiter: DefaultKeyedRateLimiter<IpAddr>,
    pub metrics: Metrics,
    /// Wakes the outbox sender when a mail is queued.
    pub mail_wakeup: tokio::sync::Notify,
    /// Wakes the notification worker (an event was recorded).
    pub notify_wakeup: tokio::sync::Notify,
    /// Fanned-out event ids, for the live streams of this node (other nodes' arrive through
    /// PostgreSQL NOTIFY).
    pub live: tokio::sync::broadcast::Sender<i64>,
    /// The time reminders and digests go by (manual in tests).
    pub clock: crate::clock::Clock,
    /// What the reminders remember between passes on this node.
    pub reminders: crate::notifications::reminders::Memo,
    /// Where attachment files live (a local folder or an S3 bucket), one store for all.
    pub files: crate::attachments::store::Files,
}

impl AppState {
    /// Builds the state for `settings` over `pool`.
    pub fn new(settings: Settings, pool: Pool) -> Result<Self, ApiError> {
        let per_minute = NonZeroU32::new(settings.auth.login_attempts_per_ip_per_minute.max(1))
            .unwrap_or(NonZeroU32::MIN);
        Ok(AppState {
            jwt: JwtKeys::new(&settings.auth)?,
            hasher: Hasher::new(&settings.auth)?,
            login_limiter: RateLimiter::keyed(Quota::per_minute(per_minute)),
            metrics: Metrics::new()?,
            mail_wakeup: tokio::sync::Notify::new(),
            notify_wakeup: tokio::sync::Notify::new(),
            live: tokio::sync::broadcast::channel(256).0,
            clock: crate::clock::Clock::default(),
            reminders: Default::default(),
            files: crate::attachments::store::build(&settings.attachments)
                .map_err(ApiError::internal)?,
            settings: Arc::new(settings),
            pool,
        })
    }
}
