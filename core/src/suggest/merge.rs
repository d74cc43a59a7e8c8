//! Suggestions covering mostly the same photos say the same thing twice (a trip and its
//! favourite places, two favourite places of one trip, a gathering that is the whole
//! trip): the better one keeps its place, takes the other's reasons, and the other goes.
//! Recaps, dates, events that recur over the years and people are containers by design
//! (this year's dinner inside "every Christmas Eve") and are never merged.

use std::collections::HashSet;

use super::types::{Kind, Reason, Suggestion};

/// Share of the smaller suggestion's photos the two must share to be merged.
pub const MERGE_SHARE: f64 = 0.5;

/// What a suggestion is about: a place or an event ("where"), or a theme across the
/// library ("what"). Only suggestions about the same sort of thing are merged: a trip
/// and its favourite places, golden hour and sunsets — not a night theme and the dinner
/// that happens to fill much of it.
fn family(kind: Kind) -> Option<u8> {
    match kind {
        Kind::TripHighlights | Kind::ThemePlace | Kind::Gathering => Some(0),
        Kind::ThemeTimeOfDay | Kind::ThemePeople | Kind::ThemeFavorites | Kind::ThemeContent => {
            Some(1)
        }
        _ => None,
    }
}

/// Merges overlapping suggestions; `out` is best first and stays so.
pub(crate) fn merge_overlapping(out: Vec<Suggestion>) -> Vec<Suggestion> {
    let mut kept: Vec<(Suggestion, HashSet<i64>)> = Vec::with_capacity(out.len());
    for s in out {
        let assets: HashSet<i64> = s.assets.iter().copied().collect();
        let into = family(s.kind).and_then(|fam| {
            kept.iter_mut().find(|(k, ka)| {
                let shared = ka.intersection(&assets).count();
                let smaller = ka.len().min(assets.len()).max(1);
                family(k.kind) == Some(fam) && shared as f64 > MERGE_SHARE * smaller as f64
            })
        });
        match into {
            Some((k, ka)) => {
                let shared = ka.intersection(&assets).count();
                k.reasons.push(Reason::new(
                    "merged_overlap",
                    &[
                        ("shared_photos", shared as f64),
                        ("merged_photos", assets.len() as f64),
                    ],
                ));
                k.reasons.extend(s.reasons);
            }
            None => kept.push((s, assets)),
        }
    }
    kept.into_iter().map(|(s, _)| s).collect()
}
