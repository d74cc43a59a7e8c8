//! Host records: what MediaStore (Android) and PhotoKit (iOS) say about each asset, and
//! their JSON Lines form for the harness (`keepsake sync --records FILE.jsonl`).

use std::collections::HashSet;
use std::io::{BufRead, Read};

use chrono::{DateTime, FixedOffset, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};

use super::dates;
use super::{Asset, DateTrust, MediaKind, Origin};
use crate::clock::DeviceZone;
use crate::metadata::{FileStatus, Format, MAX_PIXELS};

/// Longest accepted line of a records file (a record is a few hundred bytes).
pub const MAX_LINE_BYTES: usize = 64 << 10;
const MAX_TEXT: usize = 4096;
const MAX_SIDE: u32 = 1_000_000;

/// One asset as the host describes it. Field names are the JSON Lines keys.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HostRecord {
    /// Stable id (MediaStore `_ID`, PhotoKit `localIdentifier`).
    pub id: String,
    /// content:// URI, file path, or `ph://` identifier.
    pub uri: String,
    /// Display name (file name), used for dates in names when nothing better exists.
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub mime: Option<String>,
    /// Bytes.
    #[serde(default)]
    pub size: Option<u64>,
    /// Last modification, ms since the Unix epoch.
    pub modified_ms: i64,
    /// Capture time: RFC 3339 with offset, or local `YYYY-MM-DDTHH:MM:SS[.fff]`.
    #[serde(default)]
    pub captured_at: Option<String>,
    /// Capture instant, ms since the Unix epoch (MediaStore `DATE_TAKEN`, PhotoKit
    /// `creationDate`); used when `captured_at` is absent.
    #[serde(default)]
    pub captured_ms: Option<i64>,
    /// UTC offset of the capture place in minutes, with `captured_ms`.
    #[serde(default)]
    pub offset_minutes: Option<i32>,
    /// Overrides the trust level the core would infer (e.g. the host knows its
    /// `DATE_TAKEN` fell back to the file time).
    #[serde(default)]
    pub date_trust: Option<DateTrust>,
    #[serde(default)]
    pub width: Option<u32>,
    #[serde(default)]
    pub height: Option<u32>,
    /// EXIF orientation 1..=8.
    #[serde(default)]
    pub orientation: Option<u8>,
    #[serde(default)]
    pub lat: Option<f64>,
    #[serde(default)]
    pub lon: Option<f64>,
    /// Album or bucket name.
    #[serde(default)]
    pub album: Option<String>,
    #[serde(default)]
    pub favorite: bool,
    #[serde(default)]
    pub screenshot: bool,
    #[serde(default)]
    pub kind: MediaKind,
    #[serde(default)]
    pub duration_ms: Option<u64>,
}

/// Why a record was rejected. `reason` names fields, never values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordError {
    /// 1-based line in a records file, or position in a batch.
    pub line: u64,
    pub reason: String,
}

/// Records with their line numbers, and the lines that could not be used.
pub type ParsedLines = (Vec<(u64, HostRecord)>, Vec<RecordError>);

/// Parses JSON Lines. Blank lines are skipped; bad lines are returned as errors and do
/// not stop the parse. I/O errors do.
pub fn parse_json_lines(mut reader: impl BufRead) -> std::io::Result<ParsedLines> {
    let mut records = Vec::new();
    let mut errors = Vec::new();
    let mut buf = Vec::new();
    let mut line_no = 0u64;
    loop {
        buf.clear();
        let n = reader
            .by_ref()
            .take(MAX_LINE_BYTES as u64 + 1)
            .read_until(b'\n', &mut buf)?;
        if n == 0 {
            break;
        }
        line_no += 1;
        if buf.len() > MAX_LINE_BYTES && !buf.ends_with(b"\n") {
            errors.push(RecordError {
                line: line_no,
                reason: "line too long".into(),
            });
            // Skip the rest of the line.
            let mut rest = Vec::new();
            reader.read_until(b'\n', &mut rest)?;
            continue;
        }
        if buf.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match serde_json::from_slice::<HostRecord>(&buf) {
            Ok(r) => records.push((line_no, r)),
            Err(e) => errors.push(RecordError {
                line: line_no,
                reason: json_reason(&e),
            }),
        }
    }
    Ok((records, errors))
}

/// serde_json's messages can quote the offending value (a path, a place); keep only
/// what names the problem.
fn json_reason(e: &serde_json::Error) -> String {
    let msg = e.to_string();
    for keep in ["missing field", "unknown field", "duplicate field"] {
        if msg.starts_with(keep) {
            let end = msg
                .find(',')
                .or_else(|| msg.find(" at line"))
                .unwrap_or(msg.len());
            return msg[..end].to_string();
        }
    }
    match e.classify() {
        serde_json::error::Category::Data => "a field has the wrong type or range".into(),
        serde_json::error::Category::Eof => "truncated JSON".into(),
        _ => "malformed JSON".into(),
    }
}

