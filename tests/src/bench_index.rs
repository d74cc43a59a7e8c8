//! `keepsake bench index DIR`: the whole per-photo pipeline on a folder — EXIF (the folder
//! scan), decode to working size, face detection, content classification (when a
//! classifier is given: both sides run it), quality, hashes, store — on one core
//! and on all cores, then the Python baseline (`tests/python/keepsake_ref.py bench`:
//! Pillow `draft()` + onnxruntime, same model, same working size, same photos) in the
//! same invocation, with Keepsake's speed as a ratio of the baseline's.
//!
//! Each configuration runs in its own process, so each peak RSS is its own; the one-core
//! runs of both sides are pinned to one CPU with `taskset` (helper threads such as a
//! decoder's or a BLAS pool's cannot borrow the other core).
//!
//! Both sides time the steady state: from a model ready to run (onnxruntime's session
//! created; tract's plans optimised for the photos' working sizes) to every photo
//! stored. The set-up times are printed beside, not hidden: tract optimises one plan per
//! input size where onnxruntime prepares one session for all, a one-off per size and
//! process that a library of hundreds of photos spreads thin but 18 photos would not.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

use keepsake_core::analysis::AnalyzeOptions;
use keepsake_core::metadata::probe_path;
use keepsake_core::vision::decode::{decode_file, DecodeOptions, Hint, JpegBackend};
use keepsake_core::vision::detect::FaceModel;
use keepsake_core::{CancelToken, Config, Keepsake, NoProgress, ScanOptions, Scope};
use serde_json::{json, Value};

/// Peak resident set size of this process, MB.
pub(crate) fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// Prepares the model's plans for the working sizes of the photos in `dir` (one photo
/// of each stored size and orientation is decoded to learn it). Returns the sizes.
fn prepare_plans(
    dir: &Path,
    model: &FaceModel,
    opts: &DecodeOptions,
) -> Result<Vec<(u32, u32)>, Box<dyn std::error::Error>> {
    let mut shapes = std::collections::BTreeSet::new();
    let mut sizes = std::collections::BTreeSet::new();
    for path in crate::faces::images(&[dir.to_path_buf()]) {
        let p = probe_path(&path);
        if !shapes.insert((p.width, p.height, p.exif.orientation)) {
            continue;
        }
        let hint = Hint {
            orientation: p.exif.orientation,
            thumbnail: p.thumbnail,
        };
        if let Ok(d) = decode_file(&path, hint, opts) {
            sizes.insert((d.image.width, d.image.height));
        }
    }
    for &(w, h) in &sizes {
        model.prepare(w, h)?;
    }
    Ok(sizes.into_iter().collect())
}

fn backend_named(name: Option<&str>) -> Result<JpegBackend, String> {
    match name {
        None => Ok(JpegBackend::default()),
        Some(n) => JpegBackend::all()
            .into_iter()
            .find(|b| b.name() == n)
            .ok_or_else(|| format!("no JPEG decoder {n:?} in this build")),
    }
}

/// One configuration, in this process: index a fresh store and analyse everything.
fn keepsake_run(
    dir: &Path,
    model_path: &Path,
    classifier: Option<&Path>,
    size: u32,
    threads: usize,
    jpeg: JpegBackend,
) -> Result<Value, Box<dyn std::error::Error>> {
    let ready = Instant::now();
    let model = FaceModel::load_path(model_path)?;
    let decode = DecodeOptions {
        long_side: size,
        jpeg,
        ..DecodeOptions::default()
    };
    let sizes = prepare_plans(dir, &model, &decode)?;
    let classifier = match classifier {
        Some(p) => Some(std::sync::Arc::new(
            keepsake_core::themes::Classifier::load_path(p)?,
        )),
        None => None,
    };
    let ready_ms = ready.elapsed().as_secs_f64() * 1000.0;
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
            Some(&model),
            &AnalyzeOptions {
                long_side: size,
                threads,
                jpeg,
                classifier,
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
                "classify": s.classify_ms / n,
                "quality": s.quality_ms / n, "hash": s.hash_ms / n, "store": s.store_ms / n,
            },
            "peak_rss_mb": peak_rss_mb(),
            "ready_ms": ready_ms,
            "plans": sizes.len(),
            "jpeg": jpeg.name(),
        }))
    })();
    crate::bench::remove_dir(&scratch);
    result
}

/// The run with the median photos/s (the upper one of an even count).
fn median_run(runs: &[Value]) -> &Value {
    let mut order: Vec<&Value> = runs.iter().collect();
    order.sort_by(|a, b| {
        let rate = |v: &Value| v["photos_per_s"].as_f64().unwrap_or(0.0);
        rate(a).total_cmp(&rate(b))
    });
    order[order.len() / 2]
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

/// The models a `bench index` run uses: the face detector (default: set-up's) and the
/// content classifier (none: no themes on either side).
pub struct BenchModels<'a> {
    pub face: Option<&'a Path>,
    pub classifier: Option<&'a Path>,
}

