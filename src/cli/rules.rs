//! `vakt rules`: list every check with its code, name and summary.
//!
//! What it does, its examples and its exit status are written once, on [`Args`] and in
//! [`AFTER_HELP`]; `vakt rules --help` prints them.

use crate::check::Registry;
use std::process::ExitCode;

/// Examples and exit status, shown after the options by `vakt rules --help`.
pub const AFTER_HELP: &str = "Examples:\n  vakt rules\n  vakt rules | grep VK01\n  vakt rules --rules my-pack.toml\n\nExit status: 0 listed; 2 the pack or a plugin could not be loaded.";

/// List every check: code, name and a one-line summary.
///
/// With a pack, also its plugins' rule kinds and the codes of its own rules.
#[derive(clap::Args)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    /// Rule pack (TOML). Default: the survey pack built into vakt.
    #[arg(long, value_name = "PACK")]
    rules: Option<std::path::PathBuf>,
}

pub fn run(args: Args, registry: Registry) -> anyhow::Result<ExitCode> {
    let Some(plan) = super::load_plan(args.rules.as_deref(), registry) else {
        return Ok(ExitCode::from(super::EXIT_INCOMPLETE));
    };
    for info in plan.checks() {
        outln!("{}  {:<18} {}", info.code, info.name, info.summary());
    }
    Ok(ExitCode::SUCCESS)
}
