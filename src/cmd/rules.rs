//! `vakt rules`: list every check with its code, name and summary.
//!
//! Usage: vakt rules
//!
//! Examples:
//!   vakt rules
//!   vakt rules | grep VK01

use std::process::ExitCode;
use vakt::check::Registry;

/// List every check: code, name and a one-line summary.
#[derive(clap::Args)]
#[command(after_help = "Examples:\n  vakt rules\n  vakt explain VK0104")]
pub struct Args {}

pub fn run(_: Args) -> anyhow::Result<ExitCode> {
    let registry = Registry::builtin();
    for info in registry.all() {
        outln!("{}  {:<18} {}", info.code, info.name, info.summary());
    }
    Ok(ExitCode::SUCCESS)
}
