//! The stateful engine behind [`suggest`](super::suggest): it keeps what it computed —
//! moments, home statistics, trips, per-photo sun classes and photo selections — and when
//! the library only grew at the end (a new day of photos), it recomputes just the tail:
//! the last moments (PhotoTOC decisions look 10 gaps either way), the trips after the
//! last photo at home, the new photos' sun classes, and the selections whose candidates
//! changed. Anything else (edits in the past, new exclusions, another home) rebuilds.
//! Either way the output is identical to a fresh computation; a test holds it to that.

use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};

use super::select::Selection;
use super::sun::elevation_deg;
use super::{
    content, dates, events, people, recap, themes, travel, Context, Input, Signals, Suggestion,
};
use crate::moments::{boundaries, moment, Cut, Moment, MomentParams, Photo};
use crate::trips::home::HomeStats;
use crate::trips::{self, Trip, TripParams};

/// Sun class of a photo: golden hour, night, or neither/unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SunClass {
    Golden,
    Night,
    Other,
}

pub(crate) const GOLDEN: (f64, f64) = (-4.0, 8.0);
/// Night: the sun lower than this (astronomical dusk begins at −12°; −10° is dark enough).
pub(crate) const NIGHT_BELOW: f64 = -10.0;

fn sun_class(p: &Photo) -> SunClass {
    use chrono::Timelike;
    match p.gps {
        Some((lat, lon)) => {
            let e = elevation_deg(lat, lon, p.utc);
            if (GOLDEN.0..=GOLDEN.1).contains(&e) {
                SunClass::Golden
            } else if e < NIGHT_BELOW {
                SunClass::Night
            } else {
                SunClass::Other
            }
        }
        // Without a place, only the clock: late night is night anywhere.
        None if !(5..22).contains(&p.local.hour()) => SunClass::Night,
        None => SunClass::Other,
    }
}

/// What the last run did, for benchmarks and logs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunStats {
    pub photos: usize,
    /// True when the previous state was extended rather than rebuilt.
    pub incremental: bool,
    pub new_photos: usize,
    pub selections_reused: usize,
    pub selections_computed: usize,
}

struct State {
    key: u64,
    /// Usable photos (placeable, not hidden), sorted by (utc, id).
    photos: Vec<Photo>,
    index: HashMap<i64, usize>,
    sun: Vec<SunClass>,
    cuts: Vec<(usize, Cut)>,
    /// Photo index ranges `[a, b)` of the moments, and the moments.
    ranges: Vec<(usize, usize)>,
    moments: Vec<Moment>,
    home_stats: HomeStats,
    homes: Vec<(f64, f64)>,
    trips: Vec<Trip>,
    memo: HashMap<u64, Selection>,
}

/// The suggestion engine with its caches. One per store.
#[derive(Default)]
pub struct Engine {
    state: Option<State>,
    last: RunStats,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("last", &self.last)
            .finish_non_exhaustive()
    }
}

/// Fingerprint of everything besides the photos that the cached state depends on.
fn state_key(input: &Input<'_>) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    let mut hidden: Vec<i64> = input.prefs.hidden.iter().copied().collect();
    hidden.sort_unstable();
    hidden.hash(&mut h);
    for (a, b) in &input.prefs.hidden_ranges {
        (a.timestamp_millis(), b.timestamp_millis()).hash(&mut h);
    }
    for ((lat, lon), km) in &input.prefs.sensitive_places {
        (lat.to_bits(), lon.to_bits(), km.to_bits()).hash(&mut h);
    }
    for (lat, lon) in input.homes {
        (lat.to_bits(), lon.to_bits()).hash(&mut h);
    }
    h.finish()
}

impl Engine {
    pub fn new() -> Engine {
        Engine::default()
    }

    /// Statistics of the last [`run`](Self::run).
    pub fn last_run(&self) -> RunStats {
        self.last
    }

