//! The working pages: `/me` (my topics, what I support, my calendar feed, my roles),
//! `/staff` (工作台: the staff workbench) and `/tasks` (我的任务: tasks with the progress
//! form). Each handler calls the read actions of `topics::worklists` (and the calendar-feed
//! and task-update actions the JSON API calls); who sees what comes from those actions.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::{DateTime, Utc};
use serde::Deserialize;

use actix_multipart::Multipart;

use crate::accounts::actions::grants::MyRole;
use crate::attachments;
use crate::attachments::model::Owner;
use crate::attachments::rules::OwnerKind;
use crate::consultations::actions as meetings;
use crate::error::ApiError;
use crate::state::AppState;
use crate::topics::model::{TaskPatch, TaskStatus, TopicOut};
use crate::topics::worklists::{self, TaskLine, Workbench};
use crate::web::form::validated;
use crate::web::{Chrome, Form, FormErrors, PageError, Visitor, act, page, page_with};
use crate::{accounts, db, topics};

/// A date in the installation's time zone.
fn day(state: &AppState, at: DateTime<Utc>) -> String {
    at.with_timezone(&state.settings.locale.time_zone)
        .format("%Y-%m-%d")
        .to_string()
}

/// A time in the installation's time zone.
fn minute(state: &AppState, at: DateTime<Utc>) -> String {
    at.with_timezone(&state.settings.locale.time_zone)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

#[derive(Template)]
#[template(path = "work/me.html")]
struct MePage<'a> {
    c: Chrome<'a>,
    mine: Vec<TopicOut>,
    /// 通知, 我关注的 and the mail preferences.
    n: super::notify::MeNotices,
    /// When the current feed address was made.
    feed_since: Option<String>,
    /// A feed address just made: shown this once.
    new_feed: Option<String>,
    roles: Vec<MyRole>,
    /// The open-data opt-in (`PATCH /api/v1/me {show_name_publicly}`).
    show_name_publicly: bool,
}

async fn me_page_with(
    v: &Visitor,
    state: &web::Data<AppState>,
    new_feed: Option<String>,
) -> Result<HttpResponse, PageError> {
    let caller = v.caller()?.clone();
    let settings = state.settings.clone();
    let (mine, n, feed, roles) = db::run(&state.pool, move |conn| {
        let mine = topics::worklists::my_topics(conn, &settings, &caller)?;
        let n = super::notify::me_notices(conn, &settings, &caller)?;
        let feed = meetings::feed_status(conn, &caller)?;
        let roles = accounts::actions::my_roles(conn, &caller)?;
        let me = accounts::actions::get_me(conn, &caller)?;
        Ok((mine, n, feed, (roles, me.show_name_publicly)))
    })
    .await?;
    let (roles, show_name_publicly) = roles;
    let c = Chrome::new(v, v.t().work.me_title);
    page(
        v,
        &MePage {
            c,
            mine,
            n,
            feed_since: feed.map(|at| minute(state, at)),
            new_feed,
            roles,
            show_name_publicly,
        },
    )
}

