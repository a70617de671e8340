//! Keeping the rows of an xlsx sheet read once, so that a second pass replays them instead of
//! unzipping and parsing the sheet's XML again.
//!
//! `vakt clean` reads every return twice: once to check it, once to write it. For a workbook the
//! second read was a third of a national clean's work. [`Input::keep_rows`](super::Input::keep_rows)
//! makes the first complete read of each sheet be recorded on a [`Tape`]; later reads of that sheet
//! replay the tape, row for row as the reader gave them (row numbers, cells, kinds, the notices and
//! the merged ranges). The tapes of every return of a run share one [`TapeBudget`]: a sheet whose
//! rows would pass it is not kept, and is read again from the file, as before. A read that stops
//! early (a header search) or fails keeps nothing.

use super::{Notice, ReadError, RowBuf, RowSource};
use crate::value::cell::CellKind;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// Bytes reserved from the budget at a time, so that threads seldom meet on the counter.
const RESERVE_STEP: usize = 1 << 20;

/// The bytes of rows the tapes of one run may hold together; shared by every return's tapes.
#[derive(Debug)]
pub struct TapeBudget {
    left: AtomicUsize,
}

impl TapeBudget {
    /// A budget of `bytes`.
    pub fn new(bytes: usize) -> Arc<TapeBudget> {
        Arc::new(TapeBudget {
            left: AtomicUsize::new(bytes),
        })
    }

    /// Takes `bytes` from the budget; false (taking nothing) when fewer are left.
    fn take(&self, bytes: usize) -> bool {
        self.left
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |left| left.checked_sub(bytes))
            .is_ok()
    }

    fn give_back(&self, bytes: usize) {
        self.left.fetch_add(bytes, Ordering::Relaxed);
    }

    /// Bytes not yet taken.
    pub fn left(&self) -> usize {
        self.left.load(Ordering::Relaxed)
    }
}

/// One row on a tape: its place, and where its text and cells end in the tape's lists.
#[derive(Debug, Clone, Copy)]
struct TapeRow {
    row: u32,
    text_end: u32,
    cells_end: u32,
    date_1904: bool,
}

/// The rows of one sheet as its reader gave them, with what it noticed; holds its bytes of the
/// budget until dropped.
///
/// A cell takes five bytes (its kind and where its text ends) and eight more for a number or a
/// date; the texts of a row's cells are kept one after the other.
#[derive(Debug)]
pub struct Tape {
    rows: Vec<TapeRow>,
    text: String,
    kinds: Vec<u8>,
    ends: Vec<u32>,
    numbers: Vec<f64>,
    notices: Vec<Notice>,
    merged: Vec<((u32, u32), (u32, u32))>,
    budget: Arc<TapeBudget>,
    reserved: usize,
}

impl Tape {
    fn new(budget: Arc<TapeBudget>, merged: Vec<((u32, u32), (u32, u32))>) -> Tape {
        Tape {
            rows: Vec::new(),
            text: String::new(),
            kinds: Vec::new(),
            ends: Vec::new(),
            numbers: Vec::new(),
            notices: Vec::new(),
            merged,
            budget,
            reserved: 0,
        }
    }

    /// The bytes the tape's lists hold, spare room included.
    fn bytes(&self) -> usize {
        let size = |n: usize, each: usize| n.saturating_mul(each);
        [
            size(self.rows.capacity(), std::mem::size_of::<TapeRow>()),
            self.text.capacity(),
            self.kinds.capacity(),
            size(self.ends.capacity(), 4),
            size(self.numbers.capacity(), 8),
        ]
        .iter()
        .fold(0usize, |a, b| a.saturating_add(*b))
    }

