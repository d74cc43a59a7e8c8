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

/// The place a point is named after, by brute force over every place (the rule of
/// `keepsake_core::places`, without its grid): within 30 km, the best ln(population) −
/// km / 4.
fn brute_best(places: &[keepsake_core::places::Place], p: (f64, f64)) -> Option<usize> {
    let mut best: Option<(usize, f64)> = None;
    for (i, c) in places.iter().enumerate() {
        let d = keepsake_core::geo::haversine_km(p, (c.lat, c.lon));
        if d > 30.0 {
            continue;
        }
        let score = f64::from(c.population.max(1)).ln() - d / 4.0;
        if best.is_none_or(|(_, s)| score > s) {
            best = Some((i, score));
        }
    }
    best.map(|(i, _)| i)
}

#[test]
fn every_generated_trip_is_named_after_its_places_inside_a_network_namespace() {
    use keepsake_core::places::Gazetteer;
    let Some(table) = common::setup_file("places.tsv") else {
        return;
    };
    if !Command::new("unshare")
        .args(["-n", "true"])
        .status()
        .is_ok_and(|s| s.success())
    {
        assert!(std::env::var_os("CI").is_none(), "unshare -n refused in CI");
        println!("SKIPPED: this kernel refuses a network namespace (unshare -n)");
        return;
    }
    let g = Gazetteer::load_path(&table).unwrap();
    // Trips go to real places: homes and stops are cities of 500 000 people or more.
    let anchors: Vec<(f64, f64)> = g
        .places()
        .iter()
        .filter(|p| p.population >= 500_000)
        .map(|p| (p.lat, p.lon))
        .collect();
    let (mut trips, mut anchored, mut multi) = (0, 0, 0);
    for seed in 0..3 {
        let roll = keepsake_harness::timeline::generate_among(seed, 365, &anchors);
        let zone = zone_of(&roll);
        let tmp = TempDir::new("places-netns");
        let records = write_records(&tmp, &roll);
        let db = tmp.join("k.db");
        let step = |args: &[&str]| -> Output {
            Command::new("unshare")
                .arg("-n")
                .arg(env!("CARGO_BIN_EXE_keepsake"))
                .args(args)
                .arg("--db")
                .arg(&db)
                .args(["--tz", &zone, "--now", "2025-02-01T00:00:00Z", "--places"])
                .arg(&table)
                .output()
                .unwrap()
        };
        assert!(step(&["sync", "--records", records.to_str().unwrap()])
            .status
            .success());
        assert!(step(&["consent", "grant", "suggestions"]).status.success());
        let all = lines(&step(&["suggest", "--json"]));
        for s in all.iter().filter(|s| s["kind"] == "trip_highlights") {
            trips += 1;
            let place = &s["title"][0];
            assert_eq!(place["type"], "place", "{s}");
            let names: Vec<(String, String)> = place["names"]
                .as_array()
                .unwrap_or_else(|| panic!("a trip without a place name: {s}"))
                .iter()
                .map(|n| {
                    (
                        n["city"].as_str().unwrap().to_string(),
                        n["country_code"].as_str().unwrap().to_string(),
                    )
                })
                .collect();
            // The trip's photos, as the generator made them.
            let ids: Vec<usize> = s["assets"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a.as_str().unwrap()[1..].parse::<usize>().unwrap() - 1)
                .collect();
            let trip = roll.trip[ids[0]].expect("a trip suggestion made of trip photos");
            let mut points: Vec<(chrono::DateTime<chrono::Utc>, (f64, f64))> = roll
                .photos
                .iter()
                .enumerate()
                .filter(|(i, p)| roll.trip[*i] == Some(trip) && p.placeable())
                .filter_map(|(_, p)| p.gps.map(|g| (p.utc, g)))
                .collect();
            points.sort_by_key(|(t, _)| *t);
            // Expected stops by brute force: each photo's place; the places naming at
            // least a fifth of them, the two most photographed, in the order reached.
            let mut counts: Vec<(usize, usize, usize)> = Vec::new();
            let mut named = 0;
            for (k, (_, p)) in points.iter().enumerate() {
                let Some(i) = brute_best(g.places(), *p) else {
                    continue;
                };
                named += 1;
                match counts.iter_mut().find(|c| c.0 == i) {
                    Some(c) => c.1 += 1,
                    None => counts.push((i, 1, k)),
                }
            }
            let min = ((named as f64) * 0.2).ceil().max(1.0) as usize;
            counts.retain(|c| c.1 >= min);
            counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.2.cmp(&b.2)));
            counts.truncate(2);
            counts.sort_by_key(|c| c.2);
            let expected: Vec<(String, String)> = counts
                .iter()
                .map(|c| {
                    let n = g.name_of(&g.places()[c.0]);
                    (n.city, n.country_code)
                })
                .collect();
            assert_eq!(names, expected, "seed {seed}, trip {trip}: {s}");
            // And the generator's own destination is among the stops, most of the time.
            let dest = points.first().map(|(_, p)| *p).unwrap();
            let near_dest = anchors
                .iter()
                .min_by(|a, b| {
                    keepsake_core::geo::haversine_km(dest, **a)
                        .total_cmp(&keepsake_core::geo::haversine_km(dest, **b))
                })
                .and_then(|a| g.name(a.0, a.1))
                .unwrap();
            anchored += usize::from(names.iter().any(|n| n.0 == near_dest.city));
            multi += usize::from(names.len() == 2);
        }
    }
    println!(
        "{trips} generated trips named inside a network namespace: all as the brute-force \
         lookup names them; {anchored} name their destination city, {multi} have two stops"
    );
    assert!(trips >= 10, "only {trips} trips");
    assert!(
        anchored * 4 >= trips * 3,
        "{anchored} of {trips} name their destination"
    );
    assert!(multi >= 1, "no multi-stop trip");
}

