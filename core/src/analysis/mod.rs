//! The analysis job: pixels (quality, exposure, perceptual hashes) and faces for every
//! indexed photo — the recent window first, then older photos, newest first. Work runs
//! on all cores with a bounded queue; results are committed in batches, so a killed job
//! resumes where it stopped, and no photo is analysed twice unless its file changed
//! (which purges its results) or the face model changed (its sha256 is kept).
//! Photos only the host app has come through its [`PixelSource`]; what it cannot hand
//! over is recorded per photo with the reason (transient reasons are retried by a later
//! run), and metadata the record lacked is read from the original's bytes when the
//! host hands those over. With a classifier, the same working image is classified into
//! content themes (see `themes`), re-done when the classifier's sha256 changes.
//! Cancellation is honoured within a tick, also mid-photo.

pub(crate) mod store;

pub use self::store::{stored_faces, StoredFace};

use std::collections::{HashMap, HashSet};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::index::Db;
use crate::metadata::Probe;
use crate::pixels::{self, FetchError, Location, PixelSource};
use crate::progress::{CancelToken, Progress, ProgressListener, Stage};
use crate::themes::{self, Assessment, Classifier, Context as ThemeContext};
use crate::vision::content::{self, ContentScores, FileCues};
use crate::vision::decode::{DecodeOptions, JpegBackend};
use crate::vision::detect::{DetectParams, Face, FaceModel};
use crate::vision::edits::{self, EditHashes};
use crate::vision::face_quality::{self, FaceQuality};
use crate::vision::quality::{self, Quality};
use crate::vision::{dedupe, hash};
use crate::Result;

/// How analysis runs.
#[derive(Debug, Clone, PartialEq)]
pub struct AnalyzeOptions {
    /// Long side of the working image.
    pub long_side: u32,
    /// Worker threads (0: one per core).
    pub threads: usize,
    /// Photos committed per transaction.
    pub batch: usize,
    /// Wall time one photo may take (decode, detection, signals); a photo over it is
    /// marked `time_budget` and skipped, and its worker abandoned.
    pub photo_budget: Duration,
    /// JPEG decoder (the fastest compiled in by default).
    pub jpeg: JpegBackend,
    /// The content classifier; `None` leaves themes as they are.
    pub classifier: Option<Arc<Classifier>>,
}

impl Default for AnalyzeOptions {
    fn default() -> Self {
        AnalyzeOptions {
            long_side: 640,
            threads: 0,
            batch: 32,
            photo_budget: Duration::from_secs(2),
            jpeg: JpegBackend::default(),
            classifier: None,
        }
    }
}

/// What a run did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct AnalyzeReport {
    pub analysed: u64,
    pub failed: u64,
    pub faces: u64,
    /// Host photos whose pixels the host must hand over (no readable file) and that
    /// waited because no pixel source was given; 0 with a source.
    pub need_host_pixels: u64,
    /// Host photos the source could not hand over, by reason (`gone`,
    /// `not_downloaded`, `permission_denied`, `busy`, `host_error`); counted in
    /// `failed` too. `not_downloaded` and `busy` are asked for again by the next run.
    pub host_unavailable: std::collections::BTreeMap<String, u64>,
    /// Host photos whose missing capture time, place, orientation or size was read
    /// from the original's bytes.
    pub metadata_filled: u64,
    pub duplicate_groups: u64,
    /// Photos skipped because they exceeded the per-photo time budget (counted in
    /// `failed` too).
    pub timed_out: u64,
    /// Time spent per stage, summed over workers (so with several threads it exceeds
    /// the wall time).
    pub stages: StageTimes,
}

/// Milliseconds per stage of the per-photo work.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct StageTimes {
    pub decode_ms: f64,
    pub detect_ms: f64,
    pub quality_ms: f64,
    pub hash_ms: f64,
    pub classify_ms: f64,
    pub store_ms: f64,
}

impl StageTimes {
    fn add(&mut self, t: &PhotoTimes) {
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        self.decode_ms += ms(t.decode);
        self.detect_ms += ms(t.detect);
        self.quality_ms += ms(t.quality);
        self.hash_ms += ms(t.hash);
        self.classify_ms += ms(t.classify);
    }
}

