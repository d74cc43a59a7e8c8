//! The image classifier: EfficientNet-Lite0 (ImageNet-1k) run with tract. Input
//! `input` [1,3,224,224] RGB normalised (x − 127) / 128 (the TF-Lite builder's mean and
//! scale), output [1,1000] logits. The photo's centre crop is what it sees: the square
//! that a 256 px short side cropped to 224 keeps (the usual ImageNet evaluation view),
//! resized straight from the working image in one pass.

use std::sync::Arc;

use tract_onnx::prelude::*;

use super::table::CLASSES;
use crate::vision::{decode, Rgb};
use crate::{Error, Result};

/// The model's input side, pixels.
pub const INPUT_SIDE: u32 = 224;
/// Share of the short side the crop keeps (224 of 256).
const CROP: f64 = 224.0 / 256.0;

type Plan = Arc<TypedRunnableModel>;

/// A loaded classifier; clones share the plan.
#[derive(Clone)]
pub struct Classifier {
    plan: Plan,
    sha256: String,
    own_depthwise: usize,
}

impl std::fmt::Debug for Classifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Classifier")
            .field("sha256", &self.sha256)
            .finish_non_exhaustive()
    }
}

impl PartialEq for Classifier {
    fn eq(&self, other: &Self) -> bool {
        self.sha256 == other.sha256
    }
}

fn model_error(what: &str) -> impl Fn(TractError) -> Error + '_ {
    move |e| {
        log::debug!("classifier: {what}: {e}");
        Error::InvalidArgument(format!("classifier: {what}"))
    }
}

impl Classifier {
    pub fn load_path(path: &std::path::Path) -> Result<Classifier> {
        Classifier::load_bytes(&std::fs::read(path)?)
    }

    /// Parses, checks (one input, 1000 outputs) and plans the network once, its
    /// depthwise convolutions computed by the face detector's own op (see
    /// `vision::detect::depthwise`: tract's falls to a scalar loop at stride 2).
    pub fn load_bytes(bytes: &[u8]) -> Result<Classifier> {
        Classifier::load_bytes_with(bytes, true)
    }

    /// As [`load_bytes`](Self::load_bytes); `own_depthwise: false` keeps tract's
    /// depthwise convolutions (for comparing the two).
    pub fn load_bytes_with(bytes: &[u8], own_depthwise: bool) -> Result<Classifier> {
        crate::vision::detect::choose_kernels();
        let side = INPUT_SIDE as usize;
        let mut typed = tract_onnx::onnx()
            .with_ignore_value_info(true)
            .with_ignore_output_shapes(true)
            .model_for_read(&mut std::io::Cursor::new(bytes))
            .map_err(model_error("not an ONNX model"))?
            .with_input_fact(0, f32::fact([1, 3, side, side]).into())
            .and_then(|m| m.into_typed())
            .and_then(|m| m.into_decluttered())
            .map_err(model_error("not an image classifier with a 224x224 input"))?;
        let replaced = if own_depthwise {
            crate::vision::detect::depthwise::replace_depthwise(&mut typed)
                .map_err(model_error("prepare"))?
        } else {
            0
        };
        let plan = typed.into_optimized().map_err(model_error("prepare"))?;
        let outputs = plan
            .output_fact(0)
            .ok()
            .and_then(|f| f.shape.as_concrete().map(|s| s.iter().product::<usize>()));
        if plan.input_outlets().map(|i| i.len()).unwrap_or(0) != 1 || outputs != Some(CLASSES) {
            return Err(Error::InvalidArgument(
                "classifier: not an ImageNet-1k classifier (one input, 1000 outputs)".into(),
            ));
        }
        let plan = plan.into_runnable().map_err(model_error("prepare"))?;
        Ok(Classifier {
            plan,
            sha256: crate::digest::sha256_hex(&[bytes]),
            own_depthwise: replaced,
        })
    }

    pub fn sha256(&self) -> &str {
        &self.sha256
    }

    /// Depthwise convolutions computed by Keepsake's own op.
    pub fn own_depthwise(&self) -> usize {
        self.own_depthwise
    }

