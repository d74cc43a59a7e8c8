//! Library-mode binding generator. Built with its own `cargo build -p uniffi-bindgen`
//! so uniffi's `cli` feature never leaks into the shipped library.
fn main() {
    uniffi::uniffi_bindgen_main()
}
