//! The SQL of the statistics: one aggregate statement per figure, each grouped by a place
//! key `g` (a constant for the place itself, or the path of the direct child for
//! `group_by=child`), so a city with 500 communities costs the same handful of statements as
//! one community. Written once with `$n` parameters; the one backend difference (finding a
//! character in a string) is the [`Dialect`]'s.

use chrono::NaiveDateTime;
use diesel::QueryableByName;
use diesel::prelude::*;
use diesel::query_builder::BoxedSqlQuery;
use diesel::sql_types::{BigInt, Nullable, Text, Timestamp};

use crate::consultations::rules::Status;
use crate::db::DbConn;
use crate::topics::model::TaskStatus;

/// The scope and period every statement filters on.
#[derive(Debug, Clone)]
pub struct Scope {
    /// The subtree's path range `[lo, hi)` (`["/", "0")` is every place).
    pub lo: String,
    pub hi: String,
    /// The period `[from, to)` (unbounded ends are given as far-away instants).
    pub from: NaiveDateTime,
    pub to: NaiveDateTime,
    /// For `Grouping::Child`: the length of the parent's path (`/` for the installation).
    pub prefix_len: usize,
}

/// Whether the rows are for the place itself or one per direct child.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grouping {
    Whole,
    Child,
}

/// The SQL that differs between PostgreSQL and SQLite.
#[derive(Debug, Clone, Copy)]
struct Dialect {
    pg: bool,
}

impl Dialect {
    /// 1-based position of `needle` in `hay`, 0 when absent.
    fn position(self, hay: &str, needle: &str) -> String {
        if self.pg {
            format!("strpos({hay}, {needle})")
        } else {
            format!("instr({hay}, {needle})")
        }
    }

    /// The grouping key of a row at the place whose path is `path`: '' for the whole, else
    /// the path of the child of the parent it lies beneath (the parent's own path for rows
    /// at the parent itself, which belong to no child).
    fn key(self, g: Grouping, path: &str, prefix_len: usize) -> String {
        match g {
            Grouping::Whole => "''".to_string(),
            Grouping::Child => {
                let rest = format!("substr({path}, {})", prefix_len + 1);
                format!(
                    "substr({path}, 1, {prefix_len} + {})",
                    self.position(&rest, "'/'")
                )
            }
        }
    }
}

/// One bound value of a statement.
enum Bind {
    Text(String),
    Ts(NaiveDateTime),
}

fn bind_all<'a, DB, Q>(mut q: BoxedSqlQuery<'a, DB, Q>, binds: &[Bind]) -> BoxedSqlQuery<'a, DB, Q>
where
    DB: diesel::backend::Backend
        + diesel::sql_types::HasSqlType<Text>
        + diesel::sql_types::HasSqlType<Timestamp>,
    String: diesel::serialize::ToSql<Text, DB>,
    NaiveDateTime: diesel::serialize::ToSql<Timestamp, DB>,
{
    for b in binds {
        q = match b {
            Bind::Text(s) => q.bind::<Text, _>(s.clone()),
            Bind::Ts(t) => q.bind::<Timestamp, _>(*t),
        };
    }
    q
}

/// Runs `sql` (with `$1`… parameters) on either backend.
fn load<R>(conn: &mut DbConn, sql: &str, binds: &[Bind]) -> QueryResult<Vec<R>>
where
    R: QueryableByName<diesel::pg::Pg> + QueryableByName<diesel::sqlite::Sqlite> + 'static,
{
    match conn {
        DbConn::Postgres(pg) => {
            let q = diesel::sql_query(sql).into_boxed::<diesel::pg::Pg>();
            bind_all(q, binds).load(pg)
        }
        DbConn::Sqlite(lite) => {
            let q = diesel::sql_query(sql.replace('$', "?")).into_boxed::<diesel::sqlite::Sqlite>();
            bind_all(q, binds).load(lite)
        }
    }
}

