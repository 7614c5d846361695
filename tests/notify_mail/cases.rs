//! Immediate mails: what the author and the followers receive, and what a muted follower does
//! not.

use serde_json::json;

use super::smtp::Smtp;
use super::world::{app, cast, email_of};
use crate::common::{TestResult, id_of};

#[actix_rt::test]
async fn the_author_hears_the_acceptance_in_a_chinese_mail_with_html_text_and_headers() -> TestResult
{
    let Some(smtp) = Smtp::start() else {
        return Ok(());
    };
    let app = app(&smtp, &[], None).await;
    let p = cast(&app, 0).await;
    let title = "楼道灯不亮 <急> & \"三号楼\"";
    let id = id_of(&app.raise_topic(&p.author.token, p.community, title).await);
    app.topic_action(&p.staff.token, id, "accept", json!({"note": "已转物业"}))
        .await;
    let to = email_of(&app, &p.author);
    let got = smtp.wait_for(&to, 1).await;
    app.mail_settled().await;
    let got_all = smtp.to(&to);
    assert_eq!(got_all.len(), 1, "one mail: the acceptance {got_all:#?}");
    let m = &got[0];

    // The subject travels RFC 2047-encoded and decodes to the Chinese title.
    assert!(
        m.raw_subject.to_ascii_lowercase().contains("=?utf-8?"),
        "{}",
        m.raw_subject
    );
    assert_eq!(m.subject, format!("议题已受理：{title}"));

    // HTML plus text, both with the page's link; the HTML escapes the title.
    assert_eq!(m.content_type, "multipart/alternative");
    let link = format!("/topics/{id}");
    assert!(
        m.text.contains(&link) && m.text.contains("已转物业"),
        "{}",
        m.text
    );
    assert!(m.text.contains(title), "{}", m.text);
    assert!(m.html.contains(&format!("{link}\"")), "{}", m.html);
    assert!(
        m.html.contains("&lt;急&gt;") || m.html.contains("&#60;急&#62;"),
        "{}",
        m.html
    );
    assert!(!m.html.contains("<急>"), "{}", m.html);

    // A deterministic Message-ID naming the notification, and RFC 8058 headers.
    let nid: i64 = app.with_db(|c| {
        use diesel::prelude::*;
        use yishi::db::schema::notifications as n;
        n::table
            .filter(n::user_id.eq(p.author.id))
            .select(n::id)
            .first(c)
            .unwrap()
    });
    assert_eq!(m.message_id, format!("<notification-{nid}@127.0.0.1>"));
    assert!(
        m.list_unsubscribe
            .starts_with("<http://127.0.0.1:8080/unsubscribe?token="),
        "{}",
        m.list_unsubscribe
    );
    assert_eq!(m.list_unsubscribe_post, "List-Unsubscribe=One-Click");

    // The staff who must act heard of the new topic by mail too.
    let staff = smtp.to(&email_of(&app, &p.staff));
    assert_eq!(staff.len(), 1, "{staff:#?}");
    assert!(
        staff[0].subject.starts_with("新议题待受理："),
        "{}",
        staff[0].subject
    );
    app.done().await
}

#[actix_rt::test]
async fn followers_hear_transitions_by_mail_and_a_muted_follower_does_not() -> TestResult {
    let Some(smtp) = Smtp::start() else {
        return Ok(());
    };
    let app = app(&smtp, &[], None).await;
    let p = cast(&app, 2).await;
    let (follower, muter) = (&p.neighbours[0], &p.neighbours[1]);
    let id = id_of(
        &app.raise_topic(&p.author.token, p.community, "电梯异响")
            .await,
    );
    for u in [follower, muter] {
        let r = app
            .post(&format!("/api/v1/topics/{id}/supports"), u.tok(), json!({}))
            .await;
        assert_eq!(r.status.as_u16(), 200, "{:?}", r.body);
    }
    let r = app
        .put_json(
            &format!("/api/v1/topics/{id}/follow"),
            &muter.token,
            json!({"level": "muted"}),
        )
        .await;
    assert_eq!(r.status.as_u16(), 200, "{:?}", r.body);
    app.topic_action(&p.staff.token, id, "accept", json!({}))
        .await;
    app.topic_action(
        &p.staff.token,
        id,
        "decide",
        json!({"decision": "更换电梯钢缆"}),
    )
    .await;
    app.mail_settled().await;

    let subjects = |u| {
        let mut s: Vec<String> = smtp
            .to(&email_of(&app, u))
            .into_iter()
            .map(|m| m.subject)
            .collect();
        s.sort();
        s
    };
    let heard = subjects(follower);
    assert_eq!(
        heard,
        ["已形成决定：电梯异响", "议题已受理：电梯异响"],
        "the follower hears both transitions, once each"
    );
    assert_eq!(subjects(&p.author), heard, "the author too");
    assert!(subjects(muter).is_empty(), "no mail for the muted follower");
    assert!(
        app.inbox(&muter.token).await.is_empty(),
        "nor an inbox item"
    );
    assert_eq!(app.inbox(&follower.token).await.len(), 2);
    app.done().await
}

#[actix_rt::test]
async fn meeting_mails_leave_out_an_invitee_who_turned_invitations_off() -> TestResult {
    use crate::common::monday_at;
    use yishi::auth::Role;
    let Some(smtp) = Smtp::start() else {
        return Ok(());
    };
    let app = app(&smtp, &[], None).await;
    let p = cast(&app, 2).await;
    let cppcc = app.user_with(Role::CppccMember, p.community).await;
    let (keen, quiet) = (&p.neighbours[0], &p.neighbours[1]);
    let r = app
        .put_json(
            "/api/v1/me/notification-settings",
            &quiet.token,
            json!({"kinds": {"meeting_invited": "off"}}),
        )
        .await;
    assert_eq!(r.status.as_u16(), 200, "{:?}", r.body);
    let m = app
        .post(
            "/api/v1/consultations",
            cppcc.tok(),
            json!({"place_id": p.community, "title": "停车位协商", "kind": "micro_consultation",
                   "format": "in_person", "venue": "议事厅",
                   "starts_at": monday_at(10, 0), "ends_at": monday_at(11, 0)}),
        )
        .await;
    assert_eq!(m.status.as_u16(), 201, "{:?}", m.body);
    let mid = id_of(&m.body);
    for u in [keen, quiet] {
        let r = app
            .post(
                &format!("/api/v1/consultations/{mid}/invitations"),
                cppcc.tok(),
                json!({"user_id": u.id, "category": "resident_rep"}),
            )
            .await;
        assert_eq!(r.status.as_u16(), 201, "{:?}", r.body);
    }
    let r = app
        .meeting_transition(cppcc.tok(), mid, "schedule", json!({}))
        .await;
    assert_eq!(r.status.as_u16(), 200, "{:?}", r.body);
    let got = smtp.wait_for(&email_of(&app, keen), 1).await;
    assert_eq!(got[0].content_type, "multipart/mixed", "the .ics mail");
    app.mail_settled().await;
    assert_eq!(
        smtp.to(&email_of(&app, keen)).len(),
        1,
        "mailed once, not twice"
    );
    assert!(smtp.to(&email_of(&app, quiet)).is_empty());
    // Both have it in the inbox.
    for u in [keen, quiet] {
        assert_eq!(app.inbox_kinds(&u.token).await, ["meeting_invited"]);
    }
    app.done().await
}
