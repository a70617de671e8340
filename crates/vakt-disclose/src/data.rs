//! Reading the tables the disclosure commands work on: a data file from `vakt clean` (CSV or xlsx),
//! or a table as people make it. Both come through the read stage, so encodings, delimiters and
//! workbooks behave as in `vakt check`.

use crate::Error;
use vakt_core::read::{CellKind, Input, RowBuf};

/// A sheet or CSV file as rows of trimmed text, with each row's physical number.
pub struct Sheet {
    pub file: String,
    pub sheet: Option<String>,
    pub rows: Vec<(u64, Vec<String>)>,
}

/// Reads the first sheet (or the named one) of a file.
pub fn read_sheet(path: &std::path::Path, sheet: Option<&str>) -> Result<Sheet, Error> {
    let mut input = vakt_core::read::guard::catch(|| Input::open(path))
        .map_err(|panic| vakt_core::read::guard::crashed(&path.display().to_string(), &panic))??;
    let idx = match sheet {
        Some(name) => input.parts.iter().position(|p| p.name == name).ok_or_else(|| {
            Error::Request(format!(
                "{}: no sheet '{name}' (sheets: {})",
                path.display(),
                input
                    .parts
                    .iter()
                    .map(|p| p.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })?,
        None => 0,
    };
    let part = input
        .parts
        .get(idx)
        .cloned()
        .ok_or_else(|| Error::Table(format!("{}: no table in the file", path.display())))?;
    let mut source = input.rows(idx)?;
    let mut buf = RowBuf::default();
    let mut rows = Vec::new();
    while source.next_row(&mut buf)? {
        let cells: Vec<String> = buf
            .iter()
            .map(|c| match c.kind {
                CellKind::Empty => String::new(),
                _ => vakt_core::value::text::trim(c.text).to_string(),
            })
            .collect();
        if cells.iter().any(|c| !c.is_empty()) {
            rows.push((buf.row, cells));
        }
    }
    Ok(Sheet {
        file: part.file,
        sheet: part.sheet,
        rows,
    })
}

/// A data table: a header and records.
pub struct Data {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Data {
    pub fn read(path: &std::path::Path, sheet: Option<&str>) -> Result<Data, Error> {
        let s = read_sheet(path, sheet)?;
        let mut it = s.rows.into_iter();
        let header = it
            .next()
            .map(|r| r.1)
            .ok_or_else(|| Error::Table(format!("{}: the table is empty", path.display())))?;
        let width = header.len();
        let rows = it
            .map(|(_, mut r)| {
                r.resize(width, String::new());
                r
            })
            .collect();
        Ok(Data { header, rows })
    }

    pub fn column(&self, name: &str) -> Result<usize, Error> {
        self.header
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| Error::Request(format!("no column `{name}` (columns: {})", self.header.join(", "))))
    }

    /// Adds the columns of `other` to every row whose `on` columns match (left join; the first
    /// matching row of `other` wins).
    pub fn join(&mut self, other: &Data, on: &[String]) -> Result<(), Error> {
        let left: Vec<usize> = on.iter().map(|c| self.column(c)).collect::<Result<_, _>>()?;
        let right: Vec<usize> = on.iter().map(|c| other.column(c)).collect::<Result<_, _>>()?;
        let extra: Vec<usize> = (0..other.header.len())
            .filter(|i| !right.contains(i) && !self.header.contains(&other.header[*i]))
            .collect();
        let mut index = std::collections::HashMap::new();
        for (i, r) in other.rows.iter().enumerate() {
            index
                .entry(right.iter().map(|&c| r[c].as_str()).collect::<Vec<_>>().join("\u{1f}"))
                .or_insert(i);
        }
        for r in self.rows.iter_mut() {
            let key = left.iter().map(|&c| r[c].as_str()).collect::<Vec<_>>().join("\u{1f}");
            let found = index.get(&key).map(|&i| &other.rows[i]);
            for &c in &extra {
                r.push(found.map(|o| o[c].clone()).unwrap_or_default());
            }
        }
        self.header.extend(extra.iter().map(|&c| other.header[c].clone()));
        Ok(())
    }
}
