//! RetinaFace (MobileNet-0.25): BGR minus (104, 117, 123); SSD-style priors for steps 8,
//! 16, 32 with two sizes each; boxes and landmarks encoded against the priors with
//! variances 0.1 and 0.2; confidence softmaxed (column 1 = face), or the two logits
//! before the softmax when the loader cut it from the graph.

use super::Face;

const STEPS: [usize; 3] = [8, 16, 32];
const MIN_SIZES: [[f32; 2]; 3] = [[16.0, 32.0], [64.0, 128.0], [256.0, 512.0]];
const VARIANCE: (f32, f32) = (0.1, 0.2);
pub const MEAN_BGR: [f32; 3] = [104.0, 117.0, 123.0];

/// Priors (cx, cy, w, h), normalised to the input size, in output order.
pub fn priors(width: usize, height: usize) -> Vec<[f32; 4]> {
    let mut out = Vec::new();
    for (k, &step) in STEPS.iter().enumerate() {
        let rows = height.div_ceil(step);
        let cols = width.div_ceil(step);
        for i in 0..rows {
            for j in 0..cols {
                for m in MIN_SIZES[k] {
                    out.push([
                        (j as f32 + 0.5) * step as f32 / width as f32,
                        (i as f32 + 0.5) * step as f32 / height as f32,
                        m / width as f32,
                        m / height as f32,
                    ]);
                }
            }
        }
    }
    out
}

/// Decodes priors scoring at least `threshold`, in input pixels. With `logits`, `conf`
/// holds the pre-softmax pair and the face probability is sigmoid(l1 − l0).
#[allow(clippy::too_many_arguments)]
pub fn decode(
    loc: &[f32],
    conf: &[f32],
    landmarks: &[f32],
    priors: &[[f32; 4]],
    width: usize,
    height: usize,
    threshold: f32,
    logits: bool,
) -> Vec<Face> {
    let (w, h) = (width as f32, height as f32);
    let n = priors
        .len()
        .min(loc.len() / 4)
        .min(conf.len() / 2)
        .min(landmarks.len() / 10);
    let mut faces = Vec::new();
    for (i, p) in priors.iter().enumerate().take(n) {
        let score = if logits {
            1.0 / (1.0 + (conf[i * 2] - conf[i * 2 + 1]).exp())
        } else {
            conf[i * 2 + 1]
        };
        if score < threshold {
            continue;
        }
        let l = &loc[i * 4..i * 4 + 4];
        let cx = p[0] + l[0] * VARIANCE.0 * p[2];
        let cy = p[1] + l[1] * VARIANCE.0 * p[3];
        let bw = p[2] * (l[2] * VARIANCE.1).exp();
        let bh = p[3] * (l[3] * VARIANCE.1).exp();
        let lm = &landmarks[i * 10..i * 10 + 10];
        let mut pts = [[0.0f32; 2]; 5];
        for (k, pt) in pts.iter_mut().enumerate() {
            *pt = [
                (p[0] + lm[2 * k] * VARIANCE.0 * p[2]) * w,
                (p[1] + lm[2 * k + 1] * VARIANCE.0 * p[3]) * h,
            ];
        }
        faces.push(Face {
            x: (cx - bw / 2.0) * w,
            y: (cy - bh / 2.0) * h,
            w: bw * w,
            h: bh * h,
            score,
            landmarks: pts,
        });
    }
    faces
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prior_layout_and_decode() {
        let p = priors(64, 32);
        // 8x4 cells x2 + 4x2 x2 + 2x1 x2 = 64 + 16 + 4.
        assert_eq!(p.len(), 84);
        assert_eq!(p[0], [4.0 / 64.0, 4.0 / 32.0, 16.0 / 64.0, 16.0 / 32.0]);
        let n = p.len();
        let mut conf = vec![0.0; n * 2];
        let loc = vec![0.0; n * 4];
        let lms = vec![0.0; n * 10];
        conf[3] = 0.95; // prior 1: first cell, size 32
        let faces = decode(&loc, &conf, &lms, &p, 64, 32, 0.5, false);
        assert_eq!(faces.len(), 1);
        let f = faces[0];
        // Centre (4, 4), size 32 x 32.
        assert_eq!((f.x, f.y, f.w, f.h), (-12.0, -12.0, 32.0, 32.0));
        assert_eq!(f.landmarks[2], [4.0, 4.0]);
        // Short outputs decode what they have.
        assert!(decode(&loc[..4], &conf[..2], &lms[..10], &p, 64, 32, 0.5, false).is_empty());
        // Logits: softmax([0, ln 19]) gives 0.95 for the face column.
        let mut logits = vec![0.0; n * 2];
        logits[3] = 19f32.ln();
        let f = decode(&loc, &logits, &lms, &p, 64, 32, 0.6, true);
        assert_eq!(f.len(), 1);
        assert!((f[0].score - 0.95).abs() < 1e-6);
    }
}
