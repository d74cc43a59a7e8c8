//! Command-line interface.

use std::fs::File;
use std::io::{BufReader, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use clap::{Parser, Subcommand, ValueEnum};
use keepsake_core::{
    CancelToken, Clock, Config, DeviceZone, FixedClock, Keepsake, Progress, ScanOptions, Scope,
    SyncMode, SystemClock,
};

use crate::output;
use keepsake_core::collage;

#[derive(Debug, Parser)]
#[command(name = "keepsake", version, about = "Keepsake device-side harness")]
pub struct Args {
    #[command(subcommand)]
    pub command: Command,
    /// Database file.
    #[arg(long, global = true, default_value = "keepsake.db")]
    pub db: PathBuf,
    /// "Now", as RFC 3339 (default: the system clock).
    #[arg(long, global = true, value_parser = parse_now)]
    pub now: Option<DateTime<Utc>>,
    /// Device time zone, IANA name (default: $TZ, then /etc/localtime, then UTC).
    #[arg(long, global = true)]
    pub tz: Option<String>,
    /// More logging (-v info, -vv debug, -vvv trace; trace may show paths).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Index a folder: read metadata of new and changed files, remove vanished ones.
    Scan {
        dir: PathBuf,
        /// One JSON object per asset on stdout (the summary goes to stderr).
        #[arg(long)]
        json: bool,
        /// Length of the recent window in the summary.
        #[arg(long, default_value_t = keepsake_core::DEFAULT_DAYS)]
        days: u32,
        /// Include dot-files and dot-directories.
        #[arg(long)]
        hidden: bool,
    },
    /// Index host records from a JSON Lines file (fields: see README).
    Sync {
        #[arg(long)]
        records: PathBuf,
        /// The file lists only new or changed assets: remove nothing.
        #[arg(long)]
        partial: bool,
        #[arg(long)]
        json: bool,
        #[arg(long, default_value_t = keepsake_core::DEFAULT_DAYS)]
        days: u32,
    },
    /// List the assets of the last N days.
    Window {
        #[arg(long, default_value_t = keepsake_core::DEFAULT_DAYS)]
        days: u32,
        #[arg(long)]
        json: bool,
    },
    /// Grant, revoke or show consent.
    Consent {
        #[arg(value_enum)]
        action: ConsentAction,
        /// Scopes (pixels, faces, suggestions, or all). Status shows all.
        scopes: Vec<String>,
        #[arg(long)]
        json: bool,
    },
    /// Moments over the whole indexed history (needs the `suggestions` consent).
    Moments {
        #[arg(long)]
        json: bool,
    },
    /// Trips over the whole indexed history (needs the `suggestions` consent).
    Trips {
        #[arg(long)]
        json: bool,
        /// Farther than this from home is "away" (km).
        #[arg(long, default_value_t = 50.0)]
        away_km: f64,
    },
    /// Suggestions at --now (needs the `suggestions` consent).
    Suggest {
        #[arg(long)]
        json: bool,
        /// Also recap this month (YYYY-MM); repeatable.
        #[arg(long = "month", value_parser = parse_month)]
        months: Vec<(i32, u32)>,
    },
    /// Feedback on suggestions: dismiss, hide photos, ranges and albums.
    Feedback {
        #[command(subcommand)]
        action: Feedback,
    },
    /// Dates to celebrate (birthdays, anniversaries).
    Dates {
        #[command(subcommand)]
        action: Dates,
    },
    /// Show, set or clear the home used for trips.
    Home {
        #[arg(value_enum)]
        action: HomeAction,
        /// Latitude and longitude, for `set`.
        #[arg(allow_negative_numbers = true)]
        coords: Vec<f64>,
    },
    /// Analyse pixels and faces of the indexed photos (needs the `pixels` consent, and
    /// `faces` with --model). Resumes where a previous run stopped.
    Analyze {
        /// ONNX face detector (default: the one `scripts/setup.sh` fetched).
        #[arg(long)]
        model: Option<PathBuf>,
        /// Pixel signals only, no face detection.
        #[arg(long, conflicts_with = "model")]
        no_faces: bool,
        /// ONNX face embedder for people grouping after detection (default: the one
        /// `scripts/setup.sh` put in target/models, when there).
        #[arg(long, conflicts_with = "no_faces")]
        embedder: Option<PathBuf>,
        /// Faces only: no people grouping afterwards.
        #[arg(long, conflicts_with = "embedder")]
        no_people: bool,
        #[arg(long, default_value_t = 640)]
        size: u32,
        /// Worker threads (default: one per core).
        #[arg(long, default_value_t = 0)]
        threads: usize,
        /// Play host: pixels of host records come from this JSON Lines map
        /// (`{"id": "<record id>", "path": "<file>"}`), as an app's pixel source.
        #[arg(long, value_name = "MAP.jsonl")]
        host_pixels: Option<PathBuf>,
        /// How the played host answers: the original's bytes, or RGBA it decoded.
        #[arg(
            long,
            value_name = "encoded|rgba",
            default_value = "encoded",
            requires = "host_pixels"
        )]
        host_pixels_mode: String,
        #[arg(long)]
        json: bool,
    },
    /// Detect faces in images (files or folders): one JSON object per image.
    Faces {
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// ONNX face detector, YuNet or RetinaFace (default: the one `scripts/setup.sh`
        /// fetched).
        #[arg(long)]
        model: Option<PathBuf>,
        #[arg(long)]
        json: bool,
        /// Working size (long side, pixels) the detector sees.
        #[arg(long, default_value_t = 640)]
        size: u32,
    },
    /// The local audit log: what was processed, when, by which model, under which consent.
    Audit {
        #[arg(long)]
        json: bool,
    },
    /// Everything the store holds, as one JSON document (right of access).
    Export {
        /// Write here instead of stdout.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Forget photos (paths relative to the scanned folder, or host ids): their index
    /// entries and everything derived are erased, and indexing skips them from now on.
    Forget {
        #[arg(required = true)]
        assets: Vec<String>,
    },
    /// People (needs the `faces` consent): list them, or give your word on them.
    People {
        #[command(subcommand)]
        action: Option<PeopleAction>,
        /// One JSON object per person.
        #[arg(long)]
        json: bool,
    },
    /// Make the labelled people set (see README, "People") in OUT from the shared face
    /// photos.
    PeopleSet {
        out: PathBuf,
        /// The shared `faces` folder (dlib_pascal_voc and wider_val_416 inside).
        #[arg(long, default_value = "../shared/data/faces")]
        from: PathBuf,
    },
    /// Stored face detections, with the ids `exclude-face` takes.
    Detections {
        #[arg(long)]
        json: bool,
    },
    /// "Don't include me": photos holding these faces (ids from `detections`) never
    /// enter a suggestion or collage.
    ExcludeFace {
        #[arg(required = true)]
        faces: Vec<i64>,
    },
    /// Render a suggestion's collage into FILE (.jpg or .png); needs the `suggestions`
    /// consent.
    Collage {
        /// Suggestion id (from `suggest --json`).
        #[arg(long)]
        suggestion: String,
        #[arg(long)]
        out: PathBuf,
        /// Long side of the collage, pixels.
        #[arg(long, default_value_t = 2048)]
        size: u32,
        /// single, grid, mosaic or hero-strip (default: chosen from the photos).
        #[arg(long)]
        template: Option<String>,
        /// square, portrait or landscape (default: chosen from the photos).
        #[arg(long)]
        shape: Option<String>,
        /// Print the layout description (JSON) on stdout.
        #[arg(long)]
        layout_json: bool,
    },
    /// A suggestion's recap story: JSON frames for an app to animate.
    Story {
        #[arg(long)]
        suggestion: String,
    },
    /// The main job in one command: index DIR, analyse, suggest, render a collage per
    /// suggestion and write OUT/index.html (opens from disk; no server, no network).
    /// Running it grants consent for this store; the store is OUT/keepsake.db unless
    /// --db is given.
    Report {
        dir: PathBuf,
        #[arg(long)]
        out: PathBuf,
        /// ONNX face detector (default: the one `scripts/setup.sh` fetched).
        #[arg(long)]
        model: Option<PathBuf>,
        #[arg(long, conflicts_with = "model")]
        no_faces: bool,
        /// Long side of the collages, pixels.
        #[arg(long, default_value_t = 1200)]
        size: u32,
    },
    /// Make a sample camera roll in OUT from the images in SRC: EXIF capture times and
    /// places spread over the 30 days before --now.
    SampleLibrary { src: PathBuf, out: PathBuf },
    /// Evaluations against labelled data.
    Eval {
        #[command(subcommand)]
        which: crate::evaluate::Eval,
    },
    /// Benchmarks that print figures.
    Bench {
        #[command(subcommand)]
        which: crate::bench::Bench,
    },
}

