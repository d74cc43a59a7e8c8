//! The app's pixel source: one foreign trait for analysis, the people pass, collages and
//! stories.

use std::sync::Arc;

use keepsake_core::pixels as px;

/// What the core asks for: the asset (the record's `id` and `uri`), the long side it
/// works at, and whether the original's bytes are wanted (the record lacks a capture
/// time, place, orientation or size that the file may hold).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct PixelRequest {
    pub asset_id: String,
    pub uri: String,
    pub long_side: u32,
    pub wants_original: bool,
}

/// The app's answer: the original's encoded bytes (the core decodes them with DCT
/// scaling and reads their EXIF/XMP), or RGBA pixels it decoded at about `long_side`
/// (rows `stride` bytes apart; `upright` when the platform already applied the
/// orientation, as `loadThumbnail` and `requestImage` do).
#[derive(Clone, PartialEq, Eq, uniffi::Enum)]
pub enum PixelAnswer {
    Encoded {
        bytes: Vec<u8>,
    },
    Rgba {
        width: u32,
        height: u32,
        stride: u32,
        rgba: Vec<u8>,
        upright: bool,
    },
}

impl std::fmt::Debug for PixelAnswer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&px::PixelAnswer::from(self.clone()), f)
    }
}

impl From<PixelAnswer> for px::PixelAnswer {
    fn from(a: PixelAnswer) -> Self {
        match a {
            PixelAnswer::Encoded { bytes } => px::PixelAnswer::Encoded(bytes),
            PixelAnswer::Rgba {
                width,
                height,
                stride,
                rgba,
                upright,
            } => px::PixelAnswer::Rgba(px::RgbaPixels {
                width,
                height,
                stride,
                data: rgba,
                upright,
            }),
        }
    }
}

/// Why the app cannot hand a photo over. `NotDownloaded` and `Busy` are asked for again
/// by a later analysis; the others are recorded and not retried until the record
/// changes. Anything else the app throws counts as `Failed`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum PixelError {
    /// Deleted since it was listed.
    #[error("gone")]
    Gone,
    /// Only in the cloud (iCloud, cloud-only); the core never asks for a download.
    #[error("not downloaded")]
    NotDownloaded,
    /// Access was revoked or limited.
    #[error("permission denied")]
    PermissionDenied,
    /// Try again later.
    #[error("busy")]
    Busy,
    /// Anything else; `reason` is for the app's own logs and never stored.
    #[error("failed: {reason}")]
    Failed { reason: String },
}

impl From<uniffi::UnexpectedUniFFICallbackError> for PixelError {
    fn from(e: uniffi::UnexpectedUniFFICallbackError) -> Self {
        PixelError::Failed { reason: e.reason }
    }
}

impl From<PixelError> for px::Unavailable {
    fn from(e: PixelError) -> Self {
        match e {
            PixelError::Gone => px::Unavailable::Gone,
            PixelError::NotDownloaded => px::Unavailable::NotDownloaded,
            PixelError::PermissionDenied => px::Unavailable::PermissionDenied,
            PixelError::Busy => px::Unavailable::Busy,
            PixelError::Failed { .. } => px::Unavailable::Failed,
        }
    }
}

/// Implemented by apps whose photos have no file path (MediaStore `content://` URIs,
/// PhotoKit). Called from core worker threads, one call per worker at a time; it may
/// block (a call over the per-photo time budget is abandoned), never on the UI thread.
#[uniffi::export(with_foreign)]
pub trait PixelSource: Send + Sync {
    fn pixels(&self, request: PixelRequest) -> Result<PixelAnswer, PixelError>;
}

/// The app's source as the core's.
pub(crate) struct Adapter(pub Arc<dyn PixelSource>);

impl px::PixelSource for Adapter {
    fn pixels(&self, r: &px::PixelRequest) -> Result<px::PixelAnswer, px::Unavailable> {
        let request = PixelRequest {
            asset_id: r.asset_id.clone(),
            uri: r.uri.clone(),
            long_side: r.long_side,
            wants_original: r.wants_original,
        };
        match self.0.pixels(request) {
            Ok(answer) => Ok(answer.into()),
            Err(e) => {
                log::debug!("pixel source: {:?}", px::Unavailable::from(e.clone()));
                Err(e.into())
            }
        }
    }
}
