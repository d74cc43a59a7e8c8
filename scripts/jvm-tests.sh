#!/usr/bin/env bash
# Kotlin JVM tests: the Android library's façade (everything not tied to Android classes)
# and the generated bindings, compiled with kotlinc (npm `kotlin-compiler`, installed into
# target/tools/kotlin) and run with JUnit 5 against the host-built library through JNA
# (Debian: libjna-java, junit5). Expects scripts/gen-bindings.sh to have run.
set -euo pipefail
cd "$(dirname "$0")/.."
kotlin=target/tools/kotlin/node_modules/kotlin-compiler
if [ ! -x "$kotlin/bin/kotlinc" ]; then
    command -v npm >/dev/null || { echo "jvm-tests: npm is required for kotlin-compiler" >&2; exit 1; }
    npm install --prefix target/tools/kotlin --no-audit --no-fund --silent kotlin-compiler@2.4.20
fi
jars=/usr/share/java
for jar in jna junit-jupiter-api apiguardian-api opentest4j junit-platform-console-standalone; do
    [ -f "$jars/$jar.jar" ] || { echo "jvm-tests: $jars/$jar.jar missing (Debian: libjna-java junit5)" >&2; exit 1; }
done
bindings=target/bindings/uniffi/keepsake_ffi/keepsake_ffi.kt
[ -s "$bindings" ] || { echo "jvm-tests: run scripts/gen-bindings.sh first" >&2; exit 1; }
out=target/jvm-tests
rm -rf "$out"
mkdir -p "$out"
cp="$jars/jna.jar:$jars/junit-jupiter-api.jar:$jars/apiguardian-api.jar:$jars/opentest4j.jar:$kotlin/lib/kotlin-test.jar"
echo "== kotlinc: generated bindings + façade + JVM tests"
"$kotlin/bin/kotlinc" -nowarn -jvm-target 17 -cp "$cp" -d "$out/classes" \
    "$bindings" android/keepsake/src/shared/kotlin android/keepsake/src/test/kotlin
echo "== JUnit (library: target/debug/libkeepsake_ffi.so)"
export KEEPSAKE_SHARED=${KEEPSAKE_SHARED:-$PWD/../shared}
export KEEPSAKE_STYLE_MODEL=${KEEPSAKE_STYLE_MODEL:-$PWD/target/models/multistyle26.onnx}
java -Djna.library.path=target/debug -jar "$jars/junit-platform-console-standalone.jar" \
    --class-path "$out/classes:$cp:$kotlin/lib/kotlin-stdlib.jar" \
    --select-package org.keepsake --details=tree --disable-banner --fail-if-no-tests