fn dialect(conn: &DbConn) -> Dialect {
    Dialect {
        pg: crate::db::is_postgres(conn),
    }
}

/// The topics of the period in scope, with their key: `cohort(id, g, stage, category,
/// resolution, created_at, author_id, on_behalf_of)`. Binds $1 lo, $2 hi, $3 from, $4 to.
fn cohort(d: Dialect, g: Grouping, s: &Scope) -> String {
    format!(
        "cohort AS (SELECT t.id, {key} AS g, t.stage, t.category, t.resolution, t.created_at, \
         t.author_id, t.on_behalf_of FROM topics t JOIN places p ON p.id = t.place_id \
         WHERE p.path >= $1 AND p.path < $2 AND t.created_at >= $3 AND t.created_at < $4)",
        key = d.key(g, "p.path", s.prefix_len)
    )
}

/// The meetings starting in the period in scope: `meets(id, g, kind, status)`.
fn meets(d: Dialect, g: Grouping, s: &Scope) -> String {
    format!(
        "meets AS (SELECT m.id, {key} AS g, m.kind, m.status FROM consultations m \
         JOIN places p ON p.id = m.place_id \
         WHERE p.path >= $1 AND p.path < $2 AND m.starts_at >= $3 AND m.starts_at < $4)",
        key = d.key(g, "p.path", s.prefix_len)
    )
}

fn scope_binds(s: &Scope) -> Vec<Bind> {
    vec![
        Bind::Text(s.lo.clone()),
        Bind::Text(s.hi.clone()),
        Bind::Ts(s.from),
        Bind::Ts(s.to),
    ]
}

/// Topics counted by key, stage, category and resolution.
#[derive(Debug, QueryableByName)]
pub struct TopicGroup {
    #[diesel(sql_type = Text)]
    pub g: String,
    #[diesel(sql_type = Text)]
    pub stage: String,
    #[diesel(sql_type = Text)]
    pub category: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub resolution: Option<String>,
    #[diesel(sql_type = BigInt)]
    pub n: i64,
}

/// Topics of the period by key, stage, category and resolution.
pub fn topic_groups(conn: &mut DbConn, g: Grouping, s: &Scope) -> QueryResult<Vec<TopicGroup>> {
    let d = dialect(conn);
    let sql = format!(
        "WITH {} SELECT g, stage, category, resolution, COUNT(*) AS n FROM cohort \
         GROUP BY g, stage, category, resolution",
        cohort(d, g, s)
    );
    load(conn, &sql, &scope_binds(s))
}

/// For one key and step: how many completed stays and the order statistics (seconds) the
/// median and p90 lie between (0-based ranks from `rules::Fraction::rank`).
#[derive(Debug, QueryableByName)]
pub struct StepGroup {
    #[diesel(sql_type = Text)]
    pub g: String,
    #[diesel(sql_type = Text)]
    pub stage: String,
    #[diesel(sql_type = BigInt)]
    pub n: i64,
    #[diesel(sql_type = Nullable<BigInt>)]
    pub median_lo: Option<i64>,
    #[diesel(sql_type = Nullable<BigInt>)]
    pub median_hi: Option<i64>,
    #[diesel(sql_type = Nullable<BigInt>)]
    pub p90_lo: Option<i64>,
    #[diesel(sql_type = Nullable<BigInt>)]
    pub p90_hi: Option<i64>,
}

/// Width in seconds of the buckets [`step_groups`] counts stays in before sorting: an hour.
const BUCKET_SECS: i64 = 3_600;

