//! Opaque random tokens (refresh, email verification, reset) and their stored hashes.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

use crate::error::ApiError;

/// 256 random bits, URL-safe.
pub fn random_token() -> Result<String, ApiError> {
    let mut buf = [0u8; 32];
    getrandom::fill(&mut buf).map_err(|e| ApiError::internal(format!("getrandom: {e}")))?;
    Ok(URL_SAFE_NO_PAD.encode(buf))
}

/// What the database keeps of a token: its SHA-256, hex. Tokens have 256 bits of entropy,
/// so a fast hash is enough; a leaked table reveals no usable token.
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_distinct_and_hashes_stable() {
        let a = random_token().unwrap();
        let b = random_token().unwrap();
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert_eq!(hash_token(&a), hash_token(&a));
        assert_ne!(hash_token(&a), hash_token(&b));
    }
}
