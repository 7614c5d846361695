//! Mail preferences: defaults, partial updates, per-kind modes, the language of the texts,
//! and refusals that name the field.

use serde_json::json;
use yishi::auth::Role;

use crate::common::{TestApp, TestResult, id_of};

#[actix_rt::test]
async fn preferences_default_change_in_part_and_refuse_bad_fields() -> TestResult {
    let app = TestApp::builder().demo().build().await;
    let c = app.demo_city().await.community;
    let me = app.user_with(Role::Resident, c).await;
    let path = "/api/v1/me/notification-settings";
    let r = app.get(path, me.tok()).await;
    assert_eq!(r.status.as_u16(), 200);
    assert_eq!(
        r.body,
        json!({"email": "immediate", "digest_hour": 20, "language": "zh-CN", "kinds": {}})
    );

    let r = app
        .put_json(path, &me.token, json!({"digest_hour": 7, "kinds": {"comment_added": "off", "topic_accepted": "digest"}}))
        .await;
    assert_eq!(r.status.as_u16(), 200, "{:?}", r.body);
    assert_eq!(r.body["digest_hour"], 7);
    assert_eq!(r.body["email"], "immediate", "untouched fields stay");
    assert_eq!(
        r.body["kinds"],
        json!({"comment_added": "off", "topic_accepted": "digest"})
    );
    // A kind set to null follows the general mode again; the others stay.
    let r = app
        .put_json(path, &me.token, json!({"kinds": {"comment_added": null}}))
        .await;
    assert_eq!(r.body["kinds"], json!({"topic_accepted": "digest"}));
    assert_eq!(app.get(path, me.tok()).await.body, r.body, "it sticks");

    for (body, field) in [
        (json!({"digest_hour": 24}), "digest_hour"),
        (json!({"digest_hour": -1}), "digest_hour"),
        (json!({"email": "sometimes"}), "email"),
        (json!({"language": "fr"}), "language"),
        (json!({"kinds": {"nonsense": "off"}}), "kinds"),
        (json!({"colour": "red"}), "colour"),
    ] {
        let r = app.put_json(path, &me.token, body.clone()).await;
        assert!(
            matches!(r.status.as_u16(), 400 | 422),
            "{body}: {} {:?}",
            r.status,
            r.body
        );
        let named = r.body["field"].as_str().unwrap_or("");
        assert!(named.starts_with(field), "{body}: field {named:?}");
    }
    assert_eq!(
        app.get(path, me.tok()).await.body["digest_hour"],
        7,
        "nothing half-written"
    );
    assert_eq!(app.get(path, None).await.status.as_u16(), 401);
    app.done().await
}

#[actix_rt::test]
async fn texts_follow_the_recipients_language() -> TestResult {
    let app = TestApp::builder().demo().build().await;
    let c = app.demo_city().await.community;
    let author = app.user_with(Role::Resident, c).await;
    let neighbour = app.user_with(Role::Resident, c).await;
    let staff = app.user_with(Role::CommunityStaff, c).await;
    let r = app
        .put_json(
            "/api/v1/me/notification-settings",
            &neighbour.token,
            json!({"language": "en"}),
        )
        .await;
    assert_eq!(r.status.as_u16(), 200);
    let t = id_of(&app.raise_topic(&author.token, c, "Lift 3").await);
    let r = app
        .post(
            &format!("/api/v1/topics/{t}/supports"),
            neighbour.tok(),
            json!({}),
        )
        .await;
    assert_eq!(r.status.as_u16(), 200);
    app.topic_action(&staff.token, t, "reject", json!({"reason": "不属于本社区"}))
        .await;
    let zh = app.inbox(&author.token).await;
    let en = app.inbox(&neighbour.token).await;
    assert_eq!(zh[0]["title"], "议题未受理：Lift 3");
    assert_eq!(en[0]["title"], "Topic rejected: Lift 3");
    assert!(
        en[0]["body"]
            .as_str()
            .unwrap()
            .starts_with("The topic was not accepted.")
    );
    assert!(
        en[0]["body"].as_str().unwrap().contains("不属于本社区"),
        "the reason as written"
    );
    app.done().await
}
