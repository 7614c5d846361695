-- A signed-in browser holds a session of the same table API tokens use: the cookie's random
-- token is kept only as a hash, and the session ends at `expires_at` unless used (each use
-- moves it on). API sessions leave both NULL.
ALTER TABLE sessions ADD COLUMN cookie_hash TEXT;
ALTER TABLE sessions ADD COLUMN expires_at TIMESTAMP;
CREATE UNIQUE INDEX sessions_cookie_hash ON sessions (cookie_hash);
