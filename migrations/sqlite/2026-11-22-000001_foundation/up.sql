-- Foundation: places, organisations, users, sessions, role grants, mail outbox.
-- Times are UTC, stored as TEXT by diesel's SQLite Timestamp mapping.

CREATE TABLE places (
    id INTEGER PRIMARY KEY,
    parent_id BIGINT REFERENCES places(id),
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    code TEXT NOT NULL UNIQUE,
    -- Materialised path of ids, e.g. '/1/5/23/': a subtree is a range scan on this index.
    path TEXT NOT NULL UNIQUE,
    depth INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX places_parent_idx ON places(parent_id, id);
CREATE INDEX places_kind_idx ON places(kind, id);

CREATE TABLE organizations (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE organization_places (
    organization_id BIGINT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    place_id BIGINT NOT NULL REFERENCES places(id),
    PRIMARY KEY (organization_id, place_id)
);
CREATE INDEX organization_places_place_idx ON organization_places(place_id);

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    display_name TEXT NOT NULL,
    home_place_id BIGINT REFERENCES places(id),
    email_verified_at TIMESTAMP,
    disabled BOOLEAN NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX users_home_place_idx ON users(home_place_id, id);

CREATE TABLE role_grants (
    id INTEGER PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    -- NULL only for an installation-wide admin.
    place_id BIGINT REFERENCES places(id),
    organization_id BIGINT REFERENCES organizations(id),
    granted_by BIGINT REFERENCES users(id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX role_grants_user_idx ON role_grants(user_id);
CREATE INDEX role_grants_place_idx ON role_grants(place_id);

-- A login session is one refresh-token family; revoking it ends every token of the family.
CREATE TABLE sessions (
    id INTEGER PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP,
    revoke_reason TEXT
);
CREATE INDEX sessions_user_idx ON sessions(user_id);

CREATE TABLE refresh_tokens (
    id INTEGER PRIMARY KEY,
    session_id BIGINT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);
CREATE INDEX refresh_tokens_session_idx ON refresh_tokens(session_id);

-- Mailed one-time tokens (email verification, password reset), stored only as hashes.
CREATE TABLE email_tokens (
    id INTEGER PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    purpose TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);
CREATE INDEX email_tokens_user_idx ON email_tokens(user_id);

-- Failed-login counter per normalised email, registered or not, so lockout reveals nothing.
CREATE TABLE login_throttle (
    email_key TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    window_started_at TIMESTAMP NOT NULL,
    locked_until TIMESTAMP
);

CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    to_addr TEXT NOT NULL,
    subject TEXT NOT NULL,
    body_text TEXT NOT NULL,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    last_error TEXT,
    created_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP
);
CREATE INDEX outbox_due_idx ON outbox(status, next_attempt_at);

-- One row that write transactions touch first, so SQLite takes its write lock at BEGIN time.
CREATE TABLE write_gate (
    id INTEGER PRIMARY KEY,
    n BIGINT NOT NULL
);
INSERT INTO write_gate (id, n) VALUES (1, 0);
