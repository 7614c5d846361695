//! `/topics/{id}`: one topic. Anonymous visitors see the public topic (no personal data);
//! signed-in visitors see what the API shows them, with the buttons the rules allow them
//! ([`crate::topics::overview`]). The forms of [`super::act`] re-render this page when an
//! action refuses, with the message next to its field.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::attachments::model::{AttachmentOut, Owner};
use crate::error::ApiError;
use crate::places::model::OrganizationOut;
use crate::state::AppState;
use crate::topics::model::{EvaluationSummary, ObjectionOut, PlanOut, TaskStatus, TopicOut};
use crate::topics::overview::{self, May};
use crate::topics::rules::{Action, Category, Resolution, Stage};
use crate::web::{Chrome, FormErrors, PageError, Visitor, page_with};
use crate::{attachments, db, places, public};

/// How far a step is: drawn with a word as well as a colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepState {
    Done,
    Current,
    Todo,
}

/// One of the five steps in the step indicator.
pub struct Step {
    pub word: &'static str,
    pub name: &'static str,
    pub state: StepState,
}

/// One timeline line, ready to show.
pub struct Line {
    pub when: String,
    pub what: &'static str,
    /// "说 → 议" for a step change.
    pub change: Option<String>,
    pub note: Option<String>,
}

/// Values of a refused form, shown again so nothing typed is lost (keyed by field id).
#[derive(Debug, Default, Clone)]
pub struct Kept(pub HashMap<String, String>);

impl Kept {
    /// One value kept under the field id `id`.
    pub fn one(id: &str, value: &str) -> Kept {
        let mut m = HashMap::new();
        m.insert(id.to_string(), value.to_string());
        Kept(m)
    }

    /// Adds a value.
    pub fn with(mut self, id: &str, value: &str) -> Kept {
        self.0.insert(id.to_string(), value.to_string());
        self
    }
}

/// A comment as the page shows it: never its author (the API gives only ids, and the public
/// page no ids at all).
pub struct Said {
    pub body: String,
    pub stance: crate::topics::rules::Stance,
    pub hidden: bool,
    pub created_at: DateTime<Utc>,
}

/// The topic page.
#[derive(Template)]
#[template(path = "topics/topic.html")]
pub struct TopicPage<'a> {
    pub c: Chrome<'a>,
    pub id: i64,
    pub title: String,
    pub body: String,
    pub stage: Stage,
    pub resolution: Option<Resolution>,
    pub catalog_no: Option<String>,
    pub category: Category,
    pub supporters_count: i32,
    pub hot: bool,
    pub escalated: bool,
    pub major: bool,
    pub decision: Option<String>,
    pub version: i32,
    pub steps: Vec<Step>,
    pub plan: PlanOut,
    pub tasks_done: usize,
    pub org_names: Vec<(i64, String)>,
    pub evaluation: EvaluationSummary,
    pub timeline: Vec<Line>,
    pub signed_in: bool,
    pub comments: Vec<Said>,
    pub objections: Vec<ObjectionOut>,
    pub supported: bool,
    /// The visitor's follow level (None: not following).
    pub follow: Option<crate::notifications::kinds::FollowLevel>,
    pub may: May,
    pub organizations: Vec<OrganizationOut>,
    pub merge_targets: Vec<TopicOut>,
    pub errors: FormErrors,
    pub kept: Kept,
    pub tz: Tz,
    /// The topic's photos, and each task's evidence photos by task id.
    pub photos: Vec<AttachmentOut>,
    pub evidence: Vec<(i64, Vec<AttachmentOut>)>,
}

impl TopicPage<'_> {
    /// The evidence photos of task `id`.
    pub fn evidence_of(&self, id: &i64) -> &[AttachmentOut] {
        self.evidence
            .iter()
            .find(|(t, _)| t == id)
            .map(|(_, p)| p.as_slice())
            .unwrap_or(&[])
    }

    /// A kept value of a refused form.
    pub fn kept(&self, id: &str) -> &str {
        self.kept.0.get(id).map(String::as_str).unwrap_or("")
    }

    /// The name of an organisation responsible for a task.
    pub fn org_name(&self, id: &Option<i64>) -> &str {
        id.and_then(|id| self.org_names.iter().find(|(o, _)| *o == id))
            .map(|(_, n)| n.as_str())
            .unwrap_or("")
    }

    /// A time in the installation's zone.
    pub fn when(&self, t: &DateTime<Utc>) -> String {
        local(self.tz, t)
    }

    /// A date in the installation's zone.
    pub fn day(&self, t: &DateTime<Utc>) -> String {
        t.with_timezone(&self.tz).format("%Y-%m-%d").to_string()
    }

    /// Is this workflow action offered?
    pub fn offers(&self, a: &str) -> bool {
        Action::parse(a).is_some_and(|a| self.may.actions.contains(&a))
    }

    /// The offered actions that need no field: (wire name, button name).
    pub fn buttons(&self) -> Vec<(&'static str, &'static str)> {
        const SIMPLE: [Action; 6] = [
            Action::Accept,
            Action::Escalate,
            Action::PublishPlan,
            Action::ApprovePlan,
            Action::Complete,
            Action::Close,
        ];
        SIMPLE
            .iter()
            .filter(|a| self.may.actions.contains(a))
            .map(|a| (a.as_str(), self.c.t.topics.action(a)))
            .collect()
    }

    /// Any staff form to show?
    pub fn staff_forms(&self) -> bool {
        self.may.actions.iter().any(|a| *a != Action::Withdraw)
            || self.may.edit_plan
            || self.may.add_task
    }

    /// Is a task done (for the progress count)?
    pub fn done(&self, s: &TaskStatus) -> bool {
        *s == TaskStatus::Done
    }

    /// The mean score with two decimals.
    pub fn mean(&self) -> String {
        self.evaluation
            .mean
            .map(|m| format!("{m:.2}"))
            .unwrap_or_default()
    }

    /// The field id of the 理由 of objection `id`'s answer.
    pub fn answer_id(&self, id: &i64) -> String {
        format!("answer_{id}_reason")
    }
}

