//! Counting SQL statements, so that a list endpoint that issues one query per row (N+1) shows
//! up in production (`yishi_sql_statements_total` on /metrics) and fails a test
//! (tests/statements.rs reads the per-request count).
//!
//! Every pooled connection carries a diesel instrumentation that, per statement, adds one to a
//! process-wide counter and to a counter of the current thread. [`crate::db::run`] reads the
//! thread counter around the work it runs and adds the difference to the request being served
//! (a task-local set by the middleware), so background workers never disturb a request's
//! count. The cost per statement is two relaxed increments.

use std::cell::Cell;
use std::sync::LazyLock;

use diesel::connection::{Instrumentation, InstrumentationEvent};
use prometheus::IntCounter;

/// Statements issued by every connection of this process (the Prometheus series
/// `yishi_sql_statements_total`; each app's registry registers this one counter). `None` only
/// if prometheus refused the fixed name, which it does not.
pub static TOTAL: LazyLock<Option<IntCounter>> = LazyLock::new(|| {
    IntCounter::new(
        "sql_statements_total",
        "SQL statements sent to the database by pooled connections",
    )
    .ok()
});

thread_local! {
    /// Statements issued on this thread so far.
    static THREAD: Cell<u64> = const { Cell::new(0) };
}

tokio::task_local! {
    /// Statements of the request this task serves (set by the middleware).
    static REQUEST: Cell<u64>;
}

/// The instrumentation every pooled connection gets.
pub struct Counter;

impl Instrumentation for Counter {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        if let InstrumentationEvent::StartQuery { .. } = event {
            if let Some(total) = TOTAL.as_ref() {
                total.inc();
            }
            THREAD.with(|n| n.set(n.get().wrapping_add(1)));
        }
    }
}

/// Statements issued on the current thread since it started (compare two readings).
pub fn on_thread() -> u64 {
    THREAD.with(Cell::get)
}

/// Adds `n` statements to the request the current task serves, if any.
pub fn add_to_request(n: u64) {
    let _ = REQUEST.try_with(|c| c.set(c.get().saturating_add(n)));
}

/// Runs `fut` counting the statements [`crate::db::run`] issues for it; returns its output and
/// the count.
pub async fn count_request<F: std::future::Future>(fut: F) -> (F::Output, u64) {
    REQUEST
        .scope(Cell::new(0), async move {
            let out = fut.await;
            (out, REQUEST.try_with(Cell::get).unwrap_or(0))
        })
        .await
}
