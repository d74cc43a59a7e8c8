//! Edited copies: the same picture cropped, mirrored or filtered, saved as another photo
//! (often days later, so the near-duplicate pass, which looks minutes around a photo,
//! never pairs them). Each photo keeps the perceptual hashes (dHash and pHash) of its
//! mirror image and of five 80 % windows (the four corners and the centre); a photo
//! whose whole-image hashes are both close to one of another photo's window or mirror
//! hashes — or to its whole-image hashes, for a filtered copy — is an edited copy of it.
//! They join the photo's near-duplicate group (`dedupe.rs`), so selection keeps one.

use super::hash::{dhash, hamming, phash};

/// Share of each side a window keeps.
const WINDOW: f64 = 0.8;
/// Both hashes must be this close. Different photos came no closer than dHash 14 and
/// pHash 16 in the near-duplicate evaluation (`tests/tests/dedupe_eval.rs`).
pub const MAX_BITS: u32 = 10;
/// A filtered copy (the whole image against the whole image, at any time apart) must be
/// closer: the same view photographed on two days is not one picture.
pub const FILTER_BITS: u32 = 4;
/// Serialised size: 12 hashes.
pub const BYTES: usize = 12 * 8;

/// A photo's hashes as (dHash, pHash).
type Pair = (u64, u64);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct EditHashes {
    pub mirror: Pair,
    /// Top-left, top-right, bottom-left, bottom-right, centre.
    pub windows: [Pair; 5],
}

fn pair(gray: &[u8], w: u32, h: u32) -> Pair {
    (dhash(gray, w, h), phash(gray, w, h))
}

/// The hashes of `gray` (`w` × `h`, the working image).
pub fn edit_hashes(gray: &[u8], w: u32, h: u32) -> EditHashes {
    let (wu, hu) = (w as usize, h as usize);
    let mirrored: Vec<u8> = gray
        .chunks_exact(wu.max(1))
        .flat_map(|row| row.iter().rev().copied())
        .collect();
    let (cw, ch) = (
        ((f64::from(w) * WINDOW).round() as usize).max(1),
        ((f64::from(h) * WINDOW).round() as usize).max(1),
    );
    let window = |x0: usize, y0: usize| -> Pair {
        let mut px = Vec::with_capacity(cw * ch);
        for row in gray.chunks_exact(wu.max(1)).skip(y0).take(ch) {
            px.extend_from_slice(&row[x0..x0 + cw]);
        }
        pair(&px, cw as u32, ch as u32)
    };
    let (dx, dy) = (wu - cw, hu - ch);
    EditHashes {
        mirror: pair(&mirrored, w, h),
        windows: [
            window(0, 0),
            window(dx, 0),
            window(0, dy),
            window(dx, dy),
            window(dx / 2, dy / 2),
        ],
    }
}

fn close(a: Pair, b: Pair) -> bool {
    within(a, b, MAX_BITS)
}

fn within(a: Pair, b: Pair, bits: u32) -> bool {
    hamming(a.0, b.0) <= bits && hamming(a.1, b.1) <= bits
}

/// Whether one photo is an edited copy of the other (`full`: whole-image hashes).
pub fn edited_copy(a_full: Pair, a: &EditHashes, b_full: Pair, b: &EditHashes) -> bool {
    within(a_full, b_full, FILTER_BITS)
        || close(a.mirror, b_full)
        || a.windows.iter().any(|w| close(*w, b_full))
        || b.windows.iter().any(|w| close(*w, a_full))
}

impl EditHashes {
    pub fn to_bytes(&self) -> Vec<u8> {
        std::iter::once(self.mirror)
            .chain(self.windows)
            .flat_map(|(d, p)| [d.to_le_bytes(), p.to_le_bytes()])
            .flatten()
            .collect()
    }

