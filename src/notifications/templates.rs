//! Mail templates, one file per message (subject on the first line, text body after), in
//! zh-CN followed by English. Placeholders are `{{name}}`.

/// A rendered mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub kind: &'static str,
    pub subject: String,
    pub body: String,
}

/// The templates Yishi sends so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Template {
    VerifyEmail,
    PasswordReset,
    AlreadyRegistered,
    MeetingInvitation,
    MeetingUpdate,
    MeetingCancelled,
}

impl Template {
    fn source(self) -> (&'static str, &'static str) {
        match self {
            Template::VerifyEmail => ("verify_email", include_str!("templates/verify_email.txt")),
            Template::PasswordReset => (
                "password_reset",
                include_str!("templates/password_reset.txt"),
            ),
            Template::AlreadyRegistered => (
                "already_registered",
                include_str!("templates/already_registered.txt"),
            ),
            Template::MeetingInvitation => (
                "meeting_invitation",
                include_str!("templates/meeting_invitation.txt"),
            ),
            Template::MeetingUpdate => (
                "meeting_update",
                include_str!("templates/meeting_update.txt"),
            ),
            Template::MeetingCancelled => (
                "meeting_cancelled",
                include_str!("templates/meeting_cancelled.txt"),
            ),
        }
    }

    /// Fills the placeholders; unknown placeholders are left as they are, visibly.
    pub fn render(self, vars: &[(&str, &str)]) -> Rendered {
        let (kind, source) = self.source();
        let mut text = source.to_string();
        for (name, value) in vars {
            text = text.replace(&format!("{{{{{name}}}}}"), value);
        }
        let (subject, body) = text.split_once('\n').unwrap_or((text.as_str(), ""));
        Rendered {
            kind,
            subject: subject.trim().to_string(),
            body: body.trim_start().to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_subject_and_body_with_token() {
        let r = Template::VerifyEmail.render(&[
            ("name", "张三"),
            ("token", "abc"),
            ("link", "http://x/verify?token=abc"),
            ("hours", "48"),
        ]);
        assert!(r.subject.contains("验证"));
        assert!(r.body.contains("张三"));
        assert!(r.body.contains("token: abc"));
        assert!(!r.body.contains("{{"));
    }
}
