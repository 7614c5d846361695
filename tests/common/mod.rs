//! Test harness: each test gets its own database (a SQLite file in a temp dir, or a fresh
//! PostgreSQL database when TEST_DATABASE_URL is set), its own mail folder, and a real
//! `yishi` server on a free port, driven over HTTP.
//!
//! The kit every test binary shares, so that no file copies a helper:
//! - [`TestApp::builder`] (settings, demo seed), [`TestApp::user_with`], [`make_user`],
//!   [`TestApp::user_id`] (by email), [`TestApp::demo_city`] — who and where;
//! - [`TestApp::send`] (the one request builder), [`Call`] rows, [`TestApp::auth`],
//!   [`TestApp::get_text`] — requests;
//! - [`deny`]/[`deny_all`] (refused, nothing changed: one [`Snapshot`] of every table),
//!   [`problem`]/[`problem_all`] (a well-formed problem+json) — refusals, as case tables;
//! - [`TestApp::meeting_transition`] (with the version just read);
//! - [`id_of`], [`ids`], [`id_set`], [`merged`], [`monday_at`], [`day_at`], [`z`], [`ics`];
//! - [`TestApp::browser`], [`TestApp::browser_as`] (a cookie-keeping [`Browser`] that
//!   submits forms with the CSRF token) and [`Page`] (text, buttons, labelled fields, the
//!   error next to a field) — the web pages;
//! - [`TestApp::done`]: stop the server and end a test returning [`TestResult`].
#![allow(dead_code, unused_imports)]

mod builder;
pub mod call;
mod demo;
mod deny;
mod ics;
mod meetings;
mod notify;
mod people;
mod time;
pub mod web;

pub use builder::Builder;
pub use call::Call;
pub use demo::DemoCity;
pub use deny::{
    DENIED, Expect, Snapshot, assert_problem, deny, deny_all, problem, problem_all, snapshot,
};
pub use ics::ics;
pub use people::{User, id_of, id_set, ids, make_user, merged};
pub use time::{day_at, monday_at, z};
pub use web::{Browser, Page};

/// What a test returns, so that `?` can replace `expect`.
pub type TestResult<T = ()> = Result<T, Box<dyn std::error::Error>>;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

pub use awc::http::{Method, StatusCode};
use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};
use serde_json::{Value, json};
use yishi::auth::Role;
use yishi::config::Settings;
use yishi::db::DbConn;
use yishi::server::{self, Running};

pub const PASSWORD: &str = "correct horse battery";

/// A database made for one test and dropped after it.
pub struct TestDb {
    pub url: String,
    admin_url: Option<String>,
    name: String,
    _dir: tempfile::TempDir,
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

impl TestDb {
    pub fn new() -> TestDb {
        let dir = tempfile::tempdir().expect("tempdir");
        match std::env::var("TEST_DATABASE_URL") {
            Ok(admin_url) if admin_url.starts_with("postgres") => {
                let name = format!(
                    "yishi_t_{}_{}_{}",
                    std::process::id(),
                    COUNTER.fetch_add(1, Ordering::SeqCst),
                    chrono::Utc::now().timestamp_subsec_nanos()
                );
                let mut admin =
                    PgConnection::establish(&admin_url).expect("connect to TEST_DATABASE_URL");
                admin
                    .batch_execute(&format!("CREATE DATABASE {name}"))
                    .expect("create test database");
                let base = admin_url
                    .rsplit_once('/')
                    .map(|(b, _)| b)
                    .unwrap_or(&admin_url);
                TestDb {
                    url: format!("{base}/{name}"),
                    admin_url: Some(admin_url),
                    name,
                    _dir: dir,
                }
            }
            _ => TestDb {
                url: format!("sqlite://{}", dir.path().join("yishi.db").display()),
                admin_url: None,
                name: String::new(),
                _dir: dir,
            },
        }
    }

    /// Where a server on this database keeps its generated signing secret (in the test's
    /// temporary folder, so a restart on the same database finds it).
    pub fn secret_file(&self) -> String {
        self._dir.path().join("jwt-secret").display().to_string()
    }

