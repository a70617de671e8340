//! Reporting: renders a run's findings for people (terminal, through miette) and for programs (JSON).
//!
//! The report is built once from the engine's results; renderers only format it. Totals are counted
//! before any truncation, so `--max-diagnostics` never changes the numbers.

pub mod human;
/// The message catalogue (kept in the leaf [`crate::i18n`], so checks can use it too).
pub use crate::i18n;
pub mod json;

/// Text made safe to print to a terminal (see [`crate::value::text::escape`]).
pub use crate::value::text::escape;

use crate::check::{InputResult, TableRun};
use crate::finding::{Finding, Severity};

/// Counts of findings by severity, and data rows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    /// Error findings.
    pub errors: u64,
    /// Warning findings.
    pub warnings: u64,
    /// Information findings.
    pub infos: u64,
    /// Data rows read.
    pub rows: u64,
}

impl Totals {
    /// Counts one finding.
    pub fn add(&mut self, f: &Finding) {
        match f.severity {
            Severity::Error => self.errors += 1,
            Severity::Warning => self.warnings += 1,
            Severity::Info => self.infos += 1,
        }
    }

    /// The totals of some findings.
    pub fn of(findings: &[Finding]) -> Totals {
        let mut t = Totals::default();
        findings.iter().for_each(|f| t.add(f));
        t
    }
}

/// One checked return.
#[derive(Debug)]
pub struct InputReport {
    /// The input as given.
    pub path: String,
    /// SHA-256 of the input, if it could be opened.
    pub sha256: Option<String>,
    /// Its format, if it could be opened.
    pub format: Option<&'static str>,
    /// The tables found.
    pub tables: Vec<TableRun>,
    /// The findings listed.
    pub findings: Vec<Finding>,
    /// Every finding counted, listed or not.
    pub totals: Totals,
    /// The return could not be read or checked completely (exit 2).
    pub failed: bool,
}

impl InputReport {
    /// The report of one checked return.
    pub fn new(path: &str, input: Option<&crate::read::Input>, result: InputResult) -> InputReport {
        let mut totals = Totals::of(&result.findings);
        totals.infos += result.dropped[0];
        totals.warnings += result.dropped[1];
        totals.errors += result.dropped[2];
        totals.rows = result.rows();
        InputReport {
            path: path.to_string(),
            sha256: input.map(|i| i.sha256.clone()),
            format: input.map(|i| i.format.as_str()),
            tables: result.tables,
            findings: result.findings,
            totals,
            failed: result.failed,
        }
    }
}

impl InputReport {
    /// `ok` (no errors), `errors`, or `failed` (could not be read or checked completely).
    pub fn status(&self) -> &'static str {
        if self.failed {
            "failed"
        } else if self.totals.errors > 0 {
            "errors"
        } else {
            "ok"
        }
    }
}

/// A whole `vakt check` run.
#[derive(Debug)]
pub struct Report {
    /// vakt's version.
    pub tool_version: &'static str,
    /// The pack's path.
    pub pack_path: String,
    /// SHA-256 over the pack and every file it loaded.
    pub pack_sha256: String,
    /// The pack is the survey pack built into vakt.
    pub pack_embedded: bool,
    /// The files the pack loaded, with their SHA-256.
    pub pack_files: Vec<crate::pack::PackFile>,
    /// Each input, in command-line order.
    pub inputs: Vec<InputReport>,
    /// At most this many diagnostics are listed (totals stay exact).
    pub max_diagnostics: Option<usize>,
}

impl Report {
    /// Totals over every input.
    pub fn totals(&self) -> Totals {
        let mut t = Totals::default();
        for i in &self.inputs {
            t.errors += i.totals.errors;
            t.warnings += i.totals.warnings;
            t.infos += i.totals.infos;
            t.rows += i.totals.rows;
        }
        t
    }

    /// All findings in report order.
    pub fn findings(&self) -> impl Iterator<Item = &Finding> {
        self.inputs.iter().flat_map(|i| i.findings.iter())
    }

    /// Whether any input could not be read or checked completely.
    pub fn any_failed(&self) -> bool {
        self.inputs.iter().any(|i| i.failed)
    }
}
