//! The topic rows: read, insert, list, lock, version claim, catalog numbers and the columns a
//! transition sets.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Text};

use super::super::model::TopicOut;
use super::super::rules::{Category, Resolution, Source, Stage};
use crate::consultations::rules::Status;
use crate::db::schema::{idempotency_keys, places, topics};
use crate::db::{self, DbConn};
use crate::error::{ApiError, ApiResult};

/// A topic row; an unknown stored stage, category, source or resolution fails the query.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = topics)]
pub struct TopicRow {
    pub id: i64,
    pub place_id: i64,
    pub community_id: i64,
    pub title: String,
    pub body: String,
    pub category: Category,
    pub source: Source,
    pub author_id: i64,
    pub on_behalf_of: Option<i64>,
    pub stage: Stage,
    pub resolution: Option<Resolution>,
    pub catalog_year: Option<i32>,
    pub catalog_seq: Option<i32>,
    pub catalog_no: Option<String>,
    pub escalated: bool,
    pub major: bool,
    pub supporters_count: i32,
    pub decision: Option<String>,
    pub merged_into: Option<i64>,
    pub version: i32,
    pub eval_round: i32,
    pub eval_closes_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub discuss_at: Option<NaiveDateTime>,
    pub plan_at: Option<NaiveDateTime>,
    pub act_at: Option<NaiveDateTime>,
    pub evaluate_at: Option<NaiveDateTime>,
    pub closed_at: Option<NaiveDateTime>,
}

impl TopicRow {
    /// The stage (a plain getter, kept for the callers in other areas).
    pub fn stage(&self) -> Stage {
        self.stage
    }

    /// The wire form; `hot_threshold` decides the `hot` flag.
    pub fn out(&self, hot_threshold: i32) -> TopicOut {
        let utc = |t: Option<NaiveDateTime>| t.map(|t| t.and_utc());
        TopicOut {
            id: self.id,
            place_id: self.place_id,
            title: self.title.clone(),
            body: self.body.clone(),
            category: self.category,
            source: self.source,
            author_id: self.author_id,
            on_behalf_of: self.on_behalf_of,
            stage: self.stage,
            resolution: self.resolution,
            catalog_no: self.catalog_no.clone(),
            escalated: self.escalated,
            major: self.major,
            hot: super::super::rules::is_hot(self.supporters_count, hot_threshold),
            supporters_count: self.supporters_count,
            decision: self.decision.clone(),
            merged_into: self.merged_into,
            version: self.version,
            created_at: self.created_at.and_utc(),
            updated_at: self.updated_at.and_utc(),
            discuss_at: utc(self.discuss_at),
            plan_at: utc(self.plan_at),
            act_at: utc(self.act_at),
            evaluate_at: utc(self.evaluate_at),
            closed_at: utc(self.closed_at),
            eval_closes_at: utc(self.eval_closes_at),
        }
    }
}

/// A topic, or 404 `topic.not_found`.
pub fn topic(conn: &mut DbConn, id: i64) -> ApiResult<TopicRow> {
    topics::table
        .find(id)
        .select(TopicRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(ApiError::NotFound("topic.not_found"))
}

/// Values of a new topic.
pub struct NewTopicRow<'a> {
    pub place_id: i64,
    pub community_id: i64,
    pub title: &'a str,
    pub body: &'a str,
    pub category: Category,
    pub source: Source,
    pub author_id: i64,
    pub on_behalf_of: Option<i64>,
    pub major: bool,
}

/// Inserts a topic in the say stage.
pub fn insert_topic(conn: &mut DbConn, t: &NewTopicRow<'_>) -> ApiResult<i64> {
    let now = db::now();
    Ok(diesel::insert_into(topics::table)
        .values((
            topics::place_id.eq(t.place_id),
            topics::community_id.eq(t.community_id),
            topics::title.eq(t.title),
            topics::body.eq(t.body),
            topics::category.eq(t.category),
            topics::source.eq(t.source),
            topics::author_id.eq(t.author_id),
            topics::on_behalf_of.eq(t.on_behalf_of),
            topics::stage.eq(Stage::Say),
            topics::escalated.eq(false),
            topics::major.eq(t.major),
            topics::supporters_count.eq(0),
            topics::version.eq(1),
            topics::eval_round.eq(0),
            topics::created_at.eq(now),
            topics::updated_at.eq(now),
        ))
        .returning(topics::id)
        .get_result(conn)?)
}

