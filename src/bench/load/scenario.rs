//! The simulated people of `yishi bench run` and what they do, as goose scenarios.
//!
//! - 游客 visitors (anonymous): the city's and communities' public catalogs, deep catalog pages
//!   by cursor, public topics in JSON and as pages, community statistics.
//! - 居民 residents (signed in): topic lists with filters, Chinese text search, topic detail and
//!   timeline, and the durable creates: a topic, a comment, a support.
//! - 社区工作者 staff: accept a topic that waits in 说 (a transition).
//! - 物业 property firms: a progress note on one of their tasks (a task update).
//! - logins: a password check each time (argon2id on the server).
//!
//! Every request of a kind carries one name, so the report has one line per step.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use goose::prelude::*;
use serde_json::{Value, json};

use super::RunOptions;

/// Which traffic a run sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mix {
    /// Everybody at once: the realistic day.
    Mixed,
    /// Anonymous catalog and public topic reads only (the read-ratio target).
    Reads,
    /// Signed-in residents creating topics, comments and supports only (the write target).
    Writes,
    /// The anonymous catalog only, first and deep pages (the p99-at-200-rps target).
    Catalog,
    /// A login storm beside anonymous readers (do logins starve reads?).
    Logins,
}

impl std::str::FromStr for Mix {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Ok(match s {
            "mixed" => Mix::Mixed,
            "reads" => Mix::Reads,
            "writes" => Mix::Writes,
            "catalog" => Mix::Catalog,
            "logins" => Mix::Logins,
            _ => {
                return Err(format!(
                    "unknown mix {s:?} (mixed, reads, writes, catalog, logins)"
                ));
            }
        })
    }
}

/// Whose accounts sign in: the demo city's (`yishi demo seed`) or `yishi bench seed`'s.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Accounts {
    Demo,
    Bench,
}

impl std::str::FromStr for Accounts {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "demo" => Ok(Accounts::Demo),
            "bench" => Ok(Accounts::Bench),
            _ => Err(format!("unknown accounts {s:?} (demo, bench)")),
        }
    }
}

/// What every simulated user shares, found before the load starts.
#[derive(Debug)]
pub struct Plan {
    root: i64,
    communities: Vec<i64>,
    public_topics: Vec<i64>,
    residents: Vec<String>,
    staff: Vec<String>,
    firms: Vec<String>,
    password: String,
    turn: [AtomicUsize; 3],
}

static PLAN: OnceLock<Plan> = OnceLock::new();

/// Makes `plan` the one the transactions read (one run per process).
pub fn install(plan: Plan) {
    let _ = PLAN.set(plan);
}

fn plan() -> Result<&'static Plan, Box<TransactionError>> {
    PLAN.get()
        .ok_or_else(|| Box::new(TransactionError::Custom("no plan".into())))
}

/// Search words of 2, 3 and 4 characters, all of which the seeded titles and bodies use.
const SEARCHES: &[&str] = &[
    "电梯",
    "停车",
    "路灯",
    "噪音扰民",
    "垃圾清运",
    "物业费",
    "充电桩",
];

