#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Load scenario: a burst of logins (each one argon2id hash, m=19 MiB, t=2) against a real
//! server on loopback, while a probe keeps calling /healthz and /readyz. It shows whether
//! the bounded hashing pool keeps other requests fast. Run: `cargo bench --bench login_burst`.
//! Results go to docs/benchmarks.md; nothing here asserts a time.

use std::time::{Duration, Instant};

use serde_json::json;

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

async fn probe(client: &awc::Client, url: &str, until: Instant) -> Vec<f64> {
    let mut samples = Vec::new();
    while Instant::now() < until {
        let t = Instant::now();
        let ok = client
            .get(url)
            .send()
            .await
            .map(|r| r.status().is_success())
            .unwrap_or(false);
        if ok {
            samples.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        actix_rt::time::sleep(Duration::from_millis(5)).await;
    }
    samples.sort_by(|a, b| a.total_cmp(b));
    samples
}

fn report(name: &str, s: &[f64]) {
    println!(
        "{name:<32} n={:<5} p50={:>7.2} ms  p95={:>7.2} ms  max={:>7.2} ms",
        s.len(),
        percentile(s, 0.5),
        percentile(s, 0.95),
        s.last().copied().unwrap_or(f64::NAN)
    );
}

#[actix_rt::main]
async fn main() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("config");
    let settings = yishi::config::Settings::load(
        &config,
        "test",
        &[
            (
                "database.url",
                format!("sqlite://{}", dir.path().join("bench.db").display()),
            ),
            ("server.bind", "127.0.0.1:0".into()),
            ("mail.transport", "log".into()),
            ("auth.login_attempts_per_ip_per_minute", "100000".into()),
            ("auth.hash_queue_limit", "1000".into()),
        ],
    )
    .expect("settings");
    let running = yishi::server::start(settings).expect("server");
    let base = format!("http://{}", running.addr);
    let hash = running
        .state
        .hasher
        .hash_blocking("bench password 123")
        .expect("hash");
    {
        let mut conn = running.state.pool.get().expect("conn");
        yishi::accounts::queries::insert_user(
            &mut conn,
            "bench@example.com",
            &hash,
            "bench",
            None,
            true,
        )
        .expect("user");
    }
    let client = awc::Client::builder()
        .timeout(Duration::from_secs(60))
        .finish();

    let idle = Instant::now() + Duration::from_secs(2);
    report(
        "healthz idle",
        &probe(&client, &format!("{base}/healthz"), idle).await,
    );
    report(
        "readyz idle",
        &probe(
            &client,
            &format!("{base}/readyz"),
            Instant::now() + Duration::from_secs(2),
        )
        .await,
    );

    for burst in [16usize, 64] {
        let started = Instant::now();
        let logins: Vec<_> = (0..burst)
            .map(|_| {
                let c = client.clone();
                let url = format!("{base}/api/v1/auth/login");
                actix_rt::spawn(async move {
                    let t = Instant::now();
                    let r = c.post(url).send_json(&json!({"email": "bench@example.com", "password": "bench password 123"})).await;
                    (r.map(|r| r.status().as_u16()).unwrap_or(0), t.elapsed().as_secs_f64() * 1000.0)
                })
            })
            .collect();
        let probe_until = Instant::now() + Duration::from_millis(300);
        let health = probe(&client, &format!("{base}/healthz"), probe_until).await;
        let ready = probe(
            &client,
            &format!("{base}/readyz"),
            Instant::now() + Duration::from_millis(300),
        )
        .await;
        let mut times = Vec::new();
        let mut ok = 0;
        for l in logins {
            let (status, ms) = l.await.expect("join");
            ok += usize::from(status == 200);
            times.push(ms);
        }
        times.sort_by(|a, b| a.total_cmp(b));
        let wall = started.elapsed().as_secs_f64();
        println!(
            "--- burst of {burst} logins: {ok} ok in {wall:.2} s ({:.1} logins/s)",
            burst as f64 / wall
        );
        report("  login latency", &times);
        report("  healthz during the burst", &health);
        report("  readyz during the burst", &ready);
    }
    running.stop().await;
}
