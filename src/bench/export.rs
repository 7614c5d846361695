//! `yishi bench export` and the bulk catalog topics it (and tests) fill a database with.

use std::time::Instant;

use crate::db::{self, DbConn};
use crate::error::ApiResult;
use crate::places::queries;
use crate::places::rules::PlaceKind;

/// Catalog topics to insert directly (no workflow, no timeline): for filling a database fast
/// in tests and in `bench export`. Row `i` is created `step_secs * i` after `created_at` and
/// numbered `first_seq + i` in `year`.
#[derive(Debug, Clone)]
pub struct BulkTopics {
    pub place_id: i64,
    pub community_id: i64,
    pub author_id: i64,
    pub year: i32,
    pub first_seq: i32,
    pub count: usize,
    pub created_at: chrono::NaiveDateTime,
    pub step_secs: i64,
}

/// Inserts [`BulkTopics`] in the discuss stage with catalog numbers, 500 rows per statement
/// (one multi-row `INSERT`; only numbers and fixed words are written into the SQL).
pub fn insert_catalog_topics(conn: &mut DbConn, b: &BulkTopics) -> ApiResult<usize> {
    use diesel::RunQueryDsl;
    let stamp = |i: usize| {
        let secs = b.step_secs * i64::try_from(i).unwrap_or(i64::MAX);
        (b.created_at + chrono::Duration::seconds(secs))
            .format("%F %T%.f")
            .to_string()
    };
    let mut done = 0;
    db::write_tx(conn, |conn| {
        while done < b.count {
            let n = (b.count - done).min(500);
            let mut sql = String::from(
                "INSERT INTO topics (place_id, community_id, title, body, category, source, \
                 author_id, stage, catalog_year, catalog_seq, catalog_no, escalated, major, \
                 supporters_count, version, eval_round, created_at, updated_at, discuss_at) VALUES ",
            );
            for i in done..done + n {
                let seq = b.first_seq + i32::try_from(i).unwrap_or(i32::MAX);
                let at = stamp(i);
                if i > done {
                    sql.push(',');
                }
                sql.push_str(&format!(
                    "({}, {}, '议题 {seq}', '第 {seq} 号议题：楼道照明、停车、垃圾分类等, \"引号\"与逗号', \
                     'facilities', 'resident', {}, 'discuss', {}, {seq}, '{}-{seq:06}', false, false, \
                     {}, 1, 0, '{at}', '{at}', '{at}')",
                    b.place_id,
                    b.community_id,
                    b.author_id,
                    b.year,
                    b.year,
                    seq % 7,
                ));
            }
            diesel::sql_query(sql).execute(conn)?;
            done += n;
        }
        Ok(done)
    })
}

/// One measurement of `bench export`: a database of `topics` catalog topics, a fresh `serve`
/// child process, one download of each format.
#[derive(Debug)]
pub struct ExportReport {
    pub topics: usize,
    /// Peak RSS (VmHWM) of the child after start-up and one small request, in KiB.
    pub rss_before_kib: u64,
    /// Peak RSS of the child after downloading topics.csv.
    pub rss_after_csv_kib: u64,
    /// Peak RSS of the child after downloading topics.json as well.
    pub rss_after_json_kib: u64,
    pub csv_rows: usize,
    pub csv_bytes: usize,
    pub csv_seconds: f64,
    pub json_rows: usize,
    pub json_bytes: usize,
    pub json_seconds: f64,
}

/// Fills `conn` (an empty, migrated database) up to `total` catalog topics in one community
/// (creating the place and an author the first time).
pub fn fill_export(conn: &mut DbConn, total: usize) -> ApiResult<()> {
    use diesel::prelude::*;

    use crate::db::schema::{places as p, topics as t, users as u};
    let community = p::table
        .filter(p::code.eq("bx-1"))
        .select(p::id)
        .first::<i64>(conn)
        .optional()?;
    let community = match community {
        Some(c) => c,
        None => db::write_tx(conn, |conn| {
            let city = queries::insert_place(conn, None, PlaceKind::City, "bench city", "bx")?;
            let c = queries::insert_place(
                conn,
                Some((city.id, &format!("/{}/", city.id))),
                PlaceKind::Community,
                "bench community",
                "bx-1",
            )?;
            crate::accounts::queries::insert_user(conn, "author@bench", "-", "作者", None, true)?;
            Ok(c.id)
        })?,
    };
    let author = u::table
        .filter(u::email.eq("author@bench"))
        .select(u::id)
        .first::<i64>(conn)?;
    let have = t::table.count().get_result::<i64>(conn)?;
    let have = usize::try_from(have).unwrap_or(0);
    if have >= total {
        return Ok(());
    }
    insert_catalog_topics(
        conn,
        &BulkTopics {
            place_id: community,
            community_id: community,
            author_id: author,
            year: 2026,
            first_seq: i32::try_from(have).unwrap_or(0) + 1,
            count: total - have,
            created_at: chrono::NaiveDate::from_ymd_opt(2020, 1, 1)
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .unwrap_or_default(),
            step_secs: 600,
        },
    )?;
    Ok(())
}

