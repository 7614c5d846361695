//! No N+1: every list endpoint issues the same number of SQL statements for a page of 5 rows
//! as for a page of 25, and so does every read of one parent (a topic, a meeting; JSON and its
//! HTML page) that shows 5 or 25 children. The server runs with `server.statement_count_header`, so each answer
//! carries `x-sql-statements`, the statements that request issued (counted per request by
//! `yishi::db::statements`; background workers cannot add to it). The open-data exports stream
//! their body after the answer's head, so their page function is counted directly on a pooled
//! connection of this thread.
//!
//! Every list is filled first (30 rows where the list pages with `limit`; a fresh parent with
//! exactly 5 and one with exactly 25 children where it does not), then read at 5 and at 25 and
//! printed as a table (docs/benchmarks.md, "Statements per request").
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Body, Method, TestApp, User, id_of, make_user, monday_at};
use serde_json::{Value, json};
use yishi::auth::Role;

const SMALL: usize = 5;
const LARGE: usize = 25;
/// Rows made for the lists that page with `limit`.
const FILL: usize = 30;

/// How a read is made and checked.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    /// A JSON list: `{items}` must hold exactly the page size.
    List,
    /// A JSON (or calendar) answer about a parent with 5 or 25 children.
    Detail,
    /// An HTML page about such a parent, read by a browser signed in as the reader.
    Page,
}

/// One read: its label, the path for each size, who reads it, and how.
struct Case {
    name: String,
    small: String,
    large: String,
    who: Option<User>,
    email: &'static str,
    kind: Kind,
}

fn case(name: &str, who: Option<&User>, path: impl Fn(usize) -> String) -> Case {
    Case {
        name: name.to_string(),
        small: path(SMALL),
        large: path(LARGE),
        who: who.cloned(),
        email: "",
        kind: Kind::List,
    }
}

/// A read of a parent's detail (JSON) that embeds its children.
fn detail(name: &str, who: &User, path: impl Fn(usize) -> String) -> Case {
    Case {
        kind: Kind::Detail,
        ..case(name, Some(who), path)
    }
}

/// An HTML page of a parent, read by `email`'s browser.
fn page(name: &str, email: &'static str, path: impl Fn(usize) -> String) -> Case {
    Case {
        email,
        kind: Kind::Page,
        ..case(name, None, path)
    }
}

/// A request that must succeed; its JSON answer.
async fn ok(app: &TestApp, method: Method, path: &str, who: &User, body: Option<Value>) -> Value {
    let r = app
        .send(
            method.clone(),
            path,
            Some(&who.token),
            &[],
            body.map_or(Body::Empty, Body::Json),
        )
        .await;
    assert!(
        r.status.is_success(),
        "{method} {path}: {} {:?}",
        r.status,
        r.body
    );
    r.body
}

async fn post(app: &TestApp, path: &str, who: &User, body: Value) -> Value {
    ok(app, Method::POST, path, who, Some(body)).await
}

/// A multipart form with a small PNG in the field `file`.
fn photo() -> Body {
    let mut png = std::io::Cursor::new(Vec::new());
    image::DynamicImage::new_rgb8(4, 4)
        .write_to(&mut png, image::ImageFormat::Png)
        .unwrap();
    let b = "statements-boundary";
    let mut body = format!(
        "--{b}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"p.png\"\r\nContent-Type: image/png\r\n\r\n"
    )
    .into_bytes();
    body.extend(png.into_inner());
    body.extend(format!("\r\n--{b}--\r\n").into_bytes());
    Body::Raw(format!("multipart/form-data; boundary={b}"), body)
}

async fn upload(app: &TestApp, path: &str, who: &User) {
    let r = app
        .send(Method::POST, path, Some(&who.token), &[], photo())
        .await;
    assert_eq!(r.status.as_u16(), 201, "upload {path}: {:?}", r.body);
}

/// Moves a topic on with the version just read.
async fn topic_act(app: &TestApp, id: i64, who: &User, action: &str) {
    let v =
        ok(app, Method::GET, &format!("/api/v1/topics/{id}"), who, None).await["version"].clone();
    let body = json!({"action": action, "expected_version": v, "note": "纳入",
                      "decision": "由物业更换路灯"});
    post(app, &format!("/api/v1/topics/{id}/transitions"), who, body).await;
}

