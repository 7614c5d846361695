//! Pure rules of the five steps 说议筹办评: the workflow table of SPEC.md ("Topics and the five
//! steps") and every other topic rule as plain functions. No HTTP, no database, no clock: the
//! handlers gather the [`Facts`] and turn a [`Refusal`] into a problem response, so the whole
//! workflow can be tested exhaustively here.

use crate::auth::Role;

crate::wire_enum! {
    /// The step a topic is in: 说 say, 议 discuss, 筹 plan, 办 act, 评 evaluate, or closed.
    pub enum Stage {
        Say = "say",
        Discuss = "discuss",
        Plan = "plan",
        Act = "act",
        Evaluate = "evaluate",
        Closed = "closed",
    }
}

crate::wire_enum! {
    /// How a closed topic ended; only a closed topic has one.
    pub enum Resolution {
        Resolved = "resolved",
        Rejected = "rejected",
        Merged = "merged",
        Withdrawn = "withdrawn",
    }
}

crate::wire_enum! {
    /// A transition request's verb (`POST /topics/{id}/transitions {action}`).
    #[schema(as = TopicAction)]
    pub enum Action {
        Accept = "accept",
        Reject = "reject",
        Merge = "merge",
        Withdraw = "withdraw",
        Escalate = "escalate",
        Decide = "decide",
        PublishPlan = "publish_plan",
        ApprovePlan = "approve_plan",
        Complete = "complete",
        Close = "close",
        Rework = "rework",
    }
}

crate::wire_enum! {
    /// What a topic is about; drives routing to the responsible organisation and the statistics.
    #[schema(as = TopicCategory)]
    pub enum Category {
        Environment = "environment",
        Property = "property",
        Safety = "safety",
        Facilities = "facilities",
        TrafficParking = "traffic_parking",
        ElderlyChildren = "elderly_children",
        NeighbourhoodDisputes = "neighbourhood_disputes",
        Other = "other",
    }
}

crate::wire_enum! {
    /// Through which door a topic came in ("一门受理": one front door, many channels).
    pub enum Source {
        Resident = "resident",
        GridWorker = "grid_worker",
        Staff = "staff",
        Cppcc = "cppcc",
        Hotline = "hotline",
        Open311 = "open311",
    }
}

crate::wire_enum! {
    /// A comment's position in the discussion; only neutral outside the discuss step.
    pub enum Stance {
        For = "for",
        Against = "against",
        Neutral = "neutral",
    }
}

