//! A fast reader of the cells of an `.xlsx` sheet, for the XML that spreadsheet writers produce.
//!
//! calamine parses a sheet with a general XML reader: every tag becomes an event, every attribute
//! is walked, every text validated and often copied. On the Patients workbook that parse is 96 %
//! of the reading thread, and the reading thread is the limit of `vakt check`. Sheet XML is
//! regular: rows of `<c r="B2" s="1" t="s"><v>7</v></c>`. This module scans it with `memchr`
//! over the inflated bytes, and hands out the same cells calamine would.
//!
//! It reads a strict subset, and says [`Unsupported`] for anything outside it (comments, CDATA,
//! numeric character references, carriage returns, rich inline text, unexpected elements or
//! attributes, numbers not written the way Excel writes them, …). The caller then goes on with
//! calamine from the same cell: calamine reads the sheet again from its start and skips the cells
//! already given out ([`SheetScan::taken`]). So the fast reader never has to agree with calamine
//! on a rare form: it has to agree on the common ones, and a test and a fuzz target hold it to
//! that, cell by cell, against calamine itself.

mod formats;
pub mod parts;
mod plain;
mod text;

pub use formats::NumberKind;
pub use text::Unsupported;

use calamine::{CellErrorType, ExcelDateTime, ExcelDateTimeType};
use std::io::Read;
use std::path::Path;
use text::{
    attr, cell_ref, check_tag, decode_into, is_space, push_t_text, row_number, split_tag, tag_end, unescape_excel,
    Attrs,
};

/// What the fast reader needs of a workbook besides its sheets: its shared strings and the kind
/// of each cell format, read once.
#[derive(Debug)]
pub struct Book {
    strings: parts::SharedStrings,
    formats: Vec<NumberKind>,
    is_1904: bool,
}

impl Book {
    /// Reads the shared strings and styles of the workbook at `path`; `is_1904` is its date
    /// system, as calamine read it.
    pub fn read(path: &Path, is_1904: bool) -> Result<Book, Unsupported> {
        Book::read_in(&mut open_zip(path)?, is_1904)
    }

    /// [`Book::read`] from a package already open.
    pub fn read_in<R: Read + std::io::Seek>(zip: &mut zip::ZipArchive<R>, is_1904: bool) -> Result<Book, Unsupported> {
        let (dir, _) = parts::office_document(zip)?;
        let strings = match parts::read_part(zip, &format!("{dir}sharedStrings.xml"))? {
            Some(xml) => parts::shared_strings(&xml)?,
            None => parts::SharedStrings::default(),
        };
        let formats = match parts::read_part(zip, &format!("{dir}styles.xml"))? {
            Some(xml) => parts::cell_formats(&xml)?,
            None => Vec::new(),
        };
        Ok(Book {
            strings,
            formats,
            is_1904,
        })
    }
}

/// The package of the workbook at `path`, with the entry name of its sheet `sheet`.
pub fn open_sheet(
    path: &Path,
    sheet: &str,
) -> Result<(zip::ZipArchive<std::io::BufReader<std::fs::File>>, String), Unsupported> {
    let mut zip = open_zip(path)?;
    let entry = parts::sheet_entry(&mut zip, sheet)?.ok_or(Unsupported)?;
    Ok((zip, entry))
}

fn open_zip(path: &Path) -> Result<zip::ZipArchive<std::io::BufReader<std::fs::File>>, Unsupported> {
    let file = std::fs::File::open(path).map_err(|_| Unsupported)?;
    zip::ZipArchive::new(std::io::BufReader::new(file)).map_err(|_| Unsupported)
}

