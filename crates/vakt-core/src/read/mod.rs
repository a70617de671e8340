//! Reading: turns input files into rows of cells that remember where they came from.
//!
//! A return is a workbook (`.xlsx`, `.xlsm`, `.xlsb`, `.xls`, `.ods`), a folder of CSV files, or a
//! single CSV file. Each sheet or CSV file is a [`Part`]; its rows stream through a [`RowSource`]
//! into one reused [`RowBuf`], so reading allocates per row only when a row is longer than any
//! before it. Nothing here knows about rule packs: that is the locate stage's job.

// Reading and values face every byte of hostile input: no indexing that can panic, no
// arithmetic that can overflow.
#![warn(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

mod csv_file;
pub mod fast_xlsx;
pub mod guard;
pub mod isolated;
mod lazy_xlsx;
pub mod limits;
#[doc(hidden)]
pub mod merges;
pub mod ods_merges;
mod package;
pub mod tape;
mod threaded;
mod workbook;
#[doc(hidden)]
pub use workbook::read_by_both;

use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

pub use csv_file::{CsvEncoding, CsvRows};
pub use threaded::ThreadedRows;
pub(crate) use workbook::Workbook;
// The cell model is a leaf (values): readers fill it, every later stage reads it.
pub use crate::value::cell::{write_number, CellKind, CellRef, RowBuf};
pub use crate::value::text::hex;

/// Why an input (or part of it) could not be read. Always names the file.
///
/// `file` is the path as the user gave it (or the file inside a folder return).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReadError {
    /// The file or folder could not be opened.
    #[error("{file}: cannot open: {reason}")]
    Open {
        /// The input.
        file: String,
        /// What the system said.
        reason: String,
    },
    /// Not a workbook, a CSV file or a folder of them.
    #[error(
        "{file}: not a supported return (expected .xlsx, .xlsm, .xlsb, .xls, .ods, .csv or a folder of CSV files)"
    )]
    Unsupported {
        /// The input.
        file: String,
    },
    /// A password-protected or encrypted workbook.
    #[error("{file}: the workbook is password-protected or encrypted; save an unprotected copy and check that")]
    Encrypted {
        /// The input.
        file: String,
    },
    /// A damaged workbook, or one past a format limit.
    #[error("{file}: the workbook is corrupt or not a spreadsheet: {reason}")]
    Corrupt {
        /// The input.
        file: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A rule stopped (panicked) while checking the input: a fault in vakt or in a rule kind,
    /// not in the file.
    #[error("{file}: a rule stopped while checking it, a fault in vakt or in a rule kind of the pack, not in the file (please report it): {reason}")]
    RuleFailed {
        /// The input.
        file: String,
        /// What the rule said when it stopped.
        reason: String,
    },
    /// vakt stopped (panicked) while writing the input's clean data: a fault in vakt, not in the
    /// file.
    #[error("{file}: vakt stopped while writing its clean data, a fault in vakt, not in the file (please report it): {reason}")]
    WriteFailed {
        /// The input.
        file: String,
        /// What vakt said when it stopped.
        reason: String,
    },
    /// A `.csv` file that is binary.
    #[error("{file}: not a text file: it looks like {what}; a CSV file is text")]
    NotText {
        /// The input.
        file: String,
        /// What it looks like instead (`a ZIP archive`).
        what: &'static str,
    },
    /// Reading rows failed part-way.
    #[error("{file}{}: read failed{}: {reason}", sheet.as_ref().map(|s| format!(" sheet '{s}'")).unwrap_or_default(), row.map(|r| format!(" at row {r}")).unwrap_or_default())]
    Rows {
        /// The input.
        file: String,
        /// The sheet, in a workbook.
        sheet: Option<String>,
        /// The 1-based row, when known.
        row: Option<u64>,
        /// What went wrong.
        reason: String,
    },
}

