//! Collages, stories and the report end to end: the harness commands on a generated
//! camera roll (real photos from ../shared with an EXIF timeline), bad input, and the
//! report opened in headless Chromium.
#![allow(clippy::unwrap_used, clippy::print_stdout)]

mod common;

use std::path::Path;
use std::process::Command;

use common::{harness, shared_dir, stdout_of, TempDir};

use common::{indexed, model, roll, run, NOW};

#[test]
fn collage_layout_and_story_commands() {
    let Some(shared) = shared_dir() else { return };
    let tmp = TempDir::new("collage-cmd");
    let (db, _, ids) = indexed(&tmp, &shared);
    for (i, id) in ids.iter().enumerate() {
        let out = tmp.join(&format!("c{i}.png"));
        let mut c = harness(&db, NOW);
        c.args([
            "collage",
            "--suggestion",
            id,
            "--size",
            "800",
            "--layout-json",
            "--out",
        ])
        .arg(&out);
        let layout: serde_json::Value = serde_json::from_str(stdout_of(c).trim()).unwrap();
        let bytes = std::fs::read(&out).unwrap();
        assert!(bytes.starts_with(b"\x89PNG"), "a PNG was written");
        assert_eq!(
            layout["width"]
                .as_u64()
                .unwrap()
                .max(layout["height"].as_u64().unwrap()),
            800
        );
        let cells = layout["cells"].as_array().unwrap();
        assert!(!cells.is_empty());
        // Faces are kept whole in these photos whenever the template allows it.
        let cut: u64 = cells.iter().map(|c| c["faces_cut"].as_u64().unwrap()).sum();
        let inside: u64 = cells
            .iter()
            .map(|c| c["faces_inside"].as_u64().unwrap())
            .sum();
        assert!(inside > 0, "the dlib photos have faces");
        assert!(cut * 10 <= inside, "{cut} faces cut, {inside} kept");

        let mut s = harness(&db, NOW);
        s.args(["story", "--suggestion", id]);
        let story: serde_json::Value = serde_json::from_str(stdout_of(s).trim()).unwrap();
        let frames = story["frames"].as_array().unwrap();
        assert_eq!(frames[0]["type"], "title");
        assert!(frames.iter().any(|f| f["type"] == "photo"));
        let total: u64 = frames
            .iter()
            .map(|f| f["duration_ms"].as_u64().unwrap())
            .sum();
        assert_eq!(total, story["duration_ms"].as_u64().unwrap());
    }
    // A JPEG with a chosen template.
    let jpg = tmp.join("grid.jpg");
    let mut c = harness(&db, NOW);
    c.args([
        "collage",
        "--suggestion",
        &ids[0],
        "--template",
        "grid",
        "--layout-json",
        "--out",
    ])
    .arg(&jpg);
    let layout: serde_json::Value = serde_json::from_str(stdout_of(c).trim()).unwrap();
    assert!(std::fs::read(&jpg).unwrap().starts_with(&[0xFF, 0xD8]));
    assert!(["grid", "single"].contains(&layout["template"].as_str().unwrap()));
}

#[test]
fn bad_requests_get_clear_errors_and_deleted_photos_placeholders() {
    let Some(shared) = shared_dir() else { return };
    let tmp = TempDir::new("collage-bad");
    let (db, roll, ids) = indexed(&tmp, &shared);
    let out = tmp.join("x.jpg");
    let cases: [(&[&str], &str); 5] = [
        (&["--size", "0"], "size must be"),
        (&["--size", "100000"], "size must be"),
        (&["--template", "spiral"], "unknown template"),
        (&["--shape", "round"], "unknown shape"),
        (&["--suggestion", "no-such-id"], "not found: suggestion"),
    ];
    for (args, message) in cases {
        let mut c = harness(&db, NOW);
        c.arg("collage");
        if !args.contains(&"--suggestion") {
            c.args(["--suggestion", &ids[0]]);
        }
        c.args(args).arg("--out").arg(&out);
        let (ok, _, err) = run(c);
        assert!(!ok && err.contains(message), "{args:?}: {err}");
        assert!(!out.exists(), "{args:?}: no file is left behind");
    }
    let mut c = harness(&db, NOW);
    c.args(["collage", "--suggestion", &ids[0], "--out"])
        .arg(tmp.join("x.gif"));
    let (ok, _, err) = run(c);
    assert!(!ok && err.contains(".jpg"), "{err}");

    // A photo deleted from disk since indexing: its cell is a placeholder, reported.
    let mut c = harness(&db, NOW);
    c.args(["collage", "--suggestion", &ids[0], "--layout-json", "--out"])
        .arg(&out);
    let layout: serde_json::Value = serde_json::from_str(stdout_of(c).trim()).unwrap();
    let first = layout["cells"][0]["asset_id"].as_i64().unwrap();
    let name: String = rusqlite::Connection::open(&db)
        .unwrap()
        .query_row("SELECT source_id FROM assets WHERE id = ?1", [first], |r| {
            r.get(0)
        })
        .unwrap();
    std::fs::remove_file(roll.join(&name)).unwrap();
    let mut c = harness(&db, NOW);
    c.args(["collage", "--suggestion", &ids[0], "--out"])
        .arg(&out);
    let (ok, _, err) = run(c);
    assert!(ok, "{err}");
    assert!(
        err.contains(&format!("photo {first} could not be drawn (io_error)")),
        "{err}"
    );
    assert!(std::fs::read(&out).unwrap().starts_with(&[0xFF, 0xD8]));

    // Re-indexed: the photo is gone from the index, and from the layout.
    let mut scan = harness(&db, NOW);
    scan.arg("scan").arg(&roll);
    stdout_of(scan);
    let mut suggest = harness(&db, NOW);
    suggest.args(["suggest", "--json"]);
    let first_id: serde_json::Value =
        serde_json::from_str(stdout_of(suggest).lines().next().unwrap()).unwrap();
    let mut c = harness(&db, NOW);
    c.args([
        "collage",
        "--suggestion",
        first_id["id"].as_str().unwrap(),
        "--layout-json",
        "--out",
    ])
    .arg(&out);
    let layout: serde_json::Value = serde_json::from_str(stdout_of(c).trim()).unwrap();
    assert!(layout["cells"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["asset_id"].as_i64() != Some(first)));

    // Without the suggestions consent: refused.
    let mut revoke = harness(&db, NOW);
    revoke.args(["consent", "revoke", "suggestions"]);
    stdout_of(revoke);
    let mut c = harness(&db, NOW);
    c.args(["collage", "--suggestion", &ids[0], "--out"])
        .arg(tmp.join("y.jpg"));
    let (ok, _, err) = run(c);
    assert!(!ok && err.contains("consent required"), "{err}");
}

