//! The text rules of every request, in one place. PostgreSQL refuses NUL in `text` (a 500
//! before), and control characters break iCalendar, mail headers, CSV and logs, so input
//! is refused at the edge with a 422 that names the field:
//!
//! - [`line`]: one line (names, codes, emails, tokens, query text): no control character.
//! - [`title`]: a [`line`] that holds a visible character (`validation.blank` otherwise).
//! - [`prose`]: bodies, notes, agendas: newlines (`\n`, `\r\n`) and tabs allowed.
//! - [`text`]: [`prose`] that holds a visible character.
//! - [`url`]: `http://` or `https://` with a host, no whitespace or control character.
//!
//! Beneath those per-field rules, [`guard_json`] and [`guard_query`] refuse NUL and the
//! other C0/C1 controls (except `\t`, `\n`, `\r` in JSON strings) in *every* string of a
//! body or query string, so a field that forgets its rule still cannot carry them.

use std::borrow::Cow;

use validator::ValidationError;

use crate::error::ApiError;

/// Characters refused everywhere: C0/C1 controls and DEL, plus the Unicode line and
/// paragraph separators (line breaks to some readers).
fn is_forbidden(c: char) -> bool {
    c.is_control() || c == '\u{2028}' || c == '\u{2029}'
}

/// Characters that draw nothing: whitespace and the zero-width marks.
fn is_invisible(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}')
}

fn error(code: &'static str, message: &'static str) -> ValidationError {
    ValidationError::new(code).with_message(Cow::Borrowed(message))
}

fn control_chars() -> ValidationError {
    error(
        "control_chars",
        "must not contain NUL or other control characters",
    )
}

/// One line of text: no control character at all (not even a newline or tab).
pub fn line(s: &str) -> Result<(), ValidationError> {
    if s.chars().any(is_forbidden) {
        return Err(control_chars());
    }
    Ok(())
}

/// A title or name: one line with at least one visible character.
pub fn title(s: &str) -> Result<(), ValidationError> {
    line(s)?;
    visible(s)
}

/// Prose: newlines (`\n` or `\r\n`) and tabs are allowed, no other control character.
pub fn prose(s: &str) -> Result<(), ValidationError> {
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        let ok = match c {
            '\n' | '\t' => true,
            '\r' => chars.peek() == Some(&'\n'),
            c => !is_forbidden(c),
        };
        if !ok {
            return Err(control_chars());
        }
    }
    Ok(())
}

/// Required prose (a body, a decision, a reason): [`prose`] with a visible character.
pub fn text(s: &str) -> Result<(), ValidationError> {
    prose(s)?;
    visible(s)
}

fn visible(s: &str) -> Result<(), ValidationError> {
    if s.chars().all(is_invisible) {
        return Err(error("blank", "must contain a visible character"));
    }
    Ok(())
}

/// A web address people will open: `http://` or `https://`, a host name whose last label
/// starts with a letter (so no browser reads it as an IP number), an optional port, and no
/// whitespace or control character anywhere (so it can never split an iCalendar or header
/// line). Exactly the `pattern` the OpenAPI document gives for URL fields.
pub fn url(s: &str) -> Result<(), ValidationError> {
    let bad = || error("url", "must be an http:// or https:// address with a host");
    let lower = s.get(..8).unwrap_or(s).to_ascii_lowercase();
    let rest = if lower.starts_with("https://") {
        &s[8..]
    } else if lower.starts_with("http://") {
        &s[7..]
    } else {
        return Err(bad());
    };
    let (authority, tail) = match rest.find(['/', '?', '#']) {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    let (host, port) = match authority.split_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (authority, None),
    };
    let label_ok =
        |l: &str| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    let last_ok = host
        .rsplit('.')
        .next()
        .and_then(|l| l.chars().next())
        .is_some_and(|c| c.is_ascii_alphabetic());
    let port_ok = port.is_none_or(|p| {
        !p.is_empty()
            && p.len() <= 5
            && p.chars().all(|c| c.is_ascii_digit())
            && (p.len() < 5 || (!p.starts_with('0') && p.parse::<u32>().is_ok_and(|n| n <= 65535)))
    });
    let tail_ok = !tail.chars().any(|c| is_forbidden(c) || c.is_whitespace());
    if host.split('.').all(label_ok) && last_ok && port_ok && tail_ok {
        Ok(())
    } else {
        Err(bad())
    }
}

