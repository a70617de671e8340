//! Cleaning: from checked returns to one national research dataset.
//!
//! Two passes per return. The first is `vakt check` itself, which decides which rows have errors.
//! The second reads the tables again and writes every data row once: normalised (canonical codes,
//! ISO dates, integer minutes, `true`/`false`, ICD-10 with its diagnosis group), identifiers replaced
//! by keyed pseudonyms or dropped, text scrubbed of leaked identifiers, formulas neutralised; rows
//! with errors go to `rejected/` with their findings. Every row read is accounted for in
//! `manifest.json` (written + rejected + non-data), or the run fails. Output appears only when
//! complete: it is written to a temporary folder and renamed.

pub mod pseudo;
mod scrub;

use crate::check::engine::{self, Visited};
use crate::check::Registry;
use crate::finding::{Finding, Severity};
use crate::locate::RowKind;
use crate::pack::{Column, ColumnType, IdClass, Pack};
use crate::read::Input;
use crate::value::{text, Parsed, Value};
use pseudo::{Key, Pseudonymiser};
use serde_json::json;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutFormat {
    Csv,
    Xlsx,
    Both,
}

/// What happens to a row with errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnError {
    /// Written to `rejected/<table>.csv` with its findings.
    Reject,
    /// Kept in the clean table, flagged in a `vakt_errors` column.
    Keep,
}

pub struct Options<'a> {
    pub key: &'a Key,
    pub domain: String,
    pub out: PathBuf,
    pub format: OutFormat,
    pub on_error: OnError,
    pub force: bool,
}

/// Why a clean run could not complete. Nothing is written then.
#[derive(Debug, thiserror::Error)]
pub enum CleanError {
    #[error("{0}: the output folder exists; choose another or pass --force")]
    Exists(String),
    #[error("{0}")]
    Input(String),
    #[error("{0}: {1}")]
    Io(String, String),
    #[error("pseudonym collision for id type `{0}`: two different identifiers got one pseudonym; the run is stopped")]
    Collision(String),
    #[error("row accounting failed for {0}: {1} rows read, but {2} written + {3} rejected + {4} non-data")]
    Accounting(String, u64, u64, u64, u64),
    #[error("table `{0}` has {1} rows, more than a worksheet holds (1,048,575); use --format csv")]
    TooManyRows(String, usize),
}

/// What a clean run did, for the terminal.
#[derive(Debug, Default)]
pub struct Summary {
    /// Per output table: rows written, rows rejected.
    pub tables: Vec<(String, u64, u64)>,
    pub non_data: u64,
    /// Rows kept in the clean tables with errors (`--on-error keep`).
    pub flagged: u64,
    pub manifest: PathBuf,
}

/// One output column.
enum OutCol<'p> {
    Value(usize),
    Pseudonym(usize, &'p str),
    /// The code list's `dx_group` of an ICD-10 column.
    DxGroup(usize),
}

type CsvOut = csv::Writer<std::io::BufWriter<std::fs::File>>;

/// One output table: rows stream to CSV as they are met (so memory does not grow with the data);
/// only `--format xlsx` keeps them, since a workbook is written whole.
struct TableOut<'p> {
    table: usize,
    name: String,
    columns: Vec<OutCol<'p>>,
    header: Vec<String>,
    dir: PathBuf,
    csv: Option<CsvOut>,
    xlsx: Option<Vec<Vec<String>>>,
    rejected: Option<CsvOut>,
    written: u64,
    rejected_rows: u64,
    flagged: u64,
}

fn csv_out(path: &Path, header: &[String]) -> Result<CsvOut, CleanError> {
    let file = std::fs::File::create(path).map_err(|e| CleanError::Io(path.display().to_string(), e.to_string()))?;
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(std::io::BufWriter::new(file));
    w.write_record(header)
        .map_err(|e| CleanError::Io(path.display().to_string(), e.to_string()))?;
    Ok(w)
}

