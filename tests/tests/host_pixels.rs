//! Analysis on the phone itself: host records with opaque ids (no file paths), their
//! pixels from the app's `PixelSource` — original bytes or decoded RGBA — give the same
//! faces, people and suggestions as a folder scan of the same files; what the record
//! lacked (capture time, place, size) is read from the bytes; what the host cannot hand
//! over is recorded per photo and only transient reasons are asked for again; a source
//! that hangs is bounded by the time budget; odd answers are checked before allocation.
#![allow(clippy::unwrap_used, clippy::print_stdout)]

mod common;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{count, open, TempDir};
use keepsake_core::analysis::AnalyzeOptions;
use keepsake_core::people::{Embedder, PeopleOptions};
use keepsake_core::pixels::{PixelAnswer, PixelRequest, PixelSource, RgbaPixels, Unavailable};
use keepsake_core::vision::detect::FaceModel;
use keepsake_core::{CancelToken, HostRecord, Keepsake, NoProgress, ScanOptions, Scope, SyncMode};
use keepsake_harness::host::{FileHost, Mode};
use keepsake_harness::synth::{with_exif, ExifSpec};

const NOW: &str = "2025-06-20T12:00:00Z";
const PARIS: (f64, f64) = (48.8566, 2.3522);
const FLORENCE: (f64, f64) = (43.7696, 11.2558);

/// The dlib group photos with camera EXIF: a weekend in Florence, two shots a day at
/// home before it.
fn roll(shared: &Path, dir: &Path) -> Vec<PathBuf> {
    let src = shared.join("data/faces/dlib_pascal_voc/images");
    let mut names: Vec<_> = std::fs::read_dir(&src)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "jpg"))
        .collect();
    names.sort();
    std::fs::create_dir_all(dir).unwrap();
    let mut out = Vec::new();
    for (i, path) in names.iter().enumerate() {
        let hour = 9 + 2 * i;
        let spec = ExifSpec {
            datetime_original: Some(format!(
                "2025:06:{:02} {:02}:15:00",
                7 + hour / 24,
                hour % 24
            )),
            offset: Some("+02:00".into()),
            gps: Some(FLORENCE),
            make: Some("Keepsake".into()),
            ..ExifSpec::default()
        };
        let bytes = with_exif(&std::fs::read(path).unwrap(), &spec).unwrap();
        let to = dir.join(format!("IMG_{i:03}.jpg"));
        std::fs::write(&to, bytes).unwrap();
        out.push(to);
    }
    out
}

fn models(shared: &Path) -> (FaceModel, Embedder) {
    let m = shared.join("models");
    (
        FaceModel::load_path(&m.join("retinaface_mnet025.onnx")).unwrap(),
        Embedder::load_path(&m.join("face_embed_dlib_resnet_v1.onnx")).unwrap(),
    )
}

fn content_id(i: usize) -> String {
    format!("content://media/external/images/media/{}", 1000 + i)
}

/// Bare records as a host without location access sends them: an opaque id, a name
/// without a date, no capture time, place or size.
fn bare_records(files: &[PathBuf]) -> Vec<(u64, HostRecord)> {
    files
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let id = content_id(i);
            (
                i as u64 + 1,
                HostRecord {
                    id: id.clone(),
                    uri: id,
                    name: Some(format!("photo{i}.jpg")),
                    mime: Some("image/jpeg".into()),
                    size: Some(std::fs::metadata(f).unwrap().len()),
                    modified_ms: 1_750_000_000_000 + i as i64,
                    ..HostRecord::default()
                },
            )
        })
        .collect()
}

/// A store at `db` holding the bare records of `files`.
fn host_store(db: &Path, zone: &str, files: &[PathBuf]) -> Keepsake {
    let store = open(db, zone, NOW);
    store
        .sync_records(
            bare_records(files),
            SyncMode::Full,
            &NoProgress,
            &CancelToken::new(),
        )
        .unwrap();
    store
}

