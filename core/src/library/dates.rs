//! Capture-time resolution and its trust level: EXIF with offset > EXIF local time in
//! the device's zone > a date in the file name > the file's modification time.
//! All functions are pure; the device zone is passed in.

use chrono::{
    DateTime, Duration, FixedOffset, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone,
    Utc,
};

use super::{CaptureTime, DateTrust};
use crate::clock::DeviceZone;

/// Resolves the capture time from what the sources offer.
pub fn resolve(
    exif_local: Option<NaiveDateTime>,
    exif_offset: Option<FixedOffset>,
    file_name: &str,
    modified: DateTime<Utc>,
    zone: DeviceZone,
) -> CaptureTime {
    if let Some(local) = exif_local {
        return from_local(
            local,
            exif_offset,
            DateTrust::ExifOffset,
            DateTrust::ExifLocal,
            zone,
        );
    }
    if let Some((local, offset)) = date_from_file_name(file_name) {
        return from_local(
            local,
            offset,
            DateTrust::Filename,
            DateTrust::Filename,
            zone,
        );
    }
    from_instant(modified, None, DateTrust::FileTime, zone)
}

/// A capture time from a wall-clock time and an optional offset.
pub fn from_local(
    local: NaiveDateTime,
    offset: Option<FixedOffset>,
    trust_with_offset: DateTrust,
    trust_without: DateTrust,
    zone: DeviceZone,
) -> CaptureTime {
    match offset {
        Some(offset) => CaptureTime {
            local,
            offset: Some(offset),
            utc: (local - Duration::seconds(i64::from(offset.local_minus_utc()))).and_utc(),
            trust: trust_with_offset,
        },
        None => CaptureTime {
            local,
            offset: None,
            utc: local_to_utc(local, zone),
            trust: trust_without,
        },
    }
}

/// A capture time from an instant. With `offset`, the local time is the one where the
/// photo was taken; without, it is shown in the device's zone (offset included).
pub fn from_instant(
    utc: DateTime<Utc>,
    offset: Option<FixedOffset>,
    trust: DateTrust,
    zone: DeviceZone,
) -> CaptureTime {
    let offset = offset.unwrap_or_else(|| zone.0.offset_from_utc_datetime(&utc.naive_utc()).fix());
    CaptureTime {
        local: utc.with_timezone(&offset).naive_local(),
        offset: Some(offset),
        utc,
        trust,
    }
}

use chrono::Offset;

/// Reads a wall-clock time in the device zone. A time inside a DST gap (which no clock
/// showed) moves forward by the gap, as clocks do; an ambiguous time (the repeated hour)
/// takes the earlier instant.
pub fn local_to_utc(local: NaiveDateTime, zone: DeviceZone) -> DateTime<Utc> {
    match zone.0.from_local_datetime(&local) {
        LocalResult::Single(t) => t.with_timezone(&Utc),
        LocalResult::Ambiguous(a, b) => a.min(b).with_timezone(&Utc),
        LocalResult::None => {
            // Gaps are at most a few hours; find the first minute after it and shift by
            // the same amount the clocks jumped.
            let before = zone
                .0
                .offset_from_utc_datetime(&(local - Duration::hours(24)))
                .fix();
            let utc = local - Duration::seconds(i64::from(before.local_minus_utc()));
            utc.and_utc()
        }
    }
}

/// The first instant of a calendar day in the device zone (midnight, or the end of the
/// DST gap on days whose midnight does not exist).
pub fn start_of_day(date: NaiveDate, zone: DeviceZone) -> DateTime<Utc> {
    local_to_utc(date.and_time(NaiveTime::MIN), zone)
}

