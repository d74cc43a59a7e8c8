-- Keepsake schema v2: the user's feedback and exclusions for suggestions, and the
-- per-photo signals the suggestion engine ranks with.
-- Feedback is the user's own input, not data derived from photos: it is kept when
-- consent is revoked (see privacy::NON_DERIVED_TABLES).

ALTER TABLE photo_signals ADD COLUMN quality REAL;
ALTER TABLE photo_signals ADD COLUMN duplicate_group INTEGER;

CREATE TABLE dismissed_suggestions (
    id    TEXT PRIMARY KEY NOT NULL,
    at_ms INTEGER NOT NULL
) STRICT;

-- By source id, so a photo stays hidden if it leaves the library and comes back.
CREATE TABLE hidden_assets (
    source_id TEXT PRIMARY KEY NOT NULL,
    at_ms     INTEGER NOT NULL
) STRICT;

CREATE TABLE hidden_ranges (
    id       INTEGER PRIMARY KEY,
    start_ms INTEGER NOT NULL,
    end_ms   INTEGER NOT NULL,
    CHECK (end_ms >= start_ms)
) STRICT;

CREATE TABLE excluded_albums (
    album TEXT PRIMARY KEY NOT NULL COLLATE NOCASE
) STRICT;

CREATE TABLE special_dates (
    id    INTEGER PRIMARY KEY,
    label TEXT NOT NULL,
    kind  TEXT NOT NULL CHECK (kind IN ('birthday', 'anniversary', 'special_day')),
    month INTEGER NOT NULL CHECK (month BETWEEN 1 AND 12),
    day   INTEGER NOT NULL CHECK (day BETWEEN 1 AND 31),
    year  INTEGER
) STRICT;
