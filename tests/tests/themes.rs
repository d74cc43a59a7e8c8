//! Content themes with the classifier set-up converted (`target/models/efficientnet_lite0.onnx`):
//! its outputs match the reference conversion in ../shared/models on real photos; the
//! evaluation on ../shared/data/themes meets the goal; revoking `pixels` leaves no theme
//! byte in any database file, re-granting classifies again, and another classifier means
//! re-classification; `keepsake themes --json` prints one object per photo.
#![allow(clippy::unwrap_used, clippy::print_stdout)]

mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use common::TempDir;
use keepsake_core::analysis::AnalyzeOptions;
use keepsake_core::themes::{Classifier, Theme};
use keepsake_core::vision::decode::{decode_file, DecodeOptions, Hint};
use keepsake_core::{CancelToken, NoProgress, ScanOptions, Scope};

/// The classifier `scripts/models.sh` converted.
fn converted() -> Option<PathBuf> {
    common::setup_file("efficientnet_lite0.onnx")
}

/// Every `step`th shared theme photo, copied into a fresh folder `tmp/photos`.
fn some_photos(tmp: &TempDir, shared: &Path, step: usize) -> PathBuf {
    let photos = tmp.join("photos");
    std::fs::create_dir_all(&photos).unwrap();
    for p in theme_photos(shared).iter().step_by(step) {
        std::fs::copy(p, photos.join(p.file_name().unwrap())).unwrap();
    }
    photos
}

