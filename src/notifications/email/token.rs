//! Unsubscribe tokens: `{user}.{kind or "all"}.{tag}`, the tag an HMAC-SHA256 under a key
//! derived from the installation's signing secret. No table: the token is its own proof, it
//! never expires (a mail read a year later must still unsubscribe), and it can only ever turn
//! mail off for the user and kind it names.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use secrecy::ExposeSecret;
use sha2::{Digest, Sha256};

use crate::config::Settings;
use crate::notifications::kinds::NotificationKind;

/// What a token unsubscribes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unsubscribe {
    pub user_id: i64,
    /// One kind, or None for all notification mail (the digest's link).
    pub kind: Option<NotificationKind>,
}

/// Bytes of the tag kept in the token (128 bits).
const TAG_BYTES: usize = 16;

/// HMAC-SHA256 (RFC 2104), written out over `sha2` so that no second crypto crate is needed.
pub fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    const BLOCK: usize = 64;
    let mut k = [0u8; BLOCK];
    if key.len() > BLOCK {
        k[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        k[..key.len()].copy_from_slice(key);
    }
    let pad = |byte: u8| k.map(|b| b ^ byte);
    let inner = Sha256::new()
        .chain_update(pad(0x36))
        .chain_update(message)
        .finalize();
    Sha256::new()
        .chain_update(pad(0x5c))
        .chain_update(inner)
        .finalize()
        .into()
}

/// The key of unsubscribe tokens: derived, so a token never doubles as any other signature.
fn key(settings: &Settings) -> [u8; 32] {
    hmac_sha256(
        settings.auth.jwt_secret.expose_secret().as_bytes(),
        b"yishi unsubscribe v1",
    )
}

fn scope(kind: Option<NotificationKind>) -> &'static str {
    kind.map_or("all", NotificationKind::as_str)
}

fn tag(settings: &Settings, user_id: i64, kind: Option<NotificationKind>) -> [u8; TAG_BYTES] {
    let mac = hmac_sha256(
        &key(settings),
        format!("{user_id}.{}", scope(kind)).as_bytes(),
    );
    let mut out = [0u8; TAG_BYTES];
    out.copy_from_slice(&mac[..TAG_BYTES]);
    out
}

/// The token for a user and kind (None: all notification mail).
pub fn make(settings: &Settings, user_id: i64, kind: Option<NotificationKind>) -> String {
    format!(
        "{user_id}.{}.{}",
        scope(kind),
        URL_SAFE_NO_PAD.encode(tag(settings, user_id, kind))
    )
}

/// The `List-Unsubscribe` address of a token.
pub fn url(settings: &Settings, user_id: i64, kind: Option<NotificationKind>) -> String {
    format!(
        "{}/unsubscribe?token={}",
        settings.server.public_url.trim_end_matches('/'),
        make(settings, user_id, kind)
    )
}

/// Reads a token; None for anything malformed or not signed by this installation.
pub fn verify(settings: &Settings, token: &str) -> Option<Unsubscribe> {
    let mut parts = token.trim().splitn(3, '.');
    let user_id: i64 = parts.next()?.parse().ok()?;
    let kind = match parts.next()? {
        "all" => None,
        k => Some(NotificationKind::parse(k)?),
    };
    let given = URL_SAFE_NO_PAD.decode(parts.next()?).ok()?;
    let want = tag(settings, user_id, kind);
    // Constant time: every byte is compared whatever the first difference.
    let same = given.len() == want.len()
        && given
            .iter()
            .zip(want.iter())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0;
    same.then_some(Unsubscribe { user_id, kind })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 4231, test case 2.
    #[test]
    fn hmac_matches_the_rfc_vector() {
        let mac = hmac_sha256(b"Jefe", b"what do ya want for nothing?");
        assert_eq!(
            hex::encode(mac),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        // A key longer than the block is hashed first (RFC 4231, test case 6).
        let mac = hmac_sha256(
            &[0xaa; 131],
            b"Test Using Larger Than Block-Size Key - Hash Key First",
        );
        assert_eq!(
            hex::encode(mac),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }
}
