//! VOC-style average precision for face detection, the scorer behind `keepsake eval
//! faces`. The Python reference (`tests/python/keepsake_ref.py`) implements the same
//! definition independently; a test holds the two to the same number on the same
//! detections.
//!
//! Detections of all images are ranked by score. A detection is a true positive when the
//! best still-unmatched counted face overlaps it by at least the IoU threshold; it is
//! skipped (neither true nor false) when it only overlaps a face that is not counted
//! (marked ignore/invalid, or of another size class); otherwise it is a false positive.
//! AP is the area under the precision envelope (all-point interpolation).

use serde::Serialize;

/// Size classes: by face height, large ≥ 50 px, medium ≥ 20 px, small below (the
/// heuristic `../shared/data/README.md` uses for WIDER FACE).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SizeClass {
    Large,
    Medium,
    Small,
}

impl SizeClass {
    pub fn of_height(h: f64) -> SizeClass {
        if h >= 50.0 {
            SizeClass::Large
        } else if h >= 20.0 {
            SizeClass::Medium
        } else {
            SizeClass::Small
        }
    }

    pub fn parse(s: &str) -> Option<SizeClass> {
        match s {
            "large" => Some(SizeClass::Large),
            "medium" => Some(SizeClass::Medium),
            "small" => Some(SizeClass::Small),
            _ => None,
        }
    }
}

/// A labelled face: box (x, y, w, h).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Truth {
    pub bbox: [f64; 4],
    pub class: SizeClass,
    pub ignore: bool,
}

/// A detection: box (x, y, w, h) and score.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Detection {
    pub bbox: [f64; 4],
    pub score: f64,
}

