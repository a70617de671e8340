//! Merged ranges of an `.xlsx` sheet, found by scanning the sheet's XML for `<mergeCells>` instead of
//! parsing it: the ranges sit after all the cell data, and a full XML parse just to reach them cost
//! as much as reading the cells (0.15 s of 0.5 s for 100k rows, measured with `bench/run.sh`).

use calamine::Dimensions;
use regex::bytes::Regex;
use std::io::Read;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;

/// A sheet's XML found in its package, ready to be scanned for merged ranges.
pub struct SheetXml {
    zip: zip::ZipArchive<std::io::BufReader<std::fs::File>>,
    sheet_path: String,
}

/// Finds `sheet`'s XML as calamine finds it ([`super::fast_xlsx::parts::sheet_entry`], shared
/// with the fast cell reader); `None` when the layout could not be followed.
pub fn locate(path: &Path, sheet: &str) -> Option<SheetXml> {
    let file = std::fs::File::open(path).ok()?;
    let mut zip = zip::ZipArchive::new(std::io::BufReader::new(file)).ok()?;
    let sheet_path = super::fast_xlsx::parts::sheet_entry(&mut zip, sheet).ok()??;
    zip.index_for_name(&sheet_path)?;
    Some(SheetXml { zip, sheet_path })
}

impl SheetXml {
    /// The size of the sheet's XML as its package declares it; `None` when the entry cannot be
    /// opened.
    pub fn declared_size(&mut self) -> Option<u64> {
        self.zip.by_name(&self.sheet_path).ok().map(|e| e.size())
    }

    /// The sheet's whole XML, read at once, and the merged ranges in it: for a sheet small enough
    /// to hold (`limit` bytes at most), which is then unzipped once instead of twice (once for
    /// the ranges at its end, once for its cells). `None` when it could not be read to its end
    /// (a damaged entry, a failed checksum) or holds more than `limit` bytes.
    pub fn read_whole(mut self, limit: u64) -> Option<(Vec<u8>, Vec<Dimensions>)> {
        let entry = self.zip.by_name(&self.sheet_path).ok()?;
        let declared = usize::try_from(entry.size().min(limit)).ok()?;
        let mut bytes = Vec::with_capacity(declared);
        entry.take(limit.saturating_add(1)).read_to_end(&mut bytes).ok()?;
        if bytes.len() as u64 > limit {
            return None;
        }
        let dims = find_merges(bytes.as_slice())?;
        Some((bytes, dims))
    }

    /// The merged ranges in the sheet's XML; `None` when its data could not be read to the end
    /// (a damaged entry) or `stop` was set (nobody waits for the answer any more).
    pub fn scan(mut self, stop: &AtomicBool) -> Option<Vec<Dimensions>> {
        let entry = self.zip.by_name(&self.sheet_path).ok()?;
        find_merges(Stoppable { inner: entry, stop })
    }
}

/// A reader that fails once `stop` is set: a scan nobody waits for ends at its next read.
struct Stoppable<'s, R> {
    inner: R,
    stop: &'s AtomicBool,
}

impl<R: Read> Read for Stoppable<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.stop.load(Ordering::Relaxed) {
            // Not `Interrupted`: readers retry on that.
            return Err(std::io::Error::other("the scan was stopped"));
        }
        self.inner.read(buf)
    }
}

/// XML text with its five predefined entities replaced (`&amp;` last, so `&amp;lt;` stays `&lt;`).
pub(super) fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

fn merge_regex() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r#"<(?:\w+:)?mergeCell\s+ref="([A-Z]+)([0-9]+)(?::([A-Z]+)([0-9]+))?""#)
            .unwrap_or_else(|_| unreachable!())
    })
}

/// The most of a sheet's `<mergeCells>` element that is read: some 2.6 million ranges. Ranges past
/// it are not filled.
pub const MAX_MERGE_XML: usize = 64 << 20;

/// The merged ranges in a sheet's XML (public for the fuzz target): the `<mergeCells>` element,
/// found by streaming the XML, read up to its end tag (or [`MAX_MERGE_XML`]), and nothing after.
/// `None` when the XML could not be read.
pub fn find_merges(xml: impl Read) -> Option<Vec<Dimensions>> {
    Some(ranges(&merge_element(xml)?))
}

