//! What a run measured, per step: requests a second and p50/p95/p99 latency from goose's
//! timing buckets, each as a ratio to the reference it should be compared with. Written as
//! JSON (for tables) and as an SVG bar chart (for docs/perf/).

use std::fmt::Write as _;
use std::path::Path;

use goose::metrics::GooseMetrics;
use serde::Serialize;

use super::{Reference, RunOptions};
use crate::db::Target;

/// One step (one request name) of the run.
#[derive(Debug, Clone, Serialize)]
pub struct RequestStats {
    pub name: String,
    pub requests: usize,
    pub failures: usize,
    pub rps: f64,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    /// rps divided by the step's reference (see `compared_with`).
    pub ratio: Option<f64>,
    /// `pgbench select-only`, `pgbench TPC-B-like` or `argon2 hashes/s (all cores)`.
    pub compared_with: &'static str,
}

/// The whole report of one run.
#[derive(Debug, Clone, Serialize)]
pub struct RunReport {
    pub label: String,
    pub database: &'static str,
    pub mix: String,
    pub users: usize,
    pub seconds: usize,
    pub rps_limit: Option<usize>,
    pub reference: Reference,
    /// The server child's peak resident set before and after the load.
    pub server_peak_rss_mib_before: f64,
    pub server_peak_rss_mib_after: f64,
    pub steps: Vec<RequestStats>,
    /// Sums over the steps that the targets name.
    pub public_reads: Option<RequestStats>,
    pub durable_creates: Option<RequestStats>,
    pub all: Option<RequestStats>,
}

/// Which reference a step is compared with.
fn kind_of(name: &str) -> &'static str {
    if name == "login" {
        "argon2 hashes/s (all cores)"
    } else if name.starts_with("create:")
        || name.starts_with("delete:")
        || name.starts_with("transition:")
        || name.starts_with("task:")
    {
        "pgbench TPC-B-like"
    } else {
        "pgbench select-only"
    }
}

fn reference_of(r: &Reference, kind: &str) -> Option<f64> {
    match kind {
        "argon2 hashes/s (all cores)" => Some(r.argon2_hashes_per_s_per_core * r.cores as f64),
        "pgbench TPC-B-like" => r.pgbench_tpcb_tps,
        _ => r.pgbench_select_tps,
    }
}

/// Time buckets (lowest µs, count) merged into one sorted list.
type Buckets = Vec<(u64, usize)>;

fn percentile_ms(buckets: &Buckets, total: usize, p: f64) -> f64 {
    if total == 0 {
        return 0.0;
    }
    let rank = ((total as f64) * p).ceil().max(1.0) as usize;
    let mut seen = 0;
    for &(us, n) in buckets {
        seen += n;
        if seen >= rank {
            return us as f64 / 1000.0;
        }
    }
    buckets.last().map_or(0.0, |b| b.0 as f64 / 1000.0)
}

fn stats(
    name: &str,
    buckets: &Buckets,
    failures: usize,
    seconds: f64,
    max_us: u64,
    reference: &Reference,
    kind: &'static str,
) -> RequestStats {
    let requests: usize = buckets.iter().map(|b| b.1).sum();
    let rps = requests as f64 / seconds.max(1e-9);
    RequestStats {
        name: name.to_string(),
        requests,
        failures,
        rps,
        p50_ms: percentile_ms(buckets, requests, 0.50),
        p95_ms: percentile_ms(buckets, requests, 0.95),
        p99_ms: percentile_ms(buckets, requests, 0.99),
        max_ms: max_us as f64 / 1000.0,
        ratio: reference_of(reference, kind)
            .filter(|r| *r > 0.0)
            .map(|r| rps / r),
        compared_with: kind,
    }
}

fn merge(into: &mut Buckets, more: &Buckets) {
    into.extend(more.iter().copied());
    into.sort_unstable();
    let mut merged: Buckets = Vec::with_capacity(into.len());
    for (us, n) in into.drain(..) {
        match merged.last_mut() {
            Some(last) if last.0 == us => last.1 += n,
            _ => merged.push((us, n)),
        }
    }
    *into = merged;
}

