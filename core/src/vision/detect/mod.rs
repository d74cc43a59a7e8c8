//! Face detection with tract, behind one small interface: load a model once (path or
//! bytes; YuNet or RetinaFace, recognised by its outputs), detect on an upright working
//! image. Pre- and post-processing are pure functions; plans are optimised once per
//! input size and cached.

pub mod depthwise;
pub mod nms;
pub mod retinaface;
pub mod yunet;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde::Serialize;
use tract_onnx::prelude::*;

use super::Rgb;

/// One face, in the pixels of the image it was detected on.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Face {
    pub x: f32,
    pub y: f32,
    pub w: f32,
    pub h: f32,
    pub score: f32,
    /// Right eye, left eye, nose, right and left mouth corners (the subject's).
    pub landmarks: [[f32; 2]; 5],
}

impl Face {
    /// The same face in an image `factor` times larger.
    pub fn scaled(self, factor: f32) -> Face {
        Face {
            x: self.x * factor,
            y: self.y * factor,
            w: self.w * factor,
            h: self.h * factor,
            score: self.score,
            landmarks: self.landmarks.map(|[a, b]| [a * factor, b * factor]),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DetectParams {
    pub score_threshold: f32,
    pub nms_iou: f32,
    /// Faces smaller than this (short side, in the detection image's pixels) are dropped.
    pub min_face: f32,
}

impl DetectParams {
    /// The operating points the model authors publish.
    pub fn for_kind(kind: ModelKind) -> DetectParams {
        match kind {
            ModelKind::YuNet => DetectParams {
                score_threshold: 0.6,
                nms_iou: 0.3,
                min_face: 4.0,
            },
            ModelKind::RetinaFace => DetectParams {
                score_threshold: 0.5,
                nms_iou: 0.4,
                min_face: 4.0,
            },
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ModelKind {
    YuNet,
    RetinaFace,
}

#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("not an ONNX model tract can read: {0}")]
    NotOnnx(String),
    #[error("unrecognised face model outputs: {0}")]
    UnknownOutputs(String),
    #[error("model cannot be prepared: {0}")]
    Prepare(String),
    #[error("inference failed: {0}")]
    Inference(String),
    #[error("i/o error: {0}")]
    Io(#[from] std::io::Error),
}

type Plan = Arc<TypedRunnableModel>;

/// A loaded face detector. Clones are cheap and share the model and its plans.
#[derive(Clone)]
pub struct FaceModel {
    kind: ModelKind,
    sha256: String,
    /// The graph, parsed and rewritten once (the Softmax cut applied to its outputs);
    /// each plan starts from a copy.
    model: Arc<InferenceModel>,
    /// Index of each output the decoder needs, in the order the decoder reads them.
    roles: Vec<usize>,
    /// RetinaFace's trailing Softmax is cut from the graph (≈ 10 % of its time); the
    /// decoder turns the two logits into the face probability itself.
    conf_logits: bool,
    rewrites: GraphRewrites,
    /// Plans compute depthwise convolutions with [`depthwise::Depthwise`].
    own_depthwise: bool,
    plans: Arc<Mutex<HashMap<(usize, usize), Plan>>>,
}

impl std::fmt::Debug for FaceModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FaceModel")
            .field("kind", &self.kind)
            .field("sha256", &self.sha256)
            .finish_non_exhaustive()
    }
}

const YUNET_OUTPUTS: [&str; 12] = [
    "cls_8", "cls_16", "cls_32", "obj_8", "obj_16", "obj_32", "bbox_8", "bbox_16", "bbox_32",
    "kps_8", "kps_16", "kps_32",
];
const RETINA_OUTPUTS: [&str; 3] = ["loc", "conf", "landmarks"];

/// What the speed rewrites changed in a model's graph (all zero/false when off).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct GraphRewrites {
    /// Nearest-neighbour resizes given constant scales.
    pub constant_upsamples: usize,
    /// Nodes dropped as repeats of an earlier node.
    pub merged_nodes: usize,
    /// Convolutions folded into a sibling reading the same input (see
    /// [`merge_sibling_convs`]).
    pub merged_convs: usize,
    /// The trailing Softmax cut (the decoder reads logits).
    pub softmax_cut: bool,
    /// Depthwise convolutions computed by Keepsake's own op (see [`depthwise`]), counted
    /// in the plan made at load.
    pub own_depthwise: usize,
}

/// Chooses tract's f32 kernels from a measurement, once per process, before the first
/// plan. On cores whose 512-bit FMA units are single (AMD Zen 4, which runs 512-bit
/// instructions as two 256-bit halves, and Intel client parts), tract's AVX-512 matrix
/// kernels run RetinaFace ≈ 20 % slower than its AVX2+FMA ones (measured here, Zen 4:
/// 39–48 ms vs 31–34 ms at 640×480, five alternating runs each). tract measures the
/// 512-bit units itself (`avx512_fma_units`, a micro-probe it runs for its int8
/// kernels; it needs AVX-512 VNNI, so cores without it keep tract's own choice). A
/// `TRACT_CPU_ISA` in the environment still wins: this sets only the deployment default.
pub(crate) fn choose_kernels() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        #[cfg(target_arch = "x86_64")]
        {
            use tract_onnx::tract_core::tract_linalg::x86_64::fma_width::avx512_fma_units;
            if std::arch::is_x86_feature_detected!("avx512f")
                && std::arch::is_x86_feature_detected!("avx512vnni")
                && avx512_fma_units() < 2
            {
                let set =
                    tract_onnx::tract_core::knobs::set_config_global("TRACT_CPU_ISA", "-avx512f");
                log::debug!("single 512-bit FMA unit: AVX2 kernels ({set:?})");
            }
        }
    });
}

