//! Value parsing: one cell's text (or typed spreadsheet value) into a typed [`Value`].
//!
//! Parsing is the single place that decides what a cell means, so every rule sees the same value and a
//! cell that cannot be read yields exactly one finding (an [`Issue`]); rules that would judge its
//! value (range, code list) skip it. Repairs whose meaning is certain (`90 min`, `1 234`, an Excel
//! serial in a date column) succeed with a [`Note`], which is logged, not an error.

// Reading and values face every byte of hostile input: no indexing that can panic, no
// arithmetic that can overflow.
#![warn(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

pub mod cell;
pub mod codelist;
pub mod date;
pub mod icd10;
pub mod keyhash;
pub mod number;
pub mod text;

pub use cell::{CellKind, CellRef, RowBuf};
pub use codelist::CodeList;
pub use date::Date;

/// A parsed cell value. Text stays in the row buffer; only its presence is recorded here.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value {
    /// A blank cell.
    Missing,
    /// A whole number.
    Int(i64),
    /// A decimal number (or minutes).
    Num(f64),
    /// A date.
    Date(Date),
    /// Yes or no.
    Bool(bool),
    /// Index of the entry in the column's code list.
    Code(u32),
    /// Text: the cell's text is the value.
    Text,
}

impl Value {
    /// The value as a number, for range checks.
    pub fn as_f64(&self) -> Option<f64> {
        match *self {
            Value::Int(i) => Some(i as f64),
            Value::Num(f) => Some(f),
            Value::Date(d) => Some(d.0 as f64),
            _ => None,
        }
    }
}

/// Why a cell could not be read as its column's type.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum Issue {
    /// An Excel error value (`#REF!`, `#N/A`, Norwegian `#I/T`, ...).
    ExcelError,
    /// A stand-in for "unknown" (`-`, `?`, `ukjent`, `vet ikke`).
    Placeholder,
    /// Not a number.
    NotNumber,
    /// A number with a fraction in an integer column.
    NotInteger,
    /// A range like `6-8` where one value belongs.
    RangeGiven,
    /// A bound like `>10` or `<5` where one value belongs.
    BoundGiven,
    /// Not a duration.
    NotDuration,
    /// Not a date.
    NotDate,
    /// A date that does not exist (`31.02.2010`).
    NoSuchDate,
    /// A two-digit year (`01.02.10`): the century is a guess.
    TwoDigitYear,
    /// Excel serial 0, the empty "zero date".
    ZeroDate,
    /// Excel serial 60, 1900-02-29, a day that never existed.
    FakeLeapDay,
    /// Not yes or no.
    NotBoolean,
    /// Matches no entry of the code list.
    UnknownCode,
    /// Several codes in one cell (`F32.1/F60.3`).
    SeveralValues,
    /// Not a code of ICD-10 chapter V.
    UnknownIcd,
}

/// A repair whose meaning is certain enough to accept, logged as a finding.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum Note {
    /// A small bare number in a minutes column read as hours (`1.5` → 90 min).
    HoursAsMinutes,
    /// A unit or word after the number was dropped (`90 min`, `8 pas.`).
    UnitDropped,
    /// Thousands separated by spaces (`1 234`).
    ThousandsSeparator,
    /// An approximation marker was dropped (`ca 8`): the value may not be exact.
    Approximate,
    /// A serial number in a date column read as an Excel date.
    SerialAsDate,
    /// A date-time with a time part; the time was dropped.
    TimeDropped,
    /// A time or duration (`1:30`, a `[h]:mm` cell, ODS `PT01H30M00S`) read as minutes.
    TimeAsMinutes,
    /// Mojibake (`Ã¸` for `ø`) was repaired before matching.
    Mojibake,
    /// Leading zeros Excel dropped were restored (`301` → `0301`), the code list's codes all
    /// having one width.
    ZeroRestored,
    /// An ICD-10 code written another way (`f321`, `F32,1`) was normalised.
    IcdNormalised,
    /// A 3-character ICD-10 category that has subcategories.
    IcdCategory,
    /// A Norwegian 5-character extension of a valid ICD-10 code.
    IcdExtension,
    /// A symbol the pack declares for a suppressed count (`:`): a value that is there but hidden.
    Suppressed,
}