async fn me_page(v: Visitor, state: web::Data<AppState>) -> Result<HttpResponse, PageError> {
    me_page_with(&v, &state, None).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CsrfOnly {}

/// The 公开显示 form: a ticked box sends `show_name_publicly=1`, an unticked one nothing.
#[derive(Deserialize, Default)]
#[serde(default)]
struct PublicNameForm {
    show_name_publicly: String,
}

/// POST /me/public-name: the same action as `PATCH /api/v1/me {show_name_publicly}`.
async fn save_public_name(
    v: Visitor,
    state: web::Data<AppState>,
    Form(f): Form<PublicNameForm>,
) -> Result<HttpResponse, PageError> {
    let caller = v.caller()?.clone();
    let patch = accounts::model::MePatch {
        show_name_publicly: Some(!f.show_name_publicly.is_empty()),
        display_name: None,
    };
    db::run(&state.pool, move |conn| {
        accounts::actions::update_me(conn, &caller, &patch)
    })
    .await?;
    Ok(v.redirect("/me#public-name", Some(v.t().notify.saved_flash)))
}

/// Makes (or renews) the calendar feed address and shows it in this answer: only its hash is
/// stored, so it cannot travel through a redirect without being stored in the browser.
async fn create_feed(
    v: Visitor,
    state: web::Data<AppState>,
    Form(_): Form<CsrfOnly>,
) -> Result<HttpResponse, PageError> {
    let caller = v.caller()?.clone();
    let settings = state.settings.clone();
    let feed = db::run(&state.pool, move |conn| {
        meetings::create_feed(conn, &settings, &caller)
    })
    .await?;
    me_page_with(&v, &state, Some(feed.url)).await
}

async fn revoke_feed(
    v: Visitor,
    state: web::Data<AppState>,
    Form(_): Form<CsrfOnly>,
) -> Result<HttpResponse, PageError> {
    let caller = v.caller()?.clone();
    match db::run(&state.pool, move |conn| {
        meetings::revoke_feed(conn, &caller)
    })
    .await
    {
        Ok(()) | Err(ApiError::NotFound(_)) => {
            Ok(v.redirect("/me", Some(v.t().work.calendar_revoked)))
        }
        Err(e) => Err(e.into()),
    }
}

/// A task as a card: the line, its dates written out, and (after a refused update) the
/// refusal and what was entered.
struct TaskCard {
    line: TaskLine,
    due: String,
    /// (when, status set, note) of each progress note.
    progress: Vec<(String, Option<TaskStatus>, Option<String>)>,
    /// Refusals keyed `{task id}-{field}`, so each form's ids stay unique on the page.
    errors: FormErrors,
    status_key: String,
    note_key: String,
    photo_key: String,
    chosen: TaskStatus,
    note: String,
}

fn task_card(state: &AppState, line: TaskLine) -> TaskCard {
    let id = line.task.id;
    TaskCard {
        due: day(state, line.task.due_at),
        progress: line
            .progress
            .iter()
            .map(|p| (minute(state, p.at), p.status, p.note.clone()))
            .collect(),
        errors: FormErrors::default(),
        status_key: format!("{id}-status"),
        note_key: format!("{id}-progress_note"),
        photo_key: format!("{id}-photo"),
        chosen: line.task.status,
        note: String::new(),
        line,
    }
}

#[derive(Template)]
#[template(path = "work/staff.html")]
struct StaffPage<'a> {
    c: Chrome<'a>,
    wb: Workbench,
    overdue: Vec<TaskCard>,
}

async fn staff_page(v: Visitor, state: web::Data<AppState>) -> Result<HttpResponse, PageError> {
    let caller = v.caller()?.clone();
    let settings = state.settings.clone();
    let mut wb = db::run(&state.pool, move |conn| {
        worklists::workbench(conn, &settings, &caller)
    })
    .await?;
    let overdue = std::mem::take(&mut wb.overdue)
        .into_iter()
        .map(|l| task_card(&state, l))
        .collect();
    let c = Chrome::new(&v, v.t().work.staff_title);
    page(&v, &StaffPage { c, wb, overdue })
}

#[derive(Template)]
#[template(path = "work/tasks.html")]
struct TasksPage<'a> {
    c: Chrome<'a>,
    cards: Vec<TaskCard>,
    statuses: [TaskStatus; 4],
    /// A refusal for a task this page does not list.
    elsewhere: FormErrors,
}

/// The task form as sent (`status`, `progress_note`, `expected_version`).
#[derive(Deserialize, Default)]
#[serde(default)]
struct TaskForm {
    status: String,
    progress_note: String,
    expected_version: String,
}

