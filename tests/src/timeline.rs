//! Synthetic camera rolls with known truth: a home, daily-life moments, trips (day trips
//! and multi-stop journeys abroad, with local time zones), and noise — photos without
//! GPS, screenshots and messenger images, cameras without a UTC offset (whose instants
//! are read in the device's zone and so are skewed abroad), and files with only a file
//! time. Drives the moment and trip evaluations.

use chrono::{DateTime, Duration, TimeZone, Utc};
use keepsake_core::moments::Photo;
use keepsake_core::DateTrust;

use crate::rng::Rng;

/// A generated library and its truth.
#[derive(Debug, Clone)]
pub struct Roll {
    pub photos: Vec<Photo>,
    /// Truth per photo (same index): the moment it was taken in (None for noise).
    pub moment: Vec<Option<usize>>,
    /// Truth per photo: the trip it belongs to.
    pub trip: Vec<Option<usize>>,
    pub home: (f64, f64),
    pub trips: usize,
    /// A birthday celebrated at home every year (month, day), and its party photos.
    pub birthday: (u32, u32),
    pub party_photos: Vec<i64>,
}

const DAY: i64 = 86_400;

/// A point about `km` away from `from` in a random direction.
fn offset_point(rng: &mut Rng, from: (f64, f64), km: f64) -> (f64, f64) {
    let bearing = rng.range(0.0, std::f64::consts::TAU);
    let dlat = km * bearing.cos() / 111.2;
    let dlon = km * bearing.sin() / (111.2 * from.0.to_radians().cos().max(0.2));
    (
        (from.0 + dlat).clamp(-80.0, 80.0),
        ((from.1 + dlon + 540.0) % 360.0) - 180.0,
    )
}

struct Builder {
    rng: Rng,
    roll: Roll,
    home_offset_h: i64,
    next_moment: usize,
}

impl Builder {
    /// Adds one moment near `place`, with the place's UTC offset. Returns when it ended.
    fn moment(
        &mut self,
        start: DateTime<Utc>,
        place: (f64, f64),
        offset_h: i64,
        trip: Option<usize>,
    ) -> DateTime<Utc> {
        let n = if self.rng.chance(0.3) {
            self.rng.int(1, 3)
        } else {
            self.rng.int(4, 25)
        };
        self.moment_of(start, place, offset_h, trip, n)
    }

    /// A moment of `n` photos.
    fn moment_of(
        &mut self,
        start: DateTime<Utc>,
        place: (f64, f64),
        offset_h: i64,
        trip: Option<usize>,
        n: i64,
    ) -> DateTime<Utc> {
        let id = self.next_moment;
        self.next_moment += 1;
        let has_gps = self.rng.chance(0.85);
        // Some cameras write no offset: their wall time is read in the device zone.
        let no_offset = self.rng.chance(0.15);
        // A second camera whose clock runs 47 minutes fast (and writes no offset).
        let skewed = self.rng.chance(0.05);
        let drift = self.rng.range(0.0, 2.0);
        let spot = offset_point(&mut self.rng, place, drift);
        let mut t = start;
        for _ in 0..n {
            let true_local = (t + Duration::hours(offset_h)).naive_utc();
            // The skewed camera shows a wrong wall time; both offset-less kinds are
            // read in the device's (home) zone.
            let local = if skewed {
                true_local + Duration::minutes(47)
            } else {
                true_local
            };
            let (utc, trust) = if skewed || no_offset {
                (
                    (local - Duration::hours(self.home_offset_h)).and_utc(),
                    DateTrust::ExifLocal,
                )
            } else {
                (t, DateTrust::ExifOffset)
            };
            let gps =
                (has_gps && self.rng.chance(0.95)).then(|| offset_point(&mut self.rng, spot, 0.3));
            let favorite = self.rng.chance(0.03);
            self.push(
                Photo {
                    id: 0,
                    utc,
                    local,
                    trust,
                    gps,
                    favorite,
                    junk: false,
                },
                Some(id),
                trip,
            );
            // Mostly bursts, sometimes a few minutes, now and then a longer pause.
            let roll = self.rng.f64();
            let gap = if roll < 0.80 {
                self.rng.int(3, 90)
            } else if roll < 0.96 {
                self.rng.int(120, 600)
            } else {
                self.rng.int(600, 1500)
            };
            t += Duration::seconds(gap);
        }
        t
    }