/// The outcome of parsing one cell.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Parsed {
    /// The value read (missing when there is an issue).
    pub value: Value,
    /// Why the cell could not be read, if it could not.
    pub issue: Option<Issue>,
    /// A repair made while reading it.
    pub note: Option<Note>,
}

impl Parsed {
    /// A blank cell.
    pub const MISSING: Parsed = Parsed {
        value: Value::Missing,
        issue: None,
        note: None,
    };

    fn ok(value: Value) -> Parsed {
        Parsed {
            value,
            issue: None,
            note: None,
        }
    }

    fn noted(value: Value, note: Option<Note>) -> Parsed {
        Parsed {
            value,
            issue: None,
            note,
        }
    }

    fn bad(issue: Issue) -> Parsed {
        Parsed {
            value: Value::Missing,
            issue: Some(issue),
            note: None,
        }
    }

    /// True when the cell holds a usable value.
    pub fn is_present(&self) -> bool {
        self.issue.is_none() && self.value != Value::Missing
    }
}

/// Excel error values as they appear in typed cells and in CSV exports (English and Norwegian Excel).
const EXCEL_ERRORS: &[&str] = &[
    "#REF!",
    "#N/A",
    "#I/T",
    "#VALUE!",
    "#VERDI!",
    "#DIV/0!",
    "#NAME?",
    "#NAVN?",
    "#NUM!",
    "#NULL!",
    "#TALL!",
    "#GETTING_DATA",
    "#SPILL!",
    "#CALC!",
    "#REFERANSE!",
];

/// Values people type to say "unknown". Compared by key (case and space folded).
const PLACEHOLDERS: &[&str] = &[
    "-",
    "--",
    "---",
    "?",
    "??",
    "???",
    "ukjent",
    "vet ikke",
    "ikke kjent",
    "ikke oppgitt",
    "uoppgitt",
    "unknown",
    "n/a",
    "na",
    "i/t",
    "mangler",
    "missing",
    ".",
    "..",
];

/// Whether a text stands in for "unknown" (`-`, `?`, `ukjent`, `vet ikke`).
pub fn is_placeholder(t: &str) -> bool {
    let t = text::trim(t);
    // Placeholders are short and start with one of a few characters: skip the key (an
    // allocation, on every text cell) for everything else.
    let starts = t.as_bytes().first().map(u8::to_ascii_lowercase);
    if t.len() > 16 || !matches!(starts, Some(b'-' | b'?' | b'.' | b'u' | b'v' | b'i' | b'n' | b'm')) {
        return false;
    }
    let k = text::key(t);
    PLACEHOLDERS.contains(&k.as_str())
}

/// True for an Excel error value: an error cell, or its text in a CSV export (`#I/T`, `#REF!`).
/// Asked of every cell twice (by the parser and the error rule): inlined, as the compiler does
/// not always decide to (it left it out of line after unrelated changes, +1.5 % instructions).
#[inline]
pub fn is_excel_error(cell: &CellRef<'_>) -> bool {
    cell.kind == CellKind::Error || {
        let t = text::trim(cell.text);
        t.starts_with('#') && EXCEL_ERRORS.iter().any(|e| e.eq_ignore_ascii_case(t))
    }
}

/// What a parser needs besides the cell: the column's code list and a reusable buffer.
pub struct ParseCtx<'a> {
    /// The column's code list.
    pub codes: Option<&'a CodeList>,
    /// Bare serial numbers count from 1904 (Mac Excel).
    pub date_1904: bool,
    /// Symbols that stand for a suppressed count in this column (`:`, `*`).
    pub suppressed: &'a [String],
}