/// Everything analysis and the people pass found, keyed by file (folder) or record
/// index (host) so the two paths compare: faces per photo, people as sets of faces,
/// and suggestions as (id, kind, photos).
#[derive(Debug, PartialEq)]
struct Found {
    faces: BTreeMap<usize, Vec<[i64; 4]>>,
    people: BTreeSet<BTreeSet<(usize, [i64; 4])>>,
    suggestions: Vec<(String, String, Vec<usize>)>,
}

fn found(store: &Keepsake, index_of: &dyn Fn(&str) -> usize) -> Found {
    let boxes = |x: f64, y: f64, w: f64, h: f64| [x, y, w, h].map(|v| (v * 2.0).round() as i64);
    let mut faces: BTreeMap<usize, Vec<[i64; 4]>> = BTreeMap::new();
    let mut face_key = HashMap::new();
    for f in store.faces().unwrap() {
        let k = (index_of(&f.asset), boxes(f.x, f.y, f.w, f.h));
        faces.entry(k.0).or_default().push(k.1);
        face_key.insert(f.id, k);
    }
    for v in faces.values_mut() {
        v.sort();
    }
    let people = store
        .people()
        .unwrap()
        .iter()
        .map(|p| {
            store
                .person_faces(p.id)
                .unwrap()
                .iter()
                .map(|f| face_key[&f.face_id])
                .collect()
        })
        .collect();
    let names = store.source_ids().unwrap();
    let suggestions = store
        .suggestions(None, &[])
        .unwrap()
        .into_iter()
        .map(|s| {
            let mut photos: Vec<usize> = s.assets.iter().map(|a| index_of(&names[a])).collect();
            photos.sort();
            (s.id, s.kind.as_str().to_string(), photos)
        })
        .collect();
    Found {
        faces,
        people,
        suggestions,
    }
}

fn analyse_all(store: &Keepsake, detector: &FaceModel, embedder: &Embedder) {
    let cancel = CancelToken::new();
    for scope in [Scope::Pixels, Scope::Faces, Scope::Suggestions] {
        store.grant_consent(scope).unwrap();
    }
    store.set_home(Some(PARIS)).unwrap();
    let report = store
        .analyze(
            Some(detector),
            &AnalyzeOptions::default(),
            &NoProgress,
            &cancel,
        )
        .unwrap();
    assert_eq!(report.need_host_pixels, 0);
    assert_eq!(report.failed, 0, "{report:?}");
    store
        .update_people(embedder, &PeopleOptions::default(), &NoProgress, &cancel)
        .unwrap();
}

