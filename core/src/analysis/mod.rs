//! The analysis job: pixels (quality, exposure, perceptual hashes) and faces for every
//! indexed photo — the recent window first, then older photos, newest first. Work runs
//! on all cores with a bounded queue; results are committed in batches, so a killed job
//! resumes where it stopped, and no photo is analysed twice unless its file changed
//! (which purges its results) or the face model changed (its sha256 is kept).
//! Cancellation is checked between photos.

mod store;

use std::path::PathBuf;
use std::sync::mpsc;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::index::Db;
use crate::progress::{CancelToken, Progress, ProgressListener, Stage};
use crate::vision::decode::{decode_file, DecodeOptions, Hint};
use crate::vision::detect::{DetectParams, Face, FaceModel};
use crate::vision::quality::{self, Quality};
use crate::vision::{dedupe, hash};
use crate::Result;

/// How analysis runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AnalyzeOptions {
    /// Long side of the working image.
    pub long_side: u32,
    /// Worker threads (0: one per core).
    pub threads: usize,
    /// Photos committed per transaction.
    pub batch: usize,
}

impl Default for AnalyzeOptions {
    fn default() -> Self {
        AnalyzeOptions {
            long_side: 640,
            threads: 0,
            batch: 32,
        }
    }
}

/// What a run did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AnalyzeReport {
    pub analysed: u64,
    pub failed: u64,
    pub faces: u64,
    /// Host photos whose pixels the host must hand over (no readable file).
    pub need_host_pixels: u64,
    pub duplicate_groups: u64,
}

/// One photo to analyse.
#[derive(Debug, Clone)]
pub(crate) struct Job {
    pub id: i64,
    pub path: PathBuf,
    pub hint: Hint,
    /// Face analysis is due (new photo or another model); pixels are always measured.
    pub needs_faces: bool,
}

/// One photo's results.
#[derive(Debug, Clone)]
pub(crate) enum Outcome {
    Done {
        quality: Quality,
        dhash: u64,
        phash: u64,
        faces: Option<Vec<Face>>,
    },
    Failed(&'static str),
}

fn analyse(job: &Job, model: Option<&FaceModel>, opts: &AnalyzeOptions) -> Outcome {
    let decode_opts = DecodeOptions {
        long_side: opts.long_side,
        ..DecodeOptions::default()
    };
    let decoded = match decode_file(&job.path, job.hint, &decode_opts) {
        Ok(d) => d,
        Err(e) => return Outcome::Failed(e.kind()),
    };
    let img = &decoded.image;
    let gray = img.gray();
    let quality = quality::measure(&gray, img.width, img.height);
    let dhash = hash::dhash(&gray, img.width, img.height);
    let phash = hash::phash(&gray, img.width, img.height);
    let faces = match model.filter(|_| job.needs_faces) {
        Some(m) => match m.detect(img, &DetectParams::for_kind(m.kind())) {
            Ok(f) => Some(
                f.into_iter()
                    .map(|f| f.scaled(decoded.scale() as f32))
                    .collect(),
            ),
            Err(_) => return Outcome::Failed("inference"),
        },
        None => None,
    };
    Outcome::Done {
        quality,
        dhash,
        phash,
        faces,
    }
}

/// Runs analysis until nothing is pending, the token is cancelled, or an error.
pub(crate) fn run(
    db: &Db,
    model: Option<&FaceModel>,
    recent_start: DateTime<Utc>,
    now: DateTime<Utc>,
    opts: &AnalyzeOptions,
    listener: &dyn ProgressListener,
    cancel: &CancelToken,
) -> Result<AnalyzeReport> {
    let sha = model.map(|m| m.sha256().to_string());
    let threads = if opts.threads == 0 {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    } else {
        opts.threads
    };
    let mut report = AnalyzeReport::default();
    let (total, host_only) = db.read(|c| store::pending_counts(c, sha.as_deref()))?;
    report.need_host_pixels = host_only;
    let mut done = 0u64;
    loop {
        cancel.check()?;
        // Work is fetched in pages: a library of any size is never held in memory.
        let page = db.read(|c| store::pending(c, sha.as_deref(), recent_start, 256))?;
        if page.is_empty() {
            break;
        }
        let page_len = page.len();
        let (job_tx, job_rx) = mpsc::sync_channel::<Job>(threads * 2);
        let job_rx = std::sync::Mutex::new(job_rx);
        let (out_tx, out_rx) = mpsc::channel::<(Job, Outcome)>();
        let results = std::thread::scope(|s| -> Result<usize> {
            for _ in 0..threads {
                let (job_rx, out_tx) = (&job_rx, out_tx.clone());
                s.spawn(move || loop {
                    let next = job_rx.lock().unwrap_or_else(|e| e.into_inner()).recv();
                    let Ok(job) = next else { break };
                    if cancel.is_cancelled() {
                        break;
                    }
                    let outcome = analyse(&job, model, opts);
                    if out_tx.send((job, outcome)).is_err() {
                        break;
                    }
                });
            }
            drop(out_tx);
            s.spawn(move || {
                for job in page {
                    if cancel.is_cancelled() || job_tx.send(job).is_err() {
                        break;
                    }
                }
            });
            let mut batch = Vec::with_capacity(opts.batch);
            let mut written = 0;
            let mut flush = |batch: &mut Vec<(Job, Outcome)>| -> Result<()> {
                db.write(|tx| store::save(tx, batch, sha.as_deref(), now))?;
                tally(&mut report, batch);
                written += batch.len();
                done += batch.len() as u64;
                batch.clear();
                listener.on_progress(Progress {
                    stage: Stage::Analyzing,
                    done,
                    total: Some(total),
                });
                Ok(())
            };
            for item in out_rx {
                batch.push(item);
                if batch.len() >= opts.batch {
                    flush(&mut batch)?;
                }
            }
            if !batch.is_empty() {
                flush(&mut batch)?;
            }
            Ok(written)
        })?;
        if results < page_len {
            // Stopped early: only cancellation does that.
            cancel.check()?;
        }
    }
    report.duplicate_groups = db.write(|tx| {
        let hashed = store::hashed(tx)?;
        let groups = dedupe::groups(&hashed, &dedupe::DedupeParams::default());
        store::set_duplicate_groups(tx, &groups)?;
        Ok(groups.len() as u64)
    })?;
    log::info!(
        "analysis: {} photos, {} failed, {} faces",
        report.analysed,
        report.failed,
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
            Outcome::Failed(_) => report.failed += 1,
        }
    }
}
