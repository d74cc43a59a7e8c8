//! Records and enums mirrored from the core, with their conversions.

use keepsake_core as core;

#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum ConsentScope {
    Pixels,
    Faces,
    Suggestions,
}

impl From<ConsentScope> for core::Scope {
    fn from(s: ConsentScope) -> Self {
        match s {
            ConsentScope::Pixels => core::Scope::Pixels,
            ConsentScope::Faces => core::Scope::Faces,
            ConsentScope::Suggestions => core::Scope::Suggestions,
        }
    }
}

impl From<core::Scope> for ConsentScope {
    fn from(s: core::Scope) -> Self {
        match s {
            core::Scope::Pixels => ConsentScope::Pixels,
            core::Scope::Faces => ConsentScope::Faces,
            core::Scope::Suggestions => ConsentScope::Suggestions,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum DateTrustLevel {
    FileTime,
    Filename,
    ExifLocal,
    ExifOffset,
}

impl From<core::DateTrust> for DateTrustLevel {
    fn from(t: core::DateTrust) -> Self {
        match t {
            core::DateTrust::FileTime => DateTrustLevel::FileTime,
            core::DateTrust::Filename => DateTrustLevel::Filename,
            core::DateTrust::ExifLocal => DateTrustLevel::ExifLocal,
            core::DateTrust::ExifOffset => DateTrustLevel::ExifOffset,
        }
    }
}

impl From<DateTrustLevel> for core::DateTrust {
    fn from(t: DateTrustLevel) -> Self {
        match t {
            DateTrustLevel::FileTime => core::DateTrust::FileTime,
            DateTrustLevel::Filename => core::DateTrust::Filename,
            DateTrustLevel::ExifLocal => core::DateTrust::ExifLocal,
            DateTrustLevel::ExifOffset => core::DateTrust::ExifOffset,
        }
    }
}

/// One asset as MediaStore / PhotoKit describe it (fields as in the README's JSON Lines).
#[derive(Debug, Clone, uniffi::Record)]
pub struct AssetRecord {
    pub id: String,
    pub uri: String,
    pub name: Option<String>,
    pub mime: Option<String>,
    pub size: Option<u64>,
    pub modified_ms: i64,
    pub captured_at: Option<String>,
    pub captured_ms: Option<i64>,
    pub offset_minutes: Option<i32>,
    pub date_trust: Option<DateTrustLevel>,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub orientation: Option<u8>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub album: Option<String>,
    pub favorite: bool,
    pub screenshot: bool,
    pub is_video: bool,
    pub is_live: bool,
    pub duration_ms: Option<u64>,
}

impl From<AssetRecord> for core::HostRecord {
    fn from(r: AssetRecord) -> Self {
        core::HostRecord {
            id: r.id,
            uri: r.uri,
            name: r.name,
            mime: r.mime,
            size: r.size,
            modified_ms: r.modified_ms,
            captured_at: r.captured_at,
            captured_ms: r.captured_ms,
            offset_minutes: r.offset_minutes,
            date_trust: r.date_trust.map(Into::into),
            width: r.width,
            height: r.height,
            orientation: r.orientation,
            lat: r.lat,
            lon: r.lon,
            album: r.album,
            favorite: r.favorite,
            screenshot: r.screenshot,
            kind: match (r.is_video, r.is_live) {
                (true, _) => core::MediaKind::Video,
                (_, true) => core::MediaKind::Live,
                _ => core::MediaKind::Photo,
            },
            duration_ms: r.duration_ms,
        }
    }
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct RejectedRecord {
    /// 1-based position in the batch.
    pub position: u64,
    pub reason: String,
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct SyncSummary {
    pub added: u64,
    pub changed: u64,
    pub unchanged: u64,
    pub removed: u64,
    pub removal_skipped: bool,
    pub rejected: Vec<RejectedRecord>,
}

impl From<core::RecordsReport> for SyncSummary {
    fn from(r: core::RecordsReport) -> Self {
        SyncSummary {
            added: r.sync.added,
            changed: r.sync.changed,
            unchanged: r.sync.unchanged,
            removed: r.sync.removed,
            removal_skipped: r.sync.removal_skipped,
            rejected: r
                .rejected
                .into_iter()
                .map(|e| RejectedRecord {
                    position: e.line,
                    reason: e.reason,
                })
                .collect(),
        }
    }
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct IndexedAsset {
    pub id: String,
    pub uri: String,
    /// RFC 3339 with offset when known, else local time without offset.
    pub captured_at: String,
    pub captured_utc_ms: i64,
    pub date_trust: DateTrustLevel,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub orientation: Option<u8>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub favorite: bool,
    pub screenshot: bool,
}

impl From<core::StoredAsset> for IndexedAsset {
    fn from(s: core::StoredAsset) -> Self {
        let a = s.asset;
        IndexedAsset {
            captured_at: a.captured.to_rfc3339(),
            captured_utc_ms: a.captured.utc.timestamp_millis(),
            date_trust: a.captured.trust.into(),
            id: a.source_id,
            uri: a.uri,
            width: a.width,
            height: a.height,
            orientation: a.orientation,
            lat: a.gps.map(|g| g.0),
            lon: a.gps.map(|g| g.1),
            favorite: a.favorite,
            screenshot: a.screenshot,
        }
    }
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct ConsentStatus {
    pub scope: ConsentScope,
    pub granted: bool,
    pub changed_at_ms: Option<i64>,
}

impl From<core::ConsentState> for ConsentStatus {
    fn from(s: core::ConsentState) -> Self {
        ConsentStatus {
            scope: s.scope.into(),
            granted: s.granted,
            changed_at_ms: s.changed_at_ms,
        }
    }
}
