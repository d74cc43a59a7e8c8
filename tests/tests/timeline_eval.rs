//! Moment boundaries and trips against synthetic camera rolls with known truth, over
//! many seeds. Prints precision, recall and F1; requires F1 ≥ 0.85 on moment
//! boundaries and ≥ 0.9 on trips.
#![allow(clippy::unwrap_used, clippy::print_stdout)]

use std::collections::HashSet;

use keepsake_core::moments::{boundaries, MomentParams};
use keepsake_core::trips::{detect, home, TripParams};
use keepsake_harness::timeline::{generate, Roll};

const SEEDS: u64 = 24;
const DAYS: i64 = 365;

#[derive(Default, Debug, Clone, Copy)]
struct Counts {
    tp: usize,
    fp: usize,
    fn_: usize,
}

impl Counts {
    fn add(&mut self, o: Counts) {
        self.tp += o.tp;
        self.fp += o.fp;
        self.fn_ += o.fn_;
    }
    fn prf(&self) -> (f64, f64, f64) {
        let p = self.tp as f64 / (self.tp + self.fp).max(1) as f64;
        let r = self.tp as f64 / (self.tp + self.fn_).max(1) as f64;
        let f = if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        };
        (p, r, f)
    }
}

fn moment_counts(roll: &Roll) -> Counts {
    let mut idx: Vec<usize> = (0..roll.photos.len())
        .filter(|&i| roll.photos[i].placeable())
        .collect();
    idx.sort_by_key(|&i| (roll.photos[i].utc, roll.photos[i].id));
    let sorted: Vec<_> = idx.iter().map(|&i| roll.photos[i].clone()).collect();
    let predicted: HashSet<usize> = boundaries(&sorted, &MomentParams::default())
        .into_iter()
        .map(|(i, _)| i)
        .collect();
    let truth: HashSet<usize> = (0..idx.len().saturating_sub(1))
        .filter(|&k| roll.moment[idx[k]] != roll.moment[idx[k + 1]])
        .collect();
    Counts {
        tp: predicted.intersection(&truth).count(),
        fp: predicted.difference(&truth).count(),
        fn_: truth.difference(&predicted).count(),
    }
}

fn trip_counts(roll: &Roll) -> Counts {
    let params = TripParams::default();
    let homes: Vec<(f64, f64)> = home::infer(&roll.photos, params.away_km)
        .into_iter()
        .map(|h| h.center)
        .collect();
    let found = detect(&roll.photos, &homes, &params);
    let truth: Vec<HashSet<i64>> = (0..roll.trips)
        .map(|t| {
            roll.photos
                .iter()
                .zip(&roll.trip)
                .filter(|(_, tr)| **tr == Some(t))
                .map(|(p, _)| p.id)
                .collect()
        })
        .filter(|s: &HashSet<i64>| !s.is_empty())
        .collect();
    let mut matched = vec![false; truth.len()];
    let mut c = Counts::default();
    for trip in &found {
        let got: HashSet<i64> = trip.assets.iter().copied().collect();
        // Jaccard = |A∩B| / |A∪B|.
        let best = truth
            .iter()
            .enumerate()
            .filter(|(i, _)| !matched[*i])
            .map(|(i, t)| {
                (
                    i,
                    got.intersection(t).count() as f64 / got.union(t).count() as f64,
                )
            })
            .max_by(|a, b| a.1.total_cmp(&b.1));
        match best {
            Some((i, j)) if j >= 0.5 => {
                matched[i] = true;
                c.tp += 1;
            }
            _ => c.fp += 1,
        }
    }
    c.fn_ = matched.iter().filter(|m| !**m).count();
    c
}

#[test]
fn moments_and_trips_over_many_seeds() {
    let (mut m, mut t) = (Counts::default(), Counts::default());
    let mut photos = 0;
    for seed in 0..SEEDS {
        let roll = generate(seed, DAYS);
        photos += roll.photos.len();
        let (mc, tc) = (moment_counts(&roll), trip_counts(&roll));
        m.add(mc);
        t.add(tc);
    }
    let (mp, mr, mf) = m.prf();
    let (tp, tr, tf) = t.prf();
    println!("timeline evaluation: {SEEDS} seeds x {DAYS} days, {photos} photos");
    println!("  moment boundaries: precision {mp:.3} recall {mr:.3} F1 {mf:.3} ({m:?})");
    println!("  trips:             precision {tp:.3} recall {tr:.3} F1 {tf:.3} ({t:?})");
    assert!(mf >= 0.85, "moment boundary F1 {mf:.3} < 0.85");
    assert!(tf >= 0.9, "trip F1 {tf:.3} < 0.9");
}

