-- Completed stays in the five steps (docs/open-data.md, "Days in a step"), one row per stay,
-- written by topics::events::append in the transaction of the stage-changing transition that
-- ends it, so the statistics read stays instead of windowing the whole timeline.
-- A stay in a step starts when the topic enters it (say: the topic's created_at; otherwise
-- the stage-changing transition into it) and ends at the next transition whose from_stage
-- differs from its to_stage; seconds = whole seconds of left_at - whole seconds of entered_at.
-- Stays in closed (a reopened topic) are no step stays and are not stored.
CREATE TABLE topic_step_stays (
    id INTEGER PRIMARY KEY,
    topic_id BIGINT NOT NULL REFERENCES topics(id),
    step TEXT NOT NULL CHECK (step IN ('say', 'discuss', 'plan', 'act', 'evaluate')),
    entered_at TIMESTAMP NOT NULL,
    left_at TIMESTAMP NOT NULL,
    seconds BIGINT NOT NULL
);
-- The stats join the period's topics of a subtree to their stays and sort each step's
-- durations: topic, step and seconds from the index alone.
CREATE INDEX topic_step_stays_topic_idx ON topic_step_stays(topic_id, step, seconds);

-- Backfill from the existing timelines, by the same definition: every stage-changing
-- transition ends one stay in its from_stage, begun at the previous stage-changing
-- transition of the topic (by seq) or, for the first, at the topic's creation.
INSERT INTO topic_step_stays (topic_id, step, entered_at, left_at, seconds)
SELECT x.topic_id, x.step, x.entered_at, x.left_at,
       CAST(strftime('%s', x.left_at) AS INTEGER) - CAST(strftime('%s', x.entered_at) AS INTEGER)
FROM (
    SELECT e.topic_id, e.from_stage AS step, e.created_at AS left_at,
           COALESCE(LAG(e.created_at) OVER (PARTITION BY e.topic_id ORDER BY e.seq),
                    t.created_at) AS entered_at
    FROM topic_events e JOIN topics t ON t.id = e.topic_id
    WHERE e.kind = 'transition' AND e.from_stage IS NOT NULL AND e.to_stage IS NOT NULL
      AND e.from_stage <> e.to_stage
) x
WHERE x.step <> 'closed'
ORDER BY x.topic_id, x.left_at;
