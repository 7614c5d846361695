-- Notifications (docs/notifications.md). A change that someone should hear about writes one
-- notification_events row in its own transaction; dedupe_key is unique, so a retried request,
-- a republished event or a reminder scan on two nodes can never record it twice. A background
-- worker fans each event out to notifications (one per event and user), email deliveries (one
-- per notification and channel) and webhook deliveries (one per event and endpoint).
CREATE TABLE notification_events (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    dedupe_key TEXT NOT NULL UNIQUE,
    place_id BIGINT REFERENCES places(id),
    topic_id BIGINT REFERENCES topics(id),
    consultation_id BIGINT REFERENCES consultations(id),
    task_id BIGINT REFERENCES tasks(id),
    actor_id BIGINT REFERENCES users(id),
    payload TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    fanned_out_at TIMESTAMP
);
CREATE INDEX notification_events_pending_idx ON notification_events(fanned_out_at, id);

CREATE TABLE notifications (
    id INTEGER PRIMARY KEY,
    event_id BIGINT NOT NULL REFERENCES notification_events(id),
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    topic_id BIGINT REFERENCES topics(id),
    consultation_id BIGINT REFERENCES consultations(id),
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    url TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    read_at TIMESTAMP,
    UNIQUE (event_id, user_id)
);
CREATE INDEX notifications_user_idx ON notifications(user_id, id);
CREATE INDEX notifications_unread_idx ON notifications(user_id, read_at, topic_id, id);

-- Who follows a topic, and how closely. 'unfollowed' is kept (never deleted) so that a later
-- comment or support does not follow the topic again behind the user's back.
CREATE TABLE follows (
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    topic_id BIGINT NOT NULL REFERENCES topics(id),
    level TEXT NOT NULL CHECK (level IN ('watching', 'normal', 'muted', 'unfollowed')),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, topic_id)
);
CREATE INDEX follows_topic_idx ON follows(topic_id, level, user_id);
-- Topics raised before notifications existed: their authors (and the residents they were
-- raised for) watch them, and their supporters follow them, as if they had acted today.
INSERT INTO follows (user_id, topic_id, level, created_at, updated_at)
SELECT author_id, id, 'watching', created_at, created_at FROM topics;
INSERT INTO follows (user_id, topic_id, level, created_at, updated_at)
SELECT t.on_behalf_of, t.id, 'watching', t.created_at, t.created_at FROM topics t
WHERE t.on_behalf_of IS NOT NULL AND NOT EXISTS (
    SELECT 1 FROM follows f WHERE f.user_id = t.on_behalf_of AND f.topic_id = t.id);
INSERT INTO follows (user_id, topic_id, level, created_at, updated_at)
SELECT s.user_id, s.topic_id, 'normal', s.created_at, s.created_at FROM supports s
WHERE NOT EXISTS (
    SELECT 1 FROM follows f WHERE f.user_id = s.user_id AND f.topic_id = s.topic_id);

-- A user's mail preferences; no row means the defaults (config [notifications]).
CREATE TABLE notification_settings (
    user_id BIGINT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    email TEXT NOT NULL CHECK (email IN ('immediate', 'digest', 'off')),
    digest_hour INTEGER NOT NULL CHECK (digest_hour BETWEEN 0 AND 23),
    language TEXT NOT NULL CHECK (language IN ('zh-CN', 'en')),
    updated_at TIMESTAMP NOT NULL
);
CREATE TABLE notification_kind_settings (
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    email TEXT NOT NULL CHECK (email IN ('immediate', 'digest', 'off')),
    PRIMARY KEY (user_id, kind)
);

-- One email delivery per notification: sent at once (outbox_id), or folded into a digest
-- (outbox_id of the digest mail), or skipped because the preference said off.
CREATE TABLE notification_deliveries (
    id INTEGER PRIMARY KEY,
    notification_id BIGINT NOT NULL REFERENCES notifications(id) ON DELETE CASCADE,
    channel TEXT NOT NULL CHECK (channel IN ('email')),
    mode TEXT NOT NULL CHECK (mode IN ('immediate', 'digest', 'skipped')),
    outbox_id BIGINT REFERENCES outbox(id),
    created_at TIMESTAMP NOT NULL,
    UNIQUE (notification_id, channel)
);
-- When each user's last digest went out, so a digest is built once per local day.
CREATE TABLE digest_runs (
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    local_day TEXT NOT NULL,
    outbox_id BIGINT REFERENCES outbox(id),
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, local_day)
);

-- Mail that belongs to a user (notifications, digests) is re-checked against that user's
-- preference at send time, and carries RFC 8058 unsubscribe headers and an HTML part.
ALTER TABLE outbox ADD COLUMN body_html TEXT;
ALTER TABLE outbox ADD COLUMN user_id BIGINT REFERENCES users(id);
ALTER TABLE outbox ADD COLUMN notification_kind TEXT;
ALTER TABLE outbox ADD COLUMN list_unsubscribe TEXT;
ALTER TABLE outbox ADD COLUMN message_id TEXT;

-- Integrators' endpoints (admin-managed), scoped to a place subtree and event kinds.
CREATE TABLE webhooks (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL,
    secret TEXT NOT NULL,
    place_id BIGINT NOT NULL REFERENCES places(id),
    disabled BOOLEAN NOT NULL,
    disabled_reason TEXT,
    created_by BIGINT REFERENCES users(id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE TABLE webhook_kinds (
    webhook_id BIGINT NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    PRIMARY KEY (webhook_id, kind)
);
-- One delivery per (endpoint, event); message_id is the Standard Webhooks `webhook-id`,
-- the same on every retry.
CREATE TABLE webhook_deliveries (
    id INTEGER PRIMARY KEY,
    webhook_id BIGINT NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
    event_id BIGINT NOT NULL REFERENCES notification_events(id),
    message_id TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts INTEGER NOT NULL,
    next_attempt_at TIMESTAMP NOT NULL,
    last_status_code INTEGER,
    last_error TEXT,
    created_at TIMESTAMP NOT NULL,
    delivered_at TIMESTAMP,
    UNIQUE (webhook_id, event_id)
);
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries(status, next_attempt_at);
-- Every attempt, for the endpoint's delivery log.
CREATE TABLE webhook_attempts (
    id INTEGER PRIMARY KEY,
    delivery_id BIGINT NOT NULL REFERENCES webhook_deliveries(id) ON DELETE CASCADE,
    attempted_at TIMESTAMP NOT NULL,
    status_code INTEGER,
    error TEXT,
    duration_ms INTEGER NOT NULL
);
CREATE INDEX webhook_attempts_delivery_idx ON webhook_attempts(delivery_id, id);