fn parse(bytes: &[u8], rewrite: bool) -> Result<(InferenceModel, GraphRewrites), ModelError> {
    choose_kernels();
    let onnx = tract_onnx::onnx()
        .with_ignore_value_info(true)
        .with_ignore_output_shapes(true);
    let not_onnx = |e: TractError| ModelError::NotOnnx(e.to_string());
    let mut proto = onnx
        .proto_model_for_read(&mut &bytes[..])
        .map_err(not_onnx)?;
    let mut done = GraphRewrites::default();
    if rewrite {
        done.constant_upsamples = upsample_by_constant_scales(&mut proto);
        if let Some(graph) = proto.graph.as_mut() {
            done.merged_nodes = merge_repeated_nodes(graph);
            done.merged_convs = merge_sibling_convs(graph);
        }
    }
    let model = onnx.model_for_proto_model(&proto).map_err(not_onnx)?;
    Ok((model, done))
}

/// Common-subexpression elimination on the ONNX graph: a node doing exactly what an
/// earlier node does (same operator, attributes and inputs, initializers compared by
/// content) is dropped and its consumers read the earlier node's outputs; Identity nodes
/// are read through. RetinaFace's export computes each SSH module's first 3×3
/// convolution twice (once per branch, the weights passed through Identity nodes),
/// ≈ 6 % of its time. Returns how many nodes were dropped.
pub(crate) fn merge_repeated_nodes(graph: &mut tract_onnx::pb::GraphProto) -> usize {
    use sha2::{Digest, Sha256};
    use std::collections::hash_map::Entry;
    // Initializers by content, so two copies of the same weights count as one input.
    let mut content: HashMap<String, String> = HashMap::new();
    for t in &graph.initializer {
        if !t.external_data.is_empty() {
            continue;
        }
        let mut h = Sha256::new();
        h.update(t.data_type.to_le_bytes());
        for d in &t.dims {
            h.update(d.to_le_bytes());
        }
        h.update(&t.raw_data);
        for v in &t.float_data {
            h.update(v.to_le_bytes());
        }
        for v in &t.int32_data {
            h.update(v.to_le_bytes());
        }
        for v in &t.int64_data {
            h.update(v.to_le_bytes());
        }
        for v in &t.double_data {
            h.update(v.to_le_bytes());
        }
        for v in &t.uint64_data {
            h.update(v.to_le_bytes());
        }
        h.update((t.string_data.len() as u64).to_le_bytes());
        for v in &t.string_data {
            h.update((v.len() as u64).to_le_bytes());
            h.update(v);
        }
        content.insert(t.name.clone(), crate::digest::hex(&h.finalize()));
    }
    let graph_outputs: std::collections::HashSet<String> =
        graph.output.iter().map(|o| o.name.clone()).collect();
    let mut renamed: HashMap<String, String> = HashMap::new();
    let mut seen: HashMap<String, Vec<String>> = HashMap::new();
    let mut kept = Vec::with_capacity(graph.node.len());
    let mut merged = 0;
    for mut node in std::mem::take(&mut graph.node) {
        for input in node.input.iter_mut() {
            if let Some(to) = renamed.get(input) {
                *input = to.clone();
            }
        }
        // Random and stateful operators are never merged, nor nodes with subgraphs.
        let pure = !node.op_type.starts_with("Random")
            && node.op_type != "Dropout"
            && node
                .attribute
                .iter()
                .all(|a| a.g.is_none() && a.graphs.is_empty());
        let produces_output = node.output.iter().any(|o| graph_outputs.contains(o));
        // An Identity is its input under another name (the export shares weights that way).
        if node.op_type == "Identity"
            && node.input.len() == 1
            && node.output.len() == 1
            && !produces_output
        {
            renamed.insert(node.output[0].clone(), node.input[0].clone());
            merged += 1;
            continue;
        }
        if !pure || produces_output || node.output.is_empty() {
            kept.push(node);
            continue;
        }
        let inputs: Vec<String> = node
            .input
            .iter()
            .map(|i| match content.get(i) {
                Some(c) => format!("={c}"),
                None => i.clone(),
            })
            .collect();
        let key = format!(
            "{}\u{1}{}\u{1}{}\u{1}{}\u{1}{}",
            node.domain,
            node.op_type,
            inputs.join("\u{2}"),
            attribute_key(&node),
            node.output.len()
        );
        match seen.entry(key) {
            Entry::Occupied(first) => {
                for (dup, orig) in node.output.iter().zip(first.get()) {
                    renamed.insert(dup.clone(), orig.clone());
                }
                merged += 1;
            }
            Entry::Vacant(v) => {
                v.insert(node.output.clone());
                kept.push(node);
            }
        }
    }
    graph.node = kept;
    merged
}

