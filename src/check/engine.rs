//! The engine: checks one return against a pack, table by table, streaming rows.
//!
//! For each table found in the return: the first rows are buffered to find the header; the rule
//! kinds compile against the header's column positions; then every row streams through
//! classification (data, blank, totals, note), parsing and the compiled rules. Only the header search
//! window and the findings are held in memory, plus whatever a rule keeps (unique keys).

use super::keyhash::KeyHash;
use super::{Registry, ReturnRule, ReturnScope, RowCtx, RowRule, Sink, TableSchema};
use crate::finding::{Finding, Location, Severity};
use crate::locate::{self, codes, Header, RowKind};
use crate::pack::Pack;
use crate::read::{Input, ReadError, RowBuf, RowSource};
use crate::value::{self, ParseCtx, Parsed, Value};

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
            let mut result = check_input(pack, registry, &mut input);
            if let Err(e) = input.finish_hash() {
                result.findings.push(unreadable(&e, usize::MAX));
                result.failed = true;
            }
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

/// Checks every table of an opened return, parents before the tables that refer to them, then runs
/// the rules that span tables.
pub fn check_input(pack: &Pack, registry: &Registry, input: &mut Input) -> InputResult {
    let (mut matches, mut findings) = locate::match_tables(pack, input);
    matches.sort_by_key(|m| m.table);
    let mut result = InputResult::default();
    let mut scope = ReturnScope::new(pack);
    let mut return_rules: Vec<Box<dyn ReturnRule + '_>> =
        registry.kinds().iter().filter_map(|k| k.return_rule(pack)).collect();
    let mut present = vec![false; pack.tables.len()];
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
        let mut ctx = TableCtx {
            pack,
            registry,
            table_index: m.table,
            part: &part,
            scope: &mut scope,
            return_rules: &mut return_rules,
        };
        let outcome = input
            .rows(m.part)
            .and_then(|mut rows| check_table(&mut ctx, rows.as_mut(), &mut run, &mut findings));
        if let Err(e) = outcome {
            findings.push(unreadable(&e, m.table));
            result.failed = true;
        }
        present[m.table] = run.header_row.is_some();
        result.tables.push(run);
    }
    for rule in return_rules.iter_mut() {
        rule.finish(&present, &mut findings);
    }
    sort_findings(&mut findings);
    result.findings = findings;
    result
}

/// What checking one table needs from the return around it.
struct TableCtx<'p, 'x> {
    pack: &'p Pack,
    registry: &'p Registry,
    table_index: usize,
    part: &'x crate::read::Part,
    scope: &'x mut ReturnScope,
    return_rules: &'x mut Vec<Box<dyn ReturnRule + 'p>>,
}