/// A cell's value, as calamine would give it.
#[derive(Debug, Clone, PartialEq)]
pub enum Value<'v> {
    /// No value (`<c/>`, an empty `<v>`, a formula without a cached result).
    Empty,
    /// A number.
    Number(f64),
    /// A number whose format makes it a date, a time or a duration.
    DateTime(ExcelDateTime),
    /// Text: shared, inline or a formula's string result.
    Text(&'v str),
    /// A `t="d"` cell: an ISO 8601 date as written.
    DateIso(&'v str),
    /// `t="b"`.
    Bool(bool),
    /// `t="e"`: `#N/A`, `#DIV/0!`, …
    Error(CellErrorType),
}

/// The bytes of sheet XML held at once: a cell larger than this is left to calamine.
pub const MAX_WINDOW: usize = 16 << 20;
const FIRST_WINDOW: usize = 256 << 10;

/// A cell's `t` attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CellType {
    /// No `t`, or `t="n"`.
    Number,
    Shared,
    Bool,
    Error,
    /// `t="str"`: a formula's text.
    Str,
    /// `t="d"`.
    Date,
    /// `t="inlineStr"` (or `"is"`).
    Inline,
    /// Anything else: an error if the cell has a `<v>`.
    Other,
}

/// A cell whose start tag is read.
#[derive(Debug, Clone, Copy)]
struct Head {
    row0: u32,
    col0: u32,
    typ: CellType,
    format: NumberKind,
    /// `<c …/>`: no content.
    empty: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Prelude,
    Data,
    Done,
}

/// The cells of one sheet's XML, read from `src` (the inflating zip entry).
pub struct SheetScan<'a> {
    src: Box<dyn Read + 'a>,
    book: &'a Book,
    buf: Vec<u8>,
    pos: usize,
    end: usize,
    eof: bool,
    state: State,
    row_index: u32,
    col_index: u32,
    /// The cell read ahead by [`SheetScan::peek`].
    ready: Option<Head>,
    /// The value of the cell read ahead (apart from its head, so that neither is copied through
    /// a pair built on the stack: see [`SheetScan::keep`]).
    ready_slot: Slot,
    /// Elements open, as calamine's XML reader counts them (cells are read whole, balanced).
    depth: u32,
    text: String,
    scratch: String,
    taken: u64,
}

