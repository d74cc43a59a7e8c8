//! Suggestions, moments, trips and feedback, mirrored for Kotlin and Swift.

use std::collections::HashMap;

use keepsake_core as core;
use keepsake_core::suggest as s;

#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum SuggestionKind {
    RecentDays,
    MonthlyRecap,
    TripHighlights,
    OnThisDay,
    SpecialDate,
    Gathering,
    RecurringEvent,
    ThemePlace,
    ThemeTimeOfDay,
    ThemePeople,
    ThemeFavorites,
    ThemeContent,
    PersonHighlights,
    Together,
}

impl From<s::Kind> for SuggestionKind {
    fn from(k: s::Kind) -> Self {
        match k {
            s::Kind::RecentDays => SuggestionKind::RecentDays,
            s::Kind::MonthlyRecap => SuggestionKind::MonthlyRecap,
            s::Kind::TripHighlights => SuggestionKind::TripHighlights,
            s::Kind::OnThisDay => SuggestionKind::OnThisDay,
            s::Kind::SpecialDate => SuggestionKind::SpecialDate,
            s::Kind::Gathering => SuggestionKind::Gathering,
            s::Kind::RecurringEvent => SuggestionKind::RecurringEvent,
            s::Kind::ThemePlace => SuggestionKind::ThemePlace,
            s::Kind::ThemeTimeOfDay => SuggestionKind::ThemeTimeOfDay,
            s::Kind::ThemePeople => SuggestionKind::ThemePeople,
            s::Kind::ThemeFavorites => SuggestionKind::ThemeFavorites,
            s::Kind::ThemeContent => SuggestionKind::ThemeContent,
            s::Kind::PersonHighlights => SuggestionKind::PersonHighlights,
            s::Kind::Together => SuggestionKind::Together,
        }
    }
}

/// A title piece for the app to put into words in the user's language.
#[derive(Debug, Clone, PartialEq, uniffi::Enum)]
pub enum TitlePart {
    /// Coordinates, and the one or two stops that name the place once place names are
    /// loaded (`set_places`); `route`: stops in different countries ("Munich → Verona").
    Place {
        lat: f64,
        lon: f64,
        names: Vec<crate::themes::PlaceName>,
        route: bool,
    },
    /// ISO dates (`YYYY-MM-DD`), inclusive.
    DateRange {
        start: String,
        end: String,
    },
    Month {
        year: i32,
        month: u32,
    },
    YearsAgo {
        years: u32,
    },
    Count {
        what: String,
        n: u64,
    },
    /// A key to translate: `last_days`, `on_this_day`, `golden_hour`, `night`, `group`,
    /// `selfie`, `favorites`, `birthday`, `anniversary`, `special_day`, `highlights`,
    /// `together`.
    Label {
        key: String,
    },
    UserText {
        text: String,
    },
    /// A person (see `people()`); show their name or face.
    Person {
        id: i64,
    },
}

impl From<s::TitlePart> for TitlePart {
    fn from(t: s::TitlePart) -> Self {
        match t {
            s::TitlePart::Place {
                lat,
                lon,
                names,
                route,
            } => TitlePart::Place {
                lat,
                lon,
                names: names.into_iter().map(Into::into).collect(),
                route,
            },
            s::TitlePart::DateRange { start, end } => TitlePart::DateRange {
                start: start.to_string(),
                end: end.to_string(),
            },
            s::TitlePart::Month { year, month } => TitlePart::Month { year, month },
            s::TitlePart::YearsAgo { years } => TitlePart::YearsAgo { years },
            s::TitlePart::Count { what, n } => TitlePart::Count {
                what: what.into(),
                n,
            },
            s::TitlePart::Label { key } => TitlePart::Label { key: key.into() },
            s::TitlePart::UserText { text } => TitlePart::UserText { text },
            s::TitlePart::Person { id } => TitlePart::Person { id },
        }
    }
}

/// Why a suggestion was made: the rule and its numbers.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Reason {
    pub rule: String,
    pub facts: HashMap<String, f64>,
    /// The classifier's classes behind a content theme, most frequent first.
    pub classes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Chapter {
    pub title: Vec<TitlePart>,
    pub asset_ids: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Suggestion {
    pub id: String,
    pub kind: SuggestionKind,
    pub title: Vec<TitlePart>,
    pub start_ms: i64,
    pub end_ms: i64,
    /// Host ids (or folder paths), in time order.
    pub asset_ids: Vec<String>,
    pub cover_id: String,
    pub score: f64,
    pub reasons: Vec<Reason>,
    pub chapters: Vec<Chapter>,
    /// A look to offer with it, and why (`null`: the photos as they are).
    pub look: Option<SuggestedLook>,
}

/// A look proposed with a suggestion: a classic effect (`PhotoEffect` by name, for
/// `renderPhoto`, collages and story players) or a style of the style network (for
/// `restylePhoto`), at a strength.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct SuggestedLook {
    /// `effect` or `style`.
    pub kind: String,
    pub name: String,
    pub strength: f32,
    pub reason: Reason,
}

