//! Asset rows: insert/update, lookups for incremental sync, and queries.

use std::collections::HashMap;

use chrono::{DateTime, FixedOffset, NaiveDateTime, Utc};
use rusqlite::{params, Connection, Row, Transaction};

use crate::library::{Asset, CaptureTime, DateTrust, MediaKind, Origin, StoredAsset};
use crate::metadata::{FileStatus, Format};
use crate::{Error, Result};

const LOCAL_FORMAT: &str = "%Y-%m-%dT%H:%M:%S%.f";

/// What incremental sync needs to know about an indexed asset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Known {
    pub id: i64,
    pub byte_size: Option<u64>,
    pub modified_ms: i64,
    /// The last read failed for a reason that may pass (permissions, I/O): read again.
    pub retry: bool,
}

pub(crate) fn known(conn: &Connection, origin: Origin) -> Result<HashMap<String, Known>> {
    let mut stmt = conn.prepare_cached(
        "SELECT source_id, id, byte_size, modified_ms, status = 'unreadable'
         FROM assets WHERE origin = ?1",
    )?;
    let rows = stmt.query_map([origin.as_str()], |r| {
        Ok((
            r.get::<_, String>(0)?,
            Known {
                id: r.get(1)?,
                byte_size: r.get::<_, Option<i64>>(2)?.map(|v| v as u64),
                modified_ms: r.get(3)?,
                retry: r.get(4)?,
            },
        ))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Inserts or replaces (by `source_id`) an asset; returns its row id. The row id is kept
/// on update so derived data can be re-attached to it after re-analysis.
pub(crate) fn upsert(tx: &Transaction<'_>, a: &Asset, now_ms: i64) -> Result<i64> {
    let mut stmt = tx.prepare_cached(
        "INSERT INTO assets (source_id, origin, uri, mime, format, byte_size, modified_ms,
            captured_local, captured_offset, captured_utc_ms, date_trust, width, height,
            orientation, lat, lon, make, model, thumb_offset, thumb_len, album, favorite,
            screenshot, kind, duration_ms, status, error, indexed_at_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
            ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28)
         ON CONFLICT (source_id) DO UPDATE SET
            origin = excluded.origin, uri = excluded.uri, mime = excluded.mime,
            format = excluded.format, byte_size = excluded.byte_size,
            modified_ms = excluded.modified_ms, captured_local = excluded.captured_local,
            captured_offset = excluded.captured_offset,
            captured_utc_ms = excluded.captured_utc_ms, date_trust = excluded.date_trust,
            width = excluded.width, height = excluded.height,
            orientation = excluded.orientation, lat = excluded.lat, lon = excluded.lon,
            make = excluded.make, model = excluded.model,
            thumb_offset = excluded.thumb_offset, thumb_len = excluded.thumb_len,
            album = excluded.album, favorite = excluded.favorite,
            screenshot = excluded.screenshot, kind = excluded.kind,
            duration_ms = excluded.duration_ms, status = excluded.status,
            error = excluded.error, indexed_at_ms = excluded.indexed_at_ms
         RETURNING id",
    )?;
    let c = &a.captured;
    let id = stmt.query_row(
        params![
            a.source_id,
            a.origin.as_str(),
            a.uri,
            a.mime,
            a.format.map(Format::as_str),
            a.byte_size.map(|v| v as i64),
            a.modified_ms,
            c.local.format(LOCAL_FORMAT).to_string(),
            c.offset.map(|o| o.local_minus_utc()),
            c.utc.timestamp_millis(),
            c.trust.code(),
            a.width,
            a.height,
            a.orientation,
            a.gps.map(|g| g.0),
            a.gps.map(|g| g.1),
            a.make,
            a.model,
            a.thumbnail.map(|t| t.0 as i64),
            a.thumbnail.map(|t| t.1),
            a.album,
            a.favorite,
            a.screenshot,
            a.kind.as_str(),
            a.duration_ms.map(|v| v as i64),
            a.status.as_str(),
            a.error,
            now_ms,
        ],
        |r| r.get(0),
    )?;
    Ok(id)
}

pub(crate) fn delete(tx: &Transaction<'_>, ids: &[i64]) -> Result<()> {
    let mut stmt = tx.prepare_cached("DELETE FROM assets WHERE id = ?1")?;
    for id in ids {
        stmt.execute([id])?;
    }
    Ok(())
}

/// The row id of an asset by source id.
pub(crate) fn id_of(conn: &Connection, source_id: &str) -> Result<Option<i64>> {
    use rusqlite::OptionalExtension;
    Ok(conn
        .prepare_cached("SELECT id FROM assets WHERE source_id = ?1")?
        .query_row([source_id], |r| r.get(0))
        .optional()?)
}

/// Deletes assets by source id (with everything derived, by cascade); returns how many.
pub(crate) fn delete_by_source(tx: &Transaction<'_>, source_ids: &[String]) -> Result<u64> {
    let mut n = 0;
    let mut stmt = tx.prepare_cached("DELETE FROM assets WHERE source_id = ?1")?;
    for id in source_ids {
        n += stmt.execute([id])? as u64;
    }
    Ok(n)
}

const COLUMNS: &str = "id, source_id, origin, uri, mime, format, byte_size, modified_ms,
    captured_local, captured_offset, captured_utc_ms, date_trust, width, height, orientation,
    lat, lon, make, model, thumb_offset, thumb_len, album, favorite, screenshot, kind,
    duration_ms, status, error";

/// Every asset of `origin` (all when `None`), ordered by source id.
pub(crate) fn all(conn: &Connection, origin: Option<Origin>) -> Result<Vec<StoredAsset>> {
    let sql =
        format!("SELECT {COLUMNS} FROM assets WHERE ?1 IS NULL OR origin = ?1 ORDER BY source_id");
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map([origin.map(Origin::as_str)], from_row)?;
    collect(rows)
}

/// Media assets captured in `[start, end)`, oldest first.
pub(crate) fn between(
    conn: &Connection,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> Result<Vec<StoredAsset>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM assets
         WHERE captured_utc_ms >= ?1 AND captured_utc_ms < ?2 AND status IN ('ok', 'too_large')
         ORDER BY captured_utc_ms, source_id"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map([start.timestamp_millis(), end.timestamp_millis()], from_row)?;
    collect(rows)
}

/// Every media asset as the timeline logic sees it, with its source id, oldest first.
pub(crate) fn timeline(
    conn: &Connection,
    junk: &crate::moments::JunkAlbums,
) -> Result<Vec<(crate::moments::Photo, String)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, source_id, captured_utc_ms, captured_local, date_trust, lat, lon, favorite,
                screenshot, album
         FROM assets WHERE status IN ('ok', 'too_large')
         ORDER BY captured_utc_ms, id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, i64>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, i64>(4)?,
            r.get::<_, Option<f64>>(5)?.zip(r.get::<_, Option<f64>>(6)?),
            r.get::<_, bool>(7)?,
            r.get::<_, bool>(8)?,
            r.get::<_, Option<String>>(9)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, source_id, utc_ms, local, trust, gps, favorite, screenshot, album) = row?;
        let utc = DateTime::from_timestamp_millis(utc_ms)
            .ok_or_else(|| Error::CorruptStore("bad captured_utc_ms".into()))?;
        let trust = DateTrust::from_code(trust)
            .ok_or_else(|| Error::CorruptStore("bad date_trust".into()))?;
        let junk = screenshot || album.as_deref().is_some_and(|a| junk.matches(a));
        let photo = crate::moments::Photo {
            id,
            utc,
            local: parse_local(&local)?,
            trust,
            gps,
            favorite,
            junk,
        };
        out.push((photo, source_id));
    }
    Ok(out)
}

