//! What every workbook vakt writes for people shares: fixed document properties (the same inputs
//! give the same bytes), Excel's limits, sheet names Excel accepts, the colours of the severities,
//! and cells written as read, with formula-like text shown as typed and never evaluated.

use crate::Error;
use rust_xlsxwriter::{Color, DocProperties, ExcelDateTime, Format, FormatPattern, Workbook, Worksheet};
use vakt_core::finding::Severity;
use vakt_core::value::CellKind;

/// Rows of a sheet (Excel's limit).
pub const MAX_ROWS: u32 = 1_048_576;
/// Columns of a sheet (Excel's limit).
pub const MAX_COLS: u16 = 16_384;

/// A workbook with fixed properties: no creation time that changes from run to run.
pub fn workbook(author: &str) -> Result<Workbook, Error> {
    let mut wb = Workbook::new();
    let created = ExcelDateTime::from_ymd(2000, 1, 1)?;
    wb.set_properties(&DocProperties::new().set_creation_datetime(&created).set_author(author));
    Ok(wb)
}

/// A sheet name Excel accepts (at most 31 characters, none of `[]:*?/\`, not blank, no leading or
/// trailing `'`), different from every name in `taken` (compared ignoring case); added to it.
pub fn sheet_name(wanted: &str, taken: &mut Vec<String>) -> String {
    let clean: String = wanted
        .chars()
        .map(|c| {
            if "[]:*?/\\".contains(c) || c.is_control() {
                '_'
            } else {
                c
            }
        })
        .collect();
    let clean = clean.trim().trim_matches('\'').to_string();
    let base: String = if clean.is_empty() { "Ark".to_string() } else { clean };
    let mut n = 1;
    loop {
        let suffix = if n == 1 { String::new() } else { format!(" ({n})") };
        let keep = 31usize.saturating_sub(suffix.chars().count());
        let name: String = base.chars().take(keep).collect::<String>() + &suffix;
        if !taken.contains(&name.to_lowercase()) {
            taken.push(name.to_lowercase());
            return name;
        }
        n += 1;
    }
}

/// Text with control characters other than tab and line breaks shown as `\u{..}`.
pub fn printable(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_control() && c != '\n' && c != '\t' {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
}

/// Whether a spreadsheet would take the text for a formula (the one test vakt clean uses too).
pub use vakt_core::value::text::formula_like;

/// `Feil / error`, `Advarsel / warning`, `Merknad / note`.
pub fn severity_label(s: Severity) -> &'static str {
    match s {
        Severity::Error => "Feil / error",
        Severity::Warning => "Advarsel / warning",
        Severity::Info => "Merknad / note",
    }
}

/// The formats: by severity (none, error, warning, note) for plain, date and quoted text cells.
pub struct Styles {
    plain: [Format; 4],
    date: [Format; 4],
    quoted: [Format; 4],
    /// The title of a summary sheet.
    pub title: Format,
    /// Column headers.
    pub header: Format,
}

fn severity_index(s: Option<Severity>) -> usize {
    match s {
        None => 0,
        Some(Severity::Error) => 1,
        Some(Severity::Warning) => 2,
        Some(Severity::Info) => 3,
    }
}

impl Styles {
    /// The formats of a feedback workbook.
    pub fn new() -> Styles {
        let fill = |base: Format, i: usize| match i {
            1 => base
                .set_background_color(Color::RGB(0xFF_C7_CE))
                .set_pattern(FormatPattern::Solid),
            2 => base
                .set_background_color(Color::RGB(0xFF_EB_9C))
                .set_pattern(FormatPattern::Solid),
            3 => base
                .set_background_color(Color::RGB(0xDD_EB_F7))
                .set_pattern(FormatPattern::Solid),
            _ => base,
        };
        let set = |base: fn() -> Format| [0, 1, 2, 3].map(|i| fill(base(), i));
        Styles {
            plain: set(Format::new),
            date: set(|| Format::new().set_num_format("yyyy-mm-dd")),
            quoted: set(|| Format::new().set_quote_prefix()),
            title: Format::new().set_bold().set_font_size(14),
            header: Format::new()
                .set_bold()
                .set_background_color(Color::RGB(0xE7_E6_E6))
                .set_pattern(FormatPattern::Solid),
        }
    }