/// Moves a meeting on with the version just read.
async fn meeting_act(app: &TestApp, id: i64, who: &User, action: &str) {
    let base = format!("/api/v1/consultations/{id}");
    let v = ok(app, Method::GET, &base, who, None).await["version"].clone();
    let body = json!({"action": action, "expected_version": v, "minutes": "议定：物业更换路灯。"});
    post(app, &format!("{base}/transitions"), who, body).await;
}

/// The people who make and read the rows.
struct Cast {
    author: User,
    sub: User,
    cppcc: User,
    root: User,
}

/// A meeting slot of its own: two hours, `3n` hours after next Monday 09:00.
fn slot(n: usize) -> (Value, Value) {
    let start = monday_at(9, 0) + chrono::Duration::hours(3 * i64::try_from(n).unwrap());
    (json!(start), json!(start + chrono::Duration::hours(2)))
}

/// A resident of `place` inserted directly (no password: invitees never sign in).
fn resident(app: &TestApp, email: &str, place: i64) -> i64 {
    app.with_db(|c| {
        let id =
            yishi::accounts::queries::insert_user(c, email, "-", email, Some(place), true).unwrap();
        yishi::accounts::queries::insert_grant(c, id, Role::Resident, Some(place), None, None)
            .unwrap();
        id
    })
}

