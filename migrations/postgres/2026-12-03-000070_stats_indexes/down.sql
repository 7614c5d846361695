DROP INDEX consultations_place_starts_idx;
DROP INDEX comments_topic_author_idx;
DROP INDEX topic_events_transition_idx;
DROP INDEX topics_place_created_idx;
