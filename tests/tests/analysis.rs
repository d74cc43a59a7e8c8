//! The analysis job on real photos: consent, exactly-once across cancel and resume,
//! model changes, near-duplicates, failures not retried, revocation.
#![allow(clippy::unwrap_used, clippy::print_stdout)]

mod common;

use std::fs;

use common::{count, open, TempDir};
use keepsake_core::analysis::AnalyzeOptions;
use keepsake_core::vision::detect::FaceModel;
use keepsake_core::{CancelToken, Error, NoProgress, Progress, ScanOptions, Scope};

#[test]
fn analysis_runs_once_per_photo_resumes_and_follows_the_model() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let tmp = TempDir::new("analysis");
    let photos = tmp.join("photos");
    fs::create_dir_all(&photos).unwrap();
    let src = shared.join("data/faces/dlib_pascal_voc/images");
    let mut names: Vec<_> = fs::read_dir(&src)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    names.sort();
    for n in &names {
        fs::copy(src.join(n), photos.join(n)).unwrap();
    }
    // A re-saved copy of one photo: a near-duplicate.
    fs::copy(src.join(&names[0]), photos.join("copy_of_first.jpg")).unwrap();
    // Indexes fine (valid header), cannot be decoded (no image data).
    let header_only = keepsake_harness::synth::jpeg_header(
        800,
        600,
        &keepsake_harness::synth::ExifSpec::default(),
    );
    fs::write(photos.join("broken.jpg"), header_only).unwrap();
    let db = tmp.join("k.db");
    let store = open(&db, "UTC", "2025-06-10T12:00:00Z");
    store
        .scan_folder(
            &photos,
            ScanOptions::default(),
            &NoProgress,
            &CancelToken::new(),
        )
        .unwrap();
    let n = names.len() as u64 + 1;

    let retina = FaceModel::load_path(&shared.join("models/retinaface_mnet025.onnx")).unwrap();
    let yunet = FaceModel::load_path(&shared.join("models/yunet_s_dynamic.onnx")).unwrap();
    let opts = AnalyzeOptions {
        batch: 2,
        threads: 2,
        ..AnalyzeOptions::default()
    };
    let run = |m: Option<&FaceModel>,
               cancel: &CancelToken,
               listener: &dyn keepsake_core::ProgressListener| {
        store.analyze(m, &opts, listener, cancel)
    };

    // Consent first: nothing is read before it.
    assert!(matches!(
        run(None, &CancelToken::new(), &NoProgress),
        Err(Error::ConsentRequired(Scope::Pixels))
    ));
    store.grant_consent(Scope::Pixels).unwrap();
    assert!(matches!(
        run(Some(&retina), &CancelToken::new(), &NoProgress),
        Err(Error::ConsentRequired(Scope::Faces))
    ));
    store.grant_consent(Scope::Faces).unwrap();
    assert_eq!(count(&db, "SELECT count(*) FROM photo_signals"), 0);

    // Cancel after the first committed batch; the work done so far is kept.
    let cancel = CancelToken::new();
    let c2 = cancel.clone();
    let stop = move |p: Progress| {
        if p.done >= 2 {
            c2.cancel();
        }
    };
    assert!(matches!(
        run(Some(&retina), &cancel, &stop),
        Err(Error::Cancelled)
    ));
    let first = count(&db, "SELECT count(*) FROM photo_signals");
    assert!(
        first >= 2 && (first as u64) < n + 1,
        "committed before cancelling: {first}"
    );

    // Resume: the rest, each photo exactly once.
    let r = run(Some(&retina), &CancelToken::new(), &NoProgress).unwrap();
    assert_eq!(r.analysed + r.failed + first as u64, n + 1, "{r:?}");
    assert_eq!(
        count(&db, "SELECT count(*) FROM photo_signals"),
        n as i64 + 1
    );
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM photo_signals WHERE error IS NOT NULL"
        ),
        1,
        "the broken file"
    );
    assert_eq!(r.duplicate_groups, 1);
    assert_eq!(count(&db, "SELECT count(DISTINCT duplicate_group) FROM photo_signals WHERE duplicate_group IS NOT NULL"), 1);
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM photo_signals WHERE duplicate_group IS NOT NULL"
        ),
        2
    );
    let faces = count(&db, "SELECT count(*) FROM faces");
    assert!(faces >= 45, "43 labelled faces + the copy's: {faces}");

    // Nothing is analysed twice; the broken file is not retried.
    let again = run(Some(&retina), &CancelToken::new(), &NoProgress).unwrap();
    assert_eq!((again.analysed, again.failed), (0, 0));

    // Another model: faces are analysed again, with the new model only.
    let r = run(Some(&yunet), &CancelToken::new(), &NoProgress).unwrap();
    assert_eq!(r.analysed, n);
    assert_eq!(
        count(
            &db,
            &format!(
                "SELECT count(*) FROM faces WHERE model_sha256 != '{}'",
                yunet.sha256()
            )
        ),
        0
    );
    assert_eq!(count(&db, "SELECT count(*) FROM face_analysis"), n as i64);

    // Revoking faces erases faces and face bookkeeping, not pixel signals.
    store.revoke_consent(Scope::Faces).unwrap();
    assert_eq!(
        count(&db, "SELECT count(*) FROM faces") + count(&db, "SELECT count(*) FROM face_analysis"),
        0
    );
    assert_eq!(
        count(&db, "SELECT count(*) FROM photo_signals"),
        n as i64 + 1
    );

    // A changed file is analysed again (its old results were purged on re-scan).
    fs::copy(src.join(&names[1]), photos.join(&names[2])).unwrap();
    store
        .scan_folder(
            &photos,
            ScanOptions::default(),
            &NoProgress,
            &CancelToken::new(),
        )
        .unwrap();
    let r = run(None, &CancelToken::new(), &NoProgress).unwrap();
    assert_eq!(r.analysed, 1);
}
