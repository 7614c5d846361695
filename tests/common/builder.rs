//! `TestApp::builder()`: settings overrides, the demo seed, then a running server.

use super::{TestApp, User, make_user};
use yishi::auth::Role;

/// How a test server is made; see [`TestApp::builder`].
#[derive(Default)]
pub struct Builder {
    settings: Vec<(String, String)>,
    demo: bool,
    clock: Option<yishi::clock::Clock>,
}

impl Builder {
    /// Overrides one setting (`section.key`).
    pub fn setting(mut self, key: &str, value: &str) -> Builder {
        self.settings.push((key.to_string(), value.to_string()));
        self
    }

    /// Overrides several settings.
    pub fn settings(mut self, pairs: &[(&str, &str)]) -> Builder {
        for (k, v) in pairs {
            self = self.setting(k, v);
        }
        self
    }

    /// Seeds the demo city's places, organisations and users (no topics).
    pub fn demo(mut self) -> Builder {
        self.demo = true;
        self
    }

    /// Runs the server's background work (reminders, digests, webhook retries) on `clock`;
    /// keep a clone and move it with `advance`/`set`.
    pub fn clock(mut self, clock: yishi::clock::Clock) -> Builder {
        self.clock = Some(clock);
        self
    }

    pub async fn build(self) -> TestApp {
        let pairs: Vec<(&str, &str)> = self
            .settings
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let app = TestApp::spawn_on(&pairs, self.clock.unwrap_or_default()).await;
        if self.demo {
            app.seed_demo();
        }
        app
    }
}

impl TestApp {
    /// A builder: `TestApp::builder().setting("workflow.notice_days", "0").demo().build()`.
    pub fn builder() -> Builder {
        Builder::default()
    }

    /// A fresh logged-in user holding `role` at `place` (named after both).
    pub async fn user_with(&self, role: Role, place: i64) -> User {
        self.user_with_grants(&[(role, Some(place), None)]).await
    }

    /// A fresh logged-in user holding `grants`, without a home place.
    pub async fn user_with_grants(&self, grants: &[(Role, Option<i64>, Option<i64>)]) -> User {
        use std::sync::atomic::{AtomicU32, Ordering};
        static N: AtomicU32 = AtomicU32::new(0);
        let name = format!("u{}", N.fetch_add(1, Ordering::SeqCst));
        make_user(self, &name, None, grants).await
    }
}

impl TestApp {
    /// Stops the server and ends a test: `app.done().await` as a test's last line.
    pub async fn done(self) -> super::TestResult {
        self.stop().await;
        Ok(())
    }
}
