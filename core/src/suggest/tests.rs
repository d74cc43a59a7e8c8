//! Every kind on one fixture library, with its content and reasons; every exclusion
//! against every kind; determinism.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, TimeZone, Utc};

use super::*;
use crate::library::DateTrust;

const PARIS: (f64, f64) = (48.8566, 2.3522);
const ROME: (f64, f64) = (41.9028, 12.4964);

struct Lib {
    photos: Vec<Photo>,
    signals: HashMap<i64, Signals>,
}

impl Lib {
    fn moment(
        &mut self,
        start: DateTime<Utc>,
        n: i64,
        step_s: i64,
        gps: Option<(f64, f64)>,
    ) -> Vec<i64> {
        (0..n)
            .map(|k| {
                let id = self.photos.len() as i64 + 1;
                let utc = start + Duration::seconds(k * step_s);
                let local = (utc + Duration::hours(2)).naive_utc();
                self.photos.push(Photo {
                    id,
                    utc,
                    local,
                    trust: DateTrust::ExifOffset,
                    gps,
                    favorite: false,
                    junk: false,
                });
                id
            })
            .collect()
    }
}

fn utc(y: i32, m: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, mi, 0).unwrap()
}

fn now() -> DateTime<Utc> {
    utc(2025, 6, 15, 10, 0)
}

/// Named groups of fixture photos, to check suggestions against.
struct Fixture {
    lib: Lib,
    trip: Vec<i64>,
    on_this_day: Vec<i64>,
    birthday: Vec<i64>,
    gathering: Vec<i64>,
    recurring: Vec<i64>,
    golden: Vec<i64>,
    night: Vec<i64>,
    groups: Vec<i64>,
    selfies: Vec<i64>,
    favorites: Vec<i64>,
    pets: Vec<i64>,
    snow: Vec<i64>,
}

/// Signals of a photo the classifier scored `score` for `theme`, `class` on top.
fn themed(theme: crate::themes::Theme, score: f32, class: u16) -> Signals {
    let mut s = Signals::default();
    s.themes.0[theme as usize] = score;
    s.top_class = Some(class);
    s
}

