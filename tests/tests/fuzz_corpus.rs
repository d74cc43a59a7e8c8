//! Replays the fuzz corpus (`fuzz/corpus/<target>/`, kept from the cargo-fuzz runs listed
//! in the README) and every shared real file through the same entry points the fuzz
//! targets use: none may panic or take more than 2 s.
#![allow(clippy::unwrap_used, clippy::print_stdout)]

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use keepsake_core::fuzzing;

type Target = fn(&[u8]);

const TARGETS: [(&str, Target); 8] = [
    ("metadata", fuzzing::metadata),
    ("decode", fuzzing::decode),
    ("model_output", fuzzing::model_output),
    ("records", fuzzing::records),
    ("host_pixels", fuzzing::host_pixels),
    ("restyle", fuzzing::restyle),
    ("themes", fuzzing::themes),
    ("places", fuzzing::places),
];

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(rd) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(files(&p));
        } else if p.is_file() {
            out.push(p);
        }
    }
    out.sort();
    out
}

fn replay(name: &str, target: Target, inputs: &[PathBuf]) -> (usize, Duration) {
    let mut slowest = Duration::ZERO;
    for p in inputs {
        let data = std::fs::read(p).unwrap();
        let t = Instant::now();
        target(&data);
        let took = t.elapsed();
        assert!(
            took < Duration::from_secs(2),
            "{name}: {} took {took:?}",
            p.display()
        );
        slowest = slowest.max(took);
    }
    (inputs.len(), slowest)
}

#[test]
fn the_fuzz_corpus_replays_cleanly() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus");
    for (name, target) in TARGETS {
        let inputs = files(&corpus.join(name));
        assert!(!inputs.is_empty(), "no corpus for {name}");
        let (n, slowest) = replay(name, target, &inputs);
        println!("{name}: {n} corpus inputs, slowest {slowest:?}");
    }
}

#[test]
fn every_shared_file_goes_through_every_target() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let inputs = files(&shared.join("data/photos_meta"));
    for (name, target) in TARGETS {
        let (n, slowest) = replay(name, target, &inputs);
        println!("{name}: {n} shared files, slowest {slowest:?}");
    }
}
