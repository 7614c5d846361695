//! The caller kinds, the columns of the table: every role of src/auth/roles.rs, in scope and
//! out of scope of the fixtures, which all live in 幸福社区 (`DemoCity::community`).

use super::*;

/// The columns of the table, in order.
pub const KINDS: [&str; 14] = [
    "anon",      // no token
    "resident",  // resident of 幸福社区 (home there)
    "res_out",   // resident of a community of the other district
    "grid",      // grid_worker of 幸福社区's first grid (below the community)
    "staff",     // community_staff of 幸福社区
    "staff_out", // community_staff of the far community
    "sub",       // subdistrict_staff of 南门街道 (above 幸福社区)
    "cppcc",     // cppcc_member of 海曙区 (a convener above 幸福社区)
    "firm",      // property_firm: the firm tasks and invitations name, granted at 幸福社区
    "firm_away", // property_firm: the same firm, granted at the far community
    "dept",      // department: another organisation, granted at 幸福社区
    "admin",     // admin of 海曙区 (in scope)
    "admin_out", // admin of 江北区 (out of scope)
    "root",      // installation-wide admin (a grant without a place)
];

/// One logged-in user per column (None for anonymous), plus their ids.
pub struct Callers {
    pub users: Vec<Option<User>>,
}

impl Callers {
    pub async fn new(app: &TestApp, c: &DemoCity) -> Callers {
        type Grant = (Role, Option<i64>, Option<i64>);
        let g =
            |role, place: Option<i64>, org: Option<i64>| -> Vec<Grant> { vec![(role, place, org)] };
        #[rustfmt::skip]
        let specs: Vec<(Option<i64>, Vec<Grant>)> = vec![
            (Some(c.community), g(Role::Resident, Some(c.community), None)),
            (Some(c.far), g(Role::Resident, Some(c.far), None)),
            (None, g(Role::GridWorker, Some(c.grid), None)),
            (None, g(Role::CommunityStaff, Some(c.community), None)),
            (None, g(Role::CommunityStaff, Some(c.far), None)),
            (None, g(Role::SubdistrictStaff, Some(c.subdistrict), None)),
            (None, g(Role::CppccMember, Some(c.district), None)),
            (None, g(Role::PropertyFirm, Some(c.community), Some(c.firm))),
            (None, g(Role::PropertyFirm, Some(c.far), Some(c.firm))),
            (None, g(Role::Department, Some(c.community), Some(c.dept))),
            (None, g(Role::Admin, Some(c.district), None)),
            (None, g(Role::Admin, Some(c.other_district), None)),
            (None, g(Role::Admin, None, None)),
        ];
        let mut users = vec![None];
        for (i, (home, grants)) in specs.iter().enumerate() {
            let name = format!("col-{}", KINDS[i + 1].replace('_', "-"));
            users.push(Some(make_user(app, &name, *home, grants).await));
        }
        Callers { users }
    }

    /// The column's user.
    pub fn get(&self, kind: &str) -> &User {
        let i = KINDS.iter().position(|k| *k == kind).expect("kind");
        self.users[i].as_ref().expect("a signed-in column")
    }
}
