-- Indexes for the list filters and orderings that had none (docs/database.md, "Indexes and
-- query plans"). Every list pages by id (keyset), so each index ends in the paging column.

-- Topics: a place (or community) and a stage or category, in id order; the public catalog
-- (only topics with a catalog number); the export period by creation time.
CREATE INDEX topics_place_stage_idx ON topics(place_id, stage, id);
CREATE INDEX topics_place_category_idx ON topics(place_id, category, id);
CREATE INDEX topics_community_stage_idx ON topics(community_id, stage, id);
CREATE INDEX topics_catalog_place_idx ON topics(place_id, id) WHERE catalog_no IS NOT NULL;
CREATE INDEX topics_created_idx ON topics(created_at, id);

-- Tasks: an organisation's or an assignee's work by due date. (An index of open tasks by due
-- date for the overdue filter made SQLite's plan slower on the filled database, see
-- docs/database.md: not added.)
CREATE INDEX tasks_org_due_idx ON tasks(organization_id, due_at);
CREATE INDEX tasks_assignee_due_idx ON tasks(assignee_id, due_at);

-- Meetings by status (the public ones, the open-data export). A place's meetings by start
-- time use consultations_place_starts_idx of 2026-12-03-000070_stats_indexes.
CREATE INDEX consultations_status_idx ON consultations(status, id);

-- Organisations by kind; webhooks by place; an endpoint's delivery log, newest first.
CREATE INDEX organizations_kind_idx ON organizations(kind, id);
CREATE INDEX webhooks_place_idx ON webhooks(place_id, id);
CREATE INDEX webhook_deliveries_webhook_idx ON webhook_deliveries(webhook_id, id);
