//! Workbooks through calamine: `.xlsx` streams cell by cell; `.xls`, `.xlsb` and `.ods` load a
//! sheet at a time (calamine has no streaming reader for them).
//!
//! Merged ranges are filled with their top-left value, but only inside the range: a key cell merged
//! down over three rows gives all three rows the key, and nothing outside it.

use super::{write_number, CellKind, InputFormat, ReadError, RowBuf, RowSource};
use calamine::{Data, DataRef, Dimensions, Reader, Sheets, Xlsx, XlsxCellReader};
use std::fs::File;
use std::io::BufReader;
use std::path::Path;

type Rs = BufReader<File>;

/// An open workbook.
pub enum Workbook {
    Xlsx(Box<Xlsx<Rs>>, std::path::PathBuf),
    Loaded(Box<Sheets<Rs>>),
}

fn classify(file: &str, err: impl std::fmt::Display) -> ReadError {
    let reason = err.to_string();
    let lower = reason.to_ascii_lowercase();
    if lower.contains("password") || lower.contains("encrypt") {
        ReadError::Encrypted { file: file.to_string() }
    } else {
        ReadError::Corrupt {
            file: file.to_string(),
            reason,
        }
    }
}

impl Workbook {
    pub fn open(shown: &str, path: &Path, format: InputFormat) -> Result<Workbook, ReadError> {
        if format == InputFormat::Xlsx {
            let wb: Xlsx<Rs> = calamine::open_workbook(path).map_err(|e| classify(shown, e))?;
            Ok(Workbook::Xlsx(Box::new(wb), path.to_path_buf()))
        } else {
            let wb = calamine::open_workbook_auto(path).map_err(|e| classify(shown, e))?;
            Ok(Workbook::Loaded(Box::new(wb)))
        }
    }

    pub fn sheet_names(&self) -> Vec<String> {
        match self {
            Workbook::Xlsx(wb, _) => wb.sheet_names(),
            Workbook::Loaded(wb) => wb.sheet_names(),
        }
    }

    pub fn rows(&mut self, shown: &str, sheet: &str) -> Result<Box<dyn RowSource + '_>, ReadError> {
        let rows_err = |e: &dyn std::fmt::Display| ReadError::Rows {
            file: shown.to_string(),
            sheet: Some(sheet.to_string()),
            row: None,
            reason: e.to_string(),
        };
        match self {
            Workbook::Xlsx(wb, path) => {
                let merges = match super::merges::scan(path, sheet) {
                    Some(m) => m,
                    None => wb.merge_cells_by_sheet_name(sheet).map_err(|e| rows_err(&e))?,
                };
                let is_1904 = wb.has_1904_epoch();
                let reader = wb.worksheet_cells_reader(sheet).map_err(|e| rows_err(&e))?;
                Ok(Box::new(XlsxRows {
                    file: shown.to_string(),
                    sheet: sheet.to_string(),
                    reader,
                    pending: None,
                    done: false,
                    merges: Merges::new(merges),
                    is_1904,
                }))
            }
            Workbook::Loaded(wb) => {
                let merges = match wb.as_mut() {
                    Sheets::Xls(x) => x.merge_cells_by_sheet_name(sheet).unwrap_or_default(),
                    _ => Vec::new(),
                };
                let range = wb.worksheet_range(sheet).map_err(|e| rows_err(&e))?;
                let start = range.start().unwrap_or((0, 0));
                let is_1904 = range
                    .used_cells()
                    .any(|(_, _, c)| matches!(c, Data::DateTime(d) if is_1904(d)));
                Ok(Box::new(RangeRows {
                    range,
                    start,
                    next: 0,
                    merges: Merges::new(merges),
                    is_1904,
                }))
            }
        }
    }
}

/// Merged ranges of a sheet, with the top-left values seen so far.
struct Merges {
    ranges: Vec<(Dimensions, Option<(CellKind, String)>)>,
}

impl Merges {
    fn new(mut dims: Vec<Dimensions>) -> Merges {
        dims.sort_by_key(|d| (d.start, d.end));
        Merges {
            ranges: dims.into_iter().map(|d| (d, None)).collect(),
        }
    }

    /// Records top-left values in this row and fills empty cells inside merged ranges.
    fn apply(&mut self, row0: u32, buf: &mut RowBuf) {
        for (dim, value) in &mut self.ranges {
            if row0 < dim.start.0 || row0 > dim.end.0 {
                continue;
            }
            if row0 == dim.start.0 {
                let c = buf.get(dim.start.1 as usize);
                *value = Some((c.kind, c.text.to_string()));
            }
            let Some((kind, text)) = value.as_ref() else {
                continue;
            };
            for col in dim.start.1..=dim.end.1 {
                if (row0, col) != dim.start && buf.get(col as usize).kind == CellKind::Empty {
                    buf.set(col as usize, *kind, text);
                }
            }
        }
    }
}

struct XlsxRows<'a> {
    file: String,
    sheet: String,
    reader: XlsxCellReader<'a, Rs>,
    pending: Option<calamine::Cell<DataRef<'a>>>,
    done: bool,
    merges: Merges,
    is_1904: bool,
}

