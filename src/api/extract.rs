//! Request extractors that name the offending field when input is bad:
//! `Body<T>` (JSON, then `validator` rules) and `Query<T>` (query string).

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::web::Bytes;
use actix_web::{FromRequest, HttpRequest};
use serde::de::DeserializeOwned;
use validator::{Validate, ValidationErrors, ValidationErrorsKind};

use crate::error::ApiError;

/// A JSON request body, deserialised with field paths in errors and then validated.
pub struct Body<T>(pub T);

impl<T: DeserializeOwned + Validate + 'static> FromRequest for Body<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let json_type = req
            .headers()
            .get(actix_web::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|ct| {
                let essence = ct
                    .split(';')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_ascii_lowercase();
                essence == "application/json" || essence.ends_with("+json")
            })
            .unwrap_or(false);
        let bytes = Bytes::from_request(req, payload);
        Box::pin(async move {
            let bytes = bytes.await.map_err(|e| {
                if e.as_response_error().status_code()
                    == actix_web::http::StatusCode::PAYLOAD_TOO_LARGE
                {
                    ApiError::PayloadTooLarge
                } else {
                    ApiError::BadRequest {
                        code: "request.malformed_json",
                        field: None,
                        detail: e.to_string(),
                    }
                }
            })?;
            if !json_type {
                return Err(ApiError::UnsupportedMediaType);
            }
            let value = parse_json::<T>(&bytes)?;
            value.validate().map_err(validation_error)?;
            Ok(Body(value))
        })
    }
}

/// Reads a request body: well-formed JSON (400 `request.malformed_json`), an object
/// (400 `request.invalid_body`; serde would otherwise read a struct from an array), no
/// control characters in any string ([`super::text::guard_json`]), whole floats taken as the
/// integers JSON Schema says they are (`3.0` is 3), then the typed fields with the path of the
/// one that failed.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut raw: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| ApiError::BadRequest {
            code: "request.malformed_json",
            field: None,
            detail: strip_position(&e.to_string()),
        })?;
    if !raw.is_object() {
        return Err(ApiError::BadRequest {
            code: "request.invalid_body",
            field: None,
            detail: "the body must be a JSON object".into(),
        });
    }
    super::text::guard_json(&raw)?;
    whole_floats_to_integers(&mut raw);
    serde_path_to_error::deserialize(raw).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let message = inner.to_string();
        let code = if message.starts_with("missing field") {
            "request.missing_field"
        } else {
            "request.invalid_field"
        };
        let field = missing_field_name(&message)
            .map(|f| {
                if path == "." {
                    f
                } else {
                    format!("{path}.{f}")
                }
            })
            .or(if path == "." { None } else { Some(path) });
        ApiError::BadRequest {
            code,
            field,
            detail: strip_position(&message),
        }
    })
}

