//! Checks of a zip package (`.xlsx`, `.ods`) before calamine opens it: the declared sizes of its
//! entries (which the zip reader enforces while decompressing), their compression ratio, and the
//! number of shared strings an `.xlsx` declares, which calamine reserves memory for up front.

use super::limits::{
    MAX_SHARED_STRINGS_BYTES, MAX_ZIP_ENTRY_BYTES, MAX_ZIP_RATIO, MAX_ZIP_TOTAL_BYTES, ZIP_RATIO_FLOOR_BYTES,
};
use super::{InputFormat, ReadError};
use std::io::Read;
use std::path::Path;

fn refuse(shown: &str, reason: String) -> ReadError {
    ReadError::Corrupt {
        file: shown.to_string(),
        reason,
    }
}

/// Refuses a package whose entries would decompress past the limits (a zip bomb), or whose
/// shared-string count cannot be true.
pub fn check(shown: &str, path: &Path, format: InputFormat) -> Result<(), ReadError> {
    let file = std::fs::File::open(path).map_err(|e| ReadError::Open {
        file: shown.to_string(),
        reason: e.to_string(),
    })?;
    // Not a zip at all: calamine says so in its own words.
    let Ok(mut zip) = zip::ZipArchive::new(std::io::BufReader::new(file)) else {
        return Ok(());
    };
    let mut total: u64 = 0;
    let mut shared: Option<(usize, u64)> = None;
    for i in 0..zip.len() {
        let Ok(entry) = zip.by_index_raw(i) else { continue };
        let (size, packed) = (entry.size(), entry.compressed_size().max(1));
        let name = entry.name().map(|n| n.to_string()).unwrap_or_default();
        if size > MAX_ZIP_ENTRY_BYTES {
            return Err(refuse(
                shown,
                format!("its part {name} would unpack to {size} bytes, more than a workbook holds"),
            ));
        }
        if size > ZIP_RATIO_FLOOR_BYTES && size / packed > MAX_ZIP_RATIO {
            return Err(refuse(
                shown,
                format!(
                    "its part {name} would unpack {}-fold to {size} bytes: a zip bomb, not a workbook",
                    size / packed
                ),
            ));
        }
        total = total.saturating_add(size);
        if name.eq_ignore_ascii_case("xl/sharedStrings.xml") {
            shared = Some((i, size));
        }
    }
    if total > MAX_ZIP_TOTAL_BYTES {
        return Err(refuse(
            shown,
            format!("it would unpack to {total} bytes, more than a workbook holds"),
        ));
    }
    if let (InputFormat::Xlsx, Some((i, size))) = (format, shared) {
        shared_strings(shown, &mut zip, i, size)?;
    }
    if format == InputFormat::Ods {
        closed_tables(shown, &mut zip)?;
    }
    Ok(())
}

/// An `.ods` table that is opened and never closed: calamine 0.38 reads the end of the file for
/// ever (docs/upstream.md). Counted in one pass over `content.xml`.
fn closed_tables<R: Read + std::io::Seek>(shown: &str, zip: &mut zip::ZipArchive<R>) -> Result<(), ReadError> {
    let Ok(mut content) = zip.by_name("content.xml") else {
        return Ok(());
    };
    let patterns: [&[u8]; 3] = [b"<table:table ", b"<table:table>", b"</table:table>"];
    let finders: Vec<memchr::memmem::Finder<'_>> = patterns.iter().map(memchr::memmem::Finder::new).collect();
    let mut counts = [0usize; 3];
    let mut buf = vec![0u8; 1 << 20];
    let keep = 16;
    let mut held = 0;
    loop {
        let n = match content.read(&mut buf[held..]) {
            Ok(0) => break,
            Ok(n) => n,
            Err(_) => return Ok(()),
        };
        let filled = held + n;
        for (k, f) in finders.iter().enumerate() {
            // Matches ending in the kept overlap were counted with the previous chunk.
            counts[k] += f
                .find_iter(&buf[..filled])
                .filter(|&i| i + patterns[k].len() > held)
                .count();
        }
        held = filled.min(keep);
        buf.copy_within(filled - held..filled, 0);
    }
    if counts[0] + counts[1] != counts[2] {
        return Err(refuse(
            shown,
            format!(
                "{} of its tables are opened and {} closed: the file is cut short or damaged",
                counts[0] + counts[1],
                counts[2]
            ),
        ));
    }
    Ok(())
}

/// The `uniqueCount` of `<sst>` must fit the part's size (each string takes at least `<si/>`).
fn shared_strings<R: Read + std::io::Seek>(
    shown: &str,
    zip: &mut zip::ZipArchive<R>,
    index: usize,
    size: u64,
) -> Result<(), ReadError> {
    if size > MAX_SHARED_STRINGS_BYTES {
        return Err(refuse(
            shown,
            format!("its shared strings would unpack to {size} bytes"),
        ));
    }
    let Ok(entry) = zip.by_index(index) else { return Ok(()) };
    let mut head = Vec::with_capacity(4096);
    if entry.take(4096).read_to_end(&mut head).is_err() {
        return Ok(());
    }
    let head = String::from_utf8_lossy(&head);
    let Some(sst) = head.find("<sst").map(|i| &head[i..]) else {
        return Ok(());
    };
    let tag = &sst[..sst.find('>').unwrap_or(sst.len())];
    for attr in ["uniqueCount=\"", "count=\""] {
        let Some(at) = tag.find(attr) else { continue };
        let digits: String = tag[at + attr.len()..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        let declared: u64 = digits.parse().unwrap_or(u64::MAX);
        if attr.starts_with("unique") && declared > size / 5 + 1 {
            return Err(refuse(
                shown,
                format!("its shared strings declare {declared} strings in {size} bytes: damaged"),
            ));
        }
    }
    Ok(())
}