/// Everything the rules need to know; the handler gathers it.
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
    /// `target_topic_id` is given (the handler checks it is another open topic of the community).
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
fn holds_any(roles: &[Role], allowed: &[Role]) -> bool {
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

/// Applies `action` to a topic in `stage`. Check order: (1) action not in the table for the
/// stage → InvalidTransition; (2) caller lacks the role → Forbidden; (3) missing required input
/// (reason/decision/target) → 422 refusals; (4) facts → 409 refusals; else Ok(Outcome).
pub fn apply(stage: Stage, action: Action, f: &Facts) -> Result<Outcome, Refusal> {
    if !actions_for(stage).contains(&action) {
        return Err(Refusal::InvalidTransition);
    }
    if !permitted(action, f) {
        return Err(Refusal::Forbidden);
    }
    check_input(action, f)?;
    check_facts(action, f)
}

/// Who may create a topic and with which source: residents → Resident; grid workers (on behalf
/// of a resident or themselves) → GridWorker; community/sub-district staff → Staff; CPPCC
/// members → Cppcc. Returns the source for the strongest role held in this order: Staff, Cppcc,
/// GridWorker, Resident; None when the caller may not raise topics here. Hotline and Open311
/// topics come in through their own intake, never from a role.
pub fn creation_source(roles: &[Role]) -> Option<Source> {
    if holds_any(roles, &STAFF) {
        Some(Source::Staff)
    } else if roles.contains(&Role::CppccMember) {
        Some(Source::Cppcc)
    } else if roles.contains(&Role::GridWorker) {
        Some(Source::GridWorker)
    } else if roles.contains(&Role::Resident) {
        Some(Source::Resident)
    } else {
        None
    }
}

/// May the caller support (附议): a resident of the place, while the topic is in say or discuss.
pub fn may_support(stage: Stage, roles: &[Role]) -> bool {
    may_unsupport(stage) && roles.contains(&Role::Resident)
}

/// Undo of a support: same window (say or discuss), so the count is frozen once a decision is
/// taken.
pub fn may_unsupport(stage: Stage) -> bool {
    matches!(stage, Stage::Say | Stage::Discuss)
}

/// Comments are open in say, discuss, plan, act and evaluate (not closed).
pub fn may_comment(stage: Stage) -> bool {
    stage != Stage::Closed
}

/// A stance other than neutral only during discuss; neutral wherever comments are open.
pub fn stance_allowed(stage: Stage, stance: Stance) -> bool {
    match stance {
        Stance::Neutral => may_comment(stage),
        Stance::For | Stance::Against => stage == Stage::Discuss,
    }
}

/// Hot (热议): supporters_count >= threshold (threshold 0, or below, disables).
pub fn is_hot(supporters: i32, threshold: i32) -> bool {
    threshold > 0 && supporters >= threshold
}

/// Evaluation eligibility: raised, supported, commented, or attended a meeting about it (the
/// handler computes these booleans), in the evaluate step while the window is open.
pub fn may_rate(
    stage: Stage,
    raised: bool,
    supported: bool,
    commented: bool,
    attended: bool,
    window_open: bool,
) -> bool {
    stage == Stage::Evaluate && window_open && (raised || supported || commented || attended)
}

/// Evaluation summary over scores 1..=5: (count, mean rounded to 2 decimals or None,
/// distribution [n1..n5]). Scores outside 1..=5 are ignored (the handler refuses them). The
/// rounding is done on integers (half away from zero), so 2.345 never becomes 2.34.
pub fn summarize(scores: &[i32]) -> (usize, Option<f64>, [usize; 5]) {
    let mut distribution = [0usize; 5];
    let mut sum: u64 = 0;
    for &s in scores {
        let Ok(score) = u8::try_from(s) else { continue };
        let slot = usize::from(score)
            .checked_sub(1)
            .and_then(|i| distribution.get_mut(i));
        if let Some(slot) = slot {
            *slot += 1;
            sum += u64::from(score);
        }
    }
    let count: usize = distribution.iter().sum();
    if count == 0 {
        return (0, None, distribution);
    }
    let n = count as u64;
    // round(sum / n * 100) computed exactly: floor((200 * sum + n) / (2 * n)).
    let hundredths = (200 * sum + n) / (2 * n);
    (count, Some(hundredths as f64 / 100.0), distribution)
}

/// Catalog number text for display: year and sequence → "2026-0001".
pub fn catalog_label(year: i32, seq: i32) -> String {
    format!("{year}-{seq:04}")
}

#[cfg(test)]
mod tests {
    use super::*;

    use Action::*;

    /// The table of SPEC.md written out by hand: (stage, action) pairs that exist.
    const TABLE: [(Stage, Action); 12] = [
        (Stage::Say, Accept),
        (Stage::Say, Reject),
        (Stage::Say, Merge),
        (Stage::Say, Withdraw),
        (Stage::Discuss, Withdraw),
        (Stage::Discuss, Escalate),
        (Stage::Discuss, Decide),
        (Stage::Plan, PublishPlan),
        (Stage::Plan, ApprovePlan),
        (Stage::Act, Complete),
        (Stage::Evaluate, Close),
        (Stage::Evaluate, Rework),
    ];

    /// Roles that may take each role-gated action, written out by hand.
    fn who(action: Action) -> &'static [Role] {
        const S: &[Role] = &[Role::CommunityStaff, Role::SubdistrictStaff];
        match action {
            ApprovePlan => &[Role::SubdistrictStaff],
            Withdraw => &[],
            _ => S,
        }
    }

    /// Facts under which every cell of the table succeeds for a caller with `roles`.
    fn ok_facts(roles: Vec<Role>) -> Facts {
        Facts {
            roles,
            is_author: false,
            has_reason: true,
            has_decision: true,
            has_target: true,
            escalated: false,
            major: false,
            hearing_outcome: false,
            plan_exists: false,
            task_count: 0,
            tasks_done: 0,
            plan_published: false,
            notice_over: false,
            unanswered_objections: 0,
            window_over: true,
            ratings: 3,
            min_ratings: 10,
            mean: Some(4.0),
            threshold: 3.5,
        }
    }

    /// Adjusts `ok_facts` for the cells whose facts conflict with another cell's.
    fn ok_facts_for(stage: Stage, action: Action, roles: Vec<Role>) -> Facts {
        let mut f = ok_facts(roles);
        match (stage, action) {
            (_, Withdraw) => f.is_author = true,
            (Stage::Plan, PublishPlan) => f.task_count = 2,
            (Stage::Plan, ApprovePlan) => {
                f.task_count = 2;
                f.plan_published = true;
                f.notice_over = true;
            }
            (Stage::Act, Complete) => {
                f.task_count = 2;
                f.tasks_done = 2;
            }
            (Stage::Evaluate, Rework) => f.mean = Some(2.0),
            _ => {}
        }
        f
    }

    fn expected(stage: Stage, action: Action, escalated: bool) -> Outcome {
        let (stage, resolution) = match (stage, action) {
            (Stage::Say, Accept) => (Stage::Discuss, None),
            (Stage::Say, Reject) => (Stage::Closed, Some(Resolution::Rejected)),
            (Stage::Say, Merge) => (Stage::Closed, Some(Resolution::Merged)),
            (_, Withdraw) => (Stage::Closed, Some(Resolution::Withdrawn)),
            (Stage::Discuss, Escalate) => (Stage::Discuss, None),
            (Stage::Discuss, Decide) => (Stage::Plan, None),
            (Stage::Plan, PublishPlan) => (Stage::Plan, None),
            (Stage::Plan, ApprovePlan) => (Stage::Act, None),
            (Stage::Act, Complete) => (Stage::Evaluate, None),
            (Stage::Evaluate, Close) => (Stage::Closed, Some(Resolution::Resolved)),
            (Stage::Evaluate, Rework) => (Stage::Act, None),
            other => panic!("not in the table: {other:?}"),
        };
        Outcome {
            stage,
            resolution,
            escalated: escalated || action == Escalate,
        }
    }

    fn in_table(stage: Stage, action: Action) -> bool {
        TABLE.contains(&(stage, action))
    }

    fn staff() -> Vec<Role> {
        vec![Role::CommunityStaff]
    }

    #[test]
    fn table_is_the_spec() {
        for stage in Stage::ALL {
            for action in Action::ALL {
                let listed = actions_for(stage).contains(&action);
                assert_eq!(listed, in_table(stage, action), "{stage:?} {action:?}");
            }
        }
        assert!(actions_for(Stage::Closed).is_empty());
    }

    #[test]
    fn every_pair_outside_the_table_is_an_invalid_transition() {
        // The most permissive caller and facts: only the table can refuse.
        let mut f = ok_facts(Role::ALL.to_vec());
        f.is_author = true;
        let mut refused = 0;
        for stage in Stage::ALL {
            for action in Action::ALL {
                if in_table(stage, action) {
                    continue;
                }
                assert_eq!(
                    apply(stage, action, &f),
                    Err(Refusal::InvalidTransition),
                    "{stage:?} {action:?}"
                );
                // Even with no role and no input the table check comes first.
                assert_eq!(
                    apply(stage, action, &Facts::default()),
                    Err(Refusal::InvalidTransition),
                    "{stage:?} {action:?}"
                );
                refused += 1;
            }
        }
        assert_eq!(refused, 6 * 11 - 12);
    }

    #[test]
    fn closed_has_no_actions() {
        let mut f = ok_facts(Role::ALL.to_vec());
        f.is_author = true;
        for action in Action::ALL {
            assert_eq!(
                apply(Stage::Closed, action, &f),
                Err(Refusal::InvalidTransition)
            );
        }
    }

    #[test]
    fn every_cell_allows_its_roles_and_forbids_the_others() {
        for &(stage, action) in &TABLE {
            if action == Withdraw {
                continue;
            }
            let allowed = who(action);
            for role in Role::ALL {
                let f = ok_facts_for(stage, action, vec![role]);
                let got = apply(stage, action, &f);
                if allowed.contains(&role) {
                    assert_eq!(
                        got,
                        Ok(expected(stage, action, false)),
                        "{stage:?} {action:?} {role:?}"
                    );
                } else {
                    assert_eq!(
                        got,
                        Err(Refusal::Forbidden),
                        "{stage:?} {action:?} {role:?}"
                    );
                }
            }
            // No role at all, and being the author does not help.
            let mut f = ok_facts_for(stage, action, vec![]);
            f.is_author = true;
            assert_eq!(apply(stage, action, &f), Err(Refusal::Forbidden));
            // An allowed role among others is enough.
            let mut roles: Vec<Role> = Role::ALL
                .into_iter()
                .filter(|r| !allowed.contains(r))
                .collect();
            roles.push(allowed[0]);
            let f = ok_facts_for(stage, action, roles);
            assert_eq!(apply(stage, action, &f), Ok(expected(stage, action, false)));
        }
    }

    #[test]
    fn withdraw_belongs_to_the_author_alone() {
        for stage in [Stage::Say, Stage::Discuss] {
            // The author withdraws whatever roles they hold, even none.
            let f = ok_facts_for(stage, Withdraw, vec![]);
            assert_eq!(
                apply(stage, Withdraw, &f),
                Ok(expected(stage, Withdraw, false))
            );
            for role in Role::ALL {
                let f = ok_facts_for(stage, Withdraw, vec![role]);
                assert_eq!(
                    apply(stage, Withdraw, &f),
                    Ok(expected(stage, Withdraw, false)),
                    "{role:?}"
                );
                // Anyone else, staff and admins included, is refused.
                let mut f = ok_facts_for(stage, Withdraw, vec![role]);
                f.is_author = false;
                assert_eq!(
                    apply(stage, Withdraw, &f),
                    Err(Refusal::Forbidden),
                    "{role:?}"
                );
            }
        }
    }

    #[test]
    fn withdraw_refused_once_a_plan_exists() {
        for stage in [Stage::Say, Stage::Discuss] {
            let mut f = ok_facts_for(stage, Withdraw, vec![Role::Resident]);
            f.plan_exists = true;
            assert_eq!(apply(stage, Withdraw, &f), Err(Refusal::PlanExists));
            // Not the author: the role check comes first.
            f.is_author = false;
            assert_eq!(apply(stage, Withdraw, &f), Err(Refusal::Forbidden));
        }
    }

    #[test]
    fn accept_leads_to_discuss() {
        let f = Facts {
            roles: vec![Role::SubdistrictStaff],
            ..Facts::default()
        };
        let out = apply(Stage::Say, Accept, &f);
        assert_eq!(
            out,
            Ok(Outcome {
                stage: Stage::Discuss,
                resolution: None,
                escalated: false
            })
        );
    }

    #[test]
    fn reject_needs_a_reason() {
        let mut f = ok_facts(staff());
        f.has_reason = false;
        assert_eq!(apply(Stage::Say, Reject, &f), Err(Refusal::ReasonRequired));
        f.has_reason = true;
        assert_eq!(
            apply(Stage::Say, Reject, &f),
            Ok(expected(Stage::Say, Reject, false))
        );
    }

    #[test]
    fn merge_needs_a_target() {
        let mut f = ok_facts(staff());
        f.has_target = false;
        assert_eq!(apply(Stage::Say, Merge, &f), Err(Refusal::TargetRequired));
        f.has_target = true;
        assert_eq!(
            apply(Stage::Say, Merge, &f),
            Ok(expected(Stage::Say, Merge, false))
        );
    }

    #[test]
    fn escalate_once() {
        let mut f = ok_facts(staff());
        let out = apply(Stage::Discuss, Escalate, &f);
        assert_eq!(
            out,
            Ok(Outcome {
                stage: Stage::Discuss,
                resolution: None,
                escalated: true
            })
        );
        f.escalated = true;
        assert_eq!(
            apply(Stage::Discuss, Escalate, &f),
            Err(Refusal::AlreadyEscalated)
        );
    }

    #[test]
    fn decide_needs_a_decision_and_for_major_topics_a_hearing() {
        let mut f = ok_facts(staff());
        f.has_decision = false;
        assert_eq!(
            apply(Stage::Discuss, Decide, &f),
            Err(Refusal::DecisionRequired)
        );
        f.has_decision = true;
        assert_eq!(
            apply(Stage::Discuss, Decide, &f),
            Ok(expected(Stage::Discuss, Decide, false))
        );
        f.major = true;
        assert_eq!(
            apply(Stage::Discuss, Decide, &f),
            Err(Refusal::HearingRequired)
        );
        f.hearing_outcome = true;
        assert_eq!(
            apply(Stage::Discuss, Decide, &f),
            Ok(expected(Stage::Discuss, Decide, false))
        );
        // A hearing outcome is harmless for a topic that is not major.
        f.major = false;
        assert_eq!(
            apply(Stage::Discuss, Decide, &f),
            Ok(expected(Stage::Discuss, Decide, false))
        );
    }

    #[test]
    fn publish_plan_needs_tasks_and_publishes_once() {
        let mut f = ok_facts(vec![Role::SubdistrictStaff]);
        f.task_count = 0;
        assert_eq!(apply(Stage::Plan, PublishPlan, &f), Err(Refusal::NoTasks));
        f.task_count = 1;
        assert_eq!(
            apply(Stage::Plan, PublishPlan, &f),
            Ok(expected(Stage::Plan, PublishPlan, false))
        );
        f.plan_published = true;
        assert_eq!(
            apply(Stage::Plan, PublishPlan, &f),
            Err(Refusal::AlreadyPublished)
        );
    }

    #[test]
    fn approve_plan_waits_for_notice_and_answers() {
        let base = ok_facts_for(Stage::Plan, ApprovePlan, vec![Role::SubdistrictStaff]);
        assert_eq!(
            apply(Stage::Plan, ApprovePlan, &base),
            Ok(expected(Stage::Plan, ApprovePlan, false))
        );

        let mut f = base.clone();
        f.plan_published = false;
        assert_eq!(
            apply(Stage::Plan, ApprovePlan, &f),
            Err(Refusal::NotPublished)
        );

        let mut f = base.clone();
        f.notice_over = false;
        assert_eq!(
            apply(Stage::Plan, ApprovePlan, &f),
            Err(Refusal::NoticePeriodRunning)
        );

        let mut f = base.clone();
        f.unanswered_objections = 1;
        assert_eq!(
            apply(Stage::Plan, ApprovePlan, &f),
            Err(Refusal::ObjectionsUnanswered)
        );

        // Order among the fact refusals: published, then notice, then objections.
        let mut f = base.clone();
        f.plan_published = false;
        f.notice_over = false;
        f.unanswered_objections = 3;
        assert_eq!(
            apply(Stage::Plan, ApprovePlan, &f),
            Err(Refusal::NotPublished)
        );
        f.plan_published = true;
        assert_eq!(
            apply(Stage::Plan, ApprovePlan, &f),
            Err(Refusal::NoticePeriodRunning)
        );

        // Community staff publish but do not approve.
        let mut f = base;
        f.roles = vec![Role::CommunityStaff];
        assert_eq!(apply(Stage::Plan, ApprovePlan, &f), Err(Refusal::Forbidden));
    }

    #[test]
    fn complete_needs_every_task_done() {
        let mut f = ok_facts(staff());
        f.task_count = 0;
        f.tasks_done = 0;
        assert_eq!(apply(Stage::Act, Complete, &f), Err(Refusal::TasksNotDone));
        f.task_count = 3;
        f.tasks_done = 2;
        assert_eq!(apply(Stage::Act, Complete, &f), Err(Refusal::TasksNotDone));
        f.tasks_done = 3;
        assert_eq!(
            apply(Stage::Act, Complete, &f),
            Ok(expected(Stage::Act, Complete, false))
        );
    }

    #[test]
    fn close_waits_for_the_window_or_enough_ratings() {
        let mut f = ok_facts(staff());
        f.window_over = false;
        f.min_ratings = 10;
        f.ratings = 9;
        assert_eq!(
            apply(Stage::Evaluate, Close, &f),
            Err(Refusal::EvaluationOpen)
        );
        f.ratings = 10;
        assert_eq!(
            apply(Stage::Evaluate, Close, &f),
            Ok(expected(Stage::Evaluate, Close, false))
        );
        // min_ratings 0 disables early closing, however many ratings there are.
        f.min_ratings = 0;
        f.ratings = 50;
        assert_eq!(
            apply(Stage::Evaluate, Close, &f),
            Err(Refusal::EvaluationOpen)
        );
        f.window_over = true;
        assert_eq!(
            apply(Stage::Evaluate, Close, &f),
            Ok(expected(Stage::Evaluate, Close, false))
        );
    }

    #[test]
    fn close_needs_ratings_and_satisfaction() {
        let mut f = ok_facts(staff());
        f.window_over = true;
        f.ratings = 0;
        f.mean = None;
        // The window passed with no rating: the topic closes (nobody objected).
        let closed = Ok(expected(Stage::Evaluate, Close, false));
        assert_eq!(apply(Stage::Evaluate, Close, &f), closed);
        // An inconsistent count without a mean is still no ratings.
        f.ratings = 2;
        assert_eq!(apply(Stage::Evaluate, Close, &f), closed);
        // Without ratings, an open window keeps it open.
        f.ratings = 0;
        f.window_over = false;
        assert_eq!(
            apply(Stage::Evaluate, Close, &f),
            Err(Refusal::EvaluationOpen)
        );
        f.window_over = true;

        f.ratings = 4;
        f.threshold = 3.5;
        f.mean = Some(3.49);
        assert_eq!(apply(Stage::Evaluate, Close, &f), Err(Refusal::Unsatisfied));
        f.mean = Some(f64::NAN);
        assert_eq!(apply(Stage::Evaluate, Close, &f), Err(Refusal::Unsatisfied));
        f.mean = Some(3.5);
        assert_eq!(
            apply(Stage::Evaluate, Close, &f),
            Ok(expected(Stage::Evaluate, Close, false))
        );
        // The window check comes before the ratings checks.
        f.window_over = false;
        f.min_ratings = 0;
        f.ratings = 0;
        f.mean = None;
        assert_eq!(
            apply(Stage::Evaluate, Close, &f),
            Err(Refusal::EvaluationOpen)
        );
    }

    #[test]
    fn rework_needs_an_unsatisfying_result() {
        let mut f = ok_facts(staff());
        f.ratings = 0;
        f.mean = None;
        assert_eq!(apply(Stage::Evaluate, Rework, &f), Err(Refusal::NoRatings));
        f.ratings = 5;
        f.threshold = 3.5;
        f.mean = Some(3.5);
        assert_eq!(apply(Stage::Evaluate, Rework, &f), Err(Refusal::Satisfied));
        f.mean = Some(4.8);
        assert_eq!(apply(Stage::Evaluate, Rework, &f), Err(Refusal::Satisfied));
        f.mean = Some(3.4);
        assert_eq!(
            apply(Stage::Evaluate, Rework, &f),
            Ok(expected(Stage::Evaluate, Rework, false))
        );
        // Rework does not wait for the window.
        f.window_over = false;
        assert_eq!(
            apply(Stage::Evaluate, Rework, &f),
            Ok(expected(Stage::Evaluate, Rework, false))
        );
    }

    #[test]
    fn check_order_role_before_input_before_facts() {
        // Residents without input are refused for the role, not the input.
        let resident = Facts {
            roles: vec![Role::Resident],
            major: true,
            ..Facts::default()
        };
        assert_eq!(
            apply(Stage::Say, Reject, &resident),
            Err(Refusal::Forbidden)
        );
        assert_eq!(apply(Stage::Say, Merge, &resident), Err(Refusal::Forbidden));
        assert_eq!(
            apply(Stage::Discuss, Decide, &resident),
            Err(Refusal::Forbidden)
        );
        // The table check comes before the role check.
        assert_eq!(
            apply(Stage::Discuss, Accept, &resident),
            Err(Refusal::InvalidTransition)
        );
        // Missing input comes before the facts: major without hearing and without decision.
        let f = Facts {
            roles: staff(),
            major: true,
            ..Facts::default()
        };
        assert_eq!(
            apply(Stage::Discuss, Decide, &f),
            Err(Refusal::DecisionRequired)
        );
        // A fact refusal only after the role: a resident at an unpublished plan.
        assert_eq!(
            apply(Stage::Plan, ApprovePlan, &resident),
            Err(Refusal::Forbidden)
        );
        assert_eq!(
            apply(Stage::Act, Complete, &resident),
            Err(Refusal::Forbidden)
        );
    }

    #[test]
    fn escalation_is_carried_through_other_actions() {
        for &(stage, action) in &TABLE {
            let mut roles = staff();
            roles.push(Role::SubdistrictStaff);
            let mut f = ok_facts_for(stage, action, roles);
            f.escalated = true;
            let got = apply(stage, action, &f);
            if action == Escalate {
                assert_eq!(got, Err(Refusal::AlreadyEscalated));
            } else {
                assert_eq!(
                    got,
                    Ok(expected(stage, action, true)),
                    "{stage:?} {action:?}"
                );
            }
        }
    }

    #[test]
    fn refusal_mapping() {
        let table: [(Refusal, &str, u16, Option<&str>); 18] = [
            (
                Refusal::InvalidTransition,
                "topic.invalid_transition",
                409,
                None,
            ),
            (Refusal::Forbidden, "permission.denied", 403, None),
            (
                Refusal::ReasonRequired,
                "topic.reason_required",
                422,
                Some("reason"),
            ),
            (
                Refusal::DecisionRequired,
                "topic.decision_required",
                422,
                Some("decision"),
            ),
            (
                Refusal::TargetRequired,
                "topic.target_required",
                422,
                Some("target_topic_id"),
            ),
            (Refusal::PlanExists, "topic.plan_exists", 409, None),
            (
                Refusal::AlreadyEscalated,
                "topic.already_escalated",
                409,
                None,
            ),
            (
                Refusal::HearingRequired,
                "topic.hearing_required",
                409,
                None,
            ),
            (Refusal::NoTasks, "topic.plan_has_no_tasks", 409, None),
            (
                Refusal::AlreadyPublished,
                "topic.plan_already_published",
                409,
                None,
            ),
            (Refusal::NotPublished, "topic.plan_not_published", 409, None),
            (
                Refusal::NoticePeriodRunning,
                "topic.notice_period_running",
                409,
                None,
            ),
            (
                Refusal::ObjectionsUnanswered,
                "topic.objections_unanswered",
                409,
                None,
            ),
            (Refusal::TasksNotDone, "topic.tasks_not_done", 409, None),
            (Refusal::EvaluationOpen, "topic.evaluation_open", 409, None),
            (Refusal::NoRatings, "topic.no_ratings", 409, None),
            (Refusal::Unsatisfied, "topic.unsatisfied", 409, None),
            (Refusal::Satisfied, "topic.satisfied", 409, None),
        ];
        for (r, code, status, field) in table {
            assert_eq!(r.code(), code, "{r:?}");
            assert_eq!(r.status(), status, "{r:?}");
            assert_eq!(r.field(), field, "{r:?}");
        }
        let listed: Vec<Refusal> = table.iter().map(|t| t.0).collect();
        assert_eq!(listed, Refusal::ALL.to_vec());
    }

    #[test]
    fn creation_source_takes_the_strongest_role() {
        assert_eq!(creation_source(&[Role::Resident]), Some(Source::Resident));
        assert_eq!(
            creation_source(&[Role::GridWorker]),
            Some(Source::GridWorker)
        );
        assert_eq!(
            creation_source(&[Role::CommunityStaff]),
            Some(Source::Staff)
        );
        assert_eq!(
            creation_source(&[Role::SubdistrictStaff]),
            Some(Source::Staff)
        );
        assert_eq!(creation_source(&[Role::CppccMember]), Some(Source::Cppcc));
        assert_eq!(
            creation_source(&[Role::Resident, Role::GridWorker]),
            Some(Source::GridWorker)
        );
        assert_eq!(
            creation_source(&[Role::GridWorker, Role::CppccMember, Role::Resident]),
            Some(Source::Cppcc)
        );
        assert_eq!(
            creation_source(&[Role::CppccMember, Role::SubdistrictStaff]),
            Some(Source::Staff)
        );
        assert_eq!(creation_source(&Role::ALL), Some(Source::Staff));
        for role in [Role::PropertyFirm, Role::Department, Role::Admin] {
            assert_eq!(creation_source(&[role]), None, "{role:?}");
        }
        assert_eq!(
            creation_source(&[Role::PropertyFirm, Role::Department, Role::Admin]),
            None
        );
        assert_eq!(creation_source(&[]), None);
    }

    #[test]
    fn supports_only_by_residents_in_say_and_discuss() {
        for stage in Stage::ALL {
            let open = matches!(stage, Stage::Say | Stage::Discuss);
            assert_eq!(may_unsupport(stage), open, "{stage:?}");
            for role in Role::ALL {
                assert_eq!(
                    may_support(stage, &[role]),
                    open && role == Role::Resident,
                    "{stage:?} {role:?}"
                );
            }
            assert_eq!(
                may_support(stage, &[Role::CommunityStaff, Role::Resident]),
                open
            );
            assert!(!may_support(stage, &[]));
        }
    }

    #[test]
    fn comments_and_stances() {
        for stage in Stage::ALL {
            assert_eq!(may_comment(stage), stage != Stage::Closed, "{stage:?}");
            assert_eq!(
                stance_allowed(stage, Stance::Neutral),
                stage != Stage::Closed,
                "{stage:?}"
            );
            for stance in [Stance::For, Stance::Against] {
                assert_eq!(
                    stance_allowed(stage, stance),
                    stage == Stage::Discuss,
                    "{stage:?} {stance:?}"
                );
            }
        }
    }

    #[test]
    fn hot_threshold() {
        assert!(is_hot(10, 10));
        assert!(is_hot(11, 10));
        assert!(!is_hot(9, 10));
        assert!(!is_hot(0, 1));
        assert!(is_hot(1, 1));
        // Threshold 0 (or a nonsense negative one) disables.
        assert!(!is_hot(0, 0));
        assert!(!is_hot(1000, 0));
        assert!(!is_hot(5, -1));
    }

    #[test]
    fn rating_eligibility() {
        for stage in Stage::ALL {
            for bits in 0u8..32 {
                let raised = bits & 1 != 0;
                let supported = bits & 2 != 0;
                let commented = bits & 4 != 0;
                let attended = bits & 8 != 0;
                let window_open = bits & 16 != 0;
                let want = stage == Stage::Evaluate
                    && window_open
                    && (raised || supported || commented || attended);
                assert_eq!(
                    may_rate(stage, raised, supported, commented, attended, window_open),
                    want,
                    "{stage:?} {bits:05b}"
                );
            }
        }
        assert!(may_rate(Stage::Evaluate, false, false, false, true, true));
        assert!(!may_rate(Stage::Evaluate, true, true, true, true, false));
        assert!(!may_rate(Stage::Act, true, true, true, true, true));
    }

    #[test]
    fn summary_counts_means_and_distribution() {
        assert_eq!(summarize(&[]), (0, None, [0; 5]));
        assert_eq!(summarize(&[5]), (1, Some(5.0), [0, 0, 0, 0, 1]));
        assert_eq!(summarize(&[1, 2, 3, 4, 5]), (5, Some(3.0), [1, 1, 1, 1, 1]));
        // 5/3 = 1.666.. → 1.67; 13/3 = 4.333.. → 4.33.
        assert_eq!(summarize(&[1, 2, 2]), (3, Some(1.67), [1, 2, 0, 0, 0]));
        assert_eq!(summarize(&[4, 4, 5]), (3, Some(4.33), [0, 0, 0, 2, 1]));
        // Exact halves round up: 35/8 = 4.375 → 4.38; 9/8 = 1.125 → 1.13.
        assert_eq!(
            summarize(&[5, 5, 5, 4, 4, 4, 4, 4]),
            (8, Some(4.38), [0, 0, 0, 5, 3])
        );
        assert_eq!(
            summarize(&[1, 1, 1, 1, 1, 1, 1, 2]),
            (8, Some(1.13), [7, 1, 0, 0, 0])
        );
        // 2/7 of the way: 25/7 = 3.5714.. → 3.57.
        assert_eq!(
            summarize(&[5, 5, 4, 4, 3, 2, 2]),
            (7, Some(3.57), [0, 2, 1, 2, 2])
        );
        // Out-of-range scores are ignored.
        assert_eq!(
            summarize(&[0, 6, -1, i32::MIN, i32::MAX]),
            (0, None, [0; 5])
        );
        assert_eq!(summarize(&[0, 3, 6]), (1, Some(3.0), [0, 0, 1, 0, 0]));
        // Many ratings do not overflow.
        let many = vec![4; 100_000];
        assert_eq!(
            summarize(&many),
            (100_000, Some(4.0), [0, 0, 0, 100_000, 0])
        );
    }

    #[test]
    fn catalog_labels() {
        assert_eq!(catalog_label(2026, 1), "2026-0001");
        assert_eq!(catalog_label(2026, 42), "2026-0042");
        assert_eq!(catalog_label(2025, 9999), "2025-9999");
        assert_eq!(catalog_label(2026, 12345), "2026-12345");
    }

    #[test]
    fn names_round_trip() {
        fn check<T>(all: &[T], as_str: fn(T) -> &'static str, parse: fn(&str) -> Option<T>)
        where
            T: Copy + PartialEq + std::fmt::Debug + serde::Serialize + serde::de::DeserializeOwned,
        {
            for &v in all {
                let name = as_str(v);
                assert_eq!(parse(name), Some(v));
                // The serde wire name is the same as the stored name.
                let json = serde_json::to_string(&v).unwrap();
                assert_eq!(json, format!("\"{name}\""));
                let back: T = serde_json::from_str(&json).unwrap();
                assert_eq!(back, v);
            }
            assert_eq!(parse("nonsense"), None);
            assert_eq!(parse(""), None);
        }
        check(&Stage::ALL, Stage::as_str, Stage::parse);
        check(&Resolution::ALL, Resolution::as_str, Resolution::parse);
        check(&Action::ALL, Action::as_str, Action::parse);
        check(&Category::ALL, Category::as_str, Category::parse);
        check(&Source::ALL, Source::as_str, Source::parse);
        check(&Stance::ALL, Stance::as_str, Stance::parse);
        assert_eq!(Action::PublishPlan.as_str(), "publish_plan");
        assert_eq!(Source::Open311.as_str(), "open311");
        assert_eq!(
            Category::NeighbourhoodDisputes.as_str(),
            "neighbourhood_disputes"
        );
    }
}
