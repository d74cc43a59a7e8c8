//! From class probabilities and cues to theme scores (pure; no model needed to test).
//!
//! A theme's class evidence is the probability mass of the classes that count toward
//! it, each weighted by the table (a beagle 1, a vase 0.5 for flowers). Where ImageNet
//! has no class, cues stand in: sunset from a warm sky over dark ground, outdoors, with
//! the sun's height at capture (when time and place are known) raising or lowering it;
//! snow from bright snowy ground, outdoors, next to the ski and snowmobile classes;
//! document also from the screenshot and document likelihoods the index already has.
//! "Outdoors" is the largest of the nature, city, beach, mountains and snow evidence, so
//! a sheet of paper or a red wall indoors does not pass as snow or sunset.

use super::cues::SceneCues;
use super::table::{table, CLASSES};
use super::{Theme, ThemeScores};
use crate::vision::content::ContentScores;

/// Classes kept per photo (for reasons and the export), most probable first.
pub const TOP_CLASSES: usize = 5;
/// Classes below this probability are not kept.
const MIN_CLASS_PROB: f32 = 0.02;
/// How much the snowy-ground cue counts (its raw share runs high on any bright scene).
const SNOW_CUE: f32 = 0.6;
/// From here on the index's document and screenshot likelihoods count as documents.
const LIKELY: f32 = 0.5;
/// The sun's height (degrees) at which sunset and sunrise light happens.
const SUN_LOW: (f64, f64) = (-8.0, 12.0);
/// Above this height, or below the lower bound, the sky is not a sunset one.
const SUN_HIGH: f64 = 25.0;
const SUN_NIGHT: f64 = -15.0;

/// What the photo's metadata and the index add.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Context {
    pub content: ContentScores,
    /// The sun's elevation at capture, when time and place are known.
    pub sun_elevation_deg: Option<f64>,
}

/// One photo's themes.
#[derive(Debug, Clone, PartialEq)]
pub struct Assessment {
    pub scores: ThemeScores,
    /// (ImageNet class, probability), most probable first.
    pub classes: Vec<(u16, f32)>,
}

pub fn assess(probs: &[f32], cues: &SceneCues, ctx: &Context) -> Assessment {
    let t = table();
    let mut evidence = [0f32; 11];
    for (class, p) in probs.iter().enumerate().take(CLASSES) {
        for (theme, w) in &t.themes[class] {
            evidence[*theme as usize] += w * p;
        }
    }
    let e = |x: Theme| evidence[x as usize].min(1.0);
    let outdoor = [
        Theme::Nature,
        Theme::City,
        Theme::Beach,
        Theme::Mountains,
        Theme::Snow,
    ]
    .into_iter()
    .map(e)
    .fold(0.0, f32::max);
    let outdoor_factor = (4.0 * outdoor).min(1.0);
    let mut scores = ThemeScores::default();
    for theme in Theme::ALL {
        scores.set(theme, e(theme));
    }
    let snow_cue = SNOW_CUE * cues.snow_ground * outdoor_factor;
    scores.set(Theme::Snow, e(Theme::Snow).max(snow_cue));
    let sky = cues.warm_sky * (0.5 + cues.dark_ground) * outdoor_factor;
    let sun = match ctx.sun_elevation_deg {
        Some(el) if (SUN_LOW.0..=SUN_LOW.1).contains(&el) => 1.3,
        Some(el) if !(SUN_NIGHT..=SUN_HIGH).contains(&el) => 0.3,
        _ => 1.0,
    };
    scores.set(Theme::Sunset, sky * sun);
    // The index's likelihoods count once they are more likely than not: below that they
    // run at 0.1–0.4 on plenty of camera photos (bright walls, skies, plates).
    let likely = |v: f32| if v >= LIKELY { v } else { 0.0 };
    let document = e(Theme::Document)
        .max(likely(ctx.content.document))
        .max(likely(ctx.content.screenshot));
    scores.set(Theme::Document, document);
    // Every beach or mountains photo is nature too.
    let nature_floor = [Theme::Beach, Theme::Mountains]
        .into_iter()
        .any(|x| scores.get(x) >= x.threshold());
    if nature_floor {
        let n = scores.get(Theme::Nature).max(Theme::Nature.threshold());
        scores.set(Theme::Nature, n);
    }
    let mut classes: Vec<(u16, f32)> = probs
        .iter()
        .enumerate()
        .filter(|(_, p)| **p >= MIN_CLASS_PROB)
        .map(|(i, p)| (i as u16, *p))
        .collect();
    classes.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    classes.truncate(TOP_CLASSES);
    Assessment { scores, classes }
}

