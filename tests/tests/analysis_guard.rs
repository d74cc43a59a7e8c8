//! Nothing stalls analysis: a photo whose read hangs (here a FIFO that replaced an indexed
//! file, as a hung network or FUSE mount would) is marked `time_budget` and skipped while
//! the others are analysed; and cancelling returns within a second even while a photo
//! is stuck.
#![allow(clippy::unwrap_used, clippy::print_stdout)]

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use common::{open, TempDir};
use keepsake_core::analysis::AnalyzeOptions;
use keepsake_core::{CancelToken, Error, Keepsake, NoProgress, ScanOptions, Scope};

/// A folder of real photos, indexed, with `victim` replaced by a FIFO afterwards.
fn library(tmp: &TempDir, shared: &Path) -> (Keepsake, PathBuf, usize) {
    let photos = tmp.join("photos");
    fs::create_dir_all(&photos).unwrap();
    let src = shared.join("data/faces/dlib_pascal_voc/images");
    let mut n = 0;
    for e in fs::read_dir(&src).unwrap() {
        let e = e.unwrap();
        fs::copy(e.path(), photos.join(e.file_name())).unwrap();
        n += 1;
    }
    let store = open(&tmp.join("k.db"), "UTC", "2025-06-10T12:00:00Z");
    store
        .scan_folder(
            &photos,
            ScanOptions::default(),
            &NoProgress,
            &CancelToken::new(),
        )
        .unwrap();
    store.grant_consent(Scope::Pixels).unwrap();
    let mut names: Vec<PathBuf> = fs::read_dir(&photos)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    names.sort();
    let victim = names[0].clone();
    fs::remove_file(&victim).unwrap();
    let made = Command::new("mkfifo").arg(&victim).status().unwrap();
    assert!(made.success());
    (store, victim, n)
}

/// Opens the FIFO for writing and closes it, so the reader stuck in `open` gets EOF
/// and its abandoned worker ends.
fn release(fifo: &Path) {
    drop(fs::OpenOptions::new().write(true).open(fifo).unwrap());
}

#[test]
fn a_hanging_photo_is_skipped_within_its_budget() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let tmp = TempDir::new("analysis-guard");
    let (store, fifo, n) = library(&tmp, &shared);
    let opts = AnalyzeOptions {
        threads: 2,
        photo_budget: Duration::from_millis(700),
        ..AnalyzeOptions::default()
    };
    let started = Instant::now();
    let report = store
        .analyze(None, &opts, &NoProgress, &CancelToken::new())
        .unwrap();
    let took = started.elapsed();
    release(&fifo);
    println!("{report:?} in {took:?}");
    assert_eq!(report.timed_out, 1);
    assert_eq!(report.failed, 1);
    assert_eq!(report.analysed as usize, n - 1);
    assert!(took < Duration::from_secs(10), "took {took:?}");
    // Marked, so the next run does not try it again.
    let again = store
        .analyze(None, &opts, &NoProgress, &CancelToken::new())
        .unwrap();
    assert_eq!((again.analysed, again.failed), (0, 0));
    let c = rusqlite::Connection::open(tmp.join("k.db")).unwrap();
    let errors: i64 = c
        .query_row(
            "SELECT count(*) FROM photo_signals WHERE error = 'time_budget'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(errors, 1);
}

#[test]
fn cancel_returns_within_a_second_while_a_photo_hangs() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let tmp = TempDir::new("analysis-cancel");
    let (store, fifo, _) = library(&tmp, &shared);
    let opts = AnalyzeOptions {
        threads: 1,
        photo_budget: Duration::from_secs(3600),
        ..AnalyzeOptions::default()
    };
    let cancel = CancelToken::new();
    let canceller = {
        let cancel = cancel.clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(300));
            cancel.cancel();
            Instant::now()
        })
    };
    let result = store.analyze(None, &opts, &NoProgress, &cancel);
    let returned = Instant::now();
    let cancelled_at = canceller.join().unwrap();
    release(&fifo);
    assert!(matches!(result, Err(Error::Cancelled)), "{result:?}");
    let lag = returned.duration_since(cancelled_at);
    println!("returned {lag:?} after the cancel");
    assert!(lag < Duration::from_secs(1), "{lag:?}");
}