/// Parses one cell as `ty`.
pub fn parse(ty: ColumnType, cell: CellRef<'_>, ctx: &ParseCtx<'_>, scratch: &mut String) -> Parsed {
    if cell.is_blank() {
        return Parsed::MISSING;
    }
    if !ctx.suppressed.is_empty() && ctx.suppressed.iter().any(|s| s == text::trim(cell.text)) {
        return Parsed::noted(Value::Missing, Some(Note::Suppressed));
    }
    if is_excel_error(&cell) {
        return Parsed::bad(Issue::ExcelError);
    }
    match ty {
        ColumnType::Text if is_placeholder(cell.text) => Parsed::bad(Issue::Placeholder),
        ColumnType::Text => Parsed::ok(Value::Text),
        ColumnType::Integer => parse_integer(cell),
        ColumnType::Decimal => match number_of(cell) {
            Ok((n, note)) => Parsed::noted(Value::Num(n), note),
            Err(i) => Parsed::bad(i),
        },
        ColumnType::Minutes => parse_minutes(cell),
        ColumnType::Date => parse_date(cell, ctx.date_1904),
        ColumnType::Boolean => parse_boolean(cell, ctx.codes, scratch),
        ColumnType::Icd10 => match ctx.codes {
            Some(list) => icd10::parse(cell.text, list, scratch),
            None => Parsed::ok(Value::Text),
        },
        ColumnType::Code => match ctx.codes {
            Some(list) => parse_code(cell.text, list, scratch),
            None => Parsed::ok(Value::Text),
        },
    }
}

fn number_of(cell: CellRef<'_>) -> Result<(f64, Option<Note>), Issue> {
    match cell.kind {
        CellKind::Number(n) => Ok((n, None)),
        CellKind::Bool(_) => Err(Issue::NotNumber),
        CellKind::Date { serial, .. } => Ok((serial, None)),
        _ => {
            if is_placeholder(cell.text) {
                return Err(Issue::Placeholder);
            }
            number::parse_number(cell.text, number::Units::Count).map(|(n, _, note)| (n, note))
        }
    }
}

fn parse_integer(cell: CellRef<'_>) -> Parsed {
    match number_of(cell) {
        Ok((n, note)) if n.fract() == 0.0 && n.abs() < 9.0e15 => Parsed::noted(Value::Int(n as i64), note),
        Ok(_) => Parsed::bad(Issue::NotInteger),
        Err(i) => Parsed::bad(i),
    }
}

fn parse_minutes(cell: CellRef<'_>) -> Parsed {
    if let Some(minutes) = time_as_minutes(cell) {
        return Parsed::noted(Value::Num(minutes), Some(Note::TimeAsMinutes));
    }
    let (n, unit, note) = match cell.kind {
        CellKind::Number(n) => (n, number::Unit::None, None),
        CellKind::Text | CellKind::DateIso => {
            if is_placeholder(cell.text) {
                return Parsed::bad(Issue::Placeholder);
            }
            match number::parse_number(cell.text, number::Units::Duration) {
                Ok(x) => x,
                Err(Issue::NotNumber) => return Parsed::bad(Issue::NotDuration),
                Err(i) => return Parsed::bad(i),
            }
        }
        _ => return Parsed::bad(Issue::NotDuration),
    };
    match unit {
        number::Unit::Hours => Parsed::noted(Value::Num(n * 60.0), Some(Note::UnitDropped)),
        number::Unit::Minutes => Parsed::noted(Value::Num(n), Some(Note::UnitDropped)),
        _ if (0.5..=4.0).contains(&n) => Parsed::noted(Value::Num(n * 60.0), Some(Note::HoursAsMinutes)),
        _ => Parsed::noted(Value::Num(n), note),
    }
}

/// A session length written as a time: a time or `[h]:mm` duration cell (a day fraction), `h:mm`
/// or `h:mm:ss` typed as text, or an ISO 8601 duration (`PT01H30M00S`, as ODS stores durations).
/// Whole minutes, more than 0 and less than a day; `None` for anything else.
fn time_as_minutes(cell: CellRef<'_>) -> Option<f64> {
    let minutes = match cell.kind {
        CellKind::Date { serial, .. } if serial > 0.0 && serial < 1.0 => (serial * 1440.0).round(),
        CellKind::Text | CellKind::DateIso => {
            let t = text::trim(cell.text);
            clock_minutes(t).or_else(|| iso_duration_minutes(t))?
        }
        _ => return None,
    };
    (minutes > 0.0 && minutes < 1440.0).then_some(minutes)
}

