DROP INDEX topic_step_stays_topic_idx;
DROP TABLE topic_step_stays;