/// The peak resident set size (VmHWM) of a process, in KiB (Linux `/proc`).
pub fn peak_rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// What one download brought: bytes, rows (CSV lines after the header, or JSON elements, one
/// per line) and seconds. Reads chunk by chunk, so the client holds no whole body either.
async fn download(
    client: &reqwest::Client,
    url: &str,
    csv: bool,
) -> Result<(usize, usize, f64), String> {
    let started = Instant::now();
    let mut res = client.get(url).send().await.map_err(|e| e.to_string())?;
    if !res.status().is_success() {
        return Err(format!("{url}: {}", res.status()));
    }
    let (mut bytes, mut marks) = (0usize, 0usize);
    let mut last = 0u8;
    while let Some(chunk) = res.chunk().await.map_err(|e| e.to_string())? {
        bytes += chunk.len();
        for &b in chunk.iter() {
            let hit = if csv {
                last == b'\r' && b == b'\n'
            } else {
                last == b'\n' && b == b'{'
            };
            if hit {
                marks += 1;
            }
            last = b;
        }
    }
    let rows = if csv { marks.saturating_sub(1) } else { marks };
    Ok((bytes, rows, started.elapsed().as_secs_f64()))
}

/// The running `serve` child, killed when dropped.
pub(super) struct Child(std::process::Child);

impl Child {
    /// The child's process id, for reading its memory.
    pub(super) fn id(&self) -> u32 {
        self.0.id()
    }
}

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `yishi serve` (this executable) on `url` with a free port in a scratch folder;
/// returns the child and its address, read from the line it prints when listening. `envs`
/// override the defaults set here (the demo is not seeded unless asked).
pub(super) fn spawn_server(
    url: &str,
    config_dir: &std::path::Path,
    profile: &str,
    scratch: &std::path::Path,
    envs: &[(&str, &str)],
) -> Result<(Child, String), String> {
    use std::io::BufRead;
    use std::process::{Command, Stdio};
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let dir = |d: &str| scratch.join(d).display().to_string();
    let mut child = Command::new(exe)
        .arg("--config-dir")
        .arg(config_dir)
        .arg("--profile")
        .arg(profile)
        .arg("serve")
        .arg("--bind")
        .arg("127.0.0.1:0")
        .env("YISHI_DATABASE__URL", url)
        .env("YISHI_DEMO__SEED_ON_EMPTY", "false")
        .env("YISHI_AUTH__GENERATED_SECRET_FILE", dir("jwt-secret"))
        .env("YISHI_MAIL__FILE_DIR", dir("mail"))
        .env("YISHI_ATTACHMENTS__LOCAL_DIR", dir("files"))
        .env("YISHI_LOG", "warn")
        .envs(envs.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| e.to_string())?;
    let stdout = child.stdout.take().ok_or("no stdout of the child")?;
    let child = Child(child);
    let mut lines = std::io::BufReader::new(stdout).lines();
    loop {
        let line = lines
            .next()
            .ok_or("the server ended before listening")?
            .map_err(|e| e.to_string())?;
        if let Some(rest) = line.strip_prefix("yishi listening on http://") {
            let addr = rest
                .split_whitespace()
                .next()
                .unwrap_or_default()
                .to_string();
            // Keep reading what the server prints (the demo logins, say): a closed pipe would
            // make its next print fail.
            std::thread::spawn(move || lines.for_each(drop));
            return Ok((child, addr));
        }
    }
}

/// `yishi bench export`: for each size in `sizes` (ascending), fills the database at `url` up
/// to that many catalog topics, starts a fresh `serve` child, reads its peak RSS, downloads
/// topics.csv and topics.json over HTTP and reads the peak again.
pub fn export(
    url: &str,
    config_dir: &std::path::Path,
    profile: &str,
    sizes: &[usize],
) -> Result<Vec<ExportReport>, String> {
    let scratch = std::env::temp_dir().join(format!("yishi-bench-export-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).map_err(|e| e.to_string())?;
    let pool = db::pool(url, 1, 5000).map_err(|e| e.to_string())?;
    let mut reports = Vec::new();
    for &size in sizes {
        {
            let mut conn = pool.get().map_err(|e| e.to_string())?;
            db::migrate(&mut conn)?;
            fill_export(&mut conn, size).map_err(|e| e.to_string())?;
        }
        let (child, addr) = spawn_server(url, config_dir, profile, &scratch, &[])?;
        let pid = child.id();
        let report = actix_web::rt::System::new().block_on(async {
            let client = reqwest::Client::new();
            let base = format!("http://{addr}/api/v1/open-data");
            // A small request first, so "before" includes a warmed-up worker.
            download(&client, &format!("http://{addr}/readyz"), false).await?;
            let rss_before_kib = peak_rss_kib(pid).unwrap_or(0);
            let (csv_bytes, csv_rows, csv_seconds) =
                download(&client, &format!("{base}/topics.csv"), true).await?;
            let rss_after_csv_kib = peak_rss_kib(pid).unwrap_or(0);
            let (json_bytes, json_rows, json_seconds) =
                download(&client, &format!("{base}/topics.json"), false).await?;
            let rss_after_json_kib = peak_rss_kib(pid).unwrap_or(0);
            Ok::<_, String>(ExportReport {
                topics: size,
                rss_before_kib,
                rss_after_csv_kib,
                rss_after_json_kib,
                csv_rows,
                csv_bytes,
                csv_seconds,
                json_rows,
                json_bytes,
                json_seconds,
            })
        })?;
        drop(child);
        reports.push(report);
    }
    let _ = std::fs::remove_dir_all(&scratch);
    Ok(reports)
}
