-- Statistics (GET /api/v1/stats, docs/open-data.md): the period's topics of a subtree
-- (places.path range, then topics by place and created_at), their stage transitions in
-- timeline order, the commenters, and the period's meetings of a subtree.
CREATE INDEX topics_place_created_idx ON topics(place_id, created_at);
CREATE INDEX topic_events_transition_idx ON topic_events(topic_id, seq, from_stage, to_stage, created_at)
    WHERE kind = 'transition';
CREATE INDEX comments_topic_author_idx ON comments(topic_id, author_id);
CREATE INDEX consultations_place_starts_idx ON consultations(place_id, starts_at, status, kind);
