DROP TABLE open311_requests;
DROP TABLE open311_clients;
ALTER TABLE places DROP COLUMN bbox_max_lng;
ALTER TABLE places DROP COLUMN bbox_max_lat;
ALTER TABLE places DROP COLUMN bbox_min_lng;
ALTER TABLE places DROP COLUMN bbox_min_lat;
ALTER TABLE places DROP COLUMN lng;
ALTER TABLE places DROP COLUMN lat;
