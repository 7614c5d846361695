#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Open data (docs/open-data.md): the four exports under /api/v1/open-data/ hold the public
//! catalog topics and public meetings only, as CSV (UTF-8 BOM, the documented header) and JSON
//! that agree row for row; filters by place subtree and period; exports longer than a page
//! are complete and in id order; no personal data, and authors' names only when they opted in
//! (`PATCH /api/v1/me {show_name_publicly}`).

mod common;

use std::collections::BTreeSet;

use common::{TestApp, TestResult};
use diesel::prelude::*;
use serde_json::{Value, json};
use yishi::db::schema::{consultations, topics, users};

/// The documented CSV header of topics.csv (docs/open-data.md).
const TOPIC_HEADER: &[&str] = &[
    "id",
    "catalog_no",
    "place_id",
    "place_name",
    "community_id",
    "title",
    "body",
    "category",
    "source",
    "stage",
    "resolution",
    "escalated",
    "major",
    "decision",
    "supporters_count",
    "comments_count",
    "satisfaction_count",
    "satisfaction_mean",
    "author",
    "created_at",
    "updated_at",
    "discuss_at",
    "plan_at",
    "act_at",
    "evaluate_at",
    "closed_at",
];

/// The documented CSV header of consultations.csv.
const CONSULTATION_HEADER: &[&str] = &[
    "id",
    "place_id",
    "place_name",
    "title",
    "kind",
    "format",
    "venue",
    "starts_at",
    "ends_at",
    "status",
    "concluded_at",
    "agenda",
    "topic_ids",
    "outcomes",
    "convener",
];

/// The full demo: places, users, topics of 幸福社区 in every stage, two meetings.
fn seed_full_demo(app: &TestApp) {
    let settings = app.running.as_ref().unwrap().state.settings.clone();
    app.with_db(|c| yishi::demo::seed(c, &settings).unwrap());
}

/// Signs a demo user in (the demo password).
async fn login_demo(app: &TestApp, email: &str) -> String {
    let password = app
        .running
        .as_ref()
        .unwrap()
        .state
        .settings
        .demo
        .password
        .clone();
    app.login_with(email, &password).await
}

/// A CSV export: checks status, headers and BOM; returns (header, rows).
async fn csv(app: &TestApp, path: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let r = app.get(path, None).await;
    assert_eq!(r.status.as_u16(), 200, "{path}: {:?}", r.body);
    assert_eq!(r.content_type, "text/csv; charset=utf-8", "{path}");
    let disposition = r
        .headers
        .get("content-disposition")
        .unwrap()
        .to_str()
        .unwrap();
    assert!(
        disposition.starts_with("attachment") && disposition.contains("filename="),
        "{disposition}"
    );
    let Value::String(text) = r.body else {
        panic!("{path}: not text")
    };
    let body = text
        .strip_prefix('\u{feff}')
        .expect("CSV starts with the UTF-8 BOM");
    let mut reader = csv::Reader::from_reader(body.as_bytes());
    let header = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    let rows = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect();
    (header, rows)
}

/// A JSON export: checks status and type; returns the array.
async fn json_export(app: &TestApp, path: &str) -> Vec<Value> {
    let r = app.get(path, None).await;
    assert_eq!(r.status.as_u16(), 200, "{path}: {:?}", r.body);
    assert_eq!(r.content_type, "application/json", "{path}");
    r.body.as_array().expect("a JSON array").clone()
}

