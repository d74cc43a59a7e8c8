//! Progress reporting and cancellation for long work (scans, syncs, later analysis).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Which part of a long job is running.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Listing the files of a folder.
    Listing,
    /// Reading metadata of new and changed files, or applying host records.
    Indexing,
    /// Removing assets that disappeared.
    Removing,
    /// Analysing pixels and faces.
    Analyzing,
    /// Describing faces and grouping them into people.
    People,
}

/// One progress report. `total` is known once listing is done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub stage: Stage,
    pub done: u64,
    pub total: Option<u64>,
}

/// Receives progress. Called from the worker thread; keep it cheap.
pub trait ProgressListener: Send + Sync {
    fn on_progress(&self, progress: Progress);
}

/// A listener that ignores everything.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoProgress;

impl ProgressListener for NoProgress {
    fn on_progress(&self, _progress: Progress) {}
}

impl<F: Fn(Progress) + Send + Sync> ProgressListener for F {
    fn on_progress(&self, progress: Progress) {
        self(progress)
    }
}

/// Cooperative cancellation shared between the caller and a running job. Jobs check it
/// between files, so it takes effect within one file's work.
#[derive(Debug, Default, Clone)]
pub struct CancelToken(Arc<AtomicBool>);

impl CancelToken {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }

    /// `Err(Cancelled)` once cancelled, for `?` at checkpoints.
    pub fn check(&self) -> crate::Result<()> {
        if self.is_cancelled() {
            Err(crate::Error::Cancelled)
        } else {
            Ok(())
        }
    }
}
