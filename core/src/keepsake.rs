//! The one entry point: a `Keepsake` owns the database, the device zone and the clock.
//! Apps call it; it calls apps back only through the listeners they pass.

use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::clock::{Clock, DeviceZone, SystemClock};
use crate::collage;
use crate::index::{assets, location, Db};
use crate::library::records::{self, HostRecord, RecordError};
use crate::library::scan::{self, ScanOptions, ScanReport};
use crate::library::sync::{Job, Listed, Removal};
use crate::library::window::{self, RecentWindow};
use crate::library::{Origin, StoredAsset, SyncReport};
use crate::moments::{self, Moment, MomentParams, Photo};
use crate::pixels::{AssetPixels, PixelSource};
use crate::privacy::{self, ConsentState, PurgeReport, Scope};
use crate::progress::{CancelToken, ProgressListener};
use crate::suggest::{self, SpecialDate, Suggestion};
use crate::trips::{self, Home, Trip, TripParams};
use crate::{Error, Result};

/// A damaged store that was erased and created anew by [`Keepsake::open_or_rebuild`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rebuilt {
    /// What was wrong (no path or content).
    pub reason: String,
    /// Bytes of damaged database files overwritten and removed.
    pub erased_bytes: u64,
}

/// How a store is opened.
#[derive(Debug, Clone)]
pub struct Config {
    /// The device's time zone: local times without offset are read in it, and "the
    /// last N days" are its calendar days.
    pub zone: DeviceZone,
    pub clock: Arc<dyn Clock>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            zone: DeviceZone::UTC,
            clock: Arc::new(SystemClock),
        }
    }
}

/// Whether a host sync lists the whole library or only some assets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncMode {
    /// The batch is the whole library: host assets not in it are removed.
    Full,
    /// The batch holds new or changed assets only (e.g. since a MediaStore generation).
    Partial,
}

/// What a host sync did, with the records it could not use.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RecordsReport {
    #[serde(flatten)]
    pub sync: SyncReport,
    pub rejected: Vec<RecordError>,
}

/// The Keepsake store.
pub struct Keepsake {
    db: Db,
    zone: DeviceZone,
    clock: Arc<dyn Clock>,
    /// Cached suggestion state: a new day of photos recomputes only what it touches.
    engine: std::sync::Mutex<suggest::Engine>,
    /// The app's pixels of photos without a readable file.
    pixel_source: std::sync::RwLock<Option<Arc<dyn PixelSource>>>,
    /// Place names for titles (offline).
    places: std::sync::RwLock<Option<Arc<crate::places::Gazetteer>>>,
}

impl std::fmt::Debug for Keepsake {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keepsake")
            .field("zone", &self.zone)
            .field("pixel_source", &self.source().is_some())
            .finish_non_exhaustive()
    }
}

/// Every media asset as the timeline logic sees it (without source ids).
fn timeline_photos(conn: &rusqlite::Connection) -> Result<Vec<Photo>> {
    let junk = suggest::store::junk_albums(conn)?;
    Ok(assets::timeline(conn, &junk)?
        .into_iter()
        .map(|(p, _)| p)
        .collect())
}

impl Keepsake {
    /// Opens (or creates) the store at `path`. A new store has no consent.
    pub fn open(path: &Path, config: Config) -> Result<Keepsake> {
        let db = Db::open(path)?;
        let store = Keepsake {
            db,
            zone: config.zone,
            clock: config.clock,
            engine: Default::default(),
            pixel_source: Default::default(),
            places: Default::default(),
        };
        store.apply_zone()?;
        Ok(store)
    }

    /// Opens the store; when its file is damaged (torn or truncated pages, garbage), the
    /// damaged files are overwritten with zeros and removed — they hold derived data a
    /// later revocation could no longer reach — and a fresh store is created. The app
    /// then indexes the library again and asks for consent again; the report says so.
    pub fn open_or_rebuild(path: &Path, config: Config) -> Result<(Keepsake, Option<Rebuilt>)> {
        match Keepsake::open(path, config.clone()) {
            Err(Error::CorruptStore(reason)) => {
                log::warn!("store damaged ({reason}); erasing and rebuilding it");
                let mut erased_bytes = 0;
                for file in Db::files_for(path) {
                    erased_bytes += crate::index::erase_file(&file)?;
                }
                let store = Keepsake::open(path, config)?;
                store.audit("rebuild", None, None, Some(&reason))?;
                Ok((
                    store,
                    Some(Rebuilt {
                        reason,
                        erased_bytes,
                    }),
                ))
            }
            other => other.map(|s| (s, None)),
        }
    }

    /// Local times without offset were read in the zone of the last open; if the device
    /// moved to another zone, read them again in the new one.
    fn apply_zone(&self) -> Result<()> {
        crate::library::zone::apply(&self.db, self.zone)
    }

