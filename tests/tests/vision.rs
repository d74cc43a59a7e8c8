//! Vision on real files from ../shared: orientation, DCT-scaled decoding, thumbnails,
//! bad input, and face detection with the shared models.
#![allow(clippy::unwrap_used, clippy::print_stdout)]

mod common;

use std::path::{Path, PathBuf};

use keepsake_core::metadata::probe_path;
use keepsake_core::vision::decode::{
    decode_bytes, decode_file, DecodeError, DecodeOptions, Hint, Via,
};
use keepsake_core::vision::detect::{nms::iou, DetectParams, Face, FaceModel, ModelError};
use keepsake_harness::synth::png_header;

fn hint(path: &Path) -> Hint {
    let p = probe_path(path);
    Hint {
        orientation: p.exif.orientation,
        thumbnail: p.thumbnail,
    }
}

/// The samples were rotated and re-encoded, so they never match the reference exactly:
/// the check is that the file's EXIF orientation is, by far, the transform that best
/// restores the upright reference.
#[test]
fn every_orientation_turns_upright() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let dir = shared.join("data/photos_meta/exif-samples");
    let opts = DecodeOptions {
        long_side: 160,
        use_thumbnail: false,
        ..DecodeOptions::default()
    };
    let diff = |a: &keepsake_core::vision::Rgb, b: &keepsake_core::vision::Rgb| -> f64 {
        a.data
            .iter()
            .zip(&b.data)
            .map(|(x, y)| f64::from(x.abs_diff(*y)))
            .sum::<f64>()
            / a.data.len() as f64
    };
    for shape in ["landscape", "portrait"] {
        let path = |n: u8| dir.join(format!("jpg__orientation__{shape}_{n}.jpg"));
        let reference = decode_file(&path(1), hint(&path(1)), &opts).unwrap();
        for n in 2..=8u8 {
            let h = hint(&path(n));
            assert_eq!(h.orientation, Some(n), "{shape}_{n} orientation tag");
            let d = decode_file(&path(n), h, &opts).unwrap();
            assert_eq!(
                (d.image.width, d.image.height),
                (reference.image.width, reference.image.height),
                "{shape}_{n} size"
            );
            assert_eq!(
                (d.original_width, d.original_height),
                (reference.original_width, reference.original_height)
            );
            let ours = diff(&d.image, &reference.image);
            // Every other way of turning the stored pixels is much worse.
            let stored = decode_file(&path(n), Hint::default(), &opts).unwrap().image;
            for other in (1..=8u8).filter(|o| *o != n) {
                let alt = keepsake_core::vision::orient::apply(stored.clone(), other);
                if (alt.width, alt.height) == (reference.image.width, reference.image.height) {
                    let theirs = diff(&alt, &reference.image);
                    assert!(
                        ours * 2.0 < theirs,
                        "{shape}_{n}: orientation {n} ({ours:.1}) vs {other} ({theirs:.1})"
                    );
                }
            }
        }
    }
}

#[test]
fn large_jpegs_decode_at_a_dct_scale_and_thumbnails_serve_small_sizes() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let path = shared.join("data/photos_meta/exif-samples/jpg__hdr__iphone_hdr_YES.jpg");
    let h = hint(&path);
    let d = decode_file(
        &path,
        h,
        &DecodeOptions {
            long_side: 320,
            use_thumbnail: false,
            ..DecodeOptions::default()
        },
    )
    .unwrap();
    assert_eq!(
        d.via,
        Via::Jpeg { denominator: 8 },
        "3264 px to 320: 1/8 covers it (408 px)"
    );
    assert_eq!(d.image.width.max(d.image.height), 320);
    assert_eq!((d.original_width, d.original_height), (3264, 2448));
    assert!((d.scale() - 10.2).abs() < 0.01);
    let d = decode_file(
        &path,
        h,
        &DecodeOptions {
            long_side: 1000,
            use_thumbnail: false,
            ..DecodeOptions::default()
        },
    )
    .unwrap();
    assert_eq!(d.via, Via::Jpeg { denominator: 2 });
    // The embedded 160-px thumbnail serves a 160-px request; the full decode is skipped.
    assert!(h.thumbnail.is_some());
    let d = decode_file(
        &path,
        h,
        &DecodeOptions {
            long_side: 160,
            ..DecodeOptions::default()
        },
    )
    .unwrap();
    assert_eq!(d.via, Via::Thumbnail);
    assert_eq!((d.original_width, d.original_height), (3264, 2448));
    let d = decode_file(
        &path,
        h,
        &DecodeOptions {
            long_side: 320,
            ..DecodeOptions::default()
        },
    )
    .unwrap();
    assert_ne!(d.via, Via::Thumbnail, "too small for 320 px");
}

