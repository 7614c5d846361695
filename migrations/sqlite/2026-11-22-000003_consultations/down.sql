ALTER TABLE outbox DROP COLUMN ics;
DROP TABLE calendar_tokens;
DROP TABLE minutes_signoffs;
DROP TABLE follow_ups;
DROP TABLE proposals;
DROP TABLE outcomes;
DROP TABLE invitations;
DROP TABLE agenda_items;
DROP TABLE consultations;
