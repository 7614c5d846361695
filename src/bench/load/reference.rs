//! The machine's own limits, measured in the same run as the load: what PostgreSQL itself does
//! (pgbench select-only and TPC-B-like, on a scratch database of the same server) and how many
//! argon2id hashes a core computes with the configured cost.

use std::process::Command;
use std::time::Instant;

use diesel::prelude::*;
use serde::Serialize;

use crate::config::Settings;

/// Reference figures; each load result is reported as a ratio to one of them.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Reference {
    /// `pgbench -S` (select-only) transactions a second.
    pub pgbench_select_tps: Option<f64>,
    /// `pgbench` default (TPC-B-like: 3 updates, a select and an insert) transactions a second.
    pub pgbench_tpcb_tps: Option<f64>,
    /// argon2id hashes a second on one core, with the configured memory and iterations.
    pub argon2_hashes_per_s_per_core: f64,
    pub cores: usize,
}

/// Hashes a password until a second has passed (at least 5 times) on this thread.
pub fn argon2_per_core(settings: &Settings) -> Result<f64, String> {
    let hasher = crate::auth::password::Hasher::new(&settings.auth).map_err(|e| e.to_string())?;
    let started = Instant::now();
    let mut n = 0u32;
    while n < 5 || started.elapsed().as_secs_f64() < 1.0 {
        hasher
            .hash_blocking("reference-password")
            .map_err(|e| e.to_string())?;
        n += 1;
    }
    Ok(f64::from(n) / started.elapsed().as_secs_f64())
}

/// Runs pgbench select-only, then TPC-B-like, each for `seconds` with `clients` connections,
/// on a scratch database (scale 10) of the server at `admin_url`; returns both tx/s.
pub fn pgbench(admin_url: &str, clients: usize, seconds: u64) -> Result<(f64, f64), String> {
    let db = format!("yishi_pgbench_{}", std::process::id());
    let mut admin = PgConnection::establish(admin_url).map_err(|e| e.to_string())?;
    diesel::sql_query(format!("DROP DATABASE IF EXISTS {db}"))
        .execute(&mut admin)
        .map_err(|e| e.to_string())?;
    diesel::sql_query(format!("CREATE DATABASE {db}"))
        .execute(&mut admin)
        .map_err(|e| e.to_string())?;
    let url = database_url(admin_url, &db)?;
    let result = (|| {
        pgbench_cmd(&url, &["-i", "-q", "-s", "10"])?;
        let clients = clients.max(1).to_string();
        let secs = seconds.max(1).to_string();
        let common = ["-c", clients.as_str(), "-j", "2", "-T", secs.as_str()];
        let select = tps(&pgbench_cmd(&url, &[&["-S"][..], &common[..]].concat())?)?;
        let tpcb = tps(&pgbench_cmd(&url, &common)?)?;
        Ok::<_, String>((select, tpcb))
    })();
    let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {db}")).execute(&mut admin);
    result
}

/// `admin_url` with its database name replaced by `db`.
fn database_url(admin_url: &str, db: &str) -> Result<String, String> {
    let mut url = url::Url::parse(admin_url).map_err(|e| format!("{admin_url}: {e}"))?;
    url.set_path(&format!("/{db}"));
    Ok(url.to_string())
}

fn pgbench_cmd(url: &str, args: &[&str]) -> Result<String, String> {
    let out = Command::new("pgbench")
        .args(args)
        .arg(url)
        .output()
        .map_err(|e| format!("pgbench (is it installed?): {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "pgbench {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The `tps = N (without initial connection time)` figure of pgbench's report.
fn tps(report: &str) -> Result<f64, String> {
    report
        .lines()
        .find_map(|l| l.trim().strip_prefix("tps = "))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| format!("no tps in pgbench's report:\n{report}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_pgbench_tps() {
        let report = "number of failed transactions: 0 (0.000%)\nlatency average = 0.6 ms\n\
                      initial connection time = 10.1 ms\ntps = 23712.42 (without initial connection time)\n";
        assert_eq!(tps(report), Ok(23712.42));
        assert!(tps("nothing").is_err());
    }

    #[test]
    fn replaces_the_database_name() {
        assert_eq!(
            database_url("postgres://postgres@127.0.0.1:5432/postgres", "x").as_deref(),
            Ok("postgres://postgres@127.0.0.1:5432/x")
        );
    }
}
