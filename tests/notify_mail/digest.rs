//! The daily digest on a moved clock, and the hourly cap folding the rest into it.

use chrono::Duration;
use serde_json::json;
use yishi::clock::Clock;

use super::smtp::{Got, Smtp};
use super::world::{app, cast, email_of, shanghai};
use crate::common::{TestApp, TestResult, id_of};

/// The item lines of a digest's text (`- title`).
fn items(m: &Got) -> Vec<String> {
    let mut v: Vec<String> = m
        .text
        .lines()
        .filter_map(|l| l.strip_prefix("- "))
        .map(str::to_string)
        .collect();
    v.sort();
    v
}

/// Raises a topic and has staff accept it; returns its id.
async fn accepted(app: &TestApp, author: &str, staff: &str, place: i64, title: &str) -> i64 {
    let id = id_of(&app.raise_topic(author, place, title).await);
    app.topic_action(staff, id, "accept", json!({})).await;
    id
}

#[actix_rt::test]
async fn the_digest_holds_exactly_the_days_items() -> TestResult {
    let Some(smtp) = Smtp::start() else {
        return Ok(());
    };
    let clock = Clock::manual(shanghai("2026-12-02", "09:00"));
    let app = app(&smtp, &[], Some(clock.clone())).await;
    let p = cast(&app, 0).await;
    let r = app
        .put_json(
            "/api/v1/me/notification-settings",
            &p.author.token,
            json!({"email": "digest", "digest_hour": 20}),
        )
        .await;
    assert_eq!(r.status.as_u16(), 200, "{:?}", r.body);
    let to = email_of(&app, &p.author);
    let (a, s, c) = (&p.author.token, &p.staff.token, p.community);
    let first = accepted(&app, a, s, c, "路灯坏了").await;
    accepted(&app, a, s, c, "垃圾分类点太远").await;
    app.mail_settled().await;
    assert!(smtp.to(&to).is_empty(), "nothing before the digest hour");

    // 20:00 local: one digest with the day's two items, and nothing else.
    clock.set(shanghai("2026-12-02", "20:05"));
    let got = smtp.wait_for(&to, 1).await;
    app.mail_settled().await;
    assert_eq!(smtp.to(&to).len(), 1);
    let d = &got[0];
    assert_eq!(
        items(d),
        ["议题已受理：垃圾分类点太远", "议题已受理：路灯坏了"]
    );
    assert_eq!(d.subject, "议事每日摘要：2 条新通知（2026-12-02）");
    assert_eq!(
        d.message_id,
        format!("<digest-{}-2026-12-02@127.0.0.1>", p.author.id)
    );
    assert_eq!(d.content_type, "multipart/alternative");
    assert!(d.html.contains(&format!("/topics/{first}\"")), "{}", d.html);
    assert!(d.list_unsubscribe.contains("/unsubscribe?token="));

    // Later that day: a new item waits for tomorrow's digest; the day's digest is not rebuilt.
    let third = id_of(&app.raise_topic(a, c, "健身器材松动").await);
    app.topic_action(s, third, "reject", json!({"reason": "已报修"}))
        .await;
    clock.set(shanghai("2026-12-02", "23:00"));
    app.mail_settled().await;

    // The next day's digest holds only the new item (had the 2 December digest been built
    // again, the item would have gone there), and there are two digests in all.
    clock.advance(Duration::hours(22));
    let got = smtp.wait_for(&to, 2).await;
    let next = got
        .iter()
        .find(|m| m.message_id.contains("2026-12-03"))
        .expect("the 3 December digest");
    assert_eq!(items(next), ["议题未受理：健身器材松动"]);
    app.mail_settled().await;
    let ids: std::collections::BTreeSet<String> =
        smtp.to(&to).into_iter().map(|m| m.message_id).collect();
    assert_eq!(ids.len(), 2, "{ids:?}");
    assert_eq!(smtp.to(&to).len(), 2);
    // Every one of the author's notifications has exactly one mail delivery.
    let undelivered = app.count_where(
        "notifications n",
        &format!(
            "n.user_id = {} AND NOT EXISTS (SELECT 1 FROM notification_deliveries d WHERE d.notification_id = n.id)",
            p.author.id
        ),
    );
    assert_eq!(undelivered, 0);
    app.done().await
}

#[actix_rt::test]
async fn the_hourly_cap_folds_the_rest_into_the_digest() -> TestResult {
    let Some(smtp) = Smtp::start() else {
        return Ok(());
    };
    let clock = Clock::manual(shanghai("2026-12-02", "09:00"));
    let app = app(
        &smtp,
        &[("notifications.email_hourly_cap", "2")],
        Some(clock.clone()),
    )
    .await;
    let p = cast(&app, 0).await;
    let to = email_of(&app, &p.author);
    let (a, s, c) = (&p.author.token, &p.staff.token, p.community);
    for title in ["一号楼漏水", "二号楼漏水", "三号楼漏水", "四号楼漏水"] {
        accepted(&app, a, s, c, title).await;
    }
    app.mail_settled().await;
    let now = smtp.to(&to);
    assert_eq!(now.len(), 2, "two immediate mails, the cap: {now:#?}");
    let mut subjects: Vec<String> = now.iter().map(|m| m.subject.clone()).collect();
    subjects.sort();
    assert_eq!(
        subjects,
        ["议题已受理：一号楼漏水", "议题已受理：二号楼漏水"]
    );

    // At the (default) digest hour, the other two arrive in the digest, and only they.
    clock.set(shanghai("2026-12-02", "20:30"));
    let got = smtp.wait_for(&to, 3).await;
    let digest = got
        .iter()
        .find(|m| m.message_id.starts_with("<digest-"))
        .expect("a digest");
    assert_eq!(
        items(digest),
        ["议题已受理：三号楼漏水", "议题已受理：四号楼漏水"]
    );
    app.mail_settled().await;
    assert_eq!(smtp.to(&to).len(), 3);
    app.done().await
}