    fn push(&mut self, mut p: Photo, moment: Option<usize>, trip: Option<usize>) {
        p.id = self.roll.photos.len() as i64 + 1;
        self.roll.photos.push(p);
        self.roll.moment.push(moment);
        self.roll.trip.push(trip);
    }

    /// One day of `k` moments at `place`, at least 90 minutes apart.
    fn day(
        &mut self,
        day_start: DateTime<Utc>,
        place: (f64, f64),
        radius_km: f64,
        offset_h: i64,
        k: i64,
        trip: Option<usize>,
    ) {
        let mut hour = self.rng.range(8.0, 11.0);
        for _ in 0..k {
            if hour > 22.5 {
                break;
            }
            let at = day_start + Duration::seconds((hour * 3600.0) as i64 - offset_h * 3600);
            let drift = self.rng.range(0.0, radius_km);
            let spot = offset_point(&mut self.rng, place, drift);
            let ended = self.moment(at, spot, offset_h, trip);
            // The next outing starts 30 minutes to 4 hours after this one ended.
            let ended_h = (ended - day_start).num_seconds() as f64 / 3600.0 + offset_h as f64;
            hour = ended_h + self.rng.range(0.5, 4.0);
        }
    }

    fn noise(&mut self, day_start: DateTime<Utc>) {
        for _ in 0..self.rng.int(0, 2) {
            let t = day_start + Duration::seconds(self.rng.int(7 * 3600, 23 * 3600));
            let local = (t + Duration::hours(self.home_offset_h)).naive_utc();
            // Screenshots and messenger images: dates from names, no GPS, junk albums.
            self.push(
                Photo {
                    id: 0,
                    utc: t,
                    local,
                    trust: DateTrust::Filename,
                    gps: None,
                    favorite: false,
                    junk: true,
                },
                None,
                None,
            );
        }
        if self.rng.chance(0.05) {
            // A copied file: only its modification time, which says nothing.
            let t = day_start + Duration::seconds(self.rng.int(0, DAY));
            let local = t.naive_utc();
            let gps = self.rng.chance(0.5).then_some(self.roll.home);
            self.push(
                Photo {
                    id: 0,
                    utc: t,
                    local,
                    trust: DateTrust::FileTime,
                    gps,
                    favorite: false,
                    junk: false,
                },
                None,
                None,
            );
        }
    }
}

/// A year (or `days`) of one person's camera roll.
pub fn generate(seed: u64, days: i64) -> Roll {
    generate_among(seed, days, &[])
}

/// A random anchor `lo..hi` km from `from` (any anchor at least `lo` away when none is
/// that near), not `except`.
fn anchor_near(
    rng: &mut Rng,
    anchors: &[(f64, f64)],
    from: (f64, f64),
    (lo, hi): (f64, f64),
    except: Option<(f64, f64)>,
) -> Option<(f64, f64)> {
    let km = |a: &(f64, f64)| keepsake_core::geo::haversine_km(from, *a);
    let usable = |a: &&(f64, f64)| Some(**a) != except;
    let mut near: Vec<(f64, f64)> = anchors
        .iter()
        .filter(usable)
        .filter(|a| (lo..=hi).contains(&km(a)))
        .copied()
        .collect();
    if near.is_empty() {
        near = anchors
            .iter()
            .filter(usable)
            .filter(|a| km(a) >= lo)
            .copied()
            .collect();
    }
    (!near.is_empty()).then(|| near[rng.int(0, near.len() as i64 - 1) as usize])
}