/// Fills every list and returns the reads.
async fn fill(app: &TestApp, cast: &Cast) -> Vec<Case> {
    let city = app.demo_city().await;
    let c = city.community;
    let Cast {
        author,
        sub,
        cppcc,
        root,
    } = cast;
    let mut cases = Vec::new();

    // Webhooks (the first hears acceptances in 幸福社区, so it gets 30 deliveries), organisations,
    // users.
    let mut hook = 0;
    for i in 0..FILL {
        let kind = if i == 0 {
            "topic_accepted"
        } else {
            "topic_closed"
        };
        let w = post(app, "/api/v1/webhooks", root,
            json!({"url": format!("http://127.0.0.1:9/hook{i}"), "event_kinds": [kind], "place_id": c}))
        .await;
        if i == 0 {
            hook = id_of(&w);
        }
        post(
            app,
            "/api/v1/organizations",
            root,
            json!({"kind": "social_org", "name": format!("志愿者协会{i}"), "place_ids": [c]}),
        )
        .await;
        resident(app, &format!("listed{i}@example.com"), c);
    }

    // 30 topics in the catalog of 幸福社区, followed by their author, whose acceptance notifies
    // the author; the first gets 30 comments (and so a timeline of 32 events).
    let mut topics = Vec::new();
    for i in 0..FILL {
        let t = post(app, "/api/v1/topics", author,
            json!({"place_id": c, "title": format!("路灯坏了 {i}"), "body": "楼前的路灯坏了两周，晚上回家很不安全。",
                   "category": "facilities"}))
        .await;
        let id = id_of(&t);
        topic_act(app, id, sub, "accept").await;
        ok(
            app,
            Method::PUT,
            &format!("/api/v1/topics/{id}/follow"),
            author,
            Some(json!({"level": "normal"})),
        )
        .await;
        topics.push(id);
    }
    for i in 0..FILL {
        post(
            app,
            &format!("/api/v1/topics/{}/comments", topics[0]),
            author,
            json!({"body": format!("同意，路灯要尽快修。{i}")}),
        )
        .await;
    }

    // Per page size: a topic in plan with that many tasks and photos, a published plan with
    // that many objections, a meeting with that many agenda items, invitations, photos and
    // outcomes.
    let mut per_size = Vec::new();
    for (round, k) in [SMALL, LARGE].into_iter().enumerate() {
        let t = id_of(&post(app, "/api/v1/topics", author,
            json!({"place_id": c, "title": format!("健身器材 {k}"), "body": "小区健身器材坏了。",
                   "category": "facilities"})).await);
        topic_act(app, t, sub, "accept").await;
        topic_act(app, t, sub, "decide").await;
        let due = (chrono::Utc::now() + chrono::Duration::days(30)).to_rfc3339();
        let mut task = 0;
        for i in 0..k {
            let created = post(
                app,
                &format!("/api/v1/topics/{t}/tasks"),
                sub,
                json!({"title": format!("维修 {i}"), "organization_id": city.firm, "due_at": due}),
            )
            .await;
            if i == 0 {
                task = id_of(&created);
            }
            upload(app, &format!("/api/v1/topics/{t}/attachments"), sub).await;
        }
        for i in 0..k {
            upload(app, &format!("/api/v1/tasks/{task}/attachments"), sub).await;
            post(
                app,
                &format!("/api/v1/topics/{t}/comments"),
                author,
                json!({"body": format!("器材要换新的 {i}")}),
            )
            .await;
        }

        let n = id_of(
            &post(
                app,
                "/api/v1/topics",
                author,
                json!({"place_id": c, "title": format!("停车位 {k}"), "body": "停车位不够。",
                   "category": "facilities"}),
            )
            .await,
        );
        topic_act(app, n, sub, "accept").await;
        topic_act(app, n, sub, "decide").await;
        post(
            app,
            &format!("/api/v1/topics/{n}/tasks"),
            sub,
            json!({"title": "划线", "organization_id": city.firm, "due_at": due}),
        )
        .await;
        topic_act(app, n, sub, "publish_plan").await;
        for i in 0..k {
            let objector = make_user(
                app,
                &format!("objector{k}-{i}"),
                Some(c),
                &[(Role::Resident, Some(c), None)],
            )
            .await;
            post(
                app,
                &format!("/api/v1/topics/{n}/objections"),
                &objector,
                json!({"body": format!("位置不合适 {i}")}),
            )
            .await;
        }

        let (starts, ends) = slot(round);
        let m = id_of(&post(app, "/api/v1/consultations", cppcc,
            json!({"place_id": c, "title": format!("路灯微协商 {k}"), "kind": "micro_consultation",
                   "format": "in_person", "venue": "幸福社区议事厅", "starts_at": starts, "ends_at": ends}))
        .await);
        let base = format!("/api/v1/consultations/{m}");
        let mut items = Vec::new();
        let mut invitations = Vec::new();
        for i in 0..k {
            let item = post(
                app,
                &format!("{base}/agenda-items"),
                cppcc,
                json!({"title": format!("事项 {i}"), "minutes": 2}),
            )
            .await;
            items.push(id_of(&item));
            let invitee = resident(app, &format!("invitee{k}-{i}@example.com"), c);
            let inv = post(
                app,
                &format!("{base}/invitations"),
                cppcc,
                json!({"user_id": invitee, "category": "resident_rep"}),
            )
            .await;
            invitations.push(id_of(&inv));
            upload(app, &format!("{base}/attachments"), cppcc).await;
        }
        meeting_act(app, m, cppcc, "schedule").await;
        meeting_act(app, m, cppcc, "start").await;
        post(
            app,
            &format!("{base}/attendance"),
            cppcc,
            json!({"attended_invitation_ids": invitations}),
        )
        .await;
        meeting_act(app, m, cppcc, "conclude").await;
        for item in &items {
            post(app, &format!("{base}/outcomes"), sub,
                json!({"agenda_item_id": item, "decision": "物业更换路灯", "consensus": "majority"}))
            .await;
        }
        per_size.push((t, task, n, m));
    }
    // More meetings, scheduled (so public), for the meeting list and the open-data export.
    for i in 2..FILL {
        let (starts, ends) = slot(i);
        let m = id_of(&post(app, "/api/v1/consultations", cppcc,
            json!({"place_id": c, "title": format!("院坝协商 {i}"), "kind": "courtyard",
                   "format": "in_person", "venue": "3号楼院坝", "starts_at": starts, "ends_at": ends}))
        .await);
        meeting_act(app, m, cppcc, "schedule").await;
    }
    app.fanned_out().await;

    let sized = |pick: fn(&(i64, i64, i64, i64)) -> i64, path: &'static str| {
        let ids: Vec<i64> = per_size.iter().map(pick).collect();
        move |k: usize| {
            let id = if k == SMALL { ids[0] } else { ids[1] };
            path.replace("{id}", &id.to_string())
        }
    };
    let t = topics[0];
    cases.extend([
        case("topics (place)", Some(author), |k| {
            format!("/api/v1/topics?place_id={c}&limit={k}")
        }),
        case("topics (place, staff)", Some(sub), |k| {
            format!("/api/v1/topics?place_id={c}&limit={k}")
        }),
        case("topics (stage, category)", Some(author), |k| {
            format!("/api/v1/topics?place_id={c}&stage=discuss&category=facilities&limit={k}")
        }),
        case("topics (text search)", Some(author), |k| {
            format!("/api/v1/topics?place_id={c}&q=%E8%B7%AF%E7%81%AF&limit={k}")
        }),
        case("topics (mine)", Some(author), |k| {
            format!("/api/v1/topics?mine=true&limit={k}")
        }),
        case("public catalog", None, |k| {
            format!("/api/v1/public/places/{c}/catalog?limit={k}")
        }),
        case("comments", Some(author), |k| {
            format!("/api/v1/topics/{t}/comments?limit={k}")
        }),
        case("timeline", Some(author), |k| {
            format!("/api/v1/topics/{t}/timeline?limit={k}")
        }),
        case("tasks (place)", Some(sub), |k| {
            format!("/api/v1/tasks?place_id={c}&limit={k}")
        }),
        case(
            "topic tasks",
            Some(sub),
            sized(|s| s.0, "/api/v1/topics/{id}/tasks"),
        ),
        case(
            "topic attachments",
            Some(sub),
            sized(|s| s.0, "/api/v1/topics/{id}/attachments"),
        ),
        case(
            "task attachments",
            Some(sub),
            sized(|s| s.1, "/api/v1/tasks/{id}/attachments"),
        ),
        case(
            "objections",
            Some(author),
            sized(|s| s.2, "/api/v1/topics/{id}/objections"),
        ),
        case("consultations (place)", Some(cppcc), |k| {
            format!("/api/v1/consultations?place_id={c}&limit={k}")
        }),
        case(
            "agenda items",
            Some(cppcc),
            sized(|s| s.3, "/api/v1/consultations/{id}/agenda-items"),
        ),
        case(
            "invitations",
            Some(cppcc),
            sized(|s| s.3, "/api/v1/consultations/{id}/invitations"),
        ),
        case(
            "outcomes",
            Some(cppcc),
            sized(|s| s.3, "/api/v1/consultations/{id}/outcomes"),
        ),
        case(
            "consultation attachments",
            Some(cppcc),
            sized(|s| s.3, "/api/v1/consultations/{id}/attachments"),
        ),
        case("notifications", Some(author), |k| {
            format!("/api/v1/notifications?limit={k}")
        }),
        case("follows", Some(author), |k| {
            format!("/api/v1/me/follows?limit={k}")
        }),
        case("places", None, |k| format!("/api/v1/places?limit={k}")),
        case("organizations", None, |k| {
            format!("/api/v1/organizations?limit={k}")
        }),
        case("users", Some(root), |k| format!("/api/v1/users?limit={k}")),
        case("webhooks", Some(root), |k| {
            format!("/api/v1/webhooks?limit={k}")
        }),
        case("webhook deliveries", Some(root), move |k| {
            format!("/api/v1/webhooks/{hook}/deliveries?limit={k}")
        }),
        // Reads of one parent that embed its children: JSON details and the HTML pages.
        detail(
            "topic (tasks, photos, comments)",
            sub,
            sized(|s| s.0, "/api/v1/topics/{id}"),
        ),
        detail(
            "plan (tasks)",
            sub,
            sized(|s| s.0, "/api/v1/topics/{id}/plan"),
        ),
        detail(
            "public topic (comments, photos)",
            author,
            sized(|s| s.0, "/api/v1/public/topics/{id}"),
        ),
        detail(
            "topic (objections)",
            author,
            sized(|s| s.2, "/api/v1/topics/{id}"),
        ),
        detail(
            "meeting",
            cppcc,
            sized(|s| s.3, "/api/v1/consultations/{id}"),
        ),
        detail(
            "minutes",
            cppcc,
            sized(|s| s.3, "/api/v1/consultations/{id}/minutes"),
        ),
        detail(
            "meeting calendar",
            cppcc,
            sized(|s| s.3, "/api/v1/consultations/{id}/calendar.ics"),
        ),
        page(
            "page: topic (tasks, photos, comments)",
            "sub@example.com",
            sized(|s| s.0, "/topics/{id}"),
        ),
        page(
            "page: topic (objections)",
            "author@example.com",
            sized(|s| s.2, "/topics/{id}"),
        ),
        page(
            "page: meeting",
            "cppcc@example.com",
            sized(|s| s.3, "/consultations/{id}"),
        ),
    ]);
    cases
}

