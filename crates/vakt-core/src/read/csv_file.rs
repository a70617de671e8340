//! CSV files: encoding and delimiter detection, then streaming records with their physical lines.
//!
//! Norwegian Excel saves "CSV" as Windows-1252 with `;` and decimal commas; other tools write UTF-8,
//! with or without a BOM, separated by commas or tabs. The first mebibyte decides: a BOM wins; valid
//! UTF-8 is UTF-8; anything else is Windows-1252. A field that is not valid UTF-8 in a file sniffed as
//! UTF-8 is decoded as Windows-1252 rather than rejected, since mixed files are common.

use super::limits::{MAX_COLUMNS, MAX_CSV_LINES, MAX_CSV_RECORD_BYTES};
use super::{cap_cell, CellKind, Notice, ReadError, RowBuf, RowSource};
use crate::i18n::T;
use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, WINDOWS_1252};
use std::fs::File;
use std::io::{Cursor, Read};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::Arc;

const SNIFF_BYTES: usize = 1 << 20;

/// The text encoding chosen for a CSV file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CsvEncoding {
    /// UTF-8.
    Utf8,
    /// UTF-8 with a byte-order mark.
    Utf8Bom,
    /// Windows-1252, as old Excel saves "CSV" on Norwegian Windows.
    Windows1252,
    /// UTF-16 with a byte-order mark, as Excel's "Unicode text".
    Utf16,
}

/// Refuses a file that is not text: a zip or gzip archive, a workbook or a PDF named `.csv`, or
/// anything with NUL bytes that is not UTF-16.
pub fn refuse_binary(shown: &str, path: &Path) -> Result<(), ReadError> {
    let mut head = Vec::with_capacity(8192);
    File::open(path)
        .and_then(|f| f.take(8192).read_to_end(&mut head))
        .map_err(|e| ReadError::Open {
            file: shown.to_string(),
            reason: e.to_string(),
        })?;
    let what = if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
        Some("a zip archive (an .xlsx or .ods workbook renamed?)")
    } else if head.starts_with(&[0x1f, 0x8b]) {
        Some("a gzip archive")
    } else if head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        Some("an old Excel workbook (.xls) renamed")
    } else if head.starts_with(b"%PDF") {
        Some("a PDF document")
    } else if !matches!(sniff_encoding(&head), CsvEncoding::Utf16) && head.contains(&0) {
        Some("binary data")
    } else {
        None
    };
    match what {
        Some(what) => Err(ReadError::NotText {
            file: shown.to_string(),
            what,
        }),
        None => Ok(()),
    }
}

/// Counters shared between the byte stream and the record reader.
#[derive(Debug, Default)]
struct Tally {
    /// Bytes since the last record ended.
    since_record: AtomicU64,
    /// Line feeds seen.
    lines: AtomicU64,
    /// Double quotes seen.
    quotes: AtomicU64,
}

/// Rows of one CSV file.
pub struct CsvRows {
    file: String,
    reader: csv::Reader<Box<dyn Read + Send>>,
    /// The record buffer, kept between rows (taken while a row is copied out, so that making an
    /// empty one, an allocation, is not done per row).
    record: Option<csv::ByteRecord>,
    encoding: CsvEncoding,
    /// The field separator found: `,`, `;` or tab.
    pub delimiter: u8,
    tally: Arc<Tally>,
    notices: Vec<Notice>,
    /// The start line of the last record, and whether it spanned lines.
    last_record: (u64, bool),
    cut_cells: u64,
    cut_fields: u64,
    foreign_bytes: bool,
    /// The last line read ([`MAX_CSV_LINES`]; smaller in tests).
    last_line: u64,
}