/// Completed stays in each step of the period's topics, read from `topic_step_stays` (one
/// row per stay, written with the stage change that ends it: `topics::events::record_stay`,
/// and backfilled by the migration `2026-12-03-000075_step_stays`, by the definition of
/// docs/open-data.md), without sorting every stay: the stays are counted per hour bucket
/// (`seconds / 3600`, a hash aggregate), running sums over the buckets find the buckets that
/// hold the percentile ranks `(n−1)/2` and `9(n−1)/10` and the next ones, and only the stays
/// of those buckets are sorted (ROW_NUMBER, offset by the stays in earlier buckets). The
/// bucket of a duration never decreases as it grows, so the ranks are those of the full
/// sort: the same order statistics as numbering every stay.
pub fn step_groups(conn: &mut DbConn, g: Grouping, s: &Scope) -> QueryResult<Vec<StepGroup>> {
    let d = dialect(conn);
    // Rank `k` lies in the bucket when `before <= k < before + cnt`.
    let holds = |k: &str| format!("({k} >= before AND {k} < before + cnt)");
    let (m, p) = ("(n - 1) / 2", "(9 * (n - 1)) / 10");
    let sql = format!(
        "WITH {cohort}, \
         st AS (SELECT c.g, s.step, s.seconds FROM topic_step_stays s \
           JOIN cohort c ON c.id = s.topic_id), \
         buckets AS (SELECT g, step, seconds / {w} AS b, COUNT(*) AS cnt FROM st \
           GROUP BY g, step, seconds / {w}), \
         cum AS (SELECT g, step, b, cnt, \
           CAST(SUM(cnt) OVER (PARTITION BY g, step ORDER BY b) AS BIGINT) - cnt AS before, \
           CAST(SUM(cnt) OVER (PARTITION BY g, step) AS BIGINT) AS n FROM buckets), \
         hit AS (SELECT g, step, b, before, n FROM cum \
           WHERE {h1} OR {h2} OR {h3} OR {h4}), \
         inb AS (SELECT g, step, seconds / {w} AS b, seconds FROM st \
           WHERE (g, step, seconds / {w}) IN (SELECT g, step, b FROM hit)), \
         ranked AS (SELECT h.g, h.step, x.secs, h.n, h.before + x.j AS i FROM (\
             SELECT g, step, b, seconds AS secs, \
               ROW_NUMBER() OVER (PARTITION BY g, step, b ORDER BY seconds) - 1 AS j FROM inb) x \
           JOIN hit h ON h.g = x.g AND h.step = x.step AND h.b = x.b) \
         SELECT g, step AS stage, MAX(n) AS n, \
           MAX(CASE WHEN i = {m} THEN secs END) AS median_lo, \
           MAX(CASE WHEN i = {m} + 1 THEN secs END) AS median_hi, \
           MAX(CASE WHEN i = {p} THEN secs END) AS p90_lo, \
           MAX(CASE WHEN i = {p} + 1 THEN secs END) AS p90_hi \
         FROM ranked GROUP BY g, step",
        cohort = cohort(d, g, s),
        w = BUCKET_SECS,
        h1 = holds(m),
        h2 = holds(&format!("{m} + 1")),
        h3 = holds(p),
        h4 = holds(&format!("{p} + 1")),
    );
    load(conn, &sql, &scope_binds(s))
}

/// A count per key and a second column (a score, a kind).
#[derive(Debug, QueryableByName)]
pub struct Counted {
    #[diesel(sql_type = Text)]
    pub g: String,
    #[diesel(sql_type = Text)]
    pub what: String,
    #[diesel(sql_type = BigInt)]
    pub n: i64,
}

/// Ratings of the period's topics (every round) by key and score.
pub fn score_groups(conn: &mut DbConn, g: Grouping, s: &Scope) -> QueryResult<Vec<Counted>> {
    let d = dialect(conn);
    let sql = format!(
        "WITH {} SELECT c.g, CAST(ev.score AS TEXT) AS what, COUNT(*) AS n \
         FROM evaluations ev JOIN cohort c ON c.id = ev.topic_id GROUP BY c.g, ev.score",
        cohort(d, g, s)
    );
    load(conn, &sql, &scope_binds(s))
}

