//! `keepsake bench index DIR`: the whole per-photo pipeline on a folder — EXIF (the folder
//! scan), decode to working size, face detection, quality, hashes, store — on one core
//! and on all cores, then the Python baseline (`tests/python/keepsake_ref.py bench`:
//! Pillow `draft()` + onnxruntime, same model, same working size, same photos) in the
//! same invocation, with Keepsake's speed as a ratio of the baseline's.
//!
//! Each configuration runs in its own process, so each peak RSS is its own; the one-core
//! runs of both sides are pinned to one CPU with `taskset` (helper threads such as a
//! decoder's or a BLAS pool's cannot borrow the other core).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

use keepsake_core::analysis::AnalyzeOptions;
use keepsake_core::vision::detect::FaceModel;
use keepsake_core::{CancelToken, Config, Keepsake, NoProgress, ScanOptions, Scope};
use serde_json::{json, Value};

/// Peak resident set size of this process, MB.
fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// One configuration, in this process: index a fresh store and analyse everything.
fn keepsake_run(
    dir: &Path,
    model: &FaceModel,
    size: u32,
    threads: usize,
) -> Result<Value, Box<dyn std::error::Error>> {
    let scratch = std::env::temp_dir().join(format!("keepsake-bench-index-{}", std::process::id()));
    std::fs::create_dir_all(&scratch)?;
    let result = (|| -> Result<Value, Box<dyn std::error::Error>> {
        let store = Keepsake::open(&scratch.join("bench.db"), Config::default())?;
        store.grant_consent(Scope::Pixels)?;
        store.grant_consent(Scope::Faces)?;
        let cancel = CancelToken::new();
        let started = Instant::now();
        store.scan_folder(dir, ScanOptions::default(), &NoProgress, &cancel)?;
        let exif_ms = started.elapsed().as_secs_f64() * 1000.0;
        let report = store.analyze(
            Some(model),
            &AnalyzeOptions {
                long_side: size,
                threads,
                ..AnalyzeOptions::default()
            },
            &NoProgress,
            &cancel,
        )?;
        let wall = started.elapsed().as_secs_f64();
        if report.failed > 0 {
            return Err(format!("{} photos failed to analyse", report.failed).into());
        }
        let n = report.analysed.max(1) as f64;
        let s = report.stages;
        Ok(json!({
            "photos": report.analysed,
            "faces": report.faces,
            "wall_s": wall,
            "photos_per_s": report.analysed as f64 / wall,
            "ms_per_photo": {
                "exif": exif_ms / n, "decode": s.decode_ms / n, "detect": s.detect_ms / n,
                "quality": s.quality_ms / n, "hash": s.hash_ms / n, "store": s.store_ms / n,
            },
            "peak_rss_mb": peak_rss_mb(),
        }))
    })();
    crate::bench::remove_dir(&scratch);
    result
}

fn python_interpreter(given: Option<&Path>) -> Option<PathBuf> {
    if let Some(p) = given {
        return Some(p.to_path_buf());
    }
    if let Some(p) = std::env::var_os("KEEPSAKE_PYTHON") {
        return Some(PathBuf::from(p));
    }
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/pyenv/bin/python");
    venv.is_file().then_some(venv)
}

/// `program args…`, pinned to CPU 0 when `one_core` and `taskset` exists.
fn command(one_core: bool, program: &Path) -> (Command, bool) {
    if one_core && Command::new("taskset").arg("-V").output().is_ok() {
        let mut c = Command::new("taskset");
        c.arg("-c").arg("0").arg(program);
        (c, true)
    } else {
        (Command::new(program), false)
    }
}

fn json_of(mut c: Command, what: &str) -> Result<Value, Box<dyn std::error::Error>> {
    let out = c.output().map_err(|e| format!("cannot run {what}: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "{what} failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )
        .into());
    }
    Ok(serde_json::from_slice(&out.stdout)?)
}

