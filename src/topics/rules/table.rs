//! The workflow table of SPEC.md ("Topics and the five steps"): the facts a transition is
//! judged on, where an allowed action leads, the named refusals, and `apply`.

use super::{Action, Resolution, Stage};
use crate::auth::Role;

/// Everything the rules need to know; the action gathers it.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    /// Roles the caller holds at the topic's place (grant at the place or an ancestor).
    pub roles: Vec<Role>,
    /// The caller raised the topic.
    pub is_author: bool,
    /// A non-empty `reason` is in the request.
    pub has_reason: bool,
    /// A non-empty `decision` is in the request.
    pub has_decision: bool,
    /// `target_topic_id` is given (the action checks it is another open topic of the community).
    pub has_target: bool,
    /// The topic is already escalated (请你来协商).
    pub escalated: bool,
    /// The topic is flagged major (needs a hearing or opinion solicitation before a decision).
    pub major: bool,
    /// A concluded hearing/opinion-solicitation meeting has an outcome for this topic.
    pub hearing_outcome: bool,
    /// A plan or any task exists.
    pub plan_exists: bool,
    /// Number of tasks of the plan.
    pub task_count: usize,
    /// Number of those tasks that are done.
    pub tasks_done: usize,
    /// The plan is published and not sent back by an upheld objection.
    pub plan_published: bool,
    /// The public-notice period (公示期) has ended.
    pub notice_over: bool,
    /// Objections filed during the notice period and not yet answered.
    pub unanswered_objections: usize,
    /// The evaluation window has closed.
    pub window_over: bool,
    /// Ratings in the current evaluation round.
    pub ratings: usize,
    /// "Enough ratings" to close before the window ends (0 disables early closing).
    pub min_ratings: usize,
    /// Mean score of the current evaluation round, None when no ratings.
    pub mean: Option<f64>,
    /// Satisfaction threshold (mean >= threshold is satisfying).
    pub threshold: f64,
}

/// Where an allowed action leads.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Outcome {
    /// The stage after the action.
    pub stage: Stage,
    /// Set when the action closes the topic.
    pub resolution: Option<Resolution>,
    /// The escalation flag after the action (true after escalate, otherwise unchanged).
    pub escalated: bool,
}

/// A named refusal; each maps to an HTTP status and a stable code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    InvalidTransition,
    Forbidden,
    ReasonRequired,
    DecisionRequired,
    TargetRequired,
    PlanExists,
    AlreadyEscalated,
    HearingRequired,
    NoTasks,
    AlreadyPublished,
    NotPublished,
    NoticePeriodRunning,
    ObjectionsUnanswered,
    TasksNotDone,
    EvaluationOpen,
    NoRatings,
    Unsatisfied,
    Satisfied,
}

impl crate::error::RuleRefusal for Refusal {
    fn code(self) -> &'static str {
        Refusal::code(self)
    }

    fn status(self) -> u16 {
        Refusal::status(self)
    }

    fn field(self) -> Option<&'static str> {
        Refusal::field(self)
    }
}

impl Refusal {
    /// Every refusal, so callers can list the codes (messages, API docs).
    pub const ALL: [Refusal; 18] = [
        Refusal::InvalidTransition,
        Refusal::Forbidden,
        Refusal::ReasonRequired,
        Refusal::DecisionRequired,
        Refusal::TargetRequired,
        Refusal::PlanExists,
        Refusal::AlreadyEscalated,
        Refusal::HearingRequired,
        Refusal::NoTasks,
        Refusal::AlreadyPublished,
        Refusal::NotPublished,
        Refusal::NoticePeriodRunning,
        Refusal::ObjectionsUnanswered,
        Refusal::TasksNotDone,
        Refusal::EvaluationOpen,
        Refusal::NoRatings,
        Refusal::Unsatisfied,
        Refusal::Satisfied,
    ];