/// What the name starting at `i` in `buf` (`mergeCells`, say) belongs to: `Some(false)` for an
/// opening tag (`<mergeCells`, `<x:mergeCells`), `Some(true)` for an end tag, `None` when it is
/// not a tag's (text holding the word: a `<` in text is always escaped).
fn tag_at(buf: &[u8], i: usize) -> Option<bool> {
    let mut at = i;
    if buf.get(at.checked_sub(1)?) == Some(&b':') {
        // A namespace prefix: letters, digits, `_`, `-`, `.`.
        at = at.checked_sub(1)?;
        let prefix = buf
            .get(..at)?
            .iter()
            .rev()
            .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
            .count();
        if prefix == 0 {
            return None;
        }
        at = at.checked_sub(prefix)?;
    }
    let before = at.checked_sub(1)?;
    match buf.get(before) {
        Some(b'<') => Some(false),
        Some(b'/') if buf.get(before.checked_sub(1)?) == Some(&b'<') => Some(true),
        _ => None,
    }
}

/// The bytes of the sheet's `<mergeCells>` element (empty when it has none), streamed: the
/// element starts at the first opening tag of that name, and reading stops at its end tag.
fn merge_element(mut xml: impl Read) -> Option<Vec<u8>> {
    const CHUNK: usize = 1 << 20;
    // Enough for the name and a prefix before it to straddle two reads.
    const OVERLAP: usize = 64;
    let name = memchr::memmem::Finder::new(b"mergeCells");
    let mut buf = vec![0u8; CHUNK + OVERLAP];
    let mut kept = 0usize;
    let mut element: Option<Vec<u8>> = None;
    // In `element`: where the search for the end tag goes on.
    let mut searched = 0usize;
    loop {
        let n = xml.read(buf.get_mut(kept..)?).ok()?;
        if n == 0 {
            break;
        }
        let filled = kept.saturating_add(n);
        let read = buf.get(..filled)?;
        match &mut element {
            Some(e) => e.extend_from_slice(read.get(kept..)?),
            None => match name.find_iter(read).find(|&i| tag_at(read, i) == Some(false)) {
                Some(i) => element = Some(read.get(i..)?.to_vec()),
                None => {
                    let keep = filled.min(OVERLAP);
                    buf.copy_within(filled.saturating_sub(keep)..filled, 0);
                    kept = keep;
                    continue;
                }
            },
        }
        kept = 0;
        if let Some(e) = &mut element {
            // The end tag, searched from a little before the new bytes (it may straddle reads).
            let from = searched.saturating_sub(OVERLAP).max(1);
            let end = name
                .find_iter(e.get(from..)?)
                .map(|i| i.saturating_add(from))
                .find(|&i| tag_at(e, i) == Some(true));
            searched = e.len();
            if let Some(end) = end {
                e.truncate(end);
                break;
            }
            if e.len() > MAX_MERGE_XML {
                e.truncate(MAX_MERGE_XML);
                break;
            }
        }
    }
    Some(element.unwrap_or_default())
}

