-- Keepsake schema v9: places the user marks as sensitive (a clinic, an ex's street):
-- photos taken within the radius never appear in any suggestion. The user's own wish,
-- kept through consent revocation like hidden ranges; no label is stored (the app
-- keeps its own, if any).
CREATE TABLE sensitive_places (
    id       INTEGER PRIMARY KEY,
    lat      REAL NOT NULL CHECK (lat BETWEEN -90 AND 90),
    lon      REAL NOT NULL CHECK (lon BETWEEN -180 AND 180),
    radius_m REAL NOT NULL CHECK (radius_m > 0)
) STRICT;
