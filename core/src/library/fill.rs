//! Metadata a host record lacked, read from the original's bytes when the host hands
//! them over for analysis: the record's values win, the file only fills gaps.

use chrono::{Offset, TimeZone};

use super::{dates, Asset, DateTrust};
use crate::clock::DeviceZone;
use crate::metadata::Probe;

/// How far apart the record's instant and the file's may be and still be one capture.
const SAME_INSTANT_MS: i64 = 60_000;

/// `asset` with what `probe` holds and the record lacked, or `None` when nothing changes.
/// - capture time: the file's when the record's is only a file time or a name's date
///   (trust recorded as the file's: `exif_offset` or `exif_local`);
/// - offset: the file's when the record gave an instant whose offset is only the
///   device zone's guess and the file's time is the same instant;
/// - place, orientation, size, camera: the file's when the record has none.
pub fn fill_missing(asset: &Asset, probe: &Probe, zone: DeviceZone) -> Option<Asset> {
    let mut out = asset.clone();
    let exif = &probe.exif;
    if let Some(local) = exif.captured_local {
        let from_file = dates::from_local(
            local,
            exif.captured_offset,
            DateTrust::ExifOffset,
            DateTrust::ExifLocal,
            zone,
        );
        let c = asset.captured;
        if c.trust < DateTrust::ExifLocal {
            out.captured = from_file;
        } else if let Some(file_offset) = exif.captured_offset {
            let guessed = zone.0.offset_from_utc_datetime(&c.utc.naive_utc()).fix();
            let same = (from_file.utc - c.utc).num_milliseconds().abs() <= SAME_INSTANT_MS;
            if c.trust == DateTrust::ExifOffset
                && c.offset == Some(guessed)
                && file_offset != guessed
                && same
            {
                out.captured = dates::from_instant(c.utc, Some(file_offset), c.trust, zone);
            }
        }
    }
    if out.gps.is_none() {
        out.gps = exif.gps;
    }
    if out.orientation.is_none() {
        out.orientation = exif.orientation;
    }
    if out.width.is_none() || out.height.is_none() {
        if let (Some(w), Some(h)) = (probe.width, probe.height) {
            out.width = Some(w);
            out.height = Some(h);
        }
    }
    if out.make.is_none() && out.model.is_none() {
        out.make = exif.make.clone();
        out.model = exif.model.clone();
    }
    (out != *asset).then_some(out)
}
