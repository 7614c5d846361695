//! Words of the topic pages: the catalog, a topic, raising one; and the names of the steps,
//! categories and resolutions wherever they are shown.

use crate::topics::events::EventKind;
use crate::topics::model::{PlanStatus, TaskStatus};
use crate::topics::rules::{Action, Category, Resolution, Stage, Stance};

/// Texts of the topic pages.
pub struct Topics {
    pub catalog: &'static str,
    pub catalog_no: &'static str,
    pub supporters: &'static str,
    pub raise_topic: &'static str,
    /// The five steps and the end, in [`Stage`] order: the short word (说) and its meaning.
    pub stage_words: [&'static str; 6],
    pub stage_names: [&'static str; 6],
    /// In [`Category`] order.
    pub categories: [&'static str; 8],
    /// In [`Resolution`] order.
    pub resolutions: [&'static str; 4],
    pub stage_label: &'static str,
    pub next_page: &'static str,
    pub no_catalog: &'static str,
    pub steps_label: &'static str,
    pub step_done: &'static str,
    pub step_current: &'static str,
    pub step_todo: &'static str,
    pub closed_as: &'static str,
    pub hot: &'static str,
    pub escalated: &'static str,
    pub major: &'static str,
    pub details: &'static str,
    pub photos: &'static str,
    pub people_support: &'static str,
    pub support: &'static str,
    pub unsupport: &'static str,
    pub you_support: &'static str,
    pub sign_in_to_take_part: &'static str,
    pub comments: &'static str,
    pub comment: &'static str,
    pub stance: &'static str,
    pub post_comment: &'static str,
    pub no_comments: &'static str,
    pub hidden_comment: &'static str,
    pub decision: &'static str,
    pub decision_field: &'static str,
    pub plan: &'static str,
    pub no_plan: &'static str,
    pub plan_summary: &'static str,
    pub save_plan: &'static str,
    pub notice_until: &'static str,
    pub resources: &'static str,
    pub tasks: &'static str,
    pub no_tasks: &'static str,
    pub progress: &'static str,
    pub tasks_done: &'static str,
    pub task_title: &'static str,
    pub task_org: &'static str,
    pub task_due: &'static str,
    pub add_task: &'static str,
    pub overdue: &'static str,
    pub due: &'static str,
    pub objections: &'static str,
    pub objection: &'static str,
    pub file_objection: &'static str,
    pub no_objections: &'static str,
    pub awaiting_answer: &'static str,
    pub reason: &'static str,
    pub uphold: &'static str,
    pub dismiss: &'static str,
    pub evaluation: &'static str,
    pub score: &'static str,
    pub rating_comment: &'static str,
    pub submit_rating: &'static str,
    pub ratings: &'static str,
    pub mean: &'static str,
    pub window_closes: &'static str,
    pub no_ratings: &'static str,
    pub timeline: &'static str,
    pub staff_actions: &'static str,
    pub actions_heading: &'static str,
    pub merge_into: &'static str,
    pub done_flash: &'static str,
    pub supported_flash: &'static str,
    pub unsupported_flash: &'static str,
    pub commented_flash: &'static str,
    pub objected_flash: &'static str,
    pub answered_flash: &'static str,
    pub rated_flash: &'static str,
    pub plan_saved_flash: &'static str,
    pub task_added_flash: &'static str,
    pub new_title: &'static str,
    pub field_place: &'static str,
    pub field_title: &'static str,
    pub field_body: &'static str,
    pub field_category: &'static str,
    pub field_photo: &'static str,
    pub photo: &'static str,
    pub evidence_photo: &'static str,
    pub photo_not_saved: &'static str,
    pub photo_hint: &'static str,
    pub submit: &'static str,
    pub raised_flash: &'static str,
    pub no_places: &'static str,
    /// In [`Stance`] order.
    pub stances: [&'static str; 3],
    /// In [`TaskStatus`] order.
    pub task_statuses: [&'static str; 4],
    /// Draft, published, approved.
    pub plan_statuses: [&'static str; 3],
    /// Button names, in [`Action`] order.
    pub action_names: [&'static str; 11],
    /// In [`EventKind`] order.
    pub event_names: [&'static str; 22],
}

impl Topics {
    /// The one-character word of a step (说议筹办评, 结).
    pub fn stage_word(&self, s: &Stage) -> &'static str {
        self.stage_words[stage_index(*s)]
    }

    /// The name of a step.
    pub fn stage(&self, s: &Stage) -> &'static str {
        self.stage_names[stage_index(*s)]
    }

    /// The name of a category.
    pub fn category(&self, c: &Category) -> &'static str {
        let i = Category::ALL.iter().position(|x| x == c).unwrap_or(7);
        self.categories[i]
    }

    /// The name of a comment's stance.
    pub fn stance(&self, s: &Stance) -> &'static str {
        let i = Stance::ALL.iter().position(|x| x == s).unwrap_or(2);
        self.stances[i]
    }

    /// The name of a task status.
    pub fn task_status(&self, s: &TaskStatus) -> &'static str {
        let i = TaskStatus::ALL.iter().position(|x| x == s).unwrap_or(0);
        self.task_statuses[i]
    }

    /// The name of a plan status.
    pub fn plan_status(&self, s: &PlanStatus) -> &'static str {
        match s {
            PlanStatus::Draft => self.plan_statuses[0],
            PlanStatus::Published => self.plan_statuses[1],
            PlanStatus::Approved => self.plan_statuses[2],
        }
    }

    /// The button name of a workflow action (受理, 驳回, ...).
    pub fn action(&self, a: &Action) -> &'static str {
        let i = Action::ALL.iter().position(|x| x == a).unwrap_or(0);
        self.action_names[i]
    }

    /// The name of a timeline event.
    pub fn event(&self, k: &EventKind) -> &'static str {
        let i = EventKind::ALL.iter().position(|x| x == k).unwrap_or(0);
        self.event_names[i]
    }

    /// The name of a resolution.
    pub fn resolution(&self, r: &Resolution) -> &'static str {
        let i = Resolution::ALL.iter().position(|x| x == r).unwrap_or(0);
        self.resolutions[i]
    }
}

