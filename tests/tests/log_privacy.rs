//! Logs above trace level and error messages carry no paths, file names or GPS values.
#![allow(clippy::unwrap_used, clippy::print_stdout)]

mod common;

use std::fs;
use std::sync::Mutex;

use common::{open, TempDir};
use keepsake_core::{CancelToken, HostRecord, NoProgress, ScanOptions, SyncMode};
use keepsake_harness::synth::{jpeg_header, png_header, ExifSpec};

static LINES: Mutex<Vec<(log::Level, String)>> = Mutex::new(Vec::new());

struct Capture;

impl log::Log for Capture {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }
    fn log(&self, r: &log::Record<'_>) {
        LINES
            .lock()
            .unwrap()
            .push((r.level(), r.args().to_string()));
    }
    fn flush(&self) {}
}

static CAPTURE: Capture = Capture;

#[test]
fn nothing_personal_above_trace() {
    log::set_logger(&CAPTURE).unwrap();
    log::set_max_level(log::LevelFilter::Trace);

    let tmp = TempDir::new("logpriv");
    let dir = tmp.join("Holiday-Alice");
    fs::create_dir_all(dir.join("nested")).unwrap();
    let gps = ExifSpec {
        gps: Some((51.477_928, -0.001_545)),
        make: Some("SecretCam".into()),
        ..ExifSpec::default()
    };
    fs::write(dir.join("IMG_alice_home.jpg"), jpeg_header(100, 100, &gps)).unwrap();
    fs::write(
        dir.join("alice_broken.jpg"),
        b"\xFF\xD8\xFF\xE1\x00\x10Exif\0\0II*\0garbage",
    )
    .unwrap();
    fs::write(dir.join("alice_bomb.png"), png_header(60_000, 60_000)).unwrap();
    fs::write(dir.join("alice_empty.jpg"), b"").unwrap();
    std::os::unix::fs::symlink(&dir, dir.join("nested/alice_loop")).unwrap();

    let store = open(&tmp.join("k.db"), "Europe/London", "2025-06-10T12:00:00Z");
    store
        .scan_folder(
            &dir,
            ScanOptions::default(),
            &NoProgress,
            &CancelToken::new(),
        )
        .unwrap();
    let bad = HostRecord {
        id: "alice-1".into(),
        uri: "/sdcard/alice.jpg".into(),
        modified_ms: 1,
        lat: Some(95.0),
        lon: Some(0.0),
        ..HostRecord::default()
    };
    let report = store
        .sync_records(
            vec![(1, bad)],
            SyncMode::Partial,
            &NoProgress,
            &CancelToken::new(),
        )
        .unwrap();
    let mut errors: Vec<String> = report.rejected.iter().map(|e| e.reason.clone()).collect();
    errors.push(
        store
            .scan_folder(
                &dir.join("alice-missing"),
                ScanOptions::default(),
                &NoProgress,
                &CancelToken::new(),
            )
            .unwrap_err()
            .to_string(),
    );
    store.grant_consent(keepsake_core::Scope::Faces).unwrap();
    store.revoke_consent(keepsake_core::Scope::Faces).unwrap();

    let lines = LINES.lock().unwrap().clone();
    let traced = lines
        .iter()
        .filter(|(l, _)| *l == log::Level::Trace)
        .count();
    assert!(
        traced > 0,
        "trace level may name files, and the test must see that it is the only one"
    );
    let forbidden = [
        "alice",
        "Alice",
        "keepsake-logpriv",
        "51.47",
        "0.0015",
        "SecretCam",
        "/sdcard",
    ];
    for (level, line) in lines.iter().filter(|(l, _)| *l < log::Level::Trace) {
        for f in forbidden {
            assert!(!line.contains(f), "{level} log line contains `{f}`: {line}");
        }
    }
    for e in &errors {
        for f in forbidden {
            assert!(!e.contains(f), "error message contains `{f}`: {e}");
        }
    }
    println!(
        "{} log lines checked ({} at trace), {} error messages",
        lines.len(),
        traced,
        errors.len()
    );
}
