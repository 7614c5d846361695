-- Chinese text search of topics (docs/database.md, "Chinese text search"). The topic list's
-- `q` filter is `lower(title) LIKE '%q%' ESCAPE '\' OR lower(body) LIKE …`; a trigram GIN
-- index on each expression lets PostgreSQL answer it with a BitmapOr of the two instead of
-- reading every topic. pg_trgm takes CJK characters as word characters under a UTF-8 locale
-- (C.UTF-8, zh_CN.UTF-8), so 3-character Chinese substrings have trigrams. A pattern of
-- fewer than 3 characters has none: PostgreSQL then keeps the scan (bounded by the other
-- filters and the page's LIMIT). pg_trgm is a trusted extension: the database owner may
-- create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX topics_title_trgm_idx ON topics USING gin (lower(title) gin_trgm_ops);
CREATE INDEX topics_body_trgm_idx ON topics USING gin (lower(body) gin_trgm_ops);
