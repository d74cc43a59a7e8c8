#!/usr/bin/env bash
# Creates the project's Python environment in target/pyenv (inside the clone) and
# prints its interpreter. With --reference, also installs the reference pipeline's
# pinned packages (tests/python/requirements.txt).
set -euo pipefail
cd "$(dirname "$0")/.."
env=target/pyenv
if [ ! -x "$env/bin/python" ]; then
    python3 -m venv "$env" >&2 || {
        echo "python-env: python3 with the venv module is required (Debian: python3-venv)" >&2
        exit 1
    }
fi
if [ "${1:-}" = "--reference" ]; then
    stamp="$env/.requirements.sha256"
    want=$(sha256sum tests/python/requirements.txt | cut -d' ' -f1)
    if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
        "$env/bin/pip" install --quiet --disable-pip-version-check -r tests/python/requirements.txt >&2
        echo "$want" >"$stamp"
    fi
fi
echo "$PWD/$env/bin/python"
