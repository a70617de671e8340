//! What a sample column looks like: its type, the values and range seen, whether it is a code,
//! a key or an identifier.

use crate::read::{CellKind, CellRef};
use crate::value::{self, text, ColumnType, ParseCtx, Value};
use std::collections::{BTreeMap, BTreeSet};

/// A code list is drafted for text with at most this many distinct values.
const MAX_CODES: usize = 20;
/// Codes are short.
const MAX_CODE_CHARS: usize = 40;

/// What a drafted column holds.
#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    /// Whole numbers.
    Integer,
    /// Numbers with decimals.
    Decimal,
    /// Dates.
    Date,
    /// Yes or no.
    Boolean,
    /// One of a few values: the codes with the number of times each was seen.
    Code(Vec<(String, usize)>),
    /// Digits of one length (`0301`): text with a pattern.
    Digits(usize),
    /// Identifiers (most values are fødselsnummer or D-numbers).
    NationalId,
    /// Contact data: phone numbers, e-mail addresses.
    Contact,
    /// Any text.
    Text,
}

/// A drafted column.
#[derive(Debug, Clone)]
pub struct DraftColumn {
    /// Its name in the pack (from the header).
    pub name: String,
    /// The header as written.
    pub header: String,
    /// What it holds.
    pub kind: Kind,
    /// Values seen in the sample.
    pub filled: usize,
    /// Blank cells seen.
    pub blank: usize,
    /// The smallest and largest number (dates as day numbers) seen.
    pub seen: Option<(f64, f64)>,
    /// Every value is different: a candidate key.
    pub unique: bool,
    /// The distinct values, folded (for foreign keys).
    pub distinct: BTreeSet<String>,
}

/// Looks at a column's cells.
pub(super) fn infer(header: &str, cells: &[(CellKind, String, bool)], rows: usize) -> DraftColumn {
    let filled: Vec<&(CellKind, String, bool)> = cells.iter().filter(|(_, t, _)| !t.is_empty()).collect();
    let distinct: BTreeSet<String> = filled.iter().map(|(_, t, _)| text::key(t)).collect();
    let mut column = DraftColumn {
        name: String::new(),
        header: header.to_string(),
        kind: Kind::Text,
        filled: filled.len(),
        blank: rows.saturating_sub(filled.len()),
        seen: None,
        unique: !filled.is_empty() && distinct.len() == filled.len(),
        distinct,
    };
    if filled.is_empty() {
        return column;
    }
    // Identifiers first: a fødselsnummer is also a number of 11 digits.
    if mostly(&filled, |t| {
        let c = crate::ident::canonical(crate::ident::IdForm::NationalId, t);
        crate::ident::nin::validate(&c.text).is_ok()
    }) {
        column.kind = Kind::NationalId;
        return column;
    }
    // Cells a workbook stores as dates are dates, though their serial numbers read as numbers too.
    let date_cells = filled
        .iter()
        .all(|(k, _, _)| matches!(k, CellKind::Date { .. } | CellKind::DateIso));
    let order = if date_cells {
        [
            ColumnType::Date,
            ColumnType::Integer,
            ColumnType::Decimal,
            ColumnType::Boolean,
        ]
    } else {
        [
            ColumnType::Integer,
            ColumnType::Decimal,
            ColumnType::Date,
            ColumnType::Boolean,
        ]
    };
    for ty in order {
        let kind = match ty {
            ColumnType::Integer => Kind::Integer,
            ColumnType::Decimal => Kind::Decimal,
            ColumnType::Date => Kind::Date,
            _ => Kind::Boolean,
        };
        if let Some(seen) = all_parse(ty, &filled) {
            column.seen = seen;
            column.kind = kind;
            break;
        }
    }
    if column.kind == Kind::Integer || column.kind == Kind::Text {
        if let Some(width) = fixed_digits(&filled) {
            column.kind = Kind::Digits(width);
            column.seen = None;
        }
    }
    if column.kind == Kind::Text {
        column.kind = text_kind(&filled, &column);
    }
    // Measurements that happen to differ (beds 40, 22, 31) are not keys; numbered ids are.
    let keyable = matches!(
        column.kind,
        Kind::Text | Kind::Code(_) | Kind::Digits(_) | Kind::NationalId
    );
    column.unique &= keyable || key_header(header);
    column
}

/// The range seen when every value reads as `ty` (no issue); `None` when one does not.
fn all_parse(ty: ColumnType, filled: &[&(CellKind, String, bool)]) -> Option<Option<(f64, f64)>> {
    let mut scratch = String::new();
    let mut seen: Option<(f64, f64)> = None;
    for (kind, t, date_1904) in filled {
        let ctx = ParseCtx {
            codes: None,
            date_1904: *date_1904,
            suppressed: &[],
        };
        let p = value::parse(ty, CellRef { kind: *kind, text: t }, &ctx, &mut scratch);
        if p.issue.is_some() || p.value == Value::Missing {
            return None;
        }
        if let Some(v) = p.value.as_f64() {
            seen = Some(seen.map_or((v, v), |(lo, hi)| (lo.min(v), hi.max(v))));
        }
    }
    Some(seen)
}

