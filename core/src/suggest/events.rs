//! Special gatherings: moments with unusually many photos (and faces, when analysed) in
//! a short span, and gatherings that recur yearly around the same date and place.

use std::collections::BTreeSet;

use chrono::Datelike;

use super::types::{Kind, Reason, Suggestion, TitlePart};
use super::Meta;
use super::{build, place_part, recency, Context};
use crate::cluster::UnionFind;
use crate::geo::haversine_km;
use crate::moments::{Moment, Photo};

/// A gathering has at least this many photos …
const GATHERING_MIN: usize = 25;
/// … and this many times the median moment …
const GATHERING_RATIO: f64 = 3.0;
/// … within this many hours.
const GATHERING_MAX_HOURS: i64 = 8;
/// With face analysis, at least this many faces per photo on average.
const GATHERING_FACES: f64 = 1.0;
const GATHERING_CAP: usize = 24;
/// Consecutive moments this close in time and place are one event (a pause in a party).
const EVENT_MAX_PAUSE_MIN: i64 = 30;
const EVENT_MAX_MOVE_KM: f64 = 0.3;
const MAX_GATHERINGS: usize = 10;
/// Recurring: gatherings within this many days of the same date and this distance,
/// in ≥ 2 years …
const RECUR_DAYS: i64 = 4;
/// … whose dates spread no wider than this (single links must not chain a season).
const RECUR_MAX_SPREAD_DAYS: i64 = 10;
const RECUR_KM: f64 = 10.0;
const RECUR_CAP: usize = 24;

/// Moments joined across short pauses at the same place.
fn events(moments: &[Moment]) -> Vec<Moment> {
    let mut out: Vec<Moment> = Vec::new();
    for m in moments {
        let joins = out.last().is_some_and(|e| {
            let pause = (m.start - e.end).num_minutes() <= EVENT_MAX_PAUSE_MIN;
            let same_place = match (e.centroid, m.centroid) {
                (Some(a), Some(b)) => haversine_km(a, b) <= EVENT_MAX_MOVE_KM,
                _ => false,
            };
            pause && same_place
        });
        match out.last_mut() {
            Some(e) if joins => {
                e.end = m.end;
                e.assets.extend(&m.assets);
                e.radius_km = e.radius_km.max(m.radius_km);
            }
            _ => out.push(m.clone()),
        }
    }
    out
}

fn median_size(moments: &[Moment]) -> f64 {
    let mut sizes: Vec<usize> = moments.iter().map(|m| m.assets.len()).collect();
    if sizes.is_empty() {
        return 0.0;
    }
    sizes.sort_unstable();
    sizes[sizes.len() / 2] as f64
}

fn faces_per_photo(ctx: &Context<'_>, ids: &[i64]) -> Option<f64> {
    let known: Vec<u32> = ids
        .iter()
        .filter_map(|id| ctx.signals().get(id))
        .map(|s| s.faces)
        .collect();
    // Only when most photos were analysed.
    (known.len() * 2 >= ids.len() && !known.is_empty())
        .then(|| f64::from(known.iter().sum::<u32>()) / known.len() as f64)
}

/// Whether an event (moments joined across short pauses) is a gathering; with its
/// faces per photo when known.
fn gathering(ctx: &Context<'_>, m: &Moment, median: f64) -> Option<Option<f64>> {
    let big = m.assets.len() >= GATHERING_MIN && m.assets.len() as f64 >= GATHERING_RATIO * median;
    let short = (m.end - m.start).num_hours() < GATHERING_MAX_HOURS;
    if !(big && short) {
        return None;
    }
    let faces = faces_per_photo(ctx, &m.assets);
    faces.is_none_or(|f| f >= GATHERING_FACES).then_some(faces)
}

