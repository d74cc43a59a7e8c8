//! Privacy, end to end: the whole pipeline runs with no network at all; "forget this
//! photo" leaves no byte of it in any database file and indexing never brings it back;
//! "don't include me" keeps a face's photos out of every suggestion, through revocation
//! and re-analysis; the export holds every table; the audit log says what was processed
//! without naming any photo; a damaged store is detected at open and rebuilt.
#![allow(clippy::unwrap_used, clippy::print_stdout)]

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{open, stdout_of, TempDir};
use keepsake_core::analysis::AnalyzeOptions;
use keepsake_core::vision::detect::FaceModel;
use keepsake_core::{
    CancelToken, Config, Error, FixedClock, Keepsake, NoProgress, ScanOptions, Scope,
};

const NOW: &str = "2025-06-10T12:00:00Z";

/// The shared face photos with camera EXIF times spread over the two weeks before NOW
/// (a few outings a day), plus one under a unique name to forget later.
fn photos(tmp: &TempDir, shared: &Path) -> PathBuf {
    let dir = tmp.join("photos");
    fs::create_dir_all(&dir).unwrap();
    let mut names: Vec<PathBuf> = ["dlib_pascal_voc", "wider_val_416"]
        .iter()
        .flat_map(|set| {
            fs::read_dir(shared.join("data/faces").join(set).join("images"))
                .unwrap()
                .map(|e| e.unwrap().path())
        })
        .collect();
    names.sort();
    names.truncate(60);
    let first = names[0].clone();
    names.push(first);
    let last = names.len() - 1;
    for (i, p) in names.iter().enumerate() {
        let spec = keepsake_harness::synth::ExifSpec {
            datetime_original: Some(format!(
                "2025:05:{:02} {:02}:{:02}:00",
                27 + i % 4,
                9 + (i / 4) % 3 * 4,
                (i * 7) % 60
            )),
            make: Some("Keepsake".into()),
            ..Default::default()
        };
        let bytes = keepsake_harness::synth::with_exif(&fs::read(p).unwrap(), &spec).unwrap();
        let name = if i == last {
            "forget_me_7f3a.jpg".to_string()
        } else {
            p.file_name().unwrap().to_string_lossy().into_owned()
        };
        fs::write(dir.join(name), bytes).unwrap();
    }
    dir
}

fn harness(db: &Path, args: &[&str]) -> Command {
    let mut c = common::harness(db, NOW);
    c.args(args);
    c
}

fn all_bytes(store: &Keepsake) -> Vec<u8> {
    store
        .database_files()
        .iter()
        .filter_map(|p| fs::read(p).ok())
        .flatten()
        .collect()
}

fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

/// The photos indexed, with every consent granted.
fn consented_store(tmp: &TempDir, shared: &Path) -> (Keepsake, PathBuf) {
    let dir = photos(tmp, shared);
    let store = open(&tmp.join("k.db"), "UTC", NOW);
    store
        .scan_folder(
            &dir,
            ScanOptions::default(),
            &NoProgress,
            &CancelToken::new(),
        )
        .unwrap();
    for s in Scope::ALL {
        store.grant_consent(s).unwrap();
    }
    (store, dir)
}

fn analysed_store(tmp: &TempDir, shared: &Path) -> (Keepsake, PathBuf) {
    let (store, dir) = consented_store(tmp, shared);
    let model = FaceModel::load_path(&shared.join("models/retinaface_mnet025.onnx")).unwrap();
    store
        .analyze(
            Some(&model),
            &AnalyzeOptions::default(),
            &NoProgress,
            &CancelToken::new(),
        )
        .unwrap();
    (store, dir)
}