    /// Computes every suggestion for `input.now`, best first.
    pub fn run(&mut self, input: &Input<'_>) -> Vec<Suggestion> {
        let prefs = input.prefs;
        let mut usable: Vec<Photo> = input
            .photos
            .iter()
            .filter(|p| p.placeable())
            .filter(|p| !prefs.hidden.contains(&p.id))
            .filter(|p| {
                !prefs
                    .hidden_ranges
                    .iter()
                    .any(|(a, b)| *a <= p.utc && p.utc <= *b)
            })
            .filter(|p| {
                !p.gps.is_some_and(|g| {
                    prefs
                        .sensitive_places
                        .iter()
                        .any(|(c, km)| crate::geo::haversine_km(*c, g) <= *km)
                })
            })
            .cloned()
            .collect();
        usable.sort_by_key(|p| (p.utc, p.id));
        let key = state_key(input);

        let extendable = self.state.as_ref().is_some_and(|st| {
            st.key == key
                && usable.len() >= st.photos.len()
                && usable[..st.photos.len()] == st.photos[..]
                && match (st.photos.last(), usable.get(st.photos.len())) {
                    (Some(last), Some(next)) => next.utc >= last.utc,
                    _ => true,
                }
        });
        let old_len = if extendable {
            self.state.as_ref().map_or(0, |s| s.photos.len())
        } else {
            0
        };
        let mut state = match self.state.take() {
            Some(st) if extendable => st,
            previous => State {
                key,
                photos: Vec::new(),
                index: HashMap::new(),
                sun: Vec::new(),
                cuts: Vec::new(),
                ranges: Vec::new(),
                moments: Vec::new(),
                home_stats: HomeStats::default(),
                homes: Vec::new(),
                trips: Vec::new(),
                // Selections depend only on their candidates: keep them across rebuilds.
                memo: previous.map(|p| p.memo).unwrap_or_default(),
            },
        };
        let new: Vec<Photo> = usable.split_off(old_len);
        self.last = RunStats {
            photos: old_len + new.len(),
            incremental: extendable,
            new_photos: new.len(),
            ..RunStats::default()
        };
        state.append(new, input);

        let memo = RefCell::new(std::mem::take(&mut state.memo));
        let fresh = RefCell::new(HashMap::new());
        let out = {
            let ctx = Context {
                input,
                photos: state.photos.iter().collect(),
                sun: &state.sun,
                moments: &state.moments,
                trips: &state.trips,
                homes: &state.homes,
                index: &state.index,
                all: &state.photos,
                memo: &memo,
                fresh: &fresh,
            };
            let mut out = Vec::new();
            out.extend(recap::recent(&ctx));
            out.extend(recap::monthly(&ctx));
            out.extend(travel::trips(&ctx));
            out.extend(travel::places(&ctx));
            out.extend(dates::on_this_day(&ctx));
            out.extend(dates::special_dates(&ctx));
            out.extend(events::gatherings(&ctx));
            out.extend(events::recurring(&ctx));
            out.extend(themes::time_of_day(&ctx));
            out.extend(themes::people(&ctx));
            out.extend(themes::favorites(&ctx));
            out.extend(content::themes(&ctx));
            out.extend(people::highlights(&ctx));
            out.extend(people::together(&ctx));
            out.extend(people::birthdays(&ctx));
            out
        };
        let fresh = fresh.into_inner();
        self.last.selections_computed = fresh.values().filter(|(_, computed)| *computed).count();
        self.last.selections_reused = fresh.len() - self.last.selections_computed;
        // Keep the selections this run used; drop the rest.
        state.memo = fresh.into_iter().map(|(k, (sel, _))| (k, sel)).collect();
        self.state = Some(state);

        let mut out = out;
        super::types::disambiguate(&mut out);
        out.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.id.cmp(&b.id)));
        // Merged before dismissals apply: dismissing a trip also dismisses the favourite
        // place it took in, which does not come back on its own.
        let mut out = super::merge::merge_overlapping(out);
        out.retain(|s| !prefs.dismissed.contains(&s.id));
        out
    }
}

