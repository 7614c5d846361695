//! Words of the consultation pages (协商会) and /cppcc (请你来协商), and the names of the
//! meeting kinds, formats, statuses, categories and answers wherever they are shown.

use crate::consultations::rules::{
    Action, Category, Consensus, FollowUpKind, Format, Kind, Response, Status,
};

/// Texts of these pages.
pub struct Meetings {
    // The list.
    pub list_title: &'static str,
    pub new_link: &'static str,
    pub none_yet: &'static str,
    pub kind: &'static str,
    pub format: &'static str,
    pub time: &'static str,
    pub venue: &'static str,
    pub status: &'static str,
    pub place: &'static str,
    pub online_url: &'static str,
    pub online: &'static str,
    // The create form.
    pub new_title: &'static str,
    pub title: &'static str,
    pub starts_at: &'static str,
    pub ends_at: &'static str,
    /// Before the zone's name: "times in".
    pub time_hint: &'static str,
    pub topics: &'static str,
    pub no_topics: &'static str,
    pub create: &'static str,
    pub created: &'static str,
    // The meeting's page.
    pub convener: &'static str,
    pub agenda: &'static str,
    pub no_agenda: &'static str,
    pub minutes_unit: &'static str,
    pub open_topic: &'static str,
    pub invitations: &'static str,
    pub no_invitations: &'static str,
    pub counts_only: &'static str,
    pub response: &'static str,
    pub attended: &'static str,
    pub your_answer: &'static str,
    pub accept: &'static str,
    pub decline: &'static str,
    pub tentative: &'static str,
    pub answered: &'static str,
    pub add_to_calendar: &'static str,
    pub minutes: &'static str,
    pub no_minutes: &'static str,
    pub cancel_reason: &'static str,
    pub missing_categories: &'static str,
    pub outcomes: &'static str,
    pub no_outcomes: &'static str,
    pub decision: &'static str,
    pub consensus: &'static str,
    pub follow_ups: &'static str,
    pub signoff: &'static str,
    pub confirmed_count: &'static str,
    pub confirmed_by: &'static str,
    pub dissents: &'static str,
    pub deadline: &'static str,
    pub confirm: &'static str,
    pub dissent: &'static str,
    pub dissent_text: &'static str,
    pub signed: &'static str,
    pub confirmed: &'static str,
    pub dissented: &'static str,
    // The convener's forms.
    pub manage: &'static str,
    pub invite_heading: &'static str,
    pub invitee_email: &'static str,
    pub invitee_hint: &'static str,
    pub organization: &'static str,
    pub category: &'static str,
    pub invite: &'static str,
    pub invited: &'static str,
    pub reason: &'static str,
    pub attendance: &'static str,
    pub attendance_save: &'static str,
    pub attendance_saved: &'static str,
    pub outcome_heading: &'static str,
    pub follow_up_kind: &'static str,
    pub follow_up_none: &'static str,
    pub follow_up_title: &'static str,
    pub follow_up_org: &'static str,
    pub follow_up_due: &'static str,
    pub outcome_save: &'static str,
    pub outcome_saved: &'static str,
    /// In [`Action`] order: the buttons 安排, 开始, 结束, 取消.
    pub action_buttons: [&'static str; 4],
    /// In [`Action`] order: the flash after each.
    pub action_done: [&'static str; 4],
    // /cppcc.
    pub cppcc_title: &'static str,
    pub cppcc_intro: &'static str,
    pub cppcc_empty: &'static str,
    pub arrange: &'static str,
    // Names, each in its enum's order.
    pub kinds: [&'static str; 8],
    pub formats: [&'static str; 3],
    pub statuses: [&'static str; 5],
    pub categories: [&'static str; 9],
    pub responses: [&'static str; 4],
    pub consensuses: [&'static str; 3],
    pub follow_up_kinds: [&'static str; 3],
}

fn index<T: PartialEq>(all: &[T], x: &T) -> usize {
    all.iter().position(|a| a == x).unwrap_or(0)
}

impl Meetings {
    /// The name of a meeting kind.
    pub fn kind_name(&self, k: &Kind) -> &'static str {
        self.kinds[index(&Kind::ALL, k)]
    }

    /// The name of a format.
    pub fn format_name(&self, f: &Format) -> &'static str {
        self.formats[index(&Format::ALL, f)]
    }

    /// The name of a status.
    pub fn status_name(&self, s: &Status) -> &'static str {
        self.statuses[index(&Status::ALL, s)]
    }

    /// The name of a participant category.
    pub fn category_name(&self, c: &Category) -> &'static str {
        self.categories[index(&Category::ALL, c)]
    }

    /// The name of an answer.
    pub fn response_name(&self, r: &Response) -> &'static str {
        self.responses[index(&Response::ALL, r)]
    }

    /// The name of a consensus level.
    pub fn consensus_name(&self, c: &Consensus) -> &'static str {
        self.consensuses[index(&Consensus::ALL, c)]
    }

    /// The name of a follow-up kind.
    pub fn follow_up_name(&self, k: &FollowUpKind) -> &'static str {
        self.follow_up_kinds[index(&FollowUpKind::ALL, k)]
    }

    /// The button of a transition.
    pub fn action_button(&self, a: &Action) -> &'static str {
        self.action_buttons[index(&Action::ALL, a)]
    }

    /// The flash after a transition.
    pub fn action_flash(&self, a: &Action) -> &'static str {
        self.action_done[index(&Action::ALL, a)]
    }
}

