-- Open311 GeoReport v2: where places are (a point, a bounding box), the clients that post with
-- an API key (stored hashed), and the private reporter details of each posted request.
ALTER TABLE places ADD COLUMN lat DOUBLE PRECISION;
ALTER TABLE places ADD COLUMN lng DOUBLE PRECISION;
ALTER TABLE places ADD COLUMN bbox_min_lat DOUBLE PRECISION;
ALTER TABLE places ADD COLUMN bbox_min_lng DOUBLE PRECISION;
ALTER TABLE places ADD COLUMN bbox_max_lat DOUBLE PRECISION;
ALTER TABLE places ADD COLUMN bbox_max_lng DOUBLE PRECISION;

CREATE TABLE open311_clients (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    place_id BIGINT NOT NULL REFERENCES places(id),
    key_hash TEXT NOT NULL UNIQUE,
    user_id BIGINT NOT NULL REFERENCES users(id),
    created_by BIGINT REFERENCES users(id),
    created_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP
);
CREATE INDEX open311_clients_place_idx ON open311_clients(place_id, id);

CREATE TABLE open311_requests (
    id INTEGER PRIMARY KEY,
    client_id BIGINT NOT NULL REFERENCES open311_clients(id),
    topic_id BIGINT NOT NULL UNIQUE REFERENCES topics(id),
    token TEXT NOT NULL UNIQUE,
    email TEXT,
    first_name TEXT,
    last_name TEXT,
    phone TEXT,
    device_id TEXT,
    account_id TEXT,
    media_url TEXT,
    lat DOUBLE PRECISION,
    lng DOUBLE PRECISION,
    address_string TEXT,
    address_id TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX open311_requests_client_idx ON open311_requests(client_id, id);
