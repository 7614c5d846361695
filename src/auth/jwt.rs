//! Short-lived access tokens: HS256 pinned, `exp`/`iat`/`iss`/`aud` checked.

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};

use crate::config::{AuthSettings, needs_generated_secret};
use crate::error::ApiError;

/// Claims of an access token; `sid` is the login session, checked per request so logout bites.
#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub sid: i64,
    pub iat: i64,
    pub exp: i64,
    pub jti: String,
    pub iss: String,
    pub aud: String,
}

/// Signing and checking keys, built once from settings.
pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    issuer: String,
    audience: String,
    /// Lifetime of an access token in seconds.
    pub ttl_seconds: i64,
}

impl JwtKeys {
    /// Keys for the configured secret. Refuses the shipped placeholder and an empty secret,
    /// so whatever path builds the keys, nothing is ever signed with a public secret.
    pub fn new(settings: &AuthSettings) -> Result<Self, ApiError> {
        if needs_generated_secret(settings.jwt_secret.expose_secret()) {
            return Err(ApiError::internal(
                "refusing to sign tokens with the placeholder or an empty auth.jwt_secret",
            ));
        }
        let secret = settings.jwt_secret.expose_secret().as_bytes();
        let mut validation = Validation::new(Algorithm::HS256);
        validation.algorithms = vec![Algorithm::HS256];
        validation.set_issuer(&[settings.issuer.as_str()]);
        validation.set_audience(&[settings.audience.as_str()]);
        validation.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub"]);
        validation.leeway = 5;
        Ok(JwtKeys {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            issuer: settings.issuer.clone(),
            audience: settings.audience.clone(),
            ttl_seconds: settings.access_ttl_seconds,
        })
    }

    /// Signs an access token for `user_id` in `session_id`.
    pub fn issue(&self, user_id: i64, session_id: i64) -> Result<String, ApiError> {
        let now = chrono::Utc::now().timestamp();
        let claims = Claims {
            sub: user_id.to_string(),
            sid: session_id,
            iat: now,
            exp: now + self.ttl_seconds,
            jti: crate::auth::tokens::random_token()?,
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| ApiError::internal(format!("jwt encode: {e}")))
    }

    /// Checks signature, algorithm and claims; any failure is `auth.invalid_token`.
    pub fn verify(&self, token: &str) -> Result<(i64, i64), ApiError> {
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map_err(|_| ApiError::Unauthorized("auth.invalid_token"))?;
        let now = chrono::Utc::now().timestamp();
        if data.claims.iat > now + 60 {
            return Err(ApiError::Unauthorized("auth.invalid_token"));
        }
        let user_id = data
            .claims
            .sub
            .parse::<i64>()
            .map_err(|_| ApiError::Unauthorized("auth.invalid_token"))?;
        Ok((user_id, data.claims.sid))
    }
}

#[cfg(test)]
mod tests {
    use secrecy::SecretString;

    use super::*;
    use crate::config::PLACEHOLDER_SECRET;

    #[test]
    fn the_placeholder_never_makes_keys() {
        let settings =
            crate::config::Settings::load(std::path::Path::new("/nonexistent"), "test", &[])
                .unwrap()
                .auth;
        for secret in [PLACEHOLDER_SECRET, "", "   "] {
            let auth = AuthSettings {
                jwt_secret: SecretString::from(secret.to_string()),
                ..settings.clone()
            };
            assert!(JwtKeys::new(&auth).is_err(), "{secret:?}");
        }
        let auth = AuthSettings {
            jwt_secret: SecretString::from("a-real-secret-of-at-least-32-characters".to_string()),
            ..settings
        };
        let keys = JwtKeys::new(&auth).unwrap();
        let token = keys.issue(7, 9).unwrap();
        assert_eq!(keys.verify(&token).unwrap(), (7, 9));
    }
}
