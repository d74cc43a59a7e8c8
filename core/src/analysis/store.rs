//! Analysis work and results in the store.

use chrono::{DateTime, Utc};
use rusqlite::{named_params, params, Connection, Transaction};

use super::{Job, Outcome};
use crate::clock::DeviceZone;
use crate::index::assets;
use crate::index::location::{self, HAS_FILE};
use crate::metadata::Probe;
use crate::pixels::{Location, TRANSIENT_KINDS};
use crate::vision::content::FileCues;
use crate::vision::dedupe::Hashed;
use crate::Result;

/// The models of a run: face detector and classifier (their sha256), when given.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Shas<'a> {
    pub faces: Option<&'a str>,
    pub themes: Option<&'a str>,
}

/// Photos needing pixel analysis, or face analysis with `:sha` / classification with
/// `:csha` (when given), or asking the host again after a transient failure recorded
/// before run `:run`.
fn pending_from() -> String {
    format!(
        "FROM assets a
         LEFT JOIN photo_signals s ON s.asset_id = a.id
         LEFT JOIN face_analysis f ON f.asset_id = a.id
         LEFT JOIN theme_analysis k ON k.asset_id = a.id
         WHERE a.status = 'ok' AND a.kind != 'video'
           AND (s.asset_id IS NULL
                OR (s.error IN {TRANSIENT_KINDS} AND coalesce(s.attempt_run, 0) < :run)
                OR (:sha IS NOT NULL AND s.error IS NULL
                    AND (f.model_sha256 IS NULL OR f.model_sha256 != :sha))
                OR (:csha IS NOT NULL AND s.error IS NULL
                    AND (k.model_sha256 IS NULL OR k.model_sha256 != :csha)))"
    )
}

/// Starts an analysis run: its number, one more than the last.
pub(crate) fn next_run(tx: &Transaction<'_>) -> Result<i64> {
    const KEY: &str = "analysis_runs";
    let last: i64 = crate::index::meta::get(tx, KEY)?
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    crate::index::meta::set(tx, KEY, &(last + 1).to_string())?;
    Ok(last + 1)
}

/// (pending photos with a readable file, host photos without one).
pub(crate) fn pending_counts(conn: &Connection, shas: Shas<'_>, run: i64) -> Result<(u64, u64)> {
    location::readable_counts(
        conn,
        &pending_from(),
        named_params! {":sha": shas.faces, ":csha": shas.themes, ":run": run},
    )
}

/// The next `limit` jobs: the recent window first (newest first), then older photos.
/// Host photos without a file are included only `with_host` (a pixel source is given).
pub(crate) fn pending(
    conn: &Connection,
    shas: Shas<'_>,
    run: i64,
    with_host: bool,
    recent_start: DateTime<Utc>,
    limit: usize,
) -> Result<Vec<Job>> {
    let root = location::folder_root(conn)?;
    let sql = format!(
        "SELECT a.id, (:sha IS NOT NULL AND (f.model_sha256 IS NULL OR f.model_sha256 != :sha)),
                (:csha IS NOT NULL AND (k.model_sha256 IS NULL OR k.model_sha256 != :csha)),
                a.captured_utc_ms, a.lat, a.lon, a.screenshot, a.format, a.make IS NOT NULL OR a.model IS NOT NULL, a.width, a.height,
                {cols}
         {from} AND (:with_host OR {HAS_FILE})
         ORDER BY a.captured_utc_ms >= :recent DESC, a.captured_utc_ms DESC, a.id
         LIMIT :limit",
        cols = location::COLUMNS,
        from = pending_from(),
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(
        named_params! {
            ":sha": shas.faces,
            ":csha": shas.themes,
            ":run": run,
            ":with_host": with_host,
            ":recent": recent_start.timestamp_millis(),
            ":limit": limit as i64,
        },
        |r| {
            let dated = Dated {
                needs_themes: r.get(2)?,
                utc: DateTime::from_timestamp_millis(r.get(3)?),
                gps: r.get::<_, Option<f64>>(4)?.zip(r.get::<_, Option<f64>>(5)?),
            };
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, bool>(1)?,
                dated,
                FileCues {
                    flagged: r.get::<_, bool>(6)?,
                    png: r.get::<_, Option<String>>(7)?.as_deref() == Some("png"),
                    camera_exif: r.get::<_, bool>(8)?,
                    size: r
                        .get::<_, Option<u32>>(9)?
                        .zip(r.get::<_, Option<u32>>(10)?),
                },
                location::row(r, 11)?,
            ))
        },
    )?;
    let mut jobs = Vec::new();
    for row in rows {
        let (id, needs_faces, dated, cues, loc) = row?;
        jobs.push(Job {
            id,
            location: Location::of(loc, root.as_deref()),
            cues,
            needs_faces,
            needs_themes: dated.needs_themes,
            utc: dated.utc,
            gps: dated.gps,
        });
    }
    Ok(jobs)
}

