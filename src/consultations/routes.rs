//! Handlers for /api/v1/consultations, /api/v1/proposals and the calendar feeds. Reading
//! needs any account; managing a meeting needs its convener or sub-district staff there.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};

use super::model::*;
use super::queries::{self as q, ConsultationRow};
use super::rules::{Category, Consensus, FollowUpKind, ProposalStatus, Response};
use super::{calendar, service};
use crate::api::extract::{Body, Query};
use crate::api::paging::{List, Page};
use crate::auth::Caller;
use crate::auth::tokens::{hash_token, random_token};
use crate::db;
use crate::error::{ApiError, ApiResult};
use crate::places::queries as places;
use crate::state::AppState;

fn host(state: &AppState) -> String {
    host_of(&state.settings.server.public_url)
}

/// The host part of the public URL, for calendar UIDs.
pub fn host_of(url: &str) -> String {
    url.split("://")
        .nth(1)
        .unwrap_or(url)
        .split(['/', ':'])
        .next()
        .unwrap_or("yishi")
        .to_string()
}

/// Creates a draft meeting (CPPCC members, community or sub-district staff of the place);
/// `from_topic_id` puts an escalated topic on the agenda in the same call.
#[utoipa::path(tag = "consultations", request_body = NewConsultation, responses((status = 201, body = ConsultationOut)))]
#[post("/consultations")]
pub async fn create_consultation(
    state: web::Data<AppState>,
    caller: Caller,
    Body(body): Body<NewConsultation>,
) -> ApiResult<HttpResponse> {
    let st = state.clone();
    let out = db::run(&state.pool, move |conn| {
        let c = service::create(conn, &caller, &body)?;
        service::out(conn, &st.settings, &c)
    })
    .await?;
    Ok(HttpResponse::Created().json(out))
}

/// Lists meetings by place subtree, status, time range and participant.
#[utoipa::path(tag = "consultations", params(ConsultationFilter), responses((status = 200, body = List<ConsultationOut>)))]
#[get("/consultations")]
pub async fn list_consultations(
    state: web::Data<AppState>,
    _caller: Caller,
    Query(f): Query<ConsultationFilter>,
) -> ApiResult<web::Json<List<ConsultationOut>>> {
    let page = Page::new(f.limit, f.cursor.as_deref())?;
    let st = state.clone();
    let list = db::run(&state.pool, move |conn| {
        let within = match f.place_id {
            Some(id) => Some(places::place_ref(conn, id, Some("place_id"))?.0.path),
            None => None,
        };
        let rows = q::list(
            conn,
            &q::ListQuery {
                within: within.as_deref(),
                status: f.status.map(|s| s.as_str()),
                from: f.from.map(|t| t.naive_utc()),
                to: f.to.map(|t| t.naive_utc()),
                participant: f.participant_id,
                after: page.after,
                fetch: page.fetch(),
            },
        )?;
        let outs = rows
            .iter()
            .map(|c| service::out(conn, &st.settings, c))
            .collect::<ApiResult<Vec<_>>>()?;
        Ok(page.finish(outs, |c| c.id))
    })
    .await?;
    Ok(web::Json(list))
}

/// Earliest slots within working hours when all `users` (and the place) are free.
#[utoipa::path(tag = "consultations", params(FreeSlotQuery), responses((status = 200, body = Vec<Slot>)))]
#[get("/consultations/free-slots")]
pub async fn list_free_slots(
    state: web::Data<AppState>,
    _caller: Caller,
    Query(f): Query<FreeSlotQuery>,
) -> ApiResult<web::Json<Vec<Slot>>> {
    let users: Vec<i64> = f
        .users
        .split(',')
        .map(|u| u.trim().parse::<i64>())
        .collect::<Result<_, _>>()
        .map_err(|_| ApiError::BadRequest {
            code: "request.invalid_query",
            field: Some("users".into()),
            detail: "comma-separated user ids".into(),
        })?;
    if users.len() > 50 {
        return Err(ApiError::invalid(
            "users",
            "validation.length",
            "at most 50 users",
        ));
    }
    let st = state.clone();
    let slots = db::run(&state.pool, move |conn| {
        service::free_slots(
            conn,
            &st.settings,
            &users,
            f.place,
            f.from.naive_utc(),
            f.to.naive_utc(),
            f.minutes,
        )
    })
    .await?;
    Ok(web::Json(slots))
}

