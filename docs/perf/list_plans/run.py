import subprocess, sys, time, re
tag = sys.argv[1]
PG = "postgres://postgres@127.0.0.1:5432/" + ("yishi_n1_before" if tag == "before" else "yishi_n1_plans")
SQ = "plan-before.db" if tag == "before" else "plan.db"
lines = [l for l in open('queries.txt').read().splitlines() if l.strip()]
pairs = list(zip(lines[0::2], lines[1::2]))
out = []
for title, sql in pairs:
    pg = subprocess.run(["psql", "-qAt", PG, "-c", "EXPLAIN (COSTS OFF) " + sql], capture_output=True, text=True).stdout.rstrip()
    an = subprocess.run(["psql", "-qAt", PG, "-c", "EXPLAIN (ANALYZE, TIMING OFF) " + sql], capture_output=True, text=True).stdout
    # best of 3
    pgms = []
    for _ in range(3):
        an = subprocess.run(["psql", "-qAt", PG, "-c", "EXPLAIN (ANALYZE, TIMING OFF) " + sql], capture_output=True, text=True).stdout
        pgms.append(float(re.search(r"Execution Time: ([\d.]+)", an).group(1)))
    sq = subprocess.run(["sqlite3", SQ, "EXPLAIN QUERY PLAN " + sql], capture_output=True, text=True).stdout.rstrip()
    sqms = []
    for _ in range(3):
        r = subprocess.run(["sqlite3", SQ], input=".timer on\n" + sql + ";\n", capture_output=True, text=True).stdout
        sqms.append(float(re.findall(r"Run Time: real ([\d.]+)", r)[-1]) * 1000)
    out.append((title, sql, pg, min(pgms), sq, min(sqms)))
import json
json.dump(out, open(f"plans-{tag}.json", "w"), ensure_ascii=False, indent=1)
for title, sql, pg, pgms, sq, sqms in out:
    print(f"## {title}  PG {pgms:.2f} ms  SQLite {sqms:.1f} ms\n{pg}\n--\n{sq}\n")