/// Signs in once over plain HTTP and reads the place tree and some public topics.
pub async fn discover(host: &str, opts: &RunOptions) -> Result<Plan, String> {
    let (residents, staff, firms) = match opts.accounts {
        Accounts::Demo => (
            vec!["resident@yishi.demo".into(), "resident2@yishi.demo".into()],
            vec!["staff@yishi.demo".into()],
            vec!["property@yishi.demo".into()],
        ),
        Accounts::Bench => (
            (0..opts.users.max(16) * 4)
                .map(|n| format!("resident-{n}@bench.yishi"))
                .collect(),
            (0..opts.users.max(1))
                .map(|n| format!("staff-{n}@bench.yishi"))
                .collect(),
            (0..opts.users.max(1))
                .map(|n| format!("firm-{n}@bench.yishi"))
                .collect(),
        ),
    };
    let password = match opts.accounts {
        Accounts::Demo => "yishi-demo-2026".to_string(),
        Accounts::Bench => opts.password.clone(),
    };
    let client = reqwest::Client::new();
    let fetch = |path: String, token: Option<String>| {
        let client = client.clone();
        let url = format!("{host}{path}");
        async move {
            let mut req = client.get(&url);
            if let Some(t) = token {
                req = req.bearer_auth(t);
            }
            let res = req.send().await.map_err(|e| format!("{url}: {e}"))?;
            if !res.status().is_success() {
                return Err(format!("{url}: {}", res.status()));
            }
            res.json::<Value>().await.map_err(|e| format!("{url}: {e}"))
        }
    };
    let token = login_once(&client, host, &residents[0], &password).await?;
    let root = item_ids(
        &fetch(
            "/api/v1/places?kind=city&limit=1".into(),
            Some(token.clone()),
        )
        .await?,
    )
    .first()
    .copied()
    .ok_or("no city in the database (seed it first)")?;
    let communities = item_ids(
        &fetch(
            "/api/v1/places?kind=community&limit=100".into(),
            Some(token.clone()),
        )
        .await?,
    );
    // Public topics: the first pages of the city's catalog.
    let mut public_topics = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..10 {
        let mut path = format!("/api/v1/public/places/{root}/catalog?limit=100");
        if let Some(c) = &cursor {
            path.push_str(&format!("&cursor={c}"));
        }
        let page = fetch(path, None).await?;
        public_topics.extend(item_ids(&page));
        cursor = page["next_cursor"].as_str().map(str::to_string);
        if cursor.is_none() {
            break;
        }
    }
    if public_topics.is_empty() || communities.is_empty() {
        return Err("the database has no catalog topics or no communities".into());
    }
    Ok(Plan {
        root,
        communities,
        public_topics,
        residents,
        staff,
        firms,
        password,
        turn: Default::default(),
    })
}

async fn login_once(
    client: &reqwest::Client,
    host: &str,
    email: &str,
    password: &str,
) -> Result<String, String> {
    let res = client
        .post(format!("{host}/api/v1/auth/login"))
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if !res.status().is_success() {
        return Err(format!("login {email}: {}", res.status()));
    }
    let v: Value = res.json().await.map_err(|e| e.to_string())?;
    v["access_token"]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| format!("login {email}: no access_token"))
}

/// The goose scenarios of a mix, weighted by how many users each gets.
pub fn scenarios(mix: Mix) -> Result<Vec<Scenario>, GooseError> {
    let visitor = || -> Result<Scenario, GooseError> {
        Ok(scenario!("visitor")
            .register_transaction(transaction!(catalog_first_page).set_weight(3)?)
            .register_transaction(transaction!(catalog_deep_pages).set_weight(1)?)
            .register_transaction(transaction!(community_catalog).set_weight(2)?)
            .register_transaction(transaction!(public_topic).set_weight(4)?)
            .register_transaction(transaction!(topic_page).set_weight(2)?))
    };
    Ok(match mix {
        Mix::Mixed => vec![
            visitor()?.set_weight(6)?,
            resident_reads()?.set_weight(3)?,
            resident_writes()?.set_weight(2)?,
            scenario!("staff")
                .register_transaction(transaction!(sign_in_staff).set_on_start())
                .register_transaction(transaction!(accept_topic))
                .set_weight(1)?,
            scenario!("firm")
                .register_transaction(transaction!(sign_in_firm).set_on_start())
                .register_transaction(transaction!(task_update))
                .set_weight(1)?,
            // Logins are rare in a real day: one a second per login user.
            scenario!("login")
                .register_transaction(transaction!(login))
                .set_wait_time(Duration::from_millis(500), Duration::from_millis(1500))?
                .set_weight(1)?,
        ],
        Mix::Reads => vec![
            scenario!("reader")
                .register_transaction(transaction!(catalog_first_page))
                .register_transaction(transaction!(public_topic)),
        ],
        Mix::Writes => vec![resident_writes()?],
        Mix::Catalog => vec![
            scenario!("catalog")
                .register_transaction(transaction!(catalog_first_page).set_weight(2)?)
                .register_transaction(transaction!(catalog_deep_pages))
                .register_transaction(transaction!(community_catalog)),
        ],
        Mix::Logins => vec![
            visitor()?.set_weight(1)?,
            scenario!("login")
                .register_transaction(transaction!(login))
                .set_weight(1)?,
        ],
    })
}

