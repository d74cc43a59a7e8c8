//! Edited copies: the sample roll `keepsake sample-library` makes holds each picture up
//! to four times (as taken, two 80 % crops and a mirror image, days apart). Through the
//! harness (scan, analysis, suggestions), no suggestion shows the same picture twice,
//! while the pictures themselves are all still suggested.
#![allow(clippy::unwrap_used, clippy::print_stdout)]

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::TempDir;

const NOW: &str = "2026-12-01T12:00:00Z";

#[test]
fn no_suggestion_shows_a_picture_twice() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let tmp = TempDir::new("edited-copies");
    let src = tmp.join("src");
    std::fs::create_dir_all(&src).unwrap();
    let mut photos: Vec<_> = std::fs::read_dir(shared.join("data/themes/images"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    photos.sort();
    for p in photos.iter().step_by(7).take(9) {
        std::fs::copy(p, src.join(p.file_name().unwrap())).unwrap();
    }
    let roll = tmp.join("roll");
    let db = tmp.join("k.db");
    let run = |args: &[&str]| {
        let mut c = common::harness(&db, NOW);
        c.args(args);
        common::stdout_of(c)
    };
    run(&[
        "sample-library",
        src.to_str().unwrap(),
        roll.to_str().unwrap(),
    ]);
    run(&["scan", roll.to_str().unwrap()]);
    run(&["consent", "grant", "all"]);
    run(&["analyze", "--no-faces", "--no-themes"]);
    let out = run(&["suggest", "--json"]);
    let mut shown: BTreeSet<String> = BTreeSet::new();
    let mut checked = 0;
    for line in out.lines() {
        let s: serde_json::Value = serde_json::from_str(line).unwrap();
        let mut pictures: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for a in s["assets"].as_array().unwrap() {
            let name = a.as_str().unwrap().to_string();
            // `<picture>-<variant>.jpg`
            let picture = name.rsplit_once('-').unwrap().0.to_string();
            pictures.entry(picture).or_default().push(name);
        }
        for (picture, copies) in &pictures {
            assert_eq!(copies.len(), 1, "{} shows {picture} as {copies:?}", s["id"]);
            shown.insert(picture.clone());
        }
        checked += 1;
    }
    println!(
        "{checked} suggestions, each picture at most once; {} pictures shown",
        shown.len()
    );
    assert!(checked >= 2, "only {checked} suggestions");
    assert!(shown.len() >= 7, "only {} of 9 pictures shown", shown.len());
}
