//! Text clean-up shared by header matching, code lookup and number parsing.
//!
//! Hand-filled sheets carry NBSP, zero-width characters, doubled spaces and odd case. These helpers
//! remove exactly that noise and nothing else, writing into a caller's buffer so hot paths do not
//! allocate.

use super::keyhash::{Key128, KeyHash};

/// Characters that are invisible noise in a cell.
fn is_noise(c: char) -> bool {
    matches!(c, '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}')
}

fn is_space(c: char) -> bool {
    c.is_whitespace() || is_noise(c)
}

/// Trims whitespace, NBSP and zero-width characters at both ends.
pub fn trim(s: &str) -> &str {
    // Most cells start and end with a visible ASCII character: nothing to trim.
    match (s.as_bytes().first(), s.as_bytes().last()) {
        (Some(f), Some(l)) if f.is_ascii_graphic() && l.is_ascii_graphic() => s,
        _ => s.trim_matches(is_space),
    }
}

/// Writes the comparison key of `s` into `out`: trimmed, lower-case, inner whitespace collapsed to one
/// space, zero-width characters removed.
pub fn key_into(s: &str, out: &mut String) {
    out.clear();
    let t = trim(s);
    // Fast path: printable ASCII without spaces (most codes and ids) only needs lower-casing.
    if t.bytes().all(|b| b.is_ascii_graphic()) {
        out.push_str(t);
        out.make_ascii_lowercase();
        return;
    }
    let mut pending_space = false;
    for c in trim(s).chars() {
        if is_noise(c) {
            continue;
        }
        if c.is_whitespace() {
            pending_space = true;
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
        } else {
            out.extend(c.to_lowercase());
        }
    }
}

/// The 128-bit hash of the comparison key of `s` ([`key_into`]): the one way a key cell becomes a
/// key. Plain ASCII without spaces (most codes and ids) is lower-cased as it is hashed, without a
/// copy; anything else is folded into `scratch` first.
///
/// ```
/// use vakt_core::value::{keyhash::KeyHash, text};
/// let mut scratch = String::new();
/// let a = text::key_hash(" STO-G001 ", &mut scratch);
/// assert_eq!(a, text::key_hash("sto-g001", &mut scratch));
/// assert_eq!(a, KeyHash::default().part(b"sto-g001").finish());
/// ```
pub fn key_hash(s: &str, scratch: &mut String) -> Key128 {
    key_hash_len(s, scratch).0
}

/// [`key_hash`], and the number of characters of the key.
pub fn key_hash_len(s: &str, scratch: &mut String) -> (Key128, usize) {
    let t = trim(s);
    if t.bytes().all(|b| b.is_ascii_graphic()) {
        return (KeyHash::default().part_ascii_lower(t.as_bytes()).finish(), t.len());
    }
    key_into(s, scratch);
    (
        KeyHash::default().part(scratch.as_bytes()).finish(),
        scratch.chars().count(),
    )
}

/// The comparison key of `s`, allocated.
pub fn key(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    key_into(s, &mut out);
    out
}

/// The comparison key of a header or sheet name: like [`key`], and `_`, `-` and `.` count as spaces,
/// so `unit_id`, `Unit ID` and `Enhets-ID` compare as words.
pub fn header_key(s: &str) -> String {
    let replaced: String = s
        .chars()
        .map(|c| if matches!(c, '_' | '-' | '.' | ':') { ' ' } else { c })
        .collect();
    key(&replaced)
}

/// Repairs UTF-8 text that was decoded as Windows-1252 once too often (`Ã¸` for `ø`).
/// Returns `None` when the text does not look like such mojibake or does not repair cleanly.
pub fn repair_mojibake(s: &str) -> Option<String> {
    if !s.contains(['Ã', 'Â', 'â']) {
        return None;
    }
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(s);
    if unmappable {
        return None;
    }
    let fixed = std::str::from_utf8(&bytes).ok()?;
    (fixed != s).then(|| fixed.to_string())
}

