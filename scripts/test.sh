#!/usr/bin/env bash
# The project's test command: formatting, lints, every test, and the bindings generated
# from the built library (never committed) and checked.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages (installed when root, else the apt-get line to run).
scripts/system-packages.sh test

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

echo "== models (target/models: the face detector and the style network, sha256-pinned)"
scripts/models.sh

echo "== cargo test"
log=target/test-output.log
mkdir -p target
cargo test --locked --no-fail-fast 2>&1 | tee "$log"
passed=$(grep -Eo 'test result: .*' "$log" | grep -Eo '[0-9]+ passed' | awk '{s+=$1} END {print s+0}')
failed=$(grep -Eo 'test result: .*' "$log" | grep -Eo '[0-9]+ failed' | awk '{s+=$1} END {print s+0}')

echo "== bindings: generate Kotlin and Swift from the built library"
scripts/gen-bindings.sh

# Android: every Kotlin source under android/ compiled against the Android framework and
# its tests run (JUnit 5 + Robolectric, offline once resolved); the two façades against the
# bindings and each other.
android=FAILED
if scripts/android-tests.sh 2>&1 | tee target/android-test-output.log; then
    android=$(grep -Eo 'android tests: .*' target/android-test-output.log | tail -1)
else
    failed=$((failed + 1))
fi
parity=FAILED
if scripts/api-parity.sh | tee target/api-parity.log; then
    parity=OK
else
    failed=$((failed + 1))
fi
swift=skipped
if python=$(scripts/python-env.sh --swift-parser); then
    if "$python" scripts/swift-parse.py target/bindings ios | tee target/swift-parse.log; then
        swift=$(tail -1 target/swift-parse.log)
    else
        swift=FAILED
        failed=$((failed + 1))
    fi
elif [ -n "${CI:-}" ]; then
    exit 1
fi

echo "tests: ${passed} passed, ${failed} failed; ${android}; API parity: ${parity}; Swift parse: ${swift}" | tee target/test-summary.txt
[ "$failed" -eq 0 ]
