//! The one form nearly every cell of a written workbook takes, read in one short forward pass:
//! `<c r="B2" s="1" t="s"><v>12</v></c>`, or, in a workbook written without a shared-string
//! table, `<c r="B2" t="inlineStr"><is><t>EPJ-1</t></is></c>`. The general path reads the same
//! bytes the same way (a tag found, checked, split, its attributes walked; the cell's end searched
//! for, its children walked), but costs several searches per cell: a third of the fast reader's
//! time on a national set, and for inline strings a fifth of a whole check's instructions (stop 44).
//! Anything that is not exactly this form, or is cut by the end of the read window, is left to
//! the general path, so these functions only ever say "this form" or "not this form".

/// A cell start tag's attributes and length in the plain form.
#[derive(Debug, PartialEq, Eq)]
pub struct PlainTag<'w> {
    pub r: Option<&'w [u8]>,
    pub s: Option<&'w [u8]>,
    pub t: Option<&'w [u8]>,
    /// `<c …/>`.
    pub empty: bool,
    /// Bytes from `<` to `>` inclusive.
    pub len: usize,
}

/// `w` starts with a cell start tag of the plain form: `<c`, then ` name="value"` for the
/// attributes `r`, `s` and `t` (each at most once, in any order; names in lower case, values of
/// ASCII letters and digits), then `>` or `/>`.
#[inline]
pub fn cell_tag(w: &[u8]) -> Option<PlainTag<'_>> {
    let mut tag = PlainTag {
        r: None,
        s: None,
        t: None,
        empty: false,
        len: 0,
    };
    let mut i = 2usize;
    if w.get(..i) != Some(b"<c") {
        return None;
    }
    loop {
        match *w.get(i)? {
            b' ' => {
                let (name, value, next) = attribute(w, i.saturating_add(1), |b| b.is_ascii_alphanumeric())?;
                let slot = match name {
                    b"r" => &mut tag.r,
                    b"s" => &mut tag.s,
                    b"t" => &mut tag.t,
                    _ => return None,
                };
                if slot.replace(value).is_some() {
                    return None;
                }
                i = next;
            }
            b'>' => {
                tag.len = i.saturating_add(1);
                return Some(tag);
            }
            b'/' if w.get(i.saturating_add(1)) == Some(&b'>') => {
                tag.empty = true;
                tag.len = i.saturating_add(2);
                return Some(tag);
            }
            _ => return None,
        }
    }
}

/// `name="value"` at `w[from..]`, a name of lower-case letters and a value of the bytes `value_ok`
/// takes: the name, the value and the index after the closing quote.
fn attribute(w: &[u8], from: usize, value_ok: fn(u8) -> bool) -> Option<(&[u8], &[u8], usize)> {
    let rest = w.get(from..)?;
    let name_len = rest.iter().position(|b| !b.is_ascii_lowercase())?;
    if name_len == 0 || rest.get(name_len..name_len.saturating_add(2))? != b"=\"" {
        return None;
    }
    let value_from = name_len.saturating_add(2);
    let value_len = rest.get(value_from..)?.iter().position(|&b| !value_ok(b))?;
    let value_to = value_from.saturating_add(value_len);
    if rest.get(value_to) != Some(&b'"') {
        return None;
    }
    Some((
        rest.get(..name_len)?,
        rest.get(value_from..value_to)?,
        from.saturating_add(value_to).saturating_add(1),
    ))
}

/// A row's start tag in the plain form, `<row r="2" spans="1:14">`, or its end tag `</row>`.
#[derive(Debug, PartialEq, Eq)]
pub struct PlainRow<'w> {
    /// `r`, for a start tag that has it.
    pub r: Option<&'w [u8]>,
    /// `</row>`.
    pub end: bool,
    /// Bytes from `<` to `>` inclusive.
    pub len: usize,
}

/// `w` starts with `</row>`, or with a row start tag of the plain form: `<row`, then
/// ` name="value"` for the attributes `r` and `spans` (each at most once, in any order; values of
/// ASCII digits, and `:` in `spans`), then `>`. Rows of an empty element (`<row …/>`) or with any
/// other attribute are left to the general path.
pub fn row_tag(w: &[u8]) -> Option<PlainRow<'_>> {
    if w.starts_with(b"</row>") {
        return Some(PlainRow {
            r: None,
            end: true,
            len: 6,
        });
    }
    let mut i = 4usize;
    if w.get(..i) != Some(b"<row") {
        return None;
    }
    let (mut r, mut spans) = (None, false);
    loop {
        match *w.get(i)? {
            b' ' => {
                let (name, value, next) = attribute(w, i.saturating_add(1), |b| b.is_ascii_digit() || b == b':')?;
                match name {
                    b"r" if r.is_none() && !value.contains(&b':') => r = Some(value),
                    b"spans" if !spans => spans = true,
                    _ => return None,
                }
                i = next;
            }
            b'>' => {
                return Some(PlainRow {
                    r,
                    end: false,
                    len: i.saturating_add(1),
                })
            }
            _ => return None,
        }
    }
}

/// `w` starts with a cell body of one `<v>` and the cell's end, `<v>text</v></c>`, whose text is
/// ASCII without `<` or `&`: the text, and the length up to and with `</c>`.
pub fn cell_value(w: &[u8]) -> Option<(&[u8], usize)> {
    let rest = w.strip_prefix(b"<v>")?;
    let mut len = 0usize;
    for &b in rest {
        if b == b'<' {
            break;
        }
        if b == b'&' || !b.is_ascii() {
            return None;
        }
        len = len.saturating_add(1);
    }
    let after = rest.get(len..)?;
    after
        .starts_with(b"</v></c>")
        .then(|| (rest.get(..len).unwrap_or_default(), len.saturating_add(11)))
}

