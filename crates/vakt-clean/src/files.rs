//! The files of the clean dataset: one CSV (and/or workbook) per table, `rejected/<table>.csv`,
//! each created owner-only. CSV streams row by row; a workbook is written whole at the end.

use super::decide::Reason;
use super::render::{neutralise, OutValue};
use super::CleanError;
use std::path::{Path, PathBuf};

type CsvOut = csv::Writer<std::io::BufWriter<std::fs::File>>;

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutFormat {
    Csv,
    Xlsx,
    Both,
}

fn io_err(p: &Path, e: impl std::fmt::Display) -> CleanError {
    CleanError::Io(p.display().to_string(), e.to_string())
}

fn create_private(path: &Path) -> Result<std::fs::File, CleanError> {
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    o.open(path).map_err(|e| io_err(path, e))
}

/// A CSV file, with its header unless it is a return's part of a table (`None`).
fn csv_out(path: &Path, header: Option<&[String]>) -> Result<CsvOut, CleanError> {
    let file = create_private(path)?;
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(std::io::BufWriter::new(file));
    if let Some(header) = header {
        w.write_record(header.iter().map(|h| neutralise(h)))
            .map_err(|e| io_err(path, e))?;
    }
    Ok(w)
}

/// Flushes and closes a CSV file (`path`), appends its bytes to `to`, and removes it.
fn append_to(from: CsvOut, path: &Path, to: CsvOut) -> Result<CsvOut, CleanError> {
    let mut from = from;
    from.flush().map_err(|e| io_err(path, e))?;
    drop(from);
    // The writer keeps no state between records that matters here: unwrapped to append bytes,
    // and wrapped again.
    let mut raw = to.into_inner().map_err(|e| io_err(path, e.error()))?;
    let mut f = std::fs::File::open(path).map_err(|e| io_err(path, e))?;
    std::io::copy(&mut f, &mut raw).map_err(|e| io_err(path, e))?;
    std::fs::remove_file(path).map_err(|e| io_err(path, e))?;
    Ok(csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(raw))
}

/// Rows a worksheet holds below its header.
const XLSX_ROWS: usize = 1_048_575;

/// The output files of one table.
pub struct TableFile {
    pub name: String,
    header: Vec<String>,
    dir: PathBuf,
    csv: Option<CsvOut>,
    xlsx: Option<Vec<Vec<OutValue>>>,
    rejected: Option<CsvOut>,
    /// Rows written to the clean table.
    pub written: u64,
    /// Rows written to `rejected/`.
    pub rejected_rows: u64,
    /// One return's share of the table ([`TableFile::part`]): files without headers.
    part: bool,
    /// Reused for each field written to CSV.
    field: String,
}

impl TableFile {
    /// Creates the table's files in `dir`.
    pub fn create(dir: &Path, name: &str, header: Vec<String>, format: OutFormat) -> Result<TableFile, CleanError> {
        Self::open(dir, name, header, format, false)
    }

    /// The files of one return's share of a table, in `parts`, without headers: the returns of a
    /// run are written at once, each to its parts, and [`TableFile::absorb`] appends them to the
    /// table's files in input order, so the files are byte for byte what one return after the
    /// other would have written.
    pub fn part(parts: &Path, name: &str, header: Vec<String>, format: OutFormat) -> Result<TableFile, CleanError> {
        super::output::private_dir(&parts.join("rejected"))?;
        Self::open(parts, name, header, format, true)
    }

    fn open(
        dir: &Path,
        name: &str,
        header: Vec<String>,
        format: OutFormat,
        part: bool,
    ) -> Result<TableFile, CleanError> {
        let csv = match format {
            OutFormat::Csv | OutFormat::Both => {
                let shown = (!part).then_some(header.as_slice());
                Some(csv_out(&dir.join(format!("{name}.csv")), shown)?)
            }
            OutFormat::Xlsx => None,
        };
        Ok(TableFile {
            name: name.to_string(),
            header,
            dir: dir.to_path_buf(),
            csv,
            xlsx: matches!(format, OutFormat::Xlsx | OutFormat::Both).then(Vec::new),
            rejected: None,
            written: 0,
            rejected_rows: 0,
            part,
            field: String::new(),
        })
    }

    /// Appends one return's share of the table (see [`TableFile::part`]) and removes its files.
    pub fn absorb(&mut self, mut part: TableFile) -> Result<(), CleanError> {
        if let (Some(to), Some(from)) = (self.csv.take(), part.csv.take()) {
            self.csv = Some(append_to(from, &part.dir.join(format!("{}.csv", part.name)), to)?);
        }
        if let Some(from) = part.rejected.take() {
            self.open_rejected()?;
            if let Some(to) = self.rejected.take() {
                self.rejected = Some(append_to(from, &part.rejected_path(), to)?);
            }
        }
        if let (Some(rows), Some(more)) = (&mut self.xlsx, part.xlsx.take()) {
            if rows.len() + more.len() > XLSX_ROWS {
                return Err(CleanError::TooManyRows(self.name.clone(), XLSX_ROWS + 1));
            }
            rows.extend(more);
        }
        self.written += part.written;
        self.rejected_rows += part.rejected_rows;
        Ok(())
    }

    fn rejected_path(&self) -> PathBuf {
        self.dir.join("rejected").join(format!("{}.csv", self.name))
    }

    /// Creates `rejected/<table>.csv` at its first row.
    fn open_rejected(&mut self) -> Result<(), CleanError> {
        if self.rejected.is_some() {
            return Ok(());
        }
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
        let shown = (!self.part).then_some(header.as_slice());
        self.rejected = Some(csv_out(&self.rejected_path(), shown)?);
        Ok(())
    }

