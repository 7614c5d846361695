//! Who hears what.

use serde_json::{Value, json};
use yishi::auth::Role;

use crate::common::{TestApp, TestResult, User, id_of};

/// The community's people: the author, neighbours, staff of the community and sub-district,
/// a CPPCC member and a property-firm user.
pub struct Cast {
    pub author: User,
    pub neighbours: Vec<User>,
    pub staff: User,
    pub sub: User,
    pub cppcc: User,
    pub firm: User,
    pub firm_id: i64,
    pub community: i64,
}

pub async fn cast(app: &TestApp, neighbours: usize) -> Cast {
    let city = app.demo_city().await;
    let c = city.community;
    let mut ns = Vec::new();
    for _ in 0..neighbours {
        ns.push(app.user_with(Role::Resident, c).await);
    }
    Cast {
        author: app.user_with(Role::Resident, c).await,
        neighbours: ns,
        staff: app.user_with(Role::CommunityStaff, c).await,
        sub: app
            .user_with(Role::SubdistrictStaff, city.subdistrict)
            .await,
        cppcc: app.user_with(Role::CppccMember, c).await,
        firm: app
            .user_with_grants(&[(Role::PropertyFirm, Some(c), Some(city.firm))])
            .await,
        firm_id: city.firm,
        community: c,
    }
}

fn kinds(items: &[Value]) -> Vec<&str> {
    items.iter().map(|n| n["kind"].as_str().unwrap()).collect()
}

