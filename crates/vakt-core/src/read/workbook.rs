//! Workbooks through calamine: `.xlsx` streams cell by cell (on the reader thread through the fast
//! reader of [`super::fast_xlsx`], which hands over to calamine where it cannot read on); `.xls`,
//! `.xlsb` and `.ods` load a sheet at a time (calamine has no streaming reader for them), in a
//! separate process when the program asked for it ([`super::isolated`]).
//!
//! Merged ranges are filled with their top-left value, but only inside the range: a key cell merged
//! down over three rows gives all three rows the key, and nothing outside it.
//!
//! Everything is bounded by the formats' own limits ([`super::limits`]): a zip package is checked
//! before calamine sees it (declared sizes, compression ratio, the shared-string count), cells past
//! column XFD or row 1,048,576 are not read, text is cut at 32,767 characters, and each is said in
//! a [`Notice`].

use super::lazy_xlsx::XlsxBook;
use super::limits::{MAX_COLUMNS, MAX_ROWS};
use super::{cap_cell, isolated, write_number, CellKind, InputFormat, Notice, ReadError, RowBuf, RowSource};
use crate::i18n::T;
use calamine::{Data, DataRef, Dimensions, Reader, Sheets, Xlsx, XlsxCellReader};
use std::fs::File;
use std::io::BufReader;
use std::path::Path;

type Rs = BufReader<File>;

/// An open workbook.
pub enum Workbook {
    /// An xlsx workbook (calamine's reader opened when needed), with its path (merged cells are
    /// read from the package) and what the fast cell reader needs of it.
    Xlsx(Box<XlsxBook>, std::path::PathBuf, FastBook),
    /// Any other workbook calamine opened, with its path and, for an `.ods` workbook once a
    /// sheet is read, the merged ranges of every sheet (read from the package in one pass).
    Loaded(Box<Sheets<Rs>>, std::path::PathBuf, Option<OdsSpans>),
    /// Read by the isolated reader; every sheet's rows in memory.
    Isolated(Vec<isolated::SheetRows>),
}

/// The merged ranges of each sheet of an `.ods` workbook, by sheet name.
type OdsSpans = std::collections::HashMap<String, Vec<calamine::Dimensions>>;

pub(super) fn classify(file: &str, err: impl std::fmt::Display) -> ReadError {
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
    /// Opens a workbook: in the isolated reader for the formats that load whole, when one is set.
    pub fn open(shown: &str, path: &Path, format: InputFormat) -> Result<Workbook, ReadError> {
        match (format, isolated::reader()) {
            (InputFormat::Xls | InputFormat::Xlsb | InputFormat::Ods, Some(exe)) => {
                Ok(Workbook::Isolated(isolated::read(exe, shown, path)?))
            }
            _ => Workbook::open_here(shown, path, format),
        }
    }

    /// Opens a workbook in this process.
    pub fn open_here(shown: &str, path: &Path, format: InputFormat) -> Result<Workbook, ReadError> {
        if matches!(format, InputFormat::Xlsx | InputFormat::Ods) {
            super::package::check(shown, path, format)?;
        }
        if format == InputFormat::Xlsx {
            let (wb, book) = XlsxBook::open(shown, path)?;
            let fast = match book {
                Some(book) => FastBook::Read(Box::new(book)),
                None => FastBook::Unread,
            };
            Ok(Workbook::Xlsx(Box::new(wb), path.to_path_buf(), fast))
        } else {
            let wb = calamine::open_workbook_auto(path).map_err(|e| classify(shown, e))?;
            Ok(Workbook::Loaded(Box::new(wb), path.to_path_buf(), None))
        }
    }

    /// The sheet names, in workbook order.
    pub fn sheet_names(&self) -> Vec<String> {
        match self {
            Workbook::Xlsx(wb, ..) => wb.sheet_names(),
            Workbook::Loaded(wb, ..) => wb.sheet_names(),
            Workbook::Isolated(sheets) => sheets.iter().map(|s| s.name.clone()).collect(),
        }
    }

    /// The sheets the workbook hides (none known for workbooks read in the isolated reader).
    pub fn hidden_sheets(&self) -> Vec<String> {
        match self {
            Workbook::Xlsx(wb, ..) => wb.hidden_sheets(),
            Workbook::Loaded(wb, ..) => hidden_of(wb.sheets_metadata()),
            Workbook::Isolated(_) => Vec::new(),
        }
    }

    /// The rows of a sheet; `shown` names the file in errors.
    pub fn rows(&mut self, shown: &str, sheet: &str) -> Result<Box<dyn RowSource + '_>, ReadError> {
        let rows_err = |e: &dyn std::fmt::Display| sheet_error((shown, sheet), e);
        match self {
            Workbook::Xlsx(wb, path, _) => {
                let merges = xlsx_merges(wb, path, (shown, sheet))?;
                Ok(Box::new(XlsxRows::open(wb.calamine()?, (shown, sheet), merges)?))
            }
            Workbook::Loaded(wb, path, ods_spans) => {
                // An .xls workbook says which date system it uses; other formats are judged by
                // their date cells. The sheet's date cells and the bare serials of its date
                // columns follow it. calamine reads no merged ranges of .ods: they come from its
                // content.xml.
                let (merges, flag) = match wb.as_mut() {
                    Sheets::Xls(x) => (
                        x.merge_cells_by_sheet_name(sheet).unwrap_or_default(),
                        Some(x.has_1904_epoch()),
                    ),
                    Sheets::Ods(ods) => {
                        let spans =
                            ods_spans.get_or_insert_with(|| super::ods_merges::scan_all(path, &ods.sheet_names()));
                        (spans.get(sheet).cloned().unwrap_or_default(), None)
                    }
                    _ => (Vec::new(), None),
                };
                let range = wb.worksheet_range(sheet).map_err(|e| rows_err(&e))?;
                let start = range.start().unwrap_or((0, 0));
                let is_1904 = flag.unwrap_or_else(|| {
                    range
                        .used_cells()
                        .any(|(_, _, c)| matches!(c, Data::DateTime(d) if d.is_datetime() && is_1904(d)))
                });
                Ok(Box::new(RangeRows {
                    range,
                    start,
                    next: 0,
                    merges: Merges::new(merges),
                    is_1904,
                    bounds: Bounds::default(),
                }))
            }
            Workbook::Isolated(sheets) => {
                let s = sheets
                    .iter_mut()
                    .find(|s| s.name == sheet)
                    .ok_or_else(|| rows_err(&"no such sheet"))?;
                match &s.rows {
                    Ok(rows) => Ok(Box::new(StoredRows {
                        rows,
                        next: 0,
                        notices: std::mem::take(&mut s.notices),
                    })),
                    Err(why) => Err(rows_err(why)),
                }
            }
        }
    }
}

