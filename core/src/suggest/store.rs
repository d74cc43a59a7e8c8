//! Loading the engine's inputs from the store and saving the user's feedback.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, Transaction};

use super::{HiddenRange, Prefs, Signals, SpecialDate, SpecialKind};
use crate::{Error, Result};

/// A screenshot or document likelihood from this on keeps a photo out of suggestions.
const NON_CAMERA_LIKELIHOOD: f64 = 0.9;

/// Signals of every analysed photo: quality and duplicate group from pixel analysis,
/// face count and largest face share from face analysis.
pub(crate) fn signals(conn: &Connection) -> Result<HashMap<i64, Signals>> {
    let mut out: HashMap<i64, Signals> = HashMap::new();
    let mut stmt = conn.prepare_cached(
        "SELECT asset_id, quality, duplicate_group,
                    coalesce(max(screenshot_like, document_like), 0) >= ?1
             FROM photo_signals",
    )?;
    let rows = stmt.query_map([NON_CAMERA_LIKELIHOOD], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, Option<f64>>(1)?,
            r.get::<_, Option<i64>>(2)?,
            r.get::<_, bool>(3)?,
        ))
    })?;
    for row in rows {
        let (id, quality, group, non_camera) = row?;
        let s = out.entry(id).or_default();
        s.quality = quality.map(|q| q.clamp(0.0, 1.0) as f32);
        s.duplicate_group = group;
        s.non_camera = non_camera;
    }
    for (id, theme, score) in crate::themes::store::scores(conn)? {
        out.entry(id).or_default().themes.0[theme as usize] = score;
    }
    for (id, class) in crate::themes::store::top_classes(conn)? {
        out.entry(id).or_default().top_class = Some(class);
    }
    let mut stmt = conn.prepare_cached(
        "SELECT f.asset_id, count(*), max(f.w * f.h), a.width, a.height
         FROM faces f JOIN assets a ON a.id = f.asset_id GROUP BY f.asset_id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, Option<f64>>(2)?,
            r.get::<_, Option<f64>>(3)?,
            r.get::<_, Option<f64>>(4)?,
        ))
    })?;
    for row in rows {
        let (id, n, largest, w, h) = row?;
        let s = out.entry(id).or_default();
        s.faces = u32::try_from(n).unwrap_or(u32::MAX);
        s.largest_face = match (largest, w, h) {
            (Some(a), Some(w), Some(h)) if w > 0.0 && h > 0.0 => {
                Some((a / (w * h)).clamp(0.0, 1.0) as f32)
            }
            _ => None,
        };
    }
    let mut stmt = conn.prepare_cached("SELECT DISTINCT asset_id FROM face_exclusions")?;
    for id in stmt.query_map([], |r| r.get::<_, i64>(0))? {
        out.entry(id?).or_default().excluded_face = true;
    }
    // Excluded people, and photos not yet checked against them.
    for id in crate::people::store::kept_out_photos(conn)? {
        out.entry(id).or_default().excluded_face = true;
    }
    Ok(out)
}

pub(crate) fn prefs(conn: &Connection) -> Result<Prefs> {
    let ids = |sql: &str| -> Result<HashSet<i64>> {
        let mut stmt = conn.prepare_cached(sql)?;
        let rows = stmt.query_map([], |r| r.get::<_, i64>(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    };
    let mut hidden =
        ids("SELECT a.id FROM assets a JOIN hidden_assets h ON h.source_id = a.source_id")?;
    hidden.extend(ids(
        "SELECT a.id FROM assets a JOIN excluded_albums e ON e.album = a.album",
    )?);
    let mut stmt = conn.prepare_cached("SELECT start_ms, end_ms FROM hidden_ranges ORDER BY id")?;
    let hidden_ranges = stmt
        .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))?
        .filter_map(|r| {
            let (a, b) = r.ok()?;
            Some((
                DateTime::from_timestamp_millis(a)?,
                DateTime::from_timestamp_millis(b)?,
            ))
        })
        .collect();
    let sensitive_places = sensitive_places(conn)?
        .into_iter()
        .map(|s| ((s.lat, s.lon), s.radius_m / 1000.0))
        .collect();
    let mut stmt = conn.prepare_cached("SELECT id FROM dismissed_suggestions")?;
    let dismissed = stmt
        .query_map([], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(Prefs {
        hidden,
        hidden_ranges,
        sensitive_places,
        dismissed,
        special_dates: special_dates(conn)?,
        people: crate::people::store::people_photos(conn)?,
    })
}

pub(crate) fn special_dates(conn: &Connection) -> Result<Vec<SpecialDate>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, label, kind, month, day, year FROM special_dates ORDER BY id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, u32>(3)?,
            r.get::<_, u32>(4)?,
            r.get::<_, Option<i32>>(5)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, label, kind, month, day, year) = row?;
        let kind = SpecialKind::parse(&kind)
            .ok_or_else(|| Error::CorruptStore("bad special date kind".into()))?;
        out.push(SpecialDate {
            id,
            label,
            kind,
            month,
            day,
            year,
        });
    }
    Ok(out)
}