/// The text a CSV cell holds for a JSON value (docs/open-data.md: strings as they are, null
/// empty, arrays and objects as JSON text).
fn cell(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// CSV and JSON hold the same records in the same order, cell for cell.
fn assert_same(header: &[String], rows: &[Vec<String>], items: &[Value]) {
    assert_eq!(rows.len(), items.len(), "as many CSV rows as JSON elements");
    for (row, item) in rows.iter().zip(items) {
        assert_eq!(
            item.as_object().unwrap().len(),
            header.len(),
            "every JSON field is a CSV column: {item}"
        );
        for (name, value) in header.iter().zip(row) {
            assert_eq!(&cell(&item[name]), value, "column {name} of {item}");
        }
    }
}

fn ids_of_rows(rows: &[Vec<String>]) -> Vec<i64> {
    rows.iter().map(|r| r[0].parse().unwrap()).collect()
}

fn ids_of_items(items: &[Value]) -> Vec<i64> {
    items.iter().map(|i| i["id"].as_i64().unwrap()).collect()
}

/// Catalog topics and public meetings in the database, by id.
fn public_ids(app: &TestApp) -> (Vec<i64>, Vec<i64>) {
    app.with_db(|c| {
        let t = topics::table
            .filter(topics::catalog_no.is_not_null())
            .order(topics::id)
            .select(topics::id)
            .load::<i64>(c)
            .unwrap();
        let m = consultations::table
            .filter(consultations::status.eq_any(["scheduled", "in_progress", "concluded"]))
            .order(consultations::id)
            .select(consultations::id)
            .load::<i64>(c)
            .unwrap();
        (t, m)
    })
}

/// Every export, as text: for the personal-data scan.
async fn all_exports(app: &TestApp) -> String {
    let mut all = String::new();
    for path in [
        "topics.csv",
        "topics.json",
        "consultations.csv",
        "consultations.json",
    ] {
        let (status, _, text) = app
            .get_text(&format!("/api/v1/open-data/{path}"), None)
            .await;
        assert_eq!(status.as_u16(), 200, "{path}");
        all.push_str(&text);
    }
    all
}

#[actix_rt::test]
async fn exports_hold_public_records_only_and_csv_matches_json() -> TestResult {
    let app = TestApp::spawn().await;
    seed_full_demo(&app);
    let (catalog, meetings) = public_ids(&app);
    let (all_topics, all_meetings) = app.with_db(|c| {
        (
            topics::table.select(topics::id).load::<i64>(c).unwrap(),
            consultations::table
                .select(consultations::id)
                .load::<i64>(c)
                .unwrap(),
        )
    });
    assert!(
        !catalog.is_empty() && !meetings.is_empty(),
        "the demo has public records"
    );
    assert!(
        all_topics.len() > catalog.len(),
        "the demo has topics outside the catalog (still in say, or rejected)"
    );

    let (header, rows) = csv(&app, "/api/v1/open-data/topics.csv").await;
    assert_eq!(header, TOPIC_HEADER);
    assert_eq!(
        ids_of_rows(&rows),
        catalog,
        "one row per catalog topic, in id order"
    );
    let items = json_export(&app, "/api/v1/open-data/topics.json").await;
    assert_same(&header, &rows, &items);
    let not_public: BTreeSet<i64> = all_topics
        .iter()
        .filter(|t| !catalog.contains(t))
        .copied()
        .collect();
    assert!(ids_of_items(&items).iter().all(|i| !not_public.contains(i)));
    assert!(
        items.iter().all(|i| i["author"] == "居民"),
        "nobody opted in yet"
    );

    let (header, rows) = csv(&app, "/api/v1/open-data/consultations.csv").await;
    assert_eq!(header, CONSULTATION_HEADER);
    assert_eq!(
        ids_of_rows(&rows),
        meetings,
        "public meetings only, in id order"
    );
    let items = json_export(&app, "/api/v1/open-data/consultations.json").await;
    assert_same(&header, &rows, &items);
    assert!(all_meetings.len() >= meetings.len());

    // The concluded meeting carries its agenda titles and its outcomes' decisions.
    let concluded = items
        .iter()
        .find(|m| m["status"] == "concluded")
        .expect("the demo's concluded meeting");
    let id = concluded["id"].as_i64().unwrap();
    let staff = login_demo(&app, "staff@yishi.demo").await;
    let agenda = app
        .get(
            &format!("/api/v1/consultations/{id}/agenda-items"),
            Some(&staff),
        )
        .await;
    let titles: Vec<Value> = agenda.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["title"].clone())
        .collect();
    assert!(!titles.is_empty());
    assert_eq!(concluded["agenda"], Value::Array(titles));
    let outcomes = app
        .get(
            &format!("/api/v1/consultations/{id}/outcomes"),
            Some(&staff),
        )
        .await;
    let decisions: Vec<Value> = outcomes.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["decision"].clone())
        .collect();
    assert!(!decisions.is_empty());
    let exported: Vec<Value> = concluded["outcomes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["decision"].clone())
        .collect();
    assert_eq!(exported, decisions);
    assert_eq!(concluded["convener"], "居民");
    assert!(concluded.get("convener_id").is_none() && concluded.get("online_url").is_none());

    // A topic raised now (in say) is not exported until it is accepted into the catalog.
    let resident = login_demo(&app, "resident@yishi.demo").await;
    let raised = app
        .raise_topic(&resident, app.place("demo-330200-0-0-0"), "小区门口积水")
        .await;
    let new_id = raised["id"].as_i64().unwrap();
    let items = json_export(&app, "/api/v1/open-data/topics.json").await;
    assert!(
        !ids_of_items(&items).contains(&new_id),
        "a topic in say is not public"
    );
    app.topic_action(&staff, new_id, "accept", json!({"note": "纳入议事目录"}))
        .await;
    let items = json_export(&app, "/api/v1/open-data/topics.json").await;
    assert!(
        ids_of_items(&items).contains(&new_id),
        "accepted: now in the catalog"
    );

    // Comments hidden by moderation are not counted.
    let count = |items: &[Value]| {
        items
            .iter()
            .find(|i| i["id"] == new_id)
            .map(|i| i["comments_count"].clone())
            .unwrap()
    };
    assert_eq!(count(&items), 0);
    let mut comment_ids = Vec::new();
    for body in ["同意，积水很深", "广告：专业疏通 13800000000"] {
        let r = app
            .post(
                &format!("/api/v1/topics/{new_id}/comments"),
                Some(&resident),
                json!({"body": body, "stance": "for"}),
            )
            .await;
        assert_eq!(r.status.as_u16(), 201, "{:?}", r.body);
        comment_ids.push(r.body["id"].as_i64().unwrap());
    }
    let items = json_export(&app, "/api/v1/open-data/topics.json").await;
    assert_eq!(count(&items), 2);
    let r = app
        .post(
            &format!("/api/v1/comments/{}/hide", comment_ids[1]),
            Some(&staff),
            json!({"reason": "广告"}),
        )
        .await;
    assert!(r.status.is_success(), "{:?}", r.body);
    let items = json_export(&app, "/api/v1/open-data/topics.json").await;
    assert_eq!(count(&items), 1, "the hidden comment is not counted");
    let all = all_exports(&app).await;
    assert!(!all.contains("13800000000"), "no comment text is exported");
    app.done().await
}

