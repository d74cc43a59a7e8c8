//! UniFFI bindings for Keepsake: thin wrappers over `keepsake-core`, record and enum
//! mirrors, the app-facing `ApiError`, and a logger bridge. No logic lives here.
// uniffi's scaffolding is generated `unsafe extern "C"` code.
#![allow(unsafe_code)]

mod analysis;
mod collage;
mod create;
mod logging;
mod people;
mod pixels;
mod settings;
mod suggest;
mod themes;
mod types;

use std::sync::{Arc, Mutex};

use chrono::DateTime;
use keepsake_core as core;

pub use analysis::{
    AnalysisHandle, AnalysisListener, AnalysisOptions, AnalysisSummary, ListenerError,
};
pub use collage::{
    CanvasShape, CollageCell, CollageImage, CollageLayout, CollageOptions, CollageTemplate,
    ImageFormat, PhotoEffect,
};
pub use create::{CancelSignal, StoryFrame, StoryPlayer, StyleInfo, StyleNetwork, WorkListener};
pub use logging::{install_logger, set_log_level, LogLevel, LogSink};
pub use pixels::{PixelAnswer, PixelError, PixelRequest, PixelSource};
pub use settings::{
    AuditEntry, Coordinates, HiddenRange, Home, JunkAlbums, PurgeSummary, RebuildReport,
    RecentWindow,
};
pub use suggest::{
    Chapter, Moment, Reason, SpecialDate, SpecialDateKind, SuggestedLook, Suggestion,
    SuggestionKind, TitlePart, Trip,
};
pub use types::{
    AssetRecord, ConsentScope, ConsentStatus, DateTrustLevel, IndexedAsset, RejectedRecord,
    SyncSummary,
};

uniffi::setup_scaffolding!();

/// Errors an app can act on; everything else is `Other` with a reason free of personal data.
#[derive(Debug, Clone, thiserror::Error, uniffi::Error)]
pub enum ApiError {
    /// Ask the user for consent to `scope`, then retry.
    #[error("consent required for {scope:?}")]
    ConsentRequired { scope: ConsentScope },
    /// Another Keepsake instance has this database open; close it first.
    #[error("the store is already open")]
    StoreInUse,
    /// The operation was cancelled; committed work is kept.
    #[error("cancelled")]
    Cancelled,
    /// An argument was invalid; `reason` names it.
    #[error("invalid argument: {reason}")]
    InvalidArgument { reason: String },
    /// The database is damaged; the app may delete it and re-index.
    #[error("corrupt store: {reason}")]
    CorruptStore { reason: String },
    /// What was asked for (a suggestion, its photos) does not exist any more.
    #[error("not found: {what}")]
    NotFound { what: String },
    /// The store was closed (`close_store`); open it again.
    #[error("the store is closed")]
    Closed,
    /// A listener or pixel provider the app passed in threw; the work stopped, keeping
    /// what was committed.
    #[error("app callback failed: {reason}")]
    ListenerFailed { reason: String },
    #[error("{reason}")]
    Other { reason: String },
}

impl From<core::Error> for ApiError {
    fn from(e: core::Error) -> Self {
        match e {
            core::Error::ConsentRequired(scope) => ApiError::ConsentRequired {
                scope: scope.into(),
            },
            core::Error::StoreInUse => ApiError::StoreInUse,
            core::Error::Cancelled => ApiError::Cancelled,
            core::Error::InvalidArgument(reason) => ApiError::InvalidArgument { reason },
            core::Error::InvalidRecord { .. }
            | core::Error::UnknownTimeZone
            | core::Error::NotADirectory => ApiError::InvalidArgument {
                reason: e.to_string(),
            },
            core::Error::CorruptStore(reason) => ApiError::CorruptStore { reason },
            core::Error::NotFound(what) => ApiError::NotFound { what: what.into() },
            other => {
                log::warn!("keepsake error: {other}");
                ApiError::Other {
                    reason: other.to_string(),
                }
            }
        }
    }
}