/// ONNX's element type code for 32-bit floats.
const ONNX_FLOAT: i32 = 1;

/// A node's attributes as one string, the same whatever their order.
fn attribute_key(node: &tract_onnx::pb::NodeProto) -> String {
    let mut attributes: Vec<String> = node.attribute.iter().map(|a| format!("{a:?}")).collect();
    attributes.sort();
    attributes.join("\u{2}")
}

/// Whether initializer `t` holds plain (not external) f32 data, as many values as its
/// dimensions say.
fn holds_f32(t: &tract_onnx::pb::TensorProto) -> bool {
    let n = t
        .dims
        .iter()
        .try_fold(1usize, |n, &d| n.checked_mul(usize::try_from(d).ok()?));
    let stored = if t.raw_data.is_empty() {
        t.float_data.len()
    } else {
        t.raw_data.len() / 4
    };
    t.data_type == ONNX_FLOAT
        && t.external_data.is_empty()
        && t.raw_data.len().is_multiple_of(4)
        && n == Some(stored)
}

/// The f32 values of an initializer that [`holds_f32`].
fn f32_values(t: &tract_onnx::pb::TensorProto) -> Vec<f32> {
    if t.raw_data.is_empty() {
        t.float_data.clone()
    } else {
        t.raw_data
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect()
    }
}