/// One photo's time per stage.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct PhotoTimes {
    decode: Duration,
    detect: Duration,
    quality: Duration,
    hash: Duration,
    classify: Duration,
}

/// One photo to analyse.
#[derive(Debug, Clone)]
pub(crate) struct Job {
    pub id: i64,
    pub location: Location,
    /// What the index knows, for the screenshot and document likelihoods.
    pub cues: FileCues,
    /// Face analysis is due (new photo or another model); pixels are always measured.
    pub needs_faces: bool,
    /// Classification is due (new photo or another classifier).
    pub needs_themes: bool,
    /// Capture instant and place as the index knows them (the sun's height for sunsets).
    pub utc: Option<DateTime<Utc>>,
    pub gps: Option<(f64, f64)>,
}

/// One photo's results.
#[derive(Debug, Clone)]
pub(crate) enum Outcome {
    Done {
        quality: Quality,
        content: ContentScores,
        dhash: u64,
        phash: u64,
        /// Hashes of the mirror image and of crops, for edited copies.
        edits: Box<EditHashes>,
        faces: Option<Vec<(Face, FaceQuality)>>,
        /// What the original's bytes held, when the host handed those over.
        metadata: Option<Box<Probe>>,
        /// Content themes, when a classifier ran.
        themes: Option<Box<Assessment>>,
    },
    Failed(FetchError),
    /// Over the per-photo time budget.
    TimedOut,
}

fn analyse(
    job: &Job,
    source: Option<&dyn PixelSource>,
    model: Option<&FaceModel>,
    opts: &AnalyzeOptions,
    times: &mut PhotoTimes,
) -> Outcome {
    let decode_opts = DecodeOptions {
        long_side: opts.long_side,
        jpeg: opts.jpeg,
        ..DecodeOptions::default()
    };
    let mut clock = Instant::now();
    let mut lap = |slot: &mut Duration| {
        let now = Instant::now();
        *slot += now - clock;
        clock = now;
    };
    let fetched = pixels::fetch(&job.location, source, &decode_opts);
    lap(&mut times.decode);
    let (decoded, metadata) = match fetched {
        Ok(f) => (f.decoded, f.metadata),
        Err(e) => return Outcome::Failed(e),
    };
    let img = &decoded.image;
    let gray = img.gray();
    let quality = quality::measure(&gray, img.width, img.height);
    // What the original's bytes said counts as if the index had known it.
    let mut cues = job.cues;
    if let Some(p) = &metadata {
        cues.camera_exif |= p.exif.make.is_some() || p.exif.model.is_some();
        cues.png |= p.format == crate::metadata::Format::Png;
        cues.size = cues.size.or(p.width.zip(p.height));
    }
    let content = content::scores(&cues, &content::pixel_stats(img));
    lap(&mut times.quality);
    let themes = match opts.classifier.as_deref().filter(|_| job.needs_themes) {
        Some(c) => match c.probabilities(img) {
            Ok(probs) => {
                let sun = sun_elevation(job, metadata.as_ref());
                let ctx = ThemeContext {
                    content,
                    sun_elevation_deg: sun,
                };
                let a = themes::assess(&probs, &themes::scene_cues(img), &ctx);
                lap(&mut times.classify);
                Some(Box::new(a))
            }
            Err(_) => return Outcome::Failed(FetchError::Decode(INFERENCE)),
        },
        None => None,
    };
    let dhash = hash::dhash(&gray, img.width, img.height);
    let phash = hash::phash(&gray, img.width, img.height);
    let edits = Box::new(edits::edit_hashes(&gray, img.width, img.height));
    lap(&mut times.hash);
    let faces = match model.filter(|_| job.needs_faces) {
        Some(m) => {
            let found = m.detect(img, &DetectParams::for_kind(m.kind()));
            let scale = decoded.scale() as f32;
            let measured = found.map(|faces| {
                faces
                    .into_iter()
                    .map(|f| {
                        let q = face_quality::measure(&gray, img.width as usize, &f, scale);
                        (f.scaled(scale), q)
                    })
                    .collect()
            });
            lap(&mut times.detect);
            match measured {
                Ok(f) => Some(f),
                Err(_) => return Outcome::Failed(FetchError::Decode(INFERENCE)),
            }
        }
        None => None,
    };
    Outcome::Done {
        quality,
        content,
        dhash,
        phash,
        edits,
        faces,
        metadata: metadata.map(Box::new),
        themes,
    }
}

