ALTER TABLE consultations DROP COLUMN started_at;