#[test]
fn bad_input_is_refused_clearly() {
    let opts = DecodeOptions::default();
    let bomb = png_header(50_000, 50_000);
    assert_eq!(
        decode_bytes(&bomb, Hint::default(), &opts),
        Err(DecodeError::TooLarge)
    );
    assert_eq!(
        decode_bytes(b"\xFF\xD8\xFF\xE0garbage", Hint::default(), &opts)
            .unwrap_err()
            .kind(),
        "jpeg_header"
    );
    assert_eq!(
        decode_bytes(b"hello world", Hint::default(), &opts),
        Err(DecodeError::Unsupported)
    );
    assert_eq!(
        decode_bytes(&png_header(0, 10), Hint::default(), &opts)
            .unwrap_err()
            .kind(),
        "zero_size"
    );
    assert_eq!(
        decode_bytes(&png_header(0, 0), Hint::default(), &opts)
            .unwrap_err()
            .kind(),
        "zero_size"
    );
    // 1×1 (and anything under 8 px a side) is refused before decoding: nothing to measure.
    for tiny in [
        png_header(1, 1),
        keepsake_harness::synth::jpeg_header(1, 1, &Default::default()),
    ] {
        assert_eq!(
            decode_bytes(&tiny, Hint::default(), &opts),
            Err(DecodeError::TooSmall)
        );
    }
    let err = keepsake_core::vision::decode::from_rgba(8, 8, &[0; 255], None, &opts).unwrap_err();
    assert_eq!(err.kind(), "rgba_size_mismatch");
    assert_eq!(
        keepsake_core::vision::decode::from_rgba(1, 1, &[0; 4], None, &opts),
        Err(DecodeError::TooSmall)
    );
    let rgba: Vec<u8> = (0..16 * 8).flat_map(|i| [i as u8, 2, 3, 255]).collect();
    let ok = keepsake_core::vision::decode::from_rgba(16, 8, &rgba, Some(6), &opts).unwrap();
    assert_eq!(
        (ok.image.width, ok.image.height, ok.via),
        (8, 16, Via::Host)
    );
}

fn model(shared: &Path, name: &str) -> FaceModel {
    FaceModel::load_path(&shared.join("models").join(name)).unwrap()
}

/// Detection on dlib's hand-labelled VOC photos: recall and precision at IoU 0.4
/// (dlib boxes are tighter than the models').
fn evaluate(m: &FaceModel, dir: &Path) -> (usize, usize, usize) {
    let params = DetectParams::for_kind(m.kind());
    let opts = DecodeOptions {
        long_side: 640,
        ..DecodeOptions::default()
    };
    let (mut tp, mut found, mut truth) = (0, 0, 0);
    for line in std::fs::read_to_string(dir.join("annotations.jsonl"))
        .unwrap()
        .lines()
    {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let path: PathBuf = dir.join("images").join(v["file"].as_str().unwrap());
        let d = decode_file(&path, hint(&path), &opts).unwrap();
        let faces: Vec<Face> = m
            .detect(&d.image, &params)
            .unwrap()
            .into_iter()
            .map(|f| f.scaled(d.scale() as f32))
            .collect();
        let gt: Vec<Face> = v["faces"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["ignore"] != true)
            .map(|f| {
                let b: Vec<f32> = f["bbox"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|x| x.as_f64().unwrap() as f32)
                    .collect();
                Face {
                    x: b[0],
                    y: b[1],
                    w: b[2],
                    h: b[3],
                    score: 1.0,
                    landmarks: [[0.0; 2]; 5],
                }
            })
            .collect();
        let mut used = vec![false; faces.len()];
        for g in &gt {
            if let Some((i, _)) = faces
                .iter()
                .enumerate()
                .filter(|(i, _)| !used[*i])
                .map(|(i, f)| (i, iou(f, g)))
                .filter(|(_, o)| *o >= 0.4)
                .max_by(|a, b| a.1.total_cmp(&b.1))
            {
                used[i] = true;
                tp += 1;
            }
        }
        found += faces.len();
        truth += gt.len();
    }
    (tp, found, truth)
}

