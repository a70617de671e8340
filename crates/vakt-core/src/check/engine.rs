//! The engine: checks one return against a pack, table by table, streaming rows.
//!
//! For each table found in the return, [`TableStream`] finds the header and classifies and parses
//! every row; the rule kinds compile against the header's column positions and see each data row.
//! Only the header search window and the findings are held in memory, plus whatever a rule keeps
//! (unique keys) and the return's identifiers (as hashes, for the leak check and for masking).
//!
//! Keys hold within one return. Every key (unique, relation, count, consistency) starts with the
//! row's return: the return-key column of its own row when the table has one (a merged dataset
//! such as `vakt clean` output), else the return's key from the return-key table. A return is
//! therefore never confused with another in a file that holds several.

use super::{
    split, Collector, InputResult, Plan, ReturnRule, ReturnScope, RowCtx, RowRule, Sink, TableRun, TableSchema,
};
use crate::check::keys::RowKeys;
use crate::finding::{Finding, Location, Severity};
use crate::i18n::T;
use crate::ident::IdSet;
use crate::locate::stream::{Counts, Event, Opened, TableStream};
use crate::locate::{self, codes, Header};
use crate::pack::{Lookup, Pack, Table};
use crate::read::{Input, ReadError, Reading, RowBuf, RowSource};
use crate::value::keyhash::KeyHash;
use crate::value::{text, Value};

/// Opens and checks one return. Never panics on bad input: unreadable input becomes a VK0001 finding
/// with `failed` set.
///
/// A panic while reading or checking the input (inside a reader library, say) is caught here: the
/// input is reported as unreadable, and the caller goes on with the next one.
pub fn check_path(plan: &Plan, path: impl AsRef<std::path::Path>) -> (Option<Input>, InputResult) {
    let path = path.as_ref();
    let pack = plan.pack();
    let failed = |e: &ReadError| InputResult {
        findings: vec![unreadable(e, usize::MAX)],
        failed: true,
        present: vec![false; pack.tables.len()],
        ..Default::default()
    };
    let outcome = crate::read::guard::catch(|| match Input::open(path) {
        Ok(mut input) => {
            let mut result = check_input(plan, &mut input);
            if let Err(e) = input.finish_hash() {
                result.findings.push(unreadable(&e, usize::MAX));
                result.failed = true;
            }
            (Some(input), result)
        }
        Err(e) => (None, failed(&e)),
    });
    match outcome {
        Ok(done) => done,
        Err(panic) => (
            None,
            failed(&crate::read::guard::crashed(&path.display().to_string(), &panic)),
        ),
    }
}