    /// Writes a clean row.
    pub fn clean(&mut self, record: &[OutValue]) -> Result<(), CleanError> {
        if let Some(w) = &mut self.csv {
            let field = &mut self.field;
            record
                .iter()
                .try_for_each(|v| {
                    field.clear();
                    v.csv_into(field);
                    w.write_field(field.as_bytes())
                })
                .and_then(|()| w.write_record(std::iter::empty::<&[u8]>()))
                .map_err(|e| io_err(Path::new(&format!("{}.csv", self.name)), e))?;
        }
        if let Some(rows) = &mut self.xlsx {
            if rows.len() >= XLSX_ROWS {
                return Err(CleanError::TooManyRows(self.name.clone(), rows.len() + 1));
            }
            rows.push(record.to_vec());
        }
        self.written += 1;
        Ok(())
    }

    /// Writes a rejected row with where it came from and why.
    pub fn reject(
        &mut self,
        record: &[OutValue],
        (file, sheet, row): (&str, Option<&str>, u64),
        reasons: &[Reason],
    ) -> Result<(), CleanError> {
        self.open_rejected()?;
        let mut fields: Vec<String> = record.iter().map(OutValue::csv).collect();
        fields.push(neutralise(file));
        fields.push(neutralise(sheet.unwrap_or("")));
        fields.push(row.to_string());
        let join = |f: &dyn Fn(&Reason) -> &str, sep: &str| {
            let parts: Vec<&str> = reasons.iter().map(f).filter(|s| !s.is_empty()).collect();
            neutralise(&parts.join(sep))
        };
        fields.push(join(&|r| r.cell.as_str(), ";"));
        fields.push(join(&|r| r.code.as_str(), ";"));
        fields.push(join(&|r| r.message.as_str(), " | "));
        if let Some(w) = &mut self.rejected {
            w.write_record(&fields)
                .map_err(|e| io_err(Path::new(&format!("rejected/{}.csv", self.name)), e))?;
        }
        self.rejected_rows += 1;
        Ok(())
    }

    /// Flushes and closes the files; returns each file written (relative path) with its SHA-256.
    pub fn finish(&mut self, date_columns: &[bool]) -> Result<Vec<(String, String)>, CleanError> {
        let mut out = Vec::new();
        if let Some(mut w) = self.csv.take() {
            let p = self.dir.join(format!("{}.csv", self.name));
            w.flush().map_err(|e| io_err(&p, e))?;
            drop(w);
            out.push((format!("{}.csv", self.name), sha256(&p)?));
        }
        if let Some(rows) = self.xlsx.take() {
            let p = self.dir.join(format!("{}.xlsx", self.name));
            write_xlsx(&p, &self.name, &self.header, &rows, date_columns)?;
            super::output::private_file(&p)?;
            out.push((format!("{}.xlsx", self.name), sha256(&p)?));
        }
        if let Some(mut w) = self.rejected.take() {
            let p = self.dir.join("rejected").join(format!("{}.csv", self.name));
            w.flush().map_err(|e| io_err(&p, e))?;
            drop(w);
            out.push((format!("rejected/{}.csv", self.name), sha256(&p)?));
        }
        Ok(out)
    }
}

/// SHA-256 of a written file.
pub fn sha256(p: &Path) -> Result<String, CleanError> {
    vakt_core::read::sha256_file(&p.display().to_string(), p).map_err(|e| io_err(p, e))
}

fn write_xlsx(
    path: &Path,
    name: &str,
    header: &[String],
    rows: &[Vec<OutValue>],
    date_columns: &[bool],
) -> Result<(), CleanError> {
    use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook};
    let err = |e: rust_xlsxwriter::XlsxError| io_err(path, e);
    let mut wb = Workbook::new();
    let created = ExcelDateTime::from_ymd(2000, 1, 1).map_err(err)?;
    wb.set_properties(
        &DocProperties::new()
            .set_creation_datetime(&created)
            .set_author("vakt clean"),
    );
    let date_format = Format::new().set_num_format("yyyy-mm-dd");
    let ws = wb.add_worksheet();
    ws.set_name(name.chars().take(31).collect::<String>()).map_err(err)?;
    for (c, h) in header.iter().enumerate() {
        ws.write_string(0, c as u16, neutralise(h)).map_err(err)?;
        if date_columns.get(c).copied().unwrap_or(false) {
            ws.set_column_width(c as u16, 11).map_err(err)?;
        }
    }
    for (r, row) in rows.iter().enumerate() {
        let r = r as u32 + 1;
        for (c, v) in row.iter().enumerate() {
            let c = c as u16;
            match v {
                OutValue::Empty => {}
                OutValue::Text(s) => {
                    ws.write_string(r, c, neutralise(s)).map_err(err)?;
                }
                OutValue::Int(i) => {
                    ws.write_number(r, c, *i as f64).map_err(err)?;
                }
                OutValue::Num(n) => {
                    ws.write_number(r, c, *n).map_err(err)?;
                }
                OutValue::Date(d) => {
                    let (y, m, day) = d.ymd();
                    match ExcelDateTime::from_ymd(y as u16, m as u8, day as u8) {
                        Ok(dt) => ws.write_datetime_with_format(r, c, &dt, &date_format).map_err(err)?,
                        // Before 1900 Excel has no dates: written as ISO text.
                        Err(_) => ws.write_string(r, c, d.to_string()).map_err(err)?,
                    };
                }
            }
        }
    }
    wb.save(path).map_err(err)
}
