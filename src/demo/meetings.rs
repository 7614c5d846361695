//! The consultations the demo topics lead to: a micro-consultation held ten days ago and a
//! courtyard meeting next week, both driven through the real consultation actions.

use super::demo_user;
use crate::auth::Caller;
use crate::config::Settings;
use crate::consultations::actions as service;
use crate::consultations::model::{
    Attendance, ConsultationTransition, FollowUp, NewConsultation, NewInvitation, NewOutcome,
};
use crate::consultations::queries as cons_q;
use crate::consultations::rules::{
    Action, Category, Consensus, FollowUpKind, Format, Kind, Response,
};
use crate::db::DbConn;
use crate::error::{ApiError, ApiResult};

/// A concluded micro-consultation 微协商 ten days ago on `topic`, convened by the CPPCC member,
/// with invitations, attendance, minutes, an outcome and an opinion-report draft.
pub(super) fn held_micro_consultation(
    conn: &mut DbConn,
    settings: &Settings,
    community: i64,
    topic: i64,
    firm: Option<i64>,
) -> ApiResult<()> {
    let cppcc = demo_user(conn, "cppcc@yishi.demo")?;
    let sub = demo_user(conn, "subdistrict@yishi.demo")?;
    let residents = [
        demo_user(conn, "resident@yishi.demo")?,
        demo_user(conn, "resident2@yishi.demo")?,
    ];
    let start = local_at(settings, -10, 10)?;
    let id = service::create(
        conn,
        settings,
        &cppcc,
        &NewConsultation {
            place_id: community,
            title: "垃圾房改造“请你来协商”微协商".into(),
            kind: Kind::MicroConsultation,
            format: Format::InPerson,
            venue: Some("幸福社区议事厅".into()),
            online_url: None,
            starts_at: start,
            ends_at: start + chrono::Duration::minutes(90),
            from_topic_id: Some(topic),
        },
    )?
    .id;
    for r in &residents {
        invite_resident(conn, settings, &cppcc, id, r, Response::Accepted)?;
    }
    if let Some(f) = firm {
        let firm = NewInvitation {
            user_id: None,
            organization_id: Some(f),
            category: Category::PropertyFirm,
        };
        service::invite(conn, settings, &cppcc, id, &firm)?;
    }
    hold(conn, settings, &cppcc, id)?;
    record_outcome(conn, &sub, id)?;
    service::sign_off(conn, settings, &residents[0], id, None)?;
    Ok(())
}

/// Schedules, starts and concludes meeting `id` (which lies in the past), with everyone
/// invited attending. The actions refuse to start a meeting long after its time, so the demo,
/// telling a story that already happened, allows a late start and then records the start at
/// the scheduled time, as it was: the rows read as a meeting held on time.
fn hold(conn: &mut DbConn, settings: &Settings, cppcc: &Caller, id: i64) -> ApiResult<()> {
    let mut retold = settings.clone();
    retold.consultations.conclude_grace_hours = 8_760;
    let settings = &retold;
    advance(conn, settings, cppcc, id, Action::Schedule, None)?;
    advance(conn, settings, cppcc, id, Action::Start, None)?;
    let scheduled = cons_q::consultation(conn, id)?.starts_at;
    cons_q::set_started(conn, id, scheduled)?;
    let invitations: Vec<i64> = cons_q::invitations_of(conn, id)?
        .iter()
        .map(|i| i.id)
        .collect();
    service::attendance(
        conn,
        cppcc,
        id,
        &Attendance {
            attended_invitation_ids: invitations,
        },
    )?;
    advance(
        conn,
        settings,
        cppcc,
        id,
        Action::Conclude,
        Some("与会居民、物业一致认为垃圾房需密闭化改造；费用由维修资金和街道补助分担。"),
    )
}

/// The sub-district's outcome on the first agenda item, with an opinion report to follow.
fn record_outcome(conn: &mut DbConn, sub: &Caller, id: i64) -> ApiResult<()> {
    let item = cons_q::agenda(conn, id)?
        .first()
        .map(|a| a.id)
        .ok_or_else(|| ApiError::internal("demo agenda"))?;
    service::record_outcome(
        conn,
        sub,
        id,
        &NewOutcome {
            agenda_item_id: item,
            decision: "改造为密闭式垃圾房，增加除臭设备".into(),
            consensus: Consensus::Majority,
            follow_ups: vec![FollowUp {
                kind: FollowUpKind::OpinionReport,
                title: "关于老旧小区垃圾房改造资金来源的社情民意".into(),
                organization_id: None,
                due_at: None,
            }],
        },
    )?;
    Ok(())
}

/// A courtyard meeting 院坝协商 next week on `topic`, scheduled, with invitations.
pub(super) fn upcoming_courtyard_meeting(
    conn: &mut DbConn,
    settings: &Settings,
    community: i64,
    topic: i64,
) -> ApiResult<()> {
    let staff = demo_user(conn, "staff@yishi.demo")?;
    let resident = demo_user(conn, "resident@yishi.demo")?;
    let start = local_at(settings, 7, 19)?;
    let id = service::create(
        conn,
        settings,
        &staff,
        &NewConsultation {
            place_id: community,
            title: "广场舞噪音院坝协商".into(),
            kind: Kind::Courtyard,
            format: Format::Hybrid,
            venue: Some("3号楼前院坝".into()),
            online_url: Some("https://meeting.example/yishi/courtyard".into()),
            starts_at: start,
            ends_at: start + chrono::Duration::minutes(60),
            from_topic_id: Some(topic),
        },
    )?
    .id;
    invite_resident(conn, settings, &staff, id, &resident, Response::Tentative)?;
    advance(conn, settings, &staff, id, Action::Schedule, None)
}

/// Invites `resident` to meeting `id` as a resident representative, who answers `response`.
fn invite_resident(
    conn: &mut DbConn,
    settings: &Settings,
    by: &Caller,
    id: i64,
    resident: &Caller,
    response: Response,
) -> ApiResult<()> {
    let invitation = NewInvitation {
        user_id: Some(resident.user_id),
        organization_id: None,
        category: Category::ResidentRep,
    };
    service::invite(conn, settings, by, id, &invitation)?;
    service::rsvp(conn, resident, id, response)?;
    Ok(())
}

/// Moves meeting `id` on by `action` at its current version, with optional minutes.
fn advance(
    conn: &mut DbConn,
    settings: &Settings,
    by: &Caller,
    id: i64,
    action: Action,
    minutes: Option<&str>,
) -> ApiResult<()> {
    let version = cons_q::consultation(conn, id)?.version;
    service::transition(
        conn,
        settings,
        by,
        id,
        &ConsultationTransition {
            action,
            expected_version: version,
            minutes: minutes.map(str::to_string),
            reason: None,
        },
    )?;
    Ok(())
}

/// `days` from today at `hour`:00 in the installation's time zone, as UTC.
fn local_at(settings: &Settings, days: i64, hour: u32) -> ApiResult<chrono::DateTime<chrono::Utc>> {
    use chrono::TimeZone;
    let tz = settings.locale.time_zone;
    let day = (chrono::Utc::now() + chrono::Duration::days(days))
        .with_timezone(&tz)
        .date_naive();
    let local = day
        .and_hms_opt(hour, 0, 0)
        .ok_or_else(|| ApiError::internal("demo time"))?;
    tz.from_local_datetime(&local)
        .earliest()
        .map(|t| t.with_timezone(&chrono::Utc))
        .ok_or_else(|| ApiError::internal("demo time"))
}
