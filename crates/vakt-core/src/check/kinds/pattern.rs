use crate::check::{RowCtx, RowRule, RuleKind, Sink, TableSchema};
use crate::finding::{CheckInfo, Severity};
use crate::i18n::T;
use regex::Regex;

documented_check! {
    /// A text value does not have the form its column requires.
    ///
    /// `pattern` is a regular expression (Rust `regex` syntax) that the whole trimmed value must
    /// match; anchors are implied. `pattern_help` says in words what the form is, for the message.
    /// A digits-only pattern whose value is too short points at a lost leading zero (`301` for
    /// `0301`: Excel drops leading zeros from numbers).
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
            let mut hint = help.map(|h| T::HelpExpected.say(&[("what", &h)]));
            if text.bytes().all(|b| b.is_ascii_digit())
                && (1..=3).any(|n| re.is_match(&format!("{}{text}", "0".repeat(n))))
            {
                hint = Some(T::HelpLeadingZero.say(&[]));
            }
            let shown = out.shown(col, text);
            let message = T::PatternWrong.say(&[("column", &out.table.columns[col].name), ("value", &shown)]);
            out.cell(PatternKind::CODE, Severity::Error, row, col, message, hint);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::check::testing::{codes, pack, run};

    #[test]
    fn whole_value_must_match_and_lost_zeros_are_named() {
        let p = pack(
            "[[table.column]]\nname = \"kommune\"\ntype = \"text\"\npattern = '\\d{4}'\npattern_help = \"4 digits\"\n",
            "",
        );
        let f = run(&p, "kommune\n0301\n301\n03011\nOslo\n");
        assert_eq!(codes(&f), ["VK0105@3:kommune", "VK0105@4:kommune", "VK0105@5:kommune"]);
        assert!(f[0].help.as_deref().unwrap().contains("lost leading zero"));
        assert_eq!(f[1].help.as_deref(), Some("expected 4 digits"));
    }
}