/// `3.0` → `3`, everywhere in the value: JSON has one number type, and JSON Schema counts a
/// float with no fraction as an integer, so a client that writes one is not wrong.
fn whole_floats_to_integers(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::Number(n) if n.is_f64() => {
            if let Some(f) = n.as_f64()
                && f.fract() == 0.0
                // Every whole f64 in i64's range is exactly that integer (2^63 as f64 is
                // the first one outside).
                && f >= i64::MIN as f64
                && f < i64::MAX as f64
            {
                *value = Value::from(f as i64);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(whole_floats_to_integers),
        Value::Object(map) => map.values_mut().for_each(whole_floats_to_integers),
        _ => {}
    }
}

/// `"5.0"`, `"5e0"` → 5: a whole number written as a float, in a path segment or a query
/// value. JSON Schema counts it as an integer, so a client (or a fuzzer) that writes one is
/// not wrong. Only digits, one sign, a point and an exponent; never `inf` or `NaN`.
pub fn whole_number(s: &str) -> Option<i64> {
    let numeric = s.bytes().any(|b| b.is_ascii_digit())
        && s.bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-'));
    if !numeric || !s.bytes().any(|b| matches!(b, b'.' | b'e' | b'E')) {
        return None;
    }
    let f: f64 = s.parse().ok()?;
    (f.is_finite() && f.fract() == 0.0 && f >= i64::MIN as f64 && f < i64::MAX as f64)
        .then_some(f as i64)
}

/// Rewrites path segments that are whole numbers written as floats (`/places/5.0` →
/// `/places/5`) before routing, so that `web::Path<i64>` takes them as the integers they are.
pub fn normalize_path(req: &mut actix_web::dev::ServiceRequest) {
    let path = req.path();
    if !path.split('/').any(|seg| whole_number(seg).is_some()) {
        return;
    }
    let rewritten: Vec<String> = path
        .split('/')
        .map(|seg| whole_number(seg).map_or_else(|| seg.to_string(), |n| n.to_string()))
        .collect();
    let mut target = rewritten.join("/");
    if let Some(q) = req.uri().query() {
        target = format!("{target}?{q}");
    }
    let mut parts = req.uri().clone().into_parts();
    let Ok(pq) = target.parse() else {
        return;
    };
    parts.path_and_query = Some(pq);
    if let Ok(uri) = actix_web::http::Uri::from_parts(parts) {
        req.match_info_mut().get_mut().update(&uri);
        req.head_mut().uri = uri;
    }
}

fn missing_field_name(msg: &str) -> Option<String> {
    let rest = msg.strip_prefix("missing field `")?;
    Some(rest.split('`').next()?.to_string())
}

fn strip_position(msg: &str) -> String {
    match msg.find(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}

/// Turns `validator` errors into a 422 naming the first failing field (nested paths dotted).
pub fn validation_error(errors: ValidationErrors) -> ApiError {
    fn first(errors: &ValidationErrors, prefix: &str) -> Option<(String, String, String)> {
        let mut keys: Vec<_> = errors.errors().iter().collect();
        keys.sort_by(|a, b| a.0.cmp(b.0));
        for (field, kind) in keys {
            let path = if prefix.is_empty() {
                field.to_string()
            } else {
                format!("{prefix}.{field}")
            };
            match kind {
                ValidationErrorsKind::Field(errs) => {
                    // A control character or a bad address is named before a format or
                    // length rule that fails on the same value (an empty value stays a
                    // length error, not a blank one).
                    let precise = errs
                        .iter()
                        .find(|e| matches!(e.code.as_ref(), "control_chars" | "url"));
                    if let Some(e) = precise.or(errs.first()) {
                        let params: Vec<String> = e
                            .params
                            .iter()
                            .filter(|(k, _)| *k != "value")
                            .map(|(k, v)| format!("{k}={v}"))
                            .collect();
                        let detail = match &e.message {
                            Some(m) => m.to_string(),
                            None => format!("{} {}", e.code, params.join(" "))
                                .trim()
                                .to_string(),
                        };
                        return Some((path, e.code.to_string(), detail));
                    }
                }
                ValidationErrorsKind::Struct(inner) => {
                    if let Some(found) = first(inner, &path) {
                        return Some(found);
                    }
                }
                ValidationErrorsKind::List(items) => {
                    for (i, inner) in items {
                        if let Some(found) = first(inner, &format!("{path}[{i}]")) {
                            return Some(found);
                        }
                    }
                }
            }
        }
        None
    }
    match first(&errors, "") {
        Some((field, code, detail)) => {
            let code = match code.as_str() {
                "length" => "validation.length",
                "range" => "validation.range",
                "email" => "validation.email",
                "required" => "validation.required",
                "weak_password" => "validation.weak_password",
                "control_chars" => "validation.control_chars",
                "blank" => "validation.blank",
                "url" => "validation.url",
                _ => "validation.invalid",
            };
            ApiError::invalid(field, code, detail)
        }
        None => ApiError::invalid("body", "validation.invalid", errors.to_string()),
    }
}

/// Query-string parameters, with the failing parameter named.
pub struct Query<T>(pub T);

impl<T: DeserializeOwned + Validate + 'static> FromRequest for Query<T> {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(parse_query(req.query_string()).map(Query))
    }
}

/// Parses and validates a query string.
pub fn parse_query<T: DeserializeOwned + Validate>(qs: &str) -> Result<T, ApiError> {
    super::text::guard_query(qs)?;
    // `?=1`: a parameter without a name is no parameter the operation has.
    if form_urlencoded_parse(qs).any(|(k, _)| k.is_empty()) {
        return Err(ApiError::BadRequest {
            code: "request.invalid_query",
            field: None,
            detail: "a query parameter has no name".into(),
        });
    }
    let de = serde_urlencoded::Deserializer::new(form_urlencoded_parse(qs));
    let parsed = serde_path_to_error::deserialize::<_, T>(de).or_else(|first| {
        // An integer parameter written as a whole float (`place_id=5.0`) is that integer.
        // Tried only when the query as sent does not parse, so text stays as typed.
        let mut whole = form_urlencoded::Serializer::new(String::new());
        for (k, v) in form_urlencoded_parse(qs) {
            match whole_number(&v) {
                Some(n) => whole.append_pair(&k, &n.to_string()),
                None => whole.append_pair(&k, &v),
            };
        }
        let again = whole.finish();
        let de = serde_urlencoded::Deserializer::new(form_urlencoded_parse(&again));
        serde_path_to_error::deserialize::<_, T>(de).map_err(|_| first)
    });
    let value: T = parsed.map_err(|e| {
        let path = e.path().to_string();
        let msg = e.into_inner().to_string();
        ApiError::BadRequest {
            code: "request.invalid_query",
            field: missing_field_name(&msg).or(if path == "." { None } else { Some(path) }),
            detail: msg,
        }
    })?;
    value.validate().map_err(validation_error)?;
    Ok(value)
}

