//! `yishi bench seed --tier community|district|city|hotline`: a realistic data set written
//! straight into an empty, migrated database, for load tests (issue 12).
//!
//! Everything follows from one seed (`fastrand` with a fixed seed), so two runs give the same
//! rows. Ids are chosen here (the database is empty), rows are buffered and written in bulk
//! by [`writer`]. Derived columns are kept consistent with what the application would have
//! written: `supporters_count` equals the supports rows, catalog numbers are unique per
//! community and year, stage, resolution and stage timestamps agree, places carry their
//! materialised path and depth, and every topic's timeline is a hash chain computed with
//! [`crate::topics::events::event_hash`], so `yishi audit verify` passes.
//!
//! Not generated: one timeline event per support (a city's 2 M supports would double the
//! events table; supports appear as rows and in `supporters_count` only), meeting events on
//! topic timelines, objections, notifications and follows.

mod words;
mod writer;

use std::io::Write as _;
use std::time::Instant;

use chrono::{Duration, NaiveDate, NaiveDateTime};
use serde_json::json;

use crate::auth::Role;
use crate::db::DbConn;
use crate::error::{ApiError, ApiResult};
use crate::places::model::OrganizationKind;
use crate::places::rules::PlaceKind;
use crate::topics::events::{EventKind, GENESIS, event_hash};
use crate::topics::rules::{Category, Resolution, Source, Stage, catalog_label};
use writer::{Bulk, Tab, V};

pub use writer::ORDER as TABLES;

/// How big a data set is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tier {
    /// 1 community, ~1 k residents, 100 topics.
    Community,
    /// 1 district, 10 sub-districts, 50 communities, 50 k residents, 5 k topics.
    District,
    /// 5 districts, 50 sub-districts, 500 communities, 500 k residents, 50 k topics.
    City,
    /// The city plus 1 M topics from the 12345 hotline and Open311.
    Hotline,
}

impl std::str::FromStr for Tier {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "community" => Ok(Tier::Community),
            "district" => Ok(Tier::District),
            "city" => Ok(Tier::City),
            "hotline" => Ok(Tier::Hotline),
            _ => Err(format!(
                "unknown tier {s:?} (try: community, district, city, hotline)"
            )),
        }
    }
}

/// What a tier promises: the numbers of rows of its main kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    pub districts: usize,
    pub subdistricts: usize,
    pub communities: usize,
    pub grids_per_community: usize,
    pub buildings_per_grid: usize,
    pub residents: usize,
    pub topics: usize,
    pub comments: usize,
    pub supports: usize,
    pub meetings: usize,
    /// Extra topics from the hotline/Open311 sources (no comments, supports or ratings).
    pub hotline_topics: usize,
}

impl Tier {
    /// The tier's numbers.
    pub fn shape(self) -> Shape {
        let city = Shape {
            districts: 5,
            subdistricts: 50,
            communities: 500,
            grids_per_community: 4,
            buildings_per_grid: 3,
            residents: 500_000,
            topics: 50_000,
            comments: 400_000,
            supports: 2_000_000,
            meetings: 5_000,
            hotline_topics: 0,
        };
        match self {
            Tier::Community => Shape {
                districts: 1,
                subdistricts: 1,
                communities: 1,
                residents: 1_000,
                topics: 100,
                comments: 800,
                supports: 4_000,
                meetings: 5,
                ..city
            },
            Tier::District => Shape {
                districts: 1,
                subdistricts: 10,
                communities: 50,
                residents: 50_000,
                topics: 5_000,
                comments: 40_000,
                supports: 200_000,
                meetings: 500,
                ..city
            },
            Tier::City => city,
            Tier::Hotline => Shape {
                hotline_topics: 1_000_000,
                ..city
            },
        }
    }
}

/// One account to print after seeding.
#[derive(Debug, Clone)]
pub struct Login {
    pub email: String,
    pub role: &'static str,
    pub place: String,
}

/// What a seed wrote.
#[derive(Debug, Clone)]
pub struct SeedReport {
    pub tier: Tier,
    pub seed: u64,
    /// Rows per table, in [`TABLES`] order.
    pub rows: Vec<(&'static str, usize)>,
    pub seconds: f64,
    pub logins: Vec<Login>,
}

impl SeedReport {
    /// Rows written to `table`.
    pub fn rows_of(&self, table: &str) -> usize {
        self.rows
            .iter()
            .find(|(t, _)| *t == table)
            .map_or(0, |r| r.1)
    }
}

/// A progress bar on standard error (none when `quiet`).
struct Progress {
    quiet: bool,
    label: &'static str,
    total: usize,
    done: usize,
    shown: usize,
    started: Instant,
    drawn: Instant,
}

impl Progress {
    fn new(quiet: bool) -> Self {
        Progress {
            quiet,
            label: "",
            total: 1,
            done: 0,
            shown: usize::MAX,
            started: Instant::now(),
            drawn: Instant::now(),
        }
    }

    fn stage(&mut self, label: &'static str, total: usize) {
        self.finish_line();
        self.label = label;
        self.total = total.max(1);
        self.done = 0;
        self.shown = usize::MAX;
        self.draw();
    }

    fn tick(&mut self) {
        self.done += 1;
        // At most ten redraws a second.
        if self.done * 100 / self.total != self.shown
            && self.drawn.elapsed() >= std::time::Duration::from_millis(100)
        {
            self.draw();
        }
    }

    fn draw(&mut self) {
        let pct = (self.done * 100 / self.total).min(100);
        self.shown = pct;
        self.drawn = Instant::now();
        if self.quiet {
            return;
        }
        let bar: String = (0..40)
            .map(|i| if i * 100 < pct * 40 { '#' } else { '-' })
            .collect();
        let mut err = std::io::stderr();
        let _ = write!(
            err,
            "\r{:<14} [{bar}] {pct:>3}% {}/{} {:>6.1}s",
            self.label,
            self.done,
            self.total,
            self.started.elapsed().as_secs_f64()
        );
        let _ = err.flush();
    }

    fn finish_line(&mut self) {
        if !self.quiet && !self.label.is_empty() {
            self.done = self.total;
            self.draw();
            eprintln!();
        }
    }
}

/// The first instant of the generated history and the "now" it ends at.
fn start() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2024, 1, 1)
        .and_then(|d| d.and_hms_opt(8, 0, 0))
        .unwrap_or_default()
}

/// The end of the generated history: nothing is dated later.
pub fn end() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 11, 30)
        .and_then(|d| d.and_hms_opt(20, 0, 0))
        .unwrap_or_default()
}

/// The seeded place tree.
struct Tree {
    /// (id, name)
    districts: Vec<(i64, String)>,
    /// (id, name, district index)
    subdistricts: Vec<(i64, String, usize)>,
    /// (id, name, subdistrict index, first grid id); a community's grids and buildings follow
    /// its id contiguously: grid g is `first_grid + g * (1 + buildings_per_grid)`.
    communities: Vec<(i64, String, usize, i64)>,
}

