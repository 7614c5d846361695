//! Words of the unsubscribe page that mailed `List-Unsubscribe` links open.

/// Unsubscribe page texts.
pub struct Mail {
    pub unsubscribe_title: &'static str,
    /// Before the kind's name: "you will no longer get mails of the kind …".
    pub confirm_kind: &'static str,
    pub confirm_all: &'static str,
    pub unsubscribe_button: &'static str,
    pub done_kind: &'static str,
    pub done_all: &'static str,
    pub inbox_still: &'static str,
    pub invalid: &'static str,
}

pub const ZH: Mail = Mail {
    unsubscribe_title: "退订通知邮件",
    confirm_kind: "确认后，你将不再收到这类通知邮件：",
    confirm_all: "确认后，你将不再收到任何通知邮件（包括每日摘要）。",
    unsubscribe_button: "确认退订",
    done_kind: "已退订这类通知邮件：",
    done_all: "已退订全部通知邮件。",
    inbox_still: "站内通知照常保留；登录后可在“通知设置”中重新开启邮件。",
    invalid: "这个退订链接无效。请使用邮件里的完整链接，或登录后在通知设置中修改。",
};

pub const EN: Mail = Mail {
    unsubscribe_title: "Unsubscribe from notification mail",
    confirm_kind: "Once you confirm, you will no longer get mails of this kind:",
    confirm_all: "Once you confirm, you will no longer get any notification mail (the daily digest included).",
    unsubscribe_button: "Unsubscribe",
    done_kind: "You will no longer get mails of this kind:",
    done_all: "You will no longer get notification mail.",
    inbox_still: "Your in-app notifications stay; sign in to turn mail on again in your notification settings.",
    invalid: "This unsubscribe link is not valid. Use the whole link from the mail, or sign in and change your notification settings.",
};
