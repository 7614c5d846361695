//! The pure rules of webhooks: which addresses a delivery may reach (SSRF), how a message is
//! signed (Standard Webhooks v1), when a failed delivery is retried, what an answer means.
//! No database, no network, no clock.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{Duration, NaiveDateTime};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use url::Url;

/// Longest accepted endpoint URL.
pub const MAX_URL_LEN: usize = 2000;
/// The prefix of every secret (Standard Webhooks).
pub const SECRET_PREFIX: &str = "whsec_";
/// Random bytes in a secret.
pub const SECRET_BYTES: usize = 32;
/// The first retry waits this long; each further one twice the one before.
pub const FIRST_BACKOFF_SECONDS: i64 = 30;

/// Why an endpoint URL is refused before any address is looked at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UrlProblem {
    /// Not a URL, not http(s), no host, credentials in it, or too long.
    Malformed,
}

/// Parses an endpoint URL: http or https, with a host, no user info, at most
/// [`MAX_URL_LEN`] characters.
pub fn parse_url(raw: &str) -> Result<Url, UrlProblem> {
    if raw.len() > MAX_URL_LEN || raw.chars().any(char::is_whitespace) {
        return Err(UrlProblem::Malformed);
    }
    let url = Url::parse(raw).map_err(|_| UrlProblem::Malformed)?;
    let ok = matches!(url.scheme(), "http" | "https")
        && url.host().is_some()
        && url.username().is_empty()
        && url.password().is_none();
    if ok {
        Ok(url)
    } else {
        Err(UrlProblem::Malformed)
    }
}

/// May a delivery connect to `ip` when private targets are not allowed? Refuses loopback,
/// private, link-local (the cloud metadata address), CGNAT, unspecified, multicast, broadcast,
/// documentation and benchmarking ranges, and their IPv6 equivalents; an IPv4-mapped or
/// IPv4-compatible IPv6 address is judged as the IPv4 address it carries.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_public_v4(v4),
            None => is_public_v6(v6),
        },
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    let refused = ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_multicast()
        || ip.is_broadcast()
        || ip.is_documentation()
        || a == 0 // "this network"
        || (a == 100 && (64..128).contains(&b)) // CGNAT 100.64/10
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 198 && (b == 18 || b == 19)) // benchmarking
        || a >= 240; // reserved
    !refused
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let s = ip.segments();
    let refused = ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        || (s[0] & 0xfe00) == 0xfc00 // unique local fc00::/7
        || (s[0] & 0xffc0) == 0xfe80 // link-local fe80::/10
        || (s[0] & 0xffc0) == 0xfec0 // site-local (deprecated) fec0::/10
        || (s[0] == 0x2001 && s[1] == 0x0db8) // documentation 2001:db8::/32
        || (s[0] == 0x0064 && s[1] == 0xff9b) // NAT64 64:ff9b::/96 reaches IPv4 inside
        || (s[..6] == [0, 0, 0, 0, 0, 0]); // IPv4-compatible ::a.b.c.d
    !refused
}

/// The first address of `addrs` a delivery must not reach, if any (with private targets
/// refused). An empty list is refused too: a name that resolves to nothing is no target.
pub fn first_refused(addrs: &[IpAddr]) -> Option<Option<IpAddr>> {
    if addrs.is_empty() {
        return Some(None);
    }
    addrs.iter().find(|ip| !is_public(**ip)).map(|ip| Some(*ip))
}

/// A new secret from `random` bytes: `whsec_` and their base64.
pub fn secret_from(random: &[u8]) -> String {
    format!("{SECRET_PREFIX}{}", STANDARD.encode(random))
}

/// The key a secret stands for: the base64-decoded part after `whsec_`.
pub fn secret_key(secret: &str) -> Option<Vec<u8>> {
    STANDARD
        .decode(secret.strip_prefix(SECRET_PREFIX).unwrap_or(secret))
        .ok()
}

/// The `webhook-signature` header: `v1,` and the base64 HMAC-SHA256 of
/// `{msg_id}.{timestamp}.{body}` keyed by the secret's key.
pub fn signature(key: &[u8], msg_id: &str, timestamp: i64, body: &[u8]) -> String {
    // HMAC takes a key of any length.
    let mut mac = match Hmac::<Sha256>::new_from_slice(key) {
        Ok(mac) => mac,
        Err(_) => return String::new(),
    };
    mac.update(msg_id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
}

/// The `webhook-id` of the delivery of `event_id` to endpoint `webhook_id`: the same on every
/// retry, different for each endpoint.
pub fn message_id(webhook_id: i64, event_id: i64) -> String {
    format!("msg_{webhook_id}_{event_id}")
}

/// What one attempt's answer means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// 2xx: delivered.
    Delivered,
    /// 410 Gone: the receiver asks never to be called again; the endpoint is disabled.
    Gone,
    /// Anything else (other status, timeout, refused connection): try again later.
    Retry,
}

/// Classifies an HTTP status (None: no answer at all).
pub fn outcome(status: Option<u16>) -> Outcome {
    match status {
        Some(200..=299) => Outcome::Delivered,
        Some(410) => Outcome::Gone,
        _ => Outcome::Retry,
    }
}