#[test]
fn the_pipeline_runs_in_a_network_namespace_with_no_interfaces() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    if !Command::new("unshare")
        .args(["-n", "true"])
        .status()
        .is_ok_and(|s| s.success())
    {
        println!("skipped: this kernel refuses a network namespace (unshare -n)");
        return;
    }
    let tmp = TempDir::new("netns");
    let dir = photos(&tmp, &shared);
    let db = tmp.join("k.db");
    let model = shared.join("models/retinaface_mnet025.onnx");
    let steps: Vec<Vec<String>> = vec![
        vec!["scan".into(), dir.display().to_string()],
        vec!["consent".into(), "grant".into(), "all".into()],
        vec![
            "analyze".into(),
            "--model".into(),
            model.display().to_string(),
            "--embedder".into(),
            model
                .with_file_name("face_embed_dlib_resnet_v1.onnx")
                .display()
                .to_string(),
        ],
        vec!["people".into(), "--json".into()],
        vec!["suggest".into(), "--json".into()],
        vec!["export".into()],
        vec!["audit".into()],
    ];
    // Inside the namespace there is not even a loopback interface up.
    let ip = Command::new("unshare")
        .args(["-n", "cat", "/proc/net/dev"])
        .output()
        .unwrap();
    let interfaces = String::from_utf8_lossy(&ip.stdout)
        .lines()
        .count()
        .saturating_sub(2);
    for step in steps {
        let mut c = Command::new("unshare");
        c.arg("-n")
            .arg(env!("CARGO_BIN_EXE_keepsake"))
            .arg("--db")
            .arg(&db)
            .arg("--now")
            .arg(NOW)
            .args(&step);
        let out = stdout_of(c);
        if step[0] == "export" {
            let v: serde_json::Value = serde_json::from_str(&out).unwrap();
            assert!(!v["tables"]["faces"].as_array().unwrap().is_empty());
        }
    }
    println!("scan, consent, analyze, suggest, export, audit: all done in a network namespace ({interfaces} interface(s), none up)");
}

#[test]
fn forgetting_a_photo_leaves_no_byte_and_indexing_never_brings_it_back() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let tmp = TempDir::new("forget");
    let (store, dir) = analysed_store(&tmp, &shared);
    store.suggestions(None, &[]).unwrap();
    let name = "forget_me_7f3a";
    assert!(contains(&all_bytes(&store), name));
    let faces_before = store.faces().unwrap().len();
    let theirs = store
        .faces()
        .unwrap()
        .iter()
        .filter(|f| f.asset.contains(name))
        .count();
    assert!(theirs > 0, "the photo to forget has faces");
    let assets_before = store.assets().unwrap().len();

    let r = store.forget(&[format!("{name}.jpg")]).unwrap();
    assert_eq!(r.rows_deleted, 1);
    assert!(
        !contains(&all_bytes(&store), name),
        "its name is still in a database file"
    );
    let wal = &store.database_files()[1];
    assert_eq!(
        fs::metadata(wal).map(|m| m.len()).unwrap_or(0),
        0,
        "WAL not truncated"
    );
    assert_eq!(store.faces().unwrap().len(), faces_before - theirs);
    assert_eq!(store.assets().unwrap().len(), assets_before - 1);
    let gone = store.faces().unwrap();
    assert!(gone.iter().all(|f| !f.asset.contains(name)));
    for s in store.suggestions(None, &[]).unwrap() {
        assert!(s.assets.iter().all(|a| gone
            .iter()
            .all(|f| f.asset_id != *a || !f.asset.contains(name))));
    }
    // The file is still there: scanning skips it, and says so.
    let again = store
        .scan_folder(
            &dir,
            ScanOptions::default(),
            &NoProgress,
            &CancelToken::new(),
        )
        .unwrap();
    assert_eq!((again.sync.forgotten, again.sync.added), (1, 0));
    assert!(!contains(&all_bytes(&store), name));
    // Forgetting something unknown is harmless.
    assert_eq!(store.forget(&["nope.jpg".into()]).unwrap().rows_deleted, 0);
}

#[test]
fn an_excluded_face_keeps_its_photo_out_of_every_suggestion_for_good() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let tmp = TempDir::new("exclude");
    let (store, _) = analysed_store(&tmp, &shared);
    let faces = store.faces().unwrap();
    let used: Vec<i64> = store
        .suggestions(None, &[])
        .unwrap()
        .into_iter()
        .flat_map(|s| s.assets)
        .collect();
    // A face in a photo that suggestions use.
    let target = faces
        .iter()
        .find(|f| used.contains(&f.asset_id))
        .expect("a suggested photo with a face");
    let photo = target.asset_id;
    // All or nothing: a known face beside an unknown id changes nothing; the error
    // names the unknown id.
    let other = faces
        .iter()
        .find(|f| f.id != target.id)
        .expect("a second face");
    match store.exclude_faces(&[other.id, i64::MAX]) {
        Err(Error::InvalidArgument(why)) => assert!(why.contains(&i64::MAX.to_string()), "{why}"),
        r => panic!("{r:?}"),
    }
    assert!(
        store.faces().unwrap().iter().all(|f| !f.excluded),
        "nothing excluded"
    );
    assert_eq!(store.exclude_faces(&[target.id]).unwrap(), 1);
    assert!(matches!(
        store.exclude_faces(&[i64::MAX]),
        Err(Error::InvalidArgument(_))
    ));
    let check = |store: &Keepsake| {
        let all = store.suggestions(None, &[]).unwrap();
        assert!(!all.is_empty());
        for s in all {
            assert!(!s.assets.contains(&photo), "{} still in {}", photo, s.id);
            assert_ne!(s.cover, photo);
        }
    };
    check(&store);
    assert!(store
        .faces()
        .unwrap()
        .iter()
        .any(|f| f.excluded && f.asset_id == photo));
    // Revoking face data and analysing again: the wish holds.
    store.revoke_consent(Scope::Faces).unwrap();
    check(&store);
    store.grant_consent(Scope::Faces).unwrap();
    let model = FaceModel::load_path(&shared.join("models/retinaface_mnet025.onnx")).unwrap();
    store
        .analyze(
            Some(&model),
            &AnalyzeOptions::default(),
            &NoProgress,
            &CancelToken::new(),
        )
        .unwrap();
    check(&store);
}