/// A detected face, in upright pixels of its photo.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Face {
    pub id: i64,
    pub asset_id: String,
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
    pub score: f64,
    pub excluded: bool,
}

/// The core's layout of a suggestion's collage at `now_ms`.
fn core_layout(
    store: &core::Keepsake,
    suggestion_id: &str,
    now_ms: i64,
    options: &CollageOptions,
) -> Result<core::collage::Layout, ApiError> {
    Ok(store.collage_layout(
        suggestion_id,
        Some(instant(now_ms)?),
        &collage::options(options),
    )?)
}

pub(crate) fn instant(ms: i64) -> Result<chrono::DateTime<chrono::Utc>, ApiError> {
    DateTime::from_timestamp_millis(ms).ok_or_else(|| ApiError::InvalidArgument {
        reason: "timestamp is out of range".into(),
    })
}

/// The Keepsake store: one per database file. Safe to call from any thread; calls that
/// write wait for the single writer, reads run in parallel.
#[derive(Debug, uniffi::Object)]
pub struct Keepsake {
    /// `None` once closed. Held only long enough to clone the `Arc`: calls never wait
    /// for each other here (the store has its own reader/writer discipline).
    inner: Mutex<Option<Arc<core::Keepsake>>>,
    /// What `open_or_rebuild` found and did, when the store was damaged.
    rebuilt: Option<settings::RebuildReport>,
}

impl Keepsake {
    pub(crate) fn store(&self) -> Result<Arc<core::Keepsake>, ApiError> {
        self.inner
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
            .ok_or(ApiError::Closed)
    }
}

#[uniffi::export]
impl Keepsake {
    /// Opens (or creates) the store at `path`, with the device's IANA time zone.
    #[uniffi::constructor]
    pub fn open(path: String, time_zone: String) -> Result<Arc<Self>, ApiError> {
        let config = core::Config {
            zone: core::DeviceZone::parse(&time_zone)?,
            ..Default::default()
        };
        let inner = core::Keepsake::open(std::path::Path::new(&path), config)?;
        Ok(Arc::new(Keepsake {
            inner: Mutex::new(Some(Arc::new(inner))),
            rebuilt: None,
        }))
    }

    /// Opens the store; a damaged one (torn or truncated pages, garbage) is erased and
    /// created anew — then `rebuild_report()` says so, and the app indexes its library
    /// again and asks for consent again.
    #[uniffi::constructor]
    pub fn open_or_rebuild(path: String, time_zone: String) -> Result<Arc<Self>, ApiError> {
        let config = core::Config {
            zone: core::DeviceZone::parse(&time_zone)?,
            ..Default::default()
        };
        let (inner, rebuilt) =
            core::Keepsake::open_or_rebuild(std::path::Path::new(&path), config)?;
        Ok(Arc::new(Keepsake {
            inner: Mutex::new(Some(Arc::new(inner))),
            rebuilt: rebuilt.map(|r| settings::RebuildReport {
                reason: r.reason,
                erased_bytes: r.erased_bytes,
            }),
        }))
    }

    /// What `open_or_rebuild` erased (`null`: the store was sound, or was opened with
    /// `open`).
    pub fn rebuild_report(&self) -> Option<settings::RebuildReport> {
        self.rebuilt.clone()
    }

    /// Closes the store: later calls fail with `Closed`; the database is released when
    /// calls already running (an analysis) end. Closing twice is fine.
    pub fn close_store(&self) {
        self.inner.lock().unwrap_or_else(|e| e.into_inner()).take();
    }

    /// Starts analysing pixels (and faces, with a model) in the background. Consent and
    /// the model are checked now; progress goes to `listener`.
    pub fn start_analysis(
        &self,
        options: AnalysisOptions,
        listener: Arc<dyn AnalysisListener>,
    ) -> Result<Arc<AnalysisHandle>, ApiError> {
        analysis::start(self.store()?, options, listener)
    }

