// Keepsake for Android: one library module. Build it inside an app's Gradle build, or on
// its own with the Android SDK, the NDK and cargo-ndk installed (see README.md).
pluginManagement {
    repositories {
        google()
        mavenCentral()
        gradlePluginPortal()
    }
}
dependencyResolutionManagement {
    repositories {
        google()
        mavenCentral()
    }
}
rootProject.name = "keepsake-android"
include(":keepsake")