fn unreadable(e: &ReadError, table: usize) -> Finding {
    let (sheet, row) = match e {
        ReadError::Rows { sheet, row, .. } => (sheet.clone(), *row),
        _ => (None, None),
    };
    Finding {
        nb: None,
        code: codes::UNREADABLE.into(),
        severity: Severity::Error,
        message: String::new(),
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
    .said(e.said(), None)
}

/// The identifier forms of a pack, for its [`IdSet`].
pub(crate) fn id_set(pack: &Pack) -> IdSet {
    IdSet::new(pack.id_types.iter().map(|t| t.form).collect())
}

/// Checks every table of an opened return, parents before the tables that refer to them, then runs
/// the rules that span tables.
pub fn check_input(plan: &Plan, input: &mut Input) -> InputResult {
    check_input_with(plan, input, Vec::new(), false)
}

/// [`check_input`] with more return rules beside the registry's (`vakt clean` records keys this way).
pub fn check_input_with<'x>(
    plan: &'x Plan,
    input: &mut Input,
    extra: Vec<Box<dyn ReturnRule + 'x>>,
    keep_error_cells: bool,
) -> InputResult {
    let pack = plan.pack();
    let (mut matches, located) = locate::match_tables(pack, input);
    matches.sort_by_key(|m| m.table);
    let mut out = Collector::new(id_set(pack));
    if keep_error_cells {
        out.keep_error_cells();
    }
    located.into_iter().for_each(|f| out.push(f));
    let mut result = InputResult {
        present: vec![false; pack.tables.len()],
        ..Default::default()
    };
    let mut scope = ReturnScope::new(plan);
    let mut return_rules = plan.return_rules();
    return_rules.extend(extra);
    for m in matches {
        let part = input.parts[m.part].clone();
        let mut run = TableRun {
            table: m.table,
            name: pack.tables[m.table].name.clone(),
            file: part.file.clone(),
            sheet: part.sheet.clone(),
            header_row: None,
            data_rows: 0,
            counts: Counts::default(),
        };
        let mut ctx = TableCtx {
            plan,
            pack,
            table_index: m.table,
            part: &part,
            scope: &mut scope,
            return_rules: &mut return_rules,
        };
        // A table whose rules take both threads parses its CSV file on the engine's thread.
        let reading = if splits(plan, m.table, part.sheet.is_some()) {
            Reading::Here
        } else {
            Reading::Overlapped
        };
        let outcome = input
            .rows_read(m.part, reading)
            .and_then(|mut rows| check_table(&mut ctx, rows.as_mut(), &mut run, &mut out));
        let read_whole = outcome.is_ok();
        if let Err(e) = outcome {
            out.push(unreadable(&e, m.table));
            result.failed = true;
        }
        result.present[m.table] = run.header_row.is_some() && read_whole;
        result.tables.push(run);
    }
    if input.format == crate::read::InputFormat::Csv {
        single_file_note(pack, input, &result, &mut out);
    } else {
        unresolvable_relations(pack, &result.tables, &result.present, &mut out);
    }
    crate::read::guard::in_rules(|| {
        for rule in return_rules.iter_mut() {
            rule.finish(&result.present, &mut out);
        }
    });
    let collected = out.finish();
    let mut findings = collected.findings;
    sort_findings(&mut findings);
    result.findings = findings;
    result.ids = collected.ids;
    result.dropped = collected.dropped;
    result.error_cells = collected.error_cells;
    result.failed |= collected.failed;
    result.return_key = scope.return_key.map(|(_, shown)| shown);
    result.submitted = scope.submitted;
    result
}

/// Reads a previous period (a return, or a clean dataset of several) through the plan and keeps
/// what the pack's comparisons need of it; call [`Plan::previous_loaded`] when every previous
/// input is read. An input that cannot be read completely is an error naming it.
pub fn record_previous(plan: &Plan, path: impl AsRef<std::path::Path>) -> Result<(), String> {
    let path = path.as_ref();
    let shown = path.display().to_string();
    let read = crate::read::guard::catch(|| -> Result<InputResult, ReadError> {
        let mut input = Input::open(path)?;
        let result = check_input_with(plan, &mut input, plan.previous_recorders(), false);
        input.finish_hash()?;
        Ok(result)
    });
    match read {
        Ok(Ok(result)) if !result.failed => Ok(()),
        Ok(Ok(_)) => Err(format!("the previous period {shown} could not be read completely")),
        Ok(Err(e)) => Err(e.to_string()),
        Err(panic) => Err(crate::read::guard::crashed(&shown, &panic).to_string()),
    }
}

/// Inputs holding the same return (one value of the return key): a warning in each, naming the
/// others. `results[i]` is the result of `paths[i]`.
pub fn mark_resubmissions(paths: &[&str], results: &mut [InputResult]) {
    let keys: Vec<Option<String>> = results.iter().map(|r| r.return_key.as_deref().map(text::key)).collect();
    for i in 0..results.len() {
        let Some(k) = &keys[i] else { continue };
        let others: Vec<&str> = (0..results.len())
            .filter(|&j| j != i && keys[j].as_ref() == Some(k))
            .map(|j| paths[j])
            .collect();
        if others.is_empty() {
            continue;
        }
        let shown = results[i].return_key.clone().unwrap_or_default();
        let f = Finding {
            nb: None,
            code: codes::DUPLICATE_RETURN.into(),
            severity: Severity::Warning,
            message: String::new(),
            help: None,
            location: Location {
                table: usize::MAX,
                file: paths[i].to_string(),
                ..Default::default()
            },
            value: None,
        };
        let message = T::DuplicateReturn.say(&[("value", &shown), ("others", &others.join(", "))]);
        results[i]
            .findings
            .push(f.said(message, Some(T::HelpResubmission.say(&[]))));
    }
}

