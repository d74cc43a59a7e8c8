//! The rest of what an app needs from a store: home, the recent window, hidden ranges,
//! excluded and junk albums, forgetting photos, the audit log. Thin wrappers only.

use keepsake_core as core;

use crate::{instant, ApiError, Keepsake};

/// A place, in degrees.
#[derive(Debug, Clone, Copy, PartialEq, uniffi::Record)]
pub struct Coordinates {
    pub lat: f64,
    pub lon: f64,
}

/// A home region: the user's (`user_set`), or inferred from the library (the ~11 km
/// region with the most days with photos).
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Home {
    pub center: Coordinates,
    /// Distinct days with photos there (0 for a home the user set).
    pub days: u64,
    pub user_set: bool,
}

/// The last `days` calendar days in the device's zone: `[start_ms, end_ms)`, and its
/// first and last day (`YYYY-MM-DD`).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct RecentWindow {
    pub days: u32,
    pub first_day: String,
    pub last_day: String,
    pub start_ms: i64,
    pub end_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct HiddenRange {
    pub id: i64,
    pub start_ms: i64,
    pub end_ms: i64,
}

/// Albums whose photos are not camera memories (screenshots, messengers, downloads),
/// compared case-insensitively: `contains` matches part of a name, `exact` the whole
/// name. English defaults; apps add their language's names.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct JunkAlbums {
    pub contains: Vec<String>,
    pub exact: Vec<String>,
}

/// One line of the local audit log (counts only, no photo names).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct AuditEntry {
    pub at_ms: i64,
    pub action: String,
    /// Scopes granted when it happened, comma-separated.
    pub consent: String,
    pub model_sha256: Option<String>,
    pub photos: Option<i64>,
    pub detail: Option<String>,
}

/// What forgetting erased.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct PurgeSummary {
    pub rows_deleted: u64,
    /// Size of the database file after compaction.
    pub database_bytes: u64,
}

/// A damaged store that `open_or_rebuild` erased and created anew.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct RebuildReport {
    /// What was wrong (no path or content).
    pub reason: String,
    pub erased_bytes: u64,
}

/// A place the user marked as sensitive.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct SensitivePlace {
    pub id: i64,
    pub lat: f64,
    pub lon: f64,
    pub radius_m: f64,
}

#[uniffi::export]
impl Keepsake {
    /// Sets the user's home; it replaces the inferred homes. Invalid coordinates are
    /// refused.
    pub fn set_home(&self, home: Coordinates) -> Result<(), ApiError> {
        Ok(self.store()?.set_home(Some((home.lat, home.lon)))?)
    }

    /// Forgets the user's home: homes are inferred from the library again.
    pub fn clear_home(&self) -> Result<(), ApiError> {
        Ok(self.store()?.set_home(None)?)
    }

    /// The home the user set, or `null` when homes are inferred.
    pub fn user_home(&self) -> Result<Option<Coordinates>, ApiError> {
        Ok(self
            .store()?
            .user_home()?
            .map(|(lat, lon)| Coordinates { lat, lon }))
    }

    /// The homes trips are measured from: the user's, or the inferred ones (`away_km`
    /// as for trips). Needs the `Suggestions` consent.
    pub fn homes(&self, away_km: f64) -> Result<Vec<Home>, ApiError> {
        if !(away_km.is_finite() && away_km > 0.0) {
            return Err(ApiError::InvalidArgument {
                reason: "away_km must be positive".into(),
            });
        }
        Ok(self
            .store()?
            .homes(away_km)?
            .into_iter()
            .map(|h| Home {
                center: Coordinates {
                    lat: h.center.0,
                    lon: h.center.1,
                },
                days: h.days as u64,
                user_set: h.user_set,
            })
            .collect())
    }

    /// The window of the last `days` calendar days at `now_ms`.
    pub fn recent_window(&self, now_ms: i64, days: u32) -> Result<RecentWindow, ApiError> {
        let w = self.store()?.window_at(instant(now_ms)?, days)?;
        Ok(RecentWindow {
            days: w.days,
            first_day: w.first_day.to_string(),
            last_day: w.last_day.to_string(),
            start_ms: w.start.timestamp_millis(),
            end_ms: w.end.timestamp_millis(),
        })
    }

    /// Hidden time ranges, oldest first (`hide_range` adds one).
    pub fn hidden_ranges(&self) -> Result<Vec<HiddenRange>, ApiError> {
        Ok(self
            .store()?
            .hidden_ranges()?
            .into_iter()
            .map(|r| HiddenRange {
                id: r.id,
                start_ms: r.start.timestamp_millis(),
                end_ms: r.end.timestamp_millis(),
            })
            .collect())
    }

    /// Shows a hidden range again; false when there was none with this id.
    pub fn remove_hidden_range(&self, id: i64) -> Result<bool, ApiError> {
        Ok(self.store()?.remove_hidden_range(id)?)
    }

    /// Marks a place as sensitive (a clinic, an ex's street): no photo taken within
    /// `radius_m` (at most 100 km) appears in any suggestion. Returns its id.
    pub fn add_sensitive_place(&self, lat: f64, lon: f64, radius_m: f64) -> Result<i64, ApiError> {
        Ok(self.store()?.add_sensitive_place(lat, lon, radius_m)?)
    }

    /// Sensitive places, oldest first.
    pub fn sensitive_places(&self) -> Result<Vec<SensitivePlace>, ApiError> {
        Ok(self
            .store()?
            .sensitive_places()?
            .into_iter()
            .map(|s| SensitivePlace {
                id: s.id,
                lat: s.lat,
                lon: s.lon,
                radius_m: s.radius_m,
            })
            .collect())
    }

    /// Unmarks a sensitive place; false when there was none with this id.
    pub fn remove_sensitive_place(&self, id: i64) -> Result<bool, ApiError> {
        Ok(self.store()?.remove_sensitive_place(id)?)
    }

    /// Albums the user excluded (`set_album_excluded` adds and removes).
    pub fn excluded_albums(&self) -> Result<Vec<String>, ApiError> {
        Ok(self.store()?.excluded_albums()?)
    }

    pub fn junk_albums(&self) -> Result<JunkAlbums, ApiError> {
        let j = self.store()?.junk_albums()?;
        Ok(JunkAlbums {
            contains: j.contains,
            exact: j.exact,
        })
    }

    /// Replaces the junk-album setting (names in the device's language, say).
    pub fn set_junk_albums(&self, junk: JunkAlbums) -> Result<(), ApiError> {
        Ok(self.store()?.set_junk_albums(&core::moments::JunkAlbums {
            contains: junk.contains,
            exact: junk.exact,
        })?)
    }

    /// Forgets photos by id: their index rows and everything derived from them are
    /// erased from the database files, and later syncs skip them.
    pub fn forget(&self, asset_ids: Vec<String>) -> Result<PurgeSummary, ApiError> {
        let r = self.store()?.forget(&asset_ids)?;
        Ok(PurgeSummary {
            rows_deleted: r.rows_deleted,
            database_bytes: r.database_bytes,
        })
    }

    /// The local audit log, oldest first: what was processed, when, by which model,
    /// under which consent.
    pub fn audit_log(&self) -> Result<Vec<AuditEntry>, ApiError> {
        Ok(self
            .store()?
            .audit_log()?
            .into_iter()
            .map(|e| AuditEntry {
                at_ms: e.at_ms,
                action: e.action,
                consent: e.consent,
                model_sha256: e.model_sha256,
                photos: e.photos,
                detail: e.detail,
            })
            .collect())
    }
}