/// One meeting.
#[utoipa::path(tag = "consultations", responses((status = 200, body = ConsultationOut)))]
#[get("/consultations/{id}")]
pub async fn get_consultation(
    state: web::Data<AppState>,
    _caller: Caller,
    id: web::Path<i64>,
) -> ApiResult<web::Json<ConsultationOut>> {
    let id = id.into_inner();
    let st = state.clone();
    let out = db::run(&state.pool, move |conn| {
        let c = q::consultation(conn, id)?;
        service::out(conn, &st.settings, &c)
    })
    .await?;
    Ok(web::Json(out))
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
    let id = id.into_inner();
    let st = state.clone();
    let out = db::run(&state.pool, move |conn| {
        let c = service::update(conn, &st.settings, &caller, id, &body)?;
        service::out(conn, &st.settings, &c)
    })
    .await?;
    state.mail_wakeup.notify_one();
    Ok(web::Json(out))
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
    let id = id.into_inner();
    let st = state.clone();
    let out = db::run(&state.pool, move |conn| {
        let (c, warnings) = service::transition(conn, &st.settings, &caller, id, &body)?;
        Ok(ScheduledOut {
            consultation: service::out(conn, &st.settings, &c)?,
            warnings,
        })
    })
    .await?;
    state.mail_wakeup.notify_one();
    Ok(web::Json(out))
}

fn agenda_out(rows: Vec<q::AgendaRow>) -> Vec<AgendaItemOut> {
    rows.into_iter()
        .map(
            |(id, position, title, topic_id, presenter_id, minutes)| AgendaItemOut {
                id,
                position,
                title,
                topic_id,
                presenter_id,
                minutes,
            },
        )
        .collect()
}

/// The agenda in order.
#[utoipa::path(tag = "consultations", responses((status = 200, body = List<AgendaItemOut>)))]
#[get("/consultations/{id}/agenda-items")]
pub async fn list_agenda(
    state: web::Data<AppState>,
    _caller: Caller,
    id: web::Path<i64>,
) -> ApiResult<web::Json<List<AgendaItemOut>>> {
    let id = id.into_inner();
    let items = db::run(&state.pool, move |conn| {
        q::consultation(conn, id)?;
        Ok(agenda_out(q::agenda(conn, id)?))
    })
    .await?;
    Ok(web::Json(List {
        items,
        next_cursor: None,
    }))
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
    let id = id.into_inner();
    let item = db::run(&state.pool, move |conn| {
        let item = service::add_agenda_item(conn, &caller, id, &body)?;
        agenda_out(q::agenda(conn, id)?)
            .into_iter()
            .find(|a| a.id == item)
            .ok_or(ApiError::NotFound("agenda_item.not_found"))
    })
    .await?;
    Ok(HttpResponse::Created().json(item))
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
    let id = id.into_inner();
    let items = db::run(&state.pool, move |conn| {
        service::reorder(conn, &caller, id, &body)?;
        Ok(agenda_out(q::agenda(conn, id)?))
    })
    .await?;
    Ok(web::Json(List {
        items,
        next_cursor: None,
    }))
}

fn invitation_out(rows: Vec<q::InvitationRow>) -> Vec<InvitationOut> {
    rows.into_iter()
        .map(
            |(id, user_id, organization_id, category, response, attended)| InvitationOut {
                id,
                user_id,
                organization_id,
                category: Category::parse(&category).unwrap_or(Category::ResidentRep),
                response: Response::parse(&response).unwrap_or(Response::Pending),
                attended,
            },
        )
        .collect()
}

