//! The cell model: a row of cells as a reader found them, each with its kind and its text.
//!
//! Readers (`vakt_core::read`) fill a [`RowBuf`] per physical row; every later stage reads cells through
//! [`CellRef`]. It lives with the values because it is the ground floor every stage stands on.

use std::fmt::Write as _;

/// What kind of value a cell holds, as the file stored it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum CellKind {
    /// Nothing stored.
    Empty,
    /// Text as typed. Numbers typed into CSV files are text too: the file has no types.
    Text,
    /// A numeric cell; its text is the number written without a trailing `.0`.
    Number(f64),
    /// A boolean cell.
    Bool(bool),
    /// A cell with a date format: the Excel serial and whether the workbook uses the 1904 system.
    Date {
        /// The Excel serial number.
        serial: f64,
        /// Whether the workbook counts from 1904.
        is_1904: bool,
    },
    /// An ISO 8601 date or date-time string from a typed cell (ODS dates arrive like this).
    DateIso,
    /// An Excel error value; its text is the error as Excel shows it (`#REF!`).
    Error,
}

#[derive(Debug, Clone, Copy)]
struct RawCell {
    kind: CellKind,
    start: u32,
    end: u32,
}

/// A cell of the current row: its kind and its text (for numbers, their rendering).
#[derive(Debug, Clone, Copy)]
pub struct CellRef<'a> {
    /// What the file stored.
    pub kind: CellKind,
    /// The text (for numbers, their rendering).
    pub text: &'a str,
}

impl CellRef<'_> {
    /// True for an empty cell or one holding only whitespace (including NBSP and zero-width spaces).
    pub fn is_blank(&self) -> bool {
        match self.kind {
            CellKind::Empty => true,
            CellKind::Text => super::text::trim(self.text).is_empty(),
            _ => false,
        }
    }
}

const EMPTY_CELL: CellRef<'static> = CellRef {
    kind: CellKind::Empty,
    text: "",
};

/// One physical row, reused from row to row: all cell texts live in one buffer.
#[derive(Debug, Clone, Default)]
pub struct RowBuf {
    /// 1-based physical row in the sheet, or the CSV line on which the record starts.
    pub row: u64,
    /// Whether bare serial numbers in this row's workbook count from 1904 (Mac Excel) or 1900.
    pub date_1904: bool,
    /// 1-based record number of a CSV row (header and title records counted), which differs from
    /// `row` once a quoted field has spanned lines; 0 where it is not known (workbooks).
    pub record: u64,
    text: String,
    cells: Vec<RawCell>,
}

impl RowBuf {
    /// Empties the buffer for physical row `row`.
    pub fn clear(&mut self, row: u64) {
        self.row = row;
        self.record = 0;
        self.text.clear();
        self.cells.clear();
    }

    /// Makes this row a copy of `other`, reusing this row's buffers.
    pub fn copy_from(&mut self, other: &RowBuf) {
        self.row = other.row;
        self.date_1904 = other.date_1904;
        self.record = other.record;
        self.text.clear();
        self.text.push_str(&other.text);
        self.cells.clear();
        self.cells.extend_from_slice(&other.cells);
    }

    /// The row's size, its cells and the bytes of their texts: a hint for [`RowBuf::reserve`].
    pub fn size(&self) -> (usize, usize) {
        (self.cells.len(), self.text.len())
    }

    /// Makes room for a row of about `cells` cells and `text` bytes (a quarter more, for rows a
    /// little larger), so that a row read into a new buffer does not grow it cell by cell, each
    /// growth copying the row so far. Nothing happens when there is room already.
    pub fn reserve(&mut self, (cells, text): (usize, usize)) {
        let room = |n: usize| n.saturating_add(n / 4);
        self.cells.reserve(room(cells).saturating_sub(self.cells.len()));
        self.text.reserve(room(text).saturating_sub(self.text.len()));
    }

    /// Number of cells (up to the last one the file stored).
    pub fn len(&self) -> usize {
        self.cells.len()
    }

    /// Whether the row has no cells.
    pub fn is_empty(&self) -> bool {
        self.cells.is_empty()
    }

