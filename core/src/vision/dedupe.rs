//! Near-duplicate groups: photos taken close in time whose perceptual hashes are close,
//! and edited copies (crops, mirror images, filtered versions; see `edits.rs`) at any
//! time apart. Bursts, re-takes and copies collapse to one group; the best shot (by
//! quality) represents it.

use chrono::{DateTime, Utc};

use std::collections::{HashMap, HashSet};

use super::edits::{edited_copy, EditHashes};
use super::hash::hamming;
use crate::cluster::UnionFind;

/// One analysed photo.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hashed {
    pub id: i64,
    pub utc: DateTime<Utc>,
    pub dhash: u64,
    pub phash: u64,
    pub quality: f32,
    /// The hashes that find edited copies (photos analysed before them have none).
    pub edits: Option<EditHashes>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DedupeParams {
    /// Photos further apart than this are never duplicates.
    pub max_gap_s: i64,
    pub max_dhash: u32,
    pub max_phash: u32,
}

impl Default for DedupeParams {
    fn default() -> Self {
        DedupeParams {
            max_gap_s: 10 * 60,
            // From the distance distributions `tests/tests/dedupe_eval.rs` prints: small
            // crops reach dHash 12 / pHash 12 at the 90th percentile, while different
            // photos never came closer than 14 / 16.
            max_dhash: 12,
            max_phash: 13,
        }
    }
}

/// Groups of near-duplicates (each of ≥ 2 photos), best shot first, ordered by time.
pub fn groups(photos: &[Hashed], p: &DedupeParams) -> Vec<Vec<i64>> {
    let mut sorted: Vec<&Hashed> = photos.iter().collect();
    sorted.sort_by_key(|h| (h.utc, h.id));
    let mut sets = UnionFind::new(sorted.len());
    for i in 0..sorted.len() {
        for j in i + 1..sorted.len() {
            if (sorted[j].utc - sorted[i].utc).num_seconds() > p.max_gap_s {
                break;
            }
            let (a, b) = (sorted[i], sorted[j]);
            if hamming(a.dhash, b.dhash) <= p.max_dhash && hamming(a.phash, b.phash) <= p.max_phash
            {
                sets.union(i, j);
            }
        }
    }
    for (i, j) in edit_pairs(&sorted) {
        sets.union(i, j);
    }
    sets.groups()
        .into_iter()
        .filter(|g| g.len() >= 2)
        .map(|g| {
            let mut g: Vec<&Hashed> = g.into_iter().map(|i| sorted[i]).collect();
            g.sort_by(|a, b| b.quality.total_cmp(&a.quality).then(a.id.cmp(&b.id)));
            g.iter().map(|h| h.id).collect()
        })
        .collect()
}

/// Candidate buckets larger than this hold textureless hashes (flat images), not copies.
const MAX_BUCKET: usize = 64;

/// The 16-bit chunk `c` (0..4) of a hash.
fn chunk(h: u64, c: u8) -> u16 {
    (h >> (16 * u32::from(c))) as u16
}

/// Pairs of edited copies among `photos`, at any time apart. Candidates come from an
/// index on the four 16-bit chunks of each whole-image dHash: a copy whose dHash is within
/// 3 bits of one of the other photo's mirror or window dHashes shares a chunk with it
/// exactly, so only those are compared (not all pairs of a large library); every
/// candidate is then checked on both hashes.
fn edit_pairs(photos: &[&Hashed]) -> Vec<(usize, usize)> {
    let mut index: HashMap<(u8, u16), Vec<usize>> = HashMap::new();
    for (i, h) in photos.iter().enumerate() {
        if h.edits.is_some() {
            for c in 0..4 {
                index.entry((c, chunk(h.dhash, c))).or_default().push(i);
            }
        }
    }
    let mut out = Vec::new();
    for (i, a) in photos.iter().enumerate() {
        let Some(ea) = &a.edits else { continue };
        let probes = [a.dhash, ea.mirror.0]
            .into_iter()
            .chain(ea.windows.iter().map(|w| w.0));
        let mut seen: HashSet<usize> = HashSet::new();
        for q in probes {
            for c in 0..4 {
                let Some(list) = index.get(&(c, chunk(q, c))) else {
                    continue;
                };
                if list.len() > MAX_BUCKET {
                    continue;
                }
                for &j in list {
                    if j == i || !seen.insert(j) {
                        continue;
                    }
                    let b = photos[j];
                    let Some(eb) = &b.edits else { continue };
                    if edited_copy((a.dhash, a.phash), ea, (b.dhash, b.phash), eb) {
                        out.push((i.min(j), i.max(j)));
                    }
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn h(id: i64, secs: i64, dhash: u64, phash: u64, quality: f32) -> Hashed {
        Hashed {
            id,
            utc: Utc.timestamp_opt(1_700_000_000 + secs, 0).unwrap(),
            dhash,
            phash,
            quality,
            edits: None,
        }
    }

    #[test]
    fn bursts_group_and_the_best_leads() {
        let a = 0xF0F0_F0F0_F0F0_F0F0u64;
        let photos = [
            h(1, 0, a, a, 0.4),
            h(2, 1, a ^ 0b111, a ^ 0b11, 0.9), // a burst shot, sharper
            h(3, 2, a ^ 0b1, a, 0.5),
            h(4, 3, !a, !a, 0.9),  // different content, same second
            h(5, 3600, a, a, 0.8), // same content an hour later: not a duplicate
        ];
        assert_eq!(
            groups(&photos, &DedupeParams::default()),
            vec![vec![2, 3, 1]]
        );
    }
}

#[cfg(test)]
mod edit_tests {
    use super::*;
    use crate::vision::edits::edit_hashes;
    use crate::vision::hash::{dhash, phash};
    use chrono::TimeZone;

    fn scene(w: usize, h: usize, k: usize) -> Vec<u8> {
        (0..w * h)
            .map(|i| {
                let (x, y) = ((i % w) as f64, (i / w) as f64);
                let v = (x / (7.0 + k as f64)).sin() * (y / (5.0 + 2.0 * k as f64)).cos()
                    + (x * y / (900.0 + 150.0 * k as f64)).sin();
                (128.0 + 60.0 * v) as u8
            })
            .collect()
    }

    fn hashed(id: i64, days: i64, g: &[u8], w: usize, h: usize) -> Hashed {
        Hashed {
            id,
            utc: Utc.timestamp_opt(1_700_000_000 + days * 86_400, 0).unwrap(),
            dhash: dhash(g, w as u32, h as u32),
            phash: phash(g, w as u32, h as u32),
            quality: 0.5 + id as f32 / 100.0,
            edits: Some(edit_hashes(g, w as u32, h as u32)),
        }
    }

    #[test]
    fn edited_copies_days_apart_join_one_group_through_the_original() {
        let (w, h) = (320, 240);
        let a = scene(w, h, 0);
        let crop: Vec<u8> = (0..192)
            .flat_map(|y| a[y * w..y * w + 256].to_vec())
            .collect();
        let mirror: Vec<u8> = a
            .chunks_exact(w)
            .flat_map(|r| r.iter().rev().copied())
            .collect();
        let other = scene(w, h, 3);
        let photos = [
            hashed(1, 0, &a, w, h),
            hashed(2, 5, &crop, 256, 192),
            hashed(3, 9, &mirror, w, h),
            hashed(4, 2, &other, w, h),
        ];
        // The crop and the mirror are no copies of each other, but both of the original.
        assert_eq!(
            groups(&photos, &DedupeParams::default()),
            vec![vec![3, 2, 1]]
        );
    }
}
