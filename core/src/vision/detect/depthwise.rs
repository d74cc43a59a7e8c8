//! Depthwise convolutions as an op of our own in tract's graph.
//!
//! tract 0.23's depthwise convolution walks each plane along its longest output axis and
//! vectorises only where that walk reads the input with stride 1. Two cases fall to a
//! scalar loop that spends 5–20× more time per multiply-add: stride 2 (RetinaFace's four
//! stride-2 layers took ≈ 5.5 ms of ≈ 33 ms at 640×480), and every plane taller than it
//! is wide (a portrait photo: its stride-1 layers took 8.3 ms instead of 2.0 ms at
//! 480×640). This op walks rows whatever the shape. For stride 2 each input row is first
//! split into its even and odd (padded) columns, so every tap is a contiguous
//! multiply-add over a row. The loops are plain Rust, compiled for the CPU's widest
//! vector unit through `pulp`'s runtime dispatch (AVX2 on x86, NEON on ARM), which
//! makes them as fast as tract's x86 kernel where that one does vectorise; a LeakyRelu
//! after the convolution is applied to each row while it is in cache instead of as a
//! separate pass.
//!
//! [`replace_depthwise`] swaps the matching `Conv` nodes of a decluttered typed model for
//! this op before tract optimises it; everything else stays tract's.

use tract_onnx::prelude::*;
use tract_onnx::tract_core::internal::*;
use tract_onnx::tract_core::ops::cnn::{Conv, KernelFormat};
use tract_onnx::tract_core::ops::nn::DataFormat;

/// A depthwise (one filter per channel) 2-D convolution with the same stride (1 or 2) on
/// both spatial axes and no dilation, on f32 data laid out channels-first (`NCHW`/`CHW`).
#[derive(Debug, Clone)]
pub struct Depthwise {
    /// `[channels, kh, kw]`, row-major.
    kernel: Arc<Vec<f32>>,
    /// One per channel.
    bias: Arc<Vec<f32>>,
    channels: usize,
    /// Input and output sizes, kernel, stride, padding; the input size is the plan's,
    /// checked at each run.
    geo: Geometry,
    /// A LeakyRelu applied to the output (its slope for negative values), fused in.
    leaky_slope: Option<f32>,
}

/// Where a convolution sits: input size, kernel size, stride, padding before, output size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Geometry {
    /// Input rows and columns.
    pub input: (usize, usize),
    pub kernel: (usize, usize),
    pub stride: usize,
    pub pad: (usize, usize),
    pub output: (usize, usize),
}

// tract compares ops for equality (to merge repeated nodes): weights are compared bit
// for bit, so equal means the same op, NaNs included.
impl PartialEq for Depthwise {
    fn eq(&self, other: &Self) -> bool {
        let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        self.geo == other.geo
            && self.channels == other.channels
            && bits(&self.kernel) == bits(&other.kernel)
            && bits(&self.bias) == bits(&other.bias)
            && self.leaky_slope.map(f32::to_bits) == other.leaky_slope.map(f32::to_bits)
    }
}

impl Eq for Depthwise {}

impl Depthwise {
    /// The op for `channels` planes; `kernel` is `[channels, kh, kw]`, `bias` one value per
    /// channel, one for all, or none.
    pub fn new(
        kernel: Vec<f32>,
        bias: Vec<f32>,
        channels: usize,
        geometry: Geometry,
    ) -> TractResult<Depthwise> {
        let Geometry {
            input: (ih, iw),
            kernel: (kh, kw),
            stride,
            pad: _,
            output: (oh, ow),
        } = geometry;
        ensure!(kh > 0 && kw > 0 && channels > 0, "empty depthwise kernel");
        ensure!(
            ih > 0 && iw > 0 && oh > 0 && ow > 0,
            "empty depthwise plane: {geometry:?}"
        );
        ensure!(stride == 1 || stride == 2, "depthwise stride {stride}");
        ensure!(
            kernel.len() == channels * kh * kw,
            "kernel has {} values, expected {channels}×{kh}×{kw}",
            kernel.len()
        );
        let bias = match bias.len() {
            0 => vec![0.0; channels],
            1 => vec![bias[0]; channels],
            n if n == channels => bias,
            n => bail!("bias has {n} values for {channels} channels"),
        };
        Ok(Depthwise {
            kernel: Arc::new(kernel),
            bias: Arc::new(bias),
            channels,
            geo: geometry,
            leaky_slope: None,
        })
    }