    /// The cell at a 0-based column; missing cells are empty.
    pub fn get(&self, col: usize) -> CellRef<'_> {
        match self.cells.get(col) {
            Some(c) => CellRef {
                kind: c.kind,
                text: &self.text[c.start as usize..c.end as usize],
            },
            None => EMPTY_CELL,
        }
    }

    /// The cells, in column order.
    pub fn iter(&self) -> impl Iterator<Item = CellRef<'_>> + '_ {
        (0..self.cells.len()).map(|i| self.get(i))
    }

    /// A hash of the row's cells, each trimmed ([`super::text::trim`]), to tell an exact copy of
    /// an earlier row: cells that differ only in spaces at their ends hash the same, and where a
    /// cell ends counts (`ab`,`c` is not `a`,`bc`).
    ///
    /// It is the hash of the trimmed texts end to end, then of their lengths. Cells as a reader
    /// pushed them lie end to end in the row's buffer, and nearly every one starts and ends with a
    /// visible character, so the texts are usually one slice, hashed in one part, not a part a cell.
    ///
    /// ```
    /// use vakt_core::value::cell::{CellKind, RowBuf};
    /// let row = |cells: &[&str]| {
    ///     let mut r = RowBuf::default();
    ///     cells.iter().for_each(|c| r.push(CellKind::Text, c));
    ///     r.trimmed_hash()
    /// };
    /// assert_eq!(row(&["ab", " c\u{a0}"]), row(&["ab", "c"]));
    /// assert_ne!(row(&["ab", "c"]), row(&["a", "bc"]));
    /// ```
    pub fn trimmed_hash(&self) -> u64 {
        use super::keyhash::KeyHash;
        use super::text::trim;
        let (mut texts, mut lengths) = (KeyHash::default(), KeyHash::default());
        let mut at = self.cells.first().map_or(0, |c| c.start);
        let plain = self.cells.iter().all(|c| {
            let cell = &self.text[c.start as usize..c.end as usize];
            let follows = c.start == at;
            at = c.end;
            lengths.number(u64::from(c.end.wrapping_sub(c.start)));
            follows && trim(cell).len() == cell.len()
        });
        let whole = match (plain, self.cells.first(), self.cells.last()) {
            (true, Some(first), Some(last)) => self.text.as_bytes().get(first.start as usize..last.end as usize),
            _ => None,
        };
        match whole {
            Some(bytes) => {
                texts.part(bytes);
            }
            None => {
                lengths = KeyHash::default();
                let mut joined = Vec::with_capacity(self.text.len());
                for c in self.iter() {
                    let t = trim(c.text);
                    joined.extend_from_slice(t.as_bytes());
                    lengths.number(t.len() as u64);
                }
                texts.part(&joined);
            }
        }
        texts.hashed(lengths.finish()).finish().low()
    }

    /// Whether a cell of the row may hold an Excel error ([`super::is_excel_error`]): a cell of the
    /// error kind, or a `#` anywhere in the row's text, since every error text starts with one.
    /// One scan of the row's buffer tells the rows without (nearly all) from those to look into
    /// cell by cell.
    ///
    /// ```
    /// use vakt_core::value::cell::{CellKind, RowBuf};
    /// let mut row = RowBuf::default();
    /// row.push(CellKind::Text, "12");
    /// assert!(!row.may_hold_excel_error());
    /// row.push(CellKind::Text, " #N/A");
    /// assert!(row.may_hold_excel_error());
    /// ```
    pub fn may_hold_excel_error(&self) -> bool {
        self.text.as_bytes().contains(&b'#') || self.cells.iter().any(|c| c.kind == CellKind::Error)
    }

    /// True when every cell is blank.
    pub fn is_blank(&self) -> bool {
        self.iter().all(|c| c.is_blank())
    }

    /// Number of non-blank cells.
    pub fn filled(&self) -> usize {
        self.iter().filter(|c| !c.is_blank()).count()
    }

    /// Appends a cell whose text is `text`.
    pub fn push(&mut self, kind: CellKind, text: &str) {
        let start = self.text.len() as u32;
        self.text.push_str(text);
        self.cells.push(RawCell {
            kind,
            start,
            end: self.text.len() as u32,
        });
    }

    /// Appends a cell whose text is written by `write` straight into the row buffer.
    pub fn push_with(&mut self, kind: CellKind, write: impl FnOnce(&mut String)) {
        let start = self.text.len() as u32;
        write(&mut self.text);
        self.cells.push(RawCell {
            kind,
            start,
            end: self.text.len() as u32,
        });
    }

    /// Appends a numeric cell, rendering the number as a person would type it.
    pub fn push_number(&mut self, n: f64) {
        self.push_with(CellKind::Number(n), |s| write_number(s, n));
    }

    /// Pads the row with empty cells up to (not including) `col`.
    pub fn pad_to(&mut self, col: usize) {
        while self.cells.len() < col {
            self.push(CellKind::Empty, "");
        }
    }

    /// Replaces the cell at `col` (padding the row if needed).
    pub fn set(&mut self, col: usize, kind: CellKind, text: &str) {
        self.pad_to(col.saturating_add(1));
        let start = self.text.len() as u32;
        self.text.push_str(text);
        let end = self.text.len() as u32;
        if let Some(cell) = self.cells.get_mut(col) {
            *cell = RawCell { kind, start, end };
        }
    }
}