/// A single CSV file is one table of a return: say that the rest was not checked.
fn single_file_note(pack: &Pack, input: &Input, result: &InputResult, out: &mut Collector) {
    let Some(run) = result.tables.first() else { return };
    let others: Vec<&str> = pack
        .tables
        .iter()
        .enumerate()
        .filter(|(t, _)| *t != run.table)
        .map(|(_, t)| t.name.as_str())
        .collect();
    if others.is_empty() {
        return;
    }
    let message = T::SingleFile.say(&[("tables", &others.join(", "))]);
    let help = Some(T::HelpWholeReturn.say(&[]));
    out.push(Finding::about_input(
        codes::UNKNOWN_PART,
        Severity::Info,
        &input.path,
        message,
        help,
    ));
}

/// A relation whose parent table is missing, has no header or could not be read leaves every
/// reference of the child table unresolved: one error per child table and relation.
fn unresolvable_relations(pack: &Pack, runs: &[TableRun], present: &[bool], out: &mut Collector) {
    for run in runs.iter().filter(|r| present[r.table]) {
        let table = &pack.tables[run.table];
        for rel in table.relations.iter().filter(|r| r.must_exist && !present[r.table]) {
            let parent = &pack.tables[rel.table].name;
            let cols: Vec<&str> = rel.columns.iter().map(|&c| table.columns[c].name.as_str()).collect();
            let f = Finding {
                nb: None,
                code: crate::check::kinds::ForeignKeyKind::CODE.into(),
                severity: Severity::Error,
                message: String::new(),
                help: None,
                location: Location {
                    table: run.table,
                    file: run.file.clone(),
                    sheet: run.sheet.clone(),
                    row: run.header_row,
                    ..Default::default()
                },
                value: None,
            };
            let message = T::ParentMissing.say(&[
                ("table", &table.name),
                ("parent", parent),
                ("rows", &run.data_rows),
                ("columns", &cols.join(" + ")),
            ]);
            out.push(f.said(message, Some(T::HelpSendParent.say(&[("parent", parent)]))));
        }
    }
}

/// What checking one table needs from the return around it.
struct TableCtx<'p, 'x, 'r> {
    plan: &'p Plan,
    pack: &'p Pack,
    table_index: usize,
    part: &'x crate::read::Part,
    scope: &'x mut ReturnScope,
    return_rules: &'x mut Vec<Box<dyn ReturnRule + 'r>>,
}

