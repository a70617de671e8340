//! The parts of an `.xlsx` package the fast reader needs besides the sheet: the shared strings and
//! the cell formats, read as calamine reads them (its `read_shared_strings`, `read_string` and
//! `read_styles`), and a sheet's path in the package, found as calamine finds it.
//!
//! These parts are small beside the sheets and read whole (up to [`MAX_PART`]), through a simple
//! event reader over the XML subset of [`super::text`]; anything outside it leaves the workbook to
//! calamine.

use super::formats::{self, NumberKind};
use super::text::{self, attr, decode_into, local_name, Unsupported};
use std::io::Read;

/// The largest shared-strings or styles part read here; a larger one is left to calamine.
pub const MAX_PART: u64 = 64 << 20;

/// One event of the XML, with empty elements expanded into a start and an end (as calamine asks
/// of quick-xml).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Event<'x> {
    Start { name: &'x [u8], attrs: &'x [u8] },
    End { name: &'x [u8] },
    Text(&'x [u8]),
}

/// The events of a whole part.
struct Events<'x> {
    xml: &'x [u8],
    pos: usize,
    /// The end event of an empty element just started.
    pending_end: Option<&'x [u8]>,
}

impl<'x> Events<'x> {
    fn new(xml: &'x [u8]) -> Result<Events<'x>, Unsupported> {
        let xml = xml.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(xml);
        let mut events = Events {
            xml,
            pos: 0,
            pending_end: None,
        };
        events.skip_declaration()?;
        Ok(events)
    }

    /// `<?xml version="1.0" encoding="UTF-8"?>`: any other encoding is unsupported.
    fn skip_declaration(&mut self) -> Result<(), Unsupported> {
        let start = self.xml.iter().position(|&b| !text::is_space(b)).unwrap_or(0);
        let Some(rest) = self.xml.get(start..).filter(|r| r.starts_with(b"<?xml")) else {
            return Ok(());
        };
        let end = memchr::memmem::find(rest, b"?>").ok_or(Unsupported)?;
        let body = rest.get(5..end).ok_or(Unsupported)?;
        if let Some(enc) = attr(body.strip_suffix(b"?").unwrap_or(body), b"encoding")? {
            if !enc.eq_ignore_ascii_case(b"utf-8") {
                return Err(Unsupported);
            }
        }
        self.pos = start.saturating_add(end).saturating_add(2);
        Ok(())
    }

    /// The next event; `None` at the end of the part.
    fn next(&mut self) -> Result<Option<Event<'x>>, Unsupported> {
        if let Some(name) = self.pending_end.take() {
            return Ok(Some(Event::End { name }));
        }
        let rest = self.xml.get(self.pos..).ok_or(Unsupported)?;
        if rest.is_empty() {
            return Ok(None);
        }
        if rest.first() != Some(&b'<') {
            let len = memchr::memchr(b'<', rest).unwrap_or(rest.len());
            self.pos = self.pos.saturating_add(len);
            let raw = text::utf8(rest.get(..len).ok_or(Unsupported)?)?;
            text::references_ok(raw)?;
            return Ok(Some(Event::Text(raw)));
        }
        let end = text::tag_end(rest).ok_or(Unsupported)?;
        let tag = rest.get(1..end).ok_or(Unsupported)?;
        text::check_tag(tag)?;
        self.pos = self.pos.saturating_add(end).saturating_add(1);
        match tag.first() {
            Some(b'/') => {
                let name = tag.get(1..).ok_or(Unsupported)?;
                if name.is_empty() || name.iter().any(|&b| text::is_space(b)) {
                    return Err(Unsupported);
                }
                Ok(Some(Event::End { name }))
            }
            Some(b'!' | b'?') | None => Err(Unsupported),
            Some(_) => {
                let (name, attrs, empty) = text::split_tag(tag);
                if empty {
                    self.pending_end = Some(name);
                }
                Ok(Some(Event::Start { name, attrs }))
            }
        }
    }