/// Digits of one length with a leading zero somewhere (`0301`, `5001`): a code kept as text.
fn fixed_digits(filled: &[&(CellKind, String, bool)]) -> Option<usize> {
    let width = filled.first()?.1.len();
    let digits = filled
        .iter()
        .all(|(k, t, _)| *k == CellKind::Text && t.len() == width && t.bytes().all(|b| b.is_ascii_digit()));
    (digits && width > 1 && filled.iter().any(|(_, t, _)| t.starts_with('0'))).then_some(width)
}

/// Text: identifiers, a code list, or free text.
fn text_kind(filled: &[&(CellKind, String, bool)], column: &DraftColumn) -> Kind {
    // Phone numbers and e-mail addresses: contact data, a direct identifier.
    if mostly(filled, |t| !crate::ident::Scanner::global().scan(t).is_empty()) {
        return Kind::Contact;
    }
    if key_header(&column.header) {
        return Kind::Text;
    }
    let short = filled.iter().all(|(_, t, _)| t.chars().count() <= MAX_CODE_CHARS);
    let repeats = column.distinct.len() < filled.len();
    // Values written as codes are (`PSYDYN`, `SLOW_OPEN`, `M6_12`): capitals, digits, `_` and `-`.
    let code_like = |t: &str| {
        t.chars().count() <= 16
            && t.chars().any(|c| c.is_ascii_uppercase())
            && t.chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_' || c == '-')
    };
    let written_as_codes = column.distinct.len() >= 2 && filled.iter().all(|(_, t, _)| code_like(t));
    if column.unique && numbered(filled) {
        return Kind::Text;
    }
    let few = column.distinct.len() <= MAX_CODES;
    if !(short && few && (repeats || written_as_codes)) || (column.unique && !written_as_codes) {
        return Kind::Text;
    }
    // The codes as first written, with how often each was seen.
    let mut counts: BTreeMap<String, (String, usize)> = BTreeMap::new();
    for (_, t, _) in filled {
        counts.entry(text::key(t)).or_insert_with(|| (t.clone(), 0)).1 += 1;
    }
    let mut codes: Vec<(String, usize)> = counts.into_values().collect();
    codes.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    Kind::Code(codes)
}

/// Whether the values are numbered ids with one prefix (`W1`, `W2`, `SH-003`): a key, not codes.
fn numbered(filled: &[&(CellKind, String, bool)]) -> bool {
    let prefix = |t: &str| -> Option<String> {
        let stem = t.trim_end_matches(|c: char| c.is_ascii_digit());
        (stem.len() < t.len() && stem.chars().all(|c| c.is_alphabetic() || c == '-' || c == '_'))
            .then(|| stem.to_uppercase())
    };
    let first = filled.first().and_then(|(_, t, _)| prefix(t));
    first.is_some() && filled.iter().all(|(_, t, _)| prefix(t) == first)
}

/// Whether at least half the values are `what` (a column of identifiers may hold some local ids).
fn mostly(filled: &[&(CellKind, String, bool)], what: impl Fn(&str) -> bool) -> bool {
    let n = filled.iter().filter(|(_, t, _)| what(t)).count();
    n > 0 && n * 2 >= filled.len()
}

/// Whether a header names a key (`Gruppe-ID`, `Enhetsnr`): its values are ids, not codes.
fn key_header(header: &str) -> bool {
    let k = text::header_key(header);
    k.split(' ')
        .any(|w| matches!(w, "id" | "nr" | "nummer" | "number" | "no" | "kode" | "code"))
        || k.ends_with("id")
        || k.ends_with("nr")
}

/// A header as a column name: lower-case ASCII words joined by `_` (`Varighet per møte (min)` →
/// `varighet_per_mote_min`).
pub fn snake_case(header: &str) -> String {
    let mut out = String::new();
    for c in header.chars().flat_map(char::to_lowercase) {
        let mapped = match c {
            'æ' => "ae",
            'ø' | 'ö' => "o",
            'å' => "aa",
            'ä' => "a",
            'é' | 'è' => "e",
            'ü' => "u",
            c if c.is_ascii_alphanumeric() => {
                out.push(c);
                continue;
            }
            _ => "_",
        };
        out.push_str(mapped);
    }
    let words: Vec<&str> = out.split('_').filter(|w| !w.is_empty()).collect();
    let name = words.join("_");
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        format!("c_{name}")
    } else {
        name
    }
}
