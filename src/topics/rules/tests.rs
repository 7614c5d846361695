//! Unit tests of the pure topic rules.

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
