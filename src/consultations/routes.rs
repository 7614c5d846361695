//! Handlers for /api/v1/consultations, /api/v1/proposals and the calendar feeds: parse, call
//! one action of `actions`, serialise. Reading needs any account; managing a meeting needs its
//! convener or sub-district staff there (checked in the actions).

use actix_web::{HttpResponse, delete, get, patch, post, web};

use super::actions;
use super::model::*;
use crate::api::extract::{Body, Query};
use crate::api::paging::List;
use crate::api::respond;
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::state::AppState;

/// Creates a draft meeting (CPPCC members, community or sub-district staff of the place);
/// `from_topic_id` puts an escalated topic on the agenda in the same call.
#[utoipa::path(tag = "consultations", request_body = NewConsultation, responses((status = 201, body = ConsultationOut)))]
#[post("/consultations")]
pub async fn create_consultation(
    state: web::Data<AppState>,
    caller: Caller,
    Body(body): Body<NewConsultation>,
) -> ApiResult<HttpResponse> {
    respond::created(&state, move |conn, s| {
        actions::create(conn, s, &caller, &body)
    })
    .await
}

/// Lists meetings by place subtree, status, time range, participant and (`mine=true`) the
/// caller's role places.
#[utoipa::path(tag = "consultations", params(ConsultationFilter), responses((status = 200, body = List<ConsultationOut>)))]
#[get("/consultations")]
pub async fn list_consultations(
    state: web::Data<AppState>,
    caller: Caller,
    Query(f): Query<ConsultationFilter>,
) -> ApiResult<web::Json<List<ConsultationOut>>> {
    respond::ok(&state, move |conn, s| actions::list(conn, s, &caller, &f)).await
}

/// Earliest slots within working hours when all `users` (and the place) are free. Conveners
/// only (CPPCC members, community or sub-district staff), and only for people whose home or
/// role place lies within their convening places: 403 `permission.denied` otherwise.
#[utoipa::path(tag = "consultations", params(FreeSlotQuery), responses((status = 200, body = Vec<Slot>)))]
#[get("/consultations/free-slots")]
pub async fn list_free_slots(
    state: web::Data<AppState>,
    caller: Caller,
    Query(f): Query<FreeSlotQuery>,
) -> ApiResult<web::Json<Vec<Slot>>> {
    respond::ok(&state, move |conn, s| {
        actions::free_slots(conn, s, &caller, &f)
    })
    .await
}

/// One meeting.
#[utoipa::path(tag = "consultations", responses((status = 200, body = ConsultationOut)))]
#[get("/consultations/{id}")]
pub async fn get_consultation(
    state: web::Data<AppState>,
    _caller: Caller,
    id: web::Path<i64>,
) -> ApiResult<web::Json<ConsultationOut>> {
    respond::ok(&state, move |conn, s| actions::get(conn, s, *id)).await
}

/// Edits or moves a meeting (draft or scheduled); moves are checked for clashes again.
#[utoipa::path(tag = "consultations", request_body = ConsultationPatch, responses((status = 200, body = ConsultationOut)))]
#[patch("/consultations/{id}")]
pub async fn update_consultation(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
    Body(body): Body<ConsultationPatch>,
) -> ApiResult<web::Json<ConsultationOut>> {
    respond::ok_and_mail(&state, move |conn, s| {
        actions::update(conn, s, &caller, *id, &body)
    })
    .await
}

/// schedule (clash-checked; warns about missing participant categories), start, conclude
/// (minutes required) or cancel (reason required).
#[utoipa::path(tag = "consultations", request_body = ConsultationTransition, responses((status = 200, body = ScheduledOut)))]
#[post("/consultations/{id}/transitions")]
pub async fn transition_consultation(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
    Body(body): Body<ConsultationTransition>,
) -> ApiResult<web::Json<ScheduledOut>> {
    respond::ok_and_mail(&state, move |conn, s| {
        actions::transition(conn, s, &caller, *id, &body)
    })
    .await
}

/// The agenda in order.
#[utoipa::path(tag = "consultations", responses((status = 200, body = List<AgendaItemOut>)))]
#[get("/consultations/{id}/agenda-items")]
pub async fn list_agenda(
    state: web::Data<AppState>,
    _caller: Caller,
    id: web::Path<i64>,
) -> ApiResult<web::Json<List<AgendaItemOut>>> {
    respond::ok(&state, move |conn, _| actions::list_agenda(conn, *id)).await
}

