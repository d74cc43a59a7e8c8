//! Face alignment and embedding.
//!
//! Alignment: the least-squares similarity (rotation, uniform scale, translation; no
//! reflection — Umeyama) from the face's five landmarks to a template in chip pixels, then
//! a bilinear warp to 150×150. When the face is much larger than the chip, the image is
//! first shrunk with a filter so the warp does not alias. The template is the one
//! `../shared/models/SOURCES.md` gives for YuNet/RetinaFace landmark order (right eye, left
//! eye, nose, right and left mouth corners of the subject).

use std::sync::Arc;

use tract_onnx::prelude::*;

use crate::vision::decode;
use crate::vision::Rgb;

/// Chip side, pixels.
pub const CHIP: usize = 150;
/// Landmark template in chip pixels (subject's right eye, left eye, nose tip, right and
/// left mouth corners).
pub const TEMPLATE: [[f64; 2]; 5] = [
    [47.63, 46.36],
    [102.37, 46.36],
    [75.00, 78.55],
    [51.89, 104.19],
    [98.11, 104.19],
];
/// Same person below this Euclidean distance (dlib's rule).
pub const SAME_PERSON: f32 = 0.6;
/// Descriptor length.
pub const DIM: usize = 128;
/// Faces whose eyes are closer than this (image pixels) carry too little detail to embed.
pub const MIN_EYE_DISTANCE: f64 = 8.0;

/// x' = a·x − b·y + tx, y' = b·x + a·y + ty.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Similarity {
    pub a: f64,
    pub b: f64,
    pub tx: f64,
    pub ty: f64,
}

impl Similarity {
    pub fn apply(&self, [x, y]: [f64; 2]) -> [f64; 2] {
        [
            self.a * x - self.b * y + self.tx,
            self.b * x + self.a * y + self.ty,
        ]
    }

    /// Uniform scale factor.
    pub fn scale(&self) -> f64 {
        self.a.hypot(self.b)
    }

    pub fn inverse(&self) -> Option<Similarity> {
        let d = self.a * self.a + self.b * self.b;
        if !(d.is_finite() && d > 1e-12) {
            return None;
        }
        let (a, b) = (self.a / d, -self.b / d);
        Some(Similarity {
            a,
            b,
            tx: -(a * self.tx - b * self.ty),
            ty: -(b * self.tx + a * self.ty),
        })
    }
}

/// The least-squares similarity taking `src` points onto `dst` points (no reflection).
pub fn fit_similarity(src: &[[f64; 2]], dst: &[[f64; 2]]) -> Option<Similarity> {
    let n = src.len().min(dst.len());
    if n < 2 {
        return None;
    }
    let mean = |p: &[[f64; 2]]| {
        let (sx, sy) = p[..n]
            .iter()
            .fold((0.0, 0.0), |(x, y), q| (x + q[0], y + q[1]));
        [sx / n as f64, sy / n as f64]
    };
    let (ms, md) = (mean(src), mean(dst));
    // For complex numbers s, d (centred): the best z = a + ib minimises Σ|z·s − d|²,
    // z = Σ conj(s)·d / Σ|s|² — the closed form of Umeyama's method in 2-D.
    let (mut num_re, mut num_im, mut den) = (0.0, 0.0, 0.0);
    for i in 0..n {
        let (sx, sy) = (src[i][0] - ms[0], src[i][1] - ms[1]);
        let (dx, dy) = (dst[i][0] - md[0], dst[i][1] - md[1]);
        num_re += sx * dx + sy * dy;
        num_im += sx * dy - sy * dx;
        den += sx * sx + sy * sy;
    }
    if !(den.is_finite() && den > 1e-12) {
        return None;
    }
    let (a, b) = (num_re / den, num_im / den);
    let t = Similarity {
        a,
        b,
        tx: 0.0,
        ty: 0.0,
    }
    .apply(ms);
    Some(Similarity {
        a,
        b,
        tx: md[0] - t[0],
        ty: md[1] - t[1],
    })
}

/// Why a face cannot be embedded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AlignError {
    #[error("landmarks are degenerate")]
    Degenerate,
    #[error("face too small to embed")]
    TooSmall,
}

