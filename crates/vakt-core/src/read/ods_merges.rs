//! Merged ranges of an `.ods` sheet. calamine reads OpenDocument cells but not their spans, so
//! the sheet's `content.xml` is streamed once for `table:number-columns-spanned` and
//! `table:number-rows-spanned`, counting rows and cells (with their repeats) to place each span.

use calamine::Dimensions;
use quick_xml::events::{BytesStart, Event};
use std::io::BufRead;
use std::path::Path;

/// The most ranges kept: more is a hostile file, and the first ones are the header's.
const MAX_RANGES: usize = 100_000;

/// Merged ranges of `sheet`, or `None` when the package could not be followed.
pub fn scan(path: &Path, sheet: &str) -> Option<Vec<Dimensions>> {
    let file = std::fs::File::open(path).ok()?;
    let mut zip = zip::ZipArchive::new(std::io::BufReader::new(file)).ok()?;
    let entry = zip.by_name("content.xml").ok()?;
    let reader = std::io::BufReader::new(std::io::Read::take(entry, super::limits::MAX_SHARED_STRINGS_BYTES));
    spans(reader, sheet)
}

/// A numeric attribute, 1 when absent or unreadable.
fn count(tag: &BytesStart<'_>, name: &str) -> u32 {
    tag.attributes()
        .flatten()
        .find(|a| a.key.as_ref() == name)
        .and_then(|a| a.value.trim().parse::<u32>().ok())
        .filter(|&n| n >= 1)
        .unwrap_or(1)
}

fn is_sheet(tag: &BytesStart<'_>, sheet: &str) -> bool {
    tag.attributes()
        .flatten()
        .find(|a| a.key.as_ref() == "table:name")
        .map(|a| super::merges::unescape(&a.value) == sheet)
        .unwrap_or(false)
}

/// The spans of one sheet in a `content.xml` stream (public for the fuzz target).
pub fn spans(xml: impl BufRead, sheet: &str) -> Option<Vec<Dimensions>> {
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut buf = Vec::new();
    let (mut inside, mut row, mut col, mut repeat) = (false, 0u32, 0u32, 1u32);
    let mut out = Vec::new();
    loop {
        let event = reader.read_event_into(&mut buf).ok()?;
        let empty = matches!(event, Event::Empty(_));
        match event {
            Event::Eof => return Some(out),
            Event::Start(ref t) | Event::Empty(ref t) => match t.name().as_ref() {
                "table:table" if !empty => inside = is_sheet(t, sheet),
                "table:table-row" if inside => {
                    repeat = count(t, "table:number-rows-repeated");
                    col = 0;
                    if empty {
                        row = row.saturating_add(repeat);
                    }
                }
                "table:table-cell" | "table:covered-table-cell" if inside => {
                    let (cs, rs) = (
                        count(t, "table:number-columns-spanned"),
                        count(t, "table:number-rows-spanned"),
                    );
                    if (cs > 1 || rs > 1) && out.len() < MAX_RANGES && row < super::limits::MAX_ROWS as u32 {
                        let end = (
                            row.saturating_add(rs.saturating_sub(1)),
                            col.saturating_add(cs.saturating_sub(1)),
                        );
                        out.push(Dimensions { start: (row, col), end });
                    }
                    col = col.saturating_add(count(t, "table:number-columns-repeated"));
                }
                _ => {}
            },
            Event::End(ref t) => match t.name().as_ref() {
                "table:table-row" if inside => row = row.saturating_add(repeat),
                "table:table" if inside => return Some(out),
                _ => {}
            },
            _ => {}
        }
        buf.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_are_placed_by_counting_rows_cells_and_repeats() {
        let xml = r#"<office:document-content><office:body><office:spreadsheet>
<table:table table:name="Other"><table:table-row><table:table-cell table:number-columns-spanned="5"/></table:table-row></table:table>
<table:table table:name="Grupper">
<table:table-row table:number-rows-repeated="2"><table:table-cell/></table:table-row>
<table:table-row><table:table-cell table:number-columns-repeated="3"/><table:table-cell table:number-rows-spanned="2"><text:p>G1</text:p></table:table-cell><table:table-cell table:number-columns-spanned="2"/><table:covered-table-cell/></table:table-row>
<table:table-row/>
<table:table-row><table:covered-table-cell table:number-columns-repeated="4"/><table:table-cell table:number-columns-spanned="2" table:number-rows-spanned="3"/></table:table-row>
</table:table></office:spreadsheet></office:body></office:document-content>"#;
        let got = spans(xml.as_bytes(), "Grupper").unwrap();
        let pairs: Vec<_> = got.iter().map(|d| (d.start, d.end)).collect();
        assert_eq!(pairs, vec![((2, 3), (3, 3)), ((2, 4), (2, 5)), ((4, 4), (6, 5))]);
        assert_eq!(spans(xml.as_bytes(), "Missing").unwrap(), vec![]);
        // Names are unescaped once: `&amp;lt;` is the text `&lt;`.
        let named = r#"<table:table table:name="R&amp;lt;D"><table:table-row><table:table-cell table:number-columns-spanned="2"/></table:table-row></table:table>"#;
        assert_eq!(spans(named.as_bytes(), "R&lt;D").unwrap().len(), 1);
    }
}