impl ReadError {
    /// The message in both languages (the reason a library gave stays as it said it).
    pub fn said(&self) -> crate::i18n::Said {
        use crate::i18n::{Said, T};
        match self {
            ReadError::Open { file, reason } => T::CannotOpen.say(&[("file", file), ("reason", reason)]),
            ReadError::Unsupported { file } => T::Unsupported.say(&[("file", file)]),
            ReadError::Encrypted { file } => T::Encrypted.say(&[("file", file)]),
            ReadError::Corrupt { file, reason } => T::Corrupt.say(&[("file", file), ("reason", reason)]),
            ReadError::RuleFailed { file, reason } => T::RuleFailed.say(&[("file", file), ("reason", reason)]),
            ReadError::WriteFailed { file, reason } => T::WriteFailed.say(&[("file", file), ("reason", reason)]),
            ReadError::NotText { file, what } => T::NotText.say(&[("file", file), ("what", what)]),
            ReadError::Rows {
                file,
                sheet,
                row,
                reason,
            } => {
                let sheet = sheet
                    .as_ref()
                    .map_or_else(Said::default, |s| T::InSheet.say(&[("name", s)]));
                let row = row.map_or_else(Said::default, |r| T::AtRow.say(&[("row", &r)]));
                T::ReadFailed.say_with(
                    &[("file", file), ("reason", reason)],
                    &[("sheet", &sheet), ("row", &row)],
                )
            }
        }
    }
}

/// Something a reader noticed and the user should know: a value cut at a format's limit, the
/// encoding a CSV file was read in, a quote never closed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// 1-based physical row (or CSV line), when known.
    pub row: Option<u64>,
    /// 0-based physical column, when known.
    pub col: Option<u32>,
    /// A limit was hit (a warning), else a choice was made (information).
    pub limit: bool,
    /// What happened, for the user, in both languages.
    pub message: crate::i18n::Said,
}

impl ReadError {
    /// What went wrong, without the file name.
    pub fn reason(&self) -> String {
        match self {
            ReadError::Open { reason, .. }
            | ReadError::Corrupt { reason, .. }
            | ReadError::RuleFailed { reason, .. }
            | ReadError::WriteFailed { reason, .. }
            | ReadError::Rows { reason, .. } => reason.clone(),
            other => other.to_string(),
        }
    }

    /// The file the error is about, as given on the command line.
    pub fn file(&self) -> &str {
        match self {
            ReadError::Open { file, .. }
            | ReadError::Unsupported { file }
            | ReadError::Encrypted { file }
            | ReadError::Corrupt { file, .. }
            | ReadError::RuleFailed { file, .. }
            | ReadError::WriteFailed { file, .. }
            | ReadError::NotText { file, .. }
            | ReadError::Rows { file, .. } => file,
        }
    }
}

/// A stream of rows from one sheet or CSV file.
pub trait RowSource {
    /// Fills `buf` with the next stored row; `Ok(false)` at the end. Rows with nothing stored may be
    /// skipped: callers see the jump in [`RowBuf::row`].
    fn next_row(&mut self, buf: &mut RowBuf) -> Result<bool, ReadError>;

    /// What the reader noticed so far (asked once the rows are read).
    fn notices(&mut self) -> Vec<Notice> {
        Vec::new()
    }

    /// The merged ranges whose top-left value the reader copies into the cells they cover, as
    /// 0-based ((first row, first column), (last row, last column)). A copy of the sheet leaves
    /// those cells empty, as the file does.
    fn merged_ranges(&self) -> Vec<((u32, u32), (u32, u32))> {
        Vec::new()
    }
}

/// Cuts text longer than a cell may hold ([`limits::MAX_CELL_CHARS`]); says whether it cut.
pub fn cap_cell(text: &str) -> (&str, bool) {
    if text.len() <= limits::MAX_CELL_CHARS {
        return (text, false);
    }
    match text.char_indices().nth(limits::MAX_CELL_CHARS) {
        Some((i, _)) => (&text[..i], true),
        None => (text, false),
    }
}

/// Format of an input as detected from its path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum InputFormat {
    /// An Excel workbook (`.xlsx`, `.xlsm`).
    Xlsx,
    /// An Excel binary workbook.
    Xlsb,
    /// An Excel 97-2003 workbook.
    Xls,
    /// An OpenDocument spreadsheet.
    Ods,
    /// One CSV file: one table of a return.
    Csv,
    /// A folder of CSV files: a whole return.
    CsvFolder,
}

impl InputFormat {
    /// The format's name in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            InputFormat::Xlsx => "xlsx",
            InputFormat::Xlsb => "xlsb",
            InputFormat::Xls => "xls",
            InputFormat::Ods => "ods",
            InputFormat::Csv => "csv",
            InputFormat::CsvFolder => "csv-folder",
        }
    }
}

