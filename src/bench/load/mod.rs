//! `yishi bench run`: a mixed load against a real `serve` child over HTTP, driven by goose
//! (many concurrent simulated users), with the machine's own limits measured in the same run
//! (pgbench select-only and TPC-B-like tx/s, argon2 hashes per second) so that every result
//! is a ratio, not an absolute number that drifts with whatever else the machine is doing.
//! Writes a JSON report and an SVG chart; asserts nothing about speed.

mod reference;
mod report;
mod scenario;

use std::path::{Path, PathBuf};

use goose::prelude::*;

pub use reference::Reference;
pub use report::{RequestStats, RunReport};
pub use scenario::{Accounts, Mix};

use crate::config::Settings;

/// What `yishi bench run` was asked to do.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// The database the server child uses (already seeded, or empty with `accounts = Demo`).
    pub database_url: String,
    pub mix: Mix,
    pub accounts: Accounts,
    /// The seeded accounts' one password (`bench seed --password`).
    pub password: String,
    pub users: usize,
    pub seconds: usize,
    /// At most this many requests a second in all (0: as fast as the server answers).
    pub rps: usize,
    /// PostgreSQL server for pgbench (a scratch database is created and dropped); none skips it.
    pub pgbench_url: Option<String>,
    pub reference_seconds: u64,
    /// Where the JSON report and the SVG chart go (`<out>.json`, `<out>.svg`).
    pub out: Option<PathBuf>,
    /// A free-text label for the report (tier, build, machine state).
    pub label: String,
}

/// Runs the references, starts the server child, drives the load and writes the report.
pub fn run(
    settings: &Settings,
    config_dir: &Path,
    profile: &str,
    opts: &RunOptions,
) -> Result<RunReport, String> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    eprintln!("references: argon2 …");
    let mut reference = Reference {
        argon2_hashes_per_s_per_core: reference::argon2_per_core(settings)?,
        cores: std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1),
        ..Reference::default()
    };
    if let Some(url) = &opts.pgbench_url {
        eprintln!(
            "references: pgbench select-only and TPC-B-like, {} s each …",
            opts.reference_seconds
        );
        let (select, tpcb) = reference::pgbench(url, opts.users, opts.reference_seconds)?;
        reference.pgbench_select_tps = Some(select);
        reference.pgbench_tpcb_tps = Some(tpcb);
    }

    let scratch = std::env::temp_dir().join(format!("yishi-bench-run-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).map_err(|e| e.to_string())?;
    let seed_demo = if opts.accounts == Accounts::Demo {
        "true"
    } else {
        "false"
    };
    let envs = [
        ("YISHI_DEMO__SEED_ON_EMPTY", seed_demo),
        // Refusals the scenario expects (409s) are not worth a log line each.
        ("YISHI_LOG", "error"),
        // One address sends every login of the run.
        ("YISHI_AUTH__LOGIN_ATTEMPTS_PER_IP_PER_MINUTE", "1000000"),
    ];
    let (child, addr) =
        super::export::spawn_server(&opts.database_url, config_dir, profile, &scratch, &envs)?;
    let pid = child.id();
    let host = format!("http://{addr}");
    let result = runtime.block_on(async {
        eprintln!("discovering places, topics and accounts at {host} …");
        let plan = scenario::discover(&host, opts).await?;
        scenario::install(plan);
        let rss_before_kib = super::peak_rss_kib(pid).unwrap_or(0);
        eprintln!(
            "load: {} users, {} s, mix {:?}{} …",
            opts.users,
            opts.seconds,
            opts.mix,
            if opts.rps > 0 {
                format!(", at most {} rps", opts.rps)
            } else {
                String::new()
            }
        );
        let metrics = attack(&host, opts).await?;
        let rss_after_kib = super::peak_rss_kib(pid).unwrap_or(0);
        Ok::<_, String>((metrics, rss_before_kib, rss_after_kib))
    });
    drop(child);
    let _ = std::fs::remove_dir_all(&scratch);
    let (metrics, rss_before_kib, rss_after_kib) = result?;
    let report = RunReport::new(
        opts,
        reference,
        &metrics,
        rss_before_kib,
        rss_after_kib,
        crate::db::Target::from_url(&opts.database_url),
    );
    if let Some(out) = &opts.out {
        report.write(out)?;
    }
    Ok(report)
}

/// The goose attack itself: the mix's scenarios, `users` users started within a second or
/// two, `seconds` of load, metrics kept from the start (nothing to warm: the references ran).
async fn attack(host: &str, opts: &RunOptions) -> Result<GooseMetrics, String> {
    let config = goose::config::GooseConfiguration::default();
    let mut attack = GooseAttack::initialize_with_config(config).map_err(|e| e.to_string())?;
    for s in scenario::scenarios(opts.mix).map_err(|e| e.to_string())? {
        attack = attack.register_scenario(s);
    }
    let hatch = opts.users.div_ceil(2).max(1);
    let configured = attack
        .set_default(GooseDefault::Host, host)
        .and_then(|a| a.set_default(GooseDefault::Quiet, 1usize))
        .and_then(|a| a.set_default(GooseDefault::Users, opts.users))
        .and_then(|a| a.set_default(GooseDefault::IncreaseRate, hatch.to_string().as_str()))
        .and_then(|a| a.set_default(GooseDefault::RunTime, opts.seconds))
        .and_then(|a| a.set_default(GooseDefault::NoResetMetrics, true))
        .and_then(|a| a.set_default(GooseDefault::NoPrintMetrics, true))
        .and_then(|a| a.set_default(GooseDefault::NoErrorSummary, true))
        .and_then(|a| a.set_default(GooseDefault::NoTransactionMetrics, true))
        .and_then(|a| a.set_default(GooseDefault::NoScenarioMetrics, true))
        .map_err(|e| e.to_string())?;
    let mut attack = *configured;
    if opts.rps > 0 {
        attack = attack
            .set_default(GooseDefault::ThrottleRequests, opts.rps)
            .map(|a| *a)
            .map_err(|e| e.to_string())?;
    }
    attack.execute().await.map_err(|e| e.to_string())
}
