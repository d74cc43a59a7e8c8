//! People end to end on real faces (../shared): a camera roll made from the dlib VOC group
//! photos (each photo in up to four shots: crops, a mirror, other days), faces detected,
//! described and grouped; the user's word survives re-grouping; "don't include me" keeps
//! a person's photos out of every suggestion and collage — also a new photo of them, also
//! after face data is revoked — and the store keeps no crop, name or descriptor of them
//! beyond the blocklist. Plus the labelled-set evaluation (pairwise F1 ≥ 0.9, no two faces
//! of one photo in one person).
#![allow(clippy::unwrap_used, clippy::print_stdout)]

mod common;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use keepsake_core::collage::{LayoutOptions, Shape, Template};
use keepsake_core::people::{Embedder, PeopleOptions, Regroup};
use keepsake_core::vision::detect::FaceModel;
use keepsake_core::{CancelToken, Keepsake, NoProgress, ScanOptions, Scope};

const NOW: &str = "2026-11-20T12:00:00Z";

fn models(shared: &Path) -> (FaceModel, Embedder) {
    let m = shared.join("models");
    (
        FaceModel::load_path(&m.join("retinaface_mnet025.onnx")).unwrap(),
        Embedder::load_path(&m.join("face_embed_dlib_resnet_v1.onnx")).unwrap(),
    )
}

fn analyse(
    store: &Keepsake,
    roll: &Path,
    detector: &FaceModel,
    embedder: &Embedder,
    opts: &PeopleOptions,
) {
    let cancel = CancelToken::new();
    store
        .scan_folder(roll, ScanOptions::default(), &NoProgress, &cancel)
        .unwrap();
    store
        .analyze(Some(detector), &Default::default(), &NoProgress, &cancel)
        .unwrap();
    store
        .update_people(embedder, opts, &NoProgress, &cancel)
        .unwrap();
}

/// face id → person id.
fn assignment(store: &Keepsake) -> HashMap<i64, i64> {
    let mut out = HashMap::new();
    for p in store.people().unwrap() {
        for f in store.person_faces(p.id).unwrap() {
            out.insert(f.face_id, p.id);
        }
    }
    out
}

/// Every photo a suggestion or its collage layout shows.
fn shown(store: &Keepsake) -> HashSet<i64> {
    let mut out = HashSet::new();
    for s in store.suggestions(None, &[]).unwrap() {
        out.extend(s.assets.iter().copied());
        let layout = store
            .collage_layout(
                &s.id,
                None,
                &LayoutOptions {
                    size: 512,
                    template: Some(Template::Grid),
                    shape: Some(Shape::Square),
                    ..LayoutOptions::default()
                },
            )
            .unwrap();
        out.extend(layout.cells.iter().map(|c| c.asset_id));
    }
    out
}

/// A camera roll made from the dlib VOC photos (each in up to four shots) in a fresh
/// folder, and an empty store beside it: (folder, roll, store file, store).
fn dlib_roll(shared: &Path, tag: &str) -> (common::TempDir, PathBuf, PathBuf, Keepsake) {
    let tmp = common::TempDir::new(tag);
    let roll = tmp.join("roll");
    keepsake_harness::report::sample_library(
        &shared.join("data/faces/dlib_pascal_voc/images"),
        &roll,
        common::utc(NOW),
    )
    .unwrap();
    let db = tmp.join("k.db");
    let store = common::open(&db, "UTC", NOW);
    (tmp, roll, db, store)
}