#[derive(Debug, Subcommand)]
pub enum Feedback {
    /// Dismiss a suggestion by id (what it is about stays away as photos arrive).
    Dismiss { id: String },
    /// Take a dismissal back.
    Undismiss { id: String },
    /// Hide a photo (path or host id) from all suggestions.
    Hide { asset: String },
    /// Show a hidden photo again.
    Unhide { asset: String },
    /// Hide a time range (RFC 3339 instants).
    HideRange {
        #[arg(value_parser = parse_now)]
        start: DateTime<Utc>,
        #[arg(value_parser = parse_now)]
        end: DateTime<Utc>,
    },
    /// Exclude an album (bucket) from all suggestions.
    ExcludeAlbum { album: String },
    /// Include an excluded album again.
    IncludeAlbum { album: String },
    /// Show a hidden time range again (its id from `hide-range` or `list`).
    ShowRange { id: i64 },
    /// Dismissed suggestions, hidden ranges, excluded and junk albums.
    List,
    /// Add an album name (part of a name, case-insensitive) to the junk albums.
    JunkAlbum { name: String },
}

#[derive(Debug, Subcommand)]
pub enum PeopleAction {
    /// Describe new faces and group them (runs after `analyze` on its own too).
    Update {
        #[arg(long)]
        embedder: Option<PathBuf>,
        /// Re-group every face instead of adding new ones.
        #[arg(long)]
        regroup: bool,
    },
    /// The two are one person: FROM joins INTO.
    Merge {
        into: i64,
        from: i64,
    },
    /// These faces (ids from `people --json`) are someone else: a new person.
    Split {
        person: i64,
        #[arg(required = true)]
        faces: Vec<i64>,
    },
    /// Name a person (an empty name clears it).
    Name {
        person: i64,
        name: String,
    },
    /// Set a birthday, MM-DD (feeds the birthday suggestions); `--clear` removes it.
    Birthday {
        person: i64,
        #[arg(value_parser = parse_month_day, required_unless_present = "clear")]
        date: Option<(u32, u32)>,
        #[arg(long)]
        year: Option<i32>,
        #[arg(long)]
        clear: bool,
    },
    /// Keep a person out of the people suggestions.
    Hide {
        person: i64,
    },
    Unhide {
        person: i64,
    },
    /// "Don't include me": no photo with this person enters a suggestion or collage.
    Exclude {
        person: i64,
    },
    /// Undo `exclude` (their faces are described again at the next update).
    Include {
        person: i64,
    },
    /// "Not this person": the face leaves its person for good.
    Reject {
        face: i64,
    },
    /// This face is this person.
    Assign {
        face: i64,
        person: i64,
    },
}