/// Orders findings by table, then row, then column, keeping discovery order among equals.
pub(crate) fn sort_findings(findings: &mut [Finding]) {
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

fn header_not_found(table: &Table, table_index: usize, part: &crate::read::Part) -> Finding {
    let names = table
        .columns
        .iter()
        .take(4)
        .map(|c| c.label_no.clone().unwrap_or_else(|| c.name.clone()))
        .collect::<Vec<_>>()
        .join(", ");
    let message = T::HeaderNotFound.say(&[("table", &table.name), ("rows", &locate::HEADER_SEARCH_ROWS)]);
    let help = (!names.is_empty()).then(|| T::HelpHeader.say(&[("names", &names)]));
    Finding {
        nb: None,
        code: codes::HEADER_NOT_FOUND.into(),
        severity: Severity::Error,
        message: String::new(),
        help: None,
        location: Location {
            table: table_index,
            file: part.file.clone(),
            sheet: part.sheet.clone(),
            ..Default::default()
        },
        value: None,
    }
    .said(message, help)
}

fn check_table(
    ctx: &mut TableCtx<'_, '_, '_>,
    rows: &mut dyn RowSource,
    run: &mut TableRun,
    out: &mut Collector,
) -> Result<(), ReadError> {
    let (pack, table_index, part) = (ctx.pack, ctx.table_index, ctx.part);
    let table = &pack.tables[table_index];
    let mut stream = match TableStream::open(pack, table_index, part.sheet.is_some(), rows)? {
        Opened::Table(s) => s,
        Opened::NoHeader => {
            out.push(header_not_found(table, table_index, part));
            return Ok(());
        }
    };
    let header = stream.header().clone();
    run.header_row = Some(header.row);
    for (li, l) in ctx.plan.lookups().iter().enumerate() {
        if l.table == table_index {
            ctx.scope.lookups[li].present = true;
        }
    }
    let mut sink = Sink::new(
        out,
        (&part.file, part.sheet.as_deref()),
        table_index,
        table,
        &header.physical,
    );
    report_header(&header, &mut sink);
    let schema = TableSchema {
        plan: ctx.plan,
        pack,
        table_index,
        table,
        physical: &header.physical,
    };
    let mut rules = ctx.plan.row_rules(&schema);
    let mut state = RowState::new(pack, ctx.plan.lookups(), table_index, &header);
    let streamed = if splits(ctx.plan, table_index, part.sheet.is_some()) {
        stream_split((&mut stream, rows, run), &mut state, &mut sink, &mut rules, ctx)
    } else {
        stream_one((&mut stream, rows, run), &mut state, &mut sink, &mut rules, ctx)
    };
    streamed?;
    run.counts = stream.counts();
    for n in rows.notices() {
        let location = sink.location(n.row, n.col, None);
        let f = Finding {
            nb: None,
            code: codes::READ_NOTICE.into(),
            severity: if n.limit { Severity::Warning } else { Severity::Info },
            message: String::new(),
            help: None,
            location,
            value: None,
        };
        sink.push(f.said(n.message, None));
    }
    mixed_returns(ctx, &header, run, &mut sink);
    crate::read::guard::in_rules(|| {
        for r in rules.iter_mut() {
            r.finish(&mut sink);
        }
    });
    Ok(())
}

/// Reads a table's rows, noting CSV record numbers and counting data rows, and hands each row to
/// `each` with its event, its cells and its parsed values.
fn each_row(
    stream: &mut TableStream,
    rows: &mut dyn RowSource,
    run: &mut TableRun,
    sink: &mut Sink<'_>,
    mut each: impl FnMut(&Event, (&RowBuf, &[crate::value::Parsed]), &mut Sink<'_>),
) -> Result<(), ReadError> {
    while let Some(event) = stream.next(rows)? {
        if !matches!(event, Event::Blank { .. } | Event::TrailingBlank { .. }) {
            sink.note_record(stream.row());
        }
        if let Event::Data = event {
            run.data_rows += 1;
        }
        each(&event, (stream.row(), stream.values()), sink);
    }
    Ok(())
}

/// Streams a table's rows through its rules on this thread.
fn stream_one(
    (stream, rows, run): (&mut TableStream, &mut dyn RowSource, &mut TableRun),
    state: &mut RowState<'_>,
    sink: &mut Sink<'_>,
    rules: &mut [Box<dyn RowRule + '_>],
    ctx: &mut TableCtx<'_, '_, '_>,
) -> Result<(), ReadError> {
    each_row(stream, rows, run, sink, |event, (row, values), sink| {
        if let Event::Data = event {
            state.data_row(row, values, sink, rules, ctx);
        } else {
            engine_row(event, row.row, sink);
        }
    })
}

/// Streams a table's rows through its rules on two threads (see `check::split`). Only for a
/// table that does not key the return and whose relations do not look up its own rows
/// ([`splits`]): the rules then read the return's scope without it changing.
fn stream_split(
    reading: (&mut TableStream, &mut dyn RowSource, &mut TableRun),
    state: &mut RowState<'_>,
    sink: &mut Sink<'_>,
    rules: &mut [Box<dyn RowRule + '_>],
    ctx: &mut TableCtx<'_, '_, '_>,
) -> Result<(), ReadError> {
    // The lookups this table fills for later tables, taken out of the scope while the rules
    // read it on two threads (none of them reads these: [`splits`]), and put back after.
    let mut kept: Vec<(usize, crate::check::LookupRows)> = state
        .fills
        .iter()
        .map(|&li| (li, std::mem::take(&mut ctx.scope.lookups[li])))
        .collect();
    let streamed = stream_split_rows(reading, state, sink, rules, ctx, &mut kept);
    for (li, rows) in kept {
        ctx.scope.lookups[li] = rows;
    }
    streamed
}

fn stream_split_rows(
    (stream, rows, run): (&mut TableStream, &mut dyn RowSource, &mut TableRun),
    state: &mut RowState<'_>,
    sink: &mut Sink<'_>,
    rules: &mut [Box<dyn RowRule + '_>],
    ctx: &mut TableCtx<'_, '_, '_>,
    kept: &mut [(usize, crate::check::LookupRows)],
) -> Result<(), ReadError> {
    let scope: &ReturnScope = ctx.scope;
    let physical = state.physical.clone();
    let env = split::Env {
        file: sink.file,
        sheet: sink.sheet,
        table_index: sink.table_index,
        table: sink.table,
        physical: &physical,
        scope,
    };
    let ranked = split::Ranked::all(rules, &mut ctx.return_rules[..]);
    std::thread::scope(|threads| {
        let mut pipe = split::Pipeline::new(threads, env, ranked);
        let streamed = each_row(stream, rows, run, sink, |event, (row, values), sink| {
            if let Event::Data = event {
                let seed = state.prepare(row, sink, scope);
                // The rows kept for later tables first: the key parts worked out for them go
                // with the row to its rules.
                for (li, kept) in kept.iter_mut() {
                    let lookup = &state.lookups[*li];
                    keep_row(lookup, kept, (row, values), seed, (&state.keys, &state.physical));
                }
                pipe.push((row, values), &state.related, (seed, &state.keys), sink);
            } else {
                engine_row(event, row.row, &mut pipe.engine_sink());
            }
        });
        // The rows read before a read error are checked and reported, as on one thread.
        pipe.finish(sink);
        streamed
    })
}

/// The engine's own finding about a row that is not data: blank rows before data, a totals row,
/// a note.
fn engine_row(event: &Event, row: u64, sink: &mut Sink<'_>) {
    match *event {
        Event::Blank {
            from,
            count,
            before_data: true,
        } => {
            let message = if count == 1 {
                T::BlankRow.say(&[("row", &from)])
            } else {
                T::BlankRows.say(&[("count", &count), ("from", &from), ("to", &(from + count - 1))])
            };
            sink.row(codes::BLANK_ROWS, Severity::Info, from, message, None);
        }
        Event::Totals => sink.row(codes::TOTALS_ROW, Severity::Info, row, T::TotalsRow.say(&[]), None),
        Event::Note => sink.row(
            codes::NOTE_ROW,
            Severity::Warning,
            row,
            T::NoteRow.say(&[]),
            Some(T::HelpReadNote.say(&[])),
        ),
        Event::Blank { .. } | Event::TrailingBlank { .. } | Event::Data => {}
    }
}

/// A table of a merged input (several returns) without a return-key column.
fn mixed_returns(ctx: &TableCtx<'_, '_, '_>, header: &Header, run: &TableRun, sink: &mut Sink<'_>) {
    let Some(k) = &ctx.pack.return_key else { return };
    if k.table == ctx.table_index || header.tag.is_some() || ctx.scope.return_keys.len() < 2 || run.data_rows == 0 {
        return;
    }
    let key_name = &ctx.pack.tables[k.table].columns[k.column].name;
    let message = T::MixedReturns.say(&[
        ("count", &ctx.scope.return_keys.len()),
        ("table", &sink.table.name),
        ("column", key_name),
    ]);
    let help = T::HelpReturnColumn.say(&[("column", key_name)]);
    sink.row(codes::MIXED_RETURNS, Severity::Error, header.row, message, Some(help));
}

/// Whether a table's rules run on two threads (`check::split`): the run has the cores for it
/// (two for a CSV file, read on the engine's thread; three for a workbook sheet, whose reader
/// keeps a core of its own busy), and checking the table changes nothing its own rules read: it
/// does not key the return, and none of its relations looks up its own rows (what it keeps for
/// later tables is then read by later tables only).
pub(super) fn splits(plan: &Plan, table_index: usize, sheet: bool) -> bool {
    let cores_needed = if sheet { 3 } else { 2 };
    let own = |r: &crate::pack::Relation| plan.lookups().get(r.lookup).is_some_and(|l| l.table == table_index);
    let table = plan.pack().tables.get(table_index);
    plan.cores_per_return() >= cores_needed
        && !keys_return(plan.pack(), table_index)
        && !table.is_some_and(|t| t.relations.iter().any(own))
}

/// Whether table `table_index` is the pack's return-key table (its rows name the return).
fn keys_return(pack: &Pack, table_index: usize) -> bool {
    pack.return_key.as_ref().is_some_and(|k| k.table == table_index)
}

/// Per-table state while rows stream.
struct RowState<'p> {
    pack: &'p Pack,
    lookups: &'p [Lookup],
    table_index: usize,
    table: &'p Table,
    physical: Vec<Option<u32>>,
    tag: Option<u32>,
    flags: Option<u32>,
    related: Vec<Option<u32>>,
    /// Lookups this table fills for later tables.
    fills: Vec<usize>,
    /// The current row's key parts.
    keys: RowKeys,
    /// The last row's return-key cell as written and the seed it gave: rows of one return
    /// repeat it.
    last_seed: Option<(String, KeyHash)>,
    scratch: String,
}

impl<'p> RowState<'p> {
    fn new(pack: &'p Pack, lookups: &'p [Lookup], table_index: usize, header: &Header) -> RowState<'p> {
        let table = &pack.tables[table_index];
        RowState {
            pack,
            lookups,
            table_index,
            table,
            physical: header.physical.clone(),
            tag: header.tag,
            flags: header.flags,
            related: vec![None; table.relations.len()],
            fills: lookups
                .iter()
                .enumerate()
                .filter(|(_, l)| l.table == table_index)
                .map(|(i, _)| i)
                .collect(),
            keys: RowKeys::default(),
            last_seed: None,
            scratch: String::new(),
        }
    }

    fn keys_return(&self) -> bool {
        keys_return(self.pack, self.table_index)
    }

    fn data_row(
        &mut self,
        row: &RowBuf,
        values: &[crate::value::Parsed],
        sink: &mut Sink<'_>,
        rules: &mut [Box<dyn RowRule + '_>],
        ctx: &mut TableCtx<'_, '_, '_>,
    ) {
        if self.keys_return() {
            self.note_return_key(row, values, ctx.scope);
        }
        let seed = self.prepare(row, sink, ctx.scope);
        {
            let row_ctx = RowCtx::new(
                row,
                values,
                &self.physical,
                ctx.scope,
                &self.related,
                (seed, &self.keys),
            );
            let table_index = self.table_index;
            crate::read::guard::in_rules(|| {
                for r in rules.iter_mut() {
                    r.check(&row_ctx, sink);
                }
                for r in ctx.return_rules.iter_mut() {
                    r.observe(table_index, &row_ctx, sink);
                }
            });
        }
        self.keep_for_later(row, values, seed, ctx.scope);
    }

    /// What the engine works out for a row before the rules see it: its seed (returned), its
    /// identifiers and flagged cells (recorded), its related rows (in `self.related`).
    fn prepare(&mut self, row: &RowBuf, sink: &mut Sink<'_>, scope: &ReturnScope) -> KeyHash {
        self.keys.reset(self.table.columns.len());
        let seed = self.seed(row, scope);
        if let Some(out) = sink.collector() {
            record_identifiers(self.table, &self.physical, row, out);
            if let Some(f) = self.flags {
                flag_cells(self.table, self.table_index, &self.physical, row, f, out);
            }
        }
        for (ri, rel) in self.table.relations.iter().enumerate() {
            let rows = &scope.lookups[rel.lookup];
            self.related[ri] = if rows.is_empty() {
                None
            } else {
                self.keys
                    .key(seed, &rel.columns, row, &self.physical)
                    .and_then(|k| rows.keys.get(&k).copied())
            };
        }
        seed
    }

    /// The start of every key of this row: its return.
    fn seed(&mut self, row: &RowBuf, scope: &ReturnScope) -> KeyHash {
        let Some(k) = &self.pack.return_key else {
            return KeyHash::default();
        };
        let own = if k.table == self.table_index {
            self.physical[k.column]
        } else {
            self.tag
        };
        let mut h = KeyHash::default();
        match own {
            Some(p) => {
                let cell = text::trim(row.get(p as usize).text);
                if let Some((last, seed)) = &self.last_seed {
                    if last == cell {
                        return *seed;
                    }
                }
                text::key_into(cell, &mut self.scratch);
                h.part(self.scratch.as_bytes());
                self.last_seed = Some((cell.to_string(), h));
            }
            None => {
                h.part(scope.return_key.as_ref().map_or(&b""[..], |(f, _)| f.as_bytes()));
            }
        }
        h
    }

    /// A row of the return-key table: its key is one of the return's (the first, the return's own).
    fn note_return_key(&mut self, row: &RowBuf, values: &[crate::value::Parsed], scope: &mut ReturnScope) {
        let Some(k) = &self.pack.return_key else { return };
        let Some(p) = self.physical[k.column] else { return };
        let cell = text::trim(row.get(p as usize).text);
        text::key_into(cell, &mut self.scratch);
        if self.scratch.is_empty() {
            return;
        }
        if !scope.return_keys.contains(&self.scratch) {
            scope.return_keys.push(self.scratch.clone());
        }
        if scope.return_key.is_none() {
            let shown = match (
                values[k.column].value,
                self.pack.codelist(&self.table.columns[k.column]),
            ) {
                (Value::Code(i), Some(l)) if values[k.column].issue.is_none() => l.code(i).to_string(),
                _ => cell.to_string(),
            };
            scope.return_key = Some((self.scratch.clone(), shown));
            scope.submitted = k.submitted.and_then(|c| match values[c].value {
                Value::Date(d) if values[c].issue.is_none() => Some(d),
                _ => None,
            });
        }
    }

    /// Keeps what later tables need of this row.
    fn keep_for_later(
        &mut self,
        row: &RowBuf,
        values: &[crate::value::Parsed],
        seed: KeyHash,
        scope: &mut ReturnScope,
    ) {
        for &li in &self.fills {
            if let Some(rows) = scope.lookups.get_mut(li) {
                keep_row(
                    &self.lookups[li],
                    rows,
                    (row, values),
                    seed,
                    (&self.keys, &self.physical),
                );
            }
        }
    }
}

/// Keeps what one lookup of a later table needs of a row of its parent: the first row of each key.
fn keep_row(
    lookup: &Lookup,
    rows: &mut crate::check::LookupRows,
    (row, values): (&RowBuf, &[crate::value::Parsed]),
    seed: KeyHash,
    (keys, physical): (&RowKeys, &[Option<u32>]),
) {
    let Some(key) = keys.key(seed, &lookup.key, row, physical) else {
        return;
    };
    let kept = lookup.columns.iter().map(|&c| match values.get(c) {
        Some(p) if p.issue.is_none() => p.value,
        _ => Value::Missing,
    });
    rows.keep(key, kept);
}

/// Records the row's identifiers (for the leak check and for masking), before any rule sees it.
fn record_identifiers(table: &Table, physical: &[Option<u32>], row: &RowBuf, out: &mut Collector) {
    for (c, col) in table.columns.iter().enumerate().filter(|(_, c)| c.is_identifier()) {
        let Some(p) = physical[c] else { continue };
        let raw = text::trim(row.get(p as usize).text);
        if raw.is_empty() {
            continue;
        }
        match col.id_form {
            Some(form) => out.ids_mut().insert(form, raw),
            None => out.ids_mut().insert_value(raw),
        }
    }
}

/// Reads a clean dataset's `vakt_flags` cell (`column:CODE;...`) and marks those cells.
fn flag_cells(
    table: &Table,
    table_index: usize,
    physical: &[Option<u32>],
    row: &RowBuf,
    flags: u32,
    out: &mut Collector,
) {
    let cell = row.get(flags as usize).text;
    for item in cell.split(';') {
        let name = item.split(':').next().unwrap_or("").trim();
        if let Some(p) = table.column_index(name).and_then(|c| physical[c]) {
            out.flag(table_index, row.row, p);
        }
    }
}

/// The unknown header closest (at most two edits, compared as header keys) to one of a column's
/// names, with that name: (`Belegg`, `Beleg`).
fn near_header(col: &crate::pack::Column, unknown: &[(u32, String)]) -> Option<(String, String)> {
    let names = std::iter::once(&col.name)
        .chain(col.label_no.iter())
        .chain(col.aliases.iter());
    names
        .flat_map(|n| {
            let key = text::header_key(n);
            unknown.iter().map(move |(_, u)| {
                let d = strsim::damerau_levenshtein(&key, &text::header_key(u));
                (d, u.clone(), n.clone())
            })
        })
        .filter(|(d, u, _)| *d >= 1 && *d <= 2 && u.chars().count() > 3)
        .min_by(|a, b| a.0.cmp(&b.0))
        .map(|(_, u, n)| (u, n))
}

fn report_header(header: &Header, sink: &mut Sink<'_>) {
    let row = header.row;
    for (i, col) in sink.table.columns.iter().enumerate() {
        if header.physical[i].is_none() {
            let (severity, what) = if col.required {
                (Severity::Error, T::RequiredColumnMissing)
            } else {
                (Severity::Info, T::OptionalColumnMissing)
            };
            let names: Vec<String> = std::iter::once(&col.name)
                .chain(&col.label_no)
                .map(|n| format!("`{n}`"))
                .collect();
            let names = crate::i18n::either(&names);
            let message = what.say(&[("column", &col.name)]);
            // A header of the file one or two letters from this column's: say which, the likely
            // cause of both this finding and the "not in the pack" note on that header.
            let help = match near_header(col, &header.unknown) {
                Some((found, expected)) => {
                    T::HelpNearHeader.say(&[("header", &found), ("expected", &expected), ("column", &col.name)])
                }
                None => T::HelpAddColumn.say_with(&[], &[("names", &names)]),
            };
            let location = sink.location(Some(row), None, Some(col.name.as_str()));
            let f = Finding {
                nb: None,
                code: codes::MISSING_COLUMN.into(),
                severity,
                message: String::new(),
                help: None,
                location,
                value: None,
            };
            sink.push(f.said(message, Some(help)));
        }
    }
    for (p, text) in &header.unknown {
        sink.at_physical(
            codes::UNKNOWN_COLUMN,
            Severity::Info,
            (row, *p),
            None,
            text,
            T::UnknownColumn.say(&[("column", text)]),
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
            T::RepeatedColumn.say(&[("column", &name)]),
        );
    }
}
