//! An `.xlsx` workbook whose calamine reader is opened only when it is needed.
//!
//! Opening a workbook, calamine reads every shared string, its styles and its workbook part; the
//! fast cell reader ([`super::fast_xlsx`]) reads the shared strings and styles again for itself,
//! and reads nearly every sheet alone. calamine's opening was a tenth of the instructions of
//! checking an xlsx return of the national-100 set, and kept a second copy of its strings.
//!
//! So when the workbook's own parts read as calamine reads them
//! ([`super::fast_xlsx::parts::workbook_meta`]: sheet names, hidden sheets, date system) and the
//! fast reader can read its shared strings and styles, calamine is not opened: its answers come
//! from that reading, and calamine opens only to take over a sheet the fast reader cannot read,
//! or for merged ranges when the package cannot be followed. Any part outside what the fast
//! reader reads opens calamine at once, as before. The differential tests and the fuzz target
//! hold the two readings equal ([`super::workbook::read_by_both`]), and hold that a workbook read
//! without calamine is one calamine opens.

use super::fast_xlsx::{parts::WorkbookMeta, Book};
use super::ReadError;
use calamine::{Reader, Xlsx};
use std::io::BufReader;
use std::path::{Path, PathBuf};

type Rs = BufReader<std::fs::File>;

/// A workbook with calamine's reader, open or not yet.
pub struct XlsxBook {
    path: PathBuf,
    /// The file as shown in errors.
    shown: String,
    state: State,
}

/// Where a workbook's answers come from.
enum State {
    /// calamine opened with the workbook: it answers.
    Eager(Box<Xlsx<Rs>>),
    /// What calamine would have read at opening, and calamine once a sheet needed it.
    Lazy(WorkbookMeta, Option<Box<Xlsx<Rs>>>),
}

impl XlsxBook {
    /// Opens the workbook at `path` (`shown` in errors): without calamine when its parts allow,
    /// with the fast reader's book when that could be read.
    pub fn open(shown: &str, path: &Path) -> Result<(XlsxBook, Option<Book>), ReadError> {
        let (state, book) = match XlsxBook::read_light(path) {
            Ok((meta, book)) => (State::Lazy(meta, None), Some(book)),
            Err(_) => (State::Eager(Box::new(open_calamine(shown, path)?)), None),
        };
        let wb = XlsxBook {
            path: path.to_path_buf(),
            shown: shown.to_string(),
            state,
        };
        Ok((wb, book))
    }

    /// The workbook's sheets and date system, and the fast reader's book, read without calamine
    /// from one opening of the package.
    pub(super) fn read_light(path: &Path) -> Result<(WorkbookMeta, Book), super::fast_xlsx::Unsupported> {
        let file = std::fs::File::open(path).map_err(|_| super::fast_xlsx::Unsupported)?;
        let mut zip = zip::ZipArchive::new(BufReader::new(file)).map_err(|_| super::fast_xlsx::Unsupported)?;
        let meta = super::fast_xlsx::parts::workbook_meta(&mut zip)?;
        let book = Book::read_in(&mut zip, meta.is_1904)?;
        Ok((meta, book))
    }

    /// The sheet names, in workbook order.
    pub fn sheet_names(&self) -> Vec<String> {
        match &self.state {
            State::Eager(wb) => wb.sheet_names(),
            State::Lazy(meta, _) => meta.sheets.iter().map(|(name, _)| name.clone()).collect(),
        }
    }

    /// The sheets the workbook hides.
    pub fn hidden_sheets(&self) -> Vec<String> {
        match &self.state {
            State::Eager(wb) => super::workbook::hidden_of(wb.sheets_metadata()),
            State::Lazy(meta, _) => meta
                .sheets
                .iter()
                .filter(|(_, hidden)| *hidden)
                .map(|(name, _)| name.clone())
                .collect(),
        }
    }

    /// Whether bare date serials count from 1904.
    pub fn has_1904_epoch(&self) -> bool {
        match &self.state {
            State::Eager(wb) => wb.has_1904_epoch(),
            State::Lazy(meta, _) => meta.is_1904,
        }
    }

    /// Whether calamine has been opened.
    #[cfg(test)]
    pub fn calamine_open(&self) -> bool {
        !matches!(self.state, State::Lazy(_, None))
    }

    /// calamine's reader, opened now if it was not.
    pub fn calamine(&mut self) -> Result<&mut Xlsx<Rs>, ReadError> {
        let (shown, path) = (&self.shown, &self.path);
        match &mut self.state {
            State::Eager(wb) => Ok(wb),
            State::Lazy(_, Some(wb)) => Ok(wb),
            State::Lazy(_, slot) => Ok(slot.insert(Box::new(open_calamine(shown, path)?))),
        }
    }
}

/// calamine's reader of the workbook at `path`; its refusal as an error naming `shown`.
fn open_calamine(shown: &str, path: &Path) -> Result<Xlsx<Rs>, ReadError> {
    calamine::open_workbook(path).map_err(|e| super::workbook::classify(shown, e))
}