/// Adds an agenda item (the total must fit the meeting: 422 naming the overrun otherwise).
#[utoipa::path(tag = "consultations", request_body = NewAgendaItem, responses((status = 201, body = AgendaItemOut)))]
#[post("/consultations/{id}/agenda-items")]
pub async fn add_agenda_item(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
    Body(body): Body<NewAgendaItem>,
) -> ApiResult<HttpResponse> {
    respond::created(&state, move |conn, _| {
        actions::add_agenda_item(conn, &caller, *id, &body)
    })
    .await
}

/// Puts the agenda in a new order.
#[utoipa::path(tag = "consultations", request_body = Reorder, responses((status = 200, body = List<AgendaItemOut>)))]
#[post("/consultations/{id}/agenda-items/reorder")]
pub async fn reorder_agenda(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
    Body(body): Body<Reorder>,
) -> ApiResult<web::Json<List<AgendaItemOut>>> {
    respond::ok(&state, move |conn, _| {
        actions::reorder(conn, &caller, *id, &body)
    })
    .await
}

/// Invitations with their answers and attendance: named for the meeting's participants and
/// staff, counts by category only (`named: false`, `items` empty) for everyone else.
#[utoipa::path(tag = "consultations", responses((status = 200, body = InvitationsOut)))]
#[get("/consultations/{id}/invitations")]
pub async fn list_invitations(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
) -> ApiResult<web::Json<InvitationsOut>> {
    respond::ok(&state, move |conn, _| {
        actions::list_invitations(conn, &caller, *id)
    })
    .await
}

/// Invites a user or an organisation in a participant category.
#[utoipa::path(tag = "consultations", request_body = NewInvitation, responses((status = 201, body = InvitationOut)))]
#[post("/consultations/{id}/invitations")]
pub async fn create_invitations(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
    Body(body): Body<NewInvitation>,
) -> ApiResult<HttpResponse> {
    respond::created_and_mail(&state, move |conn, s| {
        actions::invite(conn, s, &caller, *id, &body)
    })
    .await
}

/// The invitee (or a user of the invited organisation) answers.
#[utoipa::path(tag = "consultations", request_body = Rsvp, responses((status = 204)))]
#[post("/consultations/{id}/rsvp")]
pub async fn respond_invitation(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
    Body(body): Body<Rsvp>,
) -> ApiResult<HttpResponse> {
    respond::no_content(&state, move |conn, _| {
        actions::rsvp(conn, &caller, *id, body.response)
    })
    .await
}

/// Records who attended (convener or sub-district staff, once the meeting has started).
#[utoipa::path(tag = "consultations", request_body = Attendance, responses((status = 200, body = List<InvitationOut>)))]
#[post("/consultations/{id}/attendance")]
pub async fn record_attendance(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
    Body(body): Body<Attendance>,
) -> ApiResult<web::Json<List<InvitationOut>>> {
    respond::ok(&state, move |conn, _| {
        actions::attendance(conn, &caller, *id, &body)
    })
    .await
}

/// Outcomes per agenda item.
#[utoipa::path(tag = "consultations", responses((status = 200, body = List<OutcomeOut>)))]
#[get("/consultations/{id}/outcomes")]
pub async fn list_outcomes(
    state: web::Data<AppState>,
    _caller: Caller,
    id: web::Path<i64>,
) -> ApiResult<web::Json<List<OutcomeOut>>> {
    respond::ok(&state, move |conn, _| actions::list_outcomes(conn, *id)).await
}

/// Records an agenda item's outcome after the meeting; follow-ups become plan tasks of the
/// topic (plan stage) or proposal drafts (提案 / 社情民意).
#[utoipa::path(tag = "consultations", request_body = NewOutcome, responses((status = 201, body = OutcomeOut)))]
#[post("/consultations/{id}/outcomes")]
pub async fn record_outcome(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
    Body(body): Body<NewOutcome>,
) -> ApiResult<HttpResponse> {
    respond::created(&state, move |conn, _| {
        actions::record_outcome(conn, &caller, *id, &body)
    })
    .await
}

/// Who confirmed the minutes, every dissent, and which categories attended; the signers are
/// named for the meeting's participants and staff only.
#[utoipa::path(tag = "consultations", responses((status = 200, body = SignoffOut)))]
#[get("/consultations/{id}/minutes")]
pub async fn get_minutes(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
) -> ApiResult<web::Json<SignoffOut>> {
    respond::ok(&state, move |conn, s| {
        actions::minutes(conn, s, &caller, *id)
    })
    .await
}

