//! The `yishi` command: serve, migrate, admin create, demo seed, openapi.

use std::io::{BufRead, IsTerminal};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use tracing_subscriber::EnvFilter;
use yishi::config::Settings;
use yishi::{db, demo, server};

#[derive(Parser)]
#[command(
    name = "yishi",
    version,
    about = "议事 Yishi — community consultation service"
)]
struct Cli {
    /// Folder holding <profile>.toml overrides.
    #[arg(
        long,
        global = true,
        default_value = "config",
        env = "YISHI_CONFIG_DIR"
    )]
    config_dir: PathBuf,
    /// development, test or production.
    #[arg(
        long,
        global = true,
        default_value = "development",
        env = "YISHI_PROFILE"
    )]
    profile: String,
    #[command(subcommand)]
    command: Command,
}

// Parsed once per process; the size of the `bench` variant's options costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand)]
enum Command {
    /// Run the HTTP service (migrates first; seeds the demo on an empty development database).
    Serve {
        /// Listen address, overriding server.bind (port 0 picks a free port).
        #[arg(long)]
        bind: Option<String>,
    },
    /// Apply pending database migrations and exit.
    Migrate,
    /// Administer the installation.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// The demo city.
    Demo {
        #[command(subcommand)]
        command: DemoCommand,
    },
    /// Print the OpenAPI document.
    Openapi,
    /// Check the timelines' hash chains.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Measure: `bench places` times subtree queries on a 111,111-place tree; `bench fanout`
    /// times one event fanned out to a topic's followers; `bench export` the peak memory of a
    /// `serve` child exporting 5,000 and then `--topics` catalog topics. In a scratch database.
    /// `bench seed --tier community|district|city|hotline` fills the configured (or
    /// `--database-url`) database, which must be empty, with a realistic data set.
    Bench {
        /// `places`, `fanout`, `export` or `seed`
        what: String,
        /// Size of the data set (`seed`): community, district, city or hotline.
        #[arg(long, default_value = "community")]
        tier: String,
        /// Random seed (`seed`): the same seed gives the same data.
        #[arg(long, default_value_t = 12)]
        seed: u64,
        /// The one password of every seeded account (`seed`).
        #[arg(long, default_value = "yishi-bench")]
        password: String,
        /// Followers of the topic (`fanout`).
        #[arg(long, default_value_t = 5000)]
        followers: usize,
        /// Catalog topics of the large export (`export`; a 5,000-topic run comes first).
        #[arg(long, default_value_t = 50000)]
        topics: usize,
        /// Database to use (must be empty); default: a scratch SQLite file. `run`: the
        /// seeded database to serve (default: the configured one).
        #[arg(long)]
        database_url: Option<String>,
        /// Traffic of `run`: mixed, reads, writes, catalog or logins.
        #[arg(long, default_value = "mixed")]
        mix: String,
        /// Accounts `run` signs in with: bench (`bench seed`'s) or demo (seeds the demo city
        /// into an empty database).
        #[arg(long, default_value = "bench")]
        accounts: String,
        /// Simulated users of `run`.
        #[arg(long, default_value_t = 16)]
        users: usize,
        /// Seconds of load of `run`.
        #[arg(long, default_value_t = 30)]
        seconds: usize,
        /// At most this many requests a second in all (`run`; 0: unlimited).
        #[arg(long, default_value_t = 0)]
        rps: usize,
        /// PostgreSQL server for `run`'s pgbench reference (a scratch database is created).
        #[arg(long, env = "PG_ADMIN_URL")]
        pgbench_url: Option<String>,
        /// Seconds of each pgbench reference run.
        #[arg(long, default_value_t = 10)]
        reference_seconds: u64,
        /// `run` writes `<out>.json` and `<out>.svg` (for example docs/perf/city-postgres-mixed).
        #[arg(long)]
        out: Option<std::path::PathBuf>,
        /// A label for `run`'s report and chart.
        #[arg(long, default_value = "")]
        label: String,
    },
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create an installation-wide admin; the password is read from standard input.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long)]
        display_name: String,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Recompute every topic's hash chain; exits non-zero naming the first broken event.
    Verify,
}

#[derive(Subcommand)]
enum DemoCommand {
    /// Create the demo city, organisations and one account per role.
    Seed,
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_env("YISHI_LOG").unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("yishi: {e}");
            ExitCode::FAILURE
        }
    }
}

fn load(cli: &Cli, overrides: &[(&str, String)]) -> Result<Settings, String> {
    Settings::load(&cli.config_dir, &cli.profile, overrides).map_err(|e| e.to_string())
}

