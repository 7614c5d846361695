//! What a notification says, in the recipient's language: a title naming the topic or meeting
//! and one sentence. The in-app inbox, the mails and the digest all use these words.

use super::kinds::{Language, NotificationKind as K};

/// The title: what happened, then the name of the topic or meeting.
pub fn title(kind: K, lang: Language, subject: &str) -> String {
    let (zh, en) = words(kind);
    match lang {
        Language::ZhCn => format!("{zh}：{subject}"),
        Language::En => format!("{en}: {subject}"),
    }
}

/// One sentence of what it means for the reader, with the note staff wrote, if any.
pub fn body(kind: K, lang: Language, note: Option<&str>) -> String {
    let line = match (lang, kind) {
        (Language::ZhCn, K::TopicRaised) => "有新议题等待受理。",
        (Language::ZhCn, K::TopicAccepted) => "议题已受理，进入“议”的步骤。",
        (Language::ZhCn, K::TopicRejected) => "议题未被受理。",
        (Language::ZhCn, K::TopicMerged) => "议题已合并到另一个议题，请在那里继续关注。",
        (Language::ZhCn, K::TopicWithdrawn) => "议题已撤回。",
        (Language::ZhCn, K::TopicAdvanced) => "方案已审批，进入“办”的步骤。",
        (Language::ZhCn, K::TopicEscalated) => "议题已提请协商，请政协委员安排。",
        (Language::ZhCn, K::TopicDecided) => "议题已形成决定，进入“筹”的步骤。",
        (Language::ZhCn, K::PlanPublished) => "方案已公示，公示期内可以提出异议。",
        (Language::ZhCn, K::ObjectionFiled) => "有居民对公示的方案提出了异议，请答复。",
        (Language::ZhCn, K::ObjectionAnswered) => "异议已答复。",
        (Language::ZhCn, K::TaskAssigned) => "有一项新任务交给了你。",
        (Language::ZhCn, K::TaskDue) => "任务明天到期。",
        (Language::ZhCn, K::TaskOverdue) => "任务已逾期，请尽快办理（督办）。",
        (Language::ZhCn, K::TaskDone) => "一项任务已完成。",
        (Language::ZhCn, K::EvaluationOpened) => "事情已办结，请为结果评分。",
        (Language::ZhCn, K::EvaluationClosing) => "评价即将截止。",
        (Language::ZhCn, K::TopicRework) => "评价未通过，议题返工重办。",
        (Language::ZhCn, K::TopicClosed) => "议题已结项。",
        (Language::ZhCn, K::CommentAdded) => "有新的评论。",
        (Language::ZhCn, K::MeetingInvited) => "你受邀参加一次协商会议。",
        (Language::ZhCn, K::MeetingUpdated) => "会议安排有变动。",
        (Language::ZhCn, K::MeetingCancelled) => "会议已取消。",
        (Language::ZhCn, K::MeetingReminder) => "会议即将开始。",
        (Language::ZhCn, K::MinutesReady) => "会议纪要已形成，请确认或保留意见。",
        (Language::En, K::TopicRaised) => "A new topic is waiting to be accepted.",
        (Language::En, K::TopicAccepted) => "The topic was accepted and is now being discussed.",
        (Language::En, K::TopicRejected) => "The topic was not accepted.",
        (Language::En, K::TopicMerged) => "The topic was merged into another; follow it there.",
        (Language::En, K::TopicWithdrawn) => "The topic was withdrawn.",
        (Language::En, K::TopicAdvanced) => "The plan was approved and work begins.",
        (Language::En, K::TopicEscalated) => "The topic was escalated for a CPPCC consultation.",
        (Language::En, K::TopicDecided) => "A decision was made; the plan comes next.",
        (Language::En, K::PlanPublished) => {
            "The plan is published; objections are open during the notice period."
        }
        (Language::En, K::ObjectionFiled) => "A resident objected to the published plan.",
        (Language::En, K::ObjectionAnswered) => "The objection was answered.",
        (Language::En, K::TaskAssigned) => "A new task was assigned to you.",
        (Language::En, K::TaskDue) => "The task is due tomorrow.",
        (Language::En, K::TaskOverdue) => "The task is overdue.",
        (Language::En, K::TaskDone) => "A task was done.",
        (Language::En, K::EvaluationOpened) => "The work is done: please rate the result.",
        (Language::En, K::EvaluationClosing) => "The evaluation closes soon.",
        (Language::En, K::TopicRework) => "The result did not satisfy; the work is redone.",
        (Language::En, K::TopicClosed) => "The topic is closed.",
        (Language::En, K::CommentAdded) => "There is a new comment.",
        (Language::En, K::MeetingInvited) => "You are invited to a consultation meeting.",
        (Language::En, K::MeetingUpdated) => "The meeting was changed.",
        (Language::En, K::MeetingCancelled) => "The meeting was cancelled.",
        (Language::En, K::MeetingReminder) => "The meeting starts soon.",
        (Language::En, K::MinutesReady) => "The minutes are ready: confirm them or dissent.",
    };
    match note.map(str::trim).filter(|n| !n.is_empty()) {
        Some(n) => format!("{line}\n{n}"),
        None => line.to_string(),
    }
}

/// The short name of a kind (the inbox's label and the start of a title).
pub fn words(kind: K) -> (&'static str, &'static str) {
    match kind {
        K::TopicRaised => ("新议题待受理", "New topic"),
        K::TopicAccepted => ("议题已受理", "Topic accepted"),
        K::TopicRejected => ("议题未受理", "Topic rejected"),
        K::TopicMerged => ("议题已合并", "Topic merged"),
        K::TopicWithdrawn => ("议题已撤回", "Topic withdrawn"),
        K::TopicAdvanced => ("方案已审批", "Plan approved"),
        K::TopicEscalated => ("议题已提请协商", "Topic escalated"),
        K::TopicDecided => ("已形成决定", "Decision made"),
        K::PlanPublished => ("方案公示", "Plan published"),
        K::ObjectionFiled => ("有新异议", "New objection"),
        K::ObjectionAnswered => ("异议已答复", "Objection answered"),
        K::TaskAssigned => ("新任务", "New task"),
        K::TaskDue => ("任务明天到期", "Task due tomorrow"),
        K::TaskOverdue => ("任务逾期", "Task overdue"),
        K::TaskDone => ("任务完成", "Task done"),
        K::EvaluationOpened => ("请评价", "Please rate"),
        K::EvaluationClosing => ("评价即将截止", "Evaluation closing"),
        K::TopicRework => ("返工", "Rework"),
        K::TopicClosed => ("议题已结项", "Topic closed"),
        K::CommentAdded => ("新评论", "New comment"),
        K::MeetingInvited => ("会议邀请", "Meeting invitation"),
        K::MeetingUpdated => ("会议变更", "Meeting changed"),
        K::MeetingCancelled => ("会议取消", "Meeting cancelled"),
        K::MeetingReminder => ("会议提醒", "Meeting reminder"),
        K::MinutesReady => ("纪要待确认", "Minutes to confirm"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_speaks_both_languages() {
        for k in K::ALL {
            let zh = title(k, Language::ZhCn, "电梯");
            let en = title(k, Language::En, "Lift");
            assert!(zh.ends_with("：电梯"), "{zh}");
            assert!(en.ends_with(": Lift"), "{en}");
            assert!(!body(k, Language::En, None).is_empty());
        }
        assert_eq!(
            body(K::TopicRejected, Language::ZhCn, Some(" 不属于本社区 ")),
            "议题未被受理。\n不属于本社区"
        );
    }
}
