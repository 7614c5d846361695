//! The roles of DOMAIN.md and the pure rules for where a grant holds.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A role, granted at a place (and for property firms and departments, for an organisation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Resident,
    GridWorker,
    CommunityStaff,
    SubdistrictStaff,
    CppccMember,
    PropertyFirm,
    Department,
    Admin,
}

impl Role {
    /// Every role, in the order of DOMAIN.md.
    pub const ALL: [Role; 8] = [
        Role::Resident,
        Role::GridWorker,
        Role::CommunityStaff,
        Role::SubdistrictStaff,
        Role::CppccMember,
        Role::PropertyFirm,
        Role::Department,
        Role::Admin,
    ];

    /// The wire and database name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Resident => "resident",
            Role::GridWorker => "grid_worker",
            Role::CommunityStaff => "community_staff",
            Role::SubdistrictStaff => "subdistrict_staff",
            Role::CppccMember => "cppcc_member",
            Role::PropertyFirm => "property_firm",
            Role::Department => "department",
            Role::Admin => "admin",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// The organisation kind a grant of this role must name, if any.
    pub fn organization_kind(self) -> Option<&'static str> {
        match self {
            Role::PropertyFirm => Some("property_firm"),
            Role::Department => Some("department"),
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
