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

/// Seeds the demo city; returns the logins (and false when it was already there).
pub fn seed(conn: &mut DbConn, settings: &Settings) -> ApiResult<(bool, Vec<DemoLogin>)> {
    if is_seeded(conn)? {
        return Ok((false, logins()));
    }
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
    })?;
    Ok((true, logins()))
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