impl<'a> SheetScan<'a> {
    /// Reads the sheet XML `src` with the workbook's `book`.
    pub fn new(src: Box<dyn Read + 'a>, book: &'a Book) -> SheetScan<'a> {
        SheetScan {
            src,
            book,
            buf: vec![0; FIRST_WINDOW],
            pos: 0,
            end: 0,
            eof: false,
            state: State::Prelude,
            row_index: 0,
            col_index: 0,
            ready: None,
            ready_slot: Slot::Empty,
            depth: 0,
            text: String::new(),
            scratch: String::new(),
            taken: 0,
        }
    }

    /// How many cells [`SheetScan::take`] has given out: calamine skips as many when it takes over.
    pub fn taken(&self) -> u64 {
        self.taken
    }

    /// The bytes read and not yet parsed.
    fn window(&self) -> &[u8] {
        self.buf.get(self.pos..self.end).unwrap_or_default()
    }

    /// Reads more of the sheet, keeping the unparsed bytes; false at its end.
    fn more(&mut self) -> Result<bool, Unsupported> {
        if self.eof {
            return Ok(false);
        }
        if self.pos > 0 {
            self.buf.copy_within(self.pos..self.end, 0);
            self.end = self.end.saturating_sub(self.pos);
            self.pos = 0;
        }
        if self.end == self.buf.len() {
            if self.buf.len() >= MAX_WINDOW {
                return Err(Unsupported);
            }
            self.buf.resize(self.buf.len().saturating_mul(2), 0);
        }
        loop {
            let free = self.buf.get_mut(self.end..).ok_or(Unsupported)?;
            match self.src.read(free) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(false);
                }
                Ok(n) => {
                    self.end = self.end.saturating_add(n);
                    return Ok(true);
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(_) => return Err(Unsupported),
            }
        }
    }

    /// The next tag at this level, whitespace before it skipped: its bytes between `<` and `>`,
    /// as a range of `buf`. `None` at the end of the XML.
    fn next_tag(&mut self) -> Result<Option<(usize, usize)>, Unsupported> {
        loop {
            let w = self.window();
            match w.iter().position(|&b| !is_space(b)) {
                Some(i) if w.get(i) != Some(&b'<') => return Err(Unsupported),
                Some(i) => {
                    let from = self.pos.saturating_add(i);
                    if let Some(gt) = tag_end(w.get(i..).unwrap_or_default()) {
                        check_tag(w.get(i.saturating_add(1)..gt.saturating_add(i)).unwrap_or_default())?;
                        self.pos = from.saturating_add(gt).saturating_add(1);
                        return Ok(Some((from.saturating_add(1), from.saturating_add(gt))));
                    }
                    self.pos = from;
                }
                None => self.pos = self.end,
            }
            if !self.more()? {
                return if self.window().is_empty() {
                    Ok(None)
                } else {
                    Err(Unsupported)
                };
            }
        }
    }

    /// Skips everything before `<sheetData>`, checking what calamine would check on the way.
    fn prelude(&mut self) -> Result<(), Unsupported> {
        let mut first = true;
        loop {
            let (from, to) = self.next_tag()?.ok_or(Unsupported)?;
            let tag = self.buf.get(from..to).ok_or(Unsupported)?;
            let tag = if first {
                first = false;
                let bom_free = tag.strip_prefix(b"\xEF\xBB\xBF<").unwrap_or(tag);
                if bom_free.starts_with(b"?xml") {
                    check_declaration(bom_free)?;
                    continue;
                }
                tag
            } else {
                tag
            };
            match tag.first() {
                Some(b'/') => {
                    self.close()?;
                    continue;
                }
                Some(b'!' | b'?') | None => return Err(Unsupported),
                Some(_) => (),
            }
            let (name, attrs, empty) = split_tag(tag);
            if !empty {
                self.depth = self.depth.checked_add(1).ok_or(Unsupported)?;
            }
            match text::local_name(name) {
                b"sheetData" if name == b"sheetData" => {
                    self.state = if empty { State::Done } else { State::Data };
                    return Ok(());
                }
                b"sheetData" => return Err(Unsupported),
                b"dimension" => check_dimension(attr(attrs, b"ref")?.ok_or(Unsupported)?)?,
                _ => (),
            }
        }
    }

    /// The position of the next cell, which is read whole (as calamine reads a cell ahead, so that
    /// a cell it refuses is refused at the same point); `None` after the last.
    pub fn peek(&mut self) -> Result<Option<(u32, u32)>, Unsupported> {
        if let Some(h) = &self.ready {
            return Ok(Some((h.row0, h.col0)));
        }
        if self.state == State::Prelude {
            self.prelude()?;
        }
        while self.state == State::Data {
            if let Some(at) = self.plain_cell()? {
                return Ok(Some(at));
            }
            if self.plain_row()? {
                continue;
            }
            let (from, to) = self.next_tag()?.ok_or(Unsupported)?;
            let tag = self.buf.get(from..to).ok_or(Unsupported)?;
            let (name, attrs, empty) = split_tag(tag);
            match name {
                b"c" => {
                    let head = cell_head(self.book, (self.row_index, self.col_index), attrs, empty)?;
                    self.col_index = head.col0.checked_add(1).ok_or(Unsupported)?;
                    let slot = if head.empty { Slot::Empty } else { self.cell_body(head)? };
                    return Ok(Some(self.keep(head, slot)));
                }
                b"row" => {
                    if let Some(r) = attr(attrs, b"r")? {
                        self.row_index = row_number(r)?;
                    }
                    if empty {
                        self.end_row()?;
                    } else {
                        self.depth = self.depth.checked_add(1).ok_or(Unsupported)?;
                    }
                }
                b"/row" if !empty && attrs.is_empty() => {
                    self.close()?;
                    self.end_row()?;
                }
                b"/sheetData" if !empty && attrs.is_empty() => {
                    self.close()?;
                    self.state = State::Done;
                }
                _ => return Err(Unsupported),
            }
        }
        Ok(None)
    }

    /// Keeps a cell read ahead for [`SheetScan::take`]; returns its position. The head and the
    /// value are kept in two fields: kept as one pair, they were built on the stack and copied
    /// with wide loads over the narrow stores that had just written them, which wait (15 % of
    /// `peek`'s samples on one such load, stop 44).
    fn keep(&mut self, head: Head, slot: Slot) -> (u32, u32) {
        self.ready = Some(head);
        self.ready_slot = slot;
        (head.row0, head.col0)
    }

    /// A cell at the read position in the plain form ([`plain::cell_tag`]), read as the general
    /// path reads it; `None` (nothing read) for any other form.
    fn plain_cell(&mut self) -> Result<Option<(u32, u32)>, Unsupported> {
        let w = self.buf.get(self.pos..self.end).unwrap_or_default();
        let Some(tag) = plain::cell_tag(w) else {
            return Ok(None);
        };
        let head = head_from(
            self.book,
            (self.row_index, self.col_index),
            (tag.r, tag.s, tag.t),
            tag.empty,
        )?;
        self.pos = self.pos.saturating_add(tag.len);
        self.col_index = head.col0.checked_add(1).ok_or(Unsupported)?;
        let slot = if head.empty { Slot::Empty } else { self.cell_body(head)? };
        Ok(Some(self.keep(head, slot)))
    }

    /// A row's start or end tag at the read position in the plain form ([`plain::row_tag`]),
    /// taken as the general path takes it; false (nothing read) for any other form.
    fn plain_row(&mut self) -> Result<bool, Unsupported> {
        let w = self.buf.get(self.pos..self.end).unwrap_or_default();
        let Some(tag) = plain::row_tag(w) else {
            return Ok(false);
        };
        let (end, r) = (tag.end, tag.r.map(row_number).transpose()?);
        self.pos = self.pos.saturating_add(tag.len);
        if end {
            self.close()?;
            self.end_row()?;
        } else {
            if let Some(r) = r {
                self.row_index = r;
            }
            self.depth = self.depth.checked_add(1).ok_or(Unsupported)?;
        }
        Ok(true)
    }

    /// An end tag: calamine's XML reader does not match end tags to start tags, but refuses one
    /// when no element is open (the fuzz target found a sheet read here and refused there).
    fn close(&mut self) -> Result<(), Unsupported> {
        self.depth = self.depth.checked_sub(1).ok_or(Unsupported)?;
        Ok(())
    }

    fn end_row(&mut self) -> Result<(), Unsupported> {
        self.row_index = self.row_index.checked_add(1).ok_or(Unsupported)?;
        self.col_index = 0;
        Ok(())
    }
}

