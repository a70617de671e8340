//! The XML a spreadsheet writer produces, read byte by byte: tags with their attributes, and text
//! with its entities. Anything else (comments, CDATA, numeric character references, a carriage
//! return that XML would normalise) is [`Unsupported`]: the caller then leaves the file to calamine,
//! so this module never has to match calamine's handling of the rare forms.

/// The fast reader met a form it does not read; calamine reads the file instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unsupported;

/// XML whitespace between elements.
pub fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

/// Appends XML text to `out`: UTF-8, the five predefined entities replaced. A carriage return (which
/// XML turns into a line feed) or any other reference is unsupported.
pub fn decode_into(raw: &[u8], out: &mut String) -> Result<(), Unsupported> {
    let text = std::str::from_utf8(raw).map_err(|_| Unsupported)?;
    if memchr::memchr(b'\r', raw).is_some() {
        return Err(Unsupported);
    }
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        let (before, from) = rest.split_at(at);
        out.push_str(before);
        let end = from.find(';').ok_or(Unsupported)?;
        let entity = from.get(1..end).ok_or(Unsupported)?;
        out.push(match entity {
            "lt" => '<',
            "gt" => '>',
            "amp" => '&',
            "quot" => '"',
            "apos" => '\'',
            _ => return Err(Unsupported),
        });
        rest = from.get(end.saturating_add(1)..).ok_or(Unsupported)?;
    }
    out.push_str(rest);
    Ok(())
}

/// Excel's own escapes in text, `_xHHHH_` (a UTF-16 code unit), replaced as calamine does: a lone
/// surrogate becomes U+FFFD. Ported from calamine 0.38 `utils::unescape_xml` (MIT License).
pub fn unescape_excel(text: &str) -> std::borrow::Cow<'_, str> {
    let Some((mut index, mut unit)) = find_escape(text, 0) else {
        return std::borrow::Cow::Borrowed(text);
    };
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    loop {
        out.push_str(text.get(copied..index).unwrap_or_default());
        index = index.saturating_add(ESCAPE_LEN);
        match unit {
            0xD800..=0xDBFF => match parse_escape(text, index) {
                Some(low @ 0xDC00..=0xDFFF) => {
                    // In range: unit is a high surrogate, low a low one.
                    let code = ((u32::from(unit) & 0x3FF) << 10 | (u32::from(low) & 0x3FF)).saturating_add(0x10000);
                    out.push(char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER));
                    index = index.saturating_add(ESCAPE_LEN);
                }
                _ => out.push(char::REPLACEMENT_CHARACTER),
            },
            0xDC00..=0xDFFF => out.push(char::REPLACEMENT_CHARACTER),
            _ => out.push(char::from_u32(u32::from(unit)).unwrap_or(char::REPLACEMENT_CHARACTER)),
        }
        copied = index;
        match find_escape(text, index) {
            Some(next) => (index, unit) = next,
            None => break,
        }
    }
    out.push_str(text.get(copied..).unwrap_or_default());
    std::borrow::Cow::Owned(out)
}

/// `_xHHHH_`.
const ESCAPE_LEN: usize = 7;

fn find_escape(text: &str, mut start: usize) -> Option<(usize, u16)> {
    while let Some(offset) = text.get(start..)?.find('_') {
        let index = start.saturating_add(offset);
        if let Some(unit) = parse_escape(text, index) {
            return Some((index, unit));
        }
        start = index.saturating_add(1);
    }
    None
}

fn parse_escape(text: &str, index: usize) -> Option<u16> {
    let bytes = text.as_bytes().get(index..index.checked_add(ESCAPE_LEN)?)?;
    let hex = bytes.get(2..6)?;
    if bytes.first() != Some(&b'_') || bytes.get(1) != Some(&b'x') || bytes.get(6) != Some(&b'_') {
        return None;
    }
    if !hex.iter().all(u8::is_ascii_hexdigit) {
        return None;
    }
    u16::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()
}

/// Every `&` in `xml` starts one of the five predefined entities: calamine's XML reader checks
/// references even in text it skips (a formula) and refuses one not closed by `;` (found by the
/// fuzz target); numeric references are left to calamine.
pub fn references_ok(xml: &[u8]) -> Result<(), Unsupported> {
    for at in memchr::memchr_iter(b'&', xml) {
        let rest = xml.get(at.saturating_add(1)..).unwrap_or_default();
        if ![&b"lt;"[..], b"gt;", b"amp;", b"quot;", b"apos;"]
            .iter()
            .any(|e| rest.starts_with(e))
        {
            return Err(Unsupported);
        }
    }
    Ok(())
}

/// Bytes that must be UTF-8: calamine's XML reader refuses a name, attribute or text that is not
/// (found by the fuzz target).
pub fn utf8(bytes: &[u8]) -> Result<&[u8], Unsupported> {
    if bytes.is_ascii() || std::str::from_utf8(bytes).is_ok() {
        Ok(bytes)
    } else {
        Err(Unsupported)
    }
}

