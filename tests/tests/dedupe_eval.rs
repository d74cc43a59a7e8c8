//! Near-duplicate grouping on generated variants of real photos. Every source photo gets
//! variants a phone library really holds — a lossy re-save (quantisation and noise; no
//! JPEG encoder is built into the project, so the loss is modelled), a small crop, a
//! brighter and a darker exposure, a softer (resampled) copy — all within one 10-minute
//! window with the other sources' variants, so only the hashes can tell them apart.
//! Pairwise precision and recall are printed; bursts must lead with their best shot.
#![allow(clippy::unwrap_used, clippy::print_stdout)]

mod common;

use std::collections::HashMap;

use chrono::{Duration, TimeZone, Utc};
use keepsake_core::vision::decode::{decode_file, resize_to, DecodeOptions, Hint};
use keepsake_core::vision::dedupe::{groups, DedupeParams, Hashed};
use keepsake_core::vision::{hash, quality, Rgb};
use keepsake_harness::rng::Rng;

fn map(img: &Rgb, f: impl Fn(u8, usize) -> u8) -> Rgb {
    let data = img.data.iter().enumerate().map(|(i, &v)| f(v, i)).collect();
    Rgb::new(img.width, img.height, data).unwrap()
}

fn variants(img: &Rgb, rng: &mut Rng) -> Vec<(&'static str, Rgb)> {
    let (w, h) = (img.width, img.height);
    let noise: Vec<i16> = (0..img.data.len()).map(|_| rng.int(-6, 6) as i16).collect();
    let resaved = map(img, |v, i| {
        (((i16::from(v) + noise[i]).clamp(0, 255) as u8) & 0xF8) | 4
    });
    // Crop 4 % off each side, back to the working size.
    let (cx, cy) = (w / 25, h / 25);
    let mut cropped = Vec::new();
    for y in cy..h - cy {
        let row = (y * w) as usize * 3;
        cropped.extend_from_slice(&img.data[row + cx as usize * 3..row + (w - cx) as usize * 3]);
    }
    let cropped = resize_to(Rgb::new(w - 2 * cx, h - 2 * cy, cropped).unwrap(), w, h).unwrap();
    let brighter = map(img, |v, _| (f32::from(v) * 1.15 + 12.0).min(255.0) as u8);
    let darker = map(img, |v, _| (f32::from(v) * 0.8) as u8);
    let softer = resize_to(resize_to(img.clone(), w / 3, h / 3).unwrap(), w, h).unwrap();
    vec![
        ("original", img.clone()),
        ("resaved", resaved),
        ("cropped", cropped),
        ("brighter", brighter),
        ("darker", darker),
        ("softer", softer),
    ]
}