pub(crate) fn gatherings(ctx: &Context<'_>) -> Vec<Suggestion> {
    let median = median_size(ctx.moments).max(1.0);
    let events = events(ctx.moments);
    let mut found: Vec<(f64, &Moment, Option<f64>)> = events
        .iter()
        .filter_map(|m| {
            gathering(ctx, m, median).map(|faces| (m.assets.len() as f64 / median, m, faces))
        })
        .collect();
    found.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.start.cmp(&b.1.start)));
    found
        .into_iter()
        .take(MAX_GATHERINGS)
        .filter_map(|(ratio, m, faces)| {
            let photos = ctx.photos_of(&m.assets);
            let mut facts = vec![
                ("photos", m.assets.len() as f64),
                (
                    "hours",
                    ((m.end - m.start).num_minutes() as f64 / 60.0 * 10.0).round() / 10.0,
                ),
                ("times_median", (ratio * 10.0).round() / 10.0),
            ];
            if let Some(f) = faces {
                facts.push(("faces_per_photo", (f * 10.0).round() / 10.0));
            }
            let reason = Reason::new("gathering", &facts);
            let mut title = vec![TitlePart::DateRange {
                start: photos.first()?.local.date(),
                end: photos.last()?.local.date(),
            }];
            if let Some(c) = m.centroid {
                title.insert(0, place_part(ctx, c, &photos));
            }
            let score = 1.5 + recency(ctx.input.now, m.end) + ratio.ln() / 10.0;
            build(
                ctx,
                Kind::Gathering,
                &photos.first()?.local.date().to_string(),
                &photos,
                GATHERING_CAP,
                Meta {
                    title,
                    reasons: vec![reason],
                    score,
                },
            )
        })
        .collect()
}

/// The smallest arc of the year (in days) that holds every moment's start date.
fn day_spread(ms: &[&Moment]) -> i64 {
    let mut days: Vec<i64> = ms
        .iter()
        .map(|m| i64::from(m.start.date_naive().ordinal0()))
        .collect();
    days.sort_unstable();
    days.dedup();
    let gaps = days
        .windows(2)
        .map(|w| w[1] - w[0])
        .chain(days.first().zip(days.last()).map(|(f, l)| 365 - l + f));
    365 - gaps.max().unwrap_or(365)
}

fn close_in_year(a: &Moment, b: &Moment) -> bool {
    let (da, db) = (a.start.date_naive(), b.start.date_naive());
    if da.year() == db.year() {
        return false;
    }
    let diff = (i64::from(da.ordinal()) - i64::from(db.ordinal())).abs();
    let circular = diff.min(365 - diff);
    let near = match (a.centroid, b.centroid) {
        (Some(x), Some(y)) => haversine_km(x, y) <= RECUR_KM,
        _ => true,
    };
    circular <= RECUR_DAYS && near
}

pub(crate) fn recurring(ctx: &Context<'_>) -> Vec<Suggestion> {
    let median = median_size(ctx.moments).max(1.0);
    let events = events(ctx.moments);
    let notable: Vec<&Moment> = events
        .iter()
        .filter(|m| gathering(ctx, m, median).is_some())
        .collect();
    // Group gatherings that recur yearly (union of close pairs).
    let mut sets = UnionFind::new(notable.len());
    for i in 0..notable.len() {
        for j in i + 1..notable.len() {
            if close_in_year(notable[i], notable[j]) {
                sets.union(i, j);
            }
        }
    }
    let chains: Vec<Vec<&Moment>> = sets
        .groups()
        .into_iter()
        .map(|g| g.into_iter().map(|i| notable[i]).collect())
        .collect();
    chains
        .into_iter()
        .filter_map(|ms| {
            let years: BTreeSet<i32> = ms.iter().map(|m| m.start.date_naive().year()).collect();
            if years.len() < 2 || day_spread(&ms) > RECUR_MAX_SPREAD_DAYS {
                return None;
            }
            let ids: Vec<i64> = ms.iter().flat_map(|m| m.assets.iter().copied()).collect();
            let photos: Vec<&Photo> = ctx.photos_of(&ids);
            let reason = Reason::new(
                "recurs_yearly",
                &[
                    ("years", years.len() as f64),
                    ("photos", photos.len() as f64),
                    ("moments", ms.len() as f64),
                ],
            );
            let mut title = vec![TitlePart::Count {
                what: "years",
                n: years.len() as u64,
            }];
            if let Some(c) = ms[0].centroid {
                title.insert(0, place_part(ctx, c, &photos));
            }
            let last = ms.iter().map(|m| m.end).max()?;
            let score = 1.8 + recency(ctx.input.now, last) / 2.0 + years.len() as f64 / 10.0;
            build(
                ctx,
                Kind::RecurringEvent,
                &photos.iter().map(|p| p.local.date()).min()?.to_string(),
                &photos,
                RECUR_CAP,
                Meta {
                    title,
                    reasons: vec![reason],
                    score,
                },
            )
        })
        .collect()
}
