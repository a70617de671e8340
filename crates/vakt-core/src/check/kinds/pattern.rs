use crate::check::{RowCtx, RowRule, RuleKind, Sink, TableSchema};
use crate::finding::{CheckInfo, Severity};
use crate::i18n::T;
use regex::Regex;

documented_check! {
    /// A text value does not have the form its column requires.
    ///
    /// `pattern` is a regular expression (Rust `regex` syntax) that the whole trimmed value must
    /// match; anchors are implied. `pattern_help` says in words what the form is, for the message.
    /// Excel drops leading zeros from numbers: a digits-only value that misses the pattern but
    /// fits it with exactly one number of zeros added in front (`301` for a four-digit pattern) is
    /// read with them restored — information, not an error, and `vakt clean` writes `0301`. When
    /// two widths would fit (a pattern of four or six digits), nothing is assumed: an error whose
    /// help points at the lost zero.
    ///
    /// ```toml
    /// [[table.column]]
    /// name = "municipality"
    /// type = "text"
    /// pattern = '\d{4}'
    /// pattern_help = "4 digits with the leading zero kept (0301, not 301)"
    /// ```
    pub struct PatternKind => "VK0105", "pattern";
}

impl RuleKind for PatternKind {
    fn info(&self) -> CheckInfo {
        Self::INFO
    }

    fn compile<'p>(&self, schema: &TableSchema<'p>) -> Vec<Box<dyn RowRule + 'p>> {
        let cols: Vec<(usize, &'p Regex, Option<&'p str>)> = schema
            .present_columns()
            .filter_map(|(i, c)| c.pattern.as_ref().map(|r| (i, r, c.pattern_help.as_deref())))
            .collect();
        if cols.is_empty() {
            return Vec::new();
        }
        vec![Box::new(PatternRule { cols })]
    }
}

struct PatternRule<'p> {
    cols: Vec<(usize, &'p Regex, Option<&'p str>)>,
}

impl RowRule for PatternRule<'_> {
    fn check(&mut self, row: &RowCtx<'_>, out: &mut Sink<'_>) {
        for &(col, re, help) in &self.cols {
            if !row.values[col].is_present() {
                continue;
            }
            let text = row.text(col);
            if re.is_match(text) {
                continue;
            }
            let shown = out.shown(col, text);
            let name = &out.table.columns[col].name;
            if let Some(restored) = crate::value::text::restore_leading_zeros(text, |s| re.is_match(s)) {
                let read = out.shown(col, &restored);
                let message = T::ZeroRestored.say(&[("column", name), ("value", &shown), ("read", &read)]);
                out.cell(
                    PatternKind::CODE,
                    Severity::Info,
                    row,
                    col,
                    message,
                    Some(T::HelpFormatText.say(&[])),
                );
                continue;
            }
            let mut hint = help.map(|h| T::HelpExpected.say(&[("what", &h)]));
            if text.bytes().all(|b| b.is_ascii_digit())
                && (1..=3).any(|n| re.is_match(&format!("{}{text}", "0".repeat(n))))
            {
                hint = Some(T::HelpLeadingZero.say(&[]));
            }
            let values: [(&str, &dyn std::fmt::Display); 2] = [("column", name), ("value", &shown)];
            // What is wrong, said without the value (which may be masked).
            let message = match why_not(re.as_str(), text) {
                Some(why) => T::PatternWrongBecause.say_with(&values, &[("why", &why)]),
                None => T::PatternWrong.say(&values),
            };
            out.cell(PatternKind::CODE, Severity::Error, row, col, message, hint);
        }
    }
}

