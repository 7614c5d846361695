-- Consultations (协商会): meetings, agenda items, invitations, outcomes with follow-ups,
-- proposals (提案 / 社情民意), minutes sign-off, and per-user calendar feed tokens.

CREATE TABLE consultations (
    id INTEGER PRIMARY KEY,
    place_id BIGINT NOT NULL REFERENCES places(id),
    title TEXT NOT NULL,
    kind TEXT NOT NULL,
    format TEXT NOT NULL,
    venue TEXT,
    online_url TEXT,
    starts_at TIMESTAMP NOT NULL,
    ends_at TIMESTAMP NOT NULL,
    convener_id BIGINT NOT NULL REFERENCES users(id),
    status TEXT NOT NULL,
    minutes TEXT,
    cancel_reason TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    -- iCalendar SEQUENCE: bumped whenever time, place or status changes.
    ical_sequence INTEGER NOT NULL DEFAULT 0,
    concluded_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX consultations_place_idx ON consultations(place_id, id);
CREATE INDEX consultations_time_idx ON consultations(starts_at, ends_at);
CREATE INDEX consultations_convener_idx ON consultations(convener_id, starts_at);

CREATE TABLE agenda_items (
    id INTEGER PRIMARY KEY,
    consultation_id BIGINT NOT NULL REFERENCES consultations(id),
    position INTEGER NOT NULL,
    title TEXT NOT NULL,
    topic_id BIGINT REFERENCES topics(id),
    presenter_id BIGINT REFERENCES users(id),
    minutes INTEGER NOT NULL
);
CREATE INDEX agenda_items_consultation_idx ON agenda_items(consultation_id, position);
CREATE INDEX agenda_items_topic_idx ON agenda_items(topic_id);

CREATE TABLE invitations (
    id INTEGER PRIMARY KEY,
    consultation_id BIGINT NOT NULL REFERENCES consultations(id),
    user_id BIGINT REFERENCES users(id),
    organization_id BIGINT REFERENCES organizations(id),
    category TEXT NOT NULL,
    response TEXT NOT NULL,
    attended BOOLEAN NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX invitations_consultation_idx ON invitations(consultation_id, id);
CREATE INDEX invitations_user_idx ON invitations(user_id, consultation_id);

CREATE TABLE outcomes (
    id INTEGER PRIMARY KEY,
    consultation_id BIGINT NOT NULL REFERENCES consultations(id),
    agenda_item_id BIGINT NOT NULL UNIQUE REFERENCES agenda_items(id),
    decision TEXT NOT NULL,
    consensus TEXT NOT NULL,
    recorded_by BIGINT NOT NULL REFERENCES users(id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX outcomes_consultation_idx ON outcomes(consultation_id, id);

CREATE TABLE proposals (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    outcome_id BIGINT REFERENCES outcomes(id),
    topic_id BIGINT REFERENCES topics(id),
    author_id BIGINT NOT NULL REFERENCES users(id),
    organization_id BIGINT REFERENCES organizations(id),
    status TEXT NOT NULL,
    answer TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE follow_ups (
    id INTEGER PRIMARY KEY,
    outcome_id BIGINT NOT NULL REFERENCES outcomes(id),
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    task_id BIGINT REFERENCES tasks(id),
    proposal_id BIGINT REFERENCES proposals(id)
);
CREATE INDEX follow_ups_outcome_idx ON follow_ups(outcome_id);

CREATE TABLE minutes_signoffs (
    id INTEGER PRIMARY KEY,
    consultation_id BIGINT NOT NULL REFERENCES consultations(id),
    user_id BIGINT NOT NULL REFERENCES users(id),
    confirmed BOOLEAN NOT NULL,
    dissent TEXT,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (consultation_id, user_id)
);

CREATE TABLE calendar_tokens (
    user_id BIGINT PRIMARY KEY REFERENCES users(id),
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL
);

-- Invitations, updates and cancellations carry an iCalendar part (METHOD REQUEST or CANCEL).
ALTER TABLE outbox ADD COLUMN ics TEXT;
