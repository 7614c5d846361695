-- Topics (议题) and the five steps: supports, comments, plans, tasks, objections,
-- evaluations, the hash-chained timeline, and idempotency keys for creates.

CREATE TABLE topics (
    id INTEGER PRIMARY KEY,
    place_id BIGINT NOT NULL REFERENCES places(id),
    -- The community the place belongs to: catalog numbers run per community and year.
    community_id BIGINT NOT NULL REFERENCES places(id),
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    category TEXT NOT NULL,
    source TEXT NOT NULL,
    author_id BIGINT NOT NULL REFERENCES users(id),
    on_behalf_of BIGINT REFERENCES users(id),
    stage TEXT NOT NULL,
    resolution TEXT,
    catalog_year INTEGER,
    catalog_seq INTEGER,
    catalog_no TEXT,
    escalated BOOLEAN NOT NULL DEFAULT 0,
    major BOOLEAN NOT NULL DEFAULT 0,
    supporters_count INTEGER NOT NULL DEFAULT 0,
    decision TEXT,
    merged_into BIGINT REFERENCES topics(id),
    version INTEGER NOT NULL DEFAULT 1,
    eval_round INTEGER NOT NULL DEFAULT 0,
    eval_closes_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    discuss_at TIMESTAMP,
    plan_at TIMESTAMP,
    act_at TIMESTAMP,
    evaluate_at TIMESTAMP,
    closed_at TIMESTAMP
);
CREATE UNIQUE INDEX topics_catalog_idx ON topics(community_id, catalog_year, catalog_seq);
CREATE INDEX topics_place_idx ON topics(place_id, id);
CREATE INDEX topics_community_idx ON topics(community_id, id);
CREATE INDEX topics_stage_idx ON topics(stage, id);
CREATE INDEX topics_author_idx ON topics(author_id, id);

CREATE TABLE supports (
    topic_id BIGINT NOT NULL REFERENCES topics(id),
    user_id BIGINT NOT NULL REFERENCES users(id),
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (topic_id, user_id)
);

CREATE TABLE comments (
    id INTEGER PRIMARY KEY,
    topic_id BIGINT NOT NULL REFERENCES topics(id),
    author_id BIGINT NOT NULL REFERENCES users(id),
    parent_id BIGINT REFERENCES comments(id),
    body TEXT NOT NULL,
    stance TEXT NOT NULL,
    hidden BOOLEAN NOT NULL DEFAULT 0,
    hidden_reason TEXT,
    hidden_by BIGINT REFERENCES users(id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX comments_topic_idx ON comments(topic_id, id);

CREATE TABLE plans (
    topic_id BIGINT PRIMARY KEY REFERENCES topics(id),
    summary TEXT NOT NULL,
    -- Bumped on every publication; objections belong to one revision.
    revision INTEGER NOT NULL DEFAULT 0,
    published_at TIMESTAMP,
    notice_ends_at TIMESTAMP,
    approved_at TIMESTAMP,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE plan_resources (
    id INTEGER PRIMARY KEY,
    topic_id BIGINT NOT NULL REFERENCES topics(id),
    kind TEXT NOT NULL,
    source TEXT NOT NULL,
    amount DOUBLE PRECISION NOT NULL,
    unit TEXT NOT NULL
);
CREATE INDEX plan_resources_topic_idx ON plan_resources(topic_id, id);

CREATE TABLE tasks (
    id INTEGER PRIMARY KEY,
    topic_id BIGINT NOT NULL REFERENCES topics(id),
    title TEXT NOT NULL,
    organization_id BIGINT REFERENCES organizations(id),
    assignee_id BIGINT REFERENCES users(id),
    due_at TIMESTAMP NOT NULL,
    status TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    done_at TIMESTAMP
);
CREATE INDEX tasks_topic_idx ON tasks(topic_id, id);
CREATE INDEX tasks_org_idx ON tasks(organization_id, id);
CREATE INDEX tasks_due_idx ON tasks(status, due_at);

CREATE TABLE objections (
    id INTEGER PRIMARY KEY,
    topic_id BIGINT NOT NULL REFERENCES topics(id),
    author_id BIGINT NOT NULL REFERENCES users(id),
    plan_revision INTEGER NOT NULL,
    body TEXT NOT NULL,
    decision TEXT,
    reason TEXT,
    answered_by BIGINT REFERENCES users(id),
    answered_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX objections_topic_idx ON objections(topic_id, id);

CREATE TABLE evaluations (
    id INTEGER PRIMARY KEY,
    topic_id BIGINT NOT NULL REFERENCES topics(id),
    user_id BIGINT NOT NULL REFERENCES users(id),
    round INTEGER NOT NULL,
    score INTEGER NOT NULL,
    comment TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (topic_id, user_id, round)
);

-- Append-only timeline; each event's hash covers its fields and the previous event's hash.
CREATE TABLE topic_events (
    id INTEGER PRIMARY KEY,
    topic_id BIGINT NOT NULL REFERENCES topics(id),
    seq INTEGER NOT NULL,
    kind TEXT NOT NULL,
    actor_id BIGINT REFERENCES users(id),
    from_stage TEXT,
    to_stage TEXT,
    note TEXT,
    payload TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    UNIQUE (topic_id, seq)
);

CREATE TABLE idempotency_keys (
    user_id BIGINT NOT NULL REFERENCES users(id),
    idem_key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    topic_id BIGINT NOT NULL REFERENCES topics(id),
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, idem_key)
);