impl CsvRows {
    /// Opens a CSV file, choosing its encoding and separator; `shown` names it in errors.
    pub fn open(shown: &str, path: &Path) -> Result<CsvRows, ReadError> {
        let open_err = |e: std::io::Error| ReadError::Open {
            file: shown.to_string(),
            reason: e.to_string(),
        };
        if !std::fs::metadata(path).map_err(open_err)?.is_file() {
            return Err(open_err(std::io::Error::other(
                "not a regular file (a pipe or a device)",
            )));
        }
        let mut file = File::open(path).map_err(open_err)?;
        let mut head = Vec::with_capacity(64 * 1024);
        (&mut file)
            .take(SNIFF_BYTES as u64)
            .read_to_end(&mut head)
            .map_err(open_err)?;
        let (encoding, first_bad) = sniff_encoding_at(&head);
        let cr_only = memchr::memchr(b'\r', &head).is_some() && memchr::memchr(b'\n', &head).is_none();
        let mut notices = Vec::new();
        match (encoding, first_bad) {
            (CsvEncoding::Utf8, Some(line)) => notices.push(Notice {
                row: Some(line),
                col: None,
                limit: false,
                message: T::MostlyUtf8.say(&[("line", &line)]),
            }),
            (CsvEncoding::Windows1252, _) => notices.push(Notice {
                row: None,
                col: None,
                limit: false,
                message: T::ReadAs1252.say(&[]),
            }),
            _ => {}
        }
        let rest: Box<dyn Read + Send> = Box::new(Cursor::new(head).chain(file));
        let (stream, encoding): (Box<dyn Read + Send>, CsvEncoding) = match encoding {
            CsvEncoding::Utf16 => {
                let dec = encoding_rs_io::DecodeReaderBytesBuilder::new()
                    .bom_sniffing(true)
                    .build(rest);
                (Box::new(dec), CsvEncoding::Utf16)
            }
            CsvEncoding::Utf8Bom => {
                let mut r = rest;
                let mut bom = [0u8; 3];
                r.read_exact(&mut bom).map_err(open_err)?;
                (r, CsvEncoding::Utf8Bom)
            }
            other => (rest, other),
        };
        let tally = Arc::new(Tally::default());
        let mut stream = std::io::BufReader::with_capacity(256 * 1024, CrLf::new(stream, tally.clone(), cr_only));
        // Peek at the (decoded) start to choose the delimiter without consuming it.
        let delimiter = {
            use std::io::BufRead;
            let buf = stream.fill_buf().map_err(open_err)?;
            sniff_delimiter(buf)
        };
        let reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter)
            .buffer_capacity(256 * 1024)
            .from_reader(Box::new(stream) as Box<dyn Read + Send>);
        Ok(CsvRows {
            file: shown.to_string(),
            reader,
            record: Some(csv::ByteRecord::new()),
            encoding,
            delimiter,
            tally,
            notices,
            last_record: (0, false),
            cut_cells: 0,
            cut_fields: 0,
            foreign_bytes: first_bad.is_some(),
            last_line: MAX_CSV_LINES,
        })
    }

    /// The encoding chosen.
    pub fn encoding(&self) -> CsvEncoding {
        self.encoding
    }

    /// At the end of the file: a quote that was opened and never closed swallowed the rest.
    fn end_of_file(&mut self) {
        let (start, spans) = self.last_record;
        if spans && self.tally.quotes.load(Relaxed) % 2 == 1 {
            let lines = self.tally.lines.load(Relaxed).saturating_add(1);
            self.notices.push(Notice {
                row: Some(start),
                col: None,
                limit: true,
                message: T::QuoteNeverClosed.say(&[
                    ("start", &start),
                    ("lines", &lines.saturating_sub(start).saturating_add(1)),
                ]),
            });
        }
    }

    fn note_once(&mut self, seen: u64, notice: Notice) {
        if seen == 1 {
            self.notices.push(notice);
        }
    }
}