/// A plain reason a value misses its pattern, from the pattern's text and the value's shape: an
/// e-mail pattern and no `@`, a space where none is allowed, letters where digits are, a fixed
/// width missed. `None` when nothing simple can be said.
fn why_not(pattern: &str, text: &str) -> Option<crate::i18n::Said> {
    // The pack's pattern as written: compiled patterns are anchored `^(?:...)$`.
    let pattern = pattern
        .strip_prefix("^(?:")
        .and_then(|p| p.strip_suffix(")$"))
        .unwrap_or(pattern);
    let text = crate::value::text::trim(text);
    let allows_space = pattern.contains("\\s") || pattern.contains(' ');
    if pattern.contains('@') {
        if !text.contains('@') {
            return Some(T::WhyNoAt.say(&[]));
        }
        if text.chars().any(char::is_whitespace) {
            return Some(T::WhySpace.say(&[]));
        }
        let domain = text.rsplit('@').next().unwrap_or("");
        if !domain.contains('.') || domain.ends_with('.') {
            return Some(T::WhyNoDomain.say(&[]));
        }
        return None;
    }
    if !allows_space && text.chars().any(char::is_whitespace) {
        return Some(T::WhySpace.say(&[]));
    }
    // `\d{4}` or `[0-9]{4}`: digits of one width.
    let width = ["\\d{", "[0-9]{"].iter().find_map(|p| {
        let rest = pattern.strip_prefix(p)?;
        rest.strip_suffix('}')?.parse::<usize>().ok()
    });
    if let Some(width) = width {
        if !text.chars().all(|c| c.is_ascii_digit()) {
            return Some(T::WhyNotDigits.say(&[]));
        }
        let count = text.chars().count();
        if count != width {
            return Some(T::WhyLength.say(&[("count", &count), ("width", &width)]));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use crate::check::testing::{codes, pack, run};

    #[test]
    fn the_reason_is_said_without_the_value() {
        use super::why_not;
        let email = r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}";
        let why = |p: &str, t: &str| why_not(p, t).map(|s| s.en);
        assert_eq!(why(email, "kari.nordmann.example.no").as_deref(), Some("it has no @"));
        assert_eq!(
            why(email, "kari nordmann@example.no").as_deref(),
            Some("it holds a space")
        );
        assert_eq!(
            why(email, "kari@example").as_deref(),
            Some("the part after @ is no domain (like example.no)")
        );
        assert_eq!(why(r"\d{4}", "301").as_deref(), Some("it has 3 characters, 4 expected"));
        assert_eq!(
            why(r"\d{4}", "03O1").as_deref(),
            Some("it holds characters other than digits")
        );
        assert_eq!(why(r"[A-Z]{2}-\d+", "ab-1"), None);
        assert_eq!(
            why(r"^(?:\d{4})$", "301").as_deref(),
            Some("it has 3 characters, 4 expected")
        );
    }

    #[test]
    fn whole_value_must_match_and_lost_zeros_are_named() {
        let p = pack(
            "[[table.column]]\nname = \"kommune\"\ntype = \"text\"\npattern = '\\d{4}'\npattern_help = \"4 digits\"\n",
            "",
        );
        let f = run(&p, "kommune\n0301\n301\n03011\nOslo\n");
        assert_eq!(codes(&f), ["VK0105@3:kommune", "VK0105@4:kommune", "VK0105@5:kommune"]);
        // One width fits: the zero is restored, as information.
        assert_eq!(f[0].severity, crate::finding::Severity::Info);
        assert_eq!(
            f[0].message,
            "kommune: `301` had lost its leading zeros; read as `0301`"
        );
        assert_eq!(f[1].severity, crate::finding::Severity::Error);
        assert_eq!(f[1].help.as_deref(), Some("expected 4 digits"));
    }

    #[test]
    fn two_widths_that_fit_restore_nothing() {
        let p = pack(
            "[[table.column]]\nname = \"postnr\"\ntype = \"text\"\npattern = '\\d{4}|\\d{6}'\n",
            "",
        );
        let f = run(&p, "postnr\n301\n");
        assert_eq!(codes(&f), ["VK0105@2:postnr"]);
        assert_eq!(f[0].severity, crate::finding::Severity::Error);
        assert!(
            f[0].help.as_deref().unwrap().contains("lost leading zero"),
            "{:?}",
            f[0].help
        );
    }
}
