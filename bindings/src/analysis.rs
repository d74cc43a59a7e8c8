//! Analysis in the background: a handle the app can cancel (dropping it cancels too),
//! progress through a foreign listener, and the summary when it ends.

use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use keepsake_core as core;

use crate::ApiError;

/// What a foreign listener may throw; the analysis then stops (keeping what it
/// committed) and `wait` reports `ListenerFailed`.
#[derive(Debug, Clone, thiserror::Error, uniffi::Error)]
pub enum ListenerError {
    #[error("listener failed: {reason}")]
    Failed { reason: String },
}

impl From<uniffi::UnexpectedUniFFICallbackError> for ListenerError {
    fn from(e: uniffi::UnexpectedUniFFICallbackError) -> Self {
        ListenerError::Failed { reason: e.reason }
    }
}

/// Implemented by the app. Called from a core thread; keep it cheap, never block.
#[uniffi::export(with_foreign)]
pub trait AnalysisListener: Send + Sync {
    /// `total` is unknown (`null`) until the work is counted.
    fn on_progress(&self, done: u64, total: Option<u64>) -> Result<(), ListenerError>;
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct AnalysisOptions {
    /// ONNX face detector (YuNet or RetinaFace); `null` analyses pixels only.
    pub model_path: Option<String>,
    /// Working size (long side, pixels); 640 is the tested default.
    pub long_side: u32,
    /// Worker threads; 0 = one per core.
    pub threads: u32,
    /// ONNX face embedder (dlib ResNet); with a detector, faces are then grouped into
    /// people. Its progress follows the photos' with its own done/total.
    pub embedder_path: Option<String>,
    /// ONNX content classifier (EfficientNet-Lite0, ImageNet-1k) for themes; `null`
    /// leaves themes as they are.
    #[uniffi(default = None)]
    pub classifier_path: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct AnalysisSummary {
    pub analysed: u64,
    pub failed: u64,
    pub faces: u64,
    /// Host photos without a readable file that waited because no pixel source was set
    /// (0 with one).
    pub need_host_pixels: u64,
    /// Host photos the pixel source could not hand over, by reason (`gone`,
    /// `not_downloaded`, `permission_denied`, `busy`, `host_error`); `not_downloaded`
    /// and `busy` are asked for again by the next analysis.
    pub host_unavailable: std::collections::HashMap<String, u64>,
    /// Host records completed (capture time, place, size) from the original's bytes.
    pub metadata_filled: u64,
    pub duplicate_groups: u64,
    pub timed_out: u64,
    /// Faces given a descriptor, and people after grouping (0 without an embedder).
    pub faces_described: u64,
    pub people: u64,
}

impl From<core::analysis::AnalyzeReport> for AnalysisSummary {
    fn from(r: core::analysis::AnalyzeReport) -> Self {
        AnalysisSummary {
            analysed: r.analysed,
            failed: r.failed,
            faces: r.faces,
            need_host_pixels: r.need_host_pixels,
            host_unavailable: r.host_unavailable.into_iter().collect(),
            metadata_filled: r.metadata_filled,
            duplicate_groups: r.duplicate_groups,
            timed_out: r.timed_out,
            faces_described: 0,
            people: 0,
        }
    }
}

type Outcome = Result<AnalysisSummary, ApiError>;

/// A running analysis. `cancel()` returns at once; the work stops within a second,
/// keeping what was committed (the next analysis resumes). Dropping the handle cancels.
#[derive(Debug, uniffi::Object)]
pub struct AnalysisHandle {
    cancel: core::CancelToken,
    outcome: Arc<(Mutex<Option<Outcome>>, Condvar)>,
}

impl Drop for AnalysisHandle {
    fn drop(&mut self) {
        self.cancel.cancel();
    }
}

#[uniffi::export]
impl AnalysisHandle {
    pub fn cancel(&self) {
        self.cancel.cancel();
    }

    pub fn is_finished(&self) -> bool {
        self.outcome
            .0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .is_some()
    }

    /// Waits up to `timeout_ms` for the end: the summary, the error that ended it
    /// (`Cancelled`, `ListenerFailed`, …), or `null` while it still runs.
    pub fn wait(&self, timeout_ms: u64) -> Result<Option<AnalysisSummary>, ApiError> {
        let (lock, cv) = &*self.outcome;
        let guard = lock.lock().unwrap_or_else(|e| e.into_inner());
        let (guard, _) = cv
            .wait_timeout_while(guard, Duration::from_millis(timeout_ms), |o| o.is_none())
            .unwrap_or_else(|e| e.into_inner());
        match guard.as_ref() {
            None => Ok(None),
            Some(Ok(s)) => Ok(Some(s.clone())),
            Some(Err(e)) => Err(e.clone()),
        }
    }
}

/// Adapts the foreign listener; remembers the first failure and cancels.
struct Relay {
    listener: Arc<dyn AnalysisListener>,
    failure: Mutex<Option<String>>,
    cancel: core::CancelToken,
}

impl core::ProgressListener for Relay {
    fn on_progress(&self, p: core::Progress) {
        let mut failure = self.failure.lock().unwrap_or_else(|e| e.into_inner());
        if failure.is_some() {
            return;
        }
        if let Err(ListenerError::Failed { reason }) = self.listener.on_progress(p.done, p.total) {
            log::warn!("analysis listener failed; stopping the analysis");
            *failure = Some(reason);
            self.cancel.cancel();
        }
    }
}

/// Starts `store.analyze` on its own thread. Consent and the model are checked before
/// it starts, so those errors come from this call.
pub(crate) fn start(
    store: Arc<core::Keepsake>,
    options: AnalysisOptions,
    listener: Arc<dyn AnalysisListener>,
) -> Result<Arc<AnalysisHandle>, ApiError> {
    store.require_consent(core::Scope::Pixels)?;
    let model = match &options.model_path {
        Some(path) => {
            store.require_consent(core::Scope::Faces)?;
            Some(
                core::vision::detect::FaceModel::load_path(std::path::Path::new(path)).map_err(
                    |e| ApiError::InvalidArgument {
                        reason: format!("face model: {e}"),
                    },
                )?,
            )
        }
        None => None,
    };
    let embedder = match (&options.embedder_path, &model) {
        (Some(path), Some(_)) => Some(
            core::people::Embedder::load_path(std::path::Path::new(path)).map_err(|e| {
                ApiError::InvalidArgument {
                    reason: format!("face embedder: {e}"),
                }
            })?,
        ),
        (Some(_), None) => {
            return Err(ApiError::InvalidArgument {
                reason: "an embedder needs a face detector (model_path)".into(),
            })
        }
        (None, _) => None,
    };
    let classifier = match &options.classifier_path {
        Some(path) => Some(Arc::new(
            core::themes::Classifier::load_path(std::path::Path::new(path)).map_err(|e| {
                ApiError::InvalidArgument {
                    reason: format!("classifier: {e}"),
                }
            })?,
        )),
        None => None,
    };
    if !(64..=4096).contains(&options.long_side) {
        return Err(ApiError::InvalidArgument {
            reason: "long_side must be 64..=4096".into(),
        });
    }
    let cancel = core::CancelToken::new();
    let outcome = Arc::new((Mutex::new(None), Condvar::new()));
    let handle = Arc::new(AnalysisHandle {
        cancel: cancel.clone(),
        outcome: outcome.clone(),
    });
    let core_options = core::analysis::AnalyzeOptions {
        long_side: options.long_side,
        threads: options.threads as usize,
        classifier,
        ..Default::default()
    };
    std::thread::Builder::new()
        .name("keepsake-analysis".into())
        .spawn(move || {
            let relay = Relay {
                listener,
                failure: Mutex::new(None),
                cancel: cancel.clone(),
            };
            let result = store
                .analyze(model.as_ref(), &core_options, &relay, &cancel)
                .and_then(|r| {
                    let mut summary = AnalysisSummary::from(r);
                    if let Some(e) = &embedder {
                        let p = store.update_people(e, &Default::default(), &relay, &cancel)?;
                        summary.faces_described = p.described;
                        summary.people = p.people;
                    }
                    Ok(summary)
                });
            // Let go of the store before reporting the end: an app that closes the store
            // once the analysis ended can open the database again at once.
            drop(store);
            let failure = relay
                .failure
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .take();
            let result = match (result, failure) {
                (_, Some(reason)) => Err(ApiError::ListenerFailed { reason }),
                (Ok(r), None) => Ok(r),
                (Err(e), None) => Err(e.into()),
            };
            let (lock, cv) = &*outcome;
            *lock.lock().unwrap_or_else(|e| e.into_inner()) = Some(result);
            cv.notify_all();
        })
        .map_err(|_| ApiError::Other {
            reason: "could not start the analysis thread".into(),
        })?;
    Ok(handle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dropping_the_handle_cancels_and_wait_times_out_while_running() {
        let cancel = core::CancelToken::new();
        let handle = AnalysisHandle {
            cancel: cancel.clone(),
            outcome: Arc::new((Mutex::new(None), Condvar::new())),
        };
        assert!(
            matches!(handle.wait(10), Ok(None)),
            "still running: no summary yet"
        );
        assert!(!handle.is_finished());
        drop(handle);
        assert!(cancel.is_cancelled());
    }
}
