//! The findings of the read and locate stages, each documented for `vakt explain`.

use crate::finding::CheckInfo;

documented_check! {
    /// An input could not be read at all.
    ///
    /// The file is missing, unreadable, corrupt, not a spreadsheet, or a password-protected or
    /// encrypted workbook. The run ends with exit status 2, but the other inputs are still checked.
    ///
    /// Fix: save an unprotected `.xlsx` copy, or export the sheets as CSV.
    ///
    /// When the message says *a rule stopped while checking it*, the file is not at fault: a rule
    /// (one of vakt's, or a rule kind added to the pack in Rust) failed on it. Report it, with the
    /// message.
    pub struct UnreadableInput => "VK0001", "unreadable-input";
}

documented_check! {
    /// A table of the rule pack was not found in the return.
    ///
    /// Workbooks are searched for a sheet named like the table in English or Norwegian
    /// (`Clinics`, `Klinikker`); drift such as `Klinikker (2)` or `Klinikker kopi` is tolerated.
    /// CSV folders are searched for a file named after the table (`clinics.csv`, `klinikker.csv`).
    /// An error for required tables, information for optional ones.
    pub struct MissingTable => "VK0002", "missing-table";
}

documented_check! {
    /// A column of the table has no header in the sheet.
    ///
    /// Headers match the pack's column name, its Norwegian label or an alias, ignoring case and
    /// spacing. A missing column is reported once at the header row, not once per row: an error when
    /// the column is required, information otherwise.
    pub struct MissingColumn => "VK0003", "missing-column";
}

documented_check! {
    /// A column whose header names no column of the pack.
    ///
    /// The column is kept in the input and otherwise ignored: not checked, not cleaned.
    /// Information only; add an alias to the pack if the header is a known variant.
    pub struct UnknownColumn => "VK0004", "unknown-column";
}

documented_check! {
    /// A totals row (`Sum`, `Totalt`, `I alt` in its first filled cell).
    ///
    /// Totals are not data: the row is reported and skipped, never counted.
    pub struct TotalsRow => "VK0005", "totals-row";
}

documented_check! {
    /// Blank rows inside a table.
    ///
    /// Fully blank rows between data rows are skipped and reported once per run of blank rows.
    /// Blank rows at the end of a table are ignored.
    pub struct BlankRows => "VK0006", "blank-rows";
}

documented_check! {
    /// A note under or inside the table: a single filled cell holding a sentence or a remark
    /// (`Merk: ...`, `* ...`).
    ///
    /// Notes are skipped, not read as data. A warning, because a note can carry information the
    /// data manager should read (and sometimes personal data).
    pub struct NoteRow => "VK0007", "note-row";
}

documented_check! {
    /// The header row of a table could not be found.
    ///
    /// The first 30 rows are searched for a row naming enough of the table's columns. Without a
    /// header nothing in the sheet can be checked.
    pub struct HeaderNotFound => "VK0009", "header-not-found";
}

documented_check! {
    /// A sheet or CSV file that matches no table of the pack.
    ///
    /// It is not checked. Information only, unless a single CSV file was given that matches no
    /// table, which is an error. A hidden sheet that matches no table (a lookup list, such as the
    /// code lists of `vakt template`) is skipped without a note.
    pub struct UnknownPart => "VK0010", "unknown-sheet";
}

documented_check! {
    /// The same table appears in more than one sheet or file (`Klinikker` and `Klinikker (2)`).
    ///
    /// The sheet whose name matches exactly (else the first) is checked; the others are not.
    pub struct DuplicateTable => "VK0011", "duplicate-table";
}

documented_check! {
    /// Two headers name the same column.
    ///
    /// The first is used; the repeated one is ignored.
    pub struct RepeatedHeader => "VK0012", "repeated-header";
}

documented_check! {
    /// Two inputs hold the same return: the same value of the pack's return key (`[return]`), such
    /// as a corrected copy sent again.
    ///
    /// Both are checked. `vakt clean` refuses to merge them into duplicate rows unless told which
    /// to take: `--resubmissions latest` keeps the one submitted last (by the pack's `submitted`
    /// date, else the later on the command line) and lists the other in the manifest.
    pub struct DuplicateReturn => "VK0013", "duplicate-return";
}

