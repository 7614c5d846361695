//! Handlers for /api/v1/topics, /comments, /tasks and /objections: parse, call one action of
//! `workflow`, `plan` or `reads`, serialise. Reading needs any account (anonymous callers use
//! /api/v1/public); the actions check each write against the caller's roles at the place.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, put, web};

use super::model::*;
use super::views::{comment_out, objection_out, support_out, task_out};
use super::{plan, reads, workflow};
use crate::api::extract::{Body, Query};
use crate::api::paging::List;
use crate::api::respond;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

fn idempotency_key(req: &HttpRequest) -> ApiResult<Option<String>> {
    match req.headers().get("Idempotency-Key") {
        None => Ok(None),
        Some(v) => {
            let key = v.to_str().unwrap_or("").trim().to_string();
            if key.is_empty() || key.len() > 100 {
                return Err(ApiError::invalid(
                    "Idempotency-Key",
                    "validation.length",
                    "1 to 100 visible characters",
                ));
            }
            Ok(Some(key))
        }
    }
}

/// Raises a topic (说). Residents, grid workers (also for a resident), staff and CPPCC members
/// of the place; a retried POST with the same `Idempotency-Key` returns the same topic.
#[utoipa::path(tag = "topics", request_body = NewTopic,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retried create return the first result")),
    responses((status = 201, body = TopicOut)))]
#[post("/topics")]
pub async fn create_topic(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    Body(body): Body<NewTopic>,
) -> ApiResult<HttpResponse> {
    let key = idempotency_key(&req)?;
    respond::created(&state, move |conn, s| {
        workflow::create_topic(conn, &caller, &body, key.as_deref())
            .map(|t| t.out(s.workflow.hot_threshold))
    })
    .await
}

/// Lists topics with filters (place subtree, stage, category, escalated, author, text).
#[utoipa::path(tag = "topics", params(TopicFilter), responses((status = 200, body = List<TopicOut>)))]
#[get("/topics")]
pub async fn list_topics(
    state: web::Data<AppState>,
    caller: Caller,
    Query(f): Query<TopicFilter>,
) -> ApiResult<web::Json<List<TopicOut>>> {
    respond::ok(&state, move |conn, s| {
        reads::list_topics(conn, s, &caller, &f)
    })
    .await
}

/// One topic.
#[utoipa::path(tag = "topics", responses((status = 200, body = TopicOut)))]
#[get("/topics/{id}")]
pub async fn get_topic(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
) -> ApiResult<web::Json<TopicOut>> {
    respond::ok(&state, move |conn, s| {
        reads::get_topic(conn, s, &caller, *id)
    })
    .await
}

/// Moves the topic through the five steps (see docs/workflow.md for who may do what).
#[utoipa::path(tag = "topics", request_body = TransitionRequest, responses((status = 200, body = TopicOut)))]
#[post("/topics/{id}/transitions")]
pub async fn transition_topic(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
    Body(body): Body<TransitionRequest>,
) -> ApiResult<web::Json<TopicOut>> {
    respond::ok(&state, move |conn, s| {
        workflow::transition(conn, s, &caller, *id, &body).map(|t| t.out(s.workflow.hot_threshold))
    })
    .await
}

/// Supports (附议) the topic: residents of the place, in say or discuss.
#[utoipa::path(tag = "topics", responses((status = 200, body = SupportOut)))]
#[post("/topics/{id}/supports")]
pub async fn support_topic(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
) -> ApiResult<web::Json<SupportOut>> {
    respond::ok(&state, move |conn, s| {
        workflow::support(conn, &caller, *id)
            .map(|t| support_out(&t, true, s.workflow.hot_threshold))
    })
    .await
}

/// Withdraws the caller's support, in say or discuss.
#[utoipa::path(tag = "topics", responses((status = 200, body = SupportOut)))]
#[delete("/topics/{id}/supports")]
pub async fn withdraw_support(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
) -> ApiResult<web::Json<SupportOut>> {
    respond::ok(&state, move |conn, s| {
        workflow::unsupport(conn, &caller, *id)
            .map(|t| support_out(&t, false, s.workflow.hot_threshold))
    })
    .await
}