#[actix_rt::test]
async fn no_personal_data_and_names_only_of_those_who_opted_in() -> TestResult {
    let app = TestApp::spawn().await;
    seed_full_demo(&app);
    let people: Vec<(i64, String, String)> = app.with_db(|c| {
        users::table
            .select((users::id, users::email, users::display_name))
            .load(c)
            .unwrap()
    });
    let before = all_exports(&app).await;
    for (_, email, name) in &people {
        assert!(
            !before.contains(email.as_str()),
            "{email} appears in open data"
        );
        assert!(
            !before.contains(name.as_str()),
            "{name} (not opted in) appears in open data"
        );
    }

    // 张阿姨 (resident@yishi.demo) opts in; the topics she wrote now show her name, nobody
    // else's name appears, and still no email.
    let token = login_demo(&app, "resident@yishi.demo").await;
    let r = app
        .patch(
            "/api/v1/me",
            Some(&token),
            json!({"show_name_publicly": true}),
        )
        .await;
    assert_eq!(r.status.as_u16(), 200, "{:?}", r.body);
    let (me, mine): (i64, Vec<i64>) = app.with_db(|c| {
        let me = users::table
            .filter(users::email.eq("resident@yishi.demo"))
            .select(users::id)
            .first::<i64>(c)
            .unwrap();
        let mine = topics::table
            .filter(topics::author_id.eq(me))
            .filter(topics::catalog_no.is_not_null())
            .select(topics::id)
            .load::<i64>(c)
            .unwrap();
        (me, mine)
    });
    assert!(!mine.is_empty(), "the demo resident wrote catalog topics");
    let items = json_export(&app, "/api/v1/open-data/topics.json").await;
    for item in &items {
        let expected = if mine.contains(&item["id"].as_i64().unwrap()) {
            "张阿姨"
        } else {
            "居民"
        };
        assert_eq!(item["author"], expected, "{item}");
    }
    let (header, rows) = csv(&app, "/api/v1/open-data/topics.csv").await;
    let author = header.iter().position(|h| h == "author").unwrap();
    assert!(rows.iter().any(|r| r[author] == "张阿姨"));
    let after = all_exports(&app).await;
    for (id, email, name) in &people {
        assert!(
            !after.contains(email.as_str()),
            "{email} appears in open data"
        );
        if *id != me {
            assert!(
                !after.contains(name.as_str()),
                "{name} appears in open data"
            );
        }
    }
    app.done().await
}