/// The folded, hashed key of some columns of a row; `None` when a part is empty.
pub fn row_key(cols: &[usize], row: &RowBuf, physical: &[Option<u32>], scratch: &mut String) -> Option<u128> {
    let mut h = KeyHash::default();
    for &c in cols {
        let p = physical.get(c).copied().flatten()?;
        let t = crate::value::text::trim(row.get(p as usize).text);
        if t.is_empty() {
            return None;
        }
        crate::value::text::key_into(t, scratch);
        h.part(scratch.as_bytes());
    }
    Some(h.finish())
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
    ctx: &mut TableCtx<'_, '_>,
    rows: &mut dyn RowSource,
    run: &mut TableRun,
    findings: &mut Vec<Finding>,
) -> Result<(), ReadError> {
    let (pack, table_index, part) = (ctx.pack, ctx.table_index, ctx.part);
    let table = &pack.tables[table_index];
    let (head, exhausted, header) = read_header(table, rows)?;
    let Some(header) = header else {
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
    for (li, l) in pack.lookups.iter().enumerate() {
        if l.table == table_index {
            ctx.scope.lookups[li].present = true;
        }
    }

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
    let mut rules: Vec<Box<dyn RowRule + '_>> = ctx.registry.kinds().iter().flat_map(|k| k.compile(&schema)).collect();
    let mut stream = Stream {
        pack,
        table_index,
        header: &header,
        parsers: table
            .columns
            .iter()
            .enumerate()
            .filter_map(|(i, c)| header.physical[i].map(|p| (i, p, c.ty, pack.codelist(c))))
            .collect(),
        values: vec![Parsed::MISSING; table.columns.len()],
        related: vec![None; table.relations.len()],
        fills: pack
            .lookups
            .iter()
            .enumerate()
            .filter(|(_, l)| l.table == table_index)
            .map(|(i, _)| i)
            .collect(),
        scratch: String::new(),
        last_row: header.row,
        blank_from: None,
        blank_count: 0,
        // In a sheet a jump in row numbers is rows left empty; in CSV it is a field spanning lines.
        gaps_are_blank: part.sheet.is_some(),
    };
    for row in head.iter().skip(header.index + 1) {
        stream.process(row, &mut sink, &mut rules, ctx, run);
    }
    if !exhausted {
        let mut buf = RowBuf::default();
        while rows.next_row(&mut buf)? {
            stream.process(&buf, &mut sink, &mut rules, ctx, run);
        }
    }
    for r in rules.iter_mut() {
        r.finish(&mut sink);
    }
    findings.append(&mut sink.findings);
    Ok(())
}

/// Per-table state while rows stream.
struct Stream<'p, 'h> {
    pack: &'p Pack,
    table_index: usize,
    header: &'h Header,
    parsers: Vec<(usize, u32, crate::pack::ColumnType, Option<&'p crate::pack::CodeList>)>,
    values: Vec<Parsed>,
    related: Vec<Option<u32>>,
    /// Lookups this table fills for later tables.
    fills: Vec<usize>,
    scratch: String,
    last_row: u64,
    blank_from: Option<u64>,
    blank_count: u64,
    gaps_are_blank: bool,
}

impl Stream<'_, '_> {
    fn process(
        &mut self,
        row: &RowBuf,
        sink: &mut Sink<'_>,
        rules: &mut [Box<dyn RowRule + '_>],
        ctx: &mut TableCtx<'_, '_>,
        run: &mut TableRun,
    ) {
        if self.gaps_are_blank && row.row > self.last_row + 1 {
            self.blank_from.get_or_insert(self.last_row + 1);
            self.blank_count += row.row - self.last_row - 1;
        }
        self.last_row = row.row;
        match locate::classify(row, self.header) {
            RowKind::Blank => {
                self.blank_from.get_or_insert(row.row);
                self.blank_count += 1;
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
                if let Some(from) = self.blank_from.take() {
                    let n = self.blank_count;
                    let message = if n == 1 {
                        format!("blank row {from} skipped")
                    } else {
                        format!("{n} blank rows ({from}-{}) skipped", from + n - 1)
                    };
                    sink.row(codes::BLANK_ROWS, Severity::Info, from, message, None);
                }
                self.blank_count = 0;
                run.data_rows += 1;
                self.data_row(row, sink, rules, ctx);
            }
        }
        // Blank rows followed by a non-data row are not inside the data.
        self.blank_from = None;
        self.blank_count = 0;
    }

    fn data_row(
        &mut self,
        row: &RowBuf,
        sink: &mut Sink<'_>,
        rules: &mut [Box<dyn RowRule + '_>],
        ctx: &mut TableCtx<'_, '_>,
    ) {
        let physical = &self.header.physical;
        for &(i, p, ty, list) in &self.parsers {
            let pctx = ParseCtx {
                codes: list,
                date_1904: row.date_1904,
            };
            self.values[i] = value::parse(ty, row.get(p as usize), &pctx, &mut self.scratch);
        }
        let table = &self.pack.tables[self.table_index];
        for (ri, rel) in table.relations.iter().enumerate() {
            let rows = &ctx.scope.lookups[rel.lookup];
            self.related[ri] = if rows.values.is_empty() {
                None // the related table is missing or empty: nothing to find
            } else if rel.columns.is_empty() {
                (!rows.values.is_empty()).then_some(0)
            } else {
                row_key(&rel.columns, row, physical, &mut self.scratch).and_then(|k| rows.keys.get(&k).copied())
            };
        }
        {
            let row_ctx = RowCtx::new(row, &self.values, physical, ctx.scope, &self.related);
            for r in rules.iter_mut() {
                r.check(&row_ctx, sink);
            }
            for r in ctx.return_rules.iter_mut() {
                r.observe(self.table_index, &row_ctx, sink);
            }
        }
        // Keep what later tables need of this row.
        for &li in &self.fills {
            let lookup = &self.pack.lookups[li];
            let key = if lookup.key.is_empty() {
                Some(KeyHash::default().finish())
            } else {
                row_key(&lookup.key, row, physical, &mut self.scratch)
            };
            let Some(key) = key else { continue };
            let rows = &mut ctx.scope.lookups[li];
            if let std::collections::hash_map::Entry::Vacant(v) = rows.keys.entry(key) {
                v.insert(rows.values.len() as u32);
                rows.values.push(
                    lookup
                        .columns
                        .iter()
                        .map(|&c| {
                            if self.values[c].issue.is_none() {
                                self.values[c].value
                            } else {
                                Value::Missing
                            }
                        })
                        .collect(),
                );
                rows.rows.push(row.row);
            }
        }
    }
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

/// Buffers the header search window of a table and finds its header. Returns the buffered rows,
/// whether the source ended inside the window, and the header if found.
fn read_header(
    table: &crate::pack::Table,
    rows: &mut dyn RowSource,
) -> Result<(Vec<RowBuf>, bool, Option<Header>), ReadError> {
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
    let header = locate::find_header(table, &head);
    Ok((head, exhausted, header))
}

/// A row met by [`visit`].
pub struct Visited<'a> {
    pub table: usize,
    pub part: &'a crate::read::Part,
    pub row: &'a RowBuf,
    pub kind: RowKind,
    /// Parsed values of the pack's columns (data rows only; otherwise all missing).
    pub values: &'a [Parsed],
    pub physical: &'a [Option<u32>],
}

/// Streams every row under the header of every table found in a return, classified and parsed,
/// tables in the order given (pack indices). The second pass of `vakt clean`: checking has already
/// reported everything, this only reads.
pub fn visit(pack: &Pack, input: &mut Input, order: &[usize], f: &mut dyn FnMut(Visited<'_>)) -> Result<(), ReadError> {
    let (matches, _) = locate::match_tables(pack, input);
    for &t in order {
        let Some(m) = matches.iter().find(|m| m.table == t) else {
            continue;
        };
        let part = input.parts[m.part].clone();
        let table = &pack.tables[t];
        let mut rows = input.rows(m.part)?;
        let (head, exhausted, header) = read_header(table, rows.as_mut())?;
        let Some(header) = header else {
            continue;
        };
        let parsers: Vec<(usize, u32, crate::pack::ColumnType, Option<&crate::pack::CodeList>)> = table
            .columns
            .iter()
            .enumerate()
            .filter_map(|(i, c)| header.physical[i].map(|p| (i, p, c.ty, pack.codelist(c))))
            .collect();
        let mut values = vec![Parsed::MISSING; table.columns.len()];
        let mut scratch = String::new();
        // In a sheet, rows left empty are not stored: they are met here as blank rows all the same.
        let sheet = part.sheet.is_some();
        let mut last = header.row;
        let mut empty = RowBuf::default();
        let mut one = |row: &RowBuf| {
            if sheet {
                for missing in last + 1..row.row {
                    empty.clear(missing);
                    values.iter_mut().for_each(|v| *v = Parsed::MISSING);
                    f(Visited {
                        table: t,
                        part: &part,
                        row: &empty,
                        kind: RowKind::Blank,
                        values: &values,
                        physical: &header.physical,
                    });
                }
                last = row.row;
            }
            let kind = locate::classify(row, &header);
            values.iter_mut().for_each(|v| *v = Parsed::MISSING);
            if kind == RowKind::Data {
                for &(i, p, ty, list) in &parsers {
                    let pctx = ParseCtx {
                        codes: list,
                        date_1904: row.date_1904,
                    };
                    values[i] = value::parse(ty, row.get(p as usize), &pctx, &mut scratch);
                }
            }
            f(Visited {
                table: t,
                part: &part,
                row,
                kind,
                values: &values,
                physical: &header.physical,
            });
        };
        for row in head.iter().skip(header.index + 1) {
            one(row);
        }
        if !exhausted {
            let mut buf = RowBuf::default();
            while rows.next_row(&mut buf)? {
                one(&buf);
            }
        }
    }
    Ok(())
}
