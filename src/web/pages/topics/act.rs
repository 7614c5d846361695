//! The forms of a topic page, each a `POST /topics/{id}/...` that calls the action the JSON
//! route calls and answers 303 back to `/topics/{id}` with a flash, or shows the topic page
//! again with the refusal next to its field (422; a conflict or a missing right in the
//! summary at the top, with the API's status).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError, web};
use chrono::{NaiveDate, NaiveTime, TimeZone, Utc};
use serde::Deserialize;

use super::view::{self, Kept};
use crate::db;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::topics::model::{
    NewComment, NewEvaluation, NewObjection, NewTask, ObjectionAnswer, ObjectionDecision,
    PlanRequest, TransitionRequest,
};
use crate::topics::rules::{Action, Stance};
use crate::topics::{plan, reads, workflow};
use crate::web::form::{id_field, validated};
use crate::web::{Form, FormErrors, PageError, Visitor, act};

/// The answer to a topic form: back to the topic with `flash`, or the page again with the
/// refusal. `fields` maps the API's field names to the ids of this form's fields.
async fn answer<T>(
    v: &Visitor,
    state: &AppState,
    id: i64,
    done: ApiResult<T>,
    flash: &str,
    fields: &[(&str, &str)],
    kept: Kept,
) -> Result<HttpResponse, PageError> {
    let e = match done {
        Ok(_) => return Ok(v.redirect(&format!("/topics/{id}"), Some(flash))),
        Err(e) => e,
    };
    match e {
        ApiError::NotFound("topic.not_found")
        | ApiError::Unauthorized(_)
        | ApiError::Internal(_)
        | ApiError::Unavailable(_) => Err(e.into()),
        e => {
            let api: Vec<&str> = fields.iter().map(|(a, _)| *a).collect();
            let mut errors = FormErrors::of(&e, &api, v.t());
            for (f, _) in errors.fields.iter_mut() {
                if let Some((_, page_id)) = fields.iter().find(|(a, _)| a == f) {
                    *f = (*page_id).to_string();
                }
            }
            let status = match e.status_code() {
                s if s.is_client_error() => s,
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            };
            view::render(v, state, id, errors, kept, status).await
        }
    }
}

/// Some(text) unless blank.
fn some(s: &str) -> Option<String> {
    Some(s.to_string()).filter(|s| !s.trim().is_empty())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TransitionForm {
    action: String,
    expected_version: String,
    reason: String,
    decision: String,
    target_topic_id: String,
}

impl TransitionForm {
    /// The API's request, checked by its rules.
    fn request(&self) -> ApiResult<TransitionRequest> {
        let action = Action::parse(&self.action)
            .ok_or_else(|| ApiError::invalid("action", "validation.invalid", "unknown action"))?;
        let expected_version = self.expected_version.trim().parse::<i32>().map_err(|_| {
            ApiError::invalid("expected_version", "validation.required", "a version")
        })?;
        let target_topic_id = match self.target_topic_id.trim() {
            "" => None,
            s => Some(id_field(s, "target_topic_id")?),
        };
        validated(TransitionRequest {
            action,
            expected_version,
            note: None,
            reason: some(&self.reason),
            target_topic_id,
            decision: some(&self.decision),
        })
    }

    /// The page ids of this action's fields, by the API's names.
    fn fields(&self) -> &'static [(&'static str, &'static str)] {
        match Action::parse(&self.action) {
            Some(Action::Reject) => &[("reason", "reject_reason")],
            Some(Action::Rework) => &[("reason", "rework_reason")],
            Some(Action::Decide) => &[("decision", "decision")],
            Some(Action::Merge) => &[("target_topic_id", "target_topic_id")],
            _ => &[],
        }
    }
}