/// Comments in order; a hidden comment's body is shown only to its author and staff.
#[utoipa::path(tag = "topics", params(PageParams), responses((status = 200, body = List<CommentOut>)))]
#[get("/topics/{id}/comments")]
pub async fn list_comments(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
    Query(p): Query<PageParams>,
) -> ApiResult<web::Json<List<CommentOut>>> {
    respond::ok(&state, move |conn, _| {
        reads::list_comments(conn, &caller, *id, &p)
    })
    .await
}

/// Comments (with a stance during discuss); anyone holding a role at the place.
#[utoipa::path(tag = "topics", request_body = NewComment, responses((status = 201, body = CommentOut)))]
#[post("/topics/{id}/comments")]
pub async fn create_comment(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
    Body(body): Body<NewComment>,
) -> ApiResult<HttpResponse> {
    respond::created(&state, move |conn, _| {
        workflow::comment(conn, &caller, *id, &body.body, body.stance, body.parent_id)
            .map(|row| comment_out(&row, true))
    })
    .await
}

/// Hides a comment with a reason (staff at the topic's place).
#[utoipa::path(tag = "topics", request_body = HideRequest, responses((status = 200, body = CommentOut)))]
#[post("/comments/{id}/hide")]
pub async fn hide_comment(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
    Body(body): Body<HideRequest>,
) -> ApiResult<web::Json<CommentOut>> {
    respond::ok(&state, move |conn, _| {
        workflow::hide_comment(conn, &caller, *id, &body.reason).map(|row| comment_out(&row, true))
    })
    .await
}

/// The topic's hash-chained timeline, oldest first.
#[utoipa::path(tag = "topics", params(PageParams), responses((status = 200, body = List<EventOut>)))]
#[get("/topics/{id}/timeline")]
pub async fn get_timeline(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
    Query(p): Query<PageParams>,
) -> ApiResult<web::Json<List<EventOut>>> {
    respond::ok(&state, move |conn, _| {
        reads::timeline(conn, &caller, *id, &p)
    })
    .await
}

/// The plan with resources and tasks; organisation users see only their own tasks.
#[utoipa::path(tag = "plans", responses((status = 200, body = PlanOut)))]
#[get("/topics/{id}/plan")]
pub async fn get_plan(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
) -> ApiResult<web::Json<PlanOut>> {
    respond::ok(&state, move |conn, _| reads::get_plan(conn, &caller, *id)).await
}

/// Saves the plan summary and resources (staff, plan stage, before publication).
#[utoipa::path(tag = "plans", request_body = PlanRequest, responses((status = 200, body = PlanOut)))]
#[put("/topics/{id}/plan")]
pub async fn put_plan(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
    Body(body): Body<PlanRequest>,
) -> ApiResult<web::Json<PlanOut>> {
    respond::ok(&state, move |conn, _| {
        plan::save_plan(conn, &caller, *id, &body)
    })
    .await
}

/// The topic's tasks (organisation users: their own).
#[utoipa::path(tag = "plans", responses((status = 200, body = List<TaskOut>)))]
#[get("/topics/{id}/tasks")]
pub async fn list_topic_tasks(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
) -> ApiResult<web::Json<List<TaskOut>>> {
    respond::ok(&state, move |conn, _| {
        reads::list_topic_tasks(conn, &caller, *id)
    })
    .await
}

/// Adds a task (staff; plan stage before publication, or act after rework).
#[utoipa::path(tag = "plans", request_body = NewTask, responses((status = 201, body = TaskOut)))]
#[post("/topics/{id}/tasks")]
pub async fn create_task(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
    Body(body): Body<NewTask>,
) -> ApiResult<HttpResponse> {
    respond::created(&state, move |conn, _| {
        plan::add_task(conn, &caller, *id, &body).map(|t| task_out(&t))
    })
    .await
}

