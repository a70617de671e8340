//! The finding sink: the one way a finding, and with it cell text, enters a report.
//!
//! Every rule kind, built-in or plugin, row rule or return rule, hands its findings to a
//! [`Collector`] (through a table's [`Sink`]), and the collector masks them there: the message,
//! help and value of each finding are searched for national identity numbers, phone numbers,
//! e-mail addresses, the return's identifier values and the whole values of its direct-identifier
//! cells, and each is masked. A rule that formats a raw identifier into its message cannot leak it.
//! Masking waits until the whole return is read ([`Collector::finish`]), so it knows every
//! identifier of the return, whichever table or row it was found in, and so the findings of a
//! table checked on two threads are masked the same as when checked on one. The collector also drops findings at cells a clean dataset already flagged (`vakt_flags`).

use crate::finding::{mask, mask_found, Code, Finding, Location, Severity};
use crate::i18n::{Said, T};
use crate::ident::{IdSet, Scanner};
use crate::pack::Table;
use std::collections::HashSet;

/// Findings of one kind (code) in one table that are listed; past this they are counted by
/// severity and one note says how many were left out. Memory stays bounded whatever the input.
pub const MAX_FINDINGS_PER_KIND: u32 = 1_000;

/// An error finding kept compactly for `vakt clean`, which must know every cell with an error
/// even when the list of findings was cut.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorCell {
    /// Index of the table in the pack.
    pub table: usize,
    /// 1-based physical row.
    pub row: u64,
    /// The pack column's name, as the finding gives it.
    pub column: Option<String>,
    /// The finding's code.
    pub code: Code,
}

/// The findings of one return, masked when the return has been read.
#[derive(Debug, Default)]
pub struct Collector {
    ids: IdSet,
    findings: Vec<Finding>,
    /// Cells (table, row, physical column) a clean dataset lists in `vakt_flags`.
    flagged: HashSet<(usize, u64, u32)>,
    /// Findings listed per (table, code).
    listed: std::collections::HashMap<(usize, Code), u32>,
    /// Findings not listed, by severity (info, warning, error) and by (table, code).
    dropped: [u64; 3],
    dropped_by_kind: std::collections::BTreeMap<(usize, Code), (u64, Severity, String)>,
    /// Every error cell, when asked for.
    error_cells: Option<Vec<ErrorCell>>,
    /// A rule could not run (a plugin failed): the check is incomplete.
    failed: bool,
    /// Per CSV file, where the record number starts to lag the line: (first line, lag).
    record_lags: std::collections::HashMap<String, Vec<(u64, u64)>>,
}

/// What a return's collector holds at the end.
#[derive(Debug, Default)]
pub struct Collected {
    /// The findings, masked.
    pub findings: Vec<Finding>,
    /// The return's identifiers.
    pub ids: IdSet,
    /// Findings not listed (past [`MAX_FINDINGS_PER_KIND`]), by severity: info, warning, error.
    pub dropped: [u64; 3],
    /// Every error cell, when the collector was asked to keep them.
    pub error_cells: Vec<ErrorCell>,
    /// A rule could not run: the check of this return is incomplete (exit 2).
    pub failed: bool,
}

impl Collector {
    /// Notes a CSV row's line and record number, so findings at later lines can name both.
    pub fn note_record(&mut self, file: &str, line: u64, record: u64) {
        if record == 0 || record > line {
            return;
        }
        let lag = line - record;
        // Called for every CSV row: only a change of lag (a record that spanned lines, rare)
        // touches the map by an owned key.
        let last = self.record_lags.get(file).and_then(|l| l.last()).map_or(0, |l| l.1);
        if last != lag {
            self.record_lags.entry(file.to_string()).or_default().push((line, lag));
        }
    }

    /// The record number of a CSV finding whose line is past a record that spanned lines.
    fn add_record(&self, loc: &mut Location) {
        let (None, Some(row), Some(lags)) = (&loc.sheet, loc.row, self.record_lags.get(&loc.file)) else {
            return;
        };
        let at = lags.partition_point(|l| l.0 <= row);
        let lag = at.checked_sub(1).and_then(|i| lags.get(i)).map_or(0, |l| l.1);
        if lag > 0 {
            loc.record = Some(row - lag);
        }
    }

    /// A collector that masks the identifiers recorded in `ids` (more can be added as rows stream).
    pub fn new(ids: IdSet) -> Collector {
        Collector {
            ids,
            ..Default::default()
        }
    }

