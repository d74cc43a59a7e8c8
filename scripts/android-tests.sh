#!/usr/bin/env bash
# The Android side on the JVM: compiles every Kotlin source under android/ (façade,
# Android adapters, tests) with the generated bindings against the Android framework
# classes, then runs the JUnit 5 tests (façade and bindings) and the JUnit 4 Robolectric
# tests (MediaStore source, pixel source, background job) in one console launcher,
# against the host-built library through JNA. Expects scripts/gen-bindings.sh to have run.
#
# Brings its own toolchain into target/tools: the Kotlin compiler, JUnit, JNA and
# Robolectric with its instrumented Android framework jars, resolved through Maven
# (android/toolchain/*.pom.xml) into target/tools/m2 once; the tests then run offline.
# Closing line: "android tests: N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."
command -v mvn >/dev/null || { echo "android-tests: Maven (mvn) is required" >&2; exit 1; }
command -v java >/dev/null || { echo "android-tests: Java 17 is required" >&2; exit 1; }

tools=$PWD/target/tools/android
m2=$PWD/target/tools/m2
# The Android framework jars Robolectric runs: API 34 (Android 14: partial photo access)
# is the default and the compile target; API 29 (Android 10: no generation column, no
# IS_FAVORITE) for the older-release paths. Names are Robolectric 4.17's own.
sdks=(14-robolectric-10818077-i7 10-robolectric-5803371-i7)
compile_sdk=${sdks[0]}

# Resolves a toolchain pom's dependencies into $tools/<dir>, again only when the pom changed.
resolve() {
    local pom=android/toolchain/$1.pom.xml dir=$tools/$2
    local stamp
    stamp=$(sha256sum "$pom" | cut -c1-16)
    [ "$(cat "$dir/.resolved" 2>/dev/null)" = "$stamp" ] && return 0
    echo "== resolving $1 (Maven, into target/tools)"
    rm -rf "$dir"
    mvn -q -B -Dmaven.repo.local="$m2" -f "$pom" dependency:copy-dependencies -DoutputDirectory="$dir" >&2
    echo "$stamp" >"$dir/.resolved"
}
resolve compiler kotlinc
resolve tests lib
# androidx.test's monitor ships as an .aar; Robolectric needs its classes.
for aar in "$tools"/lib/*.aar; do
    if [ -e "$aar" ] && [ ! -s "${aar%.aar}-classes.jar" ]; then
        python3 -c 'import sys, zipfile; sys.stdout.buffer.write(zipfile.ZipFile(sys.argv[1]).read("classes.jar"))' \
            "$aar" >"${aar%.aar}-classes.jar"
    fi
done
fetch() { # artifact version dir: one jar, once
    [ -s "$tools/$3/$1-$2.jar" ] && return 0
    echo "== resolving org.robolectric:$1:$2 (Maven)"
    mvn -q -B -Dmaven.repo.local="$m2" dependency:copy \
        -Dartifact="org.robolectric:$1:$2" -DoutputDirectory="$tools/$3" >&2
}
for v in "${sdks[@]}"; do fetch android-all-instrumented "$v" sdk; done
# The plain framework jar to compile against (the instrumented ones carry Robolectric's
# extra interface methods); also on the launcher's class path, where Robolectric reads
# test annotations before its sandbox loads the instrumented classes.
fetch android-all "${compile_sdk%-i*}" compile
android_jar=$tools/compile/android-all-${compile_sdk%-i*}.jar

bindings=target/bindings/uniffi/keepsake_ffi/keepsake_ffi.kt
[ -s "$bindings" ] || { echo "android-tests: run scripts/gen-bindings.sh first" >&2; exit 1; }

jars() { find "$1" -maxdepth 1 -name '*.jar' | sort | paste -sd: -; }
lib=$(jars "$tools/lib")
out=target/android-tests
rm -rf "$out"
mkdir -p "$out/classes"

mapfile -t sources < <(find android -name '*.kt' | sort)
echo "== kotlinc: the generated bindings + ${#sources[@]} Kotlin files under android/ (against Android API 34)"
java -Xmx2g -cp "$(jars "$tools/kotlinc")" org.jetbrains.kotlin.cli.jvm.K2JVMCompiler \
    -no-stdlib -no-reflect -nowarn -jvm-target 17 \
    -cp "$lib:$android_jar" -d "$out/classes" \
    "$bindings" "${sources[@]}"

echo "== JUnit 5 + Robolectric (offline; library: target/debug/libkeepsake_ffi.so)"
export KEEPSAKE_SHARED=${KEEPSAKE_SHARED:-$PWD/../shared}
export KEEPSAKE_STYLE_MODEL=${KEEPSAKE_STYLE_MODEL:-$PWD/target/models/multistyle26.onnx}
set +e
# Robolectric reaches into JDK internals (file descriptors, reflection) on Java 17.
opens=()
for pkg in java.io java.lang java.lang.reflect java.nio java.util java.util.concurrent jdk.internal.access; do
    opens+=(--add-opens "java.base/$pkg=ALL-UNNAMED")
done
java "${opens[@]}" -Djna.library.path=target/debug \
    -Drobolectric.offline=true -Drobolectric.dependency.dir="$tools/sdk" \
    -Drobolectric.logging.enabled=false \
    -cp "$out/classes:$lib:$android_jar" org.junit.platform.console.ConsoleLauncher \
    execute --select-package org.keepsake --details=tree --disable-banner --fail-if-no-tests \
    2>&1 | tee "$out/output.log"
status=${PIPESTATUS[0]}
set -e
passed=$(grep -Eo '[0-9]+ tests successful' "$out/output.log" | grep -Eo '^[0-9]+' | head -1)
failed=$(grep -Eo '[0-9]+ tests failed' "$out/output.log" | grep -Eo '^[0-9]+' | head -1)
echo "android tests: ${passed:-0} passed, ${failed:-0} failed"
exit "$status"
