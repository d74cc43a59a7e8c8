//! Face detection accuracy against the Python reference pipeline
//! (`tests/python/keepsake_ref.py`: Pillow + onnxruntime + numpy decoding, written
//! independently): on the same images with the same model, Keepsake's AP must be within
//! one point of the reference's; and our scorer, given the reference's own detections,
//! must reproduce the reference's AP (the two evaluators agree).
#![allow(clippy::unwrap_used, clippy::print_stdout)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::TempDir;
use serde_json::Value;

/// Python with the reference's packages, or a printed reason to skip (never in CI).
fn reference_python() -> Option<PathBuf> {
    let candidates = [
        std::env::var_os("KEEPSAKE_PYTHON").map(PathBuf::from),
        Some(Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/pyenv/bin/python")),
    ];
    for p in candidates.into_iter().flatten() {
        let ok = Command::new(&p)
            .args(["-c", "import numpy, PIL, onnxruntime"])
            .output()
            .is_ok_and(|o| o.status.success());
        if ok {
            return Some(p);
        }
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "CI must provide the reference Python (scripts/python-env.sh --reference)"
    );
    println!(
        "skipped: no Python with numpy, Pillow and onnxruntime (scripts/python-env.sh --reference)"
    );
    None
}

fn json_out(mut c: Command) -> Value {
    let out = c.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn ap(v: &Value, class: &str) -> f64 {
    v[class]["ap"].as_f64().unwrap()
}

#[test]
fn ap_matches_the_python_reference_within_one_point() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let Some(python) = reference_python() else {
        return;
    };
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("python/keepsake_ref.py");
    let tmp = TempDir::new("face-eval");
    let cases = [
        (
            "wider_val_416",
            "retinaface_mnet025.onnx",
            0.5,
            "large_medium",
        ),
        ("dlib_pascal_voc", "retinaface_mnet025.onnx", 0.5, "all"),
        ("dlib_pascal_voc", "yunet_s_dynamic.onnx", 0.4, "all"),
    ];
    for (set, model, iou, class) in cases {
        let dir = shared.join("data/faces").join(set);
        let model = shared.join("models").join(model);
        let stem = model.file_stem().unwrap().to_string_lossy().into_owned();
        let dets = tmp.join(&format!("{set}-{stem}.jsonl"));
        let mut py = Command::new(&python);
        py.arg(&script)
            .arg("eval")
            .arg(&dir)
            .arg("--model")
            .arg(&model)
            .arg("--iou")
            .arg(iou.to_string())
            .arg("--detections")
            .arg(&dets);
        let theirs = json_out(py);
        let mut ours = Command::new(env!("CARGO_BIN_EXE_keepsake"));
        ours.args(["eval", "faces"])
            .arg(&dir)
            .arg("--model")
            .arg(&model)
            .arg("--iou")
            .arg(iou.to_string())
            .arg("--json");
        let ours = json_out(ours);
        let mut rescored = Command::new(env!("CARGO_BIN_EXE_keepsake"));
        rescored
            .args(["eval", "faces"])
            .arg(&dir)
            .arg("--detections")
            .arg(&dets)
            .arg("--iou")
            .arg(iou.to_string())
            .arg("--json");
        let rescored = json_out(rescored);
        for c in ["all", "large_medium", "large", "medium", "small"] {
            let (a, b) = (&theirs[c]["ap"], &rescored[c]["ap"]);
            match (a.as_f64(), b.as_f64()) {
                (Some(a), Some(b)) => assert!((a - b).abs() < 1e-9, "{set} {c}: {a} vs {b}"),
                _ => assert_eq!(a, b, "{set} {c}"),
            }
        }
        let (k, r) = (ap(&ours, class), ap(&theirs, class));
        println!(
            "{set} ({}, {class}, IoU {iou}): keepsake AP {k:.4}, reference AP {r:.4}, gap {:+.2} points; recall {:.3} vs {:.3}",
            theirs["model"].as_str().unwrap(),
            (k - r) * 100.0,
            ours[class]["recall"].as_f64().unwrap(),
            theirs[class]["recall"].as_f64().unwrap(),
        );
        assert!((k - r).abs() <= 0.01, "{set}: AP {k} vs reference {r}");
        assert!(k > 0.3, "{set}: AP {k} is implausibly low");
    }
}