    /// The return's identifiers recorded so far (all of them, once every table has been read),
    /// sealed for questions: a question to an unsealed set scans what was recorded since.
    pub fn ids(&mut self) -> &IdSet {
        self.ids.seal();
        &self.ids
    }

    /// Records identifiers as rows stream.
    pub fn ids_mut(&mut self) -> &mut IdSet {
        &mut self.ids
    }

    /// Marks a cell that a clean dataset says was already reported and cleaned.
    pub fn flag(&mut self, table: usize, row: u64, col: u32) {
        self.flagged.insert((table, row, col));
    }

    /// Keeps every error cell, beyond the listed findings (for `vakt clean`).
    pub fn keep_error_cells(&mut self) {
        self.error_cells.get_or_insert_with(Vec::new);
    }

    /// Adds a finding, to be masked by [`Collector::finish`].
    pub fn push(&mut self, mut f: Finding) {
        self.add_record(&mut f.location);
        if let (Some(row), Some(col)) = (f.location.row, f.location.col) {
            if self.flagged.contains(&(f.location.table, row, col)) {
                return;
            }
        }
        if let (Some(cells), Severity::Error, Some(row)) = (&mut self.error_cells, f.severity, f.location.row) {
            cells.push(ErrorCell {
                table: f.location.table,
                row,
                column: f.location.column.clone(),
                code: f.code.clone(),
            });
        }
        let listed = self.listed.entry((f.location.table, f.code.clone())).or_insert(0);
        if *listed >= MAX_FINDINGS_PER_KIND {
            self.dropped[f.severity as usize] += 1;
            let table_name = f.location.file.clone();
            let e = self
                .dropped_by_kind
                .entry((f.location.table, f.code.clone()))
                .or_insert((0, f.severity, table_name));
            e.0 += 1;
            e.1 = e.1.max(f.severity);
            return;
        }
        *listed += 1;
        // Masked in `finish`, against every identifier of the return: a message about an early
        // row may quote a value that a later row (or a later table) shows to be an identifier.
        self.findings.push(f);
    }

    /// Masks the texts of a finding, both languages.
    fn mask_finding(&self, f: &mut Finding) {
        f.message = self.mask(std::mem::take(&mut f.message));
        f.help = f.help.take().map(|h| self.mask(h));
        f.value = f.value.take().map(|v| self.mask_value(v));
        if let Some(nb) = f.nb.take() {
            let crate::finding::Nb { message, help } = *nb;
            f.nb = Some(Box::new(crate::finding::Nb {
                message: self.mask(message),
                help: help.map(|h| self.mask(h)),
            }));
        }
    }

    /// Adds the finding of a rule that could not run: the return's check is then incomplete.
    pub fn fail(&mut self, f: Finding) {
        self.failed = true;
        self.push(f);
    }

    /// Everything collected: the listed findings (with a note for each kind that was cut), the
    /// identifiers, and the counts of what was not listed.
    pub fn finish(mut self) -> Collected {
        self.ids.seal();
        let mut findings = std::mem::take(&mut self.findings);
        for f in &mut findings {
            self.mask_finding(f);
        }
        self.findings = findings;
        for ((table, code), (n, severity, file)) in std::mem::take(&mut self.dropped_by_kind) {
            let message = T::FindingsCut.say(&[
                ("count", &n),
                ("code", &code),
                ("severity", &severity.as_str()),
                ("max", &MAX_FINDINGS_PER_KIND),
            ]);
            let help = T::HelpFixFirst.say(&[]);
            self.findings.push(
                Finding {
                    nb: None,
                    code: crate::locate::codes::FINDINGS_LIMIT.into(),
                    severity: Severity::Info,
                    message: String::new(),
                    help: None,
                    location: Location {
                        table,
                        file,
                        ..Default::default()
                    },
                    value: None,
                }
                .said(message, Some(help)),
            );
        }
        Collected {
            findings: self.findings,
            ids: self.ids,
            dropped: self.dropped,
            error_cells: self.error_cells.unwrap_or_default(),
            failed: self.failed,
        }
    }

    /// Masks a cell's value: whole, when it is the whole value of an identifier cell anywhere in
    /// the return (a name has no backticks around it to find it by), else as any text.
    fn mask_value(&self, v: String) -> String {
        if !self.ids.is_empty() && self.ids.contains_value(&v) {
            return mask(&v);
        }
        self.mask(v)
    }

