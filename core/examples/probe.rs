//! Prints what the metadata reader finds in each file given: `cargo run --example probe -- FILE…`.
#![allow(clippy::print_stdout)]
fn main() {
    for arg in std::env::args().skip(1) {
        let probe = keepsake_core::metadata::probe_path(std::path::Path::new(&arg));
        println!("{arg}\n  {probe:?}");
    }
}