/// Inserts `n` catalog topics directly at `place` (a community), created an hour apart from
/// `start`; returns their ids.
fn insert_topics(app: &TestApp, place: i64, n: usize, start: &str, first_seq: i32) -> Vec<i64> {
    let author = app.user(
        &format!("bulk{place}-{first_seq}@example.com"),
        Some(place),
        &[],
    );
    app.with_db(|c| {
        let before = topics::table
            .select(diesel::dsl::max(topics::id))
            .first::<Option<i64>>(c)
            .unwrap()
            .unwrap_or(0);
        yishi::bench::insert_catalog_topics(
            c,
            &yishi::bench::BulkTopics {
                place_id: place,
                community_id: place,
                author_id: author,
                year: 2024,
                first_seq,
                count: n,
                created_at: chrono::NaiveDateTime::parse_from_str(start, "%Y-%m-%d %H:%M").unwrap(),
                step_secs: 3600,
            },
        )
        .unwrap();
        topics::table
            .filter(topics::id.gt(before))
            .order(topics::id)
            .select(topics::id)
            .load::<i64>(c)
            .unwrap()
    })
}

#[actix_rt::test]
async fn filters_by_place_subtree_and_period() -> TestResult {
    let app = TestApp::spawn().await;
    seed_full_demo(&app);
    let city = app.demo_city().await;
    // 和义社区 (sibling): ten topics from 2024-03-01 00:00, an hour apart.
    let sibling = insert_topics(&app, city.sibling, 10, "2024-03-01 00:00", 1);
    // A community of the other district: five topics.
    let far = insert_topics(&app, city.far, 5, "2024-03-01 00:00", 1);
    let (catalog, _) = public_ids(&app);
    let of_community: Vec<i64> = app.with_db(|c| {
        topics::table
            .filter(topics::catalog_no.is_not_null())
            .filter(topics::community_id.eq(city.community))
            .order(topics::id)
            .select(topics::id)
            .load::<i64>(c)
            .unwrap()
    });
    assert!(!of_community.is_empty(), "the demo's catalog of 幸福社区");

    let ids = |items: Vec<Value>| ids_of_items(&items);
    let path = |q: &str| format!("/api/v1/open-data/topics.json?{q}");
    assert_eq!(
        ids(json_export(&app, &path(&format!("place_id={}", city.sibling))).await),
        sibling
    );
    assert_eq!(
        ids(json_export(&app, &path(&format!("place_id={}", city.far))).await),
        far
    );
    assert_eq!(
        ids(json_export(&app, &path(&format!("place_id={}", city.community))).await),
        of_community
    );
    // The sub-district covers both of its communities, not the other district's.
    let mut both: Vec<i64> = of_community.iter().chain(&sibling).copied().collect();
    both.sort_unstable();
    assert_eq!(
        ids(json_export(&app, &path(&format!("place_id={}", city.subdistrict))).await),
        both
    );
    assert_eq!(ids(json_export(&app, &path("")).await), catalog);

    // Period [from, to) on created_at: 02:00 up to (not including) 05:00 is the 3rd-5th.
    let q = format!(
        "place_id={}&from=2024-03-01T02:00:00Z&to=2024-03-01T05:00:00Z",
        city.sibling
    );
    assert_eq!(
        ids(json_export(&app, &path(&q)).await),
        sibling[2..5].to_vec()
    );
    let (_, rows) = csv(&app, &format!("/api/v1/open-data/topics.csv?{q}")).await;
    assert_eq!(ids_of_rows(&rows), sibling[2..5].to_vec());
    // Offsets are honoured: 10:00+08:00 is 02:00Z.
    let q = format!("place_id={}&from=2024-03-01T10:00:00%2B08:00", city.sibling);
    assert_eq!(
        ids(json_export(&app, &path(&q)).await),
        sibling[2..].to_vec()
    );
    assert!(ids(json_export(&app, &path("to=2024-03-01T00:00:00Z")).await).is_empty());

    // Meetings by place and starts_at: the demo's public meetings are in 幸福社区.
    let meetings: Vec<(i64, chrono::NaiveDateTime)> = app.with_db(|c| {
        consultations::table
            .filter(consultations::status.eq_any(["scheduled", "in_progress", "concluded"]))
            .order(consultations::id)
            .select((consultations::id, consultations::starts_at))
            .load(c)
            .unwrap()
    });
    assert!(meetings.len() >= 2, "two public demo meetings");
    let m = |q: String| format!("/api/v1/open-data/consultations.json?{q}");
    let all: Vec<i64> = meetings.iter().map(|(id, _)| *id).collect();
    assert_eq!(
        ids(json_export(&app, &m(format!("place_id={}", city.community))).await),
        all
    );
    assert!(ids(json_export(&app, &m(format!("place_id={}", city.far))).await).is_empty());
    let (first, starts) = meetings[0];
    let at = |t: chrono::NaiveDateTime| {
        t.and_utc()
            .to_rfc3339_opts(chrono::SecondsFormat::Nanos, true)
            .replace('+', "%2B")
    };
    let only_first = format!(
        "from={}&to={}",
        at(starts),
        at(starts + chrono::Duration::seconds(1))
    );
    let got = ids(json_export(&app, &m(only_first)).await);
    let expected: Vec<i64> = meetings
        .iter()
        .filter(|(_, s)| *s >= starts && *s < starts + chrono::Duration::seconds(1))
        .map(|(id, _)| *id)
        .collect();
    assert!(got.contains(&first), "{got:?}");
    assert_eq!(got, expected);
    let after_all = format!(
        "from={}",
        at(meetings.iter().map(|(_, s)| *s).max().unwrap() + chrono::Duration::seconds(1))
    );
    assert!(ids(json_export(&app, &m(after_all)).await).is_empty());
    app.done().await
}

