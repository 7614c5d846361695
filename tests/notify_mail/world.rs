//! The fixtures: a server mailing through a test's SMTP server, and the people of a community.

use yishi::auth::Role;

use super::smtp::Smtp;
use crate::common::{TestApp, User};

/// A server with the demo city, mailing through `smtp`, with `extra` settings and `clock`.
pub async fn app(
    smtp: &Smtp,
    extra: &[(&str, &str)],
    clock: Option<yishi::clock::Clock>,
) -> TestApp {
    let mut b = TestApp::builder().demo();
    for (k, v) in smtp.settings() {
        b = b.setting(&k, &v);
    }
    b = b.settings(extra);
    if let Some(c) = clock {
        b = b.clock(c);
    }
    b.build().await
}

/// The community's people.
pub struct Cast {
    pub author: User,
    pub neighbours: Vec<User>,
    pub staff: User,
    pub community: i64,
}

/// An author, `neighbours` residents and one community staff member.
pub async fn cast(app: &TestApp, neighbours: usize) -> Cast {
    let c = app.demo_city().await.community;
    let mut ns = Vec::new();
    for _ in 0..neighbours {
        ns.push(app.user_with(Role::Resident, c).await);
    }
    Cast {
        author: app.user_with(Role::Resident, c).await,
        neighbours: ns,
        staff: app.user_with(Role::CommunityStaff, c).await,
        community: c,
    }
}

/// The address of a test user (the kit names them `{name}@example.com`).
pub fn email_of(app: &TestApp, u: &User) -> String {
    use diesel::prelude::*;
    use yishi::db::schema::users;
    let id = u.id;
    app.with_db(|c| users::table.find(id).select(users::email).first(c).unwrap())
}

/// A `YYYY-MM-DD HH:MM` in the installation's zone (Asia/Shanghai, UTC+8) as UTC.
pub fn shanghai(day: &str, hm: &str) -> chrono::NaiveDateTime {
    let local =
        chrono::NaiveDateTime::parse_from_str(&format!("{day} {hm}"), "%Y-%m-%d %H:%M").unwrap();
    local - chrono::Duration::hours(8)
}