/// `1:30`, `01:30`, `1:30:00` → 90.
fn clock_minutes(t: &str) -> Option<f64> {
    let mut parts = t.split(':');
    let (h, m) = (parts.next()?, parts.next()?);
    let s = parts.next();
    if parts.next().is_some() || h.is_empty() || h.len() > 2 || m.len() != 2 {
        return None;
    }
    let digits = |x: &str| x.bytes().all(|b| b.is_ascii_digit());
    if !digits(h) || !digits(m) || s.is_some_and(|s| s.len() != 2 || !digits(s)) {
        return None;
    }
    let (h, m): (f64, f64) = (h.parse().ok()?, m.parse().ok()?);
    let s: f64 = s.map_or(Some(0.0), |s| s.parse().ok())?;
    (m < 60.0 && s < 60.0).then(|| h * 60.0 + m + (s / 60.0).round())
}

/// `PT1H30M`, `PT01H30M00S`, `PT90M` → 90.
fn iso_duration_minutes(t: &str) -> Option<f64> {
    let rest = t.strip_prefix("PT").or_else(|| t.strip_prefix("pt"))?;
    let mut total = 0.0;
    let mut number = String::new();
    let mut any = false;
    for c in rest.chars() {
        if c.is_ascii_digit() || c == '.' {
            number.push(c);
            continue;
        }
        let n: f64 = number.parse().ok()?;
        number.clear();
        total += match c.to_ascii_uppercase() {
            'H' => n * 60.0,
            'M' => n,
            'S' => n / 60.0,
            _ => return None,
        };
        any = true;
    }
    (any && number.is_empty()).then(|| total.round())
}

fn serial_date(serial: f64, is_1904: bool, note: Option<Note>) -> Parsed {
    match Date::from_excel_serial(serial, is_1904) {
        Ok(d) => Parsed::noted(Value::Date(d), note),
        Err(date::SerialError::Zero) => Parsed::bad(Issue::ZeroDate),
        Err(date::SerialError::FakeLeapDay) => Parsed::bad(Issue::FakeLeapDay),
        Err(date::SerialError::OutOfRange) => Parsed::bad(Issue::NotDate),
    }
}

fn parse_date(cell: CellRef<'_>, date_1904: bool) -> Parsed {
    match cell.kind {
        CellKind::Date { serial, is_1904 } => {
            // A time of day on the date (at least a minute past midnight) is dropped, and said.
            let timed = serial.fract() * 1440.0 >= 1.0;
            serial_date(serial, is_1904, timed.then_some(Note::TimeDropped))
        }
        CellKind::Number(n) => serial_date(n, date_1904, Some(Note::SerialAsDate)),
        CellKind::Bool(_) | CellKind::Error | CellKind::Empty => Parsed::bad(Issue::NotDate),
        CellKind::Text | CellKind::DateIso => {
            let t = text::trim(cell.text);
            if is_placeholder(t) {
                return Parsed::bad(Issue::Placeholder);
            }
            match parse_date_text(t) {
                Ok((d, note)) => Parsed::noted(Value::Date(d), note),
                Err(Issue::NotDate) if t.len() == 5 && t.bytes().all(|b| b.is_ascii_digit()) => {
                    // A serial typed or exported as text.
                    serial_date(t.parse::<f64>().unwrap_or(0.0), date_1904, Some(Note::SerialAsDate))
                }
                Err(i) => Parsed::bad(i),
            }
        }
    }
}

