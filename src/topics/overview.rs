//! One topic as a signed-in person sees it, with what they may do on it: the API's reads
//! (topic, comments, plan, objections, evaluation, timeline) in one call, and which actions
//! the rules the write actions use would let this caller take. The topic page calls this;
//! every write is still judged again by its action when the button is pressed.

use super::model::*;
use super::queries as q;
use super::reads;
use super::rules::{self, Action, Facts, STAFF, Stage};
use super::workflow::topic_at;
use crate::auth::{Caller, Role};
use crate::config::Settings;
use crate::db::{self, DbConn};
use crate::error::ApiResult;
use crate::places::model::{OrganizationFilter, OrganizationOut, PlaceFilter, PlaceOut};
use crate::places::rules::PlaceKind;

/// What the caller may do on the topic (each flag from the rule the action checks).
#[derive(Debug, Clone, Default)]
pub struct May {
    /// 附议 (a resident of the place, say or discuss, not yet supporting).
    pub support: bool,
    /// 取消附议 (supporting, say or discuss).
    pub unsupport: bool,
    /// 评论 (any role at the place, topic open).
    pub comment: bool,
    /// Choose a side (立场) with a comment: only during discuss.
    pub take_side: bool,
    /// 异议 (a resident of the place during the public notice).
    pub object: bool,
    /// 评分 (an eligible resident while the evaluation window is open).
    pub rate: bool,
    /// 保存方案 (staff, plan stage, draft plan).
    pub edit_plan: bool,
    /// 添加任务 (staff, draft plan or act).
    pub add_task: bool,
    /// 维持 / 驳回异议 (staff at the place).
    pub answer_objections: bool,
    /// The workflow actions offered (table and role; facts are judged on pressing).
    pub actions: Vec<Action>,
}

/// A topic with everything its page shows to a signed-in caller.
#[derive(Debug, Clone)]
pub struct Overview {
    pub topic: TopicOut,
    /// The first 100 comments (a hidden body only for its author and staff).
    pub comments: Vec<CommentOut>,
    pub plan: PlanOut,
    pub objections: Vec<ObjectionOut>,
    pub evaluation: EvaluationSummary,
    /// The first 100 events, oldest first.
    pub timeline: Vec<EventOut>,
    /// The caller supports it.
    pub supported: bool,
    pub may: May,
    /// Organisations serving the topic's place or a place above it (责任单位 choices).
    pub organizations: Vec<OrganizationOut>,
    /// Open topics this one may be merged into (merge offered only).
    pub merge_targets: Vec<TopicOut>,
}

const PAGE: Option<i64> = Some(100);

/// The topic `id` for `caller`, with what they may do on it.
pub fn overview(
    conn: &mut DbConn,
    settings: &Settings,
    caller: &Caller,
    id: i64,
) -> ApiResult<Overview> {
    let (row, place) = topic_at(conn, id)?;
    let page = PageParams {
        limit: PAGE,
        cursor: None,
    };
    let topic = reads::get_topic(conn, settings, caller, id)?;
    let comments = reads::list_comments(conn, caller, id, &page)?.items;
    let plan = reads::get_plan(conn, caller, id)?;
    let objections = reads::list_objections(conn, caller, id)?.items;
    let evaluation = reads::evaluations(conn, settings, caller, id)?;
    let timeline = reads::timeline(conn, caller, id, &page)?.items;

    let roles = caller.roles_at(&place);
    let staff = roles.iter().any(|r| STAFF.contains(r));
    let resident = roles.contains(&Role::Resident);
    let raised = row.author_id == caller.user_id || row.on_behalf_of == Some(caller.user_id);
    let supported = q::supports(conn, id, caller.user_id)?;
    let published = plan.published_at.is_some();
    let window_open = row.eval_closes_at.is_some_and(|end| end > db::now());
    let rate = resident
        && row.stage == Stage::Evaluate
        && rules::may_rate(
            row.stage,
            raised,
            supported,
            q::has_commented(conn, id, caller.user_id)?,
            crate::consultations::queries::attended_meeting_about(conn, id, caller.user_id)?,
            window_open,
        );
    let facts = Facts {
        roles: roles.clone(),
        is_author: raised,
        ..Default::default()
    };
    let actions: Vec<Action> = rules::actions_for(row.stage)
        .iter()
        .copied()
        .filter(|a| rules::offered(row.stage, *a, &facts))
        .collect();
    let may = May {
        support: !supported && rules::may_support(row.stage, &roles),
        unsupport: supported && rules::may_unsupport(row.stage),
        comment: !roles.is_empty() && rules::may_comment(row.stage),
        take_side: rules::stance_allowed(row.stage, rules::Stance::For),
        object: resident && rules::in_notice(row.stage, published),
        rate,
        edit_plan: staff && row.stage == Stage::Plan && !published,
        add_task: staff && rules::may_add_task(row.stage, published),
        answer_objections: staff,
        actions,
    };
    let organizations = if may.add_task {
        serving(conn, &place.path)?
    } else {
        Vec::new()
    };
    let merge_targets = if may.actions.contains(&Action::Merge) {
        merge_targets(conn, settings, caller, &row)?
    } else {
        Vec::new()
    };
    Ok(Overview {
        topic,
        comments,
        plan,
        objections,
        evaluation,
        timeline,
        supported,
        may,
        organizations,
        merge_targets,
    })
}

