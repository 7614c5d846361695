//! The people and helpers of the topic page tests: residents, staff and a property firm of
//! the demo community, topics made through the API when a test is about something else, and
//! readers of what a page shows.

use chrono::Datelike;
use serde_json::json;
use yishi::auth::Role;

use crate::common::{DemoCity, Page, StatusCode, TestApp, id_of};

pub const ZHANG: &str = "zhang@example.com";
pub const LI: &str = "li@example.com";
pub const STAFF: &str = "staff@example.com";
pub const SUB: &str = "sub@example.com";
pub const FIRM: &str = "firm@example.com";

/// A demo city with a resident who raises, a neighbour, community and sub-district staff,
/// and a user of the first property firm.
pub struct World {
    pub app: TestApp,
    pub city: DemoCity,
}

impl World {
    pub async fn new() -> World {
        Self::with(&[]).await
    }

    pub async fn with(settings: &[(&str, &str)]) -> World {
        let app = TestApp::builder().settings(settings).demo().build().await;
        let city = app.demo_city().await;
        let home = Some(city.community);
        let resident = (Role::Resident, home, None);
        app.user(ZHANG, home, &[resident]);
        app.user(LI, home, &[resident]);
        app.user(STAFF, home, &[(Role::CommunityStaff, home, None)]);
        app.user(
            SUB,
            None,
            &[(Role::SubdistrictStaff, Some(city.subdistrict), None)],
        );
        app.user(FIRM, None, &[(Role::PropertyFirm, home, Some(city.firm))]);
        World { app, city }
    }

    /// Zhang raises a topic through the API; its id.
    pub async fn raise_by_api(&self, title: &str) -> i64 {
        let token = self.app.login(ZHANG).await;
        let r = self
            .app
            .post(
                "/api/v1/topics",
                Some(&token),
                json!({"place_id": self.city.community, "title": title,
                       "body": "3号楼电梯一周停了三次，老人上下楼很困难。", "category": "facilities"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        id_of(&r.body)
    }

    /// Staff accept topic `id` through the API.
    pub async fn accept_by_api(&self, id: i64) {
        let token = self.app.login(STAFF).await;
        let t = self
            .app
            .get(&format!("/api/v1/topics/{id}"), Some(&token))
            .await;
        let r = self
            .app
            .post(
                &format!("/api/v1/topics/{id}/transitions"),
                Some(&token),
                json!({"action": "accept", "expected_version": t.body["version"]}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    }

    /// The catalog number of this year's `seq`th topic.
    pub fn catalog_no(&self, seq: i32) -> String {
        let year = chrono::Utc::now()
            .with_timezone(&chrono_tz::Asia::Shanghai)
            .year();
        format!("{year}-{seq:04}")
    }
}

/// The word of the step marked `aria-current="step"`.
pub fn current_step(p: &Page) -> Option<String> {
    let re = regex::Regex::new(r#"<li aria-current="step"><span class="word">([^<]*)</span>"#)
        .expect("regex");
    let all: Vec<String> = re
        .captures_iter(&p.html)
        .map(|c| c[1].to_string())
        .collect();
    assert!(all.len() <= 1, "one current step: {all:?}");
    all.into_iter().next()
}

/// Is the `index`th (0-based) of the five steps the current one?
pub fn has_aria_current(p: &Page, index: usize) -> bool {
    let Some(start) = p.html.find("<ol class=\"steps\"") else {
        return false;
    };
    let list = &p.html[start..];
    let end = list.find("</ol>").unwrap_or(list.len());
    let items: Vec<&str> = list[..end].split("<li").skip(1).collect();
    items.len() == 5 && items[index].contains("aria-current=\"step\"")
}

/// The `expected_version` the page's forms carry.
pub fn version(p: &Page) -> String {
    let re = regex::Regex::new(r#"name="expected_version" value="(\d+)""#).expect("regex");
    re.captures(&p.html)
        .map(|c| c[1].to_string())
        .unwrap_or_default()
}