fn theme_photos(shared: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(shared.join("data/themes/images"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    v.sort();
    v
}

#[test]
fn the_converted_classifier_matches_the_reference_conversion() {
    let (Some(shared), Some(ours)) = (common::shared_dir(), converted()) else {
        return;
    };
    let ours = Classifier::load_path(&ours).unwrap();
    let reference =
        Classifier::load_path(&shared.join("models/efficientnet_lite0_imagenet.onnx")).unwrap();
    let mut worst = 0f32;
    let photos = theme_photos(&shared);
    for path in photos.iter().step_by(6) {
        let img = decode_file(path, Hint::default(), &DecodeOptions::default())
            .unwrap()
            .image;
        let a = ours.probabilities(&img).unwrap();
        let b = reference.probabilities(&img).unwrap();
        let argmax = |v: &[f32]| {
            v.iter()
                .enumerate()
                .max_by(|x, y| x.1.total_cmp(y.1))
                .unwrap()
                .0
        };
        assert_eq!(argmax(&a), argmax(&b));
        for (x, y) in a.iter().zip(&b) {
            worst = worst.max((x - y).abs());
        }
    }
    println!(
        "converted vs reference classifier: max |Δp| {worst:.2e} over {} photos",
        photos.len().div_ceil(6)
    );
    assert!(worst < 1e-5, "probabilities differ by {worst}");
    // Keepsake's own depthwise op computes what tract's does.
    let bytes = std::fs::read(converted().unwrap()).unwrap();
    let plain = Classifier::load_bytes_with(&bytes, false).unwrap();
    assert_eq!(plain.own_depthwise(), 0);
    assert_eq!(
        ours.own_depthwise(),
        16,
        "EfficientNet-Lite0 has 16 depthwise convolutions"
    );
    let img = decode_file(&photos[0], Hint::default(), &DecodeOptions::default())
        .unwrap()
        .image;
    let a = ours.probabilities(&img).unwrap();
    let b = plain.probabilities(&img).unwrap();
    let diff = a
        .iter()
        .zip(&b)
        .map(|(x, y)| (x - y).abs())
        .fold(0f32, f32::max);
    assert!(diff < 1e-5, "own depthwise differs by {diff}");
}

#[test]
fn the_shared_set_evaluation_meets_the_goal() {
    let (Some(shared), Some(classifier)) = (common::shared_dir(), converted()) else {
        return;
    };
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_keepsake"));
    c.args(["eval", "themes"])
        .arg(shared.join("data/themes"))
        .arg("--classifier")
        .arg(&classifier)
        .arg("--json");
    let v: serde_json::Value = serde_json::from_str(&common::stdout_of(c)).unwrap();
    let p = v["micro"]["precision"].as_f64().unwrap();
    let r = v["micro"]["recall"].as_f64().unwrap();
    println!("themes on the shared set: micro precision {p:.2}, recall {r:.2}; {v}");
    assert_eq!(v["photos"], 71);
    assert!(p >= 0.85 && r >= 0.65, "precision {p:.2}, recall {r:.2}");
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    occurrences(hay, needle) > 0
}

fn occurrences(hay: &[u8], needle: &[u8]) -> usize {
    hay.windows(needle.len()).filter(|w| *w == needle).count()
}

#[test]
fn revoking_pixels_removes_every_theme_byte_and_regranting_classifies_again() {
    let (Some(shared), Some(path)) = (common::shared_dir(), converted()) else {
        return;
    };
    let tmp = TempDir::new("themes-purge");
    let photos = some_photos(&tmp, &shared, 5);
    let store = common::open(&tmp.join("k.db"), "UTC", "2026-12-01T12:00:00Z");
    let cancel = CancelToken::new();
    store
        .scan_folder(&photos, ScanOptions::default(), &NoProgress, &cancel)
        .unwrap();
    let classifier = Arc::new(Classifier::load_path(&path).unwrap());
    let options = AnalyzeOptions {
        classifier: Some(classifier.clone()),
        ..AnalyzeOptions::default()
    };
    // No processing before consent.
    assert!(store.analyze(None, &options, &NoProgress, &cancel).is_err());
    // Theme names also occur in the schema (a `document_like` column): what counts is
    // that revocation leaves no more of them than the store held before any analysis.
    let baseline = common::db_bytes(&store);
    store.grant_consent(Scope::Pixels).unwrap();
    let first = store.analyze(None, &options, &NoProgress, &cancel).unwrap();
    assert_eq!(first.analysed, 15);
    let themes = store.photo_themes().unwrap();
    assert_eq!(themes.len(), 15);
    let tagged: Vec<Theme> = themes
        .iter()
        .flat_map(|p| p.themes.iter().map(|t| t.0))
        .collect();
    assert!(
        tagged.len() >= 8,
        "only {} themes over 15 photos",
        tagged.len()
    );
    // Nothing is due with the same classifier.
    let again = store.analyze(None, &options, &NoProgress, &cancel).unwrap();
    assert_eq!(again.analysed, 0);

    let db = tmp.join("k.db");
    let stored = |needle: &str| common::count(&db, &format!("SELECT count(*) FROM {needle}"));
    assert!(stored("photo_themes") > 0 && stored("photo_classes") > 0);
    let before = common::db_bytes(&store);
    let sha = classifier.sha256().as_bytes();
    assert!(contains(&before, sha));
    let names: Vec<&str> = tagged.iter().map(|t| t.as_str()).collect();
    for name in &names {
        assert!(
            occurrences(&before, name.as_bytes()) > occurrences(&baseline, name.as_bytes()),
            "{name} not stored?"
        );
    }
    store.revoke_consent(Scope::Pixels).unwrap();
    let after = common::db_bytes(&store);
    assert!(
        !contains(&after, sha),
        "the classifier's sha256 survived revocation"
    );
    for name in &names {
        assert!(
            occurrences(&after, name.as_bytes()) <= occurrences(&baseline, name.as_bytes()),
            "{name} survived revocation"
        );
    }
    assert!(store.photo_themes().unwrap().is_empty());
    assert!(store.photos_by_theme(tagged[0]).unwrap().is_empty());

    // Re-granting classifies again, to the same themes.
    store.grant_consent(Scope::Pixels).unwrap();
    let regranted = store.analyze(None, &options, &NoProgress, &cancel).unwrap();
    assert_eq!(regranted.analysed, 15);
    assert_eq!(store.photo_themes().unwrap(), themes);

    // Another classifier (the reference conversion: other bytes, same weights) means
    // every photo is classified again.
    let other =
        Classifier::load_path(&shared.join("models/efficientnet_lite0_imagenet.onnx")).unwrap();
    assert_ne!(other.sha256(), classifier.sha256());
    let options = AnalyzeOptions {
        classifier: Some(Arc::new(other)),
        ..AnalyzeOptions::default()
    };
    let reclassified = store.analyze(None, &options, &NoProgress, &cancel).unwrap();
    assert_eq!(reclassified.analysed, 15);
    assert_eq!(
        common::count(
            &db,
            "SELECT count(DISTINCT model_sha256) FROM theme_analysis"
        ),
        1
    );
}

#[test]
fn the_themes_command_prints_one_object_per_photo() {
    let (Some(shared), Some(path)) = (common::shared_dir(), converted()) else {
        return;
    };
    let tmp = TempDir::new("themes-cli");
    let photos = some_photos(&tmp, &shared, 9);
    let db = tmp.join("k.db");
    let run = |args: &[&str]| {
        let mut c = common::harness(&db, "2026-12-01T12:00:00Z");
        c.args(args);
        common::stdout_of(c)
    };
    run(&["scan", photos.to_str().unwrap()]);
    run(&["consent", "grant", "pixels"]);
    // --no-themes: pixels only.
    run(&["analyze", "--no-faces", "--no-themes"]);
    assert_eq!(run(&["themes", "--json"]).lines().count(), 0);
    run(&[
        "analyze",
        "--no-faces",
        "--classifier",
        path.to_str().unwrap(),
    ]);
    let out = run(&["themes", "--json"]);
    let rows: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 8);
    for r in &rows {
        assert!(r["path"].as_str().unwrap().ends_with(".jpg"));
        for t in r["themes"].as_array().unwrap() {
            let theme = Theme::parse(t["theme"].as_str().unwrap()).unwrap();
            assert!(t["score"].as_f64().unwrap() >= f64::from(theme.threshold()));
        }
    }
    // --theme lists the photos of one theme, best first.
    let first = rows
        .iter()
        .find_map(|r| r["themes"][0]["theme"].as_str())
        .expect("some photo has a theme");
    let listed = run(&["themes", "--theme", first, "--json"]);
    let scores: Vec<f64> = listed
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["score"]
                .as_f64()
                .unwrap()
        })
        .collect();
    assert!(!scores.is_empty() && scores.windows(2).all(|w| w[0] >= w[1]));
    let mut bad = common::harness(&db, "2026-12-01T12:00:00Z");
    bad.args(["themes", "--theme", "dinosaurs"]);
    let out = bad.output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown theme"));
}
