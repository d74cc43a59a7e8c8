-- Keepsake schema v6: people (scope `faces`: all of it is purged when face consent is
-- revoked; the user's exclusions survive as boxes in face_exclusions).

-- One descriptor per face: 128 float32 little-endian from the face embedder, or NULL when
-- the face could not be embedded (`error`) or belongs to an excluded person. `good`: big,
-- sharp and frontal enough to start a person; other faces may only join one.
CREATE TABLE face_embeddings (
    face_id      INTEGER PRIMARY KEY REFERENCES faces (id) ON DELETE CASCADE,
    asset_id     INTEGER NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
    model_sha256 TEXT NOT NULL,
    embedding    BLOB,
    good         INTEGER NOT NULL,
    error        TEXT,
    -- 1 once a full re-grouping has seen the face; faces added since count toward the
    -- next one.
    regrouped    INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE INDEX face_embeddings_by_asset ON face_embeddings (asset_id);

-- People. Ids are never reused (the next one is kept in meta). `excluded`: "don't
-- include me" — name and birthday are erased and only person_blocklist recognises them.
CREATE TABLE persons (
    id            INTEGER PRIMARY KEY,
    name          TEXT,
    birth_month   INTEGER,
    birth_day     INTEGER,
    birth_year    INTEGER,
    hidden        INTEGER NOT NULL DEFAULT 0,
    excluded      INTEGER NOT NULL DEFAULT 0,
    created_at_ms INTEGER NOT NULL
) STRICT;

-- Which person each face is (faces waiting for the next re-grouping have no row).
CREATE TABLE face_persons (
    face_id   INTEGER PRIMARY KEY REFERENCES faces (id) ON DELETE CASCADE,
    asset_id  INTEGER NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
    person_id INTEGER NOT NULL REFERENCES persons (id) ON DELETE CASCADE
) STRICT;

CREATE INDEX face_persons_by_person ON face_persons (person_id);

-- The user's word on faces (merge, split, confirm, "not this person"): `is` = the face
-- is this person, `is_not` = it is not. Re-grouping always honours these.
CREATE TABLE people_feedback (
    id        INTEGER PRIMARY KEY,
    face_id   INTEGER NOT NULL REFERENCES faces (id) ON DELETE CASCADE,
    asset_id  INTEGER NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
    person_id INTEGER NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
    verdict   TEXT NOT NULL CHECK (verdict IN ('is', 'is_not')),
    at_ms     INTEGER NOT NULL,
    UNIQUE (face_id, person_id)
) STRICT;

-- Excluded people: descriptors only (no crop, no thumbnail, no photo reference), to
-- recognise them in new photos and keep those out too.
CREATE TABLE person_blocklist (
    id        INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
    embedding BLOB NOT NULL
) STRICT;
