//! The roles of DOMAIN.md and the pure rules for where a grant holds.

use crate::places::model::OrganizationKind;

crate::wire_enum! {
    /// A role, granted at a place (and for property firms and departments, for an organisation).
    pub enum Role {
        Resident = "resident",
        GridWorker = "grid_worker",
        CommunityStaff = "community_staff",
        SubdistrictStaff = "subdistrict_staff",
        CppccMember = "cppcc_member",
        PropertyFirm = "property_firm",
        Department = "department",
        Admin = "admin",
    }
}

impl Role {
    /// The organisation kind a grant of this role must name, if any.
    pub fn organization_kind(self) -> Option<OrganizationKind> {
        match self {
            Role::PropertyFirm => Some(OrganizationKind::PropertyFirm),
            Role::Department => Some(OrganizationKind::Department),
            _ => None,
        }
    }
}

/// Does a grant at `grant_path` hold for the place at `target_path`? Paths are materialised
/// id paths (`/1/5/23/`), so the grant holds for its own place and everything beneath it.
pub fn covers(grant_path: &str, target_path: &str) -> bool {
    target_path.starts_with(grant_path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grant_holds_for_subtree_only() {
        assert!(covers("/1/5/", "/1/5/"));
        assert!(covers("/1/5/", "/1/5/23/"));
        assert!(!covers("/1/5/", "/1/50/"));
        assert!(!covers("/1/5/23/", "/1/5/"));
        assert!(!covers("/2/", "/1/5/"));
    }

    #[test]
    fn names_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("superuser"), None);
    }
}