    /// Masks every identifier in a text.
    pub fn mask(&self, s: String) -> String {
        let mut spans: Vec<(std::ops::Range<usize>, bool)> =
            Scanner::global().scan(&s).into_iter().map(|(_, r)| (r, true)).collect();
        if !self.ids.is_empty() {
            for r in crate::ident::candidates(&s) {
                if self.ids.contains_token(&s[r.clone()]) || self.ids.contains_value(&s[r.clone()]) {
                    spans.push((r, false));
                }
            }
            for r in quoted(&s) {
                if self.ids.contains_value(&s[r.clone()]) || self.ids.contains_token(&s[r.clone()]) {
                    spans.push((r, false));
                }
            }
        }
        if spans.is_empty() {
            return s;
        }
        spans.sort_by_key(|(r, _)| (r.start, std::cmp::Reverse(r.end)));
        let mut out = String::with_capacity(s.len());
        let mut at = 0;
        for (r, found) in spans {
            if r.start < at {
                continue;
            }
            out.push_str(&s[at..r.start]);
            let piece = &s[r.clone()];
            out.push_str(&if found { mask_found(piece) } else { mask(piece) });
            at = r.end;
        }
        out.push_str(&s[at..]);
        out
    }
}

/// The insides of `backtick` quotes, where messages put values.
fn quoted(s: &str) -> Vec<std::ops::Range<usize>> {
    let ticks: Vec<usize> = s.match_indices('`').map(|(i, _)| i).collect();
    ticks.chunks_exact(2).map(|p| p[0] + 1..p[1]).collect()
}

/// Where the findings of one table go: fills in file, sheet, row and column, and masks values of
/// identifier columns, before the collector masks everything again.
pub struct Sink<'a> {
    /// The file of the table.
    pub file: &'a str,
    /// The sheet, in a workbook.
    pub sheet: Option<&'a str>,
    /// Index of the table in the pack.
    pub table_index: usize,
    /// The table.
    pub table: &'a Table,
    /// For each pack column, its physical column in the sheet.
    pub physical: &'a [Option<u32>],
    out: Out<'a>,
}