impl RowSource for CsvRows {
    fn next_row(&mut self, buf: &mut RowBuf) -> Result<bool, ReadError> {
        let mut record = self.record.take().unwrap_or_default();
        let more = self.reader.read_byte_record(&mut record).map_err(|e| ReadError::Rows {
            file: self.file.clone(),
            sheet: None,
            row: e.position().map(|p| p.line()),
            reason: e.to_string(),
        })?;
        self.tally.since_record.store(0, Relaxed);
        if !more {
            self.end_of_file();
            return Ok(false);
        }
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        if line > self.last_line {
            // Rules remember rows in 32 bits: reading stops here, as a sheet stops at its last row.
            self.notices.push(Notice {
                row: None,
                col: None,
                limit: true,
                message: T::PastLastRow.say(&[("max", &self.last_line)]),
            });
            return Ok(false);
        }
        // One search over the fields end to end, not one a field (2 % of a whole return's
        // instructions, stop 44).
        self.last_record = (line, record.as_slice().contains(&b'\n'));
        buf.clear(line);
        buf.record = record.position().map_or(0, |p| p.record().saturating_add(1));
        let cp1252 = self.encoding == CsvEncoding::Windows1252;
        // The record's fields end to end, checked as UTF-8 once rather than field by field. A
        // field is its slice of that text when it starts and ends on a character boundary (it is
        // then valid UTF-8 itself); otherwise it is checked on its own below.
        let whole = (!cp1252 || record.as_slice().is_ascii())
            .then(|| std::str::from_utf8(record.as_slice()).ok())
            .flatten();
        for (col, field) in record.iter().enumerate() {
            if col >= MAX_COLUMNS as usize {
                self.cut_fields = self.cut_fields.saturating_add(1);
                let notice = Notice {
                    row: Some(line),
                    col: None,
                    limit: true,
                    message: T::PastLastField.say(&[("max", &MAX_COLUMNS)]),
                };
                self.note_once(self.cut_fields, notice);
                break;
            }
            if field.is_empty() {
                buf.push(CellKind::Empty, "");
                continue;
            }
            let checked = whole.and_then(|w| record.range(col).and_then(|r| w.get(r)));
            let cut = match checked.map_or_else(|| std::str::from_utf8(field), Ok) {
                Ok(s) if !cp1252 || s.is_ascii() => push_capped(buf, s),
                decoded => {
                    if decoded.is_err() && !cp1252 && !self.foreign_bytes {
                        self.foreign_bytes = true;
                        self.notices.push(Notice {
                            row: Some(line),
                            col: Some(col as u32),
                            limit: false,
                            message: T::StrayBytes.say(&[("line", &line)]),
                        });
                    }
                    let mut text = String::new();
                    decode_into(WINDOWS_1252, field, &mut text);
                    push_capped(buf, &text)
                }
            };
            if cut {
                self.cut_cells = self.cut_cells.saturating_add(1);
                let notice = Notice {
                    row: Some(line),
                    col: Some(col as u32),
                    limit: true,
                    message: T::ValueCut.say(&[("max", &super::limits::MAX_CELL_CHARS)]),
                };
                self.note_once(self.cut_cells, notice);
            }
        }
        self.record = Some(record);
        Ok(true)
    }

    fn notices(&mut self) -> Vec<Notice> {
        std::mem::take(&mut self.notices)
    }
}

/// Pushes a text cell cut to a cell's maximum; says whether it was cut.
fn push_capped(buf: &mut RowBuf, s: &str) -> bool {
    let (s, cut) = cap_cell(s);
    buf.push(CellKind::Text, s);
    cut
}

/// Turns `\r\n` that ends a record into `\n` (a lone `\r` stays; a `\r\n` inside a quoted field is
/// data and is kept as written), and counts lines and quotes. The csv crate ends a
/// record at the `\r` and counts the `\n` into the next record's start line, so without this every
/// CRLF line number would lag by one. A record longer than [`MAX_CSV_RECORD_BYTES`] stops the read:
/// a stray quote must not pull a whole file into one field in memory.
struct CrLf<R> {
    inner: R,
    held_cr: bool,
    tally: Arc<Tally>,
    /// The file ends its lines with `\r` alone (old Mac "CSV"): each lone `\r` is a line end.
    cr_only: bool,
    /// Inside a quoted field (an odd number of `"` so far).
    in_quotes: bool,
}

impl<R: Read> CrLf<R> {
    fn new(inner: R, tally: Arc<Tally>, cr_only: bool) -> Self {
        CrLf {
            inner,
            held_cr: false,
            tally,
            cr_only,
            in_quotes: false,
        }
    }

    fn count(&self, bytes: &[u8]) -> std::io::Result<()> {
        let t = &self.tally;
        t.lines
            .fetch_add(memchr::memchr_iter(b'\n', bytes).count() as u64, Relaxed);
        t.quotes
            .fetch_add(memchr::memchr_iter(b'"', bytes).count() as u64, Relaxed);
        let len = bytes.len() as u64;
        let since = t.since_record.fetch_add(len, Relaxed).saturating_add(len);
        if since > MAX_CSV_RECORD_BYTES {
            return Err(std::io::Error::other(format!(
                "a record longer than {} MiB (a quote never closed?)",
                MAX_CSV_RECORD_BYTES >> 20
            )));
        }
        Ok(())
    }
}