/// When to try again after `attempts` failed attempts (30 s, 60 s, 120 s, … after `now`), or
/// None once that would fall more than `retry_hours` after the first attempt: give up.
pub fn next_retry(
    first_attempt: NaiveDateTime,
    now: NaiveDateTime,
    attempts: i32,
    retry_hours: i64,
) -> Option<NaiveDateTime> {
    let exp = attempts.clamp(1, 30) as u32 - 1;
    let wait = FIRST_BACKOFF_SECONDS.saturating_mul(1i64 << exp.min(24));
    let next = now + Duration::seconds(wait);
    (next <= first_attempt + Duration::hours(retry_hours)).then_some(next)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn address_rule_case_table() {
        #[rustfmt::skip]
        let cases: &[(&str, bool)] = &[
            ("8.8.8.8", true),
            ("1.1.1.1", true),
            ("203.0.114.1", true),
            ("127.0.0.1", false),
            ("127.255.0.9", false),
            ("10.0.0.1", false),
            ("172.16.0.1", false),
            ("172.31.255.255", false),
            ("172.32.0.1", true),
            ("192.168.1.1", false),
            ("169.254.169.254", false),
            ("100.64.0.1", false),
            ("100.127.255.255", false),
            ("100.128.0.1", true),
            ("0.0.0.0", false),
            ("0.1.2.3", false),
            ("224.0.0.1", false),
            ("255.255.255.255", false),
            ("192.0.2.1", false),
            ("198.51.100.7", false),
            ("203.0.113.9", false),
            ("198.18.0.1", false),
            ("240.0.0.1", false),
            ("::1", false),
            ("::", false),
            ("fc00::1", false),
            ("fd12:3456::1", false),
            ("fe80::1", false),
            ("ff02::1", false),
            ("2001:db8::1", false),
            ("::ffff:127.0.0.1", false),
            ("::ffff:10.0.0.1", false),
            ("::ffff:8.8.8.8", true),
            ("::127.0.0.1", false),
            ("64:ff9b::a00:1", false),
            ("2606:4700:4700::1111", true),
        ];
        for (ip, public) in cases {
            let parsed: IpAddr = ip.parse().unwrap();
            assert_eq!(is_public(parsed), *public, "{ip}");
        }
    }

    #[test]
    fn one_private_address_refuses_the_name() {
        let public: IpAddr = "8.8.8.8".parse().unwrap();
        let private: IpAddr = "10.1.1.1".parse().unwrap();
        assert_eq!(first_refused(&[public]), None);
        assert_eq!(first_refused(&[public, private]), Some(Some(private)));
        assert_eq!(first_refused(&[]), Some(None));
    }

    #[test]
    fn urls_must_be_http_with_a_host() {
        assert!(parse_url("https://hooks.example.com/x?y=1").is_ok());
        assert!(parse_url("http://127.0.0.1:8080/").is_ok());
        for bad in [
            "ftp://x",
            "x",
            "",
            "file:///etc/passwd",
            "http://",
            "http://user:pw@example.com/",
            "http://exa mple.com/",
            "javascript:alert(1)",
        ] {
            assert_eq!(parse_url(bad), Err(UrlProblem::Malformed), "{bad}");
        }
        let long = format!("https://example.com/{}", "a".repeat(MAX_URL_LEN));
        assert!(parse_url(&long).is_err());
    }

    #[test]
    fn signature_matches_the_standard_webhooks_example() {
        // The example of the Standard Webhooks specification.
        let key = secret_key("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        let sig = signature(
            &key,
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1614265330,
            br#"{"test": 2432232314}"#,
        );
        assert_eq!(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    #[test]
    fn secrets_round_trip() {
        let s = secret_from(&[7u8; SECRET_BYTES]);
        assert!(s.starts_with("whsec_"));
        assert_eq!(secret_key(&s).unwrap(), vec![7u8; SECRET_BYTES]);
    }

    #[test]
    fn answers_classify() {
        assert_eq!(outcome(Some(200)), Outcome::Delivered);
        assert_eq!(outcome(Some(204)), Outcome::Delivered);
        assert_eq!(outcome(Some(410)), Outcome::Gone);
        assert_eq!(outcome(Some(301)), Outcome::Retry);
        assert_eq!(outcome(Some(500)), Outcome::Retry);
        assert_eq!(outcome(None), Outcome::Retry);
    }

    #[test]
    fn backoff_doubles_until_the_window_closes() {
        let t0 = NaiveDateTime::default();
        let secs = |a| (next_retry(t0, t0, a, 24).unwrap() - t0).num_seconds();
        assert_eq!(secs(1), 30);
        assert_eq!(secs(2), 60);
        assert_eq!(secs(3), 120);
        assert!(next_retry(t0, t0 + Duration::hours(23), 10, 24).is_none());
        assert!(next_retry(t0, t0 + Duration::minutes(10), 3, 24).is_some());
        assert!(next_retry(t0, t0, 30, 24).is_none());
    }

    #[test]
    fn message_ids_are_stable_per_endpoint_and_event() {
        assert_eq!(message_id(3, 17), message_id(3, 17));
        assert_ne!(message_id(3, 17), message_id(4, 17));
    }
}
