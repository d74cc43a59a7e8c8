//! Theme results in the store: written by the analysis job, read by the theme search,
//! the suggestions and the export.

use rusqlite::{params, Connection, Transaction};
use serde::Serialize;

use super::score::class_word;
use super::{Assessment, Theme};
use crate::Result;

/// Theme scores under this are not stored.
const MIN_STORED: f32 = 0.02;

/// Replaces a photo's themes and classes with `a`, made by the model `sha`.
pub(crate) fn save(
    tx: &Transaction<'_>,
    asset_id: i64,
    a: &Assessment,
    sha: &str,
    now_ms: i64,
) -> Result<()> {
    clear(tx, asset_id)?;
    let mut theme =
        tx.prepare_cached("INSERT INTO photo_themes (asset_id, theme, score) VALUES (?1, ?2, ?3)")?;
    for t in Theme::ALL {
        let s = a.scores.get(t);
        if s >= MIN_STORED {
            theme.execute(params![asset_id, t.as_str(), f64::from(s)])?;
        }
    }
    let mut class = tx.prepare_cached(
        "INSERT INTO photo_classes (asset_id, class, probability) VALUES (?1, ?2, ?3)",
    )?;
    for (c, p) in &a.classes {
        class.execute(params![asset_id, c, f64::from(*p)])?;
    }
    tx.prepare_cached(
        "INSERT OR REPLACE INTO theme_analysis (asset_id, model_sha256, analysed_at_ms)
         VALUES (?1, ?2, ?3)",
    )?
    .execute(params![asset_id, sha, now_ms])?;
    Ok(())
}

fn clear(tx: &Transaction<'_>, asset_id: i64) -> Result<()> {
    for sql in [
        "DELETE FROM photo_themes WHERE asset_id = ?1",
        "DELETE FROM photo_classes WHERE asset_id = ?1",
    ] {
        tx.prepare_cached(sql)?.execute([asset_id])?;
    }
    Ok(())
}

/// A photo showing a theme.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ThemedPhoto {
    pub asset_id: i64,
    /// The photo's source id (path relative to the scanned folder, or host id).
    pub source_id: String,
    pub score: f64,
}

/// Photos showing `theme` (at or over its threshold), best first; hidden photos and
/// photos in hidden ranges or excluded albums are left out.
pub(crate) fn photos_by_theme(conn: &Connection, theme: Theme) -> Result<Vec<ThemedPhoto>> {
    let mut stmt = conn.prepare_cached(
        "SELECT a.id, a.source_id, t.score
         FROM photo_themes t JOIN assets a ON a.id = t.asset_id
         WHERE t.theme = ?1 AND t.score >= ?2 AND a.status = 'ok'
           AND NOT EXISTS (SELECT 1 FROM hidden_assets h WHERE h.source_id = a.source_id)
           AND NOT EXISTS (SELECT 1 FROM hidden_ranges r
                           WHERE a.captured_utc_ms BETWEEN r.start_ms AND r.end_ms)
           AND NOT EXISTS (SELECT 1 FROM excluded_albums x WHERE x.album = a.album)
         ORDER BY t.score DESC, a.captured_utc_ms DESC, a.id",
    )?;
    let rows = stmt.query_map(params![theme.as_str(), f64::from(theme.threshold())], |r| {
        Ok(ThemedPhoto {
            asset_id: r.get(0)?,
            source_id: r.get(1)?,
            score: r.get(2)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A photo's themes at the default thresholds, with its top classes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PhotoTheme {
    pub asset_id: i64,
    pub source_id: String,
    /// (theme, score), best first.
    pub themes: Vec<(Theme, f64)>,
    /// (ImageNet class word, probability) for the kept classes that count toward a
    /// theme, most probable first.
    pub classes: Vec<(String, f64)>,
}

/// Every classified photo's themes, by source id.
pub(crate) fn all(conn: &Connection) -> Result<Vec<PhotoTheme>> {
    let mut out: Vec<PhotoTheme> = Vec::new();
    let mut stmt = conn.prepare(
        "SELECT a.id, a.source_id FROM theme_analysis k JOIN assets a ON a.id = k.asset_id
         ORDER BY a.source_id",
    )?;
    let ids = stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?;
    let mut themes = conn.prepare_cached(
        "SELECT theme, score FROM photo_themes WHERE asset_id = ?1 ORDER BY score DESC, theme",
    )?;
    let mut classes = conn.prepare_cached(
        "SELECT class, probability FROM photo_classes WHERE asset_id = ?1
         ORDER BY probability DESC, class",
    )?;
    for row in ids {
        let (id, source_id) = row?;
        let t = themes
            .query_map([id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, f64>(1)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?
            .into_iter()
            .filter_map(|(t, s)| Theme::parse(&t).map(|t| (t, s)))
            .filter(|(t, s)| *s >= f64::from(t.threshold()))
            .collect();
        let c = classes
            .query_map([id], |r| Ok((r.get::<_, u16>(0)?, r.get::<_, f64>(1)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?
            .into_iter()
            .filter_map(|(c, p)| class_word(c).map(|w| (w.to_string(), p)))
            .collect();
        out.push(PhotoTheme {
            asset_id: id,
            source_id,
            themes: t,
            classes: c,
        });
    }
    Ok(out)
}

/// Theme scores per photo id (all stored scores), for the suggestions.
pub(crate) fn scores(conn: &Connection) -> Result<Vec<(i64, Theme, f32)>> {
    let mut stmt = conn.prepare("SELECT asset_id, theme, score FROM photo_themes")?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, f64>(2)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, t, s) = row?;
        if let Some(t) = Theme::parse(&t) {
            out.push((id, t, s as f32));
        }
    }
    Ok(out)
}

/// Per photo, its most probable class that counts toward a theme.
pub(crate) fn top_classes(conn: &Connection) -> Result<Vec<(i64, u16)>> {
    let mut stmt = conn.prepare(
        "SELECT asset_id, class FROM photo_classes ORDER BY asset_id, probability DESC, class",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, u16>(1)?)))?;
    let mut out: Vec<(i64, u16)> = Vec::new();
    for row in rows {
        let (id, class) = row?;
        if out.last().is_some_and(|(last, _)| *last == id) || class_word(class).is_none() {
            continue;
        }
        out.push((id, class));
    }
    Ok(out)
}