/// A cell's `r`, `s` and `t` attribute values.
type RawAttrs<'a> = (Option<&'a [u8]>, Option<&'a [u8]>, Option<&'a [u8]>);

/// A cell's position, type and format, from its start tag's attributes; a cell without `r` is at
/// `at` (calamine's running row and column).
fn cell_head(book: &Book, at: (u32, u32), attrs: &[u8], empty: bool) -> Result<Head, Unsupported> {
    let (mut r, mut s, mut t) = (None, None, None);
    for pair in Attrs::new(attrs) {
        let (key, value) = pair?;
        let slot = match key {
            b"r" => &mut r,
            b"s" => &mut s,
            b"t" => &mut t,
            _ => continue,
        };
        if slot.is_some() || memchr::memchr(b'&', value).is_some() {
            return Err(Unsupported);
        }
        *slot = Some(value);
    }
    head_from(book, at, (r, s, t), empty)
}

// `head_from`, `cell_body` and `plain::cell_tag` are `#[inline]`: returned through memory, their
// results were read back by loads wider than the stores that wrote them, which wait (60 % of
// `peek`'s samples were three such loads). Inlined: scale-1000 5.18 → 5.06 s, −2.4 % instructions
// on a 100k-row workbook (stop 43). `head_from` is `#[inline(always)]`: called from two places,
// `#[inline]` alone left it out of line, and a sixth of `peek`'s samples were on the load after its
// call (stop 44).

