//! The write actions of the five steps, each one transaction: gather the facts, ask the pure
//! rules, apply the effects, append the timeline event. Handlers and the demo seed call these.

use crate::topics::events::EventKind;
use chrono::{Datelike, Duration, NaiveDateTime};
use serde_json::json;

use super::events::{self, NewEvent};
use super::model::{NewTopic, TransitionRequest};
use super::queries::{self as q, TopicRow};
use super::rules::{self, Action, Facts, Outcome, Resolution, STAFF, Stage, Stance};
use crate::auth::{Caller, PlaceRef, Role};
use crate::config::Settings;
use crate::db::{self, DbConn};
use crate::error::{ApiError, ApiResult};
use crate::places::queries as places;

/// The topic and its place, for permission checks.
pub fn topic_at(conn: &mut DbConn, id: i64) -> ApiResult<(TopicRow, PlaceRef)> {
    let topic = q::topic(conn, id)?;
    let (place, _) = places::place_ref(conn, topic.place_id, None)?;
    Ok((topic, place))
}

/// SHA-256 of the create request, to tell a retry from a different request with the same key.
pub fn request_hash(body: &NewTopic) -> String {
    crate::auth::tokens::hash_token(&serde_json::to_string(body).unwrap_or_default())
}

/// Creates a topic (or returns the one this idempotency key already made).
pub fn create_topic(
    conn: &mut DbConn,
    caller: &Caller,
    body: &NewTopic,
    idempotency_key: Option<&str>,
) -> ApiResult<TopicRow> {
    match create_topic_once(conn, caller, body, idempotency_key) {
        // Two requests with one key at the same instant: the loser reads the winner's topic.
        Err(ApiError::Conflict {
            code: "resource.conflict",
            ..
        }) if idempotency_key.is_some() => create_topic_once(conn, caller, body, idempotency_key),
        other => other,
    }
}

fn create_topic_once(
    conn: &mut DbConn,
    caller: &Caller,
    body: &NewTopic,
    idempotency_key: Option<&str>,
) -> ApiResult<TopicRow> {
    db::write_tx(conn, |conn| {
        let hash = request_hash(body);
        if let Some(key) = idempotency_key
            && let Some((stored, topic_id)) = q::idempotent_topic(conn, caller.user_id, key)?
        {
            if stored != hash {
                return Err(ApiError::invalid(
                    "Idempotency-Key",
                    "idempotency.key_reused",
                    "this key was used for a different request",
                ));
            }
            return q::topic(conn, topic_id);
        }
        let (place, kind) = places::place_ref(conn, body.place_id, Some("place_id"))?;
        if !kind.is_home() {
            return Err(ApiError::invalid(
                "place_id",
                "topic.invalid_place",
                "a community, grid or building",
            ));
        }
        let roles = caller.roles_at(&place);
        let source =
            rules::creation_source(&roles).ok_or(ApiError::Forbidden("permission.denied"))?;
        let may_act_for_others = roles
            .iter()
            .any(|r| STAFF.contains(r) || *r == Role::GridWorker);
        if let Some(resident) = body.on_behalf_of {
            if !may_act_for_others {
                return Err(ApiError::invalid(
                    "on_behalf_of",
                    "topic.on_behalf_not_allowed",
                    "grid workers and staff only",
                ));
            }
            let theirs = crate::auth::caller::acting_as(conn, resident)?;
            if !theirs.holds(&[Role::Resident], &place) {
                return Err(ApiError::invalid(
                    "on_behalf_of",
                    "topic.not_a_resident",
                    "not a resident of this place",
                ));
            }
        }
        let major = body.major.unwrap_or(false);
        if major && !roles.iter().any(|r| STAFF.contains(r)) {
            return Err(ApiError::invalid(
                "major",
                "topic.major_staff_only",
                "only staff flag a topic as major",
            ));
        }
        let community_id = q::community_of(conn, &place.path)?.ok_or_else(|| {
            ApiError::invalid(
                "place_id",
                "topic.invalid_place",
                "no community above this place",
            )
        })?;
        let id = q::insert_topic(
            conn,
            &q::NewTopicRow {
                place_id: place.id,
                community_id,
                title: &body.title,
                body: &body.body,
                category: body.category,
                source,
                author_id: caller.user_id,
                on_behalf_of: body.on_behalf_of,
                major,
            },
        )?;
        let mut ev = NewEvent::new(EventKind::Created, caller.user_id);
        ev.to = Some(Stage::Say);
        ev.payload =
            json!({"source": source.as_str(), "on_behalf_of": body.on_behalf_of, "major": major});
        events::append(conn, id, ev)?;
        if let Some(key) = idempotency_key {
            q::remember_key(conn, caller.user_id, key, &hash, id)?;
        }
        q::topic(conn, id)
    })
}

