#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Topic text search (`GET /api/v1/topics?q=`) over HTTP, on SQLite and, with
//! TEST_DATABASE_URL, on PostgreSQL. The search is served by an index (SQLite: the FTS5 trigram
//! table `topics_fts`; PostgreSQL: trigram GIN indexes on `lower(title)` and `lower(body)`) for
//! 3 characters or more, by the plain LIKE below that; either way the answer must be exactly
//! what the LIKE gave before: a case-insensitive substring of the title or the body, `%`, `_`,
//! `\` and `"` taken literally. Every answer is compared with that filter run here over the
//! topics the test made, page by page with a small `limit`.

mod common;

use common::{DemoCity, StatusCode, TestApp, TestResult, User, id_of, merged};
use diesel::prelude::*;
use serde_json::json;
use yishi::auth::Role;
use yishi::db::DbConn;
use yishi::db::schema::topics;

/// A topic the test made, as the filter below sees it.
#[derive(Debug, Clone)]
struct Made {
    id: i64,
    place: i64,
    title: String,
    body: String,
}

/// The old filter: `lower(title) LIKE '%q%' OR lower(body) LIKE '%q%'`, every character of
/// `q` literal. (Only ASCII letters have case in these texts, where SQLite's `lower()` and
/// Rust's agree.)
fn like(t: &Made, q: &str) -> bool {
    let q = q.to_lowercase();
    t.title.to_lowercase().contains(&q) || t.body.to_lowercase().contains(&q)
}

/// The ids `like` keeps, in id order (the list's order).
fn expected(made: &[Made], q: &str, place: Option<i64>) -> Vec<i64> {
    let mut ids: Vec<i64> = made
        .iter()
        .filter(|t| place.is_none_or(|p| t.place == p))
        .filter(|t| like(t, q))
        .map(|t| t.id)
        .collect();
    ids.sort_unstable();
    ids
}

fn encode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// Every page of `GET /api/v1/topics?q=…&limit=…` (plus `extra` parameters): asserts each
/// page is full but the last, ids rise within and across pages, and returns them.
async fn search(app: &TestApp, who: &User, q: &str, extra: &str, limit: usize) -> Vec<i64> {
    let mut all: Vec<i64> = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut path = format!("/api/v1/topics?q={}&limit={limit}{extra}", encode(q));
        if let Some(c) = &cursor {
            path.push_str(&format!("&cursor={c}"));
        }
        let r = app.get(&path, who.tok()).await;
        assert_eq!(r.status, StatusCode::OK, "{path}: {:?}", r.body);
        let items = r.body["items"].as_array().expect("items").clone();
        let page: Vec<i64> = items.iter().map(id_of).collect();
        for t in &items {
            let title = t["title"].as_str().unwrap();
            let body = t["body"].as_str().unwrap();
            let q_low = q.to_lowercase();
            assert!(
                title.to_lowercase().contains(&q_low) || body.to_lowercase().contains(&q_low),
                "q={q:?} returned {title:?} / {body:?}"
            );
        }
        cursor = r.body["next_cursor"].as_str().map(str::to_string);
        if cursor.is_some() {
            assert_eq!(page.len(), limit, "q={q:?}: a page before the last is full");
        }
        all.extend(page);
        if cursor.is_none() {
            break;
        }
    }
    assert!(
        all.windows(2).all(|w| w[0] < w[1]),
        "q={q:?}: ids rise across pages: {all:?}"
    );
    all
}