/// Splits a batch into valid records and errors: invalid fields and repeated ids (the
/// first occurrence wins).
pub(crate) fn validate_batch(
    records: Vec<(u64, HostRecord)>,
) -> (Vec<HostRecord>, Vec<RecordError>) {
    let mut ok = Vec::with_capacity(records.len());
    let mut errors = Vec::new();
    let mut ids = HashSet::with_capacity(records.len());
    for (line, r) in records {
        if let Err(reason) = r.validate() {
            errors.push(RecordError { line, reason });
        } else if !ids.insert(r.id.clone()) {
            errors.push(RecordError {
                line,
                reason: "duplicate id".into(),
            });
        } else {
            ok.push(r);
        }
    }
    (ok, errors)
}

impl HostRecord {
    /// Checks every field for absurd values; the error names the field.
    pub fn validate(&self) -> Result<(), String> {
        let text = |name: &str, v: &str, required: bool| -> Result<(), String> {
            if required && v.trim().is_empty() {
                return Err(format!("`{name}` is empty"));
            }
            if v.len() > MAX_TEXT {
                return Err(format!("`{name}` is too long"));
            }
            Ok(())
        };
        text("id", &self.id, true)?;
        text("uri", &self.uri, true)?;
        for (name, v) in [
            ("name", &self.name),
            ("mime", &self.mime),
            ("album", &self.album),
        ] {
            if let Some(v) = v {
                text(name, v, false)?;
            }
        }
        if !plausible_ms(self.modified_ms) {
            return Err("`modified_ms` is out of range".into());
        }
        if self.captured_ms.is_some_and(|ms| !plausible_ms(ms)) {
            return Err("`captured_ms` is out of range".into());
        }
        if self.offset_minutes.is_some_and(|m| m.abs() > 14 * 60) {
            return Err("`offset_minutes` is out of range".into());
        }
        if self.captured_at.is_some() && self.capture_from_text().is_none() {
            return Err("`captured_at` is not RFC 3339 or local ISO 8601".into());
        }
        for (name, v) in [("width", self.width), ("height", self.height)] {
            if v.is_some_and(|v| v == 0 || v > MAX_SIDE) {
                return Err(format!("`{name}` is out of range"));
            }
        }
        if self.orientation.is_some_and(|o| !(1..=8).contains(&o)) {
            return Err("`orientation` must be 1..8".into());
        }
        match (self.lat, self.lon) {
            (None, None) => {}
            (Some(lat), Some(lon)) => {
                if !(lat.is_finite() && lon.is_finite() && lat.abs() <= 90.0 && lon.abs() <= 180.0)
                {
                    return Err("`lat`/`lon` are out of range".into());
                }
            }
            _ => return Err("`lat` and `lon` go together".into()),
        }
        Ok(())
    }

    fn capture_from_text(&self) -> Option<(NaiveDateTime, Option<FixedOffset>)> {
        let s = self.captured_at.as_deref()?.trim();
        if let Ok(t) = DateTime::parse_from_rfc3339(s) {
            return Some((t.naive_local(), Some(*t.offset())));
        }
        ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"]
            .iter()
            .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
            .map(|t| (t, None))
    }

    fn file_name(&self) -> &str {
        self.name
            .as_deref()
            .unwrap_or_else(|| self.uri.rsplit('/').next().unwrap_or(""))
    }

    /// The asset this record describes. Call [`validate`](Self::validate) first.
    pub fn to_asset(&self, zone: DeviceZone) -> Asset {
        let modified = DateTime::from_timestamp_millis(self.modified_ms).unwrap_or_default();
        let mut captured = if let Some((local, offset)) = self.capture_from_text() {
            dates::from_local(
                local,
                offset,
                DateTrust::ExifOffset,
                DateTrust::ExifLocal,
                zone,
            )
        } else if let Some(utc) = self
            .captured_ms
            .and_then(DateTime::<Utc>::from_timestamp_millis)
        {
            let offset = self
                .offset_minutes
                .and_then(|m| FixedOffset::east_opt(m * 60));
            dates::from_instant(utc, offset, DateTrust::ExifOffset, zone)
        } else {
            dates::resolve(None, None, self.file_name(), modified, zone)
        };
        if let Some(trust) = self.date_trust {
            captured.trust = trust;
        }
        let format = self.mime.as_deref().and_then(format_from_mime);
        let too_large = match (self.width, self.height) {
            (Some(w), Some(h)) => u64::from(w) * u64::from(h) > MAX_PIXELS,
            _ => false,
        };
        Asset {
            source_id: self.id.clone(),
            origin: Origin::Host,
            uri: self.uri.clone(),
            mime: self.mime.clone(),
            format,
            byte_size: self.size,
            modified_ms: self.modified_ms,
            captured,
            width: self.width,
            height: self.height,
            orientation: self.orientation,
            gps: self.lat.zip(self.lon),
            make: None,
            model: None,
            thumbnail: None,
            album: self.album.clone(),
            favorite: self.favorite,
            screenshot: self.screenshot,
            kind: self.kind,
            duration_ms: self.duration_ms,
            status: if too_large {
                FileStatus::TooLarge
            } else {
                FileStatus::Ok
            },
            error: too_large.then(|| "pixel_budget".to_string()),
        }
    }
}