impl State {
    /// Adds photos at the end (all at or after the last one) and updates what depends
    /// on them.
    fn append(&mut self, new: Vec<Photo>, input: &Input<'_>) {
        let old_len = self.photos.len();
        for p in &new {
            self.home_stats.add(p);
            self.sun.push(sun_class(p));
            self.index.insert(p.id, self.photos.len());
            self.photos.push(p.clone());
        }
        if new.is_empty() && old_len > 0 {
            return;
        }
        self.update_moments(old_len);
        let tp = TripParams::default();
        let homes: Vec<(f64, f64)> = if input.homes.is_empty() {
            self.home_stats
                .homes(tp.away_km)
                .into_iter()
                .map(|h| h.center)
                .collect()
        } else {
            input.homes.to_vec()
        };
        let restart = (homes == self.homes)
            .then(|| self.last_home_anchor(old_len, &tp))
            .flatten();
        match restart {
            Some(h) => {
                let cutoff = self.photos[h].utc;
                self.trips.retain(|t| t.end < cutoff);
                self.trips
                    .extend(trips::detect(&self.photos[h..], &homes, &tp));
            }
            None => self.trips = trips::detect(&self.photos, &homes, &tp),
        }
        self.homes = homes;
    }

    /// PhotoTOC decides a gap from the 10 gaps either side, so only gaps within that
    /// reach of the new photos can change.
    fn update_moments(&mut self, old_len: usize) {
        let p = MomentParams::default();
        let first_changed = old_len.saturating_sub(1).saturating_sub(p.window);
        self.cuts.retain(|(i, _)| *i < first_changed);
        let lo = first_changed.saturating_sub(p.window);
        let tail = boundaries(&self.photos[lo..], &p);
        self.cuts.extend(
            tail.into_iter()
                .map(|(i, c)| (i + lo, c))
                .filter(|(i, _)| *i >= first_changed),
        );
        // Moments whose closing cut is unchanged stay; the rest are rebuilt.
        let keep = self
            .ranges
            .iter()
            .take_while(|(_, b)| *b <= first_changed)
            .count();
        self.ranges.truncate(keep);
        self.moments.truncate(keep);
        let mut start = self.ranges.last().map_or(0, |r| r.1);
        let ends: Vec<usize> = self
            .cuts
            .iter()
            .map(|(i, _)| i + 1)
            .filter(|e| *e > start)
            .chain(std::iter::once(self.photos.len()))
            .collect();
        for end in ends {
            if end > start {
                self.moments.push(moment(&self.photos[start..end]));
                self.ranges.push((start, end));
            }
            start = end;
        }
    }

    /// The last trusted photo at home among the first `old_len`: trip detection can
    /// restart there, since no trip spans a photo taken at home.
    fn last_home_anchor(&self, old_len: usize, tp: &TripParams) -> Option<usize> {
        (0..old_len).rev().find(|&i| {
            let p = &self.photos[i];
            p.trusted()
                && p.gps
                    .is_some_and(|g| trips::home_distance(&self.homes, g) <= tp.away_km)
        })
    }
}

/// Memo key of a selection: its candidates (everything `select` reads) and the cap.
pub(crate) fn selection_key(
    candidates: &[&Photo],
    signals: &HashMap<i64, Signals>,
    cap: usize,
) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    cap.hash(&mut h);
    for p in candidates {
        (p.id, p.utc.timestamp_millis(), p.favorite).hash(&mut h);
        if let Some(s) = signals.get(&p.id) {
            (
                s.quality.map(f32::to_bits),
                s.faces,
                s.largest_face.map(f32::to_bits),
                s.duplicate_group,
                s.non_camera,
                s.excluded_face,
            )
                .hash(&mut h);
        }
    }
    h.finish()
}