    /// The layout of a suggestion's collage, for apps that draw it themselves.
    pub fn collage_layout(
        &self,
        suggestion_id: String,
        now_ms: i64,
        options: CollageOptions,
    ) -> Result<CollageLayout, ApiError> {
        let store = self.store()?;
        let l = core_layout(&store, &suggestion_id, now_ms, &options)?;
        Ok(collage::layout(&l, &store.source_ids()?))
    }

    /// Sets (or, with `null`, removes) the app's pixel source for photos without a
    /// readable file: analysis, the people pass, collages and stories ask it. Without
    /// one, such photos wait (`need_host_pixels`).
    pub fn set_pixel_source(&self, source: Option<Arc<dyn PixelSource>>) -> Result<(), ApiError> {
        self.store()?.set_pixel_source(
            source.map(|s| Arc::new(pixels::Adapter(s)) as Arc<dyn core::pixels::PixelSource>),
        );
        Ok(())
    }

    /// Renders a suggestion's collage: photos from their files, or from the app's pixel
    /// source (`set_pixel_source`) for content:// and PhotoKit assets.
    pub fn render_collage(
        &self,
        suggestion_id: String,
        now_ms: i64,
        options: CollageOptions,
        format: ImageFormat,
    ) -> Result<CollageImage, ApiError> {
        let store = self.store()?;
        let names = store.source_ids()?;
        let layout = core_layout(&store, &suggestion_id, now_ms, &options)?;
        let render = core::collage::RenderOptions {
            format: collage::format(format),
            effect: options.effect.map(|e| (e.into(), options.effect_strength)),
            ..Default::default()
        };
        let rendered = store.render_layout(&layout, &render, &core::CancelToken::new())?;
        Ok(collage::image(rendered, &names))
    }

    /// [`render_collage`](Self::render_collage) into a file (written whole or not at all);
    /// the returned image has no bytes.
    pub fn render_collage_to_file(
        &self,
        suggestion_id: String,
        now_ms: i64,
        options: CollageOptions,
        format: ImageFormat,
        path: String,
    ) -> Result<CollageImage, ApiError> {
        let mut image = self.render_collage(suggestion_id, now_ms, options, format)?;
        let tmp = format!("{path}.part");
        std::fs::write(&tmp, &image.bytes)
            .and_then(|()| std::fs::rename(&tmp, &path))
            .map_err(|e| ApiError::Other {
                reason: format!("collage file: {}", e.kind()),
            })?;
        image.bytes.clear();
        Ok(image)
    }

    /// One photo, upright at `long_side` (or its own size when smaller), with an effect
    /// over it when given: from its file or the app's pixel source. Needs the `Pixels`
    /// consent; nothing is stored.
    pub fn render_photo(
        &self,
        asset_id: String,
        long_side: u32,
        format: ImageFormat,
        effect: Option<PhotoEffect>,
        effect_strength: f32,
    ) -> Result<CollageImage, ApiError> {
        Ok(collage::encoded(self.store()?.render_photo(
            &asset_id,
            long_side,
            effect.map(|e| (e.into(), effect_strength)),
            collage::format(format),
        )?))
    }

    /// A suggestion's recap story as JSON: `{suggestion_id, width, height, duration_ms,
    /// frames: [{type: title|chapter|photo, …}]}` (photo frames carry Ken Burns `from` and
    /// `to` rects in upright pixels; see the README).
    pub fn recap_story_json(&self, suggestion_id: String, now_ms: i64) -> Result<String, ApiError> {
        let story = self.store()?.story(
            &suggestion_id,
            Some(instant(now_ms)?),
            &core::collage::StoryOptions::default(),
        )?;
        serde_json::to_string(&story).map_err(|_| ApiError::Other {
            reason: "story could not be serialised".into(),
        })
    }