impl TableOut<'_> {
    fn push_clean(&mut self, record: Vec<String>, flagged: bool) -> Result<(), CleanError> {
        if let Some(w) = &mut self.csv {
            w.write_record(&record)
                .map_err(|e| CleanError::Io(format!("{}.csv", self.name), e.to_string()))?;
        }
        if let Some(rows) = &mut self.xlsx {
            rows.push(record);
        }
        self.written += 1;
        self.flagged += u64::from(flagged);
        Ok(())
    }

    fn push_rejected(&mut self, record: Vec<String>) -> Result<(), CleanError> {
        if self.rejected.is_none() {
            let mut header = self.header.clone();
            header.extend(
                [
                    "source_file",
                    "source_sheet",
                    "source_row",
                    "cells",
                    "codes",
                    "messages",
                ]
                .map(String::from),
            );
            self.rejected = Some(csv_out(
                &self.dir.join("rejected").join(format!("{}.csv", self.name)),
                &header,
            )?);
        }
        if let Some(w) = &mut self.rejected {
            w.write_record(&record)
                .map_err(|e| CleanError::Io(format!("rejected/{}.csv", self.name), e.to_string()))?;
        }
        self.rejected_rows += 1;
        Ok(())
    }
}

/// Counts for one table of one input.
#[derive(Default, Clone)]
struct Stats {
    read: u64,
    written: u64,
    rejected: u64,
    non_data: Vec<(u64, &'static str)>,
    pseudonyms: u64,
    zero_repairs: u64,
    tags: u64,
}

/// Neutralises text that Excel would run as a formula, unless it is a real number.
pub fn neutralise(s: String) -> String {
    let risky = s.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky && s.trim().parse::<f64>().is_err() {
        format!("'{s}")
    } else {
        s
    }
}

fn render(pack: &Pack, col: &Column, p: Parsed, raw: &str) -> String {
    if p.issue.is_some() {
        return text::trim(raw).to_string();
    }
    match p.value {
        Value::Missing => String::new(),
        Value::Int(i) => i.to_string(),
        Value::Num(n) if col.ty == ColumnType::Minutes => format!("{}", n.round() as i64),
        Value::Num(n) => {
            let mut s = String::new();
            crate::read::write_number(&mut s, n);
            s
        }
        Value::Date(d) => d.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Code(c) => pack.codelist(col).map_or_else(String::new, |l| {
            if col.ty == ColumnType::Boolean {
                l.code(c).to_ascii_lowercase()
            } else {
                l.code(c).to_string()
            }
        }),
        Value::Text => text::trim(raw).to_string(),
    }
}

/// Runs `vakt clean`.
pub fn run(pack: &Pack, registry: &Registry, paths: &[String], opts: &Options<'_>) -> Result<Summary, CleanError> {
    if opts.out.exists() && !opts.force {
        return Err(CleanError::Exists(opts.out.display().to_string()));
    }
    // Pass 1: check everything first; any unreadable input stops the run before anything is written.
    let mut checked: Vec<(Input, Vec<Finding>)> = Vec::new();
    for p in paths {
        let (input, result) = engine::check_path(pack, registry, p);
        match input {
            Some(i) if !result.failed => checked.push((i, result.findings)),
            _ => {
                let why = result
                    .findings
                    .iter()
                    .find(|f| f.code == crate::locate::codes::UNREADABLE)
                    .map(|f| f.message.clone());
                return Err(CleanError::Input(
                    why.unwrap_or_else(|| format!("{p}: could not be read")),
                ));
            }
        }
    }

    let tmp = partial_dir(&opts.out);
    let result = write_all(pack, &mut checked, opts, &tmp);
    match result {
        Ok(mut summary) => {
            if opts.out.exists() {
                std::fs::remove_dir_all(&opts.out)
                    .map_err(|e| CleanError::Io(opts.out.display().to_string(), e.to_string()))?;
            }
            std::fs::rename(&tmp, &opts.out)
                .map_err(|e| CleanError::Io(opts.out.display().to_string(), e.to_string()))?;
            summary.manifest = opts.out.join("manifest.json");
            Ok(summary)
        }
        Err(e) => {
            let _ = std::fs::remove_dir_all(&tmp);
            Err(e)
        }
    }
}

fn partial_dir(out: &Path) -> PathBuf {
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "clean".into());
    out.with_file_name(format!(".{name}.partial-{}", std::process::id()))
}