impl RunReport {
    /// Builds the report from goose's metrics; steps sorted by name.
    pub fn new(
        opts: &RunOptions,
        reference: Reference,
        metrics: &GooseMetrics,
        rss_before_kib: u64,
        rss_after_kib: u64,
        target: Target,
    ) -> Self {
        let seconds = metrics.duration.max(1) as f64;
        // goose keys requests by "METHOD name"; several methods may share a name.
        let mut by_name: std::collections::BTreeMap<String, (Buckets, usize, u64)> =
            Default::default();
        for agg in metrics.requests.values() {
            let name = agg.path.clone();
            let mut buckets: Buckets = agg
                .raw_data
                .times_us
                .iter()
                .map(|(us, n)| (*us, *n))
                .collect();
            buckets.sort_unstable();
            let entry = by_name.entry(name).or_default();
            merge(&mut entry.0, &buckets);
            entry.1 += agg.fail_count;
            entry.2 = entry.2.max(agg.raw_data.maximum_time_us);
        }
        let mut steps = Vec::new();
        let mut groups: [(Buckets, usize, u64); 3] = Default::default();
        for (name, (buckets, fails, max)) in &by_name {
            let kind = kind_of(name);
            steps.push(stats(
                name, buckets, *fails, seconds, *max, &reference, kind,
            ));
            let public = name.starts_with("catalog:") || name.starts_with("public topic (JSON)");
            let create = name.starts_with("create:");
            for (i, member) in [public, create, true].into_iter().enumerate() {
                if member {
                    merge(&mut groups[i].0, buckets);
                    groups[i].1 += fails;
                    groups[i].2 = groups[i].2.max(*max);
                }
            }
        }
        let group = |i: usize, name: &str, kind: &'static str| {
            let (b, f, m) = &groups[i];
            (!b.is_empty()).then(|| stats(name, b, *f, seconds, *m, &reference, kind))
        };
        let public_reads = group(
            0,
            "public reads (catalog + public topic)",
            "pgbench select-only",
        );
        let durable_creates = group(
            1,
            "durable creates (topic, comment, support)",
            "pgbench TPC-B-like",
        );
        let all = group(2, "all requests", "pgbench select-only");
        RunReport {
            label: opts.label.clone(),
            database: match target {
                Target::Postgres(_) => "postgres",
                Target::Sqlite(_) => "sqlite",
            },
            mix: format!("{:?}", opts.mix).to_lowercase(),
            users: opts.users,
            seconds: metrics.duration,
            rps_limit: (opts.rps > 0).then_some(opts.rps),
            reference,
            server_peak_rss_mib_before: rss_before_kib as f64 / 1024.0,
            server_peak_rss_mib_after: rss_after_kib as f64 / 1024.0,
            steps,
            public_reads,
            durable_creates,
            all,
        }
    }

    /// A Markdown table of the steps and the groups, as docs/benchmarks.md shows them.
    pub fn table(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "| step | requests | failed | rps | p50 ms | p95 ms | p99 ms | ratio | compared with |"
        );
        let _ = writeln!(out, "|---|---:|---:|---:|---:|---:|---:|---:|---|");
        let rows = self
            .steps
            .iter()
            .chain(self.public_reads.iter())
            .chain(self.durable_creates.iter())
            .chain(self.all.iter());
        for s in rows {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {:.0} | {:.1} | {:.1} | {:.1} | {} | {} |",
                s.name,
                s.requests,
                s.failures,
                s.rps,
                s.p50_ms,
                s.p95_ms,
                s.p99_ms,
                s.ratio
                    .map_or("–".to_string(), |r| format!("{:.1} %", r * 100.0)),
                s.compared_with
            );
        }
        out
    }

    /// Writes `<out>.json` and `<out>.svg`.
    pub fn write(&self, out: &Path) -> Result<(), String> {
        if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
        }
        let json = serde_json::to_string_pretty(self).map_err(|e| e.to_string())?;
        std::fs::write(out.with_extension("json"), json + "\n").map_err(|e| e.to_string())?;
        std::fs::write(out.with_extension("svg"), self.svg()).map_err(|e| e.to_string())?;
        Ok(())
    }

    /// Two bar charts side by side per step: requests a second, and p50/p99 latency.
    pub fn svg(&self) -> String {
        let rows: Vec<&RequestStats> = self.steps.iter().collect();
        let (label_w, bar_w, gap, row_h, top) = (300.0, 280.0, 40.0, 24.0, 56.0);
        let width = label_w + 2.0 * bar_w + gap + 90.0;
        let height = top + row_h * rows.len() as f64 + 30.0;
        let max_rps = rows.iter().map(|s| s.rps).fold(1.0, f64::max);
        let max_ms = rows.iter().map(|s| s.p99_ms).fold(1.0, f64::max);
        let mut svg = String::new();
        let _ = writeln!(
            svg,
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="12">"#
        );
        let _ = writeln!(
            svg,
            r#"<rect width="100%" height="100%" fill="white"/><text x="10" y="20" font-size="14" font-weight="bold">{}</text>"#,
            escape(&format!(
                "{} · {} · mix {} · {} users · {} s",
                self.label, self.database, self.mix, self.users, self.seconds
            ))
        );
        let x_rps = label_w;
        let x_ms = label_w + bar_w + gap;
        let _ = writeln!(
            svg,
            r#"<text x="{x_rps}" y="44">requests/s (max {max_rps:.0})</text><text x="{x_ms}" y="44">latency ms: p50 dark, p99 light (max {max_ms:.0})</text>"#
        );
        for (i, s) in rows.iter().enumerate() {
            let y = top + row_h * i as f64;
            let w_rps = bar_w * s.rps / max_rps;
            let w_p50 = bar_w * s.p50_ms / max_ms;
            let w_p99 = bar_w * s.p99_ms / max_ms;
            let _ = writeln!(
                svg,
                r##"<text x="{tx}" y="{ty}" text-anchor="end">{name}</text><rect x="{x_rps}" y="{y}" width="{w_rps:.1}" height="16" fill="#3b6ea5"/><text x="{rx:.1}" y="{ty}">{rps:.0}</text><rect x="{x_ms}" y="{y}" width="{w_p99:.1}" height="16" fill="#f0b27a"/><rect x="{x_ms}" y="{y}" width="{w_p50:.1}" height="16" fill="#c0392b"/><text x="{mx:.1}" y="{ty}">{p50:.1} / {p99:.1}</text>"##,
                tx = label_w - 8.0,
                ty = y + 12.0,
                name = escape(&s.name),
                rx = x_rps + w_rps + 4.0,
                rps = s.rps,
                mx = x_ms + w_p99 + 4.0,
                p50 = s.p50_ms,
                p99 = s.p99_ms,
            );
        }
        svg.push_str("</svg>\n");
        svg
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_take_the_bucket_holding_the_rank() {
        // 100 requests: 90 at 1 ms, 9 at 5 ms, 1 at 40 ms.
        let b: Buckets = vec![(1000, 90), (5000, 9), (40000, 1)];
        assert_eq!(percentile_ms(&b, 100, 0.50), 1.0);
        assert_eq!(percentile_ms(&b, 100, 0.95), 5.0);
        assert_eq!(percentile_ms(&b, 100, 0.99), 5.0);
        assert_eq!(percentile_ms(&b, 100, 1.0), 40.0);
        assert_eq!(percentile_ms(&Vec::new(), 0, 0.5), 0.0);
    }

    #[test]
    fn merging_adds_counts_of_equal_buckets() {
        let mut a: Buckets = vec![(1000, 2), (3000, 1)];
        merge(&mut a, &vec![(1000, 1), (2000, 5)]);
        assert_eq!(a, vec![(1000, 3), (2000, 5), (3000, 1)]);
    }

    #[test]
    fn steps_compare_with_the_right_reference() {
        assert_eq!(kind_of("login"), "argon2 hashes/s (all cores)");
        assert_eq!(kind_of("create: comment"), "pgbench TPC-B-like");
        assert_eq!(kind_of("transition: accept"), "pgbench TPC-B-like");
        assert_eq!(kind_of("catalog: city, page 1"), "pgbench select-only");
    }
}