/// The merged ranges named in a `<mergeCells>` element's bytes.
fn ranges(element: &[u8]) -> Vec<Dimensions> {
    // Past the sheet's limits (`ZZZZZZZZ2`, row 4294967296) a reference means nothing: dropped.
    let col = |s: &[u8]| -> Option<u32> {
        let n = s.iter().try_fold(0u64, |a, &b| {
            a.checked_mul(26)?.checked_add(u64::from(b.checked_sub(b'A')?) + 1)
        })?;
        u32::try_from(n.checked_sub(1)?)
            .ok()
            .filter(|&c| c < super::limits::MAX_COLUMNS)
    };
    let num = |s: &[u8]| -> Option<u32> {
        let n = s.iter().try_fold(0u64, |a, &b| {
            a.checked_mul(10)?.checked_add(u64::from(b.checked_sub(b'0')?))
        })?;
        u32::try_from(n.checked_sub(1)?)
            .ok()
            .filter(|&r| u64::from(r) < super::limits::MAX_ROWS)
    };
    merge_regex()
        .captures_iter(element)
        .filter_map(|c| {
            let (c1, r1) = (col(c.get(1)?.as_bytes())?, num(c.get(2)?.as_bytes())?);
            let (c2, r2) = match (c.get(3), c.get(4)) {
                (Some(a), Some(b)) => (col(a.as_bytes())?, num(b.as_bytes())?),
                _ => (c1, r1),
            };
            Some(Dimensions {
                start: (r1, c1),
                end: (r2, c2),
            })
        })
        .collect()
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
    fn finds_merges_across_chunk_boundaries() {
        let mut xml = b"<worksheet><sheetData>".to_vec();
        xml.extend(std::iter::repeat_n(b'x', (1 << 20) - 25));
        xml.extend_from_slice(b"</sheetData><mergeCells count=\"2\"><mergeCell ref=\"A2:A4\"/><mergeCell ref=\"AB10:AC11\"/></mergeCells>");
        let m = find_merges(&xml[..]).unwrap();
        assert_eq!(m.len(), 2);
        assert_eq!((m[0].start, m[0].end), ((1, 0), (3, 0)));
        assert_eq!((m[1].start, m[1].end), ((9, 27), (10, 28)));
        assert_eq!(find_merges(&b"<sheetData/>"[..]).unwrap().len(), 0);
        let absurd = b"<mergeCells><mergeCell ref=\"ZZZZZZZZ2\"/><mergeCell ref=\"A2:AAAAAAA2\"/><mergeCell ref=\"A4294967297:A2\"/><mergeCell ref=\"A0\"/></mergeCells>";
        assert_eq!(
            find_merges(&absurd[..]).unwrap().len(),
            0,
            "references past the sheet are dropped"
        );
    }

    #[test]
    fn the_word_in_text_does_not_start_the_element_and_reading_stops_at_its_end() {
        // A cell's text may hold the word (`<` in text is always escaped); only the element counts.
        let mut xml = b"<worksheet><sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>see x:mergeCells and /mergeCells&lt;mergeCells</t></is></c></row>".to_vec();
        xml.extend(std::iter::repeat_n(b' ', 3 << 20));
        xml.extend_from_slice(b"</sheetData><x:mergeCells count=\"1\"><x:mergeCell ref=\"B2:C3\"/></x:mergeCells>");
        let element = merge_element(&xml[..]).unwrap();
        assert!(
            element.starts_with(b"mergeCells count") && element.len() < 100,
            "{}",
            String::from_utf8_lossy(&element)
        );
        assert_eq!(
            find_merges(&xml[..])
                .unwrap()
                .iter()
                .map(|d| (d.start, d.end))
                .collect::<Vec<_>>(),
            [((1, 1), (2, 2))]
        );
        // Nothing after the end tag is read: a reader that fails there does not fail the scan.
        struct FailsAfter<'a>(&'a [u8]);
        impl Read for FailsAfter<'_> {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                if self.0.is_empty() {
                    return Err(std::io::Error::other("past the end tag"));
                }
                let n = buf.len().min(self.0.len());
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let tagged = b"<mergeCells><mergeCell ref=\"A2:A4\"/></mergeCells>";
        assert_eq!(find_merges(FailsAfter(tagged)).unwrap().len(), 1);
        assert!(
            find_merges(FailsAfter(b"<sheetData/>")).is_none(),
            "a read error before the end is not hidden"
        );
        // An element at the very start, and one never closed.
        assert_eq!(
            find_merges(&b"<mergeCells><mergeCell ref=\"A1:B1\"/>"[..])
                .unwrap()
                .len(),
            1
        );
    }

    #[test]
    fn an_endless_merge_element_is_read_to_its_limit_not_held_whole() {
        // 80 MiB of ranges, made as they are read.
        struct Endless(usize);
        impl Read for Endless {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                const CELL: &[u8] = b"<mergeCell ref=\"A2:B2\"/>";
                if self.0 == 0 {
                    return Ok(0);
                }
                let mut n = 0;
                if self.0 == usize::MAX {
                    buf[..12].copy_from_slice(b"<mergeCells>");
                    n = 12;
                    self.0 = 80 << 20;
                }
                while n + CELL.len() <= buf.len() && self.0 > 0 {
                    buf[n..n + CELL.len()].copy_from_slice(CELL);
                    n += CELL.len();
                    self.0 = self.0.saturating_sub(CELL.len());
                }
                Ok(n)
            }
        }
        let element = merge_element(Endless(usize::MAX)).unwrap();
        assert_eq!(element.len(), MAX_MERGE_XML);
    }

    #[test]
    fn a_scan_nobody_waits_for_stops() {
        let messy = Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../fixtures/returns/messy.xlsx"
        ));
        let xml = locate(messy, "Pasienter").unwrap();
        assert!(xml.scan(&AtomicBool::new(true)).is_none());
        let xml = locate(messy, "Pasienter").unwrap();
        assert_eq!(xml.scan(&AtomicBool::new(false)).map(|m| m.len()), Some(1));
        assert!(locate(messy, "No such sheet").is_none());
    }

    #[test]
    fn follows_the_package_to_the_sheet() {
        let messy = Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../fixtures/returns/messy.xlsx"
        ));
        let m = locate(messy, "Pasienter")
            .unwrap()
            .scan(&AtomicBool::new(false))
            .unwrap();
        assert_eq!(m.len(), 1);
        assert_eq!((m[0].start, m[0].end), ((1, 0), (3, 0)));
    }
}
