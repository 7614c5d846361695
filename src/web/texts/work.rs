//! Words of the working pages: /me, /staff (工作台) and /tasks (我的任务); also the names of
//! the roles and of the task statuses wherever they are shown.

use crate::auth::Role;
use crate::topics::model::TaskStatus;

/// Texts of these pages.
pub struct Work {
    // /me
    pub me_title: &'static str,
    pub my_topics: &'static str,
    pub no_my_topics: &'static str,
    pub following: &'static str,
    pub following_note: &'static str,
    /// The 公开显示 section of /me: the open-data opt-in.
    pub public_name: &'static str,
    pub public_name_intro: &'static str,
    pub public_name_box: &'static str,
    pub nothing_yet: &'static str,
    pub calendar: &'static str,
    pub calendar_intro: &'static str,
    pub calendar_none: &'static str,
    pub calendar_since: &'static str,
    pub calendar_shown_once: &'static str,
    pub calendar_create: &'static str,
    pub calendar_renew: &'static str,
    pub calendar_revoke: &'static str,
    pub calendar_address: &'static str,
    pub calendar_copy_now: &'static str,
    pub calendar_revoked: &'static str,
    pub my_roles: &'static str,
    pub everywhere: &'static str,
    /// In [`Role`] order.
    pub role_names: [&'static str; 8],
    // /staff
    pub staff_title: &'static str,
    pub intake: &'static str,
    pub by_step: &'static str,
    pub overdue: &'static str,
    pub overdue_intro: &'static str,
    pub objections: &'static str,
    pub closable: &'static str,
    pub closable_intro: &'static str,
    pub total_before: &'static str,
    pub total_after: &'static str,
    pub oldest_first: &'static str,
    pub filed_on: &'static str,
    // /tasks
    pub tasks_title: &'static str,
    pub no_tasks: &'static str,
    pub topic: &'static str,
    pub due: &'static str,
    pub overdue_tag: &'static str,
    pub responsible: &'static str,
    pub status: &'static str,
    pub progress_note: &'static str,
    pub progress_note_hint: &'static str,
    pub photo: &'static str,
    pub photo_hint: &'static str,
    pub update: &'static str,
    pub progress: &'static str,
    pub no_progress: &'static str,
    pub updated: &'static str,
    pub not_open: &'static str,
    /// In [`TaskStatus`] order.
    pub task_statuses: [&'static str; 4],
}

impl Work {
    /// The name of a role.
    pub fn role(&self, r: &Role) -> &'static str {
        let i = Role::ALL.iter().position(|x| x == r).unwrap_or(0);
        self.role_names[i]
    }

    /// The name of a task status.
    pub fn task_status(&self, s: &TaskStatus) -> &'static str {
        let i = TaskStatus::ALL.iter().position(|x| x == s).unwrap_or(0);
        self.task_statuses[i]
    }
}

pub const ZH: Work = Work {
    me_title: "我的",
    my_topics: "我的议题",
    no_my_topics: "您还没有提出议题。",
    following: "我关注的",
    following_note: "目前列出您附议的议题；关注功能将随通知一起上线。",
    public_name: "公开显示",
    public_name_intro: "在公开数据和导出文件中，提出议题的人一律写作“居民”。勾选后，您提出的议题将显示您的昵称。邮箱和电话从不公开。",
    public_name_box: "在公开数据中显示我的昵称",
    nothing_yet: "暂无",
    calendar: "日历订阅",
    calendar_intro: "在手机或电脑的日历应用中添加订阅地址，您召集或受邀参加的协商会会自动出现在日历里。",
    calendar_none: "您还没有开通日历订阅。",
    calendar_since: "已开通，订阅地址生成于",
    calendar_shown_once: "为保护隐私，订阅地址只在生成时显示一次。如已遗失，请重新生成，旧地址随即失效。",
    calendar_create: "开通日历订阅",
    calendar_renew: "重新生成订阅地址",
    calendar_revoke: "停止日历订阅",
    calendar_address: "订阅地址",
    calendar_copy_now: "请现在复制这个地址并添加到日历应用：离开本页后将无法再次查看。",
    calendar_revoked: "日历订阅已停止，原地址已失效。",
    my_roles: "我的角色",
    everywhere: "全部地区",
    role_names: [
        "居民",
        "网格员",
        "社区工作者",
        "街道工作人员",
        "政协委员",
        "物业公司",
        "职能部门",
        "管理员",
    ],
    staff_title: "工作台",
    intake: "待受理",
    by_step: "各环节议题",
    overdue: "督办",
    overdue_intro: "已过截止日期、尚未完成的任务。",
    objections: "待答复异议",
    closable: "待结项",
    closable_intro: "评价期已结束或评价人数已够、可以结项的议题。",
    total_before: "（共 ",
    total_after: " 项）",
    oldest_first: "等待最久的排在前面。",
    filed_on: "提出于",
    tasks_title: "我的任务",
    no_tasks: "暂无任务。",
    topic: "议题",
    due: "截止日期",
    overdue_tag: "已逾期",
    responsible: "责任单位",
    status: "状态",
    progress_note: "进展说明",
    progress_note_hint: "选填，写明做了什么、还差什么",
    photo: "照片",
    photo_hint: "选填：JPEG、PNG 或 WebP 图片；拍摄地点等信息会被去除",
    update: "更新",
    progress: "进展记录",
    no_progress: "还没有进展记录。",
    updated: "任务已更新。",
    not_open: "议题处于办理环节时才能更新进展。",
    task_statuses: ["待办", "进行中", "已完成", "受阻"],
};

