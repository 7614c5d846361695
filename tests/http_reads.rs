#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Reads as HTTP and JSON Schema say: the public catalog and topic carry an `ETag` and
//! `Cache-Control` (a conditional GET of an unchanged resource is 304 with no body, and a change
//! gives a new ETag), and a whole float in a path or query is the integer it spells.

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

/// A whole number written as a float is that integer in paths and queries too (JSON Schema
/// counts `5.0` as an integer): the same answer as with `5`; a fraction is still refused.
#[actix_rt::test]
async fn whole_floats_in_paths_and_queries_are_integers() -> TestResult {
    let app = TestApp::builder().demo().build().await;
    let c = app.demo_city().await.community;
    let staff = app.user_with(Role::CommunityStaff, c).await;
    let plain = app.get(&format!("/api/v1/places/{c}"), None).await;
    let float = app.get(&format!("/api/v1/places/{c}.0"), None).await;
    assert_eq!((float.status.as_u16(), &float.body), (200, &plain.body));
    let r = app
        .get(
            &format!("/api/v1/topics?place_id={c}.0&limit=2e0"),
            staff.tok(),
        )
        .await;
    assert_eq!(r.status.as_u16(), 200, "{:?}", r.body);
    // A parameter without a name is refused, as any unknown parameter is (schemathesis ST201).
    let r = app.get("/api/v1/places?=", None).await;
    assert_eq!(
        (r.status.as_u16(), r.code()),
        (400, "request.invalid_query")
    );
    let r = app.get(&format!("/api/v1/places/{c}.5"), None).await;
    assert_eq!((r.status.as_u16(), r.code()), (400, "request.invalid_path"));
    let r = app
        .get(&format!("/api/v1/topics?place_id={c}.5"), staff.tok())
        .await;
    assert_eq!(
        (r.status.as_u16(), r.body["field"].as_str()),
        (400, Some("place_id"))
    );
    app.done().await
}

/// The public pages (a place's catalog, a topic) shown to an anonymous visitor revalidate
/// cheaply: an ETag with `no-cache` and `Vary: Cookie`, 304 while unchanged, a new ETag after
/// a change. A signed-in visitor's pages stay `no-store` and never 304.
#[actix_rt::test]
async fn public_pages_answer_conditional_gets() -> TestResult {
    let app = TestApp::builder().demo().build().await;
    let c = app.demo_city().await.community;
    let author = app.user_with(Role::Resident, c).await;
    let neighbour = app.user_with(Role::Resident, c).await;
    let staff = app.user_with(Role::CommunityStaff, c).await;
    let t = id_of(&app.raise_topic(&author.token, c, "楼道灯不亮").await);
    app.topic_action(&staff.token, t, "accept", json!({})).await;

    for path in [format!("/topics/{t}"), format!("/places/{c}"), "/".into()] {
        let first = app.get_with(&path, &[("Accept", "text/html")]).await;
        assert_eq!(first.status.as_u16(), 200, "{path}");
        let etag = first.headers.get("etag").unwrap().to_str()?.to_string();
        let cache = first.headers.get("cache-control").unwrap().to_str()?;
        assert_eq!(cache, "no-cache", "{path}");
        assert_eq!(first.headers.get("vary").unwrap().to_str()?, "Cookie");
        let again = app.get_with(&path, &[("If-None-Match", &etag)]).await;
        assert_eq!(again.status.as_u16(), 304, "{path}");
        assert_eq!(again.body, json!(""), "no body");
    }

    // A new supporter shows on the topic page: the old ETag no longer matches.
    let page = format!("/topics/{t}");
    let old = app.get(&page, None).await;
    let old = old.headers.get("etag").unwrap().to_str()?.to_string();
    let r = app
        .post(
            &format!("/api/v1/topics/{t}/supports"),
            neighbour.tok(),
            json!({}),
        )
        .await;
    assert_eq!(r.status.as_u16(), 200);
    let after = app.get_with(&page, &[("If-None-Match", &old)]).await;
    assert_eq!(after.status.as_u16(), 200);
    assert_ne!(after.headers.get("etag").unwrap().to_str()?, old);

    // Signed in, the same page is personal: no-store, no ETag, never 304.
    common::make_user(&app, "page-reader", Some(c), &[]).await;
    let mut browser = app.browser_as("page-reader@example.com").await;
    let mine = browser.get(&page).await;
    assert_eq!(mine.status.as_u16(), 200);
    assert_eq!(
        mine.headers.get("cache-control").unwrap().to_str()?,
        "no-store"
    );
    assert!(mine.headers.get("etag").is_none());
    app.done().await
}