    /// The stable problem+json `code`.
    pub fn code(self) -> &'static str {
        match self {
            Refusal::InvalidTransition => "topic.invalid_transition",
            Refusal::Forbidden => "permission.denied",
            Refusal::ReasonRequired => "topic.reason_required",
            Refusal::DecisionRequired => "topic.decision_required",
            Refusal::TargetRequired => "topic.target_required",
            Refusal::PlanExists => "topic.plan_exists",
            Refusal::AlreadyEscalated => "topic.already_escalated",
            Refusal::HearingRequired => "topic.hearing_required",
            Refusal::NoTasks => "topic.plan_has_no_tasks",
            Refusal::AlreadyPublished => "topic.plan_already_published",
            Refusal::NotPublished => "topic.plan_not_published",
            Refusal::NoticePeriodRunning => "topic.notice_period_running",
            Refusal::ObjectionsUnanswered => "topic.objections_unanswered",
            Refusal::TasksNotDone => "topic.tasks_not_done",
            Refusal::EvaluationOpen => "topic.evaluation_open",
            Refusal::NoRatings => "topic.no_ratings",
            Refusal::Unsatisfied => "topic.unsatisfied",
            Refusal::Satisfied => "topic.satisfied",
        }
    }

    /// The HTTP status: 403 for a missing role, 422 for missing input, 409 for a state conflict.
    pub fn status(self) -> u16 {
        match self {
            Refusal::Forbidden => 403,
            Refusal::ReasonRequired | Refusal::DecisionRequired | Refusal::TargetRequired => 422,
            _ => 409,
        }
    }

    /// The request field a 422 names, so the client can point at it.
    pub fn field(self) -> Option<&'static str> {
        match self {
            Refusal::ReasonRequired => Some("reason"),
            Refusal::DecisionRequired => Some("decision"),
            Refusal::TargetRequired => Some("target_topic_id"),
            _ => None,
        }
    }
}

/// Staff in the sense of SPEC's table: community or sub-district staff.
pub const STAFF: [Role; 2] = [Role::CommunityStaff, Role::SubdistrictStaff];

/// Only sub-district staff approve a plan (街道审批).
const APPROVERS: [Role; 1] = [Role::SubdistrictStaff];

/// The action table: which actions exist for a stage (drives `allowed_actions` in responses too).
pub fn actions_for(stage: Stage) -> &'static [Action] {
    use Action::*;
    match stage {
        Stage::Say => &[Accept, Reject, Merge, Withdraw],
        Stage::Discuss => &[Withdraw, Escalate, Decide],
        Stage::Plan => &[PublishPlan, ApprovePlan],
        Stage::Act => &[Complete],
        Stage::Evaluate => &[Close, Rework],
        Stage::Closed => &[],
    }
}

/// Does the caller hold any of `allowed`?
pub(super) fn holds_any(roles: &[Role], allowed: &[Role]) -> bool {
    roles.iter().any(|r| allowed.contains(r))
}

/// Who may take `action`: withdraw belongs to the author alone, approval to sub-district staff,
/// everything else to staff.
fn permitted(action: Action, f: &Facts) -> bool {
    match action {
        Action::Withdraw => f.is_author,
        Action::ApprovePlan => holds_any(&f.roles, &APPROVERS),
        Action::Accept
        | Action::Reject
        | Action::Merge
        | Action::Escalate
        | Action::Decide
        | Action::PublishPlan
        | Action::Complete
        | Action::Close
        | Action::Rework => holds_any(&f.roles, &STAFF),
    }
}

/// Is `action` offered to this caller on a topic in `stage`: in the table for the stage and
/// permitted to the caller's roles (the first two checks of [`apply`]). Pages show a button
/// only then; input and facts are judged when it is pressed.
pub fn offered(stage: Stage, action: Action, f: &Facts) -> bool {
    actions_for(stage).contains(&action) && permitted(action, f)
}

/// Input the request must carry for `action` (422 refusals).
fn check_input(action: Action, f: &Facts) -> Result<(), Refusal> {
    match action {
        Action::Reject if !f.has_reason => Err(Refusal::ReasonRequired),
        Action::Merge if !f.has_target => Err(Refusal::TargetRequired),
        Action::Decide if !f.has_decision => Err(Refusal::DecisionRequired),
        _ => Ok(()),
    }
}

