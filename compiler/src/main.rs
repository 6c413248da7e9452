//! The `zkc` binary: the command line of [`zkc_compiler::cli`].

use std::process::ExitCode;

use clap::Parser;
use zkc_compiler::cli::{error_chain, run, Cli};

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}", error_chain(&e));
            ExitCode::FAILURE
        }
    }
}