/// One image's labels and detections.
#[derive(Debug, Clone, Default)]
pub struct Scored {
    pub truth: Vec<Truth>,
    pub detections: Vec<Detection>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ApResult {
    pub ap: f64,
    /// Recall over the detections scoring at least the operating threshold.
    pub recall: f64,
    /// Counted faces.
    pub faces: usize,
}

/// A labelled face's `"bbox": [x, y, w, h]` from an annotation line; `None` unless it is
/// four numbers.
pub fn bbox(face: &serde_json::Value) -> Option<[f64; 4]> {
    let b: Vec<f64> = face["bbox"]
        .as_array()?
        .iter()
        .filter_map(serde_json::Value::as_f64)
        .collect();
    <[f64; 4]>::try_from(b).ok()
}

pub fn iou(a: &[f64; 4], b: &[f64; 4]) -> f64 {
    let x1 = a[0].max(b[0]);
    let y1 = a[1].max(b[1]);
    let x2 = (a[0] + a[2]).min(b[0] + b[2]);
    let y2 = (a[1] + a[3]).min(b[1] + b[3]);
    let inter = (x2 - x1).max(0.0) * (y2 - y1).max(0.0);
    let union = a[2] * a[3] + b[2] * b[3] - inter;
    if union > 0.0 {
        inter / union
    } else {
        0.0
    }
}

/// AP over the faces of `classes`; `None` when no face is counted.
pub fn average_precision(
    images: &[Scored],
    classes: &[SizeClass],
    iou_threshold: f64,
    operating_threshold: f64,
) -> Option<ApResult> {
    let counted: Vec<Vec<bool>> = images
        .iter()
        .map(|im| {
            im.truth
                .iter()
                .map(|t| classes.contains(&t.class) && !t.ignore)
                .collect()
        })
        .collect();
    let npos: usize = counted
        .iter()
        .map(|c| c.iter().filter(|&&b| b).count())
        .sum();
    if npos == 0 {
        return None;
    }
    let mut ranked: Vec<(usize, usize)> = images
        .iter()
        .enumerate()
        .flat_map(|(i, im)| (0..im.detections.len()).map(move |j| (i, j)))
        .collect();
    // Highest score first; ties in image then detection order.
    ranked.sort_by(|&(i, j), &(k, l)| {
        images[k].detections[l]
            .score
            .total_cmp(&images[i].detections[j].score)
            .then((i, j).cmp(&(k, l)))
    });
    let mut matched: Vec<Vec<bool>> = images
        .iter()
        .map(|im| vec![false; im.truth.len()])
        .collect();
    // (true positive, score) per ranked detection that is not skipped.
    let mut outcomes: Vec<(bool, f64)> = Vec::new();
    for (i, j) in ranked {
        let det = images[i].detections[j];
        let ious: Vec<f64> = images[i]
            .truth
            .iter()
            .map(|t| iou(&det.bbox, &t.bbox))
            .collect();
        let mut best: Option<(usize, f64)> = None;
        for (g, &v) in ious.iter().enumerate() {
            if counted[i][g] && !matched[i][g] && best.is_none_or(|(_, b)| v > b) {
                best = Some((g, v));
            }
        }
        match best {
            Some((g, v)) if v >= iou_threshold => {
                matched[i][g] = true;
                outcomes.push((true, det.score));
            }
            _ if ious
                .iter()
                .zip(&counted[i])
                .any(|(&v, &c)| v >= iou_threshold && !c) => {}
            _ => outcomes.push((false, det.score)),
        }
    }
    let (mut tp, mut fp) = (0usize, 0usize);
    let mut curve: Vec<(f64, f64)> = Vec::with_capacity(outcomes.len());
    for &(hit, _) in &outcomes {
        if hit {
            tp += 1;
        } else {
            fp += 1;
        }
        curve.push((tp as f64 / npos as f64, tp as f64 / (tp + fp) as f64));
    }
    // Precision envelope: the best precision at this recall or beyond.
    let mut envelope = 0.0f64;
    for point in curve.iter_mut().rev() {
        envelope = envelope.max(point.1);
        point.1 = envelope;
    }
    let mut ap = 0.0;
    let mut prev = 0.0;
    for (r, p) in curve {
        ap += (r - prev) * p;
        prev = r;
    }
    let at_op = outcomes
        .iter()
        .filter(|&&(hit, s)| hit && s >= operating_threshold)
        .count();
    Some(ApResult {
        ap,
        recall: at_op as f64 / npos as f64,
        faces: npos,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn truth(x: f64, class: SizeClass, ignore: bool) -> Truth {
        Truth {
            bbox: [x, 0.0, 10.0, 10.0],
            class,
            ignore,
        }
    }

    fn det(x: f64, score: f64) -> Detection {
        Detection {
            bbox: [x, 0.0, 10.0, 10.0],
            score,
        }
    }

    const ALL: [SizeClass; 3] = [SizeClass::Large, SizeClass::Medium, SizeClass::Small];

    #[test]
    fn perfect_and_empty() {
        let im = Scored {
            truth: vec![truth(0.0, SizeClass::Large, false)],
            detections: vec![det(0.0, 0.9)],
        };
        let r = average_precision(&[im], &ALL, 0.5, 0.5).unwrap();
        assert_eq!((r.ap, r.recall, r.faces), (1.0, 1.0, 1));
        assert!(average_precision(&[Scored::default()], &ALL, 0.5, 0.5).is_none());
    }

    #[test]
    fn ranking_matters_and_duplicates_are_false() {
        // Two faces; detections: FP (0.9), TP (0.8), duplicate of it (0.7), TP (0.6).
        let im = Scored {
            truth: vec![
                truth(0.0, SizeClass::Large, false),
                truth(100.0, SizeClass::Large, false),
            ],
            detections: vec![
                det(50.0, 0.9),
                det(0.0, 0.8),
                det(1.0, 0.7),
                det(100.0, 0.6),
            ],
        };
        let r = average_precision(&[im], &ALL, 0.5, 0.65).unwrap();
        // PR points: (0, 0), (.5, .5), (.5, 1/3), (1, .5); envelope .5 everywhere.
        assert!((r.ap - 0.5).abs() < 1e-12, "{}", r.ap);
        assert_eq!(r.recall, 0.5);
    }

    #[test]
    fn ignored_and_other_class_faces_are_skipped() {
        let im = Scored {
            truth: vec![
                truth(0.0, SizeClass::Large, false),
                truth(100.0, SizeClass::Small, false),
                truth(200.0, SizeClass::Large, true),
            ],
            detections: vec![det(100.0, 0.95), det(200.0, 0.9), det(0.0, 0.8)],
        };
        let large =
            average_precision(std::slice::from_ref(&im), &[SizeClass::Large], 0.5, 0.5).unwrap();
        assert_eq!((large.ap, large.faces), (1.0, 1));
        // Counting every class, the small face is a hit; the ignored one still skipped.
        let all = average_precision(&[im], &ALL, 0.5, 0.5).unwrap();
        assert_eq!((all.ap, all.faces), (1.0, 2));
    }

    #[test]
    fn size_classes_by_height() {
        assert_eq!(SizeClass::of_height(50.0), SizeClass::Large);
        assert_eq!(SizeClass::of_height(49.9), SizeClass::Medium);
        assert_eq!(SizeClass::of_height(19.0), SizeClass::Small);
    }
}