fn fixture() -> Fixture {
    let mut lib = Lib {
        photos: Vec::new(),
        signals: HashMap::new(),
    };
    // Everyday life at home: a 5-photo evening moment every third day since 2022.
    let mut day = utc(2022, 1, 1, 16, 0);
    while day < utc(2025, 6, 15, 0, 0) {
        // Nobody is home during the Rome trip (9–15 April 2025).
        if !(utc(2025, 4, 9, 0, 0)..utc(2025, 4, 16, 0, 0)).contains(&day) {
            lib.moment(day, 5, 60, Some(PARIS));
        }
        day += Duration::days(3);
    }
    let mut trip = Vec::new();
    for d in 10..15 {
        for h in [8, 11, 14, 17] {
            trip.extend(lib.moment(utc(2025, 4, d, h, 0), 6, 45, Some(ROME)));
        }
    }
    let mut on_this_day = lib.moment(utc(2023, 6, 14, 9, 0), 3, 60, Some(PARIS));
    on_this_day.extend(lib.moment(utc(2024, 6, 15, 9, 0), 3, 60, Some(PARIS)));
    let mut birthday = lib.moment(utc(2023, 6, 18, 13, 0), 4, 60, Some(PARIS));
    birthday.extend(lib.moment(utc(2024, 6, 18, 13, 0), 4, 60, Some(PARIS)));
    let gathering = lib.moment(utc(2025, 3, 8, 12, 30), 60, 150, Some(PARIS));
    for id in &gathering {
        lib.signals.insert(
            *id,
            Signals {
                quality: Some(0.6),
                faces: 2,
                ..Signals::default()
            },
        );
    }
    // A family dinner every Christmas Eve: a gathering that recurs.
    let mut recurring = lib.moment(utc(2023, 12, 24, 17, 30), 30, 120, Some(PARIS));
    recurring.extend(lib.moment(utc(2024, 12, 24, 17, 30), 30, 120, Some(PARIS)));
    // Paris sunset on 2024-06-21 is at 19:58 UTC.
    let golden = lib.moment(utc(2024, 6, 21, 19, 30), 14, 120, Some(PARIS));
    let night = lib.moment(utc(2024, 12, 10, 22, 0), 14, 60, Some(PARIS));
    let groups = lib.moment(utc(2024, 9, 1, 11, 0), 10, 700, Some(PARIS));
    for id in &groups {
        lib.signals.insert(
            *id,
            Signals {
                faces: 5,
                largest_face: Some(0.03),
                ..Signals::default()
            },
        );
    }
    let selfies = lib.moment(utc(2024, 10, 1, 11, 0), 10, 700, Some(PARIS));
    for id in &selfies {
        lib.signals.insert(
            *id,
            Signals {
                faces: 1,
                largest_face: Some(0.25),
                ..Signals::default()
            },
        );
    }
    // A dog photographed every third day of May 2025 (the beagle class, 162), and five
    // snowy photos one winter: too few for a theme of their own.
    let mut pets = Vec::new();
    for d in (2..=23).step_by(3) {
        pets.extend(lib.moment(utc(2025, 5, d, 10, 0), 1, 60, Some(PARIS)));
    }
    for id in &pets {
        lib.signals
            .insert(*id, themed(crate::themes::Theme::Pets, 0.9, 162));
    }
    let snow = lib.moment(utc(2024, 1, 20, 10, 0), 5, 600, Some(PARIS));
    for id in &snow {
        lib.signals
            .insert(*id, themed(crate::themes::Theme::Snow, 0.8, 795));
    }
    let favorites: Vec<i64> = (0..10).map(|k| 1 + k * 37).collect();
    for id in &favorites {
        lib.photos[(*id - 1) as usize].favorite = true;
    }
    Fixture {
        lib,
        trip,
        on_this_day,
        birthday,
        gathering,
        recurring,
        golden,
        night,
        groups,
        selfies,
        favorites,
        pets,
        snow,
    }
}

fn run(f: &Fixture, prefs: &Prefs) -> Vec<Suggestion> {
    let homes = [PARIS];
    let zone = DeviceZone::parse("Europe/Paris").unwrap();
    let input = Input {
        photos: &f.lib.photos,
        signals: &f.lib.signals,
        homes: &homes,
        now: now(),
        zone,
        prefs,
        months: &[(2025, 4)],
        places: None,
    };
    suggest(&input)
}

fn prefs() -> Prefs {
    Prefs {
        special_dates: vec![SpecialDate {
            id: 1,
            label: "Mia".into(),
            kind: SpecialKind::Birthday,
            month: 6,
            day: 18,
            year: Some(2020),
        }],
        ..Prefs::default()
    }
}

fn of_kind(all: &[Suggestion], kind: Kind) -> Vec<&Suggestion> {
    all.iter().filter(|s| s.kind == kind).collect()
}

fn subset(assets: &[i64], of: &[i64]) -> bool {
    let of: HashSet<i64> = of.iter().copied().collect();
    assets.iter().all(|a| of.contains(a))
}

/// Mia (named, birthday 18 June) is in the birthday, group and selfie photos; person 2
/// in the birthday and group photos; person 3 (hidden) in the selfies.
fn people(f: &Fixture) -> Vec<PersonPhotos> {
    let set = |parts: &[&Vec<i64>]| parts.iter().flat_map(|v| v.iter().copied()).collect();
    vec![
        PersonPhotos {
            id: 1,
            named: true,
            hidden: false,
            birthday: Some((6, 18, Some(2020))),
            photos: set(&[&f.birthday, &f.groups, &f.selfies]),
        },
        PersonPhotos {
            id: 2,
            named: false,
            hidden: false,
            birthday: None,
            photos: set(&[&f.birthday, &f.groups]),
        },
        PersonPhotos {
            id: 3,
            named: false,
            hidden: true,
            birthday: Some((6, 16, None)),
            photos: set(&[&f.selfies, &f.groups]),
        },
    ]
}

