//! Drafting a rule pack from sample returns (`vakt infer`): the tables and headers found, each
//! column's type, the values and ranges seen, code lists from distinct values with their counts,
//! candidate keys and foreign keys, identifier columns. The draft is TOML with comments, for a
//! person to read and edit, never to be trusted as it is; unedited, it loads and checks the
//! samples it was drafted from without errors.
//!
//! ```
//! let dir = tempfile::tempdir()?;
//! std::fs::write(dir.path().join("wards.csv"), "Ward,Beds,Kind\nA,12,long\nB,14,short\nC,9,long\n")?;
//! let draft = vakt_core::infer::draft(&[dir.path().to_path_buf()])?;
//! let toml = draft.to_toml();
//! assert!(toml.contains("name = \"wards\""));
//! assert!(toml.contains("type = \"integer\""));
//! let pack = vakt_core::pack::Pack::from_source("draft.toml", toml, &|_: &str| Err("none".into()));
//! assert!(pack.is_ok());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod column;
mod write;

use crate::locate::{classify, Header, RowKind};
use crate::read::{CellKind, Input, InputFormat, ReadError, RowBuf};
use crate::value::text;
use std::path::PathBuf;

pub use column::{DraftColumn, Kind};

/// Rows read of each sample table (a draft needs a sample, not everything).
pub const MAX_SAMPLE_ROWS: usize = 100_000;

/// A drafted pack.
#[derive(Debug)]
pub struct Draft {
    /// The samples it was drafted from, as given.
    pub samples: Vec<String>,
    /// Its tables, in the order found.
    pub tables: Vec<DraftTable>,
}

/// A drafted table.
#[derive(Debug)]
pub struct DraftTable {
    /// Its name (from the sheet or file).
    pub name: String,
    /// Sheet names it was found in.
    pub sheets: Vec<String>,
    /// CSV file names it was found in.
    pub files: Vec<String>,
    /// Data rows seen.
    pub rows: usize,
    /// In how many of the samples it was found.
    pub found_in: usize,
    /// Its columns.
    pub columns: Vec<DraftColumn>,
    /// Foreign keys: (this table's column, earlier table, its column).
    pub relations: Vec<(usize, usize, usize)>,
}

/// A sample table as read: the header and each column's cells.
struct Sample {
    name: String,
    /// The samples (inputs) it was found in.
    inputs: Vec<usize>,
    sheet: Option<String>,
    file: Option<String>,
    header: Vec<String>,
    cells: Vec<Vec<(CellKind, String, bool)>>,
    rows: usize,
}

/// Drafts a pack from sample returns (workbooks, folders of CSV files, CSV files).
pub fn draft(paths: &[PathBuf]) -> Result<Draft, ReadError> {
    let mut samples = Vec::new();
    for (i, path) in paths.iter().enumerate() {
        let mut input = Input::open(path)?;
        for part in 0..input.parts.len() {
            if let Some(mut s) = read_part(&mut input, part)? {
                s.inputs.push(i);
                samples.push(s);
            }
        }
    }
    let mut tables: Vec<DraftTable> = Vec::new();
    for s in merge(samples) {
        tables.push(DraftTable {
            columns: s
                .header
                .iter()
                .zip(&s.cells)
                .map(|(h, cells)| column::infer(h, cells, s.rows))
                .collect(),
            found_in: s.inputs.len(),
            name: s.name,
            sheets: s.sheet.into_iter().collect(),
            files: s.file.into_iter().collect(),
            rows: s.rows,
            relations: Vec::new(),
        });
    }
    name_columns(&mut tables);
    find_relations(&mut tables);
    Ok(Draft {
        samples: paths.iter().map(|p| p.display().to_string()).collect(),
        tables,
    })
}

impl Draft {
    /// The draft as a commented TOML rule pack.
    pub fn to_toml(&self) -> String {
        write::toml(self)
    }
}

