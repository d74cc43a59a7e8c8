//! A look to go with a suggestion ("your trip in watercolour"): one classic effect or one
//! restyle the app can offer beside the collage and the story, chosen from what the
//! suggestion is about, with the rule and the numbers behind it.

use serde::Serialize;

use super::{Kind, Reason, TitlePart};

/// What kind of look.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LookKind {
    /// A classic effect (`effects::Effect` by name): instant, no model.
    Effect,
    /// A style of the style network (`restyle::Style` by name).
    Style,
}

/// The proposed look.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SuggestedLook {
    pub kind: LookKind,
    pub name: &'static str,
    pub strength: f32,
    pub reason: Reason,
}

/// The look for a suggestion of `kind` about `title`, over `photos` photos spanning
/// `days` days; `None` where no look fits better than the photos themselves.
pub fn propose(kind: Kind, title: &[TitlePart], photos: usize, days: i64) -> Option<SuggestedLook> {
    let facts = [("photos", photos as f64), ("days", days as f64)];
    let label = title.iter().find_map(|p| match p {
        TitlePart::Label { key } => Some(*key),
        _ => None,
    });
    let years = title.iter().find_map(|p| match p {
        TitlePart::YearsAgo { years } => Some(*years),
        _ => None,
    });
    let (kind, name, strength, rule) = match kind {
        // Places away from home read like a painted travel journal.
        Kind::TripHighlights | Kind::ThemePlace => {
            (LookKind::Style, "watercolour", 0.7, "look_travel_journal")
        }
        // Memories: the softened colour of old prints.
        Kind::OnThisDay | Kind::RecurringEvent => (LookKind::Effect, "fade", 0.8, "look_memories"),
        Kind::ThemeTimeOfDay if label == Some("night") => {
            (LookKind::Effect, "film", 0.8, "look_night_film")
        }
        Kind::ThemeTimeOfDay => (LookKind::Effect, "warm", 0.8, "look_golden_light"),
        // People and celebrations: warm skin tones.
        Kind::SpecialDate | Kind::PersonHighlights | Kind::Together | Kind::Gathering => {
            (LookKind::Effect, "warm", 0.6, "look_people_warm")
        }
        Kind::RecentDays | Kind::MonthlyRecap | Kind::ThemePeople => {
            (LookKind::Effect, "vivid", 0.6, "look_recap_vivid")
        }
        Kind::ThemeFavorites => return None,
        // What the photos show, in their own colours, a little livelier.
        Kind::ThemeContent => (LookKind::Effect, "vivid", 0.5, "look_theme_vivid"),
    };
    let mut reason = Reason::new(rule, &facts);
    if let Some(y) = years {
        reason.facts.insert("years_ago", f64::from(y));
    }
    Some(SuggestedLook {
        kind,
        name,
        strength,
        reason,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_proposed_look_exists_and_says_why() {
        let kinds = Kind::ALL;
        let mut proposed = 0;
        for k in kinds {
            let Some(look) = propose(k, &[TitlePart::YearsAgo { years: 2 }], 12, 3) else {
                continue;
            };
            proposed += 1;
            match look.kind {
                LookKind::Effect => assert!(crate::effects::Effect::parse(look.name).is_some()),
                LookKind::Style => assert!(crate::restyle::Style::parse(look.name).is_some()),
            }
            assert!(look.reason.rule.starts_with("look_"));
            assert_eq!(look.reason.fact("photos"), Some(12.0));
            crate::effects::check_strength(look.strength).unwrap();
        }
        assert_eq!(proposed, kinds.len() - 1);
        let trip = propose(Kind::TripHighlights, &[], 40, 5).unwrap();
        assert_eq!((trip.kind, trip.name), (LookKind::Style, "watercolour"));
        let night = [TitlePart::Label { key: "night" }];
        assert_eq!(
            propose(Kind::ThemeTimeOfDay, &night, 9, 20).unwrap().name,
            "film"
        );
        let memories = propose(Kind::OnThisDay, &[TitlePart::YearsAgo { years: 3 }], 5, 1).unwrap();
        assert_eq!(memories.reason.fact("years_ago"), Some(3.0));
    }
}
