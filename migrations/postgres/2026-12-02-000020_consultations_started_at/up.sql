-- When a meeting really started (the `start` transition), so the major rule can tell a held
-- hearing from a sham one. Meetings started before this migration have no recorded start and
-- do not count as held.
ALTER TABLE consultations ADD COLUMN started_at TIMESTAMP;