pub const EN: Work = Work {
    me_title: "Me",
    my_topics: "My topics",
    no_my_topics: "You have not raised a topic yet.",
    following: "Following",
    following_note: "For now this lists the topics you support; following arrives with notifications.",
    public_name: "Shown in public",
    public_name_intro: "In open data and exports every author appears as “居民” (resident). Tick the box to show your display name on the topics you raise. Your email and phone are never public.",
    public_name_box: "Show my display name in open data",
    nothing_yet: "Nothing yet",
    calendar: "Calendar subscription",
    calendar_intro: "Add the subscription address to the calendar app on your phone or computer, and the meetings you convene or are invited to appear in it.",
    calendar_none: "You have no calendar subscription yet.",
    calendar_since: "Active; the address was made on",
    calendar_shown_once: "To protect your privacy the address is shown only once, when it is made. If you lost it, make a new one; the old one stops working.",
    calendar_create: "Start calendar subscription",
    calendar_renew: "Make a new address",
    calendar_revoke: "Stop calendar subscription",
    calendar_address: "Subscription address",
    calendar_copy_now: "Copy this address into your calendar app now: it cannot be shown again once you leave this page.",
    calendar_revoked: "The calendar subscription is stopped; the old address no longer works.",
    my_roles: "My roles",
    everywhere: "Everywhere",
    role_names: [
        "Resident",
        "Grid worker",
        "Community staff",
        "Sub-district staff",
        "CPPCC member",
        "Property firm",
        "Department",
        "Administrator",
    ],
    staff_title: "Workbench",
    intake: "Waiting for intake",
    by_step: "Topics by step",
    overdue: "Overdue work",
    overdue_intro: "Tasks past their due date and not done.",
    objections: "Objections to answer",
    closable: "Ready to close",
    closable_intro: "Topics whose evaluation window is over or which have enough ratings.",
    total_before: "(",
    total_after: " in total)",
    oldest_first: "The longest waiting come first.",
    filed_on: "Filed on",
    tasks_title: "My tasks",
    no_tasks: "No tasks.",
    topic: "Topic",
    due: "Due",
    overdue_tag: "Overdue",
    responsible: "Responsible",
    status: "Status",
    progress_note: "Progress note",
    progress_note_hint: "Optional: what was done, what is left",
    photo: "Photo",
    photo_hint: "Optional: a JPEG, PNG or WebP image; where it was taken is removed",
    update: "Update",
    progress: "Progress",
    no_progress: "No progress recorded yet.",
    updated: "The task is updated.",
    not_open: "Progress is recorded while the topic is in action.",
    task_statuses: ["To do", "In progress", "Done", "Blocked"],
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_and_status_has_a_name() {
        assert_eq!(Role::ALL.len(), ZH.role_names.len());
        assert_eq!(TaskStatus::ALL.len(), ZH.task_statuses.len());
        assert_eq!(ZH.role(&Role::PropertyFirm), "物业公司");
        assert_eq!(EN.task_status(&TaskStatus::Blocked), "Blocked");
    }
}