/// The mean of the round when there are ratings; an absent mean counts as no ratings.
fn rated_mean(f: &Facts) -> Result<f64, Refusal> {
    match f.mean {
        Some(mean) if f.ratings > 0 => Ok(mean),
        _ => Err(Refusal::NoRatings),
    }
}

/// Is the evaluation round satisfying? NaN is never satisfying.
fn satisfying(mean: f64, threshold: f64) -> bool {
    mean >= threshold
}

/// The state preconditions of `action` (409 refusals) and where it leads.
fn check_facts(action: Action, f: &Facts) -> Result<Outcome, Refusal> {
    let go = |stage| Outcome {
        stage,
        resolution: None,
        escalated: f.escalated,
    };
    let close = |resolution| Outcome {
        stage: Stage::Closed,
        resolution: Some(resolution),
        escalated: f.escalated,
    };
    match action {
        Action::Accept => Ok(go(Stage::Discuss)),
        Action::Reject => Ok(close(Resolution::Rejected)),
        Action::Merge => Ok(close(Resolution::Merged)),
        Action::Withdraw => {
            if f.plan_exists {
                return Err(Refusal::PlanExists);
            }
            Ok(close(Resolution::Withdrawn))
        }
        Action::Escalate => {
            if f.escalated {
                return Err(Refusal::AlreadyEscalated);
            }
            Ok(Outcome {
                escalated: true,
                ..go(Stage::Discuss)
            })
        }
        Action::Decide => {
            if f.major && !f.hearing_outcome {
                return Err(Refusal::HearingRequired);
            }
            Ok(go(Stage::Plan))
        }
        Action::PublishPlan => {
            if f.task_count == 0 {
                return Err(Refusal::NoTasks);
            }
            if f.plan_published {
                return Err(Refusal::AlreadyPublished);
            }
            Ok(go(Stage::Plan))
        }
        Action::ApprovePlan => {
            if !f.plan_published {
                return Err(Refusal::NotPublished);
            }
            if !f.notice_over {
                return Err(Refusal::NoticePeriodRunning);
            }
            if f.unanswered_objections > 0 {
                return Err(Refusal::ObjectionsUnanswered);
            }
            Ok(go(Stage::Act))
        }
        Action::Complete => {
            if f.task_count == 0 || f.tasks_done != f.task_count {
                return Err(Refusal::TasksNotDone);
            }
            Ok(go(Stage::Evaluate))
        }
        Action::Close => {
            let enough = f.min_ratings > 0 && f.ratings >= f.min_ratings;
            if !f.window_over && !enough {
                return Err(Refusal::EvaluationOpen);
            }
            // A window that passed with no rating at all closes the topic: nobody objected.
            match rated_mean(f) {
                Ok(mean) if !satisfying(mean, f.threshold) => Err(Refusal::Unsatisfied),
                _ => Ok(close(Resolution::Resolved)),
            }
        }
        Action::Rework => {
            if satisfying(rated_mean(f)?, f.threshold) {
                return Err(Refusal::Satisfied);
            }
            Ok(go(Stage::Act))
        }
    }
}

/// Are the facts of a topic in evaluate ready for 结项 (window over or enough ratings, and
/// satisfying when rated)? The same check `apply` makes for `close`, without the caller's
/// role: the workbench lists these topics as 待结项.
pub fn ready_to_close(f: &Facts) -> bool {
    check_facts(Action::Close, f).is_ok()
}

/// Applies `action` to a topic in `stage`. Check order: (1) action not in the table for the
/// stage → InvalidTransition; (2) caller lacks the role → Forbidden; (3) missing required input
/// (reason/decision/target) → 422 refusals; (4) facts → 409 refusals; else Ok(Outcome).
pub fn apply(stage: Stage, action: Action, f: &Facts) -> Result<Outcome, Refusal> {
    if !offered(stage, action, f) {
        return Err(if actions_for(stage).contains(&action) {
            Refusal::Forbidden
        } else {
            Refusal::InvalidTransition
        });
    }
    check_input(action, f)?;
    check_facts(action, f)
}