/// Writes a number without a spurious `.0` (`301`, `1.5`), as a spreadsheet shows it.
pub fn write_number(out: &mut String, n: f64) {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        // A whole number (nearly every number cell: years, counts): digits without the
        // formatting machinery.
        out.push_str(itoa::Buffer::new().format(n as i64));
    } else {
        let _ = write!(out, "{n}");
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

    /// A row with a cell that `is_excel_error` finds is one `may_hold_excel_error` lets through,
    /// whatever its cells (error texts in any case, with spaces, NBSP or zero-width characters
    /// around them, error-kind cells, cells replaced by `set`); and rows without one are mostly
    /// told apart, so the quick test is not always yes.
    #[test]
    fn a_row_with_an_excel_error_may_hold_one() {
        let texts = [
            "12",
            "#N/A",
            " #ref! ",
            "\u{a0}#DIV/0!",
            "\u{200b}#I/T",
            "a#b",
            "#",
            "##",
            "Ærlig",
            "",
            "  ",
            "#NAVN?",
        ];
        let mut below = crate::test_rng::below(0x5eed_0107);
        let (mut with, mut told_apart) = (0, 0);
        for _ in 0..20_000 {
            let mut row = RowBuf::default();
            for _ in 0..below(8) {
                let text = texts[below(texts.len() as u64) as usize];
                let kind = match below(6) {
                    0 => CellKind::Error,
                    1 => CellKind::Number(1.0),
                    2 => CellKind::Empty,
                    _ => CellKind::Text,
                };
                row.push(kind, text);
            }
            if below(4) == 0 {
                let text = texts[below(texts.len() as u64) as usize];
                row.set(below(6) as usize, CellKind::Text, text);
            }
            let has = row.iter().any(|c| crate::value::is_excel_error(&c));
            with += usize::from(has);
            assert!(!has || row.may_hold_excel_error(), "{row:?}");
            told_apart += usize::from(!row.may_hold_excel_error());
        }
        assert!(
            with > 1_000 && told_apart > 1_000,
            "{with} rows with an error, {told_apart} told apart"
        );
    }

    /// A new buffer given the size of the row before holds a row like it without growing, and
    /// a buffer with a row in it keeps the row.
    #[test]
    fn a_buffer_given_the_size_of_a_row_holds_one_like_it_without_growing() {
        let mut row = RowBuf::default();
        for c in ["G0001", "Ærlig", "", "1234567"] {
            row.push(CellKind::Text, c);
        }
        let mut fresh = RowBuf::default();
        fresh.reserve(row.size());
        let (cells, text) = (fresh.cells.capacity(), fresh.text.capacity());
        assert!(cells >= 4 && text >= row.text.len(), "{cells} {text}");
        fresh.copy_from(&row);
        assert_eq!((fresh.cells.capacity(), fresh.text.capacity()), (cells, text));
        let before: Vec<String> = row.iter().map(|c| c.text.to_string()).collect();
        row.reserve((100, 1000));
        let after: Vec<String> = row.iter().map(|c| c.text.to_string()).collect();
        assert_eq!(before, after);
        assert!(row.cells.capacity() >= 100 && row.text.capacity() >= 1000);
    }

    /// The one-slice hash and the cell-by-cell one agree: a row hashes the same whether its cells
    /// need trimming or not, and whether they lie in the buffer in order (pushed) or not (set
    /// later), and rows that differ in a cell or a cell bound hash apart.
    #[test]
    fn the_trimmed_hash_is_the_same_whichever_way_the_cells_lie() {
        let pushed = |cells: &[&str]| {
            let mut r = RowBuf::default();
            cells.iter().for_each(|c| r.push(CellKind::Text, c));
            r.trimmed_hash()
        };
        let set_backwards = |cells: &[&str]| {
            let mut r = RowBuf::default();
            for (i, c) in cells.iter().enumerate().rev() {
                r.set(i, CellKind::Text, c);
            }
            r.trimmed_hash()
        };
        // The same texts end to end with their cells cut or counted another way: an empty cell
        // more at the end, a cell split in two.
        let rows: [&[&str]; 11] = [
            &["G1", "EPJ-1", "1983", "", "F31.8"],
            &["G1", "EPJ-1", "1983", "F31.8", ""],
            &["G1", "EPJ-11983", "", "", "F31.8"],
            &["Ø", "ab c", "x"],
            &[""],
            &[],
            &["ab"],
            &["ab", ""],
            &["ab", "", ""],
            &["a", "b"],
            &["", "ab"],
        ];
        let mut seen = Vec::new();
        for cells in rows {
            let plain = pushed(cells);
            assert_eq!(set_backwards(cells), plain, "{cells:?}");
            let padded: Vec<String> = cells.iter().map(|c| format!(" \u{a0}{c}\t ")).collect();
            let padded: Vec<&str> = padded.iter().map(String::as_str).collect();
            assert_eq!(pushed(&padded), plain, "{cells:?}");
            assert_eq!(set_backwards(&padded), plain, "{cells:?}");
            assert!(!seen.contains(&plain), "{cells:?} hashes as an earlier row");
            seen.push(plain);
        }
    }

    #[test]
    fn numbers_render_like_a_spreadsheet() {
        let mut s = String::new();
        write_number(&mut s, 301.0);
        s.push('|');
        write_number(&mut s, 1.5);
        s.push('|');
        write_number(&mut s, -2.0);
        assert_eq!(s, "301|1.5|-2");
    }

    #[test]
    fn row_buffer_pads_and_sets() {
        let mut row = RowBuf::default();
        row.clear(7);
        row.push(CellKind::Text, "a");
        row.set(3, CellKind::Text, "d");
        assert_eq!(row.len(), 4);
        assert!(row.get(1).is_blank());
        assert_eq!(row.get(3).text, "d");
        assert_eq!(row.get(99).kind, CellKind::Empty);
        assert_eq!(row.filled(), 2);
    }
}
