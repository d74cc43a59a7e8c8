//! Crash safety under many SIGKILLs: indexing and analysis are killed at seeded random
//! moments (several times in a row), restarted, and the store must open, hold no
//! duplicated row, lose nothing, and end identical to an uninterrupted run. Up to 72
//! kills, at least 50 must land; figures printed.
#![allow(clippy::unwrap_used, clippy::print_stdout)]

mod common;

use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::TempDir;
use keepsake_harness::rng::Rng;
use keepsake_harness::synth::{jpeg_header, with_exif, ExifSpec};

const NOW: &str = "2025-06-10T12:00:00Z";
const ROUNDS: usize = 12;
const KILLS_PER_ROUND: usize = 3;

fn keepsake(db: &Path, args: &[&str]) -> Command {
    let mut c = common::harness(db, NOW);
    c.args(args).stdout(Stdio::null()).stderr(Stdio::null());
    c
}

fn run_ok(mut c: Command) {
    assert!(c.status().unwrap().success());
}

/// Starts `c`, kills it with SIGKILL after `delay` unless it ended first; true if killed.
fn kill_after(mut c: Command, delay: Duration) -> bool {
    let mut child = c.spawn().unwrap();
    let until = Instant::now() + delay;
    while Instant::now() < until {
        if child.try_wait().unwrap().is_some() {
            return false;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    true
}

fn rows(db: &Path, sql: &str) -> Vec<String> {
    let c = rusqlite::Connection::open(db).unwrap();
    let mut s = c.prepare(sql).unwrap();
    let n = s.column_count();
    s.query_map([], |r| {
        Ok((0..n)
            .map(|i| format!("{:?}", r.get_ref(i).unwrap()))
            .collect::<Vec<_>>()
            .join("|"))
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

const ASSETS: &str = "SELECT source_id, format, byte_size, captured_utc_ms, date_trust, width, height, status, error FROM assets ORDER BY source_id";
const RESULTS: &str = "SELECT a.source_id, s.error, s.dhash, s.phash, round(s.sharpness, 3),
        (SELECT count(*) FROM faces f WHERE f.asset_id = a.id),
        (SELECT group_concat(round(f.x) || ',' || round(f.y), ';') FROM faces f WHERE f.asset_id = a.id)
     FROM assets a LEFT JOIN photo_signals s ON s.asset_id = a.id ORDER BY a.source_id";

/// The store opens (the harness reads it) and holds no duplicated rows.
fn check_intact(db: &Path, what: &str) {
    // Killed before the store was created, or before its schema was committed (the
    // migration is one transaction): nothing was there to lose. The harness must still
    // open it.
    let schema = db.exists()
        && rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE)
            .unwrap()
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE name = 'assets'",
                [],
                |r| r.get::<_, i64>(0),
            )
            .unwrap()
            > 0;
    if !schema {
        run_ok(keepsake(db, &["consent", "status"]));
        return;
    }
    let c = rusqlite::Connection::open(db).unwrap();
    let ok: String = c.query_row("PRAGMA quick_check", [], |r| r.get(0)).unwrap();
    assert_eq!(ok, "ok", "{what}");
    for (table, key) in [
        ("assets", "source_id"),
        ("photo_signals", "asset_id"),
        ("face_analysis", "asset_id"),
    ] {
        let dup: i64 = c
            .query_row(
                &format!("SELECT count(*) - count(DISTINCT {key}) FROM {table}"),
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(dup, 0, "{what}: duplicated rows in {table}");
    }
    // Faces only for photos whose face analysis was committed with them.
    let orphans: i64 = c
        .query_row(
            "SELECT count(*) FROM faces WHERE asset_id NOT IN (SELECT asset_id FROM face_analysis)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(orphans, 0, "{what}: faces without their analysis");
    drop(c);
    run_ok(keepsake(db, &["consent", "status"]));
}

#[test]
fn fifty_and_more_seeded_kills_during_indexing_and_analysis_lose_and_duplicate_nothing() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let tmp = TempDir::new("kills");
    let photos = tmp.join("photos");
    fs::create_dir_all(&photos).unwrap();
    // 60 real photos with camera EXIF, and 10 000 header-only files (cheap to index, fail to
    // decode): indexing and analysis both take long enough to be killed mid-way.
    let mut real: Vec<_> = fs::read_dir(shared.join("data/faces/wider_val_416/images"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    real.sort();
    for (i, p) in real.iter().take(60).enumerate() {
        let spec = ExifSpec {
            datetime_original: Some(format!("2025:06:{:02} 1{}:00:00", 1 + i % 9, i % 10)),
            ..ExifSpec::default()
        };
        let bytes = with_exif(&fs::read(p).unwrap(), &spec).unwrap();
        fs::write(photos.join(format!("real_{i:03}.jpg")), bytes).unwrap();
    }
    for i in 0..10_000 {
        let spec = ExifSpec {
            datetime_original: Some(format!("2025:05:{:02} 12:{:02}:00", 1 + i % 28, i % 60)),
            ..ExifSpec::default()
        };
        fs::write(
            photos.join(format!("hdr_{i:05}.jpg")),
            jpeg_header(4000, 3000, &spec),
        )
        .unwrap();
    }
    let dir = photos.to_str().unwrap();
    let model = shared.join("models/retinaface_mnet025.onnx");
    let model = model.to_str().unwrap();

    // Uninterrupted reference, timed.
    let reference = tmp.join("reference.db");
    let t = Instant::now();
    run_ok(keepsake(&reference, &["scan", dir]));
    let scan_time = t.elapsed();
    run_ok(keepsake(
        &reference,
        &["consent", "grant", "pixels", "faces"],
    ));
    let t = Instant::now();
    run_ok(keepsake(
        &reference,
        &["analyze", "--no-people", "--model", model],
    ));
    let analyze_time = t.elapsed();
    let (ref_assets, ref_results) = (rows(&reference, ASSETS), rows(&reference, RESULTS));
    assert_eq!(ref_assets.len(), 10_060);

    let mut rng = Rng::new(0xC0FFEE);
    let mut kills = 0;
    let mut finished_early = 0;
    let (mut scan_scale, mut analyze_scale) = (1.0, 1.0);
    // Indexing: kill a scan several times, then let one finish.
    for round in 0..ROUNDS {
        let db = tmp.join(&format!("scan-{round}.db"));
        for _ in 0..KILLS_PER_ROUND {
            let delay = scan_time.mul_f64(scan_scale * rng.range(0.2, 0.95));
            if kill_after(keepsake(&db, &["scan", dir]), delay) {
                kills += 1;
            } else {
                // The machine got faster than the timed reference (less load from the
                // tests running beside this one): aim earlier from now on.
                finished_early += 1;
                scan_scale *= 0.7;
            }
            check_intact(&db, "after a kill during scan");
        }
        run_ok(keepsake(&db, &["scan", dir]));
        check_intact(&db, "after the scan finished");
        assert_eq!(
            rows(&db, ASSETS),
            ref_assets,
            "round {round}: index differs"
        );
    }
    // Analysis: the same on an indexed, consented copy.
    let indexed = tmp.join("indexed.db");
    run_ok(keepsake(&indexed, &["scan", dir]));
    run_ok(keepsake(&indexed, &["consent", "grant", "pixels", "faces"]));
    for round in 0..ROUNDS {
        let db = tmp.join(&format!("analysis-{round}.db"));
        fs::copy(&indexed, &db).unwrap();
        for _ in 0..KILLS_PER_ROUND {
            let delay = analyze_time.mul_f64(analyze_scale * rng.range(0.1, 0.6));
            if kill_after(
                keepsake(&db, &["analyze", "--no-people", "--model", model]),
                delay,
            ) {
                kills += 1;
            } else {
                finished_early += 1;
                analyze_scale *= 0.7;
            }
            check_intact(&db, "after a kill during analysis");
        }
        run_ok(keepsake(&db, &["analyze", "--no-people", "--model", model]));
        check_intact(&db, "after the analysis finished");
        assert_eq!(
            rows(&db, RESULTS),
            ref_results,
            "round {round}: results differ"
        );
    }
    println!(
        "{kills} SIGKILLs ({finished_early} runs ended before their kill) over {ROUNDS} indexing and {ROUNDS} analysis rounds of 10 060 files; uninterrupted scan {:.2} s, analysis {:.2} s; every round identical to the uninterrupted run, no duplicated or orphaned row",
        scan_time.as_secs_f64(),
        analyze_time.as_secs_f64()
    );
    assert!(kills >= 50, "only {kills} kills landed");
}
