//! Waiting for the background notification worker, and reading a user's inbox.

use std::time::{Duration, Instant};

use serde_json::Value;

use super::TestApp;

impl TestApp {
    /// Waits (up to 20 s) until every recorded notification event has been fanned out.
    pub async fn fanned_out(&self) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let waiting = self.count_where("notification_events", "fanned_out_at IS NULL");
            if waiting == 0 {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{waiting} notification events still waiting for the fan-out"
            );
            actix_rt::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Rows of `table` matching a SQL condition.
    pub fn count_where(&self, table: &str, condition: &str) -> i64 {
        self.count(&format!("{table} WHERE {condition}"))
    }

    /// The caller's inbox after the fan-out: every item, newest first.
    pub async fn inbox(&self, token: &str) -> Vec<Value> {
        self.fanned_out().await;
        let r = self
            .get("/api/v1/notifications?limit=100", Some(token))
            .await;
        assert_eq!(r.status.as_u16(), 200, "inbox: {:?}", r.body);
        r.body["items"].as_array().cloned().unwrap_or_default()
    }

    /// The kinds in the caller's inbox, newest first.
    pub async fn inbox_kinds(&self, token: &str) -> Vec<String> {
        self.inbox(token)
            .await
            .iter()
            .map(|n| n["kind"].as_str().unwrap_or("").to_string())
            .collect()
    }
}

impl TestApp {
    /// A resident (or staff) raises a topic at `place`; returns the topic.
    pub async fn raise_topic(&self, token: &str, place: i64, title: &str) -> Value {
        let r = self
            .post(
                "/api/v1/topics",
                Some(token),
                serde_json::json!({"place_id": place, "title": title, "body": "楼道灯坏了两个星期，晚上老人看不见台阶。", "category": "facilities"}),
            )
            .await;
        assert_eq!(r.status.as_u16(), 201, "raise: {:?}", r.body);
        r.body
    }

    /// Applies a workflow action with the topic's current version; returns the topic.
    pub async fn topic_action(
        &self,
        token: &str,
        topic_id: i64,
        action: &str,
        extra: Value,
    ) -> Value {
        let t = self
            .get(&format!("/api/v1/topics/{topic_id}"), Some(token))
            .await;
        let body = super::merged(
            serde_json::json!({"action": action, "expected_version": t.body["version"]}),
            extra,
        );
        let r = self
            .post(
                &format!("/api/v1/topics/{topic_id}/transitions"),
                Some(token),
                body,
            )
            .await;
        assert_eq!(r.status.as_u16(), 200, "{action}: {:?}", r.body);
        r.body
    }
}
