//! Account pages: `/login`, `/register`, `/logout`, and the pages mailed links open:
//! `/verify-email?token=`, `/password-reset`, `/password-reset/confirm?token=`, `/unlock?token=`.
//! Each calls the account action the API calls; a refusal is shown next to its field.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::accounts::actions;
use crate::accounts::model::{LoginRequest, RegisterRequest, ResetConfirm};
use crate::accounts::routes::client_addr;
use crate::error::ApiError;
use crate::places::model::{PlaceFilter, PlaceOut};
use crate::places::rules::PlaceKind;
use crate::state::AppState;
use crate::web::form::{id_field, validated};
use crate::web::visitor::{SESSION_COOKIE, safe_next};
use crate::web::{Chrome, Form, FormErrors, PageError, Visitor, page, page_with};
use crate::{db, places};

#[derive(Template)]
#[template(path = "account/login.html")]
struct LoginPage<'a> {
    c: Chrome<'a>,
    f: LoginForm,
    errors: FormErrors,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct LoginForm {
    email: String,
    password: String,
    next: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct NextQuery {
    next: String,
}

#[derive(Template)]
#[template(path = "message.html")]
struct Message<'a> {
    c: Chrome<'a>,
    message: &'a str,
    link: &'a str,
    link_text: &'a str,
}

fn message(
    v: &Visitor,
    status: StatusCode,
    title: &str,
    message: &str,
    link: &str,
    link_text: &str,
) -> Result<HttpResponse, PageError> {
    page_with(
        v,
        status,
        &Message {
            c: Chrome::new(v, title),
            message,
            link,
            link_text,
        },
    )
}

async fn login_page(v: Visitor, q: web::Query<NextQuery>) -> Result<HttpResponse, PageError> {
    let f = LoginForm {
        next: q.into_inner().next,
        ..Default::default()
    };
    let errors = match &v.member {
        None if !f.next.is_empty() => FormErrors {
            general: Some(v.t().auth.sign_in_first),
            ..Default::default()
        },
        _ => FormErrors::default(),
    };
    let c = Chrome::new(&v, v.t().auth.sign_in_title);
    page(&v, &LoginPage { c, f, errors })
}

async fn login(
    req: HttpRequest,
    v: Visitor,
    state: web::Data<AppState>,
    Form(f): Form<LoginForm>,
) -> Result<HttpResponse, PageError> {
    let input = validated(LoginRequest {
        email: f.email.clone(),
        password: f.password.clone(),
    });
    let days = state.settings.web.session_days;
    let opened = match input {
        Ok(input) => {
            actions::create_browser_session(&state, client_addr(&req, &state), input, days).await
        }
        Err(e) => Err(e),
    };
    match opened {
        Ok((token, _)) => {
            let mut res = v.redirect(&safe_next(Some(&f.next)), Some(v.t().auth.signed_in));
            res.add_cookie(&v.session_cookie(token))
                .map_err(|e| ApiError::internal(e.to_string()))?;
            Ok(res)
        }
        Err(ApiError::TooManyRequests { code, .. }) => {
            login_refused(&v, f, code, StatusCode::TOO_MANY_REQUESTS)
        }
        Err(e @ (ApiError::Invalid { .. } | ApiError::BadRequest { .. })) => {
            let errors = FormErrors::of(&e, &["email", "password"], v.t());
            let c = Chrome::new(&v, v.t().auth.sign_in_title);
            let f = LoginForm {
                password: String::new(),
                ..f
            };
            page_with(
                &v,
                StatusCode::UNPROCESSABLE_ENTITY,
                &LoginPage { c, f, errors },
            )
        }
        Err(ApiError::Unauthorized(code)) => login_refused(&v, f, code, StatusCode::UNAUTHORIZED),
        Err(ApiError::Forbidden(code)) => login_refused(&v, f, code, StatusCode::FORBIDDEN),
        Err(e) => Err(e.into()),
    }
}