    /// The next event, where the part must not end yet.
    fn expect(&mut self) -> Result<Event<'x>, Unsupported> {
        self.next()?.ok_or(Unsupported)
    }

    /// A shared string in the plain form nearly every one takes, `<si><t>text</t></si>` with text
    /// that holds no reference (`&`) and no carriage return, read past at once: the text, which
    /// the events would give as it is. `None` (nothing read) for any other form.
    fn plain_si(&mut self) -> Option<&'x str> {
        const OPEN: &[u8] = b"<si><t>";
        const CLOSE: &[u8] = b"</t></si>";
        if self.pending_end.is_some() {
            return None;
        }
        let body = self.xml.get(self.pos..)?.strip_prefix(OPEN)?;
        let len = memchr::memchr(b'<', body)?;
        let (raw, after) = body.split_at(len);
        if !after.starts_with(CLOSE) || memchr::memchr2(b'&', b'\r', raw).is_some() {
            return None;
        }
        let text = std::str::from_utf8(raw).ok()?;
        self.pos = self
            .pos
            .saturating_add(OPEN.len())
            .saturating_add(len)
            .saturating_add(CLOSE.len());
        Some(text)
    }
}

/// The shared strings, in one buffer.
#[derive(Debug, Default)]
pub struct SharedStrings {
    text: String,
    /// Where each string ends in `text`.
    ends: Vec<usize>,
}

impl SharedStrings {
    /// The string at `index`.
    pub fn get(&self, index: usize) -> Option<&str> {
        let end = *self.ends.get(index)?;
        let start = match index.checked_sub(1) {
            Some(prev) => *self.ends.get(prev)?,
            None => 0,
        };
        self.text.get(start..end)
    }

    /// How many strings there are.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    fn push(&mut self, s: &str) {
        self.text.push_str(s);
        self.ends.push(self.text.len());
    }
}

/// The shared strings of a `sharedStrings.xml` part, as calamine reads them.
pub fn shared_strings(xml: &[u8]) -> Result<SharedStrings, Unsupported> {
    read_shared_strings(xml, true)
}

/// [`shared_strings`], with the plain form read at once when `plain` (the tests compare the two).
fn read_shared_strings(xml: &[u8], plain: bool) -> Result<SharedStrings, Unsupported> {
    let mut events = Events::new(xml)?;
    loop {
        if let Event::Start { name, .. } = events.expect()? {
            if local_name(name) == b"sst" {
                break;
            }
        }
    }
    // The text is never longer than its XML: one allocation, trimmed once read.
    let mut strings = SharedStrings {
        text: String::with_capacity(xml.len()),
        ends: Vec::new(),
    };
    let mut value = String::new();
    let mut piece = String::new();
    loop {
        if let Some(plain) = plain.then(|| events.plain_si()).flatten() {
            // What `read_string` makes of it: the one `<t>`, not preserved.
            value.clear();
            text::push_t_text(plain, false, &mut value);
            strings.push(&value);
            continue;
        }
        match events.expect()? {
            Event::Start { name, .. } if local_name(name) == b"si" => {
                value.clear();
                read_string(&mut events, name, &mut value, &mut piece)?;
                strings.push(&value);
            }
            Event::End { name } if local_name(name) == b"sst" => {
                strings.text.shrink_to_fit();
                strings.ends.shrink_to_fit();
                return Ok(strings);
            }
            _ => (),
        }
    }
}

/// A plain or rich string up to the end tag `closing` (calamine's `read_string`): the `<t>` texts
/// of the runs, phonetic runs (`<rPh>`) left out; a `<t>` without `xml:space="preserve"` trimmed.
/// `piece` is scratch space, reused from string to string.
fn read_string(
    events: &mut Events<'_>,
    closing: &[u8],
    out: &mut String,
    piece: &mut String,
) -> Result<(), Unsupported> {
    let mut phonetic = false;
    loop {
        match events.expect()? {
            Event::Start { name, .. } if local_name(name) == b"rPh" => phonetic = true,
            Event::End { name } if name == closing => return Ok(()),
            Event::End { name } if local_name(name) == b"rPh" => phonetic = false,
            Event::Start { name, attrs } if local_name(name) == b"t" && !phonetic => {
                let preserve = attr(attrs, b"xml:space")? == Some(b"preserve");
                piece.clear();
                loop {
                    match events.expect()? {
                        Event::Text(t) => decode_into(t, piece)?,
                        Event::End { name: end } if end == name => break,
                        _ => return Err(Unsupported),
                    }
                }
                text::push_t_text(piece, preserve, out);
            }
            _ => (),
        }
    }
}

