//! A real SMTP server for the mail tests: aiosmtpd (PyPI) on a free loopback port, storing
//! every message in a Maildir, and Python's `email` package reading them back (an independent
//! MIME parser: RFC 2047 subjects, multipart/alternative, base64 bodies).

use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::common::TestApp;

/// A mail as the receiver saw it.
#[derive(Debug, Clone)]
pub struct Got {
    pub to: String,
    /// The Subject header as it was on the wire (RFC 2047 encoded words).
    pub raw_subject: String,
    /// The Subject decoded.
    pub subject: String,
    pub message_id: String,
    pub content_type: String,
    pub list_unsubscribe: String,
    pub list_unsubscribe_post: String,
    pub text: String,
    pub html: String,
}

/// The aiosmtpd server of one test.
pub struct Smtp {
    python: String,
    pub port: u16,
    dir: tempfile::TempDir,
    child: Option<Child>,
}

/// The interpreter with aiosmtpd, from `AIOSMTPD_PYTHON` (.ci/run exports it). Without it
/// the test is skipped with a note, except under CI, where that is a failure.
pub fn python() -> Option<String> {
    match std::env::var("AIOSMTPD_PYTHON") {
        Ok(p) if !p.is_empty() => Some(p),
        _ => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "AIOSMTPD_PYTHON is not set: CI must run the SMTP tests"
            );
            eprintln!(
                "note: AIOSMTPD_PYTHON not set; skipping a test that needs a real SMTP server"
            );
            None
        }
    }
}

impl Smtp {
    /// Starts aiosmtpd on a free port; None (skip) when no interpreter is configured.
    pub fn start() -> Option<Smtp> {
        let python = python()?;
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut smtp = Smtp {
            python,
            port,
            dir: tempfile::tempdir().unwrap(),
            child: None,
        };
        smtp.up();
        Some(smtp)
    }

    /// The settings that point the server under test at this SMTP server.
    pub fn settings(&self) -> Vec<(String, String)> {
        vec![
            ("mail.transport".into(), "smtp".into()),
            ("mail.smtp_host".into(), "127.0.0.1".into()),
            ("mail.smtp_port".into(), self.port.to_string()),
            ("mail.smtp_tls".into(), "none".into()),
            ("mail.poll_interval_ms".into(), "50".into()),
        ]
    }

    /// (Re)starts the server on its port and waits until it accepts connections.
    pub fn up(&mut self) {
        let maildir = self.dir.path().join("maildir");
        let child = Command::new(&self.python)
            .args(["-m", "aiosmtpd", "-n", "-l"])
            .arg(format!("127.0.0.1:{}", self.port))
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&maildir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start aiosmtpd");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(Instant::now() < deadline, "aiosmtpd did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Stops the server (the port refuses connections until [`Smtp::up`]).
    pub fn down(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
            assert!(Instant::now() < deadline, "aiosmtpd did not stop");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Every mail received so far, parsed by Python's `email` package.
    pub fn all(&self) -> Vec<Got> {
        let script = r#"
import sys, os, json, email, email.policy
root = sys.argv[1]
out = []
for sub in ("new", "cur"):
    d = os.path.join(root, sub)
    if not os.path.isdir(d):
        continue
    for name in sorted(os.listdir(d)):
        raw = open(os.path.join(d, name), "rb").read()
        old = email.message_from_bytes(raw)
        m = email.message_from_bytes(raw, policy=email.policy.default)
        text = m.get_body(("plain",))
        html = m.get_body(("html",))
        out.append({
            "to": str(m["To"]), "raw_subject": str(old["Subject"]), "subject": str(m["Subject"]),
            "message_id": str(m["Message-ID"]), "content_type": m.get_content_type(),
            "list_unsubscribe": str(m.get("List-Unsubscribe", "")),
            "list_unsubscribe_post": str(m.get("List-Unsubscribe-Post", "")),
            "text": text.get_content() if text is not None else "",
            "html": html.get_content() if html is not None else "",
        })
print(json.dumps(out))
"#;
        let out = Command::new(&self.python)
            .args(["-c", script])
            .arg(self.dir.path().join("maildir"))
            .output()
            .expect("run python");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        v.as_array()
            .unwrap()
            .iter()
            .map(|m| {
                let s = |k: &str| m[k].as_str().unwrap_or("").to_string();
                Got {
                    to: s("to"),
                    raw_subject: s("raw_subject"),
                    subject: s("subject"),
                    message_id: s("message_id"),
                    content_type: s("content_type"),
                    list_unsubscribe: s("list_unsubscribe"),
                    list_unsubscribe_post: s("list_unsubscribe_post"),
                    text: s("text"),
                    html: s("html"),
                }
            })
            .collect()
    }

    /// Mails to `to`.
    pub fn to(&self, to: &str) -> Vec<Got> {
        self.all().into_iter().filter(|m| m.to == to).collect()
    }

    /// Waits (up to 30 s) until `to` has at least `n` mails; returns them.
    pub async fn wait_for(&self, to: &str, n: usize) -> Vec<Got> {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let got = self.to(to);
            if got.len() >= n {
                return got;
            }
            assert!(
                Instant::now() < deadline,
                "{to} got {} mail(s), expected {n}: {got:#?}",
                got.len()
            );
            actix_rt::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

impl Drop for Smtp {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl TestApp {
    /// Waits (up to 60 s) until every event is fanned out and the outbox holds nothing
    /// pending: whatever was to be sent has been.
    pub async fn mail_settled(&self) {
        self.fanned_out().await;
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let pending = self.count_where("outbox", "status = 'pending'");
            if pending == 0 {
                return;
            }
            assert!(Instant::now() < deadline, "{pending} mail(s) still pending");
            actix_rt::time::sleep(Duration::from_millis(50)).await;
        }
    }
}