/// The API's request from the form: an unknown status is refused as the API refuses it; an
/// empty note is no note.
fn task_patch(f: &TaskForm) -> Result<TaskPatch, ApiError> {
    let status = match f.status.trim() {
        "" => None,
        s => Some(TaskStatus::parse(s).ok_or_else(|| ApiError::BadRequest {
            code: "request.invalid_field",
            field: Some("status".into()),
            detail: format!("unknown status {s:?}"),
        })?),
    };
    let expected_version =
        f.expected_version
            .trim()
            .parse::<i32>()
            .map_err(|_| ApiError::BadRequest {
                code: "request.invalid_field",
                field: Some("expected_version".into()),
                detail: "a version number".into(),
            })?;
    let note = f.progress_note.replace("\r\n", "\n");
    validated(TaskPatch {
        status,
        progress_note: (!note.trim().is_empty()).then_some(note),
        expected_version,
    })
}

async fn tasks_page_with(
    v: &Visitor,
    state: &web::Data<AppState>,
    status: StatusCode,
    refused: Option<(i64, FormErrors, TaskForm)>,
) -> Result<HttpResponse, PageError> {
    let caller = v.caller()?.clone();
    let lines = db::run(&state.pool, move |conn| worklists::my_tasks(conn, &caller)).await?;
    let mut cards: Vec<TaskCard> = lines.into_iter().map(|l| task_card(state, l)).collect();
    let mut elsewhere = FormErrors::default();
    if let Some((id, errors, f)) = refused {
        match cards.iter_mut().find(|c| c.line.task.id == id) {
            Some(card) => {
                card.errors = FormErrors {
                    fields: errors
                        .fields
                        .into_iter()
                        .map(|(field, m)| (format!("{id}-{field}"), m))
                        .collect(),
                    general: errors.general,
                };
                card.chosen = TaskStatus::parse(&f.status).unwrap_or(card.chosen);
                card.note = f.progress_note;
            }
            None => {
                elsewhere = FormErrors {
                    fields: vec![],
                    general: errors.general.or(errors.fields.first().map(|(_, m)| *m)),
                }
            }
        }
    }
    let c = Chrome::new(v, v.t().work.tasks_title);
    page_with(
        v,
        status,
        &TasksPage {
            c,
            cards,
            statuses: TaskStatus::ALL,
            elsewhere,
        },
    )
}

async fn tasks_page(v: Visitor, state: web::Data<AppState>) -> Result<HttpResponse, PageError> {
    tasks_page_with(&v, &state, StatusCode::OK, None).await
}

/// 更新: the task update action of `PATCH /api/v1/tasks/{id}`; 303 back with a flash, or the
/// page again with the refusal next to its field. A task the visitor may not see or change is
/// the refused page of the action (404 or 403), and nothing is written.
async fn update_task(
    v: Visitor,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    Form(f): Form<TaskForm>,
) -> Result<HttpResponse, PageError> {
    let caller = v.caller()?.clone();
    let id = path.into_inner();
    let done = act(&state, task_patch(&f), move |conn, patch| {
        topics::plan::update_task(conn, &caller, id, &patch)
    })
    .await;
    match done {
        Ok(_) => Ok(v.redirect("/tasks", Some(v.t().work.updated))),
        Err(e) => update_refused(&v, &state, id, e, f).await,
    }
}

/// The page again after a refused update: a refusal naming a field of the form next to it
/// (422), a conflict (stale version, topic not in 办) on top of the card (409); anything else
/// (not found, not allowed) is the refused page.
async fn update_refused(
    v: &Visitor,
    state: &web::Data<AppState>,
    id: i64,
    e: ApiError,
    f: TaskForm,
) -> Result<HttpResponse, PageError> {
    match e {
        e @ (ApiError::Invalid { .. } | ApiError::BadRequest { .. }) => {
            let errors = FormErrors::of(&e, &["status", "progress_note"], v.t());
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            tasks_page_with(v, state, status, Some((id, errors, f))).await
        }
        e @ ApiError::Conflict { .. } => {
            let errors = FormErrors::of(&e, &[], v.t());
            tasks_page_with(v, state, StatusCode::CONFLICT, Some((id, errors, f))).await
        }
        e => Err(e.into()),
    }
}