fn write_all(
    pack: &Pack,
    checked: &mut [(Input, Vec<Finding>)],
    opts: &Options<'_>,
    tmp: &Path,
) -> Result<Summary, CleanError> {
    let io = |p: &Path| {
        let shown = p.display().to_string();
        move |e: std::io::Error| CleanError::Io(shown.clone(), e.to_string())
    };
    if tmp.exists() {
        std::fs::remove_dir_all(tmp).map_err(io(tmp))?;
    }
    std::fs::create_dir_all(tmp.join("rejected")).map_err(io(tmp))?;

    // Output columns: identifiers pseudonymised or dropped, ICD-10 followed by its group.
    let mut outs: Vec<TableOut<'_>> = Vec::new();
    let mut pseudonymisers: HashMap<String, Pseudonymiser> = HashMap::new();
    for (ti, t) in pack.tables.iter().enumerate() {
        let mut columns = Vec::new();
        let mut header = vec!["authority_code".to_string()];
        for (ci, c) in t.columns.iter().enumerate() {
            if (t.name == "submission" && c.name == "authority_code") || c.drop {
                continue;
            }
            if c.class.contains(&IdClass::D) {
                match c.id_type.as_deref() {
                    Some(id) if id != "drop" => {
                        pseudonymisers
                            .entry(id.to_string())
                            .or_insert_with(|| opts.key.domain(&opts.domain, id));
                        columns.push(OutCol::Pseudonym(ci, id));
                        header.push(c.name.clone());
                    }
                    _ => {}
                }
                continue;
            }
            columns.push(OutCol::Value(ci));
            header.push(c.name.clone());
            if c.ty == ColumnType::Icd10
                && pack
                    .codelist(c)
                    .is_some_and(|l| l.entries.iter().any(|e| e.extra.contains_key("dx_group")))
            {
                columns.push(OutCol::DxGroup(ci));
                header.push("dx_group".into());
            }
        }
        if opts.on_error == OnError::Keep {
            header.push("vakt_errors".into());
        }
        let csv = match opts.format {
            OutFormat::Csv | OutFormat::Both => Some(csv_out(&tmp.join(format!("{}.csv", t.output)), &header)?),
            OutFormat::Xlsx => None,
        };
        let xlsx = matches!(opts.format, OutFormat::Xlsx | OutFormat::Both).then(Vec::new);
        outs.push(TableOut {
            table: ti,
            name: t.output.clone(),
            columns,
            header,
            dir: tmp.to_path_buf(),
            csv,
            xlsx,
            rejected: None,
            written: 0,
            rejected_rows: 0,
            flagged: 0,
        });
    }

    // Submission first (its authority code tags every row), then tables holding identifiers (so
    // free text elsewhere can be searched for them), then the rest.
    let mut order: Vec<usize> = (0..pack.tables.len()).collect();
    order.sort_by_key(|&t| {
        let has_ids = pack.tables[t]
            .columns
            .iter()
            .any(|c| matches!(c.id_type.as_deref(), Some("patient" | "hpr")));
        (pack.tables[t].name != "submission", !has_ids, t)
    });

    let mut collisions: HashMap<(String, String), u128> = HashMap::new();
    let mut input_stats: Vec<(String, String, Option<String>, usize, Stats)> = Vec::new();
    let mut inputs_json = Vec::new();
    let scanner = crate::check::kinds::Scanner::new();
    for (input, findings) in checked.iter_mut() {
        let mut errors: HashMap<(String, Option<String>, u64), Vec<&Finding>> = HashMap::new();
        for f in findings.iter().filter(|f| f.severity == Severity::Error) {
            if let Some(row) = f.location.row {
                errors
                    .entry((f.location.file.clone(), f.location.sheet.clone(), row))
                    .or_default()
                    .push(f);
            }
        }
        let fallback = Path::new(&input.path)
            .file_stem()
            .map(|s| s.to_string_lossy().to_uppercase())
            .unwrap_or_default();
        let mut authority = fallback;
        let mut ids = scrub::IdSet::default();
        let mut stats: BTreeMap<(usize, String, Option<String>), Stats> = BTreeMap::new();
        let mut failure: Option<CleanError> = None;
        let path = input.path.clone();
        let visit = engine::visit(pack, input, &order, &mut |v: Visited<'_>| {
            if failure.is_some() {
                return;
            }
            let table = &pack.tables[v.table];
            let st = stats
                .entry((v.table, v.part.file.clone(), v.part.sheet.clone()))
                .or_default();
            st.read += 1;
            match v.kind {
                RowKind::Blank => return st.non_data.push((v.row.row, "blank")),
                RowKind::Totals => return st.non_data.push((v.row.row, "totals")),
                RowKind::Note => return st.non_data.push((v.row.row, "note")),
                RowKind::Data => {}
            }
            let text_of = |c: usize| v.physical[c].map_or("", |p| text::trim(v.row.get(p as usize).text));
            if table.name == "submission" {
                if let Some(ci) = table.column_index("authority_code") {
                    if let (Value::Code(i), Some(l)) = (v.values[ci].value, pack.codelist(&table.columns[ci])) {
                        authority = l.code(i).to_string();
                    }
                }
            }
            // Identifiers of this return, for the free-text search.
            for (ci, c) in table.columns.iter().enumerate() {
                if matches!(c.id_type.as_deref(), Some("patient" | "hpr")) {
                    ids.insert(text_of(ci));
                }
            }
            let out = &mut outs[v.table];
            let mut record = Vec::with_capacity(out.header.len() + 6);
            record.push(authority.clone());
            for oc in &out.columns {
                match *oc {
                    OutCol::Value(ci) => {
                        let c = &table.columns[ci];
                        let mut s = render(pack, c, v.values[ci], text_of(ci));
                        if c.ty == ColumnType::Text || v.values[ci].issue.is_some() {
                            let (scrubbed, tags) = scrub::scrub(&s, &scanner, &ids);
                            st.tags += tags;
                            s = scrubbed;
                        }
                        record.push(neutralise(s));
                    }
                    OutCol::Pseudonym(ci, id_type) => {
                        let raw = text_of(ci);
                        if raw.is_empty() {
                            record.push(String::new());
                            continue;
                        }
                        let (canon, repaired) = pseudo::canonical(id_type, raw);
                        st.zero_repairs += u64::from(repaired);
                        let p = pseudonymisers
                            .get(id_type)
                            .map(|ps| ps.pseudonym(&canon))
                            .unwrap_or_default();
                        let h = crate::check::keyhash::KeyHash::default()
                            .part(canon.as_bytes())
                            .finish();
                        match collisions.entry((id_type.to_string(), p.clone())) {
                            std::collections::hash_map::Entry::Occupied(o) if *o.get() != h => {
                                failure = Some(CleanError::Collision(id_type.to_string()));
                                return;
                            }
                            std::collections::hash_map::Entry::Occupied(_) => {}
                            std::collections::hash_map::Entry::Vacant(e) => {
                                e.insert(h);
                            }
                        }
                        st.pseudonyms += 1;
                        record.push(p);
                    }
                    OutCol::DxGroup(ci) => {
                        let c = &table.columns[ci];
                        let g = match (v.values[ci].value, pack.codelist(c)) {
                            (Value::Code(i), Some(l)) if v.values[ci].issue.is_none() => {
                                l.entry(i).extra.get("dx_group").cloned().unwrap_or_default()
                            }
                            _ => String::new(),
                        };
                        record.push(g);
                    }
                }
            }
            let row_errors = errors.get(&(v.part.file.clone(), v.part.sheet.clone(), v.row.row));
            let pushed = match (row_errors, opts.on_error) {
                (None, OnError::Keep) => {
                    record.push(String::new());
                    st.written += 1;
                    out.push_clean(record, false)
                }
                (None, OnError::Reject) => {
                    st.written += 1;
                    out.push_clean(record, false)
                }
                (Some(errs), OnError::Keep) => {
                    record.push(errs.iter().map(|f| f.code).collect::<Vec<_>>().join(";"));
                    st.written += 1;
                    out.push_clean(record, true)
                }
                (Some(errs), OnError::Reject) => {
                    record.push(v.part.file.clone());
                    record.push(v.part.sheet.clone().unwrap_or_default());
                    record.push(v.row.row.to_string());
                    record.push(
                        errs.iter()
                            .map(|f| {
                                f.location
                                    .cell()
                                    .unwrap_or_else(|| f.location.column.clone().unwrap_or_default())
                            })
                            .collect::<Vec<_>>()
                            .join(";"),
                    );
                    record.push(errs.iter().map(|f| f.code).collect::<Vec<_>>().join(";"));
                    record.push(neutralise(
                        errs.iter().map(|f| f.message.clone()).collect::<Vec<_>>().join(" | "),
                    ));
                    st.rejected += 1;
                    out.push_rejected(record)
                }
            };
            if let Err(e) = pushed {
                failure = Some(e);
            }
        });
        if let Some(e) = failure {
            return Err(e);
        }
        visit.map_err(|e| CleanError::Input(e.to_string()))?;
        let mut tables_json = Vec::new();
        for ((t, file, sheet), st) in stats {
            let non_data = st.non_data.len() as u64;
            if st.read != st.written + st.rejected + non_data {
                return Err(CleanError::Accounting(
                    format!("{file} table {}", pack.tables[t].name),
                    st.read,
                    st.written,
                    st.rejected,
                    non_data,
                ));
            }
            tables_json.push(json!({
                "table": pack.tables[t].name,
                "file": file,
                "sheet": sheet,
                "rows_read": st.read,
                "rows_written": st.written,
                "rows_rejected": st.rejected,
                "non_data_rows": non_data,
                "non_data": st.non_data.iter().map(|(r, k)| json!({"row": r, "kind": k})).collect::<Vec<_>>(),
                "pseudonyms": st.pseudonyms,
                "leading_zero_repairs": st.zero_repairs,
                "free_text_tags": st.tags,
            }));
            input_stats.push((path.clone(), file, sheet, t, st));
        }
        inputs_json
            .push(json!({"path": path, "sha256": input.sha256, "authority_code": authority, "tables": tables_json}));
    }

    // Finish the tables.
    let mut outputs = BTreeMap::new();
    let mut summary = Summary::default();
    for out in &mut outs {
        summary.tables.push((out.name.clone(), out.written, out.rejected_rows));
        summary.flagged += out.flagged;
        if let Some(mut w) = out.csv.take() {
            let p = tmp.join(format!("{}.csv", out.name));
            w.flush().map_err(io(&p))?;
            drop(w);
            outputs.insert(format!("{}.csv", out.name), sha256(&p)?);
        }
        if let Some(rows) = out.xlsx.take() {
            let p = tmp.join(format!("{}.xlsx", out.name));
            write_xlsx(&p, &out.name, &out.header, &rows, pack, out)?;
            outputs.insert(format!("{}.xlsx", out.name), sha256(&p)?);
        }
        if let Some(mut w) = out.rejected.take() {
            let p = tmp.join("rejected").join(format!("{}.csv", out.name));
            w.flush().map_err(io(&p))?;
            drop(w);
            outputs.insert(format!("rejected/{}.csv", out.name), sha256(&p)?);
        }
    }
    summary.non_data = input_stats.iter().map(|s| s.4.non_data.len() as u64).sum();
    let per_table: Vec<_> = outs
        .iter()
        .map(|o| {
            let sts: Vec<&Stats> = input_stats.iter().filter(|s| s.3 == o.table).map(|s| &s.4).collect();
            let sum = |f: fn(&Stats) -> u64| sts.iter().map(|s| f(s)).sum::<u64>();
            json!({
                "table": o.name,
                "rows_read": sum(|s| s.read),
                "rows_written": sum(|s| s.written),
                "rows_rejected": sum(|s| s.rejected),
                "non_data_rows": sum(|s| s.non_data.len() as u64),
                "pseudonyms": sum(|s| s.pseudonyms),
                "leading_zero_repairs": sum(|s| s.zero_repairs),
                "free_text_tags": sum(|s| s.tags),
            })
        })
        .collect();
    let manifest = json!({
        "tool": {"name": "vakt", "version": env!("CARGO_PKG_VERSION")},
        "rules": {"path": pack.path, "sha256": pack.sha256},
        "pseudonyms": {
            "algorithm": "vakt-pseudo/v1",
            "project": opts.key.project,
            "domain": opts.domain,
            "key_fingerprint": opts.key.fingerprint,
            "collision_check": "passed",
            "distinct_pseudonyms": collisions.len(),
        },
        "on_error": match opts.on_error { OnError::Reject => "reject", OnError::Keep => "keep" },
        "inputs": inputs_json,
        "tables": per_table,
        "outputs": outputs,
    });
    let text = serde_json::to_string_pretty(&manifest)
        .map_err(|e| CleanError::Io("manifest.json".into(), e.to_string()))?
        + "\n";
    let mp = tmp.join("manifest.json");
    std::fs::write(&mp, text).map_err(io(&mp))?;
    Ok(summary)
}

