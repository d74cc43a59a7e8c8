#!/usr/bin/env bash
# One API, two façades: the Kotlin and Swift façades against the generated bindings and
# against each other (scripts/api-parity.py says what is compared). Expects
# scripts/gen-bindings.sh to have run; exits non-zero on drift.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d target/bindings ] || { echo "api-parity: run scripts/gen-bindings.sh first" >&2; exit 1; }
kotlin=android/keepsake/src/shared/kotlin/org/keepsake/KeepsakeStore.kt
swift=ios/Sources/Keepsake/KeepsakeStore.swift
# The check bites: a Swift façade missing one method must fail it.
canary=$(mktemp --suffix=.swift)
trap 'rm -f "$canary"' EXIT
sed 's/public func forget(/public func forgotten(/' "$swift" >"$canary"
if python3 scripts/api-parity.py target/bindings "$kotlin" "$canary" >/dev/null; then
    echo "api-parity: a renamed Swift method went unnoticed" >&2
    exit 1
fi
python3 scripts/api-parity.py target/bindings "$kotlin" "$swift"