/// A cell's head from its `r`, `s` and `t` attributes (raw, without references).
#[inline(always)]
fn head_from(book: &Book, at: (u32, u32), rst: RawAttrs<'_>, empty: bool) -> Result<Head, Unsupported> {
    let (r, s, t) = rst;
    let (row0, col0) = match r {
        Some(r) => cell_ref(r)?,
        None => at,
    };
    let typ = match t {
        None | Some(b"n") => CellType::Number,
        Some(b"s") => CellType::Shared,
        Some(b"b") => CellType::Bool,
        Some(b"e") => CellType::Error,
        Some(b"str") => CellType::Str,
        Some(b"d") => CellType::Date,
        Some(b"inlineStr" | b"is") => CellType::Inline,
        Some(_) => CellType::Other,
    };
    let format = match s {
        None => NumberKind::Other,
        Some(s) => {
            let id = style_index(s)?;
            book.formats.get(id).copied().unwrap_or(NumberKind::Other)
        }
    };
    Ok(Head {
        row0,
        col0,
        typ,
        format,
        empty,
    })
}

impl<'a> SheetScan<'a> {
    /// The value of the cell [`SheetScan::peek`] read, with its column; `None` when no cell was
    /// peeked.
    pub fn take(&mut self) -> Option<(u32, Value<'_>)> {
        let head = self.ready.take()?;
        let slot = std::mem::replace(&mut self.ready_slot, Slot::Empty);
        self.taken = self.taken.saturating_add(1);
        let value = match slot {
            Slot::Empty => Value::Empty,
            Slot::Number(n) => Value::Number(n),
            Slot::DateTime(d) => Value::DateTime(d),
            Slot::Shared(i) => Value::Text(self.book.strings.get(i).unwrap_or_default()),
            Slot::Text => Value::Text(&self.text),
            Slot::DateIso => Value::DateIso(&self.text),
            Slot::Bool(b) => Value::Bool(b),
            Slot::Error(e) => Value::Error(e),
        };
        Some((head.col0, value))
    }

    /// Reads a cell's children up to `</c>`: the last `<v>`, `<is>` or `<f>` gives the value.
    #[inline]
    fn cell_body(&mut self, head: Head) -> Result<Slot, Unsupported> {
        if let Some((raw, len)) = plain::cell_value(self.buf.get(self.pos..self.end).unwrap_or_default()) {
            self.pos = self.pos.saturating_add(len);
            let mut read = CellReader {
                book: self.book,
                text: &mut self.text,
                scratch: &mut self.scratch,
                head,
            };
            return read.value(raw);
        }
        if let Some((raw, len)) = plain::inline_text(self.buf.get(self.pos..self.end).unwrap_or_default()) {
            // As the general path reads `<is>`: text, whatever the cell's type says, read by
            // the same `CellReader::t_text` as each of its `<t>`.
            self.pos = self.pos.saturating_add(len);
            self.text.clear();
            let mut read = CellReader {
                book: self.book,
                text: &mut self.text,
                scratch: &mut self.scratch,
                head,
            };
            read.t_text(raw, false)?;
            return Ok(Slot::Text);
        }
        let len = loop {
            if let Some(i) = finders().cell_end.find(self.window()) {
                break i;
            }
            if !self.more()? {
                return Err(Unsupported);
            }
        };
        let body_from = self.pos;
        self.pos = self.pos.saturating_add(len).saturating_add(4);
        let body = self
            .buf
            .get(body_from..body_from.saturating_add(len))
            .ok_or(Unsupported)?;
        let mut read = CellReader {
            book: self.book,
            text: &mut self.text,
            scratch: &mut self.scratch,
            head,
        };
        // All of it UTF-8, skipped parts too (a formula): calamine's reader refuses it otherwise.
        text::utf8(body)?;
        text::references_ok(body)?;
        read.children(body)
    }
}

/// A value whose text, if any, is in the scanner's text buffer.
enum Slot {
    Empty,
    Number(f64),
    DateTime(ExcelDateTime),
    Shared(usize),
    Text,
    DateIso,
    Bool(bool),
    Error(CellErrorType),
}

