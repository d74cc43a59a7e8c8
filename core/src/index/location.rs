//! Where an asset's bytes are: the scanned folder's root (kept on the device only) and
//! the row columns that say whether an asset has a readable file or only the host has it.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, Row, Transaction};

use crate::Result;

const FOLDER_ROOT_KEY: &str = "folder_root";

/// SQL over `assets a`: true when the asset has a readable file.
pub(crate) const HAS_FILE: &str = "(a.origin = 'folder' OR a.uri LIKE '/%')";

/// Columns over `assets a` read by [`row`], in this order.
pub(crate) const COLUMNS: &str = "a.source_id, a.origin, a.uri, a.orientation, a.thumb_offset,
    a.thumb_len, a.width, a.height,
    (a.date_trust < 2 OR a.lat IS NULL OR a.orientation IS NULL OR a.width IS NULL)";

/// The scanned folder's root.
pub(crate) fn folder_root(conn: &Connection) -> Result<Option<PathBuf>> {
    Ok(super::meta::get(conn, FOLDER_ROOT_KEY)?.map(PathBuf::from))
}

pub(crate) fn set_folder_root(tx: &Transaction<'_>, root: &str) -> Result<()> {
    super::meta::set(tx, FOLDER_ROOT_KEY, root)
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

/// What [`COLUMNS`] hold.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LocationRow {
    pub source_id: String,
    pub origin: String,
    pub uri: String,
    pub orientation: Option<u8>,
    pub thumbnail: Option<(u64, u32)>,
    pub size: Option<(u32, u32)>,
    /// The index lacks a trusted capture time, a place, an orientation or a size.
    pub incomplete: bool,
}

/// Reads [`COLUMNS`] starting at column `at`.
pub(crate) fn row(r: &Row<'_>, at: usize) -> rusqlite::Result<LocationRow> {
    Ok(LocationRow {
        source_id: r.get(at)?,
        origin: r.get(at + 1)?,
        uri: r.get(at + 2)?,
        orientation: r.get(at + 3)?,
        thumbnail: r
            .get::<_, Option<i64>>(at + 4)?
            .zip(r.get::<_, Option<u32>>(at + 5)?)
            .map(|(o, l)| (o as u64, l)),
        size: r
            .get::<_, Option<u32>>(at + 6)?
            .zip(r.get::<_, Option<u32>>(at + 7)?),
        incomplete: r.get(at + 8)?,
    })
}

/// Rows of `from` (a FROM … WHERE clause over `assets a`) counted as (in assets with a
/// readable file, in host assets without one).
pub(crate) fn readable_counts(
    conn: &Connection,
    from: &str,
    params: &[(&str, &dyn rusqlite::ToSql)],
) -> Result<(u64, u64)> {
    let sql = format!("SELECT {HAS_FILE}, count(*) {from} GROUP BY 1");
    let mut stmt = conn.prepare(&sql)?;
    let (mut files, mut host) = (0, 0);
    for row in stmt.query_map(params, |r| Ok((r.get::<_, bool>(0)?, r.get::<_, i64>(1)?)))? {
        let (readable, n) = row?;
        if readable {
            files += n as u64;
        } else {
            host += n as u64;
        }
    }
    Ok((files, host))
}
