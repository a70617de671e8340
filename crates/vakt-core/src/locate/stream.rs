//! The one table stream: header search, row classification and parsing, for every stage.
//!
//! `vakt check`, `vakt clean` and anything later read a table through [`TableStream`], so they
//! agree on which rows are data, where the header is and what each cell means. Blank rows are
//! reported as runs (`Blank`), never one event per row: a styled empty cell at row 1,048,576 is one
//! trailing run, not a million rows. Every physical row under the header is counted once in
//! [`Counts`], whatever it turned out to be.

use super::{classify, find_header, Header, RowKind, HEADER_SEARCH_ROWS};
use crate::pack::{CodeList, ColumnType, Pack};
use crate::read::{ReadError, RowBuf, RowSource};
use crate::value::{self, ParseCtx, Parsed};

/// What the stream met next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// A data row: [`TableStream::row`] and [`TableStream::values`] hold it.
    Data,
    /// A totals row (`Sum`, `I alt`): [`TableStream::row`] holds it.
    Totals,
    /// A note under the table: [`TableStream::row`] holds it.
    Note,
    /// A run of blank rows (stored empty, or left out of the file) followed by another row.
    Blank {
        /// First blank row.
        from: u64,
        /// Rows in the run.
        count: u64,
        /// Whether a data row follows the run (it is then inside the table's data).
        before_data: bool,
    },
    /// Blank rows after the last non-blank row: the end of the table.
    TrailingBlank {
        /// First blank row.
        from: u64,
        /// Rows in the run.
        count: u64,
    },
}

/// Rows under the header, by what they were. `read() == data + totals + notes + blank + trailing`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Data rows.
    pub data: u64,
    /// Totals rows skipped.
    pub totals: u64,
    /// Note rows skipped.
    pub notes: u64,
    /// Blank rows followed by a non-blank row.
    pub blank: u64,
    /// Blank rows at the end.
    pub trailing_blank: u64,
}

impl Counts {
    /// Every row met under the header.
    pub fn read(&self) -> u64 {
        self.data + self.totals + self.notes + self.blank + self.trailing_blank
    }
}

/// The outcome of looking for a table's header.
pub enum Opened<'p> {
    /// The header was found; rows follow.
    Table(Box<TableStream<'p>>),
    /// No header in the first rows: nothing of the table can be read.
    NoHeader,
}

type Parser<'p> = (usize, u32, ColumnType, Option<&'p CodeList>, &'p [String]);

/// Streams the rows of one table under its header. Pass the same [`RowSource`] to every call.
pub struct TableStream<'p> {
    header: Header,
    head: std::vec::IntoIter<RowBuf>,
    exhausted: bool,
    parsers: Vec<Parser<'p>>,
    values: Vec<Parsed>,
    scratch: String,
    current: RowBuf,
    /// A classified row waiting behind a blank run that had to be reported first.
    waiting: Option<RowKind>,
    last_row: u64,
    blank: Option<(u64, u64)>,
    gaps_are_blank: bool,
    counts: Counts,
    done: bool,
}

