//! `vakt template`: write the empty return as the pack defines it, as an Excel workbook.
//!
//! What it does, its examples and its exit status are written once, on [`Args`] and in
//! [`AFTER_HELP`]; `vakt template --help` prints them.

use super::check::LangArg;
use std::path::PathBuf;
use std::process::ExitCode;

/// Examples and exit status, shown after the options by `vakt template --help`.
pub const AFTER_HELP: &str = "Examples:\n  vakt template --out return.xlsx --lang nb\n  vakt template --rules my-pack.toml --out my-return.xlsx\n\nExit status: 0 written; 2 not written (a bad pack, the file exists without --force, or it could not be written).";

/// Write the empty return as the pack defines it: an Excel template that prevents errors.
///
/// One sheet per table with the headers in the chosen language and a frozen header row; a
/// drop-down of labels on every coded column; whole-number, decimal and date validation with the
/// pack's hard ranges; an input message with each column's description; identifier and digit-code
/// columns formatted as text so that leading zeros survive. A return filled in on it is laid out
/// as `vakt check` expects.
#[derive(clap::Args)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    /// The workbook to write (.xlsx).
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// Rule pack (TOML). Default: the survey pack built into vakt.
    #[arg(long, value_name = "PACK")]
    rules: Option<PathBuf>,
    /// Language of the sheet names, headers, labels and messages (default: from the environment's
    /// locale, English otherwise).
    #[arg(long, value_enum)]
    lang: Option<LangArg>,
    /// Replace FILE if it exists.
    #[arg(long)]
    force: bool,
}

pub fn run(args: Args, registry: crate::check::Registry) -> anyhow::Result<ExitCode> {
    if args.out.exists() && !args.force {
        errln!("vakt: {} exists; give --force to replace it", args.out.display());
        return Ok(ExitCode::from(super::EXIT_INCOMPLETE));
    }
    let Some(plan) = super::load_plan(args.rules.as_deref(), registry) else {
        return Ok(ExitCode::from(super::EXIT_INCOMPLETE));
    };
    let written = crate::reports::template::write(plan.pack(), LangArg::resolve(args.lang))
        .and_then(|bytes| crate::reports::write_private(&args.out, &bytes));
    match written {
        Ok(()) => {
            errln!("vakt: template: {}", args.out.display());
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            errln!("vakt: the template could not be written: {e}");
            Ok(ExitCode::from(super::EXIT_INCOMPLETE))
        }
    }
}
