//! Numbers as people type them: decimal comma or point, spaced thousands, a unit after the number,
//! `ca` before it. Ranges (`6-8`) and bounds (`>10`) are refused: they are not one value.

use super::{text, Issue, Note};

/// Which trailing words a column accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Units {
    /// Counts: `8 pas.`, `12 stk`, `4 personer`.
    Count,
    /// Durations: minutes or hours.
    Duration,
}

/// The unit a number was written with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// No unit.
    None,
    /// Minutes (`min`).
    Minutes,
    /// Hours (`t`, `h`, `timer`).
    Hours,
    /// A count word (`pas.`, `stk`).
    Count,
}

const COUNT_WORDS: &[&str] = &[
    "pas",
    "pas.",
    "pasienter",
    "pasient",
    "pt",
    "pt.",
    "stk",
    "stk.",
    "personer",
    "pers",
    "pers.",
    "deltakere",
    "patients",
    "persons",
    "møter",
    "ganger",
    "sessions",
    "terapeuter",
    "grupper",
];
const MINUTE_WORDS: &[&str] = &["min", "min.", "minutt", "minutter", "minutes", "minute", "mins", "m"];
const HOUR_WORDS: &[&str] = &[
    "t", "t.", "time", "timer", "h", "h.", "hr", "hrs", "hour", "hours", "tim", "tim.",
];
const APPROX: &[&str] = &[
    "ca", "ca.", "cirka", "ca:", "omtrent", "approx", "approx.", "about", "~", "c.",
];

/// Parses a number with an optional unit. Returns the value, the unit and a note.
pub fn parse_number(raw: &str, units: Units) -> Result<(f64, Unit, Option<Note>), Issue> {
    let mut t = text::trim(raw);
    // Fast path: plain digits, the common case, without allocation.
    if !t.is_empty() && t.len() <= 15 && t.bytes().all(|b| b.is_ascii_digit()) {
        let mut v: u64 = 0;
        for b in t.bytes() {
            v = v
                .saturating_mul(10)
                .saturating_add(u64::from((b as char).to_digit(10).unwrap_or(0)));
        }
        return Ok((v as f64, Unit::None, None));
    }
    let mut note = None;
    // An approximation marker before the number. Compared byte for byte on the text itself: a
    // lower-cased copy can differ in length (the Kelvin sign `K` lower-cases to ASCII `k`).
    for a in APPROX {
        if t.get(..a.len()).is_some_and(|p| p.eq_ignore_ascii_case(a)) {
            let rest = text::trim(&t[a.len()..]);
            if rest.starts_with(|c: char| c.is_ascii_digit()) {
                t = rest;
                note = Some(Note::Approximate);
                break;
            }
        }
    }
    if t.starts_with(['>', '<', '≥', '≤']) {
        return Err(Issue::BoundGiven);
    }
    let mut s = String::with_capacity(t.len());
    let digits_start = match t.as_bytes().first() {
        Some(b'-') => {
            s.push('-');
            1
        }
        Some(b'+') => 1,
        _ => 0,
    };
    let mut seen_decimal = false;
    let mut grouped = false;
    let chars: Vec<(usize, char)> = t.get(digits_start..).unwrap_or("").char_indices().collect();
    let is_digit = |k: usize| chars.get(k).is_some_and(|(_, c)| c.is_ascii_digit());
    let mut k = 0;
    while let Some(&(_, c)) = chars.get(k) {
        let after = k.saturating_add(1);
        if c.is_ascii_digit() {
            s.push(c);
        } else if (c == ',' || c == '.') && !seen_decimal && is_digit(after) {
            s.push('.');
            seen_decimal = true;
        } else if matches!(c, ' ' | '\u{a0}' | '\u{202f}')
            && !seen_decimal
            && (after..after.saturating_add(3)).all(is_digit)
            && !is_digit(after.saturating_add(3))
            && !s.is_empty()
        {
            grouped = true;
        } else {
            break;
        }
        k = after;
    }
    let end = chars.get(k).map_or(t.len(), |(j, _)| digits_start.saturating_add(*j));
    if end == digits_start || s.is_empty() || s == "-" {
        return Err(Issue::NotNumber);
    }
    let value: f64 = s.parse().map_err(|_| Issue::NotNumber)?;
    let rest = text::trim(&t[end..]);
    if grouped && note.is_none() {
        note = Some(Note::ThousandsSeparator);
    }
    if rest.is_empty() {
        return Ok((value, Unit::None, note));
    }
    // `6-8`, `6 - 8`, `6–8`: a range, not a value.
    if rest.starts_with(['-', '–', '—'])
        && text::trim(&rest[rest.chars().next().map_or(1, char::len_utf8)..]).starts_with(|c: char| c.is_ascii_digit())
    {
        return Err(Issue::RangeGiven);
    }
    if rest == "+" {
        return Err(Issue::BoundGiven);
    }
    let word = text::key(rest);
    let unit = match units {
        Units::Count if COUNT_WORDS.contains(&word.as_str()) => Unit::Count,
        Units::Duration if MINUTE_WORDS.contains(&word.as_str()) => Unit::Minutes,
        Units::Duration if HOUR_WORDS.contains(&word.as_str()) => Unit::Hours,
        _ => return Err(Issue::NotNumber),
    };
    Ok((value, unit, note.or(Some(Note::UnitDropped))))
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
    fn units_and_separators() {
        assert_eq!(
            parse_number("90 min", Units::Duration),
            Ok((90.0, Unit::Minutes, Some(Note::UnitDropped)))
        );
        assert_eq!(parse_number("1,5t", Units::Duration).map(|r| r.1), Ok(Unit::Hours));
        assert_eq!(parse_number("1 234", Units::Count).map(|r| r.0), Ok(1234.0));
        assert_eq!(parse_number("12 34", Units::Count), Err(Issue::NotNumber));
        assert_eq!(parse_number("6 - 8", Units::Count), Err(Issue::RangeGiven));
        assert_eq!(parse_number("6–8", Units::Count), Err(Issue::RangeGiven));
        assert_eq!(parse_number("10+", Units::Count), Err(Issue::BoundGiven));
        assert_eq!(parse_number("90 min", Units::Count), Err(Issue::NotNumber));
        assert_eq!(parse_number("-", Units::Count), Err(Issue::NotNumber));
    }

    #[test]
    fn letters_that_change_length_when_lower_cased_do_not_panic() {
        // U+212A KELVIN SIGN is three bytes; its lower case `k` is one.
        assert_eq!(parse_number("cir\u{212a}a 2", Units::Count), Err(Issue::NotNumber));
        assert_eq!(
            parse_number("\u{212a}\u{212a}\u{212a}\u{212a} 2", Units::Count),
            Err(Issue::NotNumber)
        );
        assert_eq!(parse_number("CIRKA 2", Units::Count).map(|r| r.0), Ok(2.0));
        assert_eq!(parse_number("İİİİ 2", Units::Count), Err(Issue::NotNumber));
    }
}