/// The sun's height at capture: from what the original's bytes said, else the index.
fn sun_elevation(job: &Job, probe: Option<&Probe>) -> Option<f64> {
    let gps = probe.and_then(|p| p.exif.gps).or(job.gps)?;
    let utc = job.utc?;
    Some(crate::sun::elevation_deg(gps.0, gps.1, utc))
}

/// Stored as the failure kind of a photo the model failed on.
const INFERENCE: crate::vision::decode::DecodeError =
    crate::vision::decode::DecodeError::Corrupt("inference");

/// Messages from a worker.
enum Event {
    Started(Job),
    Finished(Job, Outcome, PhotoTimes),
}

/// A worker thread: takes jobs until the queue closes or the job is cancelled. Workers
/// own everything they use, so one stuck in a pathological file (or a hung read) can be
/// abandoned: the job goes on without waiting for it.
fn spawn_worker(
    jobs: Arc<Mutex<mpsc::Receiver<Job>>>,
    events: mpsc::Sender<Event>,
    source: Option<Arc<dyn PixelSource>>,
    model: Option<FaceModel>,
    opts: AnalyzeOptions,
    cancel: CancelToken,
) {
    let spawned = std::thread::Builder::new()
        .name("keepsake-analysis".into())
        .spawn(move || loop {
            let next = jobs.lock().unwrap_or_else(|e| e.into_inner()).recv();
            let Ok(job) = next else { break };
            if cancel.is_cancelled() || events.send(Event::Started(job.clone())).is_err() {
                break;
            }
            let mut times = PhotoTimes::default();
            let outcome = analyse(&job, source.as_deref(), model.as_ref(), &opts, &mut times);
            if events.send(Event::Finished(job, outcome, times)).is_err() {
                break;
            }
        });
    if let Err(e) = spawned {
        log::warn!("analysis: cannot start a worker: {e}");
    }
}

/// When a run happens: the device zone (for times read from host bytes), the start of
/// the recent window (analysed first) and now.
#[derive(Debug, Clone, Copy)]
pub(crate) struct When {
    pub zone: crate::clock::DeviceZone,
    pub recent_start: DateTime<Utc>,
    pub now: DateTime<Utc>,
}

