//! `vakt infer`: draft a rule pack from sample returns.
//!
//! What it does, its examples and its exit status are written once, on [`Args`] and in
//! [`AFTER_HELP`]; `vakt infer --help` prints them.

use std::path::PathBuf;
use std::process::ExitCode;

/// Examples and exit status, shown after the options by `vakt infer --help`.
pub const AFTER_HELP: &str = "Examples:\n  vakt infer return.xlsx > my-pack.toml\n  vakt infer returns/2024/*.xlsx returns/2024/HN-FIN/ > my-pack.toml\n  vakt check --rules my-pack.toml return.xlsx\n\nExit status: 0 drafted; 2 a sample could not be read.";

/// Draft a rule pack from sample returns, for you to edit.
///
/// Finds each sheet's or CSV file's table and header, and writes a commented TOML pack to standard
/// output: each column's type, the range of numbers seen (widened), code lists from the distinct
/// values with their counts, columns never blank (required), candidate keys (unique) and foreign
/// keys (relations), and identifier columns (fødselsnummer). A draft to read and edit, never to
/// trust as it is; unedited, it checks the samples it came from without errors.
#[derive(clap::Args)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    /// Sample returns: workbooks, folders of CSV files, or CSV files.
    #[arg(required = true, value_name = "SAMPLE")]
    paths: Vec<PathBuf>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    match crate::infer::draft(&args.paths) {
        Ok(draft) => {
            super::out_text(&draft.to_toml());
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            errln!("vakt: {e}");
            Ok(ExitCode::from(super::EXIT_INCOMPLETE))
        }
    }
}
