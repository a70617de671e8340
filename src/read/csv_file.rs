//! CSV files: encoding and delimiter detection, then streaming records with their physical lines.
//!
//! Norwegian Excel saves "CSV" as Windows-1252 with `;` and decimal commas; other tools write UTF-8,
//! with or without a BOM, separated by commas or tabs. The first mebibyte decides: a BOM wins; valid
//! UTF-8 is UTF-8; anything else is Windows-1252. A field that is not valid UTF-8 in a file sniffed as
//! UTF-8 is decoded as Windows-1252 rather than rejected, since mixed files are common.

use super::{CellKind, ReadError, RowBuf, RowSource};
use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, WINDOWS_1252};
use std::fs::File;
use std::io::{Cursor, Read};
use std::path::Path;

const SNIFF_BYTES: usize = 1 << 20;

/// The text encoding chosen for a CSV file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CsvEncoding {
    Utf8,
    Utf8Bom,
    Windows1252,
    Utf16,
}

/// Rows of one CSV file.
pub struct CsvRows {
    file: String,
    reader: csv::Reader<Box<dyn Read + Send>>,
    record: csv::ByteRecord,
    encoding: CsvEncoding,
    pub delimiter: u8,
}

impl CsvRows {
    pub fn open(shown: &str, path: &Path) -> Result<CsvRows, ReadError> {
        let open_err = |e: std::io::Error| ReadError::Open {
            file: shown.to_string(),
            reason: e.to_string(),
        };
        let mut file = File::open(path).map_err(open_err)?;
        let mut head = Vec::with_capacity(64 * 1024);
        (&mut file)
            .take(SNIFF_BYTES as u64)
            .read_to_end(&mut head)
            .map_err(open_err)?;
        let encoding = sniff_encoding(&head);
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
        let mut stream = std::io::BufReader::with_capacity(256 * 1024, CrLf::new(stream));
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
            record: csv::ByteRecord::new(),
            encoding,
            delimiter,
        })
    }

    pub fn encoding(&self) -> CsvEncoding {
        self.encoding
    }
}

impl RowSource for CsvRows {
    fn next_row(&mut self, buf: &mut RowBuf) -> Result<bool, ReadError> {
        let more = self
            .reader
            .read_byte_record(&mut self.record)
            .map_err(|e| ReadError::Rows {
                file: self.file.clone(),
                sheet: None,
                row: e.position().map(|p| p.line()),
                reason: e.to_string(),
            })?;
        if !more {
            return Ok(false);
        }
        let line = self.record.position().map(|p| p.line()).unwrap_or(0);
        buf.clear(line);
        let cp1252 = self.encoding == CsvEncoding::Windows1252;
        for field in self.record.iter() {
            if field.is_empty() {
                buf.push(CellKind::Empty, "");
                continue;
            }
            match (cp1252, std::str::from_utf8(field)) {
                (false, Ok(s)) => buf.push(CellKind::Text, s),
                (true, Ok(s)) if field.is_ascii() => buf.push(CellKind::Text, s),
                _ => buf.push_with(CellKind::Text, |out| decode_into(WINDOWS_1252, field, out)),
            }
        }
        Ok(true)
    }
}

/// Turns `\r\n` into `\n` (a lone `\r` stays). The csv crate ends a record at the `\r` and counts the
/// `\n` into the next record's start line, so without this every CRLF line number would lag by one.
struct CrLf<R> {
    inner: R,
    held_cr: bool,
}

impl<R: Read> CrLf<R> {
    fn new(inner: R) -> Self {
        CrLf { inner, held_cr: false }
    }
}

impl<R: Read> Read for CrLf<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if out.is_empty() {
            return Ok(0);
        }
        loop {
            if self.held_cr && out.len() == 1 {
                // No room to look ahead (BufReader never asks for one byte): emit the `\r` as it is.
                self.held_cr = false;
                out[0] = b'\r';
                return Ok(1);
            }
            let start = usize::from(self.held_cr);
            if self.held_cr {
                out[0] = b'\r';
            }
            let n = self.inner.read(&mut out[start..])?;
            if n == 0 {
                // End of input: a held `\r` is emitted as it is.
                let had = self.held_cr;
                self.held_cr = false;
                return Ok(usize::from(had));
            }
            let len = start + n;
            // Files with Unix line ends (most) have nothing to do here.
            if !self.held_cr && memchr::memchr(b'\r', &out[..len]).is_none() {
                return Ok(len);
            }
            let mut w = 0;
            let mut r = 0;
            while r < len {
                let b = out[r];
                if b == b'\r' {
                    if r + 1 == len {
                        break; // decide with the next read
                    }
                    if out[r + 1] == b'\n' {
                        r += 1;
                        continue;
                    }
                }
                out[w] = b;
                w += 1;
                r += 1;
            }
            self.held_cr = r < len;
            if w > 0 {
                return Ok(w);
            }
        }
    }
}