/// The aligned 150×150 chip of the face with `landmarks` (pixels of `img`).
pub fn align(img: &Rgb, landmarks: &[[f32; 2]; 5]) -> Result<Rgb, AlignError> {
    let pts: Vec<[f64; 2]> = landmarks
        .iter()
        .map(|[x, y]| [f64::from(*x), f64::from(*y)])
        .collect();
    if pts.iter().flatten().any(|v| !v.is_finite()) {
        return Err(AlignError::Degenerate);
    }
    let eyes = (pts[0][0] - pts[1][0]).hypot(pts[0][1] - pts[1][1]);
    if eyes < MIN_EYE_DISTANCE {
        return Err(AlignError::TooSmall);
    }
    let to_chip = fit_similarity(&pts, &TEMPLATE).ok_or(AlignError::Degenerate)?;
    // Image pixels per chip pixel; over 1.5, shrink the image first (anti-aliasing).
    let step = 1.0 / to_chip.scale();
    let (src, to_chip) = if step > 1.5 {
        let f = 1.0 / step;
        let w = ((f64::from(img.width) * f).round() as u32).max(1);
        let h = ((f64::from(img.height) * f).round() as u32).max(1);
        let small = decode::resize_to(img.clone(), w, h).map_err(|_| AlignError::Degenerate)?;
        let (kx, ky) = (
            f64::from(w) / f64::from(img.width),
            f64::from(h) / f64::from(img.height),
        );
        let scaled: Vec<[f64; 2]> = pts.iter().map(|p| [p[0] * kx, p[1] * ky]).collect();
        let t = fit_similarity(&scaled, &TEMPLATE).ok_or(AlignError::Degenerate)?;
        (std::borrow::Cow::Owned(small), t)
    } else {
        (std::borrow::Cow::Borrowed(img), to_chip)
    };
    let back = to_chip.inverse().ok_or(AlignError::Degenerate)?;
    let mut data = Vec::with_capacity(CHIP * CHIP * 3);
    for v in 0..CHIP {
        for u in 0..CHIP {
            let [x, y] = back.apply([u as f64 + 0.5, v as f64 + 0.5]);
            data.extend(bilinear(&src, x - 0.5, y - 0.5));
        }
    }
    Ok(Rgb {
        width: CHIP as u32,
        height: CHIP as u32,
        data,
    })
}

/// Bilinear sample at (x, y) (pixel centres at integers), edges clamped.
fn bilinear(img: &Rgb, x: f64, y: f64) -> [u8; 3] {
    let (w, h) = (img.width as i64, img.height as i64);
    let (x0, y0) = (x.floor(), y.floor());
    let (fx, fy) = (x - x0, y - y0);
    let at = |xi: i64, yi: i64| img.pixel(xi.clamp(0, w - 1) as u32, yi.clamp(0, h - 1) as u32);
    let (x0, y0) = (x0 as i64, y0 as i64);
    let (p00, p10, p01, p11) = (
        at(x0, y0),
        at(x0 + 1, y0),
        at(x0, y0 + 1),
        at(x0 + 1, y0 + 1),
    );
    let mut out = [0u8; 3];
    for c in 0..3 {
        let top = f64::from(p00[c]) * (1.0 - fx) + f64::from(p10[c]) * fx;
        let bottom = f64::from(p01[c]) * (1.0 - fx) + f64::from(p11[c]) * fx;
        out[c] = (top * (1.0 - fy) + bottom * fy).round().clamp(0.0, 255.0) as u8;
    }
    out
}

/// Euclidean distance between two descriptors.
pub fn distance(a: &[f32], b: &[f32]) -> f32 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y) * (x - y))
        .sum::<f32>()
        .sqrt()
}

#[derive(Debug, thiserror::Error)]
pub enum EmbedderError {
    #[error("not an ONNX model tract can read: {0}")]
    NotOnnx(String),
    #[error("not a face embedder: {0}")]
    WrongShape(String),
    #[error("inference failed: {0}")]
    Inference(String),
    #[error("i/o error: {0}")]
    Io(#[from] std::io::Error),
}

/// A loaded face embedder (dlib ResNet as ONNX: RGB 0..255 in, 128 numbers out). Clones
/// share the plan.
#[derive(Clone)]
pub struct Embedder {
    plan: Arc<TypedRunnableModel>,
    sha256: String,
}

impl std::fmt::Debug for Embedder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Embedder({})", &self.sha256[..12])
    }
}

impl Embedder {
    pub fn load_path(path: &std::path::Path) -> Result<Embedder, EmbedderError> {
        Embedder::load_bytes(&std::fs::read(path)?)
    }

    /// Parses and plans the model and checks it gives 128 numbers for one chip, so a
    /// wrong file fails here, not at the first face.
    pub fn load_bytes(bytes: &[u8]) -> Result<Embedder, EmbedderError> {
        crate::vision::detect::choose_kernels();
        let not_onnx = |e: TractError| EmbedderError::NotOnnx(e.to_string());
        let plan = tract_onnx::onnx()
            .model_for_read(&mut &bytes[..])
            .map_err(not_onnx)?
            .with_input_fact(0, f32::fact([1, 3, CHIP, CHIP]).into())
            .and_then(|m| m.into_optimized())
            .and_then(|m| m.into_runnable())
            .map_err(|e| EmbedderError::WrongShape(e.to_string()))?;
        let e = Embedder {
            plan,
            sha256: crate::digest::sha256_hex(&[bytes]),
        };
        let probe = Rgb {
            width: CHIP as u32,
            height: CHIP as u32,
            data: vec![128; CHIP * CHIP * 3],
        };
        e.embed(&probe)?;
        Ok(e)
    }

    /// SHA-256 of the model file, stored with descriptors.
    pub fn sha256(&self) -> &str {
        &self.sha256
    }