/// Raises a topic as `who` and records it.
async fn raise(app: &TestApp, who: &User, place: i64, title: &str, body: &str) -> Made {
    let r = app
        .post(
            "/api/v1/topics",
            who.tok(),
            json!({"place_id": place, "title": title, "body": body, "category": "facilities"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{title}: {:?}", r.body);
    Made {
        id: id_of(&r.body),
        place,
        title: r.body["title"].as_str().unwrap().to_string(),
        body: r.body["body"].as_str().unwrap().to_string(),
    }
}

/// The demo city, a sub-district staff member (raises topics in both of its communities
/// used here) and the topics of [`corpus`].
async fn setup() -> (TestApp, DemoCity, User, Vec<Made>) {
    let app = TestApp::builder().demo().build().await;
    let city = app.demo_city().await;
    let staff = app
        .user_with(Role::SubdistrictStaff, city.subdistrict)
        .await;
    let mut made = Vec::new();
    for (i, (title, body)) in corpus().iter().enumerate() {
        let place = if i % 3 == 2 {
            city.sibling
        } else {
            city.community
        };
        made.push(raise(&app, &staff, place, title, body).await);
    }
    (app, city, staff, made)
}

/// Titles and bodies: words found in the title only, the body only, both; mixed-case ASCII;
/// `%`, `_`, `\` and `"` in the text; 20 topics sharing words, for paging.
fn corpus() -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = [
        ("3号楼电梯经常故障", "上下班高峰经常停运，业主多次反映。"),
        ("夜间照明不足", "南门的路灯坏了一个月，晚上出行不便。"),
        ("路灯不亮", "小区东门附近一片漆黑。"),
        (
            "WiFi 信号差",
            "公共活动室的 WIFI 覆盖不足，老人视频通话困难。",
        ),
        (
            "Parking Lot 停车难",
            "地下车库车位紧张，parking 收费不透明。",
        ),
        ("满意度100%调查", "物业费收缴率达到 100% 的说法有争议。"),
        (
            "变量名 snake_case 规范",
            "居民信息表字段用 a_b 命名，导出时出错。",
        ),
        ("他说\"电梯\"坏了", "有人在群里说\"物业不管\"，请核实。"),
        ("路径 C:\\temp 的文件", "反斜杠 \\ 在导出时被吞掉。"),
        ("满意度调查结果公示", "请居民查看满意度调查的结果。"),
        ("Home care 居家养老服务", "需要上门助餐，电梯房优先。"),
        ("外墙瓷砖脱落", "五号楼外墙瓷砖脱落，砸坏了车。"),
    ]
    .iter()
    .map(|(t, b)| (t.to_string(), b.to_string()))
    .collect();
    for n in 1..=20 {
        v.push((
            format!("垃圾分类亭第{n}次满溢"),
            format!("垃圾清运不及时，已经{n}周。"),
        ));
    }
    v
}

/// A query and how many topics the old LIKE finds for it (worked out by hand, so that a
/// case meant to match cannot pass by matching nothing).
const CASES: &[(&str, usize)] = &[
    // Two characters: no trigram, the LIKE alone. Title, body, both.
    ("电梯", 3),
    ("路灯", 2),
    ("垃圾", 20),
    ("瓷砖", 1),
    ("不亮", 1),
    ("漆黑", 1),
    ("满溢", 20),
    // Three characters: body only, title only.
    ("路灯坏", 1),
    ("被吞掉", 1),
    ("分类亭", 20),
    ("清运不", 20),
    // Four and more.
    ("电梯经常", 1),
    ("上下班高峰", 1),
    ("老人视频通话", 1),
    ("垃圾分类亭", 20),
    ("第1次满溢", 1),
    ("满意度调查", 1),
    // ASCII in any case, alone and mixed with Chinese.
    ("wifi", 1),
    ("WIFI", 1),
    ("wIfI 信号", 1),
    ("PARKING", 1),
    ("parking lot 停", 1),
    ("HOME CARE", 1),
    // `%`, `_`, `\` and `"` are characters, not wildcards or syntax.
    ("%", 1),
    ("100%", 1),
    ("满意%调查", 0),
    ("_", 1),
    ("e_c", 1),
    ("满意_调查", 0),
    ("\"", 1),
    ("\"电梯\"", 1),
    ("说\"物业", 1),
    ("\"电梯", 1),
    ("\\", 1),
    ("C:\\temp", 1),
    ("\\ 在", 1),
    ("%%", 0),
    ("\"\"\"", 0),
    // Title and body are not one text; nothing at all.
    ("不足南门", 0),
    ("不存在的议题", 0),
];

#[actix_rt::test]
async fn search_finds_what_the_like_found() -> TestResult {
    let (app, city, staff, made) = setup().await;
    for (q, count) in CASES {
        let want = expected(&made, q, None);
        assert_eq!(want.len(), *count, "q={q:?}: the hand count of the corpus");
        for limit in [3, 100] {
            let got = search(&app, &staff, q, "", limit).await;
            assert_eq!(got, want, "q={q:?} limit={limit}");
        }
        // With the place filter (one community's topics) and the stage filter.
        let got = search(&app, &staff, q, &format!("&place_id={}", city.sibling), 2).await;
        assert_eq!(got, expected(&made, q, Some(city.sibling)), "q={q:?} in B");
        let got = search(&app, &staff, q, "&stage=say", 4).await;
        assert_eq!(got, want, "q={q:?} stage=say");
        let got = search(&app, &staff, q, "&stage=plan", 4).await;
        assert!(got.is_empty(), "q={q:?} stage=plan: {got:?}");
    }
    // Where the words are: title only, body only.
    let by_title = |q: &str| {
        made.iter()
            .any(|t| t.title.contains(q) && !t.body.contains(q))
    };
    let by_body = |q: &str| {
        made.iter()
            .any(|t| t.body.contains(q) && !t.title.contains(q))
    };
    for q in ["不亮", "满溢", "分类亭", "电梯经常", "垃圾分类亭"] {
        assert!(by_title(q), "{q} is in a title only");
    }
    for q in ["漆黑", "路灯坏", "被吞掉", "上下班高峰", "老人视频通话"] {
        assert!(by_body(q), "{q} is in a body only");
    }
    app.done().await
}

/// Merging closes a topic but keeps its text: it is still found (the list shows merged
/// topics), as with the LIKE. A title changed in the database (topics have no edit endpoint;
/// the SQLite index follows through its triggers) is found by its new text only; a deleted
/// topic no longer at all. SQLite's index then passes FTS5's own integrity check against
/// `topics`.
#[actix_rt::test]
async fn merged_changed_and_deleted_topics() -> TestResult {
    let (app, city, staff, mut made) = setup().await;
    let old = raise(&app, &staff, city.community, "旧车棚改造", "车棚顶棚漏雨。").await;
    let new = raise(
        &app,
        &staff,
        city.community,
        "车棚改建成充电区",
        "统一改建。",
    )
    .await;
    made.extend([old.clone(), new.clone()]);
    let topic = app
        .get(&format!("/api/v1/topics/{}", old.id), staff.tok())
        .await
        .body;
    let r = app
        .post(
            &format!("/api/v1/topics/{}/transitions", old.id),
            staff.tok(),
            merged(
                json!({"action": "merge", "expected_version": topic["version"]}),
                json!({"target_topic_id": new.id}),
            ),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "merge: {:?}", r.body);
    assert_eq!(r.body["resolution"], "merged");
    assert_eq!(search(&app, &staff, "旧车棚", "", 5).await, vec![old.id]);
    assert_eq!(
        search(&app, &staff, "车棚", "", 5).await,
        vec![old.id, new.id]
    );
    assert_eq!(
        search(&app, &staff, "车棚改", "", 1).await,
        vec![old.id, new.id]
    );

    // A changed title and body (the index's update path).
    let tiles = made.iter().position(|t| t.title == "外墙瓷砖脱落").unwrap();
    let id = made[tiles].id;
    app.with_db(|c| {
        diesel::update(topics::table.find(id))
            .set((
                topics::title.eq("屋顶漏水 Roof"),
                topics::body.eq("顶楼住户家中渗水。"),
            ))
            .execute(c)
    })?;
    made[tiles].title = "屋顶漏水 Roof".into();
    made[tiles].body = "顶楼住户家中渗水。".into();
    for q in ["瓷砖脱落", "瓷砖", "外墙瓷", "砸坏了车"] {
        assert!(
            search(&app, &staff, q, "", 5).await.is_empty(),
            "old text {q}"
        );
    }
    for q in ["屋顶漏水", "roof", "渗水", "顶楼住户"] {
        assert_eq!(
            search(&app, &staff, q, "", 5).await,
            vec![id],
            "new text {q}"
        );
    }

    // A topic written and deleted straight in the database (the index's delete path).
    let gone = app.with_db(|c| {
        yishi::topics::queries::insert_topic(
            c,
            &yishi::topics::queries::NewTopicRow {
                place_id: city.community,
                community_id: city.community,
                title: "临时议题：井盖松动",
                body: "路口井盖松动。",
                category: yishi::topics::rules::Category::Facilities,
                source: yishi::topics::rules::Source::Staff,
                author_id: staff.id,
                on_behalf_of: None,
                major: false,
            },
        )
        .unwrap()
    });
    assert_eq!(search(&app, &staff, "井盖松动", "", 5).await, vec![gone]);
    app.with_db(|c| diesel::delete(topics::table.find(gone)).execute(c))?;
    assert!(search(&app, &staff, "井盖松动", "", 5).await.is_empty());

    // Everything else still as the LIKE has it.
    for (q, _) in CASES {
        assert_eq!(
            search(&app, &staff, q, "", 7).await,
            expected(&made, q, None),
            "q={q:?}"
        );
    }
    if !app.db.is_postgres() {
        app.with_db(|c| {
            diesel::sql_query(
                "INSERT INTO topics_fts(topics_fts, rank) VALUES ('integrity-check', 1)",
            )
            .execute(c)
        })?;
    }
    app.done().await
}

/// Topics that were there before the search migration are found through the index it built:
/// the migration is reverted and applied again under the server, then every case is asked.
#[actix_rt::test]
async fn the_migration_indexes_existing_topics() -> TestResult {
    use diesel::migration::MigrationSource;
    use diesel_migrations::MigrationHarness;
    let (app, _city, staff, made) = setup().await;
    const NAME: &str = "2026-12-03-000100";
    app.with_db(|c| {
        fn revert<DB: diesel::backend::Backend>(
            c: &mut impl MigrationHarness<DB>,
            dir: &str,
        ) -> usize
        where
            diesel_migrations::FileBasedMigrations: MigrationSource<DB>,
        {
            let source = diesel_migrations::FileBasedMigrations::from_path(dir).unwrap();
            let mut n = 0;
            loop {
                let v = c.revert_last_migration(source.clone()).unwrap();
                n += 1;
                // diesel keeps a version's digits only: 20261203000100.
                if v.to_string().replace('-', "") == NAME.replace('-', "") {
                    return n;
                }
            }
        }
        let reverted = match &mut *c {
            DbConn::Sqlite(c) => revert(c, "migrations/sqlite"),
            DbConn::Postgres(c) => revert(c, "migrations/postgres"),
        };
        assert!(reverted >= 1);
        assert_eq!(yishi::db::migrate(c).unwrap(), reverted);
    });
    for (q, _) in CASES {
        assert_eq!(
            search(&app, &staff, q, "", 50).await,
            expected(&made, q, None),
            "q={q:?}"
        );
    }
    app.done().await
}

/// The SQL `list_topics` sends for `q` (no other filter, a page of 21), with its bound values
/// written in as literals, so the database can EXPLAIN it.
fn list_sql(c: &mut DbConn, q: &str) -> String {
    use std::sync::{Arc, Mutex};
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let sink = seen.clone();
    c.set_instrumentation(move |event: diesel::connection::InstrumentationEvent<'_>| {
        if let diesel::connection::InstrumentationEvent::StartQuery { query, .. } = event {
            sink.lock().unwrap().push(query.to_string());
        }
    });
    let rows = yishi::topics::queries::list_topics(
        c,
        &yishi::topics::queries::TopicQuery {
            q: Some(q),
            fetch: 21,
            ..Default::default()
        },
    );
    c.set_instrumentation(yishi::db::statements::Counter);
    rows.unwrap();
    let sql = seen.lock().unwrap().last().cloned().unwrap();
    let (text, _) = sql.split_once(" -- binds: ").unwrap();
    // The bound values, in order: the FTS5 phrase and the cursor (SQLite, 3+ characters),
    // the LIKE pattern and its escape character twice, the limit.
    let low = q.to_lowercase();
    let pattern = format!("'%{}%'", low.replace('\'', "''"));
    let mut binds = Vec::new();
    if matches!(c, DbConn::Sqlite(_)) && low.chars().count() >= 3 {
        binds.push(format!(
            "'\"{}\"'",
            low.replace('"', "\"\"").replace('\'', "''")
        ));
        binds.push("0".to_string());
    }
    let escape = "'\\'".to_string();
    binds.extend([
        pattern.clone(),
        escape.clone(),
        pattern,
        escape,
        "21".to_string(),
    ]);
    let placeholders = if matches!(c, DbConn::Postgres(_)) {
        '$'
    } else {
        '?'
    };
    assert_eq!(text.matches(placeholders).count(), binds.len(), "{sql}");
    let mut out = text.to_string();
    if matches!(c, DbConn::Postgres(_)) {
        for (i, b) in binds.iter().enumerate().rev() {
            out = out.replace(&format!("${}", i + 1), b);
        }
    } else {
        for b in &binds {
            out = out.replacen('?', b, 1);
        }
    }
    out
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct PgPlanLine {
    #[diesel(sql_type = diesel::sql_types::Text, column_name = "QUERY PLAN")]
    line: String,
}

#[derive(QueryableByName)]
struct SqlitePlanLine {
    #[diesel(sql_type = diesel::sql_types::Text)]
    detail: String,
}

/// The plan of `sql`: PostgreSQL's `EXPLAIN (COSTS OFF)`, SQLite's `EXPLAIN QUERY PLAN`.
fn plan(c: &mut DbConn, sql: &str) -> String {
    match c {
        DbConn::Postgres(_) => diesel::sql_query(format!("EXPLAIN (COSTS OFF) {sql}"))
            .load::<PgPlanLine>(c)
            .unwrap()
            .into_iter()
            .map(|l| l.line)
            .collect::<Vec<_>>()
            .join("\n"),
        DbConn::Sqlite(_) => diesel::sql_query(format!("EXPLAIN QUERY PLAN {sql}"))
            .load::<SqlitePlanLine>(c)
            .unwrap()
            .into_iter()
            .map(|l| l.detail)
            .collect::<Vec<_>>()
            .join("\n"),
    }
}

/// 20,000 more topics of hex noise in the demo community, then fresh planner statistics, so
/// the planner weighs the indexes against a table worth scanning.
fn fill(c: &mut DbConn, place: i64, author: i64) {
    let sql = match c {
        DbConn::Postgres(_) => format!(
            "INSERT INTO topics (place_id, community_id, title, body, category, source, \
             author_id, stage, escalated, major, supporters_count, version, eval_round, \
             created_at, updated_at) \
             SELECT {place}, {place}, '议题' || g || ' ' || md5(g::text), \
             '内容 ' || md5((g * 7)::text) || md5((g * 11)::text), 'other', 'staff', {author}, \
             'say', false, false, 0, 1, 0, now()::timestamp, now()::timestamp \
             FROM generate_series(1, 20000) g"
        ),
        DbConn::Sqlite(_) => format!(
            "INSERT INTO topics (place_id, community_id, title, body, category, source, \
             author_id, stage, escalated, major, supporters_count, version, eval_round, \
             created_at, updated_at) \
             WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < 20000) \
             SELECT {place}, {place}, '议题' || g || ' ' || lower(hex(randomblob(16))), \
             '内容 ' || lower(hex(randomblob(32))), 'other', 'staff', {author}, \
             'say', 0, 0, 0, 1, 0, '2026-01-01 00:00:00', '2026-01-01 00:00:00' FROM s"
        ),
    };
    diesel::sql_query(sql).execute(c).unwrap();
    // On PostgreSQL a VACUUM also moves the rows from the GIN indexes' pending lists into the
    // indexes proper (autovacuum would, soon after such an insert): the planner prices a
    // long pending list as a scan of it.
    let analyze = match c {
        DbConn::Postgres(_) => "VACUUM ANALYZE",
        DbConn::Sqlite(_) => "ANALYZE",
    };
    diesel::sql_query(analyze).execute(c).unwrap();
}

/// With a table worth scanning, a 3-character query reads the trigram indexes (PostgreSQL: a
/// BitmapOr of the title and body indexes; SQLite: the FTS5 table, then topics by rowid) and
/// no topic row beyond them; a 2-character query cannot. Both plans are printed (run with
/// `--nocapture`; docs/database.md quotes them).
#[actix_rt::test]
async fn three_characters_use_the_trigram_index() -> TestResult {
    let (app, city, staff, made) = setup().await;
    let q3 = "路灯坏";
    let (three, two) = app.with_db(|c| {
        fill(c, city.community, staff.id);
        let sql = list_sql(c, q3);
        let three = plan(c, &sql);
        let sql = list_sql(c, "路灯");
        let two = plan(c, &sql);
        (three, two)
    });
    println!("q={q3}:\n{three}\n\nq=路灯:\n{two}");
    if app.db.is_postgres() {
        for index in ["topics_title_trgm_idx", "topics_body_trgm_idx"] {
            assert!(
                three.contains(&format!("Bitmap Index Scan on {index}")),
                "{index} in\n{three}"
            );
        }
        assert!(three.contains("BitmapOr"), "{three}");
        assert!(!three.contains("Seq Scan on topics"), "{three}");
        assert!(!two.contains("trgm"), "{two}");
    } else {
        assert!(
            three.contains("topics_fts VIRTUAL TABLE INDEX"),
            "the FTS5 index in\n{three}"
        );
        assert!(
            three.contains("SEARCH topics USING INTEGER PRIMARY KEY"),
            "topics by rowid in\n{three}"
        );
        assert!(
            !three
                .lines()
                .any(|l| l.starts_with("SCAN topics ") || l == "SCAN topics"),
            "{three}"
        );
        assert!(!two.contains("topics_fts"), "{two}");
    }
    if app.db.is_postgres() {
        // Every search is planned with its own text: the statement is never kept prepared
        // (a kept one turns generic after five runs, and the generic plan walks every topic).
        let kept = app.with_db(|c| {
            for q in [
                "路灯坏",
                "不存在",
                "电梯经常",
                "路灯坏",
                "不存在",
                "路灯",
                "不存在",
                "路灯坏",
            ] {
                yishi::topics::queries::list_topics(
                    c,
                    &yishi::topics::queries::TopicQuery {
                        q: Some(q),
                        fetch: 21,
                        ..Default::default()
                    },
                )
                .unwrap();
            }
            diesel::sql_query(
                "SELECT count(*) AS n FROM pg_prepared_statements \
                 WHERE statement LIKE '%LIKE%ESCAPE%'",
            )
            .get_result::<Count>(c)
            .unwrap()
            .n
        });
        assert_eq!(kept, 0, "no prepared search statement is kept");
    }
    // And the answer is still the LIKE's among 20,000 more topics.
    assert_eq!(
        search(&app, &staff, q3, "", 20).await,
        expected(&made, q3, None)
    );
    app.done().await
}