/// The page again with a refused photo next to 照片 (413 when too large, else 422).
async fn photo_refused(
    v: &Visitor,
    state: &web::Data<AppState>,
    id: i64,
    e: &ApiError,
    f: TaskForm,
) -> Result<HttpResponse, PageError> {
    let errors = FormErrors {
        fields: vec![("photo".to_string(), v.t().message(e.code()))],
        general: None,
    };
    let status = match e {
        ApiError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    };
    tasks_page_with(v, state, status, Some((id, errors, f))).await
}

/// 更新 with 照片 (the form as `multipart/form-data`). Whoever may not add evidence to the task
/// gets the refusal before the body is read. The photo's type and size are checked before
/// the update, so a refused photo leaves the task as it was; then the update (the action of
/// `PATCH /api/v1/tasks/{id}`), then the upload (the action of `POST
/// /api/v1/tasks/{id}/attachments`). An image that passes those checks but cannot be decoded
/// is refused after the update was saved: the page says so next to 照片.
async fn update_task_with_photo(
    v: Visitor,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    body: Multipart,
) -> Result<HttpResponse, PageError> {
    let caller = v.caller()?.clone();
    let id = path.into_inner();
    let owner = Owner::task(id);
    attachments::actions::check_upload(&state, &caller, owner).await?;
    let max = state.settings.attachments.max_bytes;
    let form = match attachments::form::read_form(body, "photo", max).await {
        Ok(form) => form,
        // Nothing is written; the page is shown again, without what was typed.
        Err(e @ ApiError::PayloadTooLarge) => {
            return photo_refused(&v, &state, id, &e, TaskForm::default()).await;
        }
        Err(e) => return Err(e.into()),
    };
    let field = |name: &str| form.fields.get(name).cloned().unwrap_or_default();
    v.check_csrf(&field("csrf"))?;
    let f = TaskForm {
        status: field("status"),
        progress_note: field("progress_note"),
        expected_version: field("expected_version"),
    };
    // A browser sends an empty, unnamed part when no file was chosen.
    let photo = form
        .file
        .filter(|u| !u.bytes.is_empty() || u.filename.as_deref().is_some_and(|n| !n.is_empty()));
    if let Some(p) = &photo
        && let Err(r) = attachments::rules::accept(OwnerKind::Task, &p.bytes, max)
    {
        return photo_refused(&v, &state, id, &attachments::actions::refused(r), f).await;
    }
    let done = match task_patch(&f) {
        Ok(patch) => {
            let who = caller.clone();
            db::run(&state.pool, move |conn| {
                topics::plan::update_task(conn, &who, id, &patch)
            })
            .await
        }
        Err(e) => Err(e),
    };
    if let Err(e) = done {
        return update_refused(&v, &state, id, e, f).await;
    }
    if let Some(p) = photo
        && let Err(e) = attachments::actions::upload(&state, &caller, owner, p).await
    {
        let f = TaskForm {
            progress_note: String::new(),
            ..f
        };
        return photo_refused(&v, &state, id, &e, f).await;
    }
    Ok(v.redirect("/tasks", Some(v.t().work.updated)))
}

/// A form sent as `multipart/form-data` (the task form with 照片).
fn is_multipart(ctx: &actix_web::guard::GuardContext<'_>) -> bool {
    ctx.head()
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("multipart/form-data"))
}

/// The working pages.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/me", web::get().to(me_page))
        .route("/me/calendar-feed", web::post().to(create_feed))
        .route("/me/calendar-feed/revoke", web::post().to(revoke_feed))
        .route("/me/public-name", web::post().to(save_public_name))
        .route("/staff", web::get().to(staff_page))
        .route("/tasks", web::get().to(tasks_page))
        .route(
            "/tasks/{id}",
            web::post()
                .guard(actix_web::guard::fn_guard(is_multipart))
                .to(update_task_with_photo),
        )
        .route("/tasks/{id}", web::post().to(update_task));
}
