//! What every theme needs: images made here (a JPEG with an EXIF block holding GPS, PNGs, a
//! PNG header claiming a huge size), multipart bodies, raw-byte reads, and a topic, a task
//! and a meeting in 幸福社区 with the people around them.

use std::io::Cursor;

use crate::common::{Body, DemoCity, Method, Resp, TestApp, User, id_of, make_user, monday_at};
use image::{DynamicImage, ImageFormat, RgbImage};
use serde_json::{Value, json};
use yishi::auth::Role;

/// A gradient image, so that encoders have something to encode.
pub fn pixels(w: u32, h: u32) -> DynamicImage {
    DynamicImage::ImageRgb8(RgbImage::from_fn(w, h, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, ((x + y) % 256) as u8])
    }))
}

/// The image encoded as `format`.
pub fn encoded(img: &DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, format).unwrap();
    out.into_inner()
}

pub fn png(w: u32, h: u32) -> Vec<u8> {
    encoded(&pixels(w, h), ImageFormat::Png)
}

pub fn jpeg(w: u32, h: u32) -> Vec<u8> {
    encoded(&pixels(w, h), ImageFormat::Jpeg)
}

/// The GPS position the EXIF block carries: 29°52'N, 121°33'E (Ningbo).
pub const LATITUDE: [(u32, u32); 3] = [(29, 1), (52, 1), (0, 1)];

/// A big-endian TIFF (EXIF) block: IFD0 with Orientation = `orientation` and a pointer to a
/// GPS IFD holding latitude N 29°52', longitude E 121°33'.
fn exif_block(orientation: u16) -> Vec<u8> {
    let mut t: Vec<u8> = b"MM\0\x2a\0\0\0\x08".to_vec();
    let entry = |t: &mut Vec<u8>, tag: u16, typ: u16, count: u32, value: [u8; 4]| {
        t.extend(tag.to_be_bytes());
        t.extend(typ.to_be_bytes());
        t.extend(count.to_be_bytes());
        t.extend(value);
    };
    // IFD0 at 8: 2 entries (2 + 24 bytes) + next-IFD 0 (4) = 30 bytes, ends at 38.
    let gps_at: u32 = 38;
    t.extend(2u16.to_be_bytes());
    let o = orientation.to_be_bytes();
    entry(&mut t, 0x0112, 3, 1, [o[0], o[1], 0, 0]);
    entry(&mut t, 0x8825, 4, 1, gps_at.to_be_bytes());
    t.extend(0u32.to_be_bytes());
    // GPS IFD at 38: 4 entries (2 + 48) + next 0 (4) = 54 bytes, ends at 92; rationals after.
    let lat_at: u32 = 92;
    let lon_at: u32 = lat_at + 24;
    t.extend(4u16.to_be_bytes());
    entry(&mut t, 0x0001, 2, 2, *b"N\0\0\0");
    entry(&mut t, 0x0002, 5, 3, lat_at.to_be_bytes());
    entry(&mut t, 0x0003, 2, 2, *b"E\0\0\0");
    entry(&mut t, 0x0004, 5, 3, lon_at.to_be_bytes());
    t.extend(0u32.to_be_bytes());
    for (n, d) in LATITUDE.into_iter().chain([(121, 1), (33, 1), (0, 1)]) {
        t.extend(n.to_be_bytes());
        t.extend(d.to_be_bytes());
    }
    t
}

/// A `w` × `h` JPEG (as stored: landscape) with an APP1 EXIF segment carrying GPS and
/// Orientation 6 (rotate 90° clockwise to show it upright, as phones write portraits).
pub fn jpeg_with_gps(w: u32, h: u32) -> Vec<u8> {
    let plain = jpeg(w, h);
    let mut payload = b"Exif\0\0".to_vec();
    payload.extend(exif_block(6));
    let len = u16::try_from(payload.len() + 2).unwrap();
    let mut out = plain[..2].to_vec();
    out.extend([0xFF, 0xE1]);
    out.extend(len.to_be_bytes());
    out.extend(payload);
    out.extend(&plain[2..]);
    out
}