/// Reads one cell's children (the bytes between its start tag and `</c>`).
struct CellReader<'r> {
    book: &'r Book,
    text: &'r mut String,
    /// Decoded text before Excel's escapes are replaced: reused from cell to cell.
    scratch: &'r mut String,
    head: Head,
}

impl CellReader<'_> {
    fn children(&mut self, mut body: &[u8]) -> Result<Slot, Unsupported> {
        let mut slot = Slot::Empty;
        loop {
            let Some((tag, after)) = next_child(body)? else {
                return Ok(slot);
            };
            let (name, _, empty) = split_tag(tag);
            body = match (name, empty) {
                (b"f", true) => {
                    slot = Slot::Empty;
                    after
                }
                (b"f", false) => {
                    slot = Slot::Empty;
                    let (_, rest) = text_until(after, b"</f>")?;
                    rest
                }
                (b"v", _) if tag == b"v" || tag == b"v/" => {
                    let (raw, rest) = if empty {
                        (&b""[..], after)
                    } else {
                        text_until(after, b"</v>")?
                    };
                    slot = self.value(raw)?;
                    rest
                }
                (b"is", _) if tag == b"is" || tag == b"is/" => {
                    self.text.clear();
                    let rest = if empty {
                        after
                    } else {
                        let end = finders().inline_end.find(after).ok_or(Unsupported)?;
                        self.inline(after.get(..end).ok_or(Unsupported)?)?;
                        after.get(end.saturating_add(5)..).ok_or(Unsupported)?
                    };
                    slot = Slot::Text;
                    rest
                }
                _ => return Err(Unsupported),
            };
        }
    }

    /// A `<v>`'s text read by the cell's type (calamine's `read_v`).
    fn value(&mut self, raw: &[u8]) -> Result<Slot, Unsupported> {
        let head = self.head;
        if raw.is_empty() && !matches!(head.typ, CellType::Str | CellType::Date | CellType::Other) {
            return Ok(Slot::Empty);
        }
        Ok(match head.typ {
            CellType::Inline => Slot::Empty,
            CellType::Shared => {
                let i = digits(raw, 10)?;
                usize::try_from(i)
                    .ok()
                    .filter(|&i| i < self.book.strings.len())
                    .map(Slot::Shared)
                    .ok_or(Unsupported)?
            }
            CellType::Number => {
                let n = number(raw)?;
                let kind = match head.format {
                    NumberKind::Other => return Ok(Slot::Number(n)),
                    NumberKind::DateTime => ExcelDateTimeType::DateTime,
                    NumberKind::TimeDelta => ExcelDateTimeType::TimeDelta,
                };
                Slot::DateTime(ExcelDateTime::new(n, kind, self.book.is_1904))
            }
            CellType::Bool => match raw {
                b"0" => Slot::Bool(false),
                b"1" => Slot::Bool(true),
                _ if raw.eq_ignore_ascii_case(b"false") => Slot::Bool(false),
                _ if raw.eq_ignore_ascii_case(b"true") => Slot::Bool(true),
                _ => return Err(Unsupported),
            },
            CellType::Error => {
                let s = std::str::from_utf8(raw).map_err(|_| Unsupported)?;
                if s.contains('&') {
                    return Err(Unsupported);
                }
                Slot::Error(s.parse().map_err(|_| Unsupported)?)
            }
            CellType::Str => {
                self.scratch.clear();
                decode_into(raw, self.scratch)?;
                self.text.clear();
                self.text.push_str(&unescape_excel(self.scratch));
                Slot::Text
            }
            CellType::Date => {
                self.text.clear();
                decode_into(raw, self.text)?;
                Slot::DateIso
            }
            CellType::Other => return Err(Unsupported),
        })
    }

    /// An `<is>` element's content: `<t>` elements only (rich runs are left to calamine).
    fn inline(&mut self, mut body: &[u8]) -> Result<(), Unsupported> {
        loop {
            let Some((tag, after)) = next_child(body)? else {
                return Ok(());
            };
            let (name, attrs, empty) = split_tag(tag);
            if name != b"t" {
                return Err(Unsupported);
            }
            if empty {
                body = after;
                continue;
            }
            let preserve = attr(attrs, b"xml:space")? == Some(b"preserve");
            let (raw, rest) = text_until(after, b"</t>")?;
            self.t_text(raw, preserve)?;
            body = rest;
        }
    }

    /// Appends a `<t>` element's raw text as calamine keeps it: decoded, then trimmed unless
    /// `preserve`, then Excel's escapes replaced.
    fn t_text(&mut self, raw: &[u8], preserve: bool) -> Result<(), Unsupported> {
        self.scratch.clear();
        decode_into(raw, self.scratch)?;
        push_t_text(self.scratch, preserve, self.text);
        Ok(())
    }
}

