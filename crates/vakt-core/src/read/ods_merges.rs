//! Merged ranges of the sheets of an `.ods` workbook. calamine reads OpenDocument cells but not
//! their spans, so the workbook's `content.xml` is streamed once for every sheet's
//! `table:number-columns-spanned` and `table:number-rows-spanned`, counting rows and cells (with
//! their repeats) to place each span. Once, not once per sheet: a sheet's scan began at the top of
//! the file and so read every sheet before it again, unzipping it again.

use calamine::Dimensions;
use quick_xml::events::{BytesStart, Event};
use std::collections::HashMap;
use std::io::BufRead;
use std::path::Path;

/// The most ranges kept per sheet: more is a hostile file, and the first ones are the header's.
const MAX_RANGES: usize = 100_000;

/// Merged ranges of each of `sheets` (the workbook's sheet names), from one reading of the
/// package: for each sheet what [`spans`] finds of it in `content.xml`; an empty list where the
/// package could not be followed or the XML broke off before the sheet's end.
pub fn scan_all(path: &Path, sheets: &[String]) -> HashMap<String, Vec<Dimensions>> {
    let names: Vec<&str> = sheets.iter().map(String::as_str).collect();
    // Most workbooks merge no cells: bytes searched for the attributes' common part cost a tenth
    // of the XML parsed, and a file without them has no spans anywhere.
    let found = match with_content(path, may_span) {
        Some(false) => Vec::new(),
        _ => with_content(path, |xml| spans_of(xml, &names)).unwrap_or_default(),
    };
    let mut out = HashMap::with_capacity(sheets.len());
    for (name, spans) in names.iter().zip(found) {
        out.entry((*name).to_string()).or_insert(spans.unwrap_or_default());
    }
    out
}

/// `read` of the package's `content.xml`, within the byte limit; `None` when the package could
/// not be followed to it.
fn with_content<T>(path: &Path, read: impl FnOnce(&mut dyn BufRead) -> T) -> Option<T> {
    let file = std::fs::File::open(path).ok()?;
    let mut zip = zip::ZipArchive::new(std::io::BufReader::new(file)).ok()?;
    let entry = zip.by_name("content.xml").ok()?;
    let mut xml = std::io::BufReader::new(std::io::Read::take(entry, super::limits::MAX_SHARED_STRINGS_BYTES));
    Some(read(&mut xml))
}

/// The part every span attribute's name holds (`table:number-columns-spanned`,
/// `table:number-rows-spanned`); names are never escaped in XML, so a stream without it has none.
const SPANNED: &[u8] = b"-spanned";

