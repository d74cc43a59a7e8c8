//! `keepsake faces`: face detection on files, without a store (no consent involved:
//! nothing is kept). Coordinates are in pixels of the upright original image.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use keepsake_core::metadata::probe_path;
use keepsake_core::vision::decode::{decode_file, DecodeOptions, Hint};
use keepsake_core::vision::detect::{DetectParams, FaceModel};
use serde_json::json;

pub(crate) fn images(paths: &[PathBuf]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut entries: Vec<PathBuf> = walk(p);
            entries.sort();
            out.extend(entries);
        } else {
            out.push(p.clone());
        }
    }
    out
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for e in rd.flatten() {
        let p = e.path();
        match e.file_type() {
            Ok(t) if t.is_dir() => out.extend(walk(&p)),
            Ok(t) if t.is_file() => out.push(p),
            _ => {}
        }
    }
    out
}

pub fn run(
    paths: &[PathBuf],
    model: &Path,
    json: bool,
    size: u32,
) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let model =
        FaceModel::load_path(model).map_err(|e| format!("cannot load the face model: {e}"))?;
    let params = DetectParams::for_kind(model.kind());
    let opts = DecodeOptions {
        long_side: size,
        ..DecodeOptions::default()
    };
    let mut out = std::io::stdout().lock();
    let mut failed = 0;
    for path in images(paths) {
        let probe = probe_path(&path);
        let hint = Hint {
            orientation: probe.exif.orientation,
            thumbnail: probe.thumbnail,
        };
        let result = decode_file(&path, hint, &opts)
            .map_err(|e| e.kind().to_string())
            .and_then(|d| {
                model
                    .detect(&d.image, &params)
                    .map(|f| (d, f))
                    .map_err(|e| e.to_string())
            });
        match result {
            Ok((d, faces)) => {
                let scale = d.scale() as f32;
                let faces: Vec<_> = faces
                    .into_iter()
                    .map(|f| f.scaled(scale))
                    .map(|f| json!({"x": f.x, "y": f.y, "w": f.w, "h": f.h, "score": f.score, "landmarks": f.landmarks}))
                    .collect();
                if json {
                    let v = json!({"path": path, "width": d.original_width, "height": d.original_height, "faces": faces});
                    writeln!(out, "{v}")?;
                } else {
                    writeln!(out, "{}: {} faces", path.display(), faces.len())?;
                }
            }
            Err(kind) => {
                failed += 1;
                if json {
                    writeln!(out, "{}", json!({"path": path, "error": kind}))?;
                } else {
                    writeln!(out, "{}: error {kind}", path.display())?;
                }
            }
        }
    }
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