impl<R: Read> Read for CrLf<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let n = self.read_inner(out)?;
        self.count(out.get(..n).unwrap_or(&[]))?;
        Ok(n)
    }
}

impl<R: Read> CrLf<R> {
    fn read_inner(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if out.is_empty() {
            return Ok(0);
        }
        loop {
            let Some((first, rest)) = out.split_first_mut() else {
                return Ok(0);
            };
            if self.held_cr {
                *first = b'\r';
                if rest.is_empty() {
                    // No room to look ahead (BufReader never asks for one byte): emit it as it is.
                    self.held_cr = false;
                    if self.cr_only {
                        *first = b'\n';
                    }
                    return Ok(1);
                }
            }
            let start = usize::from(self.held_cr);
            let target = if self.held_cr { rest } else { &mut *out };
            let n = self.inner.read(target)?;
            if n == 0 {
                // End of input: a held `\r` is emitted as it is (a line end in a CR-only file).
                let had = self.held_cr;
                self.held_cr = false;
                if had && self.cr_only {
                    if let Some(b) = out.first_mut() {
                        *b = b'\n';
                    }
                }
                return Ok(usize::from(had));
            }
            let filled = out.get_mut(..start.saturating_add(n)).unwrap_or_default();
            // Files with Unix line ends (most) have nothing to do here.
            if !self.held_cr && memchr::memchr(b'\r', filled).is_none() {
                self.in_quotes ^= memchr::memchr_iter(b'"', filled).count() % 2 == 1;
                return Ok(filled.len());
            }
            let (w, held) = drop_cr_before_lf(filled, self.cr_only, &mut self.in_quotes);
            self.held_cr = held;
            if w > 0 {
                return Ok(w);
            }
        }
    }
}

/// Removes every `\r` followed by `\n` in place outside quoted fields (and, with `cr_only`,
/// turns a lone `\r` into `\n`); returns the new length, and whether the last byte is a `\r`
/// held back to be decided with the next read. `in_quotes` carries the quoting across reads.
fn drop_cr_before_lf(buf: &mut [u8], cr_only: bool, in_quotes: &mut bool) -> (usize, bool) {
    let len = buf.len();
    let (mut w, mut r) = (0usize, 0usize);
    while let Some(&b) = buf.get(r) {
        let next = r.saturating_add(1);
        if b == b'"' {
            *in_quotes = !*in_quotes;
        }
        if b == b'\r' {
            match buf.get(next) {
                None => return (w, true),
                Some(b'\n') if !*in_quotes => {
                    r = next;
                    continue;
                }
                _ => {}
            }
        }
        let lone = buf.get(next) != Some(&b'\n');
        let b = if b == b'\r' && cr_only && lone { b'\n' } else { b };
        // w <= r: writing back never overtakes reading.
        if let Some(slot) = buf.get_mut(w) {
            *slot = b;
        }
        w = w.saturating_add(1);
        r = next;
    }
    debug_assert!(w <= len);
    (w, false)
}

fn decode_into(enc: &'static Encoding, bytes: &[u8], out: &mut String) {
    let mut decoder = enc.new_decoder_without_bom_handling();
    if let Some(max) = decoder.max_utf8_buffer_length(bytes.len()) {
        out.reserve(max);
    }
    let _ = decoder.decode_to_string(bytes, out, true);
}

