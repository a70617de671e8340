//! Reading the workbooks calamine loads whole (`.xls`, `.xlsb`, `.ods`) in a separate process.
//!
//! These readers are the ones that crash on damaged files: calamine's `.xls` (compound file)
//! reader panics on some damage and allocates from size fields, and its `.ods` reader loops for
//! ever on a table that is never closed (`docs/upstream.md`). A panic can be caught; an abort on
//! allocation or an endless loop cannot. So the `vakt` command reads them in a child process of
//! its own (`vakt __read-workbook FILE`) with a memory cap and a time budget, and gets the rows
//! back over a pipe; whatever happens to the child, the run goes on and the file is reported.
//! Programs using the library read in-process unless they call [`isolate_with`].

use super::limits::{ISOLATED_READ_BYTES, ISOLATED_READ_SECONDS};
use super::{CellKind, Notice, ReadError, RowBuf};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

static READER: OnceLock<PathBuf> = OnceLock::new();

/// Makes workbooks that load whole be read by `exe __read-workbook` (the `vakt` binary itself).
pub fn isolate_with(exe: PathBuf) {
    let _ = READER.set(exe);
}

/// The isolating executable, if one was set.
pub(super) fn reader() -> Option<&'static Path> {
    READER.get().map(PathBuf::as_path)
}

const MAGIC: &[u8] = b"VAKTWB1\n";
/// Bytes of rows the parent accepts from the child (more is a damaged file).
const MAX_OUTPUT: u64 = 2 * 1024 * 1024 * 1024;

/// One sheet as the child read it: its rows and notices, or why it could not be read.
pub struct SheetRows {
    /// The sheet's name.
    pub name: String,
    /// Its rows, or why they could not be read.
    pub rows: Result<Vec<RowBuf>, String>,
    /// What the reader noticed.
    pub notices: Vec<Notice>,
}

// ---- writing (the child) ------------------------------------------------------------------------

fn put_u32(out: &mut dyn Write, v: u32) -> std::io::Result<()> {
    out.write_all(&v.to_le_bytes())
}

fn put_u64(out: &mut dyn Write, v: u64) -> std::io::Result<()> {
    out.write_all(&v.to_le_bytes())
}

fn put_str(out: &mut dyn Write, s: &str) -> std::io::Result<()> {
    put_u32(out, s.len() as u32)?;
    out.write_all(s.as_bytes())
}

fn put_row(out: &mut dyn Write, row: &RowBuf) -> std::io::Result<()> {
    put_u64(out, row.row)?;
    out.write_all(&[u8::from(row.date_1904)])?;
    put_u32(out, row.len() as u32)?;
    for c in row.iter() {
        match c.kind {
            CellKind::Empty => out.write_all(&[0])?,
            CellKind::Text => out.write_all(&[1])?,
            CellKind::Number(n) => {
                out.write_all(&[2])?;
                out.write_all(&n.to_le_bytes())?;
            }
            CellKind::Bool(b) => out.write_all(&[3, u8::from(b)])?,
            CellKind::Date { serial, is_1904 } => {
                out.write_all(&[4])?;
                out.write_all(&serial.to_le_bytes())?;
                out.write_all(&[u8::from(is_1904)])?;
            }
            CellKind::DateIso => out.write_all(&[5])?,
            CellKind::Error => out.write_all(&[6])?,
        }
        put_str(out, c.text)?;
    }
    Ok(())
}

/// The child's side: reads every sheet of the workbook in-process and writes them to `out`.
pub fn serve(path: &Path, out: &mut dyn Write) -> Result<(), ReadError> {
    let shown = path.display().to_string();
    let io = |e: std::io::Error| ReadError::Open {
        file: shown.clone(),
        reason: e.to_string(),
    };
    let format = super::Input::format_of(path).ok_or_else(|| ReadError::Unsupported { file: shown.clone() })?;
    let mut wb = super::Workbook::open_here(&shown, path, format)?;
    let names = wb.sheet_names();
    out.write_all(MAGIC).map_err(io)?;
    put_u32(out, names.len() as u32).map_err(io)?;
    for name in names {
        put_str(out, &name).map_err(io)?;
        match wb.rows(&shown, &name) {
            Err(e) => {
                out.write_all(&[1]).map_err(io)?;
                put_str(out, &e.to_string()).map_err(io)?;
            }
            Ok(mut rows) => {
                out.write_all(&[0]).map_err(io)?;
                let mut buf = RowBuf::default();
                loop {
                    match rows.next_row(&mut buf) {
                        Ok(true) => {
                            out.write_all(&[1]).map_err(io)?;
                            put_row(out, &buf).map_err(io)?;
                        }
                        Ok(false) => break,
                        Err(e) => {
                            out.write_all(&[2]).map_err(io)?;
                            put_str(out, &e.to_string()).map_err(io)?;
                            break;
                        }
                    }
                }
                out.write_all(&[0]).map_err(io)?;
                let notices = rows.notices();
                put_u32(out, notices.len() as u32).map_err(io)?;
                for n in notices {
                    put_u64(out, n.row.unwrap_or(u64::MAX)).map_err(io)?;
                    put_u32(out, n.col.unwrap_or(u32::MAX)).map_err(io)?;
                    out.write_all(&[u8::from(n.limit)]).map_err(io)?;
                    put_str(out, &n.message.en).map_err(io)?;
                    put_str(out, n.message.nb.as_deref().unwrap_or("")).map_err(io)?;
                }
            }
        }
    }
    out.flush().map_err(io)
}