fn print_logins(settings: &Settings) {
    println!("demo logins (password: {}):", settings.demo.password);
    for l in demo::logins() {
        println!("  {:<28} {:<34} {}", l.email, l.role, l.place);
    }
}

fn run(cli: Cli) -> Result<(), String> {
    match &cli.command {
        Command::Openapi => {
            let doc = yishi::api::openapi();
            println!("{}", doc.to_pretty_json().map_err(|e| e.to_string())?);
            Ok(())
        }
        Command::Bench {
            what,
            database_url,
            followers,
            topics,
            tier,
            seed,
            password,
            mix,
            accounts,
            users,
            seconds,
            rps,
            pgbench_url,
            reference_seconds,
            out,
            label,
        } => {
            if !["places", "fanout", "export", "seed", "run"].contains(&what.as_str()) {
                return Err(format!(
                    "unknown benchmark {what:?} (try: places, fanout, export, seed, run)"
                ));
            }
            let settings = load(&cli, &[])?;
            if what == "run" {
                let opts = yishi::bench::load::RunOptions {
                    database_url: database_url
                        .clone()
                        .unwrap_or_else(|| settings.database.url.clone()),
                    mix: mix.parse()?,
                    accounts: accounts.parse()?,
                    password: password.clone(),
                    users: (*users).max(1),
                    seconds: (*seconds).max(1),
                    rps: *rps,
                    pgbench_url: pgbench_url.clone().filter(|u| !u.is_empty()),
                    reference_seconds: *reference_seconds,
                    out: out.clone(),
                    label: label.clone(),
                };
                let report =
                    yishi::bench::load::run(&settings, &cli.config_dir, &cli.profile, &opts)?;
                println!("{}", report.table());
                println!(
                    "server peak RSS: {:.1} MiB before the load, {:.1} MiB after",
                    report.server_peak_rss_mib_before, report.server_peak_rss_mib_after
                );
                println!(
                    "references: {}",
                    serde_json::to_string(&report.reference).map_err(|e| e.to_string())?
                );
                return Ok(());
            }
            if what == "seed" {
                let url = database_url.as_deref().unwrap_or(&settings.database.url);
                return bench_seed(&settings, url, tier, *seed, password);
            }
            let scratch =
                std::env::temp_dir().join(format!("yishi-bench-{}.db", std::process::id()));
            let url = database_url
                .clone()
                .unwrap_or_else(|| format!("sqlite://{}", scratch.display()));
            if what == "export" {
                let mut sizes = vec![5000.min(*topics), *topics];
                sizes.dedup();
                let reports = yishi::bench::export(&url, &cli.config_dir, &cli.profile, &sizes);
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", scratch.display()));
                }
                let reports = reports?;
                println!(
                    "| topics | peak RSS before | after topics.csv | after topics.json | csv rows | csv bytes | csv s | json rows | json bytes | json s |"
                );
                println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
                for r in &reports {
                    println!(
                        "| {} | {:.1} MiB | {:.1} MiB | {:.1} MiB | {} | {} | {:.2} | {} | {} | {:.2} |",
                        r.topics,
                        r.rss_before_kib as f64 / 1024.0,
                        r.rss_after_csv_kib as f64 / 1024.0,
                        r.rss_after_json_kib as f64 / 1024.0,
                        r.csv_rows,
                        r.csv_bytes,
                        r.csv_seconds,
                        r.json_rows,
                        r.json_bytes,
                        r.json_seconds
                    );
                }
                return Ok(());
            }
            let pool = db::pool(&url, 1, 5000).map_err(|e| e.to_string())?;
            let mut conn = pool.get().map_err(|e| e.to_string())?;
            db::migrate(&mut conn)?;
            if what == "places" {
                let report = yishi::bench::places(&mut conn, 10).map_err(|e| e.to_string())?;
                println!("{report:#?}");
            } else {
                let report = yishi::bench::fanout(&mut conn, &settings, *followers)
                    .map_err(|e| e.to_string())?;
                println!("{report:#?}");
            }
            drop(conn);
            drop(pool);
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", scratch.display()));
            }
            Ok(())
        }
        Command::Audit {
            command: AuditCommand::Verify,
        } => {
            let settings = load(&cli, &[])?;
            let pool = server::open_database(&settings)?;
            let mut conn = pool.get().map_err(|e| e.to_string())?;
            match yishi::topics::events::verify_all(&mut conn).map_err(|e| e.to_string())? {
                Ok(n) => {
                    println!("audit ok: {n} events, every chain intact");
                    Ok(())
                }
                Err(b) => Err(format!(
                    "audit FAILED: topic {} event {} (seq {}): {}",
                    b.topic_id, b.event_id, b.seq, b.why
                )),
            }
        }
        Command::Migrate => {
            let settings = load(&cli, &[])?;
            let pool = db::pool(&settings.database.url, 1, settings.database.busy_timeout_ms)
                .map_err(|e| e.to_string())?;
            let mut conn = pool.get().map_err(|e| e.to_string())?;
            let n = db::migrate(&mut conn)?;
            println!("applied {n} migration(s)");
            Ok(())
        }
        Command::Admin {
            command:
                AdminCommand::Create {
                    email,
                    display_name,
                },
        } => {
            let settings = load(&cli, &[])?;
            let password = read_password()?;
            let pool = server::open_database(&settings)?;
            let mut conn = pool.get().map_err(|e| e.to_string())?;
            let id =
                yishi::accounts::admin_create(&mut conn, &settings, email, display_name, &password)
                    .map_err(|e| e.to_string())?;
            println!("created admin {email} (id {id})");
            Ok(())
        }
        Command::Demo {
            command: DemoCommand::Seed,
        } => {
            let settings = load(&cli, &[])?;
            if settings.profile == "production" {
                return Err("demo accounts are never seeded in the production profile".into());
            }
            let pool = server::open_database(&settings)?;
            let mut conn = pool.get().map_err(|e| e.to_string())?;
            let (created, _) = demo::seed(&mut conn, &settings).map_err(|e| e.to_string())?;
            println!(
                "{}",
                if created {
                    "demo city seeded"
                } else {
                    "demo city already present"
                }
            );
            print_logins(&settings);
            Ok(())
        }
        Command::Serve { bind } => {
            let overrides: Vec<(&str, String)> =
                bind.iter().map(|b| ("server.bind", b.clone())).collect();
            let settings = load(&cli, &overrides)?;
            serve(settings)
        }
    }
}

