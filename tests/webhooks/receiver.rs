//! The Python receiver (tests/webhooks/receiver.py) as a test sees it: started on loopback,
//! told each endpoint's secret, read back as the log of what it got and whether the signature
//! verified with the `standardwebhooks` package.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// A running receiver; killed when dropped.
pub struct Receiver {
    child: Child,
    pub port: u16,
    dir: tempfile::TempDir,
    secrets: BTreeMap<String, String>,
}

impl Receiver {
    /// Starts the receiver with `$WEBHOOK_PYTHON`. Without it: under CI a failure, locally
    /// None (the test prints a note and skips).
    pub fn start() -> Option<Receiver> {
        let python = std::env::var("WEBHOOK_PYTHON").unwrap_or_default();
        if python.is_empty() {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "WEBHOOK_PYTHON must name a Python with standardwebhooks under CI"
            );
            eprintln!("note: WEBHOOK_PYTHON is not set; skipping the webhook delivery test");
            return None;
        }
        let dir = tempfile::tempdir().expect("receiver dir");
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/webhooks/receiver.py");
        let mut child = Command::new(&python)
            .arg(&script)
            .arg(dir.path().join("log.jsonl"))
            .arg(dir.path().join("secrets.json"))
            .stdout(Stdio::piped())
            .spawn()
            .expect("run WEBHOOK_PYTHON");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("receiver port");
        let port = line
            .trim()
            .strip_prefix("PORT ")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("receiver did not start: {line:?}"));
        Some(Receiver {
            child,
            port,
            dir,
            secrets: BTreeMap::new(),
        })
    }

    /// The URL of `path` on this receiver.
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// Tells the receiver the secret of the endpoint at `path`.
    pub fn set_secret(&mut self, path: &str, secret: &str) {
        self.secrets.insert(path.to_string(), secret.to_string());
        let text = serde_json::to_string(&self.secrets).unwrap();
        let tmp = self.dir.path().join("secrets.tmp");
        std::fs::write(&tmp, text).unwrap();
        std::fs::rename(tmp, self.dir.path().join("secrets.json")).unwrap();
    }

    /// Every request received so far, oldest first.
    pub fn log(&self) -> Vec<Value> {
        std::fs::read_to_string(self.dir.path().join("log.jsonl"))
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    /// The requests to `path`.
    pub fn log_of(&self, path: &str) -> Vec<Value> {
        self.log()
            .into_iter()
            .filter(|r| r["path"] == path)
            .collect()
    }

    /// Waits (up to 20 s) until `path` has received `n` requests; returns them.
    pub async fn wait_for(&self, path: &str, n: usize) -> Vec<Value> {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let got = self.log_of(path);
            if got.len() >= n {
                return got;
            }
            assert!(
                Instant::now() < deadline,
                "{path} received {} of {n} requests: {:?}",
                got.len(),
                self.log()
            );
            actix_rt::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