/// CRC-32 (PNG chunks).
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for b in bytes {
        crc ^= u32::from(*b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A small valid PNG whose header (with a correct CRC) claims `w` × `h`: a decompression bomb
/// as far as a decoder that trusts headers can tell.
pub fn png_claiming(w: u32, h: u32) -> Vec<u8> {
    let mut p = png(8, 8);
    // Signature (8), IHDR length (4), "IHDR" (4), then width and height; CRC after 13 bytes.
    p[16..20].copy_from_slice(&w.to_be_bytes());
    p[20..24].copy_from_slice(&h.to_be_bytes());
    let crc = crc32(&p[12..29]);
    p[29..33].copy_from_slice(&crc.to_be_bytes());
    p
}

/// A minimal PDF (a sign-in sheet, as far as the sniffing is concerned).
pub fn pdf() -> Vec<u8> {
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n".to_vec()
}

/// A multipart/form-data body with one file part: (content type, body).
pub fn multipart(
    field: &str,
    filename: &str,
    content_type: &str,
    bytes: &[u8],
) -> (String, Vec<u8>) {
    let mut body = Vec::new();
    multipart_part(&mut body, field, filename, content_type, bytes);
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={BOUNDARY}"), body)
}

/// The boundary of the test forms.
pub const BOUNDARY: &str = "----yishi-test-boundary-7d9a";

/// Appends one part (and its closing line break) to a form body.
pub fn multipart_part(
    body: &mut Vec<u8>,
    field: &str,
    filename: &str,
    content_type: &str,
    bytes: &[u8],
) {
    let boundary = BOUNDARY;
    body.extend(format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{filename}\"\r\nContent-Type: {content_type}\r\n\r\n"
    )
    .into_bytes());
    body.extend_from_slice(bytes);
    body.extend_from_slice(b"\r\n");
}

/// POSTs `bytes` as the form field `file`.
pub async fn upload(
    app: &TestApp,
    path: &str,
    who: Option<&User>,
    name: &str,
    ct: &str,
    bytes: &[u8],
) -> Resp {
    upload_as(app, path, who, "file", name, ct, bytes).await
}

/// POSTs `bytes` as the form field `field`.
pub async fn upload_as(
    app: &TestApp,
    path: &str,
    who: Option<&User>,
    field: &str,
    name: &str,
    ct: &str,
    bytes: &[u8],
) -> Resp {
    let (content_type, body) = multipart(field, name, ct, bytes);
    app.send(
        Method::POST,
        path,
        who.and_then(User::tok),
        &[],
        Body::Raw(content_type, body),
    )
    .await
}

/// A GET answered with bytes: (status, content type, body).
pub async fn fetch(app: &TestApp, path: &str, who: Option<&User>) -> (u16, String, Vec<u8>) {
    let mut r = app.client.get(format!("{}{path}", app.base));
    if let Some(u) = who {
        r = r.insert_header(("Authorization", format!("Bearer {}", u.token)));
    }
    let mut res = r.send().await.expect("sent");
    let ct = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let body = res.body().limit(64 * 1024 * 1024).await.expect("body");
    (res.status().as_u16(), ct, body.to_vec())
}

/// Is `needle` anywhere in `hay`?
pub fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// 幸福社区 with a topic raised by a resident, and the people who act around it.
pub struct World {
    pub app: TestApp,
    pub city: DemoCity,
    pub author: User,
    pub neighbour: User,
    pub stranger: User,
    pub staff: User,
    pub sub: User,
    pub cppcc: User,
    pub firm: User,
    pub dept: User,
    pub topic: i64,
}

impl World {
    pub async fn new() -> World {
        World::with(&[]).await
    }

    pub async fn with(settings: &[(&str, &str)]) -> World {
        let app = TestApp::builder()
            .setting("workflow.notice_days", "0")
            .settings(settings)
            .demo()
            .build()
            .await;
        let c = app.demo_city().await;
        let resident = |name: &'static str, place: i64| {
            (name, Some(place), vec![(Role::Resident, Some(place), None)])
        };
        let specs = [
            resident("att-author", c.community),
            resident("att-neighbour", c.community),
            resident("att-stranger", c.far),
            (
                "att-staff",
                None,
                vec![(Role::CommunityStaff, Some(c.community), None)],
            ),
            (
                "att-sub",
                None,
                vec![(Role::SubdistrictStaff, Some(c.subdistrict), None)],
            ),
            (
                "att-cppcc",
                None,
                vec![(Role::CppccMember, Some(c.district), None)],
            ),
            (
                "att-firm",
                None,
                vec![(Role::PropertyFirm, Some(c.community), Some(c.firm))],
            ),
            (
                "att-dept",
                None,
                vec![(Role::Department, Some(c.community), Some(c.dept))],
            ),
        ];
        let mut users = Vec::new();
        for (name, home, grants) in specs {
            users.push(make_user(&app, name, home, &grants).await);
        }
        let mut users = users.into_iter();
        let mut next = || users.next().unwrap();
        let (author, neighbour, stranger, staff, sub, cppcc, firm, dept) = (
            next(),
            next(),
            next(),
            next(),
            next(),
            next(),
            next(),
            next(),
        );
        let r = app
            .post(
                "/api/v1/topics",
                author.tok(),
                json!({"place_id": c.community, "title": "楼道堆物",
                   "body": "3号楼楼道堆满杂物，消防通道被堵。", "category": "safety"}),
            )
            .await;
        assert_eq!(r.status.as_u16(), 201, "{:?}", r.body);
        let topic = id_of(&r.body);
        World {
            app,
            city: c,
            author,
            neighbour,
            stranger,
            staff,
            sub,
            cppcc,
            firm,
            dept,
            topic,
        }
    }

    /// Moves the topic with `action` as sub-district staff.
    pub async fn act(&self, topic: i64, action: &str, extra: Value) {
        let v = self
            .app
            .get(&format!("/api/v1/topics/{topic}"), self.sub.tok())
            .await
            .body["version"]
            .clone();
        let mut body = json!({"action": action, "expected_version": v, "note": "纳入", "decision": "物业清理楼道"});
        if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
            b.extend(e.clone());
        }
        let r = self
            .app
            .post(
                &format!("/api/v1/topics/{topic}/transitions"),
                self.sub.tok(),
                body,
            )
            .await;
        assert_eq!(r.status.as_u16(), 200, "{action}: {:?}", r.body);
    }

    /// Takes the topic to act with one task for the firm; returns the task id.
    pub async fn task_in_act(&self) -> i64 {
        self.act(self.topic, "accept", json!({})).await;
        self.act(self.topic, "decide", json!({})).await;
        let due = (chrono::Utc::now() + chrono::Duration::days(30)).to_rfc3339();
        let r = self
            .app
            .post(
                &format!("/api/v1/topics/{}/tasks", self.topic),
                self.sub.tok(),
                json!({"title": "清理楼道", "organization_id": self.city.firm, "due_at": due}),
            )
            .await;
        assert_eq!(r.status.as_u16(), 201, "{:?}", r.body);
        let task = id_of(&r.body);
        self.act(self.topic, "publish_plan", json!({})).await;
        self.act(self.topic, "approve_plan", json!({})).await;
        task
    }

    /// A draft meeting in the community convened by the CPPCC member.
    pub async fn meeting(&self) -> i64 {
        let starts = monday_at(10, 0) + chrono::Duration::days(7);
        let r = self
            .app
            .post("/api/v1/consultations", self.cppcc.tok(),
                  json!({"place_id": self.city.community, "title": "楼道整治协商会", "kind": "courtyard",
                         "format": "in_person", "venue": "议事厅", "starts_at": starts,
                         "ends_at": starts + chrono::Duration::hours(1)}))
            .await;
        assert_eq!(r.status.as_u16(), 201, "{:?}", r.body);
        id_of(&r.body)
    }

    pub fn topic_path(&self) -> String {
        format!("/api/v1/topics/{}/attachments", self.topic)
    }
}