/// Chooses the encoding from the first bytes of a file, and the line of the first byte that is not
/// UTF-8 in a file read as UTF-8. Valid UTF-8 is UTF-8; so is text whose non-ASCII characters are
/// mostly valid UTF-8 with a stray byte or two (one bad byte must not turn a whole file to
/// mojibake); otherwise Windows-1252.
fn sniff_encoding_at(head: &[u8]) -> (CsvEncoding, Option<u64>) {
    let enc = sniff_encoding(head);
    if enc != CsvEncoding::Windows1252 {
        return (enc, None);
    }
    let (mut valid_multibyte, mut invalid, mut first_bad) = (0usize, 0usize, None);
    let mut rest = head;
    loop {
        match std::str::from_utf8(rest) {
            Ok(s) => {
                valid_multibyte = valid_multibyte.saturating_add(s.chars().filter(|c| !c.is_ascii()).count());
                break;
            }
            Err(e) => {
                let (ok, after) = rest.split_at(e.valid_up_to());
                let multibyte = std::str::from_utf8(ok).map_or(0, |s| s.chars().filter(|c| !c.is_ascii()).count());
                valid_multibyte = valid_multibyte.saturating_add(multibyte);
                let Some(bad) = e.error_len() else { break };
                invalid = invalid.saturating_add(1);
                if first_bad.is_none() {
                    let before = head.get(..head.len().saturating_sub(after.len())).unwrap_or_default();
                    first_bad = Some((memchr::memchr_iter(b'\n', before).count() as u64).saturating_add(1));
                }
                rest = after.get(bad..).unwrap_or_default();
            }
        }
    }
    if valid_multibyte > invalid {
        (CsvEncoding::Utf8, first_bad)
    } else {
        (CsvEncoding::Windows1252, None)
    }
}

/// Chooses the encoding from the first bytes of a file.
pub fn sniff_encoding(head: &[u8]) -> CsvEncoding {
    if head.starts_with(&[0xEF, 0xBB, 0xBF]) {
        return CsvEncoding::Utf8Bom;
    }
    if Encoding::for_bom(head).is_some_and(|(e, _)| e == UTF_16LE || e == UTF_16BE) {
        return CsvEncoding::Utf16;
    }
    match std::str::from_utf8(head) {
        Ok(_) => CsvEncoding::Utf8,
        // Cut in the middle of a character at the end of the sniffed block: still UTF-8.
        Err(e) if e.error_len().is_none() => CsvEncoding::Utf8,
        Err(_) => CsvEncoding::Windows1252,
    }
}

/// Chooses `;`, tab, `,` or `|`: the candidate that splits the first lines most consistently, preferring
/// more fields. Separators inside double quotes do not count.
pub fn sniff_delimiter(head: &[u8]) -> u8 {
    const CANDIDATES: [u8; 4] = [b';', b'\t', b',', b'|'];
    let lines: Vec<&[u8]> = head
        .split(|&b| b == b'\n')
        .filter(|l| !l.iter().all(|b| b.is_ascii_whitespace()))
        .take(20)
        .collect();
    let mut best = (b',', 0usize, 0usize);
    for &d in &CANDIDATES {
        let counts: Vec<usize> = lines.iter().map(|l| count_unquoted(l, d)).collect();
        let max = counts.iter().copied().max().unwrap_or(0);
        if max == 0 {
            continue;
        }
        // How many lines agree with the most common non-zero count.
        let mut mode = (0usize, 0usize);
        for &c in counts.iter().filter(|&&c| c > 0) {
            let n = counts.iter().filter(|&&x| x == c).count();
            if n > mode.1 || (n == mode.1 && c > mode.0) {
                mode = (c, n);
            }
        }
        if (mode.1, mode.0) > (best.2, best.1) {
            best = (d, mode.0, mode.1);
        }
    }
    best.0
}

fn count_unquoted(line: &[u8], d: u8) -> usize {
    let mut quoted = false;
    let mut n = 0usize;
    for &b in line {
        if b == b'"' {
            quoted = !quoted;
        } else if b == d && !quoted {
            n = n.saturating_add(1);
        }
    }
    n
}

#[cfg(test)]
#[allow(
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    reason = "tests may panic"
)]
mod tests {
    use super::*;
    use crate::read::ThreadedRows;