/// One sheet of a workbook or one CSV file of a return.
#[derive(Debug, Clone)]
pub struct Part {
    /// The sheet name, or the CSV file name.
    pub name: String,
    /// The file to name in findings: the input path, or `folder/file.csv`.
    pub file: String,
    /// The sheet name for workbooks; `None` for CSV.
    pub sheet: Option<String>,
    /// Why the file cannot be read (a CSV file of a folder that is unreadable): the other parts
    /// are still read.
    pub unreadable: Option<String>,
    /// A sheet the workbook hides (lookup lists, such as a template's code lists).
    pub hidden: bool,
    path: PathBuf,
}

impl Part {
    /// The bytes of the file the part is in (a sheet's: its workbook's), as
    /// [`Input::size_on_disk`].
    pub fn size_on_disk(&self) -> u64 {
        Input::size_on_disk(&self.path)
    }

    /// Streams the rows of a CSV part on its own, without the [`Input`] it belongs to, so that
    /// several files of one folder can be read at once; `None` for a workbook sheet (read
    /// through its workbook, [`Input::rows`]).
    pub fn csv_rows(&self) -> Option<Result<Box<dyn RowSource>, ReadError>> {
        self.csv_rows_read(Reading::Overlapped)
    }

    /// [`Part::csv_rows`], read on another thread ([`ThreadedRows`]) or on the caller's.
    fn csv_rows_read(&self, reading: Reading) -> Option<Result<Box<dyn RowSource>, ReadError>> {
        if self.sheet.is_some() {
            return None;
        }
        if let Some(why) = &self.unreadable {
            return Some(Err(ReadError::Open {
                file: self.file.clone(),
                reason: why.clone(),
            }));
        }
        let rows = CsvRows::open(&self.file, &self.path).map(|r| match reading {
            Reading::Overlapped => Box::new(ThreadedRows::spawn(&self.file, r)) as _,
            Reading::Here => Box::new(r) as _,
        });
        Some(rows)
    }
}

/// Where a CSV file's rows are parsed: on a thread of their own, so that parsing overlaps with
/// whatever the caller does with the rows, or on the caller's thread.
///
/// A caller that keeps both cores busy itself (a table whose rules run on two threads,
/// `check::split`) reads on its own thread: a third thread on two cores only moves each row
/// from core to core (the 1.1M-row return: 1.08 → 1.03 s median of 15, stop 42).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reading {
    /// On a thread of their own.
    Overlapped,
    /// On the caller's thread.
    Here,
}

/// An opened return: its parts and the means to stream each one.
pub struct Input {
    /// The path as given.
    pub path: String,
    /// What kind of return it is.
    pub format: InputFormat,
    /// SHA-256 of the file, or of the sorted (name, sha256) list of a folder's CSV files. It is
    /// computed on another thread while the return is read: see [`Input::finish_hash`].
    pub sha256: String,
    pending_hash: Option<PendingHash>,
    /// Its sheets or CSV files.
    pub parts: Vec<Part>,
    workbook: Option<Workbook>,
    /// Per part, the rows kept of its first complete read (see [`Input::keep_rows`]).
    tapes: Vec<Option<tape::Tape>>,
    keep: Option<std::sync::Arc<tape::TapeBudget>>,
}

impl Input {
    /// Opens a return. Fails only when nothing of it can be read. Only regular files and folders
    /// are read: a FIFO or a device (also behind a symbolic link) is refused, since reading it could
    /// block or never end.
    pub fn open(path: impl AsRef<Path>) -> Result<Input, ReadError> {
        let p = path.as_ref();
        let shown = p.display().to_string();
        let meta = std::fs::metadata(p).map_err(|e| ReadError::Open {
            file: shown.clone(),
            reason: e.to_string(),
        })?;
        if meta.is_dir() {
            return open_folder(&shown, p);
        }
        if !meta.is_file() {
            return Err(ReadError::Open {
                file: shown,
                reason: "not a regular file (a pipe or a device); save the return as a file".into(),
            });
        }
        let Some(format) = Input::format_of(p) else {
            return Err(ReadError::Unsupported { file: shown });
        };
        if format == InputFormat::Csv {
            csv_file::refuse_binary(&shown, p)?;
            let name = file_name(p);
            let pending = hash_aside(&shown, p);
            return Ok(Input {
                path: shown.clone(),
                format,
                sha256: String::new(),
                pending_hash: Some(pending),
                parts: vec![Part {
                    hidden: false,
                    name,
                    file: shown,
                    sheet: None,
                    unreadable: None,
                    path: p.to_path_buf(),
                }],
                workbook: None,
                tapes: Vec::new(),
                keep: None,
            });
        }
        let workbook = Workbook::open(&shown, p, format)?;
        let pending = hash_aside(&shown, p);
        let hidden = workbook.hidden_sheets();
        let parts = workbook
            .sheet_names()
            .into_iter()
            .map(|s| Part {
                name: s.clone(),
                file: shown.clone(),
                hidden: hidden.contains(&s),
                sheet: Some(s),
                unreadable: None,
                path: p.to_path_buf(),
            })
            .collect();
        Ok(Input {
            path: shown,
            format,
            sha256: String::new(),
            pending_hash: Some(pending),
            parts,
            workbook: Some(workbook),
            tapes: Vec::new(),
            keep: None,
        })
    }

