//! AI restyles: a photo repainted in one of 26 painting styles (or a blend of them) by a
//! small style-transfer network run with tract, on the device.
//!
//! The network is `multistyle26.onnx` (set-up obtains it, sha256-pinned): input `image`
//! [1,3,h,w] RGB in 0..1 and `style_weights` [26] (one-hot or a blend summing to 1),
//! output `stylized` [1,3,h,w] in 0..1. It downsamples by 4, so the working image is
//! padded to multiples of 4 by mirroring its edges and cropped after. Work is capped at
//! [`MAX_SIDE`] px on the long side (≈ 1.4 s on one core here): larger photos are
//! restyled at that size. The strength blends the result with the photo, and the job
//! reports progress per network layer and stops within one layer of a cancel.

mod styles;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tract_onnx::prelude::*;
use tract_onnx::tract_core::plan::{eval as eval_node, SimpleState};

pub use styles::{Style, StyleBlend, STYLE_COUNT};

use crate::collage::Rect;
use crate::progress::CancelToken;
use crate::vision::{decode, Rgb};
use crate::{Error, Result};

/// The long side the network works at, at most.
pub const MAX_SIDE: u32 = 1024;
/// Shorter sides do not leave the network enough to paint with.
pub const MIN_SIDE: u32 = 32;
/// The strength a restyle has unless asked otherwise: painterly, with faces still
/// recognisable (the restyle test checks the face detector still finds them).
pub const DEFAULT_STRENGTH: f32 = 0.75;
/// How much of the strength faces get (with their surroundings, feathered): style
/// networks repaint eyes and mouths into brush marks, and at the default strength the
/// face detector lost half the faces it had found (207 of 390 over 26 styles and three
/// group photos); with faces kept this much closer to the photo it finds them again.
pub const FACE_SHARE: f32 = 0.3;
/// Plans kept, one per working size (tract optimises per input size, ≈ 40 ms).
const PLANS_KEPT: usize = 4;

type Plan = Arc<TypedRunnableModel>;

/// The loaded style network. Clones share the model and its plans.
#[derive(Clone)]
pub struct StyleModel {
    model: Arc<InferenceModel>,
    sha256: String,
    plans: Arc<Mutex<HashMap<(usize, usize), Plan>>>,
}

impl std::fmt::Debug for StyleModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StyleModel")
            .field("sha256", &self.sha256)
            .finish_non_exhaustive()
    }
}

fn model_error(what: &str) -> impl Fn(TractError) -> Error + '_ {
    move |e| {
        log::debug!("style model: {what}: {e}");
        Error::InvalidArgument(format!("style model: {what}"))
    }
}

impl StyleModel {
    pub fn load_path(path: &std::path::Path) -> Result<StyleModel> {
        StyleModel::load_bytes(&std::fs::read(path)?)
    }

    /// Parses the network and checks it is the 26-style one (inputs `image` and
    /// `style_weights`, one output); prepares a small plan, so a bad file fails here.
    pub fn load_bytes(bytes: &[u8]) -> Result<StyleModel> {
        let model = tract_onnx::onnx()
            .with_ignore_value_info(true)
            .with_ignore_output_shapes(true)
            .model_for_read(&mut std::io::Cursor::new(bytes))
            .map_err(model_error("not an ONNX model"))?;
        let inputs: Vec<&str> = model
            .input_outlets()
            .map_err(model_error("inputs"))?
            .iter()
            .map(|o| model.node(o.node).name.as_str())
            .collect();
        let outputs = model
            .output_outlets()
            .map_err(model_error("outputs"))?
            .len();
        if inputs != ["image", "style_weights"] || outputs != 1 {
            return Err(Error::InvalidArgument(
                "style model: not the 26-style network (inputs image, style_weights)".into(),
            ));
        }
        let m = StyleModel {
            model: Arc::new(model),
            sha256: crate::digest::sha256_hex(&[bytes]),
            plans: Arc::default(),
        };
        m.plan(64, 64)?;
        Ok(m)
    }

