//! Trip highlights and favourite places away from home.

use std::collections::{BTreeMap, BTreeSet};

use super::types::{Kind, Reason, Suggestion, TitlePart};
use super::Meta;
use super::{build, place_part, recency, Context};
use crate::geo::{centroid, haversine_km};
use crate::moments::Photo;
use crate::trips::TripParams;

const TRIP_CAP: usize = 40;
const PLACE_MIN_DAYS: usize = 3;
const PLACE_MIN_PHOTOS: usize = 15;
const PLACE_CAP: usize = 30;
const MAX_PLACES: usize = 5;
const PLACE_CELL_DEG: f64 = 0.2;

pub(crate) fn trips(ctx: &Context<'_>) -> Vec<Suggestion> {
    ctx.trips
        .iter()
        .filter_map(|t| {
            let photos = ctx.photos_of(&t.assets);
            // The stop farthest from home (the user's, or the inferred ones) names the trip.
            let from_home = |c: (f64, f64)| {
                ctx.homes
                    .iter()
                    .map(|h| haversine_km(*h, c))
                    .fold(f64::INFINITY, f64::min)
            };
            let far = t
                .stops
                .iter()
                .max_by(|a, b| from_home(a.center).total_cmp(&from_home(b.center)))?;
            let reason = Reason::new(
                "away_from_home",
                &[
                    ("distance_km", t.distance_km.round()),
                    ("days", t.days() as f64),
                    ("photos", t.assets.len() as f64),
                    ("stops", t.stops.len() as f64),
                ],
            );
            let title = vec![
                place_part(ctx, far.center, &photos),
                TitlePart::DateRange {
                    start: photos.first()?.local.date(),
                    end: photos.last()?.local.date(),
                },
                TitlePart::Count {
                    what: "days",
                    n: t.days() as u64,
                },
            ];
            let score = 2.5 + recency(ctx.input.now, t.end) + (t.assets.len() as f64).ln() / 10.0;
            build(
                ctx,
                Kind::TripHighlights,
                // The trip's first day: photos arriving inside it keep its id.
                &photos.first()?.local.date().to_string(),
                &photos,
                TRIP_CAP,
                Meta {
                    title,
                    reasons: vec![reason],
                    score,
                },
            )
        })
        .collect()
}

/// Places away from home photographed on several days.
pub(crate) fn places(ctx: &Context<'_>) -> Vec<Suggestion> {
    let away = TripParams::default().away_km;
    let homes = ctx.homes;
    if homes.is_empty() {
        return Vec::new();
    }
    let mut cells: BTreeMap<(i32, i32), Vec<&Photo>> = BTreeMap::new();
    for p in &ctx.photos {
        let Some(g) = p.gps else { continue };
        if homes.iter().any(|h| haversine_km(*h, g) <= away) {
            continue;
        }
        let key = (
            (g.0 / PLACE_CELL_DEG).floor() as i32,
            (g.1 / PLACE_CELL_DEG).floor() as i32,
        );
        cells.entry(key).or_default().push(p);
    }
    let mut found: Vec<(usize, Vec<&Photo>)> = cells
        .into_values()
        .filter_map(|ps| {
            let days: BTreeSet<_> = ps.iter().map(|p| p.local.date()).collect();
            (days.len() >= PLACE_MIN_DAYS && ps.len() >= PLACE_MIN_PHOTOS)
                .then_some((days.len(), ps))
        })
        .collect();
    found.sort_by(|a, b| b.0.cmp(&a.0).then(a.1[0].id.cmp(&b.1[0].id)));
    found
        .into_iter()
        .take(MAX_PLACES)
        .filter_map(|(days, ps)| {
            let points: Vec<(f64, f64)> = ps.iter().filter_map(|p| p.gps).collect();
            let c = centroid(&points)?;
            let distance = homes
                .iter()
                .map(|h| haversine_km(*h, c))
                .fold(f64::INFINITY, f64::min);
            let reason = Reason::new(
                "favourite_place",
                &[
                    ("days", days as f64),
                    ("photos", ps.len() as f64),
                    ("distance_km", distance.round()),
                ],
            );
            let title = vec![
                place_part(ctx, c, &ps),
                TitlePart::Count {
                    what: "days",
                    n: days as u64,
                },
            ];
            // The first day photographed there (photos are in time order): no
            // coordinates in an id, and later photos keep it.
            let key = ps.first()?.local.date().to_string();
            build(
                ctx,
                Kind::ThemePlace,
                &key,
                &ps,
                PLACE_CAP,
                Meta {
                    title,
                    reasons: vec![reason],
                    score: 1.2 + (days as f64).ln() / 10.0,
                },
            )
        })
        .collect()
}
