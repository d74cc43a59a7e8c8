//! Granting, revoking and checking consent; purging derived data.

use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::Serialize;

use super::Scope;
use crate::index::Db;
use crate::{Error, Result};

/// The consent state of one scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ConsentState {
    pub scope: Scope,
    pub granted: bool,
    /// When it last changed (ms since the epoch); `None` if never asked.
    pub changed_at_ms: Option<i64>,
}

/// What a revocation removed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PurgeReport {
    pub rows_deleted: u64,
    /// Size of the database file after VACUUM.
    pub database_bytes: u64,
}

pub(crate) fn status(conn: &Connection) -> Result<Vec<ConsentState>> {
    let mut stmt =
        conn.prepare_cached("SELECT granted, changed_at_ms FROM consent WHERE scope = ?1")?;
    Scope::ALL
        .into_iter()
        .map(|scope| {
            let row = stmt
                .query_row([scope.as_str()], |r| {
                    Ok((r.get::<_, bool>(0)?, r.get::<_, i64>(1)?))
                })
                .optional()?;
            Ok(ConsentState {
                scope,
                granted: row.is_some_and(|(g, _)| g),
                changed_at_ms: row.map(|(_, at)| at),
            })
        })
        .collect()
}

pub(crate) fn require(conn: &Connection, scope: Scope) -> Result<()> {
    let granted: Option<bool> = conn
        .query_row(
            "SELECT granted FROM consent WHERE scope = ?1",
            [scope.as_str()],
            |r| r.get(0),
        )
        .optional()?;
    if granted == Some(true) {
        Ok(())
    } else {
        Err(Error::ConsentRequired(scope))
    }
}

fn record(tx: &Transaction<'_>, scope: Scope, granted: bool, now_ms: i64) -> Result<()> {
    tx.execute(
        "INSERT INTO consent (scope, granted, changed_at_ms) VALUES (?1, ?2, ?3)
         ON CONFLICT (scope) DO UPDATE SET granted = excluded.granted,
                                           changed_at_ms = excluded.changed_at_ms",
        params![scope.as_str(), granted, now_ms],
    )?;
    tx.execute(
        "INSERT INTO consent_log (scope, action, at_ms) VALUES (?1, ?2, ?3)",
        params![
            scope.as_str(),
            if granted { "grant" } else { "revoke" },
            now_ms
        ],
    )?;
    Ok(())
}

pub(crate) fn grant(db: &Db, scope: Scope, now_ms: i64) -> Result<()> {
    db.write(|tx| record(tx, scope, true, now_ms))?;
    log::info!("consent granted: {scope}");
    Ok(())
}

/// Revokes `scope` and erases what was derived under it: rows deleted with
/// `secure_delete` on (freed pages are zeroed), the WAL checkpointed and truncated,
/// then VACUUM rebuilds the file so no free page keeps old content.
pub(crate) fn revoke(db: &Db, scope: Scope, now_ms: i64) -> Result<PurgeReport> {
    let rows_deleted = db.write(|tx| {
        let mut n = 0;
        if scope == Scope::Faces {
            // "Don't include me" outlives the face data: excluded people's faces are kept
            // as boxes (the user's wish, no biometrics), as for position-based exclusion.
            crate::people::store::keep_exclusions_as_boxes(tx, now_ms)?;
        }
        for table in scope.tables() {
            n += tx.execute(&format!("DELETE FROM {table}"), [])? as u64;
        }
        record(tx, scope, false, now_ms)?;
        // Audited in the same transaction, so the compaction below leaves an empty WAL.
        let detail = format!("{scope}: {n} derived rows erased");
        super::audit::record(tx, now_ms, "consent_revoke", None, None, Some(&detail))?;
        Ok(n)
    })?;
    let database_bytes = db.compact()?;
    log::info!("consent revoked: {scope}, {rows_deleted} derived rows erased");
    Ok(PurgeReport {
        rows_deleted,
        database_bytes,
    })
}

/// Deletes everything derived from these assets (their file changed, or they went away
/// and foreign keys are not enough because the row stays).
pub(crate) fn purge_derived_for_assets(tx: &Transaction<'_>, ids: &[i64]) -> Result<()> {
    for scope in Scope::ALL {
        // People and blocklist rows belong to no photo; empty people go at the next pass.
        for table in scope
            .tables()
            .iter()
            .filter(|t| !matches!(**t, "persons" | "person_blocklist"))
        {
            let sql = if *table == "suggestions" {
                // Suggestions are not per asset: those that used the asset go.
                "DELETE FROM suggestions WHERE id IN
                   (SELECT suggestion_id FROM suggestion_assets WHERE asset_id = ?1)"
                    .to_string()
            } else {
                format!("DELETE FROM {table} WHERE asset_id = ?1")
            };
            let mut stmt = tx.prepare_cached(&sql)?;
            for id in ids {
                stmt.execute([id])?;
            }
        }
    }
    Ok(())
}
