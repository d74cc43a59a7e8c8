//! Choosing the photos of a suggestion: rank by quality, faces and favourites; collapse
//! near-duplicates and bursts to their best shot; spread over time; cap; pick a cover.
//! Deterministic: ties break on the store id.

use std::collections::HashMap;

use super::Signals;
use crate::moments::Photo;

/// Photos closer than this in time are one burst.
const BURST_S: i64 = 3;
/// Selected photos are at least this far apart, unless there are few photos.
const SPREAD_S: i64 = 10 * 60;
/// Weight of closeness in time against the score (scores span about 2.5).
const DIVERSITY: f64 = 2.0;
/// Penalty marking a photo within SPREAD_S of a pick.
const TOO_CLOSE: f64 = f64::INFINITY;

/// The selection's outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct Selection {
    /// In time order.
    pub assets: Vec<i64>,
    pub cover: i64,
}

/// Rank score of one photo (higher is better).
pub fn rank(p: &Photo, s: Option<&Signals>) -> f64 {
    let mut score = 1.0;
    if let Some(s) = s {
        score += f64::from(s.quality.unwrap_or(0.5));
        score += 0.5 * f64::from(s.faces.min(3)) / 3.0;
    } else {
        score += 0.5;
    }
    if p.favorite {
        score += 1.0;
    }
    score
}