#[test]
fn host_pixels_give_what_the_folder_gives_and_fill_metadata_from_the_bytes() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let tmp = TempDir::new("host-pixels");
    let files = roll(&shared, &tmp.join("roll"));
    let (detector, embedder) = models(&shared);
    let file_index = |name: &str| -> usize { name[4..7].parse().unwrap() };
    let host_index =
        |id: &str| -> usize { id.rsplit('/').next().unwrap().parse::<usize>().unwrap() - 1000 };

    // The folder path.
    let folder = open(&tmp.join("folder.db"), "Europe/Paris", NOW);
    folder
        .scan_folder(
            &tmp.join("roll"),
            ScanOptions::default(),
            &NoProgress,
            &CancelToken::new(),
        )
        .unwrap();
    analyse_all(&folder, &detector, &embedder);
    let expected = found(&folder, &file_index);
    assert!(
        expected.faces.values().map(Vec::len).sum::<usize>() >= 30,
        "{expected:?}"
    );
    assert!(expected.people.len() >= 10);
    assert!(
        expected
            .suggestions
            .iter()
            .any(|s| s.1 == "trip_highlights"),
        "a trip comes only from GPS and trusted times: {:?}",
        expected.suggestions
    );

    // Bare records + the original's bytes: the same, once the bytes filled the gaps.
    let map: HashMap<String, PathBuf> = files
        .iter()
        .enumerate()
        .map(|(i, f)| (content_id(i), f.clone()))
        .collect();
    let encoded = host_store(&tmp.join("encoded.db"), "Europe/Paris", &files);
    // Without a source, host photos wait and are counted.
    encoded.grant_consent(Scope::Pixels).unwrap();
    let waiting = encoded
        .analyze(
            None,
            &AnalyzeOptions::default(),
            &NoProgress,
            &CancelToken::new(),
        )
        .unwrap();
    assert_eq!(waiting.need_host_pixels, files.len() as u64);
    assert_eq!(waiting.analysed, 0);
    encoded.set_pixel_source(Some(Arc::new(FileHost::new(map.clone(), Mode::Encoded))));
    analyse_all(&encoded, &detector, &embedder);
    let db = tmp.join("encoded.db");
    assert_eq!(
        count(&db, "SELECT count(*) FROM assets WHERE date_trust = 3 AND lat IS NOT NULL AND width IS NOT NULL"),
        files.len() as i64,
        "capture time (with its offset), place and size read from the bytes"
    );
    let assets = encoded.assets().unwrap();
    let folder_assets: HashMap<usize, _> = folder
        .assets()
        .unwrap()
        .into_iter()
        .map(|a| (file_index(&a.asset.source_id), a.asset))
        .collect();
    for a in &assets {
        let f = &folder_assets[&host_index(&a.asset.source_id)];
        assert_eq!(a.asset.captured, f.captured);
        assert_eq!(a.asset.gps, f.gps);
    }
    assert_eq!(found(&encoded, &host_index), expected);

    // Complete records + RGBA the host decoded (rows padded, already upright).
    let rgba = open(&tmp.join("rgba.db"), "Europe/Paris", NOW);
    let records: Vec<(u64, HostRecord)> = bare_records(&files)
        .into_iter()
        .map(|(line, mut r)| {
            let f = &folder_assets[&host_index(&r.id)];
            r.captured_at = Some(f.captured.to_rfc3339());
            (r.lat, r.lon) = (f.gps.map(|g| g.0), f.gps.map(|g| g.1));
            (r.width, r.height) = (f.width, f.height);
            (line, r)
        })
        .collect();
    rgba.sync_records(records, SyncMode::Full, &NoProgress, &CancelToken::new())
        .unwrap();
    rgba.set_pixel_source(Some(Arc::new(FileHost::new(map, Mode::Rgba))));
    analyse_all(&rgba, &detector, &embedder);
    assert_eq!(found(&rgba, &host_index), expected);

    // June (the current month) is never listed; 9 photos are too few for a recap.
    assert!(expected
        .suggestions
        .iter()
        .all(|s| s.0 != "monthly_recap:2025-06"));
    assert!(matches!(
        folder.collage_layout("monthly_recap:2025-06", None, &Default::default()),
        Err(keepsake_core::Error::NotFound(_))
    ));

    // New photos arriving in the trip keep its id; a dismissed trip stays dismissed.
    let trip_id = expected
        .suggestions
        .iter()
        .find(|s| s.1 == "trip_highlights")
        .unwrap()
        .0
        .clone();
    let arrive = |store: &Keepsake, n: i64| {
        let id = format!("content://media/external/images/media/{}", 2000 + n);
        let record = HostRecord {
            id: id.clone(),
            uri: id,
            modified_ms: 1_750_000_000_000,
            captured_at: Some(format!("2025-06-07T{:02}:40:00+02:00", 10 + n)),
            lat: Some(FLORENCE.0 + 0.001 * n as f64),
            lon: Some(FLORENCE.1),
            width: Some(4000),
            height: Some(3000),
            ..HostRecord::default()
        };
        store
            .sync_records(
                vec![(1, record)],
                SyncMode::Partial,
                &NoProgress,
                &CancelToken::new(),
            )
            .unwrap();
        store.suggestions(None, &[]).unwrap()
    };
    let trip_photos = |all: &[keepsake_core::suggest::Suggestion]| {
        all.iter()
            .find(|s| s.id == trip_id)
            .map(|s| s.reasons[0].fact("photos").unwrap())
    };
    let before = trip_photos(&encoded.suggestions(None, &[]).unwrap()).unwrap();
    assert_eq!(trip_photos(&arrive(&encoded, 1)), Some(before + 1.0));
    encoded.dismiss_suggestion(&trip_id).unwrap();
    assert_eq!(
        trip_photos(&arrive(&encoded, 2)),
        None,
        "dismissed stays dismissed"
    );
    assert!(encoded.undismiss_suggestion(&trip_id).unwrap());
    assert_eq!(
        trip_photos(&encoded.suggestions(None, &[]).unwrap()),
        Some(before + 2.0)
    );
    // With the two new photos June has enough for a recap: never listed (it is the
    // current month), drawn by its id alone.
    assert!(encoded
        .suggestions(None, &[])
        .unwrap()
        .iter()
        .all(|s| s.id != "monthly_recap:2025-06"));
    let june = encoded
        .collage_layout("monthly_recap:2025-06", None, &Default::default())
        .unwrap();
    assert_eq!(june.cells.len(), files.len() + 2);
    assert!(encoded
        .story("monthly_recap:2025-06", None, &Default::default())
        .is_ok());

    // One photo with an effect, through the source; bad requests are refused.
    use keepsake_core::collage::OutputFormat;
    use keepsake_core::effects::Effect;
    let (png, w, h) = encoded
        .render_photo(
            &content_id(0),
            320,
            Some((Effect::Sketch, 1.0)),
            OutputFormat::Png,
        )
        .unwrap();
    assert_eq!(w.max(h), 320);
    let img = keepsake_core::vision::decode::decode_bytes(
        &png,
        Default::default(),
        &keepsake_core::vision::decode::DecodeOptions::default(),
    )
    .unwrap()
    .image;
    assert!(img
        .data
        .chunks_exact(3)
        .all(|p| p[0] == p[1] && p[1] == p[2]));
    assert!(matches!(
        encoded.render_photo("content://nothing", 320, None, OutputFormat::Png),
        Err(keepsake_core::Error::NotFound(_))
    ));
    assert!(matches!(
        encoded.render_photo(
            &content_id(0),
            320,
            Some((Effect::Warm, 7.0)),
            OutputFormat::Png
        ),
        Err(keepsake_core::Error::InvalidArgument(_))
    ));

    // Collages draw host photos through the same source: no placeholder — except the
    // two records that arrived without a file behind them, which the host calls gone.
    let arrived: BTreeSet<i64> = encoded
        .source_ids()
        .unwrap()
        .into_iter()
        .filter(|(_, s)| s.ends_with("/2001") || s.ends_with("/2002"))
        .map(|(id, _)| id)
        .collect();
    for (store, gone) in [(&encoded, arrived), (&rgba, BTreeSet::new())] {
        let (layout, rendered) = store
            .render_collage(
                &trip_id,
                None,
                &keepsake_core::collage::LayoutOptions::default(),
                &keepsake_core::collage::RenderOptions::default(),
                &CancelToken::new(),
            )
            .unwrap();
        assert!(layout.cells.len() >= 6);
        let failed: BTreeSet<i64> = rendered.failures.iter().map(|f| f.asset_id).collect();
        assert!(failed.is_subset(&gone), "{:?}", rendered.failures);
        assert!(rendered.failures.iter().all(|f| f.kind == "gone"));
    }
}

