//! `/consultations/{id}`: the meeting's page, its forms (answer, invite, transitions,
//! attendance, outcomes, minutes sign-off) and its calendar file. Each POST calls the action
//! the JSON route calls and answers 303 back to the page with a flash; a refusal re-shows the
//! page with the message next to its field (422) or on top (409); 403 and 404 are error pages.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::{local, opt, parse_due, span};
use crate::consultations::actions::{self, MeetingPage};
use crate::consultations::model::{
    Attendance, ConsultationTransition, Dissent, FollowUp, NewInvitation, NewOutcome, OutcomeOut,
};
use crate::consultations::rules::{Action, Category, Consensus, FollowUpKind, Response};
use crate::db;
use crate::error::ApiError;
use crate::state::AppState;
use crate::web::form::{id_field, validated};
use crate::web::{Chrome, Form, FormErrors, PageError, Visitor, act, page_with};

/// What a refused form had typed, to show it again.
#[derive(Default)]
struct Typed {
    email: String,
    minutes: String,
    reason: String,
    text: String,
}

#[derive(Template)]
#[template(path = "meetings/show.html")]
struct ShowPage<'a> {
    c: Chrome<'a>,
    p: MeetingPage,
    when: String,
    deadline: Option<String>,
    categories: [Category; 9],
    consensuses: [Consensus; 3],
    follow_up_kinds: [FollowUpKind; 3],
    typed: Typed,
    errors: FormErrors,
}

impl ShowPage<'_> {
    /// A user's display name (named lists only).
    fn user(&self, id: &i64) -> String {
        self.p
            .user_names
            .get(id)
            .cloned()
            .unwrap_or_else(|| format!("#{id}"))
    }

    /// An organisation's name.
    fn org(&self, id: &i64) -> String {
        self.p
            .org_names
            .get(id)
            .cloned()
            .unwrap_or_else(|| format!("#{id}"))
    }

    /// The name of a category given by its wire name (the counts' keys).
    fn category_label(&self, wire: &str) -> &'static str {
        match Category::parse(wire) {
            Some(c) => self.c.t.meetings.category_name(&c),
            None => "",
        }
    }

    fn outcome_of(&self, item: &i64) -> Option<&OutcomeOut> {
        self.p.outcomes.iter().find(|o| o.agenda_item_id == *item)
    }

    fn may_record(&self, item: &i64) -> bool {
        self.p.rights.outcome_items.contains(item)
    }
}

/// The page for the meeting `id`, with `errors` (status 200 when none).
async fn render(
    v: &Visitor,
    state: &AppState,
    id: i64,
    typed: Typed,
    errors: FormErrors,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let caller = v.caller()?.clone();
    let settings = state.settings.clone();
    let tz = settings.locale.time_zone;
    let p = db::run(&state.pool, move |conn| {
        actions::meeting_page(conn, &settings, &caller, id)
    })
    .await?;
    let when = span(tz, p.meeting.starts_at, p.meeting.ends_at);
    let deadline = p.minutes.deadline.map(|d| local(tz, d));
    let c = Chrome::new(v, p.meeting.title.clone());
    page_with(
        v,
        status,
        &ShowPage {
            c,
            p,
            when,
            deadline,
            categories: Category::ALL,
            consensuses: Consensus::ALL,
            follow_up_kinds: FollowUpKind::ALL,
            typed,
            errors,
        },
    )
}