fn next_cell<'a>(rows: &mut XlsxRows<'a>) -> Result<Option<calamine::Cell<DataRef<'a>>>, ReadError> {
    if let Some(c) = rows.pending.take() {
        return Ok(Some(c));
    }
    if rows.done {
        return Ok(None);
    }
    match rows.reader.next_cell() {
        Ok(Some(c)) => Ok(Some(c)),
        Ok(None) => {
            rows.done = true;
            Ok(None)
        }
        Err(e) => Err(ReadError::Rows {
            file: rows.file.clone(),
            sheet: Some(rows.sheet.clone()),
            row: None,
            reason: e.to_string(),
        }),
    }
}

impl RowSource for XlsxRows<'_> {
    fn next_row(&mut self, buf: &mut RowBuf) -> Result<bool, ReadError> {
        let is_1904 = self.is_1904;
        let Some(first) = next_cell(self)? else {
            return Ok(false);
        };
        let row0 = first.get_position().0;
        buf.clear(row0 as u64 + 1);
        buf.date_1904 = is_1904;
        push_ref(buf, first.get_position().1, first.get_value());
        while let Some(cell) = next_cell(self)? {
            if cell.get_position().0 != row0 {
                self.pending = Some(cell);
                break;
            }
            push_ref(buf, cell.get_position().1, cell.get_value());
        }
        self.merges.apply(row0, buf);
        Ok(true)
    }
}

fn push_ref(buf: &mut RowBuf, col: u32, v: &DataRef<'_>) {
    let col = col as usize;
    if col < buf.len() {
        // Cells out of order should not happen; keep the first.
        return;
    }
    buf.pad_to(col);
    match v {
        DataRef::Int(i) => buf.push_number(*i as f64),
        DataRef::Float(f) => buf.push_number(*f),
        DataRef::String(s) => buf.push(CellKind::Text, s),
        DataRef::SharedString(s) => buf.push(CellKind::Text, s),
        DataRef::Bool(b) => buf.push(CellKind::Bool(*b), if *b { "TRUE" } else { "FALSE" }),
        DataRef::DateTime(d) => push_datetime(buf, d),
        DataRef::DateTimeIso(s) => buf.push(CellKind::DateIso, s),
        DataRef::DurationIso(s) => buf.push(CellKind::Text, s),
        DataRef::Error(e) => buf.push_with(CellKind::Error, |out| {
            use std::fmt::Write;
            let _ = write!(out, "{e}");
        }),
        DataRef::Empty => buf.push(CellKind::Empty, ""),
    }
}

fn push_datetime(buf: &mut RowBuf, d: &calamine::ExcelDateTime) {
    if d.is_duration() {
        buf.push_number(d.as_f64());
    } else {
        let serial = d.as_f64();
        let is_1904 = is_1904(d);
        // Shown as the date a person sees; the serial stays in the kind for parsing.
        buf.push_with(
            CellKind::Date { serial, is_1904 },
            |out| match crate::value::Date::from_excel_serial(serial, is_1904) {
                Ok(date) => {
                    use std::fmt::Write;
                    let _ = write!(out, "{date}");
                }
                Err(_) => write_number(out, serial),
            },
        );
    }
}

struct RangeRows {
    range: calamine::Range<Data>,
    start: (u32, u32),
    next: usize,
    merges: Merges,
    is_1904: bool,
}

impl RowSource for RangeRows {
    fn next_row(&mut self, buf: &mut RowBuf) -> Result<bool, ReadError> {
        let (height, width) = self.range.get_size();
        while self.next < height {
            let r = self.next;
            self.next += 1;
            let row0 = self.start.0 + r as u32;
            buf.clear(row0 as u64 + 1);
            buf.date_1904 = self.is_1904;
            buf.pad_to(self.start.1 as usize);
            for c in 0..width {
                let v = self.range.get((r, c)).unwrap_or(&Data::Empty);
                match v {
                    Data::Int(i) => buf.push_number(*i as f64),
                    Data::Float(f) => buf.push_number(*f),
                    Data::String(s) => buf.push(CellKind::Text, s),
                    Data::Bool(b) => buf.push(CellKind::Bool(*b), if *b { "TRUE" } else { "FALSE" }),
                    Data::DateTime(d) => push_datetime(buf, d),
                    Data::DateTimeIso(s) => buf.push(CellKind::DateIso, s),
                    Data::DurationIso(s) => buf.push(CellKind::Text, s),
                    Data::Error(e) => buf.push_with(CellKind::Error, |out| {
                        use std::fmt::Write;
                        let _ = write!(out, "{e}");
                    }),
                    Data::Empty => buf.push(CellKind::Empty, ""),
                }
            }
            self.merges.apply(row0, buf);
            if buf.is_blank() {
                continue;
            }
            return Ok(true);
        }
        Ok(false)
    }
}

/// calamine keeps the epoch of a date private; compare its calendar reading with the 1900 system's.
fn is_1904(d: &calamine::ExcelDateTime) -> bool {
    let (y, m, day, ..) = d.to_ymd_hms_milli();
    match crate::value::Date::from_excel_serial(d.as_f64(), false) {
        Ok(date) => date.ymd() != (y as i32, m as u32, day as u32),
        Err(_) => false,
    }
}