/// The year of `now` in the installation's time zone (catalog numbers run per local year).
fn local_year(settings: &Settings, now: NaiveDateTime) -> i32 {
    let tz = settings.locale.time_zone;
    now.and_utc().with_timezone(&tz).year()
}

/// Applies a workflow action (SPEC's table) with the version the caller saw.
pub fn transition(
    conn: &mut DbConn,
    settings: &Settings,
    caller: &Caller,
    id: i64,
    req: &TransitionRequest,
) -> ApiResult<TopicRow> {
    db::write_tx(conn, |conn| {
        // Every topic this transition writes is locked first, in id order: two crossed merges
        // (A into B, B into A) queue up instead of deadlocking.
        let target_id = req.target_topic_id.filter(|_| req.action == Action::Merge);
        q::lock_topics_in_order(
            conn,
            &[Some(id), target_id]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>(),
        )?;
        let (topic, place) = topic_at(conn, id)?;
        if req.expected_version != topic.version {
            return Err(ApiError::Conflict {
                code: "topic.stale_version",
                detail: Some(format!("current version is {}", topic.version)),
            });
        }
        let now = db::now();
        let facts = gather_facts(conn, settings, caller, &topic, &place, req, now)?;
        let outcome = match rules::apply(topic.stage, req.action, &facts) {
            Ok(o) => o,
            Err(rules::Refusal::HearingRequired) => {
                return Err(hearing_required(conn, settings, topic.id)?);
            }
            Err(r) => return Err(ApiError::refused(r)),
        };
        // The merge target is checked once the table and the role allow the merge.
        let target = merge_target(conn, &topic, req)?;
        if !q::claim_version(conn, id, topic.version)? {
            return Err(ApiError::conflict("topic.stale_version"));
        }
        let catalog_no = apply_effects(conn, settings, caller, &topic, req, target, now)?;
        q::set_stage(
            conn,
            id,
            topic.stage,
            outcome.stage,
            outcome.resolution,
            outcome.escalated,
            now,
        )?;
        write_transition_event(conn, caller, &topic, req, &outcome, catalog_no.as_deref())?;
        q::topic(conn, id)
    })
}

/// 409 `topic.hearing_required`, the detail saying what the latest hearing lacks.
fn hearing_required(conn: &mut DbConn, settings: &Settings, topic_id: i64) -> ApiResult<ApiError> {
    let why = crate::consultations::queries::held_hearing(conn, &settings.consultations, topic_id)?
        .err()
        .unwrap_or_default();
    Ok(ApiError::Conflict {
        code: "topic.hearing_required",
        detail: Some(why),
    })
}

/// Everything `rules::apply` needs to know about the topic, the caller and the request.
fn gather_facts(
    conn: &mut DbConn,
    settings: &Settings,
    caller: &Caller,
    topic: &TopicRow,
    place: &PlaceRef,
    req: &TransitionRequest,
    now: NaiveDateTime,
) -> ApiResult<Facts> {
    let nonempty = |s: &Option<String>| s.as_deref().is_some_and(|s| !s.trim().is_empty());
    let tasks = q::topic_tasks(conn, topic.id)?;
    let plan = q::plan(conn, topic.id)?;
    let scores = q::scores(conn, topic.id, topic.eval_round)?;
    let (ratings, mean, _) = rules::summarize(&scores);
    let wf = &settings.workflow;
    Ok(Facts {
        roles: caller.roles_at(place),
        is_author: topic.author_id == caller.user_id || topic.on_behalf_of == Some(caller.user_id),
        has_reason: nonempty(&req.reason),
        has_decision: nonempty(&req.decision),
        has_target: req.action == Action::Merge && req.target_topic_id.is_some(),
        escalated: topic.escalated,
        major: topic.major,
        hearing_outcome: topic.major
            && crate::consultations::queries::held_hearing(
                conn,
                &settings.consultations,
                topic.id,
            )?
            .is_ok(),
        plan_exists: plan.is_some() || !tasks.is_empty(),
        task_count: tasks.len(),
        tasks_done: tasks
            .iter()
            .filter(|t| t.status == super::model::TaskStatus::Done)
            .count(),
        plan_published: plan.as_ref().is_some_and(|p| p.published_at.is_some()),
        notice_over: plan
            .as_ref()
            .and_then(|p| p.notice_ends_at)
            .is_some_and(|end| end <= now),
        unanswered_objections: q::unanswered_objections(conn, topic.id)?,
        window_over: topic.eval_closes_at.is_some_and(|end| end <= now),
        ratings,
        min_ratings: wf.min_ratings.max(0) as usize,
        mean,
        threshold: wf.satisfaction_threshold,
    })
}