    pub fn is_postgres(&self) -> bool {
        self.admin_url.is_some()
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(admin_url) = &self.admin_url
            && let Ok(mut admin) = PgConnection::establish(admin_url)
        {
            let _ = admin.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
        }
    }
}

/// Settings for a test: the test profile, its database and mail folder, plus overrides.
pub fn settings(db: &TestDb, mail_dir: &Path, extra: &[(&str, &str)]) -> Settings {
    #[rustfmt::skip]
    let mut overrides: Vec<(&str, String)> = vec![
        ("database.url", db.url.clone()),
        ("database.pool_size", "4".into()),
        ("server.bind", "127.0.0.1:0".into()),
        ("server.workers", "2".into()),
        ("mail.transport", "file".into()),
        ("mail.file_dir", mail_dir.display().to_string()),
        ("mail.poll_interval_ms", "50".into()),
        ("auth.login_attempts_per_ip_per_minute", "10000".into()),
        // The placeholder secret never signs: each test database gets its own generated one.
        ("auth.generated_secret_file", db.secret_file()),
        // Attachment files in the test's temporary folder, not in the checkout.
        ("attachments.local_dir", db._dir.path().join("files").display().to_string()),
    ];
    for (k, v) in extra {
        overrides.push((k, v.to_string()));
    }
    Settings::load(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("config")
            .as_path(),
        "test",
        &overrides,
    )
    .expect("test settings")
}

/// A running server with its own database and mailbox.
pub struct TestApp {
    pub base: String,
    pub client: awc::Client,
    pub running: Option<Running>,
    pub mail_dir: PathBuf,
    pub db: TestDb,
    _mail: tempfile::TempDir,
}

/// What a request carries.
pub enum Body {
    Empty,
    Json(Value),
    /// A content type and raw bytes.
    Raw(String, Vec<u8>),
}

/// A response: status, headers we look at, and the JSON body (Null when not JSON).
#[derive(Debug)]
pub struct Resp {
    pub status: StatusCode,
    pub body: Value,
    pub content_type: String,
    pub headers: awc::http::header::HeaderMap,
}

impl Resp {
    /// The problem `code`, for error answers.
    pub fn code(&self) -> &str {
        self.body["code"].as_str().unwrap_or("")
    }
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        Self::spawn_with(&[]).await
    }

    pub async fn spawn_with(extra: &[(&str, &str)]) -> TestApp {
        Self::spawn_on(extra, yishi::clock::Clock::default()).await
    }

    /// [`TestApp::spawn_with`] with the clock the background work goes by.
    pub async fn spawn_on(extra: &[(&str, &str)], clock: yishi::clock::Clock) -> TestApp {
        let db = TestDb::new();
        let mail = tempfile::tempdir().expect("mail dir");
        let settings = settings(&db, mail.path(), extra);
        let running = server::start_with_clock(settings, clock).expect("server starts");
        let base = format!("http://{}", running.addr);
        let client = awc::Client::builder()
            .timeout(Duration::from_secs(30))
            .finish();
        TestApp {
            base,
            client,
            running: Some(running),
            mail_dir: mail.path().to_path_buf(),
            db,
            _mail: mail,
        }
    }

    /// Runs `f` on a pooled connection of the app's database.
    pub fn with_db<T>(&self, f: impl FnOnce(&mut DbConn) -> T) -> T {
        let running = self.running.as_ref().expect("running");
        let mut conn = running.state.pool.get().expect("pool");
        f(&mut conn)
    }

    /// Seeds the demo city's places, organisations and users (no topics); look places up
    /// with [`TestApp::place`].
    pub fn seed_demo(&self) {
        let running = self.running.as_ref().expect("running");
        let settings = running.state.settings.clone();
        self.with_db(|c| yishi::demo::seed_base(c, &settings).expect("demo seed"));
    }

    /// Id of the place with `code`.
    pub fn place(&self, code: &str) -> i64 {
        use diesel::prelude::*;
        use yishi::db::schema::places;
        self.with_db(|c| {
            places::table
                .filter(places::code.eq(code))
                .select(places::id)
                .first::<i64>(c)
                .expect("place by code")
        })
    }