/// The OpenAPI `pattern`s of the rules above (ECMA-262 and Python `re` read them alike),
/// so generated clients and fuzzers know the rules; a test checks they agree with the code.
pub mod patterns {
    /// [`super::line`]
    pub const LINE: &str = r"^[^\x00-\x1F\x7F-\x9F\u2028\u2029]*$";
    /// [`super::title`]
    pub const TITLE: &str = r"^[^\x00-\x1F\x7F-\x9F\u2028\u2029]*[^\s\x00-\x1F\x7F-\x9F\u2028\u2029\u200B-\u200D\u2060\uFEFF][^\x00-\x1F\x7F-\x9F\u2028\u2029]*$";
    /// [`super::prose`]
    pub const PROSE: &str = r"^(?:[^\x00-\x08\x0B-\x1F\x7F-\x9F\u2028\u2029]|\r\n)*$";
    /// [`super::text`]
    pub const TEXT: &str = r"^(?:[^\x00-\x08\x0B-\x1F\x7F-\x9F\u2028\u2029]|\r\n)*[^\s\x00-\x1F\x7F-\x9F\u2028\u2029\u200B-\u200D\u2060\uFEFF](?:[^\x00-\x08\x0B-\x1F\x7F-\x9F\u2028\u2029]|\r\n)*$";
    /// [`super::url`]
    pub const URL: &str = r"^[Hh][Tt][Tt][Pp][Ss]?://(?:[A-Za-z0-9-]+\.)*[A-Za-z][A-Za-z0-9-]*(?::(?:[0-9]{1,4}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5]))?(?:[/?#][^\s\x00-\x1F\x7F-\x9F\u2028\u2029]*)?$";
    /// Secrets (passwords): what the body guard refuses in any string.
    pub const SECRET: &str = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F\u2028\u2029]*$";
    /// A period bound (`from`/`to` of the statistics): a date or an RFC 3339 time.
    pub const DATE_OR_TIME: &str = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}([Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2}))?$";
    /// Open311's `status` filter: `open`, `closed` or both, comma-separated.
    pub const OPEN311_STATUS: &str = "^(open|closed)(,(open|closed))*$";
    /// A comma-separated list of ids (`users=3,7`): what the list's parser reads.
    pub const ID_LIST: &str = r"^ *-?[0-9]{1,18} *(?:, *-?[0-9]{1,18} *)*$";
}

/// Controls a JSON string may never carry, whatever its field (tab, newline and carriage
/// return are left to the field's own rule).
fn forbidden_anywhere(s: &str) -> bool {
    s.chars()
        .any(|c| is_forbidden(c) && !matches!(c, '\t' | '\n' | '\r'))
}

fn refused(field: String) -> ApiError {
    ApiError::invalid(
        field,
        "validation.control_chars",
        "must not contain NUL or other control characters",
    )
}

/// Refuses NUL and the other controls in every string (keys too) of a JSON body, naming
/// the first offending field by its path (`follow_ups[0].title`).
pub fn guard_json(value: &serde_json::Value) -> Result<(), ApiError> {
    fn walk(v: &serde_json::Value, path: &str) -> Option<String> {
        let here = || {
            if path.is_empty() {
                "body".to_string()
            } else {
                path.to_string()
            }
        };
        match v {
            serde_json::Value::String(s) if forbidden_anywhere(s) => Some(here()),
            serde_json::Value::Array(items) => items
                .iter()
                .enumerate()
                .find_map(|(i, item)| walk(item, &format!("{}[{i}]", here()))),
            serde_json::Value::Object(map) => map.iter().find_map(|(k, item)| {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                if forbidden_anywhere(k) {
                    Some(p)
                } else {
                    walk(item, &p)
                }
            }),
            _ => None,
        }
    }
    match walk(value, "") {
        Some(field) => Err(refused(field)),
        None => Ok(()),
    }
}

/// Refuses any control character (query values are one line) in a decoded query string,
/// naming the parameter.
pub fn guard_query(qs: &str) -> Result<(), ApiError> {
    for (key, value) in form_urlencoded::parse(qs.as_bytes()) {
        if key.chars().any(is_forbidden) || value.chars().any(is_forbidden) {
            return Err(refused(key.chars().filter(|c| !is_forbidden(*c)).collect()));
        }
    }
    Ok(())
}