/// A merge's target: another open topic of the same community in say or discuss (422
/// otherwise, see `rules::may_merge_into`).
fn merge_target(
    conn: &mut DbConn,
    topic: &TopicRow,
    req: &TransitionRequest,
) -> ApiResult<Option<TopicRow>> {
    let (Action::Merge, Some(tid)) = (req.action, req.target_topic_id) else {
        return Ok(None);
    };
    let t = q::topic(conn, tid).map_err(|_| {
        ApiError::invalid(
            "target_topic_id",
            "topic.invalid_merge_target",
            "no such topic",
        )
    })?;
    let ok = rules::may_merge_into(&rules::MergeTarget {
        same_topic: t.id == topic.id,
        same_community: t.community_id == topic.community_id,
        stage: t.stage,
    });
    if !ok {
        return Err(ApiError::invalid(
            "target_topic_id",
            "topic.invalid_merge_target",
            "another open topic of the same community, in say or discuss",
        ));
    }
    Ok(Some(t))
}

/// The action's own effects besides the stage; returns the catalog number taken by accept.
fn apply_effects(
    conn: &mut DbConn,
    settings: &Settings,
    caller: &Caller,
    topic: &TopicRow,
    req: &TransitionRequest,
    target: Option<TopicRow>,
    now: NaiveDateTime,
) -> ApiResult<Option<String>> {
    let id = topic.id;
    let wf = &settings.workflow;
    match req.action {
        Action::Accept => {
            let year = local_year(settings, now);
            let seq = q::next_catalog_seq(conn, topic.community_id, year)?;
            let label = rules::catalog_label(year, seq);
            q::set_catalog(conn, id, year, seq, &label)?;
            return Ok(Some(label));
        }
        Action::Merge => {
            if let Some(t) = target {
                q::carry_supports(conn, id, t.id)?;
                q::set_merged_into(conn, id, t.id)?;
                let mut ev = NewEvent::new(EventKind::MergedIn, caller.user_id);
                ev.payload = json!({"from_topic_id": id});
                events::append(conn, t.id, ev)?;
            }
        }
        Action::Decide => q::set_decision(conn, id, req.decision.as_deref())?,
        Action::PublishPlan => {
            q::publish_plan(conn, id, now + Duration::days(wf.notice_days))?;
        }
        Action::ApprovePlan => q::approve_plan(conn, id)?,
        Action::Complete => q::set_evaluation_window(
            conn,
            id,
            topic.eval_round + 1,
            Some(now + Duration::days(wf.evaluation_days)),
        )?,
        Action::Rework => q::set_evaluation_window(conn, id, topic.eval_round, None)?,
        Action::Reject | Action::Withdraw | Action::Escalate | Action::Close => {}
    }
    Ok(None)
}

/// The EventKind::Transition event: from → to, the note, and what the request carried.
fn write_transition_event(
    conn: &mut DbConn,
    caller: &Caller,
    topic: &TopicRow,
    req: &TransitionRequest,
    outcome: &Outcome,
    catalog_no: Option<&str>,
) -> ApiResult<()> {
    let mut ev = NewEvent::new(EventKind::Transition, caller.user_id);
    ev.from = Some(topic.stage);
    ev.to = Some(outcome.stage);
    let note = req
        .note
        .clone()
        .or(req.reason.clone())
        .or(req.decision.clone());
    ev.note = note.as_deref();
    ev.payload = json!({
        "action": req.action.as_str(),
        "reason": req.reason,
        "decision": req.decision,
        "target_topic_id": req.target_topic_id,
        "catalog_no": catalog_no,
        "resolution": outcome.resolution.map(Resolution::as_str),
    });
    events::append(conn, topic.id, ev)
}

