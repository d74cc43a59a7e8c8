-- Keepsake schema v5: the user's privacy wishes and the local audit log.

-- "Don't include me": faces the user pointed at, kept by position in their photo (until
-- face recognition can match them elsewhere). Photos with such a face never enter a
-- suggestion or collage. Only the box is kept — no pixels, no embedding.
CREATE TABLE face_exclusions (
    id            INTEGER PRIMARY KEY,
    asset_id      INTEGER NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
    x             REAL NOT NULL,
    y             REAL NOT NULL,
    w             REAL NOT NULL,
    h             REAL NOT NULL,
    created_at_ms INTEGER NOT NULL
) STRICT;

CREATE INDEX face_exclusions_by_asset ON face_exclusions (asset_id);

-- Photos the user asked to forget: only a SHA-256 of their source id, so indexing skips
-- them without the store keeping their path or id.
CREATE TABLE forgotten (
    source_hash TEXT PRIMARY KEY NOT NULL,
    at_ms       INTEGER NOT NULL
) STRICT;

-- What was processed, when, by which model, under which consent. Counts only: no photo
-- content, paths, ids or places.
CREATE TABLE audit_log (
    id           INTEGER PRIMARY KEY,
    at_ms        INTEGER NOT NULL,
    action       TEXT NOT NULL,
    consent      TEXT NOT NULL,
    model_sha256 TEXT,
    photos       INTEGER,
    detail       TEXT
) STRICT;
