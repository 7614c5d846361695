//! The statistics read: check the query, resolve the place, run the grouped statements once
//! for the place (and once more per child grouping), and fold the rows into [`Stats`].

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveDateTime};

use super::model::{GroupBy, Stats, StatsQuery, StepDays};
use super::queries::{self as q, Grouping, Scope};
use super::rules::{self, End, MEDIAN, P90};
use crate::config::Settings;
use crate::consultations::rules::Kind;
use crate::db::DbConn;
use crate::error::{ApiError, ApiResult};
use crate::places::queries as places;
use crate::places::rules::subtree_range;
use crate::topics::rules::{Category, Resolution, Stage};

/// Stand-ins for an open period end, far outside any real timestamp.
fn open_from() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(1000, 1, 1)
        .unwrap_or_default()
        .and_time(chrono::NaiveTime::MIN)
}

fn open_to() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(9999, 12, 31)
        .unwrap_or_default()
        .and_time(chrono::NaiveTime::MIN)
}

/// Reads `from`/`to`: 400 naming the field when unreadable, 422 when shaped like a date but
/// not one, 422 on `to` when before `from`.
fn period(
    settings: &Settings,
    f: &StatsQuery,
) -> ApiResult<(Option<NaiveDateTime>, Option<NaiveDateTime>)> {
    let tz = settings.locale.time_zone;
    let read = |v: &Option<String>, field: &str, end: End| -> ApiResult<Option<NaiveDateTime>> {
        v.as_deref()
            .map(|s| {
                rules::parse_bound(s, end, tz).map_err(|e| {
                    // Shaped like the documented pattern but no real day or time
                    // (`2026-02-30`): a value the schema allows, refused by the rule (422).
                    if rules::date_shaped(s) {
                        ApiError::invalid(field, "validation.invalid", &e.0)
                    } else {
                        ApiError::BadRequest {
                            code: "request.invalid_query",
                            field: Some(field.to_string()),
                            detail: e.0,
                        }
                    }
                })
            })
            .transpose()
    };
    let from = read(&f.from, "from", End::From)?;
    let to = read(&f.to, "to", End::To)?;
    if !rules::period_ok(from, to) {
        return Err(ApiError::invalid(
            "to",
            "stats.invalid_period",
            "to must not be before from",
        ));
    }
    Ok((from, to))
}

/// GET /api/v1/stats: the statistics of a place's subtree (or the installation) over a
/// period, with one object per direct child place when `group_by=child`.
pub fn stats(
    conn: &mut DbConn,
    settings: &Settings,
    f: &StatsQuery,
    now: NaiveDateTime,
) -> ApiResult<Stats> {
    let (from, to) = period(settings, f)?;
    let path = match f.place_id {
        Some(id) => Some(places::place_ref(conn, id, None)?.0.path),
        None => None,
    };
    let (lo, hi) = match &path {
        Some(p) => subtree_range(p),
        None => ("/".to_string(), "0".to_string()),
    };
    // Bounds beyond the stand-ins (year 0 or 10000) select what the stand-ins select, and
    // stay comparable as text on SQLite.
    let scope = Scope {
        lo,
        hi,
        from: from.map_or_else(open_from, |t| t.clamp(open_from(), open_to())),
        to: to.map_or_else(open_to, |t| t.clamp(open_from(), open_to())),
        prefix_len: path.as_deref().map_or(1, str::len),
    };
    let (from_utc, to_utc) = (from.map(|t| t.and_utc()), to.map(|t| t.and_utc()));
    let mut whole = fold(conn, Grouping::Whole, &scope, now)?;
    let mut out = whole
        .remove("")
        .unwrap_or_else(|| Stats::empty(None, None, None));
    out.place_id = f.place_id;
    out.from = from_utc;
    out.to = to_utc;
    if f.group_by == Some(GroupBy::Child) {
        let mut by_child = fold(conn, Grouping::Child, &scope, now)?;
        for (id, child_path) in q::children(conn, f.place_id)? {
            let mut s = by_child
                .remove(&child_path)
                .unwrap_or_else(|| Stats::empty(None, None, None));
            s.place_id = Some(id);
            s.from = from_utc;
            s.to = to_utc;
            out.children.push(s);
        }
    }
    Ok(out)
}

/// Runs every statement once with `grouping` and folds the rows into one [`Stats`] per key.
fn fold(
    conn: &mut DbConn,
    grouping: Grouping,
    scope: &Scope,
    now: NaiveDateTime,
) -> ApiResult<BTreeMap<String, Stats>> {
    let mut out: BTreeMap<String, Stats> = BTreeMap::new();
    fn at<'a>(out: &'a mut BTreeMap<String, Stats>, g: &str) -> &'a mut Stats {
        out.entry(g.to_string())
            .or_insert_with(|| Stats::empty(None, None, None))
    }
    for row in q::topic_groups(conn, grouping, scope)? {
        let s = at(&mut out, &row.g);
        s.topics.total += row.n;
        *s.topics
            .by_stage
            .entry(Stage::from_stored(&row.stage).map_err(ApiError::internal)?)
            .or_default() += row.n;
        *s.topics
            .by_category
            .entry(Category::from_stored(&row.category).map_err(ApiError::internal)?)
            .or_default() += row.n;
        if let Some(r) = &row.resolution {
            *s.topics
                .by_resolution
                .entry(Resolution::from_stored(r).map_err(ApiError::internal)?)
                .or_default() += row.n;
        }
    }
    for row in q::step_groups(conn, grouping, scope)? {
        let s = at(&mut out, &row.g);
        let step = StepDays {
            median: rules::percentile_days(MEDIAN, row.n, row.median_lo, row.median_hi),
            p90: rules::percentile_days(P90, row.n, row.p90_lo, row.p90_hi),
            count: row.n,
        };
        let d = &mut s.days_in_step;
        match Stage::from_stored(&row.stage).map_err(ApiError::internal)? {
            Stage::Say => d.say = step,
            Stage::Discuss => d.discuss = step,
            Stage::Plan => d.plan = step,
            Stage::Act => d.act = step,
            Stage::Evaluate => d.evaluate = step,
            Stage::Closed => {}
        }
    }
    let mut sums: BTreeMap<String, i64> = BTreeMap::new();
    for row in q::score_groups(conn, grouping, scope)? {
        let score: i64 = row.what.trim().parse().unwrap_or(0);
        let s = at(&mut out, &row.g);
        if let Some(slot) = usize::try_from(score - 1)
            .ok()
            .and_then(|i| s.satisfaction.distribution.get_mut(i))
        {
            *slot += row.n;
            s.satisfaction.count += row.n;
            *sums.entry(row.g.clone()).or_default() += score * row.n;
        }
    }
    for (g, sum) in sums {
        let s = at(&mut out, &g);
        s.satisfaction.mean = rules::mean(sum, s.satisfaction.count);
    }
    for row in q::task_groups(conn, grouping, scope, now)? {
        let s = at(&mut out, &row.g);
        s.tasks.total = row.total;
        s.tasks.overdue = row.overdue;
    }
    for row in q::meeting_groups(conn, grouping, scope)? {
        let s = at(&mut out, &row.g);
        s.meetings.held += row.n;
        *s.meetings
            .by_kind
            .entry(Kind::from_stored(&row.what).map_err(ApiError::internal)?)
            .or_default() += row.n;
    }
    for row in q::participant_groups(conn, grouping, scope)? {
        at(&mut out, &row.g).participants = row.n;
    }
    Ok(out)
}
