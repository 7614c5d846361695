//! The plan (筹) and its resources.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::super::model::ResourceKind;
use crate::db::schema::{plan_resources, plans};
use crate::db::{self, DbConn};
use crate::error::ApiResult;

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

/// A plan resource row.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = plan_resources)]
pub struct ResourceRow {
    pub kind: ResourceKind,
    pub source: String,
    pub amount: f64,
    pub unit: String,
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
    resources: &[ResourceRow],
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
    for r in resources {
        diesel::insert_into(plan_resources::table)
            .values((
                plan_resources::topic_id.eq(topic_id),
                plan_resources::kind.eq(r.kind),
                plan_resources::source.eq(&r.source),
                plan_resources::amount.eq(r.amount),
                plan_resources::unit.eq(&r.unit),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// The plan's resources in order.
pub fn plan_resources(conn: &mut DbConn, topic_id: i64) -> ApiResult<Vec<ResourceRow>> {
    Ok(plan_resources::table
        .filter(plan_resources::topic_id.eq(topic_id))
        .order(plan_resources::id)
        .select(ResourceRow::as_select())
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