/// `keepsake report` on the generated roll, then the page in headless Chromium: every
/// image loads, no request leaves the machine, face boxes show on demand; the screenshot
/// is kept under target/artifacts/.
#[test]
fn report_opens_offline_in_chromium() {
    let Some(shared) = shared_dir() else { return };
    let tmp = TempDir::new("report");
    let roll = roll(&tmp, &shared);
    let out = tmp.join("report");
    let mut c = Command::new(env!("CARGO_BIN_EXE_keepsake"));
    c.args(["--now", NOW, "--tz", "UTC", "report"])
        .arg(&roll)
        .arg("--out")
        .arg(&out);
    c.arg("--model").arg(model(&shared));
    let said = stdout_of(c);
    println!("{said}");
    let html = std::fs::read_to_string(out.join("index.html")).unwrap();

    // Static checks: every image is a file in the report; nothing is fetched from afar.
    let srcs: Vec<&str> = html
        .split("src=\"")
        .skip(1)
        .map(|s| &s[..s.find('"').unwrap()])
        .collect();
    // A collage per suggestion, and the roll's 9 pictures (each is there 4 times — as
    // taken, two crops, a mirror image — and edited copies are shown once).
    let collages = std::fs::read_dir(out.join("collages")).unwrap().count();
    assert!(
        collages > 0 && srcs.len() >= collages + 9,
        "{} images, {collages} collages",
        srcs.len()
    );
    for s in &srcs {
        assert!(
            !s.contains(':') && !s.starts_with('/'),
            "{s} is not a relative path"
        );
        assert!(out.join(s).is_file(), "{s} missing");
    }
    for banned in ["<script src", "http:", "https:", "@import", "url("] {
        assert!(!html.contains(banned), "report contains {banned}");
    }
    // One inline script (the story player), and the content policy lets nothing else in.
    assert_eq!(html.matches("<script>").count(), 1);
    assert!(html.contains("default-src 'none'"));
    // Every suggestion has a story player and a linked video that exists.
    let players = html.matches("class=player").count();
    let videos: Vec<&str> = html
        .split("class=video href=\"")
        .skip(1)
        .map(|s| &s[..s.find('"').unwrap()])
        .collect();
    assert!(
        players > 0 && videos.len() == players,
        "{players} players, {videos:?}"
    );
    for v in &videos {
        assert!(std::fs::read(out.join(v)).unwrap()[4..8] == *b"ftyp", "{v}");
    }
    assert!(said.contains(&format!("{players} videos")), "{said}");
    assert!(said.contains(&format!("{collages} collages")), "{said}");
    assert!(html.contains("class=box"), "face boxes are in the page");

    let chromium = Path::new("/usr/bin/chromium");
    if !chromium.exists() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI installs chromium (.ci/run)"
        );
        println!(
            "SKIPPED (browser part): /usr/bin/chromium not installed (Debian package chromium)"
        );
        return;
    }
    let shot = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .unwrap()
        .join("artifacts/report.png");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/browser/check_report.py");
    // Without a network at all where the machine allows it (as root, or with user
    // namespaces); the request log is checked either way.
    let isolated = Command::new("unshare")
        .args(["-n", "true"])
        .status()
        .is_ok_and(|s| s.success());
    let mut c = if isolated {
        let mut c = Command::new("unshare");
        c.args(["-n", "python3"]);
        c
    } else {
        Command::new("python3")
    };
    c.arg(script)
        .arg(chromium)
        .arg(out.join("index.html"))
        .arg(&shot);
    let result = c.output().unwrap();
    let text = String::from_utf8_lossy(&result.stdout);
    println!("chromium (network namespace: {isolated}): {text}");
    assert!(
        result.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&result.stderr)
    );
    let v: serde_json::Value = serde_json::from_str(text.trim()).unwrap();
    assert_eq!(v["images"].as_u64().unwrap(), srcs.len() as u64);
    assert_eq!(v["broken"].as_array().unwrap().len(), 0);
    assert_eq!(v["external"].as_array().unwrap().len(), 0);
    assert!(v["boxes"].as_u64().unwrap() > 0);
    assert!(v["story_frame_shown"].as_u64().unwrap() > 0);
    assert_eq!(v["story_picture_changed"], serde_json::Value::Bool(true));
    // Chromium decodes the AV1 video and knows its length.
    assert!(v["video"]["width"].as_u64().unwrap() > 0, "{}", v["video"]);
    assert!(
        v["video"]["duration"].as_f64().unwrap() > 1.0,
        "{}",
        v["video"]
    );
    assert_eq!(v["visible_before"].as_u64(), Some(0));
    assert_eq!(v["visible_after"], v["boxes"]);
    assert!(std::fs::read(&shot).unwrap().starts_with(b"\x89PNG"));
}