fn resident_reads() -> Result<Scenario, GooseError> {
    Ok(scenario!("resident reads")
        .register_transaction(transaction!(sign_in_resident).set_on_start())
        .register_transaction(transaction!(topic_list).set_weight(3)?)
        .register_transaction(transaction!(search).set_weight(2)?)
        .register_transaction(transaction!(topic_detail).set_weight(3)?)
        .register_transaction(transaction!(timeline).set_weight(2)?)
        .register_transaction(transaction!(stats).set_weight(1)?))
}

fn resident_writes() -> Result<Scenario, GooseError> {
    Ok(scenario!("resident writes")
        .register_transaction(transaction!(sign_in_resident).set_on_start())
        .register_transaction(transaction!(create_topic))
        .register_transaction(transaction!(comment).set_weight(2)?)
        .register_transaction(transaction!(support).set_weight(2)?))
}

/// One signed-in user's state.
#[derive(Debug, Default, Clone)]
struct Session {
    token: String,
    community: i64,
    organization: Option<i64>,
    /// Topics in 议 of the user's community, for reading, commenting and supporting.
    topics: Vec<i64>,
    /// A firm's open tasks on topics in 办: (id, version).
    tasks: Vec<(i64, i64)>,
    n: usize,
}

fn err(msg: impl Into<String>) -> Box<TransactionError> {
    Box::new(TransactionError::Custom(msg.into()))
}

/// What came back: the status (0 when the connection failed) and the JSON body, if any.
struct Answer {
    status: u16,
    body: Option<Value>,
}

/// Sends a request under `name`, with the user's token when signed in. `ok_also` is a status
/// that is an honest answer in this step (a 409 when someone else moved first), not a failure.
async fn send(
    user: &mut GooseUser,
    method: GooseMethod,
    path: &str,
    name: &str,
    body: Option<Value>,
    ok_also: Option<u16>,
) -> Result<Answer, Box<TransactionError>> {
    let mut builder = user.get_request_builder(&method, path)?;
    if let Some(s) = user.get_session_data::<Session>() {
        builder = builder.bearer_auth(&s.token);
    }
    if let Some(b) = body {
        builder = builder.json(&b);
    }
    let req = GooseRequest::builder()
        .method(method)
        .path(path)
        .name(name)
        .set_request_builder(builder)
        .build();
    let mut goose = user.request(req).await?;
    let status = goose
        .response
        .as_ref()
        .map(|r| r.status().as_u16())
        .unwrap_or(0);
    if Some(status) == ok_also {
        user.set_success(&mut goose.request)?;
    }
    let body = match goose.response {
        Ok(r) if r.status().is_success() => r.json::<Value>().await.ok(),
        _ => None,
    };
    Ok(Answer { status, body })
}

/// A GET under `name` (with the user's token when signed in); the JSON body, if any.
async fn get(
    user: &mut GooseUser,
    path: &str,
    name: &str,
) -> Result<Option<Value>, Box<TransactionError>> {
    Ok(send(user, GooseMethod::Get, path, name, None, None)
        .await?
        .body)
}

/// The `id` of each element of a list answer's `items`.
fn item_ids(list: &Value) -> Vec<i64> {
    list["items"]
        .as_array()
        .map(|a| a.iter().filter_map(|t| t["id"].as_i64()).collect())
        .unwrap_or_default()
}

