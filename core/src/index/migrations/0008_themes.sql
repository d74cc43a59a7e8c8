-- Keepsake schema v8: content themes.

-- Scope `pixels`: which classifier analysed a photo (also when nothing reached a
-- theme), so another model means re-classification and the same model none.
CREATE TABLE theme_analysis (
    asset_id       INTEGER PRIMARY KEY REFERENCES assets (id) ON DELETE CASCADE,
    model_sha256   TEXT NOT NULL,
    analysed_at_ms INTEGER NOT NULL
) STRICT;

-- Scope `pixels`: the classifier's most probable ImageNet classes per photo (for the
-- reasons a theme suggestion gives and for the export).
CREATE TABLE photo_classes (
    asset_id    INTEGER NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
    class       INTEGER NOT NULL,
    probability REAL NOT NULL,
    PRIMARY KEY (asset_id, class)
) STRICT;

-- Scope `pixels`: theme scores 0..1 per photo (scores under 0.02 are not kept).
CREATE TABLE photo_themes (
    asset_id INTEGER NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
    theme    TEXT NOT NULL,
    score    REAL NOT NULL,
    PRIMARY KEY (asset_id, theme)
) STRICT;
CREATE INDEX photo_themes_by_theme ON photo_themes (theme, score DESC);
