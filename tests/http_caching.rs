#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Public reads can be cached: the catalog and a public topic carry an `ETag` and
//! `Cache-Control`; a conditional GET of an unchanged resource is 304 with no body, and a change
//! (a new supporter, a new step) gives a new ETag.

mod common;

use common::{TestApp, TestResult, id_of};
use serde_json::json;
use yishi::auth::Role;

#[actix_rt::test]
async fn unchanged_public_reads_are_304_and_a_change_alters_the_etag() -> TestResult {
    let app = TestApp::builder().demo().build().await;
    let c = app.demo_city().await.community;
    let author = app.user_with(Role::Resident, c).await;
    let neighbour = app.user_with(Role::Resident, c).await;
    let staff = app.user_with(Role::CommunityStaff, c).await;
    let t = id_of(&app.raise_topic(&author.token, c, "楼顶漏水").await);
    app.topic_action(&staff.token, t, "accept", json!({})).await;

    for path in [
        format!("/api/v1/public/topics/{t}"),
        format!("/api/v1/public/places/{c}/catalog"),
    ] {
        let first = app.get(&path, None).await;
        assert_eq!(first.status.as_u16(), 200);
        let etag = first.headers.get("etag").unwrap().to_str()?.to_string();
        assert!(etag.starts_with('"') && etag.len() > 10, "{etag}");
        let cache = first.headers.get("cache-control").unwrap().to_str()?;
        assert!(
            cache.contains("public") && cache.contains("max-age="),
            "{cache}"
        );

        let again = app.get_with(&path, &[("If-None-Match", &etag)]).await;
        assert_eq!(again.status.as_u16(), 304, "{path}");
        assert_eq!(again.body, json!(""), "no body");
        assert_eq!(again.headers.get("etag").unwrap().to_str()?, etag);
        let other = app
            .get_with(&path, &[("If-None-Match", "\"something-else\"")])
            .await;
        assert_eq!(other.status.as_u16(), 200);
        assert_eq!(other.body, first.body);
    }

    // A new supporter changes both the topic and the catalog line: new ETags, full answers.
    let topic = format!("/api/v1/public/topics/{t}");
    let before = app.get(&topic, None).await;
    let old = before.headers.get("etag").unwrap().to_str()?.to_string();
    let r = app
        .post(
            &format!("/api/v1/topics/{t}/supports"),
            neighbour.tok(),
            json!({}),
        )
        .await;
    assert_eq!(r.status.as_u16(), 200);
    let after = app.get_with(&topic, &[("If-None-Match", &old)]).await;
    assert_eq!(after.status.as_u16(), 200);
    assert_ne!(after.headers.get("etag").unwrap().to_str()?, old);
    assert_eq!(after.body["topic"]["supporters_count"], 1);
    // A topic that is not public stays 404, uncached.
    let hidden = id_of(&app.raise_topic(&author.token, c, "未受理").await);
    let r = app
        .get(&format!("/api/v1/public/topics/{hidden}"), None)
        .await;
    assert_eq!(r.status.as_u16(), 404);
    assert!(r.headers.get("etag").is_none());
    app.done().await
}
