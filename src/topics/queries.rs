//! Storage of topics and everything hanging off them.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::model::TopicOut;
use super::rules::{Category, Resolution, Source, Stage};
use crate::db::schema::{
    comments, evaluations, idempotency_keys, objections, places, plan_resources, plans, supports,
    tasks, topics,
};
use crate::db::{self, DbConn};
use crate::error::{ApiError, ApiResult};

/// A topic row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = topics)]
pub struct TopicRow {
    pub id: i64,
    pub place_id: i64,
    pub community_id: i64,
    pub title: String,
    pub body: String,
    pub category: String,
    pub source: String,
    pub author_id: i64,
    pub on_behalf_of: Option<i64>,
    pub stage: String,
    pub resolution: Option<String>,
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
    /// The stage, parsed.
    pub fn stage(&self) -> Stage {
        Stage::parse(&self.stage).unwrap_or(Stage::Closed)
    }

    /// The wire form; `hot_threshold` decides the `hot` flag.
    pub fn out(&self, hot_threshold: i32) -> TopicOut {
        let utc = |t: Option<NaiveDateTime>| t.map(|t| t.and_utc());
        TopicOut {
            id: self.id,
            place_id: self.place_id,
            title: self.title.clone(),
            body: self.body.clone(),
            category: Category::parse(&self.category).unwrap_or(Category::Other),
            source: Source::parse(&self.source).unwrap_or(Source::Resident),
            author_id: self.author_id,
            on_behalf_of: self.on_behalf_of,
            stage: self.stage(),
            resolution: self.resolution.as_deref().and_then(Resolution::parse),
            catalog_no: self.catalog_no.clone(),
            escalated: self.escalated,
            major: self.major,
            hot: super::rules::is_hot(self.supporters_count, hot_threshold),
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
            topics::category.eq(t.category.as_str()),
            topics::source.eq(t.source.as_str()),
            topics::author_id.eq(t.author_id),
            topics::on_behalf_of.eq(t.on_behalf_of),
            topics::stage.eq(Stage::Say.as_str()),
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
pub struct TopicQuery<'a> {
    pub within: Option<&'a str>,
    pub stage: Option<Stage>,
    pub category: Option<Category>,
    pub escalated: Option<bool>,
    pub author_id: Option<i64>,
    pub q: Option<&'a str>,
    pub catalog_only: bool,
    /// Topics to leave out (already scheduled for a meeting).
    pub exclude: Vec<i64>,
    pub after: Option<i64>,
    pub fetch: i64,
}

/// Lists topics, newest id last, after the cursor.
pub fn list_topics(conn: &mut DbConn, f: &TopicQuery<'_>) -> ApiResult<Vec<TopicRow>> {
    use crate::places::rules::{escape_like, subtree_range};
    let mut query = topics::table
        .inner_join(places::table.on(places::id.eq(topics::place_id)))
        .select(TopicRow::as_select())
        .into_boxed();
    if let Some(path) = f.within {
        let (lo, hi) = subtree_range(path);
        query = query
            .filter(places::path.ge(lo))
            .filter(places::path.lt(hi));
    }
    if let Some(s) = f.stage {
        query = query.filter(topics::stage.eq(s.as_str()));
    }
    if let Some(c) = f.category {
        query = query.filter(topics::category.eq(c.as_str()));
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
    if !f.exclude.is_empty() {
        query = query.filter(topics::id.ne_all(f.exclude.clone()));
    }
    if let Some(q) = f.q {
        let pattern = format!("%{}%", escape_like(&q.to_lowercase()));
        query = query.filter(
            db::lower(topics::title)
                .like(pattern.clone())
                .escape('\\')
                .or(db::lower(topics::body).like(pattern).escape('\\')),
        );
    }
    if let Some(after) = f.after {
        query = query.filter(topics::id.gt(after));
    }
    Ok(query.order(topics::id).limit(f.fetch).load(conn)?)
}

/// Takes the topic's row lock (PostgreSQL; SQLite write transactions are serial already), so
/// read-count-write sequences such as the supporters count do not lose updates.
pub fn lock_topic(conn: &mut DbConn, id: i64) -> ApiResult<()> {
    diesel::update(topics::table.find(id))
        .set(topics::updated_at.eq(db::now()))
        .execute(conn)?;
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

/// Whether `user` supports `topic`.
pub fn supports(conn: &mut DbConn, topic_id: i64, user_id: i64) -> ApiResult<bool> {
    Ok(supports::table
        .find((topic_id, user_id))
        .select(supports::user_id)
        .first::<i64>(conn)
        .optional()?
        .is_some())
}

/// Adds a support and recounts; false when it already existed.
pub fn add_support(conn: &mut DbConn, topic_id: i64, user_id: i64) -> ApiResult<bool> {
    if supports(conn, topic_id, user_id)? {
        return Ok(false);
    }
    diesel::insert_into(supports::table)
        .values((
            supports::topic_id.eq(topic_id),
            supports::user_id.eq(user_id),
            supports::created_at.eq(db::now()),
        ))
        .execute(conn)?;
    recount_supports(conn, topic_id)?;
    Ok(true)
}

/// Removes a support and recounts; false when there was none.
pub fn remove_support(conn: &mut DbConn, topic_id: i64, user_id: i64) -> ApiResult<bool> {
    let n = diesel::delete(supports::table.find((topic_id, user_id))).execute(conn)?;
    recount_supports(conn, topic_id)?;
    Ok(n == 1)
}

fn recount_supports(conn: &mut DbConn, topic_id: i64) -> ApiResult<i32> {
    let n: i64 = supports::table
        .filter(supports::topic_id.eq(topic_id))
        .count()
        .get_result(conn)?;
    diesel::update(topics::table.find(topic_id))
        .set(topics::supporters_count.eq(n as i32))
        .execute(conn)?;
    Ok(n as i32)
}

/// Moves the supports of `from` to `to` (merge): supporters carried over, none counted twice.
pub fn carry_supports(conn: &mut DbConn, from: i64, to: i64) -> ApiResult<()> {
    let users: Vec<i64> = supports::table
        .filter(supports::topic_id.eq(from))
        .select(supports::user_id)
        .load(conn)?;
    for u in users {
        add_support(conn, to, u)?;
    }
    Ok(())
}

/// A comment row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = comments)]
pub struct CommentRow {
    pub id: i64,
    pub topic_id: i64,
    pub author_id: i64,
    pub parent_id: Option<i64>,
    pub body: String,
    pub stance: String,
    pub hidden: bool,
    pub hidden_reason: Option<String>,
    pub hidden_by: Option<i64>,
    pub created_at: NaiveDateTime,
}

/// Inserts a comment.
pub fn insert_comment(
    conn: &mut DbConn,
    topic_id: i64,
    author_id: i64,
    parent_id: Option<i64>,
    body: &str,
    stance: &str,
) -> ApiResult<CommentRow> {
    let id: i64 = diesel::insert_into(comments::table)
        .values((
            comments::topic_id.eq(topic_id),
            comments::author_id.eq(author_id),
            comments::parent_id.eq(parent_id),
            comments::body.eq(body),
            comments::stance.eq(stance),
            comments::hidden.eq(false),
            comments::created_at.eq(db::now()),
        ))
        .returning(comments::id)
        .get_result(conn)?;
    comment(conn, id)
}

/// A comment, or 404.
pub fn comment(conn: &mut DbConn, id: i64) -> ApiResult<CommentRow> {
    comments::table
        .find(id)
        .select(CommentRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(ApiError::NotFound("comment.not_found"))
}

/// A page of a topic's comments in order.
pub fn list_comments(
    conn: &mut DbConn,
    topic_id: i64,
    after: Option<i64>,
    fetch: i64,
) -> ApiResult<Vec<CommentRow>> {
    let mut q = comments::table
        .filter(comments::topic_id.eq(topic_id))
        .select(CommentRow::as_select())
        .into_boxed();
    if let Some(a) = after {
        q = q.filter(comments::id.gt(a));
    }
    Ok(q.order(comments::id).limit(fetch).load(conn)?)
}

/// Hides a comment with a reason.
pub fn hide_comment(conn: &mut DbConn, id: i64, by: i64, reason: &str) -> ApiResult<()> {
    diesel::update(comments::table.find(id))
        .set((
            comments::hidden.eq(true),
            comments::hidden_reason.eq(reason),
            comments::hidden_by.eq(by),
        ))
        .execute(conn)?;
    Ok(())
}

/// Did the user comment on the topic?
pub fn has_commented(conn: &mut DbConn, topic_id: i64, user_id: i64) -> ApiResult<bool> {
    let n: i64 = comments::table
        .filter(comments::topic_id.eq(topic_id))
        .filter(comments::author_id.eq(user_id))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// The plan row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = plans)]
pub struct PlanRow {
    pub topic_id: i64,
    pub summary: String,
    pub revision: i32,
    pub published_at: Option<NaiveDateTime>,
    pub notice_ends_at: Option<NaiveDateTime>,
    pub approved_at: Option<NaiveDateTime>,
    pub updated_at: NaiveDateTime,
}

/// The topic's plan, if any.
pub fn plan(conn: &mut DbConn, topic_id: i64) -> ApiResult<Option<PlanRow>> {
    Ok(plans::table
        .find(topic_id)
        .select(PlanRow::as_select())
        .first(conn)
        .optional()?)
}

/// Saves the plan summary (update, else insert) and replaces its resources.
pub fn save_plan(
    conn: &mut DbConn,
    topic_id: i64,
    summary: &str,
    resources: &[(String, String, f64, String)],
) -> ApiResult<()> {
    let now = db::now();
    let n = diesel::update(plans::table.find(topic_id))
        .set((plans::summary.eq(summary), plans::updated_at.eq(now)))
        .execute(conn)?;
    if n == 0 {
        diesel::insert_into(plans::table)
            .values((
                plans::topic_id.eq(topic_id),
                plans::summary.eq(summary),
                plans::revision.eq(0),
                plans::updated_at.eq(now),
            ))
            .execute(conn)?;
    }
    diesel::delete(plan_resources::table.filter(plan_resources::topic_id.eq(topic_id)))
        .execute(conn)?;
    for (kind, source, amount, unit) in resources {
        diesel::insert_into(plan_resources::table)
            .values((
                plan_resources::topic_id.eq(topic_id),
                plan_resources::kind.eq(kind),
                plan_resources::source.eq(source),
                plan_resources::amount.eq(amount),
                plan_resources::unit.eq(unit),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// The plan's resources: (kind, source, amount, unit).
pub fn plan_resources(
    conn: &mut DbConn,
    topic_id: i64,
) -> ApiResult<Vec<(String, String, f64, String)>> {
    Ok(plan_resources::table
        .filter(plan_resources::topic_id.eq(topic_id))
        .order(plan_resources::id)
        .select((
            plan_resources::kind,
            plan_resources::source,
            plan_resources::amount,
            plan_resources::unit,
        ))
        .load(conn)?)
}

/// Publishes the plan: a new revision and a notice period ending at `notice_ends_at`.
pub fn publish_plan(
    conn: &mut DbConn,
    topic_id: i64,
    notice_ends_at: NaiveDateTime,
) -> ApiResult<()> {
    let now = db::now();
    let n = diesel::update(plans::table.find(topic_id))
        .set((
            plans::revision.eq(plans::revision + 1),
            plans::published_at.eq(now),
            plans::notice_ends_at.eq(notice_ends_at),
            plans::updated_at.eq(now),
        ))
        .execute(conn)?;
    if n == 0 {
        diesel::insert_into(plans::table)
            .values((
                plans::topic_id.eq(topic_id),
                plans::summary.eq(""),
                plans::revision.eq(1),
                plans::published_at.eq(now),
                plans::notice_ends_at.eq(notice_ends_at),
                plans::updated_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Sends a published plan back to revision (an upheld objection).
pub fn unpublish_plan(conn: &mut DbConn, topic_id: i64) -> ApiResult<()> {
    diesel::update(plans::table.find(topic_id))
        .set((
            plans::published_at.eq(None::<NaiveDateTime>),
            plans::notice_ends_at.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)?;
    Ok(())
}

/// Marks the plan approved.
pub fn approve_plan(conn: &mut DbConn, topic_id: i64) -> ApiResult<()> {
    diesel::update(plans::table.find(topic_id))
        .set(plans::approved_at.eq(db::now()))
        .execute(conn)?;
    Ok(())
}

/// A task row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = tasks)]
pub struct TaskRow {
    pub id: i64,
    pub topic_id: i64,
    pub title: String,
    pub organization_id: Option<i64>,
    pub assignee_id: Option<i64>,
    pub due_at: NaiveDateTime,
    pub status: String,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub done_at: Option<NaiveDateTime>,
}

/// Inserts a task in `todo`.
pub fn insert_task(
    conn: &mut DbConn,
    topic_id: i64,
    title: &str,
    organization_id: Option<i64>,
    assignee_id: Option<i64>,
    due_at: NaiveDateTime,
) -> ApiResult<TaskRow> {
    let now = db::now();
    let id: i64 = diesel::insert_into(tasks::table)
        .values((
            tasks::topic_id.eq(topic_id),
            tasks::title.eq(title),
            tasks::organization_id.eq(organization_id),
            tasks::assignee_id.eq(assignee_id),
            tasks::due_at.eq(due_at),
            tasks::status.eq("todo"),
            tasks::version.eq(1),
            tasks::created_at.eq(now),
            tasks::updated_at.eq(now),
        ))
        .returning(tasks::id)
        .get_result(conn)?;
    task(conn, id)
}

/// A task, or 404.
pub fn task(conn: &mut DbConn, id: i64) -> ApiResult<TaskRow> {
    tasks::table
        .find(id)
        .select(TaskRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(ApiError::NotFound("task.not_found"))
}

/// Tasks of a topic.
pub fn topic_tasks(conn: &mut DbConn, topic_id: i64) -> ApiResult<Vec<TaskRow>> {
    Ok(tasks::table
        .filter(tasks::topic_id.eq(topic_id))
        .order(tasks::id)
        .select(TaskRow::as_select())
        .load(conn)?)
}

/// Filters of the task list, resolved.
pub struct TaskQuery<'a> {
    pub within: Option<&'a str>,
    /// Tasks of topics beneath any of these places (an organisation user's grants).
    pub within_any: Vec<String>,
    pub topic_id: Option<i64>,
    pub organization_ids: Option<Vec<i64>>,
    pub overdue_at: Option<NaiveDateTime>,
    pub after: Option<i64>,
    pub fetch: i64,
}

/// Lists tasks (supervision 督办): by place subtree, topic, organisations, overdue.
pub fn list_tasks(conn: &mut DbConn, f: &TaskQuery<'_>) -> ApiResult<Vec<TaskRow>> {
    use crate::places::rules::subtree_range;
    let mut q = tasks::table
        .inner_join(topics::table.inner_join(places::table.on(places::id.eq(topics::place_id))))
        .select(TaskRow::as_select())
        .into_boxed();
    // The OR group goes first: `or_filter` ORs with everything filtered before it.
    for (i, path) in f.within_any.iter().enumerate() {
        let (lo, hi) = subtree_range(path);
        let inside = places::path.ge(lo).and(places::path.lt(hi));
        q = if i == 0 {
            q.filter(inside)
        } else {
            q.or_filter(inside)
        };
    }
    if let Some(path) = f.within {
        let (lo, hi) = subtree_range(path);
        q = q.filter(places::path.ge(lo)).filter(places::path.lt(hi));
    }
    if let Some(t) = f.topic_id {
        q = q.filter(tasks::topic_id.eq(t));
    }
    if let Some(orgs) = &f.organization_ids {
        q = q.filter(tasks::organization_id.eq_any(orgs.clone()));
    }
    if let Some(now) = f.overdue_at {
        q = q
            .filter(tasks::due_at.lt(now))
            .filter(tasks::status.ne("done"));
    }
    if let Some(a) = f.after {
        q = q.filter(tasks::id.gt(a));
    }
    Ok(q.order(tasks::id).limit(f.fetch).load(conn)?)
}

/// Sets a task's status if its version is still `expected`; false when stale.
pub fn update_task(conn: &mut DbConn, id: i64, expected: i32, status: &str) -> ApiResult<bool> {
    let now = db::now();
    let done_at = (status == "done").then_some(now);
    let n = diesel::update(
        tasks::table
            .filter(tasks::id.eq(id))
            .filter(tasks::version.eq(expected)),
    )
    .set((
        tasks::status.eq(status),
        tasks::version.eq(expected + 1),
        tasks::updated_at.eq(now),
        tasks::done_at.eq(done_at),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// An objection row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = objections)]
pub struct ObjectionRow {
    pub id: i64,
    pub topic_id: i64,
    pub author_id: i64,
    pub plan_revision: i32,
    pub body: String,
    pub decision: Option<String>,
    pub reason: Option<String>,
    pub answered_by: Option<i64>,
    pub answered_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

/// Files an objection against a plan revision.
pub fn insert_objection(
    conn: &mut DbConn,
    topic_id: i64,
    author_id: i64,
    revision: i32,
    body: &str,
) -> ApiResult<ObjectionRow> {
    let id: i64 = diesel::insert_into(objections::table)
        .values((
            objections::topic_id.eq(topic_id),
            objections::author_id.eq(author_id),
            objections::plan_revision.eq(revision),
            objections::body.eq(body),
            objections::created_at.eq(db::now()),
        ))
        .returning(objections::id)
        .get_result(conn)?;
    objection(conn, id)
}

/// An objection, or 404.
pub fn objection(conn: &mut DbConn, id: i64) -> ApiResult<ObjectionRow> {
    objections::table
        .find(id)
        .select(ObjectionRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(ApiError::NotFound("objection.not_found"))
}

/// Objections of a topic.
pub fn topic_objections(conn: &mut DbConn, topic_id: i64) -> ApiResult<Vec<ObjectionRow>> {
    Ok(objections::table
        .filter(objections::topic_id.eq(topic_id))
        .order(objections::id)
        .select(ObjectionRow::as_select())
        .load(conn)?)
}

/// Answers an objection once; false when it was already answered.
pub fn answer_objection(
    conn: &mut DbConn,
    id: i64,
    by: i64,
    decision: &str,
    reason: &str,
) -> ApiResult<bool> {
    let n = diesel::update(
        objections::table
            .filter(objections::id.eq(id))
            .filter(objections::decision.is_null()),
    )
    .set((
        objections::decision.eq(decision),
        objections::reason.eq(reason),
        objections::answered_by.eq(by),
        objections::answered_at.eq(db::now()),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// Scores of a topic's evaluation round.
pub fn scores(conn: &mut DbConn, topic_id: i64, round: i32) -> ApiResult<Vec<i32>> {
    Ok(evaluations::table
        .filter(evaluations::topic_id.eq(topic_id))
        .filter(evaluations::round.eq(round))
        .select(evaluations::score)
        .load(conn)?)
}

/// Records or edits the user's rating of the round; returns true when it was new.
pub fn upsert_evaluation(
    conn: &mut DbConn,
    topic_id: i64,
    user_id: i64,
    round: i32,
    score: i32,
    comment: &str,
) -> ApiResult<bool> {
    let now = db::now();
    let n = diesel::update(
        evaluations::table
            .filter(evaluations::topic_id.eq(topic_id))
            .filter(evaluations::user_id.eq(user_id))
            .filter(evaluations::round.eq(round)),
    )
    .set((
        evaluations::score.eq(score),
        evaluations::comment.eq(comment),
        evaluations::updated_at.eq(now),
    ))
    .execute(conn)?;
    if n == 1 {
        return Ok(false);
    }
    diesel::insert_into(evaluations::table)
        .values((
            evaluations::topic_id.eq(topic_id),
            evaluations::user_id.eq(user_id),
            evaluations::round.eq(round),
            evaluations::score.eq(score),
            evaluations::comment.eq(comment),
            evaluations::created_at.eq(now),
            evaluations::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(true)
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