/// The names of the sheets calamine's metadata says are hidden (or very hidden).
pub(super) fn hidden_of(sheets: &[calamine::Sheet]) -> Vec<String> {
    sheets
        .iter()
        .filter(|s| s.visible != calamine::SheetVisible::Visible)
        .map(|s| s.name.clone())
        .collect()
}

/// Rows the isolated reader sent.
struct StoredRows<'a> {
    rows: &'a [RowBuf],
    next: usize,
    notices: Vec<Notice>,
}

impl RowSource for StoredRows<'_> {
    fn next_row(&mut self, buf: &mut RowBuf) -> Result<bool, ReadError> {
        match self.rows.get(self.next) {
            Some(r) => {
                buf.clone_from(r);
                self.next = self.next.saturating_add(1);
                Ok(true)
            }
            None => Ok(false),
        }
    }

    fn notices(&mut self) -> Vec<Notice> {
        std::mem::take(&mut self.notices)
    }
}

/// What a sheet reader cut at the format's limits, each said once.
#[derive(Default)]
struct Bounds {
    notices: Vec<Notice>,
    wide: bool,
    long: bool,
    text: bool,
}

impl Bounds {
    /// False (and a notice) for a cell past the last column.
    fn column(&mut self, row: u64, col: u64) -> bool {
        if col < u64::from(MAX_COLUMNS) {
            return true;
        }
        if !self.wide {
            self.wide = true;
            self.notices.push(Notice {
                row: Some(row),
                col: None,
                limit: true,
                message: T::PastLastColumn.say(&[("max", &MAX_COLUMNS), ("row", &row)]),
            });
        }
        false
    }

    /// False (and a notice) for a row past the last one: reading stops there.
    fn row(&mut self, row: u64) -> bool {
        if row <= MAX_ROWS {
            return true;
        }
        if !self.long {
            self.long = true;
            self.notices.push(Notice {
                row: None,
                col: None,
                limit: true,
                message: T::PastLastRow.say(&[("max", &MAX_ROWS)]),
            });
        }
        false
    }

    /// Text cut to a cell's maximum.
    fn text<'t>(&mut self, row: u64, col: u32, text: &'t str) -> &'t str {
        let (t, cut) = cap_cell(text);
        if cut && !self.text {
            self.text = true;
            self.notices.push(Notice {
                row: Some(row),
                col: Some(col),
                limit: true,
                message: T::ValueCut.say(&[("max", &super::limits::MAX_CELL_CHARS)]),
            });
        }
        t
    }
}

/// Merged ranges of a sheet, indexed by row, with the top-left values seen so far.
struct Merges {
    /// Sorted by first row.
    ranges: Vec<(Dimensions, Option<(CellKind, String)>)>,
    /// Ranges not yet reached.
    next: usize,
    /// Ranges covering the current row.
    active: Vec<usize>,
    last_row: Option<u32>,
}

/// Merged ranges wider than this are header decoration, never key cells: not filled.
const MAX_MERGE_FILL_COLUMNS: u32 = 1024;

impl Merges {
    fn new(dims: Vec<Dimensions>) -> Merges {
        let mut ranges: Vec<Dimensions> = dims
            .into_iter()
            .filter(|d| {
                d.start.0 <= d.end.0
                    && d.start.1 <= d.end.1
                    && u64::from(d.end.0) < MAX_ROWS
                    && d.end.1 < MAX_COLUMNS
                    && d.end.1.saturating_sub(d.start.1) < MAX_MERGE_FILL_COLUMNS
            })
            .collect();
        ranges.sort_by_key(|d| (d.start, d.end));
        Merges {
            ranges: ranges.into_iter().map(|d| (d, None)).collect(),
            next: 0,
            active: Vec::new(),
            last_row: None,
        }
    }

    /// The ranges, 0-based ((first row, first column), (last row, last column)).
    fn ranges(&self) -> Vec<((u32, u32), (u32, u32))> {
        self.ranges.iter().map(|(d, _)| (d.start, d.end)).collect()
    }