    /// Appends a row; false when the budget cannot hold it or a list would pass 4 GiB (the tape
    /// is then to be dropped). Sheet rows are numbered below 2^32 and have no CSV record number;
    /// a row that has one is not kept.
    fn push(&mut self, buf: &RowBuf) -> bool {
        let Ok(row) = u32::try_from(buf.row) else {
            return false;
        };
        if buf.record != 0 {
            return false;
        }
        let row_start = self.text.len();
        for cell in buf.iter() {
            let (kind, number) = encode(cell.kind);
            self.kinds.push(kind);
            if let Some(n) = number {
                self.numbers.push(n);
            }
            self.text.push_str(cell.text);
            let Ok(end) = u32::try_from(self.text.len().saturating_sub(row_start)) else {
                return false;
            };
            self.ends.push(end);
        }
        let (Ok(text_end), Ok(cells_end)) = (u32::try_from(self.text.len()), u32::try_from(self.ends.len())) else {
            return false;
        };
        self.rows.push(TapeRow {
            row,
            text_end,
            cells_end,
            date_1904: buf.date_1904,
        });
        while self.bytes() > self.reserved {
            if !self.budget.take(RESERVE_STEP) {
                return false;
            }
            self.reserved = self.reserved.saturating_add(RESERVE_STEP);
        }
        true
    }

    /// Gives the lists' spare room back, and to the budget the bytes no longer held.
    fn shrink(&mut self) {
        self.rows.shrink_to_fit();
        self.text.shrink_to_fit();
        self.kinds.shrink_to_fit();
        self.ends.shrink_to_fit();
        self.numbers.shrink_to_fit();
        let held = self.bytes();
        if held < self.reserved {
            self.budget.give_back(self.reserved.saturating_sub(held));
            self.reserved = held;
        }
    }

    /// Number of rows kept.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether no row was kept.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

impl Drop for Tape {
    fn drop(&mut self) {
        self.budget.give_back(self.reserved);
    }
}

/// A cell's kind as one byte, and the number it carries.
fn encode(kind: CellKind) -> (u8, Option<f64>) {
    match kind {
        CellKind::Empty => (0, None),
        CellKind::Text => (1, None),
        CellKind::Number(n) => (2, Some(n)),
        CellKind::Bool(false) => (3, None),
        CellKind::Bool(true) => (4, None),
        CellKind::Date { serial, is_1904: false } => (5, Some(serial)),
        CellKind::Date { serial, is_1904: true } => (6, Some(serial)),
        CellKind::DateIso => (7, None),
        CellKind::Error => (8, None),
    }
}

/// The kind [`encode`] gave `byte`, taking its number from `numbers`.
fn decode(byte: u8, numbers: &mut impl Iterator<Item = f64>) -> CellKind {
    let mut number = || numbers.next().unwrap_or(f64::NAN);
    match byte {
        1 => CellKind::Text,
        2 => CellKind::Number(number()),
        3 => CellKind::Bool(false),
        4 => CellKind::Bool(true),
        5 => CellKind::Date {
            serial: number(),
            is_1904: false,
        },
        6 => CellKind::Date {
            serial: number(),
            is_1904: true,
        },
        7 => CellKind::DateIso,
        8 => CellKind::Error,
        _ => CellKind::Empty,
    }
}

/// A source read through while its rows go onto a tape, which is handed to `done` only when the
/// source was read to its end without an error.
pub(super) struct Recording<'a> {
    inner: Box<dyn RowSource + 'a>,
    tape: Option<Tape>,
    ended: bool,
    noticed: bool,
    done: &'a mut Option<Tape>,
}

impl<'a> Recording<'a> {
    pub(super) fn new(inner: Box<dyn RowSource + 'a>, budget: Arc<TapeBudget>, done: &'a mut Option<Tape>) -> Self {
        let merged = inner.merged_ranges();
        Recording {
            inner,
            tape: Some(Tape::new(budget, merged)),
            ended: false,
            noticed: false,
            done,
        }
    }
}