#[actix_rt::test]
async fn an_export_of_many_pages_is_complete_and_in_id_order() -> TestResult {
    let app = TestApp::builder().demo().build().await;
    let city = app.demo_city().await;
    let inserted = insert_topics(&app, city.sibling, 1_200, "2023-01-01 00:00", 1);
    assert_eq!(inserted.len(), 1_200);
    let (header, rows) = csv(&app, "/api/v1/open-data/topics.csv").await;
    assert_eq!(
        ids_of_rows(&rows),
        inserted,
        "every topic once, in id order"
    );
    let items = json_export(&app, "/api/v1/open-data/topics.json").await;
    assert_same(&header, &rows, &items);
    // Quotes, commas and CJK in the body survive CSV quoting.
    let body = header.iter().position(|h| h == "body").unwrap();
    assert!(rows[0][body].contains("\"引号\"与逗号") && rows[0][body].contains(','));
    let place = header.iter().position(|h| h == "place_name").unwrap();
    assert_eq!(rows[0][place], "和义社区");
    app.done().await
}

#[actix_rt::test]
async fn bad_filters_are_refused_naming_the_field() -> TestResult {
    let app = TestApp::builder().demo().build().await;
    for export in [
        "topics.json",
        "topics.csv",
        "consultations.json",
        "consultations.csv",
    ] {
        let app = &app;
        let get = |q: &str| {
            let path = format!("/api/v1/open-data/{export}?{q}");
            async move { (app.get(&path, None).await, path) }
        };
        let (r, p) = get("place_id=999999999").await;
        assert_eq!(r.status.as_u16(), 404, "{p}");
        assert_eq!(r.code(), "place.not_found", "{p}");
        let (r, p) = get("place_id=abc").await;
        assert_eq!(r.status.as_u16(), 400, "{p}");
        assert_eq!(r.body["field"], "place_id", "{p}: {:?}", r.body);
        let (r, p) = get("from=yesterday").await;
        assert_eq!(r.status.as_u16(), 400, "{p}");
        assert_eq!(r.body["field"], "from", "{p}: {:?}", r.body);
        let (r, p) = get("to=2024-13-01T00:00:00Z").await;
        assert_eq!(r.status.as_u16(), 400, "{p}");
        assert_eq!(r.body["field"], "to", "{p}: {:?}", r.body);
        let (r, p) = get("from=2024-03-02T00:00:00Z&to=2024-03-01T00:00:00Z").await;
        assert_eq!(r.status.as_u16(), 422, "{p}");
        assert_eq!(r.code(), "open_data.invalid_period", "{p}");
        assert_eq!(r.body["field"], "to", "{p}");
        assert_eq!(r.content_type, "application/problem+json", "{p}");
        let (r, p) = get("from=2024-03-01T00:00:00Z&to=2024-03-01T00:00:00Z").await;
        assert_eq!(r.status.as_u16(), 200, "{p}: an empty period is no error");
    }
    app.done().await
}

