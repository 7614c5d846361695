//! The rules around the table: who raises a topic and through which door, supports,
//! comments and stances, the hot flag, evaluation eligibility and summary, catalog labels.

use super::table::holds_any;
use super::{STAFF, Source, Stage, Stance};
use crate::auth::Role;

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

/// The public notice 公示期: the plan stage with the plan published. Residents file objections
/// only then.
pub fn in_notice(stage: Stage, plan_published: bool) -> bool {
    stage == Stage::Plan && plan_published
}

/// Staff edit the plan (summary, resources, tasks) in the plan stage while it is a draft;
/// tasks may also be added in act (after a rework).
pub fn may_add_task(stage: Stage, plan_published: bool) -> bool {
    stage == Stage::Act || (stage == Stage::Plan && !plan_published)
}

/// Hot (热议): supporters_count >= threshold (threshold 0, or below, disables).
pub fn is_hot(supporters: i32, threshold: i32) -> bool {
    threshold > 0 && supporters >= threshold
}

/// Evaluation eligibility: raised, supported, commented, or attended a meeting about it (the
/// action computes these booleans), in the evaluate step while the window is open.
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
/// distribution [n1..n5]). Scores outside 1..=5 are ignored (the request validation refuses them). The
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

/// Who may record progress on a task: staff at the topic's place, the task's assignee, or a
/// user acting for its responsible organisation there.
pub fn may_update_task(staff_here: bool, is_assignee: bool, for_its_organisation: bool) -> bool {
    staff_here || is_assignee || for_its_organisation
}

/// Progress is recorded while the topic is being acted on (办) only.
pub fn task_open_for_progress(stage: Stage) -> bool {
    stage == Stage::Act
}

/// Who has a workbench (工作台): community and sub-district staff, and admins.
pub const WORKBENCH: [Role; 3] = [Role::CommunityStaff, Role::SubdistrictStaff, Role::Admin];
