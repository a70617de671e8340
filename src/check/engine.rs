//! The engine: checks one return against a pack, table by table, streaming rows.
//!
//! For each table found in the return: the first rows are buffered to find the header; the rule
//! kinds compile against the header's column positions; then every row streams through
//! classification (data, blank, totals, note), parsing and the compiled rules. Only the header search
//! window and the findings are held in memory, plus whatever a rule keeps (unique keys).

use super::{Registry, RowCtx, RowRule, Sink, TableSchema};
use crate::finding::{Finding, Location, Severity};
use crate::locate::{self, codes, Header, RowKind};
use crate::pack::Pack;
use crate::read::{Input, ReadError, RowBuf, RowSource};
use crate::value::{self, ParseCtx, Parsed};

/// What was found of one table in a return.
#[derive(Debug, Clone)]
pub struct TableRun {
    /// Index of the table in the pack.
    pub table: usize,
    pub name: String,
    pub file: String,
    pub sheet: Option<String>,
    pub header_row: Option<u64>,
    pub data_rows: u64,
}

/// The result of checking one return.
#[derive(Debug, Default)]
pub struct InputResult {
    pub tables: Vec<TableRun>,
    pub findings: Vec<Finding>,
    /// Set when (part of) the input could not be read: the run cannot complete.
    pub failed: bool,
}

impl InputResult {
    pub fn rows(&self) -> u64 {
        self.tables.iter().map(|t| t.data_rows).sum()
    }
}

/// Opens and checks one return. Never panics on bad input: unreadable input becomes a VK0001 finding
/// with `failed` set.
pub fn check_path(pack: &Pack, registry: &Registry, path: &str) -> (Option<Input>, InputResult) {
    match Input::open(path) {
        Ok(mut input) => {
            let result = check_input(pack, registry, &mut input);
            (Some(input), result)
        }
        Err(e) => (
            None,
            InputResult {
                tables: Vec::new(),
                findings: vec![unreadable(&e, usize::MAX)],
                failed: true,
            },
        ),
    }
}

fn unreadable(e: &ReadError, table: usize) -> Finding {
    let (sheet, row) = match e {
        ReadError::Rows { sheet, row, .. } => (sheet.clone(), *row),
        _ => (None, None),
    };
    Finding {
        code: codes::UNREADABLE,
        severity: Severity::Error,
        message: e.to_string(),
        help: None,
        location: Location {
            table,
            file: e.file().to_string(),
            sheet,
            row,
            ..Default::default()
        },
        value: None,
    }
}

/// Checks every table of an opened return.
pub fn check_input(pack: &Pack, registry: &Registry, input: &mut Input) -> InputResult {
    let (matches, mut findings) = locate::match_tables(pack, input);
    let mut result = InputResult::default();
    for m in matches {
        let part = input.parts[m.part].clone();
        let table = &pack.tables[m.table];
        let mut run = TableRun {
            table: m.table,
            name: table.name.clone(),
            file: part.file.clone(),
            sheet: part.sheet.clone(),
            header_row: None,
            data_rows: 0,
        };
        let outcome = input
            .rows(m.part)
            .and_then(|mut rows| check_table(pack, registry, m.table, &part, rows.as_mut(), &mut run, &mut findings));
        if let Err(e) = outcome {
            findings.push(unreadable(&e, m.table));
            result.failed = true;
        }
        result.tables.push(run);
    }
    sort_findings(&mut findings);
    result.findings = findings;
    result
}

/// Orders findings by table, then row, then column, keeping discovery order among equals.
pub fn sort_findings(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        let key = |f: &Finding| {
            (
                f.location.table,
                f.location.file.clone(),
                f.location.row.unwrap_or(0),
                f.location.col.map_or(0, |c| c as u64 + 1),
            )
        };
        key(a).cmp(&key(b))
    });
}

