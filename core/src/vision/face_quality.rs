//! How usable a detected face is: its size, how frontal it is (from the 5 landmarks) and
//! how sharp the eyes are. Small, sideways or blurry faces make poor covers and poor
//! identity references; people grouping lets them join a person but never start one.

use serde::Serialize;

use super::detect::Face;
use super::quality::laplacian_variance;

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct FaceQuality {
    /// Short side of the box in original pixels.
    pub size: f32,
    /// 1 for a frontal face, toward 0 as it turns away (yaw from the landmarks).
    pub frontal: f32,
    /// Variance of the Laplacian around the eyes, on the working image.
    pub eye_sharpness: f32,
    /// Overall 0..1.
    pub score: f32,
}

/// A face this small (original pixels, short side) scores 0 for size; 96 scores 1.
const MIN_USEFUL: f32 = 24.0;
const FULL_SIZE: f32 = 96.0;
/// Eye-region Laplacian variance at which the eyes count as sharp.
const EYE_SHARP: f32 = 150.0;

/// Where the nose (and mouth centre) sits along the eye line, 0 at the right eye and 1 at
/// the left; 0.5 is frontal.
fn along_eye_line(f: &Face, p: [f32; 2]) -> Option<f32> {
    let [re, le] = [f.landmarks[0], f.landmarks[1]];
    let axis = [le[0] - re[0], le[1] - re[1]];
    let d2 = axis[0] * axis[0] + axis[1] * axis[1];
    (d2 > 1e-6).then(|| ((p[0] - re[0]) * axis[0] + (p[1] - re[1]) * axis[1]) / d2)
}

/// Frontalness 0..1 from the landmarks.
pub fn frontal(f: &Face) -> f32 {
    let mouth = [
        (f.landmarks[3][0] + f.landmarks[4][0]) / 2.0,
        (f.landmarks[3][1] + f.landmarks[4][1]) / 2.0,
    ];
    match (along_eye_line(f, f.landmarks[2]), along_eye_line(f, mouth)) {
        (Some(n), Some(m)) => {
            let off = ((n - 0.5).abs() * 0.7 + (m - 0.5).abs() * 0.3) / 0.5;
            (1.0 - off).clamp(0.0, 1.0)
        }
        _ => 0.0,
    }
}

/// Measures a face found on the working image `gray` (`w` pixels wide); `face` is in
/// working pixels, `scale` converts to original pixels.
pub fn measure(gray: &[u8], w: usize, face: &Face, scale: f32) -> FaceQuality {
    let size = face.w.min(face.h) * scale;
    let [re, le] = [face.landmarks[0], face.landmarks[1]];
    let d = ((le[0] - re[0]).powi(2) + (le[1] - re[1]).powi(2)).sqrt();
    let margin = (d * 0.35).max(2.0);
    let rect = [
        (re[0].min(le[0]) - margin).max(0.0) as usize,
        (re[1].min(le[1]) - margin).max(0.0) as usize,
        (re[0].max(le[0]) + margin).max(0.0).ceil() as usize,
        (re[1].max(le[1]) + margin).max(0.0).ceil() as usize,
    ];
    let eye_sharpness = laplacian_variance(gray, w, rect);
    let frontal = frontal(face);
    let size_score = ((size - MIN_USEFUL) / (FULL_SIZE - MIN_USEFUL)).clamp(0.0, 1.0);
    let sharp_score = 1.0 - (-eye_sharpness / EYE_SHARP).exp();
    FaceQuality {
        size,
        frontal,
        eye_sharpness,
        score: (size_score * (0.3 + 0.7 * frontal) * (0.3 + 0.7 * sharp_score)).clamp(0.0, 1.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn face(nose_x: f32, size: f32) -> Face {
        Face {
            x: 10.0,
            y: 10.0,
            w: size,
            h: size,
            score: 0.9,
            landmarks: [
                [20.0, 20.0],
                [40.0, 20.0],
                [nose_x, 30.0],
                [22.0, 40.0],
                [38.0, 40.0],
            ],
        }
    }

    fn textured(w: usize, h: usize) -> Vec<u8> {
        (0..w * h)
            .map(|i| {
                if (i % w + i / w).is_multiple_of(2) {
                    40
                } else {
                    210
                }
            })
            .collect()
    }

    #[test]
    fn frontal_faces_score_higher_than_turned_ones() {
        assert!(frontal(&face(30.0, 40.0)) > 0.99);
        let turned = frontal(&face(39.0, 40.0));
        assert!(turned < 0.5, "{turned}");
        // Rotation in the image plane (roll) is not a turn.
        let mut rolled = face(30.0, 40.0);
        rolled.landmarks = rolled.landmarks.map(|[x, y]| [y, x]);
        assert!(frontal(&rolled) > 0.99);
        // Degenerate landmarks (both eyes on one point) do not divide by zero.
        let mut flat = face(30.0, 40.0);
        flat.landmarks[1] = flat.landmarks[0];
        assert_eq!(frontal(&flat), 0.0);
    }

    #[test]
    fn small_blurry_and_sharp_faces() {
        let (w, h) = (64, 64);
        let sharp = textured(w, h);
        let flat = vec![128u8; w * h];
        let f = face(30.0, 40.0);
        let q_sharp = measure(&sharp, w, &f, 3.0);
        let q_flat = measure(&flat, w, &f, 3.0);
        assert_eq!(q_sharp.size, 120.0);
        assert!(q_sharp.eye_sharpness > 1000.0);
        assert_eq!(q_flat.eye_sharpness, 0.0);
        assert!(q_sharp.score > 2.0 * q_flat.score);
        // A face 8 original pixels across scores nothing, however sharp.
        assert_eq!(measure(&sharp, w, &face(30.0, 4.0), 2.0).score, 0.0);
        // Landmarks outside the image are clipped, not indexed out of bounds.
        let mut off = f;
        off.landmarks = off.landmarks.map(|[x, y]| [x + 500.0, y - 500.0]);
        assert_eq!(measure(&sharp, w, &off, 1.0).eye_sharpness, 0.0);
    }
}
