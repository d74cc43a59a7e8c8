//! Folder scan: walk a directory, read each new or changed file's metadata, index it.
//! The folder is the whole library: files that disappear are removed from the index.

use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use serde::Serialize;

use super::sync::{Job, Listed, Removal, SyncReport};
use super::{dates, Asset, MediaKind, Origin};
use crate::clock::DeviceZone;
use crate::metadata::{self, io_kind, FileStatus, Format};
use crate::progress::{Progress, Stage};
use crate::{Error, Result};

/// How a folder is walked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScanOptions {
    /// Include dot-files and dot-directories (`.thumbnails`, `.trashed-…`).
    pub include_hidden: bool,
    /// Follow symbolic links (loops are detected and reported).
    pub follow_links: bool,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            include_hidden: false,
            follow_links: true,
        }
    }
}

/// An entry that is not indexed at all, with the reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Skipped {
    /// Relative to the scanned folder, `/`-separated. Harness output only: never logged.
    pub path: String,
    pub kind: &'static str,
}

/// What a folder scan did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ScanReport {
    #[serde(flatten)]
    pub sync: SyncReport,
    pub skipped: Vec<Skipped>,
}

struct FileEntry {
    path: PathBuf,
    name: String,
    album: Option<String>,
    modified_ms: i64,
}

pub(crate) fn scan(
    job: &Job<'_>,
    root: &Path,
    zone: DeviceZone,
    options: ScanOptions,
) -> Result<ScanReport> {
    if !root.is_dir() {
        return Err(Error::NotADirectory);
    }
    let mut report = ScanReport::default();
    let (listed, keep_prefixes) = list(root, options, job, &mut report)?;
    let make = |item: &Listed<FileEntry>| to_asset(item, zone);
    job.run(
        listed,
        make,
        Removal::Absent { keep_prefixes },
        &mut report.sync,
    )?;
    for s in &report.skipped {
        *report.sync.failed.entry(s.kind.to_string()).or_default() += 1;
    }
    Ok(report)
}

fn list(
    root: &Path,
    options: ScanOptions,
    job: &Job<'_>,
    report: &mut ScanReport,
) -> Result<(Vec<Listed<FileEntry>>, Vec<String>)> {
    let walker = walkdir::WalkDir::new(root)
        .follow_links(options.follow_links)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            options.include_hidden
                || e.depth() == 0
                || !e.file_name().to_string_lossy().starts_with('.')
        });
    let mut listed = Vec::new();
    let mut keep_prefixes = Vec::new();
    for item in walker {
        if listed.len().is_multiple_of(1024) {
            job.cancel.check()?;
            job.listener.on_progress(Progress {
                stage: Stage::Listing,
                done: listed.len() as u64,
                total: None,
            });
        }
        let entry = match item {
            Ok(entry) => entry,
            Err(err) => {
                let kind = if err.loop_ancestor().is_some() {
                    "directory_loop"
                } else {
                    err.io_error().map_or("io_error", |e| io_kind(e.kind()))
                };
                let rel = err.path().and_then(|p| relative(root, p));
                log::warn!("folder entry skipped: {kind}");
                match rel {
                    Some(rel) => {
                        // Whatever was indexed below an unreadable entry stays indexed.
                        if kind != "directory_loop" {
                            keep_prefixes.push(rel.clone());
                        }
                        report.skipped.push(Skipped { path: rel, kind });
                    }
                    None if err.depth() == 0 => return Err(Error::NotADirectory),
                    None => report.skipped.push(Skipped {
                        path: String::new(),
                        kind,
                    }),
                }
                continue;
            }
        };
        let ft = entry.file_type();
        if ft.is_dir() {
            continue;
        }
        let Some(rel) = relative(root, entry.path()) else {
            let lossy = entry.path().strip_prefix(root).unwrap_or(entry.path());
            report.skipped.push(Skipped {
                path: lossy.to_string_lossy().into_owned(),
                kind: "non_utf8_name",
            });
            continue;
        };
        if !ft.is_file() {
            report.skipped.push(Skipped {
                path: rel,
                kind: "not_a_file",
            });
            continue;
        }
        let meta = match entry.metadata() {
            Ok(m) => m,
            Err(err) => {
                let kind = err.io_error().map_or("io_error", |e| io_kind(e.kind()));
                keep_prefixes.push(rel.clone());
                report.skipped.push(Skipped { path: rel, kind });
                continue;
            }
        };
        let modified_ms = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_millis() as i64);
        let album = rel
            .rsplit_once('/')
            .and_then(|(dir, _)| dir.rsplit('/').next())
            .map(String::from);
        listed.push(Listed {
            byte_size: Some(meta.len()),
            modified_ms,
            payload: FileEntry {
                path: entry.path().to_path_buf(),
                name: entry.file_name().to_string_lossy().into_owned(),
                album,
                modified_ms,
            },
            source_id: rel,
        });
    }
    Ok((listed, keep_prefixes))
}

/// `/`-separated path relative to `root`; `None` for non-UTF-8 names.
fn relative(root: &Path, path: &Path) -> Option<String> {
    let rel = path.strip_prefix(root).ok()?;
    let parts: Option<Vec<&str>> = rel.components().map(|c| c.as_os_str().to_str()).collect();
    Some(parts?.join("/"))
}

fn to_asset(item: &Listed<FileEntry>, zone: DeviceZone) -> Asset {
    let f = &item.payload;
    let probe = metadata::probe_path(&f.path);
    if probe.status != FileStatus::Ok {
        log::debug!(
            "file indexed with status {}: {:?}",
            probe.status.as_str(),
            probe.error
        );
        log::trace!("... that file was {}", f.path.display());
    }
    let modified = chrono::DateTime::from_timestamp_millis(f.modified_ms).unwrap_or_default();
    let captured = dates::resolve(
        probe.exif.captured_local,
        probe.exif.captured_offset,
        &f.name,
        modified,
        zone,
    );
    let lower = f.name.to_ascii_lowercase();
    let screenshot = lower.starts_with("screenshot")
        || f.album
            .as_deref()
            .is_some_and(|a| a.eq_ignore_ascii_case("screenshots"));
    Asset {
        source_id: item.source_id.clone(),
        origin: Origin::Folder,
        uri: item.source_id.clone(),
        mime: probe.format.mime().map(String::from),
        format: (probe.format != Format::Other).then_some(probe.format),
        byte_size: item.byte_size,
        modified_ms: item.modified_ms,
        captured,
        width: probe.width,
        height: probe.height,
        orientation: probe.exif.orientation,
        gps: probe.exif.gps,
        make: probe.exif.make,
        model: probe.exif.model,
        thumbnail: probe.thumbnail,
        album: f.album.clone(),
        favorite: false,
        screenshot,
        kind: if probe.format == Format::Video {
            MediaKind::Video
        } else {
            MediaKind::Photo
        },
        duration_ms: None,
        status: probe.status,
        error: probe.error.map(String::from),
    }
}