/// Convolutions that read the same input with the same attributes (group 1, weights and
/// bias as initializers) become one convolution with their output channels stacked,
/// followed by a `Split` that hands each consumer its own channels back. tract then packs
/// the shared input once instead of once per convolution, and runs one wider matrix
/// product instead of several thin ones: RetinaFace's SSH modules start with two 3×3
/// convolutions of one input, and its three heads are 1×1 convolutions of one input at
/// each level. Returns how many convolutions were folded into another.
pub(crate) fn merge_sibling_convs(graph: &mut tract_onnx::pb::GraphProto) -> usize {
    use tract_onnx::pb::{AttributeProto, NodeProto, TensorProto};
    let inits: HashMap<String, usize> = graph
        .initializer
        .iter()
        .enumerate()
        .map(|(i, t)| (t.name.clone(), i))
        .collect();
    // A mergeable convolution: its weights' shape past the output axis, its attributes.
    let signature = |n: &NodeProto| -> Option<String> {
        if n.op_type != "Conv" || !n.domain.is_empty() || n.output.len() != 1 {
            return None;
        }
        if !(2..=3).contains(&n.input.len()) {
            return None;
        }
        let grouped = n.attribute.iter().any(|a| a.name == "group" && a.i != 1);
        let w = &graph.initializer[*inits.get(&n.input[1])?];
        if grouped || w.dims.len() < 3 || !holds_f32(w) {
            return None;
        }
        if let Some(b) = n.input.get(2).filter(|b| !b.is_empty()) {
            let b = &graph.initializer[*inits.get(b)?];
            if b.dims.len() != 1 || b.dims[0] != w.dims[0] || !holds_f32(b) {
                return None;
            }
        }
        Some(format!(
            "{}|{:?}|{}",
            n.input[0],
            &w.dims[1..],
            attribute_key(n)
        ))
    };
    let mut groups: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, n) in graph.node.iter().enumerate() {
        if let Some(sig) = signature(n) {
            groups.entry(sig).or_default().push(i);
        }
    }
    // Group members by the position of their first member.
    let mut merged_into: HashMap<usize, Vec<usize>> = HashMap::new();
    let mut dropped = std::collections::HashSet::new();
    for members in groups.into_values().filter(|m| m.len() > 1) {
        dropped.extend(members[1..].iter().copied());
        merged_into.insert(members[0], members);
    }
    if merged_into.is_empty() {
        return 0;
    }
    let mut new_inits: Vec<TensorProto> = Vec::new();
    let mut nodes = Vec::with_capacity(graph.node.len() + merged_into.len());
    for (i, node) in graph.node.iter().enumerate() {
        if dropped.contains(&i) {
            continue;
        }
        let Some(members) = merged_into.get(&i) else {
            nodes.push(node.clone());
            continue;
        };
        let (mut weights, mut biases, mut sizes) = (Vec::new(), Vec::new(), Vec::new());
        let mut dims = Vec::new();
        for &m in members {
            let n = &graph.node[m];
            let w = &graph.initializer[inits[&n.input[1]]];
            let out = w.dims[0];
            weights.extend(f32_values(w));
            match n.input.get(2).filter(|b| !b.is_empty()) {
                Some(b) => biases.extend(f32_values(&graph.initializer[inits[b]])),
                None => biases.extend(std::iter::repeat_n(0.0, out as usize)),
            }
            sizes.push(out);
            dims = w.dims.clone();
        }
        let total: i64 = sizes.iter().sum();
        dims[0] = total;
        let name = format!("keepsake_merged/{}", node.name);
        for (suffix, dims, values) in [("W", dims, weights), ("B", vec![total], biases)] {
            new_inits.push(TensorProto {
                name: format!("{name}/{suffix}"),
                dims,
                data_type: ONNX_FLOAT,
                float_data: values,
                ..Default::default()
            });
        }
        nodes.push(NodeProto {
            name: name.clone(),
            op_type: "Conv".into(),
            input: vec![
                node.input[0].clone(),
                format!("{name}/W"),
                format!("{name}/B"),
            ],
            output: vec![format!("{name}/Y")],
            attribute: node.attribute.clone(),
            ..Default::default()
        });
        nodes.push(NodeProto {
            name: format!("{name}/split"),
            op_type: "Split".into(),
            input: vec![format!("{name}/Y")],
            output: members
                .iter()
                .map(|&m| graph.node[m].output[0].clone())
                .collect(),
            attribute: vec![
                AttributeProto {
                    name: "axis".into(),
                    r#type: 2, // INT
                    i: 1,
                    ..Default::default()
                },
                AttributeProto {
                    name: "split".into(),
                    r#type: 7, // INTS
                    ints: sizes,
                    ..Default::default()
                },
            ],
            ..Default::default()
        });
    }
    graph.node = nodes;
    graph.initializer.extend(new_inits);
    dropped.len()
}

/// RetinaFace's FPN upsamples with nearest-neighbour `Resize` nodes whose target size is
/// computed from another tensor's shape; tract only takes its fast path for constant
/// scales. Since inputs are padded to multiples of 32, every such resize doubles both
/// sides exactly, so a constant `scales = [1, 1, 2, 2]` gives identical outputs (a test
/// compares) in a twentieth of the time. Only RetinaFace graphs are touched.
fn upsample_by_constant_scales(proto: &mut tract_onnx::pb::ModelProto) -> usize {
    const SCALES: &str = "keepsake_upsample_2x";
    let Some(graph) = proto.graph.as_mut() else {
        return 0;
    };
    let is_retina = RETINA_OUTPUTS
        .iter()
        .all(|o| graph.output.iter().any(|v| v.name == *o));
    if !is_retina {
        return 0;
    }
    let mut changed = 0;
    for node in graph.node.iter_mut().filter(|n| n.op_type == "Resize") {
        let nearest = node
            .attribute
            .iter()
            .any(|a| a.name == "mode" && a.s == b"nearest");
        if nearest && node.input.len() == 4 {
            node.input[2] = SCALES.to_string();
            node.input.truncate(3);
            changed += 1;
        }
    }
    if changed > 0 {
        graph.initializer.push(tract_onnx::pb::TensorProto {
            name: SCALES.to_string(),
            dims: vec![4],
            data_type: ONNX_FLOAT,
            float_data: vec![1.0, 1.0, 2.0, 2.0],
            ..Default::default()
        });
    }
    changed
}

