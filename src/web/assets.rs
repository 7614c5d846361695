//! Static files compiled into the binary and served under content-hashed names, so a
//! browser (WeChat's caches hard) may keep them forever and still never sees a stale one.

use std::sync::OnceLock;

use actix_web::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use actix_web::{HttpResponse, web};
use sha2::{Digest, Sha256};

/// One embedded file and the hashed URL it is served under.
pub struct Asset {
    pub name: &'static str,
    pub content_type: &'static str,
    pub bytes: &'static [u8],
    pub url: String,
}

const FILES: [(&str, &str, &[u8]); 3] = [
    (
        "site.css",
        "text/css; charset=utf-8",
        include_bytes!("../../assets/site.css"),
    ),
    (
        "icon.svg",
        "image/svg+xml",
        include_bytes!("../../assets/icon.svg"),
    ),
    (
        "live.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/live.js"),
    ),
];

/// Every embedded asset, hashed once on first use.
pub fn all() -> &'static [Asset] {
    static ASSETS: OnceLock<Vec<Asset>> = OnceLock::new();
    ASSETS.get_or_init(|| {
        FILES
            .iter()
            .map(|(name, content_type, bytes)| {
                let hash = hex::encode(&Sha256::digest(bytes)[..6]);
                let (stem, ext) = name.rsplit_once('.').unwrap_or((name, ""));
                Asset {
                    name,
                    content_type,
                    bytes,
                    url: format!("/assets/{stem}.{hash}.{ext}"),
                }
            })
            .collect()
    })
}

/// The hashed URL of an embedded file (`""` for an unknown name, which a test catches).
pub fn url(name: &str) -> &'static str {
    all()
        .iter()
        .find(|a| a.name == name)
        .map(|a| a.url.as_str())
        .unwrap_or("")
}

/// GET /assets/{file}: the file when the hash matches, cached as immutable; 404 otherwise.
pub async fn serve(file: web::Path<String>) -> HttpResponse {
    let path = format!("/assets/{file}");
    match all().iter().find(|a| a.url == path) {
        Some(a) => HttpResponse::Ok()
            .insert_header((CONTENT_TYPE, a.content_type))
            .insert_header((CACHE_CONTROL, "public, max-age=31536000, immutable"))
            .body(a.bytes),
        None => HttpResponse::NotFound().finish(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_asset_has_a_hashed_url() {
        for a in all() {
            assert!(a.url.starts_with("/assets/") && a.url.len() > a.name.len() + 9);
        }
        assert_ne!(url("site.css"), "");
        assert_eq!(url("missing.css"), "");
    }
}