/// Runs analysis until nothing is pending, the token is cancelled, or an error.
/// Cancellation is honoured within a tick (0.1 s), not after the photos in flight.
pub(crate) fn run(
    db: &Db,
    source: Option<Arc<dyn PixelSource>>,
    model: Option<&FaceModel>,
    when: When,
    opts: &AnalyzeOptions,
    listener: &dyn ProgressListener,
    cancel: &CancelToken,
) -> Result<AnalyzeReport> {
    let When {
        zone,
        recent_start,
        now,
    } = when;
    let sha = model.map(|m| m.sha256().to_string());
    let csha = opts.classifier.as_ref().map(|c| c.sha256().to_string());
    let shas = store::Shas {
        faces: sha.as_deref(),
        themes: csha.as_deref(),
    };
    let threads = if opts.threads == 0 {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    } else {
        opts.threads
    };
    let mut report = AnalyzeReport::default();
    // Transient host failures of earlier runs are asked for again, once per run.
    let run_no = db.write(store::next_run)?;
    let with_host = source.is_some();
    let (files, host) = db.read(|c| store::pending_counts(c, shas, run_no))?;
    let total = if with_host { files + host } else { files };
    report.need_host_pixels = if with_host { 0 } else { host };
    let mut done = 0u64;
    let tick = Duration::from_millis(100)
        .min(opts.photo_budget / 2)
        .max(Duration::from_millis(1));
    loop {
        cancel.check()?;
        // Work is fetched in pages: a library of any size is never held in memory.
        let page = db.read(|c| store::pending(c, shas, run_no, with_host, recent_start, 256))?;
        if page.is_empty() {
            break;
        }
        let page_len = page.len();
        let (job_tx, job_rx) = mpsc::sync_channel::<Job>(threads * 2);
        let job_rx = Arc::new(Mutex::new(job_rx));
        let (event_tx, event_rx) = mpsc::channel::<Event>();
        for _ in 0..threads {
            spawn_worker(
                job_rx.clone(),
                event_tx.clone(),
                source.clone(),
                model.cloned(),
                opts.clone(),
                cancel.clone(),
            );
        }
        let feeder_cancel = cancel.clone();
        std::thread::spawn(move || {
            for job in page {
                if feeder_cancel.is_cancelled() || job_tx.send(job).is_err() {
                    break;
                }
            }
        });
        // Photos in flight: id → when it started. Abandoned ones are recorded as failed
        // when their budget runs out and their late result, if any, is dropped.
        let mut in_flight: HashMap<i64, (Instant, Job)> = HashMap::new();
        let mut abandoned: HashSet<i64> = HashSet::new();
        let mut batch: Vec<(Job, Outcome)> = Vec::with_capacity(opts.batch);
        let mut settled = 0usize;
        let mut flush =
            |batch: &mut Vec<(Job, Outcome)>, report: &mut AnalyzeReport| -> Result<()> {
                let started = Instant::now();
                let filled = db.write(|tx| store::save(tx, batch, shas, run_no, zone, now))?;
                report.metadata_filled += filled;
                report.stages.store_ms += started.elapsed().as_secs_f64() * 1000.0;
                tally(report, batch);
                done += batch.len() as u64;
                batch.clear();
                listener.on_progress(Progress {
                    stage: Stage::Analyzing,
                    done,
                    total: Some(total),
                });
                Ok(())
            };
        while settled < page_len && !cancel.is_cancelled() {
            match event_rx.recv_timeout(tick) {
                Ok(Event::Started(job)) => {
                    in_flight.insert(job.id, (Instant::now(), job));
                }
                Ok(Event::Finished(job, outcome, times)) => {
                    in_flight.remove(&job.id);
                    if abandoned.remove(&job.id) {
                        continue;
                    }
                    report.stages.add(&times);
                    batch.push((job, outcome));
                    settled += 1;
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {}
                // Every worker is gone (none could start, or all ended early).
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
            }
            let overdue: Vec<i64> = in_flight
                .iter()
                .filter(|(_, (t, _))| t.elapsed() > opts.photo_budget)
                .map(|(id, _)| *id)
                .collect();
            for id in overdue {
                let Some((_, job)) = in_flight.remove(&id) else {
                    continue;
                };
                abandoned.insert(id);
                report.timed_out += 1;
                log::warn!("analysis: a photo exceeded its time budget; skipped and marked");
                batch.push((job, Outcome::TimedOut));
                settled += 1;
                // Its worker may never come back: start another in its place.
                spawn_worker(
                    job_rx.clone(),
                    event_tx.clone(),
                    source.clone(),
                    model.cloned(),
                    opts.clone(),
                    cancel.clone(),
                );
            }
            if batch.len() >= opts.batch {
                flush(&mut batch, &mut report)?;
            }
        }
        // Finished work is kept, also when cancelled.
        if !batch.is_empty() {
            flush(&mut batch, &mut report)?;
        }
        if settled < page_len {
            cancel.check()?;
            return Err(crate::Error::Io(std::io::Error::other(
                "analysis workers stopped early",
            )));
        }
    }
    report.duplicate_groups = db.write(|tx| {
        let hashed = store::hashed(tx)?;
        let groups = dedupe::groups(&hashed, &dedupe::DedupeParams::default());
        store::set_duplicate_groups(tx, &groups)?;
        Ok(groups.len() as u64)
    })?;
    log::info!(
        "analysis: {} photos, {} failed ({} over the time budget), {} faces",
        report.analysed,
        report.failed,
        report.timed_out,
        report.faces
    );
    Ok(report)
}

fn tally(report: &mut AnalyzeReport, batch: &[(Job, Outcome)]) {
    for (_, o) in batch {
        match o {
            Outcome::Done { faces, .. } => {
                report.analysed += 1;
                report.faces += faces.as_ref().map_or(0, |f| f.len() as u64);
            }
            Outcome::Failed(e) => {
                report.failed += 1;
                if let FetchError::Host(u) = e {
                    *report.host_unavailable.entry(u.kind().into()).or_default() += 1;
                }
            }
            Outcome::TimedOut => report.failed += 1,
        }
    }
}
