#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Two `yishi serve` processes on one database act as one service: a token from one works
//! on the other, logout and reuse detection hold across them, and their two outbox senders
//! deliver each mail exactly once.

mod common;

use common::TestResult;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use awc::http::StatusCode;
use serde_json::{Value, json};

/// The signing secret both nodes are configured with.
const NODES_SECRET: &str = "nodes-test-secret-shared-by-both-nodes-0123456789";

struct Node {
    child: Child,
    base: String,
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_node(db_url: &str, mail_dir: &std::path::Path, seed: bool) -> Node {
    let mut child = Command::new(env!("CARGO_BIN_EXE_yishi"))
        .args([
            "--config-dir",
            concat!(env!("CARGO_MANIFEST_DIR"), "/config"),
            "--profile",
            "test",
        ])
        .args(["serve", "--bind", "127.0.0.1:0"])
        .env("YISHI_DATABASE__URL", db_url)
        // One installation, one secret: both nodes must verify each other's tokens (a
        // placeholder would make each generate its own, in ./data).
        .env("YISHI_AUTH__JWT_SECRET", NODES_SECRET)
        .env("YISHI_MAIL__FILE_DIR", mail_dir)
        .env("YISHI_MAIL__POLL_INTERVAL_MS", "20")
        .env("YISHI_DEMO__SEED_ON_EMPTY", seed.to_string())
        .env("YISHI_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start yishi serve");
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let base = loop {
        let line = lines.next().expect("serve printed its address").unwrap();
        if let Some(rest) = line.strip_prefix("yishi listening on ") {
            break rest.split_whitespace().next().unwrap().to_string();
        }
    };
    // Keep draining stdout so the process never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    Node { child, base }
}

async fn call(
    client: &awc::Client,
    method: &str,
    url: String,
    token: Option<&str>,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut req = match method {
        "GET" => client.get(url),
        _ => client.post(url),
    };
    if let Some(t) = token {
        req = req.insert_header(("Authorization", format!("Bearer {t}")));
    }
    let mut res = match body {
        Some(b) => req.send_json(&b).await.unwrap(),
        None => req.send().await.unwrap(),
    };
    let bytes = res.body().await.unwrap();
    (
        res.status(),
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

#[actix_rt::test]
async fn two_processes_share_one_database() -> TestResult {
    let db = common::TestDb::new();
    let mail = tempfile::tempdir().unwrap();
    let a = start_node(&db.url, mail.path(), true);
    let b = start_node(&db.url, mail.path(), false);
    let client = awc::Client::builder()
        .timeout(Duration::from_secs(30))
        .finish();

    let (s, login) = call(
        &client,
        "POST",
        format!("{}/api/v1/auth/login", a.base),
        None,
        Some(json!({"email": "admin@yishi.demo", "password": "yishi-demo-2026"})),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{login}");
    let access = login["access_token"].as_str().unwrap();
    let refresh = login["refresh_token"].as_str().unwrap();

    // A token from A works on B; a place made on B is seen on A.
    let (s, me) = call(
        &client,
        "GET",
        format!("{}/api/v1/me", b.base),
        Some(access),
        None,
    )
    .await;
    assert_eq!(
        (s, me["email"].as_str()),
        (StatusCode::OK, Some("admin@yishi.demo"))
    );
    let (s, places) = call(
        &client,
        "GET",
        format!("{}/api/v1/places?kind=community&limit=1", a.base),
        None,
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let community = places["items"][0]["id"].as_i64().unwrap();
    let (s, grid) = call(
        &client,
        "POST",
        format!("{}/api/v1/places", b.base),
        Some(access),
        Some(json!({"parent_id": community, "kind": "grid", "name": "两节点网格", "code": "two-node-grid"})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{grid}");
    let (s, seen) = call(
        &client,
        "GET",
        format!("{}/api/v1/places/{}", a.base, grid["id"]),
        None,
        None,
    )
    .await;
    assert_eq!(
        (s, seen["name"].as_str()),
        (StatusCode::OK, Some("两节点网格"))
    );

    // Refresh on B, replay the spent token on A: the family dies on both nodes.
    let (s, pair) = call(
        &client,
        "POST",
        format!("{}/api/v1/auth/refresh", b.base),
        None,
        Some(json!({"refresh_token": refresh})),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let (s, replay) = call(
        &client,
        "POST",
        format!("{}/api/v1/auth/refresh", a.base),
        None,
        Some(json!({"refresh_token": refresh})),
    )
    .await;
    assert_eq!(
        (s, replay["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("auth.refresh_reused"))
    );
    let new_access = pair["access_token"].as_str().unwrap();
    let (s, _) = call(
        &client,
        "GET",
        format!("{}/api/v1/me", b.base),
        Some(new_access),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);

    // Registrations on both nodes: each mail is delivered once although both senders run.
    for (i, node) in [&a, &b, &a, &b].iter().enumerate() {
        let (s, _) = call(
            &client,
            "POST",
            format!("{}/api/v1/auth/register", node.base),
            None,
            Some(json!({"email": format!("n{i}@example.com"), "password": "a long enough password", "display_name": "居民", "home_place_id": community})),
        )
        .await;
        assert_eq!(s, StatusCode::ACCEPTED);
    }
    let mut delivered = 0;
    for _ in 0..200 {
        delivered = (0..4)
            .filter(|i| !common::read_mails(mail.path(), &format!("n{i}@example.com")).is_empty())
            .count();
        if delivered == 4 {
            break;
        }
        actix_rt::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(delivered, 4);
    actix_rt::time::sleep(Duration::from_millis(500)).await;
    for i in 0..4 {
        assert_eq!(
            common::read_mails(mail.path(), &format!("n{i}@example.com")).len(),
            1,
            "mail {i} sent once"
        );
    }
    Ok(())
}

/// A count over the nodes' shared database.
fn count(db_url: &str, sql: &str) -> i64 {
    use diesel::prelude::*;
    #[derive(QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let pool = yishi::db::pool(db_url, 1, 5000).unwrap();
    let mut conn = pool.get().unwrap();
    diesel::sql_query(format!("SELECT COUNT(*) AS n FROM {sql}"))
        .get_result::<N>(&mut conn)
        .unwrap()
        .n
}

async fn login(client: &awc::Client, node: &Node, email: &str) -> String {
    let (s, body) = call(
        client,
        "POST",
        format!("{}/api/v1/auth/login", node.base),
        None,
        Some(json!({"email": email, "password": "yishi-demo-2026"})),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{email}: {body}");
    body["access_token"].as_str().unwrap().to_string()
}

/// Sends the requests at once, each to the node its index picks, and returns the answers.
async fn burst(
    client: &awc::Client,
    nodes: [&Node; 2],
    token: &str,
    requests: Vec<(String, Value)>,
) -> Vec<(StatusCode, Value)> {
    let tasks: Vec<_> = requests
        .into_iter()
        .enumerate()
        .map(|(i, (path, body))| {
            let (client, url, token) = (
                client.clone(),
                format!("{}{path}", nodes[i % 2].base),
                token.to_string(),
            );
            actix_rt::spawn(
                async move { call(&client, "POST", url, Some(&token), Some(body)).await },
            )
        })
        .collect();
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.unwrap());
    }
    out
}

/// A webhook receiver on loopback: answers 200 and keeps each delivery's `webhook-id`.
fn webhook_receiver() -> (String, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let ids = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = ids.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let (mut id, mut length) = (None, 0usize);
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                let (name, value) = line.split_once(':').unwrap_or(("", ""));
                match name.to_ascii_lowercase().as_str() {
                    "webhook-id" => id = Some(value.trim().to_string()),
                    "content-length" => length = value.trim().parse().unwrap_or(0),
                    _ => {}
                }
            }
            let mut body = vec![0; length];
            let _ = reader.read_exact(&mut body);
            seen.lock().unwrap().extend(id);
            let _ = stream
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        }
    });
    (url, ids)
}

#[actix_rt::test]
async fn a_burst_on_two_nodes_notifies_everyone_exactly_once() -> TestResult {
    let db = common::TestDb::new();
    let mail = tempfile::tempdir().unwrap();
    let a = start_node(&db.url, mail.path(), true);
    let b = start_node(&db.url, mail.path(), false);
    let client = awc::Client::builder()
        .timeout(Duration::from_secs(30))
        .finish();
    let author = login(&client, &a, "resident@yishi.demo").await;
    let neighbour = login(&client, &b, "resident2@yishi.demo").await;
    let staff = login(&client, &a, "staff@yishi.demo").await;
    let (_, places) = call(
        &client,
        "GET",
        format!("{}/api/v1/places?kind=community&limit=1", a.base),
        None,
        None,
    )
    .await;
    let community = places["items"][0]["id"].as_i64().unwrap();
    // An integrator's endpoint for the community's acceptances and comments.
    let admin = login(&client, &b, "admin@yishi.demo").await;
    let (hook_url, received) = webhook_receiver();
    let (s, hook) = call(
        &client,
        "POST",
        format!("{}/api/v1/webhooks", b.base),
        Some(&admin),
        Some(json!({"url": hook_url, "event_kinds": ["topic_accepted", "comment_added"], "place_id": community})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{hook}");

    // Twelve topics raised on both nodes at once; the neighbour supports each (and so follows).
    let n = 12;
    let raised = burst(
        &client,
        [&a, &b],
        &author,
        (0..n)
            .map(|i| {
                ("/api/v1/topics".to_string(), json!({"place_id": community, "title": format!("两节点议题{i}"), "body": "楼下的路灯坏了。", "category": "facilities"}))
            })
            .collect(),
    )
    .await;
    let topics: Vec<i64> = raised
        .iter()
        .map(|(s, t)| {
            assert_eq!(*s, StatusCode::CREATED, "{t}");
            t["id"].as_i64().unwrap()
        })
        .collect();
    let supports = topics
        .iter()
        .map(|t| (format!("/api/v1/topics/{t}/supports"), json!({})))
        .collect();
    for (s, body) in burst(&client, [&b, &a], &neighbour, supports).await {
        assert_eq!(s, StatusCode::OK, "{body}");
    }
    // Staff accept all of them through both nodes at once, and the neighbour comments on each.
    let accepts = topics
        .iter()
        .map(|t| {
            (
                format!("/api/v1/topics/{t}/transitions"),
                json!({"action": "accept", "expected_version": 1}),
            )
        })
        .collect();
    let comments = topics
        .iter()
        .map(|t| {
            (
                format!("/api/v1/topics/{t}/comments"),
                json!({"body": "同意"}),
            )
        })
        .collect();
    let (accepted, commented) = (
        burst(&client, [&a, &b], &staff, accepts).await,
        burst(&client, [&b, &a], &neighbour, comments).await,
    );
    for (s, body) in accepted.iter().chain(&commented) {
        assert!(s.is_success(), "{s}: {body}");
    }

    // Both workers drain the events; each was fanned out once.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while count(&db.url, "notification_events WHERE fanned_out_at IS NULL") > 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "fan-out did not finish"
        );
        actix_rt::time::sleep(Duration::from_millis(50)).await;
    }
    let ids = topics
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(",");
    let of_kind = |kind: &str| {
        count(
            &db.url,
            &format!("notifications WHERE kind = '{kind}' AND topic_id IN ({ids})"),
        )
    };
    // Accepted: the author and the supporting neighbour, once each per topic.
    assert_eq!(of_kind("topic_accepted"), 2 * n);
    // A comment: the author, who watches what they raised (the neighbour commented).
    assert_eq!(of_kind("comment_added"), n);
    // Raised: every staff member of the place, the same number for each topic, once each.
    let raised_each = count(
        &db.url,
        &format!(
            "notifications WHERE kind = 'topic_raised' AND topic_id = {}",
            topics[0]
        ),
    );
    assert!(raised_each >= 2, "community and sub-district staff");
    assert_eq!(of_kind("topic_raised"), raised_each * n);
    assert_eq!(
        count(
            &db.url,
            "(SELECT event_id, user_id FROM notifications GROUP BY event_id, user_id HAVING COUNT(*) > 1) d"
        ),
        0
    );

    // Mail: every immediate notification mail was queued once and arrived once, whichever
    // node's sender took it (the rest wait for the digest: the hourly cap).
    let queued = |status: &str| {
        count(
            &db.url,
            &format!("outbox WHERE message_id LIKE '<notification-%' AND status = '{status}'"),
        )
    };
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while queued("pending") > 0 {
        assert!(std::time::Instant::now() < deadline, "mail not sent");
        actix_rt::time::sleep(Duration::from_millis(50)).await;
    }
    let sent = queued("sent");
    assert!(sent > 0);
    let immediate = count(&db.url, "notification_deliveries WHERE mode = 'immediate'");
    assert_eq!(immediate, sent, "one mail per immediate delivery");
    let mut files_per_id = std::collections::HashMap::<String, usize>::new();
    for entry in std::fs::read_dir(mail.path())? {
        let text = std::fs::read_to_string(entry?.path())?;
        if let Some(id) = text
            .lines()
            .find_map(|l| l.strip_prefix("Message-ID: <notification-"))
        {
            *files_per_id.entry(id.to_string()).or_default() += 1;
        }
    }
    assert_eq!(files_per_id.len() as i64, sent, "every queued mail arrived");
    assert!(files_per_id.values().all(|n| *n == 1), "and only once");

    // Webhooks: one delivery per event, received once, though both nodes deliver.
    let events = count(
        &db.url,
        &format!(
            "notification_events WHERE kind IN ('topic_accepted', 'comment_added') AND topic_id IN ({ids})"
        ),
    );
    assert_eq!(events, 2 * n);
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while (received.lock().unwrap().len() as i64) < events {
        assert!(
            std::time::Instant::now() < deadline,
            "webhooks not delivered"
        );
        actix_rt::time::sleep(Duration::from_millis(50)).await;
    }
    actix_rt::time::sleep(Duration::from_millis(500)).await;
    let got = received.lock().unwrap().clone();
    let distinct: std::collections::BTreeSet<_> = got.iter().collect();
    assert_eq!((got.len() as i64, distinct.len() as i64), (events, events));
    assert_eq!(
        count(
            &db.url,
            &format!(
                "webhook_deliveries WHERE webhook_id = {} AND status = 'delivered'",
                hook["id"]
            )
        ),
        events
    );
    Ok(())
}
