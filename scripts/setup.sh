#!/usr/bin/env bash
# Set-up: builds the harness (`target/debug/keepsake`). Needs the Rust toolchain
# (cargo, rustfmt, clippy) and a C compiler (SQLite is built from source).
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in cargo gcc; do
    command -v "$tool" >/dev/null || { echo "setup: $tool is required" >&2; exit 1; }
done
# The default members (core, bindings, harness): one feature set, shared with the tests.
cargo build --locked
echo "setup: done — run target/debug/keepsake --help"
