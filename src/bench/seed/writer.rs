//! The bulk writer of `bench seed`: rows with ids chosen by the seeder, buffered per table and
//! written parents first, as `COPY .. FROM STDIN` on PostgreSQL and as multi-row `INSERT`s of
//! literals on SQLite (no bound parameters, so SQLite's 32,766-parameter limit never applies).

use chrono::NaiveDateTime;
use diesel::pg::PgConnection;

use crate::db::{DbConn, schema};
use crate::error::{ApiError, ApiResult};

/// A table the seeder fills: its name and the columns it writes (`COPY` names them, so a
/// column added later with a default is left to that default).
pub struct Tab {
    pub name: &'static str,
    pub cols: &'static [&'static str],
}

macro_rules! tabs {
    ($($konst:ident = $name:ident [$($col:ident),* $(,)?];)*) => {
        $(pub const $konst: Tab = Tab { name: stringify!($name), cols: &[$(stringify!($col)),*] };)*
        /// Every seeded table, parents before children: buffers are flushed in this order.
        pub const ORDER: &[&Tab] = &[$(&$konst),*];

        /// `COPY <table> FROM STDIN` of `data` (text format) through diesel.
        fn pg_copy(pg: &mut PgConnection, name: &str, data: &str) -> ApiResult<usize> {
            use diesel::ExecuteCopyFromDsl;
            let write = |w: &mut dyn std::io::Write| {
                w.write_all(data.as_bytes())
                    .map_err(|e| diesel::result::Error::SerializationError(Box::new(e)))
            };
            match name {
                $(stringify!($name) => Ok(diesel::copy_from(schema::$name::table)
                    .from_raw_data(($(schema::$name::$col,)*), write)
                    .execute(pg)?),)*
                _ => Err(ApiError::internal(format!("no COPY for {name}"))),
            }
        }
    };
}

tabs! {
    PLACES = places [id, parent_id, kind, name, code, path, depth, created_at];
    ORGANIZATIONS = organizations [id, kind, name, created_at];
    ORGANIZATION_PLACES = organization_places [organization_id, place_id];
    USERS = users [id, email, password_hash, display_name, home_place_id, email_verified_at,
        disabled, created_at, updated_at, show_name_publicly];
    ROLE_GRANTS = role_grants [id, user_id, role, place_id, organization_id, granted_by, created_at];
    TOPICS = topics [id, place_id, community_id, title, body, category, source, author_id,
        on_behalf_of, stage, resolution, catalog_year, catalog_seq, catalog_no, escalated, major,
        supporters_count, decision, merged_into, version, eval_round, eval_closes_at, created_at,
        updated_at, discuss_at, plan_at, act_at, evaluate_at, closed_at];
    SUPPORTS = supports [topic_id, user_id, created_at];
    COMMENTS = comments [id, topic_id, author_id, parent_id, body, stance, hidden, hidden_reason,
        hidden_by, created_at];
    PLANS = plans [topic_id, summary, revision, published_at, notice_ends_at, approved_at,
        updated_at];
    PLAN_RESOURCES = plan_resources [id, topic_id, kind, source, amount, unit];
    TASKS = tasks [id, topic_id, title, organization_id, assignee_id, due_at, status, version,
        created_at, updated_at, done_at];
    EVALUATIONS = evaluations [id, topic_id, user_id, round, score, comment, created_at,
        updated_at];
    TOPIC_EVENTS = topic_events [id, topic_id, seq, kind, actor_id, from_stage, to_stage, note,
        payload, created_at, prev_hash, hash];
    CONSULTATIONS = consultations [id, place_id, title, kind, format, venue, online_url,
        starts_at, ends_at, convener_id, status, minutes, cancel_reason, version, ical_sequence,
        concluded_at, created_at, updated_at, started_at];
    AGENDA_ITEMS = agenda_items [id, consultation_id, position, title, topic_id, presenter_id,
        minutes];
    INVITATIONS = invitations [id, consultation_id, user_id, organization_id, category, response,
        attended, created_at];
}

/// One value of a row.
#[derive(Debug, Clone, Copy)]
pub enum V<'a> {
    I(i64),
    F(f64),
    B(bool),
    S(&'a str),
    D(NaiveDateTime),
    N,
}

impl<'a> From<Option<i64>> for V<'a> {
    fn from(v: Option<i64>) -> Self {
        v.map_or(V::N, V::I)
    }
}

impl<'a> From<Option<NaiveDateTime>> for V<'a> {
    fn from(v: Option<NaiveDateTime>) -> Self {
        v.map_or(V::N, V::D)
    }
}

impl<'a> From<Option<&'a str>> for V<'a> {
    fn from(v: Option<&'a str>) -> Self {
        v.map_or(V::N, V::S)
    }
}

/// Timestamps are whole seconds, so both backends store and return exactly what was hashed.
const STAMP: &str = "%Y-%m-%d %H:%M:%S";

/// Buffers rows per table and writes them in [`ORDER`].
pub struct Bulk {
    pg: bool,
    bufs: Vec<String>,
    pending: Vec<usize>,
    /// Rows written (or buffered) per table, in [`ORDER`].
    pub counts: Vec<usize>,
    /// Rows buffered before everything is flushed.
    limit: usize,
    buffered: usize,
}

impl Bulk {
    /// A writer for `conn`'s backend.
    pub fn new(conn: &DbConn) -> Self {
        let pg = matches!(conn, DbConn::Postgres(_));
        Bulk {
            pg,
            bufs: vec![String::new(); ORDER.len()],
            pending: vec![0; ORDER.len()],
            counts: vec![0; ORDER.len()],
            limit: if pg { 50_000 } else { 20_000 },
            buffered: 0,
        }
    }

