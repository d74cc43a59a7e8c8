//! EXIF fields we index, read with kamadak-exif from a TIFF-structured block.
//! Broken entries are skipped (partial results are kept); absurd values become `None`.

use chrono::{FixedOffset, NaiveDate, NaiveDateTime};
use exif::{In, Tag, Value};

/// What the index keeps from EXIF.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExifFields {
    /// DateTimeOriginal (else DateTimeDigitized) with its sub-seconds, as written.
    pub captured_local: Option<NaiveDateTime>,
    /// OffsetTimeOriginal (else OffsetTimeDigitized / OffsetTime), when present and valid.
    pub captured_offset: Option<FixedOffset>,
    pub gps: Option<(f64, f64)>,
    /// 1..=8.
    pub orientation: Option<u8>,
    pub make: Option<String>,
    pub model: Option<String>,
    /// Offset (within the EXIF block) and length of the IFD1 JPEG thumbnail.
    pub thumbnail: Option<(u32, u32)>,
    /// True when some entries could not be read (the rest still is).
    pub damaged: bool,
    /// DateTimeDigitized, used after XMP's DateTimeOriginal (see `metadata::finish`).
    pub(crate) digitized: Option<(NaiveDateTime, Option<FixedOffset>)>,
}

pub(crate) fn parse(tiff: Vec<u8>) -> Result<ExifFields, &'static str> {
    let exif = match exif::Reader::new().continue_on_error(true).read_raw(tiff) {
        Ok(exif) => (exif, false),
        Err(exif::Error::PartialResult(partial)) => (partial.into_inner().0, true),
        Err(_) => return Err("exif_corrupt"),
    };
    let (exif, damaged) = exif;
    let field = |tag| exif.get_field(tag, In::PRIMARY).map(|f| &f.value);

    let original = capture_time(
        &field,
        Tag::DateTimeOriginal,
        Tag::SubSecTimeOriginal,
        Tag::OffsetTimeOriginal,
    );
    let digitized = capture_time(
        &field,
        Tag::DateTimeDigitized,
        Tag::SubSecTimeDigitized,
        Tag::OffsetTimeDigitized,
    );
    Ok(ExifFields {
        captured_local: original.map(|o| o.0),
        captured_offset: original.and_then(|o| o.1),
        digitized,
        gps: gps(&field),
        orientation: field(Tag::Orientation)
            .and_then(|v| v.get_uint(0))
            .and_then(|o| u8::try_from(o).ok())
            .filter(|o| (1..=8).contains(o)),
        make: ascii(field(Tag::Make)),
        model: ascii(field(Tag::Model)),
        thumbnail: thumbnail(&exif),
        damaged,
    })
}

fn capture_time<'a>(
    field: &dyn Fn(Tag) -> Option<&'a Value>,
    dt_tag: Tag,
    sub_tag: Tag,
    off_tag: Tag,
) -> Option<(NaiveDateTime, Option<FixedOffset>)> {
    let mut dt = exif::DateTime::from_ascii(first_ascii(field(dt_tag))?).ok()?;
    if let Some(sub) = first_ascii(field(sub_tag)) {
        // A malformed sub-second field only loses the sub-seconds.
        if dt.parse_subsec(sub).is_err() {
            dt.nanosecond = None;
        }
    }
    // On error `parse_offset` leaves `offset` as it was (None).
    let offset = first_ascii(field(off_tag))
        .and_then(|o| dt.parse_offset(o).ok().and(dt.offset))
        .and_then(|minutes| FixedOffset::east_opt(i32::from(minutes) * 60))
        .filter(valid_offset);
    let local = NaiveDate::from_ymd_opt(i32::from(dt.year), dt.month.into(), dt.day.into())
        .filter(plausible_date)?
        .and_hms_nano_opt(
            dt.hour.into(),
            dt.minute.into(),
            dt.second.into(),
            dt.nanosecond.unwrap_or(0),
        )?;
    Some((local, offset))
}

/// Real offsets are within ±14:00 (UTC+14 Kiribati, UTC−12).
pub(crate) fn valid_offset(o: &FixedOffset) -> bool {
    o.local_minus_utc().abs() <= 14 * 3600
}

/// "0000:00:00" and other placeholder dates are no capture time.
pub(crate) fn plausible_date(d: &NaiveDate) -> bool {
    (1826..=2200).contains(&chrono::Datelike::year(d))
}

fn gps<'a>(field: &dyn Fn(Tag) -> Option<&'a Value>) -> Option<(f64, f64)> {
    let coord = |tag, ref_tag, neg: u8| -> Option<f64> {
        // The standard says RATIONAL; some phones (Nokia, HMD) write SRATIONAL.
        let parts: Vec<(f64, bool)> = match field(tag)? {
            Value::Rational(v) => v.iter().map(|r| (r.to_f64(), r.denom == 0)).collect(),
            Value::SRational(v) => v.iter().map(|r| (r.to_f64(), r.denom == 0)).collect(),
            _ => return None,
        };
        let mut deg = 0.0;
        for ((value, zero_denominator), scale) in parts.into_iter().zip([1.0, 60.0, 3600.0]) {
            if zero_denominator {
                return None;
            }
            deg += value / scale;
        }
        let sign = match first_ascii(field(ref_tag)).and_then(|r| r.first()) {
            Some(c) if c.eq_ignore_ascii_case(&neg) => -1.0,
            _ => 1.0,
        };
        Some(sign * deg)
    };
    let lat = coord(Tag::GPSLatitude, Tag::GPSLatitudeRef, b'S')?;
    let lon = coord(Tag::GPSLongitude, Tag::GPSLongitudeRef, b'W')?;
    let valid = lat.is_finite() && lon.is_finite() && lat.abs() <= 90.0 && lon.abs() <= 180.0;
    valid.then_some((lat, lon))
}

fn thumbnail(exif: &exif::Exif) -> Option<(u32, u32)> {
    let get = |tag| {
        exif.get_field(tag, In::THUMBNAIL)
            .and_then(|f| f.value.get_uint(0))
    };
    let offset = get(Tag::JPEGInterchangeFormat)?;
    let len = get(Tag::JPEGInterchangeFormatLength)?;
    let end = u64::from(offset) + u64::from(len);
    (len > 0 && end <= exif.buf().len() as u64).then_some((offset, len))
}

fn first_ascii(v: Option<&Value>) -> Option<&[u8]> {
    match v? {
        Value::Ascii(parts) => parts.first().map(Vec::as_slice),
        _ => None,
    }
}

fn ascii(v: Option<&Value>) -> Option<String> {
    let raw = first_ascii(v)?;
    let s = String::from_utf8_lossy(raw);
    let s = s.trim_matches(|c: char| c == '\0' || c.is_whitespace());
    (!s.is_empty()).then(|| s.chars().take(64).collect())
}