#[test]
#[ignore = "diagnostics: cargo test --test timeline_eval -- --ignored --nocapture"]
fn show_missed_trips() {
    for seed in 0..SEEDS {
        let roll = generate(seed, DAYS);
        let params = TripParams::default();
        let homes: Vec<(f64, f64)> = home::infer(&roll.photos, params.away_km)
            .into_iter()
            .map(|h| h.center)
            .collect();
        let found = detect(&roll.photos, &homes, &params);
        for t in 0..roll.trips {
            let ids: HashSet<i64> = roll
                .photos
                .iter()
                .zip(&roll.trip)
                .filter(|(_, tr)| **tr == Some(t))
                .map(|(p, _)| p.id)
                .collect();
            let hit = found.iter().any(|f| {
                let got: HashSet<i64> = f.assets.iter().copied().collect();
                got.intersection(&ids).count() * 2 >= got.union(&ids).count()
            });
            if !hit {
                let ps: Vec<_> = roll.photos.iter().filter(|p| ids.contains(&p.id)).collect();
                let anchors = ps
                    .iter()
                    .filter(|p| p.gps.is_some() && p.trust >= keepsake_core::DateTrust::ExifLocal)
                    .count();
                let span = ps.last().unwrap().utc - ps.first().unwrap().utc;
                let d = ps
                    .iter()
                    .filter_map(|p| p.gps)
                    .map(|g| keepsake_core::geo::haversine_km(g, roll.home))
                    .fold(0.0, f64::max);
                println!("seed {seed} trip {t}: {} photos, {anchors} anchors, span {} h, {d:.0} km, homes {}", ps.len(), span.num_hours(), homes.len());
                let (a, b) = (ps.first().unwrap().utc, ps.last().unwrap().utc);
                for f in found.iter().filter(|f| {
                    f.end >= a - chrono::Duration::days(3)
                        && f.start <= b + chrono::Duration::days(3)
                }) {
                    let got: HashSet<i64> = f.assets.iter().copied().collect();
                    println!(
                        "    found {} .. {} ({} photos, {} shared)",
                        f.start,
                        f.end,
                        f.assets.len(),
                        got.intersection(&ids).count()
                    );
                }
                println!("    truth {a} .. {b}");
            }
        }
    }
}

#[test]
fn birthdays_surface_as_special_dates_recurring_events_and_gatherings() {
    use chrono::{Datelike, Duration, NaiveDate, TimeZone, Utc};
    use keepsake_core::suggest::{suggest, Input, Kind, Prefs, SpecialDate, SpecialKind};
    let mut checked = 0;
    for seed in 0..10 {
        let roll = generate(seed, 3 * 365 + 40);
        let (month, day) = roll.birthday;
        let party: HashSet<i64> = roll.party_photos.iter().copied().collect();
        let party_days: HashSet<_> = roll
            .party_photos
            .iter()
            .map(|id| roll.photos[(*id - 1) as usize].local.date())
            .collect();
        if party_days.len() < 2 {
            // The birthday fell on trips: no yearly party at home to find.
            println!(
                "seed {seed}: only {} party at home, not a recurring event",
                party_days.len()
            );
            continue;
        }
        // Three days before the last birthday in the roll.
        let last_year = roll.photos.iter().map(|p| p.local.year()).max().unwrap();
        let bday = NaiveDate::from_ymd_opt(last_year, month, day).unwrap();
        let now = Utc.from_utc_datetime(&(bday - Duration::days(3)).and_hms_opt(12, 0, 0).unwrap());
        let prefs = Prefs {
            special_dates: vec![SpecialDate {
                id: 1,
                label: "Alex".into(),
                kind: SpecialKind::Birthday,
                month,
                day,
                year: None,
            }],
            ..Prefs::default()
        };
        let signals = std::collections::HashMap::new();
        let input = Input {
            photos: &roll.photos,
            signals: &signals,
            homes: &[],
            now,
            zone: keepsake_core::DeviceZone::UTC,
            prefs: &prefs,
            months: &[],
            places: None,
        };
        let all = suggest(&input);
        let share = |assets: &[i64]| {
            assets.iter().filter(|a| party.contains(a)).count() as f64 / assets.len() as f64
        };

        let special = all
            .iter()
            .find(|s| s.kind == Kind::SpecialDate)
            .expect("registered birthday surfaces");
        assert_eq!(special.reasons[0].fact("days_until"), Some(3.0));
        assert!(special.reasons[0].fact("years").unwrap() >= 2.0);
        let party_years: HashSet<i32> = special
            .assets
            .iter()
            .filter(|a| party.contains(a))
            .map(|a| roll.photos[(*a - 1) as usize].local.year())
            .collect();
        assert!(
            party_years.len() >= 2,
            "seed {seed}: parties of several years in the special date"
        );
        for a in &special.assets {
            let d = roll.photos[(*a - 1) as usize].local.date();
            let anchor = NaiveDate::from_ymd_opt(d.year(), month, day).unwrap();
            assert!(
                (d - anchor).num_days().abs() <= 1,
                "seed {seed}: {d} is not the birthday"
            );
        }

        let recurring: Vec<_> = all
            .iter()
            .filter(|s| s.kind == Kind::RecurringEvent)
            .collect();
        let party_years_in = |assets: &[i64]| -> HashSet<i32> {
            assets
                .iter()
                .filter(|a| party.contains(a))
                .map(|a| roll.photos[(*a - 1) as usize].local.year())
                .collect()
        };
        assert!(
            recurring
                .iter()
                .any(|s| party_years_in(&s.assets).len() >= 2
                    && s.reasons[0].fact("years").unwrap() >= 2.0),
            "seed {seed}: the yearly party recurs"
        );
        assert!(
            all.iter()
                .any(|s| s.kind == Kind::Gathering && share(&s.assets) >= 0.9),
            "seed {seed}: a party is a gathering"
        );
        checked += 1;
    }
    println!(
        "birthdays found as special dates, recurring events and gatherings in {checked} rolls"
    );
    assert!(checked >= 6, "too few rolls with yearly parties: {checked}");
}
