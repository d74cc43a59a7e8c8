//! Consent: nothing is consented on a new store; analysis-gated calls fail clearly; and
//! revoking a scope leaves no derived byte in the database, its WAL or shared memory.
#![allow(clippy::unwrap_used, clippy::print_stdout)]

mod common;

use common::{open, TempDir};
use keepsake_core::{CancelToken, Error, HostRecord, Keepsake, NoProgress, Scope, SyncMode};

/// Marker values written into every derived table; random enough to never occur by chance.
const MARKERS: [(Scope, &str); 3] = [
    (Scope::Pixels, "PXMARK-7f3a9c1e"),
    (Scope::Faces, "FCMARK-b84d2e60"),
    (Scope::Suggestions, "SGMARK-51c0fa97"),
];

fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

fn write_markers(store: &Keepsake, asset_id: i64) {
    store
        .with_write(|tx| {
            let px = MARKERS[0].1;
            // Pixel signals are numbers: the marker is packed into the 8-byte hashes.
            // SQLite stores integers big-endian, so these bytes appear in the file as written.
            let packed = i64::from_be_bytes(px.as_bytes()[..8].try_into().unwrap());
            tx.execute(
                "INSERT INTO photo_signals (asset_id, dhash, phash, analysed_at_ms) VALUES (?1, ?2, ?2, 0)",
                rusqlite::params![asset_id, packed],
            )?;
            tx.execute(
                "INSERT INTO faces (asset_id, model_sha256, x, y, w, h, score, landmarks, analysed_at_ms)
                 VALUES (?1, ?2, 0, 0, 1, 1, 0.9, ?3, 0)",
                rusqlite::params![asset_id, MARKERS[1].1, MARKERS[1].1.as_bytes()],
            )?;
            tx.execute(
                "INSERT INTO suggestions (id, kind, payload, created_at_ms) VALUES (?1, 'recap', ?1, 0)",
                [MARKERS[2].1],
            )?;
            tx.execute(
                "INSERT INTO suggestion_assets (suggestion_id, asset_id, position) VALUES (?1, ?2, 0)",
                rusqlite::params![MARKERS[2].1, asset_id],
            )?;
            Ok(())
        })
        .unwrap();
}

fn marker_bytes(scope: Scope) -> String {
    let m = MARKERS.iter().find(|(s, _)| *s == scope).unwrap().1;
    // For pixels only the first 8 bytes were stored (packed into an integer).
    if scope == Scope::Pixels {
        m[..8].to_string()
    } else {
        m.to_string()
    }
}

fn setup(tmp: &TempDir) -> (Keepsake, i64) {
    let store = open(&tmp.join("k.db"), "UTC", "2025-06-10T12:00:00Z");
    let rec = HostRecord {
        id: "a".into(),
        uri: "content://a".into(),
        modified_ms: 1,
        ..HostRecord::default()
    };
    store
        .sync_records(
            vec![(1, rec)],
            SyncMode::Full,
            &NoProgress,
            &CancelToken::new(),
        )
        .unwrap();
    let id = store.assets().unwrap()[0].id;
    (store, id)
}

#[test]
fn a_new_store_has_no_consent_and_gated_work_fails_clearly() {
    let tmp = TempDir::new("consent-new");
    let (store, _) = setup(&tmp);
    for st in store.consent_status().unwrap() {
        assert!(!st.granted, "{:?} granted on a new store", st.scope);
        assert_eq!(st.changed_at_ms, None);
    }
    let err = store.require_consent(Scope::Faces).unwrap_err();
    assert!(matches!(err, Error::ConsentRequired(Scope::Faces)));
    assert_eq!(err.to_string(), "consent required for scope `faces`");
    store.grant_consent(Scope::Faces).unwrap();
    store.require_consent(Scope::Faces).unwrap();
    assert!(
        store.require_consent(Scope::Pixels).is_err(),
        "scopes are independent"
    );
    store.revoke_consent(Scope::Faces).unwrap();
    assert!(store.require_consent(Scope::Faces).is_err());
}

#[test]
fn revoking_drops_the_suggestion_engines_memory_too() {
    let tmp = TempDir::new("consent-engine");
    let store = open(&tmp.join("k.db"), "UTC", "2025-06-10T12:00:00Z");
    let records: Vec<(u64, HostRecord)> = (0..40)
        .map(|i| {
            let rec = HostRecord {
                id: format!("r{i}"),
                uri: format!("content://r/{i}"),
                modified_ms: 1,
                captured_ms: Some(1_749_000_000_000 + i * 600_000),
                ..HostRecord::default()
            };
            (i as u64 + 1, rec)
        })
        .collect();
    store
        .sync_records(records, SyncMode::Full, &NoProgress, &CancelToken::new())
        .unwrap();
    store.grant_consent(Scope::Suggestions).unwrap();
    assert!(!store.suggestions(None, &[]).unwrap().is_empty());
    assert_eq!(store.last_suggest_run().photos, 40);
    store.revoke_consent(Scope::Suggestions).unwrap();
    assert_eq!(
        store.last_suggest_run(),
        keepsake_core::suggest::RunStats::default()
    );
    assert!(matches!(
        store.suggestions(None, &[]),
        Err(Error::ConsentRequired(Scope::Suggestions))
    ));
}

#[test]
fn revoking_each_scope_leaves_no_derived_bytes_in_any_database_file() {
    let tmp = TempDir::new("consent-purge");
    let (store, asset) = setup(&tmp);
    for scope in Scope::ALL {
        store.grant_consent(scope).unwrap();
    }
    write_markers(&store, asset);
    let before = common::db_bytes(&store);
    for scope in Scope::ALL {
        assert!(
            contains(&before, &marker_bytes(scope)),
            "marker for {scope} must be on disk before revocation"
        );
    }

    // Revoke one scope: its markers go, the others stay.
    let report = store.revoke_consent(Scope::Faces).unwrap();
    assert_eq!(report.rows_deleted, 1);
    let after = common::db_bytes(&store);
    assert!(
        !contains(&after, &marker_bytes(Scope::Faces)),
        "faces marker survived revocation"
    );
    assert!(
        contains(&after, &marker_bytes(Scope::Suggestions)),
        "other scopes are untouched"
    );

    for scope in [Scope::Pixels, Scope::Suggestions] {
        store.revoke_consent(scope).unwrap();
    }
    let after = common::db_bytes(&store);
    for scope in Scope::ALL {
        assert!(
            !contains(&after, &marker_bytes(scope)),
            "marker for {scope} survived revocation"
        );
    }
    // The metadata index itself stays (it needs no consent).
    assert_eq!(store.assets().unwrap().len(), 1);
    let wal = &store.database_files()[1];
    assert_eq!(
        std::fs::metadata(wal).map(|m| m.len()).unwrap_or(0),
        0,
        "WAL truncated"
    );
}
