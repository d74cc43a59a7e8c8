//! The suggestion engine: one pure function from the library, the user's preferences
//! and a clock to ranked suggestions, each with structured titles and reasons.

mod dates;
mod events;
mod recap;
pub mod select;
pub(crate) mod store;
pub mod sun;
mod themes;
mod travel;
mod types;

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::clock::DeviceZone;
use crate::moments::{self, Moment, MomentParams, Photo};
use crate::trips::{self, Trip, TripParams};

pub use self::types::{Chapter, Kind, Reason, Suggestion, TitlePart};

/// Per-photo results of pixel and face analysis, when it has run.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Signals {
    /// Overall quality 0..1.
    pub quality: Option<f32>,
    pub faces: u32,
    /// Share of the image covered by the largest face, 0..1.
    pub largest_face: Option<f32>,
    /// Photos with the same group id are near-duplicates.
    pub duplicate_group: Option<i64>,
}

/// What a registered date celebrates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SpecialKind {
    Birthday,
    Anniversary,
    Other,
}

impl SpecialKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SpecialKind::Birthday => "birthday",
            SpecialKind::Anniversary => "anniversary",
            SpecialKind::Other => "special_day",
        }
    }

    pub fn parse(s: &str) -> Option<SpecialKind> {
        [
            SpecialKind::Birthday,
            SpecialKind::Anniversary,
            SpecialKind::Other,
        ]
        .into_iter()
        .find(|k| k.as_str() == s || (s == "other" && *k == SpecialKind::Other))
    }
}

/// A date the user registered (a person's or pet's birthday, an anniversary).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SpecialDate {
    pub id: i64,
    pub label: String,
    pub kind: SpecialKind,
    pub month: u32,
    pub day: u32,
    pub year: Option<i32>,
}

/// The user's feedback and exclusions, honoured by every kind.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Prefs {
    /// Photos never to suggest (hidden photos and photos of excluded albums).
    pub hidden: HashSet<i64>,
    /// Time ranges never to suggest from.
    pub hidden_ranges: Vec<(DateTime<Utc>, DateTime<Utc>)>,
    /// Suggestions dismissed: they do not come back with the same content.
    pub dismissed: HashSet<String>,
    pub special_dates: Vec<SpecialDate>,
}

/// Everything the engine reads.
#[derive(Debug, Clone, Copy)]
pub struct Input<'a> {
    pub photos: &'a [Photo],
    pub signals: &'a HashMap<i64, Signals>,
    pub homes: &'a [(f64, f64)],
    pub now: DateTime<Utc>,
    pub zone: DeviceZone,
    pub prefs: &'a Prefs,
    /// Months asked for explicitly (in addition to the previous month).
    pub months: &'a [(i32, u32)],
}

/// What the kinds share: usable photos, their moments and trips.
pub(crate) struct Context<'a> {
    pub input: &'a Input<'a>,
    /// Placeable, not hidden, time-sorted.
    pub photos: Vec<&'a Photo>,
    pub moments: Vec<Moment>,
    pub trips: Vec<Trip>,
    pub by_id: HashMap<i64, &'a Photo>,
}

impl Context<'_> {
    pub fn signals(&self) -> &HashMap<i64, Signals> {
        self.input.signals
    }

    pub fn photos_of(&self, ids: &[i64]) -> Vec<&Photo> {
        ids.iter()
            .filter_map(|id| self.by_id.get(id).copied())
            .collect()
    }
}

/// Computes every suggestion for `input.now`, best first.
pub fn suggest(input: &Input<'_>) -> Vec<Suggestion> {
    let prefs = input.prefs;
    let usable: Vec<&Photo> = input
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
        .collect();
    let owned: Vec<Photo> = usable.iter().map(|p| (*p).clone()).collect();
    let moments = moments::segment(&owned, &MomentParams::default());
    let trips = trips::detect(&owned, input.homes, &TripParams::default());
    let mut sorted = usable;
    sorted.sort_by_key(|p| (p.utc, p.id));
    let by_id = sorted.iter().map(|p| (p.id, *p)).collect();
    let ctx = Context {
        input,
        photos: sorted,
        moments,
        trips,
        by_id,
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
    out.retain(|s| !prefs.dismissed.contains(&s.id));
    out.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.id.cmp(&b.id)));
    out
}

/// What a kind decides about its suggestion besides the photos.
pub(crate) struct Meta {
    pub title: Vec<TitlePart>,
    pub reasons: Vec<Reason>,
    pub score: f64,
}

/// Builds a suggestion from candidate photos: selection, id, time range.
pub(crate) fn build(
    ctx: &Context<'_>,
    kind: Kind,
    key: &str,
    candidates: &[&Photo],
    cap: usize,
    meta: Meta,
) -> Option<Suggestion> {
    let Meta {
        title,
        reasons,
        score,
    } = meta;
    let sel = select::select(candidates, ctx.signals(), cap)?;
    let start = candidates.iter().map(|p| p.utc).min()?;
    let end = candidates.iter().map(|p| p.utc).max()?;
    Some(Suggestion {
        id: types::stable_id(kind, key, &sel.assets),
        kind,
        title,
        start,
        end,
        assets: sel.assets,
        cover: sel.cover,
        score,
        reasons,
        chapters: Vec::new(),
    })
}

/// A score bonus for recent content: 1 today, fading over a year.
pub(crate) fn recency(now: DateTime<Utc>, end: DateTime<Utc>) -> f64 {
    let days = (now - end).num_days().max(0) as f64;
    (-days / 365.0).exp()
}

#[cfg(test)]
mod tests;