/// Selects up to `cap` photos from `photos` (any order).
pub fn select(photos: &[&Photo], signals: &HashMap<i64, Signals>, cap: usize) -> Option<Selection> {
    if photos.is_empty() || cap == 0 {
        return None;
    }
    // Screenshots and documents found by pixel analysis are not memories.
    let mut sorted: Vec<&Photo> = photos
        .iter()
        .copied()
        .filter(|p| !signals.get(&p.id).is_some_and(Signals::kept_out))
        .collect();
    if sorted.is_empty() {
        return None;
    }
    sorted.sort_by_key(|p| (p.utc, p.id));
    let score = |p: &Photo| rank(p, signals.get(&p.id));
    let better = |a: &Photo, b: &Photo| score(a).total_cmp(&score(b)).then(b.id.cmp(&a.id)).is_gt();

    // Collapse bursts (consecutive shots seconds apart) and near-duplicate groups.
    let mut kept: Vec<&Photo> = Vec::with_capacity(sorted.len());
    for p in sorted {
        match kept.last_mut() {
            Some(last) if (p.utc - last.utc).num_seconds() <= BURST_S => {
                if better(p, last) {
                    *last = p;
                }
            }
            _ => kept.push(p),
        }
    }
    let mut best_of_group: HashMap<i64, &Photo> = HashMap::new();
    for p in &kept {
        if let Some(g) = signals.get(&p.id).and_then(|s| s.duplicate_group) {
            let e = best_of_group.entry(g).or_insert(p);
            if better(p, e) {
                *e = p;
            }
        }
    }
    kept.retain(|p| {
        signals
            .get(&p.id)
            .and_then(|s| s.duplicate_group)
            .is_none_or(|g| best_of_group.get(&g).is_some_and(|b| b.id == p.id))
    });

    // Maximal marginal relevance: each pick maximises its score minus a penalty for
    // being close in time to earlier picks (on the scale of span / cap), so equal
    // photos spread evenly and a much better photo still wins. Picks stay at least
    // SPREAD_S apart while there are more photos than places.
    let spread = kept.len() > cap;
    let span = (kept[kept.len() - 1].utc - kept[0].utc)
        .num_seconds()
        .max(1) as f64;
    let tau = (span / cap as f64).max(SPREAD_S as f64);
    let scores: Vec<f64> = kept.iter().map(|p| score(p)).collect();
    let mut penalty = vec![0.0f64; kept.len()];
    let mut taken = vec![false; kept.len()];
    let mut picked: Vec<&Photo> = Vec::with_capacity(cap.min(kept.len()));
    while picked.len() < cap.min(kept.len()) {
        let mut best: Option<(usize, f64)> = None;
        for (i, p) in kept.iter().enumerate() {
            if taken[i] || (spread && penalty[i] >= TOO_CLOSE) {
                continue;
            }
            let gain = scores[i] - penalty[i];
            let better = match best {
                None => true,
                Some((j, g)) => gain > g || (gain == g && p.id < kept[j].id),
            };
            if better {
                best = Some((i, gain));
            }
        }
        let Some((i, _)) = best else { break };
        taken[i] = true;
        let chosen = kept[i];
        picked.push(chosen);
        for (j, p) in kept.iter().enumerate() {
            let dt = (p.utc - chosen.utc).num_seconds().abs();
            let near = if dt < SPREAD_S {
                TOO_CLOSE
            } else {
                DIVERSITY * (-(dt as f64) / tau).exp()
            };
            penalty[j] = penalty[j].max(near);
        }
    }
    let cover = picked
        .iter()
        .filter(|p| signals.get(&p.id).is_some_and(|s| s.faces > 0))
        .max_by(|a, b| score(a).total_cmp(&score(b)).then(b.id.cmp(&a.id)))
        .or_else(|| {
            picked
                .iter()
                .max_by(|a, b| score(a).total_cmp(&score(b)).then(b.id.cmp(&a.id)))
        })
        .map(|p| p.id)?;
    picked.sort_by_key(|p| (p.utc, p.id));
    Some(Selection {
        assets: picked.iter().map(|p| p.id).collect(),
        cover,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    fn photo(id: i64, secs: i64, favorite: bool) -> Photo {
        let utc = Utc.timestamp_opt(1_700_000_000 + secs, 0).unwrap();
        Photo {
            favorite,
            ..Photo::exact(id, utc, None)
        }
    }

    #[test]
    fn bursts_and_duplicates_collapse_to_the_best_and_picks_spread_out() {
        let photos = [
            photo(1, 0, false),
            photo(2, 1, true), // same burst, favourite: wins
            photo(3, 2, false),
            photo(4, 3600, false),
            photo(5, 7200, false),
            photo(6, 7260, false), // 1 min after 5
        ];
        let mut signals = HashMap::new();
        signals.insert(
            4,
            Signals {
                quality: Some(0.9),
                faces: 2,
                duplicate_group: Some(9),
                ..Signals::default()
            },
        );
        signals.insert(
            5,
            Signals {
                quality: Some(0.1),
                faces: 0,
                duplicate_group: Some(9),
                ..Signals::default()
            },
        );
        let refs: Vec<&Photo> = photos.iter().collect();
        let s = select(&refs, &signals, 10).unwrap();
        assert_eq!(s.assets, [2, 4, 6], "burst -> 2, duplicate group -> 4");
        assert_eq!(s.cover, 4, "the best photo with faces");
        // With a cap of 2, picks stay 10 minutes apart and 4 (faces, quality) is one.
        let s = select(&refs, &signals, 2).unwrap();
        assert_eq!(s.assets.len(), 2);
        assert!(s.assets.contains(&4));
        assert!(select(&[], &signals, 5).is_none());
        // A screenshot found by pixel analysis never enters, even as the best photo.
        signals.insert(
            4,
            Signals {
                quality: Some(0.9),
                faces: 2,
                non_camera: true,
                ..Signals::default()
            },
        );
        let s = select(&refs, &signals, 10).unwrap();
        assert!(!s.assets.contains(&4), "{:?}", s.assets);
        let only: Vec<&Photo> = photos[3..4].iter().collect();
        assert!(select(&only, &signals, 5).is_none());
    }

    #[test]
    fn deterministic() {
        let photos: Vec<Photo> = (0..100)
            .map(|i| photo(i, i * 97 % 5000, i % 7 == 0))
            .collect();
        let refs: Vec<&Photo> = photos.iter().collect();
        let a = select(&refs, &HashMap::new(), 12).unwrap();
        let mut rev = refs.clone();
        rev.reverse();
        let b = select(&rev, &HashMap::new(), 12).unwrap();
        assert_eq!(a, b);
    }
}