/// Answers per record index: a fixed failure, a hang, an oversized or bomb answer, or
/// the file's bytes; counts the calls per index.
struct Flaky {
    files: Vec<PathBuf>,
    answers: Mutex<HashMap<usize, Answer>>,
    calls: Mutex<BTreeMap<usize, usize>>,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
}

#[derive(Clone, Copy)]
enum Answer {
    Fails(Unavailable),
    Hangs,
    Huge,
    Bomb,
    Bytes,
}

impl Flaky {
    fn new(files: Vec<PathBuf>, answers: HashMap<usize, Answer>) -> Flaky {
        Flaky {
            files,
            answers: Mutex::new(answers),
            calls: Mutex::new(BTreeMap::new()),
            in_flight: AtomicUsize::new(0),
            max_in_flight: AtomicUsize::new(0),
        }
    }
}

impl PixelSource for Flaky {
    fn pixels(&self, r: &PixelRequest) -> Result<PixelAnswer, Unavailable> {
        let i = r
            .asset_id
            .rsplit('/')
            .next()
            .unwrap()
            .parse::<usize>()
            .unwrap()
            - 1000;
        *self.calls.lock().unwrap().entry(i).or_default() += 1;
        let answer = *self
            .answers
            .lock()
            .unwrap()
            .get(&i)
            .unwrap_or(&Answer::Bytes);
        if let Answer::Hangs = answer {
            // Holds no image; its worker is abandoned and replaced meanwhile.
            std::thread::sleep(Duration::from_secs(3));
            return Err(Unavailable::Busy);
        }
        let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        self.max_in_flight.fetch_max(now, Ordering::SeqCst);
        let out = match answer {
            Answer::Fails(u) => Err(u),
            Answer::Hangs => Err(Unavailable::Busy),
            // Four times the asked size, grey: scaled down, never refused.
            Answer::Huge => {
                let side = r.long_side * 4;
                Ok(PixelAnswer::Rgba(RgbaPixels {
                    width: side,
                    height: side * 3 / 4,
                    stride: side * 4,
                    data: vec![128; (side * 4 * (side * 3 / 4)) as usize],
                    upright: true,
                }))
            }
            // Claims 400 MP with a tiny buffer: refused by the budget before any copy.
            Answer::Bomb => Ok(PixelAnswer::Rgba(RgbaPixels {
                width: 20_000,
                height: 20_000,
                stride: 80_000,
                data: vec![0; 64],
                upright: true,
            })),
            Answer::Bytes => Ok(PixelAnswer::Encoded(std::fs::read(&self.files[i]).unwrap())),
        };
        self.in_flight.fetch_sub(1, Ordering::SeqCst);
        out
    }
}

