//! Trips: contiguous stretches away from home. Anchors are photos with GPS and a
//! trusted date (EXIF); a trip starts at the first anchor farther than `away_km` from
//! every home and runs until an anchor is back home or the photos stop for
//! `max_gap_days`. Consecutive stops are chained into one trip. Photos without GPS, and
//! photos with lower date trust, inside a trip's time span join it. Only trusted photos
//! without GPS may stretch the span beyond the first and last anchor, and only up to
//! halfway to the nearest photo known to be at home (at most `max_extension_s`): with no
//! other evidence, the halfway point is the even bet for when the traveller left or
//! came back.

pub mod home;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::geo::{haversine_km, CentroidSum};
use crate::moments::Photo;

pub use home::Home;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TripParams {
    /// Farther than this from every home is "away".
    pub away_km: f64,
    pub min_photos: usize,
    /// Shortest absence from home, seconds (a few hours). The absence is the photos'
    /// span plus the estimated travel there and back (distance at `travel_kmh`): an hour
    /// of photos 150 km away means a day out, not a one-hour trip.
    pub min_duration_s: i64,
    pub travel_kmh: f64,
    /// Longest trip, days; longer stretches away are a move, not a trip.
    pub max_days: i64,
    /// A break in photos this long ends a trip even without a photo at home.
    pub max_gap_days: i64,
    /// Anchors within this distance of the previous stop belong to the same stop.
    pub stop_km: f64,
    /// Longest stretch of a trip by GPS-less photos beyond its anchors, seconds.
    pub max_extension_s: i64,
}

impl Default for TripParams {
    fn default() -> Self {
        TripParams {
            away_km: 50.0,
            min_photos: 6,
            min_duration_s: 3 * 3600,
            travel_kmh: 80.0,
            max_days: 30,
            max_gap_days: 5,
            stop_km: 25.0,
            max_extension_s: 12 * 3600,
        }
    }
}

/// One place a trip stayed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stop {
    pub center: (f64, f64),
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub photos: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trip {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// Store ids in time order.
    pub assets: Vec<i64>,
    /// Farthest distance from home, km.
    pub distance_km: f64,
    pub stops: Vec<Stop>,
}

impl Trip {
    /// Calendar span in days (at least 1).
    pub fn days(&self) -> i64 {
        ((self.end - self.start).num_hours() / 24 + 1).max(1)
    }
}

/// Distance to the nearest home, km.
pub(crate) fn home_distance(homes: &[(f64, f64)], g: (f64, f64)) -> f64 {
    homes
        .iter()
        .map(|&h| haversine_km(h, g))
        .fold(f64::INFINITY, f64::min)
}