/// A date (and time when present) in a camera or app file name. Only names that look
/// like the patterns phones write are accepted: `IMG_20250614_123456`, `PXL_20250614_
/// 123456789` (Pixel names are in UTC), `Screenshot_20250614-123456`,
/// `Screenshot_2025-06-14-12-34-56`, `2025-06-14 12.34.56`, `IMG-20250614-WA0001`
/// (date only: noon local time, so a zone shift cannot move it to another day).
pub fn date_from_file_name(name: &str) -> Option<(NaiveDateTime, Option<FixedOffset>)> {
    let stem = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let runs = digit_runs(stem);
    let utc = stem.starts_with("PXL_");
    let offset = utc.then(|| FixedOffset::east_opt(0)).flatten();
    for (i, &(s, e)) in runs.iter().enumerate() {
        let run = &stem[s..e];
        let next = runs
            .get(i + 1)
            .map(|&(ns, ne)| (&stem[e..ns], &stem[ns..ne]));
        match run.len() {
            14 => {
                if let (Some(d), Some(t)) = (ymd(run, 0), hms(&run[8..])) {
                    return Some((d.and_time(t), offset));
                }
            }
            8 => {
                let Some(d) = ymd(run, 0) else { continue };
                let time = next
                    .filter(|(sep, t)| is_sep(sep) && matches!(t.len(), 6 | 9))
                    .and_then(|(_, t)| hms(t));
                return Some(match time {
                    Some(t) => (d.and_time(t), offset),
                    None => (d.and_time(NaiveTime::from_hms_opt(12, 0, 0)?), None),
                });
            }
            4 => {
                // YYYY-MM-DD, then optionally HH.MM.SS with any one-char separators.
                let parts: Vec<&str> = runs[i..]
                    .iter()
                    .take(6)
                    .map(|&(a, b)| &stem[a..b])
                    .collect();
                let seps: Vec<&str> = runs[i..]
                    .windows(2)
                    .take(5)
                    .map(|w| &stem[w[0].1..w[1].0])
                    .collect();
                let date_ok = parts.len() >= 3
                    && parts[1].len() == 2
                    && parts[2].len() == 2
                    && seps.iter().take(2).all(|s| matches!(*s, "-" | "_" | "."));
                if !date_ok {
                    continue;
                }
                let Some(d) = ymd(&format!("{}{}{}", parts[0], parts[1], parts[2]), 0) else {
                    continue;
                };
                let time_ok = parts.len() >= 6
                    && parts[3..6].iter().all(|p| p.len() == 2)
                    && seps.len() >= 5
                    && is_sep(seps[2])
                    && seps[3..5]
                        .iter()
                        .all(|s| matches!(*s, "-" | "." | ":" | "_"));
                let t = time_ok
                    .then(|| hms(&format!("{}{}{}", parts[3], parts[4], parts[5])))
                    .flatten();
                return Some(match t {
                    Some(t) => (d.and_time(t), offset),
                    None => (d.and_time(NaiveTime::from_hms_opt(12, 0, 0)?), None),
                });
            }
            _ => {}
        }
    }
    None
}

fn is_sep(s: &str) -> bool {
    matches!(s, "_" | "-" | " " | "T" | "." | "_-")
}

fn digit_runs(s: &str) -> Vec<(usize, usize)> {
    let bytes = s.as_bytes();
    let mut runs = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_digit() {
            let start = i;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            runs.push((start, i));
        } else {
            i += 1;
        }
    }
    runs
}

/// `YYYYMMDD` at `at`, for years phones and digital cameras have named files in.
fn ymd(s: &str, at: usize) -> Option<NaiveDate> {
    let n = |a: usize, b: usize| s.get(at + a..at + b)?.parse::<u32>().ok();
    let year = i32::try_from(n(0, 4)?).ok()?;
    if !(1990..=2100).contains(&year) {
        return None;
    }
    NaiveDate::from_ymd_opt(year, n(4, 6)?, n(6, 8)?)
}