#[test]
fn what_the_host_cannot_hand_over_is_recorded_and_only_transient_reasons_are_retried() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let tmp = TempDir::new("host-flaky");
    let files = roll(&shared, &tmp.join("roll"));
    let db = tmp.join("k.db");
    let store = host_store(&db, "UTC", &files);
    store.grant_consent(Scope::Pixels).unwrap();
    let answers = HashMap::from([
        (0, Answer::Fails(Unavailable::NotDownloaded)),
        (1, Answer::Fails(Unavailable::Gone)),
        (2, Answer::Fails(Unavailable::Failed)),
        (3, Answer::Fails(Unavailable::Busy)),
        (4, Answer::Fails(Unavailable::PermissionDenied)),
        (5, Answer::Hangs),
        (6, Answer::Huge),
        (7, Answer::Bomb),
    ]);
    let source = Arc::new(Flaky::new(files.clone(), answers));
    store.set_pixel_source(Some(source.clone()));
    let opts = AnalyzeOptions {
        threads: 2,
        photo_budget: Duration::from_millis(500),
        ..AnalyzeOptions::default()
    };
    let started = Instant::now();
    let first = store
        .analyze(None, &opts, &NoProgress, &CancelToken::new())
        .unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "the hang did not stall the job"
    );
    assert_eq!(first.analysed, 2, "{first:?}"); // the huge answer and the last photo
    assert_eq!(first.failed, 7);
    assert_eq!(first.timed_out, 1);
    let reasons: BTreeMap<&str, u64> = first
        .host_unavailable
        .iter()
        .map(|(k, v)| (k.as_str(), *v))
        .collect();
    assert_eq!(
        reasons,
        BTreeMap::from([
            ("busy", 1),
            ("gone", 1),
            ("host_error", 1),
            ("not_downloaded", 1),
            ("permission_denied", 1)
        ])
    );
    let error = |i: usize| -> String {
        let c = rusqlite::Connection::open(&db).unwrap();
        c.query_row(
            "SELECT coalesce(s.error, 'ok') FROM photo_signals s JOIN assets a ON a.id = s.asset_id
             WHERE a.source_id = ?1",
            [content_id(i)],
            |r| r.get(0),
        )
        .unwrap()
    };
    let kinds: Vec<String> = (0..files.len()).map(error).collect();
    assert_eq!(
        kinds,
        [
            "not_downloaded",
            "gone",
            "host_error",
            "busy",
            "permission_denied",
            "time_budget",
            "ok",
            "pixel_budget",
            "ok"
        ]
    );
    assert!(
        source.max_in_flight.load(Ordering::SeqCst) <= 2,
        "one image per worker"
    );

    // The next run asks again for what was not downloaded or busy, and only that.
    source.calls.lock().unwrap().clear();
    source.answers.lock().unwrap().remove(&0);
    let second = store
        .analyze(None, &opts, &NoProgress, &CancelToken::new())
        .unwrap();
    let calls: Vec<usize> = source.calls.lock().unwrap().keys().copied().collect();
    assert_eq!(calls, [0, 3], "only transient reasons are retried");
    assert_eq!((second.analysed, second.failed), (1, 1));
    assert_eq!(error(0), "ok");
    assert_eq!(error(3), "busy");
}

