//! `yishi bench seed`: the community tier seeded into a fresh database (SQLite, or PostgreSQL
//! with TEST_DATABASE_URL) is served by the app as it stands: the catalog lists its topics,
//! a timeline's hash chain verifies, staff and residents sign in with the one password, the
//! counts are the tier's, derived columns agree with their rows, and the same seed gives the
//! same data.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{PASSWORD, StatusCode, TestApp, TestResult};
use diesel::prelude::*;
use yishi::bench::seed::{SeedReport, Tier, seed};

/// Seeds `tier` with `seed_no` into the app's (empty) database.
fn seed_into(app: &TestApp, seed_no: u64) -> SeedReport {
    let running = app.running.as_ref().unwrap();
    let hash = running.state.hasher.hash_blocking(PASSWORD).unwrap();
    app.with_db(|c| seed(c, Tier::Community, seed_no, &hash, true).unwrap())
}

/// Titles of all topics in id order, and every event hash: the data set's fingerprint.
fn fingerprint(app: &TestApp) -> (Vec<String>, Vec<String>) {
    use yishi::db::schema::{topic_events as e, topics as t};
    app.with_db(|c| {
        let titles = t::table
            .order(t::id)
            .select(t::title)
            .load::<String>(c)
            .unwrap();
        let hashes = e::table
            .order(e::id)
            .select(e::hash)
            .load::<String>(c)
            .unwrap();
        (titles, hashes)
    })
}