/// Accounts other than residents, by index of the place or organisation they serve.
struct Staff {
    community_staff: Vec<i64>,
    /// Per community, one per grid.
    grid_workers: Vec<Vec<i64>>,
    /// Per district.
    cppcc: Vec<Vec<i64>>,
    /// Per community: its property firm's organisation id.
    firm_of: Vec<i64>,
    /// Per district: department organisation ids.
    departments: Vec<Vec<i64>>,
    first_resident: i64,
}

struct Gen<'a> {
    rng: fastrand::Rng,
    bulk: Bulk,
    shape: Shape,
    hash: &'a str,
    ids: std::collections::HashMap<&'static str, i64>,
    progress: Progress,
    logins: Vec<Login>,
    /// The last catalog number taken per (community index, year).
    catalog: std::collections::HashMap<(usize, i32), i32>,
}

/// `yishi bench seed`: writes `tier` generated from `seed` into `conn`, which must be an
/// empty, migrated database. `password_hash` is the one hash every account gets (hashed
/// once by the caller). Progress goes to standard error unless `quiet`.
pub fn seed(
    conn: &mut DbConn,
    tier: Tier,
    seed: u64,
    password_hash: &str,
    quiet: bool,
) -> ApiResult<SeedReport> {
    use diesel::prelude::*;

    use crate::db::schema::{places, topics, users};
    let started = Instant::now();
    let existing = places::table.count().get_result::<i64>(conn)?
        + users::table.count().get_result::<i64>(conn)?
        + topics::table.count().get_result::<i64>(conn)?;
    if existing > 0 {
        return Err(ApiError::internal(
            "bench seed needs an empty database (places, users and topics are not)",
        ));
    }
    let mut g = Gen {
        rng: fastrand::Rng::with_seed(seed),
        bulk: Bulk::new(conn),
        shape: tier.shape(),
        hash: password_hash,
        ids: Default::default(),
        progress: Progress::new(quiet),
        logins: Vec::new(),
        catalog: Default::default(),
    };
    crate::db::write_tx(conn, |conn| {
        let tree = g.places(conn)?;
        let staff = g.accounts(conn, &tree)?;
        let titles = g.topics(conn, &tree, &staff, false)?;
        g.meetings(conn, &tree, &staff, &titles)?;
        // Last, so that the hotline tier is the city tier, row for row, plus these.
        if g.shape.hotline_topics > 0 {
            g.topics(conn, &tree, &staff, true)?;
        }
        g.bulk.flush(conn)?;
        g.progress.finish_line();
        writer::finish(conn)
    })?;
    Ok(SeedReport {
        tier,
        seed,
        rows: writer::ORDER
            .iter()
            .map(|t| (t.name, g.bulk.count(t)))
            .collect(),
        seconds: started.elapsed().as_secs_f64(),
        logins: g.logins,
    })
}

