//! The suggestion engine: one pure function from the library, the user's preferences
//! and a clock to ranked suggestions, each with structured titles and reasons.

mod dates;
mod engine;
mod english;
mod events;
pub mod look;
mod people;
mod recap;
pub mod select;
pub(crate) mod store;
pub use crate::sun;
mod content;
pub mod merge;
mod themes;
mod travel;
mod types;

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::clock::DeviceZone;
use crate::moments::{Moment, Photo};
use crate::trips::Trip;

pub use self::engine::{Engine, RunStats};
pub use self::english::title_text;
use self::select::Selection;
pub(crate) use self::types::month_of;
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
    /// Pixel analysis found a screenshot or a document, not a camera memory.
    pub non_camera: bool,
    /// The photo holds a face the user excluded ("don't include me").
    pub excluded_face: bool,
    /// Content theme scores (all 0 until the classifier ran).
    pub themes: crate::themes::ThemeScores,
    /// The most probable ImageNet class that counts toward a theme.
    pub top_class: Option<u16>,
}

impl Signals {
    /// Never shown in a suggestion or collage.
    pub fn kept_out(&self) -> bool {
        self.non_camera || self.excluded_face
    }
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

/// A time range the user hid from every suggestion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct HiddenRange {
    pub id: i64,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

/// A place the user marked as sensitive: no photo taken within `radius_m` of it appears
/// in any suggestion.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SensitivePlace {
    pub id: i64,
    pub lat: f64,
    pub lon: f64,
    pub radius_m: f64,
}

/// The user's feedback and exclusions, honoured by every kind.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Prefs {
    /// Photos never to suggest (hidden photos and photos of excluded albums).
    pub hidden: HashSet<i64>,
    /// Time ranges never to suggest from.
    pub hidden_ranges: Vec<(DateTime<Utc>, DateTime<Utc>)>,
    /// Places never to suggest from: (lat, lon) and radius in km.
    pub sensitive_places: Vec<((f64, f64), f64)>,
    /// Suggestions dismissed: they do not come back with the same content.
    pub dismissed: HashSet<String>,
    pub special_dates: Vec<SpecialDate>,
    /// People (excluded ones are not here) and the photos they are in, for the
    /// people-centred kinds; hidden people are not featured.
    pub people: Vec<PersonPhotos>,
}

/// A person and their photos, as the suggestion kinds see them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PersonPhotos {
    pub id: i64,
    pub named: bool,
    pub hidden: bool,
    /// (month, day, year when known).
    pub birthday: Option<(u32, u32, Option<i32>)>,
    pub photos: HashSet<i64>,
}

/// Everything the engine reads.
#[derive(Debug, Clone, Copy)]
pub struct Input<'a> {
    pub photos: &'a [Photo],
    pub signals: &'a HashMap<i64, Signals>,
    /// The user's homes; empty to infer them from the library.
    pub homes: &'a [(f64, f64)],
    pub now: DateTime<Utc>,
    pub zone: DeviceZone,
    pub prefs: &'a Prefs,
    /// Months asked for explicitly (in addition to the previous month).
    pub months: &'a [(i32, u32)],
    /// Place names for titles (offline); `None` leaves places as coordinates.
    pub places: Option<&'a crate::places::Gazetteer>,
}

/// What the kinds share: usable photos, their moments and trips, homes, and the
/// engine's selection memo.
pub(crate) struct Context<'a> {
    pub input: &'a Input<'a>,
    /// Placeable, not hidden, time-sorted.
    pub photos: Vec<&'a Photo>,
    /// Sun class per photo (same order as `photos`).
    pub sun: &'a [engine::SunClass],
    pub moments: &'a [Moment],
    pub trips: &'a [Trip],
    /// The user's homes, or the inferred ones.
    pub homes: &'a [(f64, f64)],
    index: &'a HashMap<i64, usize>,
    all: &'a [Photo],
    memo: &'a RefCell<HashMap<u64, Selection>>,
    /// Selections used in this run, and whether each was computed (not reused).
    fresh: &'a RefCell<HashMap<u64, (Selection, bool)>>,
}

impl Context<'_> {
    pub fn signals(&self) -> &HashMap<i64, Signals> {
        self.input.signals
    }

    pub fn photos_of(&self, ids: &[i64]) -> Vec<&Photo> {
        ids.iter()
            .filter_map(|id| self.index.get(id).map(|&i| &self.all[i]))
            .collect()
    }

    /// [`select::select`], memoised on the candidates.
    pub fn select(&self, candidates: &[&Photo], cap: usize) -> Option<Selection> {
        let key = engine::selection_key(candidates, self.signals(), cap);
        if let Some((sel, _)) = self.fresh.borrow().get(&key) {
            return Some(sel.clone());
        }
        let (sel, computed) = match self.memo.borrow().get(&key) {
            Some(sel) => (sel.clone(), false),
            None => (select::select(candidates, self.signals(), cap)?, true),
        };
        self.fresh.borrow_mut().insert(key, (sel.clone(), computed));
        Some(sel)
    }
}

/// Computes every suggestion for `input.now`, best first (a fresh [`Engine`]; keep an
/// engine to compute incrementally).
pub fn suggest(input: &Input<'_>) -> Vec<Suggestion> {
    Engine::new().run(input)
}

/// A title's place: `center` (its coordinates) named after the stops of `photos` (in
/// time order) when place names are loaded; two stops in different countries read as a
/// route.
pub(crate) fn place_part(ctx: &Context<'_>, center: (f64, f64), photos: &[&Photo]) -> TitlePart {
    let names = ctx
        .input
        .places
        .map(|g| {
            let points: Vec<(f64, f64)> = photos.iter().filter_map(|p| p.gps).collect();
            g.stops(&points)
        })
        .unwrap_or_default();
    let route = names
        .windows(2)
        .any(|w| w[0].country_code != w[1].country_code);
    TitlePart::Place {
        lat: center.0,
        lon: center.1,
        names,
        route,
    }
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
    let sel = ctx.select(candidates, cap)?;
    let start = candidates.iter().map(|p| p.utc).min()?;
    let end = candidates.iter().map(|p| p.utc).max()?;
    let days = (end - start).num_days() + 1;
    Some(Suggestion {
        id: types::stable_id(kind, key),
        kind,
        look: look::propose(kind, &title, sel.assets.len(), days),
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
