//! The working pages: `/me` (my topics, what I support, my calendar feed, my roles),
//! `/staff` (工作台: the staff workbench) and `/tasks` (我的任务: tasks with the progress
//! form). Each handler calls the read actions of `topics::worklists` (and the calendar-feed
//! and task-update actions the JSON API calls); who sees what comes from those actions.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::accounts::actions::grants::MyRole;
use crate::consultations::actions as meetings;
use crate::error::ApiError;
use crate::state::AppState;
use crate::topics::model::{TaskPatch, TaskStatus, TopicOut};
use crate::topics::worklists::{self, TaskLine, Workbench};
use crate::web::form::validated;
use crate::web::{Chrome, Form, FormErrors, PageError, Visitor, page, page_with};
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
    supported: Vec<TopicOut>,
    /// When the current feed address was made.
    feed_since: Option<String>,
    /// A feed address just made: shown this once.
    new_feed: Option<String>,
    roles: Vec<MyRole>,
}

async fn me_page_with(
    v: &Visitor,
    state: &web::Data<AppState>,
    new_feed: Option<String>,
) -> Result<HttpResponse, PageError> {
    let caller = v.caller()?.clone();
    let settings = state.settings.clone();
    let (mine, supported, feed, roles) = db::run(&state.pool, move |conn| {
        let mine = topics::worklists::my_topics(conn, &settings, &caller)?;
        let supported = topics::worklists::supported_topics(conn, &settings, &caller)?;
        let feed = meetings::feed_status(conn, &caller)?;
        let roles = accounts::actions::my_roles(conn, &caller)?;
        Ok((mine, supported, feed, roles))
    })
    .await?;
    let c = Chrome::new(v, v.t().work.me_title);
    page(
        v,
        &MePage {
            c,
            mine,
            supported,
            feed_since: feed.map(|at| minute(state, at)),
            new_feed,
            roles,
        },
    )
}

async fn me_page(v: Visitor, state: web::Data<AppState>) -> Result<HttpResponse, PageError> {
    me_page_with(&v, &state, None).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CsrfOnly {}

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
    let done = match task_patch(&f) {
        Ok(patch) => {
            db::run(&state.pool, move |conn| {
                topics::plan::update_task(conn, &caller, id, &patch)
            })
            .await
        }
        Err(e) => Err(e),
    };
    match done {
        Ok(_) => Ok(v.redirect("/tasks", Some(v.t().work.updated))),
        Err(e @ (ApiError::Invalid { .. } | ApiError::BadRequest { .. })) => {
            let errors = FormErrors::of(&e, &["status", "progress_note"], v.t());
            tasks_page_with(
                &v,
                &state,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some((id, errors, f)),
            )
            .await
        }
        Err(e @ ApiError::Conflict { .. }) => {
            let errors = FormErrors::of(&e, &[], v.t());
            tasks_page_with(&v, &state, StatusCode::CONFLICT, Some((id, errors, f))).await
        }
        Err(e) => Err(e.into()),
    }
}

/// The working pages.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/me", web::get().to(me_page))
        .route("/me/calendar-feed", web::post().to(create_feed))
        .route("/me/calendar-feed/revoke", web::post().to(revoke_feed))
        .route("/staff", web::get().to(staff_page))
        .route("/tasks", web::get().to(tasks_page))
        .route("/tasks/{id}", web::post().to(update_task));
}