impl RowSource for Recording<'_> {
    fn next_row(&mut self, buf: &mut RowBuf) -> Result<bool, ReadError> {
        let more = self.inner.next_row(buf).inspect_err(|_| self.tape = None)?;
        if !more {
            self.ended = true;
        } else if let Some(tape) = &mut self.tape {
            if !tape.push(buf) {
                self.tape = None;
            }
        }
        Ok(more)
    }

    fn notices(&mut self) -> Vec<Notice> {
        let notices = self.inner.notices();
        if let Some(tape) = &mut self.tape {
            tape.notices.clone_from(&notices);
        }
        self.noticed = true;
        notices
    }

    fn merged_ranges(&self) -> Vec<((u32, u32), (u32, u32))> {
        self.inner.merged_ranges()
    }
}

impl Drop for Recording<'_> {
    fn drop(&mut self) {
        if !self.ended {
            return;
        }
        if let Some(mut tape) = self.tape.take() {
            if !self.noticed {
                tape.notices = self.inner.notices();
            }
            tape.shrink();
            *self.done = Some(tape);
        }
    }
}

/// The rows of a tape, given again.
pub(super) struct Replay<'a> {
    tape: &'a Tape,
    next: usize,
    /// Where the next row's cells, text and numbers start.
    cell: usize,
    text: usize,
    number: usize,
}

impl<'a> Replay<'a> {
    pub(super) fn new(tape: &'a Tape) -> Self {
        Replay {
            tape,
            next: 0,
            cell: 0,
            text: 0,
            number: 0,
        }
    }
}