/// The statements one read issued (the least of two reads, so that a once-in-a-while write
/// such as a session touch does not count), after checking a list returned `k` rows.
async fn statements(app: &TestApp, c: &Case, path: &str, k: usize) -> u64 {
    let mut least = u64::MAX;
    let mut browser = match c.kind {
        Kind::Page => Some(app.browser_as(c.email).await),
        _ => None,
    };
    for _ in 0..2 {
        let (status, headers) = match browser.as_mut() {
            Some(b) => {
                let p = b.get(path).await;
                (p.status, p.headers)
            }
            None => {
                let token = c.who.as_ref().map(|u| u.token.as_str());
                let r = app.send(Method::GET, path, token, &[], Body::Empty).await;
                if c.kind == Kind::List {
                    let rows = r.body["items"].as_array().map(Vec::len);
                    assert_eq!(rows, Some(k), "{} {path}: not {k} rows", c.name);
                }
                (r.status, r.headers)
            }
        };
        assert_eq!(status.as_u16(), 200, "{} {path}", c.name);
        let n = headers
            .get("x-sql-statements")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok())
            .expect("x-sql-statements header");
        least = least.min(n);
    }
    least
}

/// An open-data page of `k` rows, counted on this thread's pooled connection.
fn export_statements(app: &TestApp, topics: bool, k: usize) -> u64 {
    use yishi::db::statements::on_thread;
    use yishi::opendata::{actions, queries::Scope};
    app.with_db(|conn| {
        let scope = Scope::default();
        let fetch = i64::try_from(k).unwrap();
        let before = on_thread();
        let rows = if topics {
            actions::topics_page(conn, &scope, 0, fetch).unwrap().len()
        } else {
            actions::consultations_page(conn, &scope, 0, fetch)
                .unwrap()
                .len()
        };
        let n = on_thread() - before;
        assert_eq!(rows, k, "open data page of {k}");
        n
    })
}

