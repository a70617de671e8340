//! Reports for people who act on findings: the feedback workbook that goes back to the authority
//! that sent a return ([`feedback`]), the HTML report for the data manager ([`html`]) with the
//! distributions the pack profiles ([`profile`]), and the pieces every workbook vakt writes for
//! people shares ([`xlsx`]).
//!
//! The terminal and JSON reports live in `vakt_core::report`; this crate holds the renderers that
//! write files and need a spreadsheet writer, so the core stays free of it.
//!
//! ```
//! let mut taken = vec![vakt_report::feedback::SUMMARY_SHEET.to_lowercase()];
//! assert_eq!(vakt_report::xlsx::sheet_name("Grupper [2009]", &mut taken), "Grupper _2009_");
//! ```

pub mod feedback;
pub mod html;
pub mod profile;
pub mod template;
pub mod xlsx;

/// Why a report could not be written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The return could not be read again to copy it.
    #[error("{0}")]
    Input(String),
    /// The file could not be written.
    #[error("{0}: {1}")]
    Write(String, String),
    /// The spreadsheet writer refused something.
    #[error("{0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
}

/// Writes a file only its owner may read (0600 on Unix): it holds the return's data.
pub fn write_private(path: &std::path::Path, bytes: &[u8]) -> Result<(), Error> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let err = |e: std::io::Error| Error::Write(path.display().to_string(), e.to_string());
    let mut file = options.open(path).map_err(err)?;
    file.write_all(bytes).map_err(err)
}