pub fn run(
    dir: &Path,
    models: BenchModels<'_>,
    size: u32,
    python: Option<&Path>,
    no_baseline: bool,
    runs: usize,
    child: Option<(usize, Option<String>)>,
) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let BenchModels {
        face: model,
        classifier,
    } = models;
    let (model_path, model) = crate::cli::load_model(model)?;
    if let Some((threads, jpeg)) = child {
        let jpeg = backend_named(jpeg.as_deref())?;
        let v = keepsake_run(dir, &model_path, classifier, size, threads, jpeg)?;
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
    let ours_run =
        |threads: usize, jpeg: JpegBackend| -> Result<(Value, bool), Box<dyn std::error::Error>> {
            let (mut c, pinned) = command(threads == 1, &exe);
            c.args(["bench", "index"])
                .arg(dir)
                .arg("--model")
                .arg(&model_path)
                .arg("--size")
                .arg(size.to_string())
                .arg("--worker-threads")
                .arg(threads.to_string())
                .arg("--jpeg")
                .arg(jpeg.name());
            match classifier {
                Some(p) => c.arg("--classifier").arg(p),
                None => c.arg("--no-themes"),
            };
            Ok((json_of(c, "the Keepsake run")?, pinned))
        };
    // Each configuration runs `runs` times, Keepsake and Python alternating, and the
    // median run (by photos/s) is reported: a run of a few dozen photos lasts a second
    // or two, and this machine's speed varies by ±15 % between such runs.
    let python_run = |threads: usize| -> Result<Option<Value>, Box<dyn std::error::Error>> {
        let Some(py) = &python else {
            return Ok(None);
        };
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
        if let Some(p) = classifier {
            c.arg("--classifier").arg(p);
        }
        Ok(Some(json_of(c, "the Python baseline")?))
    };
    let configs = [1, cores];
    let mut ours_runs: Vec<Vec<Value>> = vec![Vec::new(); configs.len()];
    let mut theirs_runs: Vec<Vec<Value>> = vec![Vec::new(); configs.len()];
    let mut pure_runs = Vec::new();
    let mut pinned_any = false;
    for _ in 0..runs {
        for (i, &threads) in configs.iter().enumerate() {
            let (ours, pinned) = ours_run(threads, JpegBackend::default())?;
            pinned_any |= pinned;
            ours_runs[i].push(ours);
            if let Some(v) = python_run(threads)? {
                theirs_runs[i].push(v);
            }
        }
        // The pure-Rust decoder on one core, when the default is another.
        if JpegBackend::default() != JpegBackend::Rust {
            pure_runs.push(ours_run(1, JpegBackend::Rust)?.0);
        }
    }
    let rows: Vec<(usize, Value, Option<Value>)> = configs
        .iter()
        .enumerate()
        .map(|(i, &t)| {
            (
                t,
                median_run(&ours_runs[i]).clone(),
                (!theirs_runs[i].is_empty()).then(|| median_run(&theirs_runs[i]).clone()),
            )
        })
        .collect();
    let pure = (!pure_runs.is_empty()).then(|| median_run(&pure_runs).clone());

    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "bench index: {} photos, {} faces, working size {size}, model {:?} ({}), JPEG decoder {}, {cores} cores{}, median of {runs} runs; build: {}",
        rows[0].1["photos"],
        rows[0].1["faces"],
        model.kind(),
        &model.sha256()[..12],
        JpegBackend::default().name(),
        if pinned_any { ", one-core runs pinned with taskset" } else { "" },
        crate::bench::build_kind()
    )?;
    let their_ready = rows[0]
        .2
        .as_ref()
        .and_then(|v| v["ready_s"].as_f64())
        .map_or("-".to_string(), |s| {
            format!("{:.0} ms (onnxruntime session)", s * 1000.0)
        });
    writeln!(
        out,
        "  set-up, one core, not in the figures below: keepsake {:.0} ms (model load, plans for {} sizes), python {their_ready}",
        rows[0].1["ready_ms"].as_f64().unwrap_or(f64::NAN),
        rows[0].1["plans"],
    )?;
    let pure_head = if pure.is_some() { "  jpeg-decoder" } else { "" };
    writeln!(
        out,
        "  ms per photo, one core        keepsake    python{pure_head}"
    )?;
    for stage in [
        "exif", "decode", "detect", "classify", "quality", "hash", "store",
    ] {
        let ours = rows[0].1["ms_per_photo"][stage]
            .as_f64()
            .unwrap_or(f64::NAN);
        let theirs = rows[0]
            .2
            .as_ref()
            .and_then(|v| v["ms_per_photo"][stage].as_f64());
        let theirs = theirs.map_or("        -".to_string(), |v| format!("{v:9.2}"));
        let pure_ms = pure
            .as_ref()
            .and_then(|v| v["ms_per_photo"][stage].as_f64())
            .map_or(String::new(), |v| format!("  {v:12.2}"));
        writeln!(out, "  {stage:>22}  {ours:12.2} {theirs}{pure_ms}")?;
    }
    // What classifying adds: its stage against the rest of the per-photo work.
    let share = |v: &Value| -> Option<f64> {
        let ms = v["ms_per_photo"].as_object()?;
        let classify = ms.get("classify")?.as_f64()?;
        let rest: f64 = ms
            .iter()
            .filter(|(k, _)| k.as_str() != "classify")
            .filter_map(|(_, v)| v.as_f64())
            .sum();
        (classify > 0.0).then(|| 100.0 * classify / rest)
    };
    if let Some(ours) = share(&rows[0].1) {
        let theirs = rows[0]
            .2
            .as_ref()
            .and_then(share)
            .map_or(String::new(), |t| format!(", python +{t:.0} %"));
        writeln!(
            out,
            "  classifier, one core: keepsake +{ours:.0} % analysis time per photo{theirs}"
        )?;
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
    if let Some(v) = &pure {
        let rate = v["photos_per_s"].as_f64().unwrap_or(f64::NAN);
        let their_rate = rows[0].2.as_ref().and_then(|t| t["photos_per_s"].as_f64());
        let ratio = their_rate.map_or(String::new(), |t| format!(": ratio {:.2}×", rate / t));
        writeln!(
            out,
            "    1 core, pure-Rust jpeg-decoder: keepsake {rate:6.2} photos/s{ratio}"
        )?;
    }
    Ok(ExitCode::SUCCESS)
}