pub fn run(
    dir: &Path,
    model: Option<&Path>,
    size: u32,
    python: Option<&Path>,
    no_baseline: bool,
    worker_threads: Option<usize>,
) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let (model_path, model) = crate::cli::load_model(model)?;
    if let Some(threads) = worker_threads {
        let v = keepsake_run(dir, &model, size, threads)?;
        writeln!(std::io::stdout().lock(), "{v}")?;
        return Ok(ExitCode::SUCCESS);
    }
    let python = if no_baseline {
        None
    } else {
        Some(python_interpreter(python).ok_or(
            "no Python for the baseline: run scripts/python-env.sh --reference, set \
             KEEPSAKE_PYTHON, or pass --no-baseline",
        )?)
    };
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let exe = std::env::current_exe()?;
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("python/keepsake_ref.py");
    let mut rows = Vec::new();
    let mut pinned_any = false;
    for threads in [1, cores] {
        let (mut c, pinned) = command(threads == 1, &exe);
        pinned_any |= pinned;
        c.args(["bench", "index"])
            .arg(dir)
            .arg("--model")
            .arg(&model_path)
            .arg("--size")
            .arg(size.to_string())
            .arg("--worker-threads")
            .arg(threads.to_string());
        let ours = json_of(c, "the Keepsake run")?;
        let theirs = match &python {
            Some(py) => {
                let (mut c, _) = command(threads == 1, py);
                c.arg(&script)
                    .arg("bench")
                    .arg(dir)
                    .arg("--model")
                    .arg(&model_path)
                    .arg("--long-side")
                    .arg(size.to_string())
                    .arg("--processes")
                    .arg(threads.to_string());
                Some(json_of(c, "the Python baseline")?)
            }
            None => None,
        };
        rows.push((threads, ours, theirs));
    }

    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "bench index: {} photos, {} faces, working size {size}, model {:?} ({}), {cores} cores{}; build: {}",
        rows[0].1["photos"],
        rows[0].1["faces"],
        model.kind(),
        &model.sha256()[..12],
        if pinned_any { ", one-core runs pinned with taskset" } else { "" },
        crate::bench::build_kind()
    )?;
    writeln!(out, "  ms per photo, one core        keepsake    python")?;
    for stage in ["exif", "decode", "detect", "quality", "hash", "store"] {
        let ours = rows[0].1["ms_per_photo"][stage]
            .as_f64()
            .unwrap_or(f64::NAN);
        let theirs = rows[0]
            .2
            .as_ref()
            .and_then(|v| v["ms_per_photo"][stage].as_f64());
        let theirs = theirs.map_or("-".to_string(), |v| format!("{v:9.2}"));
        writeln!(out, "  {stage:>22}  {ours:12.2} {theirs}")?;
    }
    for (threads, ours, theirs) in &rows {
        let label = if *threads == 1 {
            "1 core".to_string()
        } else {
            format!("{threads} cores")
        };
        let rate = ours["photos_per_s"].as_f64().unwrap_or(f64::NAN);
        let rss = ours["peak_rss_mb"].as_f64().unwrap_or(f64::NAN);
        match theirs {
            Some(v) => {
                let their_rate = v["photos_per_s"].as_f64().unwrap_or(f64::NAN);
                let their_rss = v["peak_rss_mb"].as_f64().unwrap_or(f64::NAN);
                writeln!(
                    out,
                    "  {label:>8}: keepsake {rate:6.2} photos/s (peak RSS {rss:.0} MB), python {their_rate:6.2} photos/s (peak RSS {their_rss:.0} MB, {threads} process(es)): ratio {:.2}×",
                    rate / their_rate
                )?;
            }
            None => writeln!(
                out,
                "  {label:>8}: keepsake {rate:6.2} photos/s (peak RSS {rss:.0} MB)"
            )?,
        }
    }
    Ok(ExitCode::SUCCESS)
}