/// An attendee confirms the minutes (纪要确认) within the sign-off window.
#[utoipa::path(tag = "consultations", responses((status = 200, body = SignoffOut)))]
#[post("/consultations/{id}/minutes/confirm")]
pub async fn confirm_minutes(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
) -> ApiResult<web::Json<SignoffOut>> {
    respond::ok(&state, move |conn, s| {
        actions::sign_off(conn, s, &caller, *id, None)
    })
    .await
}

/// An attendee records a dissent from the minutes within the sign-off window.
#[utoipa::path(tag = "consultations", request_body = Dissent, responses((status = 200, body = SignoffOut)))]
#[post("/consultations/{id}/minutes/dissent")]
pub async fn record_dissent(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
    Body(body): Body<Dissent>,
) -> ApiResult<web::Json<SignoffOut>> {
    respond::ok(&state, move |conn, s| {
        actions::sign_off(conn, s, &caller, *id, Some(&body.text))
    })
    .await
}

/// The meeting as an iCalendar file.
#[utoipa::path(tag = "consultations", responses((status = 200, content_type = "text/calendar", body = String)))]
#[get("/consultations/{id}/calendar.ics")]
pub async fn get_consultation_calendar(
    state: web::Data<AppState>,
    _caller: Caller,
    id: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    respond::calendar(&state, move |conn, s| {
        actions::meeting_calendar(conn, s, *id)
    })
    .await
}

/// Creates (or replaces, revoking the old one) the caller's calendar feed address.
#[utoipa::path(tag = "consultations", responses((status = 201, body = FeedOut)))]
#[post("/me/calendar-feed")]
pub async fn create_calendar_feed(
    state: web::Data<AppState>,
    caller: Caller,
) -> ApiResult<HttpResponse> {
    respond::created(&state, move |conn, s| {
        actions::create_feed(conn, s, &caller)
    })
    .await
}

/// Revokes the caller's calendar feed address.
#[utoipa::path(tag = "consultations", responses((status = 204)))]
#[delete("/me/calendar-feed")]
pub async fn revoke_calendar_feed(
    state: web::Data<AppState>,
    caller: Caller,
) -> ApiResult<HttpResponse> {
    respond::no_content(&state, move |conn, _| actions::revoke_feed(conn, &caller)).await
}

/// The per-user feed of meetings (convened, or invited and not declined), from 90 days ago.
/// Authenticated by the token in the URL, as calendar clients need.
#[utoipa::path(tag = "consultations", security(()), params(FeedQuery),
    responses((status = 200, content_type = "text/calendar", body = String)))]
#[get("/me/calendar.ics")]
pub async fn get_calendar_feed(
    state: web::Data<AppState>,
    Query(f): Query<FeedQuery>,
) -> ApiResult<HttpResponse> {
    respond::calendar(&state, move |conn, s| actions::feed(conn, s, &f.token)).await
}

/// A proposal or public-opinion report drafted from an outcome.
#[utoipa::path(tag = "consultations", responses((status = 200, body = ProposalOut)))]
#[get("/proposals/{id}")]
pub async fn get_proposal(
    state: web::Data<AppState>,
    _caller: Caller,
    id: web::Path<i64>,
) -> ApiResult<web::Json<ProposalOut>> {
    respond::ok(&state, move |conn, _| actions::get_proposal(conn, *id)).await
}

/// draft → submitted (author) → accepted → answered (the answering organisation or
/// sub-district staff; an answer is required).
#[utoipa::path(tag = "consultations", request_body = ProposalTransition, responses((status = 200, body = ProposalOut)))]
#[post("/proposals/{id}/transitions")]
pub async fn move_proposal(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
    Body(body): Body<ProposalTransition>,
) -> ApiResult<web::Json<ProposalOut>> {
    respond::ok(&state, move |conn, _| {
        actions::move_proposal(conn, &caller, *id, &body)
    })
    .await
}

/// Registers this area's handlers (free-slots before `{id}` so it is not taken for an id).
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_free_slots)
        .service(create_consultation)
        .service(list_consultations)
        .service(get_consultation)
        .service(update_consultation)
        .service(transition_consultation)
        .service(list_agenda)
        .service(add_agenda_item)
        .service(reorder_agenda)
        .service(list_invitations)
        .service(create_invitations)
        .service(respond_invitation)
        .service(record_attendance)
        .service(list_outcomes)
        .service(record_outcome)
        .service(get_minutes)
        .service(confirm_minutes)
        .service(record_dissent)
        .service(get_consultation_calendar)
        .service(create_calendar_feed)
        .service(revoke_calendar_feed)
        .service(get_calendar_feed)
        .service(get_proposal)
        .service(move_proposal);
}