documented_check! {
    /// One input holds several returns (several values of the return key), but a table has no
    /// return-key column to say which return each of its rows belongs to.
    ///
    /// A merged dataset such as `vakt clean` output carries the return key in every table; keys,
    /// relations and counts are then checked within each return. Without it the rows cannot be
    /// told apart and are checked as if they belonged to the first return.
    pub struct MixedReturns => "VK0014", "mixed-returns";
}

documented_check! {
    /// Something the reader noticed while reading a sheet or CSV file, at its cell or line.
    ///
    /// A warning when a limit of the format was hit and data was left out: cells past column XFD
    /// or row 1,048,576, a value longer than 32,767 characters (cut there, as Excel would), fields
    /// past the 16,384th of a CSV line, a quoted CSV field that runs to the end of the file (its
    /// closing quote is missing). Information when a choice was made: a CSV file read as
    /// Windows-1252, or a UTF-8 file with a few bytes that are not UTF-8 (read there as
    /// Windows-1252). `docs/limits.md` lists every limit.
    pub struct ReadNotice => "VK0015", "read-notice";
}

documented_check! {
    /// More than 1,000 findings of one kind in one table: the rest are counted, not listed.
    ///
    /// The totals (and the exit status) count every finding; the list keeps the first 1,000 of
    /// each kind per table so that memory stays bounded on any input. Fix the listed ones and check
    /// again.
    pub struct FindingsLimit => "VK0016", "findings-limit";
}

/// [`UnreadableInput`]'s code.
pub const UNREADABLE: &str = UnreadableInput::CODE;
/// [`MissingTable`]'s code.
pub const MISSING_TABLE: &str = MissingTable::CODE;
/// [`MissingColumn`]'s code.
pub const MISSING_COLUMN: &str = MissingColumn::CODE;
/// [`UnknownColumn`]'s code.
pub const UNKNOWN_COLUMN: &str = UnknownColumn::CODE;
/// [`TotalsRow`]'s code.
pub const TOTALS_ROW: &str = TotalsRow::CODE;
/// [`BlankRows`]'s code.
pub const BLANK_ROWS: &str = BlankRows::CODE;
/// [`NoteRow`]'s code.
pub const NOTE_ROW: &str = NoteRow::CODE;
/// [`HeaderNotFound`]'s code.
pub const HEADER_NOT_FOUND: &str = HeaderNotFound::CODE;
/// [`UnknownPart`]'s code.
pub const UNKNOWN_PART: &str = UnknownPart::CODE;
/// [`DuplicateTable`]'s code.
pub const DUPLICATE_TABLE: &str = DuplicateTable::CODE;
/// [`RepeatedHeader`]'s code.
pub const REPEATED_HEADER: &str = RepeatedHeader::CODE;
/// [`DuplicateReturn`]'s code.
pub const DUPLICATE_RETURN: &str = DuplicateReturn::CODE;
/// [`MixedReturns`]'s code.
pub const MIXED_RETURNS: &str = MixedReturns::CODE;
/// [`ReadNotice`]'s code.
pub const READ_NOTICE: &str = ReadNotice::CODE;
/// [`FindingsLimit`]'s code.
pub const FINDINGS_LIMIT: &str = FindingsLimit::CODE;

/// Every read and locate finding, in code order.
pub const ALL: &[CheckInfo] = &[
    UnreadableInput::INFO,
    MissingTable::INFO,
    MissingColumn::INFO,
    UnknownColumn::INFO,
    TotalsRow::INFO,
    BlankRows::INFO,
    NoteRow::INFO,
    HeaderNotFound::INFO,
    UnknownPart::INFO,
    DuplicateTable::INFO,
    RepeatedHeader::INFO,
    DuplicateReturn::INFO,
    MixedReturns::INFO,
    ReadNotice::INFO,
    FindingsLimit::INFO,
];