/// The next account of `list` (0 residents, 1 staff, 2 firms), round robin over the run.
fn next_account(p: &Plan, which: usize) -> String {
    let list = [&p.residents, &p.staff, &p.firms][which];
    list[p.turn[which].fetch_add(1, Ordering::Relaxed) % list.len()].clone()
}

fn pick<T: Copy>(xs: &[T]) -> Result<T, Box<TransactionError>> {
    if xs.is_empty() {
        return Err(err("nothing to pick from"));
    }
    Ok(xs[fastrand::usize(..xs.len())])
}

async fn catalog_first_page(user: &mut GooseUser) -> TransactionResult {
    let root = plan()?.root;
    let path = format!("/api/v1/public/places/{root}/catalog?limit=20");
    get(user, &path, "catalog: city, page 1").await?;
    Ok(())
}

/// Follows the city catalog's cursor 2–20 pages deep, as someone paging through would.
async fn catalog_deep_pages(user: &mut GooseUser) -> TransactionResult {
    let root = plan()?.root;
    let mut cursor: Option<String> = None;
    for page in 0..fastrand::usize(2..=20) {
        let mut path = format!("/api/v1/public/places/{root}/catalog?limit=20");
        if let Some(c) = &cursor {
            path.push_str(&format!("&cursor={c}"));
        }
        let name = if page == 0 {
            "catalog: city, page 1"
        } else {
            "catalog: city, next page by cursor"
        };
        let v = get(user, &path, name).await?;
        cursor = v.and_then(|v| v["next_cursor"].as_str().map(str::to_string));
        if cursor.is_none() {
            break;
        }
    }
    Ok(())
}

async fn community_catalog(user: &mut GooseUser) -> TransactionResult {
    let c = pick(&plan()?.communities)?;
    let path = format!("/api/v1/public/places/{c}/catalog?limit=20");
    get(user, &path, "catalog: community").await?;
    Ok(())
}

async fn public_topic(user: &mut GooseUser) -> TransactionResult {
    let id = pick(&plan()?.public_topics)?;
    let path = format!("/api/v1/public/topics/{id}");
    get(user, &path, "public topic (JSON)").await?;
    Ok(())
}

async fn topic_page(user: &mut GooseUser) -> TransactionResult {
    let id = pick(&plan()?.public_topics)?;
    let path = format!("/topics/{id}");
    let req = GooseRequest::builder()
        .path(path.as_str())
        .name("public topic page (HTML)")
        .build();
    user.request(req).await?;
    Ok(())
}

/// Signs in the next account of `list` and keeps the token and the home community.
async fn sign_in(user: &mut GooseUser, which: usize) -> TransactionResult {
    let email = next_account(plan()?, which);
    let v = log_in(user, &email)
        .await?
        .ok_or_else(|| err(format!("login {email} failed")))?;
    let token = v["access_token"].as_str().unwrap_or_default().to_string();
    user.set_session_data(Session {
        token,
        ..Session::default()
    });
    let me = get(user, "/api/v1/me", "me")
        .await?
        .ok_or_else(|| err("GET /me failed"))?;
    let roles = me["roles"].as_array().cloned().unwrap_or_default();
    let wanted = ["resident", "community_staff", "property_firm"][which];
    let grant = roles
        .iter()
        .find(|g| g["role"] == wanted)
        .ok_or_else(|| err(format!("{email} is not {wanted}")))?;
    let community = grant["place_id"].as_i64().unwrap_or_default();
    let organization = grant["organization_id"].as_i64();
    let path = format!("/api/v1/topics?place_id={community}&stage=discuss&limit=50");
    let topics = get(user, &path, "topics: list with filters")
        .await?
        .map(|v| item_ids(&v))
        .unwrap_or_default();
    if let Some(s) = user.get_session_data_mut::<Session>() {
        s.community = community;
        s.organization = organization;
        s.topics = topics;
    }
    Ok(())
}

async fn sign_in_resident(user: &mut GooseUser) -> TransactionResult {
    sign_in(user, 0).await
}

async fn sign_in_staff(user: &mut GooseUser) -> TransactionResult {
    sign_in(user, 1).await
}

