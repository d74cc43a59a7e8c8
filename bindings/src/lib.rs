//! UniFFI bindings for Keepsake: thin wrappers over `keepsake-core`, record and enum
//! mirrors, the app-facing `ApiError`, and a logger bridge. No logic lives here.
// uniffi's scaffolding is generated `unsafe extern "C"` code.
#![allow(unsafe_code)]

mod logging;
mod types;

use std::sync::Arc;

use chrono::DateTime;
use keepsake_core as core;

pub use logging::{install_logger, LogLevel, LogSink};
pub use types::{
    AssetRecord, ConsentScope, ConsentStatus, DateTrustLevel, IndexedAsset, RejectedRecord,
    SyncSummary,
};

uniffi::setup_scaffolding!();

/// Errors an app can act on; everything else is `Other` with a reason free of personal data.
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum ApiError {
    /// Ask the user for consent to `scope`, then retry.
    #[error("consent required for {scope:?}")]
    ConsentRequired { scope: ConsentScope },
    /// Another Keepsake instance has this database open; close it first.
    #[error("the store is already open")]
    StoreInUse,
    /// The operation was cancelled; committed work is kept.
    #[error("cancelled")]
    Cancelled,
    /// An argument was invalid; `reason` names it.
    #[error("invalid argument: {reason}")]
    InvalidArgument { reason: String },
    /// The database is damaged; the app may delete it and re-index.
    #[error("corrupt store: {reason}")]
    CorruptStore { reason: String },
    #[error("{reason}")]
    Other { reason: String },
}

impl From<core::Error> for ApiError {
    fn from(e: core::Error) -> Self {
        match e {
            core::Error::ConsentRequired(scope) => ApiError::ConsentRequired {
                scope: scope.into(),
            },
            core::Error::StoreInUse => ApiError::StoreInUse,
            core::Error::Cancelled => ApiError::Cancelled,
            core::Error::InvalidArgument(reason) => ApiError::InvalidArgument { reason },
            core::Error::InvalidRecord { .. }
            | core::Error::UnknownTimeZone
            | core::Error::NotADirectory => ApiError::InvalidArgument {
                reason: e.to_string(),
            },
            core::Error::CorruptStore(reason) => ApiError::CorruptStore { reason },
            other => {
                log::warn!("keepsake error: {other}");
                ApiError::Other {
                    reason: other.to_string(),
                }
            }
        }
    }
}

/// The Keepsake store: one per database file. Safe to call from any thread; calls that
/// write wait for the single writer, reads run in parallel.
#[derive(Debug, uniffi::Object)]
pub struct Keepsake {
    inner: core::Keepsake,
}

#[uniffi::export]
impl Keepsake {
    /// Opens (or creates) the store at `path`, with the device's IANA time zone.
    #[uniffi::constructor]
    pub fn open(path: String, time_zone: String) -> Result<Arc<Self>, ApiError> {
        let config = core::Config {
            zone: core::DeviceZone::parse(&time_zone)?,
            ..Default::default()
        };
        let inner = core::Keepsake::open(std::path::Path::new(&path), config)?;
        Ok(Arc::new(Keepsake { inner }))
    }

    /// Indexes host records. `full`: the batch is the whole library (absent assets are
    /// removed, unless some records were rejected).
    pub fn sync_records(
        &self,
        records: Vec<AssetRecord>,
        full: bool,
    ) -> Result<SyncSummary, ApiError> {
        let records = records
            .into_iter()
            .enumerate()
            .map(|(i, r)| (i as u64 + 1, r.into()))
            .collect();
        let mode = if full {
            core::SyncMode::Full
        } else {
            core::SyncMode::Partial
        };
        let report =
            self.inner
                .sync_records(records, mode, &core::NoProgress, &core::CancelToken::new())?;
        Ok(report.into())
    }

    /// Removes assets the host reported deleted, with everything derived from them.
    pub fn remove_assets(&self, ids: Vec<String>) -> Result<u64, ApiError> {
        Ok(self.inner.remove_assets(&ids)?)
    }

    /// Media assets of the last `days` calendar days at `now_ms`, oldest first.
    pub fn assets_in_window(&self, now_ms: i64, days: u32) -> Result<Vec<IndexedAsset>, ApiError> {
        let now =
            DateTime::from_timestamp_millis(now_ms).ok_or_else(|| ApiError::InvalidArgument {
                reason: "now_ms is out of range".into(),
            })?;
        let window = self.inner.window_at(now, days)?;
        Ok(self
            .inner
            .assets_in_window(&window)?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    pub fn consent_status(&self) -> Result<Vec<ConsentStatus>, ApiError> {
        Ok(self
            .inner
            .consent_status()?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    pub fn grant_consent(&self, scope: ConsentScope) -> Result<(), ApiError> {
        Ok(self.inner.grant_consent(scope.into())?)
    }

    /// Revokes consent and erases everything derived under it; returns rows erased.
    pub fn revoke_consent(&self, scope: ConsentScope) -> Result<u64, ApiError> {
        Ok(self.inner.revoke_consent(scope.into())?.rows_deleted)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(id: &str) -> AssetRecord {
        AssetRecord {
            id: id.into(),
            uri: format!("content://media/{id}"),
            name: None,
            mime: Some("image/jpeg".into()),
            size: Some(10),
            modified_ms: 1_749_000_000_000,
            captured_at: Some("2025-06-09T10:00:00+02:00".into()),
            captured_ms: None,
            offset_minutes: None,
            date_trust: None,
            width: Some(4000),
            height: Some(3000),
            orientation: Some(1),
            lat: None,
            lon: None,
            album: None,
            favorite: false,
            screenshot: false,
            is_video: false,
            is_live: false,
            duration_ms: None,
        }
    }

    #[test]
    fn wrappers_reach_the_core_and_errors_map_to_actionable_variants() {
        let dir = std::env::temp_dir().join(format!("keepsake-ffi-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("k.db").to_string_lossy().into_owned();
        let store = Keepsake::open(path.clone(), "Europe/Paris".into()).unwrap();
        assert!(matches!(
            Keepsake::open(path, "Europe/Paris".into()),
            Err(ApiError::StoreInUse)
        ));
        let mut bad = record("2");
        bad.orientation = Some(0);
        let summary = store.sync_records(vec![record("1"), bad], true).unwrap();
        assert_eq!((summary.added, summary.rejected.len()), (1, 1));
        assert_eq!(summary.rejected[0].position, 2);
        let now = 1_749_600_000_000; // 2025-06-11
        let assets = store.assets_in_window(now, 30).unwrap();
        assert_eq!(assets.len(), 1);
        assert_eq!(assets[0].date_trust, DateTrustLevel::ExifOffset);
        assert!(matches!(
            store.assets_in_window(now, 0),
            Err(ApiError::InvalidArgument { .. })
        ));
        assert!(matches!(
            store.assets_in_window(i64::MAX, 30),
            Err(ApiError::InvalidArgument { .. })
        ));
        assert!(store.consent_status().unwrap().iter().all(|c| !c.granted));
        store.grant_consent(ConsentScope::Faces).unwrap();
        assert_eq!(store.revoke_consent(ConsentScope::Faces).unwrap(), 0);
        let err = ApiError::from(keepsake_core::Error::ConsentRequired(
            keepsake_core::Scope::Faces,
        ));
        assert!(matches!(
            err,
            ApiError::ConsentRequired {
                scope: ConsentScope::Faces
            }
        ));
        assert!(matches!(
            Keepsake::open("/x".into(), "Mars/Olympus".into()),
            Err(ApiError::InvalidArgument { .. })
        ));
        drop(store);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
