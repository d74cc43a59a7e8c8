//! People: face descriptors, grouping into people, the user's word on them, and "don't
//! include me".
//!
//! The people pass ([`run`]) describes every detected face that has no descriptor yet —
//! each photo decoded once, at the size its smallest face needs (so the 150×150 chip is
//! not blown up from a few pixels) — then groups: new faces join people incrementally,
//! and everything is re-grouped when enough faces wait, when nobody exists yet, or when
//! asked. Excluded people are recognised by their blocklist descriptors before anything
//! else, so a new photo of them is kept out too.

pub(crate) mod edit;
pub mod embed;
pub mod group;
pub(crate) mod store;

use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use serde::Serialize;

pub use self::embed::Embedder;
pub use self::group::Params;
pub use self::store::{Birthday, Person, PersonFace};
use self::store::{Embedded, PendingPhoto};
use crate::index::Db;
use crate::pixels::{self, FetchError, PixelSource};
use crate::progress::{CancelToken, Progress, ProgressListener, Stage};
use crate::vision::decode::DecodeOptions;
use crate::Result;

/// When the people pass re-groups every face instead of adding new ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Regroup {
    /// When nobody exists yet, or when the faces added since the last re-grouping
    /// exceed [`PeopleOptions::regroup_share`] of all faces (at least 20).
    #[default]
    Auto,
    Always,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PeopleOptions {
    /// Worker threads for descriptors (0: one per core).
    pub threads: usize,
    pub regroup: Regroup,
    pub regroup_share: f64,
    pub params: Params,
    /// Eyes this far apart (original pixels) or more, a frontal face and sharp eyes make
    /// a good face: one that may start a person. Smaller ones only join.
    pub good_eyes: f32,
    pub good_frontal: f64,
    pub good_sharpness: f64,
    /// How long the host's pixel source may take for one photo.
    pub photo_budget: std::time::Duration,
}

impl Default for PeopleOptions {
    fn default() -> Self {
        PeopleOptions {
            threads: 0,
            regroup: Regroup::Auto,
            regroup_share: 0.05,
            params: Params::default(),
            good_eyes: 20.0,
            good_frontal: 0.45,
            good_sharpness: 20.0,
            photo_budget: std::time::Duration::from_secs(2),
        }
    }
}

/// What a people pass did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PeopleReport {
    /// Faces given a descriptor.
    pub described: u64,
    /// Of those, low quality (may join a person, never start one).
    pub low_quality: u64,
    /// Faces that could not be described (too small, degenerate landmarks, unreadable).
    pub failed: u64,
    /// Faces in host photos without a readable file, waiting because no pixel source
    /// was given; 0 with a source.
    pub need_host_pixels: u64,
    /// Faces of host photos the source could not hand over now (not downloaded, busy,
    /// over the time budget): asked for again by the next pass.
    pub retry_later: u64,
    /// Faces recognised as an excluded person.
    pub excluded_matches: u64,
    pub regrouped: bool,
    /// Faces that joined a person in this pass (incremental) or all assigned faces
    /// (re-grouping).
    pub assigned: u64,
    /// Faces with a descriptor but no person (waiting, or low quality and close to none).
    pub waiting: u64,
    pub people: u64,
    pub describe_ms: f64,
    pub group_ms: f64,
}

/// Chip eye distance in the template (px): faces are decoded so theirs is about this.
const CHIP_EYES: f32 = 55.0;
const MIN_LONG_SIDE: u32 = 320;
const MAX_LONG_SIDE: u32 = 2560;
/// Photos per page of work.
const PAGE: usize = 32;

/// The long side to decode a photo at so its smallest face's eyes are ~[`CHIP_EYES`]
/// apart.
fn decode_long_side(photo: &PendingPhoto) -> u32 {
    let long = photo.long_side.unwrap_or(1600).max(1) as f32;
    let eyes = photo
        .faces
        .iter()
        .map(|f| f.eyes())
        .filter(|e| e.is_finite() && *e > 0.0)
        .fold(f32::INFINITY, f32::min);
    let want = if eyes.is_finite() {
        long * (CHIP_EYES / eyes).min(1.0)
    } else {
        long
    };
    (want.ceil() as u32).clamp(MIN_LONG_SIDE, MAX_LONG_SIDE)
}