    /// Row count of a table, to prove a refused request wrote nothing.
    pub fn count(&self, table: &str) -> i64 {
        use diesel::prelude::*;
        #[derive(QueryableByName)]
        struct N {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        self.with_db(|c| {
            diesel::sql_query(format!("SELECT COUNT(*) AS n FROM {table}"))
                .get_result::<N>(c)
                .expect("count")
                .n
        })
    }

    /// Creates a verified user holding `grants` directly in the database; returns the id.
    pub fn user(
        &self,
        email: &str,
        home: Option<i64>,
        grants: &[(Role, Option<i64>, Option<i64>)],
    ) -> i64 {
        let running = self.running.as_ref().expect("running");
        let hash = running.state.hasher.hash_blocking(PASSWORD).expect("hash");
        self.with_db(|c| {
            let id = yishi::accounts::queries::insert_user(c, email, &hash, email, home, true)
                .expect("insert user");
            for (role, place, org) in grants {
                yishi::accounts::queries::insert_grant(c, id, *role, *place, *org, None)
                    .expect("grant");
            }
            id
        })
    }

    /// Logs in over HTTP and returns the access token.
    pub async fn login(&self, email: &str) -> String {
        self.login_with(email, PASSWORD).await
    }

    /// Logs in with a given password.
    pub async fn login_with(&self, email: &str, password: &str) -> String {
        let r = self
            .post(
                "/api/v1/auth/login",
                None,
                json!({"email": email, "password": password}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "login {email}: {:?}", r.body);
        r.body["access_token"]
            .as_str()
            .expect("access token")
            .to_string()
    }

    /// Creates a user with grants and logs them in.
    pub async fn user_token(
        &self,
        email: &str,
        home: Option<i64>,
        grants: &[(Role, Option<i64>, Option<i64>)],
    ) -> String {
        self.user(email, home, grants);
        self.login(email).await
    }

    /// Sends one request: the one place that builds a request and reads its answer.
    pub async fn send(
        &self,
        method: awc::http::Method,
        path: &str,
        token: Option<&str>,
        headers: &[(&str, &str)],
        body: Body,
    ) -> Resp {
        let mut r = self.client.request(method, format!("{}{path}", self.base));
        if let Some(t) = token {
            r = r.insert_header(("Authorization", format!("Bearer {t}")));
        }
        for (k, v) in headers {
            r = r.insert_header((*k, *v));
        }
        let res = match body {
            Body::Empty => r.send().await,
            Body::Json(v) => r.send_json(&v).await,
            Body::Raw(content_type, bytes) => {
                r.insert_header(("Content-Type", content_type))
                    .send_body(bytes)
                    .await
            }
        };
        let mut res = res.expect("request sent");
        let status = res.status();
        let headers = res.headers().clone();
        let content_type = headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let bytes = res.body().limit(10 * 1024 * 1024).await.expect("body");
        let body = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
        Resp {
            status,
            body,
            content_type,
            headers,
        }
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Resp {
        self.send(Method::GET, path, token, &[], Body::Empty).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> Resp {
        self.send(Method::POST, path, token, &[], Body::Json(body))
            .await
    }

    pub async fn patch(&self, path: &str, token: Option<&str>, body: Value) -> Resp {
        self.send(Method::PATCH, path, token, &[], Body::Json(body))
            .await
    }

    pub async fn put_json(&self, path: &str, token: &str, body: Value) -> Resp {
        self.send(Method::PUT, path, Some(token), &[], Body::Json(body))
            .await
    }

    pub async fn delete(&self, path: &str, token: Option<&str>) -> Resp {
        self.send(Method::DELETE, path, token, &[], Body::Empty)
            .await
    }

    /// Sends raw bytes with a content type (for malformed-input tests).
    pub async fn raw(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        content_type: &str,
        body: Vec<u8>,
    ) -> Resp {
        let ct = content_type.to_string();
        self.send(method, path, token, &[], Body::Raw(ct, body))
            .await
    }

    /// POST `/api/v1/auth/{action}` without a token (register, login, refresh, …).
    pub async fn auth(&self, action: &str, body: Value) -> Resp {
        self.post(&format!("/api/v1/auth/{action}"), None, body)
            .await
    }

    /// GET as text: status, content type and the body as it came (for calendars).
    pub async fn get_text(&self, path: &str, token: Option<&str>) -> (StatusCode, String, String) {
        let r = self.get(path, token).await;
        let text = match r.body {
            Value::String(s) => s,
            other => other.to_string(),
        };
        (r.status, r.content_type, text)
    }

    /// Sends with extra headers.
    pub async fn get_with(&self, path: &str, headers: &[(&str, &str)]) -> Resp {
        self.send(Method::GET, path, None, headers, Body::Empty)
            .await
    }

    /// Waits (up to 10 s) for mails to `to` and returns their decoded text, oldest first.
    pub async fn mails_to(&self, to: &str, at_least: usize) -> Vec<String> {
        for _ in 0..200 {
            let found = read_mails(&self.mail_dir, to);
            if found.len() >= at_least {
                return found;
            }
            actix_rt::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("no {at_least} mail(s) to {to} arrived");
    }

    pub async fn stop(mut self) {
        if let Some(r) = self.running.take() {
            r.stop().await;
        }
    }
}

/// Mails in `dir` addressed to `to`, as decoded text, oldest first.
pub fn read_mails(dir: &Path, to: &str) -> Vec<String> {
    let mut found: Vec<(std::time::SystemTime, String)> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(Result::ok).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
        .filter_map(|e| {
            let text = decode_mail(&std::fs::read_to_string(e.path()).ok()?);
            let modified = e.metadata().ok()?.modified().ok()?;
            text.contains(&format!("To: {to}"))
                .then_some((modified, text))
        })
        .collect();
    found.sort_by_key(|(t, _)| *t);
    found.into_iter().map(|(_, t)| t).collect()
}

/// Decodes the base64 body the mailer writes, leaving the headers as they are.
pub fn decode_mail(raw: &str) -> String {
    use base64::Engine;
    let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((raw, ""));
    let compact: String = body.split_whitespace().collect();
    let text = base64::engine::general_purpose::STANDARD
        .decode(compact)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .unwrap_or_else(|| body.to_string());
    format!("{head}\n\n{text}")
}

/// The value after `token: ` in a mail.
pub fn token_in(mail: &str) -> String {
    mail.lines()
        .find_map(|l| l.trim().strip_prefix("token: "))
        .expect("token in mail")
        .trim()
        .to_string()
}
