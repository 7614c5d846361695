//! What every page shares: the home page, assets, languages, text size, error pages.

use crate::common::{StatusCode, TestApp, TestResult};

#[actix_rt::test]
async fn home_lists_the_communities_and_is_never_stale() -> TestResult {
    let app = TestApp::builder().demo().build().await;
    let mut b = app.browser();
    let home = b.get("/").await;
    assert_eq!(home.status, StatusCode::OK);
    assert_eq!(home.lang().as_deref(), Some("zh-CN"));
    // Anonymous: kept, but revalidated on every visit (tests/http_reads.rs has the 304).
    assert_eq!(
        home.headers
            .get("cache-control")
            .map(|v| v.to_str().unwrap_or("")),
        Some("no-cache")
    );
    let city = app.demo_city().await;
    assert!(
        home.html
            .contains(&format!("href=\"/places/{}\"", city.community))
    );
    assert!(home.shows("幸福社区"));
    assert!(home.shows("登录") && home.shows("注册"));
    app.done().await
}

#[actix_rt::test]
async fn assets_are_hashed_and_cached_forever() -> TestResult {
    let app = TestApp::spawn().await;
    let mut b = app.browser();
    let home = b.get("/").await;
    let re = regex::Regex::new(r#"href="(/assets/site\.[0-9a-f]{12}\.css)""#)?;
    let css = re
        .captures(&home.html)
        .map(|c| c[1].to_string())
        .ok_or("no css link")?;
    let got = b.get(&css).await;
    assert_eq!(got.status, StatusCode::OK);
    let header = |name: &str| {
        got.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    assert!(header("content-type").starts_with("text/css"));
    assert!(header("cache-control").contains("immutable"));
    assert!(got.html.contains("font-size"));
    // Another hash is not this file (a stale link must not get new bytes under an old name).
    let stale = b.get("/assets/site.000000000000.css").await;
    assert_eq!(stale.status, StatusCode::NOT_FOUND);
    // Nothing on the page comes from elsewhere.
    for attr in ["src=\"http", "href=\"http", "src=\"//", "href=\"//"] {
        assert!(!home.html.contains(attr), "external reference {attr}");
    }
    app.done().await
}

#[actix_rt::test]
async fn english_is_a_remembered_switch() -> TestResult {
    let app = TestApp::spawn().await;
    let mut b = app.browser();
    let to = b
        .submit("/prefs/lang", &[("lang", "en"), ("next", "/login")])
        .await;
    assert_eq!(to.status, StatusCode::SEE_OTHER);
    assert_eq!(to.location.as_deref(), Some("/login"));
    let login = b.follow(&to).await;
    assert_eq!(login.lang().as_deref(), Some("en"));
    assert!(login.has_button("Sign in"));
    assert!(login.has_field("Email") && login.has_field("Password"));
    // Remembered on the next page, and the switch offers the way back.
    let home = b.get("/").await;
    assert_eq!(home.lang().as_deref(), Some("en"));
    assert!(home.has_button("中文"));
    b.submit("/prefs/lang", &[("lang", "zh-CN"), ("next", "/")])
        .await;
    let home = b.get("/").await;
    assert_eq!(home.lang().as_deref(), Some("zh-CN"));
    assert!(home.has_button("English"));
    app.done().await
}

#[actix_rt::test]
async fn large_text_is_a_remembered_switch() -> TestResult {
    let app = TestApp::spawn().await;
    let mut b = app.browser();
    assert!(b.get("/").await.has_button("大字"));
    let to = b
        .submit("/prefs/text-size", &[("large", "1"), ("next", "/register")])
        .await;
    assert_eq!(to.location.as_deref(), Some("/register"));
    let page = b.follow(&to).await;
    assert!(page.html.contains(r#"<html lang="zh-CN" class="large">"#));
    assert!(page.has_button("标准字号"));
    b.submit("/prefs/text-size", &[("large", "0"), ("next", "/")])
        .await;
    assert!(!b.get("/").await.html.contains("class=\"large\""));
    app.done().await
}

#[actix_rt::test]
async fn a_switch_never_sends_you_to_another_site() -> TestResult {
    let app = TestApp::spawn().await;
    let mut b = app.browser();
    for next in [
        "//evil.example/",
        "https://evil.example/",
        "/\\evil.example",
    ] {
        let to = b
            .submit("/prefs/lang", &[("lang", "en"), ("next", next)])
            .await;
        assert_eq!(to.location.as_deref(), Some("/"), "next={next}");
    }
    let to = b
        .submit(
            "/login",
            &[
                ("email", "x@example.com"),
                ("password", "y"),
                ("next", "//evil.example"),
            ],
        )
        .await;
    assert_ne!(to.location.as_deref(), Some("//evil.example"));
    app.done().await
}

#[actix_rt::test]
async fn unknown_pages_are_html_and_api_paths_stay_json() -> TestResult {
    let app = TestApp::spawn().await;
    let mut b = app.browser();
    let page = b.get("/no-such-page").await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(
        page.headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .starts_with("text/html")
    );
    assert!(page.shows("页面不存在"));
    assert!(page.html.contains("href=\"/\""));
    let api = app.get("/api/v1/no-such-thing", None).await;
    assert_eq!(api.status, StatusCode::NOT_FOUND);
    assert_eq!(api.code(), "route.not_found");
    assert!(api.content_type.starts_with("application/problem+json"));
    app.done().await
}