    /// Records top-left values in this row and fills empty cells inside merged ranges. Rows come
    /// in order, so each range is looked at only while the rows it covers stream past.
    fn apply(&mut self, row0: u32, buf: &mut RowBuf) {
        if self.last_row.is_some_and(|l| row0 < l) {
            // Out of order: start again (never seen in real files).
            self.next = 0;
            self.active.clear();
        }
        self.last_row = Some(row0);
        while self.ranges.get(self.next).is_some_and(|(d, _)| d.start.0 <= row0) {
            self.active.push(self.next);
            self.next = self.next.saturating_add(1);
        }
        let ranges = &self.ranges;
        self.active
            .retain(|&i| ranges.get(i).is_some_and(|(d, _)| d.end.0 >= row0));
        for &i in &self.active {
            let Some((dim, value)) = self.ranges.get_mut(i) else {
                continue;
            };
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

/// An error reading the sheet `sheet` of the file named `shown`.
fn sheet_error((shown, sheet): (&str, &str), reason: &dyn std::fmt::Display) -> ReadError {
    ReadError::Rows {
        file: shown.to_string(),
        sheet: Some(sheet.to_string()),
        row: None,
        reason: reason.to_string(),
    }
}

/// Where an xlsx sheet's merged ranges come from.
enum MergeSource {
    /// The sheet's XML, found in the package: scanned, which is much faster than asking calamine
    /// (which parses the whole sheet for them).
    Xml(super::merges::SheetXml),
    /// Asked of calamine, when the package's layout could not be followed.
    Known(Vec<Dimensions>),
}

impl MergeSource {
    fn of(wb: &mut XlsxBook, path: &Path, (shown, sheet): (&str, &str)) -> Result<MergeSource, ReadError> {
        match super::merges::locate(path, sheet) {
            Some(xml) => Ok(MergeSource::Xml(xml)),
            None => wb
                .calamine()?
                .merge_cells_by_sheet_name(sheet)
                .map(MergeSource::Known)
                .map_err(|e| sheet_error((shown, sheet), &e)),
        }
    }
}

/// Why a sheet's merged ranges are missing: the scan could not read its XML to the end.
const UNREADABLE_TO_END: &str = "the sheet's data could not be read to its end";

/// The merged ranges of an xlsx sheet, found on this thread (see [`sheet_rows`] for the threaded
/// reader, which finds them beside the cells).
fn xlsx_merges(wb: &mut XlsxBook, path: &Path, at: (&str, &str)) -> Result<Vec<Dimensions>, ReadError> {
    match MergeSource::of(wb, path, at)? {
        MergeSource::Xml(xml) => xml
            .scan(&std::sync::atomic::AtomicBool::new(false))
            .ok_or_else(|| sheet_error(at, &UNREADABLE_TO_END)),
        MergeSource::Known(dims) => Ok(dims),
    }
}

/// The rows of a sheet of `slot`'s workbook. An xlsx sheet is read on a second thread, so that
/// unzipping and parsing its XML overlap with checking: the workbook goes to that thread and
/// comes back into `slot` when the rows are read or dropped. A workbook lost to a reader that
/// crashed is an error naming the file and sheet.
///
/// The sheet's merged ranges sit after its cells, and the rows wait for them here, before the
/// first is given out. A sheet of up to [`WHOLE_SHEET_BYTES`] is unzipped whole by the reader,
/// which finds the ranges in it before it reads the cells from it, while the sheets held so in
/// the whole process stay within [`HELD_SHEETS_BYTES`]. Any other sheet's ranges are found by
/// unzipping it once more on a third thread, while the reader starts on the cells and reads
/// ahead.
pub(crate) fn sheet_rows<'a>(
    slot: &'a mut Option<Workbook>,
    shown: &str,
    sheet: &str,
) -> Result<Box<dyn RowSource + 'a>, ReadError> {
    sheet_rows_holding(slot, (shown, sheet), WHOLE_SHEET_BYTES)
}

/// The largest sheet XML unzipped once and held whole while it is read: a Patients sheet of some
/// 150,000 rows (the largest return of `vakt-synth --scale 1000` has 60 MB).
const WHOLE_SHEET_BYTES: u64 = 64 << 20;

/// The bytes of sheet XML held whole at once by every sheet being read in the process (two
/// returns' largest sheets on two cores; with more threads, the sheets past it are scanned twice
/// instead of held).
const HELD_SHEETS_BYTES: u64 = 128 << 20;

/// What is left of [`HELD_SHEETS_BYTES`].
static HELD_LEFT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(HELD_SHEETS_BYTES);

/// Bytes of [`HELD_SHEETS_BYTES`] taken by a sheet held whole, given back when dropped.
struct HeldBytes(u64);

impl HeldBytes {
    /// `bytes` taken, or `None` (nothing taken) when fewer are left.
    fn take(bytes: u64) -> Option<HeldBytes> {
        use std::sync::atomic::Ordering::Relaxed;
        HELD_LEFT
            .fetch_update(Relaxed, Relaxed, |left| left.checked_sub(bytes))
            .ok()
            .map(|_| HeldBytes(bytes))
    }
}

impl Drop for HeldBytes {
    fn drop(&mut self) {
        HELD_LEFT.fetch_add(self.0, std::sync::atomic::Ordering::Relaxed);
    }
}

/// [`sheet_rows`], holding sheets of up to `whole` bytes.
fn sheet_rows_holding<'a>(
    slot: &'a mut Option<Workbook>,
    (shown, sheet): (&str, &str),
    whole: u64,
) -> Result<Box<dyn RowSource + 'a>, ReadError> {
    match slot.take() {
        Some(Workbook::Xlsx(mut wb, path, fast)) => {
            let mut held = None;
            let merges = match MergeSource::of(&mut wb, &path, (shown, sheet)) {
                Ok(MergeSource::Xml(mut xml)) => {
                    let size = xml.declared_size().filter(|&n| n <= whole);
                    match size.and_then(HeldBytes::take) {
                        Some(bytes) => {
                            let (tx, rx) = std::sync::mpsc::sync_channel(1);
                            held = Some(HeldSheet { xml, bytes, tx });
                            LateMerges::sent(rx)
                        }
                        None => LateMerges::scanning(xml),
                    }
                }
                Ok(MergeSource::Known(dims)) => LateMerges::known(dims),
                Err(e) => {
                    *slot = Some(Workbook::Xlsx(wb, path, fast));
                    return Err(e);
                }
            };
            let at = (shown.to_string(), sheet.to_string());
            let read = move |pump: super::threaded::Pump| {
                let mut wb = wb;
                let mut fast = fast;
                read_sheet(&mut wb, &path, &mut fast, (&at.0, &at.1), (pump, held));
                Workbook::Xlsx(wb, path, fast)
            };
            let (rows, thread) =
                super::ThreadedRows::spawn_with((shown, Some(sheet)), Vec::new(), READ_AHEAD_BATCHES, read);
            Ok(Box::new(LentWorkbook {
                slot,
                rows: Some(rows),
                thread: Some(thread),
                merges,
                filling: None,
                at: (shown.to_string(), sheet.to_string()),
            }))
        }
        Some(other) => slot.insert(other).rows(shown, sheet),
        None => Err(sheet_error(
            (shown, sheet),
            &"the workbook could not be read again after its reader stopped",
        )),
    }
}

/// What the fast cell reader ([`super::fast_xlsx`]) needs of a workbook: read with its first
/// sheet, kept for the others.
pub enum FastBook {
    /// Not read yet.
    Unread,
    /// Outside what the fast reader reads: calamine reads every sheet.
    Unsupported,
    /// Read.
    Read(Box<super::fast_xlsx::Book>),
}

impl FastBook {
    /// The book, read on first use.
    fn get(&mut self, path: &Path, is_1904: bool) -> Option<&super::fast_xlsx::Book> {
        if matches!(self, FastBook::Unread) {
            *self = match super::fast_xlsx::Book::read(path, is_1904) {
                Ok(book) => FastBook::Read(Box::new(book)),
                Err(_) => FastBook::Unsupported,
            };
        }
        match self {
            FastBook::Read(book) => Some(book),
            _ => None,
        }
    }
}

/// A sheet to be unzipped whole by its reader, which sends its merged ranges (or `None`, when it
/// could not be read to its end) through `tx` before it reads the cells.
struct HeldSheet {
    xml: super::merges::SheetXml,
    /// Its declared size, taken from [`HELD_SHEETS_BYTES`] until the sheet is read.
    bytes: HeldBytes,
    tx: std::sync::mpsc::SyncSender<Option<Vec<Dimensions>>>,
}

