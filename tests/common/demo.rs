//! The places and organisations of the demo city (`TestApp::builder().demo()`), by role in a
//! test rather than by code.

use super::TestApp;

/// The demo places and organisations most tests act on.
#[derive(Debug, Clone, Copy)]
pub struct DemoCity {
    /// 幸福社区, the community most tests live in.
    pub community: i64,
    /// Another community of the same sub-district (和义社区).
    pub sibling: i64,
    /// A community of the other district.
    pub far: i64,
    /// 南门街道, the sub-district of `community`.
    pub subdistrict: i64,
    /// Another sub-district of the same district.
    pub other_subdistrict: i64,
    /// 海曙区, the district of `community`.
    pub district: i64,
    /// 江北区, the other district.
    pub other_district: i64,
    /// `community`'s first grid.
    pub grid: i64,
    /// The first and second property firms the API lists.
    pub firm: i64,
    pub other_firm: i64,
    /// The first and second departments the API lists.
    pub dept: i64,
    pub other_dept: i64,
}

impl TestApp {
    /// Looks the demo city up (seed it first: `TestApp::builder().demo()`).
    pub async fn demo_city(&self) -> DemoCity {
        let firms = self.org_ids("property_firm").await;
        let depts = self.org_ids("department").await;
        DemoCity {
            community: self.place("demo-330200-0-0-0"),
            sibling: self.place("demo-330200-0-0-1"),
            far: self.place("demo-330200-1-0-0"),
            subdistrict: self.place("demo-330200-0-0"),
            other_subdistrict: self.place("demo-330200-0-1"),
            district: self.place("demo-330200-0"),
            other_district: self.place("demo-330200-1"),
            grid: self.place("demo-330200-0-0-0-g1"),
            firm: firms[0],
            other_firm: firms[1],
            dept: depts[0],
            other_dept: depts[1],
        }
    }

    /// Ids of the organisations of `kind`, in the order of the API's first page.
    pub async fn org_ids(&self, kind: &str) -> Vec<i64> {
        let r = self
            .get(&format!("/api/v1/organizations?kind={kind}"), None)
            .await;
        assert_eq!(r.status.as_u16(), 200, "organizations: {:?}", r.body);
        r.body["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(super::id_of)
            .collect()
    }
}