/// The kind of each cell format (`<cellXfs>`), by style index, as calamine reads `styles.xml`.
pub fn cell_formats(xml: &[u8]) -> Result<Vec<NumberKind>, Unsupported> {
    let mut events = Events::new(xml)?;
    let mut custom: std::collections::HashMap<Vec<u8>, String> = std::collections::HashMap::new();
    let mut kinds = Vec::new();
    while let Some(event) = events.next()? {
        let Event::Start { name, .. } = event else { continue };
        match local_name(name) {
            b"numFmts" => loop {
                match events.expect()? {
                    Event::Start { name, attrs } if local_name(name) == b"numFmt" => {
                        if let (Some(id), Some(code)) = (attr(attrs, b"numFmtId")?, attr(attrs, b"formatCode")?) {
                            let mut decoded = String::new();
                            decode_into(code, &mut decoded)?;
                            custom.insert(id.to_vec(), decoded);
                        }
                    }
                    Event::End { name } if local_name(name) == b"numFmts" => break,
                    _ => (),
                }
            },
            b"cellXfs" => loop {
                match events.expect()? {
                    Event::Start { name, attrs } if local_name(name) == b"xf" => {
                        kinds.push(match attr(attrs, b"numFmtId")? {
                            None => NumberKind::Other,
                            Some(id) => match custom.get(id) {
                                Some(code) => formats::custom(code),
                                None => formats::builtin(std::str::from_utf8(id).map_err(|_| Unsupported)?),
                            },
                        });
                    }
                    Event::End { name } if local_name(name) == b"cellXfs" => break,
                    _ => (),
                }
            },
            _ => (),
        }
    }
    Ok(kinds)
}

/// A part of the package read whole; `Ok(None)` when the package has no such part.
pub fn read_part<R: Read + std::io::Seek>(
    zip: &mut zip::ZipArchive<R>,
    name: &str,
) -> Result<Option<Vec<u8>>, Unsupported> {
    let Some(found) = entry_name(zip, name)? else {
        return Ok(None);
    };
    let entry = zip.by_name(&found).map_err(|_| Unsupported)?;
    if entry.size() > MAX_PART {
        return Err(Unsupported);
    }
    // Its declared size (at most MAX_PART): read without the doubling of a growing buffer.
    let mut out = Vec::with_capacity(usize::try_from(entry.size()).unwrap_or(0));
    entry.take(MAX_PART).read_to_end(&mut out).map_err(|_| Unsupported)?;
    Ok(Some(out))
}

/// The package entry calamine opens for the path `name`: entry names are compared without case and
/// with `\` as `/`. Two entries that compare equal are unsupported (calamine would pick one by the
/// order of a hash map's inserts).
pub fn entry_name<R: Read + std::io::Seek>(
    zip: &zip::ZipArchive<R>,
    name: &str,
) -> Result<Option<String>, Unsupported> {
    let wanted = name.to_ascii_lowercase();
    let mut found = None;
    for entry in zip.file_names() {
        let entry = entry.map_err(|_| Unsupported)?;
        if entry.replace('\\', "/").to_ascii_lowercase() == wanted {
            if found.is_some() {
                return Err(Unsupported);
            }
            found = Some(entry.to_string());
        }
    }
    Ok(found)
}

/// The package entry of the sheet named `sheet`, found as calamine finds it: the office document
/// named in `_rels/.rels`, its `<sheet>` of that name, and that sheet's relationship target.
/// `Ok(None)` when there is no such sheet.
pub fn sheet_entry<R: Read + std::io::Seek>(
    zip: &mut zip::ZipArchive<R>,
    sheet: &str,
) -> Result<Option<String>, Unsupported> {
    let (dir, workbook) = office_document(zip)?;
    let Some(xml) = read_part(zip, &format!("{dir}{workbook}"))? else {
        return Ok(None);
    };
    let Some(rid) = sheet_rel_id(&xml, sheet)? else {
        return Ok(None);
    };
    let Some(rels) = read_part(zip, &format!("{dir}_rels/{workbook}.rels"))? else {
        return Err(Unsupported);
    };
    let Some(target) = rel_target(&rels, &rid)? else {
        return Err(Unsupported);
    };
    let path = match target.strip_prefix('/') {
        Some(abs) => abs.to_string(),
        None => format!("{dir}{target}"),
    };
    entry_name(zip, &path)
}