    /// The bytes of a return on disk: a file's size, or the sum of the files in a folder; 0 when
    /// it cannot be read (the reading will say why). A measure of the work a return is, to start
    /// the largest returns of a run first.
    pub fn size_on_disk(p: &Path) -> u64 {
        let Ok(meta) = std::fs::metadata(p) else { return 0 };
        if !meta.is_dir() {
            return meta.len();
        }
        std::fs::read_dir(p).map_or(0, |entries| {
            entries
                .filter_map(|e| e.ok()?.metadata().ok())
                .filter(std::fs::Metadata::is_file)
                .fold(0u64, |sum, m| sum.saturating_add(m.len()))
        })
    }

    /// A measure of the work of checking a return, to start the largest returns of a run first:
    /// its bytes on disk ([`Input::size_on_disk`]) weighed by how dear a byte of its format is to
    /// read. Measured per byte on the national synthetic set (one return at a time, one thread): an
    /// `.ods` workbook (read whole, by a reader process of its own) about five times an `.xlsx`
    /// workbook (compressed XML), CSV (neither compressed nor XML) about a third. The other
    /// formats count their bytes as `.xlsx` does.
    pub fn work_estimate(p: &Path) -> u64 {
        let bytes = Self::size_on_disk(p);
        match Self::format_of(p) {
            Some(InputFormat::Ods) => bytes.saturating_mul(5),
            Some(InputFormat::Csv) | None => bytes / 3,
            Some(_) => bytes,
        }
    }

    /// The format of a path, from its extension.
    pub fn format_of(p: &Path) -> Option<InputFormat> {
        let ext = p.extension()?.to_str()?.to_ascii_lowercase();
        Some(match ext.as_str() {
            "xlsx" | "xlsm" => InputFormat::Xlsx,
            "xlsb" => InputFormat::Xlsb,
            "xls" => InputFormat::Xls,
            "ods" => InputFormat::Ods,
            "csv" | "txt" | "tsv" => InputFormat::Csv,
            _ => return None,
        })
    }

    /// Waits for the hash computed on another thread, if any, and stores it in `sha256`.
    pub fn finish_hash(&mut self) -> Result<(), ReadError> {
        if let Some(h) = self.pending_hash.take() {
            self.sha256 = h.join().map_err(|_| ReadError::Open {
                file: self.path.clone(),
                reason: "hashing failed".into(),
            })??;
        }
        Ok(())
    }