#[test]
fn feedback_survives_regrouping_and_exclusion_keeps_a_person_out() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let (detector, embedder) = models(&shared);
    let (_tmp, roll, db, store) = dlib_roll(&shared, "people");
    // Nothing before consent.
    assert!(store.people().is_err());
    for s in Scope::ALL {
        store.grant_consent(s).unwrap();
    }
    let regroup = PeopleOptions {
        regroup: Regroup::Always,
        ..PeopleOptions::default()
    };
    analyse(&store, &roll, &detector, &embedder, &regroup);
    let people = store.people().unwrap();
    let faces = store.faces().unwrap();
    let photo_of: HashMap<i64, i64> = faces.iter().map(|f| (f.id, f.asset_id)).collect();
    println!(
        "roll: {} faces, {} people, largest {} photos",
        faces.len(),
        people.len(),
        people.first().map_or(0, |p| p.photos)
    );
    assert!(people.len() >= 5 && people[0].photos >= 3);
    // No person holds two faces of one photo.
    let before = assignment(&store);
    let mut seen: HashSet<(i64, i64)> = HashSet::new();
    for (face, person) in &before {
        assert!(
            seen.insert((*person, photo_of[face])),
            "two faces of one photo in one person"
        );
    }

    // The user's word, then a full re-grouping: it holds.
    let a = people.iter().find(|p| p.faces >= 3).unwrap().id;
    let a_faces: Vec<i64> = store
        .person_faces(a)
        .unwrap()
        .iter()
        .map(|f| f.face_id)
        .collect();
    let split_off = a_faces[0];
    let b = store.split_person(a, &[split_off]).unwrap();
    let rejected = a_faces[1];
    store.reject_face(rejected).unwrap();
    let (c, d) = {
        let others: Vec<i64> = people.iter().map(|p| p.id).filter(|id| *id != a).collect();
        (others[0], others[1])
    };
    // Merging needs no shared photo; pick two people that are never together.
    let photos = |id: i64| -> HashSet<i64> {
        store
            .person_faces(id)
            .unwrap()
            .iter()
            .map(|f| f.asset_id)
            .collect()
    };
    let (c, d) = if photos(c).is_disjoint(&photos(d)) {
        (c, d)
    } else {
        let others: Vec<i64> = people
            .iter()
            .map(|p| p.id)
            .filter(|id| *id != a && *id != c)
            .collect();
        (
            c,
            *others
                .iter()
                .find(|o| photos(c).is_disjoint(&photos(**o)))
                .unwrap(),
        )
    };
    let d_faces: Vec<i64> = store
        .person_faces(d)
        .unwrap()
        .iter()
        .map(|f| f.face_id)
        .collect();
    store.merge_people(c, d).unwrap();
    assert!(matches!(
        store.person(d),
        Err(keepsake_core::Error::NotFound(_))
    ));
    store.name_person(c, Some("Zelda Quux")).unwrap();
    analyse(&store, &roll, &detector, &embedder, &regroup);
    let after = assignment(&store);
    assert_eq!(
        after.get(&split_off),
        Some(&b),
        "the split face stays with its new person"
    );
    assert!(
        a_faces[2..].iter().all(|f| after.get(f) != Some(&b)),
        "nothing else of A went with it"
    );
    assert_ne!(
        after.get(&rejected),
        Some(&a),
        "a rejected face never comes back"
    );
    assert!(
        d_faces.iter().all(|f| after.get(f) == Some(&c)),
        "merged faces stay merged"
    );
    assert_eq!(store.person(c).unwrap().name.as_deref(), Some("Zelda Quux"));

    // The user moves one of C's faces to someone else: excluding C must not take it back.
    let moved = store.person_faces(c).unwrap().last().unwrap().clone();
    let in_that_photo: HashSet<i64> = after
        .iter()
        .filter(|(f, _)| photo_of[*f] == moved.asset_id)
        .map(|(_, p)| *p)
        .collect();
    let clash = *in_that_photo.iter().find(|p| **p != c).unwrap_or(&c);
    if clash != c {
        assert!(matches!(
            store.assign_face(moved.face_id, clash),
            Err(keepsake_core::Error::InvalidArgument(_))
        ));
    }
    let target = people
        .iter()
        .map(|p| p.id)
        .find(|p| *p != c && *p != d && !in_that_photo.contains(p) && store.person(*p).is_ok())
        .unwrap();
    store.assign_face(moved.face_id, target).unwrap();

    // Don't include me: the named person C, whose photos are in suggestions now.
    let c_photos = photos(c);
    assert!(
        !shown(&store).is_disjoint(&c_photos),
        "C is in some suggestion before"
    );
    store.exclude_person(c, true).unwrap();
    let shown_now = shown(&store);
    assert!(
        shown_now.is_disjoint(&c_photos),
        "no suggestion or collage shows C"
    );
    assert!(!shown_now.is_empty(), "other photos are still suggested");
    // Only descriptors in the blocklist: no name, no crop, no descriptor of C's faces.
    let listed = store.person(c).unwrap();
    assert!(listed.excluded && listed.name.is_none() && listed.cover.is_none());
    assert!(store.person_faces(c).unwrap().is_empty());
    assert!(!common::db_bytes(&store)
        .windows(10)
        .any(|w| w == b"Zelda Quux"));
    let blocklist = common::count(&db, "SELECT count(*) FROM person_blocklist");
    assert!((1..=32).contains(&blocklist));
    assert_eq!(
        common::count(
            &db,
            &format!(
                "SELECT count(*) FROM face_embeddings e JOIN face_persons fp ON fp.face_id = e.face_id
                 WHERE fp.person_id = {c} AND e.embedding IS NOT NULL"
            )
        ),
        0
    );
    // Every blob in the store is a landmark set (40 bytes), a descriptor (512) or the 12
    // perceptual hashes that find edited copies (96): no pixels anywhere.
    let conn = rusqlite::Connection::open(&db).unwrap();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    for t in tables {
        let cols: Vec<String> = conn
            .prepare(&format!("SELECT name FROM pragma_table_info('{t}')"))
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        for col in cols {
            let sizes: Vec<i64> = conn
                .prepare(&format!(
                    "SELECT DISTINCT length(\"{col}\") FROM \"{t}\" WHERE typeof(\"{col}\") = 'blob'"
                ))
                .unwrap()
                .query_map([], |r| r.get(0))
                .unwrap()
                .map(|r| r.unwrap())
                .collect();
            assert!(
                sizes.iter().all(|s| *s == 40
                    || *s == 512
                    || *s == keepsake_core::vision::edits::BYTES as i64),
                "{t}.{col} holds blobs of {sizes:?} bytes"
            );
        }
    }
    drop(conn);

    // A new photo of C (one of theirs, shot again): held back until described, then
    // recognised by the blocklist.
    let one = c_photos.iter().next().copied().unwrap();
    let src = store
        .assets()
        .unwrap()
        .into_iter()
        .find(|a| a.id == one)
        .unwrap()
        .asset
        .source_id;
    std::fs::copy(roll.join(&src), roll.join("zz-new-shot.jpg")).unwrap();
    let cancel = CancelToken::new();
    store
        .scan_folder(&roll, ScanOptions::default(), &NoProgress, &cancel)
        .unwrap();
    store
        .analyze(Some(&detector), &Default::default(), &NoProgress, &cancel)
        .unwrap();
    let new_id = store
        .assets()
        .unwrap()
        .into_iter()
        .find(|a| a.asset.source_id == "zz-new-shot.jpg")
        .unwrap()
        .id;
    assert!(
        !shown(&store).contains(&new_id),
        "held back before description"
    );
    let report = store
        .update_people(&embedder, &PeopleOptions::default(), &NoProgress, &cancel)
        .unwrap();
    assert!(report.excluded_matches >= 1, "{report:?}");
    assert!(!shown(&store).contains(&new_id), "recognised as C");
    assert_eq!(
        assignment(&store).get(&moved.face_id),
        Some(&target),
        "the face the user moved stays moved"
    );

    // Revoking face data erases people and descriptors; C's photos stay out.
    store.revoke_consent(Scope::Faces).unwrap();
    for t in [
        "persons",
        "person_blocklist",
        "face_embeddings",
        "face_persons",
        "people_feedback",
    ] {
        assert_eq!(
            common::count(&db, &format!("SELECT count(*) FROM {t}")),
            0,
            "{t}"
        );
    }
    let shown_now = shown(&store);
    assert!(shown_now.is_disjoint(&c_photos) && !shown_now.contains(&new_id));
}

