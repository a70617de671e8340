//! The `vakt` command line: parses arguments and hands each subcommand to its module.

#[macro_use]
mod cmd;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    vakt::read::guard::install_quiet_hook();
    if let Ok(exe) = std::env::current_exe() {
        vakt::read::isolated::isolate_with(exe);
    }
    let cli = cmd::Cli::parse();
    let code = match cmd::run(cli) {
        Ok(code) => code,
        Err(e) => {
            errln!("vakt: {e:#}");
            ExitCode::from(cmd::EXIT_INCOMPLETE)
        }
    };
    match cmd::output_failure() {
        Some(why) => {
            errln!("vakt: cannot write the output: {why}");
            ExitCode::from(cmd::EXIT_INCOMPLETE)
        }
        None => code,
    }
}
