-- Keepsake schema v3: analysis bookkeeping.

-- Pixel analysis that failed for a photo (decode error, pixel budget): recorded so the
-- photo is not retried until its file changes (which purges this row).
ALTER TABLE photo_signals ADD COLUMN error TEXT;

-- Scope `faces`: which detector analysed a photo (also when it found no face), so a
-- model change means re-analysis and an unchanged model means none.
CREATE TABLE face_analysis (
    asset_id       INTEGER PRIMARY KEY REFERENCES assets (id) ON DELETE CASCADE,
    model_sha256   TEXT NOT NULL,
    analysed_at_ms INTEGER NOT NULL
) STRICT;