fn with_people(f: &Fixture) -> Prefs {
    Prefs {
        people: people(f),
        ..prefs()
    }
}

#[test]
fn people_kinds_hold_only_their_people() {
    let f = fixture();
    let all = run(&f, &with_people(&f));
    let people = people(&f);
    let photos_of = |id: i64| &people.iter().find(|p| p.id == id).unwrap().photos;
    let highlights = of_kind(&all, Kind::PersonHighlights);
    assert!(!highlights.is_empty());
    for s in &highlights {
        let id = s.reasons[0].fact("person").unwrap() as i64;
        assert_ne!(id, 3, "a hidden person is never featured");
        assert!(s.assets.iter().all(|a| photos_of(id).contains(a)));
        assert_eq!(s.title[0], TitlePart::Person { id });
    }
    let together = of_kind(&all, Kind::Together);
    assert_eq!(together.len(), 1, "only people 1 and 2 count (3 is hidden)");
    let both: HashSet<i64> = photos_of(1).intersection(photos_of(2)).copied().collect();
    assert!(together[0].assets.iter().all(|a| both.contains(a)));
    assert_eq!(
        together[0].reasons[0].fact("photos"),
        Some(both.len() as f64)
    );
    // Mia's birthday from the person (in 3 days), not from a registered date.
    let birthday: Vec<_> = of_kind(&all, Kind::SpecialDate)
        .into_iter()
        .filter(|s| s.reasons[0].rule == "person_birthday")
        .collect();
    assert_eq!(
        birthday.len(),
        1,
        "the hidden person's birthday is not featured"
    );
    assert_eq!(birthday[0].reasons[0].fact("days_until"), Some(3.0));
    assert!(birthday[0].assets.iter().all(|a| photos_of(1).contains(a)));
    assert!(birthday[0].title.contains(&TitlePart::Count {
        what: "years",
        n: 5
    }));
    // Photos kept out (an excluded person's, for instance) never appear in them.
    let mut g = fixture();
    let out: Vec<i64> = f.groups.clone();
    for id in &out {
        g.lib.signals.entry(*id).or_default().excluded_face = true;
    }
    for s in run(&g, &with_people(&g)) {
        assert!(s.assets.iter().all(|a| !out.contains(a)), "{:?}", s.kind);
    }
}

