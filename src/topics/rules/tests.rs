//! Unit tests of the pure topic rules.

use super::*;
use crate::auth::Role;

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

/// Back to bare facts (no input, nothing done), keeping the roles.
fn bare(f: &mut Facts) {
    *f = Facts {
        roles: std::mem::take(&mut f.roles),
        ..Facts::default()
    };
}

/// Bare facts of a major topic.
fn bare_major(f: &mut Facts) {
    bare(f);
    f.major = true;
}

/// The facts under which approval succeeds.
fn approvable(f: &mut Facts) {
    f.task_count = 2;
    f.plan_published = true;
    f.notice_over = true;
}

/// What a case expects: `OK` is the cell's outcome, else the refusal.
type Want = Result<(), Refusal>;
const OK: Want = Ok(());

/// One case: stage, action, the caller's roles, a change to `ok_facts`, and the answer.
type Case = (Stage, Action, &'static [Role], fn(&mut Facts), Want);

const S: &[Role] = &[Role::CommunityStaff];
const SUB: &[Role] = &[Role::SubdistrictStaff];
const RES: &[Role] = &[Role::Resident];

/// Every required input, every fact refusal and the check order, one row each.
#[rustfmt::skip]
const CASES: &[Case] = {
    use Refusal::*;
    use Stage::*;
    &[
        // Accept needs nothing but staff.
        (Say, Accept, SUB, bare, OK),
        // Reject needs a reason, merge a target.
        (Say, Reject, S, |f| f.has_reason = false, Err(ReasonRequired)),
        (Say, Reject, S, |_| {}, OK),
        (Say, Merge, S, |f| f.has_target = false, Err(TargetRequired)),
        (Say, Merge, S, |_| {}, OK),
        // Escalate once.
        (Discuss, Escalate, S, |_| {}, OK),
        (Discuss, Escalate, S, |f| f.escalated = true, Err(AlreadyEscalated)),
        // Decide needs a decision, and for major topics a hearing.
        (Discuss, Decide, S, |f| f.has_decision = false, Err(DecisionRequired)),
        (Discuss, Decide, S, |_| {}, OK),
        (Discuss, Decide, S, |f| f.major = true, Err(HearingRequired)),
        (Discuss, Decide, S, |f| (f.major, f.hearing_outcome) = (true, true), OK),
        // A hearing outcome is harmless for a topic that is not major.
        (Discuss, Decide, S, |f| f.hearing_outcome = true, OK),
        // Publish needs tasks and publishes once.
        (Plan, PublishPlan, SUB, |f| f.task_count = 0, Err(NoTasks)),
        (Plan, PublishPlan, SUB, |f| f.task_count = 1, OK),
        (Plan, PublishPlan, SUB, |f| (f.task_count, f.plan_published) = (1, true), Err(AlreadyPublished)),
        // Approval waits for publication, the notice period and the answers, in that order.
        (Plan, ApprovePlan, SUB, approvable, OK),
        (Plan, ApprovePlan, SUB, |f| { approvable(f); f.plan_published = false }, Err(NotPublished)),
        (Plan, ApprovePlan, SUB, |f| { approvable(f); f.notice_over = false }, Err(NoticePeriodRunning)),
        (Plan, ApprovePlan, SUB, |f| { approvable(f); f.unanswered_objections = 1 }, Err(ObjectionsUnanswered)),
        (Plan, ApprovePlan, SUB, |f| { approvable(f); (f.plan_published, f.notice_over, f.unanswered_objections) = (false, false, 3) }, Err(NotPublished)),
        (Plan, ApprovePlan, SUB, |f| { approvable(f); (f.notice_over, f.unanswered_objections) = (false, 3) }, Err(NoticePeriodRunning)),
        // Community staff publish but do not approve.
        (Plan, ApprovePlan, S, approvable, Err(Forbidden)),
        // Complete needs every task done.
        (Act, Complete, S, |f| (f.task_count, f.tasks_done) = (0, 0), Err(TasksNotDone)),
        (Act, Complete, S, |f| (f.task_count, f.tasks_done) = (3, 2), Err(TasksNotDone)),
        (Act, Complete, S, |f| (f.task_count, f.tasks_done) = (3, 3), OK),
        // Close waits for the window or enough ratings; min_ratings 0 disables early closing.
        (Evaluate, Close, S, |f| (f.window_over, f.min_ratings, f.ratings) = (false, 10, 9), Err(EvaluationOpen)),
        (Evaluate, Close, S, |f| (f.window_over, f.min_ratings, f.ratings) = (false, 10, 10), OK),
        (Evaluate, Close, S, |f| (f.window_over, f.min_ratings, f.ratings) = (false, 0, 50), Err(EvaluationOpen)),
        (Evaluate, Close, S, |f| (f.window_over, f.min_ratings, f.ratings) = (true, 0, 50), OK),
        // The window passed with no rating: the topic closes (nobody objected); an
        // inconsistent count without a mean is still no ratings.
        (Evaluate, Close, S, |f| (f.ratings, f.mean) = (0, None), OK),
        (Evaluate, Close, S, |f| (f.ratings, f.mean) = (2, None), OK),
        // Without ratings, an open window keeps it open.
        (Evaluate, Close, S, |f| (f.window_over, f.ratings, f.mean) = (false, 0, None), Err(EvaluationOpen)),
        // Rated: the mean must reach the threshold (NaN never does).
        (Evaluate, Close, S, |f| (f.ratings, f.threshold, f.mean) = (4, 3.5, Some(3.49)), Err(Unsatisfied)),
        (Evaluate, Close, S, |f| (f.ratings, f.threshold, f.mean) = (4, 3.5, Some(f64::NAN)), Err(Unsatisfied)),
        (Evaluate, Close, S, |f| (f.ratings, f.threshold, f.mean) = (4, 3.5, Some(3.5)), OK),
        // The window check comes before the ratings checks.
        (Evaluate, Close, S, |f| (f.window_over, f.min_ratings, f.ratings, f.mean, f.threshold) = (false, 0, 0, None, 3.5), Err(EvaluationOpen)),
        // Rework needs ratings and an unsatisfying mean; it does not wait for the window.
        (Evaluate, Rework, S, |f| (f.ratings, f.mean) = (0, None), Err(NoRatings)),
        (Evaluate, Rework, S, |f| (f.ratings, f.threshold, f.mean) = (5, 3.5, Some(3.5)), Err(Satisfied)),
        (Evaluate, Rework, S, |f| (f.ratings, f.threshold, f.mean) = (5, 3.5, Some(4.8)), Err(Satisfied)),
        (Evaluate, Rework, S, |f| (f.ratings, f.threshold, f.mean) = (5, 3.5, Some(3.4)), OK),
        (Evaluate, Rework, S, |f| (f.ratings, f.threshold, f.mean, f.window_over) = (5, 3.5, Some(3.4), false), OK),
        // Check order: the role before the input, the table before the role.
        (Say, Reject, RES, bare_major, Err(Forbidden)),
        (Say, Merge, RES, bare_major, Err(Forbidden)),
        (Discuss, Decide, RES, bare_major, Err(Forbidden)),
        (Discuss, Accept, RES, bare_major, Err(InvalidTransition)),
        // Missing input comes before the facts: major without hearing and without decision.
        (Discuss, Decide, S, bare_major, Err(DecisionRequired)),
        // A fact refusal only after the role: a resident at an unpublished plan.
        (Plan, ApprovePlan, RES, bare_major, Err(Forbidden)),
        (Act, Complete, RES, bare_major, Err(Forbidden)),
    ]
};

#[test]
fn inputs_facts_and_check_order() {
    for (i, &(stage, action, roles, tweak, want)) in CASES.iter().enumerate() {
        let mut f = ok_facts(roles.to_vec());
        tweak(&mut f);
        let want = want.map(|()| expected(stage, action, false));
        assert_eq!(
            apply(stage, action, &f),
            want,
            "case {i}: {stage:?} {action:?}"
        );
    }
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
    use Refusal::*;
    #[rustfmt::skip]
    let table: [(Refusal, &str, u16, Option<&str>); 18] = [
        (InvalidTransition, "topic.invalid_transition", 409, None),
        (Forbidden, "permission.denied", 403, None),
        (ReasonRequired, "topic.reason_required", 422, Some("reason")),
        (DecisionRequired, "topic.decision_required", 422, Some("decision")),
        (TargetRequired, "topic.target_required", 422, Some("target_topic_id")),
        (PlanExists, "topic.plan_exists", 409, None),
        (AlreadyEscalated, "topic.already_escalated", 409, None),
        (HearingRequired, "topic.hearing_required", 409, None),
        (NoTasks, "topic.plan_has_no_tasks", 409, None),
        (AlreadyPublished, "topic.plan_already_published", 409, None),
        (NotPublished, "topic.plan_not_published", 409, None),
        (NoticePeriodRunning, "topic.notice_period_running", 409, None),
        (ObjectionsUnanswered, "topic.objections_unanswered", 409, None),
        (TasksNotDone, "topic.tasks_not_done", 409, None),
        (EvaluationOpen, "topic.evaluation_open", 409, None),
        (NoRatings, "topic.no_ratings", 409, None),
        (Unsatisfied, "topic.unsatisfied", 409, None),
        (Satisfied, "topic.satisfied", 409, None),
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
    use Role::*;
    let cases: [(&[Role], Option<Source>); 15] = [
        (&[Resident], Some(Source::Resident)),
        (&[GridWorker], Some(Source::GridWorker)),
        (&[CommunityStaff], Some(Source::Staff)),
        (&[SubdistrictStaff], Some(Source::Staff)),
        (&[CppccMember], Some(Source::Cppcc)),
        (&[Resident, GridWorker], Some(Source::GridWorker)),
        (&[GridWorker, CppccMember, Resident], Some(Source::Cppcc)),
        (&[CppccMember, SubdistrictStaff], Some(Source::Staff)),
        (&Role::ALL, Some(Source::Staff)),
        (&[PropertyFirm], None),
        (&[Department], None),
        (&[Admin], None),
        (&[PropertyFirm, Department, Admin], None),
        (&[], None),
        (&[Admin, Resident], Some(Source::Resident)),
    ];
    for (roles, want) in cases {
        assert_eq!(creation_source(roles), want, "{roles:?}");
    }
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
    // Threshold 0 (or a nonsense negative one) disables.
    let cases = [
        (10, 10, true),
        (11, 10, true),
        (9, 10, false),
        (0, 1, false),
        (1, 1, true),
        (0, 0, false),
        (1000, 0, false),
        (5, -1, false),
    ];
    for (supporters, threshold, hot) in cases {
        assert_eq!(
            is_hot(supporters, threshold),
            hot,
            "{supporters} {threshold}"
        );
    }
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
    let many = vec![4; 100_000];
    type Summary = (usize, Option<f64>, [usize; 5]);
    let cases: [(&[i32], Summary); 11] = [
        (&[], (0, None, [0; 5])),
        (&[5], (1, Some(5.0), [0, 0, 0, 0, 1])),
        (&[1, 2, 3, 4, 5], (5, Some(3.0), [1, 1, 1, 1, 1])),
        // 5/3 = 1.666.. → 1.67; 13/3 = 4.333.. → 4.33.
        (&[1, 2, 2], (3, Some(1.67), [1, 2, 0, 0, 0])),
        (&[4, 4, 5], (3, Some(4.33), [0, 0, 0, 2, 1])),
        // Exact halves round up: 35/8 = 4.375 → 4.38; 9/8 = 1.125 → 1.13.
        (&[5, 5, 5, 4, 4, 4, 4, 4], (8, Some(4.38), [0, 0, 0, 5, 3])),
        (&[1, 1, 1, 1, 1, 1, 1, 2], (8, Some(1.13), [7, 1, 0, 0, 0])),
        // 2/7 of the way: 25/7 = 3.5714.. → 3.57.
        (&[5, 5, 4, 4, 3, 2, 2], (7, Some(3.57), [0, 2, 1, 2, 2])),
        // Out-of-range scores are ignored.
        (&[0, 6, -1, i32::MIN, i32::MAX], (0, None, [0; 5])),
        (&[0, 3, 6], (1, Some(3.0), [0, 0, 1, 0, 0])),
        // Many ratings do not overflow.
        (&many, (100_000, Some(4.0), [0, 0, 0, 100_000, 0])),
    ];
    for (scores, want) in cases {
        assert_eq!(
            summarize(scores),
            want,
            "{:?}",
            &scores[..scores.len().min(8)]
        );
    }
}

#[test]
fn catalog_labels() {
    let cases = [
        (2026, 1, "2026-0001"),
        (2026, 42, "2026-0042"),
        (2025, 9999, "2025-9999"),
        (2026, 12345, "2026-12345"),
    ];
    for (year, seq, label) in cases {
        assert_eq!(catalog_label(year, seq), label);
    }
}

#[test]
fn names_are_pinned() {
    // Every value's round trip is checked once for all wire enums (wire.rs); these pin names.
    assert_eq!(Action::PublishPlan.as_str(), "publish_plan");
    assert_eq!(Source::Open311.as_str(), "open311");
    assert_eq!(
        Category::NeighbourhoodDisputes.as_str(),
        "neighbourhood_disputes"
    );
}

/// The workbench's 待结项 is `close`'s own fact check, whoever looks at it.
#[test]
fn ready_to_close_is_the_close_fact_check_without_the_role() {
    let staff = vec![Role::CommunityStaff];
    for window_over in [false, true] {
        for (ratings, mean) in [(0, None), (2, Some(4.5)), (3, Some(4.0)), (3, Some(2.0))] {
            for min_ratings in [0, 3] {
                let f = Facts {
                    window_over,
                    ratings,
                    mean,
                    min_ratings,
                    threshold: 3.5,
                    ..Facts::default()
                };
                let as_staff = Facts {
                    roles: staff.clone(),
                    ..f.clone()
                };
                assert_eq!(
                    ready_to_close(&f),
                    apply(Stage::Evaluate, Close, &as_staff).is_ok(),
                    "{f:?}"
                );
            }
        }
    }
    let rated_well = Facts {
        window_over: true,
        ratings: 1,
        mean: Some(5.0),
        threshold: 3.5,
        ..Facts::default()
    };
    assert!(ready_to_close(&rated_well));
    assert!(!ready_to_close(&Facts {
        mean: Some(1.0),
        ..rated_well
    }));
}

#[test]
fn task_progress_rules() {
    assert!(may_update_task(true, false, false));
    assert!(may_update_task(false, true, false));
    assert!(may_update_task(false, false, true));
    assert!(!may_update_task(false, false, false));
    assert!(task_open_for_progress(Stage::Act));
    for s in [
        Stage::Say,
        Stage::Discuss,
        Stage::Plan,
        Stage::Evaluate,
        Stage::Closed,
    ] {
        assert!(!task_open_for_progress(s));
    }
}

#[test]
fn a_button_is_offered_exactly_when_apply_passes_table_and_role() {
    let everyone = [
        vec![],
        vec![Role::Resident],
        vec![Role::CommunityStaff],
        vec![Role::SubdistrictStaff],
        vec![Role::PropertyFirm],
    ];
    for stage in Stage::ALL {
        for action in Action::ALL {
            for roles in &everyone {
                for is_author in [false, true] {
                    let f = Facts {
                        roles: roles.clone(),
                        is_author,
                        ..ok_facts_for(stage, action, roles.clone())
                    };
                    let first_two = !matches!(
                        apply(stage, action, &f),
                        Err(Refusal::InvalidTransition | Refusal::Forbidden)
                    );
                    assert_eq!(
                        offered(stage, action, &f),
                        first_two,
                        "{stage:?} {action:?} {roles:?} author={is_author}"
                    );
                }
            }
        }
    }
}

#[test]
fn notice_and_task_windows() {
    #[rustfmt::skip]
    let cases = [
        // stage, published, in_notice, may_add_task
        (Stage::Discuss, false, false, false),
        (Stage::Plan, false, false, true),
        (Stage::Plan, true, true, false),
        (Stage::Act, true, false, true),
        (Stage::Evaluate, true, false, false),
        (Stage::Closed, true, false, false),
    ];
    for (stage, published, notice, task) in cases {
        assert_eq!(in_notice(stage, published), notice, "{stage:?} {published}");
        assert_eq!(
            may_add_task(stage, published),
            task,
            "{stage:?} {published}"
        );
    }
}
