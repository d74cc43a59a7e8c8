#!/usr/bin/env bash
# Creates the project's Python environment in target/pyenv (inside the clone) and
# prints its interpreter, installing pinned packages on request (see the options below).
set -euo pipefail
cd "$(dirname "$0")/.."
env=target/pyenv
if [ ! -x "$env/bin/python" ]; then
    python3 -m venv "$env" >&2 || {
        echo "python-env: python3 with the venv module is required (Debian: python3-venv)" >&2
        exit 1
    }
fi
# --reference: the reference pipeline's packages; --swift-parser: tree-sitter + its Swift
# grammar (the Swift parse check); --converter: numpy + onnx (the classifier conversion).
# Each pinned in its requirements file.
case "${1:-}" in
    --reference) req=tests/python/requirements.txt; stamp="$env/.requirements.sha256" ;;
    --swift-parser) req=tests/python/swift-parser.txt; stamp="$env/.swift-parser.sha256" ;;
    --converter) req=tests/python/converter.txt; stamp="$env/.converter.sha256" ;;
    "") req= ;;
    *) echo "python-env: unknown option $1" >&2; exit 2 ;;
esac
if [ -n "$req" ]; then
    want=$(sha256sum "$req" | cut -d' ' -f1)
    if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
        "$env/bin/pip" install --quiet --disable-pip-version-check -r "$req" >&2
        echo "$want" >"$stamp"
    fi
fi
echo "$PWD/$env/bin/python"
