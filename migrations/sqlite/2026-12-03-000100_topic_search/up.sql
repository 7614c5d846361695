-- Chinese text search of topics (docs/database.md, "Chinese text search"): an FTS5 index of
-- every 3-character substring (the `trigram` tokenizer) of each topic's title and body. It
-- is an external-content table: the text stays in `topics` only, the triggers below keep
-- the index in step with every insert (the bench seeder's multi-row INSERTs included), every
-- change of title or body and every delete. The topic list asks it for a quoted phrase
-- (`topics_fts MATCH '"…"'`), then re-checks the LIKE, so results stay exactly the LIKE's.
-- Queries of fewer than 3 characters have no trigram and keep the LIKE alone.
CREATE VIRTUAL TABLE topics_fts USING fts5(
    title,
    body,
    content = 'topics',
    content_rowid = 'id',
    tokenize = 'trigram'
);

CREATE TRIGGER topics_fts_insert AFTER INSERT ON topics BEGIN
    INSERT INTO topics_fts(rowid, title, body) VALUES (new.id, new.title, new.body);
END;

CREATE TRIGGER topics_fts_delete AFTER DELETE ON topics BEGIN
    INSERT INTO topics_fts(topics_fts, rowid, title, body)
        VALUES ('delete', old.id, old.title, old.body);
END;

CREATE TRIGGER topics_fts_update AFTER UPDATE OF id, title, body ON topics BEGIN
    INSERT INTO topics_fts(topics_fts, rowid, title, body)
        VALUES ('delete', old.id, old.title, old.body);
    INSERT INTO topics_fts(rowid, title, body) VALUES (new.id, new.title, new.body);
END;

-- The topics that exist already.
INSERT INTO topics_fts(topics_fts) VALUES ('rebuild');