#[actix_rt::test]
async fn staff_hear_new_topics_and_the_author_hears_every_step_but_never_their_own() -> TestResult {
    let app = TestApp::builder().demo().build().await;
    let p = cast(&app, 0).await;
    let topic = app
        .raise_topic(&p.author.token, p.community, "楼道灯不亮")
        .await;
    let id = id_of(&topic);

    // 待受理: the community's and the sub-district's staff hear it; the author acted.
    for staff in [&p.staff, &p.sub] {
        let inbox = app.inbox(&staff.token).await;
        assert_eq!(kinds(&inbox), ["topic_raised"]);
        assert_eq!(inbox[0]["topic_id"], id);
        assert_eq!(inbox[0]["title"], "新议题待受理：楼道灯不亮");
    }
    assert!(app.inbox(&p.author.token).await.is_empty());
    assert!(app.inbox(&p.firm.token).await.is_empty());

    app.topic_action(
        &p.staff.token,
        id,
        "accept",
        json!({"note": "已转物业查看"}),
    )
    .await;
    let inbox = app.inbox(&p.author.token).await;
    assert_eq!(kinds(&inbox), ["topic_accepted"]);
    let n = &inbox[0];
    assert_eq!(n["title"], "议题已受理：楼道灯不亮");
    assert!(n["body"].as_str().unwrap().contains("已转物业查看"), "{n}");
    assert!(
        n["url"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/topics/{id}"))
    );
    assert!(n["read_at"].is_null());
    // The staff member who accepted hears nothing of their own act.
    assert_eq!(kinds(&app.inbox(&p.staff.token).await), ["topic_raised"]);

    // 提请协商: the CPPCC member of the place must act.
    app.topic_action(
        &p.staff.token,
        id,
        "escalate",
        json!({"reason": "涉及多个楼栋"}),
    )
    .await;
    assert_eq!(kinds(&app.inbox(&p.cppcc.token).await), ["topic_escalated"]);
    assert_eq!(
        kinds(&app.inbox(&p.author.token).await),
        ["topic_escalated", "topic_accepted"]
    );
    app.done().await
}

#[actix_rt::test]
async fn followers_hear_transitions_and_their_choices_stick() -> TestResult {
    let app = TestApp::builder().demo().build().await;
    let p = cast(&app, 5).await;
    let [supporter, commenter, watcher, muter, leaver] = [0, 1, 2, 3, 4].map(|i| &p.neighbours[i]);
    let topic = app
        .raise_topic(&p.author.token, p.community, "电动车乱停")
        .await;
    let id = id_of(&topic);
    let path = |s: &str| format!("/api/v1/topics/{id}/{s}");

    // 附议 and 评论 follow the topic; an explicit level is kept; mute and unfollow silence it.
    let r = app
        .post(&path("supports"), supporter.tok(), json!({}))
        .await;
    assert_eq!(r.status.as_u16(), 200, "{:?}", r.body);
    let comment = |u: &User, text: &str| {
        let body = json!({"body": text});
        let (app, path, u) = (&app, path("comments"), u.clone());
        async move {
            let r = app.post(&path, u.tok(), body).await;
            assert_eq!(r.status.as_u16(), 201, "{:?}", r.body);
        }
    };
    comment(commenter, "我也遇到过").await;
    let follow = |u: &User, level: &str| {
        let (app, path, u, body) = (&app, path("follow"), u.clone(), json!({"level": level}));
        async move { app.put_json(&path, &u.token, body).await }
    };
    let r = follow(watcher, "watching").await;
    assert_eq!(r.status.as_u16(), 200, "{:?}", r.body);
    assert_eq!(r.body["level"], "watching");
    follow(muter, "normal").await;
    follow(muter, "muted").await;
    comment(leaver, "楼下也是").await;
    let r = app.delete(&path("follow"), leaver.tok()).await;
    assert_eq!(r.status.as_u16(), 204);
    // Commenting again does not follow again behind their back.
    comment(leaver, "再说一句").await;

    // The API never takes "unfollowed" as a level, and names the field.
    let r = follow(watcher, "unfollowed").await;
    assert_eq!(r.status.as_u16(), 400, "{:?}", r.body);
    assert_eq!(r.body["field"], "level", "{:?}", r.body);
    let r = app
        .put_json(
            "/api/v1/topics/999999/follow",
            &watcher.token,
            json!({"level": "normal"}),
        )
        .await;
    assert_eq!(r.status.as_u16(), 404);

    app.fanned_out().await;
    app.topic_action(&p.staff.token, id, "accept", json!({}))
        .await;
    for u in [&p.author, supporter, commenter, watcher] {
        let k = app.inbox_kinds(&u.token).await;
        assert_eq!(
            k.iter().filter(|k| *k == "topic_accepted").count(),
            1,
            "{k:?}"
        );
    }
    for u in [muter, leaver] {
        let k = app.inbox_kinds(&u.token).await;
        assert!(!k.contains(&"topic_accepted".to_string()), "{k:?}");
    }

    // Comments reach only those watching: the author (raising watches) and the watcher.
    let before: Vec<usize> = {
        let mut v = Vec::new();
        for u in [&p.author, watcher, supporter, commenter] {
            v.push(app.inbox(&u.token).await.len());
        }
        v
    };
    comment(supporter, "支持尽快处理").await;
    let after_of = |u: &User| {
        let (app, t) = (&app, u.token.clone());
        async move { app.inbox_kinds(&t).await }
    };
    let a = after_of(&p.author).await;
    assert_eq!((a.len(), a[0].as_str()), (before[0] + 1, "comment_added"));
    let w = after_of(watcher).await;
    assert_eq!((w.len(), w[0].as_str()), (before[1] + 1, "comment_added"));
    assert_eq!(
        after_of(supporter).await.len(),
        before[2],
        "the commenter is the actor"
    );
    assert_eq!(
        after_of(commenter).await.len(),
        before[3],
        "normal hears no comments"
    );

    // /me/follows: the muted topic is listed as muted; the unfollowed one is not listed.
    let levels = |u: &User| {
        let (app, t) = (&app, u.token.clone());
        async move {
            let r = app.get("/api/v1/me/follows", Some(&t)).await;
            assert_eq!(r.status.as_u16(), 200);
            r.body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| {
                    (
                        f["topic_id"].as_i64().unwrap(),
                        f["level"].as_str().unwrap().to_string(),
                    )
                })
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(levels(muter).await, [(id, "muted".to_string())]);
    assert_eq!(levels(leaver).await, []);
    assert_eq!(levels(supporter).await, [(id, "normal".to_string())]);
    assert_eq!(levels(&p.author).await, [(id, "watching".to_string())]);
    app.done().await
}

#[actix_rt::test]
async fn a_task_reaches_its_organisation_and_each_event_is_recorded_once() -> TestResult {
    let app = TestApp::builder().demo().build().await;
    let p = cast(&app, 1).await;
    let topic = app
        .raise_topic(&p.author.token, p.community, "垃圾房异味")
        .await;
    let id = id_of(&topic);
    app.topic_action(&p.staff.token, id, "accept", json!({}))
        .await;
    app.topic_action(
        &p.staff.token,
        id,
        "decide",
        json!({"decision": "每周清洗两次"}),
    )
    .await;
    let r = app
        .post(
            &format!("/api/v1/topics/{id}/tasks"),
            p.staff.tok(),
            json!({"title": "清洗垃圾房", "organization_id": p.firm_id, "due_at": "2030-01-01T00:00:00Z"}),
        )
        .await;
    assert_eq!(r.status.as_u16(), 201, "{:?}", r.body);
    let inbox = app.inbox(&p.firm.token).await;
    assert_eq!(kinds(&inbox), ["task_assigned"]);
    assert!(inbox[0]["body"].as_str().unwrap().contains("清洗垃圾房"));
    // Task assignments are addressed, not broadcast: the author hears decisions, not tasks.
    assert_eq!(
        kinds(&app.inbox(&p.author.token).await),
        ["topic_decided", "topic_accepted"]
    );

    // One notification event per timeline event that makes one, and one notification per
    // (event, user): the unique keys hold.
    let dupes = app.count(
        "(SELECT event_id, user_id FROM notifications GROUP BY event_id, user_id HAVING COUNT(*) > 1) d",
    );
    assert_eq!(dupes, 0);
    let events = app.count_where("notification_events", &format!("topic_id = {id}"));
    // raised, accepted, decided, task assigned
    assert_eq!(events, 4);
    app.done().await
}

#[actix_rt::test]
async fn a_retried_create_notifies_once() -> TestResult {
    let app = TestApp::builder().demo().build().await;
    let p = cast(&app, 0).await;
    let body = json!({"place_id": p.community, "title": "健身器材损坏", "body": "小区健身器材的扶手断了。", "category": "facilities"});
    for _ in 0..3 {
        let r = app
            .send(
                crate::common::Method::POST,
                "/api/v1/topics",
                p.author.tok(),
                &[("Idempotency-Key", "fitness-1")],
                crate::common::Body::Json(body.clone()),
            )
            .await;
        assert_eq!(r.status.as_u16(), 201);
    }
    assert_eq!(kinds(&app.inbox(&p.staff.token).await), ["topic_raised"]);
    app.done().await
}
