//! A generated camera roll through the whole harness: JSON Lines → `keepsake sync` →
//! `moments` / `trips`. The store round-trip must keep everything the timeline logic
//! needs: the CLI's output equals the core's segmentation of the generated photos.
#![allow(clippy::unwrap_used, clippy::print_stdout)]

mod common;

use std::collections::BTreeSet;
use std::io::Write;
use std::process::{Command, Output};

use common::TempDir;
use keepsake_core::moments::{segment, MomentParams};
use keepsake_core::trips::{detect, home, TripParams};
use keepsake_core::DateTrust;
use keepsake_harness::timeline::generate;
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

fn sets(out: &Output) -> Vec<BTreeSet<String>> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            v["assets"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a.as_str().unwrap().to_string())
                .collect()
        })
        .collect()
}

#[test]
fn cli_timeline_matches_the_core_on_a_generated_roll() {
    let roll = generate(7, 200);
    let home_offset = (roll.home.1 / 15.0).round() as i64;
    // The device zone is the home's fixed offset (IANA "Etc/GMT" signs are inverted).
    let zone = match home_offset {
        0 => "UTC".to_string(),
        h if h > 0 => format!("Etc/GMT-{h}"),
        h => format!("Etc/GMT+{}", -h),
    };
    let tmp = TempDir::new("timeline-cli");
    let records = tmp.join("roll.jsonl");
    let mut f = std::fs::File::create(&records).unwrap();
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
        });
        writeln!(f, "{rec}").unwrap();
    }
    drop(f);

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
    assert_eq!(got_moments.len(), want_moments.len());
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
    let moved = sets(&run(&tmp, &zone, &["trips", "--json"]));
    assert_ne!(moved, want_trips);
    assert!(run(&tmp, &zone, &["home", "clear"]).status.success());
    assert_eq!(sets(&run(&tmp, &zone, &["trips", "--json"])), want_trips);
}