/// Descriptors of a photo's faces; `None` when its pixels should be asked for again
/// by a later pass (the host could not hand them over now, or the pass was cancelled).
fn describe(
    photo: &PendingPhoto,
    source: Option<&Arc<dyn PixelSource>>,
    embedder: &Embedder,
    opts: &PeopleOptions,
    cancel: &CancelToken,
) -> Option<Vec<Embedded>> {
    let not_described = |face_id: i64, error: &'static str| Embedded {
        face_id,
        asset_id: photo.asset_id,
        embedding: None,
        good: false,
        error: Some(error),
    };
    let decode_opts = DecodeOptions {
        long_side: decode_long_side(photo),
        ..DecodeOptions::default()
    };
    let fetched = pixels::fetch_bounded(
        &photo.location,
        source,
        &decode_opts,
        opts.photo_budget,
        cancel,
    );
    let decoded = match fetched {
        Ok(f) => f.decoded,
        Err(e) if e.transient() || matches!(e, FetchError::TimedOut | FetchError::Cancelled) => {
            return None
        }
        Err(e) => {
            return Some(
                photo
                    .faces
                    .iter()
                    .map(|f| not_described(f.id, e.kind()))
                    .collect(),
            )
        }
    };
    let k = (1.0 / decoded.scale()) as f32;
    let described = photo
        .faces
        .iter()
        .map(|f| {
            let lm = f.landmarks.map(|[x, y]| [x * k, y * k]);
            let result = embed::align(&decoded.image, &lm)
                .map_err(|e| match e {
                    embed::AlignError::TooSmall => "too_small",
                    embed::AlignError::Degenerate => "degenerate",
                })
                .and_then(|chip| embedder.embed(&chip).map_err(|_| "inference"));
            let good = f.eyes() >= opts.good_eyes
                && f.frontal.unwrap_or(0.0) >= opts.good_frontal
                && f.eye_sharpness.unwrap_or(f64::INFINITY) >= opts.good_sharpness;
            match result {
                Ok(v) => Embedded {
                    face_id: f.id,
                    asset_id: photo.asset_id,
                    embedding: Some(v),
                    good,
                    error: None,
                },
                Err(error) => not_described(f.id, error),
            }
        })
        .collect();
    Some(described)
}

/// Describes waiting faces, then groups. Cancellation is checked between photos;
/// described faces are committed page by page, so a cancelled or killed pass resumes.
pub(crate) fn run(
    db: &Db,
    source: Option<Arc<dyn PixelSource>>,
    embedder: &Embedder,
    opts: &PeopleOptions,
    now_ms: i64,
    listener: &dyn ProgressListener,
    cancel: &CancelToken,
) -> Result<PeopleReport> {
    let sha = embedder.sha256().to_string();
    let mut report = PeopleReport::default();
    let with_host = source.is_some();
    let (files, host) = db.read(|c| store::pending_counts(c, &sha))?;
    let total = if with_host { files + host } else { files };
    report.need_host_pixels = if with_host { 0 } else { host };
    let threads = if opts.threads == 0 {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    } else {
        opts.threads
    };
    let started = Instant::now();
    let mut done = 0u64;
    let mut described_any = false;
    // Pages move forward by asset id, so photos the host could not hand over now are
    // left for the next pass instead of being asked for again and again.
    let mut after = 0i64;
    loop {
        cancel.check()?;
        let page = db.read(|c| store::pending(c, &sha, with_host, after, PAGE))?;
        let Some(last) = page.last() else {
            break;
        };
        after = last.asset_id;
        let retry = AtomicUsize::new(0);
        let next = AtomicUsize::new(0);
        let results: Mutex<Vec<Embedded>> = Mutex::new(Vec::new());
        std::thread::scope(|s| {
            for _ in 0..threads.min(page.len()) {
                s.spawn(|| loop {
                    if cancel.is_cancelled() {
                        break;
                    }
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(photo) = page.get(i) else { break };
                    match describe(photo, source.as_ref(), embedder, opts, cancel) {
                        Some(out) => results
                            .lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .extend(out),
                        None => {
                            retry.fetch_add(photo.faces.len(), Ordering::Relaxed);
                        }
                    }
                });
            }
        });
        let batch = results.into_inner().unwrap_or_else(|e| e.into_inner());
        // Only whole photos are saved: a cancelled page keeps what finished.
        if !batch.is_empty() {
            db.write(|tx| store::save_embeddings(tx, &sha, &batch))?;
            described_any = true;
        }
        for e in &batch {
            match (&e.embedding, e.good) {
                (Some(_), true) => report.described += 1,
                (Some(_), false) => {
                    report.described += 1;
                    report.low_quality += 1;
                }
                (None, _) => report.failed += 1,
            }
        }
        if !cancel.is_cancelled() {
            report.retry_later += retry.into_inner() as u64;
        }
        done += batch.len() as u64;
        listener.on_progress(Progress {
            stage: Stage::People,
            done,
            total: Some(total),
        });
        cancel.check()?;
    }
    report.describe_ms = started.elapsed().as_secs_f64() * 1000.0;
    let started = Instant::now();
    group_all(db, opts, now_ms, described_any, &mut report)?;
    report.group_ms = started.elapsed().as_secs_f64() * 1000.0;
    log::info!(
        "people: {} faces described ({} low quality, {} failed), {} people, {} waiting",
        report.described,
        report.low_quality,
        report.failed,
        report.people,
        report.waiting
    );
    Ok(report)
}

