//! The suggestion engine's incremental path gives exactly what a fresh computation
//! gives, as days of photos are appended; edits in the past and new exclusions rebuild.
#![allow(clippy::unwrap_used, clippy::print_stdout)]

use std::collections::HashMap;

use chrono::Duration;
use keepsake_core::suggest::{suggest, Engine, Input, Prefs, Signals};
use keepsake_core::DeviceZone;
use keepsake_harness::timeline::generate;

#[test]
fn appending_days_matches_fresh_computation() {
    for seed in [3, 8] {
        let roll = generate(seed, 420);
        let mut photos = roll.photos.clone();
        photos.sort_by_key(|p| (p.utc, p.id));
        let start = photos[0].utc + Duration::days(360);
        let signals: HashMap<i64, Signals> = HashMap::new();
        let prefs = Prefs::default();
        let zone = DeviceZone::UTC;
        let mut engine = Engine::new();
        let mut incremental_runs = 0;
        for day in 0..45 {
            let now = start + Duration::days(day);
            let upto = photos.partition_point(|p| p.utc < now);
            let input = Input {
                photos: &photos[..upto],
                signals: &signals,
                homes: &[],
                now,
                zone,
                prefs: &prefs,
                months: &[],
                places: None,
            };
            let got = engine.run(&input);
            let want = suggest(&input);
            assert_eq!(
                got, want,
                "seed {seed}, day {day}: incremental differs from fresh"
            );
            if engine.last_run().incremental {
                incremental_runs += 1;
                assert!(
                    engine.last_run().selections_reused > 0,
                    "old months and trips reuse their selections"
                );
            }
        }
        assert!(
            incremental_runs >= 40,
            "appending days takes the incremental path ({incremental_runs}/45)"
        );
    }
}

#[test]
fn edits_in_the_past_and_exclusions_rebuild_and_still_match() {
    let roll = generate(5, 200);
    let signals = HashMap::new();
    let zone = DeviceZone::UTC;
    let now = roll.photos.iter().map(|p| p.utc).max().unwrap() + Duration::hours(1);
    let mut engine = Engine::new();
    let prefs = Prefs::default();
    let input = Input {
        photos: &roll.photos,
        signals: &signals,
        homes: &[],
        now,
        zone,
        prefs: &prefs,
        months: &[],
        places: None,
    };
    engine.run(&input);

    // A photo removed from the middle: rebuild.
    let mut fewer = roll.photos.clone();
    let middle = (fewer.len() / 2..).find(|&i| fewer[i].placeable()).unwrap();
    fewer.remove(middle);
    let input = Input {
        photos: &fewer,
        ..input
    };
    assert_eq!(engine.run(&input), suggest(&input));
    assert!(!engine.last_run().incremental);

    // A hidden photo: rebuild.
    let mut hidden = Prefs::default();
    hidden
        .hidden
        .insert(fewer.iter().find(|p| p.placeable()).unwrap().id);
    let input = Input {
        prefs: &hidden,
        ..input
    };
    assert_eq!(engine.run(&input), suggest(&input));
    assert!(!engine.last_run().incremental);

    // Nothing changed: incremental, nothing recomputed.
    assert_eq!(engine.run(&input), suggest(&input));
    assert!(engine.last_run().incremental);
    assert_eq!(engine.last_run().selections_computed, 0);
}