fn local(tz: Tz, t: &DateTime<Utc>) -> String {
    t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string()
}

/// The five steps for a topic in `stage`; a closed topic shows the steps it went through
/// (`reached`: the furthest step) as done.
fn steps(v: &Visitor, stage: Stage, reached: Option<Stage>) -> Vec<Step> {
    let t = &v.t().topics;
    let index = |s: Stage| Stage::ALL.iter().position(|x| *x == s).unwrap_or(0);
    let five = &Stage::ALL[..5];
    five.iter()
        .map(|s| {
            let state = if stage == Stage::Closed {
                match reached {
                    Some(r) if index(*s) <= index(r) => StepState::Done,
                    _ => StepState::Todo,
                }
            } else if *s == stage {
                StepState::Current
            } else if index(*s) < index(stage) {
                StepState::Done
            } else {
                StepState::Todo
            };
            Step {
                word: t.stage_word(s),
                name: t.stage(s),
                state,
            }
        })
        .collect()
}

/// The furthest step a timeline went through (closed not counted).
fn furthest<'a>(stages: impl Iterator<Item = &'a Option<Stage>>) -> Option<Stage> {
    let index = |s: Stage| Stage::ALL.iter().position(|x| *x == s).unwrap_or(0);
    stages
        .flatten()
        .filter(|s| **s != Stage::Closed)
        .max_by_key(|s| index(**s))
        .copied()
}

/// "说 → 议" when an event moved the topic.
fn change(v: &Visitor, from: Option<Stage>, to: Option<Stage>) -> Option<String> {
    let t = &v.t().topics;
    match (from, to) {
        (Some(f), Some(to)) if f != to => Some(format!("{} → {}", t.stage(&f), t.stage(&to))),
        (None, Some(to)) => Some(t.stage(&to).to_string()),
        _ => None,
    }
}