/// Detects trips; `photos` in any order, `homes` from [`home::infer`] or the user.
pub fn detect(photos: &[Photo], homes: &[(f64, f64)], p: &TripParams) -> Vec<Trip> {
    if homes.is_empty() {
        return Vec::new();
    }
    let mut sorted: Vec<&Photo> = photos.iter().filter(|ph| ph.placeable()).collect();
    sorted.sort_by_key(|ph| (ph.utc, ph.id));
    // Distance to the nearest home, once per photo with GPS.
    let dist: Vec<Option<f64>> = sorted
        .iter()
        .map(|ph| ph.gps.map(|g| home_distance(homes, g)))
        .collect();
    let at_home = |i: usize| dist[i].is_some_and(|d| d <= p.away_km);
    // Anchors known to be at home bound how far GPS-less photos may stretch a trip.
    let home_anchors: Vec<DateTime<Utc>> = (0..sorted.len())
        .filter(|&i| sorted[i].trusted() && at_home(i))
        .map(|i| sorted[i].utc)
        .collect();
    // Runs of away anchors: (first anchor index, last anchor index) into `sorted`.
    let mut runs: Vec<(usize, usize)> = Vec::new();
    let mut open: Option<(usize, usize)> = None;
    for (i, ph) in sorted.iter().enumerate() {
        let Some(d) = dist[i].filter(|_| ph.trusted()) else {
            continue;
        };
        let away = d > p.away_km;
        match (away, open) {
            (true, None) => open = Some((i, i)),
            (true, Some((s, last))) => {
                if (ph.utc - sorted[last].utc).num_days() >= p.max_gap_days {
                    runs.push((s, last));
                    open = Some((i, i));
                } else {
                    open = Some((s, i));
                }
            }
            (false, Some(run)) => {
                runs.push(run);
                open = None;
            }
            (false, None) => {}
        }
    }
    runs.extend(open);

    let mut trips = Vec::new();
    for (s, e) in runs {
        let (start, end) = (sorted[s].utc, sorted[e].utc);
        let span = (end - start).num_seconds();
        if span > p.max_days * 86_400 {
            continue;
        }
        let (lo, hi) = extension_limits(&home_anchors, start, end, p.max_extension_s);
        let before = sorted[..s].iter().rev().take_while(|ph| ph.utc >= lo);
        let after = sorted[e + 1..].iter().take_while(|ph| ph.utc <= hi);
        let gps_less_trusted = |ph: &&&Photo| ph.gps.is_none() && ph.trusted();
        let first = before
            .filter(gps_less_trusted)
            .last()
            .map_or(start, |ph| ph.utc);
        let last = after
            .filter(gps_less_trusted)
            .last()
            .map_or(end, |ph| ph.utc);
        // Everything in the (stretched) span that is not known to be at home.
        let from = sorted.partition_point(|ph| ph.utc < first);
        let to = sorted.partition_point(|ph| ph.utc <= last);
        let members: Vec<&Photo> = (from..to)
            .filter(|&i| !at_home(i))
            .map(|i| sorted[i])
            .collect();
        let (start, end) = (first, last);
        if members.len() < p.min_photos {
            continue;
        }
        let anchors: Vec<&Photo> = members
            .iter()
            .copied()
            .filter(|ph| ph.gps.is_some() && ph.trusted())
            .collect();
        let distance_km = anchors
            .iter()
            .filter_map(|ph| ph.gps)
            .map(|g| home_distance(homes, g))
            .fold(0.0, f64::max);
        let travel_s = 2.0 * distance_km / p.travel_kmh * 3600.0;
        if (span as f64 + travel_s) < p.min_duration_s as f64 {
            continue;
        }
        trips.push(Trip {
            start,
            end,
            assets: members.iter().map(|ph| ph.id).collect(),
            distance_km,
            stops: stops(&anchors, p.stop_km),
        });
    }
    trips
}

/// How far before `start` and after `end` GPS-less photos may stretch a trip: halfway
/// to the neighbouring home anchors, at most `max_s`.
fn extension_limits(
    home_anchors: &[DateTime<Utc>],
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    max_s: i64,
) -> (DateTime<Utc>, DateTime<Utc>) {
    let cap = chrono::Duration::seconds(max_s);
    let i = home_anchors.partition_point(|t| *t < start);
    let lo = match i.checked_sub(1).map(|k| home_anchors[k]) {
        Some(h) => (h + (start - h) / 2).max(start - cap),
        None => start - cap,
    };
    let j = home_anchors.partition_point(|t| *t <= end);
    let hi = match home_anchors.get(j) {
        Some(&h) => (end + (h - end) / 2).min(end + cap),
        None => end + cap,
    };
    (lo, hi)
}