#[actix_web::test]
async fn the_community_tier_is_served_verified_counted_and_deterministic() -> TestResult {
    let app = TestApp::spawn().await;
    let report = seed_into(&app, 12);
    let shape = Tier::Community.shape();

    // What the tier promises, and what the report says it wrote, is what the tables hold.
    for (table, rows) in &report.rows {
        assert_eq!(app.count(table), *rows as i64, "{table}");
    }
    assert_eq!(report.rows_of("topics"), shape.topics);
    assert_eq!(report.rows_of("comments"), shape.comments);
    assert_eq!(report.rows_of("supports"), shape.supports);
    assert_eq!(report.rows_of("consultations"), shape.meetings);
    let places = 4 + shape.grids_per_community * (1 + shape.buildings_per_grid);
    assert_eq!(app.count("places"), places as i64);
    assert_eq!(
        app.count("role_grants WHERE role = 'resident'") as usize,
        shape.residents + 2 + 1 + shape.grids_per_community,
        "residents, the CPPCC members, the community staff and the grid workers"
    );
    // Every completed step stay is derived, as the app keeps them for the statistics: one
    // per stage-changing transition out of a step.
    let stays = app.count("topic_step_stays");
    assert!(stays > 0);
    assert_eq!(
        stays,
        app.count(
            "topic_events WHERE kind = 'transition' AND from_stage <> to_stage \
             AND from_stage <> 'closed'"
        )
    );
    // Derived columns agree with their rows.
    assert_eq!(
        app.count(
            "topics t WHERE supporters_count <> \
             (SELECT COUNT(*) FROM supports s WHERE s.topic_id = t.id)"
        ),
        0
    );
    assert_eq!(
        app.count("topics WHERE stage = 'closed' AND resolution IS NULL"),
        0
    );
    assert_eq!(
        app.count("topics WHERE stage <> 'closed' AND resolution IS NOT NULL"),
        0
    );
    assert_eq!(
        app.count("topics WHERE stage = 'act' AND act_at IS NULL"),
        0
    );
    assert_eq!(
        app.count("topics WHERE (discuss_at IS NULL) <> (catalog_no IS NULL)"),
        0
    );
    assert_eq!(
        app.count(
            "places c JOIN places p ON c.parent_id = p.id \
             WHERE c.depth <> p.depth + 1 OR c.path <> p.path || c.id || '/'"
        ),
        0
    );
    // Every stage is there.
    for stage in ["say", "discuss", "plan", "act", "evaluate", "closed"] {
        assert!(
            app.count(&format!("topics WHERE stage = '{stage}'")) > 0,
            "{stage}"
        );
    }

    // Fingerprint before the app writes anything of its own.
    let first = fingerprint(&app);

    // The public catalog of the community lists its accepted topics.
    let community = app.place("b-c0");
    let catalog = app
        .get(
            &format!("/api/v1/public/places/{community}/catalog?limit=100"),
            None,
        )
        .await;
    assert_eq!(catalog.status, StatusCode::OK, "{:?}", catalog.body);
    let items = catalog.body["items"].as_array().unwrap();
    assert!(!items.is_empty());
    let accepted = app.count("topics WHERE catalog_no IS NOT NULL") as usize;
    assert_eq!(items.len(), accepted.min(100));
    let id = items[0]["id"].as_i64().unwrap();
    let page = app.get(&format!("/api/v1/public/topics/{id}"), None).await;
    assert_eq!(page.status, StatusCode::OK, "{:?}", page.body);

    // Staff sign in with the one password; the busiest topic's timeline chains and verifies.
    let staff = app.login("staff-0@bench.yishi").await;
    let busiest: i64 = app.with_db(|c| {
        use yishi::db::schema::topic_events as e;
        e::table
            .group_by(e::topic_id)
            .select(e::topic_id)
            .order(diesel::dsl::count_star().desc())
            .first(c)
            .unwrap()
    });
    let tl = app
        .get(
            &format!("/api/v1/topics/{busiest}/timeline?limit=100"),
            Some(&staff),
        )
        .await;
    assert_eq!(tl.status, StatusCode::OK, "{:?}", tl.body);
    let events = tl.body["items"].as_array().unwrap();
    assert!(events.len() > 3, "{events:?}");
    assert_eq!(events[0]["kind"], "created");
    for pair in events.windows(2) {
        assert_eq!(pair[1]["prev_hash"], pair[0]["hash"]);
    }
    let checked = app.with_db(|c| yishi::topics::events::verify_all(c).unwrap());
    assert_eq!(checked, Ok(app.count("topic_events") as usize));

    // A resident signs in and sees the topic list of home.
    let resident = app.login("resident-0@bench.yishi").await;
    let list = app.get("/api/v1/topics?limit=10", Some(&resident)).await;
    assert_eq!(list.status, StatusCode::OK, "{:?}", list.body);
    assert!(!list.body["items"].as_array().unwrap().is_empty());
    // The app keeps numbering from the seeded ids: a new comment gets a fresh id.
    let discussing: i64 = app.with_db(|c| {
        use yishi::db::schema::topics as t;
        t::table
            .filter(t::stage.eq("discuss"))
            .filter(t::community_id.eq(community))
            .select(t::id)
            .first(c)
            .unwrap()
    });
    let comment = app
        .post(
            &format!("/api/v1/topics/{discussing}/comments"),
            Some(&resident),
            serde_json::json!({"body": "压测数据上的新评论", "stance": "for"}),
        )
        .await;
    assert_eq!(comment.status, StatusCode::CREATED, "{:?}", comment.body);
    assert_eq!(comment.body["id"].as_i64(), Some(shape.comments as i64 + 1));

    // The same seed gives the same data in another database; another seed does not.
    let again = TestApp::spawn().await;
    seed_into(&again, 12);
    let other = TestApp::spawn().await;
    seed_into(&other, 13);
    let (same, different) = (fingerprint(&again), fingerprint(&other));
    assert!(first.0 == same.0, "same seed, same titles");
    assert!(first.1 == same.1, "same seed, same event hashes");
    assert!(first.0 != different.0, "another seed, other titles");
    assert!(first.0.iter().all(|t| !t.is_empty()));
    assert_eq!(first.0.len(), shape.topics);
    again.done().await?;
    other.done().await?;
    app.done().await
}

#[actix_web::test]
async fn seeding_refuses_a_database_that_is_not_empty() -> TestResult {
    let app = TestApp::spawn().await;
    app.seed_demo();
    let running = app.running.as_ref().unwrap();
    let hash = running.state.hasher.hash_blocking(PASSWORD).unwrap();
    let before = app.count("places");
    let refused = app.with_db(|c| seed(c, Tier::Community, 1, &hash, true));
    assert!(refused.is_err());
    assert_eq!(app.count("places"), before);
    app.done().await
}
