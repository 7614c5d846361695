//! Delivery through lettre (SMTP, .eml files, or the log) and the background sender loop.

use std::time::Duration;

use actix_web::web;
use lettre::message::header::{ContentTransferEncoding, ContentType, HeaderName, HeaderValue};
use lettre::message::{Attachment, MultiPart, SinglePart};
use lettre::message::{Mailbox, Message};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{FileTransport, SmtpTransport, Transport};
use secrecy::ExposeSecret;

use super::outbox::{self, OutgoingMail};
use crate::config::{MailSettings, MailTransportKind, SmtpTls};
use crate::db;
use crate::state::AppState;

/// A configured transport.
pub enum Mailer {
    Smtp(Box<SmtpTransport>),
    File(FileTransport),
    Log,
}

/// Why one delivery failed; permanent failures are not retried.
#[derive(Debug)]
pub struct SendError {
    pub message: String,
    pub permanent: bool,
}

impl Mailer {
    /// Builds the transport from settings.
    pub fn from_settings(s: &MailSettings) -> Result<Mailer, String> {
        Ok(match s.transport {
            MailTransportKind::Log => Mailer::Log,
            MailTransportKind::File => {
                std::fs::create_dir_all(&s.file_dir).map_err(|e| format!("{}: {e}", s.file_dir))?;
                Mailer::File(FileTransport::new(&s.file_dir))
            }
            MailTransportKind::Smtp => {
                let builder = match s.smtp_tls {
                    SmtpTls::None => SmtpTransport::builder_dangerous(&s.smtp_host),
                    SmtpTls::Starttls => SmtpTransport::starttls_relay(&s.smtp_host)
                        .map_err(|e| format!("smtp: {e}"))?,
                    SmtpTls::Tls => {
                        SmtpTransport::relay(&s.smtp_host).map_err(|e| format!("smtp: {e}"))?
                    }
                };
                let mut builder = builder
                    .port(s.smtp_port)
                    .timeout(Some(Duration::from_secs(20)));
                if !s.smtp_username.is_empty() {
                    builder = builder.credentials(Credentials::new(
                        s.smtp_username.clone(),
                        s.smtp_password.expose_secret().to_string(),
                    ));
                }
                Mailer::Smtp(Box::new(builder.build()))
            }
        })
    }

    /// Delivers one mail (blocking: call off the async workers).
    pub fn send(&self, from: &str, mail: &OutgoingMail) -> Result<(), SendError> {
        let permanent = |message: String| SendError {
            message,
            permanent: true,
        };
        let from: Mailbox = from.parse().map_err(|e| permanent(format!("from: {e}")))?;
        let to: Mailbox = mail
            .to_addr
            .parse()
            .map_err(|e| permanent(format!("to: {e}")))?;
        let text = SinglePart::builder()
            .header(ContentType::TEXT_PLAIN)
            .header(ContentTransferEncoding::Base64)
            .body(mail.body_text.clone());
        let mut builder = Message::builder()
            .from(from)
            .to(to)
            .subject(mail.subject.clone());
        if let Some(id) = &mail.message_id {
            builder = builder.message_id(Some(id.clone()));
        }
        if let Some(url) = &mail.list_unsubscribe {
            // RFC 8058: the link, and the promise that one POST to it unsubscribes.
            builder = builder
                .raw_header(HeaderValue::new(
                    HeaderName::new_from_ascii_str("List-Unsubscribe"),
                    url.clone(),
                ))
                .raw_header(HeaderValue::new(
                    HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
                    "List-Unsubscribe=One-Click".to_string(),
                ));
        }
        let message = match (&mail.ics, &mail.body_html) {
            (None, Some(html)) => builder.multipart(
                MultiPart::alternative().singlepart(text).singlepart(
                    SinglePart::builder()
                        .header(ContentType::TEXT_HTML)
                        .header(ContentTransferEncoding::Base64)
                        .body(html.clone()),
                ),
            ),
            (None, None) => builder.singlepart(text),
            (Some(ics), _) => {
                let method = if ics.contains("METHOD:CANCEL") {
                    "CANCEL"
                } else {
                    "REQUEST"
                };
                let calendar =
                    ContentType::parse(&format!("text/calendar; charset=utf-8; method={method}"))
                        .map_err(|e| permanent(format!("content type: {e}")))?;
                builder.multipart(MultiPart::mixed().singlepart(text).singlepart(
                    Attachment::new("invite.ics".to_string()).body(ics.clone(), calendar),
                ))
            }
        }
        .map_err(|e| permanent(format!("build: {e}")))?;
        let transient = |message: String| SendError {
            message,
            permanent: false,
        };
        match self {
            Mailer::Smtp(t) => t.send(&message).map(|_| ()).map_err(|e| {
                if e.is_permanent() {
                    permanent(e.to_string())
                } else {
                    transient(e.to_string())
                }
            }),
            Mailer::File(t) => t
                .send(&message)
                .map(|_| ())
                .map_err(|e| transient(e.to_string())),
            Mailer::Log => {
                tracing::info!(to = %mask(&mail.to_addr), subject = %mail.subject, "mail (log transport)");
                Ok(())
            }
        }
    }
}