impl FaceModel {
    pub fn load_path(path: &std::path::Path) -> Result<FaceModel, ModelError> {
        FaceModel::load_bytes(std::fs::read(path)?)
    }

    /// Parses the model, recognises it by its outputs, and prepares one plan, so a bad
    /// file fails here and not at the first photo.
    pub fn load_bytes(bytes: Vec<u8>) -> Result<FaceModel, ModelError> {
        FaceModel::load_bytes_with(bytes, true)
    }

    /// `rewrite`: apply the graph rewrites that speed tract up (see
    /// [`upsample_by_constant_scales`], [`merge_repeated_nodes`] and the Softmax cut);
    /// off only to compare.
    pub fn load_bytes_with(bytes: Vec<u8>, rewrite: bool) -> Result<FaceModel, ModelError> {
        let (mut model, mut rewrites) = parse(&bytes, rewrite)?;
        let outlets = model
            .output_outlets()
            .map_err(|e| ModelError::NotOnnx(e.to_string()))?;
        // ONNX graph output names are outlet labels; node names are the fallback.
        let names: Vec<String> = outlets
            .iter()
            .map(|o| {
                model
                    .outlet_label(*o)
                    .unwrap_or(&model.node(o.node).name)
                    .to_string()
            })
            .collect();
        let find = |wanted: &[&str]| -> Option<Vec<usize>> {
            wanted
                .iter()
                .map(|w| names.iter().position(|n| n == w))
                .collect()
        };
        let (kind, roles) = if let Some(r) = find(&YUNET_OUTPUTS) {
            (ModelKind::YuNet, r)
        } else if let Some(r) = find(&RETINA_OUTPUTS) {
            (ModelKind::RetinaFace, r)
        } else {
            return Err(ModelError::UnknownOutputs(names.join(", ")));
        };
        let sha256 = crate::digest::sha256_hex(&[&bytes]);
        let conf_logits = rewrite
            && kind == ModelKind::RetinaFace
            && softmax_input(&model, outlets[roles[1]]).is_some();
        rewrites.softmax_cut = conf_logits;
        if conf_logits {
            let prepare = |e: TractError| ModelError::Prepare(e.to_string());
            let mut outputs = outlets.to_vec();
            let conf = &mut outputs[roles[1]];
            *conf = softmax_input(&model, *conf)
                .ok_or_else(|| ModelError::Prepare("softmax moved".into()))?;
            model.select_output_outlets(&outputs).map_err(prepare)?;
        }
        let mut fm = FaceModel {
            kind,
            sha256,
            model: Arc::new(model),
            roles,
            conf_logits,
            rewrites,
            own_depthwise: rewrite,
            plans: Arc::default(),
        };
        let plan = fm.plan(320, 320)?;
        fm.rewrites.own_depthwise = plan
            .model()
            .nodes()
            .iter()
            .filter(|n| n.op_is::<depthwise::Depthwise>())
            .count();
        Ok(fm)
    }

    pub fn kind(&self) -> ModelKind {
        self.kind
    }

    /// What the speed rewrites changed (see [`FaceModel::load_bytes_with`]).
    pub fn graph_rewrites(&self) -> GraphRewrites {
        self.rewrites
    }

    /// SHA-256 of the model file: stored with results so a new model means re-analysis.
    pub fn sha256(&self) -> &str {
        &self.sha256
    }

