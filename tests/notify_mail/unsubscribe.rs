//! One-click unsubscribe (RFC 8058): the POST turns that kind off, with no cookie and from
//! another site; the GET only asks; a bad token is a 400 page; the sender re-checks the
//! preference of a mail queued before the change.

use serde_json::json;

use super::smtp::Smtp;
use super::world::{app, cast, email_of};
use crate::common::{Body, Method, TestResult, id_of};

#[actix_rt::test]
async fn the_one_click_post_stops_that_kind_and_the_get_changes_nothing() -> TestResult {
    let Some(smtp) = Smtp::start() else {
        return Ok(());
    };
    let app = app(&smtp, &[], None).await;
    let p = cast(&app, 0).await;
    let (a, s, c) = (&p.author.token, &p.staff.token, p.community);
    let to = email_of(&app, &p.author);
    let first = id_of(&app.raise_topic(a, c, "小区门禁坏了").await);
    app.topic_action(s, first, "accept", json!({})).await;
    let m = smtp.wait_for(&to, 1).await.remove(0);
    let url = m
        .list_unsubscribe
        .trim_start_matches('<')
        .trim_end_matches('>')
        .to_string();
    let path = url
        .strip_prefix("http://127.0.0.1:8080")
        .expect("on the public address")
        .to_string();
    assert!(m.html.contains(&url.replace('&', "&amp;")), "{}", m.html);
    let settings = || app.get("/api/v1/me/notification-settings", p.author.tok());

    // A link scanner's GET: a page with a button, and nothing changes.
    let r = app.get(&path, None).await;
    assert_eq!(r.status.as_u16(), 200);
    let page = r.body.as_str().unwrap_or_default().to_string();
    assert!(
        page.contains("确认退订") && page.contains("议题已受理"),
        "{page}"
    );
    assert_eq!(settings().await.body["kinds"], json!({}));

    // The provider's POST: cross-site, no cookie, no CSRF token, the RFC 8058 body.
    let r = app
        .send(
            Method::POST,
            &path,
            None,
            &[
                ("Origin", "https://mail.example.net"),
                ("Sec-Fetch-Site", "cross-site"),
            ],
            Body::Raw(
                "application/x-www-form-urlencoded".into(),
                b"List-Unsubscribe=One-Click".to_vec(),
            ),
        )
        .await;
    assert_eq!(r.status.as_u16(), 200, "{:?}", r.body);
    assert_eq!(
        settings().await.body["kinds"],
        json!({"topic_accepted": "off"})
    );

    // A bad or tampered token: a 400 page, never a 500, and nothing changes.
    // Another user's id under this user's signature.
    let token = path.strip_prefix("/unsubscribe?token=").unwrap();
    let (uid, rest) = token.split_once('.').unwrap();
    let other: i64 = uid.parse::<i64>().unwrap() + 1;
    let tampered = format!("/unsubscribe?token={other}.{rest}");
    for bad in [
        "/unsubscribe?token=nonsense",
        "/unsubscribe",
        tampered.as_str(),
    ] {
        let r = app.get(bad, None).await;
        assert_eq!(r.status.as_u16(), 400, "GET {bad}");
        let r = app.send(Method::POST, bad, None, &[], Body::Empty).await;
        assert_eq!(r.status.as_u16(), 400, "POST {bad}");
    }

    // The next acceptance sends nothing to them (the inbox still has it); other kinds do.
    let second = id_of(&app.raise_topic(a, c, "车棚漏雨").await);
    app.topic_action(s, second, "accept", json!({})).await;
    let third = id_of(&app.raise_topic(a, c, "宠物噪音").await);
    app.topic_action(s, third, "reject", json!({"reason": "请联系物业"}))
        .await;
    let got = smtp.wait_for(&to, 2).await;
    app.mail_settled().await;
    let subjects: Vec<String> = smtp.to(&to).into_iter().map(|m| m.subject).collect();
    assert_eq!(got.len(), 2, "{subjects:?}");
    assert!(
        subjects.contains(&"议题未受理：宠物噪音".to_string()),
        "{subjects:?}"
    );
    assert!(
        !subjects.iter().any(|s| s.contains("车棚漏雨")),
        "{subjects:?}"
    );
    let inbox = app.inbox(a).await;
    assert_eq!(inbox.len(), 3, "{inbox:?}");
    app.done().await
}

#[actix_rt::test]
async fn the_sender_rechecks_the_preference_of_a_mail_queued_before_it_changed() -> TestResult {
    let Some(mut smtp) = Smtp::start() else {
        return Ok(());
    };
    let app = app(&smtp, &[], None).await;
    let p = cast(&app, 0).await;
    let (a, s, c) = (&p.author.token, &p.staff.token, p.community);
    let to = email_of(&app, &p.author);

    // SMTP is down while an acceptance mail is queued; then the author turns that kind off.
    smtp.down();
    let id = id_of(&app.raise_topic(a, c, "楼顶漏水").await);
    app.topic_action(s, id, "accept", json!({})).await;
    app.fanned_out().await;
    let r = app
        .put_json(
            "/api/v1/me/notification-settings",
            a,
            json!({"kinds": {"topic_accepted": "off"}}),
        )
        .await;
    assert_eq!(r.status.as_u16(), 200, "{:?}", r.body);
    smtp.up();
    app.mail_settled().await;
    // The staff's mail about the new topic went out; the author's was skipped at send time.
    smtp.wait_for(&email_of(&app, &p.staff), 1).await;
    assert!(smtp.to(&to).is_empty());
    let skipped = app.count_where(
        "outbox",
        &format!("user_id = {} AND status = 'skipped'", p.author.id),
    );
    assert_eq!(skipped, 1);
    app.done().await
}