/// Makes stored text safe for a one-line context written by hand (a mail subject, a log
/// line): every control character becomes a space. For rows written before the rules.
pub fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| if is_forbidden(c) { ' ' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_titles() {
        assert!(line("3号楼 电梯").is_ok());
        assert!(line("a\u{0}b").is_err());
        assert!(line("a\nb").is_err());
        assert!(line("a\u{85}b").is_err());
        assert!(title("  \u{3000}\t").is_err());
        assert_eq!(title("   ").unwrap_err().code, "blank");
        assert_eq!(title("\u{200B}").unwrap_err().code, "blank");
        assert!(title(" 电梯 ").is_ok());
    }

    #[test]
    fn prose_keeps_newlines_and_tabs_only() {
        assert!(prose("一\n二\r\n\t三").is_ok());
        assert!(prose("a\rb").is_err());
        assert!(prose("a\u{0}").is_err());
        assert!(prose("a\u{7}").is_err());
        assert!(prose("a\u{1b}[31m").is_err());
        assert_eq!(text("\n \n").unwrap_err().code, "blank");
    }

    #[test]
    fn urls() {
        for ok in [
            "https://meet.example.org/room/1?pwd=x#a",
            "http://localhost:8080/",
            "HTTPS://meeting.163.com:65535?x",
            "https://x.example/房间#第一",
        ] {
            assert!(url(ok).is_ok(), "{ok}");
        }
        for bad in [
            "javascript:alert(1)",
            "data:text/html,<b>x</b>",
            "file:///etc/passwd",
            "ftp://x.example/",
            "https://",
            "https:///path",
            "https://x.example/a b",
            "https://x.example/a\r\nORGANIZER:mailto:evil@x",
            "https://user@x.example/",
            " https://x.example/",
            "https://127.0.0.1/",
            "https://x.example:65536/",
            "https://x.example:/",
            "https://[::1]/",
            "https://会议.example/",
            "https://a..example/",
        ] {
            assert_eq!(url(bad).unwrap_err().code, "url", "{bad}");
        }
    }

    #[test]
    fn guards_name_the_field() {
        let v = serde_json::json!({"a": "ok\n", "follow_ups": [{"title": "x\u{0}"}]});
        match guard_json(&v) {
            Err(ApiError::Invalid { field, code, .. }) => {
                assert_eq!(field, "follow_ups[0].title");
                assert_eq!(code, "validation.control_chars");
            }
            other => panic!("{other:?}"),
        }
        assert!(guard_json(&serde_json::json!({"a": "x\r\n\ty"})).is_ok());
        assert!(guard_query("q=a%00b").is_err());
        assert!(guard_query("q=a%0Ab").is_err());
        assert!(guard_query("q=%E7%94%B5%E6%A2%AF&limit=5").is_ok());
        assert_eq!(one_line("a\r\nBcc: x"), "a  Bcc: x");
    }

    /// The OpenAPI patterns and the code agree, on many strings made of the characters
    /// that matter (checked with the `regex` crate, whose `\s` is Rust's whitespace).
    #[test]
    fn patterns_agree_with_the_rules() {
        type Rule = fn(&str) -> Result<(), ValidationError>;
        fn secret(s: &str) -> Result<(), ValidationError> {
            if forbidden_anywhere(s) {
                Err(control_chars())
            } else {
                Ok(())
            }
        }
        let rules: [(&str, Rule); 6] = [
            (patterns::LINE, line),
            (patterns::TITLE, title),
            (patterns::PROSE, prose),
            (patterns::TEXT, text),
            (patterns::URL, url),
            (patterns::SECRET, secret),
        ];
        let alphabet: Vec<char> = "aZ0-.:/?#@[] \t\n\r\u{0}\u{7}\u{1f}\u{7f}\u{85}\u{a0}\u{3000}\u{200b}\u{feff}\u{2028}电hts"
            .chars()
            .collect();
        let mut seed: u64 = 2026;
        let mut next = move |n: usize| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((seed >> 33) as usize) % n
        };
        let prefixes = [
            "",
            "http://",
            "HTTPS://",
            "https://x.example",
            "https://a.b:",
        ];
        for (pattern, rule) in rules {
            let re = regex::Regex::new(pattern).unwrap();
            for _ in 0..20_000 {
                let mut s = prefixes[next(prefixes.len())].to_string();
                for _ in 0..next(8) {
                    s.push(alphabet[next(alphabet.len())]);
                }
                if next(4) == 0 {
                    s.push_str(["65535", "65536", "0", "01234", "/p", "\r\n"][next(6)]);
                }
                assert_eq!(re.is_match(&s), rule(&s).is_ok(), "{pattern} on {s:?}");
            }
        }
    }
}