/// Rows whose instant depends on the device zone (no offset known).
pub(crate) fn zone_dependent(conn: &Connection) -> Result<Vec<(i64, NaiveDateTime)>> {
    let mut stmt =
        conn.prepare_cached("SELECT id, captured_local FROM assets WHERE captured_offset IS NULL")?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?;
    let mut out = Vec::new();
    for row in rows {
        let (id, local) = row?;
        out.push((id, parse_local(&local)?));
    }
    Ok(out)
}

pub(crate) fn set_instant(tx: &Transaction<'_>, id: i64, utc: DateTime<Utc>) -> Result<()> {
    tx.prepare_cached("UPDATE assets SET captured_utc_ms = ?2 WHERE id = ?1")?
        .execute(params![id, utc.timestamp_millis()])?;
    Ok(())
}

/// One asset by row id.
pub(crate) fn get(conn: &Connection, id: i64) -> Result<Option<StoredAsset>> {
    let sql = format!("SELECT {COLUMNS} FROM assets WHERE id = ?1");
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map([id], from_row)?;
    Ok(collect(rows)?.pop())
}

/// Rewrites what a file's metadata can tell of an asset (capture time and trust,
/// place, orientation, size, camera), leaving the rest as it is.
pub(crate) fn update_metadata(tx: &Transaction<'_>, id: i64, a: &Asset) -> Result<()> {
    let c = &a.captured;
    tx.prepare_cached(
        "UPDATE assets SET captured_local = ?2, captured_offset = ?3, captured_utc_ms = ?4,
            date_trust = ?5, lat = ?6, lon = ?7, orientation = ?8, width = ?9, height = ?10,
            make = ?11, model = ?12
         WHERE id = ?1",
    )?
    .execute(params![
        id,
        c.local.format(LOCAL_FORMAT).to_string(),
        c.offset.map(|o| o.local_minus_utc()),
        c.utc.timestamp_millis(),
        c.trust.code(),
        a.gps.map(|g| g.0),
        a.gps.map(|g| g.1),
        a.orientation,
        a.width,
        a.height,
        a.make,
        a.model,
    ])?;
    Ok(())
}