pub const ZH: Meetings = Meetings {
    list_title: "协商会",
    new_link: "发起协商会",
    none_yet: "暂无协商会",
    kind: "类型",
    format: "形式",
    time: "时间",
    venue: "地点",
    status: "状态",
    place: "社区",
    online_url: "线上链接",
    online: "线上",
    new_title: "发起协商会",
    title: "标题",
    starts_at: "开始时间",
    ends_at: "结束时间",
    time_hint: "按此时区填写：",
    topics: "议题",
    no_topics: "暂无可选的议事目录议题",
    create: "创建",
    created: "协商会已创建",
    convener: "召集人",
    agenda: "议程",
    no_agenda: "暂无议程",
    minutes_unit: "分钟",
    open_topic: "查看议题",
    invitations: "受邀人",
    no_invitations: "尚未邀请任何人",
    counts_only: "受邀人数（按类别）",
    response: "答复",
    attended: "出席",
    your_answer: "您的答复",
    accept: "参加",
    decline: "不参加",
    tentative: "待定",
    answered: "已答复",
    add_to_calendar: "加入日历",
    minutes: "会议纪要",
    no_minutes: "会议结束后公布纪要",
    cancel_reason: "取消理由",
    missing_categories: "尚未邀请的必要类别",
    outcomes: "协商结果",
    no_outcomes: "尚无协商结果",
    decision: "决定",
    consensus: "共识程度",
    follow_ups: "后续事项",
    signoff: "纪要确认",
    confirmed_count: "已确认人数",
    confirmed_by: "已确认",
    dissents: "保留意见",
    deadline: "确认截止",
    confirm: "确认纪要",
    dissent: "保留意见",
    dissent_text: "保留意见的理由",
    signed: "您已确认纪要或提出保留意见",
    confirmed: "已确认纪要",
    dissented: "已记录保留意见",
    manage: "会议管理",
    invite_heading: "邀请参会",
    invitee_email: "受邀人",
    invitee_hint: "填写受邀人的注册邮箱，或选择受邀单位",
    organization: "受邀单位",
    category: "类别",
    invite: "邀请",
    invited: "已邀请",
    reason: "理由",
    attendance: "出席登记",
    attendance_save: "记录出席",
    attendance_saved: "已记录出席情况",
    outcome_heading: "记录协商结果",
    follow_up_kind: "后续事项类型",
    follow_up_none: "无",
    follow_up_title: "事项名称",
    follow_up_org: "责任单位",
    follow_up_due: "截止日期",
    outcome_save: "记录结果",
    outcome_saved: "已记录协商结果",
    action_buttons: ["安排", "开始", "结束", "取消"],
    action_done: ["会议已安排", "会议已开始", "会议已结束", "会议已取消"],
    cppcc_title: "请你来协商",
    cppcc_intro: "已提请协商、尚未列入会议议程的议题",
    cppcc_empty: "暂无待安排的议题",
    arrange: "安排协商",
    kinds: [
        "微协商",
        "院坝协商",
        "意见征询会",
        "听证会",
        "对口协商",
        "界别协商",
        "政情通报会",
        "调研",
    ],
    formats: ["现场", "线上", "现场+线上"],
    statuses: ["草稿", "已安排", "进行中", "已结束", "已取消"],
    categories: [
        "居民代表",
        "物业企业",
        "业主委员会",
        "政协委员",
        "人大代表",
        "职能部门",
        "专家",
        "乡贤能人",
        "社会组织",
    ],
    responses: ["未答复", "参加", "不参加", "待定"],
    consensuses: ["一致同意", "多数同意", "未达成共识"],
    follow_up_kinds: ["任务", "提案", "社情民意"],
};