/// Parses `yyyy-mm-dd` (optionally with a time), `dd.mm.yyyy`, `d.m.yyyy`, `dd/mm/yyyy`, `dd-mm-yyyy`.
pub fn parse_date_text(t: &str) -> Result<(Date, Option<Note>), Issue> {
    // The common case, `yyyy-mm-dd`, read straight off its ten bytes: what the general reading
    // below makes of it, without the search for a time and the split.
    if let [y0, y1, y2, y3, b'-', m0, m1, b'-', d0, d1] = *t.as_bytes() {
        let digits = [y0, y1, y2, y3, m0, m1, d0, d1];
        if digits.iter().all(u8::is_ascii_digit) {
            let n = |ds: &[u8]| {
                ds.iter().fold(0u32, |a, &b| {
                    a.wrapping_mul(10).wrapping_add(u32::from(b.wrapping_sub(b'0')))
                })
            };
            let (y, m, d) = (n(&digits[..4]), n(&digits[4..6]), n(&digits[6..]));
            return Date::from_ymd(y as i32, m, d)
                .map(|d| (d, None))
                .ok_or(Issue::NoSuchDate);
        }
    }
    let (date_part, time_note) = match t.find(['T', ' ']) {
        Some(i) if i >= 8 => (&t[..i], Some(Note::TimeDropped)),
        _ => (t, None),
    };
    // Three runs of digits separated by `-`, `.` or `/`, without allocating.
    let mut parts = [(0u32, 0usize); 3];
    let mut n = 0;
    for piece in date_part.split(['-', '.', '/']) {
        if n == 3 || piece.is_empty() || piece.len() > 4 || !piece.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Issue::NotDate);
        }
        let v = piece.bytes().fold(0u32, |a, b| {
            a.saturating_mul(10)
                .saturating_add((b as char).to_digit(10).unwrap_or(0))
        });
        let Some(slot) = parts.get_mut(n) else {
            return Err(Issue::NotDate);
        };
        *slot = (v, piece.len());
        n = n.saturating_add(1);
    }
    if n != 3 {
        return Err(Issue::NotDate);
    }
    let [(a, la), (b, lb), (c, lc)] = parts;
    let (y, m, d) = if la == 4 {
        (a, b, c)
    } else if lc == 4 && la <= 2 && lb <= 2 {
        (c, b, a)
    } else if lc == 2 && la <= 2 && lb <= 2 {
        return Err(Issue::TwoDigitYear);
    } else {
        return Err(Issue::NotDate);
    };
    Date::from_ymd(y as i32, m, d)
        .map(|d| (d, time_note))
        .ok_or(Issue::NoSuchDate)
}

const BUILTIN_TRUE: &[&str] = &["true", "yes", "ja", "j", "y", "1", "x", "sann"];
const BUILTIN_FALSE: &[&str] = &["false", "no", "nei", "n", "0", "usann"];

fn parse_boolean(cell: CellRef<'_>, codes: Option<&CodeList>, scratch: &mut String) -> Parsed {
    if let CellKind::Bool(b) = cell.kind {
        return Parsed::ok(Value::Bool(b));
    }
    if let Some(list) = codes {
        if let Some(i) = list.lookup(text::trim(cell.text), scratch) {
            return Parsed::ok(Value::Bool(list.code(i).eq_ignore_ascii_case("true")));
        }
    } else {
        text::key_into(cell.text, scratch);
        if BUILTIN_TRUE.contains(&scratch.as_str()) {
            return Parsed::ok(Value::Bool(true));
        }
        if BUILTIN_FALSE.contains(&scratch.as_str()) {
            return Parsed::ok(Value::Bool(false));
        }
    }
    if is_placeholder(cell.text) {
        return Parsed::bad(Issue::Placeholder);
    }
    Parsed::bad(Issue::NotBoolean)
}

/// Looks a value up in a code list, repairing mojibake, and telling several codes in one cell apart
/// from an unknown code.
pub fn parse_code(raw: &str, list: &CodeList, scratch: &mut String) -> Parsed {
    let t = text::trim(raw);
    if let Some(i) = list.lookup(t, scratch) {
        return Parsed::ok(Value::Code(i));
    }
    if let Some(fixed) = text::repair_mojibake(t) {
        if let Some(i) = list.lookup(&fixed, scratch) {
            return Parsed::noted(Value::Code(i), Some(Note::Mojibake));
        }
    }
    let known = |s: &str| list.lookup(s, &mut String::new()).is_some();
    if let Some(padded) = text::restore_leading_zeros(t, known) {
        if let Some(i) = list.lookup(&padded, scratch) {
            return Parsed::noted(Value::Code(i), Some(Note::ZeroRestored));
        }
    }
    if is_placeholder(t) {
        return Parsed::bad(Issue::Placeholder);
    }
    let parts: Vec<&str> = t
        .split(['/', ';', ',', '+', '&'])
        .map(text::trim)
        .filter(|p| !p.is_empty())
        .collect();
    if parts.len() > 1 && parts.iter().all(|p| list.lookup(p, scratch).is_some()) {
        return Parsed::bad(Issue::SeveralValues);
    }
    Parsed::bad(Issue::UnknownCode)
}