#[test]
fn labelled_set_grouping_scores() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let tmp = common::TempDir::new("people-eval");
    let set = tmp.join("set");
    let mut make = std::process::Command::new(env!("CARGO_BIN_EXE_keepsake"));
    make.arg("people-set")
        .arg(&set)
        .arg("--from")
        .arg(shared.join("data/faces"));
    common::stdout_of(make);
    let m = shared.join("models");
    let mut eval = std::process::Command::new(env!("CARGO_BIN_EXE_keepsake"));
    eval.args(["eval", "people"])
        .arg(&set)
        .arg("--model")
        .arg(m.join("retinaface_mnet025.onnx"))
        .arg("--embedder")
        .arg(m.join("face_embed_dlib_resnet_v1.onnx"))
        .arg("--json");
    let v: serde_json::Value = serde_json::from_str(&common::stdout_of(eval)).unwrap();
    println!("{v}");
    let f = |k: &str| v[k].as_f64().unwrap();
    assert!(f("identities") >= 100.0);
    assert!(f("matched_faces") >= 0.9 * f("labelled_faces"));
    assert_eq!(f("same_photo_merges"), 0.0);
    assert!(f("pairwise_f1") >= 0.9, "pairwise F1 {}", f("pairwise_f1"));
    assert!(f("bcubed_f") >= 0.9, "BCubed F {}", f("bcubed_f"));
}

