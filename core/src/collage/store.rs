//! What collages need from the store: photo sizes, faces and files.

use rusqlite::{params, Connection, OptionalExtension};

use super::crop::Rect;
use super::layout::LayoutPhoto;
use crate::index::location;
use crate::pixels::{AssetPixels, Location};
use crate::vision::orient;
use crate::Result;

/// Sizes and faces of `ids` (in that order), and where their pixels are (files, or the
/// host); ids no longer in the index are left out, and those without a known size have
/// pixels but no layout entry.
pub(crate) fn photos(conn: &Connection, ids: &[i64]) -> Result<(Vec<LayoutPhoto>, AssetPixels)> {
    let root = location::folder_root(conn)?;
    let mut asset = conn.prepare_cached(&format!(
        "SELECT {} FROM assets a WHERE a.id = ?1 AND a.status = 'ok' AND a.kind != 'video'",
        location::COLUMNS
    ))?;
    let mut faces =
        conn.prepare_cached("SELECT x, y, w, h FROM faces WHERE asset_id = ?1 ORDER BY x, y")?;
    let mut out = Vec::with_capacity(ids.len());
    let mut pixels = AssetPixels::new();
    for &id in ids {
        let row = asset
            .query_row(params![id], |r| location::row(r, 0))
            .optional()?;
        let Some(row) = row else {
            continue;
        };
        let orientation = row.orientation.unwrap_or(1);
        let size = row.size.filter(|(w, h)| *w > 0 && *h > 0);
        let mut location = Location::of(row, root.as_deref());
        // The layout turns stored pixels upright by this orientation: pixels must too.
        if let Location::File { hint, .. } = &mut location {
            hint.orientation = Some(orientation);
        }
        // Pixels of a photo without a known size can still be drawn on their own (a
        // host photo whose source answered with RGBA); layouts need the size.
        pixels.insert(id, location);
        let Some((w, h)) = size else {
            continue;
        };
        let (width, height) = orient::upright_size(w, h, orientation);
        let boxes = faces
            .query_map(params![id], |r| {
                Ok(Rect::new(r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        out.push(LayoutPhoto {
            asset_id: id,
            width,
            height,
            orientation,
            faces: boxes,
        });
    }
    Ok((out, pixels))
}