async fn sign_in_firm(user: &mut GooseUser) -> TransactionResult {
    sign_in(user, 2).await?;
    let tasks = open_tasks(user).await?;
    if let Some(s) = user.get_session_data_mut::<Session>() {
        s.tasks = tasks;
    }
    Ok(())
}

fn session(user: &GooseUser) -> Result<&Session, Box<TransactionError>> {
    user.get_session_data::<Session>()
        .ok_or_else(|| err("not signed in"))
}

async fn topic_list(user: &mut GooseUser) -> TransactionResult {
    let c = session(user)?.community;
    let stage = pick(&["say", "discuss", "plan", "act", "evaluate"])?;
    let path = format!("/api/v1/topics?place_id={c}&stage={stage}&limit=20");
    get(user, &path, "topics: list with filters").await?;
    Ok(())
}

/// Chinese text search over everything the resident may see (no place filter).
async fn search(user: &mut GooseUser) -> TransactionResult {
    let q = pick(SEARCHES)?;
    let name = if q.chars().count() < 3 {
        "topics: search, 2 characters"
    } else {
        "topics: search, 3+ characters"
    };
    let path = format!("/api/v1/topics?q={}&limit=20", urlencode(q));
    get(user, &path, name).await?;
    Ok(())
}

fn urlencode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

fn own_topic(user: &GooseUser) -> Result<Option<i64>, Box<TransactionError>> {
    let s = session(user)?;
    Ok(if s.topics.is_empty() {
        None
    } else {
        Some(s.topics[fastrand::usize(..s.topics.len())])
    })
}

async fn topic_detail(user: &mut GooseUser) -> TransactionResult {
    if let Some(id) = own_topic(user)? {
        let path = format!("/api/v1/topics/{id}");
        get(user, &path, "topic: detail").await?;
    }
    Ok(())
}

async fn timeline(user: &mut GooseUser) -> TransactionResult {
    if let Some(id) = own_topic(user)? {
        let path = format!("/api/v1/topics/{id}/timeline");
        get(user, &path, "topic: timeline").await?;
    }
    Ok(())
}

async fn stats(user: &mut GooseUser) -> TransactionResult {
    let c = session(user)?.community;
    let path = format!("/api/v1/stats?place_id={c}");
    get(user, &path, "stats: community").await?;
    Ok(())
}

async fn create_topic(user: &mut GooseUser) -> TransactionResult {
    let s = session(user)?;
    let (c, n) = (s.community, s.n);
    let body = json!({
        "place_id": c,
        "title": format!("压测议题：{}号楼楼道灯不亮（{n}）", 1 + fastrand::usize(..30)),
        "body": "晚上楼道一片漆黑，老人上下楼容易摔倒，希望尽快修好。",
        "category": pick(&["facilities", "safety", "environment", "property"])?,
    });
    send(
        user,
        GooseMethod::Post,
        "/api/v1/topics",
        "create: topic",
        Some(body),
        None,
    )
    .await?;
    if let Some(s) = user.get_session_data_mut::<Session>() {
        s.n += 1;
    }
    Ok(())
}

async fn comment(user: &mut GooseUser) -> TransactionResult {
    if let Some(id) = own_topic(user)? {
        let path = format!("/api/v1/topics/{id}/comments");
        let body = json!({"body": "同意，我家也遇到这个问题，希望早点解决。", "stance": "for"});
        send(
            user,
            GooseMethod::Post,
            &path,
            "create: comment",
            Some(body),
            None,
        )
        .await?;
    }
    Ok(())
}

/// A support. Supporting twice is refused (409 `topic.already_supported`); then the support is
/// withdrawn instead, so the next try is a real insert again.
async fn support(user: &mut GooseUser) -> TransactionResult {
    if let Some(id) = own_topic(user)? {
        let path = format!("/api/v1/topics/{id}/supports");
        let answer = send(
            user,
            GooseMethod::Post,
            &path,
            "create: support",
            None,
            Some(409),
        )
        .await?;
        if answer.status == 409 {
            send(
                user,
                GooseMethod::Delete,
                &path,
                "delete: support",
                None,
                None,
            )
            .await?;
        }
    }
    Ok(())
}