/// The folder and file name of the workbook part, from the package's relationships.
pub fn office_document<R: Read + std::io::Seek>(zip: &mut zip::ZipArchive<R>) -> Result<(String, String), Unsupported> {
    office_document_in(&read_part(zip, "_rels/.rels")?.ok_or(Unsupported)?)
}

/// [`office_document`] from the package relationships' XML.
fn office_document_in(xml: &[u8]) -> Result<(String, String), Unsupported> {
    let mut events = Events::new(xml)?;
    let mut target = None;
    while let Some(event) = events.next()? {
        if let Event::Start { name, attrs } = event {
            if local_name(name) == b"Relationship"
                && attr(attrs, b"Type")?.is_some_and(|t| t.ends_with(b"/relationships/officeDocument"))
            {
                if let Some(t) = attr(attrs, b"Target")? {
                    let mut decoded = String::new();
                    decode_into(t, &mut decoded)?;
                    target = Some(decoded);
                }
            }
        }
    }
    let target = target.ok_or(Unsupported)?;
    let (dir, name) = match target.rfind('/') {
        Some(i) => target.split_at(i.saturating_add(1)),
        None => ("", target.as_str()),
    };
    let dir = dir.strip_prefix('/').unwrap_or(dir).to_string();
    let name = if name.is_empty() { "workbook.xml" } else { name };
    Ok((dir, name.to_string()))
}

/// What calamine reads of a workbook's own parts when it opens it, and vakt asks of it: the sheets
/// in workbook order (name, and whether hidden) and the date system.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkbookMeta {
    /// Each `<sheet>`'s name and whether its `state` hides it (`hidden` or `veryHidden`).
    pub sheets: Vec<(String, bool)>,
    /// `<workbookPr date1904="1">` (or `"true"`).
    pub is_1904: bool,
}

/// The workbook's sheets and date system, read as calamine's `read_package_relationships`,
/// `read_relationships` and `read_workbook` read them; `Unsupported` wherever calamine would
/// refuse the workbook (a missing part, a part that does not close, a sheet without its
/// relationship, an unknown state or sheet type) or the XML leaves the subset read here.
pub fn workbook_meta<R: Read + std::io::Seek>(zip: &mut zip::ZipArchive<R>) -> Result<WorkbookMeta, Unsupported> {
    let package_rels = read_part(zip, "_rels/.rels")?.ok_or(Unsupported)?;
    closes(&package_rels, b"Relationships")?;
    let (dir, workbook) = office_document_in(&package_rels)?;
    let rels = read_part(zip, &format!("{dir}_rels/{workbook}.rels"))?.ok_or(Unsupported)?;
    let types = relationship_types(&rels)?;
    let xml = read_part(zip, &format!("{dir}{workbook}"))?.ok_or(Unsupported)?;
    let mut events = Events::new(&xml)?;
    let mut meta = WorkbookMeta {
        sheets: Vec::new(),
        is_1904: false,
    };
    loop {
        match events.expect()? {
            Event::End { name } if local_name(name) == b"workbook" => return Ok(meta),
            Event::Start { name, attrs } => match local_name(name) {
                b"sheet" => meta.sheets.push(sheet_of(attrs, &types)?),
                b"workbookPr" => {
                    if let Some(v) = attr(attrs, b"date1904")? {
                        meta.is_1904 = v == b"1" || v == b"true";
                    }
                }
                _ => (),
            },
            _ => (),
        }
    }
}