/// Invitations with their answers and attendance.
#[utoipa::path(tag = "consultations", responses((status = 200, body = List<InvitationOut>)))]
#[get("/consultations/{id}/invitations")]
pub async fn list_invitations(
    state: web::Data<AppState>,
    _caller: Caller,
    id: web::Path<i64>,
) -> ApiResult<web::Json<List<InvitationOut>>> {
    let id = id.into_inner();
    let items = db::run(&state.pool, move |conn| {
        q::consultation(conn, id)?;
        Ok(invitation_out(q::invitations_of(conn, id)?))
    })
    .await?;
    Ok(web::Json(List {
        items,
        next_cursor: None,
    }))
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
    let id = id.into_inner();
    let st = state.clone();
    let inv = db::run(&state.pool, move |conn| {
        let inv = service::invite(conn, &st.settings, &caller, id, &body)?;
        invitation_out(q::invitations_of(conn, id)?)
            .into_iter()
            .find(|i| i.id == inv)
            .ok_or(ApiError::NotFound("invitation.not_found"))
    })
    .await?;
    state.mail_wakeup.notify_one();
    Ok(HttpResponse::Created().json(inv))
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
    let id = id.into_inner();
    db::run(&state.pool, move |conn| {
        service::rsvp(conn, &caller, id, body.response)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
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
    let id = id.into_inner();
    let items = db::run(&state.pool, move |conn| {
        service::attendance(conn, &caller, id, &body)?;
        Ok(invitation_out(q::invitations_of(conn, id)?))
    })
    .await?;
    Ok(web::Json(List {
        items,
        next_cursor: None,
    }))
}

fn outcomes_out(conn: &mut db::DbConn, id: i64) -> ApiResult<Vec<OutcomeOut>> {
    let rows = q::outcomes_of(conn, id)?;
    let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
    let follow = q::follow_ups_of(conn, &ids)?;
    Ok(rows
        .into_iter()
        .map(
            |(oid, agenda_item_id, decision, consensus, recorded_by, created_at)| OutcomeOut {
                id: oid,
                agenda_item_id,
                decision,
                consensus: Consensus::parse(&consensus).unwrap_or(Consensus::None),
                recorded_by,
                follow_ups: follow
                    .iter()
                    .filter(|f| f.0 == oid)
                    .map(|f| FollowUpOut {
                        kind: FollowUpKind::parse(&f.1).unwrap_or(FollowUpKind::Task),
                        title: f.2.clone(),
                        task_id: f.3,
                        proposal_id: f.4,
                    })
                    .collect(),
                created_at: created_at.and_utc(),
            },
        )
        .collect())
}

/// Outcomes per agenda item.
#[utoipa::path(tag = "consultations", responses((status = 200, body = List<OutcomeOut>)))]
#[get("/consultations/{id}/outcomes")]
pub async fn list_outcomes(
    state: web::Data<AppState>,
    _caller: Caller,
    id: web::Path<i64>,
) -> ApiResult<web::Json<List<OutcomeOut>>> {
    let id = id.into_inner();
    let items = db::run(&state.pool, move |conn| {
        q::consultation(conn, id)?;
        outcomes_out(conn, id)
    })
    .await?;
    Ok(web::Json(List {
        items,
        next_cursor: None,
    }))
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
    let id = id.into_inner();
    let out = db::run(&state.pool, move |conn| {
        let oid = service::record_outcome(conn, &caller, id, &body)?;
        outcomes_out(conn, id)?
            .into_iter()
            .find(|o| o.id == oid)
            .ok_or(ApiError::NotFound("outcome.not_found"))
    })
    .await?;
    Ok(HttpResponse::Created().json(out))
}

/// Who confirmed the minutes, every dissent, and which categories attended.
#[utoipa::path(tag = "consultations", responses((status = 200, body = SignoffOut)))]
#[get("/consultations/{id}/minutes")]
pub async fn get_minutes(
    state: web::Data<AppState>,
    _caller: Caller,
    id: web::Path<i64>,
) -> ApiResult<web::Json<SignoffOut>> {
    let id = id.into_inner();
    let st = state.clone();
    Ok(web::Json(
        db::run(&state.pool, move |conn| {
            service::signoff_record(conn, &st.settings, id)
        })
        .await?,
    ))
}

/// An attendee confirms the minutes (纪要确认) within the sign-off window.
#[utoipa::path(tag = "consultations", responses((status = 200, body = SignoffOut)))]
#[post("/consultations/{id}/minutes/confirm")]
pub async fn confirm_minutes(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
) -> ApiResult<web::Json<SignoffOut>> {
    let id = id.into_inner();
    let st = state.clone();
    Ok(web::Json(
        db::run(&state.pool, move |conn| {
            service::sign_off(conn, &st.settings, &caller, id, None)?;
            service::signoff_record(conn, &st.settings, id)
        })
        .await?,
    ))
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
    let id = id.into_inner();
    let st = state.clone();
    Ok(web::Json(
        db::run(&state.pool, move |conn| {
            service::sign_off(conn, &st.settings, &caller, id, Some(&body.text))?;
            service::signoff_record(conn, &st.settings, id)
        })
        .await?,
    ))
}

fn ics(body: String) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/calendar; charset=utf-8")
        .body(body)
}

/// The meeting as an iCalendar file.
#[utoipa::path(tag = "consultations", responses((status = 200, content_type = "text/calendar", body = String)))]
#[get("/consultations/{id}/calendar.ics")]
pub async fn get_consultation_calendar(
    state: web::Data<AppState>,
    _caller: Caller,
    id: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let host = host(&state);
    let body = db::run(&state.pool, move |conn| {
        let c = q::consultation(conn, id)?;
        let agenda: Vec<String> = q::agenda(conn, id)?
            .iter()
            .map(|a| format!("{}. {} ({} min)", a.1, a.2, a.5))
            .collect();
        Ok(calendar::single(&c, &host, &agenda))
    })
    .await?;
    Ok(ics(body))
}

/// Creates (or replaces, revoking the old one) the caller's calendar feed address.
#[utoipa::path(tag = "consultations", responses((status = 201, body = FeedOut)))]
#[post("/me/calendar-feed")]
pub async fn create_calendar_feed(
    state: web::Data<AppState>,
    caller: Caller,
) -> ApiResult<HttpResponse> {
    let token = random_token()?;
    let token_hash = hash_token(&token);
    db::run(&state.pool, move |conn| {
        db::write_tx(conn, |conn| {
            q::set_feed_token(conn, caller.user_id, &token_hash)
        })
    })
    .await?;
    let url = format!(
        "{}/api/v1/me/calendar.ics?token={token}",
        state.settings.server.public_url
    );
    Ok(HttpResponse::Created().json(FeedOut { url }))
}

/// Revokes the caller's calendar feed address.
#[utoipa::path(tag = "consultations", responses((status = 204)))]
#[delete("/me/calendar-feed")]
pub async fn revoke_calendar_feed(
    state: web::Data<AppState>,
    caller: Caller,
) -> ApiResult<HttpResponse> {
    let found = db::run(&state.pool, move |conn| {
        q::revoke_feed_token(conn, caller.user_id)
    })
    .await?;
    if found {
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(ApiError::NotFound("calendar.no_feed"))
    }
}

/// Feed query.
#[derive(Debug, serde::Deserialize, validator::Validate, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FeedQuery {
    /// The token from POST /api/v1/me/calendar-feed.
    #[validate(length(min = 1, max = 128))]
    pub token: String,
}

