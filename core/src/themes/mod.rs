//! Content themes: what a photo shows (pets, food, beach, mountains, nature, city,
//! vehicles, flowers, snow, sunset, document), from an on-device image classifier
//! (EfficientNet-Lite0, ImageNet-1k) whose classes map to themes through a table derived
//! from WordNet (`imagenet.tsv`, made by `scripts/theme-table.py` and reviewed by hand),
//! plus pixel and metadata cues where ImageNet has no class (a warm sky near sunset time,
//! bright snowy ground, the document and screenshot likelihoods).
//!
//! The classifier runs in the analysis job on the working image the face detector gets,
//! under the `pixels` consent; results are stored with the model's sha256 (another model
//! means re-classification) and purged when `pixels` is revoked.

mod classify;
mod cues;
mod score;
pub(crate) mod store;
mod table;

use serde::Serialize;

pub use self::classify::{softmax, Classifier, INPUT_SIDE};
pub use self::cues::{scene_cues, SceneCues};
pub use self::score::{assess, class_word, Assessment, Context, TOP_CLASSES};
pub use self::store::{PhotoTheme, ThemedPhoto};

/// A content theme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Theme {
    Pets,
    Food,
    Beach,
    Mountains,
    Nature,
    City,
    Vehicles,
    Flowers,
    Snow,
    Sunset,
    Document,
}

impl Theme {
    pub const ALL: [Theme; 11] = [
        Theme::Pets,
        Theme::Food,
        Theme::Beach,
        Theme::Mountains,
        Theme::Nature,
        Theme::City,
        Theme::Vehicles,
        Theme::Flowers,
        Theme::Snow,
        Theme::Sunset,
        Theme::Document,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Theme::Pets => "pets",
            Theme::Food => "food",
            Theme::Beach => "beach",
            Theme::Mountains => "mountains",
            Theme::Nature => "nature",
            Theme::City => "city",
            Theme::Vehicles => "vehicles",
            Theme::Flowers => "flowers",
            Theme::Snow => "snow",
            Theme::Sunset => "sunset",
            Theme::Document => "document",
        }
    }

    pub fn parse(s: &str) -> Option<Theme> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }

    fn index(self) -> usize {
        self as usize
    }

    /// The score at which a photo counts as showing the theme. Calibrated on the shared
    /// labelled set (71 photos; see the README's figures): for each theme, the multiple of
    /// 0.05 between the scores of that set's photos with and without the theme that
    /// misses fewest (a wrong tag counted worse than a missed one). Figures on that set
    /// are therefore optimistic; the set's held-out part is not here.
    pub fn threshold(self) -> f32 {
        match self {
            Theme::Pets => 0.55,
            Theme::Food => 0.35,
            Theme::Beach => 0.35,
            Theme::Mountains => 0.3,
            Theme::Nature => 0.15,
            Theme::City => 0.15,
            Theme::Vehicles => 0.3,
            Theme::Flowers => 0.05,
            Theme::Snow => 0.25,
            Theme::Sunset => 0.3,
            Theme::Document => 0.2,
        }
    }
}

impl std::fmt::Display for Theme {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Per-theme scores, 0..1, in [`Theme::ALL`] order.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ThemeScores(pub [f32; 11]);

impl ThemeScores {
    pub fn get(&self, t: Theme) -> f32 {
        self.0[t.index()]
    }

    /// Stores `v` within 0..1 (a NaN from a broken model output counts as 0).
    fn set(&mut self, t: Theme, v: f32) {
        self.0[t.index()] = if v.is_nan() { 0.0 } else { v.clamp(0.0, 1.0) };
    }

    /// The themes at or over their threshold, best first (ties in theme order).
    pub fn tagged(&self) -> Vec<(Theme, f32)> {
        let mut out: Vec<(Theme, f32)> = Theme::ALL
            .into_iter()
            .map(|t| (t, self.get(t)))
            .filter(|(t, s)| *s >= t.threshold())
            .collect();
        out.sort_by(|a, b| b.1.total_cmp(&a.1));
        out
    }
}