    fn plan(&self, w: usize, h: usize) -> Result<Plan, ModelError> {
        if let Some(p) = self
            .plans
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&(w, h))
        {
            return Ok(p.clone());
        }
        let prepare = |e: TractError| ModelError::Prepare(e.to_string());
        let mut typed = (*self.model)
            .clone()
            .with_input_fact(0, f32::fact([1, 3, h, w]).into())
            .and_then(|m| m.into_typed())
            .and_then(|m| m.into_decluttered())
            .map_err(prepare)?;
        if self.own_depthwise {
            depthwise::replace_depthwise(&mut typed).map_err(prepare)?;
        }
        let plan = typed
            .into_optimized()
            .and_then(|m| m.into_runnable())
            .map_err(prepare)?;
        self.plans
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert((w, h), plan.clone());
        Ok(plan)
    }

    /// Prepares (and keeps) the plan for working images of `width` × `height`, so the
    /// first photo of that size does not wait for it: tract optimises a plan per input
    /// size (≈ 50–70 ms for RetinaFace here), where onnxruntime prepares one session for
    /// every size. Detection prepares missing plans itself; this is for callers that
    /// know their sizes ahead (a benchmark separating set-up from steady state).
    pub fn prepare(&self, width: u32, height: u32) -> Result<(), ModelError> {
        let (w, h) = (width as usize, height as usize);
        self.plan(w.div_ceil(32) * 32, h.div_ceil(32) * 32)
            .map(|_| ())
    }

    /// Faces in `img` (upright, working size), in its pixels.
    pub fn detect(&self, img: &Rgb, params: &DetectParams) -> Result<Vec<Face>, ModelError> {
        let (w, h) = (img.width as usize, img.height as usize);
        // Both models want sides that are multiples of 32: pad right and bottom.
        let (pw, ph) = (w.div_ceil(32) * 32, h.div_ceil(32) * 32);
        let (mean, pad) = match self.kind {
            ModelKind::YuNet => ([0.0; 3], 0.0),
            ModelKind::RetinaFace => (retinaface::MEAN_BGR, 0.0),
        };
        // Written straight into the tensor (one converted from a Vec is copied again).
        let inference = |e: TractError| ModelError::Inference(e.to_string());
        let mut input = Tensor::zero::<f32>(&[1, 3, ph, pw]).map_err(inference)?;
        {
            let mut view = input.try_as_plain_ram_mut().map_err(inference)?;
            let data = view.as_slice_mut::<f32>().map_err(inference)?;
            if pad != 0.0 {
                data.fill(pad);
            }
            bgr_planar_into(img, (pw, ph), mean, data);
        }
        let outputs = self
            .plan(pw, ph)?
            .run(tvec!(input.into()))
            .map_err(|e| ModelError::Inference(e.to_string()))?;
        let view = |role: usize| -> Result<&[f32], ModelError> {
            let t = outputs
                .get(self.roles[role])
                .ok_or_else(|| ModelError::Inference("missing output".into()))?;
            t.try_as_plain_ram()
                .and_then(|v| v.as_slice::<f32>())
                .map_err(|e| ModelError::Inference(e.to_string()))
        };
        let raw = match self.kind {
            ModelKind::YuNet => {
                let v: Vec<&[f32]> = (0..12).map(view).collect::<Result<_, _>>()?;
                let out = yunet::Outputs {
                    cls: [v[0], v[1], v[2]],
                    obj: [v[3], v[4], v[5]],
                    bbox: [v[6], v[7], v[8]],
                    kps: [v[9], v[10], v[11]],
                };
                yunet::decode(&out, pw, ph, params.score_threshold)
            }
            ModelKind::RetinaFace => {
                let priors = retinaface::priors(pw, ph);
                retinaface::decode(
                    view(0)?,
                    view(1)?,
                    view(2)?,
                    &priors,
                    pw,
                    ph,
                    params.score_threshold,
                    self.conf_logits,
                )
            }
        };
        Ok(nms::nms(raw, params.nms_iou)
            .into_iter()
            .filter(|f| f.w.min(f.h) >= params.min_face)
            .filter(|f| f.x < w as f32 && f.y < h as f32 && f.x + f.w > 0.0 && f.y + f.h > 0.0)
            .collect())
    }
}

/// The input of the Softmax producing `outlet`, if a Softmax produces it.
fn softmax_input(model: &InferenceModel, outlet: OutletId) -> Option<OutletId> {
    let node = model.node(outlet.node);
    // tract names ONNX's Softmax `LayerSoftmax` in an inference model.
    let softmax = matches!(&*node.op.name(), "Softmax" | "LayerSoftmax");
    (softmax && node.inputs.len() == 1).then(|| node.inputs[0])
}