/// Chains anchors into stops: a new stop begins when a photo is farther than `stop_km`
/// from the current stop's centre.
fn stops(anchors: &[&Photo], stop_km: f64) -> Vec<Stop> {
    struct Open {
        sum: CentroidSum,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    }
    let mut out: Vec<Open> = Vec::new();
    for ph in anchors {
        let Some(g) = ph.gps else { continue };
        let same = out
            .last()
            .and_then(|s| s.sum.centroid())
            .is_some_and(|c| haversine_km(c, g) <= stop_km);
        match out.last_mut() {
            Some(s) if same => {
                s.sum.add(g);
                s.end = ph.utc;
            }
            _ => {
                let mut sum = CentroidSum::default();
                sum.add(g);
                out.push(Open {
                    sum,
                    start: ph.utc,
                    end: ph.utc,
                });
            }
        }
    }
    out.into_iter()
        .filter_map(|s| {
            Some(Stop {
                center: s.sum.centroid()?,
                start: s.start,
                end: s.end,
                photos: s.sum.len(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DateTrust;
    use chrono::TimeZone;

    fn photo(id: i64, hours: i64, gps: Option<(f64, f64)>) -> Photo {
        Photo::exact(
            id,
            Utc.timestamp_opt(1_700_000_000 + hours * 3600, 0).unwrap(),
            gps,
        )
    }

    const HOME: (f64, f64) = (48.85, 2.35);
    const ROME: (f64, f64) = (41.9, 12.5);
    const FLORENCE: (f64, f64) = (43.77, 11.25);

    #[test]
    fn a_chained_trip_with_gps_less_photos_and_low_trust_that_cannot_extend() {
        let mut photos = vec![photo(1, 0, Some(HOME)), photo(2, 10, Some(HOME))];
        for (id, h) in (10..).zip(24..72) {
            photos.push(photo(id, h, Some(if h < 48 { ROME } else { FLORENCE })));
        }
        photos.push(photo(100, 50, None)); // no GPS, inside: joins
        let mut late = photo(101, 80, Some(FLORENCE)); // after the last anchor, low trust
        late.trust = DateTrust::Filename;
        photos.push(late);
        photos.push(photo(102, 96, Some(HOME)));
        let trips = detect(&photos, &[HOME], &TripParams::default());
        assert_eq!(trips.len(), 1);
        let t = &trips[0];
        assert_eq!(t.assets.len(), 49);
        assert!(t.assets.contains(&100));
        assert!(
            !t.assets.contains(&101),
            "low-trust photos do not extend a trip"
        );
        assert_eq!(t.stops.len(), 2, "Rome then Florence");
        assert!((t.distance_km - haversine_km(HOME, ROME)).abs() < 1.0);
        assert_eq!(t.days(), 2);
    }

    #[test]
    fn gps_less_photos_stretch_a_trip_halfway_to_home_at_most() {
        let mut photos = vec![photo(1, 0, Some(HOME))];
        for k in 0..8 {
            photos.push(photo(10 + k, 24 + k, Some(ROME)));
        }
        // After the last Rome photo (hour 31): GPS-less photos at hours 40 and 50, then
        // home at hour 60. Halfway is hour 45.5: 40 joins, 50 does not.
        photos.push(photo(40, 40, None));
        photos.push(photo(50, 50, None));
        photos.push(photo(60, 60, Some(HOME)));
        let trips = detect(&photos, &[HOME], &TripParams::default());
        assert_eq!(trips.len(), 1);
        assert!(trips[0].assets.contains(&40));
        assert!(!trips[0].assets.contains(&50));
        assert_eq!(trips[0].end, photos[9].utc);
        // Low-trust GPS-less photos never stretch.
        photos[9].trust = DateTrust::Filename;
        let trips = detect(&photos, &[HOME], &TripParams::default());
        assert!(!trips[0].assets.contains(&40));
    }

    #[test]
    fn too_short_too_long_and_no_home() {
        // Ten photos in one instant 5 km beyond the threshold: a short hop, not a trip…
        let near = (HOME.0 + 0.5, HOME.1);
        let short: Vec<Photo> = (0..10).map(|i| photo(i, 0, Some(near))).collect();
        assert!(
            detect(&short, &[HOME], &TripParams::default()).is_empty(),
            "zero hours"
        );
        // … but the same in Rome means travelling there and back: a trip.
        let rome: Vec<Photo> = (0..10).map(|i| photo(i, 0, Some(ROME))).collect();
        assert_eq!(detect(&rome, &[HOME], &TripParams::default()).len(), 1);
        let long: Vec<Photo> = (0..40).map(|d| photo(d, d * 24, Some(ROME))).collect();
        assert!(
            detect(&long, &[HOME], &TripParams::default()).is_empty(),
            "40 days is a move"
        );
        assert!(detect(&long, &[], &TripParams::default()).is_empty());
    }

    #[test]
    fn home_prefers_nights_and_long_recurrence() {
        let mut photos = Vec::new();
        let mut id = 0;
        // Home: 60 evenings over a year. Holiday: 14 days in a row, many photos.
        for d in 0..60 {
            photos.push(photo(id, d * 24 * 6 + 21, Some(HOME)));
            id += 1;
        }
        for d in 0..14 {
            for k in 0..10 {
                photos.push(photo(id, 24 * 400 + d * 24 + 10 + k % 5, Some(ROME)));
                id += 1;
            }
        }
        let homes = home::infer(&photos, 50.0);
        assert_eq!(homes.len(), 1, "{homes:?}");
        assert!(haversine_km(homes[0].center, HOME) < 5.0);
    }
}
