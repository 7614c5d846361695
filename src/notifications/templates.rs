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
    /// An (account, address) login lock started: the owner is told, with an unlock link.
    LoginLocked,
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
            Template::LoginLocked => ("login_locked", include_str!("templates/login_locked.txt")),
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

    /// Fills the placeholders; unknown placeholders are left as they are, visibly. The
    /// subject is the template's first line, and a value placed in it is made one line
    /// (controls become spaces), so no title can move text into the body or, past lettre's
    /// own encoding, into another header.
    pub fn render(self, vars: &[(&str, &str)]) -> Rendered {
        let (kind, source) = self.source();
        let (subject, body) = source.split_once('\n').unwrap_or((source, ""));
        let fill = |template: &str, one_line: bool| {
            let mut text = template.to_string();
            for (name, value) in vars {
                let value = if one_line {
                    crate::api::text::one_line(value)
                } else {
                    (*value).to_string()
                };
                text = text.replace(&format!("{{{{{name}}}}}"), &value);
            }
            text
        };
        Rendered {
            kind,
            subject: fill(subject, true).trim().to_string(),
            body: fill(body, false).trim_start().to_string(),
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

    #[test]
    fn a_title_cannot_leave_the_subject() {
        let r = Template::MeetingCancelled.render(&[("title", "会\r\nBcc: evil@x\n正文")]);
        assert!(!r.subject.contains(['\r', '\n']), "{:?}", r.subject);
        assert!(r.subject.contains("Bcc: evil@x"));
        assert!(!r.body.starts_with("Bcc") && !r.body.starts_with("正文"));
    }

    /// lettre encodes (RFC 2047) a header value holding CR or LF instead of writing it raw,
    /// so even a subject that skipped `render` cannot add a header.
    #[test]
    fn lettre_never_splits_a_header() {
        let msg = lettre::Message::builder()
            .from("a@example.org".parse().unwrap())
            .to("b@example.org".parse().unwrap())
            .subject("Hi\r\nBcc: evil@example.org")
            .body(String::from("x"))
            .unwrap();
        let raw = String::from_utf8(msg.formatted()).unwrap();
        assert!(!raw.lines().any(|l| l.starts_with("Bcc")), "{raw}");
        assert!(
            "b@example.org\r\nBcc: evil@example.org"
                .parse::<lettre::message::Mailbox>()
                .is_err()
        );
    }
}