/// Reads a sheet's cells into `pump` on the reader's thread: with the fast reader when the
/// workbook and sheet allow it, calamine otherwise (and from the first cell the fast reader
/// cannot read). A sheet `held` is unzipped whole first, its merged ranges sent, and its cells
/// read from those bytes.
fn read_sheet(
    wb: &mut XlsxBook,
    path: &Path,
    fast: &mut FastBook,
    at: (&str, &str),
    (pump, held): (super::threaded::Pump, Option<HeldSheet>),
) {
    // The bytes taken for a held sheet are given back when its cells are read (at the return).
    let (bytes, _taken) = match held {
        Some(HeldSheet { xml, bytes: taken, tx }) => {
            let whole = xml.read_whole(taken.0);
            let (bytes, dims) = whole.map_or((None, None), |(b, d)| (Some(b), Some(d)));
            // The rows wait for this; when the sheet cannot be read to its end they report it.
            let _ = tx.send(dims);
            (bytes, Some(taken))
        }
        None => (None, None),
    };
    let book = fast.get(path, wb.has_1904_epoch());
    if let (Some(book), Some(bytes)) = (book, bytes) {
        let scan = super::fast_xlsx::SheetScan::new(Box::new(std::io::Cursor::new(bytes)), book);
        let mut rows = XlsxRows::fast(scan, wb, at);
        pump.run(&mut rows);
        return;
    }
    let package = book.and_then(|_| super::fast_xlsx::open_sheet(path, at.1).ok());
    if let (Some(book), Some((mut zip, entry))) = (book, package) {
        if let Ok(xml) = zip.by_name(&entry) {
            let scan = super::fast_xlsx::SheetScan::new(Box::new(xml), book);
            let mut rows = XlsxRows::fast(scan, wb, at);
            pump.run(&mut rows);
            return;
        }
    }
    match wb.calamine().and_then(|wb| XlsxRows::open(wb, at, Vec::new())) {
        Ok(mut rows) => pump.run(&mut rows),
        Err(e) => pump.fail(e),
    }
}

/// Reads one sheet of the `.xlsx` at `path` with calamine alone and again as a real run reads it
/// (the workbook opened without calamine where it can be, the fast reader handing over to calamine
/// where it cannot read on), and renders each read's sheets and date system, then its rows (number,
/// date system, each cell's kind and text), notices and error, one line each: the two must be
/// equal. The bool says whether the fast reader read the whole sheet itself. For the differential
/// tests and the fuzz target; `None` when neither calamine nor the run can open the file, and a
/// difference when only the run can (a workbook read without calamine must be one calamine opens).
#[doc(hidden)]
pub fn read_by_both(path: &Path, sheet: &str) -> Option<(Vec<String>, Vec<String>, bool)> {
    let at = ("file", sheet);
    let mut wb: Xlsx<Rs> = match calamine::open_workbook(path) {
        Ok(wb) => wb,
        Err(e) => {
            let run = XlsxBook::open("file", path).ok()?;
            let said = format!("the run opened it ({} sheets)", run.0.sheet_names().len());
            return Some((vec![format!("calamine refused it: {e}")], vec![said], false));
        }
    };
    let hidden = hidden_of(wb.sheets_metadata());
    let mut by_calamine = vec![describe(&wb.sheet_names(), &hidden, wb.has_1904_epoch())];
    by_calamine.extend(match XlsxRows::open(&mut wb, at, Vec::new()) {
        Ok(mut rows) => render_rows(&mut rows),
        Err(e) => vec![format!("error: {e}")],
    });
    let (mut book, fast) = XlsxBook::open("file", path).ok()?;
    let mut by_fast = vec![describe(
        &book.sheet_names(),
        &book.hidden_sheets(),
        book.has_1904_epoch(),
    )];
    let fast = match fast {
        Some(fast) => fast,
        None => super::fast_xlsx::Book::read(path, book.has_1904_epoch()).ok()?,
    };
    let (mut zip, entry) = super::fast_xlsx::open_sheet(path, sheet).ok()?;
    let xml = zip.by_name(&entry).ok()?;
    let mut rows = XlsxRows::fast(super::fast_xlsx::SheetScan::new(Box::new(xml), &fast), &mut book, at);
    by_fast.extend(render_rows(&mut rows));
    let alone = matches!(rows.cells, Cells::Fast { .. });
    Some((by_calamine, by_fast, alone))
}

/// A workbook's sheets, hidden sheets and date system, on one line.
fn describe(sheets: &[String], hidden: &[String], is_1904: bool) -> String {
    format!("sheets {sheets:?}, hidden {hidden:?}, 1904={is_1904}")
}

/// Each row, notice and error of `rows`, one line each.
fn render_rows(rows: &mut dyn RowSource) -> Vec<String> {
    let mut out = Vec::new();
    let mut buf = RowBuf::default();
    loop {
        match rows.next_row(&mut buf) {
            Ok(true) => {
                let cells: Vec<String> = buf.iter().map(|c| format!("{:?} {:?}", c.kind, c.text)).collect();
                out.push(format!("row {} 1904={}: {}", buf.row, buf.date_1904, cells.join(" | ")));
            }
            Ok(false) => break,
            Err(e) => {
                out.push(format!("error: {e}"));
                break;
            }
        }
    }
    out.extend(rows.notices().iter().map(|n| format!("notice: {n:?}")));
    out
}

/// Batches of rows the reader of a workbook sheet may read ahead: enough to keep it busy while
/// the merged ranges are scanned (about an eighth of the time the cells take), few enough to stay
/// within a few megabytes (512 rows a batch).
const READ_AHEAD_BATCHES: usize = 32;

/// Where a sheet's merged ranges are coming from.
enum Pending {
    /// A scan on a thread of its own.
    Scan(std::thread::JoinHandle<Option<Vec<Dimensions>>>),
    /// The sheet's reader, which unzips it whole.
    Reader(std::sync::mpsc::Receiver<Option<Vec<Dimensions>>>),
}

/// A sheet's merged ranges: known, or coming from a scan or from the sheet's reader.
struct LateMerges {
    scan: std::sync::Mutex<Option<Pending>>,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    /// `None` when the scan failed: the sheet's data could not be read to its end.
    found: std::sync::OnceLock<Option<Vec<Dimensions>>>,
}

impl LateMerges {
    fn known(dims: Vec<Dimensions>) -> LateMerges {
        LateMerges {
            scan: std::sync::Mutex::new(None),
            stop: std::sync::Arc::default(),
            found: std::sync::OnceLock::from(Some(dims)),
        }
    }

    fn sent(rx: std::sync::mpsc::Receiver<Option<Vec<Dimensions>>>) -> LateMerges {
        LateMerges {
            scan: std::sync::Mutex::new(Some(Pending::Reader(rx))),
            stop: std::sync::Arc::default(),
            found: std::sync::OnceLock::new(),
        }
    }

    fn scanning(xml: super::merges::SheetXml) -> LateMerges {
        let stop = std::sync::Arc::<std::sync::atomic::AtomicBool>::default();
        let stopped = std::sync::Arc::clone(&stop);
        let scan = std::thread::spawn(move || {
            super::guard::guard_thread();
            xml.scan(&stopped)
        });
        LateMerges {
            scan: std::sync::Mutex::new(Some(Pending::Scan(scan))),
            stop,
            found: std::sync::OnceLock::new(),
        }
    }