impl RowSource for Replay<'_> {
    fn next_row(&mut self, buf: &mut RowBuf) -> Result<bool, ReadError> {
        let tape = self.tape;
        let Some(row) = tape.rows.get(self.next) else {
            return Ok(false);
        };
        buf.clear(u64::from(row.row));
        buf.date_1904 = row.date_1904;
        let (cells_end, text_end) = (row.cells_end as usize, row.text_end as usize);
        let kinds = tape.kinds.get(self.cell..cells_end).unwrap_or_default();
        let ends = tape.ends.get(self.cell..cells_end).unwrap_or_default();
        let text = tape.text.get(self.text..text_end).unwrap_or_default();
        let mut numbers = tape.numbers.get(self.number..).unwrap_or_default().iter().copied();
        let mut from = 0usize;
        for (&kind, &end) in kinds.iter().zip(ends) {
            let kind = decode(kind, &mut numbers);
            let end = end as usize;
            buf.push(kind, text.get(from..end).unwrap_or_default());
            from = end;
        }
        self.number = tape.numbers.len().saturating_sub(numbers.len());
        (self.next, self.cell, self.text) = (self.next.saturating_add(1), cells_end, text_end);
        Ok(true)
    }

    fn notices(&mut self) -> Vec<Notice> {
        self.tape.notices.clone()
    }

    fn merged_ranges(&self) -> Vec<((u32, u32), (u32, u32))> {
        self.tape.merged.clone()
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
    use crate::i18n::Said;
    use crate::read::Input;

    /// Gives its rows, then (if `fails`) an error instead of the end.
    struct Rows {
        rows: Vec<RowBuf>,
        next: usize,
        fails: bool,
    }

    impl RowSource for Rows {
        fn next_row(&mut self, buf: &mut RowBuf) -> Result<bool, ReadError> {
            let Some(row) = self.rows.get(self.next) else {
                if self.fails {
                    return Err(ReadError::Corrupt {
                        file: "x.xlsx".into(),
                        reason: "cut short".into(),
                    });
                }
                return Ok(false);
            };
            buf.copy_from(row);
            self.next += 1;
            Ok(true)
        }

        fn notices(&mut self) -> Vec<Notice> {
            vec![Notice {
                row: Some(7),
                col: Some(2),
                limit: true,
                message: Said::default(),
            }]
        }

        fn merged_ranges(&self) -> Vec<((u32, u32), (u32, u32))> {
            vec![((1, 0), (3, 0))]
        }
    }

    /// Rows with every kind of cell, a gap in the numbering, an empty row, and a cell set twice.
    fn sheet() -> Vec<RowBuf> {
        let mut rows = Vec::new();
        let mut r = RowBuf::default();
        r.clear(1);
        r.push(CellKind::Text, "Gruppe-ID");
        r.push(CellKind::Empty, "");
        r.push_number(1.5);
        r.push(CellKind::Bool(true), "TRUE");
        r.push(CellKind::Bool(false), "FALSE");
        rows.push(r.clone());
        r.clear(2);
        r.date_1904 = true;
        r.push(
            CellKind::Date {
                serial: 45000.25,
                is_1904: true,
            },
            "2027-03-15",
        );
        r.push(CellKind::DateIso, "2024-01-02T10:00:00");
        r.push(CellKind::Error, "#REF!");
        r.push(CellKind::Text, "Ålesund «øst» – 😀");
        r.set(1, CellKind::Text, "set after");
        rows.push(r.clone());
        r.clear(5);
        r.date_1904 = false;
        rows.push(r.clone());
        r.clear(9);
        r.push(
            CellKind::Date {
                serial: 1.0,
                is_1904: false,
            },
            "1900-01-01",
        );
        r.push_number(-0.0);
        rows.push(r);
        rows
    }

    fn cells(buf: &RowBuf) -> Vec<(String, String)> {
        buf.iter()
            .map(|c| (format!("{:?}", c.kind), c.text.to_string()))
            .collect()
    }

    /// A row as a reader gave it: its number, its date system, and each cell's kind and text.
    type Read = (u64, bool, Vec<(String, String)>);

    fn read_all(source: &mut dyn RowSource) -> Result<Vec<Read>, ReadError> {
        let mut buf = RowBuf::default();
        let mut out = Vec::new();
        while source.next_row(&mut buf)? {
            out.push((buf.row, buf.date_1904, cells(&buf)));
        }
        Ok(out)
    }

    fn rows(fails: bool) -> Box<dyn RowSource> {
        Box::new(Rows {
            rows: sheet(),
            next: 0,
            fails,
        })
    }

    #[test]
    fn a_sheet_read_to_its_end_is_replayed_row_for_row_with_its_notices_and_merges() {
        let budget = TapeBudget::new(1 << 30);
        let mut kept = None;
        let mut first = Recording::new(rows(false), budget.clone(), &mut kept);
        let read = read_all(&mut first).unwrap();
        let notices = first.notices();
        drop(first);
        let tape = kept.expect("a sheet read to its end is kept");
        assert_eq!(tape.len(), 4);
        assert!(budget.left() < 1 << 30, "the tape holds bytes of the budget");
        let mut again = Replay::new(&tape);
        assert_eq!(read_all(&mut again).unwrap(), read);
        assert_eq!(read[1].2[1].1, "set after", "a cell set twice replays its last text");
        assert_eq!(again.notices(), notices);
        assert_eq!(again.merged_ranges(), vec![((1, 0), (3, 0))]);
        drop(tape);
        assert_eq!(budget.left(), 1 << 30, "a dropped tape gives its bytes back");
    }

    #[test]
    fn a_read_stopped_early_failed_or_past_the_budget_keeps_nothing() {
        let budget = TapeBudget::new(1 << 30);
        let mut kept = None;
        let mut early = Recording::new(rows(false), budget.clone(), &mut kept);
        let mut buf = RowBuf::default();
        assert!(early.next_row(&mut buf).unwrap());
        drop(early);
        assert!(kept.is_none(), "a header search keeps nothing");

        let mut failed = Recording::new(rows(true), budget.clone(), &mut kept);
        assert!(read_all(&mut failed).is_err());
        drop(failed);
        assert!(kept.is_none(), "a read that failed keeps nothing");
        assert_eq!(budget.left(), 1 << 30);

        let small = TapeBudget::new(RESERVE_STEP - 1);
        let mut past = Recording::new(rows(false), small.clone(), &mut kept);
        assert_eq!(read_all(&mut past).unwrap().len(), 4, "the rows are read all the same");
        drop(past);
        assert!(kept.is_none(), "a sheet past the budget is not kept");
        assert_eq!(small.left(), RESERVE_STEP - 1);
    }

    #[test]
    fn a_hostile_workbook_is_kept_only_when_read_whole_and_replays_as_a_fresh_reader_reads_it() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/hostile/");
        let mut opened = 0;
        for name in [
            "xlsx-past-the-last-column.xlsx",
            "xlsx-unique-count-2-32.xlsx",
            "xlsx-zip-bomb.xlsx",
        ] {
            let path = format!("{dir}{name}");
            // Refused at opening (a zip bomb, absurd counts): nothing to keep.
            let Ok(mut input) = Input::open(&path) else { continue };
            opened += 1;
            let budget = TapeBudget::new(1 << 30);
            input.keep_rows(&budget);
            let first: Vec<_> = (0..input.parts.len())
                .map(|i| {
                    input
                        .rows(i)
                        .and_then(|mut r| read_all(r.as_mut()))
                        .map_err(|e| e.to_string())
                })
                .collect();
            let mut fresh = Input::open(&path).unwrap();
            for (i, read) in first.iter().enumerate() {
                assert_eq!(
                    input.kept(i),
                    read.is_ok(),
                    "{name} part {i}: kept only when read whole"
                );
                let again = input
                    .rows(i)
                    .and_then(|mut r| read_all(r.as_mut()))
                    .map_err(|e| e.to_string());
                let file = fresh
                    .rows(i)
                    .and_then(|mut r| read_all(r.as_mut()))
                    .map_err(|e| e.to_string());
                assert_eq!(again, file, "{name} part {i}");
            }
        }
        assert!(opened >= 1, "no hostile workbook opened: the test checked nothing");
    }

    #[test]
    fn a_released_input_frees_its_kept_rows_where_it_is_released() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/returns/messy.xlsx");
        let budget = TapeBudget::new(1 << 30);
        let mut input = Input::open(path).unwrap();
        input.keep_rows(&budget);
        for i in 0..input.parts.len() {
            read_all(input.rows(i).unwrap().as_mut()).unwrap();
        }
        assert!(input.kept(0) && budget.left() < 1 << 30, "rows were kept");
        input.release();
        assert!((0..input.parts.len()).all(|i| !input.kept(i)));
        assert_eq!(
            budget.left(),
            1 << 30,
            "every kept byte given back before the input is dropped"
        );
        assert!(
            !input.path.is_empty() && !input.parts.is_empty(),
            "what describes it stays"
        );
    }

    #[test]
    fn a_kept_workbook_reads_again_as_a_fresh_reader_reads_the_file() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/returns/");
        for name in ["messy.xlsx", "cross.xlsx", "mac-1904.xlsx", "clean.xlsx"] {
            let path = format!("{dir}{name}");
            let budget = TapeBudget::new(1 << 30);
            let mut input = Input::open(&path).unwrap();
            input.keep_rows(&budget);
            for i in 0..input.parts.len() {
                let mut rows = input.rows(i).unwrap();
                read_all(rows.as_mut()).unwrap();
                rows.notices();
            }
            assert!(budget.left() < 1 << 30, "{name}: nothing was kept");
            assert!(
                (0..input.parts.len()).all(|i| input.kept(i)),
                "{name}: a sheet was not kept"
            );
            let again: Vec<_> = (0..input.parts.len())
                .map(|i| {
                    let mut rows = input.rows(i).unwrap();
                    (read_all(rows.as_mut()).unwrap(), rows.notices(), rows.merged_ranges())
                })
                .collect();
            let mut other = Input::open(&path).unwrap();
            for (i, (read, notices, merged)) in again.into_iter().enumerate() {
                let mut rows = other.rows(i).unwrap();
                assert_eq!(read, read_all(rows.as_mut()).unwrap(), "{name} part {i}");
                assert_eq!(notices, rows.notices(), "{name} part {i}");
                assert_eq!(merged, rows.merged_ranges(), "{name} part {i}");
            }
        }
    }
}
