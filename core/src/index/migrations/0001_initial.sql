-- Keepsake schema v1.
-- Metadata index (allowed without consent) and the derived tables each consent scope
-- owns (see privacy::SCOPE_TABLES; purging a scope empties exactly those tables).

CREATE TABLE meta (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE assets (
    id               INTEGER PRIMARY KEY,
    source_id        TEXT NOT NULL UNIQUE,
    origin           TEXT NOT NULL CHECK (origin IN ('host', 'folder')),
    uri              TEXT NOT NULL,
    mime             TEXT,
    format           TEXT,
    byte_size        INTEGER,
    modified_ms      INTEGER NOT NULL,
    captured_local   TEXT NOT NULL,      -- wall-clock time, ISO 8601 without offset
    captured_offset  INTEGER,            -- seconds east of UTC, when known
    captured_utc_ms  INTEGER NOT NULL,   -- the instant (device zone when no offset)
    date_trust       INTEGER NOT NULL,   -- 0 file_time, 1 filename, 2 exif_local, 3 exif_offset
    width            INTEGER,
    height           INTEGER,
    orientation      INTEGER CHECK (orientation BETWEEN 1 AND 8),
    lat              REAL,
    lon              REAL,
    make             TEXT,
    model            TEXT,
    thumb_offset     INTEGER,
    thumb_len        INTEGER,
    album            TEXT,
    favorite         INTEGER NOT NULL DEFAULT 0,
    screenshot       INTEGER NOT NULL DEFAULT 0,
    kind             TEXT NOT NULL CHECK (kind IN ('photo', 'video', 'live')),
    duration_ms      INTEGER,
    status           TEXT NOT NULL,
    error            TEXT,
    indexed_at_ms    INTEGER NOT NULL
) STRICT;

CREATE INDEX assets_by_time ON assets (captured_utc_ms);

-- Current consent per scope; a scope without a row is not consented.
CREATE TABLE consent (
    scope         TEXT PRIMARY KEY NOT NULL,
    granted       INTEGER NOT NULL,
    changed_at_ms INTEGER NOT NULL
) STRICT;

-- Consent history (grant/revoke and when): the user's record of what they agreed to.
CREATE TABLE consent_log (
    id      INTEGER PRIMARY KEY,
    scope   TEXT NOT NULL,
    action  TEXT NOT NULL CHECK (action IN ('grant', 'revoke')),
    at_ms   INTEGER NOT NULL
) STRICT;

-- Scope `pixels`: per-photo signals computed from pixel data (quality, hashes).
CREATE TABLE photo_signals (
    asset_id        INTEGER PRIMARY KEY REFERENCES assets (id) ON DELETE CASCADE,
    sharpness       REAL,
    brightness      REAL,
    clipped_high    REAL,
    clipped_low     REAL,
    screenshot_like REAL,
    dhash           INTEGER,
    phash           INTEGER,
    analysed_at_ms  INTEGER NOT NULL
) STRICT;

-- Scope `faces`: face detections (and later embeddings).
CREATE TABLE faces (
    id             INTEGER PRIMARY KEY,
    asset_id       INTEGER NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
    model_sha256   TEXT NOT NULL,
    x              REAL NOT NULL,
    y              REAL NOT NULL,
    w              REAL NOT NULL,
    h              REAL NOT NULL,
    score          REAL NOT NULL,
    landmarks      BLOB,
    analysed_at_ms INTEGER NOT NULL
) STRICT;

CREATE INDEX faces_by_asset ON faces (asset_id);

-- Scope `suggestions`: computed suggestions and the assets in them.
CREATE TABLE suggestions (
    id            TEXT PRIMARY KEY NOT NULL,
    kind          TEXT NOT NULL,
    payload       TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL
) STRICT;

CREATE TABLE suggestion_assets (
    suggestion_id TEXT NOT NULL REFERENCES suggestions (id) ON DELETE CASCADE,
    asset_id      INTEGER NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
    position      INTEGER NOT NULL,
    PRIMARY KEY (suggestion_id, asset_id)
) STRICT;

CREATE INDEX suggestion_assets_by_asset ON suggestion_assets (asset_id);
