//! Keepsake core: an on-device photo library index, analysis and suggestions — what
//! "cloud processing" offers, without a photo leaving the phone.
//!
//! Start at [`Keepsake`]: open a store, feed it the camera roll (host records or a
//! folder scan), grant consent before any analysis, and ask for the recent window.
#![deny(clippy::print_stdout, clippy::print_stderr)]

pub mod analysis;
pub mod clock;
pub mod cluster;
pub mod collage;
mod digest;
pub mod effects;
mod error;
#[doc(hidden)]
pub mod fuzzing;
pub mod geo;
pub mod index;
pub(crate) mod keepsake;
pub mod library;
pub mod metadata;
pub mod moments;
pub mod people;
pub mod pixels;
pub mod places;
pub mod privacy;
pub mod progress;
pub mod restyle;
pub mod suggest;
pub mod sun;
pub mod themes;
pub mod trips;
pub mod vision;

pub use crate::clock::{Clock, DeviceZone, FixedClock, SystemClock};
pub use crate::error::{Error, Result};
pub use crate::keepsake::{Config, Keepsake, Rebuilt, RecordsReport, SyncMode};
pub use crate::library::records::{parse_json_lines, HostRecord, RecordError};
pub use crate::library::scan::{ScanOptions, ScanReport, Skipped};
pub use crate::library::window::{RecentWindow, DEFAULT_DAYS};
pub use crate::library::{
    Asset, CaptureTime, DateTrust, MediaKind, Origin, StoredAsset, SyncReport,
};
pub use crate::metadata::{FileStatus, Format, Probe};
pub use crate::privacy::{AuditEntry, ConsentState, PurgeReport, Scope};
pub use crate::progress::{CancelToken, NoProgress, Progress, ProgressListener, Stage};