/// Updates a task's status or adds a progress note (act stage): staff, the assignee, or the
/// responsible organisation's users; `expected_version` guards against lost updates.
#[utoipa::path(tag = "plans", request_body = TaskPatch, responses((status = 200, body = TaskOut)))]
#[patch("/tasks/{id}")]
pub async fn update_task(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
    Body(body): Body<TaskPatch>,
) -> ApiResult<web::Json<TaskOut>> {
    respond::ok(&state, move |conn, _| {
        plan::update_task(conn, &caller, *id, &body).map(|t| task_out(&t))
    })
    .await
}

/// Tasks for supervision (督办): with `place_id`, staff, CPPCC members and admins there see
/// every task beneath it; without it, organisation users see their organisations' tasks.
#[utoipa::path(tag = "plans", params(TaskFilter), responses((status = 200, body = List<TaskOut>)))]
#[get("/tasks")]
pub async fn list_tasks(
    state: web::Data<AppState>,
    caller: Caller,
    Query(f): Query<TaskFilter>,
) -> ApiResult<web::Json<List<TaskOut>>> {
    respond::ok(&state, move |conn, _| reads::list_tasks(conn, &caller, &f)).await
}

/// Objections filed during the public notice.
#[utoipa::path(tag = "plans", responses((status = 200, body = List<ObjectionOut>)))]
#[get("/topics/{id}/objections")]
pub async fn list_objections(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
) -> ApiResult<web::Json<List<ObjectionOut>>> {
    respond::ok(&state, move |conn, _| {
        reads::list_objections(conn, &caller, *id)
    })
    .await
}

/// A resident of the place objects to the published plan (公示期).
#[utoipa::path(tag = "plans", request_body = NewObjection, responses((status = 201, body = ObjectionOut)))]
#[post("/topics/{id}/objections")]
pub async fn create_objection(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
    Body(body): Body<NewObjection>,
) -> ApiResult<HttpResponse> {
    respond::created(&state, move |conn, _| {
        plan::file_objection(conn, &caller, *id, &body.body).map(|row| objection_out(&row))
    })
    .await
}

/// Staff answer an objection: upheld sends the plan back for revision, dismissed needs a reason.
#[utoipa::path(tag = "plans", request_body = ObjectionAnswer, responses((status = 200, body = ObjectionOut)))]
#[post("/objections/{id}/answer")]
pub async fn answer_objection(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
    Body(body): Body<ObjectionAnswer>,
) -> ApiResult<web::Json<ObjectionOut>> {
    respond::ok(&state, move |conn, _| {
        plan::answer_objection(conn, &caller, *id, &body).map(|row| objection_out(&row))
    })
    .await
}

/// The evaluation summary (count, mean, distribution) of the current round.
#[utoipa::path(tag = "plans", responses((status = 200, body = EvaluationSummary)))]
#[get("/topics/{id}/evaluations")]
pub async fn get_evaluations(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
) -> ApiResult<web::Json<EvaluationSummary>> {
    respond::ok(&state, move |conn, s| {
        reads::evaluations(conn, s, &caller, *id)
    })
    .await
}

/// Rates the result 1-5 (评): residents who raised, supported or commented on it; editable
/// while the window is open.
#[utoipa::path(tag = "plans", request_body = NewEvaluation, responses((status = 200, body = EvaluationSummary)))]
#[post("/topics/{id}/evaluations")]
pub async fn rate_topic(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
    Body(body): Body<NewEvaluation>,
) -> ApiResult<web::Json<EvaluationSummary>> {
    respond::ok(&state, move |conn, s| {
        plan::rate(conn, s, &caller, *id, &body)
    })
    .await
}

/// Registers this area's handlers.
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(create_topic)
        .service(list_topics)
        .service(get_topic)
        .service(transition_topic)
        .service(support_topic)
        .service(withdraw_support)
        .service(list_comments)
        .service(create_comment)
        .service(hide_comment)
        .service(get_timeline)
        .service(get_plan)
        .service(put_plan)
        .service(list_topic_tasks)
        .service(create_task)
        .service(update_task)
        .service(list_tasks)
        .service(list_objections)
        .service(create_objection)
        .service(answer_objection)
        .service(get_evaluations)
        .service(rate_topic);
}
