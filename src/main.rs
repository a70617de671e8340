//! The `vakt` command line: parses arguments and hands each subcommand to its module.

mod cmd;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = cmd::Cli::parse();
    match cmd::run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("vakt: {e:#}");
            ExitCode::from(2)
        }
    }
}
