//! What checking a return produces: its tables as found, its findings, and what later stages
//! (reports, `vakt clean`) need of it. The report stage renders it; the clean stage decides rows
//! from it. Neither reaches into the engine.

use crate::finding::Finding;
use crate::ident::IdSet;
use crate::locate::stream::Counts;

/// What was found of one table in a return.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct TableRun {
    /// Index of the table in the pack.
    pub table: usize,
    /// The table's name.
    pub name: String,
    /// The file it was found in.
    pub file: String,
    /// The sheet, in a workbook.
    pub sheet: Option<String>,
    /// The 1-based header row, if a header was found.
    pub header_row: Option<u64>,
    /// Data rows read.
    pub data_rows: u64,
    /// Every row under the header, by kind.
    pub counts: Counts,
}

/// The result of checking one return.
#[derive(Debug, Default)]
#[non_exhaustive]
pub struct InputResult {
    /// The tables found, in the order they were checked.
    pub tables: Vec<TableRun>,
    /// Every finding listed, sorted by table, file, row and column.
    pub findings: Vec<Finding>,
    /// Set when (part of) the input could not be read: the run cannot complete.
    pub failed: bool,
    /// Per pack table: found with a header.
    pub present: Vec<bool>,
    /// The return's key (`[return]` of the pack): its code when the column has a code list, else
    /// the text as written.
    pub return_key: Option<String>,
    /// When the return was submitted (the pack's `[return] submitted` column).
    pub submitted: Option<crate::value::Date>,
    /// The return's identifiers, for scrubbing free text exactly as the check saw it.
    pub ids: IdSet,
    /// Findings counted but not listed (past the limit per kind), by severity: info, warning, error.
    pub dropped: [u64; 3],
    /// Every error cell, when the check was asked to keep them (`vakt clean`).
    pub error_cells: Vec<super::sink::ErrorCell>,
}

impl InputResult {
    /// Data rows read in all tables.
    pub fn rows(&self) -> u64 {
        self.tables.iter().map(|t| t.data_rows).sum()
    }
}
