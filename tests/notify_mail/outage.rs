//! SMTP down and back: the outbox keeps every mail and delivers each exactly once.

use std::collections::BTreeMap;

use serde_json::json;

use super::smtp::Smtp;
use super::world::{app, cast};
use crate::common::{TestResult, id_of};

#[actix_rt::test]
async fn with_smtp_down_and_back_every_mail_arrives_exactly_once() -> TestResult {
    let Some(mut smtp) = Smtp::start() else {
        return Ok(());
    };
    let app = app(&smtp, &[], None).await;
    let p = cast(&app, 2).await;
    let (a, s, c) = (&p.author.token, &p.staff.token, p.community);

    smtp.down();
    for title in ["西门积水", "东门积水", "北门积水"] {
        let id = id_of(&app.raise_topic(a, c, title).await);
        for n in &p.neighbours {
            let r = app
                .post(&format!("/api/v1/topics/{id}/supports"), n.tok(), json!({}))
                .await;
            assert_eq!(r.status.as_u16(), 200, "{:?}", r.body);
        }
        app.topic_action(s, id, "accept", json!({})).await;
    }
    app.fanned_out().await;
    let queued = app.count_where("outbox", "message_id IS NOT NULL");
    assert!(
        queued >= 9,
        "author and both supporters per topic: {queued}"
    );

    // Every queued mail has failed at least once while SMTP was down.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while app.count_where(
        "outbox",
        "message_id IS NOT NULL AND (attempts = 0 OR last_error IS NULL)",
    ) > 0
    {
        assert!(
            std::time::Instant::now() < deadline,
            "no failed attempts recorded"
        );
        actix_rt::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(smtp.all().len(), 0);

    // Back on the same port: every mail arrives, each exactly once.
    smtp.up();
    app.mail_settled().await;
    let sent = app.count_where("outbox", "message_id IS NOT NULL AND status = 'sent'");
    assert_eq!(sent, queued, "every queued notification mail was sent");
    let mut by_id: BTreeMap<String, usize> = BTreeMap::new();
    for m in smtp.all() {
        *by_id.entry(m.message_id).or_default() += 1;
    }
    let notification_mails = by_id
        .iter()
        .filter(|(id, _)| id.starts_with("<notification-"))
        .count();
    assert_eq!(notification_mails as i64, queued, "{by_id:?}");
    assert!(
        by_id.values().all(|n| *n == 1),
        "a mail arrived twice: {by_id:?}"
    );
    app.done().await
}