/// Accepts the oldest topic waiting in 说 at the staff member's community; a 409 (a colleague
/// or another run moved it first) is an honest answer, not a failure.
async fn accept_topic(user: &mut GooseUser) -> TransactionResult {
    let c = session(user)?.community;
    let path = format!("/api/v1/topics?place_id={c}&stage=say&limit=1");
    let list = get(user, &path, "topics: list with filters").await?;
    let Some(t) = list.and_then(|v| v["items"].as_array().and_then(|a| a.first().cloned())) else {
        return Ok(());
    };
    let (Some(id), Some(version)) = (t["id"].as_i64(), t["version"].as_i64()) else {
        return Ok(());
    };
    let path = format!("/api/v1/topics/{id}/transitions");
    let body = json!({"action": "accept", "expected_version": version, "note": "压测受理"});
    send(
        user,
        GooseMethod::Post,
        &path,
        "transition: accept",
        Some(body),
        Some(409),
    )
    .await?;
    Ok(())
}

/// A progress note on one of the firm's open tasks of topics in 办 (found at sign-in); the
/// answer's version is kept for the next note. A 409 (a colleague wrote first) is honest.
async fn task_update(user: &mut GooseUser) -> TransactionResult {
    let tasks = session(user)?.tasks.clone();
    if tasks.is_empty() {
        return Ok(());
    }
    let k = fastrand::usize(..tasks.len());
    let (id, version) = tasks[k];
    let path = format!("/api/v1/tasks/{id}");
    let body = json!({"progress_note": "已安排师傅上门查看", "expected_version": version});
    let answer = send(
        user,
        GooseMethod::Patch,
        &path,
        "task: progress update",
        Some(body),
        Some(409),
    )
    .await?;
    let next = answer.body.and_then(|t| t["version"].as_i64());
    if let (Some(v), Some(s)) = (next, user.get_session_data_mut::<Session>()) {
        s.tasks[k].1 = v;
    }
    Ok(())
}

/// The firm's open tasks on topics in 办 at its community, with their versions.
async fn open_tasks(user: &mut GooseUser) -> Result<Vec<(i64, i64)>, Box<TransactionError>> {
    let s = session(user)?;
    let (c, Some(org)) = (s.community, s.organization) else {
        return Ok(Vec::new());
    };
    let path = format!("/api/v1/topics?place_id={c}&stage=act&limit=20");
    let acting = get(user, &path, "topics: list with filters").await?;
    let mut tasks = Vec::new();
    for id in acting.map(|v| item_ids(&v)).unwrap_or_default() {
        let path = format!("/api/v1/topics/{id}/tasks");
        let list = get(user, &path, "tasks: list").await?;
        for t in list
            .and_then(|v| v["items"].as_array().cloned())
            .unwrap_or_default()
        {
            if t["organization_id"].as_i64() == Some(org)
                && t["status"] != "done"
                && let (Some(id), Some(v)) = (t["id"].as_i64(), t["version"].as_i64())
            {
                tasks.push((id, v));
            }
        }
    }
    Ok(tasks)
}

/// One login (one argon2id verification on the server), then forget the token.
async fn login(user: &mut GooseUser) -> TransactionResult {
    let email = next_account(plan()?, 0);
    log_in(user, &email).await?;
    Ok(())
}

/// Posts a login for `email` with the run's password; the answer (with `access_token`).
async fn log_in(user: &mut GooseUser, email: &str) -> Result<Option<Value>, Box<TransactionError>> {
    let body = json!({"email": email, "password": plan()?.password});
    Ok(send(
        user,
        GooseMethod::Post,
        "/api/v1/auth/login",
        "login",
        Some(body),
        None,
    )
    .await?
    .body)
}
