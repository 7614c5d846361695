//! Logged-in users and the ids in answers.

use std::collections::BTreeSet;

use serde_json::Value;
use yishi::auth::Role;

use super::TestApp;

/// A logged-in user.
#[derive(Clone, Debug)]
pub struct User {
    pub id: i64,
    pub token: String,
}

impl User {
    /// The token, as the request helpers take it.
    pub fn tok(&self) -> Option<&str> {
        Some(&self.token)
    }
}

/// Creates `name@example.com` with `grants` and logs them in.
pub async fn make_user(
    app: &TestApp,
    name: &str,
    home: Option<i64>,
    grants: &[(Role, Option<i64>, Option<i64>)],
) -> User {
    let email = format!("{name}@example.com");
    let id = app.user(&email, home, grants);
    let token = app.login(&email).await;
    User { id, token }
}

/// The `id` of an answer.
pub fn id_of(v: &Value) -> i64 {
    v["id"].as_i64().unwrap_or_else(|| panic!("no id in {v:?}"))
}

/// The ids of a list answer's `items`, as a set.
pub fn id_set(list: &Value) -> BTreeSet<i64> {
    list["items"]
        .as_array()
        .unwrap_or_else(|| panic!("no items in {list:?}"))
        .iter()
        .map(id_of)
        .collect()
}

/// The ids of list items, in order.
pub fn ids(items: &[Value]) -> Vec<i64> {
    items.iter().map(id_of).collect()
}

/// `base` with the members of `extra` added or replaced.
pub fn merged(mut base: Value, extra: Value) -> Value {
    if let (Some(b), Value::Object(e)) = (base.as_object_mut(), extra) {
        b.extend(e);
    }
    base
}

impl TestApp {
    /// The id of the user with `email` (a demo user, say), read from the database.
    pub fn user_id(&self, email: &str) -> i64 {
        self.with_db(|c| yishi::accounts::queries::user_by_email(c, email))
            .expect("user by email")
            .unwrap_or_else(|| panic!("no user {email}"))
            .id
    }
}
