//! Near-duplicate groups: photos taken close in time whose perceptual hashes are close.
//! Bursts and re-takes collapse to one group; the best shot (by quality) represents it.

use chrono::{DateTime, Utc};

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
