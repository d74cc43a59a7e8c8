//! Human and JSON output.

use std::collections::BTreeMap;
use std::io::Write;
use std::time::Duration;

use keepsake_core::{RecentWindow, Skipped, StoredAsset, SyncReport};
use serde_json::json;

/// One asset as a JSON line: the fields documented in the README.
pub fn write_asset_json(
    out: &mut impl Write,
    s: &StoredAsset,
    window: &RecentWindow,
) -> std::io::Result<()> {
    let a = &s.asset;
    let media = a.status.is_media();
    let v = json!({
        "path": a.source_id,
        "status": a.status.as_str(),
        "error": a.error,
        "format": a.format.map(|f| f.as_str()),
        "captured_at": media.then(|| a.captured.to_rfc3339()),
        "date_trust": media.then(|| a.captured.trust.as_str()),
        "lat": a.gps.map(|g| g.0),
        "lon": a.gps.map(|g| g.1),
        "orientation": a.orientation,
        "width": a.width,
        "height": a.height,
        "make": a.make,
        "model": a.model,
        "has_thumbnail": a.thumbnail.is_some(),
        "in_window": media && window.contains(a.captured.utc),
    });
    writeln!(out, "{v}")
}

pub fn write_skipped_json(out: &mut impl Write, s: &Skipped) -> std::io::Result<()> {
    let v = json!({ "path": s.path, "status": "skipped", "error": s.kind });
    writeln!(out, "{v}")
}

fn names(ids: &[i64], names: &std::collections::HashMap<i64, String>) -> Vec<String> {
    ids.iter()
        .map(|id| names.get(id).cloned().unwrap_or_else(|| id.to_string()))
        .collect()
}

/// Coordinates with 3 decimals (~100 m), or "no GPS".
pub fn place(p: Option<(f64, f64)>) -> String {
    p.map_or("no GPS".into(), |(a, b)| format!("{a:.3},{b:.3}"))
}

pub fn moment_json(
    m: &keepsake_core::moments::Moment,
    ids: &std::collections::HashMap<i64, String>,
) -> serde_json::Value {
    json!({
        "start": m.start.to_rfc3339(),
        "end": m.end.to_rfc3339(),
        "assets": names(&m.assets, ids),
        "cover": names(&[m.cover], ids)[0],
        "count": m.assets.len(),
        "centroid": m.centroid.map(|c| [c.0, c.1]),
        "radius_km": m.radius_km,
    })
}

pub fn trip_json(
    t: &keepsake_core::trips::Trip,
    ids: &std::collections::HashMap<i64, String>,
) -> serde_json::Value {
    json!({
        "start": t.start.to_rfc3339(),
        "end": t.end.to_rfc3339(),
        "assets": names(&t.assets, ids),
        "distance_km": t.distance_km,
        "days": t.days(),
        "stops": t.stops.iter().map(|s| json!({
            "center": [s.center.0, s.center.1],
            "start": s.start.to_rfc3339(),
            "end": s.end.to_rfc3339(),
            "photos": s.photos,
        })).collect::<Vec<_>>(),
    })
}

pub fn suggestion_json(
    s: &keepsake_core::suggest::Suggestion,
    ids: &std::collections::HashMap<i64, String>,
) -> serde_json::Value {
    json!({
        "id": s.id,
        "kind": s.kind,
        "title": s.title,
        "start": s.start.to_rfc3339(),
        "end": s.end.to_rfc3339(),
        "assets": names(&s.assets, ids),
        "cover": names(&[s.cover], ids)[0],
        "score": (s.score * 1000.0).round() / 1000.0,
        "reasons": s.reasons,
        "chapters": s.chapters.iter().map(|c| json!({"title": c.title, "assets": names(&c.assets, ids)})).collect::<Vec<_>>(),
    })
}

pub fn suggestion_line(s: &keepsake_core::suggest::Suggestion) -> String {
    let reasons: Vec<String> = s
        .reasons
        .iter()
        .map(|r| {
            let facts: Vec<String> = r.facts.iter().map(|(k, v)| format!("{k} {v}")).collect();
            format!("{} ({})", r.rule, facts.join(", "))
        })
        .collect();
    format!(
        "{:<18} {:>5.2}  {:>3} photos  {}  [{}]",
        s.kind.as_str(),
        s.score,
        s.assets.len(),
        s.start.date_naive(),
        reasons.join("; ")
    )
}

fn counts(map: &BTreeMap<String, u64>) -> String {
    if map.is_empty() {
        return "none".into();
    }
    map.iter()
        .map(|(k, v)| format!("{k} {v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn summary(
    report: &SyncReport,
    skipped: &[Skipped],
    assets: &[StoredAsset],
    window: &RecentWindow,
    elapsed: Duration,
) -> String {
    let mut by_format = BTreeMap::new();
    let mut by_trust = BTreeMap::new();
    let mut by_status = BTreeMap::new();
    let mut errors = BTreeMap::new();
    let mut media = 0;
    let mut in_window = 0;
    for s in assets {
        let a = &s.asset;
        *by_status.entry(a.status.as_str().to_string()).or_default() += 1;
        if let Some(e) = &a.error {
            *errors.entry(e.clone()).or_default() += 1;
        }
        if a.status.is_media() {
            media += 1;
            *by_format
                .entry(a.format.map_or("unknown", |f| f.as_str()).to_string())
                .or_default() += 1;
            *by_trust
                .entry(a.captured.trust.as_str().to_string())
                .or_default() += 1;
            if window.contains(a.captured.utc) {
                in_window += 1;
            }
        }
    }
    for s in skipped {
        *errors.entry(s.kind.to_string()).or_default() += 1;
    }
    let mut out = String::new();
    out.push_str(&format!(
        "indexed in {:.2} s: {} added, {} changed, {} unchanged, {} removed{}\n",
        elapsed.as_secs_f64(),
        report.added,
        report.changed,
        report.unchanged,
        report.removed,
        if report.removal_skipped {
            " (removal skipped: listing incomplete)"
        } else {
            ""
        },
    ));
    out.push_str(&format!(
        "assets: {media} photos/videos of {} files; in the last {} days ({} .. {}): {in_window}\n",
        assets.len(),
        window.days,
        window.first_day,
        window.last_day
    ));
    out.push_str(&format!("by format: {}\n", counts(&by_format)));
    out.push_str(&format!("by date trust: {}\n", counts(&by_trust)));
    out.push_str(&format!("by status: {}\n", counts(&by_status)));
    out.push_str(&format!("errors by kind: {}\n", counts(&errors)));
    if !skipped.is_empty() {
        out.push_str(&format!("skipped entries: {}\n", skipped.len()));
    }
    out
}