/// A tag (its bytes between `<` and `>`) in the plain form both readers read alike: UTF-8, no `<`,
/// no control character but tab, line feed and carriage return (calamine's attribute reader takes
/// a form feed for a space), and a name of letters, digits, `_`, `-`, `.` and `:` that starts
/// with a letter or `_`, followed by nothing, `/`, or whitespace (an end tag: nothing). A
/// declaration or comment (`<?…>`, `<!…>`) is only checked for its bytes. The fuzz target found
/// each of these read one way here and another (or refused) by calamine.
pub fn check_tag(tag: &[u8]) -> Result<(), Unsupported> {
    // One pass without early exit (the compiler vectorises it): tags are short and nearly always
    // plain ASCII, and three passes were 5 % of a national check.
    let (mut refused, mut high) = (false, false);
    for &b in tag {
        refused |= b == b'<' || (b < 0x20 && !is_space(b));
        high |= b >= 0x80;
    }
    if refused || (high && std::str::from_utf8(tag).is_err()) {
        return Err(Unsupported);
    }
    if matches!(tag.first(), Some(b'?' | b'!')) {
        return Ok(());
    }
    let (body, end_tag) = match tag.strip_prefix(b"/") {
        Some(b) => (b, true),
        None => (tag, false),
    };
    let name_len = body
        .iter()
        .position(|&b| !(b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b':')))
        .unwrap_or(body.len());
    let starts_well = body.first().is_some_and(|&b| b.is_ascii_alphabetic() || b == b'_');
    let after = body.get(name_len..).unwrap_or_default();
    let ends_well = if end_tag {
        after.is_empty()
    } else {
        after.is_empty() || after == b"/" || after.first().is_some_and(|&b| is_space(b))
    };
    if starts_well && ends_well {
        Ok(())
    } else {
        Err(Unsupported)
    }
}

/// Appends a `<t>` element's decoded text as calamine keeps it: trimmed of XML whitespace unless
/// `xml:space="preserve"`, then Excel's `_xHHHH_` escapes replaced.
pub fn push_t_text(decoded: &str, preserve: bool, out: &mut String) {
    let kept = if preserve {
        decoded
    } else {
        decoded.trim_matches([' ', '\t', '\r', '\n'])
    };
    out.push_str(&unescape_excel(kept));
}

/// A tag's name, attributes and whether it closes itself (`<c …/>`), from its bytes between `<`
/// and `>`.
pub fn split_tag(tag: &[u8]) -> (&[u8], &[u8], bool) {
    let (tag, empty) = match tag.strip_suffix(b"/") {
        Some(t) => (t, true),
        None => (tag, false),
    };
    let name_len = tag.iter().position(|&b| is_space(b)).unwrap_or(tag.len());
    let (name, attrs) = tag.split_at(name_len);
    (name, attrs, empty)
}

/// The attributes of a tag (the bytes between its name and its `>` or `/>`): `name="value"` or
/// `name='value'` pairs, raw (not decoded).
pub struct Attrs<'t> {
    rest: &'t [u8],
}

impl<'t> Attrs<'t> {
    pub fn new(body: &'t [u8]) -> Attrs<'t> {
        Attrs { rest: body }
    }
}

impl<'t> Iterator for Attrs<'t> {
    type Item = Result<(&'t [u8], &'t [u8]), Unsupported>;

    fn next(&mut self) -> Option<Self::Item> {
        let start = self.rest.iter().position(|&b| !is_space(b))?;
        let rest = self.rest.get(start..)?;
        Some(self.pair(rest))
    }
}

impl<'t> Attrs<'t> {
    fn pair(&mut self, rest: &'t [u8]) -> Result<(&'t [u8], &'t [u8]), Unsupported> {
        let name_len = rest.iter().position(|&b| b == b'=' || is_space(b)).ok_or(Unsupported)?;
        let name = rest.get(..name_len).ok_or(Unsupported)?;
        if name.is_empty() {
            return Err(Unsupported);
        }
        let after = rest.get(name_len..).ok_or(Unsupported)?;
        let eq = after.iter().position(|&b| !is_space(b)).ok_or(Unsupported)?;
        if after.get(eq) != Some(&b'=') {
            return Err(Unsupported);
        }
        let after = after.get(eq.saturating_add(1)..).ok_or(Unsupported)?;
        let q = after.iter().position(|&b| !is_space(b)).ok_or(Unsupported)?;
        let quote = *after.get(q).ok_or(Unsupported)?;
        if quote != b'"' && quote != b'\'' {
            return Err(Unsupported);
        }
        let value_from = after.get(q.saturating_add(1)..).ok_or(Unsupported)?;
        let len = memchr::memchr(quote, value_from).ok_or(Unsupported)?;
        let value = value_from.get(..len).ok_or(Unsupported)?;
        if memchr::memchr(b'<', value).is_some() {
            return Err(Unsupported);
        }
        self.rest = value_from.get(len.saturating_add(1)..).ok_or(Unsupported)?;
        if self.rest.first().is_some_and(|&b| !is_space(b)) {
            // `a="1"b="2"`: not well-formed.
            return Err(Unsupported);
        }
        Ok((name, value))
    }
}

/// The one attribute `key` of a tag; unsupported when the attributes cannot be read or `key` is
/// given twice.
pub fn attr<'t>(body: &'t [u8], key: &[u8]) -> Result<Option<&'t [u8]>, Unsupported> {
    let mut found = None;
    for pair in Attrs::new(body) {
        let (name, value) = pair?;
        if name == key {
            if found.is_some() {
                return Err(Unsupported);
            }
            found = Some(value);
        }
    }
    Ok(found)
}