fn check_table(
    pack: &Pack,
    registry: &Registry,
    table_index: usize,
    part: &crate::read::Part,
    rows: &mut dyn RowSource,
    run: &mut TableRun,
    findings: &mut Vec<Finding>,
) -> Result<(), ReadError> {
    let table = &pack.tables[table_index];
    // Buffer the header search window.
    let mut head: Vec<RowBuf> = Vec::with_capacity(locate::HEADER_SEARCH_ROWS);
    let mut exhausted = false;
    while head.len() < locate::HEADER_SEARCH_ROWS {
        let mut buf = RowBuf::default();
        if !rows.next_row(&mut buf)? {
            exhausted = true;
            break;
        }
        // Blank rows stay: under the header they are findings, above it find_header skips them.
        head.push(buf);
    }
    let Some(header) = locate::find_header(table, &head) else {
        findings.push(Finding {
            code: codes::HEADER_NOT_FOUND,
            severity: Severity::Error,
            message: format!(
                "no header row for table `{}` in the first {} rows",
                table.name,
                locate::HEADER_SEARCH_ROWS
            ),
            help: Some(format!(
                "the header row names the columns, e.g. {}",
                table
                    .columns
                    .iter()
                    .take(4)
                    .map(|c| c.label_no.clone().unwrap_or_else(|| c.name.clone()))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
            location: Location {
                table: table_index,
                file: part.file.clone(),
                sheet: part.sheet.clone(),
                ..Default::default()
            },
            value: None,
        });
        return Ok(());
    };
    run.header_row = Some(header.row);

    let mut sink = Sink {
        file: &part.file,
        sheet: part.sheet.as_deref(),
        table_index,
        table,
        physical: &header.physical,
        findings: Vec::new(),
    };
    report_header(&header, &mut sink);

    let schema = TableSchema {
        pack,
        table_index,
        table,
        physical: &header.physical,
    };
    let mut rules: Vec<Box<dyn RowRule + '_>> = registry.kinds().iter().flat_map(|k| k.compile(&schema)).collect();
    let parsers: Vec<(usize, u32, crate::pack::ColumnType, Option<&crate::pack::CodeList>)> = table
        .columns
        .iter()
        .enumerate()
        .filter_map(|(i, c)| header.physical[i].map(|p| (i, p, c.ty, pack.codelist(c))))
        .collect();

    let mut values = vec![Parsed::MISSING; table.columns.len()];
    let mut scratch = String::new();
    let mut state = RowState {
        last_row: header.row,
        blank_from: None,
        blank_count: 0,
    };
    // In a sheet a jump in row numbers is rows left empty; in CSV it is a field spanning lines.
    let gaps_are_blank = part.sheet.is_some();
    let mut process =
        |row: &RowBuf, sink: &mut Sink<'_>, rules: &mut Vec<Box<dyn RowRule + '_>>, run: &mut TableRun| {
            if gaps_are_blank && row.row > state.last_row + 1 {
                state.blank_from.get_or_insert(state.last_row + 1);
                state.blank_count += row.row - state.last_row - 1;
            }
            state.last_row = row.row;
            match locate::classify(row, &header) {
                RowKind::Blank => {
                    state.blank_from.get_or_insert(row.row);
                    state.blank_count += 1;
                    return;
                }
                RowKind::Totals => {
                    sink.row(
                        codes::TOTALS_ROW,
                        Severity::Info,
                        row.row,
                        "totals row skipped (not data)".into(),
                        None,
                    );
                }
                RowKind::Note => {
                    sink.row(
                        codes::NOTE_ROW,
                        Severity::Warning,
                        row.row,
                        "note under the table skipped (not data)".into(),
                        Some("read it: notes can hold corrections, and sometimes personal data".into()),
                    );
                }
                RowKind::Data => {
                    if let Some(from) = state.blank_from.take() {
                        let n = state.blank_count;
                        let message = if n == 1 {
                            format!("blank row {from} skipped")
                        } else {
                            format!("{n} blank rows ({from}-{}) skipped", from + n - 1)
                        };
                        sink.row(codes::BLANK_ROWS, Severity::Info, from, message, None);
                    }
                    state.blank_count = 0;
                    run.data_rows += 1;
                    let ctx = ParseCtx {
                        codes: None,
                        date_1904: row.date_1904,
                    };
                    for &(i, p, ty, list) in &parsers {
                        let ctx = ParseCtx { codes: list, ..ctx };
                        values[i] = value::parse(ty, row.get(p as usize), &ctx, &mut scratch);
                    }
                    let row_ctx = RowCtx::new(row, &values, &header.physical);
                    for r in rules.iter_mut() {
                        r.check(&row_ctx, sink);
                    }
                }
            }
            if state.blank_from.is_some() {
                // Blank rows followed by a non-data row are not inside the data.
                state.blank_from = None;
                state.blank_count = 0;
            }
        };

    for row in head.iter().skip(header.index + 1) {
        process(row, &mut sink, &mut rules, run);
    }
    if !exhausted {
        let mut buf = RowBuf::default();
        while rows.next_row(&mut buf)? {
            process(&buf, &mut sink, &mut rules, run);
        }
    }
    for r in rules.iter_mut() {
        r.finish(&mut sink);
    }
    findings.append(&mut sink.findings);
    Ok(())
}

struct RowState {
    last_row: u64,
    blank_from: Option<u64>,
    blank_count: u64,
}

fn report_header(header: &Header, sink: &mut Sink<'_>) {
    let row = header.row;
    for (i, col) in sink.table.columns.iter().enumerate() {
        if header.physical[i].is_none() {
            let (severity, what) = if col.required {
                (Severity::Error, "required column")
            } else {
                (Severity::Info, "optional column")
            };
            let names = std::iter::once(col.name.clone())
                .chain(col.label_no.clone())
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(" or ");
            let message = format!("{what} `{}` not found in the header", col.name);
            let loc_col = Some(col.name.as_str());
            sink.findings.push(Finding {
                code: codes::MISSING_COLUMN,
                severity,
                message,
                help: Some(format!("add a column headed {names}")),
                location: Location {
                    table: sink.table_index,
                    file: sink.file.to_string(),
                    sheet: sink.sheet.map(str::to_string),
                    row: Some(row),
                    col: None,
                    column: loc_col.map(str::to_string),
                },
                value: None,
            });
        }
    }
    for (p, text) in &header.unknown {
        sink.at_physical(
            codes::UNKNOWN_COLUMN,
            Severity::Info,
            (row, *p),
            None,
            text,
            format!("column `{text}` is not in the pack; kept but not checked"),
        );
    }
    for &(p, col) in &header.repeated {
        let name = sink.table.columns[col].name.clone();
        sink.at_physical(
            codes::REPEATED_HEADER,
            Severity::Warning,
            (row, p),
            None,
            "",
            format!("a second column for `{name}`; only the first is read"),
        );
    }
}
