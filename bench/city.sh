#!/usr/bin/env bash
# The load runs reported in docs/benchmarks.md ("Load at city scale"): seeds the city tier
# into a fresh SQLite file and a fresh PostgreSQL database (unless they exist), then runs each
# mix of `yishi bench run` against both, writing docs/perf/city-<database>-<mix>.{json,svg}.
# Usage: bash bench/city.sh [seconds per run, default 30]. Needs a release build
# (cargo build --release), pgbench and PostgreSQL on 127.0.0.1:5432 (trust auth).
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-30}"
yishi=./target/release/yishi
pg_admin="${PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
sqlite_db="${BENCH_SQLITE:-/tmp/yishi-city.db}"
pg_db="${BENCH_PG_DB:-yishi_city}"
pg_url="${pg_admin%/*}/$pg_db"

if [ ! -f "$sqlite_db" ]; then
  $yishi bench seed --tier city --database-url "sqlite://$sqlite_db"
fi
if ! psql "$pg_admin" -Atc "SELECT 1 FROM pg_database WHERE datname = '$pg_db'" | grep -q 1; then
  psql "$pg_admin" -c "CREATE DATABASE $pg_db"
  $yishi bench seed --tier city --database-url "$pg_url"
fi

run() { # database-name url mix [extra args]
  local name=$1 url=$2 mix=$3; shift 3
  $yishi bench run --database-url "$url" --mix "$mix" --seconds "$secs" \
    --pgbench-url "$pg_admin" --label "city tier, release build" \
    --out "docs/perf/city-$name-$mix" "$@"
}
for db in sqlite postgres; do
  url="sqlite://$sqlite_db"; [ $db = postgres ] && url="$pg_url"
  run $db "$url" mixed
  run $db "$url" reads
  run $db "$url" writes
  run $db "$url" catalog --rps 200
  run $db "$url" logins
done
