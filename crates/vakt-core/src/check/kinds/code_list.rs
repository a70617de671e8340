use crate::check::{RowCtx, RowRule, RuleKind, Sink, TableSchema};
use crate::finding::{CheckInfo, Severity};
use crate::i18n::T;
use crate::pack::CodeList;
use crate::value::Issue;

documented_check! {
    /// A value matches no entry of its column's code list.
    ///
    /// A cell matches an entry when it equals the code, the English or Norwegian label, or a
    /// synonym, ignoring case and extra whitespace (`psykodynamisk`, `Psychodynamic`, `PSYDYN`).
    /// Text garbled by a wrong encoding (`Ã¸` for `ø`) is repaired before matching (VK0108).
    ///
    /// When a value is close to an entry (a typo such as `psykodynamsik`, or the start of a label),
    /// the help names it: "did you mean Psykodynamisk (PSYDYN)?". Several codes in one cell
    /// (`PSYDYN/CBT`) are reported as such: a cell holds one value.
    pub struct CodeListKind => "VK0104", "code-list";
}

/// `Label (CODE)`, or the code alone when the label is the code (codes written in the pack).
fn labelled(label: &str, code: &str) -> String {
    if label.is_empty() || label.eq_ignore_ascii_case(code) {
        code.to_string()
    } else {
        format!("{label} ({code})")
    }
}

impl RuleKind for CodeListKind {
    fn info(&self) -> CheckInfo {
        Self::INFO
    }

    fn compile<'p>(&self, schema: &TableSchema<'p>) -> Vec<Box<dyn RowRule + 'p>> {
        let cols: Vec<(usize, &'p CodeList)> = schema
            .present_columns()
            .filter(|(_, c)| c.ty != crate::pack::ColumnType::Icd10)
            .filter_map(|(i, c)| schema.pack.codelist(c).map(|l| (i, l)))
            .collect();
        if cols.is_empty() {
            return Vec::new();
        }
        vec![Box::new(CodeRule { cols })]
    }
}

struct CodeRule<'p> {
    cols: Vec<(usize, &'p CodeList)>,
}

impl RowRule for CodeRule<'_> {
    fn check(&mut self, row: &RowCtx<'_>, out: &mut Sink<'_>) {
        for &(col, list) in &self.cols {
            let issue = row.values[col].issue;
            if !matches!(
                issue,
                Some(Issue::UnknownCode | Issue::SeveralValues | Issue::NotBoolean)
            ) {
                continue;
            }
            let raw = row.text(col);
            let shown = out.shown(col, raw);
            let name = &out.table.columns[col].name;
            let (message, help) = if issue == Some(Issue::SeveralValues) {
                (
                    T::CodeSeveral.say(&[("column", name), ("value", &shown)]),
                    Some(T::HelpKeepMain.say(&[])),
                )
            } else {
                let help = match list.suggest(raw) {
                    Some(s) => T::HelpDidYouMean.say(&[("value", &labelled(&s.label, &s.code))]),
                    None if list.entries.len() <= 12 => {
                        let values = list
                            .entries
                            .iter()
                            .map(|e| labelled(if e.no.is_empty() { &e.en } else { &e.no }, &e.code))
                            .collect::<Vec<_>>()
                            .join(", ");
                        T::HelpAllowed.say(&[("values", &values)])
                    }
                    None => T::HelpSeeList.say(&[("list", &list.name), ("count", &list.entries.len())]),
                };
                (
                    T::CodeUnknown.say(&[("column", name), ("value", &shown), ("list", &list.name)]),
                    Some(help),
                )
            };
            out.cell(CodeListKind::CODE, Severity::Error, row, col, message, help);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::check::testing::{codes, pack, run};

    #[test]
    fn codes_labels_synonyms_suggestions_and_several_values() {
        let p = pack(
            "[[table.column]]\nname = \"sex\"\ntype = \"code\"\ncodelist = \"sex\"\n",
            "",
        );
        let f = run(&p, "sex\nF\nkvinne\n K \nMale\nKvine\nF/M\nQ\n");
        assert_eq!(codes(&f), ["VK0104@6:sex", "VK0104@7:sex", "VK0104@8:sex"]);
        assert_eq!(f[0].help.as_deref(), Some("did you mean Kvinne (F)?"));
        assert!(f[1].message.contains("holds several values"));
        assert_eq!(f[2].help.as_deref(), Some("allowed: Kvinne (F), Mann (M), Ukjent (U)"));
    }

    #[test]
    fn codes_of_one_width_get_their_lost_zeros_back_as_information() {
        use crate::check::testing::plan;
        use crate::finding::Severity;
        let p = plan(
            "name = \"z\"\nversion = \"1\"\n[codelists]\nkommune = { codes = [\"0301\", \"1103\", \"5001\"] }\nmixed = { codes = [\"0301\", \"000301\"] }\n[[table]]\nname = \"t\"\n[[table.column]]\nname = \"kommune\"\ntype = \"code\"\ncodelist = \"kommune\"\n[[table.column]]\nname = \"mixed\"\ntype = \"code\"\ncodelist = \"mixed\"\n",
        );
        let f = run(&p, "kommune,mixed\n301,0301\n1103,301\n302,000301\n");
        assert_eq!(codes(&f), ["VK0108@2:kommune", "VK0104@3:mixed", "VK0104@4:kommune"]);
        assert_eq!(f[0].severity, Severity::Info);
        assert!(f[0].message.contains("read as 0301"), "{}", f[0].message);
        assert!(f[0].message.contains("leading zeros"), "{}", f[0].message);
    }
}
