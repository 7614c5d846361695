//! One error type for the whole API, rendered as RFC 9457 problem+json with a stable `code`
//! and a message in the caller's language. Internal causes go to the log, never to the client.

use std::borrow::Cow;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::i18n::{Lang, message};

/// Every way a request can fail.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ApiError {
    /// 400: the request could not be read (malformed JSON, wrong type, unknown enum value).
    #[error("bad request {code}: {detail}")]
    BadRequest {
        code: &'static str,
        field: Option<String>,
        detail: String,
    },
    /// 422: the request was read but a value breaks a rule.
    #[error("invalid {field}: {code}")]
    Invalid {
        code: &'static str,
        field: String,
        detail: String,
    },
    #[error("unauthorized: {0}")]
    Unauthorized(&'static str),
    #[error("forbidden: {0}")]
    Forbidden(&'static str),
    #[error("not found: {0}")]
    NotFound(&'static str),
    #[error("conflict: {code}")]
    Conflict {
        code: &'static str,
        detail: Option<String>,
    },
    /// 405: the path exists, the method does not; `allow` lists the methods it has.
    #[error("method not allowed")]
    MethodNotAllowed { allow: String },
    #[error("payload too large")]
    PayloadTooLarge,
    #[error("unsupported media type")]
    UnsupportedMediaType,
    #[error("too many requests: {code}")]
    TooManyRequests {
        code: &'static str,
        retry_after_secs: u64,
    },
    /// 503 with the cause logged: pool exhausted, database unreachable, hash queue full.
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// 500 with the cause logged only.
    #[error("internal: {0}")]
    Internal(String),
}

impl ApiError {
    /// An internal failure; the message is logged, the client sees only `server.internal`.
    #[track_caller]
    pub fn internal(msg: impl Into<String>) -> Self {
        let msg = msg.into();
        let at = std::panic::Location::caller();
        ApiError::Internal(format!("{msg} (at {}:{})", at.file(), at.line()))
    }

    /// A 422 naming the field that breaks a rule.
    pub fn invalid(
        field: impl Into<String>,
        code: &'static str,
        detail: impl Into<String>,
    ) -> Self {
        ApiError::Invalid {
            code,
            field: field.into(),
            detail: detail.into(),
        }
    }

    /// The API error for a refusal of a pure rules module (status, code and field).
    pub fn refused(r: impl RuleRefusal) -> Self {
        match r.status() {
            403 => ApiError::Forbidden("permission.denied"),
            422 => ApiError::invalid(
                r.field().unwrap_or("body"),
                r.code(),
                "required for this action",
            ),
            _ => ApiError::conflict(r.code()),
        }
    }

    /// A 409 with a code and no detail.
    pub fn conflict(code: &'static str) -> Self {
        ApiError::Conflict { code, detail: None }
    }

    /// The stable code clients branch on.
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::BadRequest { code, .. } | ApiError::Invalid { code, .. } => code,
            ApiError::Unauthorized(c) | ApiError::Forbidden(c) | ApiError::NotFound(c) => c,
            ApiError::Conflict { code, .. } | ApiError::TooManyRequests { code, .. } => code,
            ApiError::MethodNotAllowed { .. } => "request.method_not_allowed",
            ApiError::PayloadTooLarge => "request.body_too_large",
            ApiError::UnsupportedMediaType => "request.unsupported_media_type",
            ApiError::Unavailable(_) => "server.unavailable",
            ApiError::Internal(_) => "server.internal",
        }
    }

    /// The request field a refusal names (pages show the message next to it).
    pub fn field_name(&self) -> Option<&str> {
        match self {
            ApiError::BadRequest { field, .. } => field.as_deref(),
            ApiError::Invalid { field, .. } => Some(field),
            _ => None,
        }
    }

    /// The problem document in `lang`.
    pub fn problem(&self, lang: Lang) -> Problem {
        let code = self.code();
        let title = message(code, lang);
        let field = self.field_name().map(str::to_string);
        let detail: Option<Cow<'_, str>> = match self {
            ApiError::BadRequest { detail, .. } | ApiError::Invalid { detail, .. } => {
                Some(Cow::Borrowed(detail))
            }
            ApiError::Conflict {
                detail: Some(d), ..
            } => Some(Cow::Borrowed(d)),
            _ => None,
        };
        let detail = match (&field, detail) {
            (Some(f), Some(d)) => Some(format!("{}: {f} — {d}", message("field", lang))),
            (Some(f), None) => Some(format!("{}: {f}", message("field", lang))),
            (None, Some(d)) => Some(d.into_owned()),
            (None, None) => None,
        };
        Problem {
            r#type: format!("https://yishi.example/problems/{}", code.replace('.', "/")),
            title: title.to_string(),
            status: self.status_code().as_u16(),
            code: code.to_string(),
            detail,
            field,
        }
    }
}

