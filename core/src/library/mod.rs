//! The camera roll as the core sees it: one asset model fed by two ingest paths — host
//! records (MediaStore / PhotoKit, or JSON Lines in the harness) and a folder scan.

pub mod dates;
pub mod fill;
pub mod records;
pub mod scan;
pub(crate) mod sync;
pub mod window;
pub(crate) mod zone;

use chrono::{DateTime, FixedOffset, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::metadata::{FileStatus, Format};

pub use self::sync::SyncReport;

/// How far an asset's capture time can be trusted, lowest first. Later features rely on
/// it: low-trust dates never drive "on this day" or start trips.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DateTrust {
    /// The file's modification time: often the copy or download time.
    FileTime,
    /// A date in the file name (IMG_20250614_…, PXL_…, Screenshot_…).
    Filename,
    /// EXIF local time without offset, read as device-zone time.
    ExifLocal,
    /// EXIF time with its UTC offset (or an instant from the host): exact.
    ExifOffset,
}

impl DateTrust {
    pub const ALL: [DateTrust; 4] = [
        DateTrust::FileTime,
        DateTrust::Filename,
        DateTrust::ExifLocal,
        DateTrust::ExifOffset,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DateTrust::FileTime => "file_time",
            DateTrust::Filename => "filename",
            DateTrust::ExifLocal => "exif_local",
            DateTrust::ExifOffset => "exif_offset",
        }
    }

    pub fn parse(s: &str) -> Option<DateTrust> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }

    pub(crate) fn code(self) -> i64 {
        self as i64
    }

    pub(crate) fn from_code(code: i64) -> Option<DateTrust> {
        Self::ALL.into_iter().find(|t| t.code() == code)
    }
}

/// Photo, video, or live photo (a still with a short clip).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum MediaKind {
    #[default]
    Photo,
    Video,
    Live,
}

impl MediaKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MediaKind::Photo => "photo",
            MediaKind::Video => "video",
            MediaKind::Live => "live",
        }
    }

    pub fn parse(s: &str) -> Option<MediaKind> {
        [MediaKind::Photo, MediaKind::Video, MediaKind::Live]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// Which ingest path an asset came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    Host,
    Folder,
}

impl Origin {
    pub fn as_str(self) -> &'static str {
        match self {
            Origin::Host => "host",
            Origin::Folder => "folder",
        }
    }

    pub(crate) fn parse(s: &str) -> Option<Origin> {
        [Origin::Host, Origin::Folder]
            .into_iter()
            .find(|o| o.as_str() == s)
    }
}

/// When a photo was taken, as precisely as the sources allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CaptureTime {
    /// Wall-clock time where the photo was taken (or device-zone time when unknown).
    pub local: NaiveDateTime,
    /// The UTC offset of `local`, when known.
    pub offset: Option<FixedOffset>,
    /// The instant. Without an offset it is `local` read in the device's zone.
    pub utc: DateTime<Utc>,
    pub trust: DateTrust,
}

impl CaptureTime {
    /// RFC 3339 with the offset when known, otherwise local time without an offset
    /// (`2025-06-14T12:34:56.054`), fractional seconds only when present.
    pub fn to_rfc3339(&self) -> String {
        let local = self.local.format("%Y-%m-%dT%H:%M:%S%.f").to_string();
        match self.offset {
            Some(offset) => format!("{local}{offset}"),
            None => local,
        }
    }
}

/// One photo or video in the index.
#[derive(Debug, Clone, PartialEq)]
pub struct Asset {
    /// The host's stable id, or the path relative to the scanned folder (with `/`).
    pub source_id: String,
    pub origin: Origin,
    /// content:// URI, `ph://` local identifier, or the relative path.
    pub uri: String,
    pub mime: Option<String>,
    pub format: Option<Format>,
    pub byte_size: Option<u64>,
    /// File modification time, ms since the Unix epoch.
    pub modified_ms: i64,
    pub captured: CaptureTime,
    /// Stored pixel size, before orientation is applied.
    pub width: Option<u32>,
    pub height: Option<u32>,
    /// EXIF orientation 1..=8.
    pub orientation: Option<u8>,
    /// (latitude, longitude) in degrees.
    pub gps: Option<(f64, f64)>,
    pub make: Option<String>,
    pub model: Option<String>,
    /// File offset and length of an embedded EXIF thumbnail.
    pub thumbnail: Option<(u64, u32)>,
    pub album: Option<String>,
    pub favorite: bool,
    pub screenshot: bool,
    pub kind: MediaKind,
    pub duration_ms: Option<u64>,
    pub status: FileStatus,
    /// Short error kind when `status` is not ok, or a warning (e.g. `exif_damaged`).
    pub error: Option<String>,
}

/// An asset as stored, with its row id (stable while the asset exists).
#[derive(Debug, Clone, PartialEq)]
pub struct StoredAsset {
    pub id: i64,
    pub asset: Asset,
}