#[test]
fn every_kind_with_content_and_reasons() {
    let f = fixture();
    let all = run(&f, &with_people(&f));
    for s in &all {
        assert!(
            s.assets.contains(&s.cover),
            "{:?}: cover is one of the assets",
            s.kind
        );
        assert!(!s.reasons.is_empty(), "{:?} has reasons", s.kind);
        assert!(s.assets.windows(2).all(
            |w| f.lib.photos[(w[0] - 1) as usize].utc <= f.lib.photos[(w[1] - 1) as usize].utc
        ));
    }
    let kinds: HashSet<Kind> = all.iter().map(|s| s.kind).collect();
    // The favourite place is the Rome trip's photos: merged into the trip (below).
    for k in Kind::ALL.into_iter().filter(|k| *k != Kind::ThemePlace) {
        assert!(kinds.contains(&k), "kind {k:?} missing; got {kinds:?}");
    }
    assert!(!kinds.contains(&Kind::ThemePlace));
    // No two suggestions about places and events share over half their photos.
    for (i, a) in all.iter().enumerate() {
        for b in &all[i + 1..] {
            let place =
                |k: Kind| matches!(k, Kind::TripHighlights | Kind::ThemePlace | Kind::Gathering);
            if !(place(a.kind) && place(b.kind)) {
                continue;
            }
            let set: HashSet<i64> = a.assets.iter().copied().collect();
            let shared = b.assets.iter().filter(|x| set.contains(x)).count();
            let smaller = a.assets.len().min(b.assets.len());
            let container = |k: Kind| {
                matches!(
                    k,
                    Kind::RecentDays
                        | Kind::MonthlyRecap
                        | Kind::OnThisDay
                        | Kind::SpecialDate
                        | Kind::RecurringEvent
                        | Kind::PersonHighlights
                        | Kind::Together
                )
            };
            if !container(a.kind) && !container(b.kind) {
                assert!(
                    shared * 2 <= smaller,
                    "{} and {} share {shared} of {smaller} photos",
                    a.id,
                    b.id
                );
            }
        }
    }

    let recent = of_kind(&all, Kind::RecentDays)[0];
    let r = &recent.reasons[0];
    assert_eq!((r.rule, r.fact("days")), ("recent_days", Some(30.0)));
    assert!(recent.start >= utc(2025, 5, 16, 22, 0), "inside the window");
    assert!(
        recent.chapters.len() >= 4,
        "weekly chapters: {}",
        recent.chapters.len()
    );

    let months: Vec<(f64, f64)> = of_kind(&all, Kind::MonthlyRecap)
        .iter()
        .map(|s| {
            (
                s.reasons[0].fact("year").unwrap(),
                s.reasons[0].fact("month").unwrap(),
            )
        })
        .collect();
    assert!(months.contains(&(2025.0, 5.0)), "previous month");
    assert!(months.contains(&(2025.0, 4.0)), "requested month");
    let april = of_kind(&all, Kind::MonthlyRecap)
        .into_iter()
        .find(|s| s.reasons[0].fact("month") == Some(4.0))
        .unwrap();
    assert_eq!(april.reasons[0].fact("trips"), Some(1.0));
    assert!(april.assets.len() <= 30);

    let trips = of_kind(&all, Kind::TripHighlights);
    assert_eq!(trips.len(), 1);
    let t = trips[0];
    assert!(subset(&t.assets, &f.trip));
    let r = &t.reasons[0];
    assert_eq!(r.rule, "away_from_home");
    assert!(
        (r.fact("distance_km").unwrap() - 1106.0).abs() < 10.0,
        "{r:?}"
    );
    assert_eq!((r.fact("days"), r.fact("photos")), (Some(5.0), Some(120.0)));
    assert!(matches!(t.title[0], TitlePart::Place { lat, .. } if (lat - ROME.0).abs() < 0.1));

    let otd = of_kind(&all, Kind::OnThisDay)[0];
    for a in &otd.assets {
        let d = f.lib.photos[(*a - 1) as usize].local.date();
        let anchor = chrono::NaiveDate::from_ymd_opt(chrono::Datelike::year(&d), 6, 15).unwrap();
        assert!(
            (d - anchor).num_days().abs() <= 3 && chrono::Datelike::year(&d) < 2025,
            "{d} is not on this day"
        );
    }
    assert!(otd.assets.iter().any(|a| f.on_this_day.contains(a)));
    let by_year: HashMap<u32, f64> = otd
        .reasons
        .iter()
        .map(|r| {
            (
                r.fact("years_ago").unwrap() as u32,
                r.fact("days_off").unwrap(),
            )
        })
        .collect();
    assert_eq!(
        by_year.get(&1),
        Some(&0.0),
        "2024 has photos on June 15 itself"
    );
    assert!(by_year.contains_key(&2));
    assert!(otd
        .reasons
        .iter()
        .all(|r| r.rule == "on_this_day" && r.fact("photos").unwrap() >= 1.0));

    let bday = of_kind(&all, Kind::SpecialDate)[0];
    assert!(
        f.birthday.iter().all(|b| bday.assets.contains(b)),
        "the birthday photos are in"
    );
    for a in &bday.assets {
        let d = f.lib.photos[(*a - 1) as usize].local.date();
        let anchor = chrono::NaiveDate::from_ymd_opt(chrono::Datelike::year(&d), 6, 18).unwrap();
        assert!(
            (d - anchor).num_days().abs() <= 1,
            "{d} is not around June 18"
        );
    }
    let r = &bday.reasons[0];
    assert_eq!(
        (r.rule, r.fact("days_until")),
        ("registered_date", Some(3.0))
    );
    assert!(r.fact("years").unwrap() >= 2.0);
    assert_eq!(bday.title[0], TitlePart::UserText { text: "Mia".into() });
    assert!(bday.title.contains(&TitlePart::Count {
        what: "years",
        n: 5
    }));

    let g = of_kind(&all, Kind::Gathering);
    assert_eq!(g.len(), 3, "the party and the two Christmas dinners");
    for s in &g {
        assert!(s.reasons[0].fact("photos").unwrap() >= 25.0);
        assert!(s.reasons[0].fact("hours").unwrap() < 8.0);
    }
    let party = g
        .iter()
        .find(|s| subset(&s.assets, &f.gathering))
        .expect("the party is a gathering");
    let r = &party.reasons[0];
    assert_eq!(
        (r.rule, r.fact("photos"), r.fact("faces_per_photo")),
        ("gathering", Some(60.0), Some(2.0))
    );
    assert!(r.fact("times_median").unwrap() >= 10.0);

    let rec = of_kind(&all, Kind::RecurringEvent);
    assert_eq!(rec.len(), 1);
    assert!(subset(&rec[0].assets, &f.recurring));
    assert_eq!(rec[0].reasons[0].fact("years"), Some(2.0));

    let tod = of_kind(&all, Kind::ThemeTimeOfDay);
    let golden = tod
        .iter()
        .find(|s| s.reasons[0].rule == "golden_hour")
        .unwrap();
    assert!(golden.reasons[0].fact("photos").unwrap() >= f.golden.len() as f64);
    for a in &golden.assets {
        let p = &f.lib.photos[(*a - 1) as usize];
        let (lat, lon) = p.gps.unwrap();
        let e = sun::elevation_deg(lat, lon, p.utc);
        assert!(
            (-4.0..=8.0).contains(&e),
            "sun at {e:.1}° is not golden hour"
        );
    }
    assert!(!golden
        .assets
        .iter()
        .any(|a| f.night.contains(a) || f.groups.contains(a)));
    let night = tod.iter().find(|s| s.reasons[0].rule == "night").unwrap();
    assert!(night.assets.iter().any(|a| f.night.contains(a)));

    let people = of_kind(&all, Kind::ThemePeople);
    let groups = people
        .iter()
        .find(|s| s.reasons[0].rule == "group_shots")
        .unwrap();
    assert!(subset(&groups.assets, &f.groups));
    let selfies = people
        .iter()
        .find(|s| s.reasons[0].rule == "selfies")
        .unwrap();
    assert!(subset(&selfies.assets, &f.selfies));

    let fav = of_kind(&all, Kind::ThemeFavorites)[0];
    assert_eq!(
        fav.assets.iter().copied().collect::<HashSet<_>>(),
        f.favorites.iter().copied().collect()
    );

    // The favourite place (Rome, five days) lives on in the trip's reasons.
    let trip = of_kind(&all, Kind::TripHighlights)
        .into_iter()
        .find(|s| subset(&s.assets, &f.trip))
        .unwrap();
    let merged = trip
        .reasons
        .iter()
        .find(|r| r.rule == "merged_overlap")
        .unwrap();
    assert!(merged.fact("shared_photos").unwrap() > 0.0);
    let place = trip
        .reasons
        .iter()
        .find(|r| r.rule == "favourite_place")
        .unwrap();
    assert_eq!(place.fact("days"), Some(5.0));
}

