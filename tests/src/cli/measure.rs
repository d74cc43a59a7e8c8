//! Benchmarks and evaluations: `bench`, `eval`.

use super::*;

pub(super) fn run(args: &Args) -> Result<ExitCode, Box<dyn std::error::Error>> {
    match &args.command {
        Command::Bench { which } => crate::bench::run(which),
        Command::Eval { which } => crate::evaluate::run(which),
        _ => Err("not a measure command".into()),
    }
}
