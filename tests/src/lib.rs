//! Shared pieces of the harness: synthetic test files (made here, so no third-party
//! image is ever committed) and helpers used by the CLI, end-to-end tests and benchmarks.
#![allow(clippy::print_stdout, clippy::print_stderr)]

pub mod ap;
pub mod host;
pub mod report;
pub mod rng;
pub mod synth;
pub mod timeline;
pub mod video;