/// The value with the leading zeros Excel dropped restored, when the column's form makes the
/// meaning certain: `text` is all ASCII digits, `accepts` refuses it, and exactly one number of
/// added zeros (1 to 12) gives a value it accepts — `301` for a four-digit pattern or a list of
/// four-digit codes. Two possible widths (a pattern accepting `0301` and `000301`) restore nothing.
///
/// ```
/// use vakt_core::value::text::restore_leading_zeros;
/// let four_digits = |s: &str| s.len() == 4 && s.bytes().all(|b| b.is_ascii_digit());
/// assert_eq!(restore_leading_zeros("301", four_digits).as_deref(), Some("0301"));
/// assert_eq!(restore_leading_zeros("0301", four_digits), None); // nothing to restore
/// assert_eq!(restore_leading_zeros("30a", four_digits), None);
/// let four_or_six = |s: &str| (s.len() == 4 || s.len() == 6) && s.bytes().all(|b| b.is_ascii_digit());
/// assert_eq!(restore_leading_zeros("301", four_or_six), None); // 0301 or 000301: not certain
/// ```
pub fn restore_leading_zeros(text: &str, accepts: impl Fn(&str) -> bool) -> Option<String> {
    let t = trim(text);
    if t.is_empty() || t.len() > 20 || !t.bytes().all(|b| b.is_ascii_digit()) || accepts(t) {
        return None;
    }
    let mut found = None;
    for zeros in 1..=12 {
        let padded = format!("{}{t}", "0".repeat(zeros));
        if accepts(&padded) {
            if found.is_some() {
                return None;
            }
            found = Some(padded);
        }
    }
    found
}

/// Lower-case hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len().saturating_mul(2));
    for b in bytes {
        let _ = std::fmt::Write::write_fmt(&mut s, format_args!("{b:02x}"));
    }
    s
}

/// Whether a spreadsheet would take text for a formula if it were typed into a cell (`=`, `+`,
/// `-`, `@`, a tab, a carriage return or `|` first), unless it is a plain number. CSV and xlsx
/// writers quote such text (vakt clean with `'`, the reports with Excel's quote prefix).
///
/// ```
/// use vakt_core::value::text::formula_like;
/// assert!(formula_like("=HYPERLINK(\"http://x\")") && !formula_like("-5") && !formula_like("Oslo"));
/// ```
pub fn formula_like(s: &str) -> bool {
    s.starts_with(['=', '+', '-', '@', '\t', '\r', '|']) && s.trim().parse::<f64>().is_err()
}

/// Text from a return, a file name or a pack, made safe to print to a terminal: control characters
/// (escape sequences that could clear the screen, move the cursor or write the clipboard, line
/// breaks that could fake a line of the report) and bidirectional overrides are shown as escapes
/// (`\u{1b}`), not obeyed.
///
/// ```
/// assert_eq!(vakt_core::value::text::escape("a\u{1b}[2Jb\nc"), "a\\u{1b}[2Jb\\nc");
/// assert_eq!(vakt_core::value::text::escape("Bodø"), "Bodø");
/// ```
pub fn escape(s: &str) -> std::borrow::Cow<'_, str> {
    let unsafe_char = |c: char| {
        c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')
    };
    if !s.chars().any(unsafe_char) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len().saturating_add(8));
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if unsafe_char(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
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
    fn keys_ignore_case_space_and_invisible_noise() {
        assert_eq!(key("  Psyko\u{a0}\u{a0}dynamisk\u{200b} "), "psyko dynamisk");
        assert_eq!(key("KJØNN"), "kjønn");
        assert_eq!(trim("\u{feff} x \u{a0}"), "x");
    }

    #[test]
    fn a_key_hash_is_the_hash_of_the_key() {
        // Texts built from pieces that take each path (plain ASCII, capitals, inner and outer
        // spaces, NBSP, zero-width noise, non-ASCII letters, control bytes), 20,000 of them; the
        // oracle is the folded key hashed as a part.
        let pieces = [
            "",
            "a",
            "Z",
            "G001",
            "sto-G",
            " ",
            "  ",
            "\u{a0}",
            "\u{200b}",
            "Ø",
            "æ",
            "ǅ",
            "İ",
            "\t",
            "\u{7f}",
            "~",
            "@[`{",
            "12345678",
            "ABCDEFGHIJ",
            "ß",
            "\u{feff}",
        ];
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut scratch = String::new();
        for _ in 0..20_000 {
            let mut s = String::new();
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let mut r = seed;
            for _ in 0..(r % 7) {
                r /= 7;
                s.push_str(pieces[(r % pieces.len() as u64) as usize]);
                r /= pieces.len() as u64;
            }
            let k = key(&s);
            let expected = (KeyHash::default().part(k.as_bytes()).finish(), k.chars().count());
            assert_eq!(key_hash_len(&s, &mut scratch), expected, "{s:?}");
        }
    }

    #[test]
    fn header_keys_treat_punctuation_as_space() {
        assert_eq!(header_key("unit_id"), header_key("Unit ID"));
        assert_eq!(header_key("Enhets-ID"), "enhets id");
    }

    #[test]
    fn mojibake_repairs() {
        assert_eq!(repair_mojibake("KjÃ¸nn").as_deref(), Some("Kjønn"));
        assert_eq!(repair_mojibake("Kjønn"), None);
        assert_eq!(repair_mojibake("plain"), None);
    }
}