/// How a column's cells are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ColumnType {
    /// Any text.
    Text,
    /// Whole numbers; `1 234`, `8 pas.` and `ca 8` are read with a note.
    Integer,
    /// Numbers with decimal comma or point.
    Decimal,
    /// A duration in minutes: `90`, `90 min`, `1,5 t`, `1.5 h`, `2 timer`; a bare 0.5..4 is hours.
    Minutes,
    /// Dates: ISO, `dd.mm.yyyy`, Excel date cells and serial numbers.
    Date,
    /// Yes/no, through the column's code list when it names one.
    Boolean,
    /// A value from the column's code list.
    Code,
    /// An ICD-10 chapter V code, checked against the column's code list (docs/rules.md).
    Icd10,
}

#[cfg(test)]
#[allow(
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    reason = "tests may panic"
)]
mod tests {
    use super::*;

    /// `yyyy-mm-dd` is read as the same date written `dd.mm.yyyy` and `yyyy/mm/dd` (the general
    /// reading), and as the calendar has it: every day of leap and common years and the days
    /// around them that do not exist.
    #[test]
    fn iso_dates_read_as_the_other_forms_do() {
        let mut real = 0;
        for y in [1, 1900, 1999, 2000, 2024, 9999] {
            for m in 0..=13u32 {
                for d in 0..=32u32 {
                    let iso = parse_date_text(&format!("{y:04}-{m:02}-{d:02}"));
                    assert_eq!(iso, parse_date_text(&format!("{d:02}.{m:02}.{y:04}")), "{y}-{m}-{d}");
                    assert_eq!(iso, parse_date_text(&format!("{y:04}/{m:02}/{d:02}")), "{y}-{m}-{d}");
                    let calendar = Date::from_ymd(y, m, d).map(|d| (d, None)).ok_or(Issue::NoSuchDate);
                    assert_eq!(iso, calendar, "{y}-{m}-{d}");
                    real += usize::from(iso.is_ok());
                }
            }
        }
        assert_eq!(real, 4 * 365 + 2 * 366);
        assert_eq!(parse_date_text("0000-01-01"), Err(Issue::NoSuchDate));
        assert_eq!(parse_date_text("2009-1x-01"), Err(Issue::NotDate));
        assert_eq!(
            parse_date_text("2009-01-01T10:00"),
            Ok((Date::from_ymd(2009, 1, 1).unwrap(), Some(Note::TimeDropped)))
        );
    }

    fn minutes(kind: CellKind, text: &str) -> (Value, Option<Note>, Option<Issue>) {
        let p = parse_minutes(CellRef { kind, text });
        (p.value, p.note, p.issue)
    }

    #[test]
    fn times_and_durations_in_a_minutes_column_are_minutes() {
        let as_minutes = |v: f64| (Value::Num(v), Some(Note::TimeAsMinutes), None);
        assert_eq!(minutes(CellKind::Text, "1:30"), as_minutes(90.0));
        assert_eq!(minutes(CellKind::Text, "01:30:00"), as_minutes(90.0));
        assert_eq!(minutes(CellKind::Text, "0:45"), as_minutes(45.0));
        assert_eq!(minutes(CellKind::DateIso, "PT01H30M00S"), as_minutes(90.0));
        assert_eq!(minutes(CellKind::Text, "PT90M"), as_minutes(90.0));
        // A [h]:mm cell holding 1:30 is the day fraction 0.0625.
        let cell = CellKind::Date {
            serial: 0.0625,
            is_1904: false,
        };
        assert_eq!(minutes(cell, "0.0625"), as_minutes(90.0));
        // Not times: minutes past 59, a whole date, text.
        assert_eq!(minutes(CellKind::Text, "1:75").2, Some(Issue::NotDuration));
        assert!(minutes(
            CellKind::Date {
                serial: 40000.0,
                is_1904: false
            },
            ""
        )
        .2
        .is_some());
        assert_eq!(minutes(CellKind::Text, "PTxM").2, Some(Issue::NotDuration));
        assert_eq!(minutes(CellKind::Text, "90").0, Value::Num(90.0));
    }

