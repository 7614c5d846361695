//! Who an event reaches: the people who must act on it (staff, CPPCC members, assignees and
//! their organisations, meeting participants, the objector), each found with one query, and
//! the topic's followers, read in chunks. Disabled users hear nothing.

use std::collections::{BTreeSet, HashMap};

use diesel::prelude::*;
use serde_json::Value;

use super::kinds::{FollowLevel, Language, NotificationKind as K};
use super::rules::Duty;
use crate::auth::Role;
use crate::consultations::rules::Response;
use crate::db::DbConn;
use crate::db::schema::{
    consultations, follows, invitations, notification_settings as ns, objections, places,
    role_grants, tasks, users,
};
use crate::error::ApiResult;
use crate::places::rules::path_ids;

/// The facts of one event the audience depends on.
#[derive(Debug, Clone)]
pub struct About<'a> {
    pub kind: K,
    pub place_id: Option<i64>,
    pub topic_id: Option<i64>,
    pub consultation_id: Option<i64>,
    pub task_id: Option<i64>,
    pub payload: &'a Value,
}

/// Everyone with one of `duties` for this event.
pub fn with_duties(
    conn: &mut DbConn,
    about: &About<'_>,
    duties: &[Duty],
) -> ApiResult<BTreeSet<i64>> {
    let mut ids = BTreeSet::new();
    for duty in duties {
        let found: Vec<i64> = match duty {
            Duty::Staff => holders(conn, about.place_id, &crate::topics::rules::STAFF)?,
            Duty::Cppcc => holders(conn, about.place_id, &[Role::CppccMember])?,
            Duty::Assignee => assignees(conn, about.task_id)?,
            Duty::Participant => participants(conn, about)?,
            Duty::Objector => match about.payload.get("objection_id").and_then(Value::as_i64) {
                Some(o) => objections::table
                    .find(o)
                    .select(objections::author_id)
                    .load(conn)?,
                None => Vec::new(),
            },
        };
        ids.extend(found);
    }
    if ids.is_empty() {
        return Ok(ids);
    }
    let active: Vec<i64> = users::table
        .filter(users::id.eq_any(&ids))
        .filter(users::disabled.eq(false))
        .select(users::id)
        .load(conn)?;
    Ok(active.into_iter().collect())
}

/// Users holding one of `roles` at the place or above it.
fn holders(conn: &mut DbConn, place_id: Option<i64>, roles: &[Role]) -> ApiResult<Vec<i64>> {
    let Some(place_id) = place_id else {
        return Ok(Vec::new());
    };
    let path: String = places::table
        .find(place_id)
        .select(places::path)
        .first(conn)?;
    let above = path_ids(&path);
    Ok(role_grants::table
        .filter(role_grants::place_id.eq_any(above))
        .filter(role_grants::role.eq_any(roles))
        .select(role_grants::user_id)
        .distinct()
        .load(conn)?)
}

/// The task's assignee and the users acting for its organisation.
fn assignees(conn: &mut DbConn, task_id: Option<i64>) -> ApiResult<Vec<i64>> {
    let Some(task_id) = task_id else {
        return Ok(Vec::new());
    };
    let Some((assignee, org)) = tasks::table
        .find(task_id)
        .select((tasks::assignee_id, tasks::organization_id))
        .first::<(Option<i64>, Option<i64>)>(conn)
        .optional()?
    else {
        return Ok(Vec::new());
    };
    let mut ids: Vec<i64> = assignee.into_iter().collect();
    if let Some(org) = org {
        ids.extend(members(conn, &[org])?);
    }
    Ok(ids)
}

/// Users acting for these organisations.
fn members(conn: &mut DbConn, orgs: &[i64]) -> ApiResult<Vec<i64>> {
    Ok(role_grants::table
        .filter(role_grants::organization_id.eq_any(orgs))
        .filter(role_grants::role.eq_any([Role::PropertyFirm, Role::Department]))
        .select(role_grants::user_id)
        .distinct()
        .load(conn)?)
}

/// A meeting's participants for this kind: one invitation (invited), the attendees (minutes),
/// or the convener and everyone invited who has not declined.
fn participants(conn: &mut DbConn, about: &About<'_>) -> ApiResult<Vec<i64>> {
    let Some(c) = about.consultation_id else {
        return Ok(Vec::new());
    };
    let mut q = invitations::table
        .filter(invitations::consultation_id.eq(c))
        .into_boxed();
    let only = about.payload.get("invitation_id").and_then(Value::as_i64);
    match (about.kind, only) {
        (K::MeetingInvited, Some(inv)) => q = q.filter(invitations::id.eq(inv)),
        (K::MinutesReady, _) => q = q.filter(invitations::attended.eq(true)),
        _ => q = q.filter(invitations::response.ne(Response::Declined)),
    }
    let rows: Vec<(Option<i64>, Option<i64>)> = q
        .select((invitations::user_id, invitations::organization_id))
        .load(conn)?;
    let mut ids: Vec<i64> = rows.iter().filter_map(|r| r.0).collect();
    let orgs: Vec<i64> = rows.iter().filter_map(|r| r.1).collect();
    if !orgs.is_empty() {
        ids.extend(members(conn, &orgs)?);
    }
    if !matches!(about.kind, K::MeetingInvited | K::MinutesReady) {
        ids.extend(
            consultations::table
                .find(c)
                .select(consultations::convener_id)
                .load::<i64>(conn)?,
        );
    }
    Ok(ids)
}

/// One chunk of a topic's followers at `levels`, after user `after`, with their language.
pub fn followers(
    conn: &mut DbConn,
    topic_id: i64,
    levels: &[FollowLevel],
    after: i64,
    limit: i64,
) -> ApiResult<Vec<(i64, Option<Language>)>> {
    Ok(follows::table
        .inner_join(users::table.on(users::id.eq(follows::user_id)))
        .left_join(ns::table.on(ns::user_id.eq(follows::user_id)))
        .filter(follows::topic_id.eq(topic_id))
        .filter(follows::level.eq_any(levels))
        .filter(follows::user_id.gt(after))
        .filter(users::disabled.eq(false))
        .select((follows::user_id, ns::language.nullable()))
        .order(follows::user_id)
        .limit(limit)
        .load(conn)?)
}

/// The chosen language of each user who has one.
pub fn languages(conn: &mut DbConn, ids: &[i64]) -> ApiResult<HashMap<i64, Language>> {
    Ok(ns::table
        .filter(ns::user_id.eq_any(ids))
        .select((ns::user_id, ns::language))
        .load::<(i64, Language)>(conn)?
        .into_iter()
        .collect())
}