/// Timestamps between 1900 and 2200.
fn plausible_ms(ms: i64) -> bool {
    (-2_208_988_800_000..=7_258_118_400_000).contains(&ms)
}

fn format_from_mime(mime: &str) -> Option<Format> {
    Some(match mime.to_ascii_lowercase().as_str() {
        "image/jpeg" | "image/jpg" => Format::Jpeg,
        "image/png" => Format::Png,
        "image/webp" => Format::Webp,
        "image/heic"
        | "image/heif"
        | "image/heic-sequence"
        | "image/heif-sequence"
        | "image/avif" => Format::Heif,
        "image/gif" => Format::Gif,
        "image/tiff" => Format::Tiff,
        "image/x-adobe-dng" | "image/dng" => Format::Dng,
        m if m.starts_with("video/") => Format::Video,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_lines_with_bad_lines_keep_going() {
        let input = concat!(
            r#"{"id":"1","uri":"content://media/1","modified_ms":1718000000000}"#,
            "\n",
            "\n",
            r#"{"id":"2","uri":"/sdcard/DCIM/secret.jpg","modified_ms":"not a number"}"#,
            "\n",
            "{not json\n",
            r#"{"id":"3","uri":"u","modified_ms":1,"bogus":1}"#,
            "\n",
            r#"{"uri":"u","modified_ms":1}"#,
            "\n",
            r#"{"id":"4","uri":"u","modified_ms":1718000000000,"lat":91,"lon":0}"#,
            "\n",
            r#"{"id":"1","uri":"dup","modified_ms":1718000000000}"#,
            "\n",
        );
        let (records, errors) = parse_json_lines(input.as_bytes()).unwrap();
        assert_eq!(records.len(), 3);
        let lines: Vec<u64> = errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, [3, 4, 5, 6]);
        for e in &errors {
            assert!(
                !e.reason.contains("secret"),
                "reason leaks a value: {}",
                e.reason
            );
        }
        assert!(errors[2].reason.contains("unknown field `bogus`"));
        assert!(errors[3].reason.contains("missing field `id`"));
        let (ok, bad) = validate_batch(records);
        assert_eq!(ok.len(), 1);
        assert_eq!(bad.iter().map(|e| e.line).collect::<Vec<_>>(), [7, 8]);
        assert!(bad[0].reason.contains("lat"));
        assert_eq!(bad[1].reason, "duplicate id");
    }

    #[test]
    fn overlong_line_is_an_error_not_an_allocation() {
        let mut input = vec![b'x'; MAX_LINE_BYTES * 3];
        input.extend(b"\n{\"id\":\"1\",\"uri\":\"u\",\"modified_ms\":0}\n");
        let (records, errors) = parse_json_lines(&input[..]).unwrap();
        assert_eq!(records.len(), 1);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].reason, "line too long");
    }

    #[test]
    fn capture_time_sources_and_trust() {
        let zone = DeviceZone::parse("Europe/Berlin").unwrap();
        let base = HostRecord {
            id: "a".into(),
            uri: "content://x/IMG_20240102_030405.jpg".into(),
            modified_ms: 1_700_000_000_000,
            ..Default::default()
        };
        let with = |f: &dyn Fn(&mut HostRecord)| {
            let mut r = base.clone();
            f(&mut r);
            r.validate().unwrap();
            r.to_asset(zone).captured
        };
        let c = with(&|r| r.captured_at = Some("2024-06-01T10:00:00+09:00".into()));
        assert_eq!(
            (c.trust, c.to_rfc3339().as_str()),
            (DateTrust::ExifOffset, "2024-06-01T10:00:00+09:00")
        );
        let c = with(&|r| r.captured_at = Some("2024-06-01T10:00:00.250".into()));
        assert_eq!(
            (c.trust, c.to_rfc3339().as_str()),
            (DateTrust::ExifLocal, "2024-06-01T10:00:00.250")
        );
        let c = with(&|r| r.captured_ms = Some(1_717_236_000_000));
        assert_eq!(c.trust, DateTrust::ExifOffset);
        assert_eq!(c.utc.timestamp_millis(), 1_717_236_000_000);
        let c = with(&|r| r.date_trust = None);
        assert_eq!(c.trust, DateTrust::Filename);
        let c = with(&|r| r.uri = "content://x/42".into());
        assert_eq!(c.trust, DateTrust::FileTime);
        let c = with(&|r| {
            r.captured_ms = Some(1_717_236_000_000);
            r.date_trust = Some(DateTrust::FileTime)
        });
        assert_eq!(c.trust, DateTrust::FileTime);
        let mut bad = base.clone();
        bad.captured_at = Some("yesterday".into());
        assert!(bad.validate().is_err());
    }
}
