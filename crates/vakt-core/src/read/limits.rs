//! The limits every reader keeps, taken from the formats themselves where they have one.
//!
//! A return that goes past one is reported, never followed into an unbounded allocation, a hang
//! or a crash. `docs/limits.md` lists each limit with what the user sees when it is hit.

/// Rows in a worksheet (Excel's maximum).
pub const MAX_ROWS: u64 = 1_048_576;
/// Columns in a worksheet (Excel's maximum, XFD).
pub const MAX_COLUMNS: u32 = 16_384;
/// Characters in a cell (Excel's maximum); longer text is cut there, with a finding.
pub const MAX_CELL_CHARS: usize = 32_767;
/// Lines of a CSV file: the rules remember a key's first row in 32 bits (a million keys' maps stay
/// a quarter smaller), and no file this long could be checked in memory anyway.
pub const MAX_CSV_LINES: u64 = u32::MAX as u64;
/// Bytes of one CSV record (a field with a stray quote can swallow a whole file).
pub const MAX_CSV_RECORD_BYTES: u64 = 64 * 1024 * 1024;
/// Declared uncompressed size of one entry of a workbook's zip package.
pub const MAX_ZIP_ENTRY_BYTES: u64 = 2 * 1024 * 1024 * 1024;
/// Declared uncompressed size of all entries of a workbook's zip package.
pub const MAX_ZIP_TOTAL_BYTES: u64 = 4 * 1024 * 1024 * 1024;
/// Uncompressed : compressed ratio above which a large zip entry is a zip bomb.
pub const MAX_ZIP_RATIO: u64 = 200;
/// Entries this small are never judged by their ratio.
pub const ZIP_RATIO_FLOOR_BYTES: u64 = 16 * 1024 * 1024;
/// Bytes of an `.xlsx` package's shared strings, counted while decompressing them.
pub const MAX_SHARED_STRINGS_BYTES: u64 = 1024 * 1024 * 1024;
/// Seconds a workbook read whole (`.xls`, `.xlsb`, `.ods`) may take in its isolated reader.
pub const ISOLATED_READ_SECONDS: u64 = 120;
/// Address space of the isolated reader process.
pub const ISOLATED_READ_BYTES: u64 = 4 * 1024 * 1024 * 1024;
/// Bytes of a rule pack's TOML file.
pub const MAX_PACK_BYTES: u64 = 16 * 1024 * 1024;
/// Bytes of a file a pack loads (a code list).
pub const MAX_PACK_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// Reads a regular file of at most `max` bytes. FIFOs, devices (`/dev/zero`) and folders are
/// refused, also behind a symbolic link: reading them could block or never end.
pub fn read_regular_file(path: &std::path::Path, max: u64) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        return Err(std::io::Error::other("not a regular file"));
    }
    if meta.len() > max {
        return Err(std::io::Error::other(format!(
            "{} bytes, more than the {max} bytes allowed",
            meta.len()
        )));
    }
    let mut out = Vec::with_capacity(meta.len() as usize);
    std::fs::File::open(path)?
        .take(max.saturating_add(1))
        .read_to_end(&mut out)?;
    if out.len() as u64 > max {
        return Err(std::io::Error::other(format!("more than the {max} bytes allowed")));
    }
    Ok(out)
}

/// [`read_regular_file`] as UTF-8 text.
pub fn read_regular_text(path: &std::path::Path, max: u64) -> std::io::Result<String> {
    String::from_utf8(read_regular_file(path, max)?).map_err(|_| std::io::Error::other("not UTF-8 text"))
}
