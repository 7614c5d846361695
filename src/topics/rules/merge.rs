//! Where a topic may be merged into: merging carries the supports over, so the target must
//! still be gathering them (say or discuss), or the carried supporters would count for a
//! plan they never saw and could rate its result.

use super::Stage;

/// What the merge rule needs to know about the target, seen from the merged topic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MergeTarget {
    /// The target is the merged topic itself.
    pub same_topic: bool,
    /// The target belongs to the merged topic's community.
    pub same_community: bool,
    /// The target's stage; closed topics are not open.
    pub stage: Stage,
}

/// A merge target is another open topic of the same community, in say or discuss.
pub fn may_merge_into(t: &MergeTarget) -> bool {
    !t.same_topic && t.same_community && matches!(t.stage, Stage::Say | Stage::Discuss)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(same_topic: bool, same_community: bool, stage: Stage) -> MergeTarget {
        MergeTarget {
            same_topic,
            same_community,
            stage,
        }
    }

    #[test]
    fn only_open_topics_in_say_or_discuss_of_the_same_community() {
        // (stage, allowed for another topic of the same community)
        let cases = [
            (Stage::Say, true),
            (Stage::Discuss, true),
            (Stage::Plan, false),
            (Stage::Act, false),
            (Stage::Evaluate, false),
            (Stage::Closed, false),
        ];
        for (stage, want) in cases {
            assert_eq!(
                may_merge_into(&target(false, true, stage)),
                want,
                "{stage:?}"
            );
            // Never into itself nor into another community, whatever the stage.
            assert!(!may_merge_into(&target(true, true, stage)), "{stage:?}");
            assert!(!may_merge_into(&target(false, false, stage)), "{stage:?}");
            assert!(!may_merge_into(&target(true, false, stage)), "{stage:?}");
        }
        // The table covers every stage.
        for stage in Stage::ALL {
            assert!(cases.iter().any(|c| c.0 == stage), "{stage:?}");
        }
    }
}