#[test]
fn every_exclusion_is_honoured_by_every_kind() {
    let f = fixture();
    let base = run(&f, &prefs());
    for s in &base {
        // Dismissed: gone, and does not come back with the same content.
        let mut p = prefs();
        p.dismissed.insert(s.id.clone());
        assert!(
            run(&f, &p).iter().all(|o| o.id != s.id),
            "{:?} came back after dismissal",
            s.kind
        );

        // Hidden photos never appear in any suggestion.
        let mut p = prefs();
        p.hidden = s.assets.iter().copied().collect();
        for o in run(&f, &p) {
            assert!(
                o.assets.iter().all(|a| !p.hidden.contains(a)),
                "{:?} shows a hidden photo",
                o.kind
            );
        }

        // A hidden date range removes everything inside it.
        let mut p = prefs();
        p.hidden_ranges = vec![(s.start, s.end)];
        for o in run(&f, &p) {
            for a in &o.assets {
                let t = f.lib.photos[(*a - 1) as usize].utc;
                assert!(
                    t < s.start || t > s.end,
                    "{:?} shows a photo from a hidden range ({:?})",
                    o.kind,
                    s.kind
                );
            }
        }

        // A sensitive place (2 km around the suggestion's first photo with a place)
        // removes every photo taken there from every suggestion.
        let Some(c) = s
            .assets
            .iter()
            .find_map(|a| f.lib.photos[(*a - 1) as usize].gps)
        else {
            continue;
        };
        let mut p = prefs();
        p.sensitive_places = vec![(c, 2.0)];
        for o in run(&f, &p) {
            for a in &o.assets {
                let g = f.lib.photos[(*a - 1) as usize].gps;
                assert!(
                    g.is_none_or(|g| crate::geo::haversine_km(g, c) > 2.0),
                    "{:?} shows a photo from a sensitive place ({:?})",
                    o.kind,
                    s.kind
                );
            }
        }
    }
    // Junk (screenshots, messenger, downloads) never appears.
    let mut f2 = fixture();
    for p in f2.lib.photos.iter_mut().filter(|p| p.favorite) {
        p.junk = true;
    }
    assert!(run(&f2, &prefs())
        .iter()
        .all(|s| s.kind != Kind::ThemeFavorites));
}