/// GET /topics/{id}.
pub async fn show(
    v: Visitor,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, PageError> {
    render(
        &v,
        &state,
        id.into_inner(),
        FormErrors::default(),
        Kept::default(),
        StatusCode::OK,
    )
    .await
}

/// The topic page for `v`, with a refused form's `errors` and `kept` values.
pub async fn render(
    v: &Visitor,
    state: &AppState,
    id: i64,
    errors: FormErrors,
    kept: Kept,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let settings = state.settings.clone();
    let tz = settings.locale.time_zone;
    let caller = v.member.as_ref().map(|m| m.caller.clone());
    let seen = db::run(&state.pool, move |conn| {
        let reader = caller.clone();
        let seen = match caller {
            Some(caller) => {
                Seen::Member(Box::new(overview::overview(conn, &settings, &caller, id)?))
            }
            None => Seen::Public(Box::new(public::actions::public_topic(
                conn, &settings, id,
            )?)),
        };
        let mut org_ids: Vec<i64> = seen
            .plan()
            .tasks
            .iter()
            .filter_map(|t| t.organization_id)
            .collect();
        org_ids.sort_unstable();
        org_ids.dedup();
        let names = places::queries::organization_names(conn, &org_ids)?;
        let photos = photos_of(conn, reader.as_ref(), Owner::topic(id))?;
        let evidence = task_photos(conn, seen.plan())?;
        let follow = match reader.as_ref() {
            Some(r) => crate::notifications::follows::level_of(conn, r.user_id, id)?,
            None => None,
        };
        Ok((seen, names, photos, evidence, follow))
    })
    .await?;
    let (seen, org_names, photos, evidence, follow) = seen;
    let t = v.t();
    let tpl = match seen {
        Seen::Public(p) => {
            let p = *p;
            let timeline = p
                .timeline
                .iter()
                .map(|e| Line {
                    when: local(tz, &e.created_at),
                    what: t.topics.event(&e.kind),
                    change: change(v, e.from_stage, e.to_stage),
                    note: e.note.clone(),
                })
                .collect();
            let reached = furthest(p.timeline.iter().flat_map(|e| [&e.from_stage, &e.to_stage]));
            TopicPage {
                c: Chrome::new(v, p.topic.title.clone()),
                id,
                title: p.topic.title,
                body: p.body,
                stage: p.topic.stage,
                resolution: p.topic.resolution,
                catalog_no: Some(p.topic.catalog_no),
                category: p.topic.category,
                supporters_count: p.topic.supporters_count,
                hot: p.topic.hot,
                escalated: p.topic.escalated,
                major: false,
                decision: p.decision,
                version: 0,
                steps: steps(v, p.topic.stage, reached),
                tasks_done: p
                    .plan
                    .tasks
                    .iter()
                    .filter(|t| t.status == TaskStatus::Done)
                    .count(),
                plan: p.plan,
                org_names,
                evaluation: p.evaluation,
                timeline,
                signed_in: false,
                comments: p
                    .comments
                    .into_iter()
                    .map(|c| Said {
                        body: c.body,
                        stance: c.stance,
                        hidden: c.hidden,
                        created_at: c.created_at,
                    })
                    .collect(),
                objections: Vec::new(),
                supported: false,
                follow,
                may: May::default(),
                organizations: Vec::new(),
                merge_targets: Vec::new(),
                errors,
                kept,
                tz,
                photos,
                evidence,
            }
        }
        Seen::Member(o) => {
            let o = *o;
            let timeline = o
                .timeline
                .iter()
                .map(|e| Line {
                    when: local(tz, &e.created_at),
                    what: t.topics.event(&e.kind),
                    change: change(v, e.from_stage, e.to_stage),
                    note: e.note.clone(),
                })
                .collect();
            let reached = furthest(o.timeline.iter().flat_map(|e| [&e.from_stage, &e.to_stage]));
            let topic = o.topic;
            TopicPage {
                c: Chrome::new(v, topic.title.clone()),
                id,
                title: topic.title,
                body: topic.body,
                stage: topic.stage,
                resolution: topic.resolution,
                catalog_no: topic.catalog_no,
                category: topic.category,
                supporters_count: topic.supporters_count,
                hot: topic.hot,
                escalated: topic.escalated,
                major: topic.major,
                decision: topic.decision,
                version: topic.version,
                steps: steps(v, topic.stage, reached),
                tasks_done: o
                    .plan
                    .tasks
                    .iter()
                    .filter(|t| t.status == TaskStatus::Done)
                    .count(),
                plan: o.plan,
                org_names,
                evaluation: o.evaluation,
                timeline,
                signed_in: true,
                comments: o
                    .comments
                    .into_iter()
                    .map(|c| Said {
                        body: c.body,
                        stance: c.stance,
                        hidden: c.hidden,
                        created_at: c.created_at,
                    })
                    .collect(),
                objections: o.objections,
                supported: o.supported,
                follow,
                may: o.may,
                organizations: o.organizations,
                merge_targets: o.merge_targets,
                errors,
                kept,
                tz,
                photos,
                evidence,
            }
        }
    };
    page_with(v, status, &tpl)
}

/// The photos of `owner` the visitor may see (none where they may not read it).
fn photos_of(
    conn: &mut crate::db::DbConn,
    caller: Option<&crate::auth::Caller>,
    owner: Owner,
) -> Result<Vec<AttachmentOut>, ApiError> {
    match attachments::actions::list_for(conn, caller, owner) {
        Ok(list) => Ok(list
            .items
            .into_iter()
            .filter(|a| a.kind == attachments::rules::Kind::Photo)
            .collect()),
        Err(ApiError::NotFound(_) | ApiError::Forbidden(_)) => Ok(Vec::new()),
        Err(e) => Err(e),
    }
}

/// The photos of the plan's tasks, by task, in one query however many tasks (no N+1:
/// tests/statements.rs). The plan holds only the tasks this reader may see (organisation
/// users: their own; anonymous readers: a catalog topic's), which is who may read a task's
/// attachments (`attachments::actions::require_read`).
fn task_photos(
    conn: &mut crate::db::DbConn,
    plan: &PlanOut,
) -> Result<Vec<(i64, Vec<AttachmentOut>)>, ApiError> {
    let ids: Vec<i64> = plan.tasks.iter().map(|t| t.id).collect();
    let rows = attachments::queries::of_owners(conn, attachments::rules::OwnerKind::Task, &ids)?;
    let mut by_task: std::collections::BTreeMap<i64, Vec<AttachmentOut>> = Default::default();
    for row in &rows {
        let a = attachments::actions::attachment_out(row);
        if a.kind == attachments::rules::Kind::Photo {
            by_task.entry(row.owner_id).or_default().push(a);
        }
    }
    Ok(plan
        .tasks
        .iter()
        .filter_map(|t| by_task.remove(&t.id).map(|found| (t.id, found)))
        .collect())
}

/// The topic as the visitor may see it.
enum Seen {
    Public(Box<crate::public::model::PublicTopic>),
    Member(Box<overview::Overview>),
}

impl Seen {
    fn plan(&self) -> &PlanOut {
        match self {
            Seen::Public(p) => &p.plan,
            Seen::Member(o) => &o.plan,
        }
    }
}