    pub fn sha256(&self) -> &str {
        &self.sha256
    }

    fn plan(&self, w: usize, h: usize) -> Result<Plan> {
        let mut plans = self.plans.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(p) = plans.get(&(w, h)) {
            return Ok(p.clone());
        }
        let plan = (*self.model)
            .clone()
            .with_input_fact(0, f32::fact([1, 3, h, w]).into())
            .and_then(|m| m.with_input_fact(1, f32::fact([STYLE_COUNT]).into()))
            .and_then(|m| m.into_optimized())
            .and_then(|m| m.into_runnable())
            .map_err(model_error("prepare"))?;
        if plans.len() >= PLANS_KEPT {
            plans.clear();
        }
        plans.insert((w, h), plan.clone());
        Ok(plan)
    }

    /// `img` restyled with `blend` at `strength` (0: the photo itself, 1: the network's
    /// painting), at the photo's size when its long side is at most [`MAX_SIDE`], else
    /// at that long side. `faces` (boxes in `img`'s pixels) are painted at
    /// [`FACE_SHARE`] of the strength so they stay recognisable. `progress(done, total)`
    /// is called per network layer.
    pub fn restyle(
        &self,
        img: &Rgb,
        blend: &StyleBlend,
        strength: f32,
        faces: &[Rect],
        progress: &mut dyn FnMut(u64, u64),
        cancel: &CancelToken,
    ) -> Result<Rgb> {
        crate::effects::check_strength(strength)?;
        if img.width.min(img.height) < MIN_SIDE {
            return Err(Error::InvalidArgument(format!(
                "photo too small to restyle (sides under {MIN_SIDE} px)"
            )));
        }
        let k = f64::from(MAX_SIDE) / f64::from(img.width.max(img.height));
        let faces: Vec<Rect> = if k < 1.0 {
            faces
                .iter()
                .map(|f| Rect::new(f.x * k, f.y * k, f.w * k, f.h * k))
                .collect()
        } else {
            faces.to_vec()
        };
        let work = if img.width.max(img.height) > MAX_SIDE {
            decode::resize(img.clone(), MAX_SIDE)
                .map_err(|_| Error::InvalidArgument("photo cannot be resized".into()))?
        } else {
            img.clone()
        };
        if strength == 0.0 {
            return Ok(work);
        }
        cancel.check()?;
        let (w, h) = (work.width as usize, work.height as usize);
        let (pw, ph) = (w.div_ceil(4) * 4, h.div_ceil(4) * 4);
        let plan = self.plan(pw, ph)?;
        let input = to_tensor(&work, pw, ph)?;
        let weights = tract_ndarray::Array1::from_vec(blend.weights().to_vec()).into_tensor();
        // Every node is evaluated once (constants included), in the plan's order.
        let total = plan.model().nodes().len() as u64;
        let mut done = 0u64;
        let mut state = SimpleState::new(&plan).map_err(model_error("state"))?;
        let outputs = state
            .run_plan_with_eval(
                tvec![input.into_tvalue(), weights.into_tvalue()],
                |ctx, op_state, node, inputs| -> TractResult<TVec<TValue>> {
                    if cancel.is_cancelled() {
                        return Err(TractError::msg("cancelled"));
                    }
                    let out = eval_node(ctx, op_state, node, inputs)?;
                    done = (done + 1).min(total);
                    progress(done, total);
                    Ok(out)
                },
            )
            .map_err(|e| {
                if cancel.is_cancelled() {
                    Error::Cancelled
                } else {
                    model_error("inference")(e)
                }
            })?;
        progress(total, total);
        let painted = from_output(&outputs[0], w, h, pw, ph)?;
        if faces.is_empty() {
            return Ok(crate::effects::blend(&work, painted, strength));
        }
        Ok(blend_around_faces(&work, painted, strength, &faces))
    }
}

