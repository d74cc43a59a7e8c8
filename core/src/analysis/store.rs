//! Analysis work and results in the store.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, Transaction};

use super::{Job, Outcome};
use crate::vision::content::FileCues;
use crate::vision::decode::Hint;
use crate::vision::dedupe::Hashed;
use crate::Result;

/// Photos needing pixel analysis, or face analysis with `model` (when given).
const PENDING: &str = "
    FROM assets a
    LEFT JOIN photo_signals s ON s.asset_id = a.id
    LEFT JOIN face_analysis f ON f.asset_id = a.id
    WHERE a.status = 'ok' AND a.kind != 'video'
      AND (s.asset_id IS NULL
           OR (?1 IS NOT NULL AND s.error IS NULL AND (f.model_sha256 IS NULL OR f.model_sha256 != ?1)))";

pub(crate) fn root(conn: &Connection) -> Result<Option<PathBuf>> {
    Ok(crate::index::meta::get(conn, crate::keepsake::FOLDER_ROOT_KEY)?.map(PathBuf::from))
}

/// The readable file behind an asset: a folder scan's path under its root, or a host
/// record whose URI is an absolute path; `None` for content:// and ph:// assets.
pub(crate) fn file_path(origin: &str, uri: &str, root: Option<&Path>) -> Option<PathBuf> {
    match (origin, root) {
        ("folder", Some(root)) => Some(root.join(uri)),
        _ if uri.starts_with('/') => Some(PathBuf::from(uri)),
        _ => None,
    }
}

/// (pending photos with a readable file, host photos without one).
pub(crate) fn pending_counts(conn: &Connection, sha: Option<&str>) -> Result<(u64, u64)> {
    readable_counts(conn, PENDING, &sha)
}

/// Rows of `from` (a FROM … WHERE clause over `assets a`, with one parameter) counted as
/// (in assets with a readable file, in host assets without one).
pub(crate) fn readable_counts(
    conn: &Connection,
    from: &str,
    param: &dyn rusqlite::ToSql,
) -> Result<(u64, u64)> {
    let sql = format!("SELECT a.origin = 'folder' OR a.uri LIKE '/%', count(*) {from} GROUP BY 1");
    let mut stmt = conn.prepare(&sql)?;
    let (mut files, mut host) = (0, 0);
    for row in stmt.query_map([param], |r| Ok((r.get::<_, bool>(0)?, r.get::<_, i64>(1)?)))? {
        let (readable, n) = row?;
        if readable {
            files += n as u64;
        } else {
            host += n as u64;
        }
    }
    Ok((files, host))
}

/// The next `limit` jobs: the recent window first (newest first), then older photos.
pub(crate) fn pending(
    conn: &Connection,
    sha: Option<&str>,
    recent_start: DateTime<Utc>,
    limit: usize,
) -> Result<Vec<Job>> {
    let root = root(conn)?;
    let sql = format!(
        "SELECT a.id, a.origin, a.uri, a.orientation, a.thumb_offset, a.thumb_len,
                (?1 IS NOT NULL AND (f.model_sha256 IS NULL OR f.model_sha256 != ?1)),
                a.screenshot, a.format, a.make IS NOT NULL OR a.model IS NOT NULL, a.width, a.height
         {PENDING} AND (a.origin = 'folder' OR a.uri LIKE '/%')
         ORDER BY a.captured_utc_ms >= ?2 DESC, a.captured_utc_ms DESC, a.id
         LIMIT ?3"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(
        params![sha, recent_start.timestamp_millis(), limit as i64],
        |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Option<u8>>(3)?,
                r.get::<_, Option<i64>>(4)?.zip(r.get::<_, Option<u32>>(5)?),
                r.get::<_, bool>(6)?,
                FileCues {
                    flagged: r.get::<_, bool>(7)?,
                    png: r.get::<_, Option<String>>(8)?.as_deref() == Some("png"),
                    camera_exif: r.get::<_, bool>(9)?,
                    size: r
                        .get::<_, Option<u32>>(10)?
                        .zip(r.get::<_, Option<u32>>(11)?),
                },
            ))
        },
    )?;
    let mut jobs = Vec::new();
    for row in rows {
        let (id, origin, uri, orientation, thumb, needs_faces, cues) = row?;
        // Rows here have a file (see the query); a folder asset without a root fails to
        // read and is marked, never retried forever.
        let path = file_path(&origin, &uri, root.as_deref()).unwrap_or_else(|| PathBuf::from(&uri));
        jobs.push(Job {
            id,
            path,
            hint: Hint {
                orientation,
                thumbnail: thumb.map(|(o, l)| (o as u64, l)),
            },
            cues,
            needs_faces,
        });
    }
    Ok(jobs)
}

