//! Meeting transitions as a person sends them: with the version they just read.

use serde_json::{Value, json};

use super::{Resp, TestApp, merged};

impl TestApp {
    /// `POST /consultations/{id}/transitions {action, expected_version, …extra}` as `token`,
    /// with the meeting's current version (read first, as the same caller).
    pub async fn meeting_transition(
        &self,
        token: Option<&str>,
        id: i64,
        action: &str,
        extra: Value,
    ) -> Resp {
        let m = self
            .get(&format!("/api/v1/consultations/{id}"), token)
            .await;
        self.post(
            &format!("/api/v1/consultations/{id}/transitions"),
            token,
            merged(
                json!({"action": action, "expected_version": m.body["version"]}),
                extra,
            ),
        )
        .await
    }
}