/// POST /topics/{id}/transitions: 受理, 驳回, 合并, 撤回, 提请协商, 形成决定, 公示, 审批, 办结,
/// 结项, 返工 (`workflow::transition`, as POST /api/v1/topics/{id}/transitions).
async fn transition(
    v: Visitor,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    Form(f): Form<TransitionForm>,
) -> Result<HttpResponse, PageError> {
    let id = id.into_inner();
    let caller = v.caller()?.clone();
    let settings = state.settings.clone();
    let done = act(&state, f.request(), move |conn, req| {
        workflow::transition(conn, &settings, &caller, id, &req).map(|t| (req.action, t))
    })
    .await;
    let t = v.t();
    let flash = match &done {
        Ok((action, topic)) => {
            let mut s = format!("{} · {}", t.topics.done_flash, t.topics.action(action));
            if let (Action::Accept, Some(no)) = (action, &topic.catalog_no) {
                s.push_str(&format!(" · {} {no}", t.topics.catalog_no));
            }
            s
        }
        Err(_) => String::new(),
    };
    let reason_id = match Action::parse(&f.action) {
        Some(Action::Rework) => "rework_reason",
        _ => "reject_reason",
    };
    let kept = Kept::one(reason_id, &f.reason).with("decision", &f.decision);
    answer(&v, &state, id, done, &flash, f.fields(), kept).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CsrfOnly {}

/// POST /topics/{id}/support: 附议 (`workflow::support`).
async fn support(
    v: Visitor,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    Form(_): Form<CsrfOnly>,
) -> Result<HttpResponse, PageError> {
    let id = id.into_inner();
    let caller = v.caller()?.clone();
    let done = db::run(&state.pool, move |conn| {
        workflow::support(conn, &caller, id)
    })
    .await;
    let flash = v.t().topics.supported_flash;
    answer(&v, &state, id, done, flash, &[], Kept::default()).await
}

/// POST /topics/{id}/unsupport: 取消附议 (`workflow::unsupport`).
async fn unsupport(
    v: Visitor,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    Form(_): Form<CsrfOnly>,
) -> Result<HttpResponse, PageError> {
    let id = id.into_inner();
    let caller = v.caller()?.clone();
    let done = db::run(&state.pool, move |conn| {
        workflow::unsupport(conn, &caller, id)
    })
    .await;
    let flash = v.t().topics.unsupported_flash;
    answer(&v, &state, id, done, flash, &[], Kept::default()).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CommentForm {
    body: String,
    stance: String,
}

/// POST /topics/{id}/comments: 发表评论 (`workflow::comment`).
async fn comment(
    v: Visitor,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    Form(f): Form<CommentForm>,
) -> Result<HttpResponse, PageError> {
    let id = id.into_inner();
    let caller = v.caller()?.clone();
    let input = match f.stance.trim() {
        "" => Ok(None),
        s => Stance::parse(s).map(Some).ok_or_else(|| {
            ApiError::invalid("stance", "validation.invalid", "for, against or neutral")
        }),
    }
    .and_then(|stance| {
        validated(NewComment {
            body: f.body.clone(),
            stance,
            parent_id: None,
        })
    });
    let done = act(&state, input, move |conn, c| {
        workflow::comment(conn, &caller, id, &c.body, c.stance, None)
    })
    .await;
    let flash = v.t().topics.commented_flash;
    let fields = [("body", "comment_body"), ("stance", "stance")];
    let kept = Kept::one("comment_body", &f.body);
    answer(&v, &state, id, done, flash, &fields, kept).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ObjectionForm {
    body: String,
}

/// POST /topics/{id}/objections: 提出异议 (`plan::file_objection`).
async fn objection(
    v: Visitor,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    Form(f): Form<ObjectionForm>,
) -> Result<HttpResponse, PageError> {
    let id = id.into_inner();
    let caller = v.caller()?.clone();
    let done = act(
        &state,
        validated(NewObjection {
            body: f.body.clone(),
        }),
        move |conn, o| plan::file_objection(conn, &caller, id, &o.body),
    )
    .await;
    let flash = v.t().topics.objected_flash;
    let kept = Kept::one("objection_body", &f.body);
    answer(
        &v,
        &state,
        id,
        done,
        flash,
        &[("body", "objection_body")],
        kept,
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AnswerForm {
    decision: String,
    reason: String,
}

/// POST /topics/{id}/objections/{oid}/answer: 维持 / 驳回异议 (`plan::answer_objection`).
async fn answer_objection(
    v: Visitor,
    state: web::Data<AppState>,
    path: web::Path<(i64, i64)>,
    Form(f): Form<AnswerForm>,
) -> Result<HttpResponse, PageError> {
    let (id, oid) = path.into_inner();
    let caller = v.caller()?.clone();
    let input = ObjectionDecision::parse(f.decision.trim())
        .ok_or_else(|| ApiError::invalid("decision", "validation.required", "upheld or dismissed"))
        .and_then(|decision| {
            validated(ObjectionAnswer {
                decision,
                reason: f.reason.clone(),
            })
        });
    let done = act(&state, input, move |conn, req| {
        plan::answer_objection(conn, &caller, oid, &req)
    })
    .await;
    let flash = v.t().topics.answered_flash;
    let reason_id = format!("answer_{oid}_reason");
    let fields = [("reason", reason_id.as_str())];
    let kept = Kept::one(&reason_id, &f.reason);
    answer(&v, &state, id, done, flash, &fields, kept).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RatingForm {
    score: String,
    comment: String,
}

/// POST /topics/{id}/evaluations: 提交评价 (`plan::rate`).
async fn rate(
    v: Visitor,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    Form(f): Form<RatingForm>,
) -> Result<HttpResponse, PageError> {
    let id = id.into_inner();
    let caller = v.caller()?.clone();
    let settings = state.settings.clone();
    let input = f
        .score
        .trim()
        .parse::<i32>()
        .map_err(|_| ApiError::invalid("score", "validation.required", "1 to 5"))
        .and_then(|score| {
            validated(NewEvaluation {
                score,
                comment: f.comment.clone(),
            })
        });
    let done = act(&state, input, move |conn, req| {
        plan::rate(conn, &settings, &caller, id, &req)
    })
    .await;
    let flash = v.t().topics.rated_flash;
    let fields = [("score", "score"), ("comment", "rating_comment")];
    let kept = Kept::one("rating_comment", &f.comment);
    answer(&v, &state, id, done, flash, &fields, kept).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PlanForm {
    summary: String,
}

/// POST /topics/{id}/plan: 保存方案 (`plan::save_plan`). The form edits the summary; the
/// plan's resources (set through the API) are kept as they are.
async fn save_plan(
    v: Visitor,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    Form(f): Form<PlanForm>,
) -> Result<HttpResponse, PageError> {
    let id = id.into_inner();
    let caller = v.caller()?.clone();
    let summary = f.summary.clone();
    let done = db::run(&state.pool, move |conn| {
        let resources = reads::get_plan(conn, &caller, id)?.resources;
        let req = validated(PlanRequest { summary, resources })?;
        plan::save_plan(conn, &caller, id, &req)
    })
    .await;
    let flash = v.t().topics.plan_saved_flash;
    let kept = Kept::one("summary", &f.summary);
    answer(&v, &state, id, done, flash, &[("summary", "summary")], kept).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TaskForm {
    title: String,
    organization_id: String,
    due_date: String,
}

impl TaskForm {
    /// The API's request: the due date is the end of that day in the installation's zone.
    fn request(&self, tz: chrono_tz::Tz) -> ApiResult<NewTask> {
        let organization_id = id_field(&self.organization_id, "organization_id")?;
        let day = NaiveDate::parse_from_str(self.due_date.trim(), "%Y-%m-%d")
            .map_err(|_| ApiError::invalid("due_at", "validation.required", "a date"))?;
        let end = day.and_time(NaiveTime::from_hms_opt(23, 59, 0).unwrap_or(NaiveTime::MIN));
        let due_at = tz
            .from_local_datetime(&end)
            .earliest()
            .map(|t| t.with_timezone(&Utc))
            .ok_or_else(|| ApiError::invalid("due_at", "validation.invalid", "no such time"))?;
        validated(NewTask {
            title: self.title.clone(),
            organization_id: Some(organization_id),
            assignee_id: None,
            due_at,
        })
    }
}

/// POST /topics/{id}/tasks: 添加任务 (`plan::add_task`).
async fn add_task(
    v: Visitor,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    Form(f): Form<TaskForm>,
) -> Result<HttpResponse, PageError> {
    let id = id.into_inner();
    let caller = v.caller()?.clone();
    let done = act(
        &state,
        f.request(state.settings.locale.time_zone),
        move |conn, req| plan::add_task(conn, &caller, id, &req),
    )
    .await;
    let flash = v.t().topics.task_added_flash;
    let fields = [
        ("title", "task_title"),
        ("organization_id", "organization_id"),
        ("due_at", "due_at"),
    ];
    let kept = Kept::one("task_title", &f.title)
        .with("organization_id", &f.organization_id)
        .with("due_at", &f.due_date);
    answer(&v, &state, id, done, flash, &fields, kept).await
}

/// GET of a form's path (signing in from a form comes back here): the topic page.
async fn back(v: Visitor, path: web::Path<(i64, String)>) -> HttpResponse {
    let (id, _) = path.into_inner();
    v.redirect(&format!("/topics/{id}"), None)
}

/// The topic forms.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/topics/{id}/{form:.+}", web::get().to(back));
    cfg.route("/topics/{id}/transitions", web::post().to(transition))
        .route("/topics/{id}/support", web::post().to(support))
        .route("/topics/{id}/unsupport", web::post().to(unsupport))
        .route("/topics/{id}/comments", web::post().to(comment))
        .route("/topics/{id}/objections", web::post().to(objection))
        .route(
            "/topics/{id}/objections/{oid}/answer",
            web::post().to(answer_objection),
        )
        .route("/topics/{id}/evaluations", web::post().to(rate))
        .route("/topics/{id}/plan", web::post().to(save_plan))
        .route("/topics/{id}/tasks", web::post().to(add_task));
}
