//! Command-line interface: the arguments, shared helpers, and one module per command
//! group.

mod analysis;
mod library;
mod measure;
mod people;
mod privacy;
mod render;
mod timeline;

use std::fs::File;
use std::io::{BufReader, IsTerminal, Write};
use std::path::{Path, PathBuf};
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
    /// Place names for titles (default: the table `scripts/setup.sh` wrote, when there).
    #[arg(long, global = true)]
    pub places: Option<PathBuf>,
    /// Titles keep coordinates: no place names.
    #[arg(long, global = true, conflicts_with = "places")]
    pub no_places: bool,
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
        /// ONNX content classifier for themes (default: the EfficientNet-Lite0 that
        /// `scripts/setup.sh` converted, when there).
        #[arg(long)]
        classifier: Option<PathBuf>,
        /// No content themes.
        #[arg(long, conflicts_with = "classifier")]
        no_themes: bool,
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
    /// Content themes of the analysed photos: one line per photo, or with --json one
    /// object per photo `{"path", "themes": [{"theme", "score"}]}` (themes at the default
    /// threshold); with --theme, the photos showing that theme, best first.
    Themes {
        #[arg(long)]
        json: bool,
        /// pets, food, beach, mountains, nature, city, vehicles, flowers, snow, sunset or
        /// document.
        #[arg(long)]
        theme: Option<String>,
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
        /// A classic effect over the collage (`effect --list` names them).
        #[arg(long)]
        effect: Option<String>,
        /// Strength of the effect, 0..=1.
        #[arg(long, default_value_t = 1.0, requires = "effect")]
        strength: f32,
        /// An AI restyle over the collage (`restyle --list`; a blend is name:weight,…).
        #[arg(long)]
        style: Option<String>,
        /// Strength of the restyle, 0..=1 (default 0.75).
        #[arg(long, requires = "style")]
        style_strength: Option<f32>,
        /// The style network (default: the one `scripts/setup.sh` fetched).
        #[arg(long, requires = "style")]
        model: Option<PathBuf>,
    },
    /// Apply a classic effect to a photo into FILE (.jpg or .png): nothing is stored.
    /// `effect --list` names the effects.
    Effect {
        #[arg(required_unless_present = "list")]
        input: Option<PathBuf>,
        #[arg(long, required_unless_present = "list")]
        effect: Option<String>,
        #[arg(long, required_unless_present = "list")]
        out: Option<PathBuf>,
        /// 0 (the original) to 1 (the full effect).
        #[arg(long, default_value_t = 1.0)]
        strength: f32,
        /// Long side of the output, pixels (never larger than the photo).
        #[arg(long, default_value_t = 2048)]
        size: u32,
        #[arg(long, conflicts_with_all = ["input", "effect", "out"])]
        list: bool,
    },
    /// Repaint a photo in one of the 26 styles of the style network (or a blend,
    /// `name:weight,name:weight`) into FILE (.jpg or .png): nothing is stored.
    /// `restyle --list` names the styles; `--sheet` writes every style side by side.
    Restyle {
        #[arg(required_unless_present = "list")]
        input: Option<PathBuf>,
        #[arg(long, required_unless_present_any = ["list", "sheet"])]
        style: Option<String>,
        #[arg(long, required_unless_present = "list")]
        out: Option<PathBuf>,
        /// 0 (the photo) to 1 (the network's painting).
        #[arg(long, default_value_t = keepsake_core::restyle::DEFAULT_STRENGTH)]
        strength: f32,
        /// Long side of the output, pixels (the network works at ≤ 1024).
        #[arg(long, default_value_t = 1024)]
        size: u32,
        /// The style network (default: the one `scripts/setup.sh` fetched).
        #[arg(long)]
        model: Option<PathBuf>,
        /// Every style on the photo, in a grid of 256 px tiles, into --out.
        #[arg(long, conflicts_with = "style")]
        sheet: bool,
        #[arg(long, conflicts_with_all = ["input", "style", "out", "sheet"])]
        list: bool,
    },
    /// A suggestion's recap story as a video: AV1 in MP4 or WebM (Chromium plays both), drawn by
    /// the core (Ken Burns toward faces, cross-fades, a title card), as long as the
    /// story. Needs the `suggestions` consent; prints progress on stderr.
    Video {
        #[arg(long)]
        suggestion: String,
        /// Output file: .mp4 or .webm (AV1 in either).
        #[arg(long)]
        out: PathBuf,
        /// Short side of the (portrait, 9:16) video: 720 or 1080 (or any even 144..=2160).
        #[arg(long, default_value_t = 720)]
        size: u32,
        #[arg(long, default_value_t = 30)]
        fps: u32,
        /// A classic effect over the photos (`effect --list`).
        #[arg(long, conflicts_with = "style")]
        effect: Option<String>,
        /// An AI restyle of the photos (`restyle --list`; a blend is name:weight,…).
        #[arg(long)]
        style: Option<String>,
        /// Strength of the effect or style, 0..=1 (default: 1 for effects, the
        /// restyle default for styles).
        #[arg(long)]
        strength: Option<f32>,
        /// The style network (default: the one `scripts/setup.sh` fetched).
        #[arg(long)]
        model: Option<PathBuf>,
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
        /// ONNX face embedder for grouping faces into people (default: the one
        /// `scripts/setup.sh` copied).
        #[arg(long)]
        embedder: Option<PathBuf>,
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
    /// Mark a place as sensitive: no photo within RADIUS_M metres is ever suggested.
    SensitivePlace {
        #[arg(allow_negative_numbers = true)]
        lat: f64,
        #[arg(allow_negative_numbers = true)]
        lon: f64,
        radius_m: f64,
    },
    /// Unmark a sensitive place (its id from `sensitive-place` or `list`).
    RemoveSensitivePlace { id: i64 },
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
    let places = args
        .places
        .clone()
        .or_else(|| setup_model("places.tsv").filter(|_| !args.no_places));
    if let Some(path) = places {
        store.set_places(Some(Arc::new(keepsake_core::places::Gazetteer::load_path(
            &path,
        )?)));
    }
    Ok(store)
}