/// `HHMMSS` or `HHMMSSmmm`.
fn hms(s: &str) -> Option<NaiveTime> {
    let n = |a: usize, b: usize| s.get(a..b)?.parse::<u32>().ok();
    let ms = if s.len() == 9 { n(6, 9)? } else { 0 };
    NaiveTime::from_hms_milli_opt(n(0, 2)?, n(2, 4)?, n(4, 6)?, ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dt(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%.f").unwrap()
    }

    #[test]
    fn file_name_patterns() {
        let cases = [
            (
                "IMG_20250614_123456.jpg",
                Some(("2025-06-14 12:34:56", false)),
            ),
            (
                "IMG_20250614_123456_1.jpg",
                Some(("2025-06-14 12:34:56", false)),
            ),
            (
                "PXL_20250614_123456789.jpg",
                Some(("2025-06-14 12:34:56.789", true)),
            ),
            (
                "PXL_20250614_123456789.MP.jpg",
                Some(("2025-06-14 12:34:56.789", true)),
            ),
            (
                "Screenshot_20250614-123456.png",
                Some(("2025-06-14 12:34:56", false)),
            ),
            (
                "Screenshot_20250614-123456_Chrome.png",
                Some(("2025-06-14 12:34:56", false)),
            ),
            (
                "Screenshot_2025-06-14-12-34-56-123_com.app.jpg",
                Some(("2025-06-14 12:34:56", false)),
            ),
            (
                "2025-06-14 12.34.56.jpg",
                Some(("2025-06-14 12:34:56", false)),
            ),
            (
                "VID_20250614_123456.mp4",
                Some(("2025-06-14 12:34:56", false)),
            ),
            (
                "IMG-20250614-WA0001.jpg",
                Some(("2025-06-14 12:00:00", false)),
            ),
            ("20250614123456.jpg", Some(("2025-06-14 12:34:56", false))),
            ("DSC_0001.JPG", None),
            ("IMG_1234.HEIC", None),
            ("1718384400000.jpg", None),
            ("IMG_20251340_123456.jpg", None),
            ("IMG_18500614_123456.jpg", None),
            ("photo 12-34-56.jpg", None),
        ];
        for (name, want) in cases {
            let got = date_from_file_name(name);
            let want = want.map(|(s, utc)| (dt(s), utc.then(|| FixedOffset::east_opt(0).unwrap())));
            assert_eq!(got, want, "{name}");
        }
    }

    #[test]
    fn trust_order_and_precedence() {
        let zone = DeviceZone::parse("Europe/Paris").unwrap();
        let mtime = Utc.with_ymd_and_hms(2025, 7, 1, 10, 0, 0).unwrap();
        let local = dt("2025-06-14 12:34:56");
        let off = FixedOffset::east_opt(-4 * 3600);

        let c = resolve(Some(local), off, "IMG_20200101_000000.jpg", mtime, zone);
        assert_eq!(c.trust, DateTrust::ExifOffset);
        assert_eq!(
            c.utc,
            Utc.with_ymd_and_hms(2025, 6, 14, 16, 34, 56).unwrap()
        );
        assert_eq!(c.to_rfc3339(), "2025-06-14T12:34:56-04:00");

        let c = resolve(Some(local), None, "IMG_20200101_000000.jpg", mtime, zone);
        assert_eq!(c.trust, DateTrust::ExifLocal);
        // Paris is UTC+2 in June.
        assert_eq!(
            c.utc,
            Utc.with_ymd_and_hms(2025, 6, 14, 10, 34, 56).unwrap()
        );
        assert_eq!(c.to_rfc3339(), "2025-06-14T12:34:56");

        let c = resolve(None, None, "IMG_20200101_000000.jpg", mtime, zone);
        assert_eq!(c.trust, DateTrust::Filename);
        assert_eq!(c.local, dt("2020-01-01 00:00:00"));

        let c = resolve(None, None, "DSC_0001.JPG", mtime, zone);
        assert_eq!(c.trust, DateTrust::FileTime);
        assert_eq!(c.utc, mtime);
        assert_eq!(c.to_rfc3339(), "2025-07-01T12:00:00+02:00");

        assert!(DateTrust::ExifOffset > DateTrust::ExifLocal);
        assert!(DateTrust::ExifLocal > DateTrust::Filename);
        assert!(DateTrust::Filename > DateTrust::FileTime);
    }

    #[test]
    fn pixel_names_are_utc() {
        let zone = DeviceZone::parse("America/New_York").unwrap();
        let c = resolve(None, None, "PXL_20250614_163456000.jpg", Utc::now(), zone);
        assert_eq!(
            c.utc,
            Utc.with_ymd_and_hms(2025, 6, 14, 16, 34, 56).unwrap()
        );
    }

    #[test]
    fn dst_gap_and_overlap() {
        let zone = DeviceZone::parse("Europe/Paris").unwrap();
        // 2025-03-30 02:30 does not exist in Paris (02:00 -> 03:00): read as 03:30 CEST.
        let gap = local_to_utc(dt("2025-03-30 02:30:00"), zone);
        assert_eq!(gap, Utc.with_ymd_and_hms(2025, 3, 30, 1, 30, 0).unwrap());
        // 2025-10-26 02:30 happens twice: the earlier (CEST, UTC+2) wins.
        let twice = local_to_utc(dt("2025-10-26 02:30:00"), zone);
        assert_eq!(twice, Utc.with_ymd_and_hms(2025, 10, 26, 0, 30, 0).unwrap());
        // Midnight that does not exist (Santiago, 2024-09-08 00:00 -> 01:00).
        let santiago = DeviceZone::parse("America/Santiago").unwrap();
        let start = start_of_day(NaiveDate::from_ymd_opt(2024, 9, 8).unwrap(), santiago);
        assert_eq!(start, Utc.with_ymd_and_hms(2024, 9, 8, 4, 0, 0).unwrap());
    }
}