impl<'p> TableStream<'p> {
    /// Reads the header search window of `table` from `rows` and finds the header. In a sheet a
    /// jump in row numbers is rows left empty (`sheet = true`); in CSV it is a field spanning lines.
    pub fn open(pack: &'p Pack, table: usize, sheet: bool, rows: &mut dyn RowSource) -> Result<Opened<'p>, ReadError> {
        let t = &pack.tables[table];
        let mut head: Vec<RowBuf> = Vec::with_capacity(HEADER_SEARCH_ROWS);
        let mut exhausted = false;
        while head.len() < HEADER_SEARCH_ROWS {
            let mut buf = RowBuf::default();
            if !rows.next_row(&mut buf)? {
                exhausted = true;
                break;
            }
            head.push(buf);
        }
        let Some(mut header) = find_header(t, &head) else {
            return Ok(Opened::NoHeader);
        };
        mark_roles(pack, table, &mut header);
        let parsers = t
            .columns
            .iter()
            .enumerate()
            .filter_map(|(i, c)| header.physical[i].map(|p| (i, p, c.ty, pack.codelist(c), c.suppressed.as_slice())))
            .collect();
        let skip = header.index + 1;
        let last_row = header.row;
        let mut head = head.into_iter();
        head.nth(skip - 1);
        Ok(Opened::Table(Box::new(TableStream {
            header,
            head,
            exhausted,
            parsers,
            values: vec![Parsed::MISSING; t.columns.len()],
            scratch: String::new(),
            current: RowBuf::default(),
            waiting: None,
            last_row,
            blank: None,
            gaps_are_blank: sheet,
            counts: Counts::default(),
            done: false,
        })))
    }

    /// The header found.
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// The current row (after `Data`, `Totals` or `Note`).
    pub fn row(&self) -> &RowBuf {
        &self.current
    }

    /// The parsed values of the current data row, one per pack column (missing when absent).
    pub fn values(&self) -> &[Parsed] {
        &self.values
    }

    /// The rows met so far, by kind.
    pub fn counts(&self) -> Counts {
        self.counts
    }

    fn pull(&mut self, rows: &mut dyn RowSource) -> Result<bool, ReadError> {
        if let Some(r) = self.head.next() {
            self.current = r;
            return Ok(true);
        }
        if self.exhausted {
            return Ok(false);
        }
        rows.next_row(&mut self.current)
    }

    fn blank_run(&mut self, from: u64, count: u64) {
        let (f, c) = self.blank.get_or_insert((from, 0));
        *f = (*f).min(from);
        *c += count;
    }

    /// The next event, or `None` at the end of the table.
    pub fn next(&mut self, rows: &mut dyn RowSource) -> Result<Option<Event>, ReadError> {
        if let Some(kind) = self.waiting.take() {
            return Ok(Some(self.emit(kind)));
        }
        loop {
            if self.done || !self.pull(rows)? {
                self.done = true;
                return Ok(self.blank.take().map(|(from, count)| {
                    self.counts.trailing_blank += count;
                    Event::TrailingBlank { from, count }
                }));
            }
            let row = self.current.row;
            if self.gaps_are_blank && row > self.last_row + 1 {
                self.blank_run(self.last_row + 1, row - self.last_row - 1);
            }
            self.last_row = self.last_row.max(row);
            let kind = classify(&self.current, &self.header);
            if kind == RowKind::Blank {
                self.blank_run(row, 1);
                continue;
            }
            if let Some((from, count)) = self.blank.take() {
                self.counts.blank += count;
                self.waiting = Some(kind);
                return Ok(Some(Event::Blank {
                    from,
                    count,
                    before_data: kind == RowKind::Data,
                }));
            }
            return Ok(Some(self.emit(kind)));
        }
    }

    fn emit(&mut self, kind: RowKind) -> Event {
        match kind {
            RowKind::Data => {
                self.counts.data += 1;
                self.parse();
                Event::Data
            }
            RowKind::Totals => {
                self.counts.totals += 1;
                Event::Totals
            }
            RowKind::Note => {
                self.counts.notes += 1;
                Event::Note
            }
            RowKind::Blank => unreachable!("blank rows are runs"),
        }
    }

    fn parse(&mut self) {
        let row = &self.current;
        for &(i, p, ty, list, suppressed) in &self.parsers {
            let ctx = ParseCtx {
                codes: list,
                date_1904: row.date_1904,
                suppressed,
            };
            self.values[i] = value::parse(ty, row.get(p as usize), &ctx, &mut self.scratch);
        }
    }
}

/// Finds the columns that are not the pack's but have a role: the return key written into every
/// row of a merged dataset (`authority_code` in `vakt clean` output), and clean's `vakt_flags`.
fn mark_roles(pack: &Pack, table: usize, header: &mut Header) {
    let tag_keys: &[String] = match &pack.return_key {
        Some(k) if k.table != table => &pack.tables[k.table].columns[k.column].header_keys,
        _ => &[],
    };
    header.unknown.retain(|(p, text)| {
        let key = crate::value::text::header_key(text);
        if header.tag.is_none() && tag_keys.contains(&key) {
            header.tag = Some(*p);
            false
        } else if header.flags.is_none() && text == FLAGS_COLUMN {
            header.flags = Some(*p);
            false
        } else {
            true
        }
    });
}

/// The column `vakt clean` writes the cleaned cells of each row into: `column:CODE;column:CODE`.
pub const FLAGS_COLUMN: &str = "vakt_flags";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::CellKind;

    struct Rows(std::vec::IntoIter<RowBuf>);
    impl RowSource for Rows {
        fn next_row(&mut self, buf: &mut RowBuf) -> Result<bool, ReadError> {
            match self.0.next() {
                Some(r) => {
                    *buf = r;
                    Ok(true)
                }
                None => Ok(false),
            }
        }
    }

    fn row(n: u64, cells: &[&str]) -> RowBuf {
        let mut r = RowBuf::default();
        r.clear(n);
        for c in cells {
            r.push(if c.is_empty() { CellKind::Empty } else { CellKind::Text }, c);
        }
        r
    }

    #[test]
    fn blank_runs_are_collapsed_and_every_row_is_counted() {
        let src = "name = \"t\"\nversion = \"1\"\n[[table]]\nname = \"t\"\n[[table.column]]\nname = \"a\"\ntype = \"text\"\n[[table.column]]\nname = \"b\"\ntype = \"integer\"\n";
        let pack = crate::pack::Pack::from_source("t.toml", src.into(), &|_: &str| Err("none".into())).unwrap();
        let mut rows = Rows(
            vec![
                row(1, &["a", "b"]),
                row(2, &["x", "1"]),
                row(5, &["", ""]),
                row(6, &["y", "2"]),
                row(7, &["Sum", "3"]),
                row(200_000, &[""]),
            ]
            .into_iter(),
        );
        let Opened::Table(mut s) = TableStream::open(&pack, 0, true, &mut rows).unwrap() else {
            panic!("header")
        };
        let mut events = Vec::new();
        while let Some(e) = s.next(&mut rows).unwrap() {
            events.push(e);
        }
        assert_eq!(
            events,
            [
                Event::Data,
                Event::Blank {
                    from: 3,
                    count: 3,
                    before_data: true
                },
                Event::Data,
                Event::Totals,
                Event::TrailingBlank {
                    from: 8,
                    count: 199_993
                },
            ]
        );
        let c = s.counts();
        assert_eq!((c.data, c.totals, c.blank, c.trailing_blank), (2, 1, 3, 199_993));
        assert_eq!(c.read(), 199_999, "rows 2..=200000");
    }
}