#[test]
fn deterministic_and_stable_ids() {
    let f = fixture();
    let a = run(&f, &prefs());
    let b = run(&f, &prefs());
    assert_eq!(a, b);
    // Reordering the input does not change anything.
    let mut g = fixture();
    g.lib.photos.reverse();
    assert_eq!(run(&g, &prefs()), a);
}

#[test]
fn degenerate_libraries_produce_no_panic() {
    let zone = DeviceZone::UTC;
    let prefs = Prefs::default();
    let signals = HashMap::new();
    let mk = |n: i64, f: &dyn Fn(i64) -> (DateTime<Utc>, Option<(f64, f64)>)| -> Vec<Photo> {
        (0..n)
            .map(|i| {
                let (utc, gps) = f(i);
                Photo::exact(i + 1, utc, gps)
            })
            .collect()
    };
    let cases: Vec<Vec<Photo>> = vec![
        Vec::new(),
        mk(1, &|_| (now(), None)),
        mk(500, &|_| (now(), None)), // all equal
        mk(200, &|i| {
            (utc(1970, 1, 1, 0, 0) + Duration::minutes(i), None)
        }), // 1970
        mk(200, &|i| {
            (utc(2090, 1, 1, 0, 0) + Duration::minutes(i), Some(PARIS))
        }), // future
        mk(100_000, &|i| {
            (now() - Duration::milliseconds(i * 36), Some(PARIS))
        }), // 100k in an hour
    ];
    for photos in cases {
        let input = Input {
            photos: &photos,
            signals: &signals,
            homes: &[PARIS],
            now: now(),
            zone,
            prefs: &prefs,
            months: &[],
            places: None,
        };
        let out = suggest(&input);
        for s in &out {
            assert!(!s.assets.is_empty());
        }
    }

    // No GPS at all: no trips, no places, no homes — but recaps still work.
    let no_gps = mk(2000, &|i| (now() - Duration::hours(i * 7), None));
    let input = Input {
        photos: &no_gps,
        signals: &signals,
        homes: &[],
        now: now(),
        zone,
        prefs: &prefs,
        months: &[],
        places: None,
    };
    let out = suggest(&input);
    assert!(out
        .iter()
        .all(|s| !matches!(s.kind, Kind::TripHighlights | Kind::ThemePlace)));
    assert!(out.iter().any(|s| s.kind == Kind::RecentDays));

    // No dates (only file times): nothing can be placed, so nothing is suggested.
    let mut undated = mk(500, &|i| (now() - Duration::hours(i), Some(PARIS)));
    for p in &mut undated {
        p.trust = DateTrust::FileTime;
    }
    let input = Input {
        photos: &undated,
        ..input
    };
    assert!(suggest(&input).is_empty());
}

