-- Open data (docs/open-data.md): an author or convener appears in exports as 居民 unless they
-- chose to show their display name publicly. Off by default.
ALTER TABLE users ADD COLUMN show_name_publicly BOOLEAN NOT NULL DEFAULT false;