impl Gen<'_> {
    /// The next id of `t` (ids start at 1 in an empty database).
    fn id(&mut self, t: &Tab) -> i64 {
        let n = self.ids.entry(t.name).or_insert(0);
        *n += 1;
        *n
    }

    fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.rng.usize(..xs.len())]
    }

    fn place(
        &mut self,
        conn: &mut DbConn,
        parent: Option<(i64, &str)>,
        kind: PlaceKind,
        name: &str,
        code: &str,
    ) -> ApiResult<(i64, String)> {
        let id = self.id(&writer::PLACES);
        let path = crate::places::rules::child_path(parent.map(|p| p.1), id);
        let depth = parent.map_or(0, |p| crate::places::rules::path_ids(p.1).len() as i64);
        self.bulk.row(
            conn,
            &writer::PLACES,
            &[
                V::I(id),
                parent.map(|p| p.0).into(),
                V::S(kind.as_str()),
                V::S(name),
                V::S(code),
                V::S(&path),
                V::I(depth),
                V::D(start() - Duration::days(30)),
            ],
        )?;
        Ok((id, path))
    }

    /// City, districts, sub-districts, communities, grids and buildings.
    fn places(&mut self, conn: &mut DbConn) -> ApiResult<Tree> {
        let s = self.shape;
        let per_community = 1 + s.grids_per_community * (1 + s.buildings_per_grid);
        self.progress.stage(
            "places",
            1 + s.districts + s.subdistricts + s.communities * per_community,
        );
        let (city, city_path) = self.place(conn, None, PlaceKind::City, "甬城市（压测）", "b")?;
        self.progress.tick();
        let mut tree = Tree {
            districts: Vec::new(),
            subdistricts: Vec::new(),
            communities: Vec::new(),
        };
        let mut paths = Vec::new();
        for d in 0..s.districts {
            let name = match words::DISTRICT_NAMES.get(d) {
                Some(n) => (*n).to_string(),
                None => format!("第{}区", d + 1),
            };
            let (id, path) = self.place(
                conn,
                Some((city, &city_path)),
                PlaceKind::District,
                &name,
                &format!("b-d{d}"),
            )?;
            self.progress.tick();
            tree.districts.push((id, name));
            paths.push(path);
        }
        let mut sub_paths = Vec::new();
        for si in 0..s.subdistricts {
            let d = si * s.districts / s.subdistricts;
            let name = format!(
                "{}第{}街道",
                tree.districts[d].1.trim_end_matches('区'),
                si + 1
            );
            let (id, path) = self.place(
                conn,
                Some((tree.districts[d].0, &paths[d])),
                PlaceKind::Subdistrict,
                &name,
                &format!("b-s{si}"),
            )?;
            self.progress.tick();
            tree.subdistricts.push((id, name, d));
            sub_paths.push(path);
        }
        for c in 0..s.communities {
            let si = c * s.subdistricts / s.communities;
            let base = words::COMMUNITY_NAMES[c % words::COMMUNITY_NAMES.len()];
            let round = c / words::COMMUNITY_NAMES.len();
            let name = if round == 0 {
                format!("{base}社区")
            } else {
                format!("{base}{}社区", round + 1)
            };
            let code = format!("b-c{c}");
            let (id, path) = self.place(
                conn,
                Some((tree.subdistricts[si].0, &sub_paths[si])),
                PlaceKind::Community,
                &name,
                &code,
            )?;
            self.progress.tick();
            let mut first_grid = 0;
            for gi in 0..s.grids_per_community {
                let (grid, grid_path) = self.place(
                    conn,
                    Some((id, &path)),
                    PlaceKind::Grid,
                    &format!("{name}第{}网格", gi + 1),
                    &format!("{code}-g{gi}"),
                )?;
                self.progress.tick();
                if gi == 0 {
                    first_grid = grid;
                }
                for b in 0..s.buildings_per_grid {
                    let n = gi * s.buildings_per_grid + b + 1;
                    self.place(
                        conn,
                        Some((grid, &grid_path)),
                        PlaceKind::Building,
                        &format!("{name}{n}号楼"),
                        &format!("{code}-g{gi}-b{n}"),
                    )?;
                    self.progress.tick();
                }
            }
            tree.communities.push((id, name, si, first_grid));
        }
        Ok(tree)
    }

    fn organization(
        &mut self,
        conn: &mut DbConn,
        kind: OrganizationKind,
        name: &str,
        places: &[i64],
    ) -> ApiResult<i64> {
        let id = self.id(&writer::ORGANIZATIONS);
        let at = start() - Duration::days(30);
        self.bulk.row(
            conn,
            &writer::ORGANIZATIONS,
            &[V::I(id), V::S(kind.as_str()), V::S(name), V::D(at)],
        )?;
        for p in places {
            self.bulk
                .row(conn, &writer::ORGANIZATION_PLACES, &[V::I(id), V::I(*p)])?;
        }
        Ok(id)
    }

    fn user(
        &mut self,
        conn: &mut DbConn,
        email: &str,
        name: &str,
        home: Option<i64>,
        grants: &[(Role, Option<i64>, Option<i64>)],
    ) -> ApiResult<i64> {
        let id = self.id(&writer::USERS);
        let at = start() - Duration::days(20) + Duration::seconds(self.rng.i64(0..86_400 * 10));
        let public = self.rng.u8(..10) < 3;
        let hash = self.hash;
        self.bulk.row(
            conn,
            &writer::USERS,
            &[
                V::I(id),
                V::S(email),
                V::S(hash),
                V::S(name),
                home.into(),
                V::D(at),
                V::B(false),
                V::D(at),
                V::D(at),
                V::B(public),
            ],
        )?;
        for (role, place, org) in grants {
            let g = self.id(&writer::ROLE_GRANTS);
            self.bulk.row(
                conn,
                &writer::ROLE_GRANTS,
                &[
                    V::I(g),
                    V::I(id),
                    V::S(role.as_str()),
                    (*place).into(),
                    (*org).into(),
                    V::N,
                    V::D(at),
                ],
            )?;
        }
        Ok(id)
    }

    fn person(&mut self) -> String {
        let s = self.pick(words::SURNAMES);
        let g = self.pick(words::GIVEN);
        format!("{s}{g}")
    }

    fn login(&mut self, email: &str, role: &'static str, place: &str) {
        self.logins.push(Login {
            email: email.to_string(),
            role,
            place: place.to_string(),
        });
    }

    /// Organisations, staff of every kind, and the residents.
    fn accounts(&mut self, conn: &mut DbConn, tree: &Tree) -> ApiResult<Staff> {
        let s = self.shape;
        let per_grid = 1 + s.buildings_per_grid;
        // Organisations: a property firm per 10 communities, three departments and a social
        // organisation per district, an owners' committee per community.
        let mut firm_of = Vec::new();
        let mut firms = Vec::new();
        for (k, chunk) in tree.communities.chunks(10).enumerate() {
            let ids: Vec<i64> = chunk.iter().map(|c| c.0).collect();
            let f = self.organization(
                conn,
                OrganizationKind::PropertyFirm,
                &format!("甬城第{}物业服务有限公司", k + 1),
                &ids,
            )?;
            firms.push((f, ids.clone()));
            firm_of.extend(ids.iter().map(|_| f));
        }
        let mut departments = Vec::new();
        for (d, name) in tree.districts.clone() {
            let mut ds = Vec::new();
            for dept in ["住房和城乡建设局", "综合行政执法局（城管）", "民政局"]
            {
                ds.push(self.organization(
                    conn,
                    OrganizationKind::Department,
                    &format!("{name}{dept}"),
                    &[d],
                )?);
            }
            self.organization(
                conn,
                OrganizationKind::SocialOrg,
                &format!("{name}乐龄志愿服务社"),
                &[d],
            )?;
            departments.push(ds);
        }
        for (c, name, _, _) in tree.communities.clone() {
            self.organization(
                conn,
                OrganizationKind::OwnersCommittee,
                &format!("{name}业主委员会"),
                &[c],
            )?;
        }

        let staff_count = 1
            + tree.districts.len() * 6
            + tree.subdistricts.len()
            + tree.communities.len() * (1 + s.grids_per_community)
            + firms.len();
        self.progress.stage("accounts", staff_count + s.residents);
        let admin = "admin@bench.yishi";
        self.user(
            conn,
            admin,
            "系统管理员",
            None,
            &[(Role::Admin, None, None)],
        )?;
        self.login(admin, "admin (全市)", "甬城市（压测）");
        self.progress.tick();
        let c0 = tree.communities[0].0;
        let mut cppcc = Vec::new();
        for (d, (did, dname)) in tree.districts.clone().into_iter().enumerate() {
            let e = format!("admin-d{d}@bench.yishi");
            self.user(
                conn,
                &e,
                &format!("{dname}管理员"),
                None,
                &[(Role::Admin, Some(did), None)],
            )?;
            // A community of this district, for the members' own residence.
            let home = tree
                .communities
                .iter()
                .find(|c| tree.subdistricts[c.2].2 == d)
                .map_or(c0, |c| c.0);
            let mut members = Vec::new();
            for i in 0..2 {
                let e = format!("cppcc-d{d}-{i}@bench.yishi");
                let name = format!("政协委员{}", self.person());
                let grants = [
                    (Role::CppccMember, Some(did), None),
                    (Role::Resident, Some(home), None),
                ];
                members.push(self.user(conn, &e, &name, Some(home), &grants)?);
                if d == 0 && i == 0 {
                    self.login(&e, "cppcc_member 政协委员", &dname);
                }
            }
            cppcc.push(members);
            for (k, org) in departments[d].clone().into_iter().enumerate() {
                let e = format!("dept-d{d}-{k}@bench.yishi");
                let name = format!("职能部门科员{}", self.person());
                self.user(
                    conn,
                    &e,
                    &name,
                    None,
                    &[(Role::Department, Some(did), Some(org))],
                )?;
                if d == 0 && k == 0 {
                    self.login(&e, "department 职能部门", &format!("{dname}住建局"));
                }
            }
            if d == 0 {
                self.login(&e, "admin", &dname);
            }
            for _ in 0..6 {
                self.progress.tick();
            }
        }
        for (si, (sid, sname, _)) in tree.subdistricts.clone().into_iter().enumerate() {
            let e = format!("subdistrict-{si}@bench.yishi");
            let name = format!("街道干部{}", self.person());
            self.user(
                conn,
                &e,
                &name,
                None,
                &[(Role::SubdistrictStaff, Some(sid), None)],
            )?;
            if si == 0 {
                self.login(&e, "subdistrict_staff 街道工作人员", &sname);
            }
            self.progress.tick();
        }
        let mut community_staff = Vec::new();
        let mut grid_workers = Vec::new();
        for (ci, (cid, cname, _, first_grid)) in tree.communities.clone().into_iter().enumerate() {
            let e = format!("staff-{ci}@bench.yishi");
            let name = format!("社区工作者{}", self.person());
            let grants = [
                (Role::CommunityStaff, Some(cid), None),
                (Role::Resident, Some(cid), None),
            ];
            community_staff.push(self.user(conn, &e, &name, Some(cid), &grants)?);
            if ci == 0 {
                self.login(&e, "community_staff 社区工作者", &cname);
            }
            self.progress.tick();
            let mut gws = Vec::new();
            for gi in 0..s.grids_per_community {
                let grid = first_grid + (gi * per_grid) as i64;
                let e = format!("grid-{ci}-{gi}@bench.yishi");
                let name = format!("网格员{}", self.person());
                let grants = [
                    (Role::GridWorker, Some(grid), None),
                    (Role::Resident, Some(cid), None),
                ];
                gws.push(self.user(conn, &e, &name, Some(cid), &grants)?);
                if ci == 0 && gi == 0 {
                    self.login(&e, "grid_worker 网格员", &format!("{cname}第1网格"));
                }
                self.progress.tick();
            }
            grid_workers.push(gws);
        }
        for (k, (org, communities)) in firms.into_iter().enumerate() {
            let e = format!("firm-{k}@bench.yishi");
            let grants: Vec<_> = communities
                .iter()
                .map(|c| (Role::PropertyFirm, Some(*c), Some(org)))
                .collect();
            let name = format!("物业经理{}", self.person());
            self.user(conn, &e, &name, None, &grants)?;
            if k == 0 {
                let place = tree.communities[0].1.clone();
                self.login(&e, "property_firm 物业公司", &place);
            }
            self.progress.tick();
        }
        // Residents: resident n lives in community n % C, in one of its buildings.
        let first_resident = self.ids.get(writer::USERS.name).copied().unwrap_or(0) + 1;
        let c_count = tree.communities.len();
        for n in 0..s.residents {
            let (cid, cname, _, first_grid) = &tree.communities[n % c_count];
            let (cid, first_grid) = (*cid, *first_grid);
            let gi = self.rng.usize(..s.grids_per_community);
            let b = self.rng.usize(..s.buildings_per_grid);
            let building = first_grid + (gi * per_grid + 1 + b) as i64;
            let e = format!("resident-{n}@bench.yishi");
            let name = self.person();
            self.user(
                conn,
                &e,
                &name,
                Some(building),
                &[(Role::Resident, Some(cid), None)],
            )?;
            if n < 2 {
                let place = cname.clone();
                self.login(&e, "resident 居民", &place);
            }
            self.progress.tick();
        }
        Ok(Staff {
            community_staff,
            grid_workers,
            cppcc,
            firm_of,
            departments,
            first_resident,
        })
    }

    /// Residents of community `c` (of `count` communities).
    fn residents_of(&self, c: usize, count: usize) -> usize {
        self.shape.residents / count + usize::from(c < self.shape.residents % count)
    }

    /// Resident `j` of community `c`.
    fn resident(&self, staff: &Staff, c: usize, j: usize, count: usize) -> i64 {
        staff.first_resident + (c + count * j) as i64
    }

    /// Topics with their timelines, comments, supports, plans, tasks and ratings; returns
    /// per community the (id, title) of its main topics, for meeting agendas.
    fn topics(
        &mut self,
        conn: &mut DbConn,
        tree: &Tree,
        staff: &Staff,
        hotline: bool,
    ) -> ApiResult<Vec<Vec<(i64, String)>>> {
        let s = self.shape;
        let count = tree.communities.len();
        let total = if hotline { s.hotline_topics } else { s.topics };
        // Supports and comments per topic: skewed (a few popular topics) yet summing exactly
        // to the tier's totals. Hotline work orders have neither.
        let (supports, comments) = if hotline {
            (vec![0; total], vec![0; total])
        } else {
            (
                self.spread(total, s.supports),
                self.spread(total, s.comments),
            )
        };
        let mut titles = vec![Vec::new(); count];
        let mut catalog = std::mem::take(&mut self.catalog);
        self.progress
            .stage(if hotline { "hotline" } else { "topics" }, total);
        let span = (end() - start()).num_seconds() - 86_400 * 3;
        for i in 0..total {
            let created = start()
                + Duration::seconds(span * i as i64 / total.max(1) as i64 + self.rng.i64(0..600));
            let c = self.rng.usize(..count);
            let spec = TopicSpec {
                c,
                created,
                supports: supports[i],
                comments: comments[i],
                hotline,
            };
            let (id, title) = self.topic(conn, tree, staff, &mut catalog, spec)?;
            if !hotline {
                titles[c].push((id, title));
            }
            self.progress.tick();
        }
        self.catalog = catalog;
        Ok(titles)
    }

    /// `total` spread over `n` items, some far more than others, summing to `total`.
    fn spread(&mut self, n: usize, total: usize) -> Vec<usize> {
        if n == 0 {
            return Vec::new();
        }
        let weights: Vec<u64> = (0..n)
            .map(|_| {
                let w = self.rng.u64(1..=100);
                if self.rng.u8(..20) == 0 { w * 8 } else { w }
            })
            .collect();
        let sum: u64 = weights.iter().sum();
        let mut out: Vec<usize> = weights
            .iter()
            .map(|w| (total as u128 * *w as u128 / sum as u128) as usize)
            .collect();
        let mut rest = total - out.iter().sum::<usize>();
        let mut i = 0;
        while rest > 0 {
            out[i % n] += 1;
            rest -= 1;
            i += 1;
        }
        out
    }

    /// Appends one event to a topic's chain.
    #[allow(clippy::too_many_arguments)]
    fn event(
        &mut self,
        conn: &mut DbConn,
        chain: &mut Chain,
        kind: EventKind,
        actor: i64,
        stages: (Option<Stage>, Option<Stage>),
        note: Option<&str>,
        payload: serde_json::Value,
        at: NaiveDateTime,
    ) -> ApiResult<()> {
        chain.seq += 1;
        let payload = payload.to_string();
        let hash = event_hash(
            chain.topic,
            chain.seq,
            kind.as_str(),
            Some(actor),
            stages.0.map(Stage::as_str),
            stages.1.map(Stage::as_str),
            note,
            &payload,
            at,
            &chain.prev,
        );
        let id = self.id(&writer::TOPIC_EVENTS);
        self.bulk.row(
            conn,
            &writer::TOPIC_EVENTS,
            &[
                V::I(id),
                V::I(chain.topic),
                V::I(i64::from(chain.seq)),
                V::S(kind.as_str()),
                V::I(actor),
                stages.0.map(Stage::as_str).into(),
                stages.1.map(Stage::as_str).into(),
                note.into(),
                V::S(&payload),
                V::D(at),
                V::S(&chain.prev),
                V::S(&hash),
            ],
        )?;
        chain.prev = hash;
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn transition(
        &mut self,
        conn: &mut DbConn,
        chain: &mut Chain,
        actor: i64,
        (from, to): (Stage, Stage),
        action: &str,
        note: Option<&str>,
        extra: (Option<&str>, Option<Resolution>),
        at: NaiveDateTime,
    ) -> ApiResult<()> {
        let payload = json!({
            "action": action,
            "reason": if action == "reject" { note } else { None },
            "decision": if action == "decide" { note } else { None },
            "target_topic_id": null,
            "catalog_no": extra.0,
            "resolution": extra.1.map(Resolution::as_str),
        });
        self.event(
            conn,
            chain,
            EventKind::Transition,
            actor,
            (Some(from), Some(to)),
            note,
            payload,
            at,
        )
    }

    /// One topic and everything hanging off it.
    fn topic(
        &mut self,
        conn: &mut DbConn,
        tree: &Tree,
        staff: &Staff,
        catalog: &mut std::collections::HashMap<(usize, i32), i32>,
        spec: TopicSpec,
    ) -> ApiResult<(i64, String)> {
        let s = self.shape;
        let count = tree.communities.len();
        let c = spec.c;
        let (cid, _, si, first_grid) = tree.communities[c];
        let district = tree.subdistricts[si].2;
        let per_c = self.residents_of(c, count).max(1);
        let staff_id = staff.community_staff[c];
        let resident_j = self.rng.usize(..per_c);
        let resident = self.resident(staff, c, resident_j, count);
        // Who files it, through which door.
        let roll = self.rng.u8(..100);
        let (source, author, on_behalf) = if spec.hotline {
            let src = if roll < 70 {
                Source::Hotline
            } else {
                Source::Open311
            };
            (src, staff_id, Some(resident))
        } else if roll < 80 {
            (Source::Resident, resident, None)
        } else if roll < 90 {
            let gw = self.pick(&staff.grid_workers[c]);
            (Source::GridWorker, gw, Some(resident))
        } else if roll < 97 {
            (Source::Staff, staff_id, None)
        } else {
            let m = self.pick(&staff.cppcc[district]);
            (Source::Cppcc, m, None)
        };
        // Where: the community, a grid or a building.
        let per_grid = 1 + s.buildings_per_grid;
        let place = match self.rng.u8(..3) {
            0 => cid,
            1 => first_grid + (self.rng.usize(..s.grids_per_community) * per_grid) as i64,
            _ => {
                first_grid
                    + (self.rng.usize(..s.grids_per_community) * per_grid
                        + 1
                        + self.rng.usize(..s.buildings_per_grid)) as i64
            }
        };
        let cat_i = self.rng.usize(..words::PROBLEMS.len());
        let category = Category::ALL[cat_i];
        let spot = self.pick(words::SPOTS);
        let spot = if spot == "号楼" {
            format!(
                "{}号楼",
                self.rng
                    .usize(1..=s.grids_per_community * s.buildings_per_grid)
            )
        } else {
            spot.to_string()
        };
        let problem = self.pick(words::PROBLEMS[cat_i]);
        let ending = self.pick(words::TITLE_ENDS);
        let title = format!("{spot}{problem}{ending}");
        let mut body = format!("{spot}{problem}。");
        for _ in 0..self.rng.usize(2..=4) {
            body.push_str(self.pick(words::SENTENCES));
        }

        // Where the story ends: the target stage (resolution for closed ones), by age: recent
        // topics are mostly still being said and discussed, old ones mostly closed.
        let age_days = (end() - spec.created).num_days();
        let weights: [u32; 8] = match (spec.hotline, age_days) {
            (true, 0..30) => [30, 30, 10, 20, 0, 10, 0, 0],
            (true, _) => [0, 3, 0, 7, 2, 10, 0, 78],
            (false, 0..30) => [35, 35, 10, 5, 0, 10, 5, 0],
            (false, 30..120) => [8, 22, 20, 25, 12, 6, 3, 4],
            (false, 120..365) => [2, 6, 6, 20, 12, 8, 4, 42],
            (false, _) => [1, 2, 2, 5, 3, 10, 5, 72],
        };
        let outcomes = [
            (Stage::Say, None),
            (Stage::Discuss, None),
            (Stage::Plan, None),
            (Stage::Act, None),
            (Stage::Evaluate, None),
            (Stage::Closed, Some(Resolution::Rejected)),
            (Stage::Closed, Some(Resolution::Withdrawn)),
            (Stage::Closed, Some(Resolution::Resolved)),
        ];
        let mut roll = self.rng.u32(..weights.iter().sum::<u32>());
        let mut pick = outcomes.len() - 1;
        for (k, w) in weights.iter().enumerate() {
            if roll < *w {
                pick = k;
                break;
            }
            roll -= w;
        }
        let (target, resolution) = outcomes[pick];
        // Stage times; the story stops early where a step would fall after the end.
        let day = |r: &mut fastrand::Rng, lo: i64, hi: i64| {
            Duration::seconds(r.i64(lo * 86_400..hi * 86_400))
        };
        let created = spec.created;
        let mut t = Times {
            discuss: None,
            plan: None,
            act: None,
            evaluate: None,
            closed: None,
        };
        let reached = |x: NaiveDateTime| x <= end();
        let mut stage = Stage::Say;
        let mut res = None;
        let rejected_early = resolution == Some(Resolution::Rejected);
        let withdrawn = resolution == Some(Resolution::Withdrawn);
        let accepted_at = created + day(&mut self.rng, 1, 5);
        if rejected_early {
            if reached(accepted_at) {
                stage = Stage::Closed;
                res = resolution;
                t.closed = Some(accepted_at);
            }
        } else if target != Stage::Say && reached(accepted_at) {
            stage = Stage::Discuss;
            t.discuss = Some(accepted_at);
            let go = [
                (Stage::Plan, 7, 30),
                (Stage::Act, 7, 21),
                (Stage::Evaluate, 10, 60),
                (Stage::Closed, 7, 15),
            ];
            let last = if withdrawn { Stage::Discuss } else { target };
            let mut at = accepted_at;
            for (next, lo, hi) in go {
                if stage == last {
                    break;
                }
                let next_at = at + day(&mut self.rng, lo, hi);
                if !reached(next_at) {
                    break;
                }
                at = next_at;
                stage = next;
                match next {
                    Stage::Plan => t.plan = Some(at),
                    Stage::Act => t.act = Some(at),
                    Stage::Evaluate => t.evaluate = Some(at),
                    _ => {
                        t.closed = Some(at);
                        res = Some(Resolution::Resolved);
                    }
                }
            }
            if withdrawn {
                let w = at + day(&mut self.rng, 3, 20);
                if reached(w) {
                    stage = Stage::Closed;
                    res = Some(Resolution::Withdrawn);
                    t.closed = Some(w);
                }
            }
        }
        let catalog_no = t.discuss.map(|d| {
            let year = chrono::Datelike::year(&d);
            let seq = catalog.entry((c, year)).or_insert(0);
            *seq += 1;
            (year, *seq, catalog_label(year, *seq))
        });

        let id = self.id(&writer::TOPICS);
        let mut chain = Chain {
            topic: id,
            seq: 0,
            prev: GENESIS.to_string(),
        };
        // The support and comment window: say (and discuss), until the next step or the end.
        let open_from = created;
        let open_until = t.plan.or(t.closed).unwrap_or_else(end).min(end());
        let n_supports = spec.supports.min(per_c);
        let mut supports = Vec::with_capacity(n_supports);
        let first = self.rng.usize(..per_c);
        let window = (open_until - open_from).num_seconds().max(1);
        for k in 0..n_supports {
            let user = self.resident(staff, c, (first + k) % per_c, count);
            let at = open_from + Duration::seconds(self.rng.i64(0..window));
            supports.push((user, at));
        }
        let decision = t.plan.map(|_| self.pick(words::PLANS).to_string());
        let transitions = [t.discuss, t.plan, t.act, t.evaluate, t.closed]
            .iter()
            .filter(|x| x.is_some())
            .count() as i64;
        let mut updated = t
            .closed
            .or(t.evaluate)
            .or(t.act)
            .or(t.plan)
            .or(t.discuss)
            .unwrap_or(created);
        let eval_closes = t.evaluate.map(|e| e + Duration::days(14));
        // Events after the topic row; `updated_at` is fixed up from the last event below.
        let mut rows: Vec<Ev> = Vec::new();
        rows.push(Ev::Created(created));
        // Comments with their events, in time order.
        let mut times: Vec<NaiveDateTime> = (0..spec.comments)
            .map(|_| open_from + Duration::seconds(self.rng.i64(1..window.max(2))))
            .collect();
        times.sort();
        for at in times {
            rows.push(Ev::Comment(at));
        }
        if let Some(d) = t.discuss {
            rows.push(Ev::Accept(d));
        }
        if let Some(p) = t.plan {
            rows.push(Ev::Decide(p));
        }
        if let Some(a) = t.act {
            rows.push(Ev::Approve(a));
        }
        if let Some(e) = t.evaluate {
            rows.push(Ev::Complete(e));
        }
        if let Some(x) = t.closed {
            rows.push(Ev::Close(x));
        }
        rows.sort_by_key(Ev::at);
        if let Some(last) = rows.last() {
            updated = updated.max(last.at());
        }
        self.bulk.row(
            conn,
            &writer::TOPICS,
            &[
                V::I(id),
                V::I(place),
                V::I(cid),
                V::S(&title),
                V::S(&body),
                V::S(category.as_str()),
                V::S(source.as_str()),
                V::I(author),
                on_behalf.into(),
                V::S(stage.as_str()),
                res.map(Resolution::as_str).into(),
                catalog_no.as_ref().map(|c| i64::from(c.0)).into(),
                catalog_no.as_ref().map(|c| i64::from(c.1)).into(),
                catalog_no.as_ref().map(|c| c.2.as_str()).into(),
                V::B(false),
                V::B(self.rng.u8(..50) == 0),
                V::I(n_supports as i64),
                decision.as_deref().into(),
                V::N,
                V::I(1 + transitions),
                V::I(i64::from(t.evaluate.is_some())),
                eval_closes.into(),
                V::D(created),
                V::D(updated),
                t.discuss.into(),
                t.plan.into(),
                t.act.into(),
                t.evaluate.into(),
                t.closed.into(),
            ],
        )?;
        for (user, at) in &supports {
            self.bulk
                .row(conn, &writer::SUPPORTS, &[V::I(id), V::I(*user), V::D(*at)])?;
        }
        let mut last_comment: Option<i64> = None;
        let firm = staff.firm_of[c];
        for ev in rows {
            match ev {
                Ev::Created(at) => {
                    let payload = json!({"source": source.as_str(), "on_behalf_of": on_behalf, "major": false});
                    self.event(
                        conn,
                        &mut chain,
                        EventKind::Created,
                        author,
                        (None, Some(Stage::Say)),
                        None,
                        payload,
                        at,
                    )?;
                }
                Ev::Comment(at) => {
                    let discussing = t.discuss.is_some_and(|d| at >= d);
                    let stance = if discussing { self.rng.usize(..3) } else { 2 };
                    let stance_name = ["for", "against", "neutral"][stance];
                    let text = self.pick(words::COMMENTS[stance]);
                    let j = self.rng.usize(..per_c);
                    let who = self.resident(staff, c, j, count);
                    let parent = last_comment.filter(|_| self.rng.u8(..4) == 0);
                    let cm = self.id(&writer::COMMENTS);
                    self.bulk.row(
                        conn,
                        &writer::COMMENTS,
                        &[
                            V::I(cm),
                            V::I(id),
                            V::I(who),
                            parent.into(),
                            V::S(text),
                            V::S(stance_name),
                            V::B(false),
                            V::N,
                            V::N,
                            V::D(at),
                        ],
                    )?;
                    last_comment = Some(cm);
                    let payload = json!({"comment_id": cm, "stance": stance_name});
                    self.event(
                        conn,
                        &mut chain,
                        EventKind::Commented,
                        who,
                        (None, None),
                        None,
                        payload,
                        at,
                    )?;
                }
                Ev::Accept(at) => {
                    let no = catalog_no.as_ref().map(|c| c.2.as_str());
                    self.transition(
                        conn,
                        &mut chain,
                        staff_id,
                        (Stage::Say, Stage::Discuss),
                        "accept",
                        Some("受理，进入议事"),
                        (no, None),
                        at,
                    )?;
                }
                Ev::Decide(at) => {
                    let d = decision.as_deref();
                    self.transition(
                        conn,
                        &mut chain,
                        staff_id,
                        (Stage::Discuss, Stage::Plan),
                        "decide",
                        d,
                        (None, None),
                        at,
                    )?;
                    // The plan: saved, published for notice, approved when the act step begins.
                    let summary = decision.as_deref().unwrap_or_default();
                    let saved = at + Duration::days(1);
                    let saved = saved.min(t.act.unwrap_or(saved));
                    self.plan(conn, &mut chain, id, staff_id, summary, saved, t.act, firm)?;
                }
                Ev::Approve(at) => {
                    self.transition(
                        conn,
                        &mut chain,
                        staff_id,
                        (Stage::Plan, Stage::Act),
                        "approve_plan",
                        None,
                        (None, None),
                        at,
                    )?;
                    self.tasks(conn, &mut chain, id, staff_id, firm, at, t.evaluate)?;
                }
                Ev::Complete(at) => {
                    self.transition(
                        conn,
                        &mut chain,
                        staff_id,
                        (Stage::Act, Stage::Evaluate),
                        "complete",
                        Some("已完工，请居民评价"),
                        (None, None),
                        at,
                    )?;
                    if !spec.hotline {
                        let close = t.closed.unwrap_or_else(end).min(eval_closes.unwrap_or(at));
                        self.ratings(conn, &mut chain, id, c, count, staff, at, close)?;
                    }
                }
                Ev::Close(at) => {
                    let (from, action, note) = match res {
                        Some(Resolution::Rejected) => (
                            Stage::Say,
                            "reject",
                            Some("不属于社区议事范围，已转交相关部门"),
                        ),
                        Some(Resolution::Withdrawn) => (
                            if t.plan.is_some() {
                                Stage::Plan
                            } else {
                                Stage::Discuss
                            },
                            "withdraw",
                            Some("问题已自行解决"),
                        ),
                        _ => (Stage::Evaluate, "close", Some("评价期结束，办结")),
                    };
                    let actor = if action == "withdraw" {
                        author
                    } else {
                        staff_id
                    };
                    self.transition(
                        conn,
                        &mut chain,
                        actor,
                        (from, Stage::Closed),
                        action,
                        note,
                        (None, res),
                        at,
                    )?;
                }
            }
        }
        Ok((id, title))
    }

    /// The plan of a topic entering the plan step, with resources; published after saving,
    /// approved at `approved` (when the act step began).
    #[allow(clippy::too_many_arguments)]
    fn plan(
        &mut self,
        conn: &mut DbConn,
        chain: &mut Chain,
        topic: i64,
        staff: i64,
        summary: &str,
        saved: NaiveDateTime,
        approved: Option<NaiveDateTime>,
        firm: i64,
    ) -> ApiResult<()> {
        let notice_ends = saved + Duration::days(7);
        self.bulk.row(
            conn,
            &writer::PLANS,
            &[
                V::I(topic),
                V::S(summary),
                V::I(1),
                V::D(saved),
                V::D(notice_ends),
                approved.into(),
                V::D(approved.unwrap_or(saved)),
            ],
        )?;
        let funds = f64::from(self.rng.u32(5..200) * 500);
        let resources = [
            ("funds", "维修基金", funds, "元"),
            ("labour", "志愿者", f64::from(self.rng.u32(2..20)), "人次"),
        ];
        for (kind, source, amount, unit) in resources.iter().take(self.rng.usize(1..=2)) {
            let r = self.id(&writer::PLAN_RESOURCES);
            self.bulk.row(
                conn,
                &writer::PLAN_RESOURCES,
                &[
                    V::I(r),
                    V::I(topic),
                    V::S(kind),
                    V::S(source),
                    V::F(*amount),
                    V::S(unit),
                ],
            )?;
        }
        let payload = json!({"revision": 1, "organization_id": firm});
        self.event(
            conn,
            chain,
            EventKind::PlanSaved,
            staff,
            (None, None),
            None,
            payload,
            saved,
        )
    }

    /// Tasks made when the act step begins; done by `finished` (evaluate began) or in progress.
    #[allow(clippy::too_many_arguments)]
    fn tasks(
        &mut self,
        conn: &mut DbConn,
        chain: &mut Chain,
        topic: i64,
        staff: i64,
        firm: i64,
        at: NaiveDateTime,
        finished: Option<NaiveDateTime>,
    ) -> ApiResult<()> {
        let n = self.rng.usize(1..=3);
        let mut made = Vec::new();
        for k in 0..n {
            let task = self.id(&writer::TASKS);
            let title = words::TASKS[(k + self.rng.usize(..3)) % words::TASKS.len()];
            let due = at + Duration::days(self.rng.i64(7..45));
            let (status, done) = match finished {
                Some(f) => ("done", Some(f - Duration::hours(k as i64 + 1))),
                None => match self.rng.u8(..4) {
                    0 => ("todo", None),
                    1 | 2 => ("in_progress", None),
                    _ => ("done", Some(at + Duration::days(self.rng.i64(1..7)))),
                },
            };
            let done = done.filter(|d| *d <= end() && *d > at);
            let status = if status == "done" && done.is_none() {
                "in_progress"
            } else {
                status
            };
            let updated = done.unwrap_or(at);
            self.bulk.row(
                conn,
                &writer::TASKS,
                &[
                    V::I(task),
                    V::I(topic),
                    V::S(title),
                    V::I(firm),
                    V::N,
                    V::D(due),
                    V::S(status),
                    V::I(if done.is_some() { 2 } else { 1 }),
                    V::D(at),
                    V::D(updated),
                    done.into(),
                ],
            )?;
            let payload = json!({"task_id": task, "title": title});
            self.event(
                conn,
                chain,
                EventKind::TaskCreated,
                staff,
                (None, None),
                None,
                payload,
                at,
            )?;
            made.push((task, done));
        }
        let mut progress: Vec<_> = made
            .into_iter()
            .filter_map(|(t, d)| d.map(|d| (t, d)))
            .collect();
        progress.sort_by_key(|p| p.1);
        for (task, done) in progress {
            let payload = json!({"task_id": task, "status": "done"});
            self.event(
                conn,
                chain,
                EventKind::TaskProgress,
                staff,
                (None, None),
                None,
                payload,
                done,
            )?;
        }
        Ok(())
    }

    /// 3–8 residents rate the result in round 1, between `from` and `until`.
    #[allow(clippy::too_many_arguments)]
    fn ratings(
        &mut self,
        conn: &mut DbConn,
        chain: &mut Chain,
        topic: i64,
        c: usize,
        count: usize,
        staff: &Staff,
        from: NaiveDateTime,
        until: NaiveDateTime,
    ) -> ApiResult<()> {
        let per_c = self.residents_of(c, count).max(1);
        let n = self.rng.usize(3..=8).min(per_c);
        let first = self.rng.usize(..per_c);
        let window = (until - from).num_seconds().max(2);
        let mut times: Vec<NaiveDateTime> = (0..n)
            .map(|_| from + Duration::seconds(self.rng.i64(1..window)))
            .collect();
        times.sort();
        for (k, at) in times.into_iter().enumerate() {
            let user = self.resident(staff, c, (first + k) % per_c, count);
            let score = i64::from(self.pick(&[5u8, 5, 4, 4, 4, 3, 2, 1]));
            let remark = self.pick(words::RATINGS);
            let e = self.id(&writer::EVALUATIONS);
            self.bulk.row(
                conn,
                &writer::EVALUATIONS,
                &[
                    V::I(e),
                    V::I(topic),
                    V::I(user),
                    V::I(1),
                    V::I(score),
                    V::S(remark),
                    V::D(at),
                    V::D(at),
                ],
            )?;
            let payload = json!({"round": 1, "score": score});
            self.event(
                conn,
                chain,
                EventKind::Rated,
                user,
                (None, None),
                None,
                payload,
                at,
            )?;
        }
        Ok(())
    }

    /// Consultations (议事会) in the communities, with agendas on their topics and invitations.
    fn meetings(
        &mut self,
        conn: &mut DbConn,
        tree: &Tree,
        staff: &Staff,
        titles: &[Vec<(i64, String)>],
    ) -> ApiResult<()> {
        use crate::consultations::rules::{Format, Kind};
        let count = tree.communities.len();
        let m = self.shape.meetings;
        self.progress.stage("meetings", m);
        let span = (end() - start()).num_seconds() + 86_400 * 30;
        for i in 0..m {
            let c = self.rng.usize(..count);
            let (cid, cname, si, _) = &tree.communities[c];
            let (cid, district) = (*cid, tree.subdistricts[*si].2);
            let convener = staff.community_staff[c];
            let starts = start()
                + Duration::seconds(span * i as i64 / m.max(1) as i64)
                + Duration::hours(self.rng.i64(0..8));
            let ends = starts + Duration::hours(2);
            let created = starts - Duration::days(self.rng.i64(7..21));
            let kind = self.pick(&[
                Kind::MicroConsultation,
                Kind::Courtyard,
                Kind::Hearing,
                Kind::Counterpart,
                Kind::OpinionSolicitation,
            ]);
            let format = self.pick(&[
                Format::InPerson,
                Format::InPerson,
                Format::Online,
                Format::Hybrid,
            ]);
            let roll = self.rng.u8(..100);
            let status = if ends <= end() {
                if roll < 90 { "concluded" } else { "cancelled" }
            } else if roll < 80 {
                "scheduled"
            } else {
                "draft"
            };
            let concluded = status == "concluded";
            let title = format!("{cname}{}", self.pick(words::MEETINGS));
            let venue = (format != Format::Online).then(|| format!("{cname}党群服务中心"));
            let online = (format != Format::InPerson).then_some("https://meeting.example.cn/bench");
            let cons = self.id(&writer::CONSULTATIONS);
            let updated = if concluded { ends } else { created };
            self.bulk.row(
                conn,
                &writer::CONSULTATIONS,
                &[
                    V::I(cons),
                    V::I(cid),
                    V::S(&title),
                    V::S(kind.as_str()),
                    V::S(format.as_str()),
                    venue.as_deref().into(),
                    online.into(),
                    V::D(starts),
                    V::D(ends),
                    V::I(convener),
                    V::S(status),
                    concluded
                        .then_some("与会各方充分协商，形成一致意见，会后公示。")
                        .into(),
                    (status == "cancelled").then_some("天气原因改期").into(),
                    V::I(if concluded { 4 } else { 1 }),
                    V::I(0),
                    (concluded.then_some(ends)).into(),
                    V::D(created),
                    V::D(updated),
                    (concluded.then_some(starts)).into(),
                ],
            )?;
            let topics = &titles[c];
            for pos in 0..self.rng.usize(1..=4) {
                let item = self.id(&writer::AGENDA_ITEMS);
                let topic = (!topics.is_empty()).then(|| self.pick_index(topics.len()));
                let (topic_id, item_title) = match topic {
                    Some(k) => (Some(topics[k].0), format!("讨论：{}", topics[k].1)),
                    None => (None, "社区近期工作通报".to_string()),
                };
                self.bulk.row(
                    conn,
                    &writer::AGENDA_ITEMS,
                    &[
                        V::I(item),
                        V::I(cons),
                        V::I(pos as i64 + 1),
                        V::S(&item_title),
                        topic_id.into(),
                        V::N,
                        V::I(self.rng.i64(10..40)),
                    ],
                )?;
            }
            // Invitations: residents' representatives, the property firm, a CPPCC member.
            let per_c = self.residents_of(c, count).max(1);
            let first = self.rng.usize(..per_c);
            let reps = self.rng.usize(5..=12).min(per_c);
            let mut invitees: Vec<(Option<i64>, Option<i64>, &str)> = (0..reps)
                .map(|k| {
                    (
                        Some(self.resident(staff, c, (first + k) % per_c, count)),
                        None,
                        "resident_rep",
                    )
                })
                .collect();
            invitees.push((None, Some(staff.firm_of[c]), "property_firm"));
            invitees.push((Some(staff.cppcc[district][i % 2]), None, "cppcc_member"));
            if self.rng.bool() {
                invitees.push((None, Some(staff.departments[district][0]), "department"));
            }
            for (user, org, category) in invitees {
                let inv = self.id(&writer::INVITATIONS);
                let (response, attended) = match status {
                    "concluded" => {
                        let yes = self.rng.u8(..10) < 9;
                        (if yes { "accepted" } else { "declined" }, yes)
                    }
                    "draft" => ("pending", false),
                    _ => (
                        self.pick(&["pending", "accepted", "accepted", "tentative", "declined"]),
                        false,
                    ),
                };
                self.bulk.row(
                    conn,
                    &writer::INVITATIONS,
                    &[
                        V::I(inv),
                        V::I(cons),
                        user.into(),
                        org.into(),
                        V::S(category),
                        V::S(response),
                        V::B(attended),
                        V::D(created),
                    ],
                )?;
            }
            self.progress.tick();
        }
        Ok(())
    }

    fn pick_index(&mut self, n: usize) -> usize {
        self.rng.usize(..n)
    }
}

/// What a topic is made from.
struct TopicSpec {
    c: usize,
    created: NaiveDateTime,
    supports: usize,
    comments: usize,
    hotline: bool,
}

/// When a topic entered each step.
struct Times {
    discuss: Option<NaiveDateTime>,
    plan: Option<NaiveDateTime>,
    act: Option<NaiveDateTime>,
    evaluate: Option<NaiveDateTime>,
    closed: Option<NaiveDateTime>,
}

/// A topic's chain while it is written.
struct Chain {
    topic: i64,
    seq: i32,
    prev: String,
}

/// The timeline entries of a topic, before they are written in time order.
enum Ev {
    Created(NaiveDateTime),
    Comment(NaiveDateTime),
    Accept(NaiveDateTime),
    Decide(NaiveDateTime),
    Approve(NaiveDateTime),
    Complete(NaiveDateTime),
    Close(NaiveDateTime),
}

impl Ev {
    fn at(&self) -> NaiveDateTime {
        match self {
            Ev::Created(t)
            | Ev::Comment(t)
            | Ev::Accept(t)
            | Ev::Decide(t)
            | Ev::Approve(t)
            | Ev::Complete(t)
            | Ev::Close(t) => *t,
        }
    }
}
