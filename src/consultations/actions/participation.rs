//! Participation: invitations, RSVP, attendance, and the minutes sign-off 纪要确认.

use std::collections::HashSet;

use chrono::Duration;

use super::super::model::*;
use super::super::queries::{self as q, ConsultationRow, InvitationRow};
use super::super::rules::{self, CONVENERS, Category, Response, Status};
use super::mail::{Mailing, mail_participants};
use super::schedule::require_free;
use super::{locked_meeting, require_editable, require_manager};
use crate::api::paging::List;
use crate::auth::{Caller, PlaceRef, Role};
use crate::config::Settings;
use crate::db::{self, DbConn};
use crate::error::{ApiError, ApiResult};
use crate::places::queries as places;

fn invitation_out(i: InvitationRow) -> InvitationOut {
    InvitationOut {
        id: i.id,
        user_id: i.user_id,
        organization_id: i.organization_id,
        category: i.category,
        response: i.response,
        attended: i.attended,
    }
}

fn invitations_out(conn: &mut DbConn, id: i64) -> ApiResult<Vec<InvitationOut>> {
    Ok(q::invitations_of(conn, id)?
        .into_iter()
        .map(invitation_out)
        .collect())
}

/// May the caller see who is invited to the meeting? Its participants (an invitee, or a user
/// acting at the meeting's place for an invited organisation) and its staff (the convener,
/// conveners and admins at the place).
pub fn sees_names(
    caller: &Caller,
    c: &ConsultationRow,
    place: &PlaceRef,
    invitations: &[InvitationRow],
) -> bool {
    let orgs = caller.organizations_at(place);
    let invited = invitations.iter().any(|i| {
        i.user_id == Some(caller.user_id) || i.organization_id.is_some_and(|o| orgs.contains(&o))
    });
    let mut staff = CONVENERS.to_vec();
    staff.push(Role::Admin);
    invited || c.convener_id == caller.user_id || caller.holds(&staff, place)
}

/// Invitations with their answers and attendance, named for participants and staff; counts
/// by category for everyone (see [`InvitationsOut`]).
pub fn list_invitations(conn: &mut DbConn, caller: &Caller, id: i64) -> ApiResult<InvitationsOut> {
    let (c, place) = super::meeting_at(conn, id)?;
    let rows = q::invitations_of(conn, id)?;
    let named = sees_names(caller, &c, &place, &rows);
    let mut counts = std::collections::BTreeMap::new();
    for i in &rows {
        *counts.entry(i.category.as_str().to_owned()).or_insert(0) += 1;
    }
    Ok(InvitationsOut {
        items: if named {
            rows.into_iter().map(invitation_out).collect()
        } else {
            Vec::new()
        },
        next_cursor: None,
        named,
        counts,
    })
}

/// 422 unless exactly one invitee is named and it exists.
fn check_invitee(conn: &mut DbConn, req: &NewInvitation) -> ApiResult<()> {
    match (req.user_id, req.organization_id) {
        (Some(_), Some(_)) | (None, None) => Err(ApiError::invalid(
            "user_id",
            "invitation.invitee_required",
            "a user or an organisation, not both",
        )),
        (Some(u), None) => match crate::accounts::queries::user_by_id(conn, u)? {
            Some(_) => Ok(()),
            None => Err(ApiError::invalid(
                "user_id",
                "user.not_found",
                format!("no user {u}"),
            )),
        },
        (None, Some(o)) => match places::organization(conn, o)? {
            Some(_) => Ok(()),
            None => Err(ApiError::invalid(
                "organization_id",
                "organization.not_found",
                format!("no organisation {o}"),
            )),
        },
    }
}

fn duplicate() -> ApiError {
    ApiError::Conflict {
        code: "invitation.duplicate",
        detail: Some("already invited".into()),
    }
}

/// Invites a user or an organisation in a participant category. A second invitation of the
/// same invitee to the same meeting is 409 `invitation.duplicate` (checked under the meeting's
/// row lock, and backed by unique indexes).
pub fn invite(
    conn: &mut DbConn,
    settings: &Settings,
    caller: &Caller,
    id: i64,
    req: &NewInvitation,
) -> ApiResult<InvitationOut> {
    db::write_tx(conn, |conn| {
        let (c, place) = locked_meeting(conn, id)?;
        require_manager(caller, &c, &place)?;
        require_editable(&c)?;
        check_invitee(conn, req)?;
        let dup = q::invitations_of(conn, id)?.iter().any(|i| {
            (req.user_id.is_some() && i.user_id == req.user_id)
                || (req.organization_id.is_some() && i.organization_id == req.organization_id)
        });
        if dup {
            return Err(duplicate());
        }
        if let (Status::Scheduled, Some(u)) = (c.status, req.user_id) {
            require_free(conn, u, &c)?;
        }
        let invitation = q::invite(conn, id, req.user_id, req.organization_id, req.category)
            .map_err(|e| match e {
                ApiError::Conflict {
                    code: "resource.conflict",
                    ..
                } => duplicate(),
                other => other,
            })?;
        if c.status == Status::Scheduled {
            mail_participants(
                conn,
                settings,
                &c,
                Mailing::Invitation,
                Some(invitation),
                caller.user_id,
            )?;
        }
        invitations_out(conn, id)?
            .into_iter()
            .find(|i| i.id == invitation)
            .ok_or(ApiError::NotFound("invitation.not_found"))
    })
}

/// The invitation the caller answers for: their own, or that of an organisation they act for
/// at the meeting's place (a grant elsewhere gives no voice here).
fn my_invitation(
    conn: &mut DbConn,
    caller: &Caller,
    c: &ConsultationRow,
    place: &PlaceRef,
) -> ApiResult<i64> {
    let orgs = caller.organizations_at(place);
    q::invitations_of(conn, c.id)?
        .iter()
        .find(|i| {
            i.user_id == Some(caller.user_id)
                || i.organization_id.is_some_and(|o| orgs.contains(&o))
        })
        .map(|i| i.id)
        .ok_or(ApiError::Forbidden("invitation.not_invited"))
}