#[test]
fn the_export_holds_every_table_and_the_audit_log_names_no_photo() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let tmp = TempDir::new("export");
    let (store, _) = analysed_store(&tmp, &shared);
    let face = store.faces().unwrap()[0].id;
    store.exclude_faces(&[face]).unwrap();
    store.forget(&["forget_me_7f3a.jpg".into()]).unwrap();
    assert!(!store.suggestions(None, &[]).unwrap().is_empty());
    let doc = store.export().unwrap();
    let c = rusqlite::Connection::open(tmp.join("k.db")).unwrap();
    let tables: Vec<String> = c
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for t in &tables {
        let rows = doc["tables"][t]
            .as_array()
            .unwrap_or_else(|| panic!("{t} missing"));
        let n: i64 = c
            .query_row(&format!("SELECT count(*) FROM \"{t}\""), [], |r| r.get(0))
            .unwrap();
        // The export itself is audited after its snapshot was taken.
        let expected = if t == "audit_log" { n - 1 } else { n };
        assert_eq!(rows.len() as i64, expected, "{t}");
    }
    for part in ["moments", "suggestions"] {
        assert!(
            !doc["computed"][part].as_array().unwrap().is_empty(),
            "{part}"
        );
    }
    for t in [
        "faces",
        "photo_signals",
        "consent_log",
        "face_exclusions",
        "audit_log",
    ] {
        assert!(
            !doc["tables"][t].as_array().unwrap().is_empty(),
            "{t} is empty"
        );
    }
    let audit = store.audit_log().unwrap();
    let actions: Vec<&str> = audit.iter().map(|e| e.action.as_str()).collect();
    for a in [
        "index",
        "consent_grant",
        "analysis",
        "exclude_faces",
        "forget",
        "export",
    ] {
        assert!(actions.contains(&a), "{a} not in {actions:?}");
    }
    let analysis = audit.iter().find(|e| e.action == "analysis").unwrap();
    assert_eq!(analysis.model_sha256.as_deref().map(str::len), Some(64));
    assert_eq!(analysis.consent, "faces,pixels,suggestions");
    let text = serde_json::to_string(&audit).unwrap();
    for asset in store.assets().unwrap() {
        let stem = Path::new(&asset.asset.source_id)
            .file_stem()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        assert!(!text.contains(&stem), "the audit log names {stem}");
    }
    // The harness shows the same log.
    drop(store);
    let out = stdout_of(harness(&tmp.join("k.db"), &["audit", "--json"]));
    assert_eq!(out.lines().count(), audit.len());
}