/// A `<sheet>`'s name and whether it is hidden, as calamine reads its attributes (an attribute
/// given twice is left to calamine); its relationship must exist and be a worksheet, chartsheet or
/// dialogsheet.
fn sheet_of(attrs: &[u8], types: &std::collections::HashMap<&[u8], &[u8]>) -> Result<(String, bool), Unsupported> {
    let (mut name, mut hidden, mut rid): (String, bool, &[u8]) = (String::new(), false, b"");
    let mut seen = [false; 3];
    for pair in text::Attrs::new(attrs) {
        let (key, value) = pair?;
        let slot = match key {
            b"name" => 0,
            b"state" => 1,
            _ if local_name(key) == b"id" => 2,
            _ => continue,
        };
        if std::mem::replace(seen.get_mut(slot).ok_or(Unsupported)?, true) {
            return Err(Unsupported);
        }
        match slot {
            0 => decode_into(value, &mut name)?,
            1 => {
                hidden = match value {
                    b"visible" => false,
                    b"hidden" | b"veryHidden" => true,
                    _ => return Err(Unsupported),
                }
            }
            _ => rid = value,
        }
    }
    let typ = types.get(rid).ok_or(Unsupported)?;
    match typ.rsplit(|&b| b == b'/').next() {
        Some(b"worksheet" | b"chartsheet" | b"dialogsheet") => Ok((name, hidden)),
        _ => Err(Unsupported),
    }
}

/// Each relationship's type by its id (the last of an id wins), as calamine keeps them; the part
/// must close its `<Relationships>`. Ids and types holding a reference are left to calamine.
fn relationship_types(xml: &[u8]) -> Result<std::collections::HashMap<&[u8], &[u8]>, Unsupported> {
    closes(xml, b"Relationships")?;
    let mut events = Events::new(xml)?;
    let mut types = std::collections::HashMap::new();
    while let Some(event) = events.next()? {
        if let Event::Start { name, attrs } = event {
            if local_name(name) != b"Relationship" {
                continue;
            }
            let (Some(id), typ) = (attr(attrs, b"Id")?, attr(attrs, b"Type")?.unwrap_or_default()) else {
                continue;
            };
            if memchr::memchr(b'&', id).is_some() || memchr::memchr(b'&', typ).is_some() {
                return Err(Unsupported);
            }
            types.insert(id, typ);
        }
    }
    Ok(types)
}

/// Whether the part, read as events, opens and then closes an element with the local name
/// `local` (calamine reads such parts up to that end, and refuses one that ends first).
fn closes(xml: &[u8], local: &[u8]) -> Result<(), Unsupported> {
    let mut events = Events::new(xml)?;
    let mut opened = false;
    while let Some(event) = events.next()? {
        match event {
            Event::Start { name, .. } if local_name(name) == local => opened = true,
            Event::End { name } if opened && local_name(name) == local => return Ok(()),
            _ => (),
        }
    }
    Err(Unsupported)
}

/// The relationship id of the first `<sheet>` named `sheet` in the workbook part.
fn sheet_rel_id(xml: &[u8], sheet: &str) -> Result<Option<Vec<u8>>, Unsupported> {
    let mut events = Events::new(xml)?;
    while let Some(event) = events.next()? {
        let Event::Start { name, attrs } = event else { continue };
        if local_name(name) != b"sheet" {
            continue;
        }
        let mut sheet_name = None;
        let mut rid = None;
        for pair in text::Attrs::new(attrs) {
            let (key, value) = pair?;
            if key == b"name" {
                let mut decoded = String::new();
                decode_into(value, &mut decoded)?;
                sheet_name = Some(decoded);
            } else if local_name(key) == b"id" {
                rid = Some(value);
            }
        }
        if sheet_name.as_deref() == Some(sheet) {
            return Ok(rid.map(<[u8]>::to_vec));
        }
    }
    Ok(None)
}

/// The (raw) target of the last relationship with id `rid`.
fn rel_target(xml: &[u8], rid: &[u8]) -> Result<Option<String>, Unsupported> {
    let mut events = Events::new(xml)?;
    let mut target = None;
    while let Some(event) = events.next()? {
        if let Event::Start { name, attrs } = event {
            if local_name(name) == b"Relationship" && attr(attrs, b"Id")? == Some(rid) {
                let t = attr(attrs, b"Target")?.unwrap_or_default();
                target = Some(String::from_utf8(t.to_vec()).map_err(|_| Unsupported)?);
            }
        }
    }
    Ok(target)
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    reason = "tests may panic"
)]
mod tests {
    use super::*;

