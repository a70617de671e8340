//! Reports for people who act on findings: the feedback workbook that goes back to the authority
//! that sent a return ([`feedback`]), and the pieces every workbook vakt writes for people shares
//! ([`xlsx`]).
//!
//! The terminal and JSON reports live in `vakt_core::report`; this crate holds the renderers that
//! write files and need a spreadsheet writer, so the core stays free of it.
//!
//! ```
//! let mut taken = vec![vakt_report::feedback::SUMMARY_SHEET.to_lowercase()];
//! assert_eq!(vakt_report::xlsx::sheet_name("Grupper [2009]", &mut taken), "Grupper _2009_");
//! ```

pub mod feedback;
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