/// What a pending row says about classification and the sun.
struct Dated {
    needs_themes: bool,
    utc: Option<DateTime<Utc>>,
    gps: Option<(f64, f64)>,
}

pub(crate) fn save(
    tx: &Transaction<'_>,
    batch: &[(Job, Outcome)],
    shas: Shas<'_>,
    run: i64,
    zone: DeviceZone,
    now: DateTime<Utc>,
) -> Result<u64> {
    let now_ms = now.timestamp_millis();
    let mut filled = 0;
    for (job, outcome) in batch {
        match outcome {
            Outcome::Done {
                quality: q,
                content,
                dhash,
                phash,
                edits,
                faces,
                metadata,
                themes,
            } => {
                if let (Some(a), Some(csha)) = (themes, shas.themes) {
                    crate::themes::store::save(tx, job.id, a, csha, now_ms)?;
                }
                if let Some(probe) = metadata {
                    filled += u64::from(fill_from_file(tx, job.id, probe, zone)?);
                }
                tx.prepare_cached(
                    "INSERT OR REPLACE INTO photo_signals
                       (asset_id, sharpness, brightness, clipped_high, clipped_low, dhash, phash, quality,
                        screenshot_like, document_like, analysed_at_ms, error, edit_hashes)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, NULL, ?12)",
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
                    now_ms,
                    edits.to_bytes()
                ])?;
                if let (Some(faces), Some(sha)) = (faces, shas.faces) {
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
            Outcome::Failed(e) => {
                let attempt = e.transient().then_some(run);
                failed(tx, job.id, now_ms, e.kind(), attempt)?;
            }
            Outcome::TimedOut => failed(tx, job.id, now_ms, "time_budget", None)?,
        }
    }
    Ok(filled)
}

/// Fills what the asset's record lacked from its original's metadata; true if it did.
fn fill_from_file(tx: &Transaction<'_>, id: i64, probe: &Probe, zone: DeviceZone) -> Result<bool> {
    let Some(stored) = assets::get(tx, id)? else {
        return Ok(false);
    };
    match crate::library::fill::fill_missing(&stored.asset, probe, zone) {
        Some(filled) => {
            assets::update_metadata(tx, id, &filled)?;
            Ok(true)
        }
        None => Ok(false),
    }
}

/// Records why a photo could not be analysed; `attempt` (the run) for transient reasons.
fn failed(
    tx: &Transaction<'_>,
    id: i64,
    now_ms: i64,
    kind: &str,
    attempt: Option<i64>,
) -> Result<()> {
    tx.prepare_cached(
        "INSERT OR REPLACE INTO photo_signals (asset_id, analysed_at_ms, error, attempt_run)
         VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![id, now_ms, kind, attempt])?;
    Ok(())
}

pub(crate) fn hashed(conn: &Connection) -> Result<Vec<Hashed>> {
    let mut stmt = conn.prepare(
        "SELECT s.asset_id, a.captured_utc_ms, s.dhash, s.phash, coalesce(s.quality, 0),
                s.edit_hashes
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
            edits: r
                .get::<_, Option<Vec<u8>>>(5)?
                .as_deref()
                .and_then(crate::vision::edits::EditHashes::from_bytes),
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