pub fn run(args: Args) -> Result<ExitCode, Box<dyn std::error::Error>> {
    match &args.command {
        Command::Scan { .. } | Command::Sync { .. } | Command::Window { .. } => library::run(&args),
        Command::Consent { .. }
        | Command::Audit { .. }
        | Command::Export { .. }
        | Command::Forget { .. } => privacy::run(&args),
        Command::Moments { .. }
        | Command::Trips { .. }
        | Command::Home { .. }
        | Command::Suggest { .. }
        | Command::Feedback { .. }
        | Command::Dates { .. } => timeline::run(&args),
        Command::Analyze { .. }
        | Command::Faces { .. }
        | Command::Detections { .. }
        | Command::Themes { .. }
        | Command::ExcludeFace { .. } => analysis::run(&args),
        Command::People { .. } | Command::PeopleSet { .. } => people::run(&args),
        Command::Collage { .. }
        | Command::Effect { .. }
        | Command::Restyle { .. }
        | Command::Video { .. }
        | Command::Story { .. }
        | Command::Report { .. }
        | Command::SampleLibrary { .. } => render::run(&args),
        Command::Bench { .. } | Command::Eval { .. } => measure::run(&args),
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
    setup_model("retinaface_mnet025.onnx")
}

/// The content classifier `scripts/setup.sh` converted.
pub fn default_classifier() -> Option<PathBuf> {
    setup_model("efficientnet_lite0.onnx")
}

/// Loads `given`, else the default classifier unless `off`; `None` when neither.
pub fn load_classifier(
    given: Option<&Path>,
    off: bool,
) -> Result<Option<std::sync::Arc<keepsake_core::themes::Classifier>>, String> {
    let path = match given {
        Some(p) => p.to_path_buf(),
        None if off => return Ok(None),
        None => match default_classifier() {
            Some(p) => p,
            None => return Ok(None),
        },
    };
    keepsake_core::themes::Classifier::load_path(&path)
        .map(|c| Some(std::sync::Arc::new(c)))
        .map_err(|e| format!("cannot load the classifier: {e}"))
}

/// A file `scripts/setup.sh` put in `target/models/`.
pub fn setup_model(name: &str) -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let path = exe.parent()?.parent()?.join("models").join(name);
    path.is_file().then_some(path)
}

/// Loads `given`, or else the style network set-up fetched.
pub fn load_style_model(
    given: Option<&std::path::Path>,
) -> Result<keepsake_core::restyle::StyleModel, String> {
    let path = given
        .map(std::path::Path::to_path_buf)
        .or_else(|| setup_model("multistyle26.onnx"))
        .ok_or("no style network: pass --model or run scripts/setup.sh")?;
    keepsake_core::restyle::StyleModel::load_path(&path)
        .map_err(|e| format!("cannot load the style network: {e}"))
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