/// The invitee answers (accepted, declined, tentative) while the meeting is ahead.
pub fn rsvp(conn: &mut DbConn, caller: &Caller, id: i64, response: Response) -> ApiResult<()> {
    db::write_tx(conn, |conn| {
        let (c, place) = locked_meeting(conn, id)?;
        if !rules::is_editable(c.status) {
            return Err(ApiError::conflict("consultation.not_editable"));
        }
        if response == Response::Pending {
            return Err(ApiError::invalid(
                "response",
                "validation.invalid",
                "accepted, declined or tentative",
            ));
        }
        let inv = my_invitation(conn, caller, &c, &place)?;
        if c.status == Status::Scheduled && rules::books_time(response) {
            require_free(conn, caller.user_id, &c)?;
        }
        q::respond(conn, inv, response)
    })
}

/// 422 naming the first listed invitation that is not of this meeting, or whose invitee
/// declined: a declined invitation cannot have attended.
fn check_attendees(invitations: &[InvitationRow], attended: &[i64]) -> ApiResult<()> {
    let ids: HashSet<i64> = invitations.iter().map(|i| i.id).collect();
    if let Some(bad) = attended.iter().find(|i| !ids.contains(i)) {
        return Err(ApiError::invalid(
            "attended_invitation_ids",
            "invitation.not_found",
            format!("no invitation {bad} in this meeting"),
        ));
    }
    let declined = invitations
        .iter()
        .find(|i| i.response == Response::Declined && attended.contains(&i.id));
    if let Some(i) = declined {
        let who = match (i.user_id, i.organization_id) {
            (Some(u), _) => format!("user {u}"),
            (None, Some(o)) => format!("organisation {o}"),
            (None, None) => "the invitee".to_owned(),
        };
        return Err(ApiError::invalid(
            "attended_invitation_ids",
            "invitation.declined",
            format!("invitation {} was declined by {who}", i.id),
        ));
    }
    Ok(())
}

/// Records who attended (at or after the start); never a declined invitation.
pub fn attendance(
    conn: &mut DbConn,
    caller: &Caller,
    id: i64,
    req: &Attendance,
) -> ApiResult<List<InvitationOut>> {
    db::write_tx(conn, |conn| {
        let (c, place) = locked_meeting(conn, id)?;
        require_manager(caller, &c, &place)?;
        if !rules::attendance_open(c.status) {
            return Err(ApiError::conflict("consultation.not_started"));
        }
        check_attendees(&q::invitations_of(conn, id)?, &req.attended_invitation_ids)?;
        q::set_attendance(conn, id, &req.attended_invitation_ids)?;
        Ok(List {
            items: invitations_out(conn, id)?,
            next_cursor: None,
        })
    })
}

/// An attendee confirms the minutes (dissent None) or records a dissent, once, in the
/// window; returns the sign-off record.
pub fn sign_off(
    conn: &mut DbConn,
    settings: &Settings,
    caller: &Caller,
    id: i64,
    dissent: Option<&str>,
) -> ApiResult<SignoffOut> {
    db::write_tx(conn, |conn| {
        let (c, place) = locked_meeting(conn, id)?;
        let orgs = caller.organizations_at(&place);
        // Attended in person, or for an organisation whose attendance was recorded.
        let attended = q::invitations_of(conn, id)?.iter().any(|i| {
            i.attended
                && (i.user_id == Some(caller.user_id)
                    || i.organization_id.is_some_and(|o| orgs.contains(&o)))
        });
        if !attended {
            return Err(ApiError::Forbidden("minutes.not_an_attendee"));
        }
        if !rules::may_sign_off(
            c.status,
            c.concluded_at,
            db::now(),
            settings.consultations.signoff_days,
            attended,
        ) {
            return Err(ApiError::conflict("minutes.signoff_closed"));
        }
        if !q::sign_off(conn, id, caller.user_id, dissent)? {
            return Err(ApiError::conflict("minutes.already_signed"));
        }
        Ok(())
    })?;
    minutes(conn, settings, caller, id)
}

/// The sign-off record and the mix of categories that attended; the signers are named for
/// participants and staff only (as the invitation list).
pub fn minutes(
    conn: &mut DbConn,
    settings: &Settings,
    caller: &Caller,
    id: i64,
) -> ApiResult<SignoffOut> {
    let (c, place) = super::meeting_at(conn, id)?;
    let rows = q::signoffs(conn, id)?;
    let invitations = q::invitations_of(conn, id)?;
    let named = sees_names(caller, &c, &place, &invitations);
    let mut attended: Vec<Category> = invitations
        .iter()
        .filter(|i| i.attended)
        .map(|i| i.category)
        .collect();
    attended.sort_by_key(|c| c.as_str());
    attended.dedup();
    let confirmed: Vec<i64> = rows
        .iter()
        .filter(|r| r.confirmed)
        .map(|r| r.user_id)
        .collect();
    Ok(SignoffOut {
        named,
        confirmed_count: confirmed.len() as i64,
        confirmed_by: if named { confirmed } else { Vec::new() },
        dissents: rows
            .iter()
            .filter_map(|r| {
                r.dissent.clone().map(|text| DissentOut {
                    user_id: named.then_some(r.user_id),
                    text,
                })
            })
            .collect(),
        deadline: c
            .concluded_at
            .map(|t| (t + Duration::days(settings.consultations.signoff_days)).and_utc()),
        attended_categories: attended,
    })
}
