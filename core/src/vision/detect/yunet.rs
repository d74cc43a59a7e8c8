//! YuNet (libfacedetection): BGR 0..255 input; per stride s ∈ {8, 16, 32} one anchor per
//! cell with class and objectness scores, a box and 5 landmarks relative to the cell.

use super::Face;

pub const STRIDES: [usize; 3] = [8, 16, 32];

/// The 12 outputs of one run, by stride: (cls, obj, bbox, kps).
#[derive(Debug, Clone, Copy)]
pub struct Outputs<'a> {
    pub cls: [&'a [f32]; 3],
    pub obj: [&'a [f32]; 3],
    pub bbox: [&'a [f32]; 3],
    pub kps: [&'a [f32]; 3],
}

/// Decodes every anchor scoring at least `threshold`, in input pixels.
pub fn decode(out: &Outputs<'_>, width: usize, height: usize, threshold: f32) -> Vec<Face> {
    let mut faces = Vec::new();
    for (k, &s) in STRIDES.iter().enumerate() {
        let cols = width / s;
        let n = cols * (height / s);
        let (cls, obj, bbox, kps) = (out.cls[k], out.obj[k], out.bbox[k], out.kps[k]);
        if cls.len() < n || obj.len() < n || bbox.len() < n * 4 || kps.len() < n * 10 {
            continue;
        }
        for idx in 0..n {
            let score = (cls[idx].clamp(0.0, 1.0) * obj[idx].clamp(0.0, 1.0)).sqrt();
            if score < threshold {
                continue;
            }
            let (r, c) = ((idx / cols) as f32, (idx % cols) as f32);
            let sf = s as f32;
            let b = &bbox[idx * 4..idx * 4 + 4];
            let cx = (c + b[0]) * sf;
            let cy = (r + b[1]) * sf;
            let w = b[2].exp() * sf;
            let h = b[3].exp() * sf;
            let kp = &kps[idx * 10..idx * 10 + 10];
            let mut landmarks = [[0.0f32; 2]; 5];
            for (i, l) in landmarks.iter_mut().enumerate() {
                *l = [(kp[2 * i] + c) * sf, (kp[2 * i + 1] + r) * sf];
            }
            faces.push(Face {
                x: cx - w / 2.0,
                y: cy - h / 2.0,
                w,
                h,
                score,
                landmarks,
            });
        }
    }
    faces
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_strong_anchor_decodes_to_its_cell() {
        let (w, h) = (64, 32);
        let sizes: Vec<usize> = STRIDES.iter().map(|s| (w / s) * (h / s)).collect();
        let mut cls: Vec<Vec<f32>> = sizes.iter().map(|&n| vec![0.0; n]).collect();
        let mut obj = cls.clone();
        let mut bbox: Vec<Vec<f32>> = sizes.iter().map(|&n| vec![0.0; n * 4]).collect();
        let kps: Vec<Vec<f32>> = sizes.iter().map(|&n| vec![0.5; n * 10]).collect();
        // Stride 16: 4 x 2 cells; cell (row 1, col 2) = index 6.
        cls[1][6] = 0.81;
        obj[1][6] = 1.0;
        bbox[1][6 * 4..6 * 4 + 4].copy_from_slice(&[0.5, 0.5, 0.0, 0.0]);
        let out = Outputs {
            cls: [&cls[0], &cls[1], &cls[2]],
            obj: [&obj[0], &obj[1], &obj[2]],
            bbox: [&bbox[0], &bbox[1], &bbox[2]],
            kps: [&kps[0], &kps[1], &kps[2]],
        };
        let faces = decode(&out, w, h, 0.5);
        assert_eq!(faces.len(), 1);
        let f = faces[0];
        assert!((f.score - 0.9).abs() < 1e-6);
        // Centre (2.5, 1.5) cells * 16 = (40, 24); size exp(0) * 16 = 16.
        assert_eq!((f.x, f.y, f.w, f.h), (32.0, 16.0, 16.0, 16.0));
        assert_eq!(f.landmarks[0], [40.0, 24.0]);
        // Truncated outputs are skipped, not indexed out of bounds.
        let short = Outputs {
            cls: [&[], &[], &[]],
            ..out
        };
        assert!(decode(&short, w, h, 0.5).is_empty());
    }
}
