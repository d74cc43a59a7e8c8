//! Choosing the photos of a suggestion: rank by quality, faces and favourites; collapse
//! near-duplicates and bursts to their best shot; spread over time; cap; pick a cover.
//! Deterministic: ties break on the store id.

use std::collections::{HashMap, HashSet};

use super::Signals;
use crate::moments::Photo;

/// Photos closer than this in time are one burst.
const BURST_S: i64 = 3;
/// Selected photos are at least this far apart, unless there are few photos.
const SPREAD_S: i64 = 10 * 60;

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
    let mut sorted: Vec<&Photo> = photos.to_vec();
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

    // Greedy by score, keeping picks apart in time; with few photos, keep them all.
    let mut by_score = kept.clone();
    by_score.sort_by(|a, b| score(b).total_cmp(&score(a)).then(a.id.cmp(&b.id)));
    let spread = kept.len() > cap;
    let mut picked: Vec<&Photo> = Vec::new();
    for p in &by_score {
        if picked.len() == cap {
            break;
        }
        if spread
            && picked
                .iter()
                .any(|q| (p.utc - q.utc).num_seconds().abs() < SPREAD_S)
        {
            continue;
        }
        picked.push(p);
    }
    // If spacing left room, fill with the next best (still distinct) photos.
    if picked.len() < cap {
        let chosen: HashSet<i64> = picked.iter().map(|p| p.id).collect();
        picked.extend(
            by_score
                .iter()
                .filter(|p| !chosen.contains(&p.id))
                .take(cap - picked.len()),
        );
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
    use crate::DateTrust;
    use chrono::{TimeZone, Utc};

    fn photo(id: i64, secs: i64, favorite: bool) -> Photo {
        let utc = Utc.timestamp_opt(1_700_000_000 + secs, 0).unwrap();
        Photo {
            id,
            utc,
            local: utc.naive_utc(),
            trust: DateTrust::ExifOffset,
            gps: None,
            favorite,
            junk: false,
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