    /// The same convolution followed by a LeakyRelu of this slope.
    pub fn with_leaky_relu(self, slope: f32) -> Depthwise {
        Depthwise {
            leaky_slope: Some(slope),
            ..self
        }
    }

    /// Output shape for an input of `shape` (`[.., C, H, W]`).
    fn output_shape<D: Clone + From<usize>>(&self, shape: &[D]) -> TVec<D> {
        let mut out: TVec<D> = shape.into();
        let r = out.len();
        out[r - 2] = self.geo.output.0.into();
        out[r - 1] = self.geo.output.1.into();
        out
    }

    /// Convolves `planes` planes of `input` (each of the geometry's input size; channel =
    /// plane % C).
    pub fn run(&self, input: &[f32], planes: usize) -> Vec<f32> {
        let mut out = vec![0f32; planes * self.geo.output.0 * self.geo.output.1];
        self.run_into(input, planes, &mut out);
        out
    }

    /// [`Depthwise::run`] into `out` (`planes` × oh × ow). The loops are compiled for the
    /// widest vector unit the CPU has (AVX2 on x86, NEON on ARM) and picked at run time.
    pub fn run_into(&self, input: &[f32], planes: usize, out: &mut [f32]) {
        let shape = (planes, self.geo.input.0, self.geo.input.1);
        struct Job<'a> {
            op: &'a Depthwise,
            input: &'a [f32],
            shape: (usize, usize, usize),
            out: &'a mut [f32],
        }
        impl pulp::WithSimd for Job<'_> {
            type Output = ();
            #[inline(always)]
            fn with_simd<S: pulp::Simd>(self, _: S) {
                self.op.run_here(self.input, self.shape, self.out)
            }
        }
        pulp::Arch::new().dispatch(Job {
            op: self,
            input,
            shape,
            out,
        })
    }

    #[inline(always)]
    fn run_here(&self, input: &[f32], (planes, h, w): (usize, usize, usize), out: &mut [f32]) {
        let (oh, ow, kw, s) = (
            self.geo.output.0,
            self.geo.output.1,
            self.geo.kernel.1,
            self.geo.stride,
        );
        // Each input row, zero-padded, is stored as `s` phases: phase p holds the padded
        // columns s·j + p. Tap kx of output column x reads padded column s·x + kx, which
        // is phase kx % s at index x + kx / s: a contiguous run of `ow` values.
        let len = ow + (kw - 1) / s;
        let row_len = s * len;
        let mut phases = vec![0f32; h * row_len];
        // Rows above and below the image read as zeros.
        let zeros = vec![0f32; row_len];
        let planes_out = out.chunks_exact_mut(oh * ow);
        for (p, (plane, oplane)) in input
            .chunks_exact(h * w)
            .zip(planes_out)
            .enumerate()
            .take(planes)
        {
            let c = p % self.channels;
            for (row, dst) in plane.chunks_exact(w).zip(phases.chunks_exact_mut(row_len)) {
                split_phases(row, self.geo.pad.1, s, dst);
            }
            let taps = &self.kernel[c * self.geo.kernel.0 * kw..(c + 1) * self.geo.kernel.0 * kw];
            let row = |oy: usize, ky: usize| -> &[f32] {
                (s * oy + ky)
                    .checked_sub(self.geo.pad.0)
                    .filter(|&iy| iy < h)
                    .map_or(&zeros[..], |iy| &phases[iy * row_len..(iy + 1) * row_len])
            };
            let tap = |kx: usize| -> std::ops::Range<usize> {
                let start = (kx % s) * len + kx / s;
                start..start + ow
            };
            for (oy, orow) in oplane.chunks_exact_mut(ow).enumerate() {
                if (self.geo.kernel.0, kw) == (3, 3) {
                    let (r0, r1, r2) = (row(oy, 0), row(oy, 1), row(oy, 2));
                    let src = [
                        &r0[tap(0)],
                        &r0[tap(1)],
                        &r0[tap(2)],
                        &r1[tap(0)],
                        &r1[tap(1)],
                        &r1[tap(2)],
                        &r2[tap(0)],
                        &r2[tap(1)],
                        &r2[tap(2)],
                    ];
                    row_3x3(orow, &src, taps, self.bias[c]);
                } else {
                    orow.fill(self.bias[c]);
                    for (ky, ktaps) in taps.chunks_exact(kw).enumerate() {
                        let r = row(oy, ky);
                        for (kx, &k) in ktaps.iter().enumerate() {
                            for (o, &v) in orow.iter_mut().zip(&r[tap(kx)]) {
                                *o += k * v;
                            }
                        }
                    }
                }
                if let Some(slope) = self.leaky_slope {
                    for v in orow.iter_mut() {
                        if *v < 0.0 {
                            *v *= slope;
                        }
                    }
                }
            }
        }
    }
}

