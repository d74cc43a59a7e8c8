//! Generated camera rolls through the whole harness: JSON Lines → `keepsake sync` →
//! `moments` / `trips` / `suggest` / feedback. The store round-trip must keep
//! everything the timeline logic needs: the CLI's moments and trips equal the core's on
//! the generated photos.
#![allow(clippy::unwrap_used, clippy::print_stdout)]

mod common;

use std::collections::BTreeSet;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output};

use common::TempDir;
use keepsake_core::moments::{segment, MomentParams};
use keepsake_core::trips::{detect, home, TripParams};
use keepsake_core::DateTrust;
use keepsake_harness::timeline::{generate, Roll};
use serde_json::{json, Value};

fn run(tmp: &TempDir, zone: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_keepsake"))
        .args(args)
        .args([
            "--db",
            tmp.join("k.db").to_str().unwrap(),
            "--tz",
            zone,
            "--now",
            "2025-02-01T00:00:00Z",
        ])
        .output()
        .unwrap()
}

fn lines(out: &Output) -> Vec<Value> {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn sets(out: &Output) -> Vec<BTreeSet<String>> {
    lines(out)
        .iter()
        .map(|v| {
            v["assets"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a.as_str().unwrap().to_string())
                .collect()
        })
        .collect()
}

/// The device zone of a generated roll: the home's fixed offset (IANA "Etc/GMT" signs
/// are inverted).
fn zone_of(roll: &Roll) -> String {
    match (roll.home.1 / 15.0).round() as i64 {
        0 => "UTC".to_string(),
        h if h > 0 => format!("Etc/GMT-{h}"),
        h => format!("Etc/GMT+{}", -h),
    }
}

/// Writes the roll as host records; every 50th photo is in a "Party" album.
fn write_records(tmp: &TempDir, roll: &Roll) -> PathBuf {
    let path = tmp.join("roll.jsonl");
    let mut f = std::fs::File::create(&path).unwrap();
    for p in &roll.photos {
        let offset_s = (p.local - p.utc.naive_utc()).num_seconds();
        let captured_at = match p.trust {
            DateTrust::ExifOffset => Some(format!(
                "{}{}{:02}:{:02}",
                p.local.format("%Y-%m-%dT%H:%M:%S"),
                if offset_s < 0 { '-' } else { '+' },
                offset_s.abs() / 3600,
                offset_s.abs() % 3600 / 60
            )),
            DateTrust::ExifLocal => Some(p.local.format("%Y-%m-%dT%H:%M:%S").to_string()),
            _ => None,
        };
        let name = match p.trust {
            DateTrust::Filename => format!("Screenshot_{}.png", p.local.format("%Y%m%d-%H%M%S")),
            _ => format!("file{}.bin", p.id),
        };
        let rec = json!({
            "id": format!("p{}", p.id),
            "uri": format!("content://media/{}", p.id),
            "name": name,
            "modified_ms": p.utc.timestamp_millis(),
            "captured_at": captured_at,
            "lat": p.gps.map(|g| g.0),
            "lon": p.gps.map(|g| g.1),
            "favorite": p.favorite,
            "screenshot": p.junk,
            "album": (p.id % 50 == 0).then_some("Party"),
        });
        writeln!(f, "{rec}").unwrap();
    }
    path
}

fn synced(seed: u64, days: i64, tag: &str) -> (Roll, String, TempDir) {
    let roll = generate(seed, days);
    let zone = zone_of(&roll);
    let tmp = TempDir::new(tag);
    let records = write_records(&tmp, &roll);
    let out = run(
        &tmp,
        &zone,
        &["sync", "--records", records.to_str().unwrap()],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (roll, zone, tmp)
}

#[test]
fn cli_timeline_matches_the_core_on_a_generated_roll() {
    let (roll, zone, tmp) = synced(7, 200, "timeline-cli");

    // No consent, no timeline.
    let out = run(&tmp, &zone, &["trips", "--json"]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("consent required for scope `suggestions`")
    );
    assert!(run(&tmp, &zone, &["consent", "grant", "suggestions"])
        .status
        .success());

    let label = |ids: &[i64]| {
        ids.iter()
            .map(|i| format!("p{i}"))
            .collect::<BTreeSet<String>>()
    };
    let params = TripParams::default();
    let homes: Vec<(f64, f64)> = home::infer(&roll.photos, params.away_km)
        .into_iter()
        .map(|h| h.center)
        .collect();
    let want_trips: Vec<BTreeSet<String>> = detect(&roll.photos, &homes, &params)
        .iter()
        .map(|t| label(&t.assets))
        .collect();
    let got_trips = sets(&run(&tmp, &zone, &["trips", "--json"]));
    assert!(!want_trips.is_empty());
    assert_eq!(got_trips, want_trips);

    let want_moments: Vec<BTreeSet<String>> = segment(&roll.photos, &MomentParams::default())
        .iter()
        .map(|m| label(&m.assets))
        .collect();
    let got_moments = sets(&run(&tmp, &zone, &["moments", "--json"]));
    assert_eq!(got_moments, want_moments);
    println!(
        "{} photos: {} moments, {} trips through the CLI",
        roll.photos.len(),
        got_moments.len(),
        got_trips.len()
    );

    // A user-set home far away turns home life into "away": trips change.
    assert!(run(&tmp, &zone, &["home", "set", "-33.86", "151.21"])
        .status
        .success());
    let out = run(&tmp, &zone, &["home", "show"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("set by you"));
    assert_ne!(sets(&run(&tmp, &zone, &["trips", "--json"])), want_trips);
    assert!(run(&tmp, &zone, &["home", "clear"]).status.success());
    assert_eq!(sets(&run(&tmp, &zone, &["trips", "--json"])), want_trips);
}

#[test]
fn suggest_and_feedback_through_the_cli() {
    let (_roll, zone, tmp) = synced(11, 400, "suggest-cli");
    assert!(
        !run(&tmp, &zone, &["suggest"]).status.success(),
        "no consent, no suggestions"
    );
    assert!(run(&tmp, &zone, &["consent", "grant", "suggestions"])
        .status
        .success());
    let suggest = || {
        lines(&run(
            &tmp,
            &zone,
            &["suggest", "--json", "--month", "2024-03"],
        ))
    };

    let all = suggest();
    assert!(all.len() >= 3, "{} suggestions", all.len());
    for s in &all {
        for field in [
            "id", "kind", "title", "start", "end", "assets", "cover", "score", "reasons",
        ] {
            assert!(!s[field].is_null(), "{field} missing in {s}");
        }
        assert!(s["assets"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a.as_str().unwrap().starts_with('p')));
        assert!(s["reasons"][0]["rule"].is_string());
    }
    let kinds: BTreeSet<&str> = all.iter().map(|s| s["kind"].as_str().unwrap()).collect();
    assert!(
        kinds.contains("trip_highlights") && kinds.contains("monthly_recap"),
        "{kinds:?}"
    );
    assert!(
        all.iter()
            .any(|s| s["kind"] == "monthly_recap" && s["reasons"][0]["month"] == 3.0),
        "the requested month is recapped"
    );

    // Dismiss the best one: it is gone, the rest stay.
    let first = all[0]["id"].as_str().unwrap().to_string();
    assert!(run(&tmp, &zone, &["feedback", "dismiss", &first])
        .status
        .success());
    let after = suggest();
    assert!(after.iter().all(|s| s["id"] != first.as_str()));
    assert_eq!(after.len(), all.len() - 1);
    let listed = run(&tmp, &zone, &["feedback", "list"]);
    assert!(String::from_utf8_lossy(&listed.stdout).contains(&format!("dismissed {first}")));
    // Un-dismiss: it comes back with the same id; then dismiss it again.
    assert!(run(&tmp, &zone, &["feedback", "undismiss", &first])
        .status
        .success());
    assert!(suggest().iter().any(|s| s["id"] == first.as_str()));
    assert!(!run(&tmp, &zone, &["feedback", "undismiss", &first])
        .status
        .success());
    assert!(run(&tmp, &zone, &["feedback", "dismiss", &first])
        .status
        .success());
    // A hidden range listed and shown again.
    let hidden = run(
        &tmp,
        &zone,
        &[
            "feedback",
            "hide-range",
            "1990-01-01T00:00:00Z",
            "1990-01-02T00:00:00Z",
        ],
    );
    let line = String::from_utf8_lossy(&hidden.stdout).to_string();
    let range = line.trim().rsplit(' ').next().unwrap().to_string();
    let listed = run(&tmp, &zone, &["feedback", "list"]);
    assert!(String::from_utf8_lossy(&listed.stdout).contains(&format!("hidden range {range}:")));
    assert!(run(&tmp, &zone, &["feedback", "show-range", &range])
        .status
        .success());
    assert!(
        !String::from_utf8_lossy(&run(&tmp, &zone, &["feedback", "list"]).stdout)
            .contains("hidden range")
    );

    // Hide a trip's cover: it appears nowhere.
    let trip = after
        .iter()
        .find(|s| s["kind"] == "trip_highlights")
        .unwrap();
    let cover = trip["cover"].as_str().unwrap().to_string();
    assert!(run(&tmp, &zone, &["feedback", "hide", &cover])
        .status
        .success());
    assert!(suggest().iter().all(|s| s["assets"]
        .as_array()
        .unwrap()
        .iter()
        .all(|a| a != cover.as_str())));

    // Exclude an album (case-insensitively): none of its photos appear.
    assert!(run(&tmp, &zone, &["feedback", "exclude-album", "party"])
        .status
        .success());
    for s in suggest() {
        for a in s["assets"].as_array().unwrap() {
            let id: i64 = a.as_str().unwrap()[1..].parse().unwrap();
            assert!(
                id % 50 != 0,
                "photo {id} of an excluded album in {}",
                s["kind"]
            );
        }
    }

    // Dates: add, list, bad input, remove.
    assert!(run(
        &tmp,
        &zone,
        &["dates", "add", "Mia", "02-29", "--kind", "birthday", "--year", "2020"]
    )
    .status
    .success());
    let listed = run(&tmp, &zone, &["dates", "list"]);
    assert!(String::from_utf8_lossy(&listed.stdout).contains("02-29  birthday  Mia"));
    assert!(!run(&tmp, &zone, &["dates", "add", "X", "02-30"])
        .status
        .success());
    assert!(!run(&tmp, &zone, &["dates", "remove", "99"])
        .status
        .success());
}