/// NCHW float planes in B, G, R order minus `mean`, padded to `pw` × `ph` with `pad`
/// (after mean subtraction).
pub fn to_bgr_planar(img: &Rgb, pw: usize, ph: usize, mean: [f32; 3], pad: f32) -> Vec<f32> {
    let mut out = vec![pad; 3 * pw * ph];
    bgr_planar_into(img, (pw, ph), mean, &mut out);
    out
}

/// [`to_bgr_planar`] into `out` (3 × `ph` × `pw`), whose padding is already filled.
fn bgr_planar_into(img: &Rgb, (pw, ph): (usize, usize), mean: [f32; 3], out: &mut [f32]) {
    let (w, h) = (img.width as usize, img.height as usize);
    let plane = pw * ph;
    let (cols, rows) = (w.min(pw), h.min(ph));
    let (b, rest) = out.split_at_mut(plane);
    let (g, r) = rest.split_at_mut(plane);
    let rows_in = img.data.chunks_exact(w * 3).take(rows);
    let rows_out = b
        .chunks_exact_mut(pw)
        .zip(g.chunks_exact_mut(pw))
        .zip(r.chunks_exact_mut(pw));
    for (src, ((b, g), r)) in rows_in.zip(rows_out) {
        let px = src.chunks_exact(3).take(cols);
        for (((p, b), g), r) in px.zip(b.iter_mut()).zip(g.iter_mut()).zip(r.iter_mut()) {
            *b = f32::from(p[2]) - mean[0];
            *g = f32::from(p[1]) - mean[1];
            *r = f32::from(p[0]) - mean[2];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn planar_bgr_with_padding() {
        let img = Rgb::new(2, 1, vec![10, 20, 30, 40, 50, 60]).unwrap();
        let t = to_bgr_planar(&img, 4, 2, [1.0, 2.0, 3.0], -9.0);
        // Blue plane first: pixel 0 blue is 30 - 1.
        assert_eq!(&t[0..4], &[29.0, 59.0, -9.0, -9.0]);
        assert_eq!(t[8], 18.0); // green plane, pixel 0
        assert_eq!(t[16], 7.0); // red plane, pixel 0
        assert_eq!(t.len(), 24);
    }

    #[test]
    fn repeated_nodes_are_merged_and_identities_read_through() {
        use tract_onnx::pb::{GraphProto, NodeProto, TensorProto, ValueInfoProto};
        let weights = |name: &str, v: Vec<f32>| TensorProto {
            name: name.into(),
            dims: vec![v.len() as i64],
            data_type: 1,
            float_data: v,
            ..Default::default()
        };
        let node = |op: &str, inputs: &[&str], output: &str| NodeProto {
            name: output.into(),
            op_type: op.into(),
            input: inputs.iter().map(|s| s.to_string()).collect(),
            output: vec![output.into()],
            ..Default::default()
        };
        let mut g = GraphProto {
            initializer: vec![
                weights("w1", vec![1.0, 2.0]),
                weights("w2", vec![1.0, 2.0]),
                weights("w3", vec![1.0, 3.0]),
            ],
            node: vec![
                node("Mul", &["x", "w1"], "a"),
                node("Identity", &["w1"], "w1_again"),
                node("Mul", &["x", "w2"], "b"), // same as a: w2 has w1's content
                node("Mul", &["x", "w1_again"], "b2"), // same as a, through the Identity
                node("Mul", &["x", "w3"], "e"), // other weights: kept
                node("Add", &["b", "b2"], "c"),
                node("Mul", &["x", "w1"], "out"), // a graph output: kept
            ],
            output: vec![
                ValueInfoProto {
                    name: "c".into(),
                    ..Default::default()
                },
                ValueInfoProto {
                    name: "out".into(),
                    ..Default::default()
                },
            ],
            ..Default::default()
        };
        assert_eq!(merge_repeated_nodes(&mut g), 3);
        let names: Vec<&str> = g.node.iter().map(|n| n.output[0].as_str()).collect();
        assert_eq!(names, ["a", "e", "c", "out"]);
        assert_eq!(g.node[2].input, ["a", "a"]);
        // Nothing left to merge.
        assert_eq!(merge_repeated_nodes(&mut g), 0);
    }

    /// Sibling convolutions (one with a bias, one without) become one convolution and a
    /// Split, with the same outputs; a grouped one and one with other attributes stay.
    #[test]
    fn sibling_convolutions_merge_into_one_with_the_same_outputs() {
        use tract_onnx::pb::{
            type_proto, AttributeProto, GraphProto, ModelProto, NodeProto, OperatorSetIdProto,
            TensorProto, TypeProto, ValueInfoProto,
        };
        let values = |n: usize, seed: u32| -> Vec<f32> {
            (0..n as u32)
                .map(|i| ((i * 7 + seed * 13) % 17) as f32 / 8.0 - 1.0)
                .collect()
        };
        let tensor = |name: &str, dims: Vec<i64>, seed: u32| TensorProto {
            name: name.into(),
            data_type: 1,
            float_data: values(dims.iter().product::<i64>() as usize, seed),
            dims,
            ..Default::default()
        };
        let ints = |name: &str, v: &[i64]| AttributeProto {
            name: name.into(),
            r#type: 7,
            ints: v.to_vec(),
            ..Default::default()
        };
        let conv = |name: &str, inputs: &[&str], pads: i64, group: i64| NodeProto {
            name: name.into(),
            op_type: "Conv".into(),
            input: inputs.iter().map(|s| s.to_string()).collect(),
            output: vec![name.into()],
            attribute: vec![
                ints("kernel_shape", &[3, 3]),
                ints("pads", &[pads; 4]),
                AttributeProto {
                    name: "group".into(),
                    r#type: 2,
                    i: group,
                    ..Default::default()
                },
            ],
            ..Default::default()
        };
        let value = |name: &str| ValueInfoProto {
            name: name.into(),
            ..Default::default()
        };
        let graph = GraphProto {
            initializer: vec![
                tensor("wa", vec![3, 2, 3, 3], 1),
                tensor("ba", vec![3], 2),
                tensor("wb", vec![2, 2, 3, 3], 3),
                tensor("wg", vec![2, 1, 3, 3], 4),
                tensor("wd", vec![2, 2, 3, 3], 5),
            ],
            node: vec![
                conv("a", &["x", "wa", "ba"], 1, 1),
                conv("g", &["x", "wg"], 1, 2), // grouped: stays
                conv("b", &["x", "wb"], 1, 1), // no bias: merged with a
                conv("d", &["x", "wd"], 0, 1), // other padding: stays
            ],
            input: vec![ValueInfoProto {
                r#type: Some(TypeProto {
                    value: Some(type_proto::Value::TensorType(type_proto::Tensor {
                        elem_type: 1,
                        shape: None,
                    })),
                    ..Default::default()
                }),
                ..value("x")
            }],
            output: ["a", "b", "g", "d"].map(value).to_vec(),
            ..Default::default()
        };
        let model = |graph: GraphProto| ModelProto {
            ir_version: 7,
            opset_import: vec![OperatorSetIdProto {
                domain: String::new(),
                version: 11,
            }],
            graph: Some(graph),
            ..Default::default()
        };
        let mut merged = graph.clone();
        assert_eq!(merge_sibling_convs(&mut merged), 1);
        let ops: Vec<&str> = merged.node.iter().map(|n| n.op_type.as_str()).collect();
        assert_eq!(ops, ["Conv", "Split", "Conv", "Conv"]);
        assert_eq!(merged.node[1].output, ["a", "b"]);
        assert_eq!(merge_sibling_convs(&mut merged), 0, "nothing left to merge");
        let run = |graph: GraphProto| -> Vec<Vec<f32>> {
            let input = Tensor::from_shape(&[1, 2, 5, 6], &values(60, 6)).unwrap();
            tract_onnx::onnx()
                .model_for_proto_model(&model(graph))
                .unwrap()
                .with_input_fact(0, f32::fact([1, 2, 5, 6]).into())
                .unwrap()
                .into_optimized()
                .unwrap()
                .into_runnable()
                .unwrap()
                .run(tvec!(input.into()))
                .unwrap()
                .iter()
                .map(|t| {
                    t.try_as_plain_ram()
                        .unwrap()
                        .as_slice::<f32>()
                        .unwrap()
                        .to_vec()
                })
                .collect()
        };
        let (before, after) = (run(graph), run(merged));
        assert_eq!(before.len(), 4);
        for (x, y) in before.iter().zip(&after) {
            assert_eq!(x.len(), y.len());
            for (p, q) in x.iter().zip(y) {
                assert!((p - q).abs() < 1e-5, "{p} vs {q}");
            }
        }
    }

    #[test]
    fn not_a_model_fails_at_load() {
        assert!(matches!(
            FaceModel::load_bytes(b"definitely not onnx".to_vec()),
            Err(ModelError::NotOnnx(_))
        ));
    }
}