#[test]
fn a_sensitive_place_keeps_its_photos_out_of_every_suggestion() {
    let (roll, zone, tmp) = synced(11, 200, "sensitive-cli");
    assert!(run(&tmp, &zone, &["consent", "grant", "suggestions"])
        .status
        .success());
    let before = lines(&run(&tmp, &zone, &["suggest", "--json"]));
    let trip = before
        .iter()
        .find(|s| s["kind"] == "trip_highlights")
        .expect("a trip");
    let first: usize = trip["assets"][0].as_str().unwrap()[1..].parse().unwrap();
    let c = roll.photos[first - 1].gps.unwrap();
    let (lat, lon) = (c.0.to_string(), c.1.to_string());
    // Bad requests are refused with a clear error, and nothing is stored.
    for bad in [
        ["91", "0", "100"],
        [lat.as_str(), lon.as_str(), "0"],
        [lat.as_str(), lon.as_str(), "200000"],
    ] {
        let mut args = vec!["feedback", "sensitive-place"];
        args.extend(bad);
        let out = run(&tmp, &zone, &args);
        assert!(!out.status.success());
        assert!(String::from_utf8_lossy(&out.stderr).contains("sensitive place"));
    }
    let out = run(
        &tmp,
        &zone,
        &["feedback", "sensitive-place", &lat, &lon, "50000"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let id = String::from_utf8_lossy(&out.stdout)
        .trim()
        .rsplit(' ')
        .next()
        .unwrap()
        .to_string();
    let listed =
        String::from_utf8_lossy(&run(&tmp, &zone, &["feedback", "list"]).stdout).to_string();
    assert_eq!(listed.matches("sensitive place").count(), 1, "{listed}");
    let after = lines(&run(&tmp, &zone, &["suggest", "--json"]));
    for s in &after {
        for a in s["assets"].as_array().unwrap() {
            let i: usize = a.as_str().unwrap()[1..].parse().unwrap();
            if let Some(g) = roll.photos[i - 1].gps {
                assert!(
                    keepsake_core::geo::haversine_km(g, c) > 50.0,
                    "{} shows a photo from the sensitive place",
                    s["id"]
                );
            }
        }
    }
    assert!(after.iter().all(|s| s["id"] != trip["id"]));
    // Removed: the trip comes back.
    assert!(
        run(&tmp, &zone, &["feedback", "remove-sensitive-place", &id])
            .status
            .success()
    );
    let back = lines(&run(&tmp, &zone, &["suggest", "--json"]));
    assert!(back.iter().any(|s| s["id"] == trip["id"]));
    assert!(
        !run(&tmp, &zone, &["feedback", "remove-sensitive-place", &id])
            .status
            .success()
    );
}
