// The Keepsake Android library (an AAR): the Rust core built for each ABI with cargo-ndk
// into jniLibs/<abi>/libkeepsake_ffi.so, the
// Kotlin bindings generated from the built library at build time (never committed), the
// façade (src/shared, also compiled by the JVM tests) and the Android adapters (src/main).
import org.gradle.api.tasks.Exec

plugins {
    id("com.android.library")
    id("org.jetbrains.kotlin.android")
}

val repoRoot = rootDir.parentFile
val jniDir = layout.buildDirectory.dir("rustJniLibs")
val generatedDir = layout.buildDirectory.dir("generated/uniffi")
val abis = listOf("arm64-v8a", "armeabi-v7a", "x86_64")

android {
    namespace = "org.keepsake"
    compileSdk = 35
    defaultConfig {
        minSdk = 26
        consumerProguardFiles("consumer-rules.pro")
        ndk { abiFilters += abis }
    }
    sourceSets["main"].apply {
        java.srcDirs("src/shared/kotlin", "src/main/kotlin", generatedDir)
        jniLibs.srcDir(jniDir)
    }
    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }
    kotlinOptions { jvmTarget = "17" }
}

dependencies {
    // The generated bindings call the library through JNA (the AAR ships its native part;
    // the same version the Android tests run with, android/toolchain/tests.pom.xml).
    implementation("net.java.dev.jna:jna:5.19.1@aar")
    // Nothing else: the background job is the framework's JobScheduler (no AndroidX), so
    // scripts/android-tests.sh compiles and tests every source here against the platform
    // classes (Robolectric) on any machine.
}

// Release builds of the core for every ABI (cargo-ndk picks the NDK linkers).
val cargoNdk by tasks.registering(Exec::class) {
    workingDir = repoRoot
    val args = mutableListOf("cargo", "ndk", "--platform", "26", "-o", jniDir.get().asFile.path)
    abis.forEach { args += listOf("-t", it) }
    args += listOf("build", "--release", "--locked", "-p", "keepsake-ffi")
    commandLine(args)
}

// Library-mode generation from a host build of the same library, with the bindgen pinned
// in the workspace (bindings/uniffi-bindgen).
val generateBindings by tasks.registering(Exec::class) {
    workingDir = repoRoot
    val out = generatedDir.get().asFile
    doFirst { out.deleteRecursively() }
    commandLine(
        "sh", "-c",
        "cargo build --locked -p keepsake-ffi && cargo build --locked -p uniffi-bindgen && " +
            "target/debug/uniffi-bindgen generate --library target/debug/libkeepsake_ffi.so " +
            "--language kotlin --out-dir '${out.path}'",
    )
}

tasks.named("preBuild") { dependsOn(cargoNdk, generateBindings) }
