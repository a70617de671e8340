//! The finding model shared by every stage: what was found, how bad it is, and where.
//!
//! Stages that discover problems (read, locate, check) produce [`Finding`]s; the report stage renders
//! them. Keeping one plain model here, instead of rendering at the point of discovery, lets the same
//! finding go to the terminal, to JSON and to a rejected-rows file without re-deriving anything.

use serde::Serialize;
use std::borrow::Cow;
use std::sync::Arc;

/// A finding's stable code: a built-in `VK…` code, or one a pack or a plugin defines (`NH001`).
/// Cheap to clone; compares, hashes and orders as its text.
///
/// ```
/// use vakt_core::finding::Code;
/// let builtin = Code::new("VK0103");
/// let from_pack = Code::shared("NH001");
/// assert!(builtin == "VK0103" && from_pack.as_str() == "NH001");
/// ```
#[derive(Clone)]
pub struct Code(CodeRepr);

#[derive(Clone)]
enum CodeRepr {
    Static(&'static str),
    Shared(Arc<str>),
}

impl Code {
    /// A code known when vakt was built.
    pub const fn new(code: &'static str) -> Code {
        Code(CodeRepr::Static(code))
    }

    /// A code known at run time (from a pack or a plugin).
    pub fn shared(code: &str) -> Code {
        Code(CodeRepr::Shared(Arc::from(code)))
    }

    /// The code's text.
    pub fn as_str(&self) -> &str {
        match &self.0 {
            CodeRepr::Static(s) => s,
            CodeRepr::Shared(s) => s,
        }
    }
}

impl From<&'static str> for Code {
    fn from(s: &'static str) -> Code {
        Code::new(s)
    }
}

impl std::ops::Deref for Code {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl PartialEq for Code {
    fn eq(&self, other: &Code) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Code {}

impl PartialEq<&str> for Code {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<str> for Code {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl std::hash::Hash for Code {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        self.as_str().hash(h);
    }
}

impl PartialOrd for Code {
    fn partial_cmp(&self, other: &Code) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Code {
    fn cmp(&self, other: &Code) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::fmt::Debug for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// How serious a finding is. Ordered so that `Error > Warning > Info`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// For information: nothing to correct.
    Info = 0,
    /// Worth a look: may be wrong.
    Warning = 1,
    /// Must be corrected.
    Error = 2,
}

impl Severity {
    /// `info`, `warning` or `error`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// Where a finding points: a file, optionally a sheet, a physical row and a column.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Location {
    /// Index of the table in the rule pack, for stable ordering; `usize::MAX` for return-level findings.
    pub table: usize,
    /// Input path as given on the command line (`folder/file.csv` for a CSV inside a folder).
    pub file: String,
    /// Sheet name for workbooks, `None` for CSV.
    pub sheet: Option<String>,
    /// 1-based physical row (spreadsheet row, or CSV line where the record starts).
    pub row: Option<u64>,
    /// 0-based physical column index in the sheet or file.
    pub col: Option<u32>,
    /// The rule pack's canonical column name.
    pub column: Option<String>,
    /// In CSV, the record number when it differs from the line (a quoted field above spanned
    /// lines): a spreadsheet program that opened the file shows the record on this row.
    pub record: Option<u64>,
}

impl Location {
    /// The A1 reference of the cell, quoted like Excel does (`'Grupper (2)'!G6`), when this is a
    /// spreadsheet cell.
    pub fn cell(&self) -> Option<String> {
        let sheet = self.sheet.as_deref()?;
        let row = self.row?;
        let col = self.col?;
        Some(format!("{}!{}{}", quote_sheet(sheet), column_letters(col), row))
    }
}

/// Quotes a sheet name for an A1 reference when it holds anything but letters, digits and `_`.
pub fn quote_sheet(sheet: &str) -> String {
    if !sheet.is_empty() && sheet.chars().all(|c| c.is_alphanumeric() || c == '_') {
        sheet.to_string()
    } else {
        format!("'{}'", sheet.replace('\'', "''"))
    }
}

/// Spreadsheet column letters of a 0-based column index: 0 → `A`, 26 → `AA`.
pub fn column_letters(col: u32) -> String {
    let mut n = col as u64 + 1;
    let mut out = Vec::new();
    while n > 0 {
        let rem = ((n - 1) % 26) as u8;
        out.push(b'A' + rem);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// One problem (or note) found in an input.
#[derive(Debug, Clone)]
pub struct Finding {
    /// Stable code, e.g. `VK0103`; `vakt explain CODE` documents it.
    pub code: Code,
    /// How serious it is.
    pub severity: Severity,
    /// What is wrong, in the user's terms; cell text in it is masked.
    pub message: String,
    /// How to correct it.
    pub help: Option<String>,
    /// Where it is.
    pub location: Location,
    /// The raw cell value, already masked when it comes from an identifier column.
    pub value: Option<String>,
    /// The message and help in Norwegian, when the catalogue has them (`None` for texts written
    /// by a pack or a plugin, shown as written).
    pub nb: Option<Box<Nb>>,
}

/// A finding's message and help in Norwegian.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Nb {
    /// The message.
    pub message: String,
    /// The help.
    pub help: Option<String>,
}

impl Finding {
    /// A finding about a whole input (no table, sheet or cell), with its texts in both languages.
    pub fn about_input(
        code: impl Into<Code>,
        severity: Severity,
        file: &str,
        message: crate::i18n::Said,
        help: Option<crate::i18n::Said>,
    ) -> Finding {
        Finding {
            nb: None,
            code: code.into(),
            severity,
            message: String::new(),
            help: None,
            location: Location {
                table: usize::MAX,
                file: file.to_string(),
                ..Default::default()
            },
            value: None,
        }
        .said(message, help)
    }

    /// The message in a language (as written when it has no Norwegian).
    pub fn message_in(&self, lang: crate::i18n::Lang) -> &str {
        match (&self.nb, lang) {
            (Some(nb), crate::i18n::Lang::Nb) => &nb.message,
            _ => &self.message,
        }
    }

    /// The help in a language.
    pub fn help_in(&self, lang: crate::i18n::Lang) -> Option<&str> {
        match (&self.nb, lang) {
            (Some(nb), crate::i18n::Lang::Nb) => nb.help.as_deref().or(self.help.as_deref()),
            _ => self.help.as_deref(),
        }
    }

    /// Sets the message and help from texts in both languages.
    pub fn said(mut self, message: crate::i18n::Said, help: Option<crate::i18n::Said>) -> Finding {
        let nb = message.nb.map(|m| {
            Box::new(Nb {
                message: m,
                help: help.as_ref().and_then(|h| h.nb.clone().or_else(|| Some(h.en.clone()))),
            })
        });
        self.message = message.en;
        self.help = help.map(|h| h.en);
        self.nb = nb;
        self
    }
}

/// Masks an identifier so it can be shown without revealing it: `31129956715` → `311299*****`.
/// At most six leading characters, and at most half the value (rounded up), stay visible.
pub fn mask(value: &str) -> String {
    let n = value.chars().count();
    let keep = n.div_ceil(2).min(6);
    value
        .chars()
        .enumerate()
        .map(|(i, c)| if i < keep { c } else { '*' })
        .collect()
}

/// Masks a found identifier harder than [`mask`]: two characters stay visible (`91********`).
pub fn mask_found(value: &str) -> String {
    value
        .chars()
        .enumerate()
        .map(|(i, c)| if i < 2 || c == ' ' { c } else { '*' })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_letters_roll_over() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(6), "G");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(701), "ZZ");
        assert_eq!(column_letters(702), "AAA");
    }

