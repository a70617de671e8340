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
        // `packed` is at least 1.
        let ratio = size.checked_div(packed).unwrap_or(size);
        if size > ZIP_RATIO_FLOOR_BYTES && ratio > MAX_ZIP_RATIO {
            return Err(refuse(
                shown,
                format!("its part {name} would unpack {ratio}-fold to {size} bytes: a zip bomb, not a workbook"),
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
    let mut held = 0usize;
    loop {
        let n = match content.read(buf.get_mut(held..).unwrap_or_default()) {
            Ok(0) => break,
            Ok(n) => n,
            Err(_) => return Ok(()),
        };
        let filled = held.saturating_add(n);
        let read = buf.get(..filled).unwrap_or_default();
        for ((count, f), pattern) in counts.iter_mut().zip(&finders).zip(patterns) {
            // Matches ending in the kept overlap were counted with the previous chunk.
            let new = f
                .find_iter(read)
                .filter(|&i| i.saturating_add(pattern.len()) > held)
                .count();
            *count = count.saturating_add(new);
        }
        held = filled.min(keep);
        buf.copy_within(filled.saturating_sub(held)..filled, 0);
    }
    let [open_with_attributes, open_bare, closed] = counts;
    let opened = open_with_attributes.saturating_add(open_bare);
    if opened != closed {
        return Err(refuse(
            shown,
            format!("{opened} of its tables are opened and {closed} closed: the file is cut short or damaged"),
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
        let digits: String = tag
            .get(at.saturating_add(attr.len())..)
            .unwrap_or_default()
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        let declared: u64 = digits.parse().unwrap_or(u64::MAX);
        if attr.starts_with("unique") && declared > (size / 5).saturating_add(1) {
            return Err(refuse(
                shown,
                format!("its shared strings declare {declared} strings in {size} bytes: damaged"),
            ));
        }
    }
    Ok(())
}
