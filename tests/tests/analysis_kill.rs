//! `keepsake analyze` killed with SIGKILL at seeded random moments, then restarted:
//! the store opens, the run finishes, every photo ends with exactly one result, the
//! resumed runs only analyse what no earlier run committed, and the results equal an
//! uninterrupted run's.
#![allow(clippy::unwrap_used, clippy::print_stdout)]

mod common;

use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{count, harness, stdout_of as ok, TempDir};
use keepsake_harness::rng::Rng;

fn keepsake(db: &Path) -> Command {
    harness(db, "2025-06-10T12:00:00Z")
}

fn query(db: &Path, sql: &str) -> Vec<(i64, i64)> {
    let c = rusqlite::Connection::open(db).unwrap();
    let mut s = c.prepare(sql).unwrap();
    s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

/// Per photo (by file name): faces found, and the rounded face boxes.
fn results(db: &Path) -> Vec<(String, i64, String)> {
    let c = rusqlite::Connection::open(db).unwrap();
    let mut s = c
        .prepare(
            "SELECT a.uri, count(f.id), coalesce(group_concat(round(f.x) || ',' || round(f.y), ';'), '')
             FROM assets a LEFT JOIN faces f ON f.asset_id = a.id
             GROUP BY a.id ORDER BY a.uri",
        )
        .unwrap();
    s.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

fn prepare(db: &Path, photos: &Path) {
    let mut scan = keepsake(db);
    scan.arg("scan").arg(photos);
    ok(scan);
    let mut consent = keepsake(db);
    consent.args(["consent", "grant", "pixels", "faces"]);
    ok(consent);
}

#[test]
fn sigkill_during_analyze_then_restart_analyses_every_photo_exactly_once() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let model = shared.join("models/retinaface_mnet025.onnx");
    let tmp = TempDir::new("analysis-kill");
    let photos = tmp.join("photos");
    fs::create_dir_all(&photos).unwrap();
    for set in ["wider_val_416", "dlib_pascal_voc"] {
        let src = shared.join("data/faces").join(set).join("images");
        for e in fs::read_dir(&src).unwrap() {
            let e = e.unwrap();
            fs::copy(e.path(), photos.join(e.file_name())).unwrap();
        }
    }
    let n = fs::read_dir(&photos).unwrap().count() as i64;

    // The uninterrupted reference.
    let reference = tmp.join("reference.db");
    prepare(&reference, &photos);
    let started = Instant::now();
    let mut run = keepsake(&reference);
    run.arg("analyze")
        .arg("--no-people")
        .arg("--model")
        .arg(&model)
        .arg("--json");
    ok(run);
    let full = started.elapsed();
    // A run with nothing to do: process start, model load, store open.
    let started = Instant::now();
    let mut idle = keepsake(&reference);
    idle.arg("analyze")
        .arg("--no-people")
        .arg("--model")
        .arg(&model);
    ok(idle);
    let startup = started.elapsed();
    let work = full.saturating_sub(startup);

    let db = tmp.join("killed.db");
    prepare(&db, &photos);
    let mut rng = Rng::new(0x5EED);
    let mut kills = 0;
    let mut committed = Vec::new();
    // Each run is killed after its start-up plus 10–40 % of the work still left (an
    // uninterrupted run's time, scaled by the photos not yet committed), at a seeded
    // random point, so every killed run is cut short and the restart has work left.
    for _ in 0..4 {
        let left = (n - committed.last().copied().unwrap_or(0)) as f64 / n as f64;
        let delay =
            startup + Duration::from_secs_f64(work.as_secs_f64() * left * rng.range(0.1, 0.4));
        let mut child = keepsake(&db)
            .arg("analyze")
            .arg("--no-people")
            .arg("--model")
            .arg(&model)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(delay);
        if child.try_wait().unwrap().is_some() {
            continue; // finished before the kill
        }
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        kills += 1;
        let done = count(&db, "SELECT count(*) FROM photo_signals");
        // Committed results never go backwards, and every committed photo has its faces
        // analysed too (one transaction per batch).
        assert!(
            committed.last().is_none_or(|&c| done >= c),
            "{committed:?} then {done}"
        );
        assert_eq!(done, count(&db, "SELECT count(*) FROM face_analysis"));
        committed.push(done);
    }
    assert!(kills >= 3, "only {kills} kills landed (runs too short?)");
    let before_final = count(&db, "SELECT count(*) FROM photo_signals");
    assert!(before_final < n, "the killed runs finished everything");
    let mut last = keepsake(&db);
    last.arg("analyze")
        .arg("--no-people")
        .arg("--model")
        .arg(&model)
        .arg("--json");
    let report: serde_json::Value = serde_json::from_str(ok(last).trim()).unwrap();
    assert_eq!(
        report["analysed"].as_i64().unwrap() + report["failed"].as_i64().unwrap(),
        n - before_final,
        "the restart analyses exactly what no killed run committed"
    );
    // Exactly one result per photo, faces identical to the uninterrupted run.
    for (table, key) in [("photo_signals", "asset_id"), ("face_analysis", "asset_id")] {
        let dup = query(
            &db,
            &format!("SELECT {key}, count(*) FROM {table} GROUP BY {key} HAVING count(*) != 1"),
        );
        assert!(dup.is_empty(), "{table}: {dup:?}");
        assert_eq!(
            count(&db, &format!("SELECT count(*) FROM {table}")),
            n,
            "{table}"
        );
    }
    assert_eq!(results(&db), results(&reference));
    // And a further run finds nothing to do.
    let mut again = keepsake(&db);
    again
        .arg("analyze")
        .arg("--no-people")
        .arg("--model")
        .arg(&model)
        .arg("--json");
    let report: serde_json::Value = serde_json::from_str(ok(again).trim()).unwrap();
    assert_eq!(report["analysed"], 0);
    println!(
        "{n} photos; uninterrupted {:.1} s; {kills} SIGKILLs, committed after each: {committed:?}; restart analysed {}",
        full.as_secs_f64(),
        n - before_final
    );
}