/// `original` + (`painted` − `original`) × strength, the strength falling to
/// [`FACE_SHARE`] of itself over each face box grown by half its size, with a feathered
/// edge as wide as the face.
pub fn blend_around_faces(original: &Rgb, mut painted: Rgb, strength: f32, faces: &[Rect]) -> Rgb {
    let w = original.width as usize;
    let mut keep = vec![0f32; w * original.height as usize];
    for f in faces {
        let (cx, cy) = (f.x + f.w / 2.0, f.y + f.h / 2.0);
        let (hw, hh) = (f.w * 0.75, f.h * 0.75);
        let feather = f.w.max(f.h).max(1.0);
        let x0 = (cx - hw - feather).floor().max(0.0) as usize;
        let y0 = (cy - hh - feather).floor().max(0.0) as usize;
        let x1 = ((cx + hw + feather).ceil().max(0.0) as usize).min(w);
        let y1 = ((cy + hh + feather).ceil().max(0.0) as usize).min(original.height as usize);
        for y in y0..y1 {
            let dy = ((y as f64 + 0.5 - cy).abs() - hh).max(0.0);
            for x in x0..x1 {
                let dx = ((x as f64 + 0.5 - cx).abs() - hw).max(0.0);
                let m = (1.0 - dx.hypot(dy) / feather).clamp(0.0, 1.0) as f32;
                let at = y * w + x;
                keep[at] = keep[at].max(m);
            }
        }
    }
    for (i, px) in painted.data.chunks_exact_mut(3).enumerate() {
        let s = strength * (1.0 - (1.0 - FACE_SHARE) * keep[i]);
        for (c, v) in px.iter_mut().enumerate() {
            let o = f32::from(original.data[i * 3 + c]);
            *v = (o + (f32::from(*v) - o) * s).round().clamp(0.0, 255.0) as u8;
        }
    }
    painted
}

/// `img` as a [1,3,ph,pw] RGB tensor in 0..1, mirrored into the padding.
fn to_tensor(img: &Rgb, pw: usize, ph: usize) -> Result<Tensor> {
    let (w, h) = (img.width as usize, img.height as usize);
    let mut t = Tensor::zero::<f32>(&[1, 3, ph, pw]).map_err(model_error("input"))?;
    {
        let mut ram = t.try_as_plain_ram_mut().map_err(model_error("input"))?;
        let data = ram.as_slice_mut::<f32>().map_err(model_error("input"))?;
        let plane = pw * ph;
        let mirror = |i: usize, n: usize| if i < n { i } else { (2 * n - 2 - i).min(n - 1) };
        for y in 0..ph {
            let sy = mirror(y, h);
            for x in 0..pw {
                let p = img.pixel(mirror(x, w) as u32, sy as u32);
                for c in 0..3 {
                    data[c * plane + y * pw + x] = f32::from(p[c]) / 255.0;
                }
            }
        }
    }
    Ok(t)
}

/// The output tensor cropped to `w` × `h` as 8-bit RGB. Values outside 0..1 are
/// clamped and NaN becomes black: the network's answer is not trusted to be in range.
pub fn from_output(out: &TValue, w: usize, h: usize, pw: usize, ph: usize) -> Result<Rgb> {
    let view = out
        .to_plain_array_view::<f32>()
        .map_err(model_error("output type"))?;
    if view.shape() != [1, 3, ph, pw] {
        return Err(Error::InvalidArgument("style model: output shape".into()));
    }
    Ok(rgb_from_planes(w, h, |c, y, x| view[[0, c, y, x]]))
}

/// 8-bit RGB from planar 0..1 values (clamped; NaN is 0).
pub fn rgb_from_planes(w: usize, h: usize, at: impl Fn(usize, usize, usize) -> f32) -> Rgb {
    let mut data = Vec::with_capacity(w * h * 3);
    for y in 0..h {
        for x in 0..w {
            for c in 0..3 {
                let v = at(c, y, x);
                let v = if v.is_nan() { 0.0 } else { v.clamp(0.0, 1.0) };
                data.push((v * 255.0 + 0.5) as u8);
            }
        }
    }
    Rgb {
        width: w as u32,
        height: h as u32,
        data,
    }
}

#[cfg(test)]
mod tests;