fn stage_index(s: Stage) -> usize {
    match s {
        Stage::Say => 0,
        Stage::Discuss => 1,
        Stage::Plan => 2,
        Stage::Act => 3,
        Stage::Evaluate => 4,
        Stage::Closed => 5,
    }
}

pub const ZH: Topics = Topics {
    catalog: "议事目录",
    catalog_no: "编号",
    supporters: "附议",
    raise_topic: "我要提议题",
    stage_words: ["说", "议", "筹", "办", "评", "结"],
    stage_names: ["提出", "商议", "筹划", "办理", "评价", "已结项"],
    categories: [
        "环境卫生",
        "物业管理",
        "治安安全",
        "公共设施",
        "交通停车",
        "一老一小",
        "邻里纠纷",
        "其他",
    ],
    resolutions: ["已解决", "未受理", "已合并", "已撤回"],
    stage_label: "阶段",
    next_page: "下一页",
    no_catalog: "这个社区的议事目录还是空的。",
    steps_label: "办理进度：说、议、筹、办、评",
    step_done: "已完成",
    step_current: "当前步骤",
    step_todo: "未开始",
    closed_as: "已结项",
    hot: "热议",
    escalated: "已提请协商",
    major: "重大事项",
    details: "详细描述",
    photos: "照片",
    people_support: "人附议",
    support: "附议",
    unsupport: "取消附议",
    you_support: "你已附议。",
    sign_in_to_take_part: "登录后可以附议、评论和评价。",
    comments: "评论",
    comment: "评论",
    stance: "立场",
    post_comment: "发表评论",
    no_comments: "暂无评论",
    hidden_comment: "该评论已被工作人员隐藏",
    decision: "决定",
    decision_field: "决定内容",
    plan: "方案",
    no_plan: "尚未制定方案",
    plan_summary: "方案摘要",
    save_plan: "保存方案",
    notice_until: "公示截止",
    resources: "资源",
    tasks: "任务",
    no_tasks: "暂无任务",
    progress: "进度",
    tasks_done: "项已完成，共",
    task_title: "任务名称",
    task_org: "责任单位",
    task_due: "截止日期",
    add_task: "添加任务",
    overdue: "已逾期",
    due: "截止",
    objections: "异议",
    objection: "异议",
    file_objection: "提出异议",
    no_objections: "暂无异议",
    awaiting_answer: "待答复",
    reason: "理由",
    uphold: "维持",
    dismiss: "驳回异议",
    evaluation: "评价",
    score: "评分",
    rating_comment: "评价意见",
    submit_rating: "提交评价",
    ratings: "评价人数",
    mean: "平均分",
    window_closes: "评价截止",
    no_ratings: "暂无评价",
    timeline: "办理记录",
    staff_actions: "工作人员操作",
    actions_heading: "操作",
    merge_into: "合并到",
    done_flash: "操作已完成",
    supported_flash: "已附议",
    unsupported_flash: "已取消附议",
    commented_flash: "评论已发表",
    objected_flash: "异议已提交",
    answered_flash: "异议已答复",
    rated_flash: "评价已提交",
    plan_saved_flash: "方案已保存",
    task_added_flash: "任务已添加",
    new_title: "提议题",
    field_place: "社区",
    field_title: "标题",
    field_body: "详细描述",
    field_category: "类别",
    field_photo: "照片",
    photo: "照片",
    evidence_photo: "办理照片：",
    photo_not_saved: "议题已提交，但照片未能保存，请稍后在议题页面再试。",
    photo_hint: "选填。JPEG、PNG 或 WebP 图片",
    submit: "提交",
    raised_flash: "议题已提交，等待社区受理",
    no_places: "你还没有可以提议题的社区。请先在注册时选择所在社区，或联系社区工作人员。",
    stances: ["赞成", "反对", "中立"],
    task_statuses: ["待办", "进行中", "已完成", "受阻"],
    plan_statuses: ["草稿", "公示中", "已审批"],
    action_names: [
        "受理",
        "驳回",
        "合并",
        "撤回",
        "提请协商",
        "形成决定",
        "公示",
        "审批",
        "办结",
        "结项",
        "返工",
    ],
    event_names: [
        "提出议题",
        "阶段变更",
        "并入议题",
        "附议",
        "取消附议",
        "评论",
        "隐藏评论",
        "保存方案",
        "添加任务",
        "任务进展",
        "提出异议",
        "维持异议",
        "驳回异议",
        "评价",
        "修改评价",
        "安排协商会",
        "协商会改期",
        "协商会确定",
        "协商会开始",
        "协商会结束",
        "协商会取消",
        "协商结果",
    ],
};