    /// Streams the rows of part `idx`.
    pub fn rows(&mut self, idx: usize) -> Result<Box<dyn RowSource + '_>, ReadError> {
        self.rows_read(idx, Reading::Overlapped)
    }

    /// [`Input::rows`], a CSV file's rows parsed where `reading` says (a sheet's are read as
    /// [`Input::rows`] reads them).
    pub fn rows_read(&mut self, idx: usize, reading: Reading) -> Result<Box<dyn RowSource + '_>, ReadError> {
        let part = self.parts.get(idx).ok_or_else(|| ReadError::Rows {
            file: self.path.clone(),
            sheet: None,
            row: None,
            reason: format!("no part {idx}"),
        })?;
        if let Some(rows) = part.csv_rows_read(reading) {
            return rows;
        }
        if let Some(why) = &part.unreadable {
            return Err(ReadError::Open {
                file: part.file.clone(),
                reason: why.clone(),
            });
        }
        if self.kept(idx) {
            // Every path returns here: a borrow returned on one path only is refused (NLL).
            return match self.tapes.get(idx) {
                Some(Some(tape)) => Ok(Box::new(tape::Replay::new(tape))),
                _ => Err(ReadError::Rows {
                    file: part.file.clone(),
                    sheet: part.sheet.clone(),
                    row: None,
                    reason: "the rows kept of this sheet were lost".into(),
                }),
            };
        }
        let sheet = part.sheet.clone().unwrap_or_default();
        let rows = workbook::sheet_rows(&mut self.workbook, &self.path, &sheet)?;
        match (&self.keep, self.tapes.get_mut(idx)) {
            (Some(budget), Some(slot)) => Ok(Box::new(tape::Recording::new(rows, budget.clone(), slot))),
            _ => Ok(rows),
        }
    }

    /// Lets go of what reading keeps (the workbook, the rows kept of its sheets) on the calling
    /// thread, and not where the input is dropped: `vakt clean` frees each return on the thread
    /// that wrote it, where they took the run's last thread a few milliseconds each. The path,
    /// format, hash and parts stay; the rows cannot be read again.
    pub fn release(&mut self) {
        self.workbook = None;
        self.tapes.iter_mut().for_each(|t| *t = None);
        self.keep = None;
    }

    /// For an xlsx workbook, whether calamine's reader has been opened (the fast reader reads
    /// common workbooks without it).
    #[cfg(test)]
    pub(crate) fn calamine_opened(&self) -> Option<bool> {
        match &self.workbook {
            Some(workbook::Workbook::Xlsx(wb, ..)) => Some(wb.calamine_open()),
            _ => None,
        }
    }

    /// Whether the rows of part `idx` are kept, so that reading it again replays them.
    pub fn kept(&self, idx: usize) -> bool {
        self.tapes.get(idx).is_some_and(Option::is_some)
    }

    /// Keeps the rows of each xlsx sheet the first time it is read to its end, within `budget`
    /// (shared with other inputs), so that later reads of it replay them instead of parsing the
    /// file again: `vakt clean` reads every return twice. Other formats are read as before: a CSV
    /// file is quick to read again, and the other workbooks are loaded whole already.
    pub fn keep_rows(&mut self, budget: &std::sync::Arc<tape::TapeBudget>) {
        if self.format == InputFormat::Xlsx {
            self.tapes = self.parts.iter().map(|_| None).collect();
            self.keep = Some(budget.clone());
        }
    }
}

/// Why a folder is no return: it holds no CSV files, and perhaps workbooks (each its own return).
fn empty_folder_reason(p: &Path) -> String {
    let workbooks: Vec<String> = std::fs::read_dir(p)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| {
                    Input::format_of(f).is_some_and(|k| !matches!(k, InputFormat::Csv | InputFormat::CsvFolder))
                })
                .filter_map(|f| f.file_name().map(|n| n.to_string_lossy().into_owned()))
                .collect()
        })
        .unwrap_or_default();
    let mut workbooks = workbooks;
    workbooks.sort();
    match workbooks.len() {
        0 => "the folder holds no .csv, .txt or .tsv files (a return in a folder is one CSV file per table)".into(),
        n => format!(
            "the folder holds {n} workbook{} ({}{}) and no CSV files: a workbook is a return of its own; check them as files (vakt check {}/*.xlsx)",
            if n == 1 { "" } else { "s" },
            workbooks.iter().take(3).cloned().collect::<Vec<_>>().join(", "),
            if n > 3 { ", ..." } else { "" },
            p.display()
        ),
    }
}