    /// The ranges, waiting for the scan if it is still running.
    fn get(&self) -> Option<&Vec<Dimensions>> {
        self.found
            .get_or_init(|| {
                let pending = self.scan.lock().ok().and_then(|mut s| s.take());
                match pending? {
                    Pending::Scan(scan) => scan.join().ok().flatten(),
                    // A reader that stopped before sending (it died) leaves the ranges unknown.
                    Pending::Reader(rx) => rx.recv().ok().flatten(),
                }
            })
            .as_ref()
    }
}

impl Drop for LateMerges {
    fn drop(&mut self) {
        // A scan nobody waits for (the rows were dropped early, after a header search) stops.
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

/// An xlsx sheet's rows from the thread that holds the workbook; puts the workbook back when done.
struct LentWorkbook<'a> {
    slot: &'a mut Option<Workbook>,
    /// `None` only while dropping: closed before the thread is joined.
    rows: Option<super::ThreadedRows>,
    thread: Option<std::thread::JoinHandle<Workbook>>,
    merges: LateMerges,
    /// Fills the merged ranges row by row, once they are known.
    filling: Option<Merges>,
    /// The file and sheet, for errors.
    at: (String, String),
}

impl RowSource for LentWorkbook<'_> {
    fn next_row(&mut self, buf: &mut RowBuf) -> Result<bool, ReadError> {
        if self.filling.is_none() {
            let Some(dims) = self.merges.get() else {
                return Err(sheet_error((&self.at.0, &self.at.1), &UNREADABLE_TO_END));
            };
            self.filling = Some(Merges::new(dims.clone()));
        }
        let more = match &mut self.rows {
            Some(rows) => rows.next_row(buf)?,
            None => false,
        };
        let row0 = buf.row.checked_sub(1).and_then(|r| u32::try_from(r).ok());
        if let (true, Some(filling), Some(row0)) = (more, &mut self.filling, row0) {
            filling.apply(row0, buf);
        }
        Ok(more)
    }

    fn notices(&mut self) -> Vec<Notice> {
        self.rows.as_mut().map(RowSource::notices).unwrap_or_default()
    }

    fn merged_ranges(&self) -> Vec<((u32, u32), (u32, u32))> {
        self.merges
            .get()
            .map(|dims| Merges::new(dims.clone()).ranges())
            .unwrap_or_default()
    }
}

impl Drop for LentWorkbook<'_> {
    fn drop(&mut self) {
        // Closing the channel first: a thread waiting to send a batch then stops and hands the
        // workbook back, instead of waiting for a reader that is gone.
        drop(self.rows.take());
        if let Some(Ok(wb)) = self.thread.take().map(std::thread::JoinHandle::join) {
            *self.slot = Some(wb);
        }
    }
}

/// Where an xlsx sheet's cells come from.
#[allow(clippy::large_enum_variant, reason = "one per sheet being read")]
enum Cells<'a> {
    /// calamine's streaming reader, with the cell read ahead of the row being built.
    Calamine {
        reader: XlsxCellReader<'a, Rs>,
        pending: Option<calamine::Cell<DataRef<'a>>>,
    },
    /// The fast reader, with the workbook for calamine to take over from the first cell it
    /// cannot read.
    Fast {
        scan: super::fast_xlsx::SheetScan<'a>,
        wb: &'a mut XlsxBook,
    },
    /// Only while the fast reader hands over.
    HandingOver,
}

struct XlsxRows<'a> {
    file: String,
    sheet: String,
    cells: Cells<'a>,
    done: bool,
    merges: Merges,
    is_1904: bool,
    bounds: Bounds,
}

impl<'a> XlsxRows<'a> {
    /// Starts reading a sheet cell by cell with calamine; `shown` names the file in errors.
    fn open(
        wb: &'a mut Xlsx<Rs>,
        (shown, sheet): (&str, &str),
        merges: Vec<Dimensions>,
    ) -> Result<XlsxRows<'a>, ReadError> {
        let is_1904 = wb.has_1904_epoch();
        let reader = wb
            .worksheet_cells_reader(sheet)
            .map_err(|e| sheet_error((shown, sheet), &e))?;
        Ok(XlsxRows {
            file: shown.to_string(),
            sheet: sheet.to_string(),
            cells: Cells::Calamine { reader, pending: None },
            done: false,
            merges: Merges::new(merges),
            is_1904,
            bounds: Bounds::default(),
        })
    }

    /// Starts reading a sheet with the fast reader (merged ranges are filled by the caller).
    fn fast(scan: super::fast_xlsx::SheetScan<'a>, wb: &'a mut XlsxBook, (shown, sheet): (&str, &str)) -> XlsxRows<'a> {
        XlsxRows {
            file: shown.to_string(),
            sheet: sheet.to_string(),
            is_1904: wb.has_1904_epoch(),
            cells: Cells::Fast { scan, wb },
            done: false,
            merges: Merges::new(Vec::new()),
            bounds: Bounds::default(),
        }
    }

    fn error(&self, reason: &dyn std::fmt::Display) -> ReadError {
        sheet_error((&self.file, &self.sheet), reason)
    }

    /// The position of the next cell; `None` after the last.
    fn peek(&mut self) -> Result<Option<(u32, u32)>, ReadError> {
        if self.done {
            return Ok(None);
        }
        let next = match &mut self.cells {
            Cells::Fast { scan, .. } => match scan.peek() {
                Ok(next) => next,
                Err(super::fast_xlsx::Unsupported) => {
                    self.hand_over()?;
                    return self.peek();
                }
            },
            Cells::Calamine { reader, pending } => {
                if pending.is_none() {
                    // Matched in place: a wrapping result's copies of each cell stalled on the
                    // stores the reader had just made (perf annotate, the Patients workbook).
                    match reader.next_cell() {
                        Ok(cell) => *pending = cell,
                        Err(e) => return Err(sheet_error((&self.file, &self.sheet), &e)),
                    }
                }
                pending.as_ref().map(calamine::Cell::get_position)
            }
            Cells::HandingOver => None,
        };
        self.done = next.is_none();
        Ok(next)
    }

    /// Pushes the cell [`XlsxRows::peek`] found into `buf`.
    fn take_into(&mut self, buf: &mut RowBuf) -> Result<(), ReadError> {
        let is_1904 = self.is_1904;
        match &mut self.cells {
            Cells::Fast { scan, .. } => {
                if let Some((col, value)) = scan.take() {
                    push_fast(&mut self.bounds, buf, col, value, is_1904);
                }
                Ok(())
            }
            Cells::Calamine { pending, .. } => {
                if let Some(cell) = pending.take() {
                    push_calamine(&mut self.bounds, buf, cell.get_position().1, cell.get_value(), is_1904);
                }
                Ok(())
            }
            Cells::HandingOver => Ok(()),
        }
    }

    /// From the fast reader to calamine: calamine reads the sheet from its start and skips the
    /// cells the fast reader gave out.
    fn hand_over(&mut self) -> Result<(), ReadError> {
        let Cells::Fast { scan, wb } = std::mem::replace(&mut self.cells, Cells::HandingOver) else {
            return Ok(());
        };
        let skip = scan.taken();
        drop(scan);
        let mut reader = wb
            .calamine()?
            .worksheet_cells_reader(&self.sheet)
            .map_err(|e| self.error(&e))?;
        for _ in 0..skip {
            match reader.next_cell() {
                Ok(Some(_)) => (),
                Ok(None) => break,
                Err(e) => return Err(self.error(&e)),
            }
        }
        self.cells = Cells::Calamine { reader, pending: None };
        Ok(())
    }
}

