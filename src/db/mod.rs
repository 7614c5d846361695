//! Storage: one diesel code path over PostgreSQL and SQLite, chosen by the database URL.
//! Everything backend-specific (connection setup, migrations, locking) lives in this module.

pub mod schema;
pub mod statements;

use std::time::Duration;

use chrono::{NaiveDateTime, Timelike, Utc};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::{PgConnection, SqliteConnection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::error::ApiError;

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// A connection to either backend; queries are written once against it.
#[derive(diesel::MultiConnection)]
pub enum DbConn {
    Postgres(PgConnection),
    Sqlite(SqliteConnection),
}

diesel::define_sql_function! {
    /// SQL `lower()`, for case-insensitive search that behaves alike on both backends.
    fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text;
}

/// The backend type of `DbConn`, for boxed expressions shared across queries.
pub type Backend = <DbConn as Connection>::Backend;

/// The r2d2 pool every request borrows from.
pub type Pool = r2d2::Pool<ConnectionManager>;
/// A connection borrowed from the pool.
pub type PooledConn = r2d2::PooledConnection<ConnectionManager>;

/// Which database a URL names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Postgres(String),
    Sqlite(String),
}

impl Target {
    /// `postgres://` and `postgresql://` select PostgreSQL; `sqlite://path` or a bare path SQLite.
    pub fn from_url(url: &str) -> Self {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Target::Postgres(url.to_string())
        } else {
            let path = url.strip_prefix("sqlite://").unwrap_or(url);
            Target::Sqlite(path.to_string())
        }
    }
}

/// Opens connections for the pool and applies the per-connection SQLite settings.
#[derive(Debug, Clone)]
pub struct ConnectionManager {
    target: Target,
    busy_timeout_ms: u64,
}

impl ConnectionManager {
    /// A manager for `url`; SQLite files get their parent folder created.
    pub fn new(url: &str, busy_timeout_ms: u64) -> Self {
        ConnectionManager {
            target: Target::from_url(url),
            busy_timeout_ms,
        }
    }

    fn open(&self) -> Result<DbConn, diesel::ConnectionError> {
        match &self.target {
            Target::Postgres(url) => {
                let mut conn = PgConnection::establish(url)?;
                conn.set_instrumentation(statements::Counter);
                Ok(DbConn::Postgres(conn))
            }
            Target::Sqlite(path) => {
                let dir = std::path::Path::new(path).parent();
                if let Some(dir) = dir.filter(|d| path != ":memory:" && !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir).map_err(|e| {
                        diesel::ConnectionError::BadConnection(format!("{}: {e}", dir.display()))
                    })?;
                }
                let mut conn = SqliteConnection::establish(path)?;
                conn.batch_execute(&format!(
                    "PRAGMA busy_timeout = {}; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;",
                    self.busy_timeout_ms
                ))
                .map_err(diesel::ConnectionError::CouldntSetupConfiguration)?;
                conn.set_instrumentation(statements::Counter);
                Ok(DbConn::Sqlite(conn))
            }
        }
    }
}

impl r2d2::ManageConnection for ConnectionManager {
    type Connection = DbConn;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<DbConn, Self::Error> {
        self.open().map_err(diesel::r2d2::Error::ConnectionError)
    }