/// The community a place belongs to (itself, or its community ancestor).
pub fn community_of(conn: &mut DbConn, path: &str) -> ApiResult<Option<i64>> {
    let ids = crate::places::rules::path_ids(path);
    Ok(places::table
        .filter(places::id.eq_any(ids))
        .filter(places::kind.eq("community"))
        .select(places::id)
        .first(conn)
        .optional()?)
}

/// Filters of the topic list, resolved.
#[derive(Debug, Clone, Default)]
pub struct TopicQuery<'a> {
    pub within: Option<&'a str>,
    /// Topics beneath any of these places (`mine=true`: the caller's role places); an empty
    /// list matches nothing.
    pub within_any: Option<Vec<String>>,
    pub stage: Option<Stage>,
    pub category: Option<Category>,
    pub escalated: Option<bool>,
    pub author_id: Option<i64>,
    pub q: Option<&'a str>,
    pub catalog_only: bool,
    /// Only topics on no agenda of a meeting that is not cancelled.
    pub unscheduled: bool,
    pub after: Option<i64>,
    pub fetch: i64,
    /// Newest first (the home page's latest topics); not for cursor pages.
    pub newest_first: bool,
}

/// The correlated `NOT EXISTS` of the `unscheduled` filter. Written as SQL because diesel's
/// typed subqueries cannot name the outer `topics` row; the status is our own constant.
fn not_on_an_agenda() -> diesel::expression::SqlLiteral<diesel::sql_types::Bool> {
    diesel::dsl::sql(&format!(
        "NOT EXISTS (SELECT 1 FROM agenda_items a JOIN consultations c ON c.id = a.consultation_id \
         WHERE a.topic_id = topics.id AND c.status <> '{}')",
        Status::Cancelled.as_str()
    ))
}

/// The shortest `q` a trigram index can serve: shorter text holds no 3-character substring.
const TRIGRAM_CHARS: usize = 3;

/// `q` in the title or the body, ignoring case: `lower(title) LIKE '%q%' OR lower(body) LIKE
/// '%q%'` with `%`, `_` and `\` escaped, `q` bound and never formatted in. The backends differ
/// only in what serves it (docs/database.md, "Chinese text search"):
/// - PostgreSQL: the trigram GIN indexes on `lower(title)` and `lower(body)` serve the LIKE
///   itself. It is written as SQL rather than diesel's DSL so that diesel does not cache the
///   prepared statement: PostgreSQL then plans each search with its text (the indexes for a
///   rare text, the id-ordered walk for a common one). A cached statement turns generic after
///   five runs, and the generic plan walks every topic for any text.
/// - SQLite, `q` of 3 or more characters: first the topics whose FTS5 trigram index
///   (`topics_fts`) holds `q` as a phrase: the text in double quotes with `"` doubled, so
///   every character is literal. The LIKE still decides among them, so the answer is exactly
///   the LIKE's (the index folds case for all of Unicode, SQLite's `lower()` for ASCII only:
///   its candidates are a superset). SQLite reads every candidate before the page is cut, so
///   the cursor (`after`) bounds them inside the subquery too.
///
/// A `q` of 1–2 characters (电梯, 路灯) has no trigram on either backend and keeps the LIKE
/// alone, bounded by the other filters and the page's id-ordered LIMIT.
fn text_match<QS>(
    conn: &DbConn,
    q: &str,
    after: Option<i64>,
) -> Box<dyn BoxableExpression<QS, db::Backend, SqlType = Bool>> {
    use crate::places::rules::escape_like;
    use diesel::dsl::sql;
    let lowered = q.to_lowercase();
    let pattern = format!("%{}%", escape_like(&lowered));
    let like = sql::<Bool>("(lower(topics.title) LIKE ")
        .bind::<Text, _>(pattern.clone())
        .sql(" ESCAPE ")
        .bind::<Text, _>("\\")
        .sql(" OR lower(topics.body) LIKE ")
        .bind::<Text, _>(pattern)
        .sql(" ESCAPE ")
        .bind::<Text, _>("\\")
        .sql(")");
    match conn {
        DbConn::Sqlite(_) if lowered.chars().count() >= TRIGRAM_CHARS => {
            let phrase = format!("\"{}\"", lowered.replace('"', "\"\""));
            Box::new(
                sql::<Bool>("topics.id IN (SELECT rowid FROM topics_fts WHERE topics_fts MATCH ")
                    .bind::<Text, _>(phrase)
                    .sql(" AND rowid > ")
                    // Ids start at 1: without a cursor the bound keeps every candidate.
                    .bind::<BigInt, _>(after.unwrap_or(0))
                    .sql(")")
                    .and(like),
            )
        }
        _ => Box::new(like),
    }
}