/// Searchers for the end tags of elements read whole, built once (building one per search was 3 %
/// of a workbook check).
struct Finders {
    cell_end: memchr::memmem::Finder<'static>,
    inline_end: memchr::memmem::Finder<'static>,
}

fn finders() -> &'static Finders {
    static FINDERS: std::sync::OnceLock<Finders> = std::sync::OnceLock::new();
    FINDERS.get_or_init(|| Finders {
        cell_end: memchr::memmem::Finder::new(b"</c>"),
        inline_end: memchr::memmem::Finder::new(b"</is>"),
    })
}

/// A tag's bytes and the bytes after it.
type TagAndRest<'b> = (&'b [u8], &'b [u8]);

/// The next child element's tag (between `<` and `>`) in an element's content read whole, and the
/// bytes after it; `None` when only whitespace is left. Text between children is unsupported.
fn next_child(body: &[u8]) -> Result<Option<TagAndRest<'_>>, Unsupported> {
    let Some(start) = body.iter().position(|&b| !is_space(b)) else {
        return Ok(None);
    };
    let rest = body.get(start..).ok_or(Unsupported)?;
    if rest.first() != Some(&b'<') {
        return Err(Unsupported);
    }
    let gt = tag_end(rest).ok_or(Unsupported)?;
    let tag = rest.get(1..gt).ok_or(Unsupported)?;
    check_tag(tag)?;
    Ok(Some((tag, rest.get(gt.saturating_add(1)..).ok_or(Unsupported)?)))
}

/// The text before `end` (which must come before any other tag), and what follows `end`.
fn text_until<'b>(bytes: &'b [u8], end: &[u8]) -> Result<(&'b [u8], &'b [u8]), Unsupported> {
    let lt = memchr::memchr(b'<', bytes).ok_or(Unsupported)?;
    let rest = bytes.get(lt..).ok_or(Unsupported)?;
    if !rest.starts_with(end) {
        return Err(Unsupported);
    }
    Ok((
        bytes.get(..lt).ok_or(Unsupported)?,
        rest.get(end.len()..).ok_or(Unsupported)?,
    ))
}

/// Decimal digits only, at most `max` of them.
fn digits(raw: &[u8], max: usize) -> Result<u64, Unsupported> {
    if raw.is_empty() || raw.len() > max || !raw.iter().all(u8::is_ascii_digit) {
        return Err(Unsupported);
    }
    Ok(raw.iter().fold(0u64, |n, &d| {
        n.saturating_mul(10).saturating_add(u64::from(d.saturating_sub(b'0')))
    }))
}

/// A style index as calamine reads it: digits, no leading zero.
fn style_index(raw: &[u8]) -> Result<usize, Unsupported> {
    if raw.len() > 1 && raw.first() == Some(&b'0') {
        return Err(Unsupported);
    }
    usize::try_from(digits(raw, 9)?).map_err(|_| Unsupported)
}

