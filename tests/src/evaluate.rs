//! `keepsake eval faces DIR`: face detection scored against `DIR/annotations.jsonl`
//! (format in `../shared/data/README.md`): VOC AP overall and per size class, recall at
//! the model's operating threshold, and milliseconds per image (decode + detect).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use clap::Subcommand;
use keepsake_core::metadata::probe_path;
use keepsake_core::vision::decode::{decode_file, DecodeOptions, Hint};
use keepsake_core::vision::detect::DetectParams;
use keepsake_harness::ap::{average_precision, Detection, Scored, SizeClass, Truth};
use serde_json::{json, Value};

/// Detections are kept down to this score so the whole precision-recall curve is seen.
const AP_SCORE_FLOOR: f32 = 0.02;

#[derive(Debug, Subcommand)]
pub enum Eval {
    /// Face detection AP on a labelled folder.
    Faces {
        dir: PathBuf,
        /// ONNX face detector, YuNet or RetinaFace (default: the one
        /// `scripts/setup.sh` fetched).
        #[arg(long, conflicts_with = "detections")]
        model: Option<PathBuf>,
        /// Score these detections (JSON Lines: file, faces [{x, y, w, h, score}])
        /// instead of running a model, e.g. the Python reference's.
        #[arg(long)]
        detections: Option<PathBuf>,
        /// IoU a detection needs with a face to count.
        #[arg(long, default_value_t = 0.5)]
        iou: f64,
        /// Working size (long side) the detector sees.
        #[arg(long, default_value_t = 640)]
        size: u32,
        #[arg(long)]
        json: bool,
    },
    /// Content themes on a labelled folder (DIR/labels.jsonl: file, themes): precision
    /// and recall per theme at the default thresholds.
    Themes {
        dir: PathBuf,
        /// ONNX classifier (default: the EfficientNet-Lite0 `scripts/setup.sh` converted).
        #[arg(long)]
        classifier: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// People grouping on a labelled folder (DIR/identities.jsonl, made by
    /// `keepsake people-set`): pairwise precision, recall, F1 and BCubed F.
    People {
        dir: PathBuf,
        /// ONNX face detector (default: the one `scripts/setup.sh` fetched).
        #[arg(long)]
        model: Option<PathBuf>,
        /// ONNX face embedder (default: the one `scripts/setup.sh` put in target/models).
        #[arg(long)]
        embedder: Option<PathBuf>,
        /// IoU a detection needs with a labelled face.
        #[arg(long, default_value_t = 0.4)]
        iou: f64,
        #[arg(long)]
        json: bool,
    },
}

pub fn run(which: &Eval) -> Result<ExitCode, Box<dyn std::error::Error>> {
    match which {
        Eval::Themes {
            dir,
            classifier,
            json,
        } => {
            let classifier = classifier
                .clone()
                .or_else(crate::cli::default_classifier)
                .ok_or("no classifier: pass --classifier or run scripts/setup.sh")?;
            crate::themes_eval::eval(dir, &classifier, *json)
        }
        Eval::People {
            dir,
            model,
            embedder,
            iou,
            json,
        } => {
            let model = model
                .clone()
                .or_else(crate::cli::default_model)
                .ok_or("no face model: pass --model or run scripts/setup.sh")?;
            let embedder = embedder
                .clone()
                .or_else(crate::people_eval::default_embedder)
                .ok_or("no face embedder: pass --embedder or run scripts/setup.sh")?;
            crate::people_eval::eval(dir, &model, &embedder, *iou, *json)
        }
        Eval::Faces {
            dir,
            model,
            detections,
            iou,
            size,
            json,
        } => faces(
            dir,
            model.as_deref(),
            detections.as_deref(),
            *iou,
            *size,
            *json,
        ),
    }
}

struct Labelled {
    file: String,
    truth: Vec<Truth>,
}

fn annotations(dir: &Path) -> Result<Vec<Labelled>, Box<dyn std::error::Error>> {
    let text = std::fs::read_to_string(dir.join("annotations.jsonl"))
        .map_err(|e| format!("cannot read annotations.jsonl: {e}"))?;
    let mut out = Vec::new();
    for (n, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let v: Value =
            serde_json::from_str(line).map_err(|e| format!("annotations line {}: {e}", n + 1))?;
        let file = v["file"]
            .as_str()
            .ok_or_else(|| format!("annotations line {}: no file", n + 1))?
            .to_string();
        let mut truth = Vec::new();
        for f in v["faces"].as_array().map(Vec::as_slice).unwrap_or_default() {
            let Some([x, y, w, h]) = keepsake_harness::ap::bbox(f) else {
                return Err(format!("annotations line {}: bad bbox", n + 1).into());
            };
            if w <= 0.0 || h <= 0.0 {
                continue; // WIDER marks "no face" with a zero box
            }
            let class = f["size_class"]
                .as_str()
                .and_then(SizeClass::parse)
                .unwrap_or_else(|| SizeClass::of_height(h));
            let ignore =
                f["ignore"].as_bool().unwrap_or(false) || f["invalid"].as_i64().unwrap_or(0) != 0;
            truth.push(Truth {
                bbox: [x, y, w, h],
                class,
                ignore,
            });
        }
        out.push(Labelled { file, truth });
    }
    Ok(out)
}

fn image_path(dir: &Path, file: &str) -> PathBuf {
    let direct = dir.join(file);
    if direct.exists() {
        direct
    } else {
        dir.join("images").join(file)
    }
}

fn read_detections(
    path: &Path,
) -> Result<std::collections::HashMap<String, Vec<Detection>>, Box<dyn std::error::Error>> {
    let text = std::fs::read_to_string(path)?;
    let mut out = std::collections::HashMap::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let v: Value = serde_json::from_str(line)?;
        let file = v["file"].as_str().ok_or("detections: no file")?.to_string();
        let dets = v["faces"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .map(|f| Detection {
                bbox: ["x", "y", "w", "h"].map(|k| f[k].as_f64().unwrap_or(0.0)),
                score: f["score"].as_f64().unwrap_or(0.0),
            })
            .collect();
        out.insert(file, dets);
    }
    Ok(out)
}

fn faces(
    dir: &Path,
    model: Option<&Path>,
    detections: Option<&Path>,
    iou: f64,
    size: u32,
    as_json: bool,
) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let labelled = annotations(dir)?;
    let mut images = Vec::with_capacity(labelled.len());
    let mut elapsed = 0.0;
    let (operating, kind) = if let Some(path) = detections {
        let mut by_file = read_detections(path)?;
        for l in labelled {
            let detections = by_file.remove(&l.file).unwrap_or_default();
            images.push(Scored {
                truth: l.truth,
                detections,
            });
        }
        (0.5, Value::Null)
    } else {
        let (_, model) = crate::cli::load_model(model)?;
        let operating = DetectParams::for_kind(model.kind());
        let params = DetectParams {
            score_threshold: AP_SCORE_FLOOR,
            ..operating
        };
        let opts = DecodeOptions {
            long_side: size,
            ..DecodeOptions::default()
        };
        for l in labelled {
            let path = image_path(dir, &l.file);
            let started = Instant::now();
            let probe = probe_path(&path);
            let hint = Hint {
                orientation: probe.exif.orientation,
                thumbnail: probe.thumbnail,
            };
            let decoded =
                decode_file(&path, hint, &opts).map_err(|e| format!("{}: {}", l.file, e.kind()))?;
            let found = model.detect(&decoded.image, &params)?;
            elapsed += started.elapsed().as_secs_f64();
            let scale = decoded.scale() as f32;
            let detections = found
                .into_iter()
                .map(|f| f.scaled(scale))
                .map(|f| Detection {
                    bbox: [f.x, f.y, f.w, f.h].map(f64::from),
                    score: f64::from(f.score),
                })
                .collect();
            images.push(Scored {
                truth: l.truth,
                detections,
            });
        }
        (f64::from(operating.score_threshold), json!(model.kind()))
    };
    use SizeClass::{Large, Medium, Small};
    let classes: [(&str, &[SizeClass]); 5] = [
        ("all", &[Large, Medium, Small]),
        ("large_medium", &[Large, Medium]),
        ("large", &[Large]),
        ("medium", &[Medium]),
        ("small", &[Small]),
    ];
    let n = images.len();
    let mut result = json!({
        "images": n,
        "model": kind,
        "iou": iou,
        "ms_per_image": if detections.is_some() { Value::Null } else { json!(elapsed * 1000.0 / n.max(1) as f64) },
    });
    let mut out = std::io::stdout().lock();
    if !as_json {
        writeln!(
            out,
            "{n} images, IoU {iou}, operating threshold {operating}"
        )?;
    }
    for (name, set) in classes {
        let r = average_precision(&images, set, iou, operating);
        result[name] = match r {
            Some(r) => json!({"ap": r.ap, "recall": r.recall, "faces": r.faces}),
            None => json!({"ap": null, "recall": null, "faces": 0}),
        };
        if !as_json {
            match r {
                Some(r) => writeln!(
                    out,
                    "{name:>13}: AP {:.4}  recall {:.4}  ({} faces)",
                    r.ap, r.recall, r.faces
                )?,
                None => writeln!(out, "{name:>13}: no faces")?,
            }
        }
    }
    if as_json {
        writeln!(out, "{result}")?;
    } else if detections.is_none() {
        writeln!(
            out,
            "{:.1} ms per image (decode + detect)",
            elapsed * 1000.0 / n.max(1) as f64
        )?;
    }
    Ok(ExitCode::SUCCESS)
}
