//! `vakt audit`: check a table before publication, however it was made.
//!
//! What it does, its examples and its exit status are written once, on [`Args`] and in
//! [`AFTER_HELP`]; `vakt audit --help` prints them.

use crate::disclose::{audit, data};
use crate::report::escape;
use clap::ValueEnum;
use std::process::ExitCode;

#[derive(Clone, Copy, ValueEnum)]
pub enum Format {
    Human,
    Json,
}

/// Examples and exit status, shown after the options by `vakt audit --help`.
/// How the publisher treated zeros.
#[derive(Clone, Copy, ValueEnum)]
pub enum AuditZeros {
    /// Zeros are shown: every suppressed cell is a count of at least 1.
    Published,
    /// True zeros were suppressed too: a suppressed cell may be 0.
    Suppressed,
}

pub const AFTER_HELP: &str = "Examples:\n  vakt audit tables/dx-by-type/table.csv\n  vakt audit report.xlsx --sheet \"Tabell 3\" --preset ssb\n  vakt audit other.csv --ledger tables/ledger.jsonl --population people/ --rows-var region --cols-var sex\n\nExit status: 0 safe; 1 risk found; 2 unreadable input.";

/// Audit a table before publication: small cells, non-additive margins, recoverable suppressions.
///
/// Reads a CSV file or a sheet: labels in the first column, categories in the header row, a total
/// row and column when present (found by label — Sum, Totalt, I alt, Total — or by adding up), and
/// the usual suppression symbols (`.`, `:`, `*`, `x`, `-`, `<5`, blank). Reports published counts
/// below the threshold, margins that do not add up, suppressed cells that can be recovered exactly
/// (with the derivation), suppressed cells provably below the threshold, and derivable sums of
/// suppressed cells below it.
#[derive(clap::Args)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    /// The table: CSV, or a workbook (with --sheet).
    table: std::path::PathBuf,
    /// The sheet to audit (default: the first).
    #[arg(long)]
    sheet: Option<String>,
    /// Smallest publishable count.
    #[arg(long, conflicts_with = "preset")]
    threshold: Option<f64>,
    /// A named policy: ssb, nav, helsedata, tre, survey.
    #[arg(long)]
    preset: Option<String>,
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
    /// Seconds the interval check may take; cells it could not bound are reported as not proven.
    #[arg(long, value_name = "SECONDS", default_value_t = audit::AUDIT_SECONDS)]
    time_limit: u64,
    /// No progress bar on standard error (it is shown only on a terminal, after a second).
    #[arg(long, short)]
    quiet: bool,
    /// Whether the publisher shows zeros (`published`: a suppressed cell is a count of at least 1)
    /// or hid true zeros too (`suppressed`: a suppressed cell may be 0).
    #[arg(long, value_enum, default_value = "published")]
    zeros: AuditZeros,
    /// The ledger of earlier releases (`vakt publish` writes one): a count an earlier table hid
    /// must stay hidden, and what earlier tables showed counts as known.
    #[arg(long, value_name = "FILE", requires_all = ["population", "rows_var"])]
    ledger: Option<std::path::PathBuf>,
    /// With --ledger: the population the table counts, as the ledger names it (`patients/patient_id`,
    /// `groups/`).
    #[arg(long, value_name = "NAME")]
    population: Option<String>,
    /// With --ledger: the variable of the table's rows (`dx_group`).
    #[arg(long, value_name = "COLUMN")]
    rows_var: Option<String>,
    /// With --ledger: the variable of its count columns, when it has several (`group_type`).
    #[arg(long, value_name = "COLUMN")]
    cols_var: Option<String>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let fail = super::incomplete;
    let policy = match super::tabulate::policy(args.threshold, args.preset.as_deref()) {
        Ok(p) => p,
        Err(e) => return fail(&e),
    };
    let sheet = match data::read_sheet(&args.table, args.sheet.as_deref()) {
        Ok(s) => s,
        Err(e) => return fail(&e),
    };
    let audited = {
        let _progress = super::progress::Progress::spinner("auditing the table", args.quiet);
        let zeros = match args.zeros {
            AuditZeros::Published => crate::disclose::suppress::Zeros::Publish,
            AuditZeros::Suppressed => crate::disclose::suppress::Zeros::Protect,
        };
        let ledger = match args
            .ledger
            .as_deref()
            .map(crate::disclose::ledger::Ledger::read)
            .transpose()
        {
            Ok(l) => l,
            Err(e) => return fail(&e),
        };
        let view = ledger.as_ref().map(|l| audit::LedgerView {
            ledger: l,
            population: args.population.as_deref().unwrap_or_default(),
            rows: args.rows_var.as_deref().unwrap_or_default(),
            cols: args.cols_var.as_deref(),
        });
        audit::audit_with(&sheet, policy.threshold, args.time_limit, zeros, view.as_ref())
    };
    let report = match audited {
        Ok(r) => r,
        Err(e) => return fail(&e),
    };
    match args.format {
        Format::Json => outln!("{}", serde_json::to_string_pretty(&report.json).unwrap_or_default()),
        Format::Human => {
            let shape: Vec<String> = report.grid.dims.iter().map(|d| d.1.len().to_string()).collect();
            outln!(
                "{}: {} table, {} suppressed {}, threshold {}",
                escape(&args.table.display().to_string()),
                shape.join(" × "),
                report.suppressed,
                if report.suppressed == 1 { "cell" } else { "cells" },
                policy.threshold
            );
            for r in &report.risks {
                if r.cell.is_empty() {
                    outln!("  ✗ [{}] {}", r.kind, escape(&r.message));
                } else {
                    outln!("  ✗ [{}] {}: {}", r.kind, escape(&r.cell), escape(&r.message));
                }
            }
            outln!(
                "{}",
                if report.risks.is_empty() {
                    "✓ safe to publish".to_string()
                } else {
                    format!(
                        "✗ {} found",
                        if report.risks.len() == 1 {
                            "1 risk".to_string()
                        } else {
                            format!("{} risks", report.risks.len())
                        }
                    )
                }
            );
        }
    }
    Ok(if report.risks.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(super::EXIT_FINDINGS)
    })
}