pub(crate) fn dismiss(tx: &Transaction<'_>, id: &str, now_ms: i64) -> Result<()> {
    tx.execute(
        "INSERT OR REPLACE INTO dismissed_suggestions (id, at_ms) VALUES (?1, ?2)",
        params![id, now_ms],
    )?;
    Ok(())
}

pub(crate) fn undismiss(tx: &Transaction<'_>, id: &str) -> Result<bool> {
    Ok(tx.execute("DELETE FROM dismissed_suggestions WHERE id = ?1", [id])? > 0)
}

pub(crate) fn dismissed(conn: &Connection) -> Result<Vec<String>> {
    let mut stmt = conn.prepare("SELECT id FROM dismissed_suggestions ORDER BY at_ms DESC, id")?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub(crate) fn set_hidden(
    tx: &Transaction<'_>,
    source_id: &str,
    hidden: bool,
    now_ms: i64,
) -> Result<()> {
    if hidden {
        tx.execute(
            "INSERT OR REPLACE INTO hidden_assets (source_id, at_ms) VALUES (?1, ?2)",
            params![source_id, now_ms],
        )?;
    } else {
        tx.execute(
            "DELETE FROM hidden_assets WHERE source_id = ?1",
            [source_id],
        )?;
    }
    Ok(())
}

pub(crate) fn hide_range(
    tx: &Transaction<'_>,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> Result<i64> {
    if end < start {
        return Err(Error::InvalidArgument(
            "range end is before its start".into(),
        ));
    }
    tx.execute(
        "INSERT INTO hidden_ranges (start_ms, end_ms) VALUES (?1, ?2)",
        params![start.timestamp_millis(), end.timestamp_millis()],
    )?;
    Ok(tx.last_insert_rowid())
}

/// Hidden time ranges, oldest first.
pub(crate) fn hidden_ranges(conn: &Connection) -> Result<Vec<HiddenRange>> {
    let mut stmt =
        conn.prepare_cached("SELECT id, start_ms, end_ms FROM hidden_ranges ORDER BY id")?;
    let rows = stmt.query_map([], |r| {
        Ok((r.get(0)?, r.get::<_, i64>(1)?, r.get::<_, i64>(2)?))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, a, b) = row?;
        let (Some(a), Some(b)) = (
            DateTime::from_timestamp_millis(a),
            DateTime::from_timestamp_millis(b),
        ) else {
            return Err(Error::CorruptStore("bad hidden range".into()));
        };
        out.push(HiddenRange {
            id,
            start: a,
            end: b,
        });
    }
    Ok(out)
}

pub(crate) fn remove_hidden_range(tx: &Transaction<'_>, id: i64) -> Result<bool> {
    Ok(tx.execute("DELETE FROM hidden_ranges WHERE id = ?1", [id])? > 0)
}

/// The largest radius a sensitive place may have, metres.
pub const MAX_SENSITIVE_RADIUS_M: f64 = 100_000.0;

pub(crate) fn add_sensitive_place(
    tx: &Transaction<'_>,
    lat: f64,
    lon: f64,
    radius_m: f64,
) -> Result<i64> {
    let placed = lat.is_finite()
        && (-90.0..=90.0).contains(&lat)
        && lon.is_finite()
        && (-180.0..=180.0).contains(&lon);
    if !placed {
        return Err(Error::InvalidArgument(
            "a sensitive place needs a latitude in -90..=90 and a longitude in -180..=180".into(),
        ));
    }
    if !(radius_m.is_finite() && radius_m > 0.0 && radius_m <= MAX_SENSITIVE_RADIUS_M) {
        return Err(Error::InvalidArgument(format!(
            "a sensitive place's radius must be over 0 and at most {MAX_SENSITIVE_RADIUS_M} m"
        )));
    }
    tx.execute(
        "INSERT INTO sensitive_places (lat, lon, radius_m) VALUES (?1, ?2, ?3)",
        params![lat, lon, radius_m],
    )?;
    Ok(tx.last_insert_rowid())
}

/// Sensitive places, oldest first.
pub(crate) fn sensitive_places(conn: &Connection) -> Result<Vec<super::SensitivePlace>> {
    let mut stmt =
        conn.prepare_cached("SELECT id, lat, lon, radius_m FROM sensitive_places ORDER BY id")?;
    let rows = stmt.query_map([], |r| {
        Ok(super::SensitivePlace {
            id: r.get(0)?,
            lat: r.get(1)?,
            lon: r.get(2)?,
            radius_m: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub(crate) fn remove_sensitive_place(tx: &Transaction<'_>, id: i64) -> Result<bool> {
    Ok(tx.execute("DELETE FROM sensitive_places WHERE id = ?1", [id])? > 0)
}

pub(crate) fn excluded_albums(conn: &Connection) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached("SELECT album FROM excluded_albums ORDER BY album")?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

const JUNK_KEY: &str = "junk_albums";

/// The junk-album setting (the defaults until the app changes it).
pub(crate) fn junk_albums(conn: &Connection) -> Result<crate::moments::JunkAlbums> {
    match crate::index::meta::get(conn, JUNK_KEY)? {
        Some(v) => serde_json::from_str(&v)
            .map_err(|_| Error::CorruptStore("bad junk album setting".into())),
        None => Ok(Default::default()),
    }
}

pub(crate) fn set_junk_albums(
    tx: &Transaction<'_>,
    junk: &crate::moments::JunkAlbums,
) -> Result<()> {
    junk.validate()?;
    let v = serde_json::to_string(junk).map_err(|e| Error::InvalidArgument(e.to_string()))?;
    crate::index::meta::set(tx, JUNK_KEY, &v)
}

pub(crate) fn set_album_excluded(tx: &Transaction<'_>, album: &str, excluded: bool) -> Result<()> {
    if excluded {
        tx.execute(
            "INSERT OR IGNORE INTO excluded_albums (album) VALUES (?1)",
            [album],
        )?;
    } else {
        tx.execute("DELETE FROM excluded_albums WHERE album = ?1", [album])?;
    }
    Ok(())
}

pub(crate) fn add_special_date(tx: &Transaction<'_>, d: &SpecialDate) -> Result<i64> {
    let label = d.label.trim();
    if label.is_empty() || label.len() > 200 {
        return Err(Error::InvalidArgument("label must be 1..200 bytes".into()));
    }
    // 29 February is a valid date to remember; 30 February is not.
    if chrono::NaiveDate::from_ymd_opt(2000, d.month, d.day).is_none() {
        return Err(Error::InvalidArgument(
            "month/day is not a calendar date".into(),
        ));
    }
    if d.year.is_some_and(|y| !(1850..=2200).contains(&y)) {
        return Err(Error::InvalidArgument("year is out of range".into()));
    }
    tx.execute(
        "INSERT INTO special_dates (label, kind, month, day, year) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![label, d.kind.as_str(), d.month, d.day, d.year],
    )?;
    Ok(tx.last_insert_rowid())
}

pub(crate) fn remove_special_date(tx: &Transaction<'_>, id: i64) -> Result<bool> {
    Ok(tx.execute("DELETE FROM special_dates WHERE id = ?1", [id])? > 0)
}
