//! The notification mails and the digest: a subject, a text body and an HTML body (askama
//! templates under templates/mail/, which escape every value: titles are user text), in the
//! recipient's language, with the page's link and the unsubscribe link.

use askama::Template;

use crate::error::{ApiError, ApiResult};
use crate::notifications::kinds::Language;

/// The fixed words of notification mails in one language.
pub struct Words {
    pub html_lang: &'static str,
    pub open: &'static str,
    pub why: &'static str,
    pub unsubscribe_kind: &'static str,
    pub unsubscribe_all: &'static str,
    /// The digest's subject: `{n}` items on `{day}`.
    pub digest_subject: fn(usize, &str) -> String,
}

const ZH: Words = Words {
    html_lang: "zh-CN",
    open: "打开页面查看",
    why: "你收到这封邮件，是因为你在议事关注或参与了这件事。",
    unsubscribe_kind: "不再接收这类邮件",
    unsubscribe_all: "不再接收通知邮件",
    digest_subject: |n, day| format!("议事每日摘要：{n} 条新通知（{day}）"),
};

const EN: Words = Words {
    html_lang: "en",
    open: "Open the page",
    why: "You receive this mail because you follow or take part in this on Yishi.",
    unsubscribe_kind: "Stop mails of this kind",
    unsubscribe_all: "Stop notification mails",
    digest_subject: |n, day| format!("Yishi daily digest: {n} new notifications ({day})"),
};

/// The words for a recipient's language.
pub fn words(lang: Language) -> &'static Words {
    match lang {
        Language::ZhCn => &ZH,
        Language::En => &EN,
    }
}

/// A rendered mail.
#[derive(Debug, Clone)]
pub struct MailBody {
    pub subject: String,
    pub text: String,
    pub html: String,
}

#[derive(Template)]
#[template(path = "mail/notification.html")]
struct NotificationHtml<'a> {
    w: &'a Words,
    title: &'a str,
    body_lines: Vec<&'a str>,
    url: &'a str,
    unsubscribe: &'a str,
}

/// One item of a digest.
#[derive(Debug, Clone)]
pub struct DigestItem {
    pub title: String,
    pub url: String,
}

#[derive(Template)]
#[template(path = "mail/digest.html")]
struct DigestHtml<'a> {
    w: &'a Words,
    subject: &'a str,
    items: &'a [DigestItem],
    unsubscribe: &'a str,
}

fn html<T: Template>(t: &T) -> ApiResult<String> {
    t.render()
        .map_err(|e| ApiError::internal(format!("mail template: {e}")))
}

/// One notification's mail: its title as the subject (one line), its body and link.
pub fn notification(
    lang: Language,
    title: &str,
    body: &str,
    url: &str,
    unsubscribe: &str,
) -> ApiResult<MailBody> {
    let w = words(lang);
    let subject = crate::api::text::one_line(title).trim().to_string();
    let text = format!(
        "{title}\n\n{body}\n\n{open}: {url}\n\n-- \n{why}\n{unsub}: {unsubscribe}\n",
        open = w.open,
        why = w.why,
        unsub = w.unsubscribe_kind,
    );
    let html = html(&NotificationHtml {
        w,
        title,
        body_lines: body.lines().filter(|l| !l.trim().is_empty()).collect(),
        url,
        unsubscribe,
    })?;
    Ok(MailBody {
        subject,
        text,
        html,
    })
}

/// The daily digest: one line per item, title and link.
pub fn digest(
    lang: Language,
    day: &str,
    items: &[DigestItem],
    unsubscribe: &str,
) -> ApiResult<MailBody> {
    let w = words(lang);
    let subject = (w.digest_subject)(items.len(), day);
    let mut text = format!("{subject}\n\n");
    for item in items {
        text.push_str(&format!(
            "- {}\n  {}\n",
            crate::api::text::one_line(&item.title),
            item.url
        ));
    }
    text.push_str(&format!(
        "\n-- \n{}\n{}: {unsubscribe}\n",
        w.why, w.unsubscribe_all
    ));
    let html = html(&DigestHtml {
        w,
        subject: &subject,
        items,
        unsubscribe,
    })?;
    Ok(MailBody {
        subject,
        text,
        html,
    })
}

/// The host of the public address, for Message-IDs.
pub fn host_of(public_url: &str) -> String {
    public_url
        .split("://")
        .nth(1)
        .unwrap_or(public_url)
        .split(['/', ':'])
        .next()
        .filter(|h| !h.is_empty())
        .unwrap_or("yishi")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_escapes_user_text_and_text_keeps_it() {
        let m = notification(
            Language::ZhCn,
            "议题已受理：<script>alert(1)</script> & \"灯\"",
            "第一行\n<b>第二行</b>",
            "https://yishi.example/topics/1",
            "https://yishi.example/unsubscribe?token=1.x.y",
        )
        .unwrap();
        assert!(!m.html.contains("<script>"), "{}", m.html);
        assert!(m.html.contains("&#60;script&#62;"), "{}", m.html);
        assert!(!m.html.contains("<b>"), "{}", m.html);
        assert!(m.text.contains("<script>alert(1)</script>"));
        assert!(m.html.contains("href=\"https://yishi.example/topics/1\""));
        assert!(m.subject.starts_with("议题已受理"));
    }

    #[test]
    fn digest_lists_every_item() {
        let items = vec![
            DigestItem {
                title: "A <1>".into(),
                url: "https://x/topics/1".into(),
            },
            DigestItem {
                title: "B".into(),
                url: "https://x/topics/2".into(),
            },
        ];
        let m = digest(Language::En, "2026-12-02", &items, "https://x/u").unwrap();
        assert_eq!(
            m.subject,
            "Yishi daily digest: 2 new notifications (2026-12-02)"
        );
        assert!(m.html.contains("A &#60;1&#62;"), "{}", m.html);
        assert!(m.text.contains("- B\n  https://x/topics/2"));
    }

    #[test]
    fn hosts_of_public_urls() {
        assert_eq!(host_of("https://yishi.example:8443/x"), "yishi.example");
        assert_eq!(host_of("http://127.0.0.1:8080"), "127.0.0.1");
    }
}
