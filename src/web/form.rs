//! Reading a page's form (urlencoded) with its CSRF token checked, and showing a refusal next
//! to the field it names, in the words the API uses for the same code.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::web::Bytes;
use actix_web::{FromRequest, HttpRequest};
use serde::de::DeserializeOwned;
use validator::Validate;

use super::PageError;
use super::texts::Texts;
use super::visitor::Visitor;
use crate::api::extract::validation_error;
use crate::error::ApiError;

/// A submitted form, after the visitor's CSRF token was found in its `csrf` field. Page form
/// structs hold strings with `#[serde(default)]`, so reading never fails on a value; the
/// handler converts them to the API's request types, which check them as the API does.
pub struct Form<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for Form<T> {
    type Error = PageError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, PageError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let visitor = Visitor::from_request(req, payload);
        let bytes = Bytes::from_request(req, payload);
        Box::pin(async move {
            let visitor = visitor.await?;
            let bytes = bytes
                .await
                .map_err(|_| PageError::from(ApiError::PayloadTooLarge))?;
            let token = form_urlencoded::parse(&bytes)
                .find(|(k, _)| k == "csrf")
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default();
            visitor.check_csrf(&token)?;
            let value = serde_urlencoded::from_bytes::<T>(&bytes).map_err(|e| {
                PageError::from(ApiError::BadRequest {
                    code: "request.invalid_field",
                    field: None,
                    detail: e.to_string(),
                })
            })?;
            Ok(Form(value))
        })
    }
}

impl Visitor {
    /// Refuses a signed-in visitor's form whose token is not this session's (a forged
    /// request from another site, or a form from before signing in again).
    pub fn check_csrf(&self, token: &str) -> Result<(), PageError> {
        match &self.member {
            Some(m) if !constant_time_eq(m.csrf.as_bytes(), token.as_bytes()) => {
                Err(PageError::Csrf)
            }
            _ => Ok(()),
        }
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Runs the API's `validator` rules on a request built from a form.
pub fn validated<T: Validate>(value: T) -> Result<T, ApiError> {
    value.validate().map_err(validation_error)?;
    Ok(value)
}

/// An id picked in a form (a `<select>`), or 422 naming `field`.
pub fn id_field(value: &str, field: &str) -> Result<i64, ApiError> {
    value
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| ApiError::invalid(field, "validation.required", "choose one"))
}

/// Why a form was refused, ready to show: per-field messages and the rest as a summary.
#[derive(Debug, Default, Clone)]
pub struct FormErrors {
    /// (field, message) for refusals that name a field of the form.
    pub fields: Vec<(String, &'static str)>,
    /// A refusal that names no field on the form (permission, conflict, a field the form
    /// does not show).
    pub general: Option<&'static str>,
}

impl FormErrors {
    /// The refusal `err` for a form showing `fields`, in the words of `t`.
    pub fn of(err: &ApiError, fields: &[&str], t: &Texts) -> FormErrors {
        let message = t.message(err.code());
        match err.field_name() {
            Some(f) if fields.contains(&f) => FormErrors {
                fields: vec![(f.to_string(), message)],
                general: None,
            },
            _ => FormErrors {
                fields: vec![],
                general: Some(message),
            },
        }
    }

    /// The message for `field`, if it was refused.
    pub fn get(&self, field: &str) -> Option<&'static str> {
        self.fields
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| *m)
    }

    /// Anything to show?
    pub fn any(&self) -> bool {
        !self.fields.is_empty() || self.general.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;
    use crate::web::texts;

    #[test]
    fn a_refusal_lands_next_to_its_field_or_in_the_summary() {
        let t = texts::of(Lang::ZhCn);
        let e = ApiError::invalid("email", "validation.email", "x");
        let shown = FormErrors::of(&e, &["email", "password"], t);
        assert_eq!(shown.get("email"), Some(t.message("validation.email")));
        assert!(shown.general.is_none());
        let elsewhere = FormErrors::of(&e, &["title"], t);
        assert!(elsewhere.fields.is_empty());
        assert_eq!(elsewhere.general, Some(t.message("validation.email")));
        let denied = FormErrors::of(&ApiError::Forbidden("permission.denied"), &["title"], t);
        assert!(denied.any() && denied.get("title").is_none());
    }

    #[test]
    fn ids_from_selects() {
        assert_eq!(id_field(" 7 ", "x").ok(), Some(7));
        assert!(id_field("", "x").is_err());
        assert!(id_field("-1", "x").is_err());
        assert!(id_field("abc", "x").is_err());
    }

    #[test]
    fn tokens_compare_whole() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}
