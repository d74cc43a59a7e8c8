//! The local audit log: what was processed, when, by which model (sha256), under which
//! consent. It holds counts and kinds only — never photo content, paths, ids or places —
//! so it survives revocation and can be shown and exported as it is.

use rusqlite::{params, Connection, Transaction};
use serde::Serialize;

use crate::Result;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    pub at_ms: i64,
    /// `index`, `analysis`, `consent_grant`, `consent_revoke`, `forget`, `exclude_faces`,
    /// `export`, `rebuild`, `people`, `photo_effect`, `restyle`, `story_frames` (what
    /// was made from photos and handed to the app; the store keeps none of it).
    pub action: String,
    /// Scopes granted when it happened, comma-separated.
    pub consent: String,
    pub model_sha256: Option<String>,
    pub photos: Option<i64>,
    pub detail: Option<String>,
}

/// Scopes granted now, comma-separated in a fixed order.
fn consent_in_force(conn: &Connection) -> Result<String> {
    let mut stmt =
        conn.prepare_cached("SELECT scope FROM consent WHERE granted = 1 ORDER BY scope")?;
    let scopes: Vec<String> = stmt
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(scopes.join(","))
}

pub(crate) fn record(
    tx: &Transaction<'_>,
    at_ms: i64,
    action: &str,
    model_sha256: Option<&str>,
    photos: Option<i64>,
    detail: Option<&str>,
) -> Result<()> {
    let consent = consent_in_force(tx)?;
    tx.prepare_cached(
        "INSERT INTO audit_log (at_ms, action, consent, model_sha256, photos, detail)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        at_ms,
        action,
        consent,
        model_sha256,
        photos,
        detail
    ])?;
    Ok(())
}

pub(crate) fn all(conn: &Connection) -> Result<Vec<AuditEntry>> {
    let mut stmt = conn.prepare(
        "SELECT at_ms, action, consent, model_sha256, photos, detail FROM audit_log ORDER BY id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(AuditEntry {
            at_ms: r.get(0)?,
            action: r.get(1)?,
            consent: r.get(2)?,
            model_sha256: r.get(3)?,
            photos: r.get(4)?,
            detail: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
