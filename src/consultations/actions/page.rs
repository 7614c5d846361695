//! Reads the web pages need beyond the JSON reads: the meetings a person may see, the places
//! and topics a convener may pick, inviting a person by email, and the whole meeting page
//! (the same reads as the API, plus names where the privacy rules allow them, plus what the
//! caller may do — decided by the pure rules in `rules::may`).

use std::collections::BTreeMap;

use chrono::Utc;

use super::super::model::*;
use super::super::queries as q;
use super::super::rules::{self, Action, CONVENERS, Category, Response};
use super::{meeting_at, meetings, participation};
use crate::accounts::queries as accounts;
use crate::auth::Caller;
use crate::config::Settings;
use crate::db::DbConn;
use crate::error::{ApiError, ApiResult};
use crate::places::model::{OrganizationOut, PlaceFilter, PlaceOut};
use crate::places::queries as places;
use crate::places::rules::PlaceKind;
use crate::topics::model::TopicOut;
use crate::topics::queries as topics;

/// The meetings a person may see on their list: those they convene or are invited to, and
/// for conveners and staff those within their role places. Upcoming first (soonest first),
/// then past ones (latest first).
pub fn my_meetings(
    conn: &mut DbConn,
    settings: &Settings,
    caller: &Caller,
) -> ApiResult<Vec<ConsultationOut>> {
    let now = Utc::now();
    let filter = |participant: Option<i64>, mine: Option<bool>| ConsultationFilter {
        place_id: None,
        status: None,
        from: None,
        to: None,
        participant_id: participant,
        mine,
        limit: Some(100),
        cursor: None,
    };
    let mut all =
        meetings::list(conn, settings, caller, &filter(Some(caller.user_id), None))?.items;
    let staff = caller
        .grants
        .iter()
        .any(|g| CONVENERS.contains(&g.role) || g.role == crate::auth::Role::Admin);
    if staff {
        for m in meetings::list(conn, settings, caller, &filter(None, Some(true)))?.items {
            if !all.iter().any(|x| x.id == m.id) {
                all.push(m);
            }
        }
    }
    let (mut ahead, mut past): (Vec<_>, Vec<_>) = all.into_iter().partition(|m| m.ends_at >= now);
    ahead.sort_by_key(|m| (m.starts_at, m.id));
    past.sort_by_key(|m| std::cmp::Reverse((m.starts_at, m.id)));
    ahead.extend(past);
    Ok(ahead)
}

/// Places where the caller may convene: the places of their convening grants and the
/// communities beneath them.
pub fn convening_places(conn: &mut DbConn, caller: &Caller) -> ApiResult<Vec<PlaceOut>> {
    let mut out: Vec<PlaceOut> = Vec::new();
    for g in caller.grants.iter().filter(|g| CONVENERS.contains(&g.role)) {
        let Some(pid) = g.place_id else { continue };
        if let Some((p, _)) = places::place(conn, pid)? {
            out.push(p);
        }
        let within = crate::places::actions::list_places(
            conn,
            &PlaceFilter {
                within: Some(pid),
                kind: Some(PlaceKind::Community),
                limit: Some(100),
                ..Default::default()
            },
        )?;
        out.extend(within.items);
    }
    let mut seen = std::collections::HashSet::new();
    out.retain(|p| seen.insert(p.id));
    Ok(out)
}

/// Catalog topics within the caller's convening places, for a new meeting's agenda (newest
/// first, at most 100).
pub fn agenda_choices(
    conn: &mut DbConn,
    settings: &Settings,
    caller: &Caller,
) -> ApiResult<Vec<TopicOut>> {
    let paths: Vec<String> = caller
        .grants
        .iter()
        .filter(|g| CONVENERS.contains(&g.role))
        .filter_map(|g| g.place_path.clone())
        .collect();
    let rows = topics::list_topics(
        conn,
        &topics::TopicQuery {
            within: None,
            within_any: Some(paths),
            stage: None,
            category: None,
            escalated: None,
            author_id: None,
            q: None,
            catalog_only: true,
            unscheduled: false,
            after: None,
            fetch: 100,
            newest_first: true,
        },
    )?;
    let hot = settings.workflow.hot_threshold;
    let out: Vec<TopicOut> = rows
        .iter()
        .map(|t| t.out(hot))
        .filter(|t| !matches!(t.stage, crate::topics::rules::Stage::Say))
        .collect();
    Ok(out)
}

/// Invites the person with `email` (as the page's 受邀人 field names them): only a manager
/// of the meeting may look a person up, so the field does not reveal who has an account to
/// anyone else; an unknown address is 422 naming `email`. Then the API's [`invite`].
///
/// [`invite`]: participation::invite
pub fn invite_by_email(
    conn: &mut DbConn,
    settings: &Settings,
    caller: &Caller,
    id: i64,
    email: &str,
    category: Category,
) -> ApiResult<InvitationOut> {
    let (c, place) = meeting_at(conn, id)?;
    super::require_manager(caller, &c, &place)?;
    let user = accounts::user_by_email(conn, &crate::accounts::rules::normalize_email(email))?
        .filter(|u| !u.disabled)
        .ok_or_else(|| ApiError::invalid("email", "user.not_found", "no such user"))?;
    participation::invite(
        conn,
        settings,
        caller,
        id,
        &NewInvitation {
            user_id: Some(user.id),
            organization_id: None,
            category,
        },
    )
}

