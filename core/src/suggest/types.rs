//! What a suggestion is: structured, so apps localize titles and show reasons.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

/// The kinds of suggestion the engine makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// The last 30 days, in chapters.
    RecentDays,
    /// One calendar month.
    MonthlyRecap,
    /// One trip.
    TripHighlights,
    /// The same calendar date in earlier years.
    OnThisDay,
    /// A date the user registered (birthday, anniversary) across the years.
    SpecialDate,
    /// A moment with unusually many photos in a short span.
    Gathering,
    /// A gathering that comes back every year around the same date and place.
    RecurringEvent,
    /// A place (away from home) photographed on many days.
    ThemePlace,
    /// Golden hour or night.
    ThemeTimeOfDay,
    /// Group shots or selfies (needs face analysis).
    ThemePeople,
    /// The user's favourites.
    ThemeFavorites,
    /// What the photos show: pets, food, beaches, snow, sunsets, flowers… (needs the
    /// content classifier).
    ThemeContent,
    /// One person over time (people grouping).
    PersonHighlights,
    /// Two people often photographed together.
    Together,
}

impl Kind {
    pub const ALL: [Kind; 14] = [
        Kind::RecentDays,
        Kind::MonthlyRecap,
        Kind::TripHighlights,
        Kind::OnThisDay,
        Kind::SpecialDate,
        Kind::Gathering,
        Kind::RecurringEvent,
        Kind::ThemePlace,
        Kind::ThemeTimeOfDay,
        Kind::ThemePeople,
        Kind::ThemeFavorites,
        Kind::ThemeContent,
        Kind::PersonHighlights,
        Kind::Together,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::RecentDays => "recent_days",
            Kind::MonthlyRecap => "monthly_recap",
            Kind::TripHighlights => "trip_highlights",
            Kind::OnThisDay => "on_this_day",
            Kind::SpecialDate => "special_date",
            Kind::Gathering => "gathering",
            Kind::RecurringEvent => "recurring_event",
            Kind::ThemePlace => "theme_place",
            Kind::ThemeTimeOfDay => "theme_time_of_day",
            Kind::ThemePeople => "theme_people",
            Kind::ThemeFavorites => "theme_favorites",
            Kind::ThemeContent => "theme_content",
            Kind::PersonHighlights => "person_highlights",
            Kind::Together => "together",
        }
    }
}

/// A piece of a title; the app turns these into words in the user's language.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum TitlePart {
    /// A place: its coordinates and, when place names are loaded, the one or two
    /// stops that name it (city, region where it disambiguates, country); `route` when
    /// the stops lie in different countries ("Munich → Verona" rather than "Kyoto &
    /// Osaka, Japan").
    Place {
        lat: f64,
        lon: f64,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        names: Vec<crate::places::PlaceName>,
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        route: bool,
    },
    DateRange {
        start: NaiveDate,
        end: NaiveDate,
    },
    Month {
        year: i32,
        month: u32,
    },
    YearsAgo {
        years: u32,
    },
    Count {
        what: &'static str,
        n: u64,
    },
    /// A fixed label key the app translates (`golden_hour`, `night`, `group`, `selfie`,
    /// `favorites`, `last_days`, `highlights`, `together`, `birthday`).
    Label {
        key: &'static str,
    },
    /// Text the user typed (a registered date's name).
    UserText {
        text: String,
    },
    /// A person of the people API; the app shows their name (or their face).
    Person {
        id: i64,
    },
}

/// Why a suggestion was made: the rule and its numbers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reason {
    pub rule: &'static str,
    #[serde(flatten)]
    pub facts: BTreeMap<&'static str, f64>,
    /// The classifier's classes behind a content theme (WordNet words, most frequent
    /// first); empty for other rules.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub classes: Vec<&'static str>,
}

impl Reason {
    pub fn new(rule: &'static str, facts: &[(&'static str, f64)]) -> Reason {
        Reason {
            rule,
            facts: facts.iter().copied().collect(),
            classes: Vec::new(),
        }
    }

    pub fn fact(&self, key: &str) -> Option<f64> {
        self.facts.get(key).copied()
    }
}

/// A part of a recap (a week or a moment).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Chapter {
    pub title: Vec<TitlePart>,
    pub assets: Vec<i64>,
}

/// One suggestion.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suggestion {
    /// `kind:key`: names what the suggestion is about (see [`stable_id`]); the same
    /// trip, month, event, person or theme keeps it as photos and signals change.
    pub id: String,
    pub kind: Kind,
    pub title: Vec<TitlePart>,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// Selected assets (store ids), in time order.
    pub assets: Vec<i64>,
    pub cover: i64,
    /// Higher first; comparable across kinds.
    pub score: f64,
    pub reasons: Vec<Reason>,
    pub chapters: Vec<Chapter>,
    /// A look to offer with it (an effect or a restyle), and why.
    pub look: Option<super::look::SuggestedLook>,
}

/// A suggestion's handle: its kind and what it is about (`trip_highlights:2025-06-14`,
/// `monthly_recap:2025-05`, `person_highlights:7`), never which photos are selected
/// now, so it survives new photos, analysis and midnight. Keys hold dates, months,
/// labels and ids — never coordinates or names.
pub(crate) fn stable_id(kind: Kind, key: &str) -> String {
    format!("{}:{key}", kind.as_str())
}

/// Two suggestions of one kind with one key (two gatherings on one day) are told
/// apart by order of appearance: the second gets `~2`, and so on.
pub(crate) fn disambiguate(out: &mut [Suggestion]) {
    let mut seen: std::collections::HashMap<String, u32> = std::collections::HashMap::new();
    for s in out.iter_mut() {
        let n = seen.entry(s.id.clone()).or_insert(0);
        *n += 1;
        if *n > 1 {
            s.id = format!("{}~{n}", s.id);
        }
    }
}

/// The month a `monthly_recap` id names, so a recap asked for by month can be drawn
/// by its id alone.
pub(crate) fn month_of(id: &str) -> Option<(i32, u32)> {
    let key = id
        .strip_prefix(Kind::MonthlyRecap.as_str())?
        .strip_prefix(':')?;
    let (y, m) = key.split_once('-')?;
    let (y, m) = (y.parse().ok()?, m.parse().ok()?);
    (1..=12).contains(&m).then_some((y, m))
}