/// Reads one sheet or CSV file: the header (the row among the first 30 with the most text cells)
/// and the data rows under it. `None` when it holds no table.
fn read_part(input: &mut Input, part: usize) -> Result<Option<Sample>, ReadError> {
    let p = input.parts[part].clone();
    if p.unreadable.is_some() {
        return Ok(None);
    }
    let format = input.format;
    let mut source = input.rows(part)?;
    let mut rows: Vec<RowBuf> = Vec::new();
    let mut buf = RowBuf::default();
    while rows.len() < MAX_SAMPLE_ROWS && source.next_row(&mut buf)? {
        rows.push(buf.clone());
    }
    let texts = |r: &RowBuf| r.iter().filter(|c| c.kind == CellKind::Text && !c.is_blank()).count();
    let Some((hi, _)) = rows
        .iter()
        .take(crate::locate::HEADER_SEARCH_ROWS)
        .enumerate()
        .max_by_key(|(i, r)| (texts(r), std::cmp::Reverse(*i)))
    else {
        return Ok(None);
    };
    let header: Vec<String> = rows[hi].iter().map(|c| text::trim(c.text).to_string()).collect();
    if header.iter().filter(|h| !h.is_empty()).count() < 2 {
        return Ok(None);
    }
    let mapped = Header {
        index: hi,
        row: rows[hi].row,
        physical: (0..header.len() as u32).map(Some).collect(),
        unknown: Vec::new(),
        repeated: Vec::new(),
        tag: None,
        flags: None,
    };
    let mut cells: Vec<Vec<(CellKind, String, bool)>> = vec![Vec::new(); header.len()];
    let mut n = 0;
    for r in rows
        .iter()
        .skip(hi + 1)
        .filter(|r| classify(r, &mapped) == RowKind::Data)
    {
        n += 1;
        for (c, column) in cells.iter_mut().enumerate() {
            let cell = r.get(c);
            column.push((cell.kind, text::trim(cell.text).to_string(), r.date_1904));
        }
    }
    drop(source);
    let csv = matches!(format, InputFormat::Csv | InputFormat::CsvFolder);
    let keep: Vec<usize> = (0..header.len()).filter(|&i| !header[i].is_empty()).collect();
    Ok(Some(Sample {
        inputs: Vec::new(),
        name: crate::locate::part_key(&p.name, format),
        sheet: (!csv).then(|| p.name.clone()),
        file: csv.then(|| p.name.clone()),
        header: keep.iter().map(|&i| header[i].clone()).collect(),
        cells: keep.iter().map(|&i| std::mem::take(&mut cells[i])).collect(),
        rows: n,
    }))
}

/// Samples of one table (the same name with drift removed) become one: their columns aligned by
/// header, their cells together.
fn merge(samples: Vec<Sample>) -> Vec<Sample> {
    let mut out: Vec<Sample> = Vec::new();
    for s in samples {
        let Some(into) = out.iter_mut().find(|o| o.name == s.name) else {
            out.push(s);
            continue;
        };
        for i in &s.inputs {
            if !into.inputs.contains(i) {
                into.inputs.push(*i);
            }
        }
        into.sheet = into.sheet.take().or(s.sheet);
        into.file = into.file.take().or(s.file);
        let before = into.rows;
        for (h, cells) in s.header.iter().zip(s.cells) {
            let key = text::header_key(h);
            match into.header.iter().position(|x| text::header_key(x) == key) {
                Some(i) => into.cells[i].extend(cells),
                None => {
                    into.header.push(h.clone());
                    let mut column = vec![(CellKind::Empty, String::new(), false); before];
                    column.extend(cells);
                    into.cells.push(column);
                }
            }
        }
        into.rows += s.rows;
        for column in &mut into.cells {
            column.resize(into.rows, (CellKind::Empty, String::new(), false));
        }
    }
    out.retain(|s| s.rows > 0);
    out
}

/// Column names from headers: lower-case ASCII words joined by `_`, unique in their table.
fn name_columns(tables: &mut [DraftTable]) {
    for t in tables.iter_mut() {
        let mut taken: Vec<String> = Vec::new();
        for (i, c) in t.columns.iter_mut().enumerate() {
            let mut name = column::snake_case(&c.header);
            if name.is_empty() {
                name = format!("column_{}", i + 1);
            }
            let mut unique = name.clone();
            let mut n = 2;
            while taken.contains(&unique) {
                unique = format!("{name}_{n}");
                n += 1;
            }
            taken.push(unique.clone());
            c.name = unique;
        }
    }
}

/// A column whose values all occur in a key column of the same name in an earlier table refers
/// to that table.
fn find_relations(tables: &mut [DraftTable]) {
    for b in 1..tables.len() {
        let (earlier, rest) = tables.split_at_mut(b);
        let table = &mut rest[0];
        for (ci, c) in table.columns.iter().enumerate() {
            if c.distinct.is_empty() {
                continue;
            }
            let parent = earlier.iter().enumerate().find_map(|(ai, a)| {
                let k = a.columns.iter().position(|k| k.name == c.name && k.unique)?;
                c.distinct
                    .iter()
                    .all(|v| a.columns[k].distinct.contains(v))
                    .then_some((ai, k))
            });
            if let Some((ai, k)) = parent {
                table.relations.push((ci, ai, k));
            }
        }
    }
}
