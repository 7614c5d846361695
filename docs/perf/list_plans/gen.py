import sys
backend = sys.argv[1]
# Communities added to the demo's 12 (488: a city tier's 500).
EXTRA = int(sys.argv[2]) if len(sys.argv) > 2 else 488
ts = (lambda s: f"TIMESTAMP '{s}'") if backend == 'pg' else (lambda s: f"'{s}'")
T = ts('2026-01-01 00:00:00')
cat = "CASE (n.i / 6) % 6 WHEN 0 THEN 'environment' WHEN 1 THEN 'property' WHEN 2 THEN 'safety' WHEN 3 THEN 'facilities' WHEN 4 THEN 'traffic_parking' ELSE 'elderly_children' END"
stage = "CASE n.i % 6 WHEN 0 THEN 'say' WHEN 1 THEN 'discuss' WHEN 2 THEN 'plan' WHEN 3 THEN 'act' WHEN 4 THEN 'evaluate' ELSE 'closed' END"
print(f"""
CREATE TEMP TABLE nums AS WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r WHERE i < 200000) SELECT i FROM r;
CREATE TEMP TABLE ss AS SELECT id, path, ROW_NUMBER() OVER (ORDER BY id) - 1 AS k FROM places WHERE kind = 'subdistrict';
INSERT INTO places (parent_id, kind, name, code, path, depth, created_at)
SELECT ss.id, 'community', '社区 ' || n.i, 'gen-c-' || n.i, ss.path || 'g' || n.i || '/', 3, {T}
FROM nums n JOIN ss ON ss.k = n.i % (SELECT COUNT(*) FROM ss) WHERE n.i <= {EXTRA};
UPDATE places SET path = (SELECT p.path FROM places p WHERE p.id = places.parent_id) || places.id || '/' WHERE code LIKE 'gen-c-%';
CREATE TEMP TABLE cs AS SELECT id, ROW_NUMBER() OVER (ORDER BY id) - 1 AS k FROM places WHERE kind = 'community';
CREATE TEMP TABLE os AS SELECT id, ROW_NUMBER() OVER (ORDER BY id) - 1 AS k FROM organizations;
INSERT INTO topics (place_id, community_id, title, body, category, source, author_id, stage, catalog_year, catalog_seq, catalog_no, escalated, major, supporters_count, version, eval_round, created_at, updated_at)
SELECT cs.id, cs.id, '路灯坏了 ' || n.i, '楼前的路灯坏了两周，晚上回家很不安全。', {cat}, 'resident', (SELECT MIN(id) FROM users), {stage},
  CASE WHEN n.i % 6 = 0 THEN NULL ELSE 2026 END, CASE WHEN n.i % 6 = 0 THEN NULL ELSE n.i END,
  CASE WHEN n.i % 6 = 0 THEN NULL ELSE 'YS-' || n.i END, FALSE, FALSE, 0, 1, 0, {T}, {T}
FROM nums n JOIN cs ON cs.k = n.i % (SELECT COUNT(*) FROM cs) WHERE n.i <= 50000;
INSERT INTO comments (topic_id, author_id, body, stance, created_at)
SELECT (SELECT MIN(id) FROM topics) + n.i % 50000, (SELECT MIN(id) FROM users), '同意 ' || n.i, 'for', {T} FROM nums n;
INSERT INTO tasks (topic_id, title, organization_id, due_at, status, version, created_at, updated_at)
SELECT (SELECT MIN(id) FROM topics) + n.i % 50000, '维修 ' || n.i, os.id, {ts('2026-06-01 00:00:00')},
  CASE n.i % 3 WHEN 0 THEN 'done' WHEN 1 THEN 'todo' ELSE 'in_progress' END, 1, {T}, {T}
FROM nums n JOIN os ON os.k = n.i % (SELECT COUNT(*) FROM os) WHERE n.i <= 20000;
INSERT INTO consultations (place_id, title, kind, format, starts_at, ends_at, convener_id, status, version, ical_sequence, created_at, updated_at)
SELECT cs.id, '院坝协商 ' || n.i, 'courtyard', 'in_person', {ts('2026-03-01 09:00:00')}, {ts('2026-03-01 11:00:00')}, (SELECT MIN(id) FROM users),
  'scheduled', 1, 0, {T}, {T}
FROM nums n JOIN cs ON cs.k = n.i % (SELECT COUNT(*) FROM cs) WHERE n.i <= 5000;
""")
# Spread the times: topics created over 700 days, tasks due over 400, meetings over 500.
if backend == 'pg':
    day = lambda base, col: f"TIMESTAMP '{base}' + ({col} % DAYS) * INTERVAL '1 day'"
else:
    day = lambda base, col: f"datetime('{base}', '+' || ({col} % DAYS) || ' days')"
print(f"UPDATE topics SET created_at = {day('2025-01-01', 'id').replace('DAYS', '700')};")
print(f"UPDATE tasks SET due_at = {day('2026-01-01', 'id').replace('DAYS', '400')};")
print(f"UPDATE consultations SET starts_at = {day('2025-06-01 09:00', 'id').replace('DAYS', '500')}, "
      f"ends_at = {day('2025-06-01 11:00', 'id').replace('DAYS', '500')};")
print("ANALYZE;")
