//! The demo city itself: the place tree, the organisations serving it and one user per
//! role. Ids follow insertion order, so the order of inserts here is part of the demo.

use super::{CITY_CODE, first_grid};
use crate::accounts::queries as accounts;
use crate::auth::Role;
use crate::auth::password::Hasher;
use crate::config::Settings;
use crate::db::{self, DbConn};
use crate::error::{ApiError, ApiResult};
use crate::places::model::OrganizationKind;
use crate::places::queries as place_q;
use crate::places::rules::PlaceKind;

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

/// A seeded place: its id and materialised path.
type Placed = (i64, String);

/// The seeded tree, in insertion order at each level.
#[derive(Default)]
struct Tree {
    districts: Vec<Placed>,
    subdistricts: Vec<Placed>,
    communities: Vec<Placed>,
}

/// The organisations users are granted through.
struct Orgs {
    firm: i64,
    dept: i64,
}

/// A role grant: role, place, organisation.
type Grant = (Role, Option<i64>, Option<i64>);

/// Places, organisations and one user per role, without topics.
pub(super) fn seed_base(conn: &mut DbConn, settings: &Settings) -> ApiResult<()> {
    let hasher = Hasher::new(&settings.auth)?;
    let hash = hasher.hash_blocking(&settings.demo.password)?;
    db::write_tx(conn, |conn| {
        let tree = insert_places(conn)?;
        let orgs = insert_organizations(conn, &tree)?;
        insert_users(conn, &hash, &tree, &orgs)
    })
}

/// The city, its districts, sub-districts, communities, grids and buildings.
fn insert_places(conn: &mut DbConn) -> ApiResult<Tree> {
    let city = place_q::insert_place(conn, None, PlaceKind::City, "宁波市（演示）", CITY_CODE)?;
    let city_path = format!("/{}/", city.id);
    let mut tree = Tree::default();
    for (di, (dname, subs)) in DISTRICTS.iter().enumerate() {
        let d = place_q::insert_place(
            conn,
            Some((city.id, &city_path)),
            PlaceKind::District,
            dname,
            &format!("{CITY_CODE}-{di}"),
        )?;
        let d_path = format!("{city_path}{}/", d.id);
        tree.districts.push((d.id, d_path.clone()));
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
            tree.subdistricts.push((s.id, s_path.clone()));
            for (ci, cname) in comms.iter().enumerate() {
                let community = insert_community(conn, (s.id, &s_path), cname, &code, ci)?;
                place_q::set_geo(conn, community.0, Some(community_point(di, si, ci)), None)?;
                tree.communities.push(community);
            }
        }
    }
    Ok(tree)
}

/// The demo point of a community (so Open311 reports find it by their coordinates): around
/// 宁波 (29.87° N, 121.54° E); communities of a sub-district about 1.2 km apart, sub-districts
/// about 3 km, districts about 9 km.
pub fn community_point(district: usize, subdistrict: usize, community: usize) -> (f64, f64) {
    (
        29.87 + district as f64 * 0.08 + subdistrict as f64 * 0.03,
        121.54 + community as f64 * 0.012,
    )
}

/// A community under `subdistrict` with two grids, each with one building.
fn insert_community(
    conn: &mut DbConn,
    subdistrict: (i64, &str),
    cname: &str,
    subdistrict_code: &str,
    ci: usize,
) -> ApiResult<Placed> {
    let (s_id, s_path) = subdistrict;
    let ccode = format!("{subdistrict_code}-{ci}");
    let c = place_q::insert_place(
        conn,
        Some((s_id, s_path)),
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
    Ok((c.id, c_path))
}

/// Two property firms, three departments, an owners' committee and a social organisation.
fn insert_organizations(conn: &mut DbConn, tree: &Tree) -> ApiResult<Orgs> {
    let first_community = first_community(tree)?;
    let all_communities: Vec<i64> = tree.communities.iter().map(|c| c.0).collect();
    let (haishu, jiangbei) = (tree.districts[0].0, tree.districts[1].0);
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
        &[haishu],
    )?;
    place_q::insert_organization(
        conn,
        OrganizationKind::Department,
        "海曙区综合行政执法局（城管）",
        &[haishu],
    )?;
    place_q::insert_organization(
        conn,
        OrganizationKind::Department,
        "江北区民政局",
        &[jiangbei],
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
        &[haishu],
    )?;
    Ok(Orgs { firm, dept })
}

/// One user per role, each with their grants; everyone lives in 幸福社区.
fn insert_users(conn: &mut DbConn, hash: &str, tree: &Tree, orgs: &Orgs) -> ApiResult<()> {
    let first_community = first_community(tree)?;
    let grid = first_grid(conn, first_community)?;
    let home = Some(first_community);
    for (email, name, grants) in users(tree, home, grid, orgs) {
        let id = accounts::insert_user(conn, email, hash, name, home, true)?;
        for (role, place, org) in grants {
            accounts::insert_grant(conn, id, role, place, org, None)?;
        }
    }
    Ok(())
}

/// (email, name, grants) of every demo user, in the order they are created.
fn users(
    tree: &Tree,
    home: Option<i64>,
    grid: i64,
    orgs: &Orgs,
) -> Vec<(&'static str, &'static str, Vec<Grant>)> {
    let sub = Some(tree.subdistricts[0].0);
    let district = Some(tree.districts[0].0);
    let resident = (Role::Resident, home, None);
    vec![
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
            vec![(Role::PropertyFirm, home, Some(orgs.firm))],
        ),
        (
            "department@yishi.demo",
            "住建局科员孙丽",
            vec![(Role::Department, district, Some(orgs.dept))],
        ),
    ]
}

/// 幸福社区, the first community seeded; the demo's stories happen there.
fn first_community(tree: &Tree) -> ApiResult<i64> {
    tree.communities
        .first()
        .map(|c| c.0)
        .ok_or_else(|| ApiError::internal("no community"))
}