    /// `None` unless exactly [`BYTES`] long.
    pub fn from_bytes(b: &[u8]) -> Option<EditHashes> {
        if b.len() != BYTES {
            return None;
        }
        let mut v = b
            .chunks_exact(8)
            .map(|c| u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]));
        let mut next = || Some((v.next()?, v.next()?));
        let mirror = next()?;
        let mut windows = [(0, 0); 5];
        for w in &mut windows {
            *w = next()?;
        }
        Some(EditHashes { mirror, windows })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A textured `w` × `h` gray scene, different for each `seed`.
    fn scene(w: usize, h: usize, seed: u64) -> Vec<u8> {
        let mut s = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let blobs: Vec<(f64, f64, f64, f64)> = (0..12)
            .map(|_| {
                let mut r = || {
                    s = s.wrapping_mul(6364136223846793005).wrapping_add(1);
                    (s >> 33) as f64 / f64::from(u32::MAX)
                };
                (
                    r() * w as f64,
                    r() * h as f64,
                    20.0 + r() * 80.0,
                    r() * 2.0 - 1.0,
                )
            })
            .collect();
        let mut out = Vec::with_capacity(w * h);
        for y in 0..h {
            for x in 0..w {
                let v: f64 = blobs
                    .iter()
                    .map(|(bx, by, r, a)| {
                        let d2 = (x as f64 - bx).powi(2) + (y as f64 - by).powi(2);
                        a * (-d2 / (r * r)).exp()
                    })
                    .sum();
                out.push((128.0 + 90.0 * v).clamp(0.0, 255.0) as u8);
            }
        }
        out
    }

    fn crop(g: &[u8], w: usize, x0: usize, y0: usize, cw: usize, ch: usize) -> Vec<u8> {
        (y0..y0 + ch)
            .flat_map(|y| g[y * w + x0..y * w + x0 + cw].to_vec())
            .collect()
    }

    #[test]
    fn crops_mirrors_and_filters_are_edited_copies_and_other_scenes_are_not() {
        let (w, h) = (320usize, 240usize);
        let a = scene(w, h, 1);
        let full = |g: &[u8], w: usize, h: usize| pair(g, w as u32, h as u32);
        let ea = edit_hashes(&a, w as u32, h as u32);
        let copies: Vec<(&str, Vec<u8>, usize, usize)> = vec![
            ("top-left 80 % crop", crop(&a, w, 0, 0, 256, 192), 256, 192),
            (
                "bottom-right 80 % crop",
                crop(&a, w, 64, 48, 256, 192),
                256,
                192,
            ),
            ("centre 78 % crop", crop(&a, w, 35, 26, 250, 188), 250, 188),
            (
                "mirror",
                a.chunks_exact(w)
                    .flat_map(|r| r.iter().rev().copied())
                    .collect(),
                w,
                h,
            ),
            (
                "darker",
                a.iter().map(|v| (f32::from(*v) * 0.8) as u8).collect(),
                w,
                h,
            ),
        ];
        for (what, b, bw, bh) in &copies {
            let eb = edit_hashes(b, *bw as u32, *bh as u32);
            assert!(
                edited_copy(full(&a, w, h), &ea, full(b, *bw, *bh), &eb),
                "{what} not recognised"
            );
            // Symmetric.
            assert!(
                edited_copy(full(b, *bw, *bh), &eb, full(&a, w, h), &ea),
                "{what}"
            );
        }
        for seed in 2..12 {
            let b = scene(w, h, seed);
            let eb = edit_hashes(&b, w as u32, h as u32);
            assert!(
                !edited_copy(full(&a, w, h), &ea, full(&b, w, h), &eb),
                "scene {seed} taken for a copy"
            );
        }
    }

    #[test]
    fn hashes_round_trip_and_bad_blobs_are_refused() {
        let g = scene(64, 48, 3);
        let e = edit_hashes(&g, 64, 48);
        assert_eq!(EditHashes::from_bytes(&e.to_bytes()), Some(e));
        assert_eq!(e.to_bytes().len(), BYTES);
        assert_eq!(EditHashes::from_bytes(&[0; 95]), None);
        // A 1×1 image has windows too.
        let _ = edit_hashes(&[7], 1, 1);
    }
}