#[test]
fn a_damaged_store_is_detected_at_open_and_rebuilt() {
    let tmp = TempDir::new("damaged");
    type Damage = fn(&mut Vec<u8>);
    let cases: [(&str, Damage); 3] = [
        ("truncated", |b| b.truncate(b.len() / 2)),
        ("garbage pages", |b| {
            let n = b.len();
            for (i, x) in b[4096..n - 1].iter_mut().enumerate() {
                *x = (i * 31 % 251) as u8;
            }
        }),
        ("garbage header", |b| b[..100].fill(0x5A)),
    ];
    for (what, damage) in cases {
        let db = tmp.join(&format!("{}.db", what.replace(' ', "_")));
        {
            let store = open(&db, "UTC", NOW);
            let dir = tmp.join("few");
            fs::create_dir_all(&dir).unwrap();
            for i in 0..300 {
                fs::write(
                    dir.join(format!("IMG_{i:04}.jpg")),
                    keepsake_harness::synth::jpeg_header(
                        4000,
                        3000,
                        &keepsake_harness::synth::ExifSpec {
                            datetime_original: Some(format!("2025:06:{:02} 10:00:00", 1 + i % 28)),
                            ..Default::default()
                        },
                    ),
                )
                .unwrap();
            }
            store
                .scan_folder(
                    &dir,
                    ScanOptions::default(),
                    &NoProgress,
                    &CancelToken::new(),
                )
                .unwrap();
            store.grant_consent(Scope::Suggestions).unwrap();
        }
        let mut bytes = fs::read(&db).unwrap();
        damage(&mut bytes);
        fs::write(&db, &bytes).unwrap();
        let config = || Config {
            zone: keepsake_core::DeviceZone::UTC,
            clock: std::sync::Arc::new(FixedClock(common::utc(NOW))),
        };
        assert!(
            matches!(Keepsake::open(&db, config()), Err(Error::CorruptStore(_))),
            "{what}: not detected at open"
        );
        let (store, rebuilt) = Keepsake::open_or_rebuild(&db, config()).unwrap();
        let rebuilt = rebuilt.unwrap_or_else(|| panic!("{what}: not rebuilt"));
        assert!(rebuilt.erased_bytes > 0);
        // A fresh store: no consent, nothing indexed; indexing again works.
        assert!(store.require_consent(Scope::Suggestions).is_err());
        let r = store
            .scan_folder(
                &tmp.join("few"),
                ScanOptions::default(),
                &NoProgress,
                &CancelToken::new(),
            )
            .unwrap();
        assert_eq!(r.sync.added, 300, "{what}");
        assert_eq!(store.audit_log().unwrap()[0].action, "rebuild");
        println!(
            "{what}: detected ({}), {} bytes erased, rebuilt",
            rebuilt.reason, rebuilt.erased_bytes
        );
        // The harness reports it too, once, and goes on.
        drop(store);
        let mut b = fs::read(&db).unwrap();
        b.truncate(b.len() / 3);
        fs::write(&db, &b).unwrap();
        let out = harness(&db, &["consent", "status"]).output().unwrap();
        assert!(out.status.success());
        assert!(String::from_utf8_lossy(&out.stderr).contains("damaged"));
    }
}

#[test]
fn exports_and_suggestions_read_consistent_snapshots_while_analysis_writes() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let tmp = TempDir::new("snapshots");
    let (store, _) = consented_store(&tmp, &shared);
    let model = FaceModel::load_path(&shared.join("models/retinaface_mnet025.onnx")).unwrap();
    let opts = AnalyzeOptions {
        threads: 2,
        batch: 4,
        ..AnalyzeOptions::default()
    };
    let done = std::sync::atomic::AtomicBool::new(false);
    let (mut exports, mut suggestion_reads, mut partial) = (0, 0, 0);
    std::thread::scope(|s| {
        s.spawn(|| {
            store
                .analyze(Some(&model), &opts, &NoProgress, &CancelToken::new())
                .unwrap();
            done.store(true, std::sync::atomic::Ordering::SeqCst);
        });
        while !done.load(std::sync::atomic::Ordering::SeqCst) {
            let doc = store.export().unwrap();
            let t = &doc["tables"];
            let analysed: std::collections::HashSet<i64> = t["face_analysis"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["asset_id"].as_i64().unwrap())
                .collect();
            // Within one snapshot: every face belongs to a committed face analysis, and
            // pixels and faces of a photo are committed together.
            for f in t["faces"].as_array().unwrap() {
                assert!(analysed.contains(&f["asset_id"].as_i64().unwrap()));
            }
            let signals_ok = t["photo_signals"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|r| r["error"].is_null())
                .count();
            assert_eq!(signals_ok, analysed.len());
            if !analysed.is_empty() && analysed.len() < 61 {
                partial += 1;
            }
            exports += 1;
            store.suggestions(None, &[]).unwrap();
            suggestion_reads += 1;
        }
    });
    println!("{exports} exports and {suggestion_reads} suggestion runs during the analysis, {partial} saw it half-done; every snapshot consistent");
    assert!(
        partial >= 2,
        "the reads did not overlap the writes ({partial})"
    );
}
