//! Non-maximum suppression.

use super::Face;

pub fn iou(a: &Face, b: &Face) -> f32 {
    let x1 = a.x.max(b.x);
    let y1 = a.y.max(b.y);
    let x2 = (a.x + a.w).min(b.x + b.w);
    let y2 = (a.y + a.h).min(b.y + b.h);
    let inter = (x2 - x1).max(0.0) * (y2 - y1).max(0.0);
    let union = a.w * a.h + b.w * b.h - inter;
    if union <= 0.0 {
        0.0
    } else {
        inter / union
    }
}

/// Keeps the best-scoring faces, dropping any that overlap a kept one by more than
/// `threshold` IoU. Deterministic on ties (earlier first).
pub fn nms(mut faces: Vec<Face>, threshold: f32) -> Vec<Face> {
    faces.sort_by(|a, b| b.score.total_cmp(&a.score));
    let mut kept: Vec<Face> = Vec::new();
    for f in faces {
        if kept.iter().all(|k| iou(k, &f) <= threshold) {
            kept.push(f);
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    fn face(x: f32, y: f32, s: f32, score: f32) -> Face {
        Face {
            x,
            y,
            w: s,
            h: s,
            score,
            landmarks: [[0.0; 2]; 5],
        }
    }

    #[test]
    fn overlapping_boxes_collapse_to_the_best() {
        let out = nms(
            vec![
                face(0.0, 0.0, 10.0, 0.7),
                face(1.0, 1.0, 10.0, 0.9),
                face(50.0, 50.0, 10.0, 0.8),
            ],
            0.3,
        );
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].score, 0.9);
        assert_eq!(out[1].score, 0.8);
        assert!(
            (iou(&face(0.0, 0.0, 10.0, 1.0), &face(5.0, 0.0, 10.0, 1.0)) - 1.0 / 3.0).abs() < 1e-6
        );
        assert_eq!(
            iou(&face(0.0, 0.0, 0.0, 1.0), &face(0.0, 0.0, 0.0, 1.0)),
            0.0
        );
    }
}
