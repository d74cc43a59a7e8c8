//! Helpers shared by the core's integration tests.
#![allow(dead_code, clippy::unwrap_used)]

use std::path::PathBuf;

/// `../shared` beside the repository (or `$KEEPSAKE_SHARED`). When it is absent the
/// caller skips with a printed reason — except in CI, where it must exist.
pub fn shared_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("KEEPSAKE_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared")));
    if dir.join("data").is_dir() {
        return Some(dir);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "../shared is missing in CI: {}",
        dir.display()
    );
    println!(
        "SKIPPED: {} not found (shared test data is only absent outside CI)",
        dir.display()
    );
    None
}

/// A fresh temporary directory, removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        use std::sync::atomic::{AtomicU32, Ordering};
        static N: AtomicU32 = AtomicU32::new(0);
        let dir = std::env::temp_dir().join(format!(
            "keepsake-{tag}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    pub fn path(&self) -> &std::path::Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
