//! What collages need from the store: photo sizes, faces and files.

use rusqlite::{params, Connection, OptionalExtension};

use super::crop::Rect;
use super::layout::LayoutPhoto;
use super::render::FileSource;
use crate::vision::decode::Hint;
use crate::vision::orient;
use crate::Result;

/// Sizes and faces of `ids` (in that order), and their files; ids no longer in the
/// index (or without a known size) are left out.
pub(crate) fn photos(conn: &Connection, ids: &[i64]) -> Result<(Vec<LayoutPhoto>, FileSource)> {
    let root = crate::analysis::store::root(conn)?;
    let mut asset = conn.prepare_cached(
        "SELECT origin, uri, width, height, orientation, thumb_offset, thumb_len
         FROM assets WHERE id = ?1 AND status = 'ok' AND kind != 'video'",
    )?;
    let mut faces =
        conn.prepare_cached("SELECT x, y, w, h FROM faces WHERE asset_id = ?1 ORDER BY x, y")?;
    let mut out = Vec::with_capacity(ids.len());
    let mut files = FileSource::new();
    for &id in ids {
        let row = asset
            .query_row(params![id], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<u32>>(2)?,
                    r.get::<_, Option<u32>>(3)?,
                    r.get::<_, Option<u8>>(4)?,
                    r.get::<_, Option<i64>>(5)?.zip(r.get::<_, Option<u32>>(6)?),
                ))
            })
            .optional()?;
        let Some((origin, uri, Some(w), Some(h), orientation, thumb)) = row else {
            continue;
        };
        if w == 0 || h == 0 {
            continue;
        }
        let orientation = orientation.unwrap_or(1);
        let (width, height) = orient::upright_size(w, h, orientation);
        let boxes = faces
            .query_map(params![id], |r| {
                Ok(Rect::new(r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        if let Some(path) = crate::analysis::store::file_path(&origin, &uri, root.as_deref()) {
            files.insert(
                id,
                path,
                Hint {
                    orientation: Some(orientation),
                    thumbnail: thumb.map(|(o, l)| (o as u64, l)),
                },
            );
        }
        out.push(LayoutPhoto {
            asset_id: id,
            width,
            height,
            orientation,
            faces: boxes,
        });
    }
    Ok((out, files))
}