    /// Class probabilities (softmax of the logits) for `img`.
    pub fn probabilities(&self, img: &Rgb) -> Result<Vec<f32>> {
        let input = to_input(img)?;
        let out = self
            .plan
            .run(tvec!(input.into()))
            .map_err(model_error("inference"))?;
        let logits = out[0]
            .to_plain_array_view::<f32>()
            .map_err(model_error("output"))?;
        let logits: Vec<f32> = logits.iter().copied().collect();
        softmax(&logits).ok_or_else(|| Error::InvalidArgument("classifier: bad output".into()))
    }
}

/// The centre crop (x, y, side) the model sees, in `w` × `h` image pixels.
pub fn centre_crop(w: u32, h: u32) -> (f64, f64, f64) {
    let side = f64::from(w.min(h)) * CROP;
    (
        (f64::from(w) - side) / 2.0,
        (f64::from(h) - side) / 2.0,
        side,
    )
}

/// `img`'s centre crop resized to 224², as the normalised NCHW tensor.
fn to_input(img: &Rgb) -> Result<Tensor> {
    let (x, y, side) = centre_crop(img.width, img.height);
    let s = INPUT_SIDE as usize;
    let mut px = vec![0u8; s * s * 3];
    let opts = fast_image_resize::ResizeOptions::new()
        .resize_alg(fast_image_resize::ResizeAlg::Convolution(
            fast_image_resize::FilterType::Bilinear,
        ))
        .crop(x, y, side, side);
    decode::resize_rgb(
        &img.data, img.width, img.height, &mut px, INPUT_SIDE, INPUT_SIDE, &opts,
    )
    .map_err(|e| Error::InvalidArgument(format!("classifier: {e}")))?;
    let plane = s * s;
    let mut data = vec![0f32; 3 * plane];
    for (i, p) in px.chunks_exact(3).enumerate() {
        for c in 0..3 {
            data[c * plane + i] = (f32::from(p[c]) - 127.0) / 128.0;
        }
    }
    Tensor::from_shape(&[1, 3, s, s], &data).map_err(model_error("input"))
}

/// Softmax of `logits`; `None` when they are not finite or not one per class.
pub fn softmax(logits: &[f32]) -> Option<Vec<f32>> {
    if logits.len() != CLASSES || logits.iter().any(|v| !v.is_finite()) {
        return None;
    }
    let max = logits.iter().copied().fold(f32::MIN, f32::max);
    let exp: Vec<f32> = logits.iter().map(|v| (v - max).exp()).collect();
    let sum: f32 = exp.iter().sum();
    Some(exp.into_iter().map(|v| v / sum).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_crop_is_the_centre_square_of_a_256_short_side() {
        let (x, y, s) = centre_crop(640, 480);
        assert!((s - 420.0).abs() < 1e-9);
        assert!((x - 110.0).abs() < 1e-9 && (y - 30.0).abs() < 1e-9);
        let (x, y, s) = centre_crop(300, 600);
        assert!((s - 262.5).abs() < 1e-9 && (x - 18.75).abs() < 1e-9 && (y - 168.75).abs() < 1e-9);
    }

    #[test]
    fn softmax_sums_to_one_and_refuses_bad_outputs() {
        let mut logits = vec![0.0; CLASSES];
        logits[3] = 10.0;
        let p = softmax(&logits).unwrap();
        assert!((p.iter().sum::<f32>() - 1.0).abs() < 1e-4);
        assert!(p[3] > 0.95);
        logits[5] = f32::NAN;
        assert!(softmax(&logits).is_none());
        assert!(softmax(&[1.0, 2.0]).is_none());
    }

    #[test]
    fn input_is_normalised_planar_rgb() {
        let img = Rgb::new(8, 8, [255u8, 127, 0].repeat(64)).unwrap();
        let t = to_input(&img).unwrap();
        let v = t.to_plain_array_view::<f32>().unwrap();
        assert_eq!(v.shape(), &[1, 3, 224, 224]);
        assert!((v[[0, 0, 100, 100]] - 1.0).abs() < 0.01);
        assert!(v[[0, 1, 100, 100]].abs() < 0.01);
        assert!((v[[0, 2, 100, 100]] + 127.0 / 128.0).abs() < 0.01);
    }
}