/// One output row of a 3×3 kernel: the nine taps summed in registers, one store per
/// output (`src[t]`: the input run tap `t` reads, as long as `out`).
#[inline(always)]
fn row_3x3(out: &mut [f32], src: &[&[f32]; 9], k: &[f32], bias: f32) {
    let n = out.len();
    let s: [&[f32]; 9] = std::array::from_fn(|t| &src[t][..n]);
    let k: &[f32; 9] = k.try_into().expect("3×3 taps");
    for x in 0..n {
        let r0 = k[0] * s[0][x] + k[1] * s[1][x] + k[2] * s[2][x];
        let r1 = k[3] * s[3][x] + k[4] * s[4][x] + k[5] * s[5][x];
        let r2 = k[6] * s[6][x] + k[7] * s[7][x] + k[8] * s[8][x];
        out[x] = bias + r0 + r1 + r2;
    }
}

/// Writes `row`, zero-padded by `pad` on the left (and as needed on the right), into
/// `dst` as `s` phases of `dst.len() / s` values: phase p holds padded columns s·j + p.
#[inline(always)]
fn split_phases(row: &[f32], pad: usize, s: usize, dst: &mut [f32]) {
    let len = dst.len() / s;
    if s == 1 {
        let (start, inside) = (pad.min(len), row.len().min(len.saturating_sub(pad)));
        dst[..start].fill(0.0);
        dst[start..start + inside].copy_from_slice(&row[..inside]);
        dst[start + inside..].fill(0.0);
        return;
    }
    let (even, odd) = dst.split_at_mut(len);
    let at = |c: usize| -> f32 {
        c.checked_sub(pad)
            .and_then(|x| row.get(x))
            .copied()
            .unwrap_or(0.0)
    };
    // Pairs j whose two padded columns 2j, 2j + 1 both fall inside the row are copied
    // without checks; the few at either edge go through `at`.
    let first = pad.div_ceil(2).min(len);
    let last = ((row.len() + pad) / 2).min(len).max(first);
    for j in (0..first).chain(last..len) {
        even[j] = at(2 * j);
        odd[j] = at(2 * j + 1);
    }
    let start = 2 * first - pad;
    let pairs = row[start..start + 2 * (last - first)].chunks_exact(2);
    for ((e, o), pair) in even[first..last]
        .iter_mut()
        .zip(&mut odd[first..last])
        .zip(pairs)
    {
        *e = pair[0];
        *o = pair[1];
    }
}

impl Op for Depthwise {
    fn name(&self) -> StaticName {
        "KeepsakeDepthwise".into()
    }

    fn info(&self) -> TractResult<Vec<String>> {
        Ok(vec![format!(
            "{} channels, kernel {}×{}, stride {}, pad {}/{}, leaky relu {:?}",
            self.channels,
            self.geo.kernel.0,
            self.geo.kernel.1,
            self.geo.stride,
            self.geo.pad.0,
            self.geo.pad.1,
            self.leaky_slope
        )])
    }

    fn validation(&self) -> Validation {
        Validation::Rounding
    }

    op_as_typed_op!();
}

impl EvalOp for Depthwise {
    op_out_of_plan!();

    fn eval(&self, _ctx: &EvalContext, inputs: TVec<TValue>) -> TractResult<TVec<TValue>> {
        let input = args_1!(inputs);
        let shape = input.shape().to_vec();
        ensure!(shape.len() >= 3, "depthwise input of rank {}", shape.len());
        let r = shape.len();
        let (c, h, w) = (shape[r - 3], shape[r - 2], shape[r - 1]);
        ensure!(
            (c, h, w) == (self.channels, self.geo.input.0, self.geo.input.1),
            "input {c}×{h}×{w}, op built for {}×{}×{}",
            self.channels,
            self.geo.input.0,
            self.geo.input.1
        );
        let planes = shape[..r - 2].iter().product::<usize>();
        let view = input.try_as_plain_ram()?;
        // Written in place: a tensor converted from a Vec would be copied once more.
        let mut out = Tensor::zero::<f32>(&self.output_shape(&shape))?;
        let mut out_view = out.try_as_plain_ram_mut()?;
        self.run_into(
            view.as_slice::<f32>()?,
            planes,
            out_view.as_slice_mut::<f32>()?,
        );
        Ok(tvec!(out.into_tvalue()))
    }
}

