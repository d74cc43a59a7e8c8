//! The `keepsake` binary end to end: scan --json fields, window, sync, consent.
#![allow(clippy::unwrap_used, clippy::print_stdout)]

mod common;

use std::fs;
use std::process::{Command, Output};

use common::TempDir;
use keepsake_harness::synth::{jpeg_header, ExifSpec};
use serde_json::Value;

fn keepsake(tmp: &TempDir, args: &[&str]) -> Output {
    let db = tmp.join("k.db");
    let out = Command::new(env!("CARGO_BIN_EXE_keepsake"))
        .args(args)
        .args([
            "--db",
            db.to_str().unwrap(),
            "--tz",
            "Europe/Paris",
            "--now",
            "2025-06-10T12:00:00+02:00",
        ])
        .output()
        .unwrap();
    out
}

fn json_lines(out: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn scan_json_reports_each_asset_with_documented_fields() {
    let tmp = TempDir::new("cli-scan");
    let dir = tmp.join("photos");
    fs::create_dir_all(dir.join("DCIM")).unwrap();
    let with_offset = ExifSpec {
        datetime_original: Some("2025:06:08 18:30:05".into()),
        subsec: Some("25".into()),
        offset: Some("-04:00".into()),
        orientation: Some(6),
        gps: Some((40.7128, -74.006)),
        make: Some("Pixel".into()),
    };
    fs::write(
        dir.join("DCIM/ny.jpg"),
        jpeg_header(4000, 3000, &with_offset),
    )
    .unwrap();
    fs::write(
        dir.join("DCIM/old.jpg"),
        jpeg_header(
            640,
            480,
            &ExifSpec {
                datetime_original: Some("2019:01:02 03:04:05".into()),
                ..Default::default()
            },
        ),
    )
    .unwrap();
    fs::write(
        dir.join("IMG_20250605_101010.jpg"),
        jpeg_header(10, 10, &ExifSpec::default()),
    )
    .unwrap();
    fs::write(dir.join("broken.jpg"), b"\xFF\xD8\xFF\xE1\x00").unwrap();

    let out = keepsake(&tmp, &["scan", dir.to_str().unwrap(), "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows = json_lines(&out);
    let row = |p: &str| {
        rows.iter()
            .find(|r| r["path"] == p)
            .unwrap_or_else(|| panic!("no row for {p}"))
    };

    let ny = row("DCIM/ny.jpg");
    assert_eq!(ny["status"], "ok");
    assert_eq!(ny["captured_at"], "2025-06-08T18:30:05.250-04:00");
    assert_eq!(ny["date_trust"], "exif_offset");
    assert!((ny["lat"].as_f64().unwrap() - 40.7128).abs() < 1e-5);
    assert!((ny["lon"].as_f64().unwrap() + 74.006).abs() < 1e-5);
    assert_eq!(ny["orientation"], 6);
    assert_eq!(
        (ny["width"].as_u64(), ny["height"].as_u64()),
        (Some(4000), Some(3000)),
        "stored size, before orientation"
    );
    assert_eq!(ny["in_window"], true);

    let old = row("DCIM/old.jpg");
    assert_eq!(old["captured_at"], "2019-01-02T03:04:05");
    assert_eq!(old["date_trust"], "exif_local");
    assert_eq!(old["lat"], Value::Null);
    assert_eq!(old["in_window"], false);

    let named = row("IMG_20250605_101010.jpg");
    assert_eq!(named["date_trust"], "filename");
    assert_eq!(named["captured_at"], "2025-06-05T10:10:10");

    let broken = row("broken.jpg");
    assert_eq!(broken["status"], "corrupt");
    assert!(broken["error"].is_string());

    let summary = String::from_utf8_lossy(&out.stderr);
    assert!(summary.contains("4 added"), "{summary}");
    assert!(
        summary.contains("by date trust: exif_local 1, exif_offset 1, filename 1"),
        "{summary}"
    );

    // Window: the two recent photos, oldest first.
    let out = keepsake(&tmp, &["window", "--json"]);
    let paths: Vec<String> = json_lines(&out)
        .iter()
        .map(|r| r["path"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(paths, ["IMG_20250605_101010.jpg", "DCIM/ny.jpg"]);
    let out = keepsake(&tmp, &["window", "--days", "3000", "--json"]);
    assert_eq!(json_lines(&out).len(), 3);
    let out = keepsake(&tmp, &["window", "--days", "0"]);
    assert!(!out.status.success());

    // Re-scan: unchanged.
    let out = keepsake(&tmp, &["scan", dir.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("0 added, 0 changed, 4 unchanged, 0 removed"),
        "{text}"
    );
}

#[test]
fn sync_records_and_consent_commands() {
    let tmp = TempDir::new("cli-sync");
    let records = tmp.join("r.jsonl");
    fs::write(
        &records,
        concat!(
            r#"{"id":"1","uri":"content://m/1","modified_ms":1749500000000,"captured_at":"2025-06-09T10:00:00+02:00","lat":48.85,"lon":2.35,"favorite":true}"#, "\n",
            r#"{"id":"2","uri":"content://m/2","modified_ms":1749500000000,"orientation":12}"#, "\n",
            "not json\n",
        ),
    )
    .unwrap();
    let out = keepsake(
        &tmp,
        &["sync", "--records", records.to_str().unwrap(), "--json"],
    );
    assert_eq!(out.status.code(), Some(1), "bad lines make the exit code 1");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("line 2: `orientation` must be 1..8"), "{err}");
    assert!(err.contains("line 3: malformed JSON"), "{err}");
    let rows = json_lines(&out);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["captured_at"], "2025-06-09T10:00:00+02:00");

    let out = keepsake(&tmp, &["consent", "status"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("pixels       not granted"), "{text}");
    let out = keepsake(&tmp, &["consent", "grant", "faces", "pixels"]);
    assert!(out.status.success());
    let out = keepsake(&tmp, &["consent", "status", "--json"]);
    let states = json_lines(&out);
    let granted: Vec<&str> = states
        .iter()
        .filter(|s| s["granted"] == true)
        .map(|s| s["scope"].as_str().unwrap())
        .collect();
    assert_eq!(granted, ["pixels", "faces"]);
    let out = keepsake(&tmp, &["consent", "revoke", "all"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("revoked faces"));
    let out = keepsake(&tmp, &["consent", "grant", "everything"]);
    assert!(!out.status.success());
}

#[test]
fn faces_command_reports_every_image() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let dir = shared.join("data/faces/dlib_pascal_voc/images");
    let model = shared.join("models/yunet_s_dynamic.onnx");
    let out = Command::new(env!("CARGO_BIN_EXE_keepsake"))
        .args([
            "faces",
            dir.to_str().unwrap(),
            "--model",
            model.to_str().unwrap(),
            "--json",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows = json_lines(&out);
    assert_eq!(rows.len(), 9);
    let faces: usize = rows
        .iter()
        .map(|r| r["faces"].as_array().unwrap().len())
        .sum();
    assert!(
        (40..=50).contains(&faces),
        "{faces} faces in the 43-face set"
    );
    for r in &rows {
        let (w, h) = (r["width"].as_f64().unwrap(), r["height"].as_f64().unwrap());
        for f in r["faces"].as_array().unwrap() {
            assert_eq!(f["landmarks"].as_array().unwrap().len(), 5);
            let cx = f["x"].as_f64().unwrap() + f["w"].as_f64().unwrap() / 2.0;
            assert!((0.0..w).contains(&cx) && f["y"].as_f64().unwrap() < h);
        }
    }
    let bad = Command::new(env!("CARGO_BIN_EXE_keepsake"))
        .args([
            "faces",
            dir.to_str().unwrap(),
            "--model",
            shared.join("models/SOURCES.md").to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("cannot load the face model"));
}
