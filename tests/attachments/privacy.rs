//! A phone photo carries where it was taken: after upload the served photo and thumbnail carry
//! no EXIF (no GPS) by an independent parser and by the bytes, the photo stands upright, and
//! its type and size are those stored.

use super::world::{LATITUDE, World, contains, fetch, jpeg_with_gps, upload};
use crate::common::TestResult;

/// The GPS latitude of `bytes` by kamadak-exif, when it finds an EXIF block with one.
fn gps_latitude(bytes: &[u8]) -> Option<String> {
    let exif = exif::Reader::new()
        .read_from_container(&mut std::io::Cursor::new(bytes))
        .ok()?;
    exif.get_field(exif::Tag::GPSLatitude, exif::In::PRIMARY)
        .map(|f| f.display_value().to_string())
}

#[actix_rt::test]
async fn photos_lose_their_metadata_and_stay_upright() -> TestResult {
    let w = World::new().await;
    let original = jpeg_with_gps(800, 600);
    // The fixture really carries GPS, as an independent parser reads it.
    let lat = gps_latitude(&original).expect("the test photo has a GPS latitude");
    assert!(lat.contains(&LATITUDE[0].0.to_string()), "{lat}");
    assert!(contains(&original, b"Exif\0\0"));

    let r = upload(
        &w.app,
        &w.topic_path(),
        Some(&w.author),
        "IMG_0001.jpg",
        "image/jpeg",
        &original,
    )
    .await;
    assert_eq!(r.status.as_u16(), 201, "{:?}", r.body);
    let a = &r.body;
    assert_eq!(a["kind"], "photo");
    assert_eq!(a["owner_kind"], "topic");
    assert_eq!(a["content_type"], "image/jpeg");
    // Orientation 6: stored 800 × 600, shown (and now stored) 600 × 800.
    assert_eq!(
        (a["width"].as_i64(), a["height"].as_i64()),
        (Some(600), Some(800))
    );
    let id = a["id"].as_i64().unwrap();
    assert_eq!(a["url"], format!("/api/v1/attachments/{id}"));
    assert_eq!(
        a["thumbnail_url"],
        format!("/api/v1/attachments/{id}/thumbnail")
    );

    let (status, ct, served) = fetch(
        &w.app,
        &format!("/api/v1/attachments/{id}"),
        Some(&w.neighbour),
    )
    .await;
    assert_eq!((status, ct.as_str()), (200, "image/jpeg"));
    assert_eq!(served.len() as i64, a["bytes"].as_i64().unwrap());
    assert!(gps_latitude(&served).is_none(), "GPS survived");
    assert!(
        exif::Reader::new()
            .read_from_container(&mut std::io::Cursor::new(&served))
            .is_err(),
        "an EXIF block survived"
    );
    assert!(
        !contains(&served, b"Exif\0\0"),
        "EXIF marker bytes survived"
    );
    assert!(
        !contains(&served, &[0xFF, 0xE1]),
        "an APP1 segment survived"
    );
    assert!(
        !contains(&served, b"http://ns.adobe.com/xap"),
        "XMP survived"
    );
    let img = image::load_from_memory(&served)?;
    assert_eq!((img.width(), img.height()), (600, 800));

    let (status, ct, thumb) = fetch(
        &w.app,
        &format!("/api/v1/attachments/{id}/thumbnail"),
        Some(&w.author),
    )
    .await;
    assert_eq!((status, ct.as_str()), (200, "image/jpeg"));
    assert!(thumb.len() < served.len(), "the thumbnail is smaller");
    assert!(gps_latitude(&thumb).is_none() && !contains(&thumb, b"Exif\0\0"));
    let t = image::load_from_memory(&thumb)?;
    assert_eq!(
        (t.width(), t.height()),
        (240, 320),
        "longest side 320, upright"
    );

    let list = w.app.get(&w.topic_path(), w.stranger.tok()).await;
    assert_eq!(list.status.as_u16(), 200);
    assert_eq!(list.body["items"][0]["id"], id);
    w.app.done().await
}