/// Caps the child's address space (Unix); the parent's time budget covers the rest.
pub fn limit_child_memory() {
    #[cfg(unix)]
    {
        let _ = rlimit::setrlimit(rlimit::Resource::AS, ISOLATED_READ_BYTES, ISOLATED_READ_BYTES);
    }
}

// ---- reading (the parent) -----------------------------------------------------------------------

/// A bounds-checked reader over the child's output: a damaged stream is an error, never a panic.
struct Cursor<'a> {
    data: &'a [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let end = self.at.checked_add(n).ok_or("the reader's output ended early")?;
        let s = self.data.get(self.at..end).ok_or("the reader's output ended early")?;
        self.at = end;
        Ok(s)
    }

    fn u8(&mut self) -> Result<u8, String> {
        let [b] = self.take(1)? else {
            return Err("the reader's output ended early".into());
        };
        Ok(*b)
    }

    fn u32(&mut self) -> Result<u32, String> {
        let b: [u8; 4] = self
            .take(4)?
            .try_into()
            .map_err(|_| "the reader's output ended early")?;
        Ok(u32::from_le_bytes(b))
    }

    fn u64(&mut self) -> Result<u64, String> {
        let b = self.take(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(u64::from_le_bytes(a))
    }

    fn f64(&mut self) -> Result<f64, String> {
        Ok(f64::from_bits(self.u64()?))
    }

    fn str(&mut self) -> Result<&'a str, String> {
        let n = self.u32()? as usize;
        std::str::from_utf8(self.take(n)?).map_err(|_| "the reader's output is not UTF-8".to_string())
    }

    fn row(&mut self) -> Result<RowBuf, String> {
        let mut row = RowBuf::default();
        row.clear(self.u64()?);
        row.date_1904 = self.u8()? != 0;
        let n = self.u32()?;
        for _ in 0..n {
            let kind = match self.u8()? {
                0 => CellKind::Empty,
                1 => CellKind::Text,
                2 => CellKind::Number(self.f64()?),
                3 => CellKind::Bool(self.u8()? != 0),
                4 => CellKind::Date {
                    serial: self.f64()?,
                    is_1904: self.u8()? != 0,
                },
                5 => CellKind::DateIso,
                6 => CellKind::Error,
                k => return Err(format!("unknown cell kind {k} from the reader")),
            };
            let text = self.str()?;
            row.push(kind, text);
        }
        Ok(row)
    }

    fn sheet(&mut self) -> Result<SheetRows, String> {
        let name = self.str()?.to_string();
        if self.u8()? == 1 {
            let why = self.str()?.to_string();
            return Ok(SheetRows {
                name,
                rows: Err(why),
                notices: Vec::new(),
            });
        }
        let mut rows = Vec::new();
        let mut failed = None;
        loop {
            match self.u8()? {
                0 => break,
                1 => rows.push(self.row()?),
                2 => {
                    failed = Some(self.str()?.to_string());
                    if self.u8()? != 0 {
                        return Err("the reader's output is damaged".into());
                    }
                    break;
                }
                t => return Err(format!("unknown record {t} from the reader")),
            }
        }
        let mut notices = Vec::new();
        for _ in 0..self.u32()? {
            let row = self.u64()?;
            let col = self.u32()?;
            let limit = self.u8()? != 0;
            let en = self.str()?.to_string();
            let nb = self.str()?.to_string();
            notices.push(Notice {
                row: (row != u64::MAX).then_some(row),
                col: (col != u32::MAX).then_some(col),
                limit,
                message: crate::i18n::Said {
                    en,
                    nb: (!nb.is_empty()).then_some(nb),
                },
            });
        }
        Ok(SheetRows {
            name,
            rows: failed.map_or(Ok(rows), Err),
            notices,
        })
    }
}

/// Parses the child's output.
fn parse(data: &[u8]) -> Result<Vec<SheetRows>, String> {
    if !data.starts_with(MAGIC) {
        return Err("the reader wrote no workbook".into());
    }
    let mut c = Cursor { data, at: MAGIC.len() };
    let n = c.u32()?;
    let mut sheets = Vec::new();
    for _ in 0..n {
        sheets.push(c.sheet()?);
    }
    Ok(sheets)
}