/// 附议: a resident of the place supports the topic (say or discuss).
pub fn support(conn: &mut DbConn, caller: &Caller, id: i64) -> ApiResult<TopicRow> {
    db::write_tx(conn, |conn| {
        q::lock_topic(conn, id)?;
        let (topic, place) = topic_at(conn, id)?;
        let roles = caller.roles_at(&place);
        if !roles.contains(&Role::Resident) {
            return Err(ApiError::Forbidden("permission.denied"));
        }
        if !rules::may_support(topic.stage, &roles) {
            return Err(ApiError::conflict("topic.support_closed"));
        }
        if !q::add_support(conn, id, caller.user_id)? {
            return Err(ApiError::conflict("topic.already_supported"));
        }
        events::append(
            conn,
            id,
            NewEvent::new(EventKind::Supported, caller.user_id),
        )?;
        q::topic(conn, id)
    })
}

/// Withdraws the caller's support (say or discuss).
pub fn unsupport(conn: &mut DbConn, caller: &Caller, id: i64) -> ApiResult<TopicRow> {
    db::write_tx(conn, |conn| {
        q::lock_topic(conn, id)?;
        let topic = q::topic(conn, id)?;
        if !rules::may_unsupport(topic.stage) {
            return Err(ApiError::conflict("topic.support_closed"));
        }
        if !q::remove_support(conn, id, caller.user_id)? {
            return Err(ApiError::NotFound("support.not_found"));
        }
        events::append(
            conn,
            id,
            NewEvent::new(EventKind::Unsupported, caller.user_id),
        )?;
        q::topic(conn, id)
    })
}

/// Adds a comment; anyone holding a role at the place may comment while the topic is open.
pub fn comment(
    conn: &mut DbConn,
    caller: &Caller,
    id: i64,
    body: &str,
    stance: Option<Stance>,
    parent_id: Option<i64>,
) -> ApiResult<q::CommentRow> {
    db::write_tx(conn, |conn| {
        let (topic, place) = topic_at(conn, id)?;
        if caller.roles_at(&place).is_empty() {
            return Err(ApiError::Forbidden("permission.denied"));
        }
        if !rules::may_comment(topic.stage) {
            return Err(ApiError::conflict("topic.comments_closed"));
        }
        let stance = stance.unwrap_or(Stance::Neutral);
        if !rules::stance_allowed(topic.stage, stance) {
            return Err(ApiError::invalid(
                "stance",
                "comment.stance_not_allowed",
                "a side is taken only during discuss",
            ));
        }
        if let Some(pid) = parent_id {
            let parent = q::comment(conn, pid).map_err(|_| {
                ApiError::invalid("parent_id", "comment.invalid_parent", "no such comment")
            })?;
            if parent.topic_id != id {
                return Err(ApiError::invalid(
                    "parent_id",
                    "comment.invalid_parent",
                    "a comment on another topic",
                ));
            }
        }
        let row = q::insert_comment(conn, id, caller.user_id, parent_id, body, stance)?;
        let mut ev = NewEvent::new(EventKind::Commented, caller.user_id);
        ev.payload = json!({"comment_id": row.id, "stance": stance.as_str()});
        events::append(conn, id, ev)?;
        Ok(row)
    })
}

/// Staff hide a comment with a reason; the author still sees it.
pub fn hide_comment(
    conn: &mut DbConn,
    caller: &Caller,
    comment_id: i64,
    reason: &str,
) -> ApiResult<q::CommentRow> {
    db::write_tx(conn, |conn| {
        let c = q::comment(conn, comment_id)?;
        let (_, place) = topic_at(conn, c.topic_id)?;
        caller.require(&STAFF, &place)?;
        if c.hidden {
            return Err(ApiError::conflict("comment.already_hidden"));
        }
        q::hide_comment(conn, comment_id, caller.user_id, reason)?;
        let mut ev = NewEvent::new(EventKind::CommentHidden, caller.user_id);
        ev.note = Some(reason);
        ev.payload = json!({"comment_id": comment_id});
        events::append(conn, c.topic_id, ev)?;
        q::comment(conn, comment_id)
    })
}
