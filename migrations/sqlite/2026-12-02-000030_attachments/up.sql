-- Photos and documents attached to a topic, a task or a meeting (docs/attachments.md). The
-- bytes live in the object store under object_key (and thumbnail_key); a row exists only
-- once its objects are written. owner_kind names the table owner_id points into.
CREATE TABLE attachments (
    id INTEGER PRIMARY KEY,
    owner_kind TEXT NOT NULL CHECK (owner_kind IN ('topic', 'task', 'consultation')),
    owner_id BIGINT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('photo', 'document')),
    content_type TEXT NOT NULL,
    bytes BIGINT NOT NULL,
    width INTEGER,
    height INTEGER,
    object_key TEXT NOT NULL UNIQUE,
    thumbnail_key TEXT UNIQUE,
    uploaded_by BIGINT NOT NULL REFERENCES users(id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX attachments_owner_idx ON attachments(owner_kind, owner_id, id);
