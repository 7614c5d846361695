//! `yishi demo seed`: a plausible demo city (1 city, 2 districts, 4 sub-districts, 12
//! communities with grids), organisations, and one user for every role, all with the
//! configured demo password. Seeding twice changes nothing.

use diesel::prelude::*;

use crate::accounts::queries as accounts;
use crate::auth::Role;
use crate::auth::password::Hasher;
use crate::config::Settings;
use crate::db::schema::places;
use crate::db::{self, DbConn};
use crate::error::{ApiError, ApiResult};
use crate::places::model::OrganizationKind;
use crate::places::queries as place_q;
use crate::places::rules::PlaceKind;

/// Code of the demo city; its presence means the demo is seeded.
pub const CITY_CODE: &str = "demo-330200";

/// A demo account to print.
#[derive(Debug, Clone)]
pub struct DemoLogin {
    pub email: &'static str,
    pub role: &'static str,
    pub place: String,
}

/// Whether the database holds any place at all (an empty installation).
pub fn is_empty(conn: &mut DbConn) -> ApiResult<bool> {
    let n: i64 = places::table.count().get_result(conn)?;
    Ok(n == 0)
}

/// Whether the demo city exists.
pub fn is_seeded(conn: &mut DbConn) -> ApiResult<bool> {
    let n: i64 = places::table
        .filter(places::code.eq(CITY_CODE))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// A sub-district and its three communities.
type Subdistrict = (&'static str, [&'static str; 3]);
/// A district and its two sub-districts.
type District = (&'static str, [Subdistrict; 2]);

const DISTRICTS: [District; 2] = [
    (
        "海曙区",
        [
            ("南门街道", ["幸福社区", "和义社区", "尚书社区"]),
            ("鼓楼街道", ["孝闻社区", "中山社区", "镇明社区"]),
        ],
    ),
    (
        "江北区",
        [
            ("白沙街道", ["桃源社区", "白沙社区", "康庄社区"]),
            ("孔浦街道", ["怡江社区", "畅园社区", "双东社区"]),
        ],
    ),
];

/// Seeds the demo city with topics in every stage; returns the logins (and false when it
/// was already there).
pub fn seed(conn: &mut DbConn, settings: &Settings) -> ApiResult<(bool, Vec<DemoLogin>)> {
    if is_seeded(conn)? {
        return Ok((false, logins()));
    }
    db::write_tx(conn, |conn| {
        seed_base(conn, settings)?;
        seed_topics(conn, settings)
    })?;
    Ok((true, logins()))
}

/// Places, organisations and one user per role, without topics (tests build their own).
pub fn seed_base(conn: &mut DbConn, settings: &Settings) -> ApiResult<()> {
    let hasher = Hasher::new(&settings.auth)?;
    let hash = hasher.hash_blocking(&settings.demo.password)?;
    db::write_tx(conn, |conn| {
        let city = place_q::insert_place(conn, None, PlaceKind::City, "宁波市（演示）", CITY_CODE)?;
        let city_path = format!("/{}/", city.id);
        let mut communities = Vec::new();
        let mut subdistricts = Vec::new();
        let mut districts = Vec::new();
        for (di, (dname, subs)) in DISTRICTS.iter().enumerate() {
            let d = place_q::insert_place(
                conn,
                Some((city.id, &city_path)),
                PlaceKind::District,
                dname,
                &format!("{CITY_CODE}-{di}"),
            )?;
            let d_path = format!("{city_path}{}/", d.id);
            districts.push((d.id, d_path.clone()));
            for (si, (sname, comms)) in subs.iter().enumerate() {
                let code = format!("{CITY_CODE}-{di}-{si}");
                let s = place_q::insert_place(
                    conn,
                    Some((d.id, &d_path)),
                    PlaceKind::Subdistrict,
                    sname,
                    &code,
                )?;
                let s_path = format!("{d_path}{}/", s.id);
                subdistricts.push((s.id, s_path.clone()));
                for (ci, cname) in comms.iter().enumerate() {
                    let ccode = format!("{code}-{ci}");
                    let c = place_q::insert_place(
                        conn,
                        Some((s.id, &s_path)),
                        PlaceKind::Community,
                        cname,
                        &ccode,
                    )?;
                    let c_path = format!("{s_path}{}/", c.id);
                    for g in 1..=2 {
                        let grid = place_q::insert_place(
                            conn,
                            Some((c.id, &c_path)),
                            PlaceKind::Grid,
                            &format!("{cname}第{g}网格"),
                            &format!("{ccode}-g{g}"),
                        )?;
                        let g_path = format!("{c_path}{}/", grid.id);
                        place_q::insert_place(
                            conn,
                            Some((grid.id, &g_path)),
                            PlaceKind::Building,
                            &format!("{cname}{}号楼", g * 3),
                            &format!("{ccode}-g{g}-b{}", g * 3),
                        )?;
                    }
                    communities.push((c.id, c_path));
                }
            }
        }
        let first_community = communities
            .first()
            .map(|c| c.0)
            .ok_or_else(|| ApiError::internal("no community"))?;
        let all_communities: Vec<i64> = communities.iter().map(|c| c.0).collect();
        let firm = place_q::insert_organization(
            conn,
            OrganizationKind::PropertyFirm,
            "甬城红色物业服务有限公司",
            &all_communities[..6],
        )?;
        place_q::insert_organization(
            conn,
            OrganizationKind::PropertyFirm,
            "江北安居物业管理有限公司",
            &all_communities[6..],
        )?;
        let dept = place_q::insert_organization(
            conn,
            OrganizationKind::Department,
            "海曙区住房和城乡建设局",
            &[districts[0].0],
        )?;
        place_q::insert_organization(
            conn,
            OrganizationKind::Department,
            "海曙区综合行政执法局（城管）",
            &[districts[0].0],
        )?;
        place_q::insert_organization(
            conn,
            OrganizationKind::Department,
            "江北区民政局",
            &[districts[1].0],
        )?;
        place_q::insert_organization(
            conn,
            OrganizationKind::OwnersCommittee,
            "幸福社区业主委员会",
            &[first_community],
        )?;
        place_q::insert_organization(
            conn,
            OrganizationKind::SocialOrg,
            "海曙区乐龄志愿服务社",
            &[districts[0].0],
        )?;

        let grid: i64 = places::table
            .filter(places::parent_id.eq(first_community))
            .filter(places::kind.eq("grid"))
            .select(places::id)
            .order(places::id)
            .first(conn)?;
        let (home, sub, district) = (
            Some(first_community),
            Some(subdistricts[0].0),
            Some(districts[0].0),
        );
        let resident = (Role::Resident, home, None);
        // (email, name, grants); everyone lives in 幸福社区.
        type Grant = (Role, Option<i64>, Option<i64>);
        let users: Vec<(&str, &str, Vec<Grant>)> = vec![
            (
                "admin@yishi.demo",
                "系统管理员",
                vec![(Role::Admin, None, None)],
            ),
            (
                "district-admin@yishi.demo",
                "海曙区管理员",
                vec![(Role::Admin, district, None)],
            ),
            ("resident@yishi.demo", "张阿姨", vec![resident]),
            ("resident2@yishi.demo", "李师傅", vec![resident]),
            (
                "grid@yishi.demo",
                "网格员小王",
                vec![(Role::GridWorker, Some(grid), None), resident],
            ),
            (
                "staff@yishi.demo",
                "社区书记陈敏",
                vec![(Role::CommunityStaff, home, None), resident],
            ),
            (
                "subdistrict@yishi.demo",
                "街道干部刘强",
                vec![(Role::SubdistrictStaff, sub, None)],
            ),
            (
                "cppcc@yishi.demo",
                "政协委员周文",
                vec![(Role::CppccMember, district, None), resident],
            ),
            (
                "property@yishi.demo",
                "物业经理赵磊",
                vec![(Role::PropertyFirm, home, Some(firm))],
            ),
            (
                "department@yishi.demo",
                "住建局科员孙丽",
                vec![(Role::Department, district, Some(dept))],
            ),
        ];
        for (email, name, grants) in users {
            let id = accounts::insert_user(conn, email, &hash, name, home, true)?;
            for (role, place, org) in grants {
                accounts::insert_grant(conn, id, role, place, org, None)?;
            }
        }
        Ok(())
    })
}

/// The demo accounts, for printing.
pub fn logins() -> Vec<DemoLogin> {
    let l = |email, role, place: &str| DemoLogin {
        email,
        role,
        place: place.to_string(),
    };
    vec![
        l("admin@yishi.demo", "admin (全市)", "宁波市（演示）"),
        l("district-admin@yishi.demo", "admin", "海曙区"),
        l("resident@yishi.demo", "resident 居民", "幸福社区"),
        l("resident2@yishi.demo", "resident 居民", "幸福社区"),
        l("grid@yishi.demo", "grid_worker 网格员", "幸福社区第1网格"),
        l("staff@yishi.demo", "community_staff 社区工作者", "幸福社区"),
        l(
            "subdistrict@yishi.demo",
            "subdistrict_staff 街道工作人员",
            "南门街道",
        ),
        l("cppcc@yishi.demo", "cppcc_member 政协委员", "海曙区"),
        l(
            "property@yishi.demo",
            "property_firm 物业公司",
            "幸福社区（甬城红色物业）",
        ),
        l(
            "department@yishi.demo",
            "department 职能部门",
            "海曙区（住建局）",
        ),
    ]
}

/// The demo user with `email`, acting with their grants.
fn demo_user(conn: &mut DbConn, email: &str) -> ApiResult<crate::auth::Caller> {
    let user = accounts::user_by_email(conn, email)?
        .ok_or_else(|| ApiError::internal(format!("demo user {email}")))?;
    crate::auth::caller::acting_as(conn, user.id)
}

/// Topics of 幸福社区 in every stage, driven through the real workflow functions so their
/// timelines, catalog numbers and chains are genuine.
fn seed_topics(conn: &mut DbConn, settings: &Settings) -> ApiResult<()> {
    use crate::topics::model::{
        NewEvaluation, NewTask, NewTopic, ObjectionAnswer, ObjectionDecision, PlanRequest,
        Resource, ResourceKind, TaskPatch, TaskStatus, TransitionRequest,
    };
    use crate::topics::rules::{Action, Category};
    use crate::topics::{plan, workflow};

    let community: i64 = places::table
        .filter(places::code.eq(format!("{CITY_CODE}-0-0-0")))
        .select(places::id)
        .first(conn)?;
    let firm = crate::places::queries::list_organizations(
        conn,
        Some(OrganizationKind::PropertyFirm),
        Some(community),
        None,
        1,
    )?
    .first()
    .map(|o| o.id);
    let resident = demo_user(conn, "resident@yishi.demo")?;
    let neighbours = [
        demo_user(conn, "resident2@yishi.demo")?,
        demo_user(conn, "grid@yishi.demo")?,
        demo_user(conn, "staff@yishi.demo")?,
        demo_user(conn, "cppcc@yishi.demo")?,
    ];
    let staff = demo_user(conn, "staff@yishi.demo")?;
    let sub = demo_user(conn, "subdistrict@yishi.demo")?;
    let grid = demo_user(conn, "grid@yishi.demo")?;
    let property = demo_user(conn, "property@yishi.demo")?;
    // Topics that pass the public notice in the demo do so at once.
    let mut quick = settings.clone();
    quick.workflow.notice_days = 0;

    let raise_at = |conn: &mut DbConn,
                    place_id: i64,
                    who: &crate::auth::Caller,
                    title: &str,
                    body: &str,
                    category: Category,
                    on_behalf_of: Option<i64>| {
        let new = NewTopic {
            place_id,
            title: title.into(),
            body: body.into(),
            category,
            major: None,
            on_behalf_of,
        };
        workflow::create_topic(conn, who, &new, None)
    };
    let raise = |conn: &mut DbConn,
                 who: &crate::auth::Caller,
                 title: &str,
                 body: &str,
                 category: Category,
                 on_behalf_of: Option<i64>| {
        raise_at(conn, community, who, title, body, category, on_behalf_of)
    };
    let step = |conn: &mut DbConn,
                s: &Settings,
                who: &crate::auth::Caller,
                id: i64,
                action: Action,
                text: Option<&str>| {
        let version = crate::topics::queries::topic(conn, id)?.version;
        let req = TransitionRequest {
            action,
            expected_version: version,
            note: None,
            reason: text
                .filter(|_| action == Action::Reject)
                .map(str::to_string),
            target_topic_id: None,
            decision: text
                .filter(|_| action == Action::Decide)
                .map(str::to_string),
        };
        workflow::transition(conn, s, who, id, &req)
    };
    let supported = |conn: &mut DbConn, id: i64, n: usize| -> ApiResult<()> {
        for who in neighbours.iter().take(n) {
            workflow::support(conn, who, id)?;
        }
        Ok(())
    };
    let planned =
        |conn: &mut DbConn, id: i64, summary: &str, task: &str, amount: f64| -> ApiResult<i64> {
            plan::save_plan(
                conn,
                &staff,
                id,
                &PlanRequest {
                    summary: summary.into(),
                    resources: vec![Resource {
                        kind: ResourceKind::Funds,
                        source: "住宅专项维修资金".into(),
                        amount,
                        unit: "元".into(),
                    }],
                },
            )?;
            let due = chrono::Utc::now() + chrono::Duration::days(30);
            let t = plan::add_task(
                conn,
                &staff,
                id,
                &NewTask {
                    title: task.into(),
                    organization_id: firm,
                    assignee_id: None,
                    due_at: due,
                },
            )?;
            Ok(t.id)
        };

    // 1. Closed and resolved: the lift, rated well.
    let lift = raise(
        conn,
        &resident,
        "3号楼电梯经常故障",
        "3号楼电梯一周停了三次，老人上下楼很困难，希望尽快彻底维修。",
        Category::Facilities,
        None,
    )?
    .id;
    supported(conn, lift, 4)?;
    step(conn, &quick, &staff, lift, Action::Accept, None)?;
    step(
        conn,
        &quick,
        &staff,
        lift,
        Action::Decide,
        Some("由物业更换电梯控制柜，费用从维修资金列支"),
    )?;
    let task = planned(
        conn,
        lift,
        "更换3号楼电梯控制柜并加装远程监测",
        "更换电梯控制柜",
        86000.0,
    )?;
    step(conn, &quick, &staff, lift, Action::PublishPlan, None)?;
    step(conn, &quick, &sub, lift, Action::ApprovePlan, None)?;
    plan::update_task(
        conn,
        &property,
        task,
        &TaskPatch {
            status: Some(TaskStatus::Done),
            progress_note: Some("控制柜已更换，通过特检院验收".into()),
            expected_version: 1,
        },
    )?;
    step(conn, &quick, &staff, lift, Action::Complete, None)?;
    for (who, score) in std::iter::once(&resident)
        .chain(neighbours.iter())
        .zip([5, 4, 5, 4, 4])
    {
        plan::rate(
            conn,
            &quick,
            who,
            lift,
            &NewEvaluation {
                score,
                comment: "电梯修好了，运行平稳".into(),
            },
        )?;
    }
    step(conn, &quick, &staff, lift, Action::Close, None)?;

    // 2. Evaluate: parking, being rated.
    let parking = raise(
        conn,
        &resident,
        "小区停车位严重不足，外来车辆乱停",
        "晚上车位全满，外来车辆占用消防通道。",
        Category::TrafficParking,
        None,
    )?
    .id;
    supported(conn, parking, 2)?;
    step(conn, &quick, &staff, parking, Action::Accept, None)?;
    step(
        conn,
        &quick,
        &staff,
        parking,
        Action::Decide,
        Some("施划夜间共享车位，外来车辆登记收费"),
    )?;
    let task = planned(
        conn,
        parking,
        "施划共享车位并安装道闸",
        "安装车牌识别道闸",
        42000.0,
    )?;
    step(conn, &quick, &staff, parking, Action::PublishPlan, None)?;
    step(conn, &quick, &sub, parking, Action::ApprovePlan, None)?;
    plan::update_task(
        conn,
        &property,
        task,
        &TaskPatch {
            status: Some(TaskStatus::Done),
            progress_note: Some("道闸已安装".into()),
            expected_version: 1,
        },
    )?;
    step(conn, &quick, &staff, parking, Action::Complete, None)?;
    plan::rate(
        conn,
        &quick,
        &resident,
        parking,
        &NewEvaluation {
            score: 4,
            comment: "好多了".into(),
        },
    )?;

    // 3. Act: the refuse room being rebuilt.
    let refuse = raise(
        conn,
        &resident,
        "垃圾房异味严重，需要改造",
        "夏天垃圾房异味很大，蚊蝇多，建议改造为密闭式垃圾房。",
        Category::Environment,
        None,
    )?
    .id;
    supported(conn, refuse, 3)?;
    step(conn, &quick, &staff, refuse, Action::Accept, None)?;
    step(conn, &quick, &staff, refuse, Action::Escalate, None)?;
    held_micro_consultation(conn, settings, community, refuse, firm)?;
    step(
        conn,
        &quick,
        &staff,
        refuse,
        Action::Decide,
        Some("改造为密闭式垃圾房，增加除臭设备"),
    )?;
    let task = planned(conn, refuse, "垃圾房密闭化改造", "垃圾房改造施工", 120000.0)?;
    step(conn, &quick, &staff, refuse, Action::PublishPlan, None)?;
    step(conn, &quick, &sub, refuse, Action::ApprovePlan, None)?;
    plan::update_task(
        conn,
        &property,
        task,
        &TaskPatch {
            status: Some(TaskStatus::InProgress),
            progress_note: Some("已进场施工".into()),
            expected_version: 1,
        },
    )?;

    // 4. Plan under public notice, with an answered objection.
    let canteen = raise(
        conn,
        &resident,
        "社区老年食堂用餐排队时间长",
        "中午老人排队要半小时，希望增加窗口或分时段就餐。",
        Category::ElderlyChildren,
        None,
    )?
    .id;
    supported(conn, canteen, 2)?;
    step(conn, settings, &staff, canteen, Action::Accept, None)?;
    step(
        conn,
        settings,
        &staff,
        canteen,
        Action::Decide,
        Some("增设一个打饭窗口，实行分时段就餐"),
    )?;
    planned(
        conn,
        canteen,
        "增设窗口并分时段就餐",
        "改造打饭窗口",
        15000.0,
    )?;
    step(conn, settings, &staff, canteen, Action::PublishPlan, None)?;
    let objection = plan::file_objection(
        conn,
        &neighbours[0],
        canteen,
        "分时段对上班的子女接送老人不方便",
    )?;
    plan::answer_objection(
        conn,
        &staff,
        objection.id,
        &ObjectionAnswer {
            decision: ObjectionDecision::Dismissed,
            reason: "保留不分时段的窗口一个".into(),
        },
    )?;

    // 5. Discuss: square-dance noise, escalated, with both sides.
    let noise = raise(
        conn,
        &resident,
        "夜间广场舞噪音扰民",
        "晚上九点后广场舞音响声音太大，影响休息。",
        Category::NeighbourhoodDisputes,
        None,
    )?
    .id;
    supported(conn, noise, 1)?;
    step(conn, settings, &staff, noise, Action::Accept, None)?;
    workflow::comment(
        conn,
        &neighbours[0],
        noise,
        "同意限制音量和时间",
        Some(crate::topics::rules::Stance::For),
        None,
    )?;
    workflow::comment(
        conn,
        &neighbours[3],
        noise,
        "老人锻炼也需要场地，建议协商时间",
        Some(crate::topics::rules::Stance::Against),
        None,
    )?;
    step(conn, settings, &staff, noise, Action::Escalate, None)?;
    upcoming_courtyard_meeting(conn, settings, community, noise)?;

    // 6. Say: a fire hazard raised, and a leak raised by the grid worker for a resident.
    let hallway = raise(
        conn,
        &resident,
        "楼道堆放杂物存在消防隐患",
        "5号楼楼道堆满纸箱和旧家具，一旦着火后果严重。",
        Category::Safety,
        None,
    )?
    .id;
    supported(conn, hallway, 2)?;
    let resident2 = neighbours[0].user_id;
    let patrol_grid: i64 = places::table
        .filter(places::parent_id.eq(community))
        .filter(places::kind.eq("grid"))
        .select(places::id)
        .order(places::id)
        .first(conn)?;
    raise_at(
        conn,
        patrol_grid,
        &grid,
        "独居老人家中水管漏水",
        "网格巡查发现2号楼独居老人家水管漏水，需要物业上门维修。",
        Category::Property,
        Some(resident2),
    )?;

    // 7. Closed and rejected.
    let chickens = raise(
        conn,
        &resident,
        "申请在公共绿地养鸡",
        "想在楼下绿地圈一块地养几只鸡。",
        Category::Other,
        None,
    )?
    .id;
    step(
        conn,
        settings,
        &staff,
        chickens,
        Action::Reject,
        Some("违反小区管理规约，公共绿地不得圈占"),
    )?;
    Ok(())
}

/// A concluded micro-consultation 微协商 ten days ago on `topic`, convened by the CPPCC member,
/// with invitations, attendance, minutes, an outcome and an opinion-report draft.
fn held_micro_consultation(
    conn: &mut DbConn,
    settings: &Settings,
    community: i64,
    topic: i64,
    firm: Option<i64>,
) -> ApiResult<()> {
    use crate::consultations::actions as service;
    use crate::consultations::model::*;
    use crate::consultations::rules::{
        Action, Category, Consensus, FollowUpKind, Format, Kind, Response,
    };
    let cppcc = demo_user(conn, "cppcc@yishi.demo")?;
    let sub = demo_user(conn, "subdistrict@yishi.demo")?;
    let residents = [
        demo_user(conn, "resident@yishi.demo")?,
        demo_user(conn, "resident2@yishi.demo")?,
    ];
    let start = local_at(settings, -10, 10)?;
    let m = service::create(
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
    )?;
    for r in &residents {
        service::invite(
            conn,
            settings,
            &cppcc,
            m.id,
            &NewInvitation {
                user_id: Some(r.user_id),
                organization_id: None,
                category: Category::ResidentRep,
            },
        )?;
        service::rsvp(conn, r, m.id, Response::Accepted)?;
    }
    if let Some(f) = firm {
        service::invite(
            conn,
            settings,
            &cppcc,
            m.id,
            &NewInvitation {
                user_id: None,
                organization_id: Some(f),
                category: Category::PropertyFirm,
            },
        )?;
    }
    let act = |conn: &mut DbConn, action: Action, minutes: Option<&str>| -> ApiResult<()> {
        let version = crate::consultations::queries::consultation(conn, m.id)?.version;
        service::transition(
            conn,
            settings,
            &cppcc,
            m.id,
            &ConsultationTransition {
                action,
                expected_version: version,
                minutes: minutes.map(str::to_string),
                reason: None,
            },
        )?;
        Ok(())
    };
    act(conn, Action::Schedule, None)?;
    act(conn, Action::Start, None)?;
    let invitations: Vec<i64> = crate::consultations::queries::invitations_of(conn, m.id)?
        .iter()
        .map(|i| i.id)
        .collect();
    service::attendance(
        conn,
        &cppcc,
        m.id,
        &Attendance {
            attended_invitation_ids: invitations,
        },
    )?;
    act(
        conn,
        Action::Conclude,
        Some("与会居民、物业一致认为垃圾房需密闭化改造；费用由维修资金和街道补助分担。"),
    )?;
    let item = crate::consultations::queries::agenda(conn, m.id)?
        .first()
        .map(|a| a.id)
        .ok_or_else(|| ApiError::internal("demo agenda"))?;
    service::record_outcome(
        conn,
        &sub,
        m.id,
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
    service::sign_off(conn, settings, &residents[0], m.id, None)?;
    Ok(())
}

/// A courtyard meeting 院坝协商 next week on `topic`, scheduled, with invitations.
fn upcoming_courtyard_meeting(
    conn: &mut DbConn,
    settings: &Settings,
    community: i64,
    topic: i64,
) -> ApiResult<()> {
    use crate::consultations::actions as service;
    use crate::consultations::model::*;
    use crate::consultations::rules::{Action, Category, Format, Kind, Response};
    let staff = demo_user(conn, "staff@yishi.demo")?;
    let resident = demo_user(conn, "resident@yishi.demo")?;
    let start = local_at(settings, 7, 19)?;
    let m = service::create(
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
    )?;
    service::invite(
        conn,
        settings,
        &staff,
        m.id,
        &NewInvitation {
            user_id: Some(resident.user_id),
            organization_id: None,
            category: Category::ResidentRep,
        },
    )?;
    service::rsvp(conn, &resident, m.id, Response::Tentative)?;
    let version = crate::consultations::queries::consultation(conn, m.id)?.version;
    service::transition(
        conn,
        settings,
        &staff,
        m.id,
        &ConsultationTransition {
            action: Action::Schedule,
            expected_version: version,
            minutes: None,
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
