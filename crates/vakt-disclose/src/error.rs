//! Why a disclosure command could not complete: a file that could not be read, a table that is
//! not one the command can use, a request that does not fit the data, or an output that could
//! not be written. Every message names the file (and cell, where known).

use vakt_core::read::ReadError;

/// Why a disclosure command could not complete.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The input could not be read at all.
    #[error(transparent)]
    Read(#[from] ReadError),
    /// The input was read but is not a table the command can use: empty, or a cell that is
    /// neither a count nor a suppression symbol.
    #[error("{0}")]
    Table(String),
    /// The request does not fit the data: a column that is not there, a sheet that is not there.
    #[error("{0}")]
    Request(String),
    /// An output could not be written.
    #[error("{path}: {reason}")]
    Write {
        /// The output file.
        path: String,
        /// What went wrong.
        reason: String,
    },
}

impl Error {
    pub(crate) fn write(path: &std::path::Path, e: &dyn std::fmt::Display) -> Error {
        Error::Write {
            path: path.display().to_string(),
            reason: e.to_string(),
        }
    }
}
