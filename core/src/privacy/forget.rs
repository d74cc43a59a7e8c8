//! "Forget this photo": its index row and everything derived from it go (suggestions
//! that used it included), free pages and the WAL are erased, and indexing skips it from
//! then on. The store keeps only a SHA-256 of its source id to recognise it.

use std::collections::HashSet;

use rusqlite::{params, Connection, Transaction};

use crate::Result;

/// The tombstone of a source id.
pub(crate) fn source_hash(source_id: &str) -> String {
    crate::digest::sha256_hex(&[b"keepsake-forgotten:", source_id.as_bytes()])
}

pub(crate) fn hashes(conn: &Connection) -> Result<HashSet<String>> {
    let mut stmt = conn.prepare_cached("SELECT source_hash FROM forgotten")?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Deletes the assets and what was derived from them, and records their tombstones.
/// Returns how many indexed assets were removed.
pub(crate) fn forget(tx: &Transaction<'_>, source_ids: &[String], now_ms: i64) -> Result<u64> {
    let mut removed = 0;
    for sid in source_ids {
        let id: Option<i64> = tx
            .query_row("SELECT id FROM assets WHERE source_id = ?1", [sid], |r| {
                r.get(0)
            })
            .ok();
        if let Some(id) = id {
            super::purge_derived_for_assets(tx, &[id])?;
            removed += tx.execute("DELETE FROM assets WHERE id = ?1", [id])? as u64;
        }
        tx.execute(
            "INSERT OR IGNORE INTO forgotten (source_hash, at_ms) VALUES (?1, ?2)",
            params![source_hash(sid), now_ms],
        )?;
    }
    Ok(removed)
}