#[derive(Debug, Subcommand)]
pub enum Dates {
    /// Register a date: LABEL MM-DD.
    Add {
        label: String,
        #[arg(value_parser = parse_month_day)]
        date: (u32, u32),
        /// birthday, anniversary or other.
        #[arg(long, default_value = "birthday")]
        kind: String,
        /// The year it began (for "N years").
        #[arg(long)]
        year: Option<i32>,
    },
    List,
    Remove {
        id: i64,
    },
}

fn parse_month(s: &str) -> Result<(i32, u32), String> {
    let (y, m) = s.split_once('-').ok_or("expected YYYY-MM")?;
    let y: i32 = y.parse().map_err(|_| "bad year")?;
    let m: u32 = m.parse().map_err(|_| "bad month")?;
    (1..=12)
        .contains(&m)
        .then_some((y, m))
        .ok_or_else(|| "month must be 01..12".into())
}

fn parse_month_day(s: &str) -> Result<(u32, u32), String> {
    let (m, d) = s.split_once('-').ok_or("expected MM-DD")?;
    Ok((
        m.parse().map_err(|_| "bad month")?,
        d.parse().map_err(|_| "bad day")?,
    ))
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum HomeAction {
    Show,
    Set,
    Clear,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ConsentAction {
    Grant,
    Revoke,
    Status,
}

fn parse_now(s: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| format!("not RFC 3339: {e}"))
}

/// The device zone: --tz, $TZ, the /etc/localtime link, else UTC.
fn zone(arg: Option<&str>) -> Result<DeviceZone, keepsake_core::Error> {
    if let Some(name) = arg {
        return DeviceZone::parse(name);
    }
    if let Ok(tz) = std::env::var("TZ") {
        if let Ok(z) = DeviceZone::parse(tz.trim_start_matches(':')) {
            return Ok(z);
        }
    }
    let from_link = std::fs::read_link("/etc/localtime").ok().and_then(|p| {
        let s = p.to_string_lossy().into_owned();
        s.split_once("zoneinfo/")
            .and_then(|(_, name)| DeviceZone::parse(name).ok())
    });
    Ok(from_link.unwrap_or(DeviceZone::UTC))
}

pub fn open(args: &Args) -> Result<Keepsake, keepsake_core::Error> {
    let clock: Arc<dyn Clock> = match args.now {
        Some(now) => Arc::new(FixedClock(now)),
        None => Arc::new(SystemClock),
    };
    let (store, rebuilt) = Keepsake::open_or_rebuild(
        &args.db,
        Config {
            zone: zone(args.tz.as_deref())?,
            clock,
        },
    )?;
    if let Some(r) = rebuilt {
        eprintln!(
            "keepsake: the store was damaged ({}); its files ({} bytes) were erased and a new \
             store created — index the photos again (scan/sync) and grant consent again",
            r.reason, r.erased_bytes
        );
    }
    Ok(store)
}

pub fn run(args: Args) -> Result<ExitCode, Box<dyn std::error::Error>> {
    match &args.command {
        Command::Scan {
            dir,
            json,
            days,
            hidden,
        } => {
            let store = open(&args)?;
            let options = ScanOptions {
                include_hidden: *hidden,
                ..ScanOptions::default()
            };
            let bar = ProgressBar::new("scanning");
            let started = Instant::now();
            let report = store.scan_folder(
                dir,
                options,
                &|p: Progress| bar.update(p),
                &CancelToken::new(),
            )?;
            bar.finish();
            let elapsed = started.elapsed();
            let assets = store.assets()?;
            let window = store.recent_window(*days)?;
            let mut out = std::io::stdout().lock();
            if *json {
                for a in &assets {
                    output::write_asset_json(&mut out, a, &window)?;
                }
                for s in &report.skipped {
                    output::write_skipped_json(&mut out, s)?;
                }
            }
            let summary = output::summary(&report.sync, &report.skipped, &assets, &window, elapsed);
            emit_summary(*json, &summary)?;
            out.flush()?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Sync {
            records,
            partial,
            json,
            days,
        } => {
            let store = open(&args)?;
            let file = File::open(records).map_err(|e| format!("cannot open records file: {e}"))?;
            let (parsed, mut parse_errors) = keepsake_core::parse_json_lines(BufReader::new(file))?;
            // Lines that did not parse are as unknown as rejected records: never remove.
            let mode = if *partial || !parse_errors.is_empty() {
                SyncMode::Partial
            } else {
                SyncMode::Full
            };
            let bar = ProgressBar::new("syncing");
            let started = Instant::now();
            let mut report = store.sync_records(
                parsed,
                mode,
                &|p: Progress| bar.update(p),
                &CancelToken::new(),
            )?;
            bar.finish();
            if !parse_errors.is_empty() {
                *report
                    .sync
                    .failed
                    .entry("invalid_record".into())
                    .or_default() += parse_errors.len() as u64;
                report.sync.removal_skipped = !*partial;
            }
            parse_errors.append(&mut report.rejected);
            parse_errors.sort_by_key(|e| e.line);
            for e in &parse_errors {
                eprintln!("line {}: {}", e.line, e.reason);
            }
            let assets = store.assets()?;
            let window = store.recent_window(*days)?;
            let mut out = std::io::stdout().lock();
            if *json {
                for a in &assets {
                    output::write_asset_json(&mut out, a, &window)?;
                }
            }
            let summary = output::summary(&report.sync, &[], &assets, &window, started.elapsed());
            emit_summary(*json, &summary)?;
            Ok(if parse_errors.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        Command::Window { days, json } => {
            let store = open(&args)?;
            let window = store.recent_window(*days)?;
            let assets = store.assets_in_window(&window)?;
            let mut out = std::io::stdout().lock();
            if *json {
                for a in &assets {
                    output::write_asset_json(&mut out, a, &window)?;
                }
            } else {
                writeln!(
                    out,
                    "last {} days ({} .. {}, {}): {} assets",
                    window.days,
                    window.first_day,
                    window.last_day,
                    store.zone().name(),
                    assets.len()
                )?;
                for a in &assets {
                    writeln!(
                        out,
                        "{}  {}",
                        a.asset.captured.to_rfc3339(),
                        a.asset.source_id
                    )?;
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Consent {
            action,
            scopes,
            json,
        } => {
            let store = open(&args)?;
            let chosen = parse_scopes(scopes, matches!(action, ConsentAction::Status))?;
            let mut out = std::io::stdout().lock();
            match action {
                ConsentAction::Grant => {
                    for s in &chosen {
                        store.grant_consent(*s)?;
                    }
                }
                ConsentAction::Revoke => {
                    for s in &chosen {
                        let purge = store.revoke_consent(*s)?;
                        writeln!(
                            out,
                            "revoked {s}: {} derived rows erased",
                            purge.rows_deleted
                        )?;
                    }
                }
                ConsentAction::Status => {}
            }
            for st in store.consent_status()? {
                if *json {
                    writeln!(out, "{}", serde_json::to_string(&st)?)?;
                } else {
                    let state = if st.granted { "granted" } else { "not granted" };
                    writeln!(out, "{:<12} {state}", st.scope.as_str())?;
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Moments { json } => {
            let store = open(&args)?;
            let moments = store.moments(&keepsake_core::moments::MomentParams::default())?;
            let names = store.source_ids()?;
            let mut out = std::io::stdout().lock();
            for m in &moments {
                if *json {
                    writeln!(out, "{}", output::moment_json(m, &names))?;
                } else {
                    writeln!(
                        out,
                        "{} .. {}  {:>4} photos  {}",
                        m.start.to_rfc3339(),
                        m.end.to_rfc3339(),
                        m.assets.len(),
                        output::place(m.centroid)
                    )?;
                }
            }
            if !*json {
                writeln!(out, "{} moments", moments.len())?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Trips { json, away_km } => {
            let store = open(&args)?;
            let params = keepsake_core::trips::TripParams {
                away_km: *away_km,
                ..Default::default()
            };
            let trips = store.trips(&params)?;
            let names = store.source_ids()?;
            let mut out = std::io::stdout().lock();
            for t in &trips {
                if *json {
                    writeln!(out, "{}", output::trip_json(t, &names))?;
                } else {
                    writeln!(
                        out,
                        "{} .. {}  {:>4} photos  {:>6.0} km  {} stops",
                        t.start.to_rfc3339(),
                        t.end.to_rfc3339(),
                        t.assets.len(),
                        t.distance_km,
                        t.stops.len()
                    )?;
                }
            }
            if !*json {
                writeln!(out, "{} trips", trips.len())?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Home { action, coords } => {
            let store = open(&args)?;
            match (action, coords.as_slice()) {
                (HomeAction::Set, [lat, lon]) => store.set_home(Some((*lat, *lon)))?,
                (HomeAction::Set, _) => return Err("home set needs LAT LON".into()),
                (HomeAction::Clear, _) => store.set_home(None)?,
                (HomeAction::Show, _) => {}
            }
            let mut out = std::io::stdout().lock();
            for h in store.homes(50.0)? {
                let how = if h.user_set {
                    "set by you".to_string()
                } else {
                    format!("inferred from {} days", h.days)
                };
                writeln!(out, "home {}  ({how})", output::place(Some(h.center)))?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Suggest { json, months } => {
            let store = open(&args)?;
            let suggestions = store.suggestions(None, months)?;
            let names = store.source_ids()?;
            let mut out = std::io::stdout().lock();
            for s in &suggestions {
                if *json {
                    writeln!(out, "{}", output::suggestion_json(s, &names))?;
                } else {
                    writeln!(out, "{}", output::suggestion_line(s))?;
                }
            }
            if !*json {
                writeln!(out, "{} suggestions", suggestions.len())?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Feedback { action } => {
            let store = open(&args)?;
            match action {
                Feedback::Dismiss { id } => store.dismiss_suggestion(id)?,
                Feedback::Undismiss { id } => {
                    if !store.undismiss_suggestion(id)? {
                        return Err(format!("{id} was not dismissed").into());
                    }
                }
                Feedback::ShowRange { id } => {
                    if !store.remove_hidden_range(*id)? {
                        return Err(format!("no hidden range {id}").into());
                    }
                }
                Feedback::List => {
                    for id in store.dismissed_suggestions()? {
                        println!("dismissed {id}");
                    }
                    for r in store.hidden_ranges()? {
                        let (a, b) = (r.start.to_rfc3339(), r.end.to_rfc3339());
                        println!("hidden range {}: {a} .. {b}", r.id);
                    }
                    for album in store.excluded_albums()? {
                        println!("excluded album {album}");
                    }
                    let junk = store.junk_albums()?;
                    println!(
                        "junk albums: containing {:?}, named {:?}",
                        junk.contains, junk.exact
                    );
                }
                Feedback::JunkAlbum { name } => {
                    let mut junk = store.junk_albums()?;
                    junk.contains.push(name.clone());
                    store.set_junk_albums(&junk)?;
                }
                Feedback::Hide { asset } => store.set_asset_hidden(asset, true)?,
                Feedback::Unhide { asset } => store.set_asset_hidden(asset, false)?,
                Feedback::HideRange { start, end } => {
                    let id = store.hide_range(*start, *end)?;
                    println!("hidden range {id}");
                }
                Feedback::ExcludeAlbum { album } => store.set_album_excluded(album, true)?,
                Feedback::IncludeAlbum { album } => store.set_album_excluded(album, false)?,
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Dates { action } => {
            let store = open(&args)?;
            match action {
                Dates::Add {
                    label,
                    date,
                    kind,
                    year,
                } => {
                    let kind = keepsake_core::suggest::SpecialKind::parse(kind)
                        .ok_or("kind must be birthday, anniversary or other")?;
                    let d = keepsake_core::suggest::SpecialDate {
                        id: 0,
                        label: label.clone(),
                        kind,
                        month: date.0,
                        day: date.1,
                        year: *year,
                    };
                    println!("added date {}", store.add_special_date(&d)?);
                }
                Dates::List => {
                    for d in store.special_dates()? {
                        println!(
                            "{}  {:02}-{:02}  {}  {}",
                            d.id,
                            d.month,
                            d.day,
                            d.kind.as_str(),
                            d.label
                        );
                    }
                }
                Dates::Remove { id } => {
                    if !store.remove_special_date(*id)? {
                        return Err(format!("no date with id {id}").into());
                    }
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Analyze {
            model,
            no_faces,
            embedder,
            no_people,
            size,
            threads,
            host_pixels,
            host_pixels_mode,
            json,
        } => {
            let store = open(&args)?;
            if let Some(map) = host_pixels {
                let mode = keepsake_harness::host::Mode::parse(host_pixels_mode)
                    .ok_or("--host-pixels-mode takes encoded or rgba")?;
                let host = keepsake_harness::host::FileHost::from_map(map, mode)?;
                store.set_pixel_source(Some(std::sync::Arc::new(host)));
            }
            let model = match model
                .clone()
                .or_else(|| default_model().filter(|_| !no_faces))
            {
                Some(p) => Some(
                    keepsake_core::vision::detect::FaceModel::load_path(&p)
                        .map_err(|e| format!("cannot load the face model: {e}"))?,
                ),
                None => None,
            };
            let options = keepsake_core::analysis::AnalyzeOptions {
                long_side: *size,
                threads: *threads,
                ..Default::default()
            };
            let bar = ProgressBar::new("analysing");
            let started = Instant::now();
            let report = store.analyze(
                model.as_ref(),
                &options,
                &|p: Progress| bar.update(p),
                &CancelToken::new(),
            )?;
            bar.finish();
            let secs = started.elapsed().as_secs_f64();
            let embedder = embedder
                .clone()
                .or_else(crate::people_eval::default_embedder)
                .filter(|_| model.is_some() && !no_people);
            if *json {
                // One object: the analysis, with the people pass under "people".
                let mut v = serde_json::to_value(&report)?;
                v["wall_s"] = serde_json::json!(secs);
                v["peak_rss_mb"] = serde_json::json!(crate::bench_index::peak_rss_mb());
                if let Some(path) = &embedder {
                    v["people"] = serde_json::to_value(people_update(&store, path, false, true)?)?;
                }
                println!("{v}");
                return Ok(ExitCode::SUCCESS);
            } else {
                let mut host = if report.need_host_pixels > 0 {
                    format!(
                        "; {} host photos need pixels from the app",
                        report.need_host_pixels
                    )
                } else {
                    String::new()
                };
                for (reason, n) in &report.host_unavailable {
                    host.push_str(&format!("; {n} {reason}"));
                }
                if report.metadata_filled > 0 {
                    host.push_str(&format!(
                        "; {} records completed from the original's metadata",
                        report.metadata_filled
                    ));
                }
                println!(
                    "analysed {} photos in {secs:.1} s ({:.1} photos/s): {} failed, {} faces, {} near-duplicate groups{host}",
                    report.analysed,
                    report.analysed as f64 / secs.max(1e-9),
                    report.failed,
                    report.faces,
                    report.duplicate_groups,
                );
            }
            if let Some(path) = embedder {
                people_update(&store, &path, false, false)?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::People { action, json } => {
            let store = open(&args)?;
            people(&store, action.as_ref(), *json)
        }
        Command::PeopleSet { out, from } => crate::people_eval::make_set(from, out),
        Command::Faces {
            paths,
            model,
            json,
            size,
        } => {
            let model = model
                .clone()
                .or_else(default_model)
                .ok_or("no face model: pass --model or run scripts/setup.sh")?;
            crate::faces::run(paths, &model, *json, *size)
        }
        Command::Bench { which } => crate::bench::run(which),
        Command::Eval { which } => crate::evaluate::run(which),
        Command::Audit { json } => {
            let store = open(&args)?;
            for e in store.audit_log()? {
                if *json {
                    println!("{}", serde_json::to_string(&e)?);
                } else {
                    let at = chrono::DateTime::from_timestamp_millis(e.at_ms)
                        .map_or_else(|| e.at_ms.to_string(), |t| t.to_rfc3339());
                    println!(
                        "{at}  {:<15} consent [{}]{}{}{}",
                        e.action,
                        e.consent,
                        e.photos.map_or(String::new(), |n| format!("  photos {n}")),
                        e.model_sha256.as_deref().map_or(String::new(), |m| format!(
                            "  model {}",
                            &m[..12.min(m.len())]
                        )),
                        e.detail.map_or(String::new(), |d| format!("  ({d})")),
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Collage {
            suggestion,
            out,
            size,
            template,
            shape,
            layout_json,
        } => {
            let format = out
                .extension()
                .and_then(|e| e.to_str())
                .and_then(collage::OutputFormat::from_extension)
                .ok_or("--out must end in .jpg, .jpeg or .png")?;
            let template = match template {
                Some(t) => Some(
                    collage::Template::parse(t)
                        .ok_or("unknown template: use single, grid, mosaic or hero-strip")?,
                ),
                None => None,
            };
            let shape = match shape {
                Some(t) => Some(
                    collage::Shape::parse(t)
                        .ok_or("unknown shape: use square, portrait or landscape")?,
                ),
                None => None,
            };
            let store = open(&args)?;
            let layout_opts = collage::LayoutOptions {
                size: *size,
                template,
                shape,
                ..Default::default()
            };
            let render_opts = collage::RenderOptions {
                format,
                ..Default::default()
            };
            let (layout, rendered) = store.render_collage(
                suggestion,
                None,
                &layout_opts,
                &render_opts,
                &CancelToken::new(),
            )?;
            write_atomically(out, &rendered.bytes)?;
            if *layout_json {
                println!("{}", serde_json::to_string(&layout)?);
            }
            for f in &rendered.failures {
                eprintln!(
                    "collage: photo {} could not be drawn ({}); its cell shows a placeholder",
                    f.asset_id, f.kind
                );
            }
            eprintln!(
                "collage: {} photos, {} template, {}x{} px; decode {:.0} ms, draw {:.0} ms, encode {:.0} ms",
                layout.cells.len(),
                layout.template.as_str(),
                layout.width,
                layout.height,
                rendered.decode_ms,
                rendered.draw_ms,
                rendered.encode_ms
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Story { suggestion } => {
            let store = open(&args)?;
            let story = store.story(suggestion, None, &collage::StoryOptions::default())?;
            println!("{}", serde_json::to_string(&story)?);
            Ok(ExitCode::SUCCESS)
        }
        Command::Report {
            dir,
            out,
            model,
            no_faces,
            size,
        } => {
            std::fs::create_dir_all(out)?;
            let mut store_args = Args {
                command: Command::Audit { json: false },
                db: args.db.clone(),
                now: args.now,
                tz: args.tz.clone(),
                verbose: args.verbose,
            };
            if args.db == std::path::Path::new("keepsake.db") {
                store_args.db = out.join("keepsake.db");
            }
            let store = open(&store_args)?;
            let model = if *no_faces {
                None
            } else if model.is_some() || default_model().is_some() {
                Some(load_model(model.as_deref())?.1)
            } else {
                eprintln!("report: no face model (run scripts/setup.sh): faces are not detected");
                None
            };
            eprintln!(
                "report: granting consent (pixels, faces, suggestions) for this store by running report"
            );
            let bars = [ProgressBar::new("indexing"), ProgressBar::new("analysing")];
            let started = Instant::now();
            let summary = keepsake_harness::report::report(
                &store,
                dir,
                out,
                model.as_ref(),
                *size,
                &|stage, p| bars[usize::from(stage == "analysing")].update(p),
            )?;
            for b in &bars {
                b.finish();
            }
            println!(
                "report: {} photos, {} analysed, {} faces, {} suggestions, {} collages in {:.1} s -> {}",
                summary.photos,
                summary.analysed,
                summary.faces,
                summary.suggestions,
                summary.collages,
                started.elapsed().as_secs_f64(),
                out.join("index.html").display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::SampleLibrary { src, out } => {
            let now = args.now.unwrap_or_else(Utc::now);
            let n = keepsake_harness::report::sample_library(src, out, now)?;
            println!("sample-library: {n} photos in {}", out.display());
            Ok(ExitCode::SUCCESS)
        }
        Command::Export { out } => {
            let store = open(&args)?;
            let doc = serde_json::to_string_pretty(&store.export()?)?;
            match out {
                Some(p) => std::fs::write(p, doc)?,
                None => println!("{doc}"),
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Forget { assets } => {
            let store = open(&args)?;
            let r = store.forget(assets)?;
            println!(
                "forgot {} of {} photos; database now {} bytes",
                r.rows_deleted,
                assets.len(),
                r.database_bytes
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Detections { json } => {
            let store = open(&args)?;
            for f in store.faces()? {
                if *json {
                    println!("{}", serde_json::to_string(&f)?);
                } else {
                    println!(
                        "{:>6}  {}  {:.0},{:.0} {:.0}x{:.0}  score {:.2}{}",
                        f.id,
                        f.asset,
                        f.x,
                        f.y,
                        f.w,
                        f.h,
                        f.score,
                        if f.excluded { "  excluded" } else { "" }
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::ExcludeFace { faces } => {
            let store = open(&args)?;
            let n = store.exclude_faces(faces)?;
            println!("{n} faces excluded: their photos stay out of every suggestion");
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn people_update(
    store: &Keepsake,
    path: &std::path::Path,
    regroup: bool,
    quiet: bool,
) -> Result<keepsake_core::people::PeopleReport, Box<dyn std::error::Error>> {
    let embedder = keepsake_core::people::Embedder::load_path(path)
        .map_err(|e| format!("cannot load the face embedder: {e}"))?;
    let options = keepsake_core::people::PeopleOptions {
        regroup: if regroup {
            keepsake_core::people::Regroup::Always
        } else {
            keepsake_core::people::Regroup::Auto
        },
        ..Default::default()
    };
    let bar = ProgressBar::new("people");
    let report = store.update_people(
        &embedder,
        &options,
        &|p: Progress| bar.update(p),
        &CancelToken::new(),
    )?;
    bar.finish();
    if !quiet {
        println!(
            "people: {} faces described ({} low quality, {} not describable), {} people, {} faces waiting{}",
            report.described,
            report.low_quality,
            report.failed,
            report.people,
            report.waiting,
            if report.regrouped { "; re-grouped" } else { "" }
        );
    }
    Ok(report)
}

fn people(
    store: &Keepsake,
    action: Option<&PeopleAction>,
    json: bool,
) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let done = |what: String| {
        println!("{what}");
        Ok(ExitCode::SUCCESS)
    };
    match action {
        None => {
            for p in store.people()? {
                let faces = store.person_faces(p.id)?;
                if json {
                    let face = |f: &keepsake_core::people::PersonFace| serde_json::json!({"face": f.face_id, "asset": f.asset, "x": f.x, "y": f.y, "w": f.w, "h": f.h});
                    let v = serde_json::json!({
                        "id": p.id,
                        "name": p.name,
                        "birthday": p.birthday,
                        "hidden": p.hidden,
                        "excluded": p.excluded,
                        "photos": p.photos,
                        "first_seen": p.first_seen,
                        "last_seen": p.last_seen,
                        "cover": p.cover.as_ref().map(face),
                        "faces": faces.iter().map(face).collect::<Vec<_>>(),
                    });
                    println!("{v}");
                } else {
                    let span = match (p.first_seen, p.last_seen) {
                        (Some(a), Some(b)) => {
                            format!(", {} – {}", a.date_naive(), b.date_naive())
                        }
                        _ => String::new(),
                    };
                    let state = if p.excluded {
                        " [excluded]"
                    } else if p.hidden {
                        " [hidden]"
                    } else {
                        ""
                    };
                    println!(
                        "{:>5}  {:<20} {} photos, {} faces{span}{state}",
                        p.id,
                        p.name.as_deref().unwrap_or("(unnamed)"),
                        p.photos,
                        p.faces
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Some(PeopleAction::Update { embedder, regroup }) => {
            let path = embedder
                .clone()
                .or_else(crate::people_eval::default_embedder)
                .ok_or("no face embedder: pass --embedder or run scripts/setup.sh")?;
            let report = people_update(store, &path, *regroup, json)?;
            if json {
                println!("{}", serde_json::to_string(&report)?);
            }
            Ok(ExitCode::SUCCESS)
        }
        Some(PeopleAction::Merge { into, from }) => {
            store.merge_people(*into, *from)?;
            done(format!("person {from} merged into {into}"))
        }
        Some(PeopleAction::Split { person, faces }) => {
            let new = store.split_person(*person, faces)?;
            done(format!(
                "{} faces split off person {person} into person {new}",
                faces.len()
            ))
        }
        Some(PeopleAction::Name { person, name }) => {
            store.name_person(*person, Some(name))?;
            done(format!("person {person} named"))
        }
        Some(PeopleAction::Birthday {
            person,
            date,
            year,
            clear,
        }) => {
            let birthday = match (date, clear) {
                (_, true) => None,
                (Some((month, day)), false) => Some(keepsake_core::people::Birthday {
                    month: *month,
                    day: *day,
                    year: *year,
                }),
                (None, false) => return Err("give MM-DD or --clear".into()),
            };
            store.set_person_birthday(*person, birthday)?;
            done(format!(
                "birthday of person {person} {}",
                if birthday.is_some() { "set" } else { "cleared" }
            ))
        }
        Some(PeopleAction::Hide { person }) => {
            store.set_person_hidden(*person, true)?;
            done(format!("person {person} hidden from people suggestions"))
        }
        Some(PeopleAction::Unhide { person }) => {
            store.set_person_hidden(*person, false)?;
            done(format!("person {person} shown in people suggestions again"))
        }
        Some(PeopleAction::Exclude { person }) => {
            store.exclude_person(*person, true)?;
            done(format!(
                "person {person} excluded: no photo with them enters a suggestion or collage"
            ))
        }
        Some(PeopleAction::Include { person }) => {
            store.exclude_person(*person, false)?;
            done(format!(
                "person {person} included again (described at the next `people update`)"
            ))
        }
        Some(PeopleAction::Reject { face }) => {
            store.reject_face(*face)?;
            done(format!("face {face} taken off its person"))
        }
        Some(PeopleAction::Assign { face, person }) => {
            store.assign_face(*face, *person)?;
            done(format!("face {face} is person {person}"))
        }
    }
}

/// Writes `bytes` to `path` through a temporary file, so a failed run never leaves half
/// a file.
fn write_atomically(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".part");
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)
}

/// Loads `given`, or else the default model; the path it came from with it.
pub fn load_model(
    given: Option<&std::path::Path>,
) -> Result<(PathBuf, keepsake_core::vision::detect::FaceModel), String> {
    let path = given
        .map(std::path::Path::to_path_buf)
        .or_else(default_model)
        .ok_or("no face model: pass --model or run scripts/setup.sh")?;
    let model = keepsake_core::vision::detect::FaceModel::load_path(&path)
        .map_err(|e| format!("cannot load the face model: {e}"))?;
    Ok((path, model))
}

/// The model `scripts/setup.sh` puts next to the build (`target/models/`).
pub fn default_model() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let path = exe
        .parent()?
        .parent()?
        .join("models")
        .join("retinaface_mnet025.onnx");
    path.is_file().then_some(path)
}

fn parse_scopes(names: &[String], allow_empty: bool) -> Result<Vec<Scope>, String> {
    if names.is_empty() {
        return if allow_empty {
            Ok(Vec::new())
        } else {
            Err("name a scope: pixels, faces, suggestions or all".into())
        };
    }
    let mut out = Vec::new();
    for n in names {
        if n == "all" {
            out.extend(Scope::ALL);
        } else {
            out.push(
                Scope::parse(n).ok_or_else(|| {
                    format!("unknown scope `{n}` (pixels, faces, suggestions, all)")
                })?,
            );
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

fn emit_summary(json: bool, summary: &str) -> std::io::Result<()> {
    if json {
        eprint!("{summary}");
        Ok(())
    } else {
        let mut out = std::io::stdout().lock();
        out.write_all(summary.as_bytes())
    }
}

/// A one-line progress display on stderr, only when stderr is a terminal.
pub struct ProgressBar {
    label: &'static str,
    tty: bool,
    last: std::sync::Mutex<Option<Instant>>,
}

impl ProgressBar {
    pub fn new(label: &'static str) -> Self {
        ProgressBar {
            label,
            tty: std::io::stderr().is_terminal(),
            last: std::sync::Mutex::new(None),
        }
    }

    pub fn update(&self, p: Progress) {
        if !self.tty {
            return;
        }
        let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        let due =
            last.is_none_or(|t| now - t >= Duration::from_millis(100)) || p.total == Some(p.done);
        if !due {
            return;
        }
        *last = Some(now);
        let stage = format!("{:?}", p.stage).to_lowercase();
        let line = match p.total {
            Some(total) if total > 0 => {
                let width = 30;
                let filled = (p.done * width / total) as usize;
                format!(
                    "{} [{}{}] {}/{} {stage}",
                    self.label,
                    "#".repeat(filled),
                    "-".repeat(width as usize - filled),
                    p.done,
                    total
                )
            }
            _ => format!("{} {} files {stage}", self.label, p.done),
        };
        eprint!("\r{line:<80}");
    }

    pub fn finish(&self) {
        if self.tty {
            eprint!("\r{:<80}\r", "");
        }
    }
}