    /// The format of a cell of `kind` with a finding of severity `s`.
    pub fn fill(&self, s: Severity, kind: CellKind) -> &Format {
        self.format(Some(s), kind, false)
    }

    fn format(&self, s: Option<Severity>, kind: CellKind, quoted: bool) -> &Format {
        let i = severity_index(s);
        let set = match kind {
            CellKind::Date { .. } => &self.date,
            _ if quoted => &self.quoted,
            _ => &self.plain,
        };
        &set[i]
    }
}

impl Default for Styles {
    fn default() -> Self {
        Styles::new()
    }
}

/// Writes text, formula-like text with the quote prefix; control characters escaped.
pub fn write_text(ws: &mut Worksheet, r: u32, c: u16, text: &str, styles: &Styles) -> Result<(), Error> {
    let text = printable(text);
    let format = styles.format(None, CellKind::Text, formula_like(&text));
    ws.write_string_with_format(r, c, text, format)?;
    Ok(())
}

/// Writes one cell as it was read: numbers as numbers, dates as dates (1904-system serials moved to
/// 1900), booleans, text (formula-like text quoted), error values as their text. Returns whether a
/// value was written (empty cells are not, unless they carry a finding's colour).
pub fn write_cell(
    ws: &mut Worksheet,
    r: u32,
    c: u16,
    kind: CellKind,
    text: &str,
    styles: &Styles,
    severity: Option<Severity>,
) -> Result<bool, Error> {
    match kind {
        CellKind::Empty => return Ok(false),
        CellKind::Number(n) if n.is_finite() => {
            ws.write_number_with_format(r, c, n, styles.format(severity, kind, false))?;
        }
        CellKind::Date { serial, is_1904 } if serial.is_finite() => {
            let serial = if is_1904 { serial + 1462.0 } else { serial };
            ws.write_number_with_format(r, c, serial, styles.format(severity, kind, false))?;
        }
        CellKind::DateIso => match ExcelDateTime::parse_from_str(text) {
            Ok(date) => {
                ws.write_datetime_with_format(
                    r,
                    c,
                    &date,
                    styles.format(
                        severity,
                        CellKind::Date {
                            serial: 0.0,
                            is_1904: false,
                        },
                        false,
                    ),
                )?;
            }
            Err(_) => {
                ws.write_string_with_format(r, c, printable(text), styles.format(severity, CellKind::Text, false))?;
            }
        },
        CellKind::Bool(b) => {
            ws.write_boolean_with_format(r, c, b, styles.format(severity, kind, false))?;
        }
        _ => {
            let text = printable(text);
            let format = styles.format(severity, CellKind::Text, formula_like(&text));
            ws.write_string_with_format(r, c, text, format)?;
        }
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_are_ones_excel_accepts_and_unique() {
        let mut taken = vec!["tilbakemelding".to_string()];
        assert_eq!(sheet_name("Tilbakemelding", &mut taken), "Tilbakemelding (2)");
        assert_eq!(sheet_name("a/b:c", &mut taken), "a_b_c");
        assert_eq!(sheet_name("A_B_C", &mut taken), "A_B_C (2)");
        let long = "x".repeat(40);
        assert_eq!(sheet_name(&long, &mut taken).chars().count(), 31);
        assert_eq!(sheet_name(&long, &mut taken).chars().count(), 31);
        assert_eq!(sheet_name("''", &mut taken), "Ark");
    }

    #[test]
    fn formula_like_text_is_recognised_and_numbers_are_not() {
        assert!(formula_like("=HYPERLINK(\"x\")"));
        assert!(formula_like("@SUM(A1)"));
        assert!(!formula_like("-5"));
        assert!(!formula_like("Oslo"));
        assert_eq!(printable("a\u{1b}[31mb\nc"), "a\\u{1b}[31mb\nc");
    }
}