/// As [`generate`], with home and every trip's stops at `anchors` (real places, say)
/// when any are given; the second stop of a journey is 60–300 km from the first.
pub fn generate_among(seed: u64, days: i64, anchors: &[(f64, f64)]) -> Roll {
    let mut rng = Rng::new(seed);
    let mut home = (rng.range(-45.0, 60.0), rng.range(-120.0, 150.0));
    if !anchors.is_empty() {
        home = anchors[rng.int(0, anchors.len() as i64 - 1) as usize];
    }
    let home_offset_h = (home.1 / 15.0).round() as i64;
    let mut b = Builder {
        rng,
        roll: Roll {
            photos: Vec::new(),
            moment: Vec::new(),
            trip: Vec::new(),
            home,
            trips: 0,
            birthday: (0, 0),
            party_photos: Vec::new(),
        },
        home_offset_h,
        next_moment: 0,
    };
    let start = Utc
        .with_ymd_and_hms(2024, 1, 1, 0, 0, 0)
        .single()
        .unwrap_or_default();
    // Plan trips: non-overlapping, with home days between them.
    let mut plan: Vec<(i64, i64)> = Vec::new();
    let mut day = b.rng.int(5, 30);
    while day < days - 20 {
        let len = if b.rng.chance(0.35) {
            1
        } else {
            b.rng.int(2, 14)
        };
        plan.push((day, len));
        day += len + b.rng.int(12, 60);
    }
    // A birthday party at home every year, 40–60 photos in the afternoon.
    let birthday_offset = b.rng.int(40, 300);
    let birthday = (start + Duration::days(birthday_offset)).date_naive();
    b.roll.birthday = (
        chrono::Datelike::month(&birthday),
        chrono::Datelike::day(&birthday),
    );
    let mut d = 0;
    while d < days {
        let day_start = start + Duration::days(d);
        let date = day_start.date_naive();
        if (chrono::Datelike::month(&date), chrono::Datelike::day(&date)) == b.roll.birthday
            && !plan.iter().any(|(s, len)| (*s..s + len).contains(&d))
        {
            let first = b.roll.photos.len();
            let n = b.rng.int(40, 60);
            let party = day_start + Duration::hours(15 - home_offset_h);
            b.moment_of(party, home, home_offset_h, None, n);
            let ids: Vec<i64> = b.roll.photos[first..].iter().map(|p| p.id).collect();
            b.roll.party_photos.extend(ids);
            b.noise(day_start);
            d += 1;
            continue;
        }
        if let Some(&(_, len)) = plan.iter().find(|(s, _)| *s == d) {
            let trip = b.roll.trips;
            b.roll.trips += 1;
            let (far, radius) = if len == 1 {
                (b.rng.range(70.0, 200.0), 5.0)
            } else {
                (b.rng.range(200.0, 3000.0), 15.0)
            };
            let mut first = offset_point(&mut b.rng, home, far);
            let hop = b.rng.range(60.0, 250.0);
            let mut second = offset_point(&mut b.rng, first, hop);
            let mut multi = len >= 4 && b.rng.chance(0.4);
            if !anchors.is_empty() {
                let span = if len == 1 {
                    (70.0, 250.0)
                } else {
                    (200.0, 3000.0)
                };
                first = anchor_near(&mut b.rng, anchors, home, span, Some(home)).unwrap_or(first);
                match anchor_near(&mut b.rng, anchors, first, (60.0, 300.0), Some(home)) {
                    Some(s)
                        if s != first && keepsake_core::geo::haversine_km(first, s) <= 300.0 =>
                    {
                        second = s
                    }
                    _ => multi = false,
                }
            }
            for k in 0..len {
                let place = if multi && k >= len / 2 { second } else { first };
                let offset = (place.1 / 15.0).round() as i64;
                let moments = if len == 1 {
                    b.rng.int(3, 4)
                } else {
                    b.rng.int(2, 5)
                };
                b.day(
                    start + Duration::days(d + k),
                    place,
                    radius,
                    offset,
                    moments,
                    Some(trip),
                );
                b.noise(start + Duration::days(d + k));
            }
            d += len;
            continue;
        }
        if b.rng.chance(0.6) {
            let k = b.rng.int(1, 3);
            b.day(day_start, home, 8.0, home_offset_h, k, None);
        }
        b.noise(day_start);
        d += 1;
    }
    b.roll
}