fn open_folder(path: &str, p: &Path) -> Result<Input, ReadError> {
    let entries = std::fs::read_dir(p).map_err(|e| ReadError::Open {
        file: path.to_string(),
        reason: e.to_string(),
    })?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|f| {
            !f.is_dir()
                && f.extension()
                    .and_then(|e| e.to_str())
                    .is_some_and(|e| matches!(e.to_ascii_lowercase().as_str(), "csv" | "txt" | "tsv"))
        })
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(ReadError::Open {
            file: path.to_string(),
            reason: empty_folder_reason(p),
        });
    }
    let mut parts = Vec::with_capacity(files.len());
    let shown = path.trim_end_matches(['/', '\\']);
    for f in files {
        let name = file_name(&f);
        let file = format!("{shown}/{name}");
        // One unreadable file is reported; the others are still read.
        let readable = match std::fs::metadata(&f) {
            Ok(m) if m.is_file() => csv_file::refuse_binary(&file, &f),
            Ok(_) => Err(ReadError::Open {
                file: file.clone(),
                reason: "not a regular file (a pipe or a device)".into(),
            }),
            Err(e) => Err(ReadError::Open {
                file: file.clone(),
                reason: e.to_string(),
            }),
        };
        parts.push(Part {
            hidden: false,
            name,
            file,
            sheet: None,
            unreadable: readable.err().map(|e| e.reason()),
            path: f,
        });
    }
    // Hashed on another thread while the files are read, as a lone CSV file is.
    let hashed: Vec<(String, Option<PathBuf>)> = parts
        .iter()
        .map(|p| (p.name.clone(), p.unreadable.is_none().then(|| p.path.clone())))
        .collect();
    let pending = std::thread::spawn(move || Ok(folder_sha256(&hashed)));
    Ok(Input {
        path: path.to_string(),
        format: InputFormat::CsvFolder,
        sha256: String::new(),
        pending_hash: Some(pending),
        parts,
        workbook: None,
        tapes: Vec::new(),
        keep: None,
    })
}

/// An input's SHA-256, worked out on another thread while the input is read.
type PendingHash = std::thread::JoinHandle<Result<String, ReadError>>;

/// The SHA-256 of a file, on another thread (see [`Input::finish_hash`]).
fn hash_aside(shown: &str, p: &Path) -> PendingHash {
    let (shown, p) = (shown.to_string(), p.to_path_buf());
    std::thread::spawn(move || sha256_file(&shown, &p))
}

/// SHA-256 of a folder's sorted (name, SHA-256 of the file) list; a file that could not be read
/// counts as `unreadable`.
fn folder_sha256(files: &[(String, Option<PathBuf>)]) -> String {
    let mut folder_hash = Sha256::new();
    for (name, path) in files {
        let digest = path
            .as_ref()
            .and_then(|p| sha256_file(name, p).ok())
            .unwrap_or_else(|| String::from("unreadable"));
        folder_hash.update(name.as_bytes());
        folder_hash.update([0]);
        folder_hash.update(digest.as_bytes());
        folder_hash.update([b'\n']);
    }
    hex(&folder_hash.finalize())
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// SHA-256 of a file, streamed.
pub fn sha256_file(shown: &str, p: &Path) -> Result<String, ReadError> {
    if !std::fs::metadata(p).map(|m| m.is_file()).unwrap_or(false) {
        return Err(ReadError::Open {
            file: shown.to_string(),
            reason: "not a regular file".into(),
        });
    }
    let mut f = std::fs::File::open(p).map_err(|e| ReadError::Open {
        file: shown.to_string(),
        reason: e.to_string(),
    })?;
    let mut h = Sha256::new();
    std::io::copy(&mut f, &mut h).map_err(|e| ReadError::Open {
        file: shown.to_string(),
        reason: e.to_string(),
    })?;
    Ok(hex(&h.finalize()))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests may panic")]
mod tests {
    use super::Input;

    #[test]
    fn a_return_weighs_its_bytes_by_how_dear_its_format_is_to_read() {
        let dir = tempfile::tempdir().unwrap();
        let file = |name: &str, bytes: usize| {
            let p = dir.path().join(name);
            std::fs::write(&p, vec![b'x'; bytes]).unwrap();
            p
        };
        let folder = dir.path().join("HN-FIN");
        std::fs::create_dir(&folder).unwrap();
        std::fs::write(folder.join("groups.csv"), vec![b'x'; 6000]).unwrap();
        std::fs::write(folder.join("patients.csv"), vec![b'x'; 3000]).unwrap();

        assert_eq!(Input::work_estimate(&file("a.xlsx", 9000)), 9000);
        assert_eq!(Input::work_estimate(&file("b.ods", 9000)), 45_000);
        assert_eq!(Input::work_estimate(&file("c.csv", 9000)), 3000);
        assert_eq!(Input::work_estimate(&folder), 3000, "a folder's files, as CSV");
        assert_eq!(Input::work_estimate(&dir.path().join("missing.xlsx")), 0);
    }
}