    pub fn zone(&self) -> DeviceZone {
        self.zone
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    fn job<'a>(
        &'a self,
        origin: Origin,
        listener: &'a dyn ProgressListener,
        cancel: &'a CancelToken,
    ) -> Job<'a> {
        Job {
            db: &self.db,
            origin,
            listener,
            cancel,
            now_ms: self.now().timestamp_millis(),
        }
    }

    /// Indexes a folder (recursively): new and changed files are read, unchanged ones
    /// are not touched, vanished ones are removed with everything derived from them.
    pub fn scan_folder(
        &self,
        root: &Path,
        options: ScanOptions,
        listener: &dyn ProgressListener,
        cancel: &CancelToken,
    ) -> Result<ScanReport> {
        let job = self.job(Origin::Folder, listener, cancel);
        let report = scan::scan(&job, root, self.zone, options)?;
        // Analysis reads the files again: remember where they are (on the device only).
        if let Some(root) = root.canonicalize().ok().as_deref().and_then(Path::to_str) {
            self.db.write(|tx| location::set_folder_root(tx, root))?;
        }
        self.audit_index(&report.sync)?;
        Ok(report)
    }

    /// Applies host records (MediaStore / PhotoKit). Invalid records are rejected and
    /// reported; with [`SyncMode::Full`], assets missing from the batch are removed —
    /// unless some records were rejected, since they might be the missing ones.
    pub fn sync_records(
        &self,
        records: Vec<(u64, HostRecord)>,
        mode: SyncMode,
        listener: &dyn ProgressListener,
        cancel: &CancelToken,
    ) -> Result<RecordsReport> {
        let (valid, rejected) = records::validate_batch(records);
        let removal = if mode == SyncMode::Full && rejected.is_empty() {
            Removal::Absent {
                keep_prefixes: Vec::new(),
            }
        } else {
            Removal::Never
        };
        let listed = valid
            .into_iter()
            .map(|r| Listed {
                source_id: r.id.clone(),
                byte_size: r.size,
                modified_ms: r.modified_ms,
                payload: r,
            })
            .collect();
        let mut report = RecordsReport {
            rejected,
            ..Default::default()
        };
        if !report.rejected.is_empty() {
            report
                .sync
                .failed
                .insert("invalid_record".into(), report.rejected.len() as u64);
        }
        let zone = self.zone;
        self.job(Origin::Host, listener, cancel).run(
            listed,
            |item| item.payload.to_asset(zone),
            removal,
            &mut report.sync,
        )?;
        self.audit_index(&report.sync)?;
        Ok(report)
    }

    fn audit(
        &self,
        action: &str,
        model: Option<&str>,
        photos: Option<u64>,
        detail: Option<&str>,
    ) -> Result<()> {
        let at = self.now().timestamp_millis();
        let photos = photos.map(|n| i64::try_from(n).unwrap_or(i64::MAX));
        self.db
            .write(|tx| privacy::audit::record(tx, at, action, model, photos, detail))
    }

    fn audit_index(&self, r: &SyncReport) -> Result<()> {
        let detail = format!(
            "added {}, changed {}, removed {}",
            r.added, r.changed, r.removed
        );
        self.audit("index", None, Some(r.added + r.changed), Some(&detail))
    }

    /// The local audit log, oldest first: what was processed, when, by which model,
    /// under which consent (counts only).
    pub fn audit_log(&self) -> Result<Vec<privacy::AuditEntry>> {
        self.db.read(privacy::audit::all)
    }

    /// Everything the store holds, as one JSON document (the user's right of access):
    /// every table, every row, from one consistent snapshot. Recorded in the audit log.
    pub fn export(&self) -> Result<serde_json::Value> {
        let at = self.now().timestamp_millis();
        // `read` runs in one read transaction: every table from the same snapshot.
        let mut doc = self.db.read(|c| privacy::export::all_tables(c, at))?;
        // What is computed on demand rather than stored, when its consent allows it.
        if self.require_consent(Scope::Suggestions).is_ok() {
            doc["computed"] = serde_json::json!({
                "moments": self.moments(&MomentParams::default())?,
                "trips": self.trips(&TripParams::default())?,
                "suggestions": self.suggestions(None, &[])?,
            });
        }
        // The licences of the data behind what the export holds (place names' CC BY).
        if self.places().is_some() {
            doc["notices"] = serde_json::json!([crate::places::ATTRIBUTION]);
        }
        self.audit("export", None, None, None)?;
        Ok(doc)
    }

    /// Forgets photos by source id: their index rows and everything derived from them
    /// (suggestions that used them included) are erased from the database files, and
    /// indexing skips them from then on (only a hash of the id is kept for that).
    pub fn forget(&self, source_ids: &[String]) -> Result<PurgeReport> {
        let now = self.now().timestamp_millis();
        *self.engine.lock().unwrap_or_else(|e| e.into_inner()) = suggest::Engine::new();
        let rows_deleted = self.db.write(|tx| {
            let n = privacy::forget::forget(tx, source_ids, now)?;
            // Audited in the same transaction, so the compaction leaves an empty WAL.
            privacy::audit::record(tx, now, "forget", None, Some(n as i64), None)?;
            Ok(n)
        })?;
        let database_bytes = self.db.compact()?;
        Ok(PurgeReport {
            rows_deleted,
            database_bytes,
        })
    }

    /// "Don't include me": keeps the photos holding these face detections out of every
    /// suggestion and collage, for good (also when face data is later revoked or
    /// re-analysed). A face that belongs to a person excludes the person (see
    /// [`exclude_person`](Self::exclude_person)), which also catches their other and
    /// future photos; a face without one is kept by its box only. All or nothing, in one
    /// transaction: an unknown id changes nothing and is named. Returns how many faces
    /// were excluded.
    pub fn exclude_faces(&self, face_ids: &[i64]) -> Result<u64> {
        let now = self.now().timestamp_millis();
        let (n, kept) = self
            .db
            .write(|tx| crate::people::edit::exclude_faces(tx, face_ids, now))?;
        if !kept.is_empty() {
            // Erased descriptors must not linger in free pages or the WAL.
            self.db.compact()?;
            for k in &kept {
                self.audit(
                    "exclude_person",
                    None,
                    None,
                    Some(&format!("{k} descriptors kept")),
                )?;
            }
        }
        self.audit("exclude_faces", None, Some(n), None)?;
        Ok(n)
    }

    /// Describes every detected face that has no descriptor from `embedder` yet and
    /// groups faces into people (see [`crate::people`]). Needs the `faces` consent.
    /// Cancelling keeps the faces described so far; the next run resumes.
    pub fn update_people(
        &self,
        embedder: &crate::people::Embedder,
        options: &crate::people::PeopleOptions,
        listener: &dyn ProgressListener,
        cancel: &CancelToken,
    ) -> Result<crate::people::PeopleReport> {
        self.require_consent(Scope::Faces)?;
        let now = self.now().timestamp_millis();
        let outcome = crate::people::run(
            &self.db,
            self.source(),
            embedder,
            options,
            now,
            listener,
            cancel,
        );
        match &outcome {
            Ok(r) => {
                let detail = format!(
                    "described {}, failed {}, people {}, regrouped {}",
                    r.described, r.failed, r.people, r.regrouped
                );
                self.audit("people", Some(embedder.sha256()), None, Some(&detail))?;
            }
            Err(Error::Cancelled) => {
                self.audit("people", Some(embedder.sha256()), None, Some("cancelled"))?;
            }
            Err(_) => {}
        }
        outcome
    }

    /// Every person, most photographed first (excluded people last, without a cover).
    pub fn people(&self) -> Result<Vec<crate::people::Person>> {
        self.require_consent(Scope::Faces)?;
        self.db.read(crate::people::store::people)
    }

    pub fn person(&self, id: i64) -> Result<crate::people::Person> {
        self.require_consent(Scope::Faces)?;
        self.db.read(|c| crate::people::store::person(c, id))
    }

    /// A person's faces in time order (none for an excluded person: their faces are
    /// not listed).
    pub fn person_faces(&self, id: i64) -> Result<Vec<crate::people::PersonFace>> {
        self.require_consent(Scope::Faces)?;
        self.db.read(|c| {
            if crate::people::store::require_person(c, id)? {
                return Ok(Vec::new());
            }
            crate::people::store::person_faces(c, id)
        })
    }

    /// Names a person (`None` or blank clears it). Naming also confirms their cover face,
    /// so re-grouping keeps the name on the same person.
    pub fn name_person(&self, id: i64, name: Option<&str>) -> Result<()> {
        self.require_consent(Scope::Faces)?;
        let now = self.now().timestamp_millis();
        self.db
            .write(|tx| crate::people::edit::name(tx, id, name, now))
    }

    /// Sets (or clears) a person's birthday; it feeds the birthday suggestions.
    pub fn set_person_birthday(
        &self,
        id: i64,
        birthday: Option<crate::people::Birthday>,
    ) -> Result<()> {
        self.require_consent(Scope::Faces)?;
        self.db
            .write(|tx| crate::people::edit::birthday(tx, id, birthday))
    }

    /// Hides a person from the people suggestions (their photos still appear elsewhere).
    pub fn set_person_hidden(&self, id: i64, hidden: bool) -> Result<()> {
        self.require_consent(Scope::Faces)?;
        self.db
            .write(|tx| crate::people::edit::hidden(tx, id, hidden))
    }

    /// "Don't include me" for a person (`true`) or undoing it (`false`). Excluded: no
    /// photo with them enters a suggestion or collage; their name, birthday, feedback
    /// and face descriptors are erased, and only up to
    /// [`BLOCKLIST_MAX`](crate::people::store::BLOCKLIST_MAX) descriptors are kept to
    /// recognise them in new photos. No crop or thumbnail of a face is ever stored.
    pub fn exclude_person(&self, id: i64, excluded: bool) -> Result<()> {
        self.require_consent(Scope::Faces)?;
        let kept = self
            .db
            .write(|tx| crate::people::edit::excluded(tx, id, excluded))?;
        if excluded {
            // Erased descriptors must not linger in free pages or the WAL.
            self.db.compact()?;
        }
        let action = if excluded {
            "exclude_person"
        } else {
            "include_person"
        };
        self.audit(
            action,
            None,
            None,
            kept.map(|k| format!("{k} descriptors kept")).as_deref(),
        )
    }

    /// Merges person `from` into `into` (the user says they are one): all their faces
    /// are confirmed as `into`, which keeps its id, and its name, or takes `from`'s when
    /// it has none.
    pub fn merge_people(&self, into: i64, from: i64) -> Result<()> {
        self.require_consent(Scope::Faces)?;
        let now = self.now().timestamp_millis();
        self.db
            .write(|tx| crate::people::edit::merge(tx, into, from, now))
    }

    /// Splits `faces` off person `id` into a new person (returned). Both sides are
    /// confirmed — the faces left behind too, since the user looked at them and kept
    /// them — so re-grouping keeps them apart.
    pub fn split_person(&self, id: i64, faces: &[i64]) -> Result<i64> {
        self.require_consent(Scope::Faces)?;
        let now = self.now().timestamp_millis();
        self.db
            .write(|tx| crate::people::edit::split(tx, id, faces, now))
    }

    /// "Not this person": the face leaves its person and never joins them again. It
    /// waits for the next re-grouping to find its own.
    pub fn reject_face(&self, face: i64) -> Result<()> {
        self.require_consent(Scope::Faces)?;
        let now = self.now().timestamp_millis();
        self.db
            .write(|tx| crate::people::edit::reject(tx, face, now))
    }

    /// Confirms that `face` is person `id` (moving it there if needed). Refused when the
    /// person already has another face in that photo.
    pub fn assign_face(&self, face: i64, id: i64) -> Result<()> {
        self.require_consent(Scope::Faces)?;
        let now = self.now().timestamp_millis();
        self.db
            .write(|tx| crate::people::edit::assign(tx, face, id, now))
    }

    /// Stored face detections (needs nothing beyond what analysis stored under the
    /// `faces` consent).
    pub fn faces(&self) -> Result<Vec<crate::analysis::StoredFace>> {
        self.db.read(crate::analysis::stored_faces)
    }

    /// Photos showing `theme` (at or over its threshold), best first; hidden photos,
    /// hidden ranges and excluded albums left out. Empty until analysis ran with a
    /// classifier.
    pub fn photos_by_theme(
        &self,
        theme: crate::themes::Theme,
    ) -> Result<Vec<crate::themes::ThemedPhoto>> {
        self.db
            .read(|c| crate::themes::store::photos_by_theme(c, theme))
    }

    /// Every classified photo with its themes (at the default thresholds) and the
    /// classes behind them.
    pub fn photo_themes(&self) -> Result<Vec<crate::themes::PhotoTheme>> {
        self.db.read(crate::themes::store::all)
    }

    /// Removes host assets by id (the host reported them deleted) with their derived data.
    pub fn remove_assets(&self, source_ids: &[String]) -> Result<u64> {
        self.db.write(|tx| assets::delete_by_source(tx, source_ids))
    }

    /// Every indexed asset (media or not), ordered by source id.
    pub fn assets(&self) -> Result<Vec<StoredAsset>> {
        self.db.read(|c| assets::all(c, None))
    }

    /// The window of the last `days` calendar days at the clock's now.
    pub fn recent_window(&self, days: u32) -> Result<RecentWindow> {
        self.window_at(self.now(), days)
    }

    /// The window of the last `days` calendar days at `now` (apps pass their own time).
    pub fn window_at(&self, now: DateTime<Utc>, days: u32) -> Result<RecentWindow> {
        window::recent_window(now, self.zone, days)
    }

    /// Media assets inside the window, oldest first.
    pub fn assets_in_window(&self, window: &RecentWindow) -> Result<Vec<StoredAsset>> {
        self.db
            .read(|c| assets::between(c, window.start, window.end))
    }

    pub fn consent_status(&self) -> Result<Vec<ConsentState>> {
        self.db.read(privacy::status)
    }

    pub fn grant_consent(&self, scope: Scope) -> Result<()> {
        privacy::grant(&self.db, scope, self.now().timestamp_millis())?;
        self.audit("consent_grant", None, None, Some(scope.as_str()))
    }

    /// Revokes consent and erases everything derived under `scope`, at once — in the
    /// database and in memory (the suggestion engine's cached state).
    pub fn revoke_consent(&self, scope: Scope) -> Result<PurgeReport> {
        *self.engine.lock().unwrap_or_else(|e| e.into_inner()) = suggest::Engine::new();
        privacy::revoke(&self.db, scope, self.now().timestamp_millis())
    }

    /// `Err(ConsentRequired)` unless `scope` is granted. Every analysis calls this first.
    pub fn require_consent(&self, scope: Scope) -> Result<()> {
        self.db.read(|c| privacy::require(c, scope))
    }

    /// Moments over the whole indexed history. Needs the `suggestions` consent.
    pub fn moments(&self, params: &MomentParams) -> Result<Vec<Moment>> {
        self.require_consent(Scope::Suggestions)?;
        let photos = self.db.read(timeline_photos)?;
        Ok(moments::segment(&photos, params))
    }

    /// Home regions: the user's, when set; otherwise inferred from the library.
    /// Needs the `suggestions` consent.
    pub fn homes(&self, away_km: f64) -> Result<Vec<Home>> {
        self.require_consent(Scope::Suggestions)?;
        let photos = self.db.read(timeline_photos)?;
        self.homes_of(&photos, away_km)
    }

    fn homes_of(&self, photos: &[Photo], away_km: f64) -> Result<Vec<Home>> {
        if let Some(center) = self.user_home()? {
            return Ok(vec![Home {
                center,
                days: 0,
                score: 0.0,
                user_set: true,
            }]);
        }
        Ok(trips::home::infer(photos, away_km))
    }

    /// Trips over the whole indexed history. Needs the `suggestions` consent.
    pub fn trips(&self, params: &TripParams) -> Result<Vec<Trip>> {
        self.require_consent(Scope::Suggestions)?;
        let photos = self.db.read(timeline_photos)?;
        let homes: Vec<(f64, f64)> = self
            .homes_of(&photos, params.away_km)?
            .into_iter()
            .map(|h| h.center)
            .collect();
        Ok(trips::detect(&photos, &homes, params))
    }

    /// Sets (or, with `None`, clears) the user's home; it replaces the inferred homes.
    pub fn set_home(&self, home: Option<(f64, f64)>) -> Result<()> {
        if let Some((lat, lon)) = home {
            if !(lat.is_finite() && lon.is_finite() && lat.abs() <= 90.0 && lon.abs() <= 180.0) {
                return Err(crate::Error::InvalidArgument(
                    "home must be a valid latitude/longitude".into(),
                ));
            }
        }
        self.db.write(|tx| trips::home::set_user_home(tx, home))
    }

    /// The home the user set, if any (`None`: homes are inferred, see
    /// [`homes`](Self::homes)).
    pub fn user_home(&self) -> Result<Option<(f64, f64)>> {
        self.db.read(trips::home::user_home)
    }

    /// Suggestions at `now` (the clock's when `None`), best first; `months` asks for
    /// monthly recaps beyond the previous month. Needs the `suggestions` consent.
    pub fn suggestions(
        &self,
        now: Option<DateTime<Utc>>,
        months: &[(i32, u32)],
    ) -> Result<Vec<Suggestion>> {
        self.require_consent(Scope::Suggestions)?;
        // The user's home when set; otherwise the engine infers (and caches) homes.
        let homes: Vec<(f64, f64)> = self.user_home()?.into_iter().collect();
        let (photos, signals, prefs) = self.db.read(|c| {
            let photos = timeline_photos(c)?;
            Ok((
                photos,
                suggest::store::signals(c)?,
                suggest::store::prefs(c)?,
            ))
        })?;
        let places = self.places();
        let input = suggest::Input {
            photos: &photos,
            signals: &signals,
            homes: &homes,
            now: now.unwrap_or_else(|| self.now()),
            zone: self.zone,
            prefs: &prefs,
            months,
            places: places.as_deref(),
        };
        let mut engine = self.engine.lock().unwrap_or_else(|e| e.into_inner());
        let out = engine.run(&input);
        let stats = engine.last_run();
        log::debug!(
            "suggestions: {} photos, incremental {}, {} new, {} selections reused, {} computed",
            stats.photos,
            stats.incremental,
            stats.new_photos,
            stats.selections_reused,
            stats.selections_computed
        );
        Ok(out)
    }

    /// Analyses pixels (and faces, with a model) of every photo not analysed yet — the
    /// recent window first. Needs the `pixels` consent, and `faces` with a model.
    /// Cancelling keeps what was committed; the next run resumes.
    pub fn analyze(
        &self,
        model: Option<&crate::vision::detect::FaceModel>,
        options: &crate::analysis::AnalyzeOptions,
        listener: &dyn ProgressListener,
        cancel: &CancelToken,
    ) -> Result<crate::analysis::AnalyzeReport> {
        self.require_consent(Scope::Pixels)?;
        if model.is_some() {
            self.require_consent(Scope::Faces)?;
        }
        let window = self.recent_window(crate::library::window::DEFAULT_DAYS)?;
        let outcome = crate::analysis::run(
            &self.db,
            self.source(),
            model,
            crate::analysis::When {
                zone: self.zone,
                recent_start: window.start,
                now: self.now(),
            },
            options,
            listener,
            cancel,
        );
        let sha = model.map(|m| m.sha256().to_string());
        match &outcome {
            Ok(r) => {
                let detail = format!(
                    "failed {}, timed out {}, faces {}",
                    r.failed, r.timed_out, r.faces
                );
                self.audit("analysis", sha.as_deref(), Some(r.analysed), Some(&detail))?;
            }
            Err(Error::Cancelled) => {
                self.audit("analysis", sha.as_deref(), None, Some("cancelled"))?;
            }
            Err(_) => {}
        }
        outcome
    }

    /// What the last [`suggestions`](Self::suggestions) call recomputed.
    pub fn last_suggest_run(&self) -> suggest::RunStats {
        self.engine
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .last_run()
    }

    /// Dismisses a suggestion: what it is about (that trip, that month…) is not
    /// suggested again, whatever photos arrive in it, until it is un-dismissed.
    pub fn dismiss_suggestion(&self, id: &str) -> Result<()> {
        let now = self.now().timestamp_millis();
        self.db.write(|tx| suggest::store::dismiss(tx, id, now))
    }

    /// Takes a dismissal back; false when the id was not dismissed.
    pub fn undismiss_suggestion(&self, id: &str) -> Result<bool> {
        self.db.write(|tx| suggest::store::undismiss(tx, id))
    }

    /// Ids of the dismissed suggestions, most recent first.
    pub fn dismissed_suggestions(&self) -> Result<Vec<String>> {
        self.db.read(suggest::store::dismissed)
    }

    /// Hides (or shows again) a photo from every suggestion, by its source id.
    pub fn set_asset_hidden(&self, source_id: &str, hidden: bool) -> Result<()> {
        let now = self.now().timestamp_millis();
        self.db
            .write(|tx| suggest::store::set_hidden(tx, source_id, hidden, now))
    }

    /// Hides a time range from every suggestion; returns its id.
    pub fn hide_range(&self, start: DateTime<Utc>, end: DateTime<Utc>) -> Result<i64> {
        self.db
            .write(|tx| suggest::store::hide_range(tx, start, end))
    }

    /// Hidden time ranges, oldest first.
    pub fn hidden_ranges(&self) -> Result<Vec<suggest::HiddenRange>> {
        self.db.read(suggest::store::hidden_ranges)
    }

    /// Marks a place as sensitive (a clinic, an ex's street): no photo taken within
    /// `radius_m` (at most 100 km) of it appears in any suggestion. Returns its id.
    pub fn add_sensitive_place(&self, lat: f64, lon: f64, radius_m: f64) -> Result<i64> {
        self.db
            .write(|tx| suggest::store::add_sensitive_place(tx, lat, lon, radius_m))
    }

    /// Sensitive places, oldest first.
    pub fn sensitive_places(&self) -> Result<Vec<suggest::SensitivePlace>> {
        self.db.read(suggest::store::sensitive_places)
    }

    /// Unmarks a sensitive place; false when there was none with this id.
    pub fn remove_sensitive_place(&self, id: i64) -> Result<bool> {
        self.db
            .write(|tx| suggest::store::remove_sensitive_place(tx, id))
    }

    /// Shows a hidden range again; false when there was none with this id.
    pub fn remove_hidden_range(&self, id: i64) -> Result<bool> {
        self.db
            .write(|tx| suggest::store::remove_hidden_range(tx, id))
    }

    /// Albums the user excluded, by name.
    pub fn excluded_albums(&self) -> Result<Vec<String>> {
        self.db.read(suggest::store::excluded_albums)
    }

    /// Which albums hold no camera memories (screenshots, messengers, downloads): the
    /// English defaults until the app changes them.
    pub fn junk_albums(&self) -> Result<moments::JunkAlbums> {
        self.db.read(suggest::store::junk_albums)
    }

    /// Replaces the junk-album setting (e.g. with the names in the device's language).
    pub fn set_junk_albums(&self, junk: &moments::JunkAlbums) -> Result<()> {
        self.db
            .write(|tx| suggest::store::set_junk_albums(tx, junk))
    }

    /// Excludes (or includes again) an album from every suggestion. Junk albums
    /// (see [`junk_albums`](Self::junk_albums)) are always excluded.
    pub fn set_album_excluded(&self, album: &str, excluded: bool) -> Result<()> {
        self.db
            .write(|tx| suggest::store::set_album_excluded(tx, album, excluded))
    }

    /// Registers a date to celebrate (`id` is ignored); returns the new id.
    pub fn add_special_date(&self, date: &SpecialDate) -> Result<i64> {
        self.db
            .write(|tx| suggest::store::add_special_date(tx, date))
    }

    pub fn remove_special_date(&self, id: i64) -> Result<bool> {
        self.db
            .write(|tx| suggest::store::remove_special_date(tx, id))
    }

    pub fn special_dates(&self) -> Result<Vec<SpecialDate>> {
        self.db.read(suggest::store::special_dates)
    }

    /// Store id → source id (path or host id), for reports.
    pub fn source_ids(&self) -> Result<std::collections::HashMap<i64, String>> {
        Ok(self
            .db
            .read(|c| assets::timeline(c, &suggest::store::junk_albums(c)?))?
            .into_iter()
            .map(|(p, s)| (p.id, s))
            .collect())
    }

    /// The suggestion with this id at `now` (the clock's when `None`) — any id a listing
    /// gave, monthly recaps asked for by month included (the id names the month).
    /// Needs the `suggestions` consent.
    pub fn suggestion(&self, id: &str, now: Option<DateTime<Utc>>) -> Result<Suggestion> {
        let months: Vec<(i32, u32)> = suggest::month_of(id).into_iter().collect();
        self.suggestions(now, &months)?
            .into_iter()
            .find(|s| s.id == id)
            .ok_or(Error::NotFound("suggestion"))
    }

    /// Sizes, faces and files of a suggestion's photos: the cover first, then the others
    /// in time order; photos deleted since are left out.
    fn suggestion_photos(
        &self,
        s: &Suggestion,
    ) -> Result<(Vec<collage::LayoutPhoto>, AssetPixels)> {
        let mut ids = vec![s.cover];
        ids.extend(s.assets.iter().copied().filter(|id| *id != s.cover));
        let (photos, pixels) = self.db.read(|c| collage::store::photos(c, &ids))?;
        if photos.is_empty() {
            return Err(Error::NotFound("the suggestion's photos"));
        }
        Ok((photos, pixels.with_source(self.source())))
    }

    /// The collage layout of a suggestion, for apps that draw it themselves.
    pub fn collage_layout(
        &self,
        suggestion_id: &str,
        now: Option<DateTime<Utc>>,
        opts: &collage::LayoutOptions,
    ) -> Result<collage::Layout> {
        let s = self.suggestion(suggestion_id, now)?;
        let (photos, _) = self.suggestion_photos(&s)?;
        collage::layout(&photos, opts)
    }

    /// Lays out and renders a suggestion's collage: photos' files, and the app's
    /// [`PixelSource`] for photos only it has. A photo whose pixels cannot be had gets a
    /// placeholder and is reported.
    pub fn render_collage(
        &self,
        suggestion_id: &str,
        now: Option<DateTime<Utc>>,
        layout_opts: &collage::LayoutOptions,
        render_opts: &collage::RenderOptions,
        cancel: &CancelToken,
    ) -> Result<(collage::Layout, collage::Rendered)> {
        self.collage_with(
            suggestion_id,
            now,
            layout_opts,
            render_opts,
            None,
            &mut |_, _| {},
            cancel,
        )
    }

    /// Lays out and renders a suggestion's collage, restyled when `style` is given (the
    /// network, the blend, the strength; faces are mapped onto the canvas here).
    #[allow(clippy::too_many_arguments)]
    fn collage_with(
        &self,
        suggestion_id: &str,
        now: Option<DateTime<Utc>>,
        layout_opts: &collage::LayoutOptions,
        render_opts: &collage::RenderOptions,
        style: Option<(
            &crate::restyle::StyleModel,
            &crate::restyle::StyleBlend,
            f32,
        )>,
        progress: &mut dyn FnMut(u64, u64),
        cancel: &CancelToken,
    ) -> Result<(collage::Layout, collage::Rendered)> {
        let s = self.suggestion(suggestion_id, now)?;
        let (photos, pixels) = self.suggestion_photos(&s)?;
        let layout = collage::layout(&photos, layout_opts)?;
        let faces = match style {
            Some(_) => collage::canvas_faces(&layout, &photos),
            None => Vec::new(),
        };
        let style = style.map(|(model, blend, strength)| collage::CollageStyle {
            model,
            blend,
            strength,
            faces: &faces,
        });
        let rendered = collage::render_styled(
            &layout,
            &pixels,
            render_opts,
            style.as_ref(),
            progress,
            cancel,
        )?;
        Ok((layout, rendered))
    }

    /// [`render_collage`](Self::render_collage) repainted by the style network (faces
    /// kept recognisable), for "your trip in watercolour". Needs the `suggestions` and
    /// `pixels` consents; audited as a restyle; nothing is stored.
    #[allow(clippy::too_many_arguments)]
    pub fn render_collage_restyled(
        &self,
        suggestion_id: &str,
        now: Option<DateTime<Utc>>,
        layout_opts: &collage::LayoutOptions,
        render_opts: &collage::RenderOptions,
        model: &crate::restyle::StyleModel,
        blend: &crate::restyle::StyleBlend,
        strength: f32,
        progress: &mut dyn FnMut(u64, u64),
        cancel: &CancelToken,
    ) -> Result<(collage::Layout, collage::Rendered)> {
        self.require_consent(Scope::Pixels)?;
        crate::effects::check_strength(strength)?;
        let (layout, rendered) = self.collage_with(
            suggestion_id,
            now,
            layout_opts,
            render_opts,
            Some((model, blend, strength)),
            progress,
            cancel,
        )?;
        self.audit(
            "restyle",
            Some(model.sha256()),
            Some(layout.cells.len() as u64),
            Some(&format!("collage, {}", blend.describe())),
        )?;
        Ok((layout, rendered))
    }

    /// Renders a layout (from [`collage_layout`](Self::collage_layout)) with the photos'
    /// files and the app's [`PixelSource`]. Needs the `suggestions` consent (collages
    /// are derived from the photos).
    pub fn render_layout(
        &self,
        layout: &collage::Layout,
        opts: &collage::RenderOptions,
        cancel: &CancelToken,
    ) -> Result<collage::Rendered> {
        self.require_consent(Scope::Suggestions)?;
        let ids: Vec<i64> = layout.cells.iter().map(|c| c.asset_id).collect();
        let (_, pixels) = self.db.read(|c| collage::store::photos(c, &ids))?;
        collage::render(layout, &pixels.with_source(self.source()), opts, cancel)
    }

    /// Sets (or, with `None`, removes) the app's source of pixels for photos without a
    /// readable file (MediaStore, PhotoKit): analysis, the people pass, collages and
    /// stories ask it. Without one, such photos wait (`need_host_pixels`).
    pub fn set_pixel_source(&self, source: Option<Arc<dyn PixelSource>>) {
        *self.pixel_source.write().unwrap_or_else(|e| e.into_inner()) = source;
    }

    /// Sets (or, with `None`, removes) the place names trip, place and gathering titles
    /// use (see `places`); looked up on the device, never over a network.
    pub fn set_places(&self, places: Option<Arc<crate::places::Gazetteer>>) {
        *self.places.write().unwrap_or_else(|e| e.into_inner()) = places;
    }

    fn places(&self) -> Option<Arc<crate::places::Gazetteer>> {
        self.places
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    fn source(&self) -> Option<Arc<dyn PixelSource>> {
        self.pixel_source
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// One photo's upright pixels at about `long_side` (from its file or the app's pixel
    /// source), and its size and faces when the index knows its size.
    fn photo_pixels(
        &self,
        source_id: &str,
        long_side: u32,
    ) -> Result<(crate::vision::decode::Decoded, Option<collage::LayoutPhoto>)> {
        let (id, photos, pixels) = self.db.read(|c| {
            let id = assets::id_of(c, source_id)?.ok_or(Error::NotFound("photo"))?;
            let (photos, pixels) = collage::store::photos(c, &[id])?;
            Ok((id, photos, pixels))
        })?;
        let decoded = pixels
            .with_source(self.source())
            .pixels(id, long_side)
            .map_err(|e| Error::InvalidArgument(format!("photo pixels: {}", e.kind())))?;
        Ok((decoded, photos.into_iter().next()))
    }

    /// One photo (by source id), upright at `long_side` (or its own size when smaller),
    /// with a classic effect over it when given, encoded: from its file or the app's
    /// pixel source. Needs the `pixels` consent; nothing is stored.
    pub fn render_photo(
        &self,
        source_id: &str,
        long_side: u32,
        effect: Option<(crate::effects::Effect, f32)>,
        format: collage::OutputFormat,
    ) -> Result<(Vec<u8>, u32, u32)> {
        self.require_consent(Scope::Pixels)?;
        check_long_side(long_side)?;
        if let Some((_, strength)) = effect {
            crate::effects::check_strength(strength)?;
        }
        let (decoded, _) = self.photo_pixels(source_id, long_side)?;
        let mut image = decoded.image;
        if let Some((e, strength)) = effect {
            image = crate::effects::apply(&image, e, strength)?;
            self.audit("photo_effect", None, Some(1), Some(e.name()))?;
        }
        let (w, h) = (image.width, image.height);
        Ok((collage::encode(&image, format)?, w, h))
    }

    /// One photo (by source id) repainted by the style network with `blend` at
    /// `strength`, at `long_side` (the network works at ≤ 1024 px; larger sizes are
    /// scaled up from that), encoded. Faces analysis found stay recognisable (painted at
    /// a fraction of the strength). Progress per network layer; a cancel stops within
    /// one layer. Needs the `pixels` consent; the image is returned, never stored, and
    /// the audit log records the restyle.
    #[allow(clippy::too_many_arguments)]
    pub fn restyle_photo(
        &self,
        source_id: &str,
        model: &crate::restyle::StyleModel,
        blend: &crate::restyle::StyleBlend,
        strength: f32,
        long_side: u32,
        format: collage::OutputFormat,
        progress: &mut dyn FnMut(u64, u64),
        cancel: &CancelToken,
    ) -> Result<(Vec<u8>, u32, u32)> {
        self.require_consent(Scope::Pixels)?;
        crate::effects::check_strength(strength)?;
        check_long_side(long_side)?;
        let work_side = long_side.min(crate::restyle::MAX_SIDE);
        let (decoded, photo) = self.photo_pixels(source_id, work_side)?;
        let image = if decoded.image.width.max(decoded.image.height) > work_side {
            crate::vision::decode::resize(decoded.image, work_side)
                .map_err(|_| Error::InvalidArgument("photo cannot be resized".into()))?
        } else {
            decoded.image
        };
        // Stored face boxes are in the photo's upright pixels.
        let faces: Vec<collage::Rect> = photo
            .map(|p| {
                let k = f64::from(image.width) / f64::from(p.width.max(1));
                p.faces
                    .iter()
                    .map(|f| collage::Rect::new(f.x * k, f.y * k, f.w * k, f.h * k))
                    .collect()
            })
            .unwrap_or_default();
        let mut painted = model.restyle(&image, blend, strength, &faces, progress, cancel)?;
        if long_side > painted.width.max(painted.height) && long_side > work_side {
            // Asked for more than the network paints: scaled up (never past the photo).
            let target = long_side.min(decoded.original_width.max(decoded.original_height));
            if target > painted.width.max(painted.height) {
                painted = crate::vision::decode::resize(painted, target)
                    .map_err(|_| Error::InvalidArgument("photo cannot be resized".into()))?;
            }
        }
        self.audit(
            "restyle",
            Some(model.sha256()),
            Some(1),
            Some(&blend.describe()),
        )?;
        let (w, h) = (painted.width, painted.height);
        Ok((collage::encode(&painted, format)?, w, h))
    }

    /// The recap story of a suggestion, for the app to animate.
    pub fn story(
        &self,
        suggestion_id: &str,
        now: Option<DateTime<Utc>>,
        opts: &collage::StoryOptions,
    ) -> Result<collage::Story> {
        let s = self.suggestion(suggestion_id, now)?;
        let (photos, _) = self.suggestion_photos(&s)?;
        collage::story(&s, &photos, self.zone, opts)
    }

    /// A player drawing the recap story of a suggestion at `width` × `height` (the
    /// story's rects are laid out for that aspect ratio): photos from their files or the
    /// app's [`PixelSource`], with a look over them when given. Needs the `suggestions`
    /// consent, like collages; it stores nothing.
    pub fn story_player(
        &self,
        suggestion_id: &str,
        now: Option<DateTime<Utc>>,
        width: u32,
        height: u32,
        look: Option<collage::Look>,
    ) -> Result<collage::StoryPlayer> {
        let s = self.suggestion(suggestion_id, now)?;
        let (photos, pixels) = self.suggestion_photos(&s)?;
        let opts = collage::StoryOptions {
            width,
            height,
            ..Default::default()
        };
        let story = collage::story(&s, &photos, self.zone, &opts)?;
        let player =
            collage::StoryPlayer::new(story, &photos, Box::new(pixels), width, height, look)?;
        let look_name = match player.look() {
            Some(collage::Look::Effect(e, _)) => e.name().to_string(),
            Some(collage::Look::Style(_, b, _)) => b.describe(),
            None => "none".into(),
        };
        self.audit(
            "story_frames",
            match player.look() {
                Some(collage::Look::Style(m, _, _)) => Some(m.sha256()),
                _ => None,
            },
            Some(photos.len() as u64),
            Some(&format!("{width}x{height}, look {look_name}")),
        )?;
        Ok(player)
    }

    /// The picture of a suggestion's story at `t_ms`, `width` × `height` — one frame,
    /// for apps that draw a few (a preview, a poster); a player
    /// ([`story_player`](Self::story_player)) keeps decoded photos between frames.
    pub fn story_frame(
        &self,
        suggestion_id: &str,
        t_ms: u64,
        width: u32,
        height: u32,
    ) -> Result<crate::vision::Rgb> {
        self.story_player(suggestion_id, None, width, height, None)?
            .frame(t_ms, &CancelToken::new())
    }

    /// The database's files (main, WAL, shared memory), for privacy audits and tests.
    pub fn database_files(&self) -> Vec<std::path::PathBuf> {
        self.db.files()
    }

    /// Raw write access, for tests only (feature `testing`).
    #[cfg(feature = "testing")]
    pub fn with_write<T>(
        &self,
        f: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<T>,
    ) -> Result<T> {
        self.db.write(f)
    }
}

/// `Err(InvalidArgument)` unless a single photo's output size is 64..=the collage maximum.
fn check_long_side(long_side: u32) -> Result<()> {
    if !(64..=collage::layout::MAX_SIZE).contains(&long_side) {
        return Err(Error::InvalidArgument(format!(
            "long side must be 64..={}",
            collage::layout::MAX_SIZE
        )));
    }
    Ok(())
}