    fn is_valid(&self, conn: &mut DbConn) -> Result<(), Self::Error> {
        use diesel::r2d2::R2D2Connection;
        conn.ping().map_err(diesel::r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut DbConn) -> bool {
        use diesel::r2d2::R2D2Connection;
        conn.is_broken()
    }
}

/// Builds the pool; fails fast when the database cannot be reached.
pub fn pool(url: &str, size: u32, busy_timeout_ms: u64) -> Result<Pool, r2d2::Error> {
    // One connection up front, the rest on demand: a brand-new SQLite file is switched to WAL
    // by the first connection alone instead of several racing for the lock at start.
    r2d2::Pool::builder()
        .max_size(size.max(1))
        .min_idle(Some(1))
        .connection_timeout(Duration::from_secs(10))
        .build(ConnectionManager::new(url, busy_timeout_ms))
}

/// Applies pending migrations of the connection's backend; returns how many ran.
/// On PostgreSQL an advisory lock keeps several starting nodes from migrating at once.
pub fn migrate(conn: &mut DbConn) -> Result<usize, String> {
    match conn {
        DbConn::Sqlite(c) => c
            .run_pending_migrations(SQLITE_MIGRATIONS)
            .map(|v| v.len())
            .map_err(|e| e.to_string()),
        DbConn::Postgres(c) => {
            c.batch_execute("SELECT pg_advisory_lock(7391001)")
                .map_err(|e| e.to_string())?;
            let result = c
                .run_pending_migrations(POSTGRES_MIGRATIONS)
                .map(|v| v.len())
                .map_err(|e| e.to_string());
            c.batch_execute("SELECT pg_advisory_unlock(7391001)")
                .map_err(|e| e.to_string())?;
            result
        }
    }
}

/// Names of the embedded migrations per backend (they must match).
pub fn migration_names() -> (Vec<String>, Vec<String>) {
    use diesel::migration::MigrationSource;
    let names = |src: EmbeddedMigrations| -> Vec<String> {
        MigrationSource::<diesel::sqlite::Sqlite>::migrations(&src)
            .map(|m| m.into_iter().map(|m| m.name().to_string()).collect())
            .unwrap_or_default()
    };
    let pg: Vec<String> = MigrationSource::<diesel::pg::Pg>::migrations(&POSTGRES_MIGRATIONS)
        .map(|m| m.into_iter().map(|m| m.name().to_string()).collect())
        .unwrap_or_default();
    (names(SQLITE_MIGRATIONS), pg)
}

/// Runs diesel work on the blocking pool with a pooled connection, so async workers never block.
/// The statements `f` issues are added to the request being served ([`statements`]).
pub async fn run<T, F>(pool: &Pool, f: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&mut DbConn) -> Result<T, ApiError> + Send + 'static,
{
    let pool = pool.clone();
    let (out, issued) = actix_web::rt::task::spawn_blocking(move || {
        let mut conn = match pool.get() {
            Ok(conn) => conn,
            Err(e) => return (Err(ApiError::Unavailable(e.to_string())), 0),
        };
        let before = statements::on_thread();
        let out = f(&mut conn);
        (out, statements::on_thread().wrapping_sub(before))
    })
    .await
    .map_err(|e| ApiError::internal(format!("blocking task failed: {e}")))?;
    statements::add_to_request(issued);
    out
}

/// SQLite allows one writer at a time. Writers of this process wait here in arrival order
/// instead of in SQLite's busy handler, whose growing sleeps (up to 100 ms a try) let late
/// arrivals overtake and gave a 16-writer load an 825 ms p99. `busy_timeout` still covers
/// writers in other processes (the CLI).
static SQLITE_WRITERS: parking_lot::FairMutex<()> = parking_lot::const_fair_mutex(());

thread_local! {
    /// Whether this thread already holds its writer turn (a nested `write_tx`).
    static HOLDS_WRITER_TURN: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// A transaction that writes. On SQLite it waits for its turn in the writers' queue, then
/// touches `write_gate`, taking the write lock at the start instead of failing on a
/// read-to-write upgrade later.
pub fn write_tx<T, F>(conn: &mut DbConn, f: F) -> Result<T, ApiError>
where
    F: FnOnce(&mut DbConn) -> Result<T, ApiError>,
{
    let queue = matches!(conn, DbConn::Sqlite(_)) && !HOLDS_WRITER_TURN.get();
    let _turn = queue.then(|| {
        let guard = SQLITE_WRITERS.lock();
        HOLDS_WRITER_TURN.set(true);
        WriterTurn { _guard: guard }
    });
    conn.transaction(|conn| {
        if matches!(conn, DbConn::Sqlite(_)) {
            use schema::write_gate::dsl::*;
            diesel::update(write_gate.filter(id.eq(1)))
                .set(n.eq(n + 1))
                .execute(conn)?;
        }
        f(conn)
    })
}

/// A held writer turn; gives it back (and clears the thread's flag) when dropped.
struct WriterTurn {
    _guard: parking_lot::FairMutexGuard<'static, ()>,
}

impl Drop for WriterTurn {
    fn drop(&mut self) {
        HOLDS_WRITER_TURN.set(false);
    }
}

/// Is this connection PostgreSQL (for the few statements that differ)?
pub fn is_postgres(conn: &DbConn) -> bool {
    matches!(conn, DbConn::Postgres(_))
}

/// Current UTC time truncated to microseconds, the precision both backends keep.
pub fn now() -> NaiveDateTime {
    truncate_micros(Utc::now().naive_utc())
}

/// Drops sub-microsecond digits so values round-trip identically on SQLite and PostgreSQL.
pub fn truncate_micros(t: NaiveDateTime) -> NaiveDateTime {
    let nanos = t.nanosecond() / 1000 * 1000;
    t.with_nanosecond(nanos).unwrap_or(t)
}