/// What the caller may do on the meeting's page (each the rule its action enforces).
#[derive(Debug, Clone, Default)]
pub struct Rights {
    /// Convener (still convening) or sub-district staff at the place.
    pub manage: bool,
    /// The transitions to offer (安排, 开始, 结束, 取消).
    pub transitions: Vec<Action>,
    /// Invite (while the meeting is ahead).
    pub invite: bool,
    /// The caller's own answer, when they are invited and may answer now.
    pub rsvp: Option<Response>,
    /// Record attendance (once started).
    pub attendance: bool,
    /// Agenda items whose outcome the caller may record now.
    pub outcome_items: Vec<i64>,
    /// Confirm the minutes or record a dissent (an attendee, in the window, not yet signed).
    pub sign_off: bool,
    /// The caller already confirmed or dissented.
    pub signed: bool,
}

/// Everything the meeting's page shows.
#[derive(Debug, Clone)]
pub struct MeetingPage {
    pub meeting: ConsultationOut,
    pub place_name: String,
    pub agenda: Vec<AgendaItemOut>,
    pub invitations: InvitationsOut,
    pub outcomes: Vec<OutcomeOut>,
    pub minutes: SignoffOut,
    /// Display names of invited users, the convener and signers (named lists only).
    pub user_names: BTreeMap<i64, String>,
    /// Names of the invited organisations (and the choices of the invite form).
    pub org_names: BTreeMap<i64, String>,
    /// Organisations to invite or make responsible for a follow-up (managers only).
    pub organizations: Vec<OrganizationOut>,
    pub rights: Rights,
}

/// The meeting's page: the API's reads (meeting, agenda, invitations, outcomes, minutes),
/// names where the invitation list is named, and [`Rights`].
pub fn meeting_page(
    conn: &mut DbConn,
    settings: &Settings,
    caller: &Caller,
    id: i64,
) -> ApiResult<MeetingPage> {
    let now = crate::db::now();
    let (row, place) = meeting_at(conn, id)?;
    let meeting = meetings::view(conn, settings, &row)?;
    let agenda = super::list_agenda(conn, id)?.items;
    let invitations = participation::list_invitations(conn, caller, id)?;
    let outcomes = super::list_outcomes(conn, id)?.items;
    let minutes = participation::minutes(conn, settings, caller, id)?;
    let place_name = places::place(conn, row.place_id)?
        .map(|(p, _)| p.name)
        .unwrap_or_default();

    let manage = rules::may_manage(row.convener_id == caller.user_id, &caller.roles_at(&place));
    let orgs = caller.organizations_at(&place);
    let all_invitations = q::invitations_of(conn, id)?;
    let mine = all_invitations.iter().find(|i| {
        i.user_id == Some(caller.user_id) || i.organization_id.is_some_and(|o| orgs.contains(&o))
    });
    let attended = all_invitations.iter().any(|i| {
        i.attended
            && (i.user_id == Some(caller.user_id)
                || i.organization_id.is_some_and(|o| orgs.contains(&o)))
    });
    let signed = q::signoffs(conn, id)?
        .iter()
        .any(|s| s.user_id == caller.user_id);
    let window = rules::may_sign_off(
        row.status,
        row.concluded_at,
        now,
        settings.consultations.signoff_days,
        attended,
    );
    let rights = Rights {
        manage,
        transitions: rules::transitions_offered(row.status, manage),
        invite: manage && rules::is_editable(row.status),
        rsvp: mine
            .filter(|_| rules::is_editable(row.status))
            .map(|i| i.response),
        attendance: manage && rules::attendance_open(row.status),
        outcome_items: agenda
            .iter()
            .filter(|a| {
                let has = outcomes.iter().any(|o| o.agenda_item_id == a.id);
                rules::may_record_outcome(manage, row.status, has)
            })
            .map(|a| a.id)
            .collect(),
        sign_off: window && !signed,
        signed,
    };

    let mut user_ids: Vec<i64> = vec![row.convener_id];
    let mut org_ids: Vec<i64> = Vec::new();
    if invitations.named {
        user_ids.extend(invitations.items.iter().filter_map(|i| i.user_id));
        user_ids.extend(minutes.confirmed_by.iter().copied());
        user_ids.extend(minutes.dissents.iter().filter_map(|d| d.user_id));
        org_ids.extend(invitations.items.iter().filter_map(|i| i.organization_id));
    }
    user_ids.sort_unstable();
    user_ids.dedup();
    org_ids.sort_unstable();
    org_ids.dedup();
    // One query per kind of name, however many invitations (no N+1: tests/statements.rs).
    let user_names: BTreeMap<i64, String> = accounts::display_names(conn, &user_ids)?
        .into_iter()
        .collect();
    let org_names: BTreeMap<i64, String> = places::organization_names(conn, &org_ids)?
        .into_iter()
        .collect();
    let organizations = if rights.manage {
        places::list_organizations(conn, None, None, None, 100)?
    } else {
        Vec::new()
    };
    Ok(MeetingPage {
        meeting,
        place_name,
        agenda,
        invitations,
        outcomes,
        minutes,
        user_names,
        org_names,
        organizations,
        rights,
    })
}
