//! Link settings for the shipped library only (the release profile): packed relative
//! relocations. A Rust cdylib is full of pointers in read-only data (vtables, string
//! tables) that the loader relocates one 24-byte record at a time; packed, those records
//! take a few bits each (2.2 MB of 24.7 MB in the x86_64 release library).
fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    if std::env::var("PROFILE").as_deref() != Ok("release") {
        return;
    }
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    match (os.as_str(), env.as_str()) {
        // DT_RELR: GNU ld 2.38+ / lld; glibc 2.36+ loads it.
        ("linux", "gnu") => println!("cargo::rustc-cdylib-link-arg=-Wl,-z,pack-relative-relocs"),
        // Android's own packing (API 23+; RELR needs API 28, the library supports 26).
        ("android", _) => println!("cargo::rustc-cdylib-link-arg=-Wl,--pack-dyn-relocs=android"),
        // Apple's linker packs pointers itself (chained fixups).
        _ => {}
    }
}
