//! Helpers shared by the harness's end-to-end tests.
#![allow(dead_code, clippy::unwrap_used, clippy::print_stdout)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use keepsake_core::{Config, DeviceZone, FixedClock, Keepsake};

/// `../shared` beside the repository (or `$KEEPSAKE_SHARED`). Absent only outside CI:
/// then the caller skips with a printed reason; in CI its absence fails the test.
pub fn shared_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("KEEPSAKE_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared")));
    if dir.join("data").is_dir() {
        return Some(dir);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "../shared is missing in CI: {}",
        dir.display()
    );
    println!(
        "SKIPPED: {} not found (shared test data is only absent outside CI)",
        dir.display()
    );
    None
}

/// A fresh temporary directory, removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        use std::sync::atomic::{AtomicU32, Ordering};
        static N: AtomicU32 = AtomicU32::new(0);
        let dir = std::env::temp_dir().join(format!(
            "keepsake-{tag}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    pub fn join(&self, p: &str) -> PathBuf {
        self.0.join(p)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

pub fn open(db: &Path, zone: &str, now: &str) -> Keepsake {
    Keepsake::open(
        db,
        Config {
            zone: DeviceZone::parse(zone).unwrap(),
            clock: Arc::new(FixedClock(utc(now))),
        },
    )
    .unwrap()
}

/// The raw bytes of the store's database, WAL and shared-memory files, for byte scans.
pub fn db_bytes(store: &Keepsake) -> Vec<u8> {
    let mut all = Vec::new();
    for f in store.database_files() {
        if let Ok(b) = std::fs::read(&f) {
            all.extend(b);
        }
    }
    all
}

/// The harness binary on the store `db`, at the fixed time `now`, in UTC.
pub fn harness(db: &Path, now: &str) -> std::process::Command {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_keepsake"));
    c.arg("--db").arg(db).args(["--now", now, "--tz", "UTC"]);
    c
}

/// Runs `c` and returns its stdout; fails the test with its stderr if it failed.
pub fn stdout_of(mut c: std::process::Command) -> String {
    let out = c.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// One integer from `sql`, read straight from the database file `db`.
pub fn count(db: &Path, sql: &str) -> i64 {
    let c = rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .unwrap();
    c.query_row(sql, [], |r| r.get(0)).unwrap()
}

// A generated camera roll, indexed and analysed (collage, story, video tests).

pub const NOW: &str = "2026-11-20T12:00:00Z";

/// A camera roll from the dlib photos (9 photos, 43 labelled faces) with a timeline over
/// the 30 days before NOW: 36 photos.
pub fn roll(tmp: &TempDir, shared: &Path) -> PathBuf {
    let src = shared.join("data/faces/dlib_pascal_voc/images");
    let out = tmp.join("roll");
    let mut c = Command::new(env!("CARGO_BIN_EXE_keepsake"));
    c.args(["--now", NOW, "sample-library"]).arg(&src).arg(&out);
    let said = stdout_of(c);
    assert!(said.contains("36 photos"), "{said}");
    out
}

pub fn model(shared: &Path) -> PathBuf {
    shared.join("models/retinaface_mnet025.onnx")
}

/// (store, suggestion ids) after scan + consent + analysis.
pub fn indexed(tmp: &TempDir, shared: &Path) -> (PathBuf, PathBuf, Vec<String>) {
    let roll = roll(tmp, shared);
    let db = tmp.join("k.db");
    let mut scan = harness(&db, NOW);
    scan.arg("scan").arg(&roll);
    stdout_of(scan);
    let mut consent = harness(&db, NOW);
    consent.args(["consent", "grant", "all"]);
    stdout_of(consent);
    let mut analyze = harness(&db, NOW);
    analyze.arg("analyze").arg("--model").arg(model(shared));
    stdout_of(analyze);
    let mut suggest = harness(&db, NOW);
    suggest.args(["suggest", "--json"]);
    let ids: Vec<String> = stdout_of(suggest)
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            v["id"].as_str().unwrap().to_string()
        })
        .collect();
    assert!(!ids.is_empty(), "the generated roll gives suggestions");
    (db, roll, ids)
}

pub fn run(mut c: Command) -> (bool, String, String) {
    let out = c.output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A file `scripts/models.sh` put in `target/models/` (the test command runs it first):
/// its path, or `None` with a printed reason outside CI; in CI its absence fails the test.
pub fn setup_file(name: &str) -> Option<PathBuf> {
    let path = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../target/models")).join(name);
    if path.is_file() {
        return Some(path);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "target/models/{name} is missing in CI (scripts/models.sh makes it)"
    );
    println!(
        "SKIPPED: {} not found: run scripts/models.sh",
        path.display()
    );
    None
}