fn reason(r: s::Reason) -> Reason {
    Reason {
        rule: r.rule.into(),
        facts: r
            .facts
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
        classes: r.classes.into_iter().map(String::from).collect(),
    }
}

pub(crate) fn ids(ids: &[i64], names: &HashMap<i64, String>) -> Vec<String> {
    ids.iter()
        .map(|i| names.get(i).cloned().unwrap_or_default())
        .collect()
}

pub(crate) fn suggestion(x: s::Suggestion, names: &HashMap<i64, String>) -> Suggestion {
    Suggestion {
        cover_id: names.get(&x.cover).cloned().unwrap_or_default(),
        asset_ids: ids(&x.assets, names),
        id: x.id,
        kind: x.kind.into(),
        title: x.title.into_iter().map(Into::into).collect(),
        start_ms: x.start.timestamp_millis(),
        end_ms: x.end.timestamp_millis(),
        score: x.score,
        reasons: x.reasons.into_iter().map(reason).collect(),
        look: x.look.map(|l| SuggestedLook {
            kind: match l.kind {
                s::look::LookKind::Effect => "effect".into(),
                s::look::LookKind::Style => "style".into(),
            },
            name: l.name.into(),
            strength: l.strength,
            reason: reason(l.reason),
        }),
        chapters: x
            .chapters
            .into_iter()
            .map(|c| Chapter {
                title: c.title.into_iter().map(Into::into).collect(),
                asset_ids: ids(&c.assets, names),
            })
            .collect(),
    }
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Moment {
    pub start_ms: i64,
    pub end_ms: i64,
    pub asset_ids: Vec<String>,
    pub cover_id: String,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub radius_km: f64,
}

pub(crate) fn moment(m: core::moments::Moment, names: &HashMap<i64, String>) -> Moment {
    Moment {
        start_ms: m.start.timestamp_millis(),
        end_ms: m.end.timestamp_millis(),
        cover_id: names.get(&m.cover).cloned().unwrap_or_default(),
        asset_ids: ids(&m.assets, names),
        lat: m.centroid.map(|c| c.0),
        lon: m.centroid.map(|c| c.1),
        radius_km: m.radius_km,
    }
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Trip {
    pub start_ms: i64,
    pub end_ms: i64,
    pub asset_ids: Vec<String>,
    pub distance_km: f64,
    pub days: i64,
    pub stop_count: u32,
}

pub(crate) fn trip(t: core::trips::Trip, names: &HashMap<i64, String>) -> Trip {
    Trip {
        start_ms: t.start.timestamp_millis(),
        end_ms: t.end.timestamp_millis(),
        days: t.days(),
        asset_ids: ids(&t.assets, names),
        distance_km: t.distance_km,
        stop_count: u32::try_from(t.stops.len()).unwrap_or(u32::MAX),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum SpecialDateKind {
    Birthday,
    Anniversary,
    Other,
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct SpecialDate {
    /// Ignored when adding.
    pub id: i64,
    pub label: String,
    pub kind: SpecialDateKind,
    pub month: u32,
    pub day: u32,
    pub year: Option<i32>,
}

impl From<SpecialDate> for s::SpecialDate {
    fn from(d: SpecialDate) -> Self {
        s::SpecialDate {
            id: d.id,
            label: d.label,
            kind: match d.kind {
                SpecialDateKind::Birthday => s::SpecialKind::Birthday,
                SpecialDateKind::Anniversary => s::SpecialKind::Anniversary,
                SpecialDateKind::Other => s::SpecialKind::Other,
            },
            month: d.month,
            day: d.day,
            year: d.year,
        }
    }
}

impl From<s::SpecialDate> for SpecialDate {
    fn from(d: s::SpecialDate) -> Self {
        SpecialDate {
            id: d.id,
            label: d.label,
            kind: match d.kind {
                s::SpecialKind::Birthday => SpecialDateKind::Birthday,
                s::SpecialKind::Anniversary => SpecialDateKind::Anniversary,
                s::SpecialKind::Other => SpecialDateKind::Other,
            },
            month: d.month,
            day: d.day,
            year: d.year,
        }
    }
}