impl RowSource for XlsxRows<'_> {
    fn next_row(&mut self, buf: &mut RowBuf) -> Result<bool, ReadError> {
        let Some((row0, _)) = self.peek()? else {
            return Ok(false);
        };
        let row = u64::from(row0) + 1;
        if !self.bounds.row(row) {
            self.done = true;
            return Ok(false);
        }
        buf.clear(row);
        buf.date_1904 = self.is_1904;
        self.take_into(buf)?;
        while self.peek()?.is_some_and(|(r, _)| r == row0) {
            self.take_into(buf)?;
        }
        self.merges.apply(row0, buf);
        Ok(true)
    }

    fn notices(&mut self) -> Vec<Notice> {
        std::mem::take(&mut self.bounds.notices)
    }

    fn merged_ranges(&self) -> Vec<((u32, u32), (u32, u32))> {
        self.merges.ranges()
    }
}

/// Whether a cell at `col` goes into the row: inside the sheet, and after the cells already
/// there (cells out of order should not happen; the first is kept). Pads the row up to it.
fn place(bounds: &mut Bounds, buf: &mut RowBuf, col: u32) -> bool {
    if !bounds.column(buf.row, u64::from(col)) || (col as usize) < buf.len() {
        return false;
    }
    buf.pad_to(col as usize);
    true
}

/// Text cut to a cell's maximum, said once.
fn push_text(bounds: &mut Bounds, buf: &mut RowBuf, col: u32, s: &str) {
    let t = bounds.text(buf.row, col, s);
    buf.push(CellKind::Text, t);
}

/// A cell calamine read from an `.xlsx` sheet; its date cells are of the workbook's date system,
/// `is_1904`.
fn push_calamine(bounds: &mut Bounds, buf: &mut RowBuf, col: u32, v: &DataRef<'_>, is_1904: bool) {
    if !place(bounds, buf, col) {
        return;
    }
    match v {
        DataRef::Int(i) => buf.push_number(*i as f64),
        DataRef::Float(f) => buf.push_number(*f),
        DataRef::String(s) => push_text(bounds, buf, col, s),
        DataRef::SharedString(s) => push_text(bounds, buf, col, s),
        DataRef::Bool(b) => push_bool(buf, *b),
        DataRef::DateTime(d) => push_date_cell(buf, d, is_1904),
        DataRef::DateTimeIso(s) => buf.push(CellKind::DateIso, cap_cell(s).0),
        DataRef::DurationIso(s) => buf.push(CellKind::Text, cap_cell(s).0),
        DataRef::Error(e) => push_error(buf, e),
        DataRef::Empty => buf.push(CellKind::Empty, ""),
    }
}

/// A cell the fast reader read: the same kinds as [`push_calamine`] for the same cell. Its date
/// cells are of the workbook's date system, `is_1904`.
fn push_fast(bounds: &mut Bounds, buf: &mut RowBuf, col: u32, v: super::fast_xlsx::Value<'_>, is_1904: bool) {
    use super::fast_xlsx::Value;
    if !place(bounds, buf, col) {
        return;
    }
    match v {
        Value::Number(f) => buf.push_number(f),
        Value::Text(s) => push_text(bounds, buf, col, s),
        Value::Bool(b) => push_bool(buf, b),
        Value::DateTime(d) => push_date_cell(buf, &d, is_1904),
        Value::DateIso(s) => buf.push(CellKind::DateIso, cap_cell(s).0),
        Value::Error(e) => push_error(buf, &e),
        Value::Empty => buf.push(CellKind::Empty, ""),
    }
}

fn push_bool(buf: &mut RowBuf, b: bool) {
    buf.push(CellKind::Bool(b), if b { "TRUE" } else { "FALSE" });
}

fn push_error(buf: &mut RowBuf, e: &calamine::CellErrorType) {
    buf.push_with(CellKind::Error, |out| {
        use std::fmt::Write;
        let _ = write!(out, "{e}");
    });
}

