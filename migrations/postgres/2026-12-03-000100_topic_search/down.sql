DROP INDEX topics_body_trgm_idx;
DROP INDEX topics_title_trgm_idx;
-- Nothing else of Yishi's uses pg_trgm; RESTRICT (the default) refuses if something else
-- in this database has come to depend on it.
DROP EXTENSION IF EXISTS pg_trgm;