/// Organisations serving any place on `path` (the place and those above it).
fn serving(conn: &mut DbConn, path: &str) -> ApiResult<Vec<OrganizationOut>> {
    let mut out: Vec<OrganizationOut> = Vec::new();
    for place_id in path.split('/').filter_map(|s| s.parse::<i64>().ok()) {
        let f = OrganizationFilter {
            kind: None,
            place_id: Some(place_id),
            limit: PAGE,
            cursor: None,
        };
        for o in crate::places::actions::list_organizations(conn, &f)?.items {
            if !out.iter().any(|x| x.id == o.id) {
                out.push(o);
            }
        }
    }
    out.sort_by_key(|o| o.id);
    Ok(out)
}

/// Other topics of the same community in say or discuss (what `rules::may_merge_into`
/// accepts), by the API's topic list.
fn merge_targets(
    conn: &mut DbConn,
    settings: &Settings,
    caller: &Caller,
    row: &q::TopicRow,
) -> ApiResult<Vec<TopicOut>> {
    let mut out = Vec::new();
    for stage in [Stage::Say, Stage::Discuss] {
        let f = TopicFilter {
            place_id: Some(row.community_id),
            stage: Some(stage),
            category: None,
            escalated: None,
            unscheduled: None,
            mine: None,
            author_id: None,
            q: None,
            limit: PAGE,
            cursor: None,
        };
        out.extend(
            reads::list_topics(conn, settings, caller, &f)?
                .items
                .into_iter()
                .filter(|t| {
                    rules::may_merge_into(&rules::MergeTarget {
                        same_topic: t.id == row.id,
                        same_community: true,
                        stage: t.stage,
                    })
                }),
        );
    }
    Ok(out)
}

/// The places where `caller` may raise a topic (what `workflow::create_topic` accepts): for
/// each grant whose role may raise one ([`rules::creation_source`]), its place when a
/// resident can live there (community, grid, building), else the communities beneath it.
pub fn places_to_raise(conn: &mut DbConn, caller: &Caller) -> ApiResult<Vec<PlaceOut>> {
    let mut out: Vec<PlaceOut> = Vec::new();
    for g in &caller.grants {
        let Some(place_id) = g.place_id else { continue };
        if rules::creation_source(&[g.role]).is_none() {
            continue;
        }
        let place = crate::places::actions::get_place(conn, place_id)?;
        let found = if place.kind.is_home() {
            vec![place]
        } else {
            let f = PlaceFilter {
                within: Some(place_id),
                kind: Some(PlaceKind::Community),
                limit: PAGE,
                ..Default::default()
            };
            crate::places::actions::list_places(conn, &f)?.items
        };
        for p in found {
            if !out.iter().any(|x| x.id == p.id) {
                out.push(p);
            }
        }
    }
    Ok(out)
}