/// A number written as Excel writes one (`-12.5`, `1.5E-3`): any other spelling is left to
/// calamine, whose parser may accept more.
fn number(raw: &[u8]) -> Result<f64, Unsupported> {
    let mut i = 0usize;
    let at = |i: usize| raw.get(i).copied();
    let run = |mut i: usize| {
        let from = i;
        while at(i).is_some_and(|b| b.is_ascii_digit()) {
            i = i.saturating_add(1);
        }
        (i, i > from)
    };
    if at(i) == Some(b'-') {
        i = 1;
    }
    let (next, any) = run(i);
    if !any {
        return Err(Unsupported);
    }
    i = next;
    if at(i) == Some(b'.') {
        let (next, any) = run(i.saturating_add(1));
        if !any {
            return Err(Unsupported);
        }
        i = next;
    }
    if matches!(at(i), Some(b'e' | b'E')) {
        i = i.saturating_add(1);
        if matches!(at(i), Some(b'+' | b'-')) {
            i = i.saturating_add(1);
        }
        let (next, any) = run(i);
        if !any {
            return Err(Unsupported);
        }
        i = next;
    }
    if i != raw.len() || raw.len() > 64 {
        return Err(Unsupported);
    }
    std::str::from_utf8(raw)
        .ok()
        .and_then(|s| s.parse().ok())
        .ok_or(Unsupported)
}

/// `<?xml … encoding="UTF-8"?>`: another encoding is unsupported.
fn check_declaration(tag: &[u8]) -> Result<(), Unsupported> {
    let body = tag
        .strip_prefix(b"?xml")
        .and_then(|b| b.strip_suffix(b"?"))
        .ok_or(Unsupported)?;
    match attr(body, b"encoding")? {
        Some(enc) if !enc.eq_ignore_ascii_case(b"utf-8") => Err(Unsupported),
        _ => Ok(()),
    }
}

/// A `<dimension ref>` calamine reads without error: one or two cell references.
fn check_dimension(r: &[u8]) -> Result<(), Unsupported> {
    let mut parts = r.split(|&b| b == b':');
    let first = parts.next().ok_or(Unsupported)?;
    cell_ref(first)?;
    if let Some(second) = parts.next() {
        cell_ref(second)?;
    }
    match parts.next() {
        Some(_) => Err(Unsupported),
        None => Ok(()),
    }
}

/// Writes a one-sheet `.xlsx` package (sheet `Data`) with the given parts' XML, for the
/// differential tests and the fuzz target. `None` parts are left out of the package.
#[doc(hidden)]
pub fn write_package(
    path: &Path,
    sheet_xml: &[u8],
    shared_strings: Option<&[u8]>,
    styles: Option<&[u8]>,
    date1904: bool,
) -> std::io::Result<()> {
    use std::io::Write;
    let file = std::fs::File::create(path)?;
    let mut zip = zip::ZipWriter::new(file);
    let options = zip::write::SimpleFileOptions::default();
    let pr = if date1904 { r#"<workbookPr date1904="1"/>"# } else { "" };
    let workbook = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">{pr}<sheets><sheet name="Data" sheetId="1" r:id="rId1"/></sheets></workbook>"#
    );
    let parts: [(&str, &[u8]); 4] = [
        (
            "[Content_Types].xml",
            br#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#,
        ),
        (
            "_rels/.rels",
            br#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
        ),
        ("xl/workbook.xml", workbook.as_bytes()),
        (
            "xl/_rels/workbook.xml.rels",
            br#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#,
        ),
    ];
    for (name, bytes) in parts {
        zip.start_file(name, options).map_err(std::io::Error::other)?;
        zip.write_all(bytes)?;
    }
    let optional = [("xl/sharedStrings.xml", shared_strings), ("xl/styles.xml", styles)];
    for (name, bytes) in optional {
        if let Some(bytes) = bytes {
            zip.start_file(name, options).map_err(std::io::Error::other)?;
            zip.write_all(bytes)?;
        }
    }
    zip.start_file("xl/worksheets/sheet1.xml", options)
        .map_err(std::io::Error::other)?;
    zip.write_all(sheet_xml)?;
    zip.finish().map_err(std::io::Error::other)?;
    Ok(())
}

#[cfg(test)]
mod tests;