/// `w` starts with a cell body of one inline string of one `<t>` and the cell's end,
/// `<is><t>text</t></is></c>`, whose text holds no `<` (no other element) and no `&` (no
/// reference): the raw text, and the length up to and with `</c>`. What the text means (decoded,
/// trimmed, Excel's escapes replaced) is the general path's to say, through the same function.
/// Workbooks written without a shared-string table hold every text cell so.
pub fn inline_text(w: &[u8]) -> Option<(&[u8], usize)> {
    const OPEN: &[u8] = b"<is><t>";
    const CLOSE: &[u8] = b"</t></is></c>";
    let rest = w.strip_prefix(OPEN)?;
    let len = rest.iter().position(|&b| b == b'<')?;
    let text = rest.get(..len)?;
    (!text.contains(&b'&') && rest.get(len..)?.starts_with(CLOSE))
        .then(|| (text, OPEN.len().saturating_add(len).saturating_add(CLOSE.len())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tag<'w>(r: Option<&'w [u8]>, s: Option<&'w [u8]>, t: Option<&'w [u8]>, empty: bool, len: usize) -> PlainTag<'w> {
        PlainTag { r, s, t, empty, len }
    }

    #[test]
    fn the_plain_form_and_nothing_else() {
        let all = cell_tag(br#"<c r="B2" s="1" t="s"><v>"#);
        assert_eq!(all, Some(tag(Some(b"B2"), Some(b"1"), Some(b"s"), false, 22)));
        let empty = cell_tag(br#"<c t="n" r="A1"/>x"#);
        assert_eq!(empty, Some(tag(Some(b"A1"), None, Some(b"n"), true, 17)));
        assert_eq!(cell_tag(b"<c>"), Some(tag(None, None, None, false, 3)));
        for other in [
            &br#"<c r="A1" r="A2">"#[..],
            br#"<c r="A1"s="1">"#,
            br#"<c  r="A1">"#,
            br#"<c r='A1'>"#,
            br#"<c r="A1" />"#,
            br#"<c r="A&amp;">"#,
            br#"<c r="A1" cm="1">"#,
            br#"<c R="A1">"#,
            br#"<c r="A1""#,
            br#"<cx r="A1">"#,
            b"<c\tr=\"A1\">",
        ] {
            assert_eq!(cell_tag(other), None, "{}", String::from_utf8_lossy(other));
        }
    }

    #[test]
    fn the_plain_row_and_nothing_else() {
        let row = |r: Option<&'static [u8]>, end: bool, len: usize| Some(PlainRow { r, end, len });
        assert_eq!(row_tag(br#"<row r="12" spans="1:14"><c"#), row(Some(b"12"), false, 25));
        assert_eq!(row_tag(br#"<row spans="1:2" r="3">"#), row(Some(b"3"), false, 23));
        assert_eq!(row_tag(b"<row>"), row(None, false, 5));
        assert_eq!(row_tag(b"</row><row"), row(None, true, 6));
        for other in [
            &br#"<row r="1"/>"#[..],
            br#"<row r="1" />"#,
            br#"<row r="1" r="2">"#,
            br#"<row r="1:2">"#,
            br#"<row r="A1">"#,
            br#"<row r="1" ht="20">"#,
            br#"<row r="1" x14ac:dyDescent="0.25">"#,
            br#"<row  r="1">"#,
            br#"<row r='1'>"#,
            br#"<rows r="1">"#,
            br#"<row r="1""#,
            b"</row >",
            b"<row\tr=\"1\">",
        ] {
            assert_eq!(row_tag(other), None, "{}", String::from_utf8_lossy(other));
        }
    }

    #[test]
    fn a_lone_value_and_nothing_else() {
        assert_eq!(cell_value(b"<v>12</v></c><c"), Some((&b"12"[..], 13)));
        assert_eq!(cell_value(b"<v></v></c>"), Some((&b""[..], 11)));
        for other in [
            &b"<v>1</v><f>A1</f></c>"[..],
            b"<v>a&amp;b</v></c>",
            b"<v>\xC3\xA6</v></c>",
            b"<v>12</v></c",
            b"<v>12</v>",
            b" <v>12</v></c>",
            b"<is><t>a</t></is></c>",
        ] {
            assert_eq!(cell_value(other), None, "{}", String::from_utf8_lossy(other));
        }
    }

    #[test]
    fn a_lone_inline_text_and_nothing_else() {
        assert_eq!(inline_text(b"<is><t>EPJ-1</t></is></c><c"), Some((&b"EPJ-1"[..], 25)));
        assert_eq!(inline_text(b"<is><t>a b</t></is></c>"), Some((&b"a b"[..], 23)));
        assert_eq!(inline_text(b"<is><t></t></is></c>"), Some((&b""[..], 20)));
        // The text as written: trimming and escapes are read from it afterwards, as the general
        // path reads them.
        assert_eq!(
            inline_text(b"<is><t> x_x0041_ </t></is></c>"),
            Some((&b" x_x0041_ "[..], 30))
        );
        assert_eq!(
            inline_text("<is><t>Ærø</t></is></c>".as_bytes()),
            Some(("Ærø".as_bytes(), 25))
        );
        for other in [
            &b"<is><t>a&amp;b</t></is></c>"[..],
            b"<is><t xml:space=\"preserve\">a</t></is></c>",
            b"<is><r><t>a</t></r></is></c>",
            b"<is><t>a</t><t>b</t></is></c>",
            b"<is><t>a</t></is>",
            b"<is><t>a</t></is></c",
            b"<is><t>a",
            b" <is><t>a</t></is></c>",
            b"<is><t/></is></c>",
            b"<v>1</v></c>",
        ] {
            assert_eq!(inline_text(other), None, "{}", String::from_utf8_lossy(other));
        }
    }
}
