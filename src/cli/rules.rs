//! `vakt rules`: list every check with its code, name and summary.
//!
//! What it does, its examples and its exit status are written once, on [`Args`] and in
//! [`AFTER_HELP`]; `vakt rules --help` prints them.

use crate::check::Registry;
use std::process::ExitCode;

/// Examples and exit status, shown after the options by `vakt rules --help`.
pub const AFTER_HELP: &str = "Examples:\n  vakt rules\n  vakt rules | grep VK01";

/// List every check: code, name and a one-line summary.
#[derive(clap::Args)]
#[command(after_help = AFTER_HELP)]
pub struct Args {}

pub fn run(_: Args, registry: Registry) -> anyhow::Result<ExitCode> {
    for info in registry.all() {
        outln!("{}  {:<18} {}", info.code, info.name, info.summary());
    }
    Ok(ExitCode::SUCCESS)
}