/// Concluded meetings of the period by key and kind.
pub fn meeting_groups(conn: &mut DbConn, g: Grouping, s: &Scope) -> QueryResult<Vec<Counted>> {
    let d = dialect(conn);
    let sql = format!(
        "WITH {} SELECT g, kind AS what, COUNT(*) AS n FROM meets \
         WHERE status = '{}' GROUP BY g, kind",
        meets(d, g, s),
        Status::Concluded.as_str()
    );
    load(conn, &sql, &scope_binds(s))
}

/// Tasks of the period's topics by key: all, and overdue at `now`.
#[derive(Debug, QueryableByName)]
pub struct TaskGroup {
    #[diesel(sql_type = Text)]
    pub g: String,
    #[diesel(sql_type = BigInt)]
    pub total: i64,
    #[diesel(sql_type = BigInt)]
    pub overdue: i64,
}

/// Tasks of the period's topics: all, and those not done and due before `now`.
pub fn task_groups(
    conn: &mut DbConn,
    g: Grouping,
    s: &Scope,
    now: NaiveDateTime,
) -> QueryResult<Vec<TaskGroup>> {
    let d = dialect(conn);
    let sql = format!(
        "WITH {} SELECT c.g, COUNT(*) AS total, \
         CAST(SUM(CASE WHEN tk.status <> '{}' AND tk.due_at < $5 THEN 1 ELSE 0 END) AS BIGINT) \
         AS overdue FROM tasks tk JOIN cohort c ON c.id = tk.topic_id GROUP BY c.g",
        cohort(d, g, s),
        TaskStatus::Done.as_str()
    );
    let mut binds = scope_binds(s);
    binds.push(Bind::Ts(now));
    load(conn, &sql, &binds)
}

/// A count per key.
#[derive(Debug, QueryableByName)]
pub struct KeyCount {
    #[diesel(sql_type = Text)]
    pub g: String,
    #[diesel(sql_type = BigInt)]
    pub n: i64,
}

/// Distinct people by key: authors (and those raised on behalf of), supporters, commenters
/// and raters of the period's topics, and attendees of the period's meetings. The sources
/// are concatenated (UNION ALL): `COUNT(DISTINCT …)` removes the duplicates once, instead of a
/// UNION doing it a second time.
pub fn participant_groups(conn: &mut DbConn, g: Grouping, s: &Scope) -> QueryResult<Vec<KeyCount>> {
    let d = dialect(conn);
    let sql = format!(
        "WITH {cohort}, {meets}, people AS (\
           SELECT g, author_id AS user_id FROM cohort \
           UNION ALL SELECT g, on_behalf_of FROM cohort WHERE on_behalf_of IS NOT NULL \
           UNION ALL SELECT c.g, su.user_id FROM supports su JOIN cohort c ON c.id = su.topic_id \
           UNION ALL SELECT c.g, cm.author_id FROM comments cm JOIN cohort c ON c.id = cm.topic_id \
           UNION ALL SELECT c.g, ev.user_id FROM evaluations ev JOIN cohort c ON c.id = ev.topic_id \
           UNION ALL SELECT m.g, iv.user_id FROM invitations iv JOIN meets m ON m.id = iv.consultation_id \
             WHERE iv.attended AND iv.user_id IS NOT NULL) \
         SELECT g, COUNT(DISTINCT user_id) AS n FROM people GROUP BY g",
        cohort = cohort(d, g, s),
        meets = meets(d, g, s)
    );
    load(conn, &sql, &scope_binds(s))
}

/// The direct children of a place (roots for the installation): (id, path), by id.
pub fn children(conn: &mut DbConn, parent: Option<i64>) -> QueryResult<Vec<(i64, String)>> {
    use crate::db::schema::places::dsl as p;
    let q = p::places.select((p::id, p::path)).order(p::id).into_boxed();
    match parent {
        Some(id) => q.filter(p::parent_id.eq(id)).load(conn),
        None => q.filter(p::parent_id.is_null()).load(conn),
    }
}