impl TypedOp for Depthwise {
    fn output_facts(&self, inputs: &[&TypedFact]) -> TractResult<TVec<TypedFact>> {
        ensure!(inputs.len() == 1);
        let shape: TVec<TDim> = inputs[0].shape.iter().cloned().collect();
        Ok(tvec!(f32::fact(self.output_shape(&shape))))
    }

    fn cost(&self, inputs: &[&TypedFact]) -> TractResult<TVec<(Cost, TDim)>> {
        let planes: TDim = inputs[0].shape.iter().rev().skip(2).product();
        let per_plane =
            self.geo.output.0 * self.geo.output.1 * self.geo.kernel.0 * self.geo.kernel.1;
        Ok(tvec!((Cost::FMA(f32::datum_type()), planes * per_plane)))
    }

    as_op!();
}

/// Replaces every f32 channels-first depthwise `Conv` with stride 1 or 2 (the same on
/// both axes), no dilation, constant kernel and bias and a concrete input shape by
/// [`Depthwise`], with the LeakyRelu that follows it (if it is the only consumer) fused
/// in. Returns how many convolutions were replaced. Call on a decluttered model, before
/// `into_optimized`.
pub fn replace_depthwise(model: &mut TypedModel) -> TractResult<usize> {
    use tract_onnx::tract_core::ops::element_wise::ElementWiseOp;
    use tract_onnx::tract_core::ops::nn::LeakyRelu;
    let mut replaced = 0;
    for id in model.eval_order()? {
        let node = model.node(id);
        let Some(conv) = node.op_as::<Conv>() else {
            continue;
        };
        let Some(mut op) = depthwise_for(model, node, conv)? else {
            continue;
        };
        // The node whose output the new op stands for: the LeakyRelu when it is fused.
        let mut last = node;
        let is_output = model.output_outlets()?.contains(&OutletId::new(id, 0));
        if let Some(next) = model.single_succ(id)?.filter(|_| !is_output) {
            let slope = next
                .op_as::<ElementWiseOp>()
                .and_then(|e| e.0.downcast_ref::<LeakyRelu>())
                .map(|l| l.alpha);
            if let Some(slope) = slope.filter(|_| next.inputs.len() == 1) {
                op = op.with_leaky_relu(slope);
                last = next;
            }
        }
        let mut patch = TypedModelPatch::default();
        let input = patch.tap_model(model, node.inputs[0])?;
        let wire = patch.wire_node(&node.name, op, &[input])?;
        patch.shunt_outside(model, OutletId::new(last.id, 0), wire[0])?;
        patch.obliterate(node.id)?;
        patch.apply(model)?;
        replaced += 1;
    }
    if replaced > 0 {
        model.compact()?;
    }
    Ok(replaced)
}