/// A named refusal of a pure rules module (the topic workflow, consultations): the rules
/// stay free of HTTP types, and this is how they reach the client.
pub trait RuleRefusal: Copy {
    /// Stable code, e.g. `topic.invalid_transition`.
    fn code(self) -> &'static str;
    /// HTTP status: 403, 409 or 422.
    fn status(self) -> u16;
    /// The request field at fault, for 422s.
    fn field(self) -> Option<&'static str>;
}

/// RFC 9457 problem details, plus `code` and `field`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the problem kind.
    pub r#type: String,
    /// Short message in the request's language (zh-CN default, en by Accept-Language).
    pub title: String,
    pub status: u16,
    /// Stable machine-readable code, e.g. `auth.invalid_credentials`.
    pub code: String,
    pub detail: Option<String>,
    /// The request field at fault, when there is one (dotted path, e.g. `roles[0].role`).
    pub field: Option<String>,
}

/// Marker left in a response's extensions so the language middleware can re-render it.
#[derive(Clone)]
pub struct ProblemSource(pub ApiError);

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            ApiError::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Conflict { .. } => StatusCode::CONFLICT,
            ApiError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            ApiError::Internal(cause) => {
                tracing::error!(code = self.code(), %cause, "request failed")
            }
            ApiError::Unavailable(cause) => {
                tracing::warn!(code = self.code(), %cause, "unavailable")
            }
            _ => tracing::debug!(code = self.code(), "request refused"),
        }
        let mut res = problem_response(self, Lang::default());
        res.extensions_mut().insert(ProblemSource(self.clone()));
        res
    }
}

/// Renders `err` as a problem+json response in `lang`.
pub fn problem_response(err: &ApiError, lang: Lang) -> HttpResponse {
    let mut builder = HttpResponse::build(err.status_code());
    builder.content_type("application/problem+json");
    if let ApiError::TooManyRequests {
        retry_after_secs, ..
    } = err
    {
        builder.insert_header(("Retry-After", retry_after_secs.to_string()));
    }
    if let ApiError::Unauthorized(_) = err {
        builder.insert_header(("WWW-Authenticate", "Bearer"));
    }
    if let ApiError::MethodNotAllowed { allow } = err {
        builder.insert_header(("Allow", allow.as_str()));
    }
    builder.json(err.problem(lang))
}

impl From<diesel::result::Error> for ApiError {
    #[track_caller]
    fn from(e: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match e {
            Error::NotFound => ApiError::NotFound("resource.not_found"),
            Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
                ApiError::conflict("resource.conflict")
            }
            Error::DatabaseError(DatabaseErrorKind::SerializationFailure, _) => {
                ApiError::conflict("resource.concurrent_update")
            }
            Error::DatabaseError(_, ref info) if info.message().contains("database is locked") => {
                ApiError::Unavailable(info.message().to_string())
            }
            other => ApiError::internal(format!("database: {other}")),
        }
    }
}

/// Result type of handlers and queries.
pub type ApiResult<T> = Result<T, ApiError>;