#[test]
fn near_duplicates_are_found_among_variants_with_precision_and_recall() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let mut sources: Vec<_> = ["wider_val_416", "dlib_pascal_voc"]
        .iter()
        .flat_map(|set| {
            std::fs::read_dir(shared.join("data/faces").join(set).join("images"))
                .unwrap()
                .map(|e| e.unwrap().path())
        })
        .collect();
    sources.sort();
    let mut rng = Rng::new(11);
    let opts = DecodeOptions {
        long_side: 320,
        ..DecodeOptions::default()
    };
    let t0 = Utc.with_ymd_and_hms(2025, 6, 1, 12, 0, 0).unwrap();
    let mut photos = Vec::new();
    let mut source_of: HashMap<i64, usize> = HashMap::new();
    let mut kind_of: HashMap<i64, &str> = HashMap::new();
    let mut id = 0i64;
    for (s, path) in sources.iter().enumerate() {
        let img = decode_file(path, Hint::default(), &opts).unwrap().image;
        for (kind, v) in variants(&img, &mut rng) {
            let gray = v.gray();
            let q = quality::measure(&gray, v.width, v.height);
            id += 1;
            photos.push(Hashed {
                id,
                // Everything inside one 10-minute window: time cannot separate them.
                utc: t0 + Duration::seconds(rng.int(0, 590)),
                dhash: hash::dhash(&gray, v.width, v.height),
                phash: hash::phash(&gray, v.width, v.height),
                quality: q.score,
                edits: Some(keepsake_core::vision::edits::edit_hashes(
                    &gray, v.width, v.height,
                )),
            });
            source_of.insert(id, s);
            kind_of.insert(id, kind);
        }
    }
    // Hash distances to the original per variant, and between different sources: the
    // margin the thresholds sit in.
    let pct = |v: &mut Vec<u32>, q: usize| {
        v.sort_unstable();
        v[(v.len() - 1) * q / 100]
    };
    for k in ["resaved", "cropped", "brighter", "darker", "softer"] {
        let (mut dd, mut pp) = (Vec::new(), Vec::new());
        for p in photos.iter().filter(|p| kind_of[&p.id] == k) {
            let o = photos
                .iter()
                .find(|q| source_of[&q.id] == source_of[&p.id] && kind_of[&q.id] == "original")
                .unwrap();
            dd.push(hash::hamming(p.dhash, o.dhash));
            pp.push(hash::hamming(p.phash, o.phash));
        }
        println!(
            "{k:>9} vs original: dHash median {} p90 {} max {}; pHash median {} p90 {} max {}",
            pct(&mut dd, 50),
            pct(&mut dd, 90),
            pct(&mut dd, 100),
            pct(&mut pp, 50),
            pct(&mut pp, 90),
            pct(&mut pp, 100)
        );
    }
    let (mut nd, mut np) = (Vec::new(), Vec::new());
    for (i, a) in photos.iter().enumerate() {
        for b in photos[i + 1..]
            .iter()
            .filter(|b| source_of[&b.id] != source_of[&a.id])
        {
            nd.push(hash::hamming(a.dhash, b.dhash));
            np.push(hash::hamming(a.phash, b.phash));
        }
    }
    println!(
        "different photos: dHash min {} p1 {}; pHash min {} p1 {}",
        pct(&mut nd, 0),
        pct(&mut nd, 1),
        pct(&mut np, 0),
        pct(&mut np, 1)
    );
    let found = groups(&photos, &DedupeParams::default());
    let mut group_of: HashMap<i64, usize> = HashMap::new();
    for (g, members) in found.iter().enumerate() {
        for m in members {
            group_of.insert(*m, g);
        }
        // Best shot first.
        let best = photos
            .iter()
            .filter(|p| members.contains(&p.id))
            .map(|p| p.quality)
            .fold(f32::MIN, f32::max);
        let lead = photos.iter().find(|p| p.id == members[0]).unwrap();
        assert_eq!(
            lead.quality, best,
            "group {g} does not lead with its best shot"
        );
    }
    let (mut tp, mut fp, mut fneg) = (0u64, 0u64, 0u64);
    let mut missed_by_kind: HashMap<&str, u64> = HashMap::new();
    for (i, a) in photos.iter().enumerate() {
        for b in &photos[i + 1..] {
            let same = source_of[&a.id] == source_of[&b.id];
            let grouped =
                group_of.contains_key(&a.id) && group_of.get(&a.id) == group_of.get(&b.id);
            match (same, grouped) {
                (true, true) => tp += 1,
                (false, true) => fp += 1,
                (true, false) => {
                    fneg += 1;
                    let kind = if kind_of[&a.id] == "original" {
                        kind_of[&b.id]
                    } else {
                        kind_of[&a.id]
                    };
                    *missed_by_kind.entry(kind).or_default() += 1;
                }
                (false, false) => {}
            }
        }
    }
    let precision = tp as f64 / (tp + fp).max(1) as f64;
    let recall = tp as f64 / (tp + fneg).max(1) as f64;
    println!(
        "near-duplicates: {} sources × 6 variants, {} groups; pairwise precision {precision:.3}, recall {recall:.3}; missed pairs by variant: {missed_by_kind:?}",
        sources.len(),
        found.len()
    );
    assert!(precision >= 0.95, "precision {precision:.3}");
    assert!(recall >= 0.85, "recall {recall:.3}");
}