    /// Everything the store holds, as one JSON document (the user's right of access).
    pub fn export_json(&self) -> Result<String, ApiError> {
        let doc = self.store()?.export()?;
        serde_json::to_string(&doc).map_err(|_| ApiError::Other {
            reason: "export could not be serialised".into(),
        })
    }

    /// "Don't include me": photos holding these faces never enter a suggestion or collage.
    pub fn exclude_faces(&self, face_ids: Vec<i64>) -> Result<u64, ApiError> {
        Ok(self.store()?.exclude_faces(&face_ids)?)
    }

    /// Faces found by analysis (ids for `exclude_faces`).
    pub fn faces(&self) -> Result<Vec<Face>, ApiError> {
        Ok(self
            .store()?
            .faces()?
            .into_iter()
            .map(|f| Face {
                id: f.id,
                asset_id: f.asset,
                x: f.x,
                y: f.y,
                width: f.w,
                height: f.h,
                score: f.score,
                excluded: f.excluded,
            })
            .collect())
    }

    /// Indexes host records. `full`: the batch is the whole library (absent assets are
    /// removed, unless some records were rejected).
    pub fn sync_records(
        &self,
        records: Vec<AssetRecord>,
        full: bool,
    ) -> Result<SyncSummary, ApiError> {
        let records = records
            .into_iter()
            .enumerate()
            .map(|(i, r)| (i as u64 + 1, r.into()))
            .collect();
        let mode = if full {
            core::SyncMode::Full
        } else {
            core::SyncMode::Partial
        };
        let report = self.store()?.sync_records(
            records,
            mode,
            &core::NoProgress,
            &core::CancelToken::new(),
        )?;
        Ok(report.into())
    }

    /// Removes assets the host reported deleted, with everything derived from them.
    pub fn remove_assets(&self, ids: Vec<String>) -> Result<u64, ApiError> {
        Ok(self.store()?.remove_assets(&ids)?)
    }