fn form_urlencoded_parse(qs: &str) -> form_urlencoded::Parse<'_> {
    form_urlencoded::parse(qs.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize, PartialEq, validator::Validate)]
    struct Rating {
        score: i32,
        note: Option<String>,
    }

    fn code(r: Result<Rating, ApiError>) -> (&'static str, Option<String>) {
        match r {
            Err(ApiError::BadRequest { code, field, .. }) => (code, field),
            other => panic!("expected a 400, got {other:?}"),
        }
    }

    #[test]
    fn whole_numbers_in_paths_and_queries() {
        assert_eq!(whole_number("5.0"), Some(5));
        assert_eq!(whole_number("-12.00"), Some(-12));
        assert_eq!(whole_number("5e0"), Some(5));
        assert_eq!(whole_number("1.5e1"), Some(15));
        for no in [
            "5", "5.5", "inf", "NaN", "e", ".", "1e400", "abc", "5.0x", "",
        ] {
            assert_eq!(whole_number(no), None, "{no}");
        }
        let r: Rating = parse_query("score=4.0").unwrap();
        assert_eq!(r.score, 4);
        let r: Rating = parse_query("score=4&note=3.0").unwrap();
        assert_eq!(r.note.as_deref(), Some("3.0"), "text stays as typed");
        let bad = parse_query::<Rating>("score=4.5");
        assert!(matches!(bad, Err(ApiError::BadRequest { .. })));
    }

    #[test]
    fn bodies_are_objects_with_whole_floats_as_integers() {
        let ok = |b: &str| parse_json::<Rating>(b.as_bytes()).unwrap();
        assert_eq!(ok(r#"{"score": 3}"#).score, 3);
        assert_eq!(ok(r#"{"score": 3.0}"#).score, 3);
        assert_eq!(ok(r#"{"score": -0.0}"#).score, 0);
        // Read exactly (serde_json's float_roundtrip), so no ULP error makes a fraction.
        #[derive(Debug, serde::Deserialize)]
        struct Place {
            place_id: i64,
        }
        let far = parse_json::<Place>(br#"{"place_id": -2251799813685247.0}"#).unwrap();
        assert_eq!(far.place_id, -2_251_799_813_685_247);
        // The largest safe integer of JSON, as schemathesis sends it (2^53 - 1).
        let edge = parse_json::<Place>(br#"{"place_id": -9007199254740991.0}"#).unwrap();
        assert_eq!(edge.place_id, -9_007_199_254_740_991);
        let big = parse_json::<Place>(br#"{"place_id": 4.0e18}"#).unwrap();
        assert_eq!(big.place_id, 4_000_000_000_000_000_000);
        assert!(parse_json::<Place>(br#"{"place_id": 1.0e19}"#).is_err());
        let cases: &[(&str, &str, Option<&str>)] = &[
            (r#"[3, null]"#, "request.invalid_body", None),
            (r#"[]"#, "request.invalid_body", None),
            (r#""score""#, "request.invalid_body", None),
            (r#"null"#, "request.invalid_body", None),
            (r#"{"score": 3.5}"#, "request.invalid_field", Some("score")),
            (
                r#"{"score": 1e300}"#,
                "request.invalid_field",
                Some("score"),
            ),
            (r#"{"note": "x"}"#, "request.missing_field", Some("score")),
            (r#"{"score": 3"#, "request.malformed_json", None),
            (r#"{"score": 3} x"#, "request.malformed_json", None),
        ];
        for (body, want, field) in cases {
            let (got, got_field) = code(parse_json::<Rating>(body.as_bytes()));
            assert_eq!((got, got_field.as_deref()), (*want, *field), "{body}");
        }
    }
}