#[test]
fn ids_name_what_a_suggestion_is_about_and_outlive_new_photos_signals_and_midnight() {
    let f = fixture();
    let base = run(&f, &with_people(&f));
    let ids: HashSet<&str> = base.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids.len(), base.len(), "ids are unique");
    for s in &base {
        let (kind, key) = s.id.split_once(':').unwrap();
        assert_eq!(kind, s.kind.as_str());
        assert!(!key.is_empty());
        assert!(
            !s.id.contains("41.9") && !s.id.contains("48.8") && !s.id.contains("Mia"),
            "no coordinates or names in an id: {}",
            s.id
        );
    }
    let trip = of_kind(&base, Kind::TripHighlights)[0].clone();
    assert_eq!(trip.id, "trip_highlights:2025-04-10");
    assert!(ids.contains("monthly_recap:2025-04") && ids.contains("monthly_recap:2025-05"));
    assert_eq!(month_of("monthly_recap:2025-04"), Some((2025, 4)));
    assert_eq!(month_of("monthly_recap:2025-13"), None);
    assert_eq!(month_of("trip_highlights:2025-04-10"), None);

    // New photos inside the trip: the trip, its month and its place keep their ids.
    let mut g = fixture();
    let added = g.lib.moment(utc(2025, 4, 12, 20, 0), 8, 60, Some(ROME));
    let grown = run(&g, &with_people(&g));
    let grown_trip = of_kind(&grown, Kind::TripHighlights)[0];
    assert_eq!(grown_trip.id, trip.id);
    assert_eq!(
        grown_trip.reasons[0].fact("photos"),
        Some(trip.reasons[0].fact("photos").unwrap() + 8.0)
    );
    for s in &base {
        assert!(
            grown.iter().any(|o| o.id == s.id),
            "{} lost after new photos",
            s.id
        );
    }
    // Analysis reaches every photo (a quality, two faces where none were known):
    // selections change, ids do not.
    let mut h = fixture();
    for (i, p) in h.lib.photos.iter().enumerate() {
        let s = h.lib.signals.entry(p.id).or_default();
        s.quality = Some((i % 7) as f32 / 7.0);
        if s.faces == 0 {
            s.faces = 2;
        }
    }
    let analysed = run(&h, &with_people(&h));
    let analysed_ids: HashSet<&str> = analysed.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(analysed_ids, ids);
    assert!(
        analysed
            .iter()
            .any(|a| base.iter().any(|b| a.id == b.id && a.assets != b.assets)),
        "the signals changed some selection (else this proves nothing)"
    );
    // Past midnight: everything but "on this day" (which is about the day) keeps its id.
    let input_at = |now: DateTime<Utc>, prefs: &Prefs| {
        let homes = [PARIS];
        let input = Input {
            photos: &f.lib.photos,
            signals: &f.lib.signals,
            homes: &homes,
            now,
            zone: DeviceZone::parse("Europe/Paris").unwrap(),
            prefs,
            months: &[(2025, 4)],
            places: None,
        };
        suggest(&input)
    };
    let p = with_people(&f);
    let before = input_at(utc(2025, 6, 15, 21, 50), &p);
    let after = input_at(utc(2025, 6, 15, 22, 10), &p); // 00:10 in Paris
    for s in before.iter().filter(|s| s.kind != Kind::OnThisDay) {
        assert!(
            after.iter().any(|o| o.id == s.id),
            "{} changed at midnight",
            s.id
        );
    }

    // A dismissed trip stays dismissed when photos arrive in it.
    let mut dismissed = with_people(&g);
    dismissed.dismissed.insert(trip.id.clone());
    let out = run(&g, &dismissed);
    assert!(of_kind(&out, Kind::TripHighlights).is_empty());
    assert!(added.iter().all(|a| !out
        .iter()
        .filter(|s| s.kind == Kind::TripHighlights)
        .any(|s| s.assets.contains(a))));
}