fn collect(
    rows: impl Iterator<Item = rusqlite::Result<rusqlite::Result<StoredAsset>>>,
) -> Result<Vec<StoredAsset>> {
    let mut out = Vec::new();
    for row in rows {
        out.push(row??);
    }
    Ok(out)
}

fn parse_local(s: &str) -> Result<NaiveDateTime> {
    NaiveDateTime::parse_from_str(s, LOCAL_FORMAT)
        .map_err(|_| Error::CorruptStore("bad captured_local".into()))
}

fn bad(what: &str) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        0,
        rusqlite::types::Type::Text,
        format!("invalid {what}").into(),
    )
}

/// Maps a row; the outer result is rusqlite's, the inner one catches values no version
/// of this library writes.
fn from_row(r: &Row<'_>) -> rusqlite::Result<rusqlite::Result<StoredAsset>> {
    let local: String = r.get(8)?;
    let Ok(local) = NaiveDateTime::parse_from_str(&local, LOCAL_FORMAT) else {
        return Ok(Err(bad("captured_local")));
    };
    let offset = r.get::<_, Option<i32>>(9)?.and_then(FixedOffset::east_opt);
    let Some(utc) = DateTime::from_timestamp_millis(r.get(10)?) else {
        return Ok(Err(bad("captured_utc_ms")));
    };
    let Some(trust) = DateTrust::from_code(r.get(11)?) else {
        return Ok(Err(bad("date_trust")));
    };
    let origin: String = r.get(2)?;
    let kind: String = r.get(24)?;
    let status: String = r.get(26)?;
    let (Some(origin), Some(kind), Some(status)) = (
        Origin::parse(&origin),
        MediaKind::parse(&kind),
        FileStatus::parse(&status),
    ) else {
        return Ok(Err(bad("enum value")));
    };
    let lat: Option<f64> = r.get(15)?;
    let lon: Option<f64> = r.get(16)?;
    let thumb_offset: Option<i64> = r.get(19)?;
    let thumb_len: Option<u32> = r.get(20)?;
    Ok(Ok(StoredAsset {
        id: r.get(0)?,
        asset: Asset {
            source_id: r.get(1)?,
            origin,
            uri: r.get(3)?,
            mime: r.get(4)?,
            format: r
                .get::<_, Option<String>>(5)?
                .as_deref()
                .and_then(Format::parse),
            byte_size: r.get::<_, Option<i64>>(6)?.map(|v| v as u64),
            modified_ms: r.get(7)?,
            captured: CaptureTime {
                local,
                offset,
                utc,
                trust,
            },
            width: r.get(12)?,
            height: r.get(13)?,
            orientation: r.get(14)?,
            gps: lat.zip(lon),
            make: r.get(17)?,
            model: r.get(18)?,
            thumbnail: thumb_offset.map(|o| o as u64).zip(thumb_len),
            album: r.get(21)?,
            favorite: r.get(22)?,
            screenshot: r.get(23)?,
            kind,
            duration_ms: r.get::<_, Option<i64>>(25)?.map(|v| v as u64),
            status,
            error: r.get(27)?,
        },
    }))
}