#[actix_rt::test]
async fn users_choose_whether_open_data_shows_their_name() -> TestResult {
    let app = TestApp::builder().demo().build().await;
    let r = app
        .patch("/api/v1/me", None, json!({"show_name_publicly": true}))
        .await;
    assert_eq!(r.status.as_u16(), 401);
    let token = login_demo(&app, "resident2@yishi.demo").await;
    let me = app.get("/api/v1/me", Some(&token)).await;
    assert_eq!(me.body["show_name_publicly"], false, "off by default");

    let r = app
        .patch(
            "/api/v1/me",
            Some(&token),
            json!({"show_name_publicly": true}),
        )
        .await;
    assert_eq!(r.status.as_u16(), 200, "{:?}", r.body);
    assert_eq!(r.body["show_name_publicly"], true);
    assert_eq!(r.body["display_name"], "李师傅", "untouched");
    let me = app.get("/api/v1/me", Some(&token)).await;
    assert_eq!(me.body["show_name_publicly"], true);

    let r = app
        .patch(
            "/api/v1/me",
            Some(&token),
            json!({"display_name": "李师傅（3号楼）"}),
        )
        .await;
    assert_eq!(r.status.as_u16(), 200, "{:?}", r.body);
    assert_eq!(r.body["display_name"], "李师傅（3号楼）");
    assert_eq!(r.body["show_name_publicly"], true, "untouched");

    let r = app
        .patch(
            "/api/v1/me",
            Some(&token),
            json!({"show_name_publicly": "yes"}),
        )
        .await;
    assert_eq!(r.status.as_u16(), 400);
    assert_eq!(r.body["field"], "show_name_publicly");
    let r = app
        .patch("/api/v1/me", Some(&token), json!({"display_name": "  "}))
        .await;
    assert_eq!(r.status.as_u16(), 422);
    assert_eq!(r.body["field"], "display_name");
    let r = app
        .patch(
            "/api/v1/me",
            Some(&token),
            json!({"show_name_publicly": false}),
        )
        .await;
    assert_eq!(r.body["show_name_publicly"], false);
    // Another user's choice is their own.
    let other = login_demo(&app, "resident@yishi.demo").await;
    let them = app.get("/api/v1/me", Some(&other)).await;
    assert_eq!(them.body["show_name_publicly"], false);
    app.done().await
}