async fn show(
    v: Visitor,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, PageError> {
    render(
        &v,
        &state,
        id.into_inner(),
        Typed::default(),
        FormErrors::default(),
        StatusCode::OK,
    )
    .await
}

/// After a POST: 303 back to the page with `flash`, or the page again with the refusal
/// (422 next to one of `fields`, 409 on top); other refusals are error pages.
async fn answer<T>(
    v: &Visitor,
    state: &AppState,
    id: i64,
    done: Result<T, ApiError>,
    flash: &str,
    fields: &[&str],
    typed: Typed,
) -> Result<HttpResponse, PageError> {
    match done {
        Ok(_) => Ok(v.redirect(&format!("/consultations/{id}"), Some(flash))),
        Err(e @ (ApiError::Invalid { .. } | ApiError::BadRequest { .. })) => {
            let errors = FormErrors::of(&e, fields, v.t());
            render(
                v,
                state,
                id,
                typed,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e @ ApiError::Conflict { .. }) => {
            let errors = FormErrors::of(&e, fields, v.t());
            render(v, state, id, typed, errors, StatusCode::CONFLICT).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RsvpForm {
    response: String,
}

async fn rsvp(
    v: Visitor,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    Form(f): Form<RsvpForm>,
) -> Result<HttpResponse, PageError> {
    let id = id.into_inner();
    let caller = v.caller()?.clone();
    let done = match Response::parse(f.response.trim()) {
        Some(r) => db::run(&state.pool, move |conn| actions::rsvp(conn, &caller, id, r)).await,
        None => Err(ApiError::invalid(
            "response",
            "validation.invalid",
            "an answer",
        )),
    };
    let flash = v.t().meetings.answered;
    answer(&v, &state, id, done, flash, &[], Typed::default()).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct InviteForm {
    email: String,
    organization_id: String,
    category: String,
}

async fn invite(
    v: Visitor,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    Form(f): Form<InviteForm>,
) -> Result<HttpResponse, PageError> {
    let id = id.into_inner();
    let caller = v.caller()?.clone();
    let settings = state.settings.clone();
    let email = opt(&f.email);
    let org = opt(&f.organization_id);
    let category = Category::parse(f.category.trim())
        .ok_or_else(|| ApiError::invalid("category", "validation.invalid", "a category"));
    let done = match (category, email.clone(), org) {
        (Err(e), _, _) => Err(e),
        (Ok(category), Some(email), None) => {
            db::run(&state.pool, move |conn| {
                actions::invite_by_email(conn, &settings, &caller, id, &email, category)
            })
            .await
        }
        (Ok(category), None, Some(org)) => {
            act(
                &state,
                id_field(&org, "organization_id"),
                move |conn, organization_id| {
                    actions::invite(
                        conn,
                        &settings,
                        &caller,
                        id,
                        &NewInvitation {
                            user_id: None,
                            organization_id: Some(organization_id),
                            category,
                        },
                    )
                },
            )
            .await
        }
        (Ok(_), _, _) => Err(ApiError::invalid(
            "email",
            "invitation.invitee_required",
            "a person or an organisation, not both",
        )),
    };
    let typed = Typed {
        email: email.unwrap_or_default(),
        ..Default::default()
    };
    let flash = v.t().meetings.invited;
    let fields = ["email", "organization_id", "category", "user_id"];
    answer(&v, &state, id, done, flash, &fields, typed).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct TransitionForm {
    action: String,
    expected_version: String,
    minutes: String,
    reason: String,
}

async fn transition(
    v: Visitor,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    Form(f): Form<TransitionForm>,
) -> Result<HttpResponse, PageError> {
    let id = id.into_inner();
    let caller = v.caller()?.clone();
    let settings = state.settings.clone();
    let action = Action::parse(f.action.trim());
    let req = match (action, f.expected_version.trim().parse::<i32>()) {
        (Some(action), Ok(expected_version)) => validated(ConsultationTransition {
            action,
            expected_version,
            minutes: opt(&f.minutes),
            reason: opt(&f.reason),
        }),
        _ => Err(ApiError::invalid(
            "action",
            "validation.invalid",
            "an action",
        )),
    };
    let flash = action
        .map(|a| v.t().meetings.action_flash(&a))
        .unwrap_or_default();
    let done = act(&state, req, move |conn, req| {
        actions::transition(conn, &settings, &caller, id, &req)
    })
    .await;
    let typed = Typed {
        minutes: f.minutes,
        reason: f.reason,
        ..Default::default()
    };
    answer(&v, &state, id, done, flash, &["minutes", "reason"], typed).await
}

async fn attendance(
    v: Visitor,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let id = id.into_inner();
    let caller = v.caller()?.clone();
    let ids: Result<Vec<i64>, ApiError> = pairs
        .iter()
        .filter(|(k, _)| k == "attended")
        .map(|(_, val)| id_field(val, "attended_invitation_ids"))
        .collect();
    let done = act(
        &state,
        ids.and_then(|ids| {
            validated(Attendance {
                attended_invitation_ids: ids,
            })
        }),
        move |conn, req| actions::attendance(conn, &caller, id, &req),
    )
    .await;
    let flash = v.t().meetings.attendance_saved;
    let fields = ["attended_invitation_ids"];
    answer(&v, &state, id, done, flash, &fields, Typed::default()).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct OutcomeForm {
    agenda_item_id: String,
    decision: String,
    consensus: String,
    follow_up_kind: String,
    follow_up_title: String,
    follow_up_org: String,
    follow_up_due: String,
}

impl OutcomeForm {
    fn request(&self, tz: chrono_tz::Tz) -> Result<NewOutcome, ApiError> {
        let agenda_item_id = id_field(&self.agenda_item_id, "agenda_item_id")?;
        let consensus = Consensus::parse(self.consensus.trim())
            .ok_or_else(|| ApiError::invalid("consensus", "validation.invalid", "a level"))?;
        let follow_ups = match FollowUpKind::parse(self.follow_up_kind.trim()) {
            None => Vec::new(),
            Some(kind) => vec![FollowUp {
                kind,
                title: self.follow_up_title.trim().to_string(),
                organization_id: match opt(&self.follow_up_org) {
                    Some(o) => Some(id_field(&o, "follow_ups[0].organization_id")?),
                    None => None,
                },
                due_at: match opt(&self.follow_up_due) {
                    Some(d) => Some(parse_due(tz, &d, "follow_ups[0].due_at")?),
                    None => None,
                },
            }],
        };
        validated(NewOutcome {
            agenda_item_id,
            decision: self.decision.trim().to_string(),
            consensus,
            follow_ups,
        })
    }
}

async fn outcome(
    v: Visitor,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    Form(f): Form<OutcomeForm>,
) -> Result<HttpResponse, PageError> {
    let id = id.into_inner();
    let caller = v.caller()?.clone();
    let done = act(
        &state,
        f.request(state.settings.locale.time_zone),
        move |conn, req| actions::record_outcome(conn, &caller, id, &req),
    )
    .await;
    let flash = v.t().meetings.outcome_saved;
    answer(&v, &state, id, done, flash, &[], Typed::default()).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CsrfOnly {}

async fn confirm(
    v: Visitor,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    Form(_): Form<CsrfOnly>,
) -> Result<HttpResponse, PageError> {
    let id = id.into_inner();
    let caller = v.caller()?.clone();
    let settings = state.settings.clone();
    let done = db::run(&state.pool, move |conn| {
        actions::sign_off(conn, &settings, &caller, id, None)
    })
    .await;
    let flash = v.t().meetings.confirmed;
    answer(&v, &state, id, done, flash, &[], Typed::default()).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct DissentForm {
    text: String,
}

async fn dissent(
    v: Visitor,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    Form(f): Form<DissentForm>,
) -> Result<HttpResponse, PageError> {
    let id = id.into_inner();
    let caller = v.caller()?.clone();
    let settings = state.settings.clone();
    let done = act(
        &state,
        validated(Dissent {
            text: f.text.trim().to_string(),
        }),
        move |conn, d| actions::sign_off(conn, &settings, &caller, id, Some(&d.text)),
    )
    .await;
    let typed = Typed {
        text: f.text,
        ..Default::default()
    };
    let flash = v.t().meetings.dissented;
    answer(&v, &state, id, done, flash, &["text"], typed).await
}

/// The meeting as an iCalendar file, for a signed-in visitor (the API's path needs a bearer
/// token, which a browser link cannot send).
async fn calendar(
    v: Visitor,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, PageError> {
    v.caller()?;
    let id = id.into_inner();
    let settings = state.settings.clone();
    let body = db::run(&state.pool, move |conn| {
        actions::meeting_calendar(conn, &settings, id)
    })
    .await?;
    Ok(HttpResponse::Ok()
        .content_type("text/calendar; charset=utf-8")
        .insert_header((
            actix_web::http::header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"consultation-{id}.ics\""),
        ))
        .body(body))
}

/// The meeting's page, its forms and its calendar file.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/consultations/{id}", web::get().to(show))
        .route("/consultations/{id}/calendar.ics", web::get().to(calendar))
        .route("/consultations/{id}/rsvp", web::post().to(rsvp))
        .route("/consultations/{id}/invitations", web::post().to(invite))
        .route(
            "/consultations/{id}/transitions",
            web::post().to(transition),
        )
        .route("/consultations/{id}/attendance", web::post().to(attendance))
        .route("/consultations/{id}/outcomes", web::post().to(outcome))
        .route(
            "/consultations/{id}/minutes/confirm",
            web::post().to(confirm),
        )
        .route(
            "/consultations/{id}/minutes/dissent",
            web::post().to(dissent),
        );
}
