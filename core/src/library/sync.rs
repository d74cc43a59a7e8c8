//! Incremental sync shared by both ingest paths: compare what the source lists with what
//! the index knows, read only added and changed items, commit in batches, and remove
//! what disappeared — but only when the listing is known to be complete.

use std::collections::{BTreeMap, HashSet};

use serde::Serialize;

use super::{Asset, Origin};
use crate::index::{assets, Db};
use crate::privacy;
use crate::progress::{CancelToken, Progress, ProgressListener, Stage};
use crate::Result;

/// Rows written per transaction: a kill loses at most one batch of work.
const BATCH: usize = 256;
const PROGRESS_EVERY: u64 = 64;

/// What a sync or scan did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SyncReport {
    pub added: u64,
    pub changed: u64,
    pub unchanged: u64,
    pub removed: u64,
    /// Items that could not be used at all (rejected records, unlistable entries), by kind.
    pub failed: BTreeMap<String, u64>,
    /// True when removal of vanished assets was skipped because the listing was not
    /// complete (rejected records, unreadable folders); nothing is deleted on a guess.
    pub removal_skipped: bool,
    /// Items the user asked to forget: listed by the source, not indexed.
    pub forgotten: u64,
}

/// One item as the source lists it; `payload` is turned into an [`Asset`] only when
/// the item is new or changed.
pub(crate) struct Listed<T> {
    pub source_id: String,
    pub byte_size: Option<u64>,
    pub modified_ms: i64,
    pub payload: T,
}

/// Which indexed assets may be removed when the source no longer lists them.
pub(crate) enum Removal {
    /// Partial listing: remove nothing.
    Never,
    /// Complete listing, except for ids starting with one of these prefixes (subtrees
    /// that could not be read).
    Absent { keep_prefixes: Vec<String> },
}

pub(crate) struct Job<'a> {
    pub db: &'a Db,
    pub origin: Origin,
    pub listener: &'a dyn ProgressListener,
    pub cancel: &'a CancelToken,
    pub now_ms: i64,
}

impl Job<'_> {
    pub(crate) fn run<T>(
        &self,
        listed: Vec<Listed<T>>,
        mut make: impl FnMut(&Listed<T>) -> Asset,
        removal: Removal,
        report: &mut SyncReport,
    ) -> Result<()> {
        let known = self.db.read(|c| assets::known(c, self.origin))?;
        let forgotten = self.db.read(privacy::forget::hashes)?;
        let total = listed.len() as u64;
        let mut seen: HashSet<&str> = HashSet::with_capacity(listed.len());
        let mut batch: Vec<(bool, Asset)> = Vec::with_capacity(BATCH);
        for (i, item) in listed.iter().enumerate() {
            if self.cancel.is_cancelled() {
                // Keep what is done; the next sync picks up the rest.
                self.flush(&mut batch)?;
                self.cancel.check()?;
            }
            seen.insert(item.source_id.as_str());
            if !forgotten.is_empty()
                && forgotten.contains(&privacy::forget::source_hash(&item.source_id))
            {
                report.forgotten += 1;
                continue;
            }
            match known.get(&item.source_id) {
                Some(k)
                    if !k.retry
                        && k.byte_size == item.byte_size
                        && k.modified_ms == item.modified_ms =>
                {
                    report.unchanged += 1
                }
                existing => {
                    let asset = make(item);
                    if existing.is_some() {
                        report.changed += 1;
                    } else {
                        report.added += 1;
                    }
                    batch.push((existing.is_some(), asset));
                    if batch.len() >= BATCH {
                        self.flush(&mut batch)?;
                    }
                }
            }
            let done = i as u64 + 1;
            if done.is_multiple_of(PROGRESS_EVERY) || done == total {
                self.listener.on_progress(Progress {
                    stage: Stage::Indexing,
                    done,
                    total: Some(total),
                });
            }
        }
        self.flush(&mut batch)?;

        let Removal::Absent { keep_prefixes } = removal else {
            report.removal_skipped = true;
            return Ok(());
        };
        let absent: Vec<(&String, i64)> = known
            .iter()
            .filter(|(id, _)| !seen.contains(id.as_str()))
            .map(|(id, k)| (id, k.id))
            .collect();
        let gone: Vec<i64> = absent
            .iter()
            .filter(|(id, _)| !keep_prefixes.iter().any(|p| id.starts_with(p.as_str())))
            .map(|&(_, id)| id)
            .collect();
        report.removal_skipped = gone.len() < absent.len();
        for (n, chunk) in gone.chunks(BATCH).enumerate() {
            self.cancel.check()?;
            // Derived rows go with the asset through ON DELETE CASCADE.
            self.db.write(|tx| assets::delete(tx, chunk))?;
            report.removed += chunk.len() as u64;
            self.listener.on_progress(Progress {
                stage: Stage::Removing,
                done: ((n + 1) * BATCH).min(gone.len()) as u64,
                total: Some(gone.len() as u64),
            });
        }
        if report.removed > 0 {
            log::info!("{} assets removed", report.removed);
        }
        Ok(())
    }

    fn flush(&self, batch: &mut Vec<(bool, Asset)>) -> Result<()> {
        if batch.is_empty() {
            return Ok(());
        }
        self.db.write(|tx| {
            for (existed, asset) in batch.iter() {
                let id = assets::upsert(tx, asset, self.now_ms)?;
                if *existed {
                    // The file changed: whatever was derived from the old bytes is stale.
                    privacy::purge_derived_for_assets(tx, &[id])?;
                }
            }
            Ok(())
        })?;
        batch.clear();
        Ok(())
    }
}
