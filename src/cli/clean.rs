//! `vakt clean`: turn checked returns into one clean, pseudonymised national dataset.
//!
//! What it does, its examples and its exit status are written once, on [`Args`] and in
//! [`AFTER_HELP`]; `vakt clean --help` prints them.

use super::EXIT_INCOMPLETE;
use crate::check::Registry;
use crate::clean::{self, pseudo::Key, OnError, OutFormat, Resubmissions};
use clap::ValueEnum;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Clone, Copy, ValueEnum)]
pub enum Format {
    Csv,
    Xlsx,
    Both,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum ErrorRows {
    /// Empty a bad value and flag it; reject a row only when a key or identifier is unusable.
    Cell,
    /// Reject every row with an error.
    #[value(alias = "reject")]
    Row,
    /// Keep bad values as written, flagged; reject a row only when a key or identifier is unusable.
    Keep,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Resubmitted {
    /// Stop when two inputs hold the same return.
    Refuse,
    /// Take the latest of them (by the pack's submission date, else the later argument).
    Latest,
}

/// Examples and exit status, shown after the options by `vakt clean --help`.
pub const AFTER_HELP: &str = "Examples:\n  vakt keygen --project survey-2009 --out survey.key\n  vakt clean returns/* --key survey.key --domain release-2026 --out clean/\n  vakt clean returns/* --key survey.key --domain release-2026 --out clean/ --format both --on-error keep\n\nExit status: 0 every row clean; 1 done, with rows rejected or flagged or a table incomplete; 2 nothing written (bad key, unreadable input, existing output folder, failed accounting).";

/// Clean returns into one pseudonymised national dataset; every row accounted for.
///
/// Writes one file per table (groups.csv, patients.csv, ...), all returns merged, each row with its
/// authority_code; rows with errors in rejected/<table>.csv with their findings; manifest.json
/// accounting for every row.
#[derive(clap::Args)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    /// Returns to clean: workbooks, folders of CSV files, or CSV files.
    #[arg(required = true, value_name = "RETURN")]
    paths: Vec<PathBuf>,
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
    /// What to do with errors: cell-level cleaning, whole-row rejection, or keep and flag.
    #[arg(long, value_enum, default_value = "cell")]
    on_error: ErrorRows,
    /// Two inputs with the same return (a corrected copy sent again).
    #[arg(long, value_enum, default_value = "refuse")]
    resubmissions: Resubmitted,
    /// Replace an existing output folder, if `vakt clean` wrote it.
    #[arg(long)]
    force: bool,
    /// No progress bar on standard error (it is shown only on a terminal, after a second).
    #[arg(long, short)]
    quiet: bool,
}

pub fn run(args: Args, registry: Registry) -> anyhow::Result<ExitCode> {
    let key = match Key::load(&args.key) {
        Ok(k) => k,
        Err(e) => {
            errln!("vakt: {e}");
            return Ok(ExitCode::from(EXIT_INCOMPLETE));
        }
    };
    let Some(plan) = super::load_plan(args.rules.as_deref(), registry) else {
        return Ok(ExitCode::from(super::EXIT_INCOMPLETE));
    };
    let mut protected = vec![args.key.clone()];
    protected.extend(args.rules.clone());
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
            ErrorRows::Cell => OnError::Cell,
            ErrorRows::Row => OnError::Row,
            ErrorRows::Keep => OnError::Keep,
        },
        resubmissions: match args.resubmissions {
            Resubmitted::Refuse => Resubmissions::Refuse,
            Resubmitted::Latest => Resubmissions::Latest,
        },
        force: args.force,
        protected,
    };
    let cleaned = {
        let progress = super::progress::Progress::spinner("cleaning", args.quiet);
        progress.message(&format!("{} returns", args.paths.len()));
        clean::run(&plan, &args.paths, &opts)
    };
    match cleaned {
        Ok(summary) => Ok(report(&summary, &args.domain, &key.fingerprint)),
        Err(e) => {
            errln!("vakt: {e}");
            Ok(ExitCode::from(EXIT_INCOMPLETE))
        }
    }
}

fn report(summary: &clean::Summary, domain: &str, fingerprint: &str) -> ExitCode {
    let mut rejected = 0;
    for (table, written, r) in &summary.tables {
        outln!("{table:<18} {written:>8} rows written {r:>6} rejected");
        rejected += r;
    }
    let manifest = summary.out.join("manifest.json");
    outln!(
        "{} non-data rows (totals, blank, notes) and {} duplicate rows, listed in {}",
        summary.non_data,
        summary.duplicates,
        manifest.display()
    );
    if summary.flagged > 0 {
        outln!(
            "{} rows kept with cleaned cells listed in their vakt_flags column",
            summary.flagged
        );
    }
    for d in &summary.dropped {
        outln!(
            "left out as an earlier submission of its return: {}",
            crate::report::escape(d)
        );
    }
    for p in &summary.problems {
        outln!("incomplete: {}", crate::report::escape(p));
    }
    outln!("pseudonyms: domain {domain}, key fingerprint {fingerprint}");
    if rejected + summary.flagged > 0 || !summary.problems.is_empty() {
        ExitCode::from(super::EXIT_FINDINGS)
    } else {
        ExitCode::SUCCESS
    }
}
