//! Our metadata against exiftool 12.57's reading of the shared photo set
//! (`../shared/data/photos_meta/metadata.jsonl`): capture time with offset, GPS,
//! orientation and stored pixel size must each agree on ≥ 98 % of the files exiftool
//! reads. Every disagreement is listed.
#![allow(clippy::unwrap_used, clippy::print_stdout)]

mod common;

use chrono::{FixedOffset, NaiveDateTime};
use keepsake_core::metadata::probe_path;
use serde_json::Value;

type Stamp = (NaiveDateTime, Option<FixedOffset>);

/// exiftool's capture time: DateTimeOriginal (with SubSecTimeOriginal and
/// OffsetTimeOriginal) if present, else CreateDate. Its strings may end in an offset or
/// `Z` (XMP values). "0000:00:00 00:00:00" is a placeholder, not a time.
fn exiftool_time(r: &Value) -> Option<Stamp> {
    let (raw, is_original) = match r["datetime_original"].as_str() {
        Some(s) => (s, true),
        None => (r["create_date"].as_str()?, false),
    };
    let (body, mut offset) = split_offset(raw);
    let mut local = NaiveDateTime::parse_from_str(body.get(..19)?, "%Y:%m:%d %H:%M:%S").ok()?;
    if is_original {
        if let Some(sub) = r["subsec_original"]
            .as_str()
            .map(str::to_string)
            .or_else(|| r["subsec_original"].as_i64().map(|v| v.to_string()))
        {
            let digits: String = sub.trim().chars().take(9).collect();
            if let Ok(v) = digits.parse::<u32>() {
                local += chrono::Duration::nanoseconds(
                    i64::from(v) * 10i64.pow(9 - digits.len() as u32),
                );
            }
        }
        if let Some(o) = r["offset_time_original"].as_str() {
            offset = offset.or_else(|| split_offset(&format!("0000:00:00 00:00:00{o}")).1);
        }
    }
    Some((local, offset))
}

fn split_offset(s: &str) -> (&str, Option<FixedOffset>) {
    if let Some(b) = s.strip_suffix('Z') {
        return (b, FixedOffset::east_opt(0));
    }
    if s.len() >= 25 {
        let (b, t) = s.split_at(s.len() - 6);
        let sign = if t.starts_with('-') { -1 } else { 1 };
        let h: i32 = t[1..3].parse().unwrap_or(0);
        let m: i32 = t[4..6].parse().unwrap_or(0);
        return (b, FixedOffset::east_opt(sign * (h * 3600 + m * 60)));
    }
    (s, None)
}

#[test]
fn agrees_with_exiftool_on_at_least_98_percent_per_field() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let root = shared.join("data/photos_meta");
    let text = std::fs::read_to_string(root.join("metadata.jsonl")).unwrap();
    let rows: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let fields = ["capture_time", "gps", "orientation", "dimensions"];
    let mut agree = [0usize; 4];
    let mut disagreements = Vec::new();
    let mut total = 0;
    for r in &rows {
        if !r["exiftool_error"].is_null() {
            continue; // exiftool could not read it: nothing to compare with
        }
        total += 1;
        let file = r["file"].as_str().unwrap();
        let p = probe_path(&root.join(file));

        let theirs = exiftool_time(r);
        let ours = p.exif.captured_local.map(|t| (t, p.exif.captured_offset));
        let gps_theirs = r["gps_lat"].as_f64().zip(r["gps_lon"].as_f64());
        let gps_ok = match (gps_theirs, p.exif.gps) {
            (None, None) => true,
            (Some(a), Some(b)) => (a.0 - b.0).abs() <= 1e-5 && (a.1 - b.1).abs() <= 1e-5,
            _ => false,
        };
        let orient_theirs = r["orientation"].as_u64().map(|v| v as u8);
        let dims_theirs = (
            r["width"].as_u64().map(|v| v as u32),
            r["height"].as_u64().map(|v| v as u32),
        );
        let checks = [
            (theirs == ours, format!("{theirs:?} vs ours {ours:?}")),
            (gps_ok, format!("{gps_theirs:?} vs ours {:?}", p.exif.gps)),
            (
                orient_theirs == p.exif.orientation,
                format!("{orient_theirs:?} vs ours {:?}", p.exif.orientation),
            ),
            (
                dims_theirs == (p.width, p.height),
                format!("{dims_theirs:?} vs ours {:?}", (p.width, p.height)),
            ),
        ];
        for (i, (ok, detail)) in checks.into_iter().enumerate() {
            if ok {
                agree[i] += 1;
            } else {
                disagreements.push(format!("{:<12} {file}: exiftool {detail}", fields[i]));
            }
        }
    }
    println!("metadata agreement with exiftool over {total} files:");
    for (name, n) in fields.iter().zip(agree) {
        println!(
            "  {name:<12} {n}/{total} = {:.1} %",
            100.0 * n as f64 / total as f64
        );
    }
    for d in &disagreements {
        println!("  disagreement: {d}");
    }
    assert!(total >= 150, "expected the whole shared set, read {total}");
    for (name, n) in fields.iter().zip(agree) {
        assert!(n * 100 >= total * 98, "{name}: {n}/{total} below 98 %");
    }
}
