//! Face embeddings on real photos (../shared): the dlib ResNet through tract, aligned from
//! RetinaFace landmarks. The same face seen again (the photo rescaled, faces detected
//! anew) stays within the same-person distance; faces in one photo — different people —
//! are mostly farther apart than it (the figures are printed: these VOC group photos have
//! small faces, where the descriptor separates people less well than dlib's 99.38 % on
//! LFW). Wrong models fail at load time.
#![allow(clippy::unwrap_used, clippy::print_stdout)]

mod common;

use keepsake_core::people::embed::{align, distance, Embedder, EmbedderError, SAME_PERSON};
use keepsake_core::vision::decode::{decode_file, resize_to, DecodeOptions, Hint};
use keepsake_core::vision::detect::{DetectParams, Face, FaceModel};

fn iou(a: &Face, b: &Face) -> f32 {
    let x0 = a.x.max(b.x);
    let y0 = a.y.max(b.y);
    let x1 = (a.x + a.w).min(b.x + b.w);
    let y1 = (a.y + a.h).min(b.y + b.h);
    let i = (x1 - x0).max(0.0) * (y1 - y0).max(0.0);
    i / (a.w * a.h + b.w * b.h - i)
}

#[test]
fn same_faces_stay_close_and_different_people_apart() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let models = shared.join("models");
    let embedder = Embedder::load_path(&models.join("face_embed_dlib_resnet_v1.onnx")).unwrap();
    let detector = FaceModel::load_path(&models.join("retinaface_mnet025.onnx")).unwrap();
    let params = DetectParams::for_kind(detector.kind());

    let dir = shared.join("data/faces/dlib_pascal_voc/images");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let (mut same, mut different, mut large) = (Vec::new(), Vec::new(), Vec::new());
    for path in &files {
        let opts = DecodeOptions {
            long_side: 1024,
            ..DecodeOptions::default()
        };
        let img = decode_file(path, Hint::default(), &opts).unwrap().image;
        let faces = detector.detect(&img, &params).unwrap();
        let embed = |img: &keepsake_core::vision::Rgb, f: &Face| {
            align(img, &f.landmarks)
                .ok()
                .map(|chip| embedder.embed(&chip).unwrap())
        };
        let first: Vec<(Face, Option<Vec<f32>>)> =
            faces.iter().map(|f| (*f, embed(&img, f))).collect();
        // The photo again at 80 %: new pixels, new detections.
        let (w, h) = (
            (img.width as f32 * 0.8) as u32,
            (img.height as f32 * 0.8) as u32,
        );
        let small = resize_to(img.clone(), w, h).unwrap();
        let again = detector.detect(&small, &params).unwrap();
        for (f, e) in &first {
            let Some(e) = e else { continue };
            let best = again
                .iter()
                .map(|g| (iou(f, &g.scaled(1.0 / 0.8)), g))
                .max_by(|a, b| a.0.total_cmp(&b.0));
            if let Some((overlap, g)) = best {
                if overlap > 0.6 {
                    if let Some(e2) = embed(&small, g) {
                        same.push(distance(e, &e2));
                    }
                }
            }
        }
        let eyes = |f: &Face| {
            let [[x0, y0], [x1, y1], ..] = f.landmarks;
            (x0 - x1).hypot(y0 - y1)
        };
        for (i, (fa, a)) in first.iter().enumerate() {
            for (fb, b) in &first[i + 1..] {
                if let (Some(a), Some(b)) = (a, b) {
                    different.push(distance(a, b));
                    if eyes(fa).min(eyes(fb)) >= 20.0 {
                        large.push(distance(a, b));
                    }
                }
            }
        }
    }
    let frac = |v: &[f32], f: &dyn Fn(f32) -> bool| {
        v.iter().filter(|d| f(**d)).count() as f64 / v.len() as f64
    };
    let mean = |v: &[f32]| v.iter().sum::<f32>() / v.len() as f32;
    println!(
        "same face rescaled: {} pairs, mean distance {:.3}, {:.1} % under {SAME_PERSON}; \
         different people in one photo: {} pairs, mean {:.3}, {:.1} % at or over {SAME_PERSON}",
        same.len(),
        mean(&same),
        100.0 * frac(&same, &|d| d < SAME_PERSON),
        different.len(),
        mean(&different),
        100.0 * frac(&different, &|d| d >= SAME_PERSON)
    );
    assert!(same.len() >= 25, "{} faces re-found", same.len());
    assert!(different.len() >= 50, "{} pairs", different.len());
    assert!(frac(&same, &|d| d < SAME_PERSON) >= 0.95);
    println!(
        "  of those, pairs where both faces have eyes 20 px or more apart: {} ({:.1} % at or over {SAME_PERSON}); \
         the rest are faces of 12-19 px between the eyes, which people grouping must treat as low quality",
        large.len(),
        100.0 * frac(&large, &|d| d >= SAME_PERSON)
    );
    // Different people in one photo are, as a rule, farther apart than the threshold.
    assert!(frac(&different, &|d| d >= SAME_PERSON) > 0.5);
    assert!(mean(&same) < mean(&different) / 2.0);
}

#[test]
fn wrong_models_fail_at_load() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let detector = shared.join("models/retinaface_mnet025.onnx");
    assert!(matches!(
        Embedder::load_path(&detector),
        Err(EmbedderError::WrongShape(_))
    ));
    assert!(matches!(
        Embedder::load_bytes(b"not a model"),
        Err(EmbedderError::NotOnnx(_))
    ));
}