/// An element's name without its namespace prefix.
pub fn local_name(name: &[u8]) -> &[u8] {
    match memchr::memrchr(b':', name) {
        Some(i) => name.get(i.saturating_add(1)..).unwrap_or_default(),
        None => name,
    }
}

/// Where the tag that starts at `buf[0]` (a `<`) ends: the index of its `>`, past any quoted
/// attribute values; `None` when `buf` ends first.
pub fn tag_end(buf: &[u8]) -> Option<usize> {
    let mut i = 1usize;
    loop {
        let at = memchr::memchr3(b'>', b'"', b'\'', buf.get(i..)?)?.saturating_add(i);
        let b = *buf.get(at)?;
        if b == b'>' {
            return Some(at);
        }
        let close = memchr::memchr(b, buf.get(at.saturating_add(1)..)?)?;
        i = at.saturating_add(close).saturating_add(2);
    }
}

/// A cell reference's 0-based (row, column) as calamine reads it, for the forms Excel writes:
/// letters (`A`…`XFD`, any case) then a row number from 1.
pub fn cell_ref(r: &[u8]) -> Result<(u32, u32), Unsupported> {
    let letters = r.iter().take_while(|b| b.is_ascii_alphabetic()).count();
    let digits = r.get(letters..).ok_or(Unsupported)?;
    if !(1..=3).contains(&letters) || digits.is_empty() || digits.len() > 7 {
        return Err(Unsupported);
    }
    let mut col = 0u32;
    for &b in r.get(..letters).ok_or(Unsupported)? {
        // At most three letters: no overflow.
        col = col
            .saturating_mul(26)
            .saturating_add(u32::from(b.to_ascii_uppercase().saturating_sub(b'A')))
            .saturating_add(1);
    }
    Ok((row_number(digits)?, col.saturating_sub(1)))
}

/// A 1-based row number as a 0-based index: digits only.
pub fn row_number(digits: &[u8]) -> Result<u32, Unsupported> {
    if digits.is_empty() || digits.len() > 9 || !digits.iter().all(u8::is_ascii_digit) {
        return Err(Unsupported);
    }
    // At most nine digits: no overflow.
    let n = digits.iter().fold(0u32, |n, &d| {
        n.saturating_mul(10).saturating_add(u32::from(d.saturating_sub(b'0')))
    });
    n.checked_sub(1).ok_or(Unsupported)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests may panic")]
mod tests {
    use super::*;

    #[test]
    fn text_is_decoded_or_refused() {
        let mut s = String::new();
        decode_into(b"a &amp; b &lt;c&gt; &quot;&apos;", &mut s).unwrap();
        assert_eq!(s, "a & b <c> \"'");
        for bad in [&b"&#10;"[..], b"&nbsp;", b"a\r\nb", b"\xff", b"&amp"] {
            assert_eq!(decode_into(bad, &mut String::new()), Err(Unsupported), "{bad:?}");
        }
    }

    #[test]
    fn excel_escapes_as_calamine() {
        assert_eq!(unescape_excel("a_x000D_b"), "a\rb");
        assert_eq!(unescape_excel("_x005F_x000D_"), "_x000D_");
        assert_eq!(unescape_excel("_xD83D__xDCF7_"), "\u{1F4F7}");
        assert_eq!(unescape_excel("_xD83D_"), "\u{FFFD}");
        assert_eq!(unescape_excel("_x12_ plain"), "_x12_ plain");
    }

    #[test]
    fn attributes_and_references() {
        let body = b" r=\"B12\" s='3' t = \"s\"";
        assert_eq!(attr(body, b"s"), Ok(Some(&b"3"[..])));
        assert_eq!(attr(body, b"t"), Ok(Some(&b"s"[..])));
        assert_eq!(attr(b" r=\"A1\" r=\"B1\"", b"r"), Err(Unsupported));
        assert_eq!(attr(b" r=A1", b"r"), Err(Unsupported));
        assert_eq!(cell_ref(b"B12"), Ok((11, 1)));
        assert_eq!(cell_ref(b"xfd1"), Ok((0, 16383)));
        assert_eq!(cell_ref(b"A0"), Err(Unsupported));
        assert_eq!(cell_ref(b"12"), Err(Unsupported));
        assert_eq!(tag_end(b"<c a=\"x>y\" b='>'>rest"), Some(16));
    }
}