/// A date or duration cell of a workbook counting dates from 1904 (`is_1904`) or 1900.
fn push_date_cell(buf: &mut RowBuf, d: &calamine::ExcelDateTime, is_1904: bool) {
    if d.is_duration() {
        buf.push_number(d.as_f64());
    } else {
        let serial = d.as_f64();
        // Shown as the date a person sees; the serial stays in the kind for parsing.
        buf.push_with(
            CellKind::Date { serial, is_1904 },
            |out| match crate::value::Date::from_excel_serial(serial, is_1904) {
                Ok(date) => date.write_iso(out),
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
    /// The sheet's date system, in which every date cell and bare serial is read: the workbook's
    /// where it says it (`.xls`), else 1904 when any date cell reads as of 1904 ([`is_1904`]).
    is_1904: bool,
    bounds: Bounds,
}

impl RowSource for RangeRows {
    fn next_row(&mut self, buf: &mut RowBuf) -> Result<bool, ReadError> {
        let (height, width) = self.range.get_size();
        while self.next < height {
            let r = self.next;
            self.next = self.next.saturating_add(1);
            // 1-based physical row; calamine's u32 start plus a usize offset fits in u64.
            let row = u64::from(self.start.0).saturating_add(r as u64).saturating_add(1);
            if !self.bounds.row(row) {
                self.next = height;
                return Ok(false);
            }
            buf.clear(row);
            buf.date_1904 = self.is_1904;
            let first = u64::from(self.start.1);
            if !self.bounds.column(row, first) {
                continue;
            }
            buf.pad_to(first as usize);
            let last = width.min(u64::from(MAX_COLUMNS).saturating_sub(first) as usize);
            if last < width {
                self.bounds.column(row, u64::from(MAX_COLUMNS));
            }
            for c in 0..last {
                let v = self.range.get((r, c)).unwrap_or(&Data::Empty);
                // Below MAX_COLUMNS: `last` keeps `first + c` inside the sheet.
                let col = first.saturating_add(c as u64) as u32;
                match v {
                    Data::Int(i) => buf.push_number(*i as f64),
                    Data::Float(f) => buf.push_number(*f),
                    Data::String(s) => {
                        let t = self.bounds.text(row, col, s);
                        buf.push(CellKind::Text, t);
                    }
                    Data::Bool(b) => buf.push(CellKind::Bool(*b), if *b { "TRUE" } else { "FALSE" }),
                    Data::DateTime(d) => push_date_cell(buf, d, self.is_1904),
                    Data::DateTimeIso(s) => buf.push(CellKind::DateIso, cap_cell(s).0),
                    Data::DurationIso(s) => buf.push(CellKind::Text, cap_cell(s).0),
                    Data::Error(e) => buf.push_with(CellKind::Error, |out| {
                        use std::fmt::Write;
                        let _ = write!(out, "{e}");
                    }),
                    Data::Empty => buf.push(CellKind::Empty, ""),
                }
            }
            if let Ok(r32) = u32::try_from(row.saturating_sub(1)) {
                self.merges.apply(r32, buf);
            }
            if buf.is_blank() {
                continue;
            }
            return Ok(true);
        }
        Ok(false)
    }

    fn notices(&mut self) -> Vec<Notice> {
        std::mem::take(&mut self.bounds.notices)
    }

    fn merged_ranges(&self) -> Vec<((u32, u32), (u32, u32))> {
        self.merges.ranges()
    }
}

/// Whether calamine read date cell `d` as of the 1904 system, for a sheet whose workbook does not
/// say its system: calamine keeps the epoch of a date private, so its calendar reading is compared
/// with the 1900 system's. Wrong at the edges (serial 60 of 1904 reads as the 1900 system's fake
/// leap day), which is why it judges a sheet (any date cell of 1904), not each cell.
fn is_1904(d: &calamine::ExcelDateTime) -> bool {
    let (y, m, day, ..) = d.to_ymd_hms_milli();
    match crate::value::Date::from_excel_serial(d.as_f64(), false) {
        Ok(date) => date.ymd() != (y as i32, m as u32, day as u32),
        Err(_) => false,
    }
}

#[cfg(test)]
#[allow(
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    reason = "tests may panic"
)]
mod tests {
    use super::*;

    fn dim(r0: u32, c0: u32, r1: u32, c1: u32) -> Dimensions {
        Dimensions {
            start: (r0, c0),
            end: (r1, c1),
        }
    }

    /// Serials, the sheet's date system, and the date each is read as, written out by hand.
    const DATE_CASES: [(f64, bool, &str); 11] = [
        (1.0, true, "1904-01-02"),
        (60.0, true, "1904-03-01"),
        (61.0, true, "1904-03-02"),
        (38361.0, true, "2009-01-10"),
        (2_957_003.0, true, "9999-12-31"),
        (2_957_004.0, true, "2957004"),
        (60.0, false, "60"),
        (61.0, false, "1900-03-01"),
        (38361.0, false, "2005-01-09"),
        (40210.5, false, "2010-02-01"),
        (2_958_465.0, false, "9999-12-31"),
    ];

    fn date_cell(serial: f64, is_1904: bool) -> calamine::ExcelDateTime {
        calamine::ExcelDateTime::new(serial, calamine::ExcelDateTimeType::DateTime, is_1904)
    }

    /// A date cell of an `.xlsx` workbook is read in the workbook's date system, by the fast
    /// reader and by calamine alike, whatever its serial. Reading the system off calamine's
    /// calendar made serial 60 of a 1904 workbook, 1 March 1904, the 1900 system's fake 29
    /// February: a bare number.
    #[test]
    fn an_xlsx_date_cell_is_read_in_its_workbooks_date_system() {
        for (serial, is_1904, want) in DATE_CASES {
            let d = date_cell(serial, is_1904);
            let mut fast = RowBuf::default();
            push_fast(
                &mut Bounds::default(),
                &mut fast,
                0,
                super::super::fast_xlsx::Value::DateTime(d),
                is_1904,
            );
            let mut by_calamine = RowBuf::default();
            push_calamine(
                &mut Bounds::default(),
                &mut by_calamine,
                0,
                &DataRef::DateTime(d),
                is_1904,
            );
            for buf in [&fast, &by_calamine] {
                assert_eq!(buf.get(0).text, want, "serial {serial}, 1904: {is_1904}");
                assert_eq!(buf.get(0).kind, CellKind::Date { serial, is_1904 });
            }
        }
    }

    /// A date cell of an `.xls`, `.xlsb` or `.ods` sheet is read in the sheet's date system (the
    /// workbook's where it says it), whatever its serial, as an `.xlsx` cell is: serial 60 of a
    /// 1904 sheet is 1 March 1904. Each cell's system read off calamine's calendar made it the
    /// 1900 system's fake 29 February, refused as a day that never existed.
    #[test]
    fn a_date_cell_of_a_loaded_sheet_is_read_in_the_sheets_date_system() {
        for (serial, is_1904, want) in DATE_CASES {
            let mut range = calamine::Range::new((0, 0), (0, 0));
            range.set_value((0, 0), Data::DateTime(date_cell(serial, is_1904)));
            let mut rows = RangeRows {
                range,
                start: (0, 0),
                next: 0,
                merges: Merges::new(Vec::new()),
                is_1904,
                bounds: Bounds::default(),
            };
            let mut buf = RowBuf::default();
            assert!(rows.next_row(&mut buf).unwrap());
            assert_eq!(buf.get(0).text, want, "serial {serial}, 1904: {is_1904}");
            assert_eq!(buf.get(0).kind, CellKind::Date { serial, is_1904 });
            assert_eq!(buf.date_1904, is_1904, "bare serials follow the sheet too");
        }
    }

    #[test]
    fn a_workbook_lost_to_a_crashed_reader_is_an_error_naming_file_and_sheet() {
        let mut gone: Option<Workbook> = None;
        let err = match sheet_rows(&mut gone, "returns/x.xlsx", "Pasienter") {
            Ok(_) => panic!("rows from a workbook that is gone"),
            Err(e) => e.to_string(),
        };
        assert!(err.contains("returns/x.xlsx") && err.contains("Pasienter"), "{err}");
    }

    /// A one-sheet xlsx package around `sheet_xml`, its sheet deflated or stored.
    fn write_xlsx(path: &Path, sheet_xml: &str, stored: bool) {
        use std::io::Write;
        let mut z = zip::ZipWriter::new(File::create(path).unwrap());
        let o = zip::write::SimpleFileOptions::default();
        let main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
        let rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
        let parts = [
            (
                "[Content_Types].xml",
                r#"<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>"#.to_string(),
            ),
            (
                "_rels/.rels",
                format!(
                    r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>"#
                ),
            ),
            (
                "xl/workbook.xml",
                format!(
                    r#"<workbook xmlns="{main}" xmlns:r="{rel}"><sheets><sheet name="Ark" sheetId="1" r:id="rId1"/></sheets></workbook>"#
                ),
            ),
            (
                "xl/_rels/workbook.xml.rels",
                format!(
                    r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#
                ),
            ),
            ("xl/worksheets/sheet1.xml", sheet_xml.to_string()),
        ];
        for (name, body) in parts {
            let stored = stored && name.starts_with("xl/worksheets");
            let o = if stored {
                o.compression_method(zip::CompressionMethod::Stored)
            } else {
                o
            };
            z.start_file(name, o).unwrap();
            z.write_all(body.as_bytes()).unwrap();
        }
        z.finish().unwrap();
    }

    /// Every row of a source: its number and its cells' texts.
    fn all_rows(rows: &mut dyn RowSource) -> Vec<(u64, Vec<String>)> {
        let mut buf = RowBuf::default();
        let mut out = Vec::new();
        while rows.next_row(&mut buf).unwrap() {
            out.push((buf.row, buf.iter().map(|c| c.text.to_string()).collect()));
        }
        out
    }

    #[test]
    fn rows_read_while_the_merges_are_scanned_are_filled_as_when_the_merges_are_known_first() {
        // More rows than the reader reads ahead, so rows are read before the scan ends, and
        // ranges at the top (the rows waiting for the scan), far down, and across columns.
        let mut xml =
            String::from(r#"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#);
        for r in 1..=20_000u32 {
            // The cells a range covers are not in the file, as Excel writes them.
            let a = match r {
                3 => r#"<is><t>top</t></is>"#,
                19_990 => r#"<is><t>late</t></is>"#,
                4 | 5 | 19_991..=19_995 => "",
                _ => r#"<is><t>own</t></is>"#,
            };
            let a = if a.is_empty() {
                String::new()
            } else {
                format!(r#"<c r="A{r}" t="inlineStr">{a}</c>"#)
            };
            xml.push_str(&format!(
                r#"<row r="{r}">{a}<c r="B{r}" t="inlineStr"><is><t>b{r}</t></is></c></row>"#
            ));
        }
        xml.push_str(r#"</sheetData><mergeCells count="3"><mergeCell ref="A3:A5"/><mergeCell ref="B10:C10"/><mergeCell ref="A19990:A19995"/></mergeCells></worksheet>"#);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.xlsx");
        write_xlsx(&path, &xml, false);

        // Scanned on a third thread (nothing held whole), and unzipped whole by the reader.
        for whole in [0, WHOLE_SHEET_BYTES] {
            let mut slot = Some(Workbook::open_here("m.xlsx", &path, InputFormat::Xlsx).unwrap());
            let (threaded, ranges) = {
                let mut rows = sheet_rows_holding(&mut slot, ("m.xlsx", "Ark"), whole).unwrap();
                let ranges = rows.merged_ranges();
                (all_rows(rows.as_mut()), ranges)
            };
            assert_eq!(
                ranges,
                vec![((2, 0), (4, 0)), ((9, 1), (9, 2)), ((19_989, 0), (19_994, 0))]
            );
            let mut wb = Workbook::open_here("m.xlsx", &path, InputFormat::Xlsx).unwrap();
            let known_first = all_rows(wb.rows("m.xlsx", "Ark").unwrap().as_mut());
            assert_eq!(threaded.len(), 20_000);
            assert_eq!(threaded, known_first);
            // The fills themselves, from the sheet written above (not from either reader).
            let a = |r: usize| threaded[r - 1].1[0].as_str();
            assert_eq!((a(3), a(4), a(5), a(6)), ("top", "top", "top", "own"));
            assert_eq!(threaded[9].1, ["own", "b10", "b10"]);
            assert_eq!((a(19_994), a(19_995), a(19_996)), ("late", "late", "own"));
            assert!(slot.is_some(), "the workbook came back from its reader");
        }
    }

    #[test]
    fn a_sheet_whose_data_fails_its_checksum_is_an_error_naming_file_and_sheet() {
        let xml = r#"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>QQQQQ</t></is></c></row></sheetData></worksheet>"#;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("d.xlsx");
        write_xlsx(&path, xml, true);
        // The sheet is stored, not deflated: changing a letter of its text leaves the XML whole
        // and only the checksum at the end of the entry can tell.
        let mut bytes = std::fs::read(&path).unwrap();
        let at = bytes.windows(5).position(|w| w == b"QQQQQ").unwrap();
        bytes[at] = b'R';
        std::fs::write(&path, bytes).unwrap();
        for whole in [0, WHOLE_SHEET_BYTES] {
            let mut slot = Some(Workbook::open_here("returns/d.xlsx", &path, InputFormat::Xlsx).unwrap());
            let mut rows = sheet_rows_holding(&mut slot, ("returns/d.xlsx", "Ark"), whole).unwrap();
            let err = rows.next_row(&mut RowBuf::default()).unwrap_err().to_string();
            assert!(err.contains("returns/d.xlsx") && err.contains("Ark"), "{err}");
        }
    }

    #[test]
    fn sheets_held_whole_stay_within_their_budget() {
        // More than the whole budget is never held, however much is free.
        assert!(HeldBytes::take(HELD_SHEETS_BYTES + 1).is_none());
        // What is taken is given back: taking a byte at a time many times over never runs dry.
        for _ in 0..10_000 {
            let one = HeldBytes::take(1);
            assert!(one.is_some());
        }
    }

    #[test]
    fn merges_fill_inside_their_range_and_absurd_ranges_are_dropped() {
        let mut m = Merges::new(vec![
            dim(1, 0, 3, 0),
            dim(0, 0, 0, 20_000),
            dim(1, 0, u32::MAX, 0),
            dim(5, 5, 2, 2),
        ]);
        assert_eq!(m.ranges.len(), 1, "only the sane range is kept");
        let mut rows = Vec::new();
        for r in 1..6u32 {
            let mut b = RowBuf::default();
            b.clear(u64::from(r) + 1);
            if r == 1 {
                b.push(CellKind::Text, "G1");
            } else {
                b.push(CellKind::Empty, "");
            }
            b.push(CellKind::Text, "x");
            m.apply(r, &mut b);
            rows.push(b.get(0).text.to_string());
        }
        assert_eq!(rows, ["G1", "G1", "G1", "", ""]);
    }
}
