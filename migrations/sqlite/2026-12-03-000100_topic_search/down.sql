DROP TRIGGER topics_fts_update;
DROP TRIGGER topics_fts_delete;
DROP TRIGGER topics_fts_insert;
DROP TABLE topics_fts;