/// Lists topics, newest id last, after the cursor.
pub fn list_topics(conn: &mut DbConn, f: &TopicQuery<'_>) -> ApiResult<Vec<TopicRow>> {
    use crate::places::rules::subtree_range;
    let mut query = topics::table
        .inner_join(places::table.on(places::id.eq(topics::place_id)))
        .select(TopicRow::as_select())
        .into_boxed();
    if let Some(paths) = &f.within_any {
        if paths.is_empty() {
            return Ok(Vec::new());
        }
        query = query.filter(crate::places::queries::in_any_subtree(paths));
    }
    if let Some(path) = f.within {
        let (lo, hi) = subtree_range(path);
        query = query
            .filter(places::path.ge(lo))
            .filter(places::path.lt(hi));
    }
    if let Some(s) = f.stage {
        query = query.filter(topics::stage.eq(s));
    }
    if let Some(c) = f.category {
        query = query.filter(topics::category.eq(c));
    }
    if let Some(e) = f.escalated {
        query = query.filter(topics::escalated.eq(e));
    }
    if let Some(a) = f.author_id {
        query = query.filter(topics::author_id.eq(a));
    }
    if f.catalog_only {
        query = query.filter(topics::catalog_no.is_not_null());
    }
    if f.unscheduled {
        query = query.filter(not_on_an_agenda());
    }
    if let Some(q) = f.q {
        query = query.filter(text_match(conn, q, f.after));
    }
    if let Some(after) = f.after {
        query = query.filter(topics::id.gt(after));
    }
    let query = if f.newest_first {
        query.order(topics::id.desc())
    } else {
        query.order(topics::id)
    };
    Ok(query.limit(f.fetch).load(conn)?)
}

/// Takes the topic's row lock (PostgreSQL; SQLite write transactions are serial already), so
/// read-count-write sequences such as the supporters count do not lose updates.
pub fn lock_topic(conn: &mut DbConn, id: i64) -> ApiResult<()> {
    diesel::update(topics::table.find(id))
        .set(topics::updated_at.eq(db::now()))
        .execute(conn)?;
    Ok(())
}

/// Locks several topics in id order, so two writers that need the same pair (crossed merges)
/// queue up instead of deadlocking. On PostgreSQL a `SELECT … FOR NO KEY UPDATE`, not a dummy
/// `UPDATE`: a row this transaction already updated makes its next `UPDATE` re-check the
/// foreign keys, and the key-share locks that leaves on the community's `places` row would
/// deadlock two parallel accepts at the catalog lock. SQLite write transactions are serial.
pub fn lock_topics_in_order(conn: &mut DbConn, ids: &[i64]) -> ApiResult<()> {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    if let DbConn::Postgres(pg) = conn {
        for id in ids {
            topics::table
                .find(id)
                .select(topics::id)
                .for_no_key_update()
                .load::<i64>(pg)?;
        }
    }
    Ok(())
}

