//! The second pass: every table of every return streamed again and each row written where its
//! fate says, with the rows accounted for as they go.

use super::decide::{self, Decisions, Fate};
use super::files::TableFile;
use super::plan::{self, TablePlan};
use super::pseudo::{Domain, Pseudonymiser};
use super::render::{Collisions, Counters, OutValue, Renderer, RowIn, TableWork};
use super::{manifest, output, Checked, CleanError, Options, Summary};
use vakt_core::locate::stream::{Counts, Event, Opened, TableStream};
use vakt_core::pack::{ColumnType, Pack};

/// Non-data rows listed per table in the manifest; past this only their number is given.
const NON_DATA_LISTED: usize = 1000;

/// What happened to the rows of one table of one return.
#[derive(Debug, Default, Clone)]
pub struct TableStats {
    pub table: usize,
    pub file: String,
    pub sheet: Option<String>,
    pub counts: Counts,
    pub written: u64,
    pub rejected: u64,
    pub duplicates: u64,
    /// Non-data rows as ranges: (first, last, kind).
    pub non_data: Vec<(u64, u64, &'static str)>,
    pub non_data_unlisted: u64,
    pub counters: Counters,
}

impl TableStats {
    fn non_data(&mut self, from: u64, count: u64, kind: &'static str) {
        if self.non_data.len() < NON_DATA_LISTED {
            self.non_data.push((from, from + count.saturating_sub(1), kind));
        } else {
            self.non_data_unlisted += count;
        }
    }
}

/// One return's part of the manifest.
pub struct InputStats {
    pub path: String,
    pub sha256: String,
    pub return_key: Option<String>,
    pub tables: Vec<TableStats>,
    pub problems: Vec<String>,
}

/// Writes the dataset of every checked return into `dir`, then its manifest.
///
/// The returns are written at once, on every core, each to its own part of each table's files;
/// the parts are then appended in input order, so the files are those of one return after the
/// other, and the first error reported is the first failing return's.
pub fn write_all(
    pack: &Pack,
    checked: &mut [Checked],
    opts: &Options<'_>,
    domain: &Domain,
    dropped: &[String],
    dir: &std::path::Path,
) -> Result<Summary, CleanError> {
    output::private_dir(&dir.join("rejected"))?;
    let plans = plan::plan(pack);
    let pseudonymisers: Vec<Pseudonymiser> = pack.id_types.iter().map(|t| opts.key.domain(domain, &t.name)).collect();
    let mut files = plans
        .iter()
        .map(|p| TableFile::create(dir, &p.name, p.header.clone(), opts.format))
        .collect::<Result<Vec<_>, _>>()?;
    let parts = dir.join(".parts");
    let cores = vakt_core::par::cores();
    // The cores a return has to itself, for its tables (see `write_input`).
    let per_return = cores / checked.len().clamp(1, cores);
    // The largest returns (by data rows) start first.
    let mut returns: Vec<(usize, &mut Checked)> = checked.iter_mut().enumerate().collect();
    let written = vakt_core::par::map_heaviest_first_mut(
        &mut returns,
        |(_, c)| c.result.rows(),
        cores,
        |(i, c)| {
            let target = (&plans[..], &pseudonymisers[..], opts);
            write_return(pack, target, c, (&parts.join(i.to_string()), per_return))
        },
    );
    drop(returns);
    let mut collisions = Collisions::default();
    let mut inputs = Vec::new();
    for (c, w) in checked.iter().zip(written) {
        let (parts, tables, seen) = lost_if_none(w, "a return's writer")??;
        collisions.absorb(seen);
        for (f, p) in files.iter_mut().zip(parts) {
            f.absorb(p)?;
        }
        inputs.push(InputStats {
            path: c.path.clone(),
            sha256: c.input.sha256.clone(),
            return_key: c.result.return_key.clone(),
            tables,
            problems: super::table_problems(&c.result),
        });
    }
    settle(&mut collisions, pack)?;
    std::fs::remove_dir_all(&parts).map_err(|e| CleanError::Io(parts.display().to_string(), e.to_string()))?;
    let mut outputs = Vec::new();
    for (p, f) in plans.iter().zip(files.iter_mut()) {
        let dates = date_columns(pack, p);
        outputs.extend(f.finish(&dates)?);
    }
    let summary = summarise(&plans, &files, &inputs);
    manifest::write(dir, pack, opts, (&inputs, dropped), &files, &outputs, collisions.len())?;
    Ok(summary)
}

/// One return's part of every table, its tables' accounts, and the pseudonyms it gave.
type Written = (Vec<TableFile>, Vec<TableStats>, Collisions);

/// Writes one return into its own parts of the tables' files (in `parts`).
fn write_return(
    pack: &Pack,
    (plans, pseudonymisers, opts): (&[TablePlan], &[Pseudonymiser], &Options<'_>),
    c: &mut Checked,
    (parts, cores): (&std::path::Path, usize),
) -> Result<Written, CleanError> {
    let mut files = plans
        .iter()
        .map(|p| TableFile::part(parts, &p.name, p.header.clone(), opts.format))
        .collect::<Result<Vec<_>, _>>()?;
    let mut collisions = Collisions::default();
    let decisions = decide::decide(pack, &c.result, &mut c.recorder, opts.on_error);
    let renderer = Renderer {
        pack,
        pseudonymisers,
        ids: &c.result.ids,
        return_key: c.result.return_key.as_deref().unwrap_or(""),
    };
    let tables = vakt_core::read::guard::catch(|| {
        write_input(
            pack,
            plans,
            (&mut c.input, &c.result),
            (&decisions, &renderer),
            &mut files,
            &mut collisions,
            cores,
        )
    })
    .map_err(|panic| CleanError::Input(vakt_core::read::guard::crashed(&c.path, &panic).to_string()))??;
    settle(&mut collisions, pack)?;
    c.input.release();
    Ok((files, tables, collisions))
}

fn date_columns(pack: &Pack, p: &TablePlan) -> Vec<bool> {
    let t = &pack.tables[p.table];
    let mut v = vec![false; usize::from(p.tagged)];
    v.extend(p.columns.iter().map(|c| match c {
        plan::OutCol::Value(ci) => t.columns[*ci].ty == ColumnType::Date,
        _ => false,
    }));
    v
}

fn summarise(plans: &[TablePlan], files: &[TableFile], inputs: &[InputStats]) -> Summary {
    let all = || inputs.iter().flat_map(|i| i.tables.iter());
    Summary {
        tables: plans
            .iter()
            .zip(files)
            .map(|(p, f)| (p.name.clone(), f.written, f.rejected_rows))
            .collect(),
        non_data: all()
            .map(|s| s.counts.totals + s.counts.notes + s.counts.blank + s.counts.trailing_blank)
            .sum(),
        duplicates: all().map(|s| s.duplicates).sum(),
        flagged: all().map(|s| s.counters.flagged_rows).sum(),
        problems: inputs.iter().flat_map(|i| i.problems.iter().cloned()).collect(),
        dropped: Vec::new(),
        out: std::path::PathBuf::new(),
    }
}

/// The answer of a writer run by [`vakt_core::par::map_heaviest_first_mut`]; an error when the
/// writer stopped without one.
fn lost_if_none<R>(answer: Option<R>, writer: &str) -> Result<R, CleanError> {
    answer.ok_or_else(|| CleanError::Input(format!("{writer} stopped")))
}

/// Compares the pseudonyms recorded so far: one given to two values stops the run.
fn settle(collisions: &mut Collisions, pack: &Pack) -> Result<(), CleanError> {
    collisions
        .settle()
        .map_err(|ti| CleanError::Collision(pack.id_types.get(ti).map_or_else(String::new, |t| t.name.clone())))
}

fn read_err(e: vakt_core::read::ReadError) -> CleanError {
    CleanError::Input(e.to_string())
}

/// The tables of one return, each to its own files. The files of a CSV folder are written at
/// once when the return has cores to itself (a national run already keeps every core busy with
/// one return each); a workbook's sheets are read through the one workbook, one after the other.
fn write_input(
    pack: &Pack,
    plans: &[TablePlan],
    (input, result): (&mut vakt_core::read::Input, &vakt_core::check::InputResult),
    (decisions, renderer): (&Decisions, &Renderer<'_>),
    files: &mut [TableFile],
    collisions: &mut Collisions,
    cores: usize,
) -> Result<Vec<TableStats>, CleanError> {
    let (mut matches, _) = vakt_core::locate::match_tables(pack, input);
    matches.retain(|m| result.present[m.table]);
    matches.sort_by_key(|m| m.table);
    let csv = matches.iter().all(|m| input.parts[m.part].sheet.is_none());
    let job = Job {
        pack,
        plans,
        result,
        decisions,
        renderer,
    };
    if cores >= 2 && csv && matches.len() >= 2 {
        return write_tables_at_once(&job, input, &matches, files, collisions, cores);
    }
    let mut out = Vec::new();
    for m in matches {
        let part = input.parts[m.part].clone();
        let mut rows = input.rows(m.part).map_err(read_err)?;
        out.push(job.write_table(m.table, &part, rows.as_mut(), &mut files[m.table], collisions)?);
    }
    Ok(out)
}

/// What writing any table of a return needs, shared by the threads that write them.
struct Job<'a> {
    pack: &'a Pack,
    plans: &'a [TablePlan],
    result: &'a vakt_core::check::InputResult,
    decisions: &'a Decisions,
    renderer: &'a Renderer<'a>,
}

/// The CSV files of one return on up to `cores` threads, each table with its own pseudonym
/// register; the registers join in table order, so the files, the accounts and the first error
/// are those of one table after the other.
fn write_tables_at_once(
    job: &Job<'_>,
    input: &vakt_core::read::Input,
    matches: &[vakt_core::locate::TableMatch],
    files: &mut [TableFile],
    collisions: &mut Collisions,
    cores: usize,
) -> Result<Vec<TableStats>, CleanError> {
    let mut mine: Vec<Option<&mut TableFile>> = files.iter_mut().map(Some).collect();
    let mut tables: Vec<(usize, vakt_core::read::Part, Option<&mut TableFile>)> = matches
        .iter()
        .map(|m| {
            (
                m.table,
                input.parts[m.part].clone(),
                mine.get_mut(m.table).and_then(Option::take),
            )
        })
        .collect();
    // The largest files start first.
    let written = vakt_core::par::map_heaviest_first_mut(
        &mut tables,
        |(_, part, _)| part.size_on_disk(),
        cores,
        |(table, part, file)| {
            let file = file
                .as_deref_mut()
                .ok_or_else(|| CleanError::Input(format!("{}: matched twice", part.file)))?;
            let mut rows = part
                .csv_rows()
                .ok_or_else(|| CleanError::Input(format!("{}: not a CSV file", part.file)))?
                .map_err(read_err)?;
            let mut seen = Collisions::default();
            // A panic while writing one table is that file's error, as it is a return's on one thread.
            let stats = vakt_core::read::guard::catch(|| job.write_table(*table, part, rows.as_mut(), file, &mut seen))
                .map_err(|panic| {
                    CleanError::Input(vakt_core::read::guard::crashed(&part.file, &panic).to_string())
                })??;
            // Sorted on this table's thread, so the return's sort only merges.
            settle(&mut seen, job.pack)?;
            Ok::<_, CleanError>((stats, seen))
        },
    );
    let mut out = Vec::new();
    for w in written {
        let (stats, seen) = lost_if_none(w, "a table's writer")??;
        collisions.absorb(seen);
        out.push(stats);
    }
    Ok(out)
}

impl Job<'_> {
    /// Streams one table of the return again and writes each row where its fate says.
    fn write_table(
        &self,
        table: usize,
        part: &vakt_core::read::Part,
        rows: &mut dyn vakt_core::read::RowSource,
        file: &mut TableFile,
        collisions: &mut Collisions,
    ) -> Result<TableStats, CleanError> {
        let Opened::Table(mut stream) =
            TableStream::open(self.pack, table, part.sheet.is_some(), rows).map_err(read_err)?
        else {
            return Err(CleanError::Accounting(
                part.file.clone(),
                "the header found when checking was not found again".into(),
            ));
        };
        let mut st = TableStats {
            table,
            file: part.file.clone(),
            sheet: part.sheet.clone(),
            ..Default::default()
        };
        let (before_w, before_r) = (file.written, file.rejected_rows);
        let header = stream.header().clone();
        let mut ordinal = 0usize;
        let mut work = TableWork::default();
        // One row of output, refilled for every row.
        let mut record = Vec::new();
        while let Some(event) = stream.next(rows).map_err(read_err)? {
            match event {
                Event::Data => {
                    let row = stream.row();
                    if self.decisions.rows[table].get(ordinal) != Some(&row.row) {
                        return Err(CleanError::Accounting(
                            part.file.clone(),
                            format!("data row {} was not the row checked", row.row),
                        ));
                    }
                    let r = RowIn {
                        row,
                        values: stream.values(),
                        physical: &header.physical,
                        tag: header.tag,
                    };
                    let source = (part.file.as_str(), part.sheet.as_deref(), row.row);
                    let fate = self.decisions.fate(table, ordinal);
                    if let Some(Fate::Duplicate(_)) = fate {
                        st.duplicates += 1;
                    }
                    let target = (&self.plans[table], &mut *file);
                    vakt_core::read::guard::writing(|| {
                        write_row(
                            self.renderer,
                            target,
                            &r,
                            fate,
                            source,
                            (&mut work, collisions, &mut record),
                        )
                    })?;
                    ordinal += 1;
                }
                Event::Totals => st.non_data(stream.row().row, 1, "totals"),
                Event::Note => st.non_data(stream.row().row, 1, "note"),
                Event::Blank { from, count, .. } => st.non_data(from, count, "blank"),
                Event::TrailingBlank { from, count } => st.non_data(from, count, "trailing blank"),
            }
        }
        st.counts = stream.counts();
        st.counters = work.counters;
        st.written = file.written - before_w;
        st.rejected = file.rejected_rows - before_r;
        account(&st, self.result, self.decisions, &part.file)?;
        Ok(st)
    }
}

fn write_row(
    renderer: &Renderer<'_>,
    (plan, file): (&TablePlan, &mut TableFile),
    r: &RowIn<'_>,
    fate: Option<&Fate>,
    source: (&str, Option<&str>, u64),
    (work, collisions, record): (&mut TableWork, &mut Collisions, &mut Vec<OutValue>),
) -> Result<(), CleanError> {
    match fate {
        None => {
            renderer.row(plan, r, &[], (work, collisions), record);
            file.clean(record)
        }
        Some(Fate::Keep(flags)) => {
            renderer.row(plan, r, flags, (work, collisions), record);
            file.clean(record)
        }
        Some(Fate::Reject(reasons)) => {
            renderer.row(plan, r, &[], (work, collisions), record);
            file.reject(record, source, reasons)
        }
        // Counted by the caller.
        Some(Fate::Duplicate(_)) => Ok(()),
    }
}

/// Every row read is written, rejected, a duplicate or not data, and the data rows are the ones the
/// check pass saw: counted independently, by the stream, the writers and the first pass.
fn account(
    st: &TableStats,
    result: &vakt_core::check::InputResult,
    d: &Decisions,
    file: &str,
) -> Result<(), CleanError> {
    let checked = result
        .tables
        .iter()
        .find(|t| t.table == st.table && t.file == st.file)
        .map_or(0, |t| t.data_rows);
    let recorded = d.rows[st.table].len() as u64;
    let c = st.counts;
    let non_data = c.totals + c.notes + c.blank + c.trailing_blank;
    let accounted = st.written + st.rejected + st.duplicates + non_data;
    if c.read() != accounted || c.data != checked || c.data != recorded {
        return Err(CleanError::Accounting(
            file.to_string(),
            format!(
                "{} rows read, {} written + {} rejected + {} duplicates + {non_data} non-data; {} data rows now, {checked} when checked, {recorded} recorded",
                c.read(),
                st.written,
                st.rejected,
                st.duplicates,
                c.data
            ),
        ));
    }
    Ok(())
}