pub const EN: Meetings = Meetings {
    list_title: "Consultations",
    new_link: "Convene a consultation",
    none_yet: "No consultations yet",
    kind: "Kind",
    format: "Format",
    time: "Time",
    venue: "Venue",
    status: "Status",
    place: "Community",
    online_url: "Online link",
    online: "Online",
    new_title: "Convene a consultation",
    title: "Title",
    starts_at: "Starts",
    ends_at: "Ends",
    time_hint: "Times in this zone: ",
    topics: "Topics",
    no_topics: "No catalog topics to choose from",
    create: "Create",
    created: "The consultation was created",
    convener: "Convener",
    agenda: "Agenda",
    no_agenda: "No agenda yet",
    minutes_unit: "min",
    open_topic: "Open the topic",
    invitations: "Invitees",
    no_invitations: "Nobody invited yet",
    counts_only: "Invitees by category",
    response: "Answer",
    attended: "Attended",
    your_answer: "Your answer",
    accept: "Attend",
    decline: "Decline",
    tentative: "Maybe",
    answered: "Your answer was saved",
    add_to_calendar: "Add to calendar",
    minutes: "Minutes",
    no_minutes: "The minutes are published after the meeting",
    cancel_reason: "Why it was cancelled",
    missing_categories: "Required categories not yet invited",
    outcomes: "Outcomes",
    no_outcomes: "No outcomes yet",
    decision: "Decision",
    consensus: "Consensus",
    follow_ups: "Follow-ups",
    signoff: "Minutes sign-off",
    confirmed_count: "Confirmed by",
    confirmed_by: "Confirmed",
    dissents: "Dissents",
    deadline: "Sign-off until",
    confirm: "Confirm the minutes",
    dissent: "Record a dissent",
    dissent_text: "Reason for the dissent",
    signed: "You have confirmed the minutes or recorded a dissent",
    confirmed: "You confirmed the minutes",
    dissented: "Your dissent was recorded",
    manage: "Run the meeting",
    invite_heading: "Invite",
    invitee_email: "Invitee",
    invitee_hint: "The invitee's account email, or choose an organisation",
    organization: "Organisation",
    category: "Category",
    invite: "Invite",
    invited: "Invited",
    reason: "Reason",
    attendance: "Attendance",
    attendance_save: "Record attendance",
    attendance_saved: "Attendance recorded",
    outcome_heading: "Record the outcome",
    follow_up_kind: "Follow-up",
    follow_up_none: "None",
    follow_up_title: "Follow-up title",
    follow_up_org: "Responsible organisation",
    follow_up_due: "Due date",
    outcome_save: "Record outcome",
    outcome_saved: "The outcome was recorded",
    action_buttons: ["Schedule", "Start", "Conclude", "Cancel"],
    action_done: [
        "The meeting is scheduled",
        "The meeting has started",
        "The meeting has concluded",
        "The meeting was cancelled",
    ],
    cppcc_title: "Let's consult",
    cppcc_intro: "Topics referred for consultation and not yet on a meeting's agenda",
    cppcc_empty: "No topics waiting for a meeting",
    arrange: "Arrange a consultation",
    kinds: [
        "Micro-consultation",
        "Courtyard meeting",
        "Opinion solicitation",
        "Hearing",
        "Counterpart consultation",
        "Sector consultation",
        "Government briefing",
        "Research visit",
    ],
    formats: ["In person", "Online", "In person and online"],
    statuses: [
        "Draft",
        "Scheduled",
        "In progress",
        "Concluded",
        "Cancelled",
    ],
    categories: [
        "Resident representative",
        "Property firm",
        "Owners' committee",
        "CPPCC member",
        "NPC deputy",
        "Department",
        "Expert",
        "Respected local",
        "Social organisation",
    ],
    responses: ["No answer yet", "Attending", "Not attending", "Maybe"],
    consensuses: ["Unanimous", "Majority", "No consensus"],
    follow_up_kinds: ["Task", "Proposal", "Public-opinion report"],
};
