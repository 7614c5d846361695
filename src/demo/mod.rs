//! `yishi demo seed`: a plausible demo city (1 city, 2 districts, 4 sub-districts, 12
//! communities with grids), organisations, and one user for every role, all with the
//! configured demo password. Seeding twice changes nothing.
//!
//! [`city`] lays out places, organisations and users; [`topics`] drives topics of 幸福社区
//! through every stage; [`meetings`] adds the consultations those topics lead to.

mod city;
mod meetings;
mod topics;

use crate::accounts::queries as accounts;
use crate::auth::Caller;
use crate::config::Settings;
use crate::db::{self, DbConn};
use crate::error::{ApiError, ApiResult};
use crate::places::queries as place_q;
use crate::places::rules::PlaceKind;

/// Code of the demo city; its presence means the demo is seeded.
pub const CITY_CODE: &str = "demo-330200";

/// A demo account to print, so a new user knows how to sign in.
#[derive(Debug, Clone)]
pub struct DemoLogin {
    pub email: &'static str,
    pub role: &'static str,
    pub place: String,
}

/// Whether the database holds any place at all (an empty installation), so `serve` knows
/// it may seed.
pub fn is_empty(conn: &mut DbConn) -> ApiResult<bool> {
    Ok(place_q::count_places(conn)? == 0)
}

/// Whether the demo city exists, so seeding is skipped rather than repeated.
pub fn is_seeded(conn: &mut DbConn) -> ApiResult<bool> {
    Ok(place_q::place_id_by_code(conn, CITY_CODE)?.is_some())
}

/// Seeds the demo city with topics in every stage; returns the logins (and false when it
/// was already there).
pub fn seed(conn: &mut DbConn, settings: &Settings) -> ApiResult<(bool, Vec<DemoLogin>)> {
    if is_seeded(conn)? {
        return Ok((false, logins()));
    }
    db::write_tx(conn, |conn| {
        seed_base(conn, settings)?;
        topics::seed_topics(conn, settings)
    })?;
    Ok((true, logins()))
}

/// Places, organisations and one user per role, without topics (tests build their own).
pub fn seed_base(conn: &mut DbConn, settings: &Settings) -> ApiResult<()> {
    city::seed_base(conn, settings)
}

/// The demo accounts, for printing after a seed.
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
fn demo_user(conn: &mut DbConn, email: &str) -> ApiResult<Caller> {
    let user = accounts::user_by_email(conn, email)?
        .ok_or_else(|| ApiError::internal(format!("demo user {email}")))?;
    crate::auth::caller::acting_as(conn, user.id)
}

/// The first grid (by id) of `community`: 幸福社区第1网格 for the demo community.
fn first_grid(conn: &mut DbConn, community: i64) -> ApiResult<i64> {
    place_q::list_places(
        conn,
        Some(community),
        None,
        Some(PlaceKind::Grid),
        None,
        None,
        1,
    )?
    .first()
    .map(|p| p.id)
    .ok_or_else(|| ApiError::internal("demo grid"))
}