#[actix_rt::test]
async fn list_endpoints_issue_as_many_statements_for_25_rows_as_for_5() {
    let app = TestApp::builder()
        .setting("server.statement_count_header", "true")
        .setting("workflow.notice_days", "0")
        .setting("consultations.start_margin_minutes", "525600")
        .demo()
        .build()
        .await;
    let city = app.demo_city().await;
    let c = city.community;
    let cast = Cast {
        author: make_user(&app, "author", Some(c), &[(Role::Resident, Some(c), None)]).await,
        sub: make_user(
            &app,
            "sub",
            None,
            &[(Role::SubdistrictStaff, Some(city.subdistrict), None)],
        )
        .await,
        cppcc: make_user(
            &app,
            "cppcc",
            None,
            &[(Role::CppccMember, Some(city.district), None)],
        )
        .await,
        root: make_user(&app, "root", None, &[(Role::Admin, None, None)]).await,
    };
    let cases = fill(&app, &cast).await;

    let mut rows = Vec::new();
    for c in &cases {
        let small = statements(&app, c, &c.small, SMALL).await;
        let large = statements(&app, c, &c.large, LARGE).await;
        rows.push((c.name.clone(), small, large));
    }
    for (name, topics) in [
        ("open data: topics page", true),
        ("open data: consultations page", false),
    ] {
        let small = export_statements(&app, topics, SMALL);
        let large = export_statements(&app, topics, LARGE);
        rows.push((name.to_string(), small, large));
    }

    println!("\n| endpoint | statements, {SMALL} rows | statements, {LARGE} rows |");
    println!("|---|---|---|");
    for (name, small, large) in &rows {
        println!("| {name} | {small} | {large} |");
    }
    // The same instrumentation feeds the process-wide Prometheus series.
    let metrics = app.get("/metrics", None).await;
    let total = metrics
        .body
        .as_str()
        .unwrap_or("")
        .lines()
        .find_map(|l| l.strip_prefix("yishi_sql_statements_total "))
        .and_then(|v| v.trim().parse::<f64>().ok())
        .expect("yishi_sql_statements_total on /metrics");
    let counted: u64 = rows.iter().map(|(_, s, l)| s + l).sum();
    assert!(
        total >= counted as f64,
        "{total} statements in all, {counted} counted per request"
    );

    let growing: Vec<_> = rows.iter().filter(|(_, s, l)| l > s).collect();
    assert!(
        growing.is_empty(),
        "statements grow with the page size (N+1): {growing:?}"
    );
    app.done().await.unwrap();
}