/// `yishi bench seed`: migrates, hashes the one password once, seeds, prints what it wrote.
fn bench_seed(
    settings: &Settings,
    url: &str,
    tier: &str,
    seed: u64,
    password: &str,
) -> Result<(), String> {
    let tier: yishi::bench::seed::Tier = tier.parse()?;
    let pool = db::pool(url, 1, settings.database.busy_timeout_ms).map_err(|e| e.to_string())?;
    let mut conn = pool.get().map_err(|e| e.to_string())?;
    db::migrate(&mut conn)?;
    let hash = yishi::auth::password::Hasher::new(&settings.auth)
        .and_then(|h| h.hash_blocking(password))
        .map_err(|e| e.to_string())?;
    let report =
        yishi::bench::seed::seed(&mut conn, tier, seed, &hash, false).map_err(|e| e.to_string())?;
    println!(
        "seeded tier {tier:?} (seed {}) in {:.1} s:",
        report.seed, report.seconds
    );
    for (table, rows) in &report.rows {
        println!("  {table:<20} {rows:>10}");
    }
    println!("logins (password: {password}):");
    for l in &report.logins {
        println!("  {:<32} {:<34} {}", l.email, l.role, l.place);
    }
    Ok(())
}

fn read_password() -> Result<String, String> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        rpassword::prompt_password("password: ").map_err(|e| e.to_string())
    } else {
        let mut line = String::new();
        stdin
            .lock()
            .read_line(&mut line)
            .map_err(|e| e.to_string())?;
        Ok(line.trim_end_matches(['\r', '\n']).to_string())
    }
}

fn serve(settings: Settings) -> Result<(), String> {
    actix_web::rt::System::new().block_on(async move {
        let pool = server::open_database(&settings)?;
        let seeded = {
            let mut conn = pool.get().map_err(|e| e.to_string())?;
            if settings.demo.seed_on_empty
                && demo::is_empty(&mut conn).map_err(|e| e.to_string())?
            {
                demo::seed(&mut conn, &settings).map_err(|e| e.to_string())?;
                println!("empty database: demo city seeded");
            }
            settings.profile != "production"
                && demo::is_seeded(&mut conn).map_err(|e| e.to_string())?
        };
        drop(pool);
        let running = server::start(settings.clone())?;
        println!(
            "yishi listening on http://{} (API docs: http://{}/docs/)",
            running.addr, running.addr
        );
        if seeded {
            println!(
                "open http://{}/ in a browser and sign in (登录) with a demo login:",
                running.addr
            );
            print_logins(&settings);
        }
        running
            .task
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| e.to_string())
    })
}