pub const EN: Topics = Topics {
    catalog: "Topic catalog",
    catalog_no: "No.",
    supporters: "Supporters",
    raise_topic: "Raise a topic",
    stage_words: ["Say", "Discuss", "Plan", "Act", "Evaluate", "Closed"],
    stage_names: [
        "Raised",
        "Under discussion",
        "Planning",
        "In action",
        "Evaluation",
        "Closed",
    ],
    categories: [
        "Environment",
        "Property management",
        "Safety",
        "Facilities",
        "Traffic and parking",
        "Elderly and children",
        "Neighbour disputes",
        "Other",
    ],
    resolutions: ["Resolved", "Rejected", "Merged", "Withdrawn"],
    stage_label: "Step",
    next_page: "Next page",
    no_catalog: "This community's catalog is still empty.",
    steps_label: "Progress: say, discuss, plan, act, evaluate",
    step_done: "done",
    step_current: "current step",
    step_todo: "not started",
    closed_as: "Closed",
    hot: "Much supported",
    escalated: "Escalated for consultation",
    major: "Major matter",
    details: "Description",
    photos: "Photos",
    people_support: "supporters",
    support: "Support",
    unsupport: "Withdraw support",
    you_support: "You support this topic.",
    sign_in_to_take_part: "Sign in to support, comment and rate.",
    comments: "Comments",
    comment: "Comment",
    stance: "Stance",
    post_comment: "Post comment",
    no_comments: "No comments yet",
    hidden_comment: "This comment was hidden by staff",
    decision: "Decision",
    decision_field: "Decision text",
    plan: "Plan",
    no_plan: "No plan yet",
    plan_summary: "Plan summary",
    save_plan: "Save plan",
    notice_until: "Public notice until",
    resources: "Resources",
    tasks: "Tasks",
    no_tasks: "No tasks yet",
    progress: "Progress",
    tasks_done: "done, of",
    task_title: "Task name",
    task_org: "Responsible organisation",
    task_due: "Due date",
    add_task: "Add task",
    overdue: "overdue",
    due: "due",
    objections: "Objections",
    objection: "Objection",
    file_objection: "File objection",
    no_objections: "No objections",
    awaiting_answer: "awaiting an answer",
    reason: "Reason",
    uphold: "Uphold",
    dismiss: "Dismiss objection",
    evaluation: "Evaluation",
    score: "Score",
    rating_comment: "Your comments",
    submit_rating: "Submit rating",
    ratings: "Ratings",
    mean: "Average",
    window_closes: "Rating closes",
    no_ratings: "No ratings yet",
    timeline: "Timeline",
    staff_actions: "Staff actions",
    actions_heading: "Actions",
    merge_into: "Merge into",
    done_flash: "Done",
    supported_flash: "You now support this topic",
    unsupported_flash: "Your support was withdrawn",
    commented_flash: "Your comment was posted",
    objected_flash: "Your objection was filed",
    answered_flash: "The objection was answered",
    rated_flash: "Your rating was saved",
    plan_saved_flash: "The plan was saved",
    task_added_flash: "The task was added",
    new_title: "Raise a topic",
    field_place: "Community",
    field_title: "Title",
    field_body: "Description",
    field_category: "Category",
    field_photo: "Photo",
    photo: "Photo",
    evidence_photo: "Evidence photo:",
    photo_not_saved: "Your topic is raised, but the photo could not be saved; please try again later.",
    photo_hint: "Optional. A JPEG, PNG or WebP picture",
    submit: "Submit",
    raised_flash: "Your topic was submitted; the community will review it",
    no_places: "You have no community where you may raise topics yet. Choose your community when registering, or ask your community staff.",
    stances: ["For", "Against", "Neutral"],
    task_statuses: ["To do", "In progress", "Done", "Blocked"],
    plan_statuses: ["Draft", "Under public notice", "Approved"],
    action_names: [
        "Accept",
        "Reject",
        "Merge",
        "Withdraw",
        "Escalate",
        "Decide",
        "Publish plan",
        "Approve plan",
        "Complete",
        "Close",
        "Rework",
    ],
    event_names: [
        "Raised",
        "Step changed",
        "Topic merged in",
        "Supported",
        "Support withdrawn",
        "Commented",
        "Comment hidden",
        "Plan saved",
        "Task added",
        "Task progress",
        "Objection filed",
        "Objection upheld",
        "Objection dismissed",
        "Rated",
        "Rating changed",
        "Meeting planned",
        "Meeting moved",
        "Meeting scheduled",
        "Meeting started",
        "Meeting concluded",
        "Meeting cancelled",
        "Meeting outcome",
    ],
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_category_and_resolution_has_a_name() {
        assert_eq!(Category::ALL.len(), ZH.categories.len());
        assert_eq!(Resolution::ALL.len(), ZH.resolutions.len());
        assert_eq!(Stage::ALL.len(), ZH.stage_words.len());
        assert_eq!(Stance::ALL.len(), ZH.stances.len());
        assert_eq!(TaskStatus::ALL.len(), ZH.task_statuses.len());
        assert_eq!(Action::ALL.len(), ZH.action_names.len());
        assert_eq!(EventKind::ALL.len(), ZH.event_names.len());
    }
}