#[test]
fn cancelling_while_the_host_hangs_returns_at_once() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let tmp = TempDir::new("host-cancel");
    let files = roll(&shared, &tmp.join("roll"));
    let store = host_store(&tmp.join("k.db"), "UTC", &files);
    store.grant_consent(Scope::Pixels).unwrap();
    let answers = (0..files.len()).map(|i| (i, Answer::Hangs)).collect();
    store.set_pixel_source(Some(Arc::new(Flaky::new(files, answers))));
    let cancel = CancelToken::new();
    let c2 = cancel.clone();
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        c2.cancel();
    });
    let started = Instant::now();
    let opts = AnalyzeOptions {
        photo_budget: Duration::from_secs(30),
        ..AnalyzeOptions::default()
    };
    let r = store.analyze(None, &opts, &NoProgress, &cancel);
    assert!(matches!(r, Err(keepsake_core::Error::Cancelled)), "{r:?}");
    assert!(
        started.elapsed() < Duration::from_millis(1500),
        "mid-photo cancel"
    );
}

/// Faces (asset index, box) and people (sets of faces) as the harness prints them.
type Cli = (
    BTreeSet<(usize, [i64; 4])>,
    BTreeSet<BTreeSet<(usize, [i64; 4])>>,
);

fn cli_found(db: &Path, index_of: &dyn Fn(&str) -> usize) -> Cli {
    let key = |v: &serde_json::Value, asset: &str| {
        let b = ["x", "y", "w", "h"].map(|k| (v[k].as_f64().unwrap() * 2.0).round() as i64);
        (index_of(v[asset].as_str().unwrap()), b)
    };
    let mut c = common::harness(db, NOW);
    c.args(["detections", "--json"]);
    let faces = common::stdout_of(c)
        .lines()
        .map(|l| key(&serde_json::from_str(l).unwrap(), "asset"))
        .collect();
    let mut c = common::harness(db, NOW);
    c.args(["people", "--json"]);
    let people = common::stdout_of(c)
        .lines()
        .map(|l| {
            let p: serde_json::Value = serde_json::from_str(l).unwrap();
            p["faces"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| key(f, "asset"))
                .collect()
        })
        .collect();
    (faces, people)
}