pub(crate) fn save(
    tx: &Transaction<'_>,
    batch: &[(Job, Outcome)],
    sha: Option<&str>,
    now: DateTime<Utc>,
) -> Result<()> {
    let now_ms = now.timestamp_millis();
    for (job, outcome) in batch {
        match outcome {
            Outcome::Done {
                quality: q,
                content,
                dhash,
                phash,
                faces,
            } => {
                tx.prepare_cached(
                    "INSERT OR REPLACE INTO photo_signals
                       (asset_id, sharpness, brightness, clipped_high, clipped_low, dhash, phash, quality,
                        screenshot_like, document_like, analysed_at_ms, error)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, NULL)",
                )?
                .execute(params![
                    job.id,
                    q.sharpness,
                    q.brightness,
                    q.clipped_high,
                    q.clipped_low,
                    *dhash as i64,
                    *phash as i64,
                    q.score,
                    content.screenshot,
                    content.document,
                    now_ms
                ])?;
                if let (Some(faces), Some(sha)) = (faces, sha) {
                    tx.prepare_cached("DELETE FROM faces WHERE asset_id = ?1")?
                        .execute([job.id])?;
                    let mut insert = tx.prepare_cached(
                        "INSERT INTO faces (asset_id, model_sha256, x, y, w, h, score, landmarks,
                                            frontal, eye_sharpness, quality, analysed_at_ms)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                    )?;
                    for (f, fq) in faces {
                        let lm: Vec<u8> = f
                            .landmarks
                            .iter()
                            .flatten()
                            .flat_map(|v| v.to_le_bytes())
                            .collect();
                        insert.execute(params![
                            job.id,
                            sha,
                            f.x,
                            f.y,
                            f.w,
                            f.h,
                            f.score,
                            lm,
                            fq.frontal,
                            fq.eye_sharpness,
                            fq.score,
                            now_ms
                        ])?;
                    }
                    tx.prepare_cached(
                        "INSERT OR REPLACE INTO face_analysis (asset_id, model_sha256, analysed_at_ms) VALUES (?1, ?2, ?3)",
                    )?
                    .execute(params![job.id, sha, now_ms])?;
                }
            }
            Outcome::Failed(kind) => {
                tx.prepare_cached(
                    "INSERT OR REPLACE INTO photo_signals (asset_id, analysed_at_ms, error) VALUES (?1, ?2, ?3)",
                )?
                .execute(params![job.id, now_ms, kind])?;
            }
        }
    }
    Ok(())
}

pub(crate) fn hashed(conn: &Connection) -> Result<Vec<Hashed>> {
    let mut stmt = conn.prepare(
        "SELECT s.asset_id, a.captured_utc_ms, s.dhash, s.phash, coalesce(s.quality, 0)
         FROM photo_signals s JOIN assets a ON a.id = s.asset_id
         WHERE s.dhash IS NOT NULL AND s.phash IS NOT NULL",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(Hashed {
            id: r.get(0)?,
            utc: DateTime::from_timestamp_millis(r.get(1)?).unwrap_or_default(),
            dhash: r.get::<_, i64>(2)? as u64,
            phash: r.get::<_, i64>(3)? as u64,
            quality: r.get::<_, f64>(4)? as f32,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Each group's members get the group leader's (best shot's) id; others none.
pub(crate) fn set_duplicate_groups(tx: &Transaction<'_>, groups: &[Vec<i64>]) -> Result<()> {
    tx.execute(
        "UPDATE photo_signals SET duplicate_group = NULL WHERE duplicate_group IS NOT NULL",
        [],
    )?;
    let mut stmt =
        tx.prepare_cached("UPDATE photo_signals SET duplicate_group = ?1 WHERE asset_id = ?2")?;
    for g in groups {
        for id in g {
            stmt.execute([g[0], *id])?;
        }
    }
    Ok(())
}

/// A stored face detection, for listing and for "don't include me".
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct StoredFace {
    pub id: i64,
    pub asset_id: i64,
    /// The photo's source id (path relative to the scanned folder, or host id).
    pub asset: String,
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
    pub score: f64,
    pub quality: Option<f64>,
    pub excluded: bool,
}

/// Every stored face, by photo then position.
pub fn stored_faces(conn: &Connection) -> Result<Vec<StoredFace>> {
    let mut stmt = conn.prepare(
        "SELECT f.id, a.id, a.source_id, f.x, f.y, f.w, f.h, f.score, f.quality,
                EXISTS (SELECT 1 FROM face_exclusions e WHERE e.asset_id = f.asset_id
                          AND abs(e.x - f.x) < 0.5 AND abs(e.y - f.y) < 0.5
                          AND abs(e.w - f.w) < 0.5 AND abs(e.h - f.h) < 0.5)
         FROM faces f JOIN assets a ON a.id = f.asset_id
         ORDER BY a.source_id, f.x, f.y",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(StoredFace {
            id: r.get(0)?,
            asset_id: r.get(1)?,
            asset: r.get(2)?,
            x: r.get(3)?,
            y: r.get(4)?,
            w: r.get(5)?,
            h: r.get(6)?,
            score: r.get(7)?,
            quality: r.get(8)?,
            excluded: r.get(9)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