    #[test]
    fn threaded_rows_match_direct_rows() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.csv");
        let mut text = String::from("a;b\n");
        for i in 0..2000 {
            text.push_str(&format!("{i};\"x\ny{i}\"\n"));
        }
        std::fs::write(&path, text).unwrap();
        let mut direct = CsvRows::open("big.csv", &path).unwrap();
        let mut threaded = ThreadedRows::spawn("big.csv", CsvRows::open("big.csv", &path).unwrap());
        let (mut a, mut b) = (RowBuf::default(), RowBuf::default());
        let mut n = 0;
        while direct.next_row(&mut a).unwrap() {
            assert!(threaded.next_row(&mut b).unwrap());
            assert_eq!((a.row, a.get(1).text), (b.row, b.get(1).text));
            n += 1;
        }
        assert!(!threaded.next_row(&mut b).unwrap());
        assert_eq!(n, 2001);
    }

    #[test]
    fn encoding_sniffing() {
        assert_eq!(sniff_encoding(b"\xEF\xBB\xBFa;b"), CsvEncoding::Utf8Bom);
        assert_eq!(sniff_encoding("Kjønn;År".as_bytes()), CsvEncoding::Utf8);
        assert_eq!(sniff_encoding(b"Kj\xf8nn;\xc5r"), CsvEncoding::Windows1252);
        assert_eq!(sniff_encoding(b"\xFF\xFEa\x00"), CsvEncoding::Utf16);
        // A multi-byte character cut at the end of the sniffed block is still UTF-8.
        assert_eq!(sniff_encoding(&"aø".as_bytes()[..2]), CsvEncoding::Utf8);
    }

    #[test]
    fn delimiter_sniffing() {
        assert_eq!(sniff_delimiter(b"a;b;c\n1;2,5;3\n"), b';');
        assert_eq!(sniff_delimiter(b"a,b,c\n1,2,3\n"), b',');
        assert_eq!(sniff_delimiter(b"a\tb\tc\n1\t2\t3\n"), b'\t');
        assert_eq!(sniff_delimiter(b"\"a;x\",b,c\n1,2,3\n"), b',');
        // Decimal commas in a semicolon file do not win.
        assert_eq!(sniff_delimiter(b"id;min;h\n1;1,5;2,5\n2;1,5;2\n"), b';');
    }

    /// A record that is valid UTF-8 end to end can still hold fields that are not: here `ø`'s two
    /// bytes are split between two fields. Each such field is read as a field with a stray byte,
    /// as it would be alone, and the rest of the record as UTF-8.
    #[test]
    fn a_character_split_between_fields_is_two_stray_bytes() {
        let (_dir, mut rows) = opened("split.csv", b"\xEF\xBB\xBFa,b,c\nx\xC3,\xB8y,\xC3\xB8\n");
        assert_eq!(rows.encoding(), CsvEncoding::Utf8Bom);
        let mut buf = RowBuf::default();
        assert!(rows.next_row(&mut buf).unwrap());
        assert!(rows.next_row(&mut buf).unwrap());
        assert_eq!((buf.get(0).text, buf.get(1).text, buf.get(2).text), ("xÃ", "¸y", "ø"));
        let notices = rows.notices();
        assert_eq!(notices.len(), 1, "{notices:?}");
        assert_eq!((notices[0].row, notices[0].col), (Some(2), Some(0)));
    }

    #[test]
    fn windows_1252_fields_decode_and_lines_are_physical() {
        let (_dir, mut rows) = opened("grupper.csv", b"Gruppe-ID;Kj\xf8nn\n\"G1\nx\";\xc6\xd8\xc5\nG2;b\n");
        assert_eq!(rows.encoding(), CsvEncoding::Windows1252);
        let mut buf = RowBuf::default();
        assert!(rows.next_row(&mut buf).unwrap());
        assert_eq!(buf.get(1).text, "Kjønn");
        assert!(rows.next_row(&mut buf).unwrap());
        assert_eq!(buf.row, 2);
        assert_eq!(buf.get(0).text, "G1\nx");
        assert_eq!(buf.get(1).text, "ÆØÅ");
        assert!(rows.next_row(&mut buf).unwrap());
        assert_eq!(buf.row, 4, "a quoted field spanning lines moves the next record's line");
        assert!(!rows.next_row(&mut buf).unwrap());
    }
}

/// `bytes` written to a CSV file in a temporary folder (kept while the reader lives), opened.
#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests may panic")]
fn opened(name: &str, bytes: &[u8]) -> (tempfile::TempDir, CsvRows) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    let rows = CsvRows::open(name, &path).unwrap();
    (dir, rows)
}

/// The line of each record a reader gives, to its end.
#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests may panic")]
fn record_lines(rows: &mut CsvRows) -> Vec<u64> {
    let mut buf = RowBuf::default();
    let mut lines = Vec::new();
    while rows.next_row(&mut buf).unwrap() {
        lines.push(buf.row);
    }
    lines
}