#[test]
fn two_suggestions_with_one_key_get_distinct_ids_in_order() {
    let f = fixture();
    let mut all = run(&f, &prefs());
    all.truncate(3);
    for s in &mut all {
        s.id = "gathering:2025-03-08".into();
    }
    types::disambiguate(&mut all);
    let ids: Vec<&str> = all.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "gathering:2025-03-08",
            "gathering:2025-03-08~2",
            "gathering:2025-03-08~3"
        ]
    );
}

#[test]
fn a_trip_is_named_by_its_stop_farthest_from_the_inferred_home() {
    const LYON: (f64, f64) = (45.764, 4.8357);
    const MARSEILLE: (f64, f64) = (43.2965, 5.3698);
    let mut lib = Lib {
        photos: Vec::new(),
        signals: HashMap::new(),
    };
    // Home (Paris) is only inferred: a moment every other day for a year.
    let mut day = utc(2024, 6, 1, 17, 0);
    while day < utc(2025, 6, 1, 0, 0) {
        lib.moment(day, 4, 60, Some(PARIS));
        day += Duration::days(2);
    }
    // Lyon, then Marseille (farther), then Lyon again: the last stop is not the farthest.
    for (d, place) in [
        (2, LYON),
        (3, LYON),
        (4, MARSEILLE),
        (5, MARSEILLE),
        (6, LYON),
    ] {
        for h in [9, 13, 17] {
            lib.moment(utc(2025, 6, d, h, 0), 4, 60, Some(place));
        }
    }
    lib.moment(utc(2025, 6, 8, 17, 0), 4, 60, Some(PARIS));
    let input = Input {
        photos: &lib.photos,
        signals: &lib.signals,
        homes: &[],
        now: utc(2025, 6, 10, 12, 0),
        zone: DeviceZone::parse("Europe/Paris").unwrap(),
        prefs: &Prefs::default(),
        months: &[],
        places: None,
    };
    let out = suggest(&input);
    let trip = of_kind(&out, Kind::TripHighlights)[0];
    let Some(TitlePart::Place { lat, lon, .. }) = trip.title.first() else {
        panic!("{:?}", trip.title)
    };
    assert!(
        crate::geo::haversine_km((*lat, *lon), MARSEILLE) < 20.0,
        "named after ({lat}, {lon})"
    );
}

#[test]
fn content_themes_make_suggestions_with_their_reasons() {
    let f = fixture();
    let all = run(&f, &prefs());
    let content = of_kind(&all, Kind::ThemeContent);
    let ids: Vec<&str> = content.iter().map(|s| s.id.as_str()).collect();
    // May's pets; the pets across the library are the same photos, so that suggestion
    // is merged into May's; five snowy photos are not enough for a theme.
    assert_eq!(ids, ["theme_content:pets-2025-05"]);
    assert!(content
        .iter()
        .all(|s| !s.assets.iter().any(|a| f.snow.contains(a))));
    let s = content[0];
    assert!(subset(&s.assets, &f.pets));
    let rules: Vec<&str> = s.reasons.iter().map(|r| r.rule).collect();
    assert_eq!(rules, ["pets_month", "merged_overlap", "content_theme"]);
    for r in s.reasons.iter().filter(|r| r.rule != "merged_overlap") {
        assert_eq!(r.fact("photos"), Some(8.0));
        assert_eq!(r.classes, ["beagle"]);
        assert!(r.fact("mean_score").unwrap() > 0.85);
        assert_eq!(
            r.fact("threshold"),
            Some(f64::from(crate::themes::Theme::Pets.threshold()))
        );
    }
    let month = content.iter().find(|s| s.id.ends_with("2025-05")).unwrap();
    assert_eq!(
        month.title,
        [
            TitlePart::Label { key: "pets" },
            TitlePart::Month {
                year: 2025,
                month: 5
            }
        ]
    );
    // A photo kept out (a face the user excluded) leaves the theme.
    let mut g = fixture();
    g.lib.signals.get_mut(&g.pets[0]).unwrap().excluded_face = true;
    let again = run(&g, &prefs());
    let pets = again
        .iter()
        .find(|s| s.id == "theme_content:pets-2025-05")
        .unwrap();
    assert!(!pets.assets.contains(&g.pets[0]));
}