fn depthwise_for(
    model: &TypedModel,
    node: &TypedNode,
    conv: &Conv,
) -> TractResult<Option<Depthwise>> {
    let spec = &conv.pool_spec;
    let input = model.outlet_fact(node.inputs[0])?;
    let channels = spec.input_channels;
    let strides = spec.strides();
    let stride = strides.first().copied().unwrap_or(1);
    if conv.q_params.is_some()
        || input.datum_type != f32::datum_type()
        || !matches!(spec.data_format, DataFormat::NCHW | DataFormat::CHW)
        || spec.rank() != 2
        || conv.group != channels
        || spec.output_channels != channels
        || channels < 2
        || !(stride == 1 || stride == 2)
        || strides.iter().any(|&s| s != stride)
        || spec.dilations().iter().any(|&d| d != 1)
        // Depthwise kernels hold one input channel per group: only OIHW keeps them as
        // [C, kh, kw].
        || conv.kernel_fmt != KernelFormat::OIHW
        || node.inputs.len() != 3
    {
        return Ok(None);
    }
    let Some(shape) = input.shape.as_concrete() else {
        return Ok(None);
    };
    let (Some(kernel), Some(bias)) = (
        model.outlet_fact(node.inputs[1])?.konst.clone(),
        model.outlet_fact(node.inputs[2])?.konst.clone(),
    ) else {
        return Ok(None);
    };
    if kernel.datum_type() != f32::datum_type() || bias.datum_type() != f32::datum_type() {
        return Ok(None);
    }
    let (kh, kw) = (spec.kernel_shape[0], spec.kernel_shape[1]);
    if kernel.len() != channels * kh * kw {
        return Ok(None);
    }
    let ishape = spec.data_format.shape(shape)?;
    let padding = spec.computed_padding(ishape.hw_dims());
    let oshape = spec.output_shape(shape)?;
    let (ih, iw) = (ishape.hw_dims()[0], ishape.hw_dims()[1]);
    if ih == 0 || iw == 0 {
        return Ok(None);
    }
    let geometry = Geometry {
        input: (ih, iw),
        kernel: (kh, kw),
        stride,
        pad: (padding[0].pad_before, padding[1].pad_before),
        output: (oshape.hw_dims()[0], oshape.hw_dims()[1]),
    };
    let op = Depthwise::new(
        kernel.try_as_plain_ram()?.as_slice::<f32>()?.to_vec(),
        bias.try_as_plain_ram()?.as_slice::<f32>()?.to_vec(),
        channels,
        geometry,
    )?;
    Ok(Some(op))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Direct definition: zero padding, the op's stride.
    fn reference(op: &Depthwise, input: &[f32], planes: usize, h: usize, w: usize) -> Vec<f32> {
        let s = op.geo.stride;
        let mut out = vec![0f32; planes * op.geo.output.0 * op.geo.output.1];
        for p in 0..planes {
            let c = p % op.channels;
            for oy in 0..op.geo.output.0 {
                for ox in 0..op.geo.output.1 {
                    let mut sum = op.bias[c] as f64;
                    for ky in 0..op.geo.kernel.0 {
                        for kx in 0..op.geo.kernel.1 {
                            let iy = (s * oy + ky) as isize - op.geo.pad.0 as isize;
                            let ix = (s * ox + kx) as isize - op.geo.pad.1 as isize;
                            if iy < 0 || ix < 0 || iy >= h as isize || ix >= w as isize {
                                continue;
                            }
                            let v = input[p * h * w + iy as usize * w + ix as usize];
                            sum += (op.kernel[(c * op.geo.kernel.0 + ky) * op.geo.kernel.1 + kx]
                                * v) as f64;
                        }
                    }
                    out[(p * op.geo.output.0 + oy) * op.geo.output.1 + ox] = sum as f32;
                }
            }
        }
        out
    }

    /// The largest difference between two outputs of the same length.
    fn max_abs_diff(a: &[f32], b: &[f32]) -> f32 {
        assert_eq!(a.len(), b.len());
        a.iter()
            .zip(b)
            .map(|(x, y)| (x - y).abs())
            .fold(0f32, f32::max)
    }

    fn values(n: usize, seed: u32) -> Vec<f32> {
        let mut s = seed;
        (0..n)
            .map(|_| {
                s = s.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                (s >> 8) as f32 / (1 << 24) as f32 - 0.5
            })
            .collect()
    }

    #[test]
    fn matches_the_definition_for_odd_and_even_sizes_strides_and_paddings() {
        for stride in [1, 2] {
            for &(c, h, w, k, pad) in &[
                (3, 12, 16, 3, 1),
                (2, 11, 13, 3, 1),
                (2, 13, 7, 3, 1),
                (4, 7, 9, 3, 0),
                (2, 10, 10, 5, 2),
                (3, 9, 14, 2, 0),
                (2, 5, 6, 4, 1),
                (2, 6, 5, 1, 0),
            ] {
                let oh = (h + 2 * pad - k) / stride + 1;
                let ow = (w + 2 * pad - k) / stride + 1;
                let geometry = Geometry {
                    input: (h, w),
                    kernel: (k, k),
                    stride,
                    pad: (pad, pad),
                    output: (oh, ow),
                };
                let op = Depthwise::new(values(c * k * k, 7), values(c, 11), c, geometry).unwrap();
                let input = values(2 * c * h * w, 3);
                let got = op.run(&input, 2 * c);
                let want = reference(&op, &input, 2 * c, h, w);
                let worst = max_abs_diff(&got, &want);
                assert!(worst < 1e-5, "{geometry:?} c{c} {h}×{w}: off by {worst}");
            }
        }
    }

    #[test]
    fn bad_shapes_are_refused() {
        let geometry = Geometry {
            input: (4, 4),
            kernel: (3, 3),
            stride: 2,
            pad: (1, 1),
            output: (2, 2),
        };
        assert!(Depthwise::new(vec![0.0; 8], vec![], 1, geometry).is_err());
        assert!(Depthwise::new(vec![0.0; 18], vec![0.0; 3], 2, geometry).is_err());
        let stride_3 = Geometry {
            stride: 3,
            ..geometry
        };
        assert!(Depthwise::new(vec![0.0; 9], vec![], 1, stride_3).is_err());
        let empty = Geometry {
            input: (0, 4),
            ..geometry
        };
        assert!(Depthwise::new(vec![0.0; 9], vec![], 1, empty).is_err());
        // A plan's op refuses an input of another size instead of misreading it.
        let op = Depthwise::new(vec![0.0; 9], vec![], 1, geometry).unwrap();
        let wrong = Tensor::zero::<f32>(&[1, 1, 5, 4]).unwrap();
        let err = op
            .eval(&EvalContext::out_of_plan(), tvec!(wrong.into_tvalue()))
            .unwrap_err();
        assert!(err.to_string().contains("built for"), "{err}");
    }

    /// One-layer models: tract's own depthwise convolution and ours agree, landscape and
    /// portrait, stride 1 and 2, with and without a LeakyRelu after it (then fused); a
    /// grouped (not depthwise) convolution is left to tract.
    #[test]
    fn replaces_tract_conv_and_agrees_with_it() {
        use tract_onnx::tract_core::ops::cnn::{PaddingSpec, PoolSpec};
        let c = 4usize;
        let build = |h: usize, w: usize, stride: usize, group: usize, leaky: bool| -> TypedModel {
            let mut model = TypedModel::default();
            let x = model.add_source("x", f32::fact([1, c, h, w])).unwrap();
            let per_group = c / group;
            let kernel =
                Tensor::from_shape(&[c, per_group, 3, 3], &values(c * per_group * 9, 5)).unwrap();
            let kernel = model.add_const("k", kernel).unwrap();
            let bias = model.add_const("b", tensor1(&values(c, 9))).unwrap();
            let conv = Conv {
                pool_spec: PoolSpec {
                    data_format: DataFormat::NCHW,
                    kernel_shape: tvec!(3, 3),
                    padding: PaddingSpec::Explicit(tvec!(1, 1), tvec!(1, 1)),
                    dilations: None,
                    strides: Some(tvec!(stride, stride)),
                    input_channels: c,
                    output_channels: c,
                },
                kernel_fmt: KernelFormat::OIHW,
                group,
                q_params: None,
            };
            let mut y = model.wire_node("conv", conv, &[x, kernel, bias]).unwrap();
            if leaky {
                let relu = tract_onnx::tract_core::ops::nn::leaky_relu(0.1);
                y = model.wire_node("relu", relu, &y).unwrap();
            }
            model.select_output_outlets(&y).unwrap();
            model
        };
        let run = |m: TypedModel, input: &Tensor| -> Vec<f32> {
            let out = m
                .into_optimized()
                .unwrap()
                .into_runnable()
                .unwrap()
                .run(tvec!(input.clone().into()))
                .unwrap();
            out[0]
                .try_as_plain_ram()
                .unwrap()
                .as_slice::<f32>()
                .unwrap()
                .to_vec()
        };
        for (h, w, stride, leaky) in [
            (15, 20, 2, false),
            (20, 15, 2, true),
            (15, 20, 1, true),
            (21, 9, 1, false),
        ] {
            let input = Tensor::from_shape(&[1, c, h, w], &values(c * h * w, 1)).unwrap();
            let theirs = run(build(h, w, stride, c, leaky), &input);
            let mut ours = build(h, w, stride, c, leaky);
            assert_eq!(replace_depthwise(&mut ours).unwrap(), 1);
            let fused: Vec<_> = ours
                .nodes()
                .iter()
                .filter_map(|n| n.op_as::<Depthwise>())
                .map(|op| op.leaky_slope)
                .collect();
            assert_eq!(fused, vec![leaky.then_some(0.1)]);
            // The LeakyRelu is gone with the convolution.
            assert_eq!(ours.nodes().len(), 2, "{ours}");
            let ours = run(ours, &input);
            // Some outputs are negative, so the slope is exercised.
            assert!(theirs.iter().any(|&v| v < 0.0));
            let worst = max_abs_diff(&ours, &theirs);
            assert!(worst < 1e-5, "{h}×{w} stride {stride}: off by {worst}");
        }
        let mut grouped = build(15, 20, 2, 2, false);
        assert_eq!(replace_depthwise(&mut grouped).unwrap(), 0);
    }
}