#[cfg(test)]
#[allow(
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    reason = "tests may panic"
)]
mod crlf_tests {
    use super::*;

    #[test]
    fn crlf_lines_are_physical() {
        let (_dir, mut rows) = opened("g.csv", b"a;b\r\n1;\"x\r\ny\"\r\n2;z\r\n");
        assert_eq!(record_lines(&mut rows), vec![1, 2, 4]);
    }

    #[test]
    fn reading_stops_past_the_last_line_with_a_notice() {
        // The third record starts on line 4, past a last line of 3: a quoted field spans 2-3.
        let (_dir, mut rows) = opened("g.csv", b"a;b\n1;\"x\ny\"\n2;z\n3;w\n");
        assert_eq!(rows.last_line, u64::from(u32::MAX));
        rows.last_line = 3;
        assert_eq!(record_lines(&mut rows), vec![1, 2]);
        let notices = rows.notices();
        assert_eq!(notices.len(), 1, "one notice, however many lines follow");
        assert!(notices[0].limit);
        assert_eq!(notices[0].message.en, "rows past row 3 are not read");
    }

    /// Hands out at most `step` bytes per read, as pipes and slow disks do.
    struct Trickle<'a>(&'a [u8], usize);
    impl Read for Trickle<'_> {
        fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
            let n = self.0.len().min(self.1).min(out.len());
            out[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    /// The oracle, one character at a time: CR LF outside quotes becomes LF; inside quotes it is
    /// data; with `cr_only` every other CR becomes LF.
    fn line_ends_outside_quotes(input: &str, cr_only: bool) -> String {
        let chars: Vec<char> = input.chars().collect();
        let (mut out, mut quoted) = (String::new(), false);
        for (i, &c) in chars.iter().enumerate() {
            quoted ^= c == '"';
            let crlf = c == '\r' && chars.get(i + 1) == Some(&'\n');
            match c {
                '\r' if crlf && !quoted => {}
                '\r' if !crlf && cr_only => out.push('\n'),
                c => out.push(c),
            }
        }
        out
    }

    #[test]
    fn a_crlf_inside_a_quoted_field_is_kept_as_written() {
        let (_dir, mut rows) = opened("g.csv", b"a;b\r\n1;\"x\r\ny\"\r\n2;z\r\n");
        let mut buf = RowBuf::default();
        let mut seen = Vec::new();
        while rows.next_row(&mut buf).unwrap() {
            seen.push((buf.row, buf.get(1).text.to_string()));
        }
        assert_eq!(seen[1], (2, "x\r\ny".to_string()));
        assert_eq!(seen[2], (4, "z".to_string()));
    }

    #[test]
    fn crlf_becomes_lf_whatever_the_read_sizes() {
        // Every string of up to 6 bytes over {a, CR, LF}, read in steps of 1 to 3 bytes into
        // buffers of 2 to 5: the same as replacing each CR LF by LF. (A one-byte buffer cannot
        // look ahead and passes CR through; the BufReader in front asks for 256 KiB.)
        let alphabet = ['a', '\r', '\n', '"'];
        let mut inputs = vec![String::new()];
        let mut last = vec![String::new()];
        for _ in 0..6 {
            last = last
                .iter()
                .flat_map(|s| alphabet.iter().map(move |c| format!("{s}{c}")))
                .collect();
            inputs.extend(last.iter().cloned());
        }
        // In a CR-only file every remaining lone CR is a line end too.
        for (input, cr_only) in inputs.iter().flat_map(|i| [(i, false), (i, true)]) {
            let expected = line_ends_outside_quotes(input, cr_only);
            for step in 1..=3 {
                for size in 2..=5 {
                    let mut r = CrLf::new(Trickle(input.as_bytes(), step), Arc::new(Tally::default()), cr_only);
                    let mut got = Vec::new();
                    let mut buf = vec![0u8; size];
                    loop {
                        let n = r.read(&mut buf).unwrap();
                        if n == 0 {
                            break;
                        }
                        got.extend_from_slice(&buf[..n]);
                    }
                    assert_eq!(
                        String::from_utf8(got).unwrap(),
                        expected,
                        "{input:?} step {step} size {size} cr_only {cr_only}"
                    );
                }
            }
        }
    }
}