    /// The descriptor of an aligned chip (150×150).
    pub fn embed(&self, chip: &Rgb) -> Result<Vec<f32>, EmbedderError> {
        if chip.width as usize != CHIP || chip.height as usize != CHIP {
            return Err(EmbedderError::Inference("chip must be 150x150".into()));
        }
        let mut planes = vec![0f32; 3 * CHIP * CHIP];
        for (i, px) in chip.data.chunks_exact(3).enumerate() {
            for c in 0..3 {
                planes[c * CHIP * CHIP + i] = f32::from(px[c]);
            }
        }
        let input: Tensor = tract_ndarray::Array4::from_shape_vec((1, 3, CHIP, CHIP), planes)
            .map_err(|e| EmbedderError::Inference(e.to_string()))?
            .into();
        let out = self
            .plan
            .run(tvec!(input.into()))
            .map_err(|e| EmbedderError::Inference(e.to_string()))?;
        let v = out
            .first()
            .ok_or_else(|| EmbedderError::WrongShape("no output".into()))?
            .try_as_plain_ram()
            .and_then(|t| t.as_slice::<f32>())
            .map_err(|e| EmbedderError::WrongShape(e.to_string()))?;
        if v.len() != DIM {
            return Err(EmbedderError::WrongShape(format!(
                "{} numbers, not {DIM}",
                v.len()
            )));
        }
        if v.iter().any(|x| !x.is_finite()) {
            return Err(EmbedderError::Inference("non-finite descriptor".into()));
        }
        Ok(v.to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_recovers_a_known_similarity() {
        let t = Similarity {
            a: 0.8 * 0.3f64.cos(),
            b: 0.8 * 0.3f64.sin(),
            tx: 12.5,
            ty: -3.0,
        };
        let src = [
            [10.0, 20.0],
            [60.0, 22.0],
            [35.0, 50.0],
            [15.0, 70.0],
            [55.0, 71.0],
        ];
        let dst: Vec<[f64; 2]> = src.iter().map(|p| t.apply(*p)).collect();
        let fit = fit_similarity(&src, &dst).expect("fit");
        for (x, y) in [(fit.a, t.a), (fit.b, t.b), (fit.tx, t.tx), (fit.ty, t.ty)] {
            assert!((x - y).abs() < 1e-9, "{fit:?} vs {t:?}");
        }
        let inv = fit.inverse().expect("inverse");
        let back = inv.apply(fit.apply([3.0, 4.0]));
        assert!((back[0] - 3.0).abs() < 1e-9 && (back[1] - 4.0).abs() < 1e-9);
        assert!(
            fit_similarity(&[[1.0, 1.0]; 5], &TEMPLATE).is_none(),
            "all points equal"
        );
    }

    /// Dots painted at the landmarks land on the template after alignment, at any angle
    /// and size (including a face big enough to need the pre-shrink).
    #[test]
    fn landmarks_land_on_the_template() {
        for (scale, angle) in [(1.0, 0.0), (0.7, 0.4), (2.5, -0.25), (6.0, 0.1)] {
            let (w, h) = (1200u32, 1000u32);
            let mut img = Rgb {
                width: w,
                height: h,
                data: vec![0; (w * h * 3) as usize],
            };
            let place = Similarity {
                a: scale * f64::cos(angle),
                b: scale * f64::sin(angle),
                tx: 300.0,
                ty: 200.0,
            };
            let colours = [
                [255, 0, 0],
                [0, 255, 0],
                [0, 0, 255],
                [255, 255, 0],
                [0, 255, 255],
            ];
            let mut marks = [[0f32; 2]; 5];
            for (i, t) in TEMPLATE.iter().enumerate() {
                let [x, y] = place.apply(*t);
                marks[i] = [x as f32, y as f32];
                // A dot a few chip pixels wide, in image pixels.
                let r = (4.0 * scale).max(2.0) as i64;
                for dy in -r..=r {
                    for dx in -r..=r {
                        let (px, py) = (x as i64 + dx, y as i64 + dy);
                        let at = ((py as u32 * w + px as u32) * 3) as usize;
                        img.data[at..at + 3].copy_from_slice(&colours[i]);
                    }
                }
            }
            let chip = align(&img, &marks).expect("align");
            for (i, t) in TEMPLATE.iter().enumerate() {
                let p = chip.pixel(t[0] as u32, t[1] as u32);
                let want = colours[i];
                let err: i32 = (0..3)
                    .map(|c| (i32::from(p[c]) - i32::from(want[c])).abs())
                    .sum();
                assert!(err < 120, "scale {scale}, landmark {i}: {p:?} vs {want:?}");
            }
        }
    }

    #[test]
    fn tiny_and_broken_faces_are_refused() {
        let img = Rgb {
            width: 64,
            height: 64,
            data: vec![0; 64 * 64 * 3],
        };
        let tiny = [
            [30.0, 30.0],
            [33.0, 30.0],
            [31.5, 32.0],
            [30.5, 34.0],
            [32.5, 34.0],
        ];
        assert_eq!(align(&img, &tiny), Err(AlignError::TooSmall));
        let nan = [[f32::NAN, 0.0]; 5];
        assert_eq!(align(&img, &nan), Err(AlignError::Degenerate));
    }
}
