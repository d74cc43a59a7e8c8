#!/usr/bin/env bash
# The project's test command: formatting, lints, every test, and the bindings generated
# from the built library (never committed) and checked.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== cargo fmt --check"
cargo fmt --all -- --check

echo "== cargo clippy (all targets, warnings are errors)"
cargo clippy --all-targets --locked -- -D warnings

# The Python reference pipeline the face-detection comparison runs against (pinned
# packages in target/pyenv), when the shared data it needs is here.
shared=${KEEPSAKE_SHARED:-../shared}
if [ -d "$shared/data" ] && [ -z "${KEEPSAKE_PYTHON:-}" ]; then
    echo "== Python reference environment (target/pyenv)"
    if py=$(scripts/python-env.sh --reference); then
        export KEEPSAKE_PYTHON="$py"
    elif [ -n "${CI:-}" ]; then
        exit 1
    else
        echo "test: no Python reference environment; the comparison test will skip" >&2
    fi
fi

echo "== cargo test"
log=target/test-output.log
mkdir -p target
cargo test --locked --no-fail-fast 2>&1 | tee "$log"
passed=$(grep -Eo 'test result: .*' "$log" | grep -Eo '[0-9]+ passed' | awk '{s+=$1} END {print s+0}')
failed=$(grep -Eo 'test result: .*' "$log" | grep -Eo '[0-9]+ failed' | awk '{s+=$1} END {print s+0}')

echo "== bindings: generate Kotlin and Swift from the built library"
scripts/gen-bindings.sh

echo "tests: ${passed} passed, ${failed} failed" | tee target/test-summary.txt