/// The sign-in page again with the refusal on top (wrong password, locked, unverified).
fn login_refused(
    v: &Visitor,
    f: LoginForm,
    code: &str,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let errors = FormErrors {
        general: Some(v.t().message(code)),
        ..Default::default()
    };
    let c = Chrome::new(v, v.t().auth.sign_in_title);
    let f = LoginForm {
        password: String::new(),
        ..f
    };
    page_with(v, status, &LoginPage { c, f, errors })
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CsrfOnly {}

async fn logout(
    v: Visitor,
    state: web::Data<AppState>,
    Form(_): Form<CsrfOnly>,
) -> Result<HttpResponse, PageError> {
    if let Some(m) = &v.member {
        let session = m.caller.session_id;
        db::run(&state.pool, move |conn| {
            actions::end_browser_session(conn, session)
        })
        .await?;
    }
    let mut res = v.redirect("/", Some(v.t().auth.signed_out));
    res.add_cookie(&v.expired(SESSION_COOKIE))
        .map_err(|e| ApiError::internal(e.to_string()))?;
    Ok(res)
}

#[derive(Template)]
#[template(path = "account/register.html")]
struct RegisterPage<'a> {
    c: Chrome<'a>,
    f: RegisterForm,
    homes: Vec<PlaceOut>,
    errors: FormErrors,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RegisterForm {
    email: String,
    password: String,
    display_name: String,
    home_place_id: String,
}

/// The places a resident may call home, for the 所在社区 choice.
async fn homes(state: &AppState) -> Result<Vec<PlaceOut>, PageError> {
    Ok(db::run(&state.pool, |conn| {
        places::actions::list_places(
            conn,
            &PlaceFilter {
                kind: Some(PlaceKind::Community),
                limit: Some(100),
                ..Default::default()
            },
        )
    })
    .await?
    .items)
}

async fn register_page(v: Visitor, state: web::Data<AppState>) -> Result<HttpResponse, PageError> {
    let homes = homes(&state).await?;
    let c = Chrome::new(&v, v.t().auth.register_title);
    page(
        &v,
        &RegisterPage {
            c,
            f: RegisterForm::default(),
            homes,
            errors: FormErrors::default(),
        },
    )
}

async fn register(
    req: HttpRequest,
    v: Visitor,
    state: web::Data<AppState>,
    Form(f): Form<RegisterForm>,
) -> Result<HttpResponse, PageError> {
    let input = id_field(&f.home_place_id, "home_place_id").and_then(|home_place_id| {
        validated(RegisterRequest {
            email: f.email.clone(),
            password: f.password.clone(),
            display_name: f.display_name.clone(),
            home_place_id,
        })
    });
    let done = match input {
        Ok(input) => actions::register_account(&state, client_addr(&req, &state), input).await,
        Err(e) => Err(e),
    };
    let t = v.t();
    match done {
        Ok(()) => message(
            &v,
            StatusCode::OK,
            t.auth.register_done_title,
            t.auth.register_done,
            "/login",
            t.auth.sign_in_title,
        ),
        Err(
            e @ (ApiError::Invalid { .. }
            | ApiError::BadRequest { .. }
            | ApiError::TooManyRequests { .. }
            | ApiError::NotFound(_)),
        ) => {
            let fields = ["email", "password", "display_name", "home_place_id"];
            let errors = match &e {
                ApiError::NotFound(_) => FormErrors::of(
                    &ApiError::invalid("home_place_id", "validation.required", ""),
                    &fields,
                    t,
                ),
                e => FormErrors::of(e, &fields, t),
            };
            let homes = homes(&state).await?;
            let c = Chrome::new(&v, t.auth.register_title);
            let f = RegisterForm {
                password: String::new(),
                ..f
            };
            page_with(
                &v,
                StatusCode::UNPROCESSABLE_ENTITY,
                &RegisterPage {
                    c,
                    f,
                    homes,
                    errors,
                },
            )
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct TokenQuery {
    token: String,
}

async fn verify_email(
    v: Visitor,
    state: web::Data<AppState>,
    q: web::Query<TokenQuery>,
) -> Result<HttpResponse, PageError> {
    let token = q.into_inner().token;
    let done = db::run(&state.pool, move |conn| actions::verify_email(conn, &token)).await;
    let t = v.t();
    match done {
        Ok(()) => message(
            &v,
            StatusCode::OK,
            t.auth.sign_in_title,
            t.auth.verified,
            "/login",
            t.auth.sign_in_title,
        ),
        Err(ApiError::Invalid { .. } | ApiError::BadRequest { .. }) => message(
            &v,
            StatusCode::UNPROCESSABLE_ENTITY,
            t.common.error_title_409,
            t.auth.verify_failed,
            "/register",
            t.auth.register_title,
        ),
        Err(e) => Err(e.into()),
    }
}

async fn unlock(
    v: Visitor,
    state: web::Data<AppState>,
    q: web::Query<TokenQuery>,
) -> Result<HttpResponse, PageError> {
    let token = q.into_inner().token;
    let done = db::run(&state.pool, move |conn| {
        actions::unlock_account(conn, &token)
    })
    .await;
    let t = v.t();
    match done {
        Ok(()) => message(
            &v,
            StatusCode::OK,
            t.auth.sign_in_title,
            t.auth.unlocked,
            "/login",
            t.auth.sign_in_title,
        ),
        Err(ApiError::Invalid { code, .. }) => message(
            &v,
            StatusCode::UNPROCESSABLE_ENTITY,
            t.common.error_title_409,
            t.message(code),
            "/login",
            t.auth.sign_in_title,
        ),
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "account/reset.html")]
struct ResetPage<'a> {
    c: Chrome<'a>,
    email: String,
    errors: FormErrors,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ResetForm {
    email: String,
}

async fn reset_page(v: Visitor) -> Result<HttpResponse, PageError> {
    let c = Chrome::new(&v, v.t().auth.reset_title);
    page(
        &v,
        &ResetPage {
            c,
            email: String::new(),
            errors: FormErrors::default(),
        },
    )
}

async fn reset_request(
    req: HttpRequest,
    v: Visitor,
    state: web::Data<AppState>,
    Form(f): Form<ResetForm>,
) -> Result<HttpResponse, PageError> {
    let t = v.t();
    let checked = validated(crate::accounts::model::ResetRequest {
        email: f.email.clone(),
    });
    let done = match checked {
        Ok(r) => actions::request_password_reset(&state, client_addr(&req, &state), &r.email).await,
        Err(e) => Err(e),
    };
    match done {
        Ok(()) => message(
            &v,
            StatusCode::OK,
            t.auth.reset_title,
            t.auth.reset_sent,
            "/login",
            t.auth.sign_in_title,
        ),
        Err(
            e @ (ApiError::Invalid { .. }
            | ApiError::BadRequest { .. }
            | ApiError::TooManyRequests { .. }),
        ) => {
            let errors = FormErrors::of(&e, &["email"], t);
            let c = Chrome::new(&v, t.auth.reset_title);
            page_with(
                &v,
                StatusCode::UNPROCESSABLE_ENTITY,
                &ResetPage {
                    c,
                    email: f.email,
                    errors,
                },
            )
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "account/reset_confirm.html")]
struct ResetConfirmPage<'a> {
    c: Chrome<'a>,
    token: String,
    errors: FormErrors,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ResetConfirmForm {
    token: String,
    new_password: String,
}

async fn reset_confirm_page(
    v: Visitor,
    q: web::Query<TokenQuery>,
) -> Result<HttpResponse, PageError> {
    let c = Chrome::new(&v, v.t().auth.reset_title);
    page(
        &v,
        &ResetConfirmPage {
            c,
            token: q.into_inner().token,
            errors: FormErrors::default(),
        },
    )
}

async fn reset_confirm(
    v: Visitor,
    state: web::Data<AppState>,
    Form(f): Form<ResetConfirmForm>,
) -> Result<HttpResponse, PageError> {
    let t = v.t();
    let input = validated(ResetConfirm {
        token: f.token.clone(),
        new_password: f.new_password.clone(),
    });
    let done = match input {
        Ok(input) => actions::confirm_password_reset(&state, input).await,
        Err(e) => Err(e),
    };
    match done {
        Ok(()) => Ok(v.redirect("/login", Some(t.auth.reset_done))),
        Err(e @ (ApiError::Invalid { .. } | ApiError::BadRequest { .. })) => {
            let errors = FormErrors::of(&e, &["new_password"], t);
            let c = Chrome::new(&v, t.auth.reset_title);
            page_with(
                &v,
                StatusCode::UNPROCESSABLE_ENTITY,
                &ResetConfirmPage {
                    c,
                    token: f.token,
                    errors,
                },
            )
        }
        Err(e) => Err(e.into()),
    }
}

/// The account pages.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/login", web::get().to(login_page))
        .route("/login", web::post().to(login))
        .route("/logout", web::post().to(logout))
        .route("/register", web::get().to(register_page))
        .route("/register", web::post().to(register))
        .route("/verify-email", web::get().to(verify_email))
        .route("/unlock", web::get().to(unlock))
        .route("/password-reset", web::get().to(reset_page))
        .route("/password-reset", web::post().to(reset_request))
        .route("/password-reset/confirm", web::get().to(reset_confirm_page))
        .route("/password-reset/confirm", web::post().to(reset_confirm));
}