fn group_all(
    db: &Db,
    opts: &PeopleOptions,
    now_ms: i64,
    changed: bool,
    report: &mut PeopleReport,
) -> Result<()> {
    db.write(|tx| {
        let (mut faces, fresh) = store::embedded_faces(tx)?;
        // Excluded people first: a face close to a blocklist entry is theirs — unless
        // the user confirmed it as someone else (their word wins).
        let blocklist = store::blocklist(tx)?;
        if !blocklist.is_empty() {
            let confirmed = store::confirmed_faces(tx)?;
            let mut kept = Vec::with_capacity(faces.len());
            for f in faces {
                if confirmed.contains(&f.id) {
                    kept.push(f);
                    continue;
                }
                let hit = blocklist
                    .iter()
                    .map(|(p, e)| (embed::distance(e, &f.embedding), *p))
                    .filter(|(d, _)| *d < opts.params.link)
                    .min_by(|a, b| a.0.total_cmp(&b.0));
                match hit {
                    Some((_, person)) => {
                        store::link_excluded(tx, &f, person)?;
                        report.excluded_matches += 1;
                    }
                    None => kept.push(f),
                }
            }
            faces = kept;
        }
        let previous = store::assignments(tx)?;
        // New faces without a person try to join one; faces a full re-grouping left
        // alone wait for the next one.
        let waiting: Vec<&group::GroupFace> = faces
            .iter()
            .filter(|f| fresh.contains(&f.id) && !previous.contains_key(&f.id))
            .collect();
        let since = faces.iter().filter(|f| fresh.contains(&f.id)).count();
        let threshold = (opts.regroup_share * faces.len() as f64).max(20.0) as usize;
        let full = opts.regroup == Regroup::Always
            || (previous.is_empty() && !faces.is_empty())
            || since > threshold;
        if full {
            let known: HashSet<i64> = faces.iter().map(|f| f.id).collect();
            let (fb, confirmed) = store::feedback(tx, &known, &previous)?;
            let people = group::regroup(&faces, &fb, &opts.params);
            // Confirmed faces name their person; otherwise ids carry by overlap.
            let mut next_id = store::next_person_id(tx)?;
            let ids = group::assign_ids(&faces, &people, &previous, &confirmed, &mut next_id);
            store::replace_assignments(tx, &faces, &ids, now_ms)?;
            store::set_next_person_id(tx, next_id)?;
            store::mark_regrouped(tx)?;
            report.regrouped = true;
            report.assigned = ids.iter().filter(|i| i.is_some()).count() as u64;
            report.waiting = ids.iter().filter(|i| i.is_none()).count() as u64;
        } else if changed || !waiting.is_empty() {
            let mut inc = group::Incremental::new();
            let mut members: std::collections::BTreeMap<u64, Vec<&group::GroupFace>> =
                Default::default();
            for f in &faces {
                if let Some(p) = previous.get(&f.id) {
                    members.entry(*p).or_default().push(f);
                }
            }
            for (p, fs) in &members {
                inc.add_person(*p, fs);
            }
            for f in &waiting {
                if let Some(p) = inc.assign(f, &opts.params) {
                    store::link(tx, f, p)?;
                    report.assigned += 1;
                }
            }
        }
        if !report.regrouped {
            let linked = store::assignments(tx)?;
            report.waiting = faces.iter().filter(|f| !linked.contains_key(&f.id)).count() as u64;
        }
        store::drop_empty_people(tx)?;
        report.people =
            tx.query_row("SELECT count(*) FROM persons WHERE excluded = 0", [], |r| {
                r.get::<_, i64>(0)
            })? as u64;
        Ok(())
    })
}
