//! The meeting mails (invitation, update, cancellation) with their iCalendar part.

use super::super::queries::{self as q, ConsultationRow};
use super::super::rules::Response;
use super::calendar::{agenda_lines, host_of};
use crate::config::Settings;
use crate::db::DbConn;
use crate::error::ApiResult;

/// Which mail a meeting change sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Mailing {
    Invitation,
    Update,
    Cancellation,
}

/// The addresses a meeting mail goes to: the convener and every invitee who has not declined
/// (for an organisation, its users), or only the invitation `only`; each once, leaving out
/// those who turned this kind of mail off (their inbox still has it).
fn recipients(
    conn: &mut DbConn,
    settings: &Settings,
    c: &ConsultationRow,
    only: Option<i64>,
    kind: crate::notifications::kinds::NotificationKind,
) -> ApiResult<Vec<String>> {
    let mut users = if only.is_none() {
        vec![c.convener_id]
    } else {
        Vec::new()
    };
    let mut orgs = Vec::new();
    for inv in q::invitations_of(conn, c.id)? {
        if inv.response == Response::Declined || only.is_some_and(|o| o != inv.id) {
            continue;
        }
        users.extend(inv.user_id);
        orgs.extend(inv.organization_id);
    }
    let people = q::people_of(conn, &users, &orgs)?;
    let ids: Vec<i64> = people.iter().map(|(id, _)| *id).collect();
    let off = crate::notifications::email::not_mailed(conn, settings, &ids, kind)?;
    let mut emails: Vec<String> = people
        .into_iter()
        .filter(|(id, _)| !off.contains(id))
        .map(|(_, email)| email)
        .collect();
    emails.sort();
    emails.dedup();
    Ok(emails)
}

/// Records the meeting's notification event (in-app, webhooks) and queues the invitation,
/// update or cancellation mail, with its iCalendar part, for the meeting's participants (or
/// one invitation's). This mail is the email channel of those three kinds.
pub(super) fn mail_participants(
    conn: &mut DbConn,
    settings: &Settings,
    c: &ConsultationRow,
    mailing: Mailing,
    only: Option<i64>,
    actor: i64,
) -> ApiResult<()> {
    use crate::notifications::kinds::NotificationKind as K;
    use crate::notifications::{events, outbox, templates::Template};
    let (kind, key) = match (mailing, only) {
        (Mailing::Invitation, Some(inv)) => (K::MeetingInvited, format!("invitation:{inv}")),
        (Mailing::Invitation, None) => (K::MeetingInvited, "invited".to_string()),
        (Mailing::Update, _) => (K::MeetingUpdated, format!("updated:{}", c.ical_sequence)),
        (Mailing::Cancellation, _) => (K::MeetingCancelled, "cancelled".to_string()),
    };
    let mut notice = events::Notice::new(kind, format!("meeting:{}:{key}", c.id));
    notice.place_id = Some(c.place_id);
    notice.consultation_id = Some(c.id);
    notice.actor_id = Some(actor);
    notice.payload = serde_json::json!({"invitation_id": only, "starts_at": c.starts_at.and_utc()});
    events::emit(conn, &notice)?;
    let tz = settings.locale.time_zone;
    let when = format!(
        "{}–{} ({})",
        c.starts_at
            .and_utc()
            .with_timezone(&tz)
            .format("%Y-%m-%d %H:%M"),
        c.ends_at.and_utc().with_timezone(&tz).format("%H:%M"),
        tz.name()
    );
    let venue = [c.venue.as_deref(), c.online_url.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" / ");
    let template = match mailing {
        Mailing::Invitation => Template::MeetingInvitation,
        Mailing::Update => Template::MeetingUpdate,
        Mailing::Cancellation => Template::MeetingCancelled,
    };
    let link = format!("{}/consultations/{}", settings.server.public_url, c.id);
    let mail = template.render(&[
        ("title", &c.title),
        ("link", &link),
        ("when", &when),
        ("venue", &venue),
        ("reason", c.cancel_reason.as_deref().unwrap_or("")),
    ]);
    let host = host_of(&settings.server.public_url);
    let organizer = crate::accounts::queries::user_by_id(conn, c.convener_id)?
        .map(|u| u.email)
        .unwrap_or_default();
    let agenda = agenda_lines(conn, c.id)?;
    let ics = super::super::calendar::mailed(c, &host, &agenda, &organizer);
    for to in recipients(conn, settings, c, only, kind)? {
        outbox::enqueue_with_ics(conn, &to, &mail, Some(&ics))?;
    }
    Ok(())
}
