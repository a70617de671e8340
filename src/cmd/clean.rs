//! `vakt clean`: turn checked returns into one clean, pseudonymised national dataset.
//!
//! Usage: vakt clean [OPTIONS] --key KEYFILE --domain NAME --out DIR <RETURN>...
//!
//! Examples:
//!   vakt keygen --project survey-2009 --out survey.key
//!   vakt clean returns/* --key survey.key --domain release-2026 --out clean/
//!   vakt clean returns/* --key survey.key --domain release-2026 --out clean/ --format both --on-error keep
//!
//! Writes one file per table (groups.csv, patients.csv, ...), all returns merged, each row with its
//! authority_code; rows with errors in rejected/<table>.csv with their findings; manifest.json
//! accounting for every row. Exit status: 0 all rows clean; 1 done, some rows rejected or flagged;
//! 2 nothing written (bad key, unreadable input, existing output folder, failed accounting).

use super::EXIT_INCOMPLETE;
use clap::ValueEnum;
use std::path::PathBuf;
use std::process::ExitCode;
use vakt::check::Registry;
use vakt::clean::{self, pseudo::Key, OnError, OutFormat};

#[derive(Clone, Copy, ValueEnum)]
pub enum Format {
    Csv,
    Xlsx,
    Both,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum ErrorRows {
    Reject,
    Keep,
}

/// Clean returns into one pseudonymised national dataset; every row accounted for.
#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  vakt keygen --project survey-2009 --out survey.key\n  vakt clean returns/* --key survey.key --domain release-2026 --out clean/\n\nExit status: 0 all rows clean, 1 some rows rejected or flagged, 2 nothing written."
)]
pub struct Args {
    /// Returns to clean: workbooks, folders of CSV files, or CSV files.
    #[arg(required = true, value_name = "RETURN")]
    paths: Vec<String>,
    /// Key file from `vakt keygen`.
    #[arg(long, value_name = "KEYFILE")]
    key: PathBuf,
    /// Pseudonymisation domain: one per recipient, so two recipients cannot link their files.
    #[arg(long)]
    domain: String,
    /// Output folder (must not exist, unless --force).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Rule pack (TOML). Default: the survey pack built into vakt.
    #[arg(long, value_name = "PACK")]
    rules: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "csv")]
    format: Format,
    /// Rows with errors: reject to rejected/<table>.csv, or keep with a vakt_errors column.
    #[arg(long, value_enum, default_value = "reject")]
    on_error: ErrorRows,
    /// Replace an existing output folder.
    #[arg(long)]
    force: bool,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let key = match Key::load(&args.key) {
        Ok(k) => k,
        Err(e) => {
            eprintln!("vakt: {e}");
            return Ok(ExitCode::from(EXIT_INCOMPLETE));
        }
    };
    let Some(pack) = super::load_pack(args.rules.as_deref()) else {
        return Ok(ExitCode::from(super::EXIT_INCOMPLETE));
    };
    let opts = clean::Options {
        key: &key,
        domain: args.domain.clone(),
        out: args.out.clone(),
        format: match args.format {
            Format::Csv => OutFormat::Csv,
            Format::Xlsx => OutFormat::Xlsx,
            Format::Both => OutFormat::Both,
        },
        on_error: match args.on_error {
            ErrorRows::Reject => OnError::Reject,
            ErrorRows::Keep => OnError::Keep,
        },
        force: args.force,
    };
    match clean::run(&pack, &Registry::builtin(), &args.paths, &opts) {
        Ok(summary) => {
            let mut flagged = 0;
            for (table, written, rejected) in &summary.tables {
                outln!("{table:<18} {written:>8} rows written {rejected:>6} rejected");
                flagged += rejected;
            }
            outln!(
                "{} non-data rows (totals, blank, notes) listed in {}",
                summary.non_data,
                summary.manifest.display()
            );
            if summary.flagged > 0 {
                outln!(
                    "{} rows with errors kept and flagged in the vakt_errors column",
                    summary.flagged
                );
            }
            outln!(
                "pseudonyms: domain {}, key fingerprint {}",
                args.domain,
                key.fingerprint
            );
            Ok(if flagged + summary.flagged > 0 {
                ExitCode::from(super::EXIT_FINDINGS)
            } else {
                ExitCode::SUCCESS
            })
        }
        Err(e) => {
            eprintln!("vakt: {e}");
            Ok(ExitCode::from(EXIT_INCOMPLETE))
        }
    }
}
