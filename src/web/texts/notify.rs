//! Words of the notification parts of the pages: the 通知 section of /me, the follow buttons
//! of a topic, the mail preferences form.

use crate::notifications::kinds::{EmailMode, FollowLevel, Language};

/// Texts of these parts.
pub struct Notify {
    pub heading: &'static str,
    pub unread: &'static str,
    pub earlier: &'static str,
    pub none: &'static str,
    /// After a number: "3 条" (how many unread items one line stands for).
    pub items: &'static str,
    pub mark_read: &'static str,
    pub mark_all_read: &'static str,
    pub marked_flash: &'static str,
    pub follows_note: &'static str,
    pub no_follows: &'static str,
    pub follow: &'static str,
    pub unfollow: &'static str,
    pub mute: &'static str,
    pub watch: &'static str,
    pub you_follow: &'static str,
    pub followed_flash: &'static str,
    pub unfollowed_flash: &'static str,
    pub mail: &'static str,
    pub mail_intro: &'static str,
    pub digest_hour: &'static str,
    pub digest_hour_hint: &'static str,
    pub language: &'static str,
    pub save: &'static str,
    pub saved_flash: &'static str,
    pub level_watching: &'static str,
    pub level_normal: &'static str,
    pub level_muted: &'static str,
    pub mode_immediate: &'static str,
    pub mode_digest: &'static str,
    pub mode_off: &'static str,
}

pub const ZH: Notify = Notify {
    heading: "通知",
    unread: "未读",
    earlier: "已读",
    none: "暂时没有通知。",
    items: "条",
    mark_read: "标为已读",
    mark_all_read: "全部标为已读",
    marked_flash: "已标为已读。",
    follows_note: "议题有进展时会通知你。发起、附议、评论或评价会自动关注。",
    no_follows: "还没有关注的议题。",
    follow: "关注",
    unfollow: "取消关注",
    mute: "静音",
    watch: "关注全部动态（含评论）",
    you_follow: "你的关注：",
    followed_flash: "已关注。",
    unfollowed_flash: "已取消关注。",
    mail: "邮件通知",
    mail_intro: "网页上的通知总会保留；这里选择是否同时发邮件。",
    digest_hour: "摘要时间（每天几点）",
    digest_hour_hint: "0 到 23 点",
    language: "语言",
    save: "保存",
    saved_flash: "已保存。",
    level_watching: "全部动态",
    level_normal: "关注",
    level_muted: "静音",
    mode_immediate: "立即",
    mode_digest: "每日摘要",
    mode_off: "不发送",
};

pub const EN: Notify = Notify {
    heading: "Notifications",
    unread: "Unread",
    earlier: "Read",
    none: "No notifications yet.",
    items: "items",
    mark_read: "Mark read",
    mark_all_read: "Mark all read",
    marked_flash: "Marked read.",
    follows_note: "You hear when these topics move on. Raising, supporting, commenting or rating follows a topic.",
    no_follows: "You follow no topics yet.",
    follow: "Follow",
    unfollow: "Unfollow",
    mute: "Mute",
    watch: "Follow everything (with comments)",
    you_follow: "You follow:",
    followed_flash: "Followed.",
    unfollowed_flash: "Unfollowed.",
    mail: "Email",
    mail_intro: "Notifications always stay on the site; choose whether to email them as well.",
    digest_hour: "Digest hour (each day)",
    digest_hour_hint: "0 to 23",
    language: "Language",
    save: "Save",
    saved_flash: "Saved.",
    level_watching: "everything",
    level_normal: "following",
    level_muted: "muted",
    mode_immediate: "At once",
    mode_digest: "Daily digest",
    mode_off: "Never",
};

impl Notify {
    /// The name of a follow level.
    pub fn level(&self, l: &FollowLevel) -> &'static str {
        match l {
            FollowLevel::Watching => self.level_watching,
            FollowLevel::Normal => self.level_normal,
            FollowLevel::Muted => self.level_muted,
            FollowLevel::Unfollowed => self.unfollow,
        }
    }

    /// The name of a mail mode.
    pub fn mode(&self, m: &EmailMode) -> &'static str {
        match m {
            EmailMode::Immediate => self.mode_immediate,
            EmailMode::Digest => self.mode_digest,
            EmailMode::Off => self.mode_off,
        }
    }

    /// A language's own name.
    pub fn language_name(&self, l: &Language) -> &'static str {
        match l {
            Language::ZhCn => "中文",
            Language::En => "English",
        }
    }
}