/// Bumps the version if it is still `expected`; false when someone else changed it first.
pub fn claim_version(conn: &mut DbConn, id: i64, expected: i32) -> ApiResult<bool> {
    let n = diesel::update(
        topics::table
            .filter(topics::id.eq(id))
            .filter(topics::version.eq(expected)),
    )
    .set((
        topics::version.eq(expected + 1),
        topics::updated_at.eq(db::now()),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// The next catalog number of a community in a year, gap-free: the community's place row
/// is locked (PostgreSQL) or the write transaction is serial (SQLite) while it is taken.
pub fn next_catalog_seq(conn: &mut DbConn, community_id: i64, year: i32) -> ApiResult<i32> {
    if let DbConn::Postgres(pg) = conn {
        places::table
            .find(community_id)
            .select(places::id)
            .for_update()
            .first::<i64>(pg)?;
    }
    let max: Option<i32> = topics::table
        .filter(topics::community_id.eq(community_id))
        .filter(topics::catalog_year.eq(year))
        .select(diesel::dsl::max(topics::catalog_seq))
        .first(conn)?;
    Ok(max.unwrap_or(0) + 1)
}

/// Records the catalog number taken at acceptance.
pub fn set_catalog(conn: &mut DbConn, id: i64, year: i32, seq: i32, label: &str) -> ApiResult<()> {
    diesel::update(topics::table.find(id))
        .set((
            topics::catalog_year.eq(year),
            topics::catalog_seq.eq(seq),
            topics::catalog_no.eq(label),
        ))
        .execute(conn)?;
    Ok(())
}

/// Points a merged topic at the one it went into.
pub fn set_merged_into(conn: &mut DbConn, id: i64, target: i64) -> ApiResult<()> {
    diesel::update(topics::table.find(id))
        .set(topics::merged_into.eq(target))
        .execute(conn)?;
    Ok(())
}

/// Records the decision (议).
pub fn set_decision(conn: &mut DbConn, id: i64, decision: Option<&str>) -> ApiResult<()> {
    diesel::update(topics::table.find(id))
        .set(topics::decision.eq(decision))
        .execute(conn)?;
    Ok(())
}

/// Opens evaluation round `round`, closing at `closes_at` (None clears the window: rework).
pub fn set_evaluation_window(
    conn: &mut DbConn,
    id: i64,
    round: i32,
    closes_at: Option<NaiveDateTime>,
) -> ApiResult<()> {
    diesel::update(topics::table.find(id))
        .set((
            topics::eval_round.eq(round),
            topics::eval_closes_at.eq(closes_at),
        ))
        .execute(conn)?;
    Ok(())
}

/// Writes the new stage, its timestamp (when it changed), resolution and escalation flag.
pub fn set_stage(
    conn: &mut DbConn,
    id: i64,
    from: Stage,
    to: Stage,
    resolution: Option<Resolution>,
    escalated: bool,
    now: NaiveDateTime,
) -> ApiResult<()> {
    diesel::update(topics::table.find(id))
        .set((
            topics::stage.eq(to),
            topics::resolution.eq(resolution),
            topics::escalated.eq(escalated),
        ))
        .execute(conn)?;
    if from == to {
        return Ok(());
    }
    let target = topics::table.find(id);
    match to {
        Stage::Discuss => diesel::update(target)
            .set(topics::discuss_at.eq(now))
            .execute(conn)?,
        Stage::Plan => diesel::update(target)
            .set(topics::plan_at.eq(now))
            .execute(conn)?,
        Stage::Act => diesel::update(target)
            .set(topics::act_at.eq(now))
            .execute(conn)?,
        Stage::Evaluate => diesel::update(target)
            .set(topics::evaluate_at.eq(now))
            .execute(conn)?,
        Stage::Closed => diesel::update(target)
            .set(topics::closed_at.eq(now))
            .execute(conn)?,
        Stage::Say => 0,
    };
    Ok(())
}

/// Every topic id in order (for `yishi audit verify`).
pub fn topic_ids(conn: &mut DbConn) -> ApiResult<Vec<i64>> {
    Ok(topics::table
        .select(topics::id)
        .order(topics::id)
        .load(conn)?)
}

/// The topic created earlier with this idempotency key: (request hash, topic id).
pub fn idempotent_topic(
    conn: &mut DbConn,
    user_id: i64,
    key: &str,
) -> ApiResult<Option<(String, i64)>> {
    Ok(idempotency_keys::table
        .find((user_id, key))
        .select((idempotency_keys::request_hash, idempotency_keys::topic_id))
        .first(conn)
        .optional()?)
}

/// Remembers which topic a key created.
pub fn remember_key(
    conn: &mut DbConn,
    user_id: i64,
    key: &str,
    request_hash: &str,
    topic_id: i64,
) -> ApiResult<()> {
    diesel::insert_into(idempotency_keys::table)
        .values((
            idempotency_keys::user_id.eq(user_id),
            idempotency_keys::idem_key.eq(key),
            idempotency_keys::request_hash.eq(request_hash),
            idempotency_keys::topic_id.eq(topic_id),
            idempotency_keys::created_at.eq(db::now()),
        ))
        .execute(conn)?;
    Ok(())
}