    fn strings(xml: &str) -> Vec<String> {
        let s = shared_strings(xml.as_bytes()).unwrap();
        (0..s.len()).map(|i| s.get(i).unwrap().to_string()).collect()
    }

    /// Random parts of plain strings (spaces, Excel escapes, references, carriage returns,
    /// non-ASCII, nothing) among strings of other forms, some cut off: read with the plain form
    /// taken at once, they give what the events alone give, strings or refusal.
    #[test]
    fn plain_strings_read_at_once_are_what_the_events_read() {
        let texts = [
            "a",
            " b ",
            "x_x000D_y",
            "a &amp; b",
            "&bad;",
            "c\r",
            "ø",
            "",
            "\t1\n",
            ">",
            "_x0041_",
        ];
        let others = [
            r#"<si><t xml:space="preserve"> p </t></si>"#,
            "<si><r><t>ri</t></r><r><t>ch</t></r></si>",
            "<si/>",
            "<si><t/></si>",
            "<si>\n<t>w</t></si>",
            "<si><t>a</t><rPh><t>b</t></rPh></si>",
        ];
        let mut next = crate::test_rng::below(0x9e37_79b9_7f4a_7c15);
        for _ in 0..3_000 {
            let mut xml = String::from(r#"<?xml version="1.0" encoding="UTF-8"?><sst count="9">"#);
            for _ in 0..next(6) {
                if next(3) == 0 {
                    xml.push_str(others[next(others.len() as u64) as usize]);
                } else {
                    let t: String = (0..next(3)).map(|_| texts[next(texts.len() as u64) as usize]).collect();
                    xml.push_str(&format!("<si><t>{t}</t></si>"));
                }
            }
            xml.push_str("</sst>");
            let cut = if next(4) == 0 {
                next(xml.len() as u64) as usize
            } else {
                xml.len()
            };
            let Some(xml) = xml.get(..cut) else { continue };
            let read = |plain: bool| {
                read_shared_strings(xml.as_bytes(), plain)
                    .map(|s| (0..s.len()).map(|i| s.get(i).unwrap().to_string()).collect::<Vec<_>>())
            };
            assert_eq!(read(true), read(false), "{xml}");
        }
    }

    #[test]
    fn shared_strings_plain_rich_phonetic_and_empty() {
        let xml = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="5" uniqueCount="5">
<si><t>plain</t></si><si><t xml:space="preserve"> kept </t></si><si><t> trimmed
</t></si>
<si><r><rPr><b/><sz val="11"/></rPr><t>ri</t></r><r><t xml:space="preserve">ch </t></r><rPh sb="0" eb="1"><t>ふ</t></rPh></si>
<si/><si><t/></si><si><t>a &amp; b_x000D_</t></si></sst>"#;
        assert_eq!(strings(xml), ["plain", " kept ", "trimmed", "rich ", "", "", "a & b\r"]);
    }

    #[test]
    fn unsupported_forms_are_refused() {
        for xml in [
            "<sst><si><t>&#10;</t></si></sst>",
            "<sst><!-- c --><si><t>a</t></si></sst>",
            "<sst><si><t><![CDATA[a]]></t></si></sst>",
            "<sst><si><t>a",
            r#"<?xml version="1.0" encoding="UTF-16"?><sst></sst>"#,
        ] {
            assert!(shared_strings(xml.as_bytes()).is_err(), "{xml}");
        }
    }

    #[test]
    fn cell_formats_by_builtin_and_custom_ids() {
        let xml = r#"<styleSheet><numFmts count="2"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/><numFmt numFmtId="165" formatCode="0.0&quot;kg&quot;"/></numFmts>
<cellStyleXfs><xf numFmtId="14"/></cellStyleXfs>
<cellXfs count="6"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"><alignment horizontal="left"/></xf><xf numFmtId="164"/><xf numFmtId="165"/><xf/><xf numFmtId="46"/></cellXfs></styleSheet>"#;
        use NumberKind::*;
        assert_eq!(
            cell_formats(xml.as_bytes()).unwrap(),
            [Other, DateTime, DateTime, Other, Other, TimeDelta]
        );
    }
}