#[test]
fn the_harness_plays_host_and_finds_what_the_folder_scan_finds() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let tmp = TempDir::new("host-cli");
    let files = roll(&shared, &tmp.join("roll"));
    let models = shared.join("models");
    let run = |db: &Path, args: &[&str]| {
        let mut c = common::harness(db, NOW);
        c.args(args);
        common::stdout_of(c)
    };
    let analyze = |db: &Path, extra: &[&str]| -> serde_json::Value {
        run(db, &["consent", "grant", "all"]);
        let mut args = vec![
            "analyze",
            "--model",
            models.join("retinaface_mnet025.onnx").to_str().unwrap(),
            "--embedder",
            models
                .join("face_embed_dlib_resnet_v1.onnx")
                .to_str()
                .unwrap(),
            "--json",
        ]
        .into_iter()
        .map(String::from)
        .collect::<Vec<_>>();
        args.extend(extra.iter().map(|s| s.to_string()));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        serde_json::from_str(run(db, &args).trim()).unwrap()
    };

    let folder = tmp.join("folder.db");
    run(&folder, &["scan", tmp.join("roll").to_str().unwrap()]);
    analyze(&folder, &[]);
    let expected = cli_found(&folder, &|name: &str| name[4..7].parse().unwrap());
    assert!(
        expected.0.len() >= 30 && expected.1.len() >= 10,
        "{expected:?}"
    );

    // The host's view: bare records with opaque ids, and the map the harness answers from
    // (relative to the map's folder).
    let records: String = bare_records(&files)
        .iter()
        .map(|(_, r)| serde_json::to_string(r).unwrap() + "\n")
        .collect();
    std::fs::write(tmp.join("records.jsonl"), records).unwrap();
    let map: String = (0..files.len())
        .map(|i| {
            format!(
                "{{\"id\": \"{}\", \"path\": \"roll/IMG_{i:03}.jpg\"}}\n",
                content_id(i)
            )
        })
        .collect();
    std::fs::write(tmp.join("map.jsonl"), map).unwrap();
    let host_index =
        |id: &str| -> usize { id.rsplit('/').next().unwrap().parse::<usize>().unwrap() - 1000 };
    for mode in ["encoded", "rgba"] {
        let db = tmp.join(&format!("{mode}.db"));
        run(
            &db,
            &[
                "sync",
                "--records",
                tmp.join("records.jsonl").to_str().unwrap(),
            ],
        );
        let map = tmp.join("map.jsonl");
        let report = analyze(
            &db,
            &[
                "--host-pixels",
                map.to_str().unwrap(),
                "--host-pixels-mode",
                mode,
            ],
        );
        assert_eq!(report["need_host_pixels"], 0, "{report}");
        assert_eq!(report["analysed"], files.len(), "{report}");
        // Bare records: the sizes only the bytes tell (and, encoded, time and place).
        let filled = if mode == "encoded" { files.len() } else { 0 };
        assert_eq!(report["metadata_filled"], filled, "{report}");
        if mode == "rgba" {
            // Without the record's size the faces are in the answer's pixels: compare
            // the count per photo and the people's shape, not the boxes.
            let (faces, people) = cli_found(&db, &host_index);
            let per_photo = |f: &BTreeSet<(usize, [i64; 4])>| {
                f.iter().fold(BTreeMap::new(), |mut m, (i, _)| {
                    *m.entry(*i).or_insert(0) += 1;
                    m
                })
            };
            assert_eq!(per_photo(&faces), per_photo(&expected.0));
            let sizes = |p: &BTreeSet<BTreeSet<(usize, [i64; 4])>>| {
                let mut v: Vec<usize> = p.iter().map(BTreeSet::len).collect();
                v.sort();
                v
            };
            assert_eq!(sizes(&people), sizes(&expected.1));
        } else {
            assert_eq!(cli_found(&db, &host_index), expected);
        }
    }

    // A bad map is a clear error naming the line; nothing is analysed.
    std::fs::write(
        tmp.join("bad.jsonl"),
        "{\"id\": \"x\", \"path\": \"a\"}\n{\"id\": 3}\n",
    )
    .unwrap();
    let out = common::harness(&tmp.join("bad.db"), NOW)
        .args(["analyze", "--no-faces", "--host-pixels"])
        .arg(tmp.join("bad.jsonl"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("line 2"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