/// The graph rewrites (Softmax cut, constant upsampling scales, repeated nodes merged,
/// sibling convolutions merged, Keepsake's depthwise op) change speed, not results: the same faces, boxes and scores as the model as shipped,
/// on photos of several sizes and both orientations. And they do apply to RetinaFace.
#[test]
fn graph_rewrites_give_the_same_faces() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let bytes = std::fs::read(shared.join("models/retinaface_mnet025.onnx")).unwrap();
    let fast = FaceModel::load_bytes_with(bytes.clone(), true).unwrap();
    let plain = FaceModel::load_bytes_with(bytes, false).unwrap();
    let done = fast.graph_rewrites();
    assert!(done.softmax_cut, "{done:?}");
    assert_eq!(done.constant_upsamples, 2, "{done:?}");
    // The three SSH modules' repeated convolutions, their weights' Identity nodes, and
    // repeated shape arithmetic.
    assert!(done.merged_nodes >= 9, "{done:?}");
    // Per level, folded into a sibling: one of the SSH module's two convolutions of its
    // input, one of the two of its second branch, two of the three heads (× 3 levels).
    assert_eq!(done.merged_convs, 12, "{done:?}");
    // MobileNet-0.25's thirteen depthwise convolutions (four with stride 2).
    assert_eq!(done.own_depthwise, 13, "{done:?}");
    assert_eq!(
        plain.graph_rewrites(),
        keepsake_core::vision::detect::GraphRewrites::default()
    );
    let params = DetectParams {
        score_threshold: 0.05,
        ..DetectParams::for_kind(fast.kind())
    };
    let dir = shared.join("data/faces/dlib_pascal_voc/images");
    let mut compared = 0;
    for (i, e) in std::fs::read_dir(&dir).unwrap().enumerate() {
        let path = e.unwrap().path();
        let opts = DecodeOptions {
            long_side: [640, 416, 300][i % 3],
            ..DecodeOptions::default()
        };
        let d = decode_file(&path, hint(&path), &opts).unwrap();
        let (a, b) = (
            fast.detect(&d.image, &params).unwrap(),
            plain.detect(&d.image, &params).unwrap(),
        );
        assert_eq!(a.len(), b.len(), "{}", path.display());
        for (x, y) in a.iter().zip(&b) {
            assert!((x.score - y.score).abs() < 1e-4, "{x:?} vs {y:?}");
            for (p, q) in [(x.x, y.x), (x.y, y.y), (x.w, y.w), (x.h, y.h)] {
                assert!((p - q).abs() < 1e-2, "{x:?} vs {y:?}");
            }
        }
        compared += a.len();
    }
    assert!(compared > 40, "only {compared} faces compared");
}

#[test]
fn face_models_find_the_labelled_faces() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let dir = shared.join("data/faces/dlib_pascal_voc");
    for name in ["retinaface_mnet025.onnx", "yunet_s_dynamic.onnx"] {
        let m = model(&shared, name);
        assert_eq!(m.sha256().len(), 64);
        let (tp, found, truth) = evaluate(&m, &dir);
        let (recall, precision) = (tp as f64 / truth as f64, tp as f64 / found.max(1) as f64);
        println!("{name}: {tp}/{truth} faces found (recall {recall:.2}), precision {precision:.2} at IoU 0.4");
        assert!(recall >= 0.8, "{name}: recall {recall:.2}");
        assert!(precision >= 0.8, "{name}: precision {precision:.2}");
    }
}

#[test]
fn a_model_that_is_not_a_face_detector_fails_at_load() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let err =
        FaceModel::load_path(&shared.join("models/efficientnet_lite0_imagenet.onnx")).unwrap_err();
    assert!(matches!(err, ModelError::UnknownOutputs(_)), "{err}");
    assert!(matches!(
        FaceModel::load_path(&shared.join("models/SOURCES.md")),
        Err(ModelError::NotOnnx(_))
    ));
}

/// A photo taken with the phone turned: the stored pixels are sideways and EXIF says
/// "rotate 90° clockwise" (orientation 6). Faces must be found on the upright image and
/// reported in its coordinates, i.e. where they are in the original upright photo.
#[test]
fn faces_are_reported_in_upright_original_coordinates() {
    use keepsake_core::vision::{decode::from_rgba, orient};
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let path = shared.join("data/faces/dlib_pascal_voc/images/2007_007763.jpg");
    let full = DecodeOptions {
        long_side: 10_000,
        use_thumbnail: false,
        ..DecodeOptions::default()
    };
    let upright = decode_file(&path, Hint::default(), &full).unwrap().image;
    // Stored sideways: turned 90° counter-clockwise (what orientation 8 does).
    let sideways = orient::apply(upright.clone(), 8);
    let rgba: Vec<u8> = sideways
        .data
        .chunks_exact(3)
        .flat_map(|p| [p[0], p[1], p[2], 255])
        .collect();

    let m = model(&shared, "retinaface_mnet025.onnx");
    let params = DetectParams::for_kind(m.kind());
    let opts = DecodeOptions {
        long_side: 640,
        ..DecodeOptions::default()
    };
    let find = |d: keepsake_core::vision::decode::Decoded| -> (u32, u32, Vec<Face>) {
        let faces = m
            .detect(&d.image, &params)
            .unwrap()
            .into_iter()
            .map(|f| f.scaled(d.scale() as f32))
            .collect();
        (d.original_width, d.original_height, faces)
    };
    let (w, h, plain) = find(decode_file(&path, Hint::default(), &opts).unwrap());
    let (tw, th, turned) =
        find(from_rgba(sideways.width, sideways.height, &rgba, Some(6), &opts).unwrap());
    assert_eq!((tw, th), (w, h), "upright size");
    assert!(plain.len() >= 5);
    let matched = plain
        .iter()
        .filter(|f| turned.iter().any(|g| iou(f, g) >= 0.8))
        .count();
    assert!(
        matched * 10 >= plain.len() * 9,
        "{matched} of {} faces at the same upright place",
        plain.len()
    );
}