fn sha256(p: &Path) -> Result<String, CleanError> {
    crate::read::sha256_file(&p.display().to_string(), p)
        .map_err(|e| CleanError::Io(p.display().to_string(), e.to_string()))
}

fn write_xlsx(
    path: &Path,
    name: &str,
    header: &[String],
    rows: &[Vec<String>],
    pack: &Pack,
    out: &TableOut<'_>,
) -> Result<(), CleanError> {
    use rust_xlsxwriter::{DocProperties, ExcelDateTime, Workbook};
    if rows.len() >= 1_048_575 {
        return Err(CleanError::TooManyRows(name.to_string(), rows.len()));
    }
    let err = |e: rust_xlsxwriter::XlsxError| CleanError::Io(path.display().to_string(), e.to_string());
    let mut wb = Workbook::new();
    let created = ExcelDateTime::from_ymd(2000, 1, 1).map_err(err)?;
    wb.set_properties(
        &DocProperties::new()
            .set_creation_datetime(&created)
            .set_author("vakt clean"),
    );
    let ws = wb.add_worksheet();
    ws.set_name(name.chars().take(31).collect::<String>()).map_err(err)?;
    // Numeric columns are written as numbers, everything else as text (never as formulas).
    let mut numeric = vec![false; header.len()];
    let table = &pack.tables[out.table];
    for (i, oc) in out.columns.iter().enumerate() {
        if let OutCol::Value(ci) = oc {
            numeric[i + 1] = matches!(
                table.columns[*ci].ty,
                ColumnType::Integer | ColumnType::Decimal | ColumnType::Minutes
            );
        }
    }
    for (c, h) in header.iter().enumerate() {
        ws.write_string(0, c as u16, h).map_err(err)?;
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            if v.is_empty() {
                continue;
            }
            match (numeric.get(c), v.parse::<f64>()) {
                (Some(true), Ok(n)) => ws.write_number(r as u32 + 1, c as u16, n).map_err(err)?,
                _ => ws.write_string(r as u32 + 1, c as u16, v).map_err(err)?,
            };
        }
    }
    wb.save(path).map_err(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised_numbers_are_not() {
        assert_eq!(
            neutralise("=HYPERLINK(\"http://x\")".into()),
            "'=HYPERLINK(\"http://x\")"
        );
        assert_eq!(neutralise("+47 99".into()), "'+47 99");
        assert_eq!(neutralise("@SUM(A1)".into()), "'@SUM(A1)");
        assert_eq!(neutralise("-5".into()), "-5");
        assert_eq!(neutralise("-1.5".into()), "-1.5");
        assert_eq!(neutralise("plain".into()), "plain");
    }
}