    fn index(t: &Tab) -> usize {
        ORDER
            .iter()
            .position(|o| o.name == t.name)
            .unwrap_or_default()
    }

    /// Rows written to table `t` so far.
    pub fn count(&self, t: &Tab) -> usize {
        self.counts[Self::index(t)]
    }

    /// Adds one row to `t` (values in `t.cols` order); flushes when enough are buffered.
    pub fn row(&mut self, conn: &mut DbConn, t: &Tab, vals: &[V<'_>]) -> ApiResult<()> {
        use std::fmt::Write;
        debug_assert_eq!(vals.len(), t.cols.len(), "{}", t.name);
        let i = Self::index(t);
        let buf = &mut self.bufs[i];
        if self.pg {
            for (k, v) in vals.iter().enumerate() {
                if k > 0 {
                    buf.push('\t');
                }
                let _ = match v {
                    V::I(n) => write!(buf, "{n}"),
                    V::F(f) => write!(buf, "{f}"),
                    V::B(b) => write!(buf, "{}", if *b { 't' } else { 'f' }),
                    V::S(s) => {
                        copy_escape(buf, s);
                        Ok(())
                    }
                    V::D(d) => write!(buf, "{}", d.format(STAMP)),
                    V::N => write!(buf, "\\N"),
                };
            }
            buf.push('\n');
        } else {
            if self.pending[i].is_multiple_of(500) {
                if self.pending[i] > 0 {
                    buf.push_str(";\n");
                }
                let _ = write!(
                    buf,
                    "INSERT INTO {} ({}) VALUES ",
                    t.name,
                    t.cols.join(", ")
                );
            } else {
                buf.push(',');
            }
            buf.push('(');
            for (k, v) in vals.iter().enumerate() {
                if k > 0 {
                    buf.push(',');
                }
                let _ = match v {
                    V::I(n) => write!(buf, "{n}"),
                    V::F(f) => write!(buf, "{f:?}"),
                    V::B(b) => write!(buf, "{}", u8::from(*b)),
                    V::S(s) => write!(buf, "'{}'", s.replace('\'', "''")),
                    V::D(d) => write!(buf, "'{}'", d.format(STAMP)),
                    V::N => write!(buf, "NULL"),
                };
            }
            buf.push(')');
        }
        self.pending[i] += 1;
        self.counts[i] += 1;
        self.buffered += 1;
        if self.buffered >= self.limit {
            self.flush(conn)?;
        }
        Ok(())
    }

    /// Writes everything buffered, parents first.
    pub fn flush(&mut self, conn: &mut DbConn) -> ApiResult<()> {
        for (i, t) in ORDER.iter().enumerate() {
            if self.pending[i] == 0 {
                continue;
            }
            let data = std::mem::take(&mut self.bufs[i]);
            match conn {
                DbConn::Postgres(pg) => {
                    pg_copy(pg, t.name, &data)?;
                }
                DbConn::Sqlite(c) => {
                    use diesel::connection::SimpleConnection;
                    c.batch_execute(&data)?;
                }
            }
            self.pending[i] = 0;
            self.bufs[i] = data;
            self.bufs[i].clear();
        }
        self.buffered = 0;
        Ok(())
    }
}

/// Escapes text for PostgreSQL's COPY text format.
fn copy_escape(buf: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '\\' => buf.push_str("\\\\"),
            '\t' => buf.push_str("\\t"),
            '\n' => buf.push_str("\\n"),
            '\r' => buf.push_str("\\r"),
            c => buf.push(c),
        }
    }
}

/// The completed step stays of every seeded timeline: the backfill statement of migration
/// 000075 itself (everything from its `INSERT`), so the seeder derives stays by the very
/// definition the app and the migration use. The app writes them as transitions happen.
fn stays_backfill(migration: &'static str) -> &'static str {
    migration
        .find("INSERT INTO topic_step_stays")
        .map_or("", |at| &migration[at..])
}

/// After rows with explicit ids: derives the step stays from the timelines, moves each
/// identity sequence (PostgreSQL) past the highest id, so the application's own inserts
/// continue from there; then refreshes the planner's statistics on both backends.
pub fn finish(conn: &mut DbConn) -> ApiResult<()> {
    use diesel::connection::SimpleConnection;
    match conn {
        DbConn::Postgres(pg) => pg.batch_execute(stays_backfill(include_str!(
            "../../../migrations/postgres/2026-12-03-000075_step_stays/up.sql"
        )))?,
        DbConn::Sqlite(c) => c.batch_execute(stays_backfill(include_str!(
            "../../../migrations/sqlite/2026-12-03-000075_step_stays/up.sql"
        )))?,
    }
    match conn {
        DbConn::Postgres(pg) => {
            let mut sql = String::new();
            for t in ORDER.iter().filter(|t| t.cols.first() == Some(&"id")) {
                sql.push_str(&format!(
                    "SELECT setval(pg_get_serial_sequence('{0}', 'id'), \
                     COALESCE((SELECT max(id) FROM {0}), 0) + 1, false);\n",
                    t.name
                ));
            }
            pg.batch_execute(&sql)?;
            pg.batch_execute("ANALYZE")?;
        }
        DbConn::Sqlite(c) => c.batch_execute("ANALYZE")?,
    }
    Ok(())
}
