//! `keepsake bench …`: benchmarks that print figures, with a baseline from the same run.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::Subcommand;
use keepsake_core::{CancelToken, Config, HostRecord, Keepsake, NoProgress, ScanOptions, SyncMode};
use keepsake_harness::synth::{jpeg_header, ExifSpec};

#[derive(Debug, Subcommand)]
pub enum Bench {
    /// Re-sync of unchanged assets (folder scan and host records) vs. the first index.
    Resync {
        #[arg(long, default_value_t = 10_000)]
        assets: usize,
        #[arg(long, default_value_t = 5)]
        runs: usize,
    },
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

pub fn run(which: &Bench) -> Result<ExitCode, Box<dyn std::error::Error>> {
    match which {
        Bench::Resync { assets, runs } => resync(*assets, (*runs).max(1)),
    }
}

fn resync(n: usize, runs: usize) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let dir = std::env::temp_dir().join(format!("keepsake-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let photos = dir.join("photos");
    for i in 0..n {
        let sub = photos.join(format!("{:03}", i / 500));
        if i % 500 == 0 {
            std::fs::create_dir_all(&sub)?;
        }
        let spec = ExifSpec {
            datetime_original: Some(format!(
                "2025:{:02}:{:02} 12:{:02}:00",
                1 + i % 12,
                1 + i % 28,
                i % 60
            )),
            orientation: Some(1 + (i % 8) as u16),
            gps: Some((48.0 + (i % 100) as f64 / 1000.0, 2.0)),
            ..ExifSpec::default()
        };
        std::fs::write(
            sub.join(format!("IMG_{i:06}.jpg")),
            jpeg_header(4000, 3000, &spec),
        )?;
    }
    let records: Vec<(u64, HostRecord)> = (0..n)
        .map(|i| {
            (
                i as u64 + 1,
                HostRecord {
                    id: format!("content://media/external/images/media/{i}"),
                    uri: format!("content://media/external/images/media/{i}"),
                    name: Some(format!("IMG_{i:06}.jpg")),
                    mime: Some("image/jpeg".into()),
                    size: Some(2_000_000 + i as u64),
                    modified_ms: 1_700_000_000_000 + i as i64 * 1000,
                    captured_ms: Some(1_700_000_000_000 + i as i64 * 1000),
                    width: Some(4000),
                    height: Some(3000),
                    ..HostRecord::default()
                },
            )
        })
        .collect();

    // Host records travel as JSON Lines (the harness's form); parsing is part of a re-sync.
    let mut jsonl = Vec::new();
    for (_, r) in &records {
        serde_json::to_writer(&mut jsonl, r)?;
        jsonl.push(b'\n');
    }
    let parse_and_sync =
        |store: &Keepsake| -> Result<keepsake_core::RecordsReport, Box<dyn std::error::Error>> {
            let (parsed, errors) = keepsake_core::parse_json_lines(&jsonl[..])?;
            assert!(errors.is_empty());
            Ok(store.sync_records(parsed, SyncMode::Full, &NoProgress, &CancelToken::new())?)
        };
    let cancel = CancelToken::new();
    let folder_store = Keepsake::open(&dir.join("folder.db"), Config::default())?;
    let host_store = Keepsake::open(&dir.join("host.db"), Config::default())?;

    let t = Instant::now();
    let first = folder_store.scan_folder(&photos, ScanOptions::default(), &NoProgress, &cancel)?;
    let first_scan = t.elapsed();
    assert_eq!(first.sync.added as usize, n);
    let t = Instant::now();
    parse_and_sync(&host_store)?;
    let first_sync = t.elapsed();

    let mut rescans = Vec::new();
    let mut resyncs = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        let r = folder_store.scan_folder(&photos, ScanOptions::default(), &NoProgress, &cancel)?;
        rescans.push(t.elapsed());
        assert_eq!(
            r.sync.unchanged as usize, n,
            "re-scan must find everything unchanged"
        );
        let t = Instant::now();
        let r = parse_and_sync(&host_store)?;
        resyncs.push(t.elapsed());
        assert_eq!(
            r.sync.unchanged as usize, n,
            "re-sync must find everything unchanged"
        );
    }
    let (rescan, resync) = (median(rescans), median(resyncs));
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "bench resync: {n} assets, median of {runs} runs (build: {})",
        build_kind()
    )?;
    writeln!(
        out,
        "  folder: first scan {:>8.1} ms | re-scan unchanged {:>7.1} ms | ratio {:.3}",
        ms(first_scan),
        ms(rescan),
        ms(rescan) / ms(first_scan)
    )?;
    writeln!(
        out,
        "  host (JSON Lines parse + sync):\n          first sync {:>8.1} ms | re-sync unchanged {:>7.1} ms | ratio {:.3}",
        ms(first_sync),
        ms(resync),
        ms(resync) / ms(first_sync)
    )?;
    let goal = Duration::from_secs(1).mul_f64(n as f64 / 10_000.0);
    for (what, d) in [("re-scan", rescan), ("re-sync", resync)] {
        writeln!(
            out,
            "  goal {what} of {n} unchanged < {:.0} ms: {}",
            ms(goal),
            if d < goal { "met" } else { "NOT met" }
        )?;
    }
    drop(folder_store);
    drop(host_store);
    remove_dir(&dir);
    Ok(ExitCode::SUCCESS)
}

fn build_kind() -> &'static str {
    if cfg!(debug_assertions) {
        "debug core, optimised dependencies"
    } else {
        "release"
    }
}

fn remove_dir(dir: &Path) {
    if let Err(e) = std::fs::remove_dir_all(dir) {
        log::warn!("could not remove the benchmark folder: {e}");
    }
}