/// Reads all of a pipe in a thread, keeping at most `max` bytes.
fn drain(mut r: impl Read + Send + 'static, max: u64) -> std::thread::JoinHandle<(Vec<u8>, bool)> {
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        let over = match (&mut r).take(max).read_to_end(&mut buf) {
            Ok(_) => {
                let mut probe = [0u8; 1];
                matches!(r.read(&mut probe), Ok(n) if n > 0)
            }
            Err(_) => false,
        };
        // Keep reading to the end so the child never blocks on a full pipe.
        let _ = std::io::copy(&mut r, &mut std::io::sink());
        (buf, over)
    })
}

/// Reads a workbook with `exe __read-workbook`, within the time and memory budgets.
pub fn read(exe: &Path, shown: &str, path: &Path) -> Result<Vec<SheetRows>, ReadError> {
    let corrupt = |reason: String| ReadError::Corrupt {
        file: shown.to_string(),
        reason,
    };
    let mut child = std::process::Command::new(exe)
        .arg("__read-workbook")
        .arg(path)
        .env_clear()
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| ReadError::Open {
            file: shown.to_string(),
            reason: format!("cannot start the workbook reader: {e}"),
        })?;
    let (Some(out), Some(err)) = (child.stdout.take(), child.stderr.take()) else {
        let _ = child.kill();
        return Err(corrupt("the workbook reader has no output".into()));
    };
    let out = drain(out, MAX_OUTPUT);
    let err = drain(err, 64 * 1024);
    let seconds = std::env::var("VAKT_READ_TIMEOUT")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(ISOLATED_READ_SECONDS);
    // A timeout too long to represent waits as long as the default.
    let now = Instant::now();
    let deadline = now
        .checked_add(Duration::from_secs(seconds))
        .or_else(|| now.checked_add(Duration::from_secs(ISOLATED_READ_SECONDS)))
        .unwrap_or(now);
    let status = loop {
        match child.try_wait() {
            Ok(Some(s)) => break s,
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(5)),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(corrupt(format!(
                    "reading it took more than {seconds} s (a damaged workbook?); it was stopped"
                )));
            }
        }
    };
    let (data, over) = out.join().unwrap_or_default();
    let (err_text, _) = err.join().unwrap_or_default();
    if over {
        return Err(corrupt("it holds more than a workbook can (damaged?)".into()));
    }
    if !status.success() {
        return Err(corrupt(child_failure(&status, &String::from_utf8_lossy(&err_text))));
    }
    parse(&data).map_err(corrupt)
}

/// Says what killed the reader: a panic, the memory cap, a signal.
fn child_failure(status: &std::process::ExitStatus, stderr: &str) -> String {
    if let Some(line) = stderr.lines().find(|l| l.starts_with("vakt: ")) {
        return line.trim_start_matches("vakt: ").to_string();
    }
    if stderr.contains("memory allocation") || stderr.contains("capacity overflow") {
        return format!(
            "the workbook asks for more memory than the reader may use ({} GiB): damaged?",
            ISOLATED_READ_BYTES >> 30
        );
    }
    if let Some(p) = stderr.lines().find(|l| l.contains("panicked at")) {
        return format!("the spreadsheet reader failed on it (a damaged file): {}", p.trim());
    }
    format!("the spreadsheet reader stopped ({status}) on it: damaged?")
}

#[cfg(test)]
#[allow(
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    reason = "tests may panic"
)]
mod tests {
    use super::*;

    #[test]
    fn rows_round_trip_and_damage_is_an_error() {
        let mut row = RowBuf::default();
        row.clear(7);
        row.date_1904 = true;
        row.push(CellKind::Text, "Gruppe-ID");
        row.push_number(90.0);
        row.push(
            CellKind::Date {
                serial: 40210.0,
                is_1904: false,
            },
            "2010-02-01",
        );
        row.push(CellKind::Bool(true), "TRUE");
        let mut out = Vec::new();
        out.extend_from_slice(MAGIC);
        put_u32(&mut out, 1).unwrap();
        put_str(&mut out, "Grupper").unwrap();
        out.push(0);
        out.push(1);
        put_row(&mut out, &row).unwrap();
        out.push(0);
        put_u32(&mut out, 0).unwrap();
        let sheets = parse(&out).unwrap();
        let got = sheets[0].rows.as_ref().unwrap();
        assert_eq!(got[0].row, 7);
        assert!(got[0].date_1904);
        assert_eq!(got[0].get(0).text, "Gruppe-ID");
        assert_eq!(got[0].get(1).kind, CellKind::Number(90.0));
        assert_eq!(got[0].get(3).kind, CellKind::Bool(true));
        for cut in 0..out.len() {
            assert!(parse(&out[..cut]).is_err(), "truncated at {cut}");
        }
    }
}
