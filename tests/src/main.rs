//! `keepsake`: the device-side harness. Runs the core's pipeline on a folder or a
//! records file and reports. Unlike the core, it may print paths: it is the user's tool.
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod bench;
mod bench_collage;
mod bench_index;
mod cli;
mod evaluate;
mod faces;
mod logger;
mod output;
mod people_eval;
mod themes_eval;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args = <cli::Args as clap::Parser>::parse();
    logger::init(args.verbose);
    match cli::run(args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("keepsake: {e}");
            ExitCode::from(2)
        }
    }
}