/// The per-user feed of meetings (convened, or invited and not declined), from 90 days ago.
/// Authenticated by the token in the URL, as calendar clients need.
#[utoipa::path(tag = "consultations", security(()), params(FeedQuery),
    responses((status = 200, content_type = "text/calendar", body = String)))]
#[get("/me/calendar.ics")]
pub async fn get_calendar_feed(
    state: web::Data<AppState>,
    Query(f): Query<FeedQuery>,
    _req: HttpRequest,
) -> ApiResult<HttpResponse> {
    let token_hash = hash_token(&f.token);
    let host = host(&state);
    let body = db::run(&state.pool, move |conn| {
        let user =
            q::feed_user(conn, &token_hash)?.ok_or(ApiError::Unauthorized("auth.invalid_token"))?;
        let from = db::now() - chrono::Duration::days(90);
        let mut meetings: Vec<ConsultationRow> = Vec::new();
        let mut after = None;
        loop {
            let page = q::list(
                conn,
                &q::ListQuery {
                    within: None,
                    status: None,
                    from: Some(from),
                    to: None,
                    participant: Some(user),
                    after,
                    fetch: 200,
                },
            )?;
            let last = page.last().map(|c| c.id);
            let full = page.len() == 200;
            meetings.extend(page);
            match last {
                Some(id) if full && meetings.len() < 2000 => after = Some(id),
                _ => break,
            }
        }
        let declined: Vec<i64> = {
            use crate::db::schema::invitations;
            use diesel::prelude::*;
            invitations::table
                .filter(invitations::user_id.eq(user))
                .filter(invitations::response.eq("declined"))
                .select(invitations::consultation_id)
                .load(conn)?
        };
        meetings.retain(|m| m.convener_id == user || !declined.contains(&m.id));
        Ok(calendar::feed(&meetings, &host))
    })
    .await?;
    Ok(ics(body))
}

/// A proposal or public-opinion report drafted from an outcome.
#[utoipa::path(tag = "consultations", responses((status = 200, body = ProposalOut)))]
#[get("/proposals/{id}")]
pub async fn get_proposal(
    state: web::Data<AppState>,
    _caller: Caller,
    id: web::Path<i64>,
) -> ApiResult<web::Json<ProposalOut>> {
    let id = id.into_inner();
    let p = db::run(&state.pool, move |conn| q::proposal(conn, id)).await?;
    Ok(web::Json(proposal_out(&p)))
}

fn proposal_out(p: &q::ProposalRow) -> ProposalOut {
    ProposalOut {
        id: p.id,
        kind: FollowUpKind::parse(&p.kind).unwrap_or(FollowUpKind::Proposal),
        title: p.title.clone(),
        outcome_id: p.outcome_id,
        topic_id: p.topic_id,
        author_id: p.author_id,
        organization_id: p.organization_id,
        status: ProposalStatus::parse(&p.status).unwrap_or(ProposalStatus::Draft),
        answer: p.answer.clone(),
    }
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
    let id = id.into_inner();
    let p = db::run(&state.pool, move |conn| {
        service::move_proposal(conn, &caller, id, &body)
    })
    .await?;
    Ok(web::Json(proposal_out(&p)))
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
