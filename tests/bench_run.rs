//! `yishi bench run`, as CI's short smoke of the load scenario: the real binary starts a real
//! server on a fresh database (SQLite, or PostgreSQL with TEST_DATABASE_URL) seeded with the
//! demo city, drives the mixed scenario for a few seconds, and writes its report. The test
//! checks that every step of the scenario ran and was answered successfully, and that the
//! report carries the references it promises. It asserts nothing about speed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::process::Command;

use common::TestDb;
use serde_json::Value;

#[test]
fn the_mixed_scenario_runs_every_step_without_a_failure() {
    let db = TestDb::new();
    let out_dir = tempfile::tempdir().unwrap();
    let out = out_dir.path().join("smoke");
    // On PostgreSQL the pgbench reference runs too, against the same server.
    let pgbench = if db.is_postgres() {
        std::env::var("TEST_DATABASE_URL").unwrap()
    } else {
        String::new()
    };
    let run = Command::new(env!("CARGO_BIN_EXE_yishi"))
        .current_dir(out_dir.path())
        .args([
            "--config-dir",
            concat!(env!("CARGO_MANIFEST_DIR"), "/config"),
        ])
        .args(["bench", "run", "--accounts", "demo", "--mix", "mixed"])
        .args([
            "--users",
            "12",
            "--seconds",
            "6",
            "--reference-seconds",
            "1",
        ])
        .args(["--database-url", &db.url, "--pgbench-url", &pgbench])
        .args(["--label", "smoke"])
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        run.status.success(),
        "bench run failed:\n{stdout}\n{stderr}"
    );

    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(out.with_extension("json")).unwrap())
            .unwrap();
    let steps = report["steps"].as_array().unwrap();
    let step = |name: &str| {
        steps
            .iter()
            .find(|s| s["name"] == name)
            .unwrap_or_else(|| panic!("step {name:?} did not run:\n{stdout}"))
    };
    // Every step of the scenario: anonymous reads, signed-in reads, each kind of write, logins.
    for name in [
        "catalog: city, page 1",
        "catalog: city, next page by cursor",
        "catalog: community",
        "public topic (JSON)",
        "public topic page (HTML)",
        "topics: list with filters",
        "topics: search, 2 characters",
        "topics: search, 3+ characters",
        "topic: detail",
        "topic: timeline",
        "stats: community",
        "create: topic",
        "create: comment",
        "create: support",
        "transition: accept",
        "task: progress update",
        "tasks: list",
        "login",
        "me",
    ] {
        let s = step(name);
        assert!(s["requests"].as_u64().unwrap() > 0, "{name}: {s}");
        assert_eq!(s["failures"], 0, "{name} had failures:\n{stdout}");
        assert!(s["p99_ms"].as_f64().unwrap() >= s["p50_ms"].as_f64().unwrap());
    }
    assert_eq!(
        report["database"],
        if db.is_postgres() {
            "postgres"
        } else {
            "sqlite"
        }
    );
    assert_eq!(report["mix"], "mixed");
    assert!(
        report["reference"]["argon2_hashes_per_s_per_core"]
            .as_f64()
            .unwrap()
            > 0.0
    );
    if db.is_postgres() {
        assert!(report["reference"]["pgbench_select_tps"].as_f64().unwrap() > 0.0);
        assert!(report["reference"]["pgbench_tpcb_tps"].as_f64().unwrap() > 0.0);
        assert!(report["public_reads"]["ratio"].as_f64().unwrap() > 0.0);
    } else {
        assert!(report["reference"]["pgbench_select_tps"].is_null());
    }
    assert!(report["server_peak_rss_mib_after"].as_f64().unwrap() > 1.0);
    // The chart names every step.
    let svg = std::fs::read_to_string(out.with_extension("svg")).unwrap();
    assert!(svg.starts_with("<svg"));
    for s in steps {
        assert!(svg.contains(s["name"].as_str().unwrap()), "{s}");
    }
    // The printed table is the report's.
    assert!(
        stdout.contains("| public reads (catalog + public topic) |"),
        "{stdout}"
    );
}