    #[test]
    fn cell_reference_quotes_drifted_sheet_names() {
        let loc = Location {
            sheet: Some("Grupper (2)".into()),
            row: Some(6),
            col: Some(6),
            ..Default::default()
        };
        assert_eq!(loc.cell().as_deref(), Some("'Grupper (2)'!G6"));
        let plain = Location {
            sheet: Some("Groups".into()),
            row: Some(2),
            col: Some(0),
            ..Default::default()
        };
        assert_eq!(plain.cell().as_deref(), Some("Groups!A2"));
    }

    #[test]
    fn masks_keep_at_most_six_characters() {
        assert_eq!(mask("31129956715"), "311299*****");
        assert_eq!(mask("EPJ-01000"), "EPJ-0****");
        assert_eq!(mask("12"), "1*");
        assert_eq!(mask(""), "");
    }
}

/// The documentation of a check: its stable code, its name and its doc comment.
#[derive(Debug, Clone)]
pub struct CheckInfo {
    /// The stable code (`VK0103`).
    pub code: Code,
    /// The kind's name (`range`).
    pub name: Cow<'static, str>,
    /// The doc comment, each line with its leading space.
    pub doc: Cow<'static, str>,
}

impl CheckInfo {
    /// The doc comment as Markdown, without the one-space indent doc comments carry.
    pub fn markdown(&self) -> String {
        self.doc
            .lines()
            .map(|l| l.strip_prefix(' ').unwrap_or(l))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The first sentence of the doc, on one line.
    pub fn summary(&self) -> String {
        let para: Vec<&str> = self
            .doc
            .lines()
            .map(str::trim)
            .skip_while(|l| l.is_empty())
            .take_while(|l| !l.is_empty())
            .collect();
        let joined = para.join(" ");
        match joined.find(". ") {
            Some(i) => joined[..=i].to_string(),
            None => joined,
        }
    }
}
