#!/usr/bin/env bash
# Generates the Kotlin and Swift bindings from the host-built keepsake-ffi library into
# target/bindings, and syntax-checks the C header the Swift module imports.
# The library is built with the workspace's default members (the same feature set as
# the tests, so nothing is rebuilt; uniffi-bindgen is not among them, so uniffi's `cli`
# feature never ends up in the shipped library), and the bindgen on its own.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --locked
cargo build --locked -p uniffi-bindgen
out=target/bindings
rm -rf "$out"
target/debug/uniffi-bindgen generate --library target/debug/libkeepsake_ffi.so \
    --language kotlin --language swift --out-dir "$out" --no-format
kt=$(find "$out" -name '*.kt' | head -1)
swift=$(find "$out" -name '*.swift' | head -1)
header=$(find "$out" -name '*.h' | head -1)
for f in "$kt" "$swift" "$header"; do
    [ -s "$f" ] || { echo "missing generated file in $out" >&2; exit 1; }
done
grep -q 'class Keepsake' "$kt"
grep -q 'class Keepsake' "$swift"
# `_Nonnull` and `_Nullable` are clang nullability qualifiers; gcc checks the rest.
echo "#include \"$header\"" | gcc -fsyntax-only -D_Nonnull= -D_Nullable= -I. -x c -
echo "bindings generated: $(find "$out" -type f | wc -l) files ($(wc -c < "$kt") bytes of Kotlin, $(wc -c < "$swift") bytes of Swift); header compiles"
