#!/usr/bin/env bash
# Builds the XCFramework and the Swift bindings the package needs (macOS with Xcode and
# the Rust targets aarch64-apple-ios, aarch64-apple-ios-sim, x86_64-apple-ios,
# aarch64-apple-darwin). Outputs (never committed): build/KeepsakeFFI.xcframework and
# Sources/Keepsake/Generated/keepsake_ffi.swift.
set -euo pipefail
cd "$(dirname "$0")"
root=$(cd .. && pwd)
targets=(aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios aarch64-apple-darwin)
for t in "${targets[@]}"; do
    rustup target add "$t" >/dev/null
    cargo build --manifest-path "$root/Cargo.toml" -p keepsake-ffi --release --locked --target "$t"
done
# The bindings come from a host build of the same library (library mode).
cargo build --manifest-path "$root/Cargo.toml" -p keepsake-ffi --release --locked
cargo build --manifest-path "$root/Cargo.toml" -p uniffi-bindgen --locked
gen=build/generated
rm -rf "$gen" build/KeepsakeFFI.xcframework
"$root/target/debug/uniffi-bindgen" generate --library "$root/target/release/libkeepsake_ffi.dylib" \
    --language swift --out-dir "$gen"
mkdir -p build/headers Sources/Keepsake/Generated
cp "$gen/keepsake_ffiFFI.h" build/headers/
# SwiftPM looks for module.modulemap inside the framework's headers.
cp "$gen/keepsake_ffiFFI.modulemap" build/headers/module.modulemap
cp "$gen/keepsake_ffi.swift" Sources/Keepsake/Generated/
lib=libkeepsake_ffi.a
mkdir -p build/ios-sim
lipo -create "$root/target/aarch64-apple-ios-sim/release/$lib" "$root/target/x86_64-apple-ios/release/$lib" \
    -output build/ios-sim/$lib
xcodebuild -create-xcframework \
    -library "$root/target/aarch64-apple-ios/release/$lib" -headers build/headers \
    -library build/ios-sim/$lib -headers build/headers \
    -library "$root/target/aarch64-apple-darwin/release/$lib" -headers build/headers \
    -output build/KeepsakeFFI.xcframework
echo "build-xcframework: build/KeepsakeFFI.xcframework and the Swift bindings are ready"