/// The WordNet word for an ImageNet class that counts toward a theme.
pub fn class_word(class: u16) -> Option<&'static str> {
    table().words.get(usize::from(class)).copied().flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one_hot(class: usize, p: f32) -> Vec<f32> {
        let mut v = vec![(1.0 - p) / (CLASSES - 1) as f32; CLASSES];
        v[class] = p;
        v
    }

    #[test]
    fn a_confident_beagle_is_pets_only() {
        let a = assess(
            &one_hot(162, 0.9),
            &SceneCues::default(),
            &Context::default(),
        );
        let tagged: Vec<Theme> = a.scores.tagged().into_iter().map(|(t, _)| t).collect();
        assert_eq!(tagged, [Theme::Pets]);
        assert_eq!(a.classes[0].0, 162);
        assert_eq!(class_word(162), Some("beagle"));
    }

    #[test]
    fn a_seashore_is_beach_and_nature() {
        let a = assess(
            &one_hot(978, 0.5),
            &SceneCues::default(),
            &Context::default(),
        );
        let tagged: Vec<Theme> = a.scores.tagged().into_iter().map(|(t, _)| t).collect();
        assert!(tagged.contains(&Theme::Beach) && tagged.contains(&Theme::Nature));
    }

    #[test]
    fn a_warm_sky_is_a_sunset_outdoors_only_and_less_at_noon() {
        let cues = SceneCues {
            warm_sky: 0.5,
            dark_ground: 0.4,
            snow_ground: 0.0,
        };
        // Outdoors (a lakeside, 975), sun time unknown, near the horizon and at noon.
        let outdoors = one_hot(975, 0.6);
        let unknown = assess(&outdoors, &cues, &Context::default()).scores;
        let low = Context {
            sun_elevation_deg: Some(2.0),
            ..Context::default()
        };
        let noon = Context {
            sun_elevation_deg: Some(60.0),
            ..Context::default()
        };
        let at_dusk = assess(&outdoors, &cues, &low).scores.get(Theme::Sunset);
        let at_noon = assess(&outdoors, &cues, &noon).scores.get(Theme::Sunset);
        assert!(unknown.get(Theme::Sunset) >= Theme::Sunset.threshold());
        assert!(at_dusk > unknown.get(Theme::Sunset));
        assert!(at_noon < Theme::Sunset.threshold());
        // The same sky on a red book jacket indoors (921) is no sunset.
        let indoors = assess(&one_hot(921, 0.8), &cues, &low).scores;
        assert!(indoors.get(Theme::Sunset) < Theme::Sunset.threshold());
    }

    #[test]
    fn white_ground_is_snow_outdoors_and_not_on_paper() {
        let cues = SceneCues {
            snow_ground: 0.7,
            ..SceneCues::default()
        };
        let valley = assess(&one_hot(979, 0.6), &cues, &Context::default()).scores;
        assert!(valley.get(Theme::Snow) >= Theme::Snow.threshold());
        let menu = assess(&one_hot(922, 0.8), &cues, &Context::default()).scores;
        assert!(menu.get(Theme::Snow) < Theme::Snow.threshold());
        assert!(menu.get(Theme::Document) >= Theme::Document.threshold());
    }

    #[test]
    fn the_screenshot_likelihood_counts_as_document() {
        let ctx = Context {
            content: ContentScores {
                screenshot: 0.9,
                document: 0.0,
            },
            ..Context::default()
        };
        let s = assess(&one_hot(0, 0.1), &SceneCues::default(), &ctx).scores;
        assert!(s.get(Theme::Document) >= 0.9);
    }
}
