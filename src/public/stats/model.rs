//! Wire types of `GET /api/v1/stats` (SPEC "Transparency and interoperability"): the query
//! and the statistics object, with every figure defined in docs/open-data.md.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::consultations::rules::Kind;
use crate::topics::rules::{Category, Resolution, Stage};

crate::wire_enum! {
    /// How to split the statistics: `child` adds one object per direct child place.
    #[schema(as = StatsGroupBy)]
    pub enum GroupBy {
        Child = "child",
    }
}

/// GET /api/v1/stats query.
#[derive(Debug, Default, Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatsQuery {
    /// A place: it and everything beneath it. Omitted: the whole installation.
    pub place_id: Option<i64>,
    /// Start of the period, inclusive: an RFC 3339 time or a date (the start of that day in
    /// the installation's time zone). Omitted: no lower bound.
    #[param(
        pattern = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}([Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2}))?$",
        example = "2026-01-01"
    )]
    pub from: Option<String>,
    /// End of the period, exclusive: an RFC 3339 time, or a date meaning the end of that
    /// day (the day is included). Omitted: no upper bound.
    #[param(
        pattern = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}([Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2}))?$",
        example = "2026-12-31"
    )]
    pub to: Option<String>,
    /// `child`: also the statistics of each direct child place, in `children`.
    #[param(inline)]
    pub group_by: Option<GroupBy>,
}

/// Topics of the period by their current stage, category and resolution.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct TopicCounts {
    /// All topics raised in the period.
    pub total: i64,
    /// Every stage, zero included.
    pub by_stage: BTreeMap<Stage, i64>,
    /// Every category, zero included.
    pub by_category: BTreeMap<Category, i64>,
    /// Closed topics by how they ended, every resolution, zero included.
    pub by_resolution: BTreeMap<Resolution, i64>,
}

/// Days a topic spent in one step, over completed stays.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct StepDays {
    /// Median days (percentile_cont 0.5), 2 decimals; null without a completed stay.
    pub median: Option<f64>,
    /// 90th-percentile days (percentile_cont 0.9), 2 decimals; null without a completed stay.
    pub p90: Option<f64>,
    /// How many completed stays the figures are taken over.
    pub count: i64,
}

/// Days in each of the five steps 说议筹办评.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct DaysInStep {
    pub say: StepDays,
    pub discuss: StepDays,
    pub plan: StepDays,
    pub act: StepDays,
    pub evaluate: StepDays,
}

/// Residents' ratings (满意度) of the period's topics, every round.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct Satisfaction {
    pub count: i64,
    /// Mean score 1..5, 2 decimals; null without ratings.
    pub mean: Option<f64>,
    /// Ratings of 1, 2, 3, 4 and 5.
    pub distribution: [i64; 5],
}

/// Plan tasks of the period's topics.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct TaskCounts {
    pub total: i64,
    /// Not done and due before the moment of the request.
    pub overdue: i64,
}

/// Concluded meetings 协商会 starting in the period.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct MeetingCounts {
    pub held: i64,
    /// Every kind, zero included.
    pub by_kind: BTreeMap<Kind, i64>,
}

/// The statistics of one place (or the installation) over one period.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Stats {
    /// The place; null for the whole installation.
    pub place_id: Option<i64>,
    /// The period's start as applied (UTC); null when unbounded.
    pub from: Option<DateTime<Utc>>,
    /// The period's end (exclusive) as applied (UTC); null when unbounded.
    pub to: Option<DateTime<Utc>>,
    pub topics: TopicCounts,
    pub days_in_step: DaysInStep,
    pub satisfaction: Satisfaction,
    pub tasks: TaskCounts,
    pub meetings: MeetingCounts,
    /// Distinct people who raised, supported, commented on or rated a topic of the period,
    /// or attended a meeting of the period.
    pub participants: i64,
    /// With `group_by=child`: one object per direct child place (ordered by id), each with
    /// an empty `children`; otherwise empty.
    #[schema(no_recursion)]
    pub children: Vec<Stats>,
}

impl Stats {
    /// Zero everywhere, every stage, category, resolution and kind listed.
    pub fn empty(
        place_id: Option<i64>,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> Stats {
        Stats {
            place_id,
            from,
            to,
            topics: TopicCounts {
                total: 0,
                by_stage: Stage::ALL.iter().map(|s| (*s, 0)).collect(),
                by_category: Category::ALL.iter().map(|c| (*c, 0)).collect(),
                by_resolution: Resolution::ALL.iter().map(|r| (*r, 0)).collect(),
            },
            days_in_step: DaysInStep::default(),
            satisfaction: Satisfaction::default(),
            tasks: TaskCounts::default(),
            meetings: MeetingCounts {
                held: 0,
                by_kind: Kind::ALL.iter().map(|k| (*k, 0)).collect(),
            },
            participants: 0,
            children: Vec::new(),
        }
    }
}