/// Whether `xml` may hold a span: false only when it was read to its end and [`SPANNED`] is
/// nowhere in it, also not across two of the reader's buffers.
fn may_span(xml: &mut dyn BufRead) -> bool {
    let finder = memchr::memmem::Finder::new(SPANNED);
    // The end of the previous buffer, where a match split across two buffers begins.
    let mut tail: Vec<u8> = Vec::with_capacity(SPANNED.len().saturating_mul(2));
    loop {
        let chunk = match xml.fill_buf() {
            Ok([]) => return false,
            Ok(chunk) => chunk,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => return true,
        };
        let head = chunk
            .get(..chunk.len().min(SPANNED.len().saturating_sub(1)))
            .unwrap_or_default();
        tail.extend_from_slice(head);
        if finder.find(&tail).is_some() || finder.find(chunk).is_some() {
            return true;
        }
        // Keep the last bytes seen, short of a match: of this buffer, or (when it is shorter)
        // of the tail it was added to.
        let width = SPANNED.len().saturating_sub(1);
        if chunk.len() >= width {
            tail.clear();
            tail.extend_from_slice(chunk.get(chunk.len().saturating_sub(width)..).unwrap_or_default());
        } else {
            tail.drain(..tail.len().saturating_sub(width));
        }
        let used = chunk.len();
        xml.consume(used);
    }
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

/// A cell's spans and repeat, each 1 when absent or unreadable.
struct Counts {
    cs: u32,
    rs: u32,
    repeated: u32,
}

/// [`count`] of a cell's three numbers. Nearly every cell has none of them: a cell whose tag does
/// not hold `number-` has its attributes left unparsed, and any other has them read once.
fn counts(tag: &BytesStart<'_>) -> Counts {
    let mut counts = Counts {
        cs: 1,
        rs: 1,
        repeated: 1,
    };
    let raw: &str = tag;
    if memchr::memmem::find(raw.as_bytes(), b"number-").is_none() {
        return counts;
    }
    // As `count` reads them: the first attribute of each name decides.
    let mut seen = [false; 3];
    for a in tag.attributes().flatten() {
        let (slot, first) = match a.key.as_ref() {
            "table:number-columns-spanned" => (&mut counts.cs, &mut seen[0]),
            "table:number-rows-spanned" => (&mut counts.rs, &mut seen[1]),
            "table:number-columns-repeated" => (&mut counts.repeated, &mut seen[2]),
            _ => continue,
        };
        if std::mem::replace(first, true) {
            continue;
        }
        if let Some(n) = a.value.trim().parse::<u32>().ok().filter(|&n| n >= 1) {
            *slot = n;
        }
    }
    counts
}

/// The name of a table (its first `table:name`, unescaped).
fn table_name(tag: &BytesStart<'_>) -> Option<String> {
    tag.attributes()
        .flatten()
        .find(|a| a.key.as_ref() == "table:name")
        .map(|a| super::merges::unescape(&a.value))
}

/// The spans of one sheet in a `content.xml` stream (public for the fuzz target).
pub fn spans(xml: impl BufRead, sheet: &str) -> Option<Vec<Dimensions>> {
    spans_of(xml, &[sheet]).pop().flatten()
}

/// Where one sheet's scan stands: what a scan of that sheet alone would hold at this point.
#[derive(Default)]
struct Sheet {
    row: u32,
    col: u32,
    repeat: u32,
    out: Vec<Dimensions>,
    /// The sheet's table has closed: a scan of it alone would have stopped here.
    done: bool,
}

/// The spans of each of `sheets` in one pass over a `content.xml` stream, each as a scan of that
/// sheet alone finds them: counted while the last table opened bears its name, until that table
/// closes; what was found so far at the end of the stream; `None` for a sheet not yet closed when
/// the stream turns out not to be XML.
fn spans_of(xml: impl BufRead, sheets: &[&str]) -> Vec<Option<Vec<Dimensions>>> {
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut buf = Vec::new();
    let index: HashMap<&str, usize> = sheets.iter().enumerate().rev().map(|(i, s)| (*s, i)).collect();
    let mut state: Vec<Sheet> = sheets
        .iter()
        .map(|_| Sheet {
            repeat: 1,
            ..Sheet::default()
        })
        .collect();
    let mut open = 0usize;
    // The sheet whose table was opened last, unless its scan has ended.
    let mut inside: Option<usize> = None;
    let failed = loop {
        let Ok(event) = reader.read_event_into(&mut buf) else {
            break true;
        };
        let empty = matches!(event, Event::Empty(_));
        match event {
            Event::Eof => break false,
            Event::Start(ref t) | Event::Empty(ref t) => {
                if t.name().as_ref() == "table:table" {
                    if !empty {
                        inside = table_name(t)
                            .and_then(|n| index.get(n.as_str()).copied())
                            .filter(|&i| state.get(i).is_some_and(|s| !s.done));
                    }
                } else if let Some(sheet) = inside.and_then(|i| state.get_mut(i)) {
                    opened(sheet, t, empty);
                }
            }
            Event::End(ref t) => {
                if let Some(i) = inside {
                    let name = t.name();
                    let Some(sheet) = state.get_mut(i) else { break false };
                    match name.as_ref() {
                        "table:table-row" => sheet.row = sheet.row.saturating_add(sheet.repeat),
                        "table:table" => {
                            sheet.done = true;
                            inside = None;
                            open = open.saturating_add(1);
                            if open >= index.len() {
                                break false;
                            }
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
        buf.clear();
    };
    state
        .into_iter()
        .map(|s| (s.done || !failed).then_some(s.out))
        .collect()
}

/// A row or cell of a sheet being scanned opens.
fn opened(sheet: &mut Sheet, t: &BytesStart<'_>, empty: bool) {
    match t.name().as_ref() {
        "table:table-row" => {
            sheet.repeat = count(t, "table:number-rows-repeated");
            sheet.col = 0;
            if empty {
                sheet.row = sheet.row.saturating_add(sheet.repeat);
            }
        }
        "table:table-cell" | "table:covered-table-cell" => {
            let Counts { cs, rs, repeated } = counts(t);
            let (row, col) = (sheet.row, sheet.col);
            if (cs > 1 || rs > 1) && sheet.out.len() < MAX_RANGES && row < super::limits::MAX_ROWS as u32 {
                let end = (
                    row.saturating_add(rs.saturating_sub(1)),
                    col.saturating_add(cs.saturating_sub(1)),
                );
                sheet.out.push(Dimensions { start: (row, col), end });
            }
            sheet.col = col.saturating_add(repeated);
        }
        _ => {}
    }
}

#[cfg(test)]
#[allow(
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    reason = "tests may panic"
)]
mod tests {
    use super::*;

    /// The scan of one sheet as it was before all sheets were scanned in one pass (at 3d3ebef),
    /// kept here as the oracle the one pass must agree with, sheet by sheet.
    fn one_sheet_alone(xml: &[u8], sheet: &str) -> Option<Vec<Dimensions>> {
        let is_sheet = |t: &BytesStart<'_>| table_name(t).is_some_and(|n| n == sheet);
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
                    "table:table" if !empty => inside = is_sheet(t),
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
                        if (cs > 1 || rs > 1) && out.len() < MAX_RANGES {
                            let end = (row + rs - 1, col + cs - 1);
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

    /// Random `content.xml` streams: tables named from a few names (some twice, some nested, some
    /// left open), rows and cells with and without repeats and spans, cut off anywhere (so some are
    /// not XML). For every name, the one pass over all sheets finds what a scan of that sheet alone
    /// finds.
    #[test]
    fn one_pass_over_every_sheet_finds_what_each_sheet_alone_finds() {
        let names = ["A", "B", "C&amp;D", "E"];
        let mut next = crate::test_rng::below(0x2545_f491_4f6c_dd1d);
        for _ in 0..2_000 {
            let mut xml = String::from("<office:document-content><office:body><office:spreadsheet>");
            let mut open = 0;
            for _ in 0..next(5) {
                let name = names[next(4) as usize];
                xml.push_str(&format!(r#"<table:table table:name="{name}">"#));
                open += 1;
                for _ in 0..next(4) {
                    let rows = ["", r#" table:number-rows-repeated="3""#][next(2) as usize];
                    if next(6) == 0 {
                        xml.push_str(&format!("<table:table-row{rows}/>"));
                        continue;
                    }
                    xml.push_str(&format!("<table:table-row{rows}>"));
                    for _ in 0..next(4) {
                        let tag = ["table:table-cell", "table:covered-table-cell"][next(2) as usize];
                        let attrs = [
                            "",
                            r#" table:number-columns-repeated="2""#,
                            r#" table:number-columns-spanned="2""#,
                            r#" table:number-rows-spanned="2" table:number-columns-spanned="3""#,
                            r#" table:style-name="number-1""#,
                        ][next(5) as usize];
                        if next(2) == 0 {
                            xml.push_str(&format!("<{tag}{attrs}/>"));
                        } else {
                            xml.push_str(&format!("<{tag}{attrs}><text:p>v</text:p></{tag}>"));
                        }
                    }
                    xml.push_str("</table:table-row>");
                }
                if open > 0 && next(4) != 0 {
                    xml.push_str("</table:table>");
                    open -= 1;
                }
            }
            xml.push_str("</office:spreadsheet></office:body></office:document-content>");
            let cut = if next(3) == 0 {
                next(xml.len() as u64 + 1) as usize
            } else {
                xml.len()
            };
            let xml = &xml.as_bytes()[..cut];
            let wanted = ["A", "B", "C&D", "E", "A", "missing"];
            let got = spans_of(xml, &wanted);
            for (name, got) in wanted.iter().zip(&got).take(4) {
                let want = one_sheet_alone(xml, name);
                let pairs = |v: &Option<Vec<Dimensions>>| {
                    v.as_ref()
                        .map(|v| v.iter().map(|d| (d.start, d.end)).collect::<Vec<_>>())
                };
                assert_eq!(pairs(got), pairs(&want), "{name} in {}", String::from_utf8_lossy(xml));
            }
            // A name asked for twice gets the first answer; a missing sheet nothing.
            let missing = got.last().cloned().flatten();
            assert!(missing.is_none_or(|v| v.is_empty()));
            // The search that lets a workbook without spans skip the scan, read through buffers
            // of 1 to 12 bytes so that the attribute is split across two or more of them.
            let has = xml.windows(SPANNED.len()).any(|w| w == b"-spanned");
            let mut small = std::io::BufReader::with_capacity(1 + next(12) as usize, xml);
            assert_eq!(may_span(&mut small), has, "{}", String::from_utf8_lossy(xml));
            if !has {
                assert!(got.iter().all(|g| g.as_ref().is_none_or(Vec::is_empty)));
            }
        }
    }

    /// A cell's three numbers read at once are what `count` reads one by one, on tags with none,
    /// some, repeated, unreadable and zero values, and names that only look alike.
    #[test]
    fn a_cells_numbers_read_at_once_are_those_read_one_by_one() {
        let tags = [
            r#"table:table-cell"#,
            r#"table:table-cell table:style-name="ce1" office:value-type="float" office:value="3""#,
            r#"table:table-cell table:number-columns-repeated="4""#,
            r#"table:table-cell table:number-columns-spanned="2" table:number-rows-spanned="3""#,
            r#"table:covered-table-cell table:number-columns-repeated=" 7 " table:number-columns-spanned="x""#,
            r#"table:table-cell table:number-rows-spanned="0" table:number-columns-repeated="5""#,
            r#"table:table-cell table:number-columns-repeated="2" table:number-columns-repeated="9""#,
            r#"table:table-cell table:number-columns-repeated="x" table:number-columns-repeated="9""#,
            r#"table:table-cell table:style-name="number-3" other:number-columns-spanned="6""#,
        ];
        for raw in tags {
            let name_len = raw.find(' ').unwrap_or(raw.len());
            let tag = BytesStart::from_content(raw, name_len);
            let want = (
                count(&tag, "table:number-columns-spanned"),
                count(&tag, "table:number-rows-spanned"),
                count(&tag, "table:number-columns-repeated"),
            );
            let got = counts(&tag);
            assert_eq!((got.cs, got.rs, got.repeated), want, "{raw}");
        }
    }

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