    /// Media assets of the last `days` calendar days at `now_ms`, oldest first.
    pub fn assets_in_window(&self, now_ms: i64, days: u32) -> Result<Vec<IndexedAsset>, ApiError> {
        let window = self.store()?.window_at(instant(now_ms)?, days)?;
        Ok(self
            .store()?
            .assets_in_window(&window)?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    pub fn consent_status(&self) -> Result<Vec<ConsentStatus>, ApiError> {
        Ok(self
            .store()?
            .consent_status()?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    pub fn grant_consent(&self, scope: ConsentScope) -> Result<(), ApiError> {
        Ok(self.store()?.grant_consent(scope.into())?)
    }

    /// Revokes consent and erases everything derived under it; returns rows erased.
    pub fn revoke_consent(&self, scope: ConsentScope) -> Result<u64, ApiError> {
        Ok(self.store()?.revoke_consent(scope.into())?.rows_deleted)
    }

    /// Suggestions at `now_ms`, best first. `months` asks for extra monthly recaps as
    /// `YYYY * 100 + MM` (e.g. 202403). Needs the `Suggestions` consent.
    pub fn suggestions(&self, now_ms: i64, months: Vec<u32>) -> Result<Vec<Suggestion>, ApiError> {
        let now = instant(now_ms)?;
        let months: Vec<(i32, u32)> = months.iter().map(|m| ((m / 100) as i32, m % 100)).collect();
        if months.iter().any(|(_, m)| !(1..=12).contains(m)) {
            return Err(ApiError::InvalidArgument {
                reason: "months are YYYYMM".into(),
            });
        }
        let names = self.store()?.source_ids()?;
        let out = self.store()?.suggestions(Some(now), &months)?;
        Ok(out
            .into_iter()
            .map(|x| suggest::suggestion(x, &names))
            .collect())
    }

    /// The timeline cut into moments. Needs the `Suggestions` consent.
    pub fn moments(&self) -> Result<Vec<Moment>, ApiError> {
        let names = self.store()?.source_ids()?;
        let out = self
            .store()?
            .moments(&keepsake_core::moments::MomentParams::default())?;
        Ok(out
            .into_iter()
            .map(|m| suggest::moment(m, &names))
            .collect())
    }

    /// Trips away from home (farther than `away_km`). Needs the `Suggestions` consent.
    pub fn trips(&self, away_km: f64) -> Result<Vec<Trip>, ApiError> {
        if !(away_km.is_finite() && away_km > 0.0) {
            return Err(ApiError::InvalidArgument {
                reason: "away_km must be positive".into(),
            });
        }
        let names = self.store()?.source_ids()?;
        let params = keepsake_core::trips::TripParams {
            away_km,
            ..Default::default()
        };
        let out = self.store()?.trips(&params)?;
        Ok(out.into_iter().map(|t| suggest::trip(t, &names)).collect())
    }

    /// Dismisses what a suggestion is about (that trip, that month…): it stays away as
    /// photos arrive, until `undismiss_suggestion`.
    pub fn dismiss_suggestion(&self, id: String) -> Result<(), ApiError> {
        Ok(self.store()?.dismiss_suggestion(&id)?)
    }

    /// Takes a dismissal back; false when the id was not dismissed.
    pub fn undismiss_suggestion(&self, id: String) -> Result<bool, ApiError> {
        Ok(self.store()?.undismiss_suggestion(&id)?)
    }

    /// Dismissed suggestion ids, most recent first.
    pub fn dismissed_suggestions(&self) -> Result<Vec<String>, ApiError> {
        Ok(self.store()?.dismissed_suggestions()?)
    }

    /// Hides (or shows again) a photo in every suggestion.
    pub fn set_asset_hidden(&self, asset_id: String, hidden: bool) -> Result<(), ApiError> {
        Ok(self.store()?.set_asset_hidden(&asset_id, hidden)?)
    }

    /// Hides a time range from every suggestion; returns its id.
    pub fn hide_range(&self, start_ms: i64, end_ms: i64) -> Result<i64, ApiError> {
        Ok(self
            .store()?
            .hide_range(instant(start_ms)?, instant(end_ms)?)?)
    }

    pub fn set_album_excluded(&self, album: String, excluded: bool) -> Result<(), ApiError> {
        Ok(self.store()?.set_album_excluded(&album, excluded)?)
    }

    pub fn add_special_date(&self, date: SpecialDate) -> Result<i64, ApiError> {
        Ok(self.store()?.add_special_date(&date.into())?)
    }

    pub fn remove_special_date(&self, id: i64) -> Result<bool, ApiError> {
        Ok(self.store()?.remove_special_date(id)?)
    }

    pub fn special_dates(&self) -> Result<Vec<SpecialDate>, ApiError> {
        Ok(self
            .store()?
            .special_dates()?
            .into_iter()
            .map(Into::into)
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(id: &str) -> AssetRecord {
        AssetRecord {
            id: id.into(),
            uri: format!("content://media/{id}"),
            name: None,
            mime: Some("image/jpeg".into()),
            size: Some(10),
            modified_ms: 1_749_000_000_000,
            captured_at: Some("2025-06-09T10:00:00+02:00".into()),
            captured_ms: None,
            offset_minutes: None,
            date_trust: None,
            width: Some(4000),
            height: Some(3000),
            orientation: Some(1),
            lat: None,
            lon: None,
            album: None,
            favorite: false,
            screenshot: false,
            is_video: false,
            is_live: false,
            duration_ms: None,
        }
    }

    #[test]
    fn wrappers_reach_the_core_and_errors_map_to_actionable_variants() {
        let dir = std::env::temp_dir().join(format!("keepsake-ffi-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("k.db").to_string_lossy().into_owned();
        let store = Keepsake::open(path.clone(), "Europe/Paris".into()).unwrap();
        assert!(matches!(
            Keepsake::open(path, "Europe/Paris".into()),
            Err(ApiError::StoreInUse)
        ));
        let mut bad = record("2");
        bad.orientation = Some(0);
        let summary = store.sync_records(vec![record("1"), bad], true).unwrap();
        assert_eq!((summary.added, summary.rejected.len()), (1, 1));
        assert_eq!(summary.rejected[0].position, 2);
        let now = 1_749_600_000_000; // 2025-06-11
        let assets = store.assets_in_window(now, 30).unwrap();
        assert_eq!(assets.len(), 1);
        assert_eq!(assets[0].date_trust, DateTrustLevel::ExifOffset);
        assert!(matches!(
            store.assets_in_window(now, 0),
            Err(ApiError::InvalidArgument { .. })
        ));
        assert!(matches!(
            store.assets_in_window(i64::MAX, 30),
            Err(ApiError::InvalidArgument { .. })
        ));
        assert!(store.consent_status().unwrap().iter().all(|c| !c.granted));
        store.grant_consent(ConsentScope::Faces).unwrap();
        assert_eq!(store.revoke_consent(ConsentScope::Faces).unwrap(), 0);
        let err = ApiError::from(keepsake_core::Error::ConsentRequired(
            keepsake_core::Scope::Faces,
        ));
        assert!(matches!(
            err,
            ApiError::ConsentRequired {
                scope: ConsentScope::Faces
            }
        ));
        assert!(matches!(
            Keepsake::open("/x".into(), "Mars/Olympus".into()),
            Err(ApiError::InvalidArgument { .. })
        ));
        // Suggestions, moments, trips and feedback through the wrappers.
        assert!(matches!(
            store.suggestions(now, vec![]),
            Err(ApiError::ConsentRequired {
                scope: ConsentScope::Suggestions
            })
        ));
        store.grant_consent(ConsentScope::Suggestions).unwrap();
        let many: Vec<AssetRecord> = (0..20)
            .map(|i| {
                let mut r = record(&format!("m{i}"));
                r.captured_at = Some(format!("2025-06-0{}T1{}:00:00+02:00", 1 + i % 9, i % 10));
                r
            })
            .collect();
        store.sync_records(many, false).unwrap();
        let all = store.suggestions(now, vec![202505]).unwrap();
        let recent = all
            .iter()
            .find(|s| s.kind == SuggestionKind::RecentDays)
            .unwrap();
        assert!(recent
            .asset_ids
            .iter()
            .all(|a| a.starts_with('m') || a == "1"));
        assert!(recent.reasons[0].facts.contains_key("photos"));
        assert!(matches!(
            store.suggestions(now, vec![202513]),
            Err(ApiError::InvalidArgument { .. })
        ));
        store.dismiss_suggestion(recent.id.clone()).unwrap();
        assert!(store
            .suggestions(now, vec![])
            .unwrap()
            .iter()
            .all(|s| s.id != recent.id));
        assert!(!store.moments().unwrap().is_empty());
        assert!(store.trips(50.0).unwrap().is_empty(), "no GPS, no trips");
        assert!(matches!(
            store.trips(-1.0),
            Err(ApiError::InvalidArgument { .. })
        ));
        let id = store
            .add_special_date(SpecialDate {
                id: 0,
                label: "Mia".into(),
                kind: SpecialDateKind::Birthday,
                month: 2,
                day: 29,
                year: None,
            })
            .unwrap();
        assert_eq!(store.special_dates().unwrap()[0].id, id);
        assert!(store.remove_special_date(id).unwrap());
        assert!(matches!(
            store.add_special_date(SpecialDate {
                id: 0,
                label: "X".into(),
                kind: SpecialDateKind::Other,
                month: 2,
                day: 30,
                year: None
            }),
            Err(ApiError::InvalidArgument { .. })
        ));
        drop(store);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