/// Where a sink's findings go.
enum Out<'a> {
    /// Straight to the return's collector.
    Collector(&'a mut Collector),
    /// Into a list, tagged with where in the sequential order of the table they belong, for a
    /// table whose rules run on two threads (see `check::split`).
    Tagged(&'a mut Vec<Tagged>, (u32, u32)),
}

/// A finding made while a table's rules run on two threads, with its place in the order the
/// findings would have been made on one: (row of the batch, rank of the rule).
#[derive(Debug)]
pub struct Tagged {
    /// (row of the batch, rank of the rule or event).
    pub at: (u32, u32),
    /// Made by a rule that could not run ([`Sink::fail`]).
    pub failed: bool,
    /// The finding.
    pub finding: Finding,
}

impl<'a> Sink<'a> {
    /// A sink for one table of a return.
    pub fn new(
        out: &'a mut Collector,
        (file, sheet): (&'a str, Option<&'a str>),
        table_index: usize,
        table: &'a Table,
        physical: &'a [Option<u32>],
    ) -> Sink<'a> {
        Sink::to(Out::Collector(out), (file, sheet), table_index, table, physical)
    }

    fn to(
        out: Out<'a>,
        (file, sheet): (&'a str, Option<&'a str>),
        table_index: usize,
        table: &'a Table,
        physical: &'a [Option<u32>],
    ) -> Sink<'a> {
        Sink {
            file,
            sheet,
            table_index,
            table,
            physical,
            out,
        }
    }

    /// A sink for one table of a return that keeps its findings in `found`, tagged (see
    /// [`Sink::tag`]).
    pub(crate) fn tagged(
        found: &'a mut Vec<Tagged>,
        (file, sheet): (&'a str, Option<&'a str>),
        table_index: usize,
        table: &'a Table,
        physical: &'a [Option<u32>],
    ) -> Sink<'a> {
        Sink::to(Out::Tagged(found, (0, 0)), (file, sheet), table_index, table, physical)
    }

    /// Sets the tag of the findings that follow, on a tagged sink.
    pub(crate) fn tag(&mut self, at: (u32, u32)) {
        if let Out::Tagged(_, tag) = &mut self.out {
            *tag = at;
        }
    }

    /// The collector behind the sink; `None` for a tagged sink.
    pub fn collector(&mut self) -> Option<&mut Collector> {
        match &mut self.out {
            Out::Collector(c) => Some(c),
            Out::Tagged(..) => None,
        }
    }

    /// Adds a finding (masked by the collector).
    pub fn push(&mut self, f: Finding) {
        self.send(f, false);
    }

    fn send(&mut self, finding: Finding, failed: bool) {
        match &mut self.out {
            Out::Collector(c) if failed => c.fail(finding),
            Out::Collector(c) => c.push(finding),
            Out::Tagged(found, at) => found.push(Tagged {
                at: *at,
                failed,
                finding,
            }),
        }
    }

    /// Notes the line and record number of a row of this table's file (see
    /// [`Collector::note_record`]).
    pub fn note_record(&mut self, row: &crate::value::RowBuf) {
        if let (None, Out::Collector(c)) = (self.sheet, &mut self.out) {
            c.note_record(self.file, row.row, row.record);
        }
    }

    /// Adds the finding of a rule that could not run (see [`Collector::fail`]).
    pub fn fail(&mut self, f: Finding) {
        self.send(f, true);
    }

    /// The location of a cell of this table.
    pub fn location(&self, row: Option<u64>, col: Option<u32>, column: Option<&str>) -> Location {
        Location {
            table: self.table_index,
            file: self.file.to_string(),
            sheet: self.sheet.map(str::to_string),
            row,
            col,
            column: column.map(str::to_string),
            record: None,
        }
    }

    /// A value as it may be shown: masked when the column is a direct identifier.
    pub fn shown(&self, col: usize, raw: &str) -> String {
        let raw = crate::value::text::trim(raw);
        match self.table.columns.get(col) {
            Some(c) if c.is_identifier() => mask(raw),
            _ => raw.to_string(),
        }
    }

    /// A finding at the cell of pack column `col` in the current row.
    pub fn cell(
        &mut self,
        code: impl Into<Code>,
        severity: Severity,
        row: &super::RowCtx<'_>,
        col: usize,
        message: impl Into<Said>,
        help: Option<Said>,
    ) {
        let value = self.shown(col, row.text(col));
        let location = self.location(
            Some(row.row.row),
            self.physical.get(col).copied().flatten(),
            self.table.columns.get(col).map(|c| c.name.as_str()),
        );
        let f = Finding {
            nb: None,
            code: code.into(),
            severity,
            message: String::new(),
            help: None,
            location,
            value: Some(value),
        };
        self.push(f.said(message.into(), help));
    }

    /// A finding at a physical cell of the current row, which may belong to no pack column.
    pub fn physical_cell(
        &mut self,
        code: impl Into<Code>,
        severity: Severity,
        row: &super::RowCtx<'_>,
        phys: u32,
        column: Option<usize>,
        message: impl Into<Said>,
    ) {
        let raw = crate::value::text::trim(row.row.get(phys as usize).text);
        self.at_physical(code, severity, (row.row.row, phys), column, raw, message);
    }

    /// A finding at a physical cell of any row (the header, say), with its raw text.
    pub fn at_physical(
        &mut self,
        code: impl Into<Code>,
        severity: Severity,
        (row, phys): (u64, u32),
        column: Option<usize>,
        raw: &str,
        message: impl Into<Said>,
    ) {
        let value = match column {
            Some(c) => self.shown(c, raw),
            None => raw.to_string(),
        };
        let name = column.and_then(|c| self.table.columns.get(c)).map(|c| c.name.as_str());
        let location = self.location(Some(row), Some(phys), name);
        let f = Finding {
            nb: None,
            code: code.into(),
            severity,
            message: String::new(),
            help: None,
            location,
            value: Some(value),
        };
        self.push(f.said(message.into(), None));
    }

    /// A finding about a whole row.
    pub fn row(
        &mut self,
        code: impl Into<Code>,
        severity: Severity,
        row: u64,
        message: impl Into<Said>,
        help: Option<Said>,
    ) {
        let location = self.location(Some(row), None, None);
        let f = Finding {
            nb: None,
            code: code.into(),
            severity,
            message: String::new(),
            help: None,
            location,
            value: None,
        };
        self.push(f.said(message.into(), help));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ident::IdForm;

    #[test]
    fn the_collector_masks_whatever_a_rule_wrote() {
        let mut ids = IdSet::new(vec![IdForm::NationalId]);
        ids.insert(IdForm::NationalId, "EPJ-12345");
        ids.insert(IdForm::NationalId, "311299 56716");
        ids.insert_value("Kari Nordmann");
        let c = Collector::new(ids);
        let m =
            c.mask("patient_id `EPJ-12345` has 3 rows; 31129956715 and 31129956716, `Kari Nordmann`, kari@x.no".into());
        assert!(
            !m.contains("EPJ-12345") && !m.contains("56715") && !m.contains("56716"),
            "{m}"
        );
        assert!(!m.contains("Nordmann") && !m.contains("kari@x.no"), "{m}");
        assert!(m.contains("has 3 rows"), "{m}");
    }
}