    #[test]
    fn a_time_of_day_on_a_date_cell_is_dropped_and_said() {
        let date = |serial: f64| {
            parse_date(
                CellRef {
                    kind: CellKind::Date { serial, is_1904: false },
                    text: "",
                },
                false,
            )
        };
        let timed = date(40_000.75);
        assert_eq!(
            (timed.value, timed.note),
            (date(40_000.0).value, Some(Note::TimeDropped))
        );
        assert_eq!(date(40_000.0).note, None);
    }

    fn text_cell(t: &str) -> CellRef<'_> {
        CellRef {
            kind: CellKind::Text,
            text: t,
        }
    }

    fn p(ty: ColumnType, t: &str) -> Parsed {
        let ctx = ParseCtx {
            codes: None,
            date_1904: false,
            suppressed: &[],
        };
        parse(ty, text_cell(t), &ctx, &mut String::new())
    }

    #[test]
    fn integers_keep_thousands_units_and_approximations_and_refuse_ranges_and_bounds() {
        assert_eq!(p(ColumnType::Integer, "12").value, Value::Int(12));
        assert_eq!(p(ColumnType::Integer, " 1 234 ").value, Value::Int(1234));
        assert_eq!(
            p(ColumnType::Integer, "1\u{a0}234").note,
            Some(Note::ThousandsSeparator)
        );
        let r = p(ColumnType::Integer, "8 pas.");
        assert_eq!((r.value, r.note), (Value::Int(8), Some(Note::UnitDropped)));
        let r = p(ColumnType::Integer, "ca 8");
        assert_eq!((r.value, r.note), (Value::Int(8), Some(Note::Approximate)));
        assert_eq!(p(ColumnType::Integer, "6-8").issue, Some(Issue::RangeGiven));
        assert_eq!(p(ColumnType::Integer, ">10").issue, Some(Issue::BoundGiven));
        assert_eq!(p(ColumnType::Integer, "1,5").issue, Some(Issue::NotInteger));
        assert_eq!(p(ColumnType::Integer, "mange").issue, Some(Issue::NotNumber));
        assert_eq!(p(ColumnType::Integer, "ukjent").issue, Some(Issue::Placeholder));
        assert_eq!(p(ColumnType::Integer, "?").issue, Some(Issue::Placeholder));
        assert_eq!(p(ColumnType::Integer, "#I/T").issue, Some(Issue::ExcelError));
        assert_eq!(p(ColumnType::Integer, "  ").value, Value::Missing);
    }

    #[test]
    fn decimals_take_comma_or_point() {
        assert_eq!(p(ColumnType::Decimal, "1,5").value, Value::Num(1.5));
        assert_eq!(p(ColumnType::Decimal, "1.5").value, Value::Num(1.5));
        assert_eq!(p(ColumnType::Decimal, "-0,25").value, Value::Num(-0.25));
        assert_eq!(p(ColumnType::Decimal, "1 234,5").value, Value::Num(1234.5));
    }

    #[test]
    fn durations_in_minutes() {
        let m = |t| p(ColumnType::Minutes, t);
        assert_eq!(m("90").value, Value::Num(90.0));
        assert_eq!(m("90").note, None);
        assert_eq!(m("90 min").value, Value::Num(90.0));
        assert_eq!(m("1,5 t").value, Value::Num(90.0));
        assert_eq!(m("1.5 h").value, Value::Num(90.0));
        assert_eq!(m("2 timer").value, Value::Num(120.0));
        let r = m("1.5");
        assert_eq!((r.value, r.note), (Value::Num(90.0), Some(Note::HoursAsMinutes)));
        assert_eq!(m("4").note, Some(Note::HoursAsMinutes));
        assert_eq!(m("5").note, None);
        assert_eq!(m("lang").issue, Some(Issue::NotDuration));
        let ctx = ParseCtx {
            codes: None,
            date_1904: false,
            suppressed: &[],
        };
        let num = CellRef {
            kind: CellKind::Number(1.5),
            text: "1.5",
        };
        assert_eq!(
            parse(ColumnType::Minutes, num, &ctx, &mut String::new()).value,
            Value::Num(90.0)
        );
    }

    #[test]
    fn dates_in_every_form() {
        let d = |t| p(ColumnType::Date, t);
        let ymd = |y, m, dd| Value::Date(Date::from_ymd(y, m, dd).unwrap());
        assert_eq!(d("2010-02-01").value, ymd(2010, 2, 1));
        assert_eq!(d("01.02.2010").value, ymd(2010, 2, 1));
        assert_eq!(d("1.2.2010").value, ymd(2010, 2, 1));
        assert_eq!(d("2010-02-01T00:00:00").value, ymd(2010, 2, 1));
        assert_eq!(d("40210").value, ymd(2010, 2, 1));
        assert_eq!(d("40210").note, Some(Note::SerialAsDate));
        assert_eq!(d("31.02.2010").issue, Some(Issue::NoSuchDate));
        assert_eq!(d("01.02.10").issue, Some(Issue::TwoDigitYear));
        assert_eq!(d("snart").issue, Some(Issue::NotDate));
        let ctx = ParseCtx {
            codes: None,
            date_1904: false,
            suppressed: &[],
        };
        let mut s = String::new();
        let cell = |kind| CellRef { kind, text: "" };
        let zero = parse(
            ColumnType::Date,
            cell(CellKind::Date {
                serial: 0.0,
                is_1904: false,
            }),
            &ctx,
            &mut s,
        );
        assert_eq!(zero.issue, Some(Issue::ZeroDate));
        let leap = parse(ColumnType::Date, cell(CellKind::Number(60.0)), &ctx, &mut s);
        assert_eq!(leap.issue, Some(Issue::FakeLeapDay));
        let mac = parse(
            ColumnType::Date,
            cell(CellKind::Date {
                serial: 38748.0,
                is_1904: true,
            }),
            &ctx,
            &mut s,
        );
        assert_eq!(mac.value, ymd(2010, 2, 1));
    }

    #[test]
    fn booleans_without_a_code_list_read_norwegian_and_english() {
        assert_eq!(p(ColumnType::Boolean, "Ja").value, Value::Bool(true));
        assert_eq!(p(ColumnType::Boolean, "nei").value, Value::Bool(false));
        assert_eq!(p(ColumnType::Boolean, "kanskje").issue, Some(Issue::NotBoolean));
    }

    #[test]
    fn codes_unknown_several_and_mojibake() {
        let list = CodeList::parse(
            "sex",
            "code,en,no,synonyms\nF,Female,Kvinne,K\nM,Male,Mann,\nU,Unknown,Ukjent,\n",
        )
        .unwrap();
        let list2 = CodeList::parse("t", "code,en,no,synonyms\nA,Førde,Førde,\nB,Bodø,Bodø,\n").unwrap();
        let mut s = String::new();
        assert_eq!(parse_code("kvinne", &list, &mut s).value, Value::Code(0));
        assert_eq!(
            parse_code("Ukjent", &list, &mut s).value,
            Value::Code(2),
            "a code list may define 'unknown'"
        );
        assert_eq!(parse_code("K/M", &list, &mut s).issue, Some(Issue::SeveralValues));
        assert_eq!(parse_code("X", &list, &mut s).issue, Some(Issue::UnknownCode));
        let r = parse_code("FÃ¸rde", &list2, &mut s);
        assert_eq!((r.value, r.note), (Value::Code(0), Some(Note::Mojibake)));
    }
}
