//! 照片 on a new topic: stored with the topic and shown on its page; a photo that is not one
//! is refused next to 照片 before anything is made; comments are on the public page.

use std::io::Cursor;

use crate::common::{StatusCode, TestResult};
use crate::world::{World, ZHANG};

fn png(w: u32, h: u32) -> Vec<u8> {
    let img = image::DynamicImage::ImageRgb8(image::RgbImage::from_fn(w, h, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 90])
    }));
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

#[actix_rt::test]
async fn a_photo_goes_with_a_new_topic_and_shows_on_its_page() -> TestResult {
    let w = World::new().await;
    let mut zhang = w.app.browser_as(ZHANG).await;
    let community = w.city.community.to_string();
    let photo = png(640, 480);
    let sent = zhang
        .submit_multipart(
            "/topics/new",
            &[
                ("place_id", community.as_str()),
                ("title", "楼道灯坏了"),
                ("body", "5号楼二层的灯不亮。"),
                ("category", "facilities"),
            ],
            &[("photo", "lamp.png", "image/png", &photo)],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.text());
    let page = zhang.follow(&sent).await;
    let re = regex::Regex::new(r#"<img src="(/attachments/(\d+)/thumbnail)" alt="照片 1""#)?;
    let caps = re.captures(&page.html).ok_or("no photo on the page")?;
    let thumb = zhang.get(&caps[1]).await;
    assert_eq!(thumb.status, StatusCode::OK);
    assert_eq!(
        thumb
            .headers
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("image/jpeg")
    );
    let full = zhang.get(&format!("/attachments/{}", &caps[2])).await;
    assert_eq!(full.status, StatusCode::OK);
    // Not yet accepted: not public, so a stranger is asked to sign in first.
    let mut stranger = w.app.browser();
    let refused = stranger.get(&caps[1]).await;
    assert_eq!(refused.status, StatusCode::SEE_OTHER);
    assert!(
        refused
            .location
            .as_deref()
            .unwrap_or("")
            .starts_with("/login?next=")
    );
    assert_eq!(w.app.count("attachments"), 1);
    w.app.done().await
}

#[actix_rt::test]
async fn a_file_that_is_no_photo_is_refused_next_to_the_field_and_makes_nothing() -> TestResult {
    let w = World::new().await;
    let mut zhang = w.app.browser_as(ZHANG).await;
    let community = w.city.community.to_string();
    let (topics, files) = (w.app.count("topics"), w.app.count("attachments"));
    for (name, ct, bytes) in [
        ("notes.txt", "text/plain", b"not a photo at all".to_vec()),
        ("cut.png", "image/png", png(64, 64)[..40].to_vec()),
    ] {
        let sent = zhang
            .submit_multipart(
                "/topics/new",
                &[
                    ("place_id", community.as_str()),
                    ("title", "楼道灯坏了"),
                    ("body", "5号楼二层的灯不亮。"),
                    ("category", "facilities"),
                ],
                &[("photo", name, ct, &bytes)],
            )
            .await;
        assert_eq!(sent.status, StatusCode::UNPROCESSABLE_ENTITY, "{name}");
        assert!(
            sent.field_error("photo").is_some(),
            "{name}: {}",
            sent.text()
        );
        assert!(sent.html.contains("楼道灯坏了"), "what was typed stays");
    }
    assert_eq!(w.app.count("topics"), topics);
    assert_eq!(w.app.count("attachments"), files);
    w.app.done().await
}

#[actix_rt::test]
async fn comments_show_on_the_public_page_without_their_authors() -> TestResult {
    let w = World::new().await;
    let id = w.raise_by_api("3号楼电梯经常故障").await;
    w.accept_by_api(id).await;
    let token = w.app.login(ZHANG).await;
    let r = w
        .app
        .post(
            &format!("/api/v1/topics/{id}/comments"),
            Some(&token),
            serde_json::json!({"body": "电梯确实经常坏，老人很不方便。"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let mut anon = w.app.browser();
    let page = anon.get(&format!("/topics/{id}")).await;
    assert!(page.shows("电梯确实经常坏"), "{}", page.text());
    assert!(!page.shows(ZHANG), "no author");
    assert!(!page.has_button("发表评论"));
    w.app.done().await
}