fn decode_into(enc: &'static Encoding, bytes: &[u8], out: &mut String) {
    let mut decoder = enc.new_decoder_without_bom_handling();
    if let Some(max) = decoder.max_utf8_buffer_length(bytes.len()) {
        out.reserve(max);
    }
    let _ = decoder.decode_to_string(bytes, out, true);
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

/// Chooses `;`, `,` or tab: the candidate that splits the first lines most consistently, preferring
/// more fields. Separators inside double quotes do not count.
pub fn sniff_delimiter(head: &[u8]) -> u8 {
    const CANDIDATES: [u8; 3] = [b';', b'\t', b','];
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
    let mut n = 0;
    for &b in line {
        if b == b'"' {
            quoted = !quoted;
        } else if b == d && !quoted {
            n += 1;
        }
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn windows_1252_fields_decode_and_lines_are_physical() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("grupper.csv");
        std::fs::write(&path, b"Gruppe-ID;Kj\xf8nn\n\"G1\nx\";\xc6\xd8\xc5\nG2;b\n").unwrap();
        let mut rows = CsvRows::open("grupper.csv", &path).unwrap();
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

#[cfg(test)]
mod crlf_tests {
    use super::*;

    #[test]
    fn crlf_lines_are_physical() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("g.csv");
        std::fs::write(&path, b"a;b\r\n1;\"x\r\ny\"\r\n2;z\r\n").unwrap();
        let mut rows = CsvRows::open("g.csv", &path).unwrap();
        let mut buf = RowBuf::default();
        let mut lines = Vec::new();
        while rows.next_row(&mut buf).unwrap() {
            lines.push(buf.row);
        }
        assert_eq!(lines, vec![1, 2, 4]);
    }
}

/// Rows of a CSV file read on a second thread, in batches, so parsing and decoding overlap with
/// checking. Buffers go back and forth, so a run allocates a few batches and no more. The thread
/// ends with an explicit end message: a thread that dies (a panic inside a reader) is an error
/// naming the file, never a silent end of file.
pub struct ThreadedRows {
    file: String,
    batches: std::sync::mpsc::Receiver<Msg>,
    spare: std::sync::mpsc::SyncSender<Vec<RowBuf>>,
    current: Vec<RowBuf>,
    next: usize,
    done: bool,
}

enum Msg {
    Batch(Vec<RowBuf>),
    Failed(ReadError),
    End,
}

const BATCH: usize = 512;

impl ThreadedRows {
    /// Reads `rows` (of the file named `file`) on a new thread.
    pub fn spawn(file: &str, mut rows: impl RowSource + Send + 'static) -> ThreadedRows {
        let (tx, batches) = std::sync::mpsc::sync_channel::<Msg>(4);
        let (spare, spares) = std::sync::mpsc::sync_channel::<Vec<RowBuf>>(8);
        std::thread::spawn(move || loop {
            let mut batch = spares
                .try_recv()
                .unwrap_or_else(|_| (0..BATCH).map(|_| RowBuf::default()).collect());
            batch.resize_with(BATCH, RowBuf::default);
            let mut n = 0;
            while n < BATCH {
                match rows.next_row(&mut batch[n]) {
                    Ok(true) => n += 1,
                    Ok(false) => break,
                    Err(e) => {
                        batch.truncate(n);
                        let _ = tx.send(Msg::Batch(batch));
                        let _ = tx.send(Msg::Failed(e));
                        return;
                    }
                }
            }
            let last = n < BATCH;
            batch.truncate(n);
            // A closed channel means the reader was dropped: stop.
            if tx.send(Msg::Batch(batch)).is_err() {
                return;
            }
            if last {
                let _ = tx.send(Msg::End);
                return;
            }
        });
        ThreadedRows {
            file: file.to_string(),
            batches,
            spare,
            current: Vec::new(),
            next: 0,
            done: false,
        }
    }
}

impl RowSource for ThreadedRows {
    fn next_row(&mut self, buf: &mut RowBuf) -> Result<bool, ReadError> {
        while self.next >= self.current.len() {
            if self.done {
                return Ok(false);
            }
            match self.batches.recv() {
                Ok(Msg::Batch(batch)) => {
                    let used = std::mem::replace(&mut self.current, batch);
                    let _ = self.spare.try_send(used);
                    self.next = 0;
                }
                Ok(Msg::End) => self.done = true,
                Ok(Msg::Failed(e)) => {
                    self.done = true;
                    return Err(e);
                }
                Err(_) => {
                    self.done = true;
                    return Err(ReadError::Rows {
                        file: self.file.clone(),
                        sheet: None,
                        row: None,
                        reason: "the reader stopped before the end of the file".into(),
                    });
                }
            }
        }
        std::mem::swap(buf, &mut self.current[self.next]);
        self.next += 1;
        Ok(true)
    }
}

#[cfg(test)]
mod thread_tests {
    use super::*;

    /// Gives `n` rows, then panics, as a reader with a bug would.
    struct Dies(u64);
    impl RowSource for Dies {
        fn next_row(&mut self, buf: &mut RowBuf) -> Result<bool, ReadError> {
            if self.0 == 0 {
                panic!("reader bug");
            }
            self.0 -= 1;
            buf.clear(self.0);
            Ok(true)
        }
    }

    #[test]
    fn a_reader_thread_that_dies_is_an_error_naming_the_file_not_an_end_of_file() {
        let mut rows = ThreadedRows::spawn("returns/x.csv", Dies(700));
        let mut buf = RowBuf::default();
        let mut n = 0;
        let err = loop {
            match rows.next_row(&mut buf) {
                Ok(true) => n += 1,
                Ok(false) => panic!("a dead reader read as the end of the file after {n} rows"),
                Err(e) => break e,
            }
        };
        assert_eq!(n, 512, "the batches sent before the panic arrive");
        assert!(err.to_string().contains("returns/x.csv"), "{err}");
    }
}