#[test]
fn people_pass_cancels_and_resumes_without_describing_a_face_twice() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let (detector, embedder) = models(&shared);
    let (_tmp, roll, db, store) = dlib_roll(&shared, "people-cancel");
    let cancel = CancelToken::new();
    store
        .scan_folder(&roll, ScanOptions::default(), &NoProgress, &cancel)
        .unwrap();
    store.grant_consent(Scope::Pixels).unwrap();
    // No processing before consent.
    assert!(matches!(
        store.update_people(&embedder, &PeopleOptions::default(), &NoProgress, &cancel),
        Err(keepsake_core::Error::ConsentRequired(_))
    ));
    store.grant_consent(Scope::Faces).unwrap();
    // No faces yet: no people, no error.
    let empty = store
        .update_people(&embedder, &PeopleOptions::default(), &NoProgress, &cancel)
        .unwrap();
    assert_eq!(
        (empty.described, empty.people, empty.regrouped),
        (0, 0, false)
    );
    assert!(store.people().unwrap().is_empty());
    store
        .analyze(Some(&detector), &Default::default(), &NoProgress, &cancel)
        .unwrap();
    let faces = store.faces().unwrap().len() as u64;
    // Cancelled at the first progress report: the first page is kept.
    let stop = CancelToken::new();
    let stopper = stop.clone();
    let first = store.update_people(
        &embedder,
        &PeopleOptions::default(),
        &move |_: keepsake_core::Progress| stopper.cancel(),
        &stop,
    );
    assert!(
        matches!(first, Err(keepsake_core::Error::Cancelled)),
        "{first:?}"
    );
    let kept = common::count(&db, "SELECT count(*) FROM face_embeddings") as u64;
    assert!(kept > 0 && kept < faces, "{kept} of {faces} kept");
    let rest = store
        .update_people(&embedder, &PeopleOptions::default(), &NoProgress, &cancel)
        .unwrap();
    assert_eq!(
        kept + rest.described + rest.failed,
        faces,
        "each face described once"
    );
    assert!(rest.people > 0);
    // Nothing left: a further pass describes nothing.
    let again = store
        .update_people(&embedder, &PeopleOptions::default(), &NoProgress, &cancel)
        .unwrap();
    assert_eq!(again.described + again.failed, 0);

    // A new shot of someone joins them incrementally (no re-grouping), and nobody else.
    let person = store
        .people()
        .unwrap()
        .into_iter()
        .find(|p| p.faces >= 2)
        .unwrap();
    let theirs = store.person_faces(person.id).unwrap();
    let src = &theirs[0].asset;
    std::fs::copy(roll.join(src), roll.join("zz-again.jpg")).unwrap();
    store
        .scan_folder(&roll, ScanOptions::default(), &NoProgress, &cancel)
        .unwrap();
    store
        .analyze(Some(&detector), &Default::default(), &NoProgress, &cancel)
        .unwrap();
    let before = assignment(&store);
    let added = store
        .update_people(&embedder, &PeopleOptions::default(), &NoProgress, &cancel)
        .unwrap();
    assert!(!added.regrouped && added.described >= 1, "{added:?}");
    let after = assignment(&store);
    assert!(
        before.iter().all(|(f, p)| after.get(f) == Some(p)),
        "nobody moved"
    );
    let new_faces: Vec<(i64, i64)> = after
        .iter()
        .filter(|(f, _)| !before.contains_key(f))
        .map(|(f, p)| (*f, *p))
        .collect();
    assert!(
        new_faces.iter().any(|(_, p)| *p == person.id),
        "the new shot's face joined person {}: {new_faces:?}",
        person.id
    );
}