/// `zhang@example.com` → `z***@example.com`, for logs.
pub fn mask(addr: &str) -> String {
    match addr.split_once('@') {
        Some((local, domain)) => {
            format!("{}***@{domain}", local.chars().next().unwrap_or('*'))
        }
        None => "***".into(),
    }
}

/// Delivers every due mail once; returns how many were sent.
pub async fn deliver_due(state: &web::Data<AppState>, mailer: &std::sync::Arc<Mailer>) -> usize {
    let settings = &state.settings.mail;
    let batch = settings.batch_size;
    let claimed = match db::run(&state.pool, move |c| outbox::claim_due(c, batch)).await {
        Ok(c) => c,
        Err(e) => {
            tracing::warn!(error = %e, "outbox claim failed");
            return 0;
        }
    };
    let mut sent = 0;
    for mail in claimed {
        if still_wanted(state, &mail).await == Some(false) {
            let id = mail.id;
            state
                .metrics
                .mail_sent
                .with_label_values(&["skipped"])
                .inc();
            if let Err(e) = db::run(&state.pool, move |c| outbox::mark_skipped(c, id)).await {
                tracing::warn!(error = %e, "outbox update failed");
            }
            continue;
        }
        let from = settings.from.clone();
        let m = mailer.clone();
        let to_send = mail.clone();
        let result = web::block(move || m.send(&from, &to_send)).await;
        let result = result.unwrap_or_else(|e| {
            Err(SendError {
                message: e.to_string(),
                permanent: false,
            })
        });
        let max = settings.max_attempts;
        let outcome = match result {
            Ok(()) => {
                sent += 1;
                state.metrics.mail_sent.with_label_values(&["sent"]).inc();
                db::run(&state.pool, move |c| outbox::mark_sent(c, mail.id)).await
            }
            Err(err) => {
                state.metrics.mail_sent.with_label_values(&["failed"]).inc();
                tracing::warn!(to = %mask(&mail.to_addr), error = %err.message, attempt = mail.attempts, "mail delivery failed");
                db::run(&state.pool, move |c| {
                    outbox::mark_failed(c, &mail, &err.message, err.permanent, max)
                })
                .await
            }
        };
        if let Err(e) = outcome {
            tracing::warn!(error = %e, "outbox update failed");
        }
    }
    if let Ok(n) = db::run(&state.pool, outbox::pending_count).await {
        state.metrics.outbox_pending.set(n);
    }
    sent
}

/// Whether the recipient of a user's mail still wants it, by their preference now (it may
/// have changed since the mail was queued). None for mails that belong to no user (account
/// mails) or when the preference could not be read: those are sent.
async fn still_wanted(state: &web::Data<AppState>, mail: &OutgoingMail) -> Option<bool> {
    let user = mail.user_id?;
    let kind = mail.notification_kind.clone();
    let settings = state.settings.clone();
    db::run(&state.pool, move |c| {
        crate::notifications::email::wanted_now(c, &settings, user, kind.as_deref())
    })
    .await
    .map_err(|e| tracing::warn!(error = %e, "preference re-check failed"))
    .ok()
}

/// The sender loop: wakes on the poll interval or when a mail is queued.
pub async fn run_sender(state: web::Data<AppState>, mailer: Mailer) {
    let mailer = std::sync::Arc::new(mailer);
    let interval = Duration::from_millis(state.settings.mail.poll_interval_ms.max(10));
    loop {
        while deliver_due(&state, &mailer).await > 0 {}
        tokio::select! {
            _ = tokio::time::sleep(interval) => {}
            _ = state.mail_wakeup.notified() => {}
        }
    }
}
